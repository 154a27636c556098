#include "labhistory.h"
#include "labreport.h"
#include "labrunner.h"
#include "labsuite.h"
#include "officialrunner.h"
#include "runnerpackage.h"
#include "scriptedpeer.h"
#include "yesmanagent.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>
#include <algorithm>

using nlohmann::json;
using namespace adcp::lab;

namespace {

const QString kBinary = QStringLiteral(ADCP_BINARY_DIR "/app/adcp-workbench");

// What a JUnit file says, read with an XML parser.
struct Junit
{
    int testcases = 0;
    int failures = 0;
    int skipped = 0;
    QStringList failed; // "suite/step: message"
    bool wellFormed = false;
};

Junit readJunit(const QString &path)
{
    Junit out;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return out;
    QXmlStreamReader xml(&file);
    QString current;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == QLatin1String("testcase")) {
            ++out.testcases;
            current = xml.attributes().value(QLatin1String("classname")).toString() + u'/' +
                      xml.attributes().value(QLatin1String("name")).toString();
        } else if (xml.name() == QLatin1String("failure")) {
            ++out.failures;
            out.failed << current + QStringLiteral(": ") + xml.attributes().value(QLatin1String("message")).toString();
        } else if (xml.name() == QLatin1String("skipped")) {
            ++out.skipped;
        }
    }
    out.wellFormed = !xml.hasError();
    return out;
}

// The AdCP SDK's runner the harness installs (../shared/harness/install.sh), or empty when it is not
// installed.
QString harnessRunner()
{
    const QByteArray env = qgetenv("ADCP_HARNESS_DIR");
    const QString dir = env.isEmpty() ? QDir::homePath() + QStringLiteral("/.cache/adcp-harness")
                                      : QString::fromLocal8Bit(env);
    const QString sdk = dir + QStringLiteral("/sdk");
    return QFile::exists(sdk + QStringLiteral("/node_modules/@adcp/sdk/bin/adcp.js")) ? sdk : QString();
}

} // namespace

class tst_TestLab final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void headlessAgainstServe_data();
    void headlessAgainstServe();
    void couldNotRun_data();
    void couldNotRun();
    void checksFailAgainstAnAgentThatAcceptsEverything();
    void brokenSellerFailsTheNamedStep_data();
    void brokenSellerFailsTheNamedStep();
    void cancelStopsTheRun();
    void runnerResultKeepsTheRunnersVerdicts();
    void runnerListAndHostileShapes();
    void officialRunnerAgainstServe();
    void officialRunnerHeadless();
    void officialRunnerCancel();
    void runnerInstallerFromATarball();

private:
    QUrl startServe(const QString &db, const QStringList &extra = {});

    QTemporaryDir m_dir;
    QProcess m_serve;
};

void tst_TestLab::initTestCase()
{
    QVERIFY2(QFile::exists(kBinary), qPrintable(kBinary));
    QVERIFY(m_dir.isValid());
}

void tst_TestLab::cleanup()
{
    if (m_serve.state() != QProcess::NotRunning) {
        m_serve.terminate();
        QVERIFY(m_serve.waitForFinished(20000));
    }
}

QUrl tst_TestLab::startServe(const QString &db, const QStringList &extra)
{
    m_serve.setProcessChannelMode(QProcess::SeparateChannels);
    m_serve.start(kBinary,
                  QStringList{QStringLiteral("--serve"), QStringLiteral("--port"), QStringLiteral("0"),
                              QStringLiteral("--db"), m_dir.filePath(db), QStringLiteral("--quiet"),
                              QStringLiteral("--token"), QStringLiteral("lab-token-a=lab-buyer-a:sandbox"),
                              QStringLiteral("--token"), QStringLiteral("lab-token-b=lab-buyer-b"),
                              QStringLiteral("--allow-private-webhooks")} +
                      extra);
    if (!m_serve.waitForStarted(10000))
        return {};
    static const QRegularExpression served(QStringLiteral("serving (http://[0-9.]+:[0-9]+/mcp)"));
    QByteArray out;
    while (m_serve.waitForReadyRead(20000)) {
        out += m_serve.readAllStandardOutput();
        const auto match = served.match(QString::fromUtf8(out));
        if (match.hasMatch())
            return QUrl(match.captured(1));
    }
    return {};
}

