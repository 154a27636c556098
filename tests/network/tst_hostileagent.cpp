// The buyer's AgentClient against agents that misbehave on purpose (a scripted MCP server and A2A agent on
// loopback, real sockets): each bad answer ends the call with an AdCP error (code and message), nothing
// throws, and the same client then completes a valid call.
#include "agentclient.h"
#include "hostilepeer.h"
#include "transports/a2atransport.h"
#include "transports/mcptransport.h"

#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace adcp;
using nlohmann::json;

namespace {

constexpr qint64 kCap = 1024 * 1024;
const json kProducts = {{"products", json::array({{{"product_id", "p1"}}})}};

McpTransportOptions mcpOptions(const QUrl &endpoint)
{
    McpTransportOptions options;
    options.endpoint = endpoint;
    options.bearerToken = "secret-token";
    options.maxAnswerBytes = kCap;
    options.maxRetries = 0;
    options.timeoutMs = 60000; // a safety net only: every case ends on its own limit
    options.idleTimeoutMs = 60000;
    return options;
}

// Calls get_products and waits for the outcome.
ToolOutcome callOnce(AgentClient &client)
{
    PendingCall *pending = client.getProducts({{"brief", "hostile"}});
    QSignalSpy finished(pending, &PendingCall::finished);
    if (!finished.wait(30000))
        return ToolOutcome::failure(AdcpError::make("TEST_TIMEOUT", "the call never finished"));
    return pending->outcome();
}

QByteArray nested(int depth)
{
    return QByteArray(depth, '[') + QByteArray(depth, ']');
}

// How the first tools/call is answered; every later one gets a valid answer.
void misbehave(const QString &kind, HostilePeer &peer, const HostilePeer::Exchange &ex,
               HostilePeer &elsewhere)
{
    const json id = ex.body["id"];
    const auto rpc = [&id](const json &result) {
        return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", result}};
    };
    if (kind == QLatin1String("isError-not-boolean"))
        ex.respondJson(rpc({{"isError", "yes"}, {"content", "nope"}}));
    else if (kind == QLatin1String("rpc-error-wrong-types"))
        ex.respondJson({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", "boom"}, {"message", 42}}}});
    else if (kind == QLatin1String("adcp-error-wrong-types"))
        ex.respondJson(
            rpc({{"isError", true},
                 {"structuredContent",
                  {{"adcp_error", {{"code", 7}, {"message", json::array()}, {"retry_after", 1e300}}}}}}));
    else if (kind == QLatin1String("result-not-object"))
        ex.respondJson(rpc("hello"));
    else if (kind == QLatin1String("wrong-id"))
        ex.respondJson(mcpToolResult(json(id.get<qint64>() + 1000), kProducts));
    else if (kind == QLatin1String("string-id"))
        ex.respondJson(mcpToolResult(json(std::to_string(id.get<qint64>())), kProducts));
    else if (kind == QLatin1String("invalid-utf8"))
        ex.respond(200, "application/json",
                   "{\"jsonrpc\":\"2.0\",\"id\":" + QByteArray::number(id.get<qint64>()) +
                       ",\"result\":{\"structuredContent\":{\"products\":\"\xff\xfe\xc3\"}}}");
    else if (kind == QLatin1String("too-deep"))
        ex.respond(200, "application/json",
                   "{\"jsonrpc\":\"2.0\",\"id\":" + QByteArray::number(id.get<qint64>()) +
                       ",\"result\":{\"structuredContent\":{\"products\":" + nested(100000) + "}}}");
    else if (kind == QLatin1String("huge-body")) {
        ex.startStream("application/json");
        peer.streamForever(ex.socket, QByteArray(64 * 1024, ' '));
    } else if (kind == QLatin1String("endless-sse")) {
        ex.startStream("text/event-stream");
        peer.streamForever(
            ex.socket,
            "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n\n");
    } else if (kind == QLatin1String("endless-sse-event")) {
        ex.startStream("text/event-stream");
        ex.write("data: ");
        peer.streamForever(ex.socket, QByteArray(32 * 1024, 'x'));
    } else if (kind == QLatin1String("redirect-elsewhere")) {
        ex.respond(307, "text/plain", {}, {{"Location", elsewhere.url(QStringLiteral("/mcp")).toEncoded()}});
    }
}

} // namespace

class TestHostileAgent final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void mcpBadAnswer_data();
    void mcpBadAnswer();
    void mcpAnnouncedHugeBody();
    void mcpSilentStreamHitsIdleLimit();
    void mcpSlowDripHitsTotalLimit();
    void mcpRedirectFollowedOnlyWhenConfirmed();
    void mcpHandshakeWrongTypes();
    void a2aCardElsewhereNeedsConfirmation();
    void a2aBadAnswer_data();
    void a2aBadAnswer();
};

void TestHostileAgent::mcpBadAnswer_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message");
    QTest::newRow("isError not a boolean") << "isError-not-boolean"
                                           << "INVALID_RESPONSE"
                                           << "isError";
    QTest::newRow("JSON-RPC error of wrong types") << "rpc-error-wrong-types"
                                                   << "SERVICE_UNAVAILABLE"
                                                   << "JSON-RPC error";
    QTest::newRow("adcp_error of wrong types") << "adcp-error-wrong-types"
                                               << "UNKNOWN"
                                               << "";
    QTest::newRow("result not an object") << "result-not-object"
                                          << "INVALID_RESPONSE"
                                          << "not an object";
    QTest::newRow("id of another request") << "wrong-id"
                                           << "INVALID_RESPONSE"
                                           << "JSON-RPC";
    QTest::newRow("id as a string") << "string-id"
                                    << "INVALID_RESPONSE"
                                    << "JSON-RPC";
    QTest::newRow("invalid UTF-8") << "invalid-utf8"
                                   << "INVALID_RESPONSE"
                                   << "JSON-RPC";
    QTest::newRow("nested 100000 deep") << "too-deep"
                                        << "INVALID_RESPONSE"
                                        << "JSON-RPC";
    QTest::newRow("endless body") << "huge-body"
                                  << "RESPONSE_TOO_LARGE"
                                  << "1 MiB";
    QTest::newRow("endless SSE stream") << "endless-sse"
                                        << "RESPONSE_TOO_LARGE"
                                        << "1 MiB";
    QTest::newRow("one endless SSE event") << "endless-sse-event"
                                           << "RESPONSE_TOO_LARGE"
                                           << "";
    QTest::newRow("redirect to another origin") << "redirect-elsewhere"
                                                << "REDIRECT_REFUSED"
                                                << "another origin";
}

