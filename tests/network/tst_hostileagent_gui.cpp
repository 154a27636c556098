// The window against a hostile MCP agent on loopback: an endless answer ends in the brief's error banner with
// its code, the window keeps handling events while the agent streams, and the next brief to the same agent
// succeeds.
#include "agentclient.h"
#include "agentmanager.h"
#include "agentsecurity.h"
#include "briefcomposer.h"
#include "errorbanner.h"
#include "hostilepeer.h"
#include "mainwindow.h"
#include "opportunitymodel.h"
#include "proposalmodel.h"
#include "transports/mcptransport.h"
#include "transports/replyguard.h"
#include "workbench.h"

#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>
#include <QVBoxLayout>

using namespace adcp;
using nlohmann::json;

class TestHostileAgentGui final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void endlessAnswerShowsBannerAndWindowStaysUsable();
    void plainHttpOutsideLoopbackIsFlagged();
    void callsOfAnEarlierSessionReportNothing();
};

void TestHostileAgentGui::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("adcp-workbench-tests"));
    QSettings().clear();
}

void TestHostileAgentGui::endlessAnswerShowsBannerAndWindowStaysUsable()
{
    int calls = 0;
    HostilePeer *self = nullptr;
    HostilePeer peer([&](const HostilePeer::Exchange &ex) {
        if (answerMcpHandshake(ex))
            return;
        if (calls++ == 0) {
            ex.startStream("text/event-stream");
            self->streamForever(ex.socket, ": keep-alive, forever\n\n");
        } else {
            ex.respondJson(mcpToolResult(ex.body["id"], {{"products", json::array()}}));
        }
    });
    self = &peer;
    QVERIFY(peer.start());
    McpTransportOptions options;
    options.endpoint = peer.url(QStringLiteral("/mcp"));
    options.maxAnswerBytes = 4 * 1024 * 1024;
    options.maxRetries = 0;
    AgentClient client(QStringLiteral("hostile"), std::make_unique<McpTransport>(options), nullptr);

    gui::Workbench workbench;
    gui::MainWindow window(&workbench);
    window.show();
    workbench.setClient(&client, QStringLiteral("buyer-a"));
    QSignalSpy failed(&workbench, &gui::Workbench::actionFailed);
    QSignalSpy answered(&workbench, &gui::Workbench::briefAnswered);

    // A timer of the window's thread keeps firing while the agent streams: the stream is read without
    // blocking the event loop.
    int ticks = 0;
    QTimer tick;
    connect(&tick, &QTimer::timeout, &window, [&ticks] { ++ticks; });
    tick.start(0);
    workbench.sendBrief({{"buying_mode", "brief"}, {"brief", "hostile agent"}}, QStringLiteral("Hostile"));
    QTRY_VERIFY_WITH_TIMEOUT(peer.streamed > 0, 30000);
    const int ticksWhileStreaming = ticks;
    QTRY_VERIFY_WITH_TIMEOUT(ticks > ticksWhileStreaming + 10 || !failed.isEmpty(), 30000);
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 30000);
    tick.stop();

    const auto error = failed.front().at(2).value<AdcpError>();
    QCOMPARE(error.code, std::string("RESPONSE_TOO_LARGE"));
    gui::ErrorBanner *banner = window.briefComposer()->errorBanner();
    QVERIFY(!banner->isHidden());
    QVERIFY2(banner->text().contains(QStringLiteral("RESPONSE_TOO_LARGE")), qPrintable(banner->text()));
    QVERIFY(peer.streamed > options.maxAnswerBytes);

    workbench.sendBrief({{"buying_mode", "brief"}, {"brief", "second try"}}, QStringLiteral("Hostile"));
    QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 1, 30000);
    QCOMPARE(failed.size(), 1);
}

// The agent bar warns while the active agent is reached over plain http outside loopback; the agent dialog's
// URL field warns as it is typed.
void TestHostileAgentGui::plainHttpOutsideLoopbackIsFlagged()
{
    QVERIFY(isPlainHttpOutsideLoopback(QUrl(QStringLiteral("http://seller.example/mcp"))));
    QVERIFY(isPlainHttpOutsideLoopback(QUrl(QStringLiteral("http://10.0.0.5:8080/mcp"))));
    QVERIFY(!isPlainHttpOutsideLoopback(QUrl(QStringLiteral("https://seller.example/mcp"))));
    QVERIFY(!isPlainHttpOutsideLoopback(QUrl(QStringLiteral("http://127.0.0.1:8080/mcp"))));
    QVERIFY(!isPlainHttpOutsideLoopback(QUrl(QStringLiteral("http://[::1]:8080/mcp"))));
    QVERIFY(!isPlainHttpOutsideLoopback(QUrl(QStringLiteral("http://localhost/mcp"))));

    QWidget form;
    auto *layout = new QVBoxLayout(&form);
    auto *url = new QLineEdit(&form);
    layout->addWidget(url);
    gui::installPlainHttpHint(url, layout);
    auto *hint = form.findChild<QLabel *>(QStringLiteral("plainHttpHint"));
    QVERIFY(hint);
    url->setText(QStringLiteral("http://seller.example/mcp"));
    QVERIFY(!hint->isHidden());
    url->setText(QStringLiteral("http://127.0.0.1:3004/mcp"));
    QVERIFY(hint->isHidden());
}

// A brief still waiting when the planner switches agents (or a trainer scenario resets the seller) is
// cancelled; its report comes later, and must not land in the new session as an error or as data.
void TestHostileAgentGui::callsOfAnEarlierSessionReportNothing()
{
    bool asked = false;
    HostilePeer peer([&](const HostilePeer::Exchange &ex) {
        if (!answerMcpHandshake(ex))
            asked = true; // and never answered
    });
    QVERIFY(peer.start());
    McpTransportOptions options;
    options.endpoint = peer.url(QStringLiteral("/mcp"));
    options.maxRetries = 0;
    AgentClient first(QStringLiteral("silent"), std::make_unique<McpTransport>(options), nullptr);
    AgentClient second(QStringLiteral("next"), std::make_unique<McpTransport>(options), nullptr);

    gui::Workbench workbench;
    workbench.setClient(&first, QStringLiteral("buyer-a"));
    workbench.sendBrief({{"buying_mode", "brief"}, {"brief", "left waiting"}}, QStringLiteral("Waiting"));
    QTRY_VERIFY_WITH_TIMEOUT(asked, 30000);
    QVERIFY(workbench.isBusy());

    QSignalSpy failed(&workbench, &gui::Workbench::actionFailed);
    QSignalSpy succeeded(&workbench, &gui::Workbench::actionSucceeded);
    QSignalSpy busy(&workbench, &gui::Workbench::busyChanged);
    workbench.setClient(&second, QStringLiteral("buyer-a"));
    // The cancelled brief reports on a later pass of the event loop: the window stops showing it as busy, and
    // the new session hears nothing of it.
    QTRY_VERIFY_WITH_TIMEOUT(!workbench.isBusy(), 30000);
    QVERIFY(!busy.isEmpty());
    QCOMPARE(busy.constLast().at(0).toBool(), false);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(succeeded.size(), 0);
    QCOMPARE(workbench.proposals()->rowCount(), 0);
    QCOMPARE(workbench.opportunities()->rowCount(), 0);
}

QTEST_MAIN(TestHostileAgentGui)
#include "tst_hostileagent_gui.moc"
