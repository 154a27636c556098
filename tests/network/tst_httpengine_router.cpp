// The seller's socket-free HTTP core (SellerRouter) fed parsed requests directly, as the fuzz harnesses do:
// hostile JSON-RPC and A2A input is answered (never thrown), each time followed by a valid call on the same
// router; tenancy of A2A tasks and MCP sessions; session expiry on an injected clock; the in-flight cap.
#include "testseller.h"
#include "dispatcher.h"
#include "sellercontext.h"
#include "server/mcpendpoint.h"
#include "server/rpcwire.h"
#include "server/sellerrouter.h"

#include <QTemporaryDir>
#include <QTest>

#include <deque>

using namespace adcp::seller;
using nlohmann::json;

namespace {

HttpRequest routerPost(const std::string &path, std::string body, const std::string &token = "router-token-1")
{
    HttpRequest r;
    r.method = "POST";
    r.target = path;
    r.peer = "127.0.0.1";
    r.headers = {{"Host", "127.0.0.1:3000"},
                 {"Content-Type", "application/json"},
                 {"Accept", "application/json, text/event-stream"}};
    if (!token.empty())
        r.headers.emplace_back("Authorization", "Bearer " + token);
    r.body = std::move(body);
    return r;
}

std::string routerRpc(const std::string &method, const json &params = json::object(), const json &id = 1)
{
    return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump();
}

json routerJson(const HttpResponse &response)
{
    return json::parse(response.body, nullptr, false);
}

std::string routerHeader(const HttpResponse &response, const std::string &name)
{
    for (const auto &[key, value] : response.headers) {
        if (httpHeaderNameEquals(key, name))
            return value;
    }
    return {};
}

} // namespace

class tst_HttpEngineRouter final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void hostileInput_data();
    void hostileInput();
    void nestingDepthLimit();
    void nullOriginIsForeign();
    void a2aTasksBelongToTheirPrincipal();
    void sessionFloodKeepsOtherPrincipalsSessions();
    void sessionsExpireAndDeleteEnds();
    void textCopyEscapedLikeTheSerializer_data();
    void textCopyEscapedLikeTheSerializer();
    void inFlightCapAnswers429();

private:
    std::unique_ptr<SellerRouter> makeRouter(SellerServerOptions options = {},
                                             SellerRouter::RunOnWorker runOnWorker = {}) const
    {
        BearerAuth auth;
        auth.addToken("router-token-1", Principal{"buyer-1", true});
        auth.addToken("router-token-2", Principal{"buyer-2", true});
        return std::make_unique<SellerRouter>(m_dispatcher, std::move(auth), std::move(options),
                                              std::move(runOnWorker));
    }
    // A valid call still works on this router.
    static bool stillServes(SellerRouter &router)
    {
        const HttpResponse r = router.handleNow(routerPost(
            "/mcp", routerRpc("tools/call", {{"name", "get_adcp_capabilities"}, {"arguments", json::object()}})));
        const json message = routerJson(r);
        return r.status == 200 && message.is_object() && message.contains("result");
    }

    QTemporaryDir m_dir;
    std::shared_ptr<Dispatcher> m_dispatcher;
};

void tst_HttpEngineRouter::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QString error;
    m_dispatcher = openTestSeller(m_dir, &error);
    QVERIFY2(m_dispatcher, qPrintable(error));
}

void tst_HttpEngineRouter::hostileInput_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("versionHeader");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("rpcError"); // 0 = a result is expected

    QTest::newRow("jsonrpc is the number 2") << QByteArray("/mcp") << QByteArray(R"({"jsonrpc":2,"id":1,"method":"ping"})")
                                             << QByteArray() << 400 << -32600;
    QTest::newRow("initialize with a numeric protocolVersion")
        << QByteArray("/mcp")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":20250618}})")
        << QByteArray() << 200 << 0;
    QTest::newRow("MCP-Protocol-Version not UTF-8")
        << QByteArray("/mcp") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"ping"})") << QByteArray("\xff\xfe\x80")
        << 400 << -32600;
    QTest::newRow("id is an object") << QByteArray("/mcp") << QByteArray(R"({"jsonrpc":"2.0","id":{},"method":"ping"})")
                                     << QByteArray() << 400 << -32600;
    QTest::newRow("tools/call name is a number")
        << QByteArray("/mcp") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":5}})")
        << QByteArray() << 200 << -32602;
    QTest::newRow("A2A tasks/get with a numeric id")
        << QByteArray("/a2a") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"id":42}})")
        << QByteArray() << 200 << -32001;
    QTest::newRow("A2A message/send with a numeric contextId")
        << QByteArray("/a2a")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"message/send","params":{"message":{"contextId":7,)"
                      R"("parts":[{"kind":"data","data":{"skill":"get_adcp_capabilities","input":{}}}]}}})")
        << QByteArray() << 200 << 0;
    QTest::newRow("A2A method is a number") << QByteArray("/a2a") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":3})")
                                            << QByteArray() << 400 << -32600;
    QTest::newRow("A2A skill is an object")
        << QByteArray("/a2a")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"message/send","params":{"message":{"parts":)"
                      R"([{"data":{"skill":{}}}]}}})")
        << QByteArray() << 200 << -32602;
}

