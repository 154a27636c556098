#include "sellerhttpserver.h"

#include <QDateTime>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QPointer>
#include <QTcpSocket>
#include <QUuid>
#include <QtConcurrent/QtConcurrentRun>

namespace adcp::seller {

namespace {

constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kAuthMissing = -32028;
const char kAdcpExtension[] = "https://adcontextprotocol.org/extensions/adcp/v3";

nlohmann::json rpcError(const nlohmann::json &id, int code, const std::string &message,
                        const nlohmann::json &data = nullptr)
{
    nlohmann::json error = {{"code", code}, {"message", message}};
    if (!data.is_null())
        error["data"] = data;
    return {{"jsonrpc", "2.0"}, {"id", id}, {"error", error}};
}

nlohmann::json rpcResult(const nlohmann::json &id, nlohmann::json result)
{
    return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

bool acceptsOnlySse(const QByteArray &accept)
{
    const QByteArray a = accept.toLower();
    return a.contains("text/event-stream") && !a.contains("application/json") && !a.contains("*/*");
}

QString hostOf(const QByteArray &hostHeader)
{
    QString host = QString::fromLatin1(hostHeader).trimmed().toLower();
    if (host.startsWith(QLatin1Char('['))) {
        const qsizetype end = host.indexOf(QLatin1Char(']'));
        return end > 0 ? host.left(end + 1) : host;
    }
    const qsizetype colon = host.lastIndexOf(QLatin1Char(':'));
    return colon >= 0 ? host.left(colon) : host;
}

// The AdCP version envelope is checked before dispatch, like MCP's own protocol version: this seller speaks
// major version 3 (3.0 and 3.1), and a request pinned to another major cannot be served at all.
std::optional<AdcpError> versionError(const nlohmann::json &arguments)
{
    if (!arguments.is_object())
        return std::nullopt;
    std::string requested;
    if (auto it = arguments.find("adcp_major_version");
        it != arguments.end() && it->is_number_integer() && it->get<int>() != 3)
        requested = std::to_string(it->get<int>());
    if (auto it = arguments.find("adcp_version"); it != arguments.end() && it->is_string()) {
        const std::string v = it->get<std::string>();
        if (v.substr(0, v.find('.')) != "3")
            requested = v;
    }
    if (requested.empty())
        return std::nullopt;
    AdcpError e = AdcpError::make(
        "VERSION_UNSUPPORTED",
        "AdCP version " + requested + " is not supported; this seller speaks 3.0 and 3.1",
        std::string(arguments.contains("adcp_version") ? "adcp_version" : "adcp_major_version"),
        "retry with adcp_version \"3.1\" (or without a version pin)");
    e.details = {{"supported_versions", {"3.0", "3.1"}}, {"major_versions", {3}}};
    return e;
}

} // namespace

SellerHttpServer::SellerHttpServer(std::shared_ptr<Dispatcher> dispatcher, BearerAuth auth,
                                   SellerServerOptions options, QObject *parent)
    : QAbstractHttpServer(parent), m_dispatcher(std::move(dispatcher)), m_auth(std::move(auth)),
      m_options(std::move(options))
{
    m_workers.setMaxThreadCount(std::max(1, m_options.workerThreads));
}

SellerHttpServer::~SellerHttpServer()
{
    waitForWorkers();
}

void SellerHttpServer::waitForWorkers()
{
    m_workers.waitForDone();
}

const QStringList &SellerHttpServer::supportedProtocolVersions()
{
    static const QStringList versions = {QStringLiteral("2025-11-25"), QStringLiteral("2025-06-18"),
                                         QStringLiteral("2025-03-26"), QStringLiteral("2024-11-05")};
    return versions;
}

int SellerHttpServer::sessionCount() const
{
    return int(m_sessions.size());
}

QByteArray SellerHttpServer::newSessionId() const
{
    return QUuid::createUuid().toString(QUuid::Id128).toLatin1();
}

bool SellerHttpServer::hostAllowed(const QHttpServerRequest &request) const
{
    if (m_options.allowedHosts.isEmpty())
        return true;
    const QByteArray host = request.value("Host");
    if (!host.isEmpty() && !m_options.allowedHosts.contains(hostOf(host)))
        return false;
    const QByteArray origin = request.value("Origin");
    if (!origin.isEmpty() && origin != "null") {
        const QUrl url(QString::fromLatin1(origin));
        QString originHost = url.host().toLower();
        if (originHost.contains(QLatin1Char(':')))
            originHost = QLatin1Char('[') + originHost + QLatin1Char(']');
        if (!m_options.allowedHosts.contains(originHost) &&
            !m_options.allowedHosts.contains(url.host().toLower()))
            return false;
    }
    return true;
}

std::optional<Principal> SellerHttpServer::authenticate(const QHttpServerRequest &request,
                                                        Reply *rejection) const
{
    const auto result = m_auth.authenticate(request.value("Authorization"));
    if (result.principal)
        return result.principal;
    AdcpError error = AdcpError::make(result.code, result.message, std::nullopt,
                                      "send Authorization: Bearer <token> with a token this agent was given");
    rejection->status = 401;
    rejection->body = rpcError(nullptr, kAuthMissing, result.message, {{"adcp_error", error.toJson()}});
    QByteArray challenge = "Bearer realm=\"adcp-seller\"";
    if (result.code == "AUTH_INVALID")
        challenge += ", error=\"invalid_token\"";
    rejection->headers.append({QByteArrayLiteral("WWW-Authenticate"), challenge});
    rejection->note = QString::fromStdString(result.code);
    return std::nullopt;
}

bool SellerHttpServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    RequestLog log;
    log.startedMs = QDateTime::currentMSecsSinceEpoch();
    log.peer = request.remoteAddress().toString();
    log.path = request.url().path();
    switch (request.method()) {
    case QHttpServerRequest::Method::Get:
        log.method = QStringLiteral("GET");
        break;
    case QHttpServerRequest::Method::Post:
        log.method = QStringLiteral("POST");
        break;
    case QHttpServerRequest::Method::Delete:
        log.method = QStringLiteral("DELETE");
        break;
    default:
        log.method = QStringLiteral("OTHER");
        break;
    }
    const QString path = request.url().path();
    if (path == QLatin1String("/mcp") || path == QLatin1String("/mcp/"))
        handleMcp(request, socket, log);
    else if (path == QLatin1String("/a2a"))
        handleA2a(request, socket, log);
    else if (path == QLatin1String("/.well-known/agent-card.json") ||
             path == QLatin1String("/.well-known/agent.json"))
        handleAgentCard(request, socket, log);
    else if (path == QLatin1String("/.well-known/jwks.json") && !m_options.jwks.is_null() &&
             request.method() == QHttpServerRequest::Method::Get) {
        QHttpServerResponder responder = makeResponder(request, socket);
        write(responder, Reply{200, m_options.jwks, {}, {}}, false, false, log);
    } else {
        QHttpServerResponder responder = makeResponder(request, socket);
        write(responder, Reply{404, {{"error", "not found"}}, {}, {}}, false, false, log);
    }
    return true;
}

void SellerHttpServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    responder.write(QHttpServerResponder::StatusCode::NotFound);
}