void TestHostileAgent::mcpBadAnswer()
{
    QFETCH(QString, kind);
    QFETCH(QString, code);
    QFETCH(QString, message);
    HostilePeer elsewhere([](const HostilePeer::Exchange &ex) { ex.respond(500, "text/plain", "no"); });
    QVERIFY(elsewhere.start());
    int calls = 0;
    HostilePeer *self = nullptr;
    HostilePeer peer([&](const HostilePeer::Exchange &ex) {
        if (answerMcpHandshake(ex))
            return;
        if (calls++ == 0)
            misbehave(kind, *self, ex, elsewhere);
        else
            ex.respondJson(mcpToolResult(ex.body["id"], kProducts));
    });
    self = &peer;
    QVERIFY(peer.start());
    AgentClient client(QStringLiteral("hostile"),
                       std::make_unique<McpTransport>(mcpOptions(peer.url(QStringLiteral("/mcp")))), nullptr);

    const ToolOutcome bad = callOnce(client);
    QVERIFY2(!bad.ok(), bad.result.dump().substr(0, 200).c_str());
    QCOMPARE(QString::fromStdString(bad.error->code), code);
    QVERIFY2(QString::fromStdString(bad.error->message).contains(message), bad.error->message.c_str());
    QVERIFY(bad.error->message.size() < 8192);
    QVERIFY(elsewhere.seen.isEmpty()); // the token never went to the other origin

    const ToolOutcome good = callOnce(client);
    QVERIFY2(good.ok(), good.error ? good.error->message.c_str() : "");
    QVERIFY(good.result == kProducts);
    QCOMPARE(client.exchangeLog().size(), 2);
}

