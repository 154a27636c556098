#include "mcpendpoint.h"

#include "routeguard.h"
#include "rpcwire.h"

#include <QUuid>

namespace adcp::seller {

namespace {

bool mcpAcceptsOnlySse(std::string_view accept)
{
    std::string a(accept);
    for (char &c : a)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return a.find("text/event-stream") != std::string::npos && a.find("application/json") == std::string::npos &&
           a.find("*/*") == std::string::npos;
}

bool mcpValidId(const nlohmann::json &id)
{
    return id.is_string() || id.is_number() || id.is_null();
}

// The operation a POST carries, for the request-signing policy: a tools/call names an AdCP task.
SigningTarget mcpSigningTarget(const HttpRequest &request, int maxDepth)
{
    SigningTarget target;
    nlohmann::json message;
    if (request.method != "POST" ||
        rpcwire::parseBody(request.body, maxDepth, &message) != rpcwire::ParseStatus::Ok ||
        !message.is_object() ||
        rpcwire::stringField(message, "method") != std::optional<std::string>("tools/call"))
        return target;
    const nlohmann::json params = rpcwire::field(message, "params");
    target.operation = rpcwire::stringField(params, "name").value_or(std::string());
    target.arguments = rpcwire::field(params, "arguments");
    return target;
}

} // namespace

McpEndpoint::McpEndpoint(std::shared_ptr<Dispatcher> dispatcher, RouteGuard &guard,
                         const SellerServerOptions &options, RunOnWorker runOnWorker)
    : m_dispatcher(std::move(dispatcher)), m_guard(guard), m_options(options),
      m_runOnWorker(std::move(runOnWorker))
{
}

const QStringList &McpEndpoint::supportedProtocolVersions()
{
    static const QStringList versions = {QStringLiteral("2025-11-25"), QStringLiteral("2025-06-18"),
                                         QStringLiteral("2025-03-26"), QStringLiteral("2024-11-05")};
    return versions;
}

int McpEndpoint::sessionCount() const
{
    std::lock_guard lock(m_mutex);
    return int(m_sessions.size());
}

std::chrono::steady_clock::time_point McpEndpoint::now() const
{
    return m_options.now ? m_options.now() : std::chrono::steady_clock::now();
}

void McpEndpoint::handle(const ExchangePtr &exchange)
{
    const HttpRequest &request = exchange->request();
    if (!m_guard.hostAllowed(request)) {
        exchange->reply(403,
                        rpcwire::error(nullptr, rpcwire::kInvalidRequest,
                                       "Host or Origin not allowed (DNS rebinding protection)"),
                        {}, "host rejected");
        return;
    }
    const std::string &verb = request.method;
    if (verb != "POST" && verb != "GET" && verb != "DELETE") {
        exchange->reply(405, rpcwire::error(nullptr, rpcwire::kInvalidRequest, "method not allowed"),
                        {{"Allow", "GET, POST, DELETE"}});
        return;
    }
    const auto principal =
        m_guard.signingEnabled()
            ? m_guard.authenticate(*exchange, mcpSigningTarget(request, m_options.maxJsonDepth))
            : m_guard.authenticate(*exchange);
    if (!principal)
        return;
    exchange->slot = m_guard.admit(*exchange, principal->id);
    if (!exchange->slot)
        return;
    if (verb == "DELETE")
        handleDelete(exchange, *principal);
    else if (verb == "GET")
        handleGet(exchange, *principal);
    else
        handlePost(exchange, *principal);
}

void McpEndpoint::handleDelete(const ExchangePtr &exchange, const Principal &principal)
{
    const std::string_view sessionId = exchange->request().header("Mcp-Session-Id");
    bool found = false;
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_sessions.find(sessionId);
        if (!sessionId.empty() && it != m_sessions.end() && it->second.principalId == principal.id) {
            m_sessions.erase(it);
            found = true;
        }
    }
    if (!found) {
        exchange->reply(404, rpcwire::error(nullptr, rpcwire::kInvalidRequest, "unknown session"));
        return;
    }
    exchange->reply(200, nullptr, {}, "session ended");
}