void SellerHttpServer::write(QHttpServerResponder &responder, const Reply &reply, bool sse, bool close,
                             const RequestLog &log)
{
    QByteArray body;
    QByteArray type = "application/json";
    if (!reply.raw.isEmpty() || !reply.body.is_null()) {
        body = reply.raw.isEmpty() ? QByteArray::fromStdString(reply.body.dump()) : reply.raw;
        if (sse && reply.status == 200) {
            body = "event: message\ndata: " + body + "\n\n";
            type = "text/event-stream";
        }
    }
    responder.writeStatusLine(QHttpServerResponder::StatusCode(reply.status));
    if (!body.isEmpty())
        responder.writeHeader("Content-Type", type);
    if (type == "text/event-stream")
        responder.writeHeader("Cache-Control", "no-cache");
    for (const auto &[name, value] : reply.headers)
        responder.writeHeader(name, value);
    if (close)
        responder.writeHeader("Connection", "close");
    responder.writeHeader("Content-Length", QByteArray::number(body.size()));
    responder.writeBody(body);

    const qint64 elapsed = QDateTime::currentMSecsSinceEpoch() - log.startedMs;
    Q_EMIT requestLogged(QStringLiteral("%1 %2 %3 %4 %5 principal=%6 -> %7 %8ms%9")
                             .arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs), log.peer,
                                  log.method, log.path, log.rpc.isEmpty() ? QStringLiteral("-") : log.rpc,
                                  log.principal.isEmpty() ? QStringLiteral("-") : log.principal)
                             .arg(reply.status)
                             .arg(elapsed)
                             .arg(reply.note.isEmpty() ? QString() : QLatin1Char(' ') + reply.note));
}