void tst_TestLab::headlessAgainstServe_data()
{
    QTest::addColumn<QString>("protocol");
    QTest::addColumn<QStringList>("serveOptions");
    QTest::newRow("mcp") << QStringLiteral("mcp") << QStringList();
    QTest::newRow("a2a") << QStringLiteral("a2a") << QStringList();
    // A seller that requires accounts: the lab syncs one first and every account-scoped call carries it.
    QTest::newRow("mcp, accounts required") << QStringLiteral("mcp") << QStringList{QStringLiteral("--require-accounts")};
}

// Every suite against a fresh --serve with two principals: exit 0, nothing failed, one JUnit test case per step,
// and the three reports agree.
void tst_TestLab::headlessAgainstServe()
{
    QFETCH(QString, protocol);
    QFETCH(QStringList, serveOptions);
    QUrl url = startServe(QStringLiteral("serve-%1-%2.sqlite").arg(protocol).arg(serveOptions.size()), serveOptions);
    QVERIFY2(url.isValid(), m_serve.readAllStandardError().constData());
    if (protocol == QLatin1String("a2a"))
        url.setPath(QStringLiteral("/"));
    static const QRegularExpression punctuation(QStringLiteral("\\W+"));
    const QString name = QString::fromLatin1(QTest::currentDataTag()).replace(punctuation, QStringLiteral("-"));
    const QString junit = m_dir.filePath(name + QStringLiteral(".xml"));
    const QString report = m_dir.filePath(name + QStringLiteral(".json"));
    const QString html = m_dir.filePath(name + QStringLiteral(".html"));
    QProcess lab;
    lab.start(kBinary, {QStringLiteral("--test-agent"), url.toString(), QStringLiteral("--protocol"), protocol,
                        QStringLiteral("--token"), QStringLiteral("lab-token-a"), QStringLiteral("--token-b"),
                        QStringLiteral("lab-token-b"), QStringLiteral("--report-junit"), junit,
                        QStringLiteral("--report-json"), report, QStringLiteral("--report-html"), html});
    QVERIFY(lab.waitForFinished(300000));
    const QByteArray progress = lab.readAllStandardError();
    QVERIFY2(lab.exitCode() == 0, progress.constData());

    const Junit parsed = readJunit(junit);
    QVERIFY(parsed.wellFormed);
    QCOMPARE(parsed.testcases, LabRunner::stepCount({}));
    QVERIFY2(parsed.failures == 0, qPrintable(parsed.failed.join(u'\n')));
    // One progress line per step on stderr.
    QCOMPARE(int(progress.count("\n[")) + int(progress.startsWith('[')), LabRunner::stepCount({}));

    QFile jsonFile(report);
    QVERIFY(jsonFile.open(QIODevice::ReadOnly));
    const QByteArray bytes = jsonFile.readAll();
    const json run = json::parse(bytes.constBegin(), bytes.constEnd(), nullptr, false);
    QVERIFY(run.is_object());
    QCOMPARE(run["totals"]["failed"].get<int>(), 0);
    QCOMPARE(int(run["steps"].size()), LabRunner::stepCount({}));
    // The second token made isolation apply, and principal A is a sandbox one, so the controller suite ran:
    // their steps passed, not "not applicable".
    for (const auto &step : run["steps"])
        if (step["suite"] == "isolation" || step["suite"] == "controller" || step["suite"] == "webhooks")
            QVERIFY2(step["verdict"].get<std::string>() == "passed", step.dump().c_str());
    // The webhooks suite's steps show the deliveries behind their verdicts: the one refused on purpose (503)
    // and the retry accepted (200), each with what the agent sent.
    QSet<int> deliveries;
    for (const auto &step : run["steps"])
        if (step["suite"] == "webhooks")
            for (const auto &exchange : step["exchanges"])
                if (exchange["principal"] == "webhook" && exchange["request"].is_object())
                    deliveries.insert(exchange["http_status"].get<int>());
    QCOMPARE(deliveries, QSet<int>({200, 503}));
    // Tokens never reach a report.
    QVERIFY(!bytes.contains("lab-token-a"));

    QFile htmlFile(html);
    QVERIFY(htmlFile.open(QIODevice::ReadOnly));
    const QByteArray page = htmlFile.readAll();
    QVERIFY(page.startsWith("<!DOCTYPE html>"));
    QVERIFY(page.contains("race_one_winner"));
    QVERIFY(!page.contains("<script"));
}

