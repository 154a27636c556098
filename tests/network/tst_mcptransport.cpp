// The buyer's MCP and A2A transports against loopback peers (real sockets), and the AgentClient over MCP
// against the AdCP SDK's guaranteed example seller when the conformance harness is installed.
#include "agentclient.h"
#include "heldport.h"
#include "scriptedpeer.h"
#include "transports/a2atransport.h"
#include "transports/mcptransport.h"
#include "transports/secretmask.h"
#include "transports/sseparser.h"

#include <QDir>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <QUuid>

using namespace adcp;
using nlohmann::json;

namespace {

json initializeResult(const json &request)
{
    return {{"jsonrpc", "2.0"},
            {"id", request["id"]},
            {"result",
             {{"protocolVersion", "2025-06-18"},
              {"capabilities", {{"tools", json::object()}}},
              {"serverInfo", {{"name", "scripted"}, {"version", "1"}}}}}};
}

json toolResult(const json &request, const json &structured)
{
    return {{"jsonrpc", "2.0"},
            {"id", request["id"]},
            {"result",
             {{"content", json::array({{{"type", "text"}, {"text", structured.dump()}}})},
              {"structuredContent", structured}}}};
}

// A peer that completes the MCP handshake (initialize, notifications/initialized) and answers every other
// request with `onCall`.
ScriptedPeer::Script afterHandshake(std::function<ScriptedPeer::Answer(const ScriptedPeer::Seen &)> onCall)
{
    return [onCall = std::move(onCall)](const ScriptedPeer::Seen &seen, int) {
        const std::string method = seen.body.value("method", std::string());
        if (method == "initialize")
            return ScriptedPeer::json(initializeResult(seen.body));
        if (method == "notifications/initialized")
            return ScriptedPeer::Answer{202, "application/json", {}, {}, false};
        return onCall(seen);
    };
}

json toolError(const json &request, const json &adcpError)
{
    const json payload = {{"adcp_error", adcpError}};
    return {{"jsonrpc", "2.0"},
            {"id", request["id"]},
            {"result",
             {{"isError", true},
              {"content", json::array({{{"type", "text"}, {"text", payload.dump()}}})},
              {"structuredContent", payload}}}};
}

// The tools/call answers of each scenario; the handshake is the same for all.
ScriptedPeer::Answer scenarioAnswer(const QString &scenario, const json &request, int callIndex)
{
    const json products = {{"products", json::array({{{"product_id", "p1"}}})}};
    if (scenario == QLatin1String("json"))
        return ScriptedPeer::json(toolResult(request, products));
    if (scenario == QLatin1String("sse"))
        return ScriptedPeer::sse(toolResult(request, products));
    if (scenario == QLatin1String("text-only")) {
        json r = toolResult(request, products);
        r["result"].erase("structuredContent");
        return ScriptedPeer::json(r);
    }
    if (scenario == QLatin1String("503-then-ok")) {
        if (callIndex == 0)
            return ScriptedPeer::Answer{503, "text/plain", "busy", {}, false};
        return ScriptedPeer::json(toolResult(request, products));
    }
    if (scenario == QLatin1String("rate-limited-then-ok")) {
        if (callIndex == 0)
            return ScriptedPeer::json(
                toolError(request, {{"code", "RATE_LIMITED"}, {"message", "slow down"}, {"retry_after", 1}}));
        return ScriptedPeer::json(toolResult(request, products));
    }
    if (scenario == QLatin1String("session-lost")) {
        if (callIndex == 0)
            return ScriptedPeer::Answer{404, "application/json", "{}", {}, false};
        return ScriptedPeer::json(toolResult(request, products));
    }
    if (scenario == QLatin1String("adcp-error"))
        return ScriptedPeer::sse(toolError(request, {{"code", "BUDGET_TOO_LOW"},
                                                     {"message", "below minimum"},
                                                     {"field", "packages[0].budget"},
                                                     {"recovery", "correctable"}}));
    if (scenario == QLatin1String("jsonrpc-error"))
        return ScriptedPeer::json(
            {{"jsonrpc", "2.0"},
             {"id", request["id"]},
             {"error",
              {{"code", -32028},
               {"message", "auth"},
               {"data", {{"adcp_error", {{"code", "AUTH_INVALID"}, {"message", "bad"}}}}}}}});
    if (scenario == QLatin1String("method-not-found"))
        return ScriptedPeer::json(
            {{"jsonrpc", "2.0"}, {"id", request["id"]}, {"error", {{"code", -32601}, {"message", "nope"}}}});
    if (scenario == QLatin1String("always-502"))
        return ScriptedPeer::Answer{502, "text/plain", "bad gateway", {}, false};
    if (scenario == QLatin1String("silent"))
        return ScriptedPeer::Answer{200, {}, {}, {}, true};
    return ScriptedPeer::Answer{500, "text/plain", "unknown scenario", {}, false};
}

// The shared folder (harness scripts); ADCP_SHARED_DIR in the environment overrides the build-time path.
QString sharedDir()
{
    const QString env = qEnvironmentVariable("ADCP_SHARED_DIR");
    return env.isEmpty() ? QStringLiteral(ADCP_SHARED_DIR) : env;
}

QString harnessDir()
{
    const QByteArray env = qgetenv("ADCP_HARNESS_DIR");
    return env.isEmpty() ? QDir::homePath() + QStringLiteral("/.cache/adcp-harness")
                         : QString::fromLocal8Bit(env);
}

} // namespace