// A Content-Length over the cap is refused before the body is read.
void TestHostileAgent::mcpAnnouncedHugeBody()
{
    int calls = 0;
    HostilePeer peer([&](const HostilePeer::Exchange &ex) {
        if (answerMcpHandshake(ex))
            return;
        if (calls++ == 0)
            ex.write(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{");
        else
            ex.respondJson(mcpToolResult(ex.body["id"], kProducts));
    });
    QVERIFY(peer.start());
    AgentClient client(QStringLiteral("hostile"),
                       std::make_unique<McpTransport>(mcpOptions(peer.url(QStringLiteral("/mcp")))), nullptr);
    const ToolOutcome bad = callOnce(client);
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error->code, std::string("RESPONSE_TOO_LARGE"));
    QVERIFY2(bad.error->message.find("announced") != std::string::npos, bad.error->message.c_str());
    QVERIFY(callOnce(client).ok());
}

// Headers, then nothing: the idle limit ends the call (the total limit is off, so nothing else could).
void TestHostileAgent::mcpSilentStreamHitsIdleLimit()
{
    int calls = 0;
    HostilePeer peer([&](const HostilePeer::Exchange &ex) {
        if (answerMcpHandshake(ex))
            return;
        if (calls++ == 0)
            ex.startStream("text/event-stream");
        else
            ex.respondJson(mcpToolResult(ex.body["id"], kProducts));
    });
    QVERIFY(peer.start());
    McpTransportOptions options = mcpOptions(peer.url(QStringLiteral("/mcp")));
    options.timeoutMs = 0;
    options.idleTimeoutMs = 200;
    AgentClient client(QStringLiteral("hostile"), std::make_unique<McpTransport>(options), nullptr);
    const ToolOutcome bad = callOnce(client);
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error->code, std::string("SERVICE_UNAVAILABLE"));
    QVERIFY2(bad.error->message.find("sent nothing") != std::string::npos, bad.error->message.c_str());
    QVERIFY(callOnce(client).ok());
}

// One byte at a time whenever the test says so: never silent long enough for the idle limit (off here), the
// whole-exchange limit ends it. The window's event loop keeps running meanwhile (the drip timer fires).
void TestHostileAgent::mcpSlowDripHitsTotalLimit()
{
    int calls = 0;
    HostilePeer *self = nullptr;
    HostilePeer peer([&](const HostilePeer::Exchange &ex) {
        if (answerMcpHandshake(ex))
            return;
        if (calls++ == 0) {
            ex.startStream("application/json");
            self->dripInto(ex.socket,
                           QByteArray::fromStdString(mcpToolResult(ex.body["id"], kProducts).dump()) +
                               QByteArray(1 << 20, ' '));
        } else {
            ex.respondJson(mcpToolResult(ex.body["id"], kProducts));
        }
    });
    self = &peer;
    QVERIFY(peer.start());
    McpTransportOptions options = mcpOptions(peer.url(QStringLiteral("/mcp")));
    options.timeoutMs = 1500;
    options.idleTimeoutMs = 0;
    AgentClient client(QStringLiteral("hostile"), std::make_unique<McpTransport>(options), nullptr);
    QTimer drip;
    connect(&drip, &QTimer::timeout, &peer, [&peer] { peer.drip(); });
    drip.start(5);
    const ToolOutcome bad = callOnce(client);
    drip.stop();
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error->code, std::string("SERVICE_UNAVAILABLE"));
    QVERIFY(peer.streamed > 0);
    QVERIFY(callOnce(client).ok());
}