void tst_TestLab::couldNotRun_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("says");
    QTest::newRow("not a URL") << QStringList{QStringLiteral("--test-agent"), QStringLiteral("seller")}
                               << QStringLiteral("--test-agent");
    QTest::newRow("unknown suite") << QStringList{QStringLiteral("--test-agent"), QStringLiteral("http://127.0.0.1:9/mcp"),
                                                  QStringLiteral("--suite"), QStringLiteral("nope")}
                                   << QStringLiteral("unknown suite: nope");
    QTest::newRow("bad protocol") << QStringList{QStringLiteral("--test-agent"), QStringLiteral("http://127.0.0.1:9/mcp"),
                                                 QStringLiteral("--protocol"), QStringLiteral("grpc")}
                                  << QStringLiteral("--protocol");
    QTest::newRow("nobody listening") << QStringList{QStringLiteral("--test-agent"),
                                                     QStringLiteral("http://127.0.0.1:9/mcp")}
                                      << QStringLiteral("could not proceed");
    QTest::newRow("refused token") << QStringList{QStringLiteral("--token"), QStringLiteral("not-a-token")}
                                   << QStringLiteral("could not proceed");
}

// Exit 2 when the run cannot run: a bad command line, an agent that is not there, a token it refuses.
void tst_TestLab::couldNotRun()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, says);
    if (!arguments.contains(QStringLiteral("--test-agent"))) {
        const QUrl url = startServe(QStringLiteral("refused.sqlite"));
        QVERIFY(url.isValid());
        arguments = QStringList{QStringLiteral("--test-agent"), url.toString()} + arguments;
    }
    QProcess lab;
    lab.start(kBinary, arguments);
    QVERIFY(lab.waitForFinished(120000));
    const QString err = QString::fromUtf8(lab.readAllStandardError());
    QCOMPARE(lab.exitCode(), 2);
    QVERIFY2(err.contains(says), qPrintable(err));
}

void tst_TestLab::brokenSellerFailsTheNamedStep_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("suite");
    QTest::addColumn<QString>("step");
    QTest::addColumn<QString>("reason"); // what the failure must say: the rule, in the lab's words
    QTest::newRow("accept-stale-version") << QStringLiteral("accept-stale-version") << QStringLiteral("versioned")
                                          << QStringLiteral("stale_version_refused")
                                          << QStringLiteral("a buy was created from stale version");
    QTest::newRow("drop-decline-echo") << QStringLiteral("drop-decline-echo") << QStringLiteral("versioned")
                                       << QStringLiteral("decline_echoes_version")
                                       << QStringLiteral("does not echo proposal_version");
    QTest::newRow("leak-foreign-buy") << QStringLiteral("leak-foreign-buy") << QStringLiteral("isolation")
                                      << QStringLiteral("foreign_buy_invisible")
                                      << QStringLiteral("B's get_media_buys lists A's buy");
    QTest::newRow("hide-impairments")
        << QStringLiteral("hide-impairments") << QStringLiteral("controller")
        << QStringLiteral("rejected_creative_impairs") << QStringLiteral("impairments[] does not name it");
}

// Our own seller with one AdCP rule broken on purpose (--broken-rule): the lab step that checks that rule fails
// with a reason naming it, and the run as a whole fails. (headlessAgainstServe shows the same steps pass on the
// unbroken seller.)
void tst_TestLab::brokenSellerFailsTheNamedStep()
{
    QFETCH(QString, rule);
    QFETCH(QString, suite);
    QFETCH(QString, step);
    QFETCH(QString, reason);
    const QUrl url = startServe(QStringLiteral("broken-%1.sqlite").arg(rule),
                                {QStringLiteral("--broken-rule"), rule});
    QVERIFY2(url.isValid(), m_serve.readAllStandardError().constData());
    LabConfig config;
    config.url = url;
    config.token = "lab-token-a";
    config.tokenB = "lab-token-b";
    config.suites = {suite};
    LabRunner runner;
    QSignalSpy finished(&runner, &LabRunner::finished);
    QVERIFY(runner.start(config));
    QVERIFY(finished.wait(300000));
    const LabRun run = finished.first().first().value<LabRun>();
    QVERIFY2(run.fatal.isEmpty(), qPrintable(run.fatal));
    QVERIFY(run.anyFailed());
    const auto named = std::find_if(run.steps.cbegin(), run.steps.cend(), [&](const StepResult &r) {
        return r.suite == suite && r.step == step;
    });
    QVERIFY(named != run.steps.cend());
    QCOMPARE(named->verdict, Verdict::Failed);
    QVERIFY2(named->reason.contains(reason), qPrintable(named->reason));
}