class tst_McpTransport final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sseParser_data();
    void sseParser();
    void secretsMasked();
    void scenario_data();
    void scenario();
    void connectionRefused();
    void cancelFinishesOnce();
    void a2aCancelFinishesOnce_data();
    void a2aCancelFinishesOnce();
    void invalidRequestNotSent();
    void invalidResponseReported();
    void clientDeletedWhileValidating();
    void dialectDetection_data();
    void dialectDetection();
    void submittedTaskIsPolled();
    void clientDeletedInFinishedSlot();
    void a2aRoundTrip_data();
    void a2aRoundTrip();
    void referenceSellerFlow();
};

void tst_McpTransport::sseParser_data()
{
    QTest::addColumn<QList<QByteArray>>("chunks");
    QTest::addColumn<QList<QByteArray>>("data");

    QTest::newRow("one event") << QList<QByteArray>{"data: {}\n\n"} << QList<QByteArray>{"{}"};
    QTest::newRow("crlf split inside line end")
        << QList<QByteArray>{"data: a\r", "\n\r\n"} << QList<QByteArray>{"a"};
    QTest::newRow("multi-line data") << QList<QByteArray>{"data: a\ndata: b\n\n"}
                                     << QList<QByteArray>{"a\nb"};
    QTest::newRow("comment and event type")
        << QList<QByteArray>{": ping\n\nevent: message\nid: 7\ndata:x\n\n"} << QList<QByteArray>{"x"};
    QTest::newRow("byte by byte") << QList<QByteArray>{"d", "a", "t", "a", ":", " ", "1", "\n", "\n"}
                                  << QList<QByteArray>{"1"};
    QTest::newRow("unterminated last event") << QList<QByteArray>{"data: tail"} << QList<QByteArray>{"tail"};
    QTest::newRow("two events") << QList<QByteArray>{"data: 1\n\ndata: 2\n\n"} << QList<QByteArray>{"1", "2"};
}

void tst_McpTransport::sseParser()
{
    QFETCH(QList<QByteArray>, chunks);
    QFETCH(QList<QByteArray>, data);
    SseParser parser;
    QList<QByteArray> got;
    for (const QByteArray &chunk : chunks) {
        for (const auto &event : parser.feed(chunk))
            got.append(event.data);
    }
    for (const auto &event : parser.finish())
        got.append(event.data);
    QCOMPARE(got, data);
}

void tst_McpTransport::secretsMasked()
{
    QCOMPARE(maskHeaderValue("Authorization", "Bearer sk_live_123"), QByteArray("Bearer ****"));
    QCOMPARE(maskHeaderValue("Content-Type", "application/json"), QByteArray("application/json"));
    const json masked = maskJsonSecrets(
        {{"push_notification_config",
          {{"url", "https://x"},
           {"authentication", {{"schemes", {"Bearer"}}, {"credentials", "s3cr3t-s3cr3t"}}}}}});
    QCOMPARE(masked["push_notification_config"]["authentication"]["credentials"].get<std::string>(),
             std::string("****"));
    QCOMPARE(masked["push_notification_config"]["url"].get<std::string>(), std::string("https://x"));
}

void tst_McpTransport::scenario_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("recovery");
    QTest::addColumn<int>("initializes");
    QTest::addColumn<int>("toolCalls");

    QTest::newRow("application/json answer") << "json" << true << ""
                                             << ""
                                             << "" << 1 << 1;
    QTest::newRow("text/event-stream answer") << "sse" << true << ""
                                              << ""
                                              << "" << 1 << 1;
    QTest::newRow("text content only") << "text-only" << true << ""
                                       << ""
                                       << "" << 1 << 1;
    QTest::newRow("503 retried") << "503-then-ok" << true << ""
                                 << ""
                                 << "" << 1 << 2;
    QTest::newRow("RATE_LIMITED retried after retry_after") << "rate-limited-then-ok" << true << ""
                                                            << ""
                                                            << "" << 1 << 2;
    QTest::newRow("404 on session re-initializes once") << "session-lost" << true << ""
                                                        << ""
                                                        << "" << 2 << 2;
    QTest::newRow("isError with adcp_error") << "adcp-error" << false << "BUDGET_TOO_LOW"
                                             << "packages[0].budget"
                                             << "correctable" << 1 << 1;
    QTest::newRow("JSON-RPC error with data.adcp_error") << "jsonrpc-error" << false << "AUTH_INVALID"
                                                         << ""
                                                         << "terminal" << 1 << 1;
    QTest::newRow("JSON-RPC method not found") << "method-not-found" << false << "INVALID_REQUEST"
                                               << ""
                                               << "correctable" << 1 << 1;
    QTest::newRow("502 until retries run out") << "always-502" << false << "SERVICE_UNAVAILABLE"
                                               << ""
                                               << "transient" << 1 << 3;
    QTest::newRow("no answer times out") << "silent" << false << "SERVICE_UNAVAILABLE"
                                         << ""
                                         << "transient" << 1 << 1;
}

