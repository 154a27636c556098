#pragma once

#include "agentprofiles.h"
#include "labtypes.h"
#include "officialrunner.h"

#include <QDialog>
#include <QPointer>
#include <QUrl>

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProcess;
class QStackedWidget;
class QProgressBar;
class QPushButton;
class QToolBar;
class QTreeWidget;
class QTreeWidgetItem;

namespace adcp::lab {
class LabRunner;
class OfficialRunner;
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
// save the run as JUnit, JSON or HTML. Its second engine is the AdCP SDK's storyboard runner (node): pick
// bundles or storyboards from the runner's own list, and its steps fill the same tree with its verdicts.
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

protected:
    // Escape during a run does not hide the dialog (the run would go on unseen): it says how to stop the run
    // (Cancel run) or leave it running (Close).
    void keyPressEvent(QKeyEvent *event) override;

private:
    void buildUi();
    void refreshAgents();
    void startRun();
    void runWithToken(const AgentProfile &profile, const QByteArray &token);
    // Starts (once) the loopback server in front of the embedded seller; false with *error set when it cannot.
    bool serveEmbeddedSeller(QString *error);
    void onStepStarted(const QString &suite, const QString &title, int index, int total);
    void onStepFinished(const adcp::lab::StepResult &step, int index, int total);
    void addStepRow(const adcp::lab::StepResult &step);
    bool officialEngine() const;
    // Finds the runner (LabRunnerSettings) and, when found, loads its storyboard list.
    void refreshRunner();
    void loadStoryboards();
    void openRunnerSettings();
    void startOfficial(const AgentProfile &profile, const QByteArray &token,
                       const adcp::lab::LabConfig &config);
    // The embedded seller under a principal of its own for one runner run: the runner's fixed idempotency
    // keys never meet an earlier run's.
    bool serveEmbeddedForRunner(QString *error);
    void onRunFinished(const adcp::lab::LabRun &run);
    void showStep(QTreeWidgetItem *item);
    void saveReport();
    void setRunning(bool running);
    // Either engine is running a suite or storyboards.
    bool runInProgress() const;
    QString runningHint() const;
    void refreshComparisons();
    // `otherAgent`: the name of the agent whose run it is when not this one (the column then says so).
    void compareWith(qint64 historyId, const QString &otherAgent = {});
    QTreeWidgetItem *suiteItem(const QString &suite);
    // Says, under the agent, when the embedded seller's console settings will fail steps on purpose (manual
    // approval leaves the accounts the lab opens pending and holds its buys); hidden otherwise.
    void updateTargetWarning();

    QPointer<AgentManager> m_manager;
    std::unique_ptr<adcp::lab::LabRunner> m_runner;
    std::unique_ptr<adcp::lab::OfficialRunner> m_official;
    adcp::lab::RunnerLocation m_runnerLocation;
    QString m_listedScript; // the runner whose storyboards m_storyboards lists
    QProcess *m_listing = nullptr;
    adcp::lab::LabRun m_lastRun;
    std::vector<adcp::lab::StepResult> m_steps; // of the run in progress, by tree row data
    QComboBox *m_agent = nullptr;
    QLineEdit *m_brand = nullptr;
    QLineEdit *m_tokenB = nullptr;
    QComboBox *m_engine = nullptr;
    QStackedWidget *m_suitePages = nullptr;
    QListWidget *m_suites = nullptr;
    QListWidget *m_storyboards = nullptr;
    QLabel *m_runnerStatus = nullptr;
    QCheckBox *m_receiver = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_save = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_targetWarning = nullptr;
    QTreeWidget *m_tree = nullptr;
    QPlainTextEdit *m_exchanges = nullptr;
    QComboBox *m_compare = nullptr;
    QString m_historyPath;
    std::shared_ptr<adcp::seller::Dispatcher> m_embeddedSeller;
    nlohmann::json m_embeddedJwks;
    QString m_runnerLog;  // the AdCP runner's output during the last run (shown on its suites' rows)
    bool m_escapedDuringRun = false; // Escape was pressed during this run: its hint stays with the progress
    QString m_runSummary; // the last run's counts, shown again when a comparison is turned off
    std::unique_ptr<LoopbackSeller> m_servedSeller;
    QUrl m_servedUrl;
    QByteArray m_servedTokenA;
    QByteArray m_servedTokenB;
    std::unique_ptr<LoopbackSeller> m_runnerSeller;
    QByteArray m_runnerToken;
};

// A "Test lab…" button on the agent bar that opens the dialog; the seller `embeddedSeller` gives when the
// dialog opens (if any) is offered as a target beside the remote agents, with the webhook keys `embeddedJwks`
// gives.
void installTestLabButton(QToolBar *agentBar, AgentManager *manager,
                          std::function<std::shared_ptr<adcp::seller::Dispatcher>()> embeddedSeller = {},
                          std::function<nlohmann::json()> embeddedJwks = {});

} // namespace adcp::gui