void McpEndpoint::handleGet(const ExchangePtr &exchange, const Principal &principal)
{
    const HttpRequest &request = exchange->request();
    std::string accept(request.header("Accept"));
    for (char &c : accept)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    // The stream belongs to a session; without one (or without text/event-stream) there is no stream to
    // offer, which MCP answers with 405.
    const std::string sessionId(request.header("Mcp-Session-Id"));
    if (accept.find("text/event-stream") == std::string::npos || sessionId.empty()) {
        exchange->reply(405,
                        rpcwire::error(nullptr, rpcwire::kInvalidRequest,
                                       "GET opens the event stream of a session: send Mcp-Session-Id and Accept: "
                                       "text/event-stream"),
                        {{"Allow", "GET, POST, DELETE"}});
        return;
    }
    switch (touchSession(sessionId, principal.id, false)) {
    case SessionLookup::None:
    case SessionLookup::Unknown:
        exchange->reply(404, rpcwire::error(nullptr, rpcwire::kInvalidRequest, "unknown or expired session"));
        return;
    case SessionLookup::Found:
        break;
    }
    // This server sends no requests or notifications of its own, so the stream carries only this comment
    // until the client leaves.
    HttpResponse stream;
    stream.stream = true;
    stream.headers = {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"},
                      {"Mcp-Session-Id", sessionId}};
    stream.body = ": stream open\n\n";
    exchange->reply(std::move(stream), "stream");
}

McpEndpoint::SessionLookup McpEndpoint::touchSession(const std::string &sessionId, const std::string &principalId,
                                                     bool markInitialized)
{
    if (sessionId.empty())
        return SessionLookup::None;
    const auto t = now();
    std::lock_guard lock(m_mutex);
    const auto it = m_sessions.find(sessionId);
    if (it == m_sessions.end() || it->second.principalId != principalId)
        return SessionLookup::Unknown;
    if (t - it->second.lastUsed > m_options.sessionIdleTtl) {
        m_sessions.erase(it);
        return SessionLookup::Unknown;
    }
    it->second.lastUsed = t;
    if (markInitialized)
        it->second.initialized = true;
    return SessionLookup::Found;
}

void McpEndpoint::handlePost(const ExchangePtr &exchange, const Principal &principal)
{
    const HttpRequest &request = exchange->request();
    if (std::int64_t(request.body.size()) > m_options.maxBodyBytes) {
        exchange->reply(413,
                        rpcwire::error(nullptr, rpcwire::kInvalidRequest,
                                       "request body larger than " + std::to_string(m_options.maxBodyBytes) +
                                           " bytes"));
        return;
    }
    exchange->sse = mcpAcceptsOnlySse(request.header("Accept"));
    nlohmann::json message;
    switch (rpcwire::parseBody(request.body, m_options.maxJsonDepth, &message)) {
    case rpcwire::ParseStatus::NotJson:
        exchange->reply(400, rpcwire::error(nullptr, rpcwire::kParseError, "parse error: the body is not JSON"));
        return;
    case rpcwire::ParseStatus::TooDeep:
        exchange->reply(400, rpcwire::error(nullptr, rpcwire::kParseError,
                                            "parse error: JSON nested deeper than " +
                                                std::to_string(m_options.maxJsonDepth) + " levels"));
        return;
    case rpcwire::ParseStatus::Ok:
        break;
    }
    const nlohmann::json id = rpcwire::field(message, "id");
    const nlohmann::json methodField = rpcwire::field(message, "method");
    if (!message.is_object() || rpcwire::stringField(message, "jsonrpc") != std::optional<std::string>("2.0") ||
        (message.contains("method") && !methodField.is_string()) || !mcpValidId(id)) {
        exchange->reply(400, rpcwire::error(mcpValidId(id) ? id : nlohmann::json(), rpcwire::kInvalidRequest,
                                            "invalid JSON-RPC 2.0 request (batches are not supported)"));
        return;
    }
    if (!methodField.is_string()) {
        // A response to a server request; this server sends none, so there is nothing to match it with.
        exchange->reply(202, nullptr);
        return;
    }
    const std::string method = methodField.get<std::string>();
    const bool isNotification = !message.contains("id");
    exchange->rpc = method;

    // Sessions: initialize opens one; a request naming a session this server does not know gets 404 so the
    // client starts over. Requests without a session header are served statelessly.
    if (method != "initialize") {
        const std::string sessionId(request.header("Mcp-Session-Id"));
        if (touchSession(sessionId, principal.id, method == "notifications/initialized") ==
            SessionLookup::Unknown) {
            exchange->reply(404, rpcwire::error(id, rpcwire::kInvalidRequest, "unknown or expired session"));
            return;
        }
    }
    const std::string_view versionHeader = request.header("MCP-Protocol-Version");
    if (!versionHeader.empty() &&
        !supportedProtocolVersions().contains(
            QString::fromLatin1(versionHeader.data(), qsizetype(versionHeader.size())))) {
        exchange->reply(400, rpcwire::error(id, rpcwire::kInvalidRequest,
                                            "unsupported MCP-Protocol-Version; this server speaks " +
                                                supportedProtocolVersions().join(QStringLiteral(", ")).toStdString()));
        return;
    }
    if (isNotification) {
        exchange->reply(202, nullptr);
        return;
    }
    const nlohmann::json params = rpcwire::field(message, "params", nlohmann::json::object());
    if (!params.is_object()) {
        exchange->reply(200, rpcwire::error(id, rpcwire::kInvalidParams, "params must be an object"));
        return;
    }
    answerMethod(exchange, principal, method, id, params);
}