void tst_McpTransport::scenario()
{
    QFETCH(QString, scenario);
    QFETCH(bool, ok);
    QFETCH(QString, code);
    QFETCH(QString, field);
    QFETCH(QString, recovery);
    QFETCH(int, initializes);
    QFETCH(int, toolCalls);

    int initCount = 0;
    int callCount = 0;
    ScriptedPeer peer([&](const ScriptedPeer::Seen &seen, int) {
        const std::string method = seen.body.value("method", std::string());
        if (method == "initialize") {
            ++initCount;
            return ScriptedPeer::json(initializeResult(seen.body),
                                      {{"Mcp-Session-Id", "session-" + QByteArray::number(initCount)}});
        }
        if (method == "notifications/initialized")
            return ScriptedPeer::Answer{202, "application/json", {}, {}, false};
        return scenarioAnswer(scenario, seen.body, callCount++);
    });
    const quint16 port = peer.start();
    QVERIFY(port != 0);

    McpTransportOptions options;
    options.endpoint = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port));
    options.bearerToken = "secret-token-value";
    options.retryBaseMs = 20;
    options.maxRetries = 2;
    // A silent peer answers the handshake but never a call: only the call may time out, however slowly a
    // loaded machine gets through initialize.
    options.timeoutMs = scenario == QLatin1String("silent") ? 300 : 10000;
    options.handshakeTimeoutMs = 30000;
    McpTransport transport(options);
    QSignalSpy spy(&transport, &AgentTransport::callFinished);
    const quint64 id = transport.callTool(QStringLiteral("get_products"), {{"buying_mode", "wholesale"}});
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, 60000);
    QCOMPARE(spy.at(0).at(0).value<quint64>(), id);
    const auto outcome = *spy.at(0).at(1).value<adcp::SharedOutcome>();
    const auto meta = spy.at(0).at(2).value<TransportMeta>();

    QCOMPARE(outcome.ok(), ok);
    if (ok) {
        QCOMPARE(outcome.result["products"][0]["product_id"].get<std::string>(), std::string("p1"));
    } else {
        QCOMPARE(QString::fromStdString(outcome.error->code), code);
        QCOMPARE(QString::fromStdString(outcome.error->field.value_or("")), field);
        QCOMPARE(QString::fromStdString(std::string(toString(outcome.error->recovery))), recovery);
    }
    QCOMPARE(initCount, initializes);
    QCOMPARE(callCount, toolCalls);

    // Every tools/call carried the session of the handshake before it and the token; the log masks the token.
    for (const auto &seen : std::as_const(peer.seen)) {
        QCOMPARE(seen.header("Authorization"), QByteArray("Bearer secret-token-value"));
        if (seen.body.value("method", std::string()) == "tools/call")
            QVERIFY(seen.header("Mcp-Session-Id").startsWith("session-"));
    }
    if (initializes == 2)
        QCOMPARE(peer.seen.last().header("Mcp-Session-Id"), QByteArray("session-2"));
    QCOMPARE(transport.negotiatedProtocolVersion(), QStringLiteral("2025-06-18"));
    for (const auto &[name, value] : meta.requestHeaders) {
        if (name.compare("authorization", Qt::CaseInsensitive) == 0)
            QCOMPARE(value, QByteArray("Bearer ****"));
    }
    QVERIFY(!meta.rawRequest.contains("secret-token-value"));
}

void tst_McpTransport::connectionRefused()
{
    // A port held without listening: connections are refused, and no other program can take it meanwhile.
    const adcp::testsupport::HeldPort held;
    const quint16 port = held.port();
    QVERIFY(port != 0);
    McpTransportOptions options;
    options.endpoint = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port));
    options.retryBaseMs = 10;
    McpTransport transport(options);
    QSignalSpy spy(&transport, &AgentTransport::callFinished);
    transport.callTool(QStringLiteral("get_adcp_capabilities"), json::object());
    transport.callTool(QStringLiteral("get_products"), json::object());
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 2, 60000);
    for (const auto &args : spy) {
        const auto outcome = *args.at(1).value<adcp::SharedOutcome>();
        QVERIFY(!outcome.ok());
        QCOMPARE(outcome.error->code, std::string("SERVICE_UNAVAILABLE"));
        QVERIFY(outcome.error->recovery == Recovery::Transient);
    }
}

