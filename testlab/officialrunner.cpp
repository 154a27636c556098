#include "officialrunner.h"

#include "labhistory.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QThread>

#include <algorithm>
#include <utility>

namespace adcp::lab {

using nlohmann::json;

namespace {

// The runner's package inside an npm prefix, and its command-line script inside the package.
const QString kPackageInPrefix = QStringLiteral("node_modules/@adcp/sdk");
const QString kScriptInPackage = QStringLiteral("bin/adcp.js");
// What is kept of the runner's stderr for a failure's reason.
constexpr qsizetype kStderrTail = 4000;

QString text(const json &object, const char *key)
{
    if (!object.is_object())
        return {};
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
}

bool flag(const json &object, const char *key)
{
    if (!object.is_object())
        return false;
    const auto it = object.find(key);
    return it != object.end() && it->is_boolean() && it->get<bool>();
}

const json &arrayAt(const json &object, const char *key)
{
    static const json empty = json::array();
    if (!object.is_object())
        return empty;
    const auto it = object.find(key);
    return it != object.end() && it->is_array() ? *it : empty;
}

// The script a configured path names: the script itself, a package folder, or an npm prefix.
QString scriptAt(const QString &path)
{
    const QFileInfo info(path);
    if (info.isFile())
        return info.absoluteFilePath();
    if (!info.isDir())
        return {};
    for (const QString &candidate :
         QStringList{kScriptInPackage, kPackageInPrefix + u'/' + kScriptInPackage}) {
        const QFileInfo script(QDir(info.absoluteFilePath()).filePath(candidate));
        if (script.isFile())
            return script.absoluteFilePath();
    }
    return {};
}

QString packageVersion(const QString &script)
{
    QFile file(QFileInfo(script).dir().filePath(QStringLiteral("../package.json")));
    if (!file.open(QIODevice::ReadOnly) || file.size() > 1 << 20)
        return {};
    const json package = json::parse(file.readAll().toStdString(), nullptr, false);
    return text(package, "version");
}

// The "✗ …" lines of a step's details: what the runner found wrong, besides its error.
QString failedChecks(const QString &details)
{
    QStringList out;
    for (const QString &part : details.split(QStringLiteral("; "), Qt::SkipEmptyParts))
        if (part.startsWith(u'✗'))
            out << part;
    return out.join(QStringLiteral("; "));
}

StepResult stepOf(const QString &suite, const QString &phase, int n, const json &step)
{
    StepResult result;
    result.suite = suite;
    result.step = (phase.isEmpty() ? QStringLiteral("steps") : phase) + u'/' + QString::number(n + 1);
    result.title = text(step, "step");
    if (result.title.isEmpty())
        result.title = result.step;
    const QString error = text(step, "error");
    const QString details = text(step, "details");
    if (flag(step, "skipped")) {
        result.verdict = Verdict::NotApplicable;
        result.given = QStringLiteral("skipped");
        const QString why = text(step, "skip_reason");
        result.reason = QStringLiteral("skipped by the runner") +
                        (why.isEmpty() ? QString() : u" (" + why + u')') +
                        (error.isEmpty() ? QString() : u": " + error);
    } else if (flag(step, "passed")) {
        result.verdict = Verdict::Passed;
        result.reason = details.isEmpty() ? QStringLiteral("passed") : details;
    } else {
        result.verdict = Verdict::Failed;
        const QString checks = failedChecks(details);
        result.reason = error.isEmpty() ? (checks.isEmpty() ? QStringLiteral("failed") : checks)
                                        : (checks.isEmpty() ? error : error + QStringLiteral(" — ") + checks);
    }
    for (const auto &hint : arrayAt(step, "hints"))
        if (hint.is_string())
            result.reason += QStringLiteral(" Hint: ") + QString::fromStdString(hint.get<std::string>());
    const auto duration = step.find("duration_ms");
    if (duration != step.end() && duration->is_number())
        result.elapsedMs = duration->get<qint64>();
    const QString task = text(step, "task");
    if (!task.isEmpty()) {
        LabExchange exchange;
        exchange.principal = QStringLiteral("A");
        exchange.tool = task;
        exchange.elapsedMs = result.elapsedMs;
        exchange.request = nullptr; // the runner does not report what it sent
        const auto observed = step.find("observation_data");
        if (observed != step.end()) {
            exchange.response = *observed;
            if (exchange.response.is_object())
                exchange.response.erase("_message"); // the same answer again, as text
        }
        result.exchanges.push_back(std::move(exchange));
    }
    return result;
}

// What the runner skipped as a whole (a scenario, a track), kept as its own word.
StepResult skippedStep(const QString &suite, const QString &step, const QString &title, const QString &what,
                       const QString &why)
{
    StepResult result;
    result.suite = QStringLiteral("official/") + suite;
    result.step = step;
    result.title = title;
    result.verdict = Verdict::NotApplicable;
    result.given = QStringLiteral("skipped");
    result.reason = what + (why.isEmpty() ? QString() : u": " + why);
    return result;
}

StepResult runnerFailure(const QString &item, const QString &reason)
{
    StepResult result;
    result.suite = QStringLiteral("official/") + item;
    result.step = QStringLiteral("runner");
    result.title = QStringLiteral("The runner produced a result for %1").arg(item);
    result.verdict = Verdict::Failed;
    result.reason = reason;
    return result;
}

} // namespace

json parseRunnerOutput(const QByteArray &out)
{
    const qsizetype start = out.indexOf('{');
    if (start < 0)
        return json();
    return json::parse(out.constData() + start, out.constData() + out.size(), nullptr, false);
}

QString RunnerLocation::describe() const
{
    return QStringLiteral("@adcp/sdk %1 (%2)")
        .arg(version.isEmpty() ? QStringLiteral("of unknown version") : version,
             QDir::toNativeSeparators(script));
}

QString defaultRunnerInstallDir()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("adcp-runner"));
}

