#pragma once

#include <QMainWindow>

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>

class QComboBox;
class QDockWidget;
class QMenu;
class QLabel;
class QProgressBar;
class QPushButton;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QTextBrowser;
class QTimer;
class QToolButton;
class QTreeView;

namespace adcp {
struct AdcpError;
}

namespace adcp::seller {
class Dispatcher;
}

namespace adcp::gui {

class AgentManager;
class LoopbackSeller;
class BriefComposer;
class BuyDetailWidget;
class BuyMonitorWidget;
class CatalogPanel;
class AudiencesWidget;
class CreativeLibraryWidget;
class ExchangeInspector;
class ProductListWidget;
class ProposalDetailWidget;
class ProposalListWidget;
class SellerConsole;
class Workbench;
class WorkspaceKeeper;

// The workbench window: the agent bar on top, the planning cycles on the left, the lifecycle tabs in the
// centre, the selected item on the right and the exchange log at the bottom (see UI.md). It shows the
// Workbench's models and turns the planner's clicks into Workbench actions.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    enum class Tab { Brief, Products, Catalog, Proposals, Buys, Creatives, Audiences };
    enum class Detail { Empty, Product, Proposal, Buy };

    explicit MainWindow(Workbench *workbench, QWidget *parent = nullptr);
    ~MainWindow() override;

    QComboBox *agentSelector() const;
    QToolButton *agentsButton() const;
    QPushButton *connectButton() const;
    QTabWidget *lifecycleTabs() const;
    QStackedWidget *detailStack() const;
    QTreeView *opportunityView() const;
    QLabel *connectionLabel() const;
    QProgressBar *busyBar() const;
    QPushButton *cancelButton() const;
    BriefComposer *briefComposer() const;
    ProductListWidget *productList() const;
    ProposalListWidget *proposalList() const;
    ProposalDetailWidget *proposalDetail() const;
    BuyMonitorWidget *buyMonitor() const;
    CatalogPanel *catalogPanel() const;
    CreativeLibraryWidget *creativeLibrary() const;
    AudiencesWidget *audiencesPanel() const;
    BuyDetailWidget *buyDetail() const;
    ExchangeInspector *exchangeInspector() const;

    void setCurrentTab(Tab tab);
    Detail currentDetail() const;
    void showProposal(const QString &proposalId);
    void showBuy(const QString &mediaBuyId);
    void showProduct(const QString &productId);
    // "● connected · AdCP 3 · dialect · principal"; disconnected says "not connected".
    void setConnectionState(bool connected, const QString &versions, const QString &dialect,
                            const QString &principal);
    // A dock (e.g. the seller console) the user can pop out onto a second screen.
    QDockWidget *addToolDock(QWidget *widget, const QString &title, Qt::DockWidgetArea area);
    // Dialogs are created through this hook so tests can fill and accept them without a modal loop.
    void setDialogRunner(std::function<int(QDialog *)> runner);
    void restoreLayout();
    // The status bar's message: results and errors clear after `ms` (busy texts stay while the call runs).
    void showStatus(const QString &text, int ms = -1);
    void setStatusTimeout(int ms);
    QLabel *statusMessage() const;
    // Fills the agent selector with the embedded seller and the remote profiles, and switches on selection.
    void setAgentManager(AgentManager *manager);
    // The keeper of the planner's workspaces: its Workspace button on the agent bar, and a status line when a
    // workspace comes back.
    void setWorkspaceKeeper(WorkspaceKeeper *keeper, const QString &path);
    // The embedded seller's console as a dock: it follows the buys, and the buys are re-read when the
    // trainer changes the seller. Shown only while the embedded seller is the active agent.
    void attachSellerConsole(SellerConsole *console);
    QDockWidget *sellerConsoleDock() const;
    // The embedded seller, offered to the test lab as a target (served on loopback for a run), with the keys
    // it signs webhooks with (null: none known; the lab's webhooks suite is then not applicable).
    void setEmbeddedSeller(std::shared_ptr<adcp::seller::Dispatcher> seller,
                           nlohmann::json webhookJwks = nullptr);

