#include "labrunner.h"

#include "labcontext.h"
#include "labhistory.h"
#include "labsuite.h"
#include "suitehelpers.h"

#include <QElapsedTimer>
#include <QThread>

namespace adcp::lab {

namespace {

// A step that passed is failed after all when an answer it read does not match its schema (for an agent that
// speaks the bundled release): every answer of every suite is checked this way.
void applySchemaRule(const LabContext &ctx, StepResult &result)
{
    if (result.verdict != Verdict::Passed || !ctx.validatesAnswers())
        return;
    for (const LabExchange &exchange : result.exchanges) {
        if (exchange.responseIssues.isEmpty())
            continue;
        result.verdict = Verdict::Failed;
        result.reason = QStringLiteral("the answer to %1 does not match its schema: %2")
                            .arg(exchange.tool, exchange.responseIssues.first());
        return;
    }
}

// The agent's own name when its capabilities carry one (agent.name), else empty.
std::string agentName(const nlohmann::json &capabilities)
{
    if (!capabilities.is_object())
        return {};
    const auto agent = capabilities.find("agent");
    if (agent == capabilities.end() || !agent->is_object())
        return {};
    const auto name = agent->find("name");
    return name != agent->end() && name->is_string() ? name->get<std::string>() : std::string();
}

StepResult runStep(LabContext &ctx, const LabSuite &suite, const LabStep &step)
{
    StepResult result;
    result.suite = suite.name;
    result.step = step.name;
    result.title = step.title;
    QElapsedTimer clock;
    clock.start();
    StepOutcome outcome;
    try {
        outcome = step.run(ctx);
    } catch (const std::exception &e) {
        // A step reads answers defensively; this only keeps an unforeseen shape from ending the run.
        outcome = StepOutcome::fail(QStringLiteral("the step could not read an answer: ") + QString::fromUtf8(e.what()));
    }
    result.verdict = outcome.verdict;
    result.reason = outcome.reason;
    result.elapsedMs = clock.elapsed();
    result.exchanges = ctx.takeExchanges();
    applySchemaRule(ctx, result);
    return result;
}

} // namespace

LabRunner::LabRunner(QObject *parent)
    : QObject(parent)
{
}

LabRunner::~LabRunner()
{
    m_worker.cancel();
    m_worker.join(); // before the signals' object goes
}

int LabRunner::stepCount(const QStringList &suites)
{
    QStringList unknown;
    int total = 0;
    for (const LabSuite *suite : selectSuites(suites, &unknown))
        total += int(suite->steps.size());
    return total;
}

bool LabRunner::isRunning() const
{
    return m_worker.busy();
}

bool LabRunner::start(const LabConfig &config, QString *error)
{
    if (isRunning()) {
        if (error)
            *error = QStringLiteral("a run is already going");
        return false;
    }
    QStringList unknown;
    selectSuites(config.suites, &unknown);
    if (!unknown.isEmpty()) {
        if (error)
            *error = QStringLiteral("unknown suite: %1").arg(unknown.join(u", "));
        return false;
    }
    m_worker.start([this, config] { runOnWorker(config); });
    return true;
}

void LabRunner::cancel()
{
    m_worker.cancel();
}

void LabRunner::runOnWorker(LabConfig config)
{
    LabRun run;
    run.config = config;
    run.startedAt = QDateTime::currentDateTimeUtc();
    run.agentName = config.agentName.isEmpty() ? config.url.host() : config.agentName;
    QStringList unknown;
    const auto suites = selectSuites(config.suites, &unknown);
    const int total = stepCount(config.suites);
    {
        LabContext ctx(config, m_worker.cancelFlag());
        ctx.setAccount(suites::naturalAccount(ctx));
        int index = 0;
        for (const LabSuite *suite : suites) {
            for (const LabStep &step : suite->steps) {
                if (m_worker.canceled() || !run.fatal.isEmpty())
                    break;
                QMetaObject::invokeMethod(this, [this, s = suite->name, n = step.name, t = step.title, index, total] {
                    Q_EMIT stepStarted(s, n, t, index, total);
                });
                StepResult result = runStep(ctx, *suite, step);
                // Without the agent's capabilities nothing else can be decided: the run could not run.
                if (index == 0 && result.verdict == Verdict::Failed)
                    run.fatal = result.reason;
                QMetaObject::invokeMethod(this, [this, result, index, total] { Q_EMIT stepFinished(result, index, total); });
                run.steps.push_back(std::move(result));
                ++index;
            }
        }
        run.declaredVersions = ctx.declaredVersions();
        const std::string name = agentName(ctx.capabilities());
        if (!name.empty() && config.agentName.isEmpty())
            run.agentName = QString::fromStdString(name);
    }
    run.canceled = m_worker.canceled();
    run.finishedAt = QDateTime::currentDateTimeUtc();
    // Kept here, on the worker, so that the caller's thread never waits on the database.
    if (!config.historyPath.isEmpty()) {
        LabHistory history(config.historyPath);
        if (history.open(&run.historyError))
            run.historyId = history.save(run, &run.historyError);
    }
    QMetaObject::invokeMethod(this, [this, run] {
        m_worker.setIdle(); // on the caller's thread, before anyone hears of the end
        Q_EMIT finished(run);
    });
}

} // namespace adcp::lab