QStringList defaultRunnerPackages()
{
    // 6.11.0 is the release scripts/conformance.sh and docs/conformance.md are measured with.
    return {QStringLiteral("@adcp/sdk@6.11.0"), QStringLiteral("@modelcontextprotocol/sdk@^1"),
            QStringLiteral("@a2a-js/sdk@^0.3.14"), QStringLiteral("zod@^4")};
}

RunnerLocation locateRunner(const QString &configured, const QString &nodePath, QString *why)
{
    RunnerLocation location;
    const QString where = configured.isEmpty() ? defaultRunnerInstallDir() : configured;
    location.script = scriptAt(where);
    if (location.script.isEmpty()) {
        if (why)
            *why = configured.isEmpty()
                       ? QStringLiteral("the AdCP runner is not installed (looked in %1)").arg(where)
                       : QStringLiteral(
                             "no AdCP runner at %1 (expected its bin/adcp.js, its package folder or an "
                             "npm folder holding node_modules/@adcp/sdk)")
                             .arg(where);
        return {};
    }
    location.version = packageVersion(location.script);
    if (!nodePath.isEmpty()) {
        const QFileInfo node(nodePath);
        location.node = node.isFile() && node.isExecutable() ? node.absoluteFilePath() : QString();
        if (location.node.isEmpty() && why)
            *why = QStringLiteral("%1 is not an executable node").arg(nodePath);
    } else {
        location.node = QStandardPaths::findExecutable(QStringLiteral("node"));
        if (location.node.isEmpty() && why)
            *why = QStringLiteral("node is not on PATH (install Debian's nodejs, or name node in Settings)");
    }
    if (location.node.isEmpty())
        return {};
    return location;
}