// The suites are not a rubber stamp: an agent that answers every call with an empty success fails the
// checks that read what came back, each with a reason naming the rule.
void tst_TestLab::checksFailAgainstAnAgentThatAcceptsEverything()
{
    ScriptedPeer peer(acceptEverything);
    const quint16 port = peer.start();
    QVERIFY(port != 0);
    LabConfig config;
    config.url = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port));
    config.token = "anything";
    LabRunner runner;
    QSignalSpy finished(&runner, &LabRunner::finished);
    QVERIFY(runner.start(config));
    QVERIFY(finished.wait(120000));
    const LabRun run = finished.first().first().value<LabRun>();
    QVERIFY(run.fatal.isEmpty());
    QVERIFY(run.anyFailed());
    QHash<QString, StepResult> byName;
    for (const StepResult &step : run.steps)
        byName.insert(step.suite + u'/' + step.step, step);
    QCOMPARE(byName.value(QStringLiteral("discovery/capabilities_answer")).verdict, Verdict::Passed);
    const struct
    {
        const char *step;
        const char *rule;
    } expected[] = {
        {"discovery/unknown_tool_refused", "does not exist succeeded"},
        {"errors/invalid_request_names_field", "succeeded"},
        {"errors/unknown_buy_not_found", "does not exist succeeded"},
        {"errors/bad_idempotency_key_refused", "five characters was accepted"},
        {"lifecycle/brief_answers", "neither products nor proposals"},
        {"idempotency/replay_returns_same_buy", "nothing to buy"},
        {"accounts/sync_account", "no per-account result"},
        {"controller/lists_scenarios", "list_scenarios answered"},
    };
    for (const auto &e : expected) {
        const StepResult step = byName.value(QString::fromLatin1(e.step));
        QVERIFY2(step.verdict == Verdict::Failed, e.step);
        QVERIFY2(step.reason.contains(QLatin1String(e.rule)), qPrintable(step.reason));
    }
    // No second token: isolation does not apply, and says why.
    QCOMPARE(byName.value(QStringLiteral("isolation/foreign_buy_invisible")).verdict, Verdict::NotApplicable);
    // The JUnit report lists every step of the run once.
    const QByteArray xml = runToJunitXml(run);
    QCOMPARE(int(xml.count("<testcase ")), int(run.steps.size()));
}

// Cancel while a call waits on an agent that never answers: the run ends, canceled, without waiting out the
// call timeout.
void tst_TestLab::cancelStopsTheRun()
{
    ScriptedPeer peer([](const ScriptedPeer::Seen &, int) { return ScriptedPeer::Answer{200, {}, {}, {}, true}; });
    const quint16 port = peer.start();
    QVERIFY(port != 0);
    LabConfig config;
    config.url = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port));
    config.callTimeoutMs = 3600 * 1000;
    LabRunner runner;
    QSignalSpy started(&runner, &LabRunner::stepStarted);
    QSignalSpy finished(&runner, &LabRunner::finished);
    QVERIFY(runner.start(config));
    QVERIFY(started.wait(30000));
    QTRY_VERIFY_WITH_TIMEOUT(!peer.seen.isEmpty(), 30000);
    runner.cancel();
    QVERIFY(finished.wait(30000));
    const LabRun run = finished.first().first().value<LabRun>();
    QVERIFY(run.canceled);
    QCOMPARE(int(run.steps.size()), 1);
}