void tst_McpTransport::cancelFinishesOnce()
{
    ScriptedPeer peer(afterHandshake([](const ScriptedPeer::Seen &) {
        return ScriptedPeer::Answer{200, {}, {}, {}, true};
    }));
    const quint16 port = peer.start();
    McpTransportOptions options;
    options.endpoint = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port));
    McpTransport transport(options);
    QSignalSpy spy(&transport, &AgentTransport::callFinished);
    const quint64 id = transport.callTool(QStringLiteral("get_products"), json::object());
    QTRY_VERIFY_WITH_TIMEOUT(peer.seen.size() == 3, 60000); // initialize, initialized, tools/call
    transport.cancel(id);
    transport.cancel(id);
    QTRY_COMPARE(spy.count(), 1);
    QTest::qWait(50);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(1).value<adcp::SharedOutcome>()->error->code, std::string("CANCELED"));
}

// The A2A transport shares the call bookkeeping: a call canceled while it waits for the agent card, or while
// its message/send is in flight, finishes once with CANCELED, and a queued one is never sent.
void tst_McpTransport::a2aCancelFinishesOnce_data()
{
    QTest::addColumn<bool>("cardAnswered");
    QTest::newRow("queued behind the agent card") << false;
    QTest::newRow("message/send in flight") << true;
}

void tst_McpTransport::a2aCancelFinishesOnce()
{
    QFETCH(bool, cardAnswered);
    quint16 port = 0;
    ScriptedPeer peer([&](const ScriptedPeer::Seen &seen, int) {
        if (seen.method == "GET" && cardAnswered)
            return ScriptedPeer::json(
                {{"name", "scripted"}, {"url", "http://127.0.0.1:" + std::to_string(port) + "/a2a"}});
        return ScriptedPeer::Answer{200, {}, {}, {}, true};
    });
    port = peer.start();
    A2aTransportOptions options;
    options.agentUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
    A2aTransport transport(options);
    QSignalSpy spy(&transport, &AgentTransport::callFinished);
    const quint64 id = transport.callTool(QStringLiteral("get_products"), json::object());
    const int expectedRequests = cardAnswered ? 2 : 1; // card (+ message/send)
    QTRY_VERIFY_WITH_TIMEOUT(int(peer.seen.size()) == expectedRequests, 60000);
    transport.cancel(id);
    transport.cancel(id);
    QTRY_COMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<quint64>(), id);
    QCOMPARE(spy.at(0).at(1).value<adcp::SharedOutcome>()->error->code, std::string("CANCELED"));
    QTest::qWait(50);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(int(peer.seen.size()), expectedRequests);
}

void tst_McpTransport::invalidRequestNotSent()
{
    ScriptedPeer peer(afterHandshake([](const ScriptedPeer::Seen &seen) {
        return ScriptedPeer::json(toolResult(seen.body, {{"products", json::array()}}));
    }));
    const quint16 port = peer.start();
    McpTransportOptions options;
    options.endpoint = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port));
    auto schemas = SchemaRegistry::bundled();
    // The bundled schemas are part of this build: one missing is a failure.
    QVERIFY(schemas && schemas->contains("/schemas/media-buy/get-products-request.json"));
    AgentClient client(QStringLiteral("scripted"), std::make_unique<McpTransport>(options), schemas);
    // buying_mode has a closed set of values: "everything" is not one of them.
    PendingCall *call = client.getProducts({{"buying_mode", "everything"}});
    QSignalSpy finished(call, &PendingCall::finished);
    QVERIFY(finished.wait(30000));
    QCOMPARE(call->outcome().error->code, std::string("VALIDATION_ERROR"));
    QCOMPARE(call->outcome().error->field.value_or(""), std::string("buying_mode"));
    QVERIFY(call->outcome().error->recovery == Recovery::Correctable);
    QVERIFY(peer.seen.isEmpty()); // nothing went out
    QCOMPARE(client.exchangeLog().size(), 1);
    QVERIFY(!client.exchangeLog().front().requestIssues.empty());
}