void SellerHttpServer::dispatch(const QHttpServerRequest &request, QTcpSocket *socket,
                                const Principal &principal, const std::string &tool,
                                const nlohmann::json &arguments, RequestLog log, bool sse,
                                std::function<Reply(const ToolOutcome &)> done)
{
    if (m_options.workerThreads <= 0) {
        QHttpServerResponder responder = makeResponder(request, socket);
        const Reply reply = done(m_dispatcher->call(principal, tool, arguments));
        write(responder, reply, sse, false, log);
        return;
    }
    // QtHttpServer 6.4 has no connection tracking: the socket may be gone by the time the worker is done
    // (writing then would crash), and a pipelined request could be answered out of order, so deferred answers
    // check the socket and close the connection.
    auto responder = std::make_shared<QHttpServerResponder>(makeResponder(request, socket));
    QPointer<QTcpSocket> guard(socket);
    auto dispatcher = m_dispatcher;
    // The destructor waits for the workers, so `this` outlives every worker; queued calls to a destroyed
    // server are dropped by Qt.
    m_workers.start([=, this, done = std::move(done)] {
        ToolOutcome outcome = dispatcher->call(principal, tool, arguments);
        QMetaObject::invokeMethod(
            this,
            [=, this, outcome = std::move(outcome)] {
                if (!guard || guard->state() != QAbstractSocket::ConnectedState)
                    return;
                write(*responder, done(outcome), sse, true, log);
                guard->disconnectFromHost();
            },
            Qt::QueuedConnection);
    });
}