std::vector<RunnerEntry> parseStoryboardList(const json &list, QString *error)
{
    std::vector<RunnerEntry> out;
    const auto bundles = list.is_object() ? list.find("bundles") : list.end();
    if (!list.is_object() || bundles == list.end() || !bundles->is_object()) {
        if (error)
            *error = QStringLiteral("the runner's storyboard list has no \"bundles\" object");
        return out;
    }
    // The runner's own order (its groups come sorted by name here): universal, protocol, specialism, others.
    std::vector<std::string> groups{"universal", "protocol", "specialism"};
    for (const auto &[group, entries] : bundles->items())
        if (std::find(groups.begin(), groups.end(), group) == groups.end())
            groups.push_back(group);
    for (const std::string &group : groups) {
        const auto found = bundles->find(group);
        if (found == bundles->end() || !found->is_array())
            continue;
        const json &entries = *found;
        for (const auto &bundle : entries) {
            RunnerEntry entry;
            entry.id = text(bundle, "bundle_id");
            if (entry.id.isEmpty())
                continue;
            entry.bundle = true;
            entry.group = QString::fromStdString(group);
            std::vector<RunnerEntry> storyboards;
            for (const auto &storyboard : arrayAt(bundle, "storyboards")) {
                RunnerEntry child;
                child.id = text(storyboard, "id");
                if (child.id.isEmpty())
                    continue;
                child.title = text(storyboard, "title");
                child.group = entry.group;
                const auto steps = storyboard.find("step_count");
                if (steps != storyboard.end() && steps->is_number_integer())
                    child.steps = steps->get<int>();
                entry.steps += child.steps;
                storyboards.push_back(std::move(child));
            }
            entry.title = storyboards.size() == 1 ? storyboards.front().title
                                                  : QStringLiteral("%1 storyboards").arg(storyboards.size());
            out.push_back(std::move(entry));
            // A bundle of one storyboard of the same name adds nothing to list apart.
            if (storyboards.size() > 1)
                for (RunnerEntry &child : storyboards)
                    out.push_back(std::move(child));
        }
    }
    return out;
}

QString runnerRefusal(const json &result)
{
    for (const auto &observation : arrayAt(result, "observations"))
        if (text(observation, "category") == QLatin1String("auth") &&
            text(observation, "severity") == QLatin1String("error"))
            return text(observation, "message");
    return {};
}

bool stepsFromRunnerResult(const json &result, std::vector<StepResult> *steps, QString *error)
{
    if (!result.is_object() || !result.contains("tracks") || !result["tracks"].is_array()) {
        if (error)
            *error = QStringLiteral("the runner's output is not a storyboard result (no \"tracks\" array)");
        return false;
    }
    for (const auto &track : result["tracks"]) {
        for (const auto &scenario : arrayAt(track, "scenarios")) {
            const QStringList parts = text(scenario, "scenario").split(u'/', Qt::SkipEmptyParts);
            if (parts.isEmpty())
                continue;
            const int suiteParts =
                parts.first() == QLatin1String("media_buy_seller") && parts.size() > 2 ? 2 : 1;
            const QString suite = QStringLiteral("official/") + parts.mid(0, suiteParts).join(u'/');
            const QString phase = parts.mid(suiteParts).join(u'/');
            int n = 0;
            for (const auto &step : arrayAt(scenario, "steps"))
                if (step.is_object())
                    steps->push_back(stepOf(suite, phase, n++, step));
        }
        for (const auto &skipped : arrayAt(track, "skipped_scenarios")) {
            QString name = skipped.is_string() ? QString::fromStdString(skipped.get<std::string>())
                                               : text(skipped, "scenario");
            if (name.isEmpty())
                name = text(skipped, "id");
            if (!name.isEmpty())
                steps->push_back(skippedStep(
                    name.section(u'/', 0, 0),
                    name.section(u'/', 1).isEmpty() ? QStringLiteral("scenario") : name.section(u'/', 1),
                    name, QStringLiteral("skipped by the runner"), text(skipped, "reason")));
        }
    }
    for (const auto &track : arrayAt(result, "skipped_tracks")) {
        const QString name = text(track, "track");
        if (!name.isEmpty())
            steps->push_back(skippedStep(
                QStringLiteral("tracks"), name, text(track, "label").isEmpty() ? name : text(track, "label"),
                QStringLiteral("track skipped by the runner"), text(track, "reason")));
    }
    return true;
}

