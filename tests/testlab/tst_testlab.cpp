#include "labreport.h"
#include "labrunner.h"
#include "labsuite.h"
#include "scriptedpeer.h"
#include "yesmanagent.h"

#include <algorithm>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

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

QTEST_GUILESS_MAIN(tst_TestLab)
#include "tst_testlab.moc"