void SellerHttpServer::handleMcp(const QHttpServerRequest &request, QTcpSocket *socket, RequestLog &log)
{
    if (!hostAllowed(request)) {
        QHttpServerResponder responder = makeResponder(request, socket);
        write(
            responder,
            Reply{403,
                  rpcError(nullptr, kInvalidRequest, "Host or Origin not allowed (DNS rebinding protection)"),
                  {},
                  QStringLiteral("host rejected")},
            false, false, log);
        return;
    }
    if (request.method() == QHttpServerRequest::Method::Get) {
        // No server-initiated stream: every answer travels on its POST.
        QHttpServerResponder responder = makeResponder(request, socket);
        write(responder,
              Reply{405,
                    rpcError(nullptr, kInvalidRequest, "GET is not supported on this endpoint; use POST"),
                    {{QByteArrayLiteral("Allow"), QByteArrayLiteral("POST, DELETE")}},
                    {}},
              false, false, log);
        return;
    }
    Reply rejection;
    const auto principal = authenticate(request, &rejection);
    if (!principal) {
        QHttpServerResponder responder = makeResponder(request, socket);
        write(responder, rejection, false, false, log);
        return;
    }
    log.principal = QString::fromStdString(principal->id);
    const QByteArray sessionHeader = request.value("Mcp-Session-Id");

    if (request.method() == QHttpServerRequest::Method::Delete) {
        QHttpServerResponder responder = makeResponder(request, socket);
        const auto it = m_sessions.find(sessionHeader);
        if (sessionHeader.isEmpty() || it == m_sessions.end() || it->principalId != principal->id) {
            write(responder, Reply{404, rpcError(nullptr, kInvalidRequest, "unknown session"), {}, {}}, false,
                  false, log);
            return;
        }
        m_sessions.erase(it);
        write(responder, Reply{200, nullptr, {}, QStringLiteral("session ended")}, false, false, log);
        return;
    }
    if (request.method() != QHttpServerRequest::Method::Post) {
        QHttpServerResponder responder = makeResponder(request, socket);
        write(responder,
              Reply{405,
                    rpcError(nullptr, kInvalidRequest, "method not allowed"),
                    {{QByteArrayLiteral("Allow"), QByteArrayLiteral("POST, DELETE")}},
                    {}},
              false, false, log);
        return;
    }
    const QByteArray body = request.body();
    if (body.size() > m_options.maxBodyBytes ||
        request.value("Content-Length").toLongLong() > m_options.maxBodyBytes) {
        QHttpServerResponder responder = makeResponder(request, socket);
        write(responder,
              Reply{413,
                    rpcError(nullptr, kInvalidRequest,
                             "request body larger than " + std::to_string(m_options.maxBodyBytes) + " bytes"),
                    {},
                    {}},
              false, false, log);
        return;
    }
    const bool sse = acceptsOnlySse(request.value("Accept"));
    auto message = nlohmann::json::parse(body.constBegin(), body.constEnd(), nullptr, false);
    auto reply = [&](Reply r) {
        QHttpServerResponder responder = makeResponder(request, socket);
        write(responder, r, sse && r.status == 200, false, log);
    };
    if (message.is_discarded()) {
        reply(Reply{400, rpcError(nullptr, kParseError, "parse error: the body is not JSON"), {}, {}});
        return;
    }
    if (!message.is_object() || message.value("jsonrpc", std::string()) != "2.0" ||
        (message.contains("method") && !message["method"].is_string())) {
        reply(Reply{400,
                    rpcError(message.is_object() ? message.value("id", nlohmann::json()) : nlohmann::json(),
                             kInvalidRequest, "invalid JSON-RPC 2.0 request (batches are not supported)"),
                    {},
                    {}});
        return;
    }
    const bool isNotification = !message.contains("id");
    if (!message.contains("method")) {
        // A response to a server request; this server sends none, so there is nothing to match it with.
        reply(Reply{202, nullptr, {}, {}});
        return;
    }
    const std::string method = message["method"].get<std::string>();
    log.rpc = QString::fromStdString(method);
    const nlohmann::json id = message.value("id", nlohmann::json());
    const nlohmann::json params = message.value("params", nlohmann::json::object());

    // Sessions: initialize opens one; a request naming a session this server does not know gets 404 so the
    // client starts over. Requests without a session header are served statelessly.
    Session *session = nullptr;
    if (method != "initialize" && !sessionHeader.isEmpty()) {
        auto it = m_sessions.find(sessionHeader);
        if (it == m_sessions.end() || it->principalId != principal->id) {
            reply(Reply{404, rpcError(id, kInvalidRequest, "unknown or expired session"), {}, {}});
            return;
        }
        session = &*it;
        session->lastUsed = QDateTime::currentDateTimeUtc();
    }
    const QByteArray versionHeader = request.value("MCP-Protocol-Version");
    if (!versionHeader.isEmpty() &&
        !supportedProtocolVersions().contains(QString::fromLatin1(versionHeader))) {
        reply(Reply{
            400,
            rpcError(id, kInvalidRequest, "unsupported MCP-Protocol-Version " + versionHeader.toStdString()),
            {},
            {}});
        return;
    }

    if (isNotification) {
        if (method == "notifications/initialized" && session)
            session->initialized = true;
        reply(Reply{202, nullptr, {}, {}});
        return;
    }
    if (!params.is_object()) {
        reply(Reply{200, rpcError(id, kInvalidParams, "params must be an object"), {}, {}});
        return;
    }

    if (method == "initialize") {
        const QString requested = QString::fromStdString(params.value("protocolVersion", std::string()));
        const QString version =
            supportedProtocolVersions().contains(requested) ? requested : supportedProtocolVersions().front();
        if (m_sessions.size() >= m_options.maxSessions) {
            // Drop the least recently used session to stay bounded.
            auto oldest = m_sessions.begin();
            for (auto it = m_sessions.begin(); it != m_sessions.end(); ++it) {
                if (it->lastUsed < oldest->lastUsed)
                    oldest = it;
            }
            m_sessions.erase(oldest);
        }
        const QByteArray sid = newSessionId();
        m_sessions.insert(sid, Session{principal->id, version, false, QDateTime::currentDateTimeUtc()});
        const nlohmann::json result = {
            {"protocolVersion", version.toStdString()},
            {"capabilities", {{"tools", {{"listChanged", false}}}}},
            {"serverInfo",
             {{"name", "adcp-workbench-seller"},
              {"title", m_options.agentName.toStdString()},
              {"version", "0.1.0"}}},
            {"instructions",
             "AdCP media-buy sales agent. Tool names are AdCP task names; arguments are the AdCP "
             "request; results are in structuredContent."}};
        reply(Reply{200, rpcResult(id, result), {{QByteArrayLiteral("Mcp-Session-Id"), sid}}, {}});
        return;
    }
    if (method == "ping") {
        reply(Reply{200, rpcResult(id, nlohmann::json::object()), {}, {}});
        return;
    }
    if (method == "tools/list") {
        reply(Reply{200, rpcResult(id, toolsList(*principal)), {}, {}});
        return;
    }
    if (method == "tools/call") {
        if (!params.contains("name") || !params["name"].is_string()) {
            reply(Reply{200, rpcError(id, kInvalidParams, "tools/call needs params.name"), {}, {}});
            return;
        }
        const std::string tool = params["name"].get<std::string>();
        log.rpc += QLatin1Char(' ') + QString::fromStdString(tool);
        const nlohmann::json arguments = params.value("arguments", nlohmann::json::object());
        if (!m_dispatcher->hasTool(tool)) {
            AdcpError e =
                AdcpError::make("INVALID_REQUEST", "unknown tool '" + tool + "'", std::string("name"),
                                "call tools/list for the tools this agent offers");
            reply(Reply{200, rpcResult(id, mcpToolResult(ToolOutcome::failure(e), arguments)), {}, {}});
            return;
        }
        if (const auto error = versionError(arguments)) {
            reply(Reply{200,
                        rpcResult(id, mcpToolResult(ToolOutcome::failure(*error), arguments)),
                        {},
                        QString::fromStdString(error->code)});
            return;
        }
        dispatch(request, socket, *principal, tool, arguments, log, sse,
                 [this, id, arguments](const ToolOutcome &outcome) {
                     Reply r;
                     if (outcome.error) {
                         r.body = rpcResult(id, mcpToolResult(outcome, arguments));
                         r.note = QString::fromStdString(outcome.error->code);
                     } else {
                         r.raw = mcpSuccessMessage(id, outcome.result);
                     }
                     return r;
                 });
        return;
    }
    if (method == "resources/list" || method == "prompts/list") {
        reply(Reply{200, rpcError(id, kMethodNotFound, "this server offers tools only"), {}, {}});
        return;
    }
    reply(Reply{200, rpcError(id, kMethodNotFound, "method not found: " + method), {}, {}});
}

