#pragma once

#include <QMainWindow>

class QComboBox;
class QLabel;
class QListView;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QToolButton;
class QTreeView;

namespace adcp::gui {

// The workbench window: the agent bar on top, the planning cycles on the left, the lifecycle tabs in the
// centre, the selected item on the right and the exchange strip at the bottom (see UI.md).
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    enum class Tab { Brief, Products, Proposals, Buys };

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    QComboBox *agentSelector() const;
    QTabWidget *lifecycleTabs() const;
    QStackedWidget *detailStack() const;
    QTreeView *opportunityView() const;
    QListView *exchangeStrip() const;
    QLabel *connectionLabel() const;

    void setCurrentTab(Tab tab);
    // "● connected · AdCP 3 · dialect · principal"; an empty state says "not connected".
    void setConnectionState(bool connected, const QString &versions, const QString &dialect,
                            const QString &principal);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildAgentBar();
    void buildCentre();
    void restoreLayout();
    void saveLayout() const;

    QComboBox *m_agentSelector = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QToolButton *m_settingsButton = nullptr;
    QSplitter *m_verticalSplitter = nullptr;
    QSplitter *m_horizontalSplitter = nullptr;
    QTreeView *m_opportunityView = nullptr;
    QTabWidget *m_tabs = nullptr;
    QStackedWidget *m_detailStack = nullptr;
    QListView *m_exchangeStrip = nullptr;
};

} // namespace adcp::gui
