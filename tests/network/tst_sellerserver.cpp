// The seller's MCP/A2A face over real loopback sockets (the Beast engine), and the buyer's AgentClient
// driving our own seller over MCP, A2A and in-process.
#include "agentclient.h"
#include "dispatcher.h"
#include "sellercontext.h"
#include "server/inprocesstransport.h"
#include "server/sellerhttpserver.h"
#include "testseller.h"
#include "transports/a2atransport.h"
#include "transports/mcptransport.h"
#include "wire/jsonread.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace adcp;
using namespace adcp::seller;
using nlohmann::json;

using HeaderPairs = QList<QPair<QByteArray, QByteArray>>;

namespace {

const QByteArray kToken = "test-token-buyer-1";

struct HttpAnswer
{
    int status = 0;
    QByteArray contentType;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    json message; // the JSON-RPC message (from JSON or the first SSE event)

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &[k, v] : headers) {
            if (k.compare(name, Qt::CaseInsensitive) == 0)
                return v;
        }
        return {};
    }
};

HttpAnswer send(QNetworkAccessManager &network, const QByteArray &verb, const QUrl &url,
                const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QNetworkRequest request(url);
    for (const auto &[k, v] : headers)
        request.setRawHeader(k, v);
    QNetworkReply *reply = network.sendCustomRequest(request, verb, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished() && !finished.wait(30000))
        return {};
    HttpAnswer a;
    a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    a.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    a.body = reply->readAll();
    a.headers = reply->rawHeaderPairs();
    QByteArray text = a.body;
    if (a.contentType.startsWith("text/event-stream")) {
        const qsizetype data = text.indexOf("data: ");
        text = data < 0 ? QByteArray() : text.mid(data + 6, text.indexOf('\n', data) - data - 6);
    }
    a.message = json::parse(text.constBegin(), text.constEnd(), nullptr, false);
    reply->deleteLater();
    return a;
}

QByteArray rpc(const std::string &method, const json &params = json::object(), int id = 1)
{
    return QByteArray::fromStdString(
        json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump());
}

// The first schema issue over all exchanges, requests and responses (empty when none): the client pins the
// release its schemas describe, so our own seller's answers must pass them too.
QString firstIssue(const AgentClient &client)
{
    for (const auto &exchange : client.exchangeLog()) {
        if (!exchange.requestIssues.empty())
            return exchange.tool + QStringLiteral(" request ") +
                   QString::fromStdString(exchange.requestIssues.front().pointer + " " +
                                          exchange.requestIssues.front().message);
        if (!exchange.responseIssues.empty())
            return exchange.tool + QStringLiteral(" response ") +
                   QString::fromStdString(exchange.responseIssues.front().pointer + " " +
                                          exchange.responseIssues.front().message);
    }
    return {};
}

ToolOutcome run(PendingCall *call)
{
    QSignalSpy finished(call, &PendingCall::finished);
    if (!finished.wait(60000))
        return ToolOutcome::failure(AdcpError::make("TEST_TIMEOUT", "no answer"));
    return call->outcome();
}

} // namespace

class tst_SellerServer final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void protocol_data();
    void protocol();
    void sessionLifecycle();
    void toolsListDescribesEveryTool();
    void toolsCallCarriesStructuredContentAndText();
    void productsAnswerIsTheDispatchersAnswer_data();
    void productsAnswerIsTheDispatchersAnswer();
    void idempotencyConflictEnvelope();
    void clientGoneBeforeAnswer();
    void agentCard();
    void clientFlow_data();
    void clientFlow();

private:
    QUrl mcpUrl() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(m_port)); }
    QList<QPair<QByteArray, QByteArray>> baseHeaders() const
    {
        return {{"Content-Type", "application/json"},
                {"Accept", "application/json, text/event-stream"},
                {"Authorization", "Bearer " + kToken}};
    }

    QTemporaryDir m_dir;
    std::shared_ptr<Dispatcher> m_dispatcher;
    std::unique_ptr<SellerHttpServer> m_server;
    quint16 m_port = 0;
    QNetworkAccessManager m_network;
};

