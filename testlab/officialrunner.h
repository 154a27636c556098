#pragma once

#include "labtypes.h"
#include "labworker.h"

#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <atomic>
#include <memory>
#include <vector>

namespace adcp::lab {

// The AdCP SDK's storyboard runner (`@adcp/sdk`, a node program) as the lab's second engine. The lab starts
// it as a child process, one process per selected bundle or storyboard, reads the result it prints with
// --json and shows each of its steps in the same tree as the lab's own suites. Its verdicts are kept as it
// gave them: passed, failed, or skipped (kept as "not applicable" with the runner's own word in
// StepResult::given).

// The item that runs the runner without an id: its own selection from the agent's capabilities.
inline const QString kFullSelection = QStringLiteral("full");

// The runner's stdout holds one JSON document (its --json output); anything printed before it is skipped.
// Null when there is none.
nlohmann::json parseRunnerOutput(const QByteArray &out);

// Where the runner is: node and the CLI script (…/node_modules/@adcp/sdk/bin/adcp.js).
struct RunnerLocation
{
    QString node;
    QString script;
    QString version; // from the package's package.json; empty when unreadable

    bool isValid() const { return !node.isEmpty() && !script.isEmpty(); }
    QString describe() const; // "@adcp/sdk 6.11.0 (…/adcp.js)"
};

// The folder the window's "Install" puts the runner in: adcp-runner under the application-data folder.
QString defaultRunnerInstallDir();
// The packages "Install" asks npm for: the runner at the release this project is checked against, with the
// peers its command line loads.
QStringList defaultRunnerPackages();
// Finds the runner. `configured` may name the CLI script, the package folder (…/@adcp/sdk) or a folder
// holding node_modules/@adcp/sdk; empty = the install folder only. `nodePath` may name node; empty = node on
// PATH. Returns an invalid location with *why set when something is missing.
RunnerLocation locateRunner(const QString &configured, const QString &nodePath, QString *why);

// One entry of `adcp storyboard list --json`: a bundle (runs every storyboard it names, and what they need)
// or one storyboard.
struct RunnerEntry
{
    QString id;
    QString title;
    bool bundle = false;
    QString group; // universal, protocol, specialism
    int steps = 0;
};
// Bundles first, each followed by its storyboards; an entry that is not of the known shape is left out.
std::vector<RunnerEntry> parseStoryboardList(const nlohmann::json &list, QString *error);

// The steps of one runner result (`storyboard run … --json`), in its order. Each scenario "a/b/phase" becomes
// suite "official/a/b" (media_buy_seller's scenarios are storyboards of their own, as the runner reports
// them) or "official/a", step "<phase>/<n>". What the runner said about the step is the reason; what the
// agent answered (when the runner kept it) is the step's exchange. False with *error set when `result` is not
// one.
bool stepsFromRunnerResult(const nlohmann::json &result, std::vector<StepResult> *steps, QString *error);

// The runner's own finding, in a result, that the agent refused its credentials (an "auth" observation of
// severity "error"); empty when it made none. The run then could not run, whatever its steps say.
QString runnerRefusal(const nlohmann::json &result);

struct OfficialRunConfig
{
    LabConfig lab; // the agent, its token, the history (suites are ignored)
    RunnerLocation runner;
    // Bundle or storyboard ids, one runner process each, in this order. "full" (and an empty list) is the
    // runner's full selection, which it picks from the agent's capabilities.
    QStringList selection;
    bool webhookReceiver = false; // the runner hosts its loopback webhook receiver (--webhook-receiver)
    int timeoutSeconds = 600;     // the runner's own per-run timeout
};

// Runs the official runner on a worker thread: the caller's thread never waits on the child process. One run
// at a time; cancel() ends the running child and runs nothing more.
class OfficialRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OfficialRunner)
public:
    explicit OfficialRunner(QObject *parent = nullptr);
    ~OfficialRunner() override;

    bool start(const OfficialRunConfig &config, QString *error = nullptr);
    void cancel();
    bool isRunning() const;
    // The suites names a run of `selection` is kept under in the history ("official:<id>", or
    // "official:full").
    static QStringList suiteNames(const QStringList &selection);

Q_SIGNALS:
    void itemStarted(const QString &item, int index, int count);
    void outputLine(const QString &line); // the runner's stderr, as it prints it
    void stepFinished(const adcp::lab::StepResult &result);
    void itemFinished(const QString &item, int index, int count);
    void finished(const adcp::lab::LabRun &run);

private:
    void runOnWorker(OfficialRunConfig config);

    LabWorker m_worker;
};

// Installs the runner with npm into a folder (default: defaultRunnerInstallDir()), as a child process on the
// caller's thread's event loop, streaming npm's output. cancel() ends npm.
class RunnerInstaller final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunnerInstaller)
public:
    explicit RunnerInstaller(QObject *parent = nullptr);
    ~RunnerInstaller() override;

    // False with *error set when npm is not found or an install is going. `npm` empty = npm on PATH.
    bool start(const QString &folder, const QStringList &packages, const QString &npm = {},
               QString *error = nullptr);
    void cancel();
    bool isRunning() const;

Q_SIGNALS:
    void outputLine(const QString &line);
    // ok: npm succeeded and the runner is found in the folder (`location`); else `message` says why.
    void finished(bool ok, const QString &message, const adcp::lab::RunnerLocation &location);

private:
    void readLines(QProcess::ProcessChannel channel);

    QProcess *m_process = nullptr;
    QString m_folder;
    QByteArray m_partial[2];
    bool m_canceled = false;
};

} // namespace adcp::lab

Q_DECLARE_METATYPE(adcp::lab::RunnerLocation)
