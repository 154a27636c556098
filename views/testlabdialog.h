#pragma once

#include "agentprofiles.h"
#include "labtypes.h"

#include <QDialog>
#include <QPointer>

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

namespace adcp::gui {

class AgentManager;

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

private:
    void buildUi();
    void refreshAgents();
    void startRun();
    void runWithToken(const AgentProfile &profile, const QByteArray &token);
    void onStepStarted(const QString &suite, const QString &title, int index, int total);
    void onStepFinished(const adcp::lab::StepResult &step, int index, int total);
    void onRunFinished(const adcp::lab::LabRun &run);
    void showStep(QTreeWidgetItem *item);
    void saveReport();
    void setRunning(bool running);
    void refreshComparisons();
    void compareWith(qint64 historyId);
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
};

// A "Test lab…" button on the agent bar that opens the dialog.
void installTestLabButton(QToolBar *agentBar, AgentManager *manager);

} // namespace adcp::gui