void tst_SellerServer::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QString error;
    m_dispatcher = openTestSeller(m_dir, &error);
    QVERIFY2(m_dispatcher, qPrintable(error));
    BearerAuth auth;
    auth.addToken(kToken, Principal{"buyer-1", true});
    SellerServerOptions serverOptions;
    serverOptions.maxBodyBytes = 64 * 1024;
    m_server = std::make_unique<SellerHttpServer>(m_dispatcher, std::move(auth), serverOptions);
    m_port = m_server->listen(QHostAddress::LocalHost, 0);
    QVERIFY(m_port != 0);
}

void tst_SellerServer::cleanupTestCase()
{
    m_server.reset();
    m_dispatcher.reset();
}

void tst_SellerServer::protocol_data()
{
    QTest::addColumn<QByteArray>("verb");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<HeaderPairs>("headers"); // replace the defaults by name
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("rpcError"); // 0 = a result is expected, -1 = no JSON-RPC body
    QTest::addColumn<QByteArray>("contentType");

    using H = HeaderPairs;
    const json init = {{"protocolVersion", "2025-06-18"},
                       {"capabilities", json::object()},
                       {"clientInfo", {{"name", "t"}, {"version", "1"}}}};
    QTest::newRow("initialize") << QByteArray("POST") << rpc("initialize", init) << H{} << 200 << 0
                                << QByteArray("application/json");
    QTest::newRow("ping") << QByteArray("POST") << rpc("ping") << H{} << 200 << 0
                          << QByteArray("application/json");
    QTest::newRow("SSE when only event-stream is accepted")
        << QByteArray("POST") << rpc("ping") << H{{"Accept", "text/event-stream"}} << 200 << 0
        << QByteArray("text/event-stream");
    QTest::newRow("notification is accepted without body")
        << QByteArray("POST") << QByteArray(R"({"jsonrpc":"2.0","method":"notifications/initialized"})")
        << H{} << 202 << -1 << QByteArray();
    QTest::newRow("malformed JSON") << QByteArray("POST") << QByteArray("{\"jsonrpc\":") << H{} << 400
                                    << -32700 << QByteArray("application/json");
    QTest::newRow("not JSON-RPC 2.0") << QByteArray("POST") << QByteArray(R"({"id":1,"method":"ping"})")
                                      << H{} << 400 << -32600 << QByteArray("application/json");
    QTest::newRow("batch") << QByteArray("POST") << QByteArray("[" + rpc("ping") + "]") << H{} << 400
                           << -32600 << QByteArray("application/json");
    QTest::newRow("unknown method") << QByteArray("POST") << rpc("resources/templates/list") << H{} << 200
                                    << -32601 << QByteArray("application/json");
    QTest::newRow("tools/call without name")
        << QByteArray("POST") << rpc("tools/call", {{"arguments", json::object()}}) << H{} << 200 << -32602
        << QByteArray("application/json");
    QTest::newRow("GET stream needs a session")
        << QByteArray("GET") << QByteArray() << H{} << 405 << -32600 << QByteArray("application/json");
    QTest::newRow("GET stream of an unknown session")
        << QByteArray("GET") << QByteArray() << H{{"Mcp-Session-Id", "no-such-session"}} << 404 << -32600
        << QByteArray("application/json");
    QTest::newRow("missing token") << QByteArray("POST") << rpc("ping") << H{{"Authorization", ""}} << 401
                                   << -32028 << QByteArray("application/json");
    QTest::newRow("unknown token") << QByteArray("POST") << rpc("ping") << H{{"Authorization", "Bearer nope"}}
                                   << 401 << -32028 << QByteArray("application/json");
    QTest::newRow("foreign Host (DNS rebinding)")
        << QByteArray("POST") << rpc("ping") << H{{"Host", "evil.example.com"}} << 403 << -32600
        << QByteArray("application/json");
    QTest::newRow("foreign Origin") << QByteArray("POST") << rpc("ping")
                                    << H{{"Origin", "http://evil.example.com"}} << 403 << -32600
                                    << QByteArray("application/json");
    QTest::newRow("loopback Origin") << QByteArray("POST") << rpc("ping")
                                     << H{{"Origin", "http://localhost:3000"}} << 200 << 0
                                     << QByteArray("application/json");
    QTest::newRow("oversized body") << QByteArray("POST")
                                    << rpc("tools/call",
                                           {{"name", "get_products"},
                                            {"arguments", {{"brief", std::string(70000, 'x')}}}})
                                    << H{} << 413 << -32600 << QByteArray("application/json");
    QTest::newRow("unknown session") << QByteArray("POST") << rpc("ping")
                                     << H{{"Mcp-Session-Id", "no-such-session"}} << 404 << -32600
                                     << QByteArray("application/json");
    QTest::newRow("unsupported MCP-Protocol-Version")
        << QByteArray("POST") << rpc("ping") << H{{"MCP-Protocol-Version", "1999-01-01"}} << 400 << -32600
        << QByteArray("application/json");
}