// The runner's result as it gives it: passed, failed (its error and the checks it found wrong), skipped (kept
// as "skipped", not re-graded), its hints, a skipped track; media_buy_seller's scenarios are storyboards.
void tst_TestLab::runnerResultKeepsTheRunnersVerdicts()
{
    const json result = json::parse(R"({
      "tracks": [{"track": "media_buy", "scenarios": [
        {"scenario": "media_buy_seller/invalid_transitions/setup", "steps": [
          {"step": "Discover a product", "task": "get_products", "passed": true, "duration_ms": 7,
           "details": "✓ Response matches get-products-response.json schema",
           "observation_data": {"products": [], "_message": "{}"}},
          {"step": "Create a buy", "task": "create_media_buy", "passed": false, "duration_ms": 4,
           "error": "IDEMPOTENCY_CONFLICT: key reused", "hints": ["catalog drift"],
           "details": "✓ Response matches schema; ✗ Seller returns media_buy_id: Field not found"}]},
        {"scenario": "media_buy_seller/invalid_transitions/double_cancel", "steps": [
          {"step": "Cancel", "task": "update_media_buy", "passed": false, "skipped": true,
           "skip_reason": "prerequisite_failed", "error": "Skipped: prior stateful step failed."}]},
        {"scenario": "sales_non_guaranteed/create_buy", "steps": [{"step": "Create", "passed": true}]}],
        "skipped_scenarios": ["signals_baseline/discover", {"scenario": "si_baseline/start", "reason": "no SI"}, 7]}],
      "skipped_tracks": [{"track": "signals", "label": "Signals", "reason": "No storyboards produced results"}]
    })");
    std::vector<StepResult> steps;
    QString error;
    QVERIFY2(stepsFromRunnerResult(result, &steps, &error), qPrintable(error));
    QCOMPARE(int(steps.size()), 7);
    QCOMPARE(steps[0].suite, QStringLiteral("official/media_buy_seller/invalid_transitions"));
    QCOMPARE(steps[0].step, QStringLiteral("setup/1"));
    QCOMPARE(steps[0].verdict, Verdict::Passed);
    QCOMPARE(steps[0].elapsedMs, 7);
    QCOMPARE(int(steps[0].exchanges.size()), 1);
    QCOMPARE(steps[0].exchanges[0].tool, QStringLiteral("get_products"));
    QVERIFY(steps[0].exchanges[0].response.contains("products"));
    QVERIFY(!steps[0].exchanges[0].response.contains("_message"));
    QCOMPARE(steps[1].step, QStringLiteral("setup/2"));
    QCOMPARE(steps[1].verdict, Verdict::Failed);
    QVERIFY2(
        steps[1].reason.startsWith(QString::fromUtf8("IDEMPOTENCY_CONFLICT: key reused — ✗ Seller returns")),
        qPrintable(steps[1].reason));
    QVERIFY(steps[1].reason.contains(QLatin1String("Hint: catalog drift")));
    QVERIFY(!steps[1].reason.contains(QString::fromUtf8("✓")));
    QCOMPARE(steps[2].verdict, Verdict::NotApplicable);
    QCOMPARE(steps[2].given, QStringLiteral("skipped"));
    QVERIFY(steps[2].reason.contains(QLatin1String("prerequisite_failed")));
    QCOMPARE(steps[3].suite, QStringLiteral("official/sales_non_guaranteed"));
    QCOMPARE(steps[3].step, QStringLiteral("create_buy/1"));
    QVERIFY(steps[3].exchanges.empty()); // no task, no exchange
    QCOMPARE(steps[4].suite, QStringLiteral("official/signals_baseline"));
    QCOMPARE(steps[4].given, QStringLiteral("skipped"));
    QVERIFY(steps[5].reason.endsWith(QLatin1String("no SI")));
    QCOMPARE(steps[6].suite, QStringLiteral("official/tracks"));
    QCOMPARE(steps[6].title, QStringLiteral("Signals"));
    QCOMPARE(steps[6].verdict, Verdict::NotApplicable);

    // In the reports the runner's word stays beside the verdict; JUnit counts it skipped.
    LabRun run;
    run.engine = QStringLiteral("@adcp/sdk 6.11.0 storyboard runner");
    run.steps = steps;
    const json report = runToJson(run);
    QCOMPARE(report["engine"].get<std::string>(), std::string("@adcp/sdk 6.11.0 storyboard runner"));
    QCOMPARE(report["steps"][2]["given"].get<std::string>(), std::string("skipped"));
    QCOMPARE(report["steps"][2]["verdict"].get<std::string>(), std::string("not_applicable"));
    QVERIFY(runToHtml(run).contains("Verdicts as given by the @adcp/sdk 6.11.0 storyboard runner"));

    // The runner's own finding that it was refused.
    QCOMPARE(runnerRefusal(json::parse(R"({"observations": [{"category": "auth", "severity": "error",
        "message": "Agent requires OAuth"}]})")),
             QStringLiteral("Agent requires OAuth"));
    QVERIFY(runnerRefusal(json::parse(R"({"observations": [{"category": "auth", "severity": "info"}]})"))
                .isEmpty());
}