    // Whether the docked seller console was put away because the window is too narrow for it beside the
    // lifecycle (it comes back once the window is wide enough again).
    bool isSellerConsoleFolded() const;

protected:
    void closeEvent(QCloseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void buildAgentBar();
    void buildCentre();
    void buildStatusBar();
    void buildShortcuts();
    void wireWorkbench();
    void saveLayout() const;
    void showError(const QString &action, const QString &subject, const adcp::AdcpError &error);
    // The empty lists' hints: as usual (`failure` empty), or saying that `agent` did not answer.
    void showEmptyHints(const QString &agent, const QString &failure);
    int runDialog(QDialog *dialog);

    void onRefine(const QString &proposalId);
    void onDecline(const QString &proposalId);
    void onCreateBuy(const QString &proposalId, const nlohmann::json &prefill = {});
    void onCompare(const QString &proposalId, int left, int right);
    void onCloseOpportunity(const QString &opportunityId);

    void refreshAgentSelector();
    // The product of this id from the brief's answer or, failing that, the seller's catalog (null: neither).
    nlohmann::json productById(const QString &productId) const;
    // The Proposals and Buys lists show one opportunity's rows (the one selected in the left tree) or, with
    // an empty id, every row. applyScope recomputes the filters after the models change.
    void scopeTo(const QString &opportunityId);
    void applyScope();
    void onOpportunityChosen();
    // Shows every buy again when this one is filtered out by the scope (a direct buy, another brief's).
    void revealBuy(const QString &mediaBuyId);

    Workbench *m_workbench;
    QString m_scope; // the opportunity the lists show, empty for all
    bool m_applyingScope = false;
    AgentManager *m_agents = nullptr;
    QMenu *m_viewMenu = nullptr;
    QDockWidget *m_consoleDock = nullptr;
    bool m_consoleFolded = false; // hidden by fitSellerConsole, not by the planner
    bool m_consoleWanted = true;  // the active agent is the embedded seller, whose console it is
    // The least window width at which the docked console fits beside the centre's panes.
    int widthForDockedConsole() const;
    void fitSellerConsole(int windowWidth);
    std::shared_ptr<adcp::seller::Dispatcher> m_embeddedSeller;
    nlohmann::json m_embeddedJwks;
    // The embedded seller on loopback for copied curl commands, started on the first copy.
    std::unique_ptr<LoopbackSeller> m_curlSeller;
    QByteArray m_curlToken;
    std::function<int(QDialog *)> m_dialogRunner;
    std::function<void()> m_retryProposalAction;
    QComboBox *m_agentSelector = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QPushButton *m_connectButton = nullptr;
    QToolButton *m_agentsButton = nullptr;
    QSplitter *m_verticalSplitter = nullptr;
    QSplitter *m_horizontalSplitter = nullptr;
    QTreeView *m_opportunityView = nullptr;
    QTabWidget *m_tabs = nullptr;
    QStackedWidget *m_detailStack = nullptr;
    // The empty lists' hints (products, proposals, buys) as they read while the agent answers.
    struct EmptyHint
    {
        QLabel *label;
        QString usual;
    };
    QList<EmptyHint> m_emptyHints;
    QTextBrowser *m_productDetail = nullptr;
    BriefComposer *m_brief = nullptr;
    ProductListWidget *m_productList = nullptr;
    ProposalListWidget *m_proposalList = nullptr;
    ProposalDetailWidget *m_proposalDetail = nullptr;
    BuyMonitorWidget *m_buyMonitor = nullptr;
    CatalogPanel *m_catalogPanel = nullptr;
    CreativeLibraryWidget *m_creativeLibrary = nullptr;
    AudiencesWidget *m_audiencesPanel = nullptr;
    BuyDetailWidget *m_buyDetail = nullptr;
    ExchangeInspector *m_inspector = nullptr;
    QLabel *m_statusMessage = nullptr;
    QTimer *m_statusTimer = nullptr;
    QString m_busyStatus; // the "<action>…" text shown while calls run
    int m_statusTimeout = 10000;
    QProgressBar *m_busyBar = nullptr;
    QPushButton *m_cancelButton = nullptr;
};

} // namespace adcp::gui