void tst_SellerServer::protocol()
{
    QFETCH(QByteArray, verb);
    QFETCH(QByteArray, body);
    QFETCH(HeaderPairs, headers);
    QFETCH(int, status);
    QFETCH(int, rpcError);
    QFETCH(QByteArray, contentType);

    auto all = baseHeaders();
    for (const auto &[name, value] : headers) {
        all.removeIf([&n = name](const auto &h) { return h.first.compare(n, Qt::CaseInsensitive) == 0; });
        if (!value.isEmpty())
            all.append({name, value});
    }
    HttpAnswer a = send(m_network, verb, mcpUrl(), body, all);
    QCOMPARE(a.status, status);
    if (!contentType.isEmpty())
        QVERIFY2(a.contentType.startsWith(contentType), a.contentType.constData());
    if (rpcError == -1) {
        QVERIFY(a.body.isEmpty());
    } else if (rpcError == 0) {
        QVERIFY2(a.message.is_object() && a.message.contains("result"), a.body.constData());
    } else {
        QVERIFY2(a.message.is_object() && a.message.contains("error"), a.body.constData());
        QCOMPARE(a.message["error"]["code"].get<int>(), rpcError);
    }
    if (status == 401) {
        QVERIFY(a.header("WWW-Authenticate").startsWith("Bearer"));
        json adcpError = a.message["error"]["data"]["adcp_error"];
        QVERIFY(adcpError["code"] == "AUTH_MISSING" || adcpError["code"] == "AUTH_INVALID");
    }
}

void tst_SellerServer::sessionLifecycle()
{
    const json init = {{"protocolVersion", "1999-01-01"},
                       {"capabilities", json::object()},
                       {"clientInfo", {{"name", "t"}, {"version", "1"}}}};
    HttpAnswer opened = send(m_network, "POST", mcpUrl(), rpc("initialize", init), baseHeaders());
    QCOMPARE(opened.status, 200);
    // An unknown version is answered with the newest one this server speaks.
    QCOMPARE(opened.message["result"]["protocolVersion"].get<std::string>(),
             SellerHttpServer::supportedProtocolVersions().front().toStdString());
    const QByteArray session = opened.header("Mcp-Session-Id");
    QVERIFY(!session.isEmpty());
    auto withSession = baseHeaders();
    withSession.append({"Mcp-Session-Id", session});
    QCOMPARE(send(m_network, "POST", mcpUrl(), rpc("ping"), withSession).status, 200);
    QCOMPARE(send(m_network, "DELETE", mcpUrl(), {}, withSession).status, 200);
    // The session is gone: the client is told to start over.
    QCOMPARE(send(m_network, "POST", mcpUrl(), rpc("ping"), withSession).status, 404);
    QCOMPARE(send(m_network, "DELETE", mcpUrl(), {}, withSession).status, 404);
}