void McpEndpoint::answerMethod(const ExchangePtr &exchange, const Principal &principal, const std::string &method,
                               const nlohmann::json &id, const nlohmann::json &params)
{
    if (method == "initialize")
        initialize(exchange, principal, id, params);
    else if (method == "ping")
        exchange->reply(200, rpcwire::result(id, nlohmann::json::object()));
    else if (method == "tools/list")
        exchange->reply(200, rpcwire::result(id, toolsList(principal)));
    else if (method == "tools/call")
        toolsCall(exchange, principal, id, params);
    else if (method == "resources/list" || method == "prompts/list")
        exchange->reply(200, rpcwire::error(id, rpcwire::kMethodNotFound, "this server offers tools only"));
    else
        exchange->reply(200, rpcwire::error(id, rpcwire::kMethodNotFound, "method not found: " + method));
}

void McpEndpoint::dropExpiredLocked(std::chrono::steady_clock::time_point t)
{
    for (auto it = m_sessions.begin(); it != m_sessions.end();) {
        if (t - it->second.lastUsed > m_options.sessionIdleTtl)
            it = m_sessions.erase(it);
        else
            ++it;
    }
}

void McpEndpoint::initialize(const ExchangePtr &exchange, const Principal &principal, const nlohmann::json &id,
                             const nlohmann::json &params)
{
    const QString requested = QString::fromStdString(rpcwire::stringField(params, "protocolVersion").value_or(""));
    const QString version =
        supportedProtocolVersions().contains(requested) ? requested : supportedProtocolVersions().front();
    const std::string sid = QUuid::createUuid().toString(QUuid::Id128).toStdString();
    {
        const auto t = now();
        std::lock_guard lock(m_mutex);
        dropExpiredLocked(t);
        // A principal over its share gives up its own least recently used session; nobody else's.
        auto oldest = m_sessions.end();
        int own = 0;
        for (auto it = m_sessions.begin(); it != m_sessions.end(); ++it) {
            if (it->second.principalId != principal.id)
                continue;
            ++own;
            if (oldest == m_sessions.end() || it->second.lastUsed < oldest->second.lastUsed)
                oldest = it;
        }
        if (own >= m_options.maxSessionsPerPrincipal && oldest != m_sessions.end())
            m_sessions.erase(oldest);
        else if (int(m_sessions.size()) >= m_options.maxSessions) {
            exchange->reply(503,
                            rpcwire::error(id, rpcwire::kInvalidRequest,
                                           "this server has no room for another session; retry later"),
                            {{"Retry-After", "60"}}, "sessions full");
            return;
        }
        m_sessions.emplace(sid, Session{principal.id, version.toStdString(), false, t});
    }
    const nlohmann::json result = {
        {"protocolVersion", version.toStdString()},
        {"capabilities", {{"tools", {{"listChanged", false}}}}},
        {"serverInfo",
         {{"name", "adcp-workbench-seller"}, {"title", m_options.agentName.toStdString()}, {"version", "0.1.0"}}},
        {"instructions", "AdCP media-buy sales agent. Tool names are AdCP task names; arguments are the AdCP "
                         "request; results are in structuredContent."}};
    exchange->reply(200, rpcwire::result(id, result), {{"Mcp-Session-Id", sid}});
}