nlohmann::json SellerHttpServer::toolsList(const Principal &principal) const
{
    nlohmann::json tools = nlohmann::json::array();
    for (const auto &tool : m_dispatcher->tools(principal)) {
        nlohmann::json schema =
            tool.inputSchema.is_object() ? tool.inputSchema : nlohmann::json{{"type", "object"}};
        if (!schema.contains("type"))
            schema["type"] = "object";
        tools.push_back({{"name", tool.name}, {"description", tool.description}, {"inputSchema", schema}});
    }
    return {{"tools", tools}};
}

namespace {

// The body of a failed call: the error as envelope (adcp_error) and as payload (errors[]), with the caller's
// context echoed so that errors can be correlated like successes.
nlohmann::json errorPayload(const AdcpError &error, const nlohmann::json &arguments)
{
    const nlohmann::json e = error.toJson();
    // An idempotency conflict's envelope carries only code and message: anything more on it would let a
    // caller holding a stolen key learn about the first request. The payload's errors[] still has the whole
    // error (field, recovery), which says nothing about the earlier call.
    const nlohmann::json envelope = error.code == "IDEMPOTENCY_CONFLICT"
                                        ? nlohmann::json{{"code", e["code"]}, {"message", e["message"]}}
                                        : e;
    nlohmann::json payload = {{"adcp_error", envelope}, {"errors", nlohmann::json::array({e})}};
    if (arguments.is_object() && arguments.contains("context") && arguments["context"].is_object())
        payload["context"] = arguments["context"];
    return payload;
}

} // namespace

QByteArray SellerHttpServer::mcpSuccessMessage(const nlohmann::json &id, const nlohmann::json &result)
{
    // A big result would otherwise be serialized twice (structuredContent and its text copy) and the copy
    // escaped a third time; here the result is dumped once and reused for both.
    const std::string text = (result.is_object() ? result : nlohmann::json::object()).dump();
    const std::string escapedText = nlohmann::json(text).dump();
    std::string out;
    out.reserve(text.size() + escapedText.size() + 160);
    out += R"({"jsonrpc":"2.0","id":)";
    out += id.dump();
    out += R"(,"result":{"content":[{"type":"text","text":)";
    out += escapedText;
    out += R"(}],"structuredContent":)";
    out += text;
    out += R"(,"isError":false}})";
    return QByteArray::fromStdString(out);
}