// Responses are validated off the caller's thread; the issues still reach the exchange at their JSON
// Pointers, and answers finish in the order they arrived.
void tst_McpTransport::invalidResponseReported()
{
    ScriptedPeer peer(afterHandshake([](const ScriptedPeer::Seen &seen) {
        // The first product lacks its required name; the brief tells the answers apart.
        const std::string brief = seen.body["params"]["arguments"].value("brief", std::string());
        return ScriptedPeer::json(toolResult(
            seen.body, {{"products", json::array({{{"product_id", brief}, {"description", "no name"}}})}}));
    }));
    const quint16 port = peer.start();
    McpTransportOptions options;
    options.endpoint = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port));
    auto schemas = SchemaRegistry::bundled();
    // The bundled schemas are part of this build: one missing is a failure.
    QVERIFY(schemas && schemas->contains("/schemas/media-buy/get-products-response.json"));
    AgentClient client(QStringLiteral("scripted"), std::make_unique<McpTransport>(options), schemas);
    QStringList order;
    connect(&client, &AgentClient::exchangeFinished, this, [&order](const Exchange &ex) {
        const json products = ex.response.value("products", json::array());
        order << (products.empty() ? QStringLiteral("(no products)")
                                   : QString::fromStdString(products[0].value("product_id", std::string())));
    });
    PendingCall *first = client.getProducts({{"buying_mode", "brief"}, {"brief", "first"}});
    QSignalSpy firstDone(first, &PendingCall::finished);
    QVERIFY(firstDone.wait(60000));
    const ToolOutcome firstOutcome = first->outcome(); // the call object is gone once the loop runs again
    PendingCall *second = client.getProducts({{"buying_mode", "brief"}, {"brief", "second"}});
    QSignalSpy secondDone(second, &PendingCall::finished);
    QVERIFY(secondDone.wait(60000));
    QCOMPARE(order, (QStringList{QStringLiteral("first"), QStringLiteral("second")}));
    // Every request is pinned to the release the client's schemas describe.
    const json sent = peer.seen.last().body["params"]["arguments"];
    QCOMPARE(sent.value("adcp_version", std::string()), std::string(AgentClient::kAdcpVersion));
    QCOMPARE(sent.value("adcp_major_version", 0), 3);
    QVERIFY2(firstOutcome.ok(), firstOutcome.ok() ? "" : firstOutcome.error->message.c_str());
    // A response issue is reported with the exchange, not turned into a failure.
    const auto &log = client.exchangeLog();
    QCOMPARE(int(log.size()), 2);
    bool namedMissing = false;
    for (const auto &issue : log.front().responseIssues)
        namedMissing |=
            issue.pointer.rfind("/products/0", 0) == 0 && issue.message.find("name") != std::string::npos;
    QVERIFY2(namedMissing, log.front().responseIssues.empty()
                               ? "no issues"
                               : log.front().responseIssues.front().message.c_str());
}

// Destroying the client while a response is being validated neither crashes nor delivers to the dead client.
void tst_McpTransport::clientDeletedWhileValidating()
{
    ScriptedPeer peer(afterHandshake([](const ScriptedPeer::Seen &seen) {
        json products = json::array();
        for (int i = 0; i < 200; ++i)
            products.push_back({{"product_id", QStringLiteral("p%1").arg(i).toStdString()}});
        return ScriptedPeer::json(toolResult(seen.body, {{"products", products}}));
    }));
    const quint16 port = peer.start();
    McpTransportOptions options;
    options.endpoint = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port));
    auto client = std::make_unique<AgentClient>(
        QStringLiteral("scripted"), std::make_unique<McpTransport>(options), SchemaRegistry::bundled());
    int delivered = 0;
    connect(client.get(), &AgentClient::exchangeFinished, this, [&delivered] { ++delivered; });
    for (int i = 0; i < 5; ++i)
        client->getProducts({{"buying_mode", "wholesale"}});
    // Wait until the answers are in (the peer saw every call), then drop the client mid-validation.
    QTRY_VERIFY_WITH_TIMEOUT(peer.seen.size() >= 7, 60000);
    client.reset();
    QTest::qWait(50);
    QVERIFY(delivered <= 5);
}

void tst_McpTransport::dialectDetection_data()
{
    QTest::addColumn<QByteArray>("capabilities");
    QTest::addColumn<int>("dialect");
    QTest::addColumn<int>("supported");

    QTest::newRow("3.0 seller") << QByteArray(R"({"supported_protocols":["media_buy"],"media_buy":{}})")
                                << int(Dialect::Facade) << 1;
    QTest::newRow("versioned facade")
        << QByteArray(
               R"({"supported_protocols":["media_buy"],"media_buy":{"buying_modes":["brief","refine","open"]}})")
        << int(Dialect::VersionedFacade) << 2;
    QTest::newRow("compact tools")
        << QByteArray(
               R"({"supported_protocols":["media_buy"],"media_buy":{"lifecycle_tools":["request_proposals","refine_proposals"]}})")
        << int(Dialect::Compact) << 2;
    QTest::newRow("workbench seller declaring its dialects")
        << QByteArray(
               R"({"supported_protocols":["media_buy"],"media_buy":{"buying_modes":["brief","refine"]},)"
               R"("ext":{"workbench":{"dialects":["facade","versioned"]}}})")
        << int(Dialect::VersionedFacade) << 2;
    QTest::newRow("versioned and compact: compact preferred")
        << QByteArray(
               R"({"supported_protocols":["media_buy"],"media_buy":{"buying_modes":["brief","refine","open"],)"
               R"("lifecycle_tools":["request_proposals","refine_proposals","decline_proposals","accept_proposal"]}})")
        << int(Dialect::Compact) << 3;
    QTest::newRow("workbench seller declaring all three")
        << QByteArray(
               R"({"supported_protocols":["media_buy"],"media_buy":{"buying_modes":["brief","refine"]},)"
               R"("ext":{"workbench":{"dialects":["facade","versioned","compact"]}}})")
        << int(Dialect::Compact) << 3;
    QTest::newRow("no media buy") << QByteArray(R"({"supported_protocols":["signals"]})")
                                  << int(Dialect::Unknown) << 0;
}

void tst_McpTransport::dialectDetection()
{
    QFETCH(QByteArray, capabilities);
    QFETCH(int, dialect);
    QFETCH(int, supported);
    QList<Dialect> all;
    QCOMPARE(int(AgentClient::dialectFromCapabilities(json::parse(capabilities.toStdString()), &all)),
             dialect);
    QCOMPARE(int(all.size()), supported);
}