void tst_HttpEngineRouter::hostileInput()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, versionHeader);
    QFETCH(int, status);
    QFETCH(int, rpcError);
    auto router = makeRouter();
    HttpRequest request = routerPost(path.toStdString(), body.toStdString());
    if (!versionHeader.isEmpty())
        request.headers.emplace_back("MCP-Protocol-Version", versionHeader.toStdString());
    const HttpResponse response = router->handleNow(request);
    QCOMPARE(response.status, status);
    const json message = routerJson(response);
    QVERIFY2(message.is_object(), response.body.c_str());
    if (rpcError == 0) {
        QVERIFY2(message.contains("result"), response.body.c_str());
        // A contextId that was not a string is replaced by one of the seller's own.
        if (path == "/a2a")
            QVERIFY(message["result"]["contextId"].is_string());
    } else {
        QCOMPARE(message["error"]["code"].get<int>(), rpcError);
    }
    QVERIFY(stillServes(*router));
}

void tst_HttpEngineRouter::nestingDepthLimit()
{
    auto router = makeRouter();
    const std::string deep = std::string(65, '[') + std::string(65, ']');
    const std::string call = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":)" + deep + "}}";
    const HttpResponse mcp = router->handleNow(routerPost("/mcp", call));
    QCOMPARE(mcp.status, 400);
    QCOMPARE(routerJson(mcp)["error"]["code"].get<int>(), -32700);
    const HttpResponse a2a = router->handleNow(routerPost("/a2a", call));
    QCOMPARE(routerJson(a2a)["error"]["code"].get<int>(), -32700);
    // Brackets inside strings are not nesting.
    const std::string quoted =
        R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":")" + std::string(200, '[') + "\"}}";
    QCOMPARE(router->handleNow(routerPost("/mcp", quoted)).status, 200);
    QVERIFY(stillServes(*router));
}

void tst_HttpEngineRouter::nullOriginIsForeign()
{
    auto router = makeRouter();
    HttpRequest request = routerPost("/mcp", routerRpc("ping"));
    request.headers.emplace_back("Origin", "null");
    QCOMPARE(router->handleNow(request).status, 403);
    request.headers.back().second = "http://localhost:3000";
    QCOMPARE(router->handleNow(request).status, 200);
}

void tst_HttpEngineRouter::a2aTasksBelongToTheirPrincipal()
{
    auto router = makeRouter();
    const json part = {{"kind", "data"}, {"data", {{"skill", "get_adcp_capabilities"}, {"input", json::object()}}}};
    json send;
    send["message"]["parts"] = json::array({part});
    const json created = routerJson(router->handleNow(routerPost("/a2a", routerRpc("message/send", send))));
    const std::string taskId = created["result"]["id"].get<std::string>();
    QVERIFY(!taskId.empty());
    const HttpResponse own = router->handleNow(routerPost("/a2a", routerRpc("tasks/get", {{"id", taskId}})));
    QCOMPARE(routerJson(own)["result"]["id"].get<std::string>(), taskId);
    // Another principal asking for it gets exactly the answer an unknown id gets.
    const HttpResponse foreign =
        router->handleNow(routerPost("/a2a", routerRpc("tasks/get", {{"id", taskId}}), "router-token-2"));
    const HttpResponse unknown =
        router->handleNow(routerPost("/a2a", routerRpc("tasks/get", {{"id", "no-such-task"}}), "router-token-2"));
    QCOMPARE(routerJson(foreign)["error"]["code"].get<int>(), -32001);
    QCOMPARE(foreign.body, unknown.body);
}

void tst_HttpEngineRouter::sessionFloodKeepsOtherPrincipalsSessions()
{
    SellerServerOptions options;
    options.maxSessionsPerPrincipal = 2;
    options.maxSessions = 4;
    auto router = makeRouter(options);
    const auto open = [&router](const std::string &token) {
        const HttpResponse r = router->handleNow(routerPost("/mcp", routerRpc("initialize", json::object()), token));
        return routerHeader(r, "Mcp-Session-Id");
    };
    const auto ping = [&router](const std::string &token, const std::string &session) {
        HttpRequest r = routerPost("/mcp", routerRpc("ping"), token);
        r.headers.emplace_back("Mcp-Session-Id", session);
        return router->handleNow(r).status;
    };
    const std::string victim = open("router-token-2");
    QVERIFY(!victim.empty());
    const std::string firstOwn = open("router-token-1");
    for (int i = 0; i < 50; ++i)
        QVERIFY(!open("router-token-1").empty());
    QCOMPARE(ping("router-token-2", victim), 200);
    // The flooding principal lost its own oldest session, nobody else's.
    QCOMPARE(ping("router-token-1", firstOwn), 404);
    QCOMPARE(router->sessionCount(), 3);
}