// ---- OfficialRunner ----

OfficialRunner::OfficialRunner(QObject *parent) : QObject(parent) {}

OfficialRunner::~OfficialRunner()
{
    m_worker.cancel();
    m_worker.join(); // before the signals' object goes
}

QStringList OfficialRunner::suiteNames(const QStringList &selection)
{
    QStringList out;
    for (const QString &id : selection.isEmpty() ? QStringList{kFullSelection} : selection)
        out << QStringLiteral("official:") + id;
    return out;
}

bool OfficialRunner::isRunning() const
{
    return m_worker.busy();
}

bool OfficialRunner::start(const OfficialRunConfig &config, QString *error)
{
    const auto refuse = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (isRunning())
        return refuse(QStringLiteral("a run is already going"));
    if (!config.runner.isValid())
        return refuse(QStringLiteral("the AdCP runner is not set up (install it, or name it in Settings)"));
    for (const QString &id : config.selection)
        if (id.isEmpty() || id.startsWith(u'-') ||
            id.contains(QRegularExpression(QStringLiteral("[^A-Za-z0-9_./-]"))))
            return refuse(QStringLiteral("not a storyboard or bundle id: '%1'").arg(id));
    m_worker.start([this, config] { runOnWorker(config); });
    return true;
}

void OfficialRunner::cancel()
{
    m_worker.cancel();
}