void tst_SellerServer::toolsListDescribesEveryTool()
{
    HttpAnswer a = send(m_network, "POST", mcpUrl(), rpc("tools/list"), baseHeaders());
    QCOMPARE(a.status, 200);
    json &tools = a.message["result"]["tools"];
    QVERIFY(tools.is_array());
    QStringList names;
    for (const auto &tool : tools) {
        const QString name = QString::fromStdString(tool["name"].get<std::string>());
        names << name;
        QVERIFY2(!tool.value("description", std::string()).empty(), qPrintable(name));
        QVERIFY2(tool["inputSchema"].is_object(), qPrintable(name));
        QCOMPARE(tool["inputSchema"]["type"].get<std::string>(), std::string("object"));
        QVERIFY2(m_dispatcher->hasTool(tool["name"].get<std::string>()), qPrintable(name));
    }
    for (const char *expected : {"get_adcp_capabilities", "get_products", "create_media_buy"})
        QVERIFY2(names.contains(QLatin1String(expected)), expected);
}

void tst_SellerServer::toolsCallCarriesStructuredContentAndText()
{
    HttpAnswer ok = send(
        m_network, "POST", mcpUrl(),
        rpc("tools/call", {{"name", "get_adcp_capabilities"}, {"arguments", json::object()}}), baseHeaders());
    QCOMPARE(ok.status, 200);
    json &result = ok.message["result"];
    QCOMPARE(result["isError"].get<bool>(), false);
    QVERIFY(result["structuredContent"].contains("adcp"));
    QVERIFY(json::parse(result["content"][0]["text"].get<std::string>()) == result["structuredContent"]);

    HttpAnswer unknown =
        send(m_network, "POST", mcpUrl(),
             rpc("tools/call", {{"name", "no_such_tool"}, {"arguments", json::object()}}), baseHeaders());
    QCOMPARE(unknown.status, 200);
    json &error = unknown.message["result"];
    QCOMPARE(error["isError"].get<bool>(), true);
    QCOMPARE(error["structuredContent"]["adcp_error"]["code"].get<std::string>(),
             std::string("INVALID_REQUEST"));
    QCOMPARE(error["structuredContent"]["adcp_error"]["field"].get<std::string>(), std::string("name"));
    QVERIFY(!error["content"][0]["text"].get<std::string>().empty());

    // Errors echo the caller's context; a request pinned to another AdCP major is refused before dispatch.
    HttpAnswer pinned = send(m_network, "POST", mcpUrl(),
                             rpc("tools/call", {{"name", "get_products"},
                                                {"arguments",
                                                 {{"adcp_major_version", 99},
                                                  {"buying_mode", "brief"},
                                                  {"brief", "x"},
                                                  {"context", {{"correlation_id", "c-1"}}}}}}),
                             baseHeaders());
    QCOMPARE(pinned.message["result"]["isError"].get<bool>(), true);
    json &pinnedBody = pinned.message["result"]["structuredContent"];
    QCOMPARE(pinnedBody["adcp_error"]["code"].get<std::string>(), std::string("VERSION_UNSUPPORTED"));
    QCOMPARE(pinnedBody["errors"][0]["code"].get<std::string>(), std::string("VERSION_UNSUPPORTED"));
    QCOMPARE(pinnedBody["context"]["correlation_id"].get<std::string>(), std::string("c-1"));

    // A business error from the Dispatcher: a request that fails the request schema.
    HttpAnswer invalid =
        send(m_network, "POST", mcpUrl(),
             rpc("tools/call", {{"name", "get_products"}, {"arguments", {{"buying_mode", "everything"}}}}),
             baseHeaders());
    QCOMPARE(invalid.status, 200);
    QCOMPARE(invalid.message["result"]["isError"].get<bool>(), true);
    json adcpError = invalid.message["result"]["structuredContent"]["adcp_error"];
    QVERIFY2(adcpError["code"] == "INVALID_REQUEST" || adcpError["code"] == "VALIDATION_ERROR",
             invalid.body.constData());
    QCOMPARE(adcpError["recovery"].get<std::string>(), std::string("correctable"));
}