void tst_HttpEngineRouter::sessionsExpireAndDeleteEnds()
{
    auto clock = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::time_point{});
    SellerServerOptions options;
    options.sessionIdleTtl = std::chrono::minutes(10);
    options.now = [clock] { return *clock; };
    auto router = makeRouter(options);
    const auto open = [&router] {
        return routerHeader(router->handleNow(routerPost("/mcp", routerRpc("initialize", json::object()))),
                            "Mcp-Session-Id");
    };
    const auto withSession = [](HttpRequest r, const std::string &session) {
        r.headers.emplace_back("Mcp-Session-Id", session);
        return r;
    };
    const std::string session = open();
    *clock += std::chrono::minutes(9);
    QCOMPARE(router->handleNow(withSession(routerPost("/mcp", routerRpc("ping")), session)).status, 200);
    *clock += std::chrono::minutes(11);
    QCOMPARE(router->handleNow(withSession(routerPost("/mcp", routerRpc("ping")), session)).status, 404);

    const std::string second = open();
    HttpRequest end = withSession(routerPost("/mcp", {}), second);
    end.method = "DELETE";
    QCOMPARE(router->handleNow(end).status, 200);
    QCOMPARE(router->handleNow(end).status, 404);
    QCOMPARE(router->handleNow(withSession(routerPost("/mcp", routerRpc("ping")), second)).status, 404);
}

void tst_HttpEngineRouter::inFlightCapAnswers429()
{
    // Tool calls wait in this queue until the test runs them, so "in flight" is an explicit state.
    auto queue = std::make_shared<std::deque<std::function<void()>>>();
    SellerServerOptions options;
    options.maxInFlightPerPrincipal = 1;
    auto router = makeRouter(options, [queue](std::function<void()> work) { queue->push_back(std::move(work)); });
    std::optional<HttpResponse> first;
    router->handle(routerPost("/mcp", routerRpc("tools/call", {{"name", "get_adcp_capabilities"},
                                                               {"arguments", json::object()}})),
                   [&first](HttpResponse r) { first = std::move(r); });
    QVERIFY(!first);
    QCOMPARE(router->inFlight("buyer-1"), 1);
    const HttpResponse refused = router->handleNow(routerPost("/mcp", routerRpc("ping")));
    QCOMPARE(refused.status, 429);
    QVERIFY(!routerHeader(refused, "Retry-After").empty());
    // Another principal has its own share.
    QCOMPARE(router->handleNow(routerPost("/mcp", routerRpc("ping"), "router-token-2")).status, 200);
    QCOMPARE(int(queue->size()), 1);
    queue->front()();
    queue->pop_front();
    QVERIFY(first);
    QCOMPARE(first->status, 200);
    QCOMPARE(router->inFlight("buyer-1"), 0);
    QCOMPARE(router->handleNow(routerPost("/mcp", routerRpc("ping"))).status, 200);
}

void tst_HttpEngineRouter::textCopyEscapedLikeTheSerializer_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("plain") << QByteArray("video for outdoor gear");
    QTest::newRow("quotes and backslashes") << QByteArray(R"({"a":"b\\c","d":"\"e\""})");
    static const char controls[] = "tab\tnew\nline\rcr\bbs\fff\x01\x1f";
    QTest::newRow("control characters") << QByteArray(controls, sizeof controls - 1);
    QTest::newRow("UTF-8") << QByteArray("caf\xc3\xa9 \xe2\x82\xac 100 \xf0\x9f\x8e\xac");
    QTest::newRow("empty") << QByteArray();
}

// The MCP text copy is the structured result's bytes escaped in one pass; they must be exactly what the JSON
// serializer writes for that string, and the whole message must parse back to the same result twice.
void tst_HttpEngineRouter::textCopyEscapedLikeTheSerializer()
{
    QFETCH(QByteArray, text);
    const std::string value = text.toStdString();
    std::string escaped;
    rpcwire::appendJsonString(escaped, value);
    QCOMPARE(QByteArray::fromStdString(escaped), QByteArray::fromStdString(json(value).dump()));

    const json result = {{"note", value}, {"n", 1}};
    const json message = json::parse(McpEndpoint::successMessage(7, result));
    QCOMPARE(message["id"].get<int>(), 7);
    QVERIFY(message["result"]["structuredContent"] == result);
    QVERIFY(json::parse(message["result"]["content"][0]["text"].get<std::string>()) == result);
    QCOMPARE(message["result"]["isError"].get<bool>(), false);
}

QTEST_GUILESS_MAIN(tst_HttpEngineRouter)
#include "tst_httpengine_router.moc"