// create_media_buy answers `submitted`; the client polls get_task_status until the task completes and the
// PendingCall finishes with the buy. Every poll is its own exchange in the log.
void tst_McpTransport::submittedTaskIsPolled()
{
    int polls = 0;
    ScriptedPeer peer(afterHandshake([&](const ScriptedPeer::Seen &seen) {
        const std::string tool = seen.body["params"]["name"].get<std::string>();
        if (tool == "create_media_buy")
            return ScriptedPeer::json(
                toolResult(seen.body, {{"status", "submitted"}, {"task_id", "task-7"}}));
        ++polls;
        if (seen.body["params"]["arguments"]["task_id"] != "task-7")
            return ScriptedPeer::json(
                toolError(seen.body, {{"code", "REFERENCE_NOT_FOUND"}, {"message", "?"}}));
        if (polls < 3)
            return ScriptedPeer::json(toolResult(seen.body, {{"task_id", "task-7"}, {"status", "working"}}));
        return ScriptedPeer::json(toolResult(
            seen.body,
            {{"task_id", "task-7"}, {"status", "completed"}, {"result", {{"media_buy_id", "mb-42"}}}}));
    }));
    const quint16 port = peer.start();
    McpTransportOptions options;
    options.endpoint = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port));
    AgentClient client(QStringLiteral("scripted"), std::make_unique<McpTransport>(options), nullptr);
    client.setTaskPolling(true, 20);
    QSignalSpy exchanges(&client, &AgentClient::exchangeFinished);
    PendingCall *call = client.createMediaBuy({{"proposal_id", "p1"}});
    QSignalSpy finished(call, &PendingCall::finished);
    QVERIFY(finished.wait(60000));
    QVERIFY(call->outcome().ok());
    QCOMPARE(call->outcome().result["media_buy_id"].get<std::string>(), std::string("mb-42"));
    QCOMPARE(polls, 3);
    QCOMPARE(exchanges.count(), 4);
    // The mutating call got an idempotency key the caller did not have to invent.
    const auto log = client.exchangeLog();
    QVERIFY(log.front().request["idempotency_key"].get<std::string>().size() >= 16);
}

// Closing an agent from the slot that receives its last answer is what a window does; nothing may crash.
void tst_McpTransport::clientDeletedInFinishedSlot()
{
    ScriptedPeer peer(afterHandshake([](const ScriptedPeer::Seen &seen) {
        return ScriptedPeer::sse(toolResult(seen.body, {{"adcp", json::object()}}));
    }));
    const quint16 port = peer.start();
    McpTransportOptions options;
    options.endpoint = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port));
    auto *client =
        new AgentClient(QStringLiteral("scripted"), std::make_unique<McpTransport>(options), nullptr);
    QPointer<AgentClient> guard(client);
    bool ok = false;
    PendingCall *call = client->getAdcpCapabilities();
    connect(call, &PendingCall::finished, this, [&ok, call, client] {
        ok = call->outcome().ok();
        delete client;
    });
    QTRY_VERIFY_WITH_TIMEOUT(guard.isNull(), 60000);
    QVERIFY(ok);
    QTest::qWait(20);
}

void tst_McpTransport::a2aRoundTrip_data()
{
    QTest::addColumn<bool>("v1");
    QTest::addColumn<bool>("failed");
    QTest::addColumn<bool>("profileCard"); // the card advertises the AdCP A2A profile v3 on a 1.0 interface
    QTest::newRow("A2A 0.3 completed") << false << false << false;
    QTest::newRow("A2A 0.3 failed with adcp_error") << false << true << false;
    QTest::newRow("A2A 1.0 completed") << true << false << false;
    QTest::newRow("A2A 1.0 failed with adcp_error") << true << true << false;
    QTest::newRow("AdCP profile v3 completed") << true << false << true;
    QTest::newRow("AdCP profile v3 failed with adcp_error") << true << true << true;
}