// An idempotency conflict's adcp_error envelope carries code and message only (nothing a caller holding a
// stolen key could learn the first request from); the payload's errors[] keeps field and recovery, and our
// McpTransport reads the complete one.
void tst_SellerServer::idempotencyConflictEnvelope()
{
    const auto syncArgs = [](const std::string &name) {
        return json{
            {"idempotency_key", "conflict-envelope-key-0001"},
            {"account", {{"account_id", "acc-1"}}},
            {"creatives",
             {{{"creative_id", "cr_conflict"},
               {"name", name},
               {"format_id",
                {{"agent_url", "https://creative.adcontextprotocol.org"}, {"id", "display_image"}}},
               {"assets", {{"main", {{"asset_type", "url"}, {"url", "https://cdn.example/a.png"}}}}}}}}};
    };
    HttpAnswer first = send(m_network, "POST", mcpUrl(),
                            rpc("tools/call", {{"name", "sync_creatives"}, {"arguments", syncArgs("first")}}),
                            baseHeaders());
    QCOMPARE(first.message["result"]["isError"].get<bool>(), false);
    HttpAnswer second = send(
        m_network, "POST", mcpUrl(),
        rpc("tools/call", {{"name", "sync_creatives"}, {"arguments", syncArgs("second")}}), baseHeaders());
    const json &body = second.message["result"]["structuredContent"];
    QCOMPARE(second.message["result"]["isError"].get<bool>(), true);
    QCOMPARE(body["adcp_error"]["code"].get<std::string>(), std::string("IDEMPOTENCY_CONFLICT"));
    QVERIFY2(body["adcp_error"].size() == 2 && body["adcp_error"].contains("message"),
             body["adcp_error"].dump().c_str());
    QCOMPARE(body["errors"][0]["field"].get<std::string>(), std::string("idempotency_key"));
    QCOMPARE(body["errors"][0]["recovery"].get<std::string>(), std::string("correctable"));

    McpTransportOptions options;
    options.endpoint = mcpUrl();
    options.bearerToken = kToken;
    AgentClient client(QStringLiteral("own seller"), std::make_unique<McpTransport>(options),
                       SchemaRegistry::bundled());
    const auto outcome = run(client.call(QStringLiteral("sync_creatives"), syncArgs("third")));
    QVERIFY(!outcome.ok());
    QCOMPARE(outcome.error->code, std::string("IDEMPOTENCY_CONFLICT"));
    QCOMPARE(outcome.error->field.value_or(std::string()), std::string("idempotency_key"));
}

// get_products' products reach an MCP caller as text the catalog prepared once (spliced into the answer, not
// written per call): the answer must be exactly what the Dispatcher answers in-process, its text item the
// bytes of its structuredContent as a whole document would be written, for each mode and for 3.0 and 3.2
// callers.
void tst_SellerServer::productsAnswerIsTheDispatchersAnswer_data()
{
    QTest::addColumn<QByteArray>("arguments");
    QTest::addColumn<bool>("wholeAnswer"); // false: new proposals (fresh ids) differ; compare the products
    const json brief = {{"buying_mode", "brief"},
                        {"brief", "Video for outdoor gear in the US"},
                        {"brand", {{"domain", "acme-outdoor.example"}}},
                        {"context", {{"correlation_id", "c-9"}, {"products", json::array({1, "x"})}}}};
    json brief32 = brief;
    brief32["adcp_version"] = "3.2";
    QTest::newRow("brief") << QByteArray::fromStdString(brief.dump()) << false;
    QTest::newRow("brief, 3.2 caller") << QByteArray::fromStdString(brief32.dump()) << false;
    QTest::newRow("wholesale") << QByteArray(R"({"buying_mode":"wholesale"})") << true;
    QTest::newRow("wholesale, 3.2 caller")
        << QByteArray(R"({"buying_mode":"wholesale","adcp_version":"3.2"})") << true;
    QTest::newRow("open proposals") << QByteArray(R"({"buying_mode":"open"})") << true;
    QTest::newRow("no match")
        << QByteArray(R"({"buying_mode":"brief","brief":"zzzz","filters":{"channels":["podcast"]}})")
        << false;
}