nlohmann::json SellerHttpServer::mcpToolResult(const ToolOutcome &outcome,
                                               const nlohmann::json &arguments) const
{
    if (outcome.error) {
        const nlohmann::json payload = errorPayload(*outcome.error, arguments);
        return {{"content", nlohmann::json::array({{{"type", "text"}, {"text", payload.dump()}}})},
                {"structuredContent", payload},
                {"isError", true}};
    }
    const nlohmann::json &result = outcome.result.is_object() ? outcome.result : nlohmann::json::object();
    return {{"content", nlohmann::json::array({{{"type", "text"}, {"text", result.dump()}}})},
            {"structuredContent", result},
            {"isError", false}};
}

void SellerHttpServer::handleAgentCard(const QHttpServerRequest &request, QTcpSocket *socket, RequestLog &log)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    if (!hostAllowed(request)) {
        write(responder, Reply{403, {{"error", "host not allowed"}}, {}, {}}, false, false, log);
        return;
    }
    // The card is public: it lists every tool a principal could see, without principal-specific details.
    nlohmann::json skills = nlohmann::json::array();
    for (const auto &tool : m_dispatcher->tools(Principal{})) {
        skills.push_back({{"id", tool.name},
                          {"name", tool.name},
                          {"description", tool.description},
                          {"tags", {"adcp", "media-buy"}},
                          {"inputModes", {"application/json"}},
                          {"outputModes", {"application/json"}}});
    }
    QString host = QString::fromLatin1(request.value("Host"));
    if (host.isEmpty())
        host = QStringLiteral("127.0.0.1");
    const std::string base = "http://" + host.toStdString();
    const nlohmann::json card = {{"protocolVersion", "0.3.0"},
                                 {"name", m_options.agentName.toStdString()},
                                 {"description", "AdCP media-buy sales agent (AdCP over A2A)"},
                                 {"url", base + "/a2a"},
                                 {"preferredTransport", "JSONRPC"},
                                 {"version", "0.1.0"},
                                 {"capabilities",
                                  {{"streaming", false},
                                   {"pushNotifications", false},
                                   {"extensions", {{{"uri", kAdcpExtension}, {"required", false}}}}}},
                                 {"defaultInputModes", {"application/json"}},
                                 {"defaultOutputModes", {"application/json"}},
                                 {"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
                                 {"security", {{{"bearer", nlohmann::json::array()}}}},
                                 {"skills", skills}};
    write(responder, Reply{200, card, {}, {}}, false, false, log);
}

nlohmann::json SellerHttpServer::a2aTaskFor(const std::string &method, const nlohmann::json &message,
                                            const ToolOutcome &outcome, const nlohmann::json &arguments)
{
    const bool v1 = method == "SendMessage";
    const std::string taskId = QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    const std::string contextId =
        message.value("contextId", QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString());
    const nlohmann::json data = outcome.ok() ? outcome.result : errorPayload(*outcome.error, arguments);
    nlohmann::json part = {{"data", data}};
    if (!v1)
        part["kind"] = "data";
    const std::string state =
        outcome.ok() ? (v1 ? "TASK_STATE_COMPLETED" : "completed") : (v1 ? "TASK_STATE_FAILED" : "failed");
    nlohmann::json artifact = {
        {"artifactId", QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString()},
        {"name", outcome.ok() ? "result" : "error"},
        {"parts", nlohmann::json::array({part})}};
    nlohmann::json task = {
        {"id", taskId},
        {"contextId", contextId},
        {"status",
         {{"state", state},
          {"timestamp", QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toStdString()}}},
        {"artifacts", nlohmann::json::array({artifact})}};
    if (!v1)
        task["kind"] = "task";
    // Remember a bounded number of tasks so tasks/get can answer for them.
    const QString key = QString::fromStdString(taskId);
    m_a2aTasks.insert(key, task);
    m_a2aTaskOrder.append(key);
    while (m_a2aTaskOrder.size() > 1000)
        m_a2aTasks.remove(m_a2aTaskOrder.takeFirst());
    return v1 ? nlohmann::json{{"task", task}} : task;
}