void tst_McpTransport::a2aRoundTrip()
{
    QFETCH(bool, v1);
    QFETCH(bool, failed);
    QFETCH(bool, profileCard);
    const std::string extension = "https://adcontextprotocol.org/extensions/adcp/v3";
    quint16 port = 0;
    ScriptedPeer peer([&](const ScriptedPeer::Seen &seen, int) {
        if (seen.method == "GET" && profileCard)
            return ScriptedPeer::json(
                {{"name", "scripted"},
                 {"supportedInterfaces",
                  {{{"url", "http://127.0.0.1:" + std::to_string(port) + "/rpc"},
                    {"protocolBinding", "JSONRPC"},
                    {"protocolVersion", "1.0"}}}},
                 {"capabilities", {{"extensions", {{{"uri", extension}, {"required", true}}}}}}});
        if (seen.method == "GET")
            return ScriptedPeer::json(
                {{"name", "scripted"}, {"url", "http://127.0.0.1:" + std::to_string(port) + "/a2a"}});
        const json data = failed ? json{{"adcp_error", {{"code", "MEDIA_BUY_NOT_FOUND"}, {"message", "no"}}}}
                                 : json{{"media_buy_id", "mb1"}};
        json part = {{"data", data}};
        if (!v1)
            part["kind"] = "data";
        json task = {{"id", "t1"},
                     {"status",
                      {{"state", v1 ? (failed ? "TASK_STATE_FAILED" : "TASK_STATE_COMPLETED")
                                    : (failed ? "failed" : "completed")}}},
                     {"artifacts", json::array({{{"parts", json::array({part})}}})}};
        return ScriptedPeer::json(
            {{"jsonrpc", "2.0"}, {"id", seen.body["id"]}, {"result", v1 ? json{{"task", task}} : task}});
    });
    port = peer.start();
    A2aTransportOptions options;
    options.agentUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
    A2aTransport transport(options);
    QSignalSpy spy(&transport, &AgentTransport::callFinished);
    transport.callTool(QStringLiteral("get_media_buys"), {{"media_buy_ids", {"mb1"}}});
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, 60000);
    const auto outcome = *spy.at(0).at(1).value<adcp::SharedOutcome>();
    QCOMPARE(outcome.ok(), !failed);
    if (failed)
        QCOMPARE(outcome.error->code, std::string("MEDIA_BUY_NOT_FOUND"));
    else
        QCOMPARE(outcome.result["media_buy_id"].get<std::string>(), std::string("mb1"));
    QCOMPARE(peer.seen.size(), 2);
    QCOMPARE(peer.seen[0].path, QByteArray("/.well-known/agent-card.json"));
    QCOMPARE(transport.profileV3(), profileCard);
    // A 3.2 card gets the activated {skill, input}; any other card the 3.0/3.1 {skill, parameters}.
    const json &sent = peer.seen[1].body;
    QCOMPARE(peer.seen[1].path, QByteArray(profileCard ? "/rpc" : "/a2a"));
    QCOMPARE(peer.seen[1].header("A2A-Extensions"),
             profileCard ? QByteArray::fromStdString(extension) : QByteArray());
    QCOMPARE(sent["method"].get<std::string>(), std::string(profileCard ? "SendMessage" : "message/send"));
    const json &parts = sent["params"]["message"]["parts"];
    QCOMPARE(parts.size(), size_t(1));
    QCOMPARE(parts[0]["data"].size(), size_t(2));
    QCOMPARE(parts[0]["data"]["skill"].get<std::string>(), std::string("get_media_buys"));
    const char *arguments = profileCard ? "input" : "parameters";
    QCOMPARE(parts[0]["data"][arguments]["media_buy_ids"][0].get<std::string>(), std::string("mb1"));
}