// Shapes that are not the runner's: refused with a reason, never a crash; the real list when installed.
void tst_TestLab::runnerListAndHostileShapes()
{
    std::vector<StepResult> steps;
    QString error;
    for (const char *hostile : {"null", "[]", "{\"tracks\": {}}", "\"tracks\"", "{}"}) {
        error.clear();
        QVERIFY2(!stepsFromRunnerResult(json::parse(hostile), &steps, &error), hostile);
        QVERIFY(!error.isEmpty());
    }
    QVERIFY(
        stepsFromRunnerResult(json::parse(R"({"tracks": [7, {"scenarios": [{"scenario": 3}, {"scenario": "x",
        "steps": [null, 4, {"passed": "yes", "duration_ms": "x", "hints": [1]}]}]}]})"),
                              &steps, &error));
    QCOMPARE(int(steps.size()), 1);
    QCOMPARE(steps[0].verdict, Verdict::Failed); // "passed": "yes" is not the runner's true
    QCOMPARE(steps[0].suite, QStringLiteral("official/x"));
    QCOMPARE(steps[0].step, QStringLiteral("steps/1"));

    QVERIFY(parseStoryboardList(json::parse("[]"), &error).empty());
    QVERIFY(error.contains(QLatin1String("bundles")));
    const auto entries = parseStoryboardList(json::parse(R"({"bundles": {"universal": [
        {"bundle_id": "idempotency", "storyboards": [{"id": "idempotency", "title": "Idempotency", "step_count": 9}]},
        {"storyboards": []}, 5],
      "protocol": [{"bundle_id": "media-buy", "storyboards": [{"id": "media_buy_seller", "title": "Seller",
        "step_count": 20}, {"id": "media_buy_seller/x", "title": "X", "step_count": 3}, {"title": "no id"}]}],
      "specialism": 3}})"),
                                             &error);
    QCOMPARE(int(entries.size()), 4);
    QCOMPARE(entries[0].id, QStringLiteral("idempotency"));
    QVERIFY(entries[0].bundle);
    QCOMPARE(entries[0].title, QStringLiteral("Idempotency"));
    QCOMPARE(entries[0].steps, 9);
    QCOMPARE(entries[1].id, QStringLiteral("media-buy"));
    QCOMPARE(entries[1].steps, 23);
    QCOMPARE(entries[2].id, QStringLiteral("media_buy_seller"));
    QVERIFY(!entries[2].bundle);

    const QString runner = harnessRunner();
    if (runner.isEmpty())
        QSKIP("the AdCP harness is not installed (../shared/harness/install.sh)");
    const RunnerLocation location = locateRunner(runner, {}, &error);
    QVERIFY2(location.isValid(), qPrintable(error));
    QProcess list;
    list.start(location.node, {location.script, QStringLiteral("storyboard"), QStringLiteral("list"),
                               QStringLiteral("--json")});
    QVERIFY(list.waitForFinished(120000));
    const QByteArray out = list.readAllStandardOutput();
    const auto real =
        parseStoryboardList(json::parse(out.constBegin(), out.constEnd(), nullptr, false), &error);
    QVERIFY2(real.size() > 20, qPrintable(error));
    QVERIFY(std::any_of(real.begin(), real.end(), [](const RunnerEntry &e) {
        return e.bundle && e.id == QLatin1String("capability-discovery");
    }));
}

// The real runner against a fresh --serve, driven by the class the window uses: its steps arrive as signals,
// its verdicts are kept as given, the run is kept in the history; a second item the runner does not know is a
// failed step with the runner's own message.
void tst_TestLab::officialRunnerAgainstServe()
{
    const QString runnerDir = harnessRunner();
    if (runnerDir.isEmpty())
        QSKIP("the AdCP harness is not installed (../shared/harness/install.sh)");
    const QUrl url = startServe(QStringLiteral("official.sqlite"));
    QVERIFY2(url.isValid(), m_serve.readAllStandardError().constData());
    OfficialRunConfig config;
    QString error;
    config.runner = locateRunner(runnerDir, {}, &error);
    QVERIFY2(config.runner.isValid(), qPrintable(error));
    QCOMPARE(config.runner.version, QStringLiteral("6.11.0"));
    config.lab.url = url;
    config.lab.token = "lab-token-a";
    config.lab.historyPath = m_dir.filePath(QStringLiteral("official-history.sqlite"));
    config.selection = {QStringLiteral("capability_discovery"), QStringLiteral("error_compliance"),
                        QStringLiteral("no_such_storyboard")};
    OfficialRunner runner;
    QSignalSpy items(&runner, &OfficialRunner::itemStarted);
    QSignalSpy steps(&runner, &OfficialRunner::stepFinished);
    QSignalSpy finished(&runner, &OfficialRunner::finished);
    QVERIFY(runner.start(config, &error));
    QVERIFY(!runner.start(config, &error)); // one run at a time
    QVERIFY(finished.wait(300000));
    const LabRun run = finished.first().first().value<LabRun>();
    QCOMPARE(items.size(), 3);
    QCOMPARE(int(steps.size()), int(run.steps.size()));
    QVERIFY(run.fatal.isEmpty());
    QVERIFY(run.engine.contains(QLatin1String("6.11.0")));
    QCOMPARE(run.config.suites, QStringList({QStringLiteral("official:capability_discovery"),
                                             QStringLiteral("official:error_compliance"),
                                             QStringLiteral("official:no_such_storyboard")}));
    int discovery = 0;
    int errors = 0;
    for (const StepResult &step : run.steps) {
        if (step.suite == QLatin1String("official/no_such_storyboard")) {
            QCOMPARE(step.verdict, Verdict::Failed);
            QVERIFY2(step.reason.contains(QLatin1String("Unknown storyboard or bundle ID")),
                     qPrintable(step.reason));
            continue;
        }
        QVERIFY2(step.verdict == Verdict::Passed,
                 qPrintable(step.suite + u'/' + step.step + u": " + step.reason));
        discovery += step.suite == QLatin1String("official/capability_discovery");
        errors += step.suite == QLatin1String("official/error_compliance");
    }
    QCOMPARE(discovery, 2);
    QVERIFY(errors >= 8);
    QVERIFY(run.anyFailed());
    QVERIFY2(run.historyId > 0, qPrintable(run.historyError));
    LabHistory history(config.lab.historyPath);
    QVERIFY(history.open(&error));
    const auto kept = history.load(run.historyId);
    QVERIFY(kept);
    QCOMPARE(verdictsOf(*kept).value(QStringLiteral("official/capability_discovery/protocol_discovery/1")),
             QStringLiteral("passed"));
}

