#pragma once

#include "agentprofiles.h"
#include "labtypes.h"

#include <QDialog>
#include <QPointer>
#include <QUrl>

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QToolBar;
class QTreeWidget;
class QTreeWidgetItem;

namespace adcp::lab {
class LabRunner;
}

namespace adcp::seller {
class Dispatcher;
class SellerHttpServer;
}

namespace adcp::gui {

class AgentManager;
class LoopbackSeller;

// The agent test lab in the window: pick a remote agent and suites, run them (on a worker thread, with
// progress and Cancel), read each step's verdict and reason in a tree, open the exchanges behind a step, and
// save the run as JUnit, JSON or HTML.
class TestLabDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TestLabDialog)
public:
    explicit TestLabDialog(AgentManager *manager, QWidget *parent = nullptr);
    ~TestLabDialog() override;

    const adcp::lab::LabRun &lastRun() const;
    // Where runs are kept for comparison (default: the application-data folder).
    void setHistoryPath(const QString &path);
    // Offers the embedded seller as a target: for a run it is served on a loopback port (127.0.0.1, a port of
    // the system's choosing) under two principals of the lab's own, so the planner's workspace is untouched
    // and the isolation suite has its second buyer. `webhookJwks`: the keys it signs webhooks with, published
    // on that server (the webhooks suite verifies with them); null = none, and that suite is not applicable.
    void setEmbeddedSeller(std::shared_ptr<adcp::seller::Dispatcher> dispatcher,
                           nlohmann::json webhookJwks = nullptr);
    // The loopback address of the embedded seller while it is served for the lab (empty before a run).
    QUrl servedEmbeddedUrl() const;

private:
    void buildUi();
    void refreshAgents();
    void startRun();
    void runWithToken(const AgentProfile &profile, const QByteArray &token);
    // Starts (once) the loopback server in front of the embedded seller; false with *error set when it cannot.
    bool serveEmbeddedSeller(QString *error);
    void onStepStarted(const QString &suite, const QString &title, int index, int total);
    void onStepFinished(const adcp::lab::StepResult &step, int index, int total);
    void onRunFinished(const adcp::lab::LabRun &run);
    void showStep(QTreeWidgetItem *item);
    void saveReport();
    void setRunning(bool running);
    void refreshComparisons();
    // `otherAgent`: the name of the agent whose run it is when not this one (the column then says so).
    void compareWith(qint64 historyId, const QString &otherAgent = {});
    QTreeWidgetItem *suiteItem(const QString &suite);

    QPointer<AgentManager> m_manager;
    std::unique_ptr<adcp::lab::LabRunner> m_runner;
    adcp::lab::LabRun m_lastRun;
    std::vector<adcp::lab::StepResult> m_steps; // of the run in progress, by tree row data
    QComboBox *m_agent = nullptr;
    QLineEdit *m_brand = nullptr;
    QLineEdit *m_tokenB = nullptr;
    QListWidget *m_suites = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_save = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QTreeWidget *m_tree = nullptr;
    QPlainTextEdit *m_exchanges = nullptr;
    QComboBox *m_compare = nullptr;
    QString m_historyPath;
    std::shared_ptr<adcp::seller::Dispatcher> m_embeddedSeller;
    nlohmann::json m_embeddedJwks;
    QString m_runSummary; // the last run's counts, shown again when a comparison is turned off
    std::unique_ptr<LoopbackSeller> m_servedSeller;
    QUrl m_servedUrl;
    QByteArray m_servedTokenA;
    QByteArray m_servedTokenB;
};

// A "Test lab…" button on the agent bar that opens the dialog; the seller `embeddedSeller` gives when the
// dialog opens (if any) is offered as a target beside the remote agents, with the webhook keys `embeddedJwks`
// gives.
void installTestLabButton(QToolBar *agentBar, AgentManager *manager,
                          std::function<std::shared_ptr<adcp::seller::Dispatcher>()> embeddedSeller = {},
                          std::function<nlohmann::json()> embeddedJwks = {});

} // namespace adcp::gui