void OfficialRunner::runOnWorker(OfficialRunConfig config)
{
    LabRun run;
    run.config = config.lab;
    run.config.suites = suiteNames(config.selection);
    run.startedAt = QDateTime::currentDateTimeUtc();
    run.agentName = config.lab.agentName.isEmpty() ? config.lab.url.host() : config.lab.agentName;
    run.engine = QStringLiteral("@adcp/sdk %1 storyboard runner")
                     .arg(config.runner.version.isEmpty() ? QStringLiteral("(unknown version)")
                                                          : config.runner.version);
    const QStringList items = config.selection.isEmpty() ? QStringList{kFullSelection} : config.selection;
    int produced = 0;
    QString lastFailure;
    QString refused; // the runner's own finding that the agent refused its credentials
    for (int index = 0; index < items.size() && !m_worker.canceled(); ++index) {
        const QString item = items[index];
        QMetaObject::invokeMethod(
            this, [this, item, index, n = int(items.size())] { Q_EMIT itemStarted(item, index, n); });
        QStringList args{config.runner.script, QStringLiteral("storyboard"), QStringLiteral("run"),
                         config.lab.url.toString()};
        if (item != kFullSelection)
            args << item;
        args << QStringLiteral("--json") << QStringLiteral("--timeout")
             << QString::number(config.timeoutSeconds) << QStringLiteral("--protocol")
             << (config.lab.protocol == LabProtocol::A2a ? QStringLiteral("a2a") : QStringLiteral("mcp"));
        if (config.lab.url.scheme() == QLatin1String("http"))
            args << QStringLiteral("--allow-http");
        if (config.webhookReceiver)
            args << QStringLiteral("--webhook-receiver");
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        // The token goes by environment, never on a command line other local users can read.
        env.remove(QStringLiteral("ADCP_AUTH_TOKEN"));
        if (!config.lab.token.isEmpty())
            env.insert(QStringLiteral("ADCP_AUTH_TOKEN"), QString::fromUtf8(config.lab.token));
        env.insert(QStringLiteral("NO_COLOR"), QStringLiteral("1"));
        process.setProcessEnvironment(env);
        process.setProgram(config.runner.node);
        process.setArguments(args);
        process.start();
        QByteArray out;
        QByteArray err;
        QByteArray partial;
        const auto readErr = [&] {
            const QByteArray chunk = process.readAllStandardError();
            err += chunk;
            if (err.size() > 4 * kStderrTail)
                err = err.right(kStderrTail);
            partial += chunk;
            qsizetype newline;
            while ((newline = partial.indexOf('\n')) >= 0) {
                const QString line = QString::fromUtf8(partial.left(newline)).trimmed();
                partial.remove(0, newline + 1);
                if (!line.isEmpty())
                    QMetaObject::invokeMethod(this, [this, line] { Q_EMIT outputLine(line); });
            }
        };
        bool started = process.waitForStarted(30000);
        while (started) {
            const bool done = process.waitForFinished(100);
            out += process.readAllStandardOutput();
            readErr();
            if (done || process.state() == QProcess::NotRunning)
                break;
            if (m_worker.canceled()) {
                process.kill();
                process.waitForFinished(5000);
                break;
            }
        }
        out += process.readAllStandardOutput();
        readErr();
        if (m_worker.canceled())
            break;
        std::vector<StepResult> steps;
        QString error;
        if (!started) {
            error = QStringLiteral("%1 could not start: %2").arg(config.runner.node, process.errorString());
        } else {
            const json result = parseRunnerOutput(out);
            if (!stepsFromRunnerResult(result, &steps, &error))
                error = QStringLiteral("the runner ended with exit code %1 and no result: %2")
                            .arg(process.exitCode())
                            .arg(QString::fromUtf8(err.right(kStderrTail)).trimmed());
            else if (const QString refusal = runnerRefusal(result); !refusal.isEmpty())
                refused = refusal;
            else if (steps.empty() && text(result, "overall_status") == QLatin1String("unreachable"))
                error = QStringLiteral("the runner could not reach the agent: ") +
                        text(result.value("summary", json::object()), "headline");
            if (const QString status = text(result, "overall_status"); !status.isEmpty()) {
                const QString headline = text(result.value("summary", json::object()), "headline");
                run.engineStatus << QStringLiteral("%1: %2%3")
                                        .arg(item, status,
                                             headline.isEmpty() ? QString() : u" — " + headline);
            }
            // The releases the agent declares, as the runner read them from its capabilities.
            static const json::json_pointer versions(
                "/agent_profile/raw_capabilities/adcp/supported_versions");
            if (run.declaredVersions.isEmpty() && result.contains(versions) &&
                result.at(versions).is_array()) {
                for (const auto &v : result.at(versions))
                    if (v.is_string())
                        run.declaredVersions << QString::fromStdString(v.get<std::string>());
            }
        }
        if (!error.isEmpty()) {
            lastFailure = error;
            steps.push_back(runnerFailure(item, error));
        } else {
            ++produced;
        }
        for (StepResult &step : steps) {
            QMetaObject::invokeMethod(this, [this, step] { Q_EMIT stepFinished(step); });
            run.steps.push_back(std::move(step));
        }
        QMetaObject::invokeMethod(
            this, [this, item, index, n = int(items.size())] { Q_EMIT itemFinished(item, index, n); });
    }
    run.canceled = m_worker.canceled();
    if (!run.canceled && produced == 0)
        run.fatal = lastFailure; // not one result: the run could not run (no node, no answer, unknown id)
    if (!run.canceled && !refused.isEmpty())
        run.fatal = QStringLiteral("the agent refused the runner's credentials: ") + refused;
    run.finishedAt = QDateTime::currentDateTimeUtc();
    if (!config.lab.historyPath.isEmpty() && !run.steps.empty()) {
        LabHistory history(config.lab.historyPath);
        if (history.open(&run.historyError))
            run.historyId = history.save(run, &run.historyError);
    }
    QMetaObject::invokeMethod(this, [this, run] {
        m_worker.setIdle(); // on the caller's thread, before anyone hears of the end
        Q_EMIT finished(run);
    });
}

// ---- RunnerInstaller ----

RunnerInstaller::RunnerInstaller(QObject *parent) : QObject(parent) {}

RunnerInstaller::~RunnerInstaller()
{
    if (m_process) {
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(5000);
    }
}