// Headless: --official with reports; a refused token and an unknown id are runs that could not run (exit 2).
void tst_TestLab::officialRunnerHeadless()
{
    const QString runnerDir = harnessRunner();
    if (runnerDir.isEmpty())
        QSKIP("the AdCP harness is not installed (../shared/harness/install.sh)");
    const QUrl url = startServe(QStringLiteral("official-headless.sqlite"));
    QVERIFY2(url.isValid(), m_serve.readAllStandardError().constData());
    const QString junit = m_dir.filePath(QStringLiteral("official.xml"));
    const auto lab = [&](const QString &token, const QString &official, int *exitCode) {
        QProcess process;
        process.start(kBinary, {QStringLiteral("--test-agent"), url.toString(), QStringLiteral("--token"),
                                token, QStringLiteral("--official"), official, QStringLiteral("--runner"),
                                runnerDir, QStringLiteral("--report-junit"), junit});
        process.waitForFinished(300000);
        *exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        return process.readAllStandardError();
    };
    int code = -1;
    QByteArray progress = lab(QStringLiteral("lab-token-a"), QStringLiteral("capability_discovery"), &code);
    QVERIFY2(code == 0, progress.constData());
    QVERIFY(progress.contains("engine @adcp/sdk 6.11.0"));
    QVERIFY(progress.contains("[1/1] running capability_discovery"));
    QVERIFY2(progress.contains("the runner's own summary: capability_discovery: "), progress.constData());
    const Junit parsed = readJunit(junit);
    QVERIFY(parsed.wellFormed);
    QCOMPARE(parsed.testcases, 2);
    QCOMPARE(parsed.failures, 0);
    // The token went by environment, never on the runner's command line; it is in no report.
    QFile file(junit);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().contains("lab-token-a"));

    progress = lab(QStringLiteral("not-a-token"), QStringLiteral("capability_discovery"), &code);
    QVERIFY2(code == 2, progress.constData());
    QVERIFY2(progress.contains("refused the runner's credentials"), progress.constData());
    progress = lab(QStringLiteral("lab-token-a"), QStringLiteral("no_such_storyboard"), &code);
    QVERIFY2(code == 2, progress.constData());
    QVERIFY(progress.contains("Unknown storyboard or bundle ID"));
    // Nothing listening: the runner's "unreachable" is a run that could not run.
    {
        QProcess unreachable;
        unreachable.start(kBinary, {QStringLiteral("--test-agent"), QStringLiteral("http://127.0.0.1:1/mcp"),
                                    QStringLiteral("--official"), QStringLiteral("capability_discovery"),
                                    QStringLiteral("--runner"), runnerDir});
        QVERIFY(unreachable.waitForFinished(120000));
        const QByteArray said = unreachable.readAllStandardError();
        QVERIFY2(unreachable.exitCode() == 2, said.constData());
        QVERIFY2(said.contains("could not reach the agent"), said.constData());
    }
    // No runner where --runner points: refused before anything runs.
    QProcess missing;
    missing.start(kBinary, {QStringLiteral("--test-agent"), url.toString(), QStringLiteral("--official"),
                            QStringLiteral("full"), QStringLiteral("--runner"),
                            m_dir.filePath(QStringLiteral("none"))});
    QVERIFY(missing.waitForFinished(60000));
    QCOMPARE(missing.exitCode(), 2);
    QVERIFY(missing.readAllStandardError().contains("no AdCP runner at"));
}