void TestHostileAgent::mcpRedirectFollowedOnlyWhenConfirmed()
{
    HostilePeer elsewhere([](const HostilePeer::Exchange &ex) {
        if (!answerMcpHandshake(ex))
            ex.respondJson(mcpToolResult(ex.body["id"], {{"products", json::array()}}));
    });
    QVERIFY(elsewhere.start());
    HostilePeer peer([&](const HostilePeer::Exchange &ex) {
        ex.respond(307, "text/plain", {}, {{"Location", elsewhere.url(QStringLiteral("/mcp")).toEncoded()}});
    });
    QVERIFY(peer.start());
    AgentClient client(QStringLiteral("hostile"),
                       std::make_unique<McpTransport>(mcpOptions(peer.url(QStringLiteral("/mcp")))), nullptr);
    QList<QUrl> asked;
    bool allow = false;
    client.setForeignOriginHandler(
        [&](const QUrl &agent, const QUrl &target, std::function<void(bool)> answer) {
            QCOMPARE(agent, peer.url(QStringLiteral("/mcp")));
            asked.append(target);
            // Answered later, as a dialog would.
            QTimer::singleShot(0, &peer, [answer, allow] { answer(allow); });
        });
    const ToolOutcome refused = callOnce(client);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error->code, std::string("REDIRECT_REFUSED"));
    QCOMPARE(asked.size(), 1);
    QCOMPARE(asked.front(), elsewhere.url(QStringLiteral("/mcp")));
    QVERIFY(elsewhere.seen.isEmpty());

    allow = true;
    const ToolOutcome followed = callOnce(client);
    QVERIFY2(followed.ok(), followed.error ? followed.error->message.c_str() : "");
    QVERIFY(!elsewhere.seen.isEmpty());
    QCOMPARE(elsewhere.seen.front().header("Authorization"), QByteArray("Bearer secret-token"));
}

// initialize answered with a protocolVersion of the wrong type, then a session id with a line break.
void TestHostileAgent::mcpHandshakeWrongTypes()
{
    int initializes = 0;
    HostilePeer peer([&](const HostilePeer::Exchange &ex) {
        if (ex.rpcMethod() == "initialize" && initializes++ < 2) {
            const json version = initializes == 1 ? json(2025) : json("2025-06-18");
            ex.respond(200, "application/json",
                       QByteArray::fromStdString(json{{"jsonrpc", "2.0"},
                                                      {"id", ex.body["id"]},
                                                      {"result", {{"protocolVersion", version}}}}
                                                     .dump()),
                       {{"Mcp-Session-Id", initializes == 2 ? "abc def" : "ok"}});
            return;
        }
        if (!answerMcpHandshake(ex))
            ex.respondJson(mcpToolResult(ex.body["id"], kProducts));
    });
    QVERIFY(peer.start());
    AgentClient client(QStringLiteral("hostile"),
                       std::make_unique<McpTransport>(mcpOptions(peer.url(QStringLiteral("/mcp")))), nullptr);
    const ToolOutcome first = callOnce(client);
    QVERIFY(!first.ok());
    QCOMPARE(first.error->code, std::string("INVALID_RESPONSE"));
    QVERIFY2(first.error->message.find("protocolVersion") != std::string::npos, first.error->message.c_str());
    const ToolOutcome second = callOnce(client);
    QVERIFY(!second.ok());
    QCOMPARE(second.error->code, std::string("INVALID_RESPONSE"));
    QVERIFY2(second.error->message.find("Mcp-Session-Id") != std::string::npos,
             second.error->message.c_str());
    QVERIFY(callOnce(client).ok());
}

namespace {

json a2aCompleted(const json &id, const json &data)
{
    return {{"jsonrpc", "2.0"},
            {"id", id},
            {"result",
             {{"kind", "task"},
              {"id", "t1"},
              {"status", {{"state", "completed"}}},
              {"artifacts", json::array({{{"parts", json::array({{{"kind", "data"}, {"data", data}}})}}})}}}};
}

A2aTransportOptions a2aOptions(const QUrl &agentUrl)
{
    A2aTransportOptions options;
    options.agentUrl = agentUrl;
    options.bearerToken = "secret-token";
    options.maxAnswerBytes = kCap;
    options.maxRetries = 0;
    options.timeoutMs = 60000;
    options.idleTimeoutMs = 60000;
    options.pollIntervalMs = 10;
    return options;
}

} // namespace