bool RunnerInstaller::isRunning() const
{
    return m_process != nullptr;
}

void RunnerInstaller::cancel()
{
    if (!m_process)
        return;
    m_canceled = true;
    m_process->kill();
}

bool RunnerInstaller::start(const QString &folder, const QStringList &packages, const QString &npm,
                            QString *error)
{
    const auto refuse = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (m_process)
        return refuse(QStringLiteral("an install is already going"));
    const QString program = npm.isEmpty() ? QStandardPaths::findExecutable(QStringLiteral("npm")) : npm;
    if (program.isEmpty())
        return refuse(QStringLiteral("npm is not on PATH (install Debian's npm)"));
    if (packages.isEmpty())
        return refuse(QStringLiteral("no package to install"));
    for (const QString &package : packages)
        if (package.trimmed().isEmpty() || package.startsWith(u'-'))
            return refuse(QStringLiteral("not a package: '%1'").arg(package));
    if (!QDir().mkpath(folder))
        return refuse(QStringLiteral("cannot create %1").arg(folder));
    m_folder = folder;
    m_canceled = false;
    m_partial[0].clear();
    m_partial[1].clear();
    m_process = new QProcess(this);
    m_process->setProgram(program);
    m_process->setArguments(QStringList{QStringLiteral("install"), QStringLiteral("--prefix"), folder,
                                        QStringLiteral("--no-audit"), QStringLiteral("--no-fund"),
                                        QStringLiteral("--no-update-notifier"),
                                        QStringLiteral("--loglevel=http")} +
                            packages);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("NO_COLOR"), QStringLiteral("1"));
    m_process->setProcessEnvironment(env);
    connect(m_process, &QProcess::readyReadStandardOutput, this,
            [this] { readLines(QProcess::StandardOutput); });
    connect(m_process, &QProcess::readyReadStandardError, this,
            [this] { readLines(QProcess::StandardError); });
    const auto done = [this](const QString &failure) {
        QProcess *process = std::exchange(m_process, nullptr);
        process->deleteLater();
        if (!failure.isEmpty()) {
            Q_EMIT finished(false, failure, {});
            return;
        }
        QString why;
        const RunnerLocation location = locateRunner(m_folder, {}, &why);
        if (!location.isValid())
            Q_EMIT finished(false, QStringLiteral("npm finished, but %1").arg(why), location);
        else
            Q_EMIT finished(true, QStringLiteral("Installed %1").arg(location.describe()), location);
    };
    connect(m_process, &QProcess::finished, this, [this, done](int code, QProcess::ExitStatus status) {
        readLines(QProcess::StandardOutput);
        readLines(QProcess::StandardError);
        for (QByteArray &partial : m_partial) // a last line without its newline
            if (const QString line = QString::fromUtf8(std::exchange(partial, {})).trimmed(); !line.isEmpty())
                Q_EMIT outputLine(line);
        if (m_canceled)
            done(QStringLiteral("the install was canceled"));
        else if (status != QProcess::NormalExit || code != 0)
            done(QStringLiteral("npm ended with exit code %1 (its output above says why)").arg(code));
        else
            done({});
    });
    connect(m_process, &QProcess::errorOccurred, this, [this, done](QProcess::ProcessError failure) {
        if (failure == QProcess::FailedToStart)
            done(QStringLiteral("npm could not start: %1").arg(m_process->errorString()));
    });
    m_process->start();
    return true;
}

void RunnerInstaller::readLines(QProcess::ProcessChannel channel)
{
    if (!m_process)
        return;
    m_process->setReadChannel(channel);
    QByteArray &partial = m_partial[channel == QProcess::StandardOutput ? 0 : 1];
    partial += m_process->readAll();
    qsizetype newline;
    while ((newline = partial.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(partial.left(newline)).trimmed();
        partial.remove(0, newline + 1);
        if (!line.isEmpty())
            Q_EMIT outputLine(line);
    }
}

} // namespace adcp::lab