// Cancel ends the runner's child process and runs nothing more.
void tst_TestLab::officialRunnerCancel()
{
    const QString runnerDir = harnessRunner();
    if (runnerDir.isEmpty())
        QSKIP("the AdCP harness is not installed (../shared/harness/install.sh)");
    // An agent that never answers: the runner waits on it until canceled.
    ScriptedPeer peer([](const ScriptedPeer::Seen &, int) {
        return ScriptedPeer::Answer{200, {}, {}, {}, true};
    });
    const quint16 port = peer.start();
    QVERIFY(port != 0);
    OfficialRunConfig config;
    QString error;
    config.runner = locateRunner(runnerDir, {}, &error);
    QVERIFY(config.runner.isValid());
    config.lab.url = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port));
    config.selection = {QStringLiteral("capability_discovery"), QStringLiteral("error_compliance")};
    OfficialRunner runner;
    QSignalSpy items(&runner, &OfficialRunner::itemStarted);
    QSignalSpy finished(&runner, &OfficialRunner::finished);
    QVERIFY(runner.start(config, &error));
    QVERIFY(items.wait(60000));
    QTRY_VERIFY_WITH_TIMEOUT(!peer.seen.isEmpty(), 120000); // the runner is waiting on the agent
    runner.cancel();
    QVERIFY(finished.wait(60000));
    const LabRun run = finished.first().first().value<LabRun>();
    QVERIFY(run.canceled);
    QVERIFY(run.steps.empty());
    QCOMPARE(items.size(), 1); // the second item never started
    QVERIFY(!runner.isRunning());
}

// The installer runs npm for real: a package tarball made here (no registry needed) is installed into a
// folder and found there with its version; a package npm cannot find is a failure with npm's exit code.
void tst_TestLab::runnerInstallerFromATarball()
{
    const QString npm = QStandardPaths::findExecutable(QStringLiteral("npm"));
    if (npm.isEmpty())
        QSKIP("npm is not installed");
    QTemporaryDir work;
    QVERIFY(work.isValid());
    QString error;
    const QString tarball = makeRunnerTarball(work.path(), &error);
    QVERIFY2(!tarball.isEmpty(), qPrintable(error));

    qputenv("npm_config_offline", "true");
    RunnerInstaller installer;
    QSignalSpy lines(&installer, &RunnerInstaller::outputLine);
    QSignalSpy finished(&installer, &RunnerInstaller::finished);
    const QString folder = work.filePath(QStringLiteral("runner"));
    QVERIFY2(installer.start(folder, {tarball}, npm, &error), qPrintable(error));
    QVERIFY(!installer.start(folder, {tarball}, npm, &error)); // one at a time
    QVERIFY(finished.wait(300000));
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
    const auto location = finished.first().at(2).value<RunnerLocation>();
    QCOMPARE(location.version, QStringLiteral("0.0.0-labtest"));
    QVERIFY(location.script.startsWith(folder));
    QCOMPARE(locateRunner(folder, {}, &error).script, location.script);
    QVERIFY(!installer.isRunning());

    finished.clear();
    QVERIFY(installer.start(folder, {work.filePath(QStringLiteral("missing.tgz"))}, npm, &error));
    QVERIFY(finished.wait(300000));
    QVERIFY(!finished.first().at(0).toBool());
    QVERIFY2(finished.first().at(1).toString().contains(QLatin1String("exit code")),
             qPrintable(finished.first().at(1).toString()));
    QVERIFY(!lines.isEmpty()); // npm's output came through
    // Refused before npm runs: an option where a package goes.
    QVERIFY(!installer.start(folder, {QStringLiteral("--global")}, npm, &error));
    // An npm that is not there: a failure that says so.
    finished.clear();
    QVERIFY(installer.start(folder, {tarball}, work.filePath(QStringLiteral("no-npm")), &error));
    QVERIFY(finished.wait(60000));
    QVERIFY(!finished.first().at(0).toBool());
    QVERIFY2(finished.first().at(1).toString().contains(QLatin1String("could not start")),
             qPrintable(finished.first().at(1).toString()));
    qunsetenv("npm_config_offline");
}

QTEST_GUILESS_MAIN(tst_TestLab)
#include "tst_testlab.moc"