void SellerHttpServer::handleA2a(const QHttpServerRequest &request, QTcpSocket *socket, RequestLog &log)
{
    auto reply = [&](Reply r) {
        QHttpServerResponder responder = makeResponder(request, socket);
        write(responder, r, false, false, log);
    };
    if (!hostAllowed(request)) {
        reply(Reply{403, rpcError(nullptr, kInvalidRequest, "Host or Origin not allowed"), {}, {}});
        return;
    }
    if (request.method() != QHttpServerRequest::Method::Post) {
        reply(Reply{405,
                    rpcError(nullptr, kInvalidRequest, "use POST"),
                    {{QByteArrayLiteral("Allow"), QByteArrayLiteral("POST")}},
                    {}});
        return;
    }
    Reply rejection;
    const auto principal = authenticate(request, &rejection);
    if (!principal) {
        reply(rejection);
        return;
    }
    log.principal = QString::fromStdString(principal->id);
    const QByteArray body = request.body();
    if (body.size() > m_options.maxBodyBytes) {
        reply(Reply{413, rpcError(nullptr, kInvalidRequest, "request body too large"), {}, {}});
        return;
    }
    auto message = nlohmann::json::parse(body.constBegin(), body.constEnd(), nullptr, false);
    if (message.is_discarded()) {
        reply(Reply{400, rpcError(nullptr, kParseError, "parse error"), {}, {}});
        return;
    }
    if (!message.is_object() || !message.contains("method") || !message["method"].is_string()) {
        reply(Reply{400, rpcError(nullptr, kInvalidRequest, "invalid JSON-RPC 2.0 request"), {}, {}});
        return;
    }
    const std::string method = message["method"].get<std::string>();
    const nlohmann::json id = message.value("id", nlohmann::json());
    const nlohmann::json params = message.value("params", nlohmann::json::object());
    log.rpc = QString::fromStdString(method);

    if (method == "tasks/get" || method == "GetTask") {
        const QString taskId =
            QString::fromStdString(params.is_object() ? params.value("id", std::string()) : "");
        const auto it = m_a2aTasks.constFind(taskId);
        if (it == m_a2aTasks.constEnd()) {
            reply(Reply{200, rpcError(id, -32001, "task not found"), {}, {}});
            return;
        }
        reply(Reply{200, rpcResult(id, method == "GetTask" ? nlohmann::json{{"task", *it}} : *it), {}, {}});
        return;
    }
    if (method != "message/send" && method != "SendMessage") {
        reply(Reply{200, rpcError(id, kMethodNotFound, "method not found: " + method), {}, {}});
        return;
    }
    const nlohmann::json a2aMessage =
        params.is_object() ? params.value("message", nlohmann::json()) : nlohmann::json();
    const nlohmann::json parts =
        a2aMessage.is_object() ? a2aMessage.value("parts", nlohmann::json()) : nlohmann::json();
    const nlohmann::json *skillPart = nullptr;
    int dataParts = 0;
    if (parts.is_array()) {
        for (const auto &part : parts) {
            if (part.is_object() && part.contains("data") && part["data"].is_object()) {
                ++dataParts;
                skillPart = &part["data"];
            }
        }
    }
    if (dataParts != 1 || !skillPart->contains("skill") || !(*skillPart)["skill"].is_string()) {
        reply(Reply{200,
                    rpcError(id, kInvalidParams,
                             "the message needs exactly one data part {\"skill\": <task>, \"input\": {...}}"),
                    {},
                    {}});
        return;
    }
    const std::string tool = (*skillPart)["skill"].get<std::string>();
    const nlohmann::json input = skillPart->value("input", nlohmann::json::object());
    log.rpc += QLatin1Char(' ') + QString::fromStdString(tool);
    if (!m_dispatcher->hasTool(tool)) {
        AdcpError e = AdcpError::make("INVALID_REQUEST", "unknown skill '" + tool + "'", std::string("skill"),
                                      "read the agent card for the skills this agent offers");
        reply(Reply{
            200, rpcResult(id, a2aTaskFor(method, a2aMessage, ToolOutcome::failure(e), input)), {}, {}});
        return;
    }
    if (const auto error = versionError(input)) {
        reply(Reply{200,
                    rpcResult(id, a2aTaskFor(method, a2aMessage, ToolOutcome::failure(*error), input)),
                    {},
                    QString::fromStdString(error->code)});
        return;
    }
    dispatch(request, socket, *principal, tool, input, log, false,
             [this, id, method, a2aMessage, input](const ToolOutcome &outcome) {
                 Reply r{200, rpcResult(id, a2aTaskFor(method, a2aMessage, outcome, input)), {}, {}};
                 if (outcome.error)
                     r.note = QString::fromStdString(outcome.error->code);
                 return r;
             });
}

} // namespace adcp::seller