void tst_SellerServer::productsAnswerIsTheDispatchersAnswer()
{
    QFETCH(QByteArray, arguments);
    QFETCH(bool, wholeAnswer);
    const json args = json::parse(arguments.toStdString());
    const adcp::ToolOutcome local = m_dispatcher->call(Principal{"buyer-1", true}, "get_products", args);
    QVERIFY2(local.ok(), local.error ? local.error->message.c_str() : "");
    QVERIFY(local.prepared.empty());
    QVERIFY(local.result["products"].is_array());

    const HttpAnswer answer =
        send(m_network, "POST", mcpUrl(), rpc("tools/call", {{"name", "get_products"}, {"arguments", args}}),
             baseHeaders());
    QCOMPARE(answer.status, 200);
    const json &result = answer.message["result"];
    QCOMPARE(result["isError"].get<bool>(), false);
    const json &structured = result.at("structuredContent");
    // The text item is the structured content's bytes, and those are the whole document's bytes.
    const std::string text = result["content"][0]["text"].get<std::string>();
    QCOMPARE(QByteArray::fromStdString(text), QByteArray::fromStdString(adcp::wire::dump(structured)));
    const QByteArray spliced = QByteArray(R"("structuredContent":)") + QByteArray::fromStdString(text) +
                               QByteArray(R"(,"isError":false})");
    QVERIFY(answer.body.contains(spliced));
    if (wholeAnswer) {
        QVERIFY2(structured == local.result, answer.body.constData());
    } else {
        QVERIFY2(structured["products"] == local.result["products"], answer.body.constData());
        // New proposals differ in their ids and expiry alone.
        const auto sameBut = [](json proposals) {
            for (auto &p : proposals) {
                p.erase("proposal_id");
                p.erase("expires_at");
            }
            return proposals;
        };
        QVERIFY(!local.result["proposals"].empty());
        QVERIFY2(sameBut(structured["proposals"]) == sameBut(local.result["proposals"]),
                 answer.body.constData());
        QVERIFY(structured.value("context", json()) == local.result.value("context", json()));
    }
    const bool formatOptions = args.contains("adcp_version");
    for (const auto &product : structured["products"])
        QCOMPARE(product.contains("format_options"), formatOptions && !product["format_ids"].empty());
}

void tst_SellerServer::clientGoneBeforeAnswer()
{
    // The client hangs up while the tool runs on a worker: the late answer must be dropped, not written.
    for (int i = 0; i < 5; ++i) {
        QNetworkRequest request(mcpUrl());
        for (const auto &[k, v] : baseHeaders())
            request.setRawHeader(k, v);
        QNetworkReply *reply = m_network.post(
            request,
            rpc("tools/call", {{"name", "get_products"}, {"arguments", {{"buying_mode", "wholesale"}}}}));
        QTest::qWait(1);
        reply->abort();
        reply->deleteLater();
    }
    QTest::qWait(200);
    QCOMPARE(send(m_network, "POST", mcpUrl(), rpc("ping"), baseHeaders()).status, 200);
}

void tst_SellerServer::agentCard()
{
    HttpAnswer a =
        send(m_network, "GET",
             QUrl(QStringLiteral("http://127.0.0.1:%1/.well-known/agent-card.json").arg(m_port)), {}, {});
    QCOMPARE(a.status, 200);
    QVERIFY(a.message["url"].get<std::string>().ends_with("/a2a"));
    bool hasCapabilities = false;
    for (const auto &skill : a.message["skills"])
        hasCapabilities |= skill["id"] == "get_adcp_capabilities";
    QVERIFY(hasCapabilities);
}

void tst_SellerServer::clientFlow_data()
{
    QTest::addColumn<QString>("transport");
    QTest::newRow("MCP") << "mcp";
    QTest::newRow("A2A, profile v3 from the card") << "a2a";
    QTest::newRow("A2A, 3.0/3.1 parameters") << "a2a-parameters";
    QTest::newRow("in-process") << "in-process";
}