void McpEndpoint::toolsCall(const ExchangePtr &exchange, const Principal &principal, const nlohmann::json &id,
                            const nlohmann::json &params)
{
    const auto name = rpcwire::stringField(params, "name");
    if (!name) {
        exchange->reply(200, rpcwire::error(id, rpcwire::kInvalidParams, "tools/call needs params.name"));
        return;
    }
    exchange->rpc += ' ' + *name;
    nlohmann::json arguments = rpcwire::field(params, "arguments", nlohmann::json::object());
    if (!m_dispatcher->hasTool(*name)) {
        AdcpError e = AdcpError::make("INVALID_REQUEST", "unknown tool '" + *name + "'", std::string("name"),
                                      "call tools/list for the tools this agent offers");
        exchange->reply(200, rpcwire::result(id, toolResult(ToolOutcome::failure(e), arguments)));
        return;
    }
    if (const auto error = rpcwire::versionError(arguments)) {
        exchange->reply(200, rpcwire::result(id, toolResult(ToolOutcome::failure(*error), arguments)), {},
                        error->code);
        return;
    }
    auto work = [this, exchange, principal, tool = *name, arguments = std::move(arguments), id] {
        ToolOutcome outcome;
        try {
            outcome = m_dispatcher->callPrepared(principal, tool, arguments);
        } catch (const std::exception &e) {
            outcome = ToolOutcome::failure(
                AdcpError::make("SERVICE_UNAVAILABLE", std::string("the call failed: ") + e.what()));
        }
        if (outcome.error)
            exchange->reply(200, rpcwire::result(id, toolResult(outcome, arguments)), {}, outcome.error->code);
        else
            exchange->replyRaw(200, successMessage(id, outcome.result, outcome.prepared));
    };
    if (m_runOnWorker)
        m_runOnWorker(std::move(work));
    else
        work();
}

nlohmann::json McpEndpoint::toolsList(const Principal &principal) const
{
    nlohmann::json tools = nlohmann::json::array();
    for (const auto &tool : m_dispatcher->tools(principal)) {
        nlohmann::json schema = tool.inputSchema.is_object() ? tool.inputSchema : nlohmann::json{{"type", "object"}};
        if (!schema.contains("type"))
            schema["type"] = "object";
        tools.push_back({{"name", tool.name}, {"description", tool.description}, {"inputSchema", schema}});
    }
    return {{"tools", tools}};
}

std::string McpEndpoint::successMessage(const nlohmann::json &id, const nlohmann::json &result,
                                        std::span<const wire::PreparedMember> prepared)
{
    // The result is written once, with its text copy escaped beside it; prepared members come as they are.
    wire::TwinText text;
    std::size_t bytes = 256;
    for (const auto &member : prepared)
        bytes += member.piece.text.size();
    text.reserve(bytes);
    if (result.is_object())
        wire::appendObject(text, result, prepared);
    else
        text.append("{}");
    std::string out;
    out.reserve(text.text.size() + text.escaped.size() + 160);
    out += R"({"jsonrpc":"2.0","id":)";
    out += rpcwire::dump(id);
    out += R"(,"result":{"content":[{"type":"text","text":")";
    out += text.escaped;
    out += R"("}],"structuredContent":)";
    out += text.text;
    out += R"(,"isError":false}})";
    return out;
}

nlohmann::json McpEndpoint::toolResult(const ToolOutcome &outcome, const nlohmann::json &arguments)
{
    if (outcome.error) {
        const nlohmann::json payload = rpcwire::errorPayload(*outcome.error, arguments);
        return {{"content", nlohmann::json::array({{{"type", "text"}, {"text", rpcwire::dump(payload)}}})},
                {"structuredContent", payload},
                {"isError", true}};
    }
    const nlohmann::json &result = outcome.result.is_object() ? outcome.result : nlohmann::json::object();
    return {{"content", nlohmann::json::array({{{"type", "text"}, {"text", rpcwire::dump(result)}}})},
            {"structuredContent", result},
            {"isError", false}};
}

} // namespace adcp::seller