// brief → finalize → create → delivery through AgentClient over MCP against the SDK's guaranteed example
// seller.
void tst_McpTransport::referenceSellerFlow()
{
    const QString harness = harnessDir();
    if (!QFile::exists(harness + QStringLiteral("/sdk/node_modules/@adcp/sdk/bin/adcp.js")))
        QSKIP("AdCP conformance harness not installed (run ../shared/harness/install.sh)");
    const QString script = sharedDir() + QStringLiteral("/harness/ref-seller.sh");
    if (!QFile::exists(script))
        QSKIP("ref-seller.sh not found (set ADCP_SHARED_DIR to the shared folder)");
    bool startedHere = false;
    auto stop = qScopeGuard([&] {
        if (startedHere)
            QProcess::execute(QStringLiteral("bash"), {script, QStringLiteral("stop")});
    });
    {
        // On loopback a connection is accepted or refused at once; the timeout is only a safety net.
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, 3004);
        if (!probe.waitForConnected(30000)) {
            // The harness is installed, so a seller that does not come up is a failure, not a skip.
            QProcess start;
            start.setProcessChannelMode(QProcess::MergedChannels);
            startedHere = true; // stopped again even when it fails to come up
            start.start(QStringLiteral("bash"), {script, QStringLiteral("start")});
            const bool finished = start.waitForFinished(300000);
            QVERIFY2(finished && start.exitStatus() == QProcess::NormalExit && start.exitCode() == 0,
                     qPrintable(QStringLiteral("the reference seller did not start: ") +
                                QString::fromLocal8Bit(start.readAll())));
        }
    }
    // The script waits for the seller only; the seller resolves accounts through its mock ad server (port
    // 4450), which may still be starting: a create before it listens fails "Account resolution failed".
    QTRY_VERIFY_WITH_TIMEOUT(
        [] {
            QTcpSocket mock;
            mock.connectToHost(QHostAddress::LocalHost, 4450);
            return mock.waitForConnected(1000);
        }(),
        60000);

    McpTransportOptions options;
    options.endpoint = QUrl(QStringLiteral("http://127.0.0.1:3004/mcp"));
    options.bearerToken = "sk_harness_do_not_use_in_prod";
    AgentClient client(QStringLiteral("reference"), std::make_unique<McpTransport>(options),
                       SchemaRegistry::bundled());
    client.setTaskPolling(true, 500);
    auto run = [&](PendingCall *call) -> ToolOutcome {
        QSignalSpy finished(call, &PendingCall::finished);
        if (!finished.wait(60000))
            return ToolOutcome::failure(AdcpError::make("TEST_TIMEOUT", "no answer"));
        return call->outcome();
    };

    const auto caps = run(client.getAdcpCapabilities());
    QVERIFY2(caps.ok(), caps.ok() ? "" : caps.error->message.c_str());
    QVERIFY(client.dialect() != Dialect::Unknown);

    const json brand = {{"domain", "acmeoutdoor.example"}};
    const auto brief = run(client.getProducts({{"buying_mode", "brief"},
                                               {"brief", "Premium video for outdoor gear, US, next month"},
                                               {"brand", brand}}));
    QVERIFY2(brief.ok(), brief.ok() ? "" : brief.error->message.c_str());
    QVERIFY(brief.result.contains("products"));
    QVERIFY(!brief.result["products"].empty());

    json create;
    if (brief.result.contains("proposals") && !brief.result["proposals"].empty()) {
        const std::string proposalId = brief.result["proposals"][0]["proposal_id"].get<std::string>();
        const auto finalized = run(client.getProducts(
            {{"buying_mode", "refine"},
             {"brand", brand},
             {"refine",
              json::array({{{"scope", "proposal"}, {"proposal_id", proposalId}, {"action", "finalize"}}})}}));
        QVERIFY2(finalized.ok(), finalized.ok() ? "" : finalized.error->message.c_str());
        create = {{"proposal_id", proposalId}, {"total_budget", {{"amount", 50000}, {"currency", "USD"}}}};
    } else {
        // A 3.0 seller without proposals: the refine step narrows to the product that will be bought.
        const json &product = brief.result["products"][0];
        const auto refined = run(client.getProducts(
            {{"buying_mode", "refine"},
             {"brand", brand},
             {"refine",
              json::array(
                  {{{"scope", "product"}, {"product_id", product["product_id"]}, {"action", "include"}}})}}));
        QVERIFY2(refined.ok(), refined.ok() ? "" : refined.error->message.c_str());
        QVERIFY(!refined.result["products"].empty());
        create = {{"packages",
                   json::array({{{"product_id", product["product_id"]},
                                 {"pricing_option_id", product["pricing_options"][0]["pricing_option_id"]},
                                 {"budget", 50000}}})}};
    }
    const QDateTime start = QDateTime::currentDateTimeUtc().addDays(2);
    create["brand"] = brand;
    create["account"] = {{"brand", brand}, {"operator", "acmeoutdoor.example"}};
    create["start_time"] = start.toString(Qt::ISODate).toStdString();
    create["end_time"] = start.addDays(30).toString(Qt::ISODate).toStdString();
    // The reference seller resolves the account through its mock ad server; on a loaded machine that lookup
    // can fail as SERVICE_UNAVAILABLE (transient). A client retries a transient failure under the same
    // idempotency key, as the spec asks, so the buy is made at most once.
    create["idempotency_key"] = QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    ToolOutcome created = run(client.createMediaBuy(create));
    for (int attempt = 1; attempt < 4 && !created.ok() && created.error->recovery == Recovery::Transient;
         ++attempt)
        created = run(client.createMediaBuy(create));
    QVERIFY2(created.ok(), created.ok() ? "" : created.error->message.c_str());
    QVERIFY(created.result.contains("media_buy_id"));
    const std::string mediaBuyId = created.result["media_buy_id"].get<std::string>();

    const auto delivery = run(client.getMediaBuyDelivery(
        {{"account", create["account"]}, {"media_buy_ids", json::array({mediaBuyId})}}));
    QVERIFY2(delivery.ok(), delivery.ok() ? "" : delivery.error->message.c_str());
    QVERIFY(delivery.result.contains("media_buy_deliveries"));

    // A create that went `submitted` was followed up by polling until the buy existed.
    bool submitted = false;
    int polls = 0;
    for (const auto &exchange : client.exchangeLog()) {
        if (exchange.tool == QLatin1String("create_media_buy"))
            submitted = exchange.response.value("status", std::string()) == "submitted";
        if (exchange.tool == QLatin1String("tasks_get") || exchange.tool == QLatin1String("get_task_status"))
            ++polls;
    }
    if (submitted)
        QVERIFY(polls > 0);
    qInfo("reference seller: create_media_buy %s, %d poll(s)", submitted ? "submitted" : "synchronous",
          polls);

    // Our own requests were valid against the bundled schemas on every exchange.
    for (const auto &exchange : client.exchangeLog()) {
        if (!exchange.requestIssues.empty()) {
            const auto &issue = exchange.requestIssues.front();
            QFAIL(qPrintable(exchange.tool + QStringLiteral(": ") + QString::fromStdString(issue.pointer) +
                             QLatin1Char(' ') + QString::fromStdString(issue.message)));
        }
    }
}

QTEST_GUILESS_MAIN(tst_McpTransport)
#include "tst_mcptransport.moc"