// brief → finalize → create → delivery through the AgentClient against our own seller.
void tst_SellerServer::clientFlow()
{
    QFETCH(QString, transport);
    std::unique_ptr<AgentTransport> t;
    const A2aTransport *a2aTransport = nullptr;
    if (transport == QLatin1String("mcp")) {
        McpTransportOptions options;
        options.endpoint = mcpUrl();
        options.bearerToken = kToken;
        t = std::make_unique<McpTransport>(options);
    } else if (transport.startsWith(QLatin1String("a2a"))) {
        A2aTransportOptions options;
        options.agentUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port));
        options.bearerToken = kToken;
        if (transport == QLatin1String("a2a-parameters"))
            options.invocation = A2aInvocation::Parameters;
        auto a2a = std::make_unique<A2aTransport>(options);
        a2aTransport = a2a.get();
        t = std::move(a2a);
    } else {
        t = std::make_unique<InProcessTransport>(m_dispatcher, Principal{"buyer-1", true});
    }
    AgentClient client(QStringLiteral("own seller"), std::move(t), SchemaRegistry::bundled());
    client.setTaskPolling(true, 100);

    const auto caps = run(client.getAdcpCapabilities());
    QVERIFY2(caps.ok(), caps.ok() ? "" : caps.error->message.c_str());
    QVERIFY(client.dialect() != Dialect::Unknown);
    if (a2aTransport) // our card advertises the profile: the client follows it unless told to speak 3.0/3.1
        QCOMPARE(a2aTransport->profileV3(), transport == QLatin1String("a2a"));

    const json brand = {{"domain", "acmeoutdoor.example"}};
    const auto brief = run(client.getProducts(
        {{"buying_mode", "brief"}, {"brief", "Video for outdoor gear in the US"}, {"brand", brand}}));
    QVERIFY2(brief.ok(), brief.ok() ? "" : brief.error->message.c_str());
    if (!brief.result.contains("proposals") || brief.result["proposals"].empty())
        QSKIP("the seller on this branch returns no proposals for a brief yet");
    const std::string proposalId = brief.result["proposals"][0]["proposal_id"].get<std::string>();
    json refine = {{"scope", "proposal"}, {"proposal_id", proposalId}, {"action", "finalize"}};
    if (brief.result["proposals"][0].contains("proposal_version"))
        refine["proposal_version"] = brief.result["proposals"][0]["proposal_version"];
    const auto finalized = run(
        client.getProducts({{"buying_mode", "refine"}, {"brand", brand}, {"refine", json::array({refine})}}));
    QVERIFY2(finalized.ok(), finalized.ok() ? "" : finalized.error->message.c_str());

    const QDateTime start = QDateTime::currentDateTimeUtc().addDays(2);
    json create = {{"proposal_id", proposalId},
                   {"total_budget", {{"amount", 50000}, {"currency", "USD"}}},
                   {"brand", brand},
                   {"account", {{"brand", brand}, {"operator", "acmeoutdoor.example"}}},
                   {"start_time", start.toString(Qt::ISODate).toStdString()},
                   {"end_time", start.addDays(30).toString(Qt::ISODate).toStdString()}};
    if (finalized.result.contains("proposals") && !finalized.result["proposals"].empty() &&
        finalized.result["proposals"][0].contains("proposal_version"))
        create["proposal_version"] = finalized.result["proposals"][0]["proposal_version"];
    const auto created = run(client.createMediaBuy(create));
    QVERIFY2(created.ok(), created.ok() ? "" : created.error->message.c_str());
    const std::string mediaBuyId = created.result.value("media_buy_id", std::string());
    QVERIFY(!mediaBuyId.empty());

    QVERIFY2(firstIssue(client).isEmpty(), qPrintable(firstIssue(client)));
    const auto buys = run(client.getMediaBuys({{"media_buy_ids", json::array({mediaBuyId})}}));
    QVERIFY2(buys.ok(), buys.ok() ? "" : buys.error->message.c_str());
    QCOMPARE(buys.result["media_buys"][0]["media_buy_id"].get<std::string>(), mediaBuyId);
    if (!m_dispatcher->hasTool("get_media_buy_delivery"))
        QSKIP("the seller on this branch has no get_media_buy_delivery yet");
    const auto delivery = run(client.getMediaBuyDelivery({{"media_buy_ids", json::array({mediaBuyId})}}));
    QVERIFY2(delivery.ok(), delivery.ok() ? "" : delivery.error->message.c_str());
    QVERIFY(delivery.result.contains("media_buy_deliveries"));
    QVERIFY2(firstIssue(client).isEmpty(), qPrintable(firstIssue(client)));
}

QTEST_GUILESS_MAIN(tst_SellerServer)
#include "tst_sellerserver.moc"