void TestHostileAgent::a2aCardElsewhereNeedsConfirmation()
{
    HostilePeer elsewhere(
        [](const HostilePeer::Exchange &ex) { ex.respondJson(a2aCompleted(ex.body["id"], kProducts)); });
    QVERIFY(elsewhere.start());
    HostilePeer peer([&](const HostilePeer::Exchange &ex) {
        ex.respondJson(
            {{"name", "hostile"}, {"url", elsewhere.url(QStringLiteral("/a2a")).toString().toStdString()}});
    });
    QVERIFY(peer.start());
    AgentClient client(QStringLiteral("hostile"), std::make_unique<A2aTransport>(a2aOptions(peer.url())),
                       nullptr);
    const ToolOutcome refused = callOnce(client);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error->code, std::string("FOREIGN_ORIGIN_REFUSED"));
    QVERIFY(elsewhere.seen.isEmpty());

    client.setForeignOriginHandler(
        [](const QUrl &, const QUrl &, std::function<void(bool)> answer) { answer(true); });
    const ToolOutcome allowed = callOnce(client);
    QVERIFY2(allowed.ok(), allowed.error ? allowed.error->message.c_str() : "");
    QCOMPARE(elsewhere.seen.size(), 1);
    QCOMPARE(elsewhere.seen.front().header("Authorization"), QByteArray("Bearer secret-token"));
}

void TestHostileAgent::a2aBadAnswer_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("code");
    QTest::newRow("card url not a string") << "card-url-number"
                                           << "INVALID_RESPONSE";
    QTest::newRow("card too large") << "card-huge"
                                    << "RESPONSE_TOO_LARGE";
    QTest::newRow("task of wrong types") << "task-wrong-types"
                                         << "INVALID_RESPONSE";
    QTest::newRow("JSON-RPC error of wrong types") << "rpc-error-wrong-types"
                                                   << "SERVICE_UNAVAILABLE";
    QTest::newRow("id of another request") << "wrong-id"
                                           << "INVALID_RESPONSE";
    QTest::newRow("endless answer") << "endless"
                                    << "RESPONSE_TOO_LARGE";
}

void TestHostileAgent::a2aBadAnswer()
{
    QFETCH(QString, kind);
    QFETCH(QString, code);
    int cards = 0;
    int sends = 0;
    HostilePeer *self = nullptr;
    HostilePeer peer([&](const HostilePeer::Exchange &ex) {
        if (ex.method == "GET") {
            if (cards++ == 0 && kind == QLatin1String("card-url-number"))
                ex.respondJson({{"name", "hostile"}, {"url", 42}});
            else if (cards == 1 && kind == QLatin1String("card-huge")) {
                ex.startStream("application/json");
                self->streamForever(ex.socket, QByteArray(64 * 1024, ' '));
            } else
                ex.respondJson({{"name", "hostile"},
                                {"url", self->url(QStringLiteral("/a2a")).toString().toStdString()}});
            return;
        }
        const json id = ex.body["id"];
        if (sends++ > 0 || kind.startsWith(QLatin1String("card")))
            ex.respondJson(a2aCompleted(id, kProducts));
        else if (kind == QLatin1String("task-wrong-types"))
            ex.respondJson(
                {{"jsonrpc", "2.0"},
                 {"id", id},
                 {"result",
                  {{"id", 5},
                   {"status", {{"state", 7}, {"message", "x"}}},
                   {"artifacts", json::array({"x", {{"parts", {{{"kind", 3}, {"data", "str"}}}}}})},
                   {"parts", "none"}}}});
        else if (kind == QLatin1String("rpc-error-wrong-types"))
            ex.respondJson(
                {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", 1.5}, {"message", {{"a", 1}}}}}});
        else if (kind == QLatin1String("wrong-id"))
            ex.respondJson(a2aCompleted(id.get<qint64>() + 7, kProducts));
        else if (kind == QLatin1String("endless")) {
            ex.startStream("application/json");
            self->streamForever(ex.socket, QByteArray(64 * 1024, '['));
        }
    });
    self = &peer;
    QVERIFY(peer.start());
    AgentClient client(QStringLiteral("hostile"), std::make_unique<A2aTransport>(a2aOptions(peer.url())),
                       nullptr);
    const ToolOutcome bad = callOnce(client);
    QVERIFY(!bad.ok());
    QCOMPARE(QString::fromStdString(bad.error->code), code);
    QVERIFY(!bad.error->message.empty());
    const ToolOutcome good = callOnce(client);
    QVERIFY2(good.ok(), good.error ? good.error->message.c_str() : "");
    QVERIFY(good.result == kProducts);
}

QTEST_GUILESS_MAIN(TestHostileAgent)
#include "tst_hostileagent.moc"
