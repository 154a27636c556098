#include "mcptransport.h"

#include "agentjson.h"
#include "jsonrpchttp.h"
#include "secretmask.h"
#include "transportcall.h"
#include "wire/jsonread.h"

#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QTimer>

#include <algorithm>
#include <limits>

namespace adcp {

namespace {

constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;

AdcpError makeError(std::string code, std::string message, Recovery recovery)
{
    AdcpError e = AdcpError::make(std::move(code), std::move(message));
    e.recovery = recovery;
    return e;
}

bool isRetryableStatus(int status)
{
    return status == 502 || status == 503 || status == 504;
}

struct InitializeResult
{
    std::optional<AdcpError> error;
    QString version;
    nlohmann::json serverInfo;
    QByteArray sessionId;
};

// MCP session ids are visible ASCII; anything else would be echoed into our own request headers.
bool isValidSessionId(const QByteArray &id)
{
    return std::all_of(id.cbegin(), id.cend(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

InitializeResult acceptInitializeResult(const nlohmann::json &result, const HeaderList &headers,
                                        const QStringList &offered)
{
    InitializeResult accepted;
    const wire::JsonRef root(result);
    const auto version = root["protocolVersion"].string(64);
    if (!version) {
        accepted.error =
            makeError("INVALID_RESPONSE", "the agent's initialize result: " + version.error().message(),
                      Recovery::Terminal);
        return accepted;
    }
    accepted.version = QString::fromStdString(*version);
    if (!offered.contains(accepted.version)) {
        accepted.error = makeError("VERSION_UNSUPPORTED",
                                   "the agent answered initialize with MCP protocol version '" + *version +
                                       "', which this client does not speak",
                                   Recovery::Terminal);
        return accepted;
    }
    if (const auto info = root["serverInfo"].object())
        accepted.serverInfo = info->raw();
    for (const auto &[name, value] : headers) {
        if (name.compare("mcp-session-id", Qt::CaseInsensitive) == 0)
            accepted.sessionId = value;
    }
    if (!isValidSessionId(accepted.sessionId)) {
        accepted.error = makeError("INVALID_RESPONSE", "the agent's Mcp-Session-Id is not visible ASCII",
                                   Recovery::Terminal);
    }
    return accepted;
}

} // namespace

namespace {

// A string member of a peer's object; absent or of another type reads as empty.
std::string stringOf(const wire::JsonRef &ref, std::size_t maxLength = wire::kDefaultMaxString)
{
    return ref.string(maxLength).valueOr(std::string());
}

// The AdCP payload of a tools/call result: structuredContent, else the first text part that is a JSON
// object. A plain-text part of an error result is returned through `errorText`.
std::optional<nlohmann::json> toolPayload(const wire::JsonRef &result, bool isError, std::string *errorText)
{
    if (const auto structured = result["structuredContent"].object())
        return structured->raw();
    for (const wire::JsonRef &part : result["content"].items()) {
        // The text part carries the whole answer, so it is as long as the answer may be.
        const auto text = part["text"].string(std::numeric_limits<std::size_t>::max());
        if (stringOf(part["type"]) != "text" || !text)
            continue;
        auto body = parseAgentJson(QByteArray::fromStdString(*text));
        if (body && body->is_object())
            return body;
        if (isError) {
            *errorText = *text; // a plain-text error (no adcp_error): keep the server's words
            return std::nullopt;
        }
    }
    return std::nullopt;
}

ToolOutcome errorOutcome(const nlohmann::json &body, bool isError)
{
    const wire::JsonRef root(body);
    if (const auto envelope = root["adcp_error"].object()) {
        // The envelope may be trimmed (an idempotency conflict's carries only code and message); the
        // payload's first error of the same code is the complete one.
        const wire::JsonRef first = root["errors"][std::size_t{0}];
        if (first.object() && stringOf(first["code"]) == stringOf((*envelope)["code"]))
            return ToolOutcome::failure(AdcpError::fromJson(first.raw()));
        return ToolOutcome::failure(AdcpError::fromJson(envelope->raw()));
    }
    if (!isError)
        return ToolOutcome::success(body);
    if (root["code"].exists() && root["message"].exists())
        return ToolOutcome::failure(AdcpError::fromJson(body));
    if (const wire::JsonRef first = root["errors"][std::size_t{0}]; first.exists())
        return ToolOutcome::failure(AdcpError::fromJson(first.raw()));
    return ToolOutcome::failure(
        makeError("TOOL_ERROR", "the agent reported an error without details", Recovery::Transient));
}

} // namespace

ToolOutcome outcomeFromMcpToolResult(const nlohmann::json &result)
{
    if (!result.is_object())
        return ToolOutcome::failure(
            makeError("INVALID_RESPONSE", "tools/call result is not an object", Recovery::Terminal));
    const wire::JsonRef root(result);
    const auto isErrorMember = root["isError"].boolean();
    if (isErrorMember.invalid())
        return ToolOutcome::failure(makeError(
            "INVALID_RESPONSE", "tools/call result: " + isErrorMember.error().message(), Recovery::Terminal));
    const bool isError = isErrorMember.valueOr(false);
    std::string errorText;
    const std::optional<nlohmann::json> body = toolPayload(root, isError, &errorText);
    if (body)
        return errorOutcome(*body, isError);
    if (!errorText.empty())
        return ToolOutcome::failure(makeError("TOOL_ERROR", errorText, Recovery::Transient));
    if (isError)
        return ToolOutcome::failure(
            makeError("TOOL_ERROR", "the agent reported an error without details", Recovery::Transient));
    return ToolOutcome::failure(
        makeError("INVALID_RESPONSE", "tools/call result has neither structuredContent nor a JSON text part",
                  Recovery::Terminal));
}

AdcpError adcpErrorFromJsonRpcError(const nlohmann::json &error)
{
    if (!error.is_object())
        return makeError("INVALID_RESPONSE", "JSON-RPC error is not an object", Recovery::Terminal);
    const wire::JsonRef root(error);
    if (const auto adcp = root["data"]["adcp_error"].object())
        return AdcpError::fromJson(adcp->raw());
    const int code = int(
        root["code"].integer(std::numeric_limits<int>::min(), std::numeric_limits<int>::max()).valueOr(0));
    const std::string given = stringOf(root["message"]);
    const std::string message = given.empty() ? std::string("JSON-RPC error") : given;
    AdcpError e;
    switch (code) {
    case -32029:
        e = AdcpError::make("RATE_LIMITED", message);
        break;
    case -32028:
        e = AdcpError::make("AUTH_MISSING", message);
        break;
    case -32027:
        e = AdcpError::make("SERVICE_UNAVAILABLE", message);
        break;
    case kParseError:
    case kInvalidRequest:
    case kMethodNotFound:
    case kInvalidParams:
        e = makeError("INVALID_REQUEST", message, Recovery::Correctable);
        break;
    default:
        e = makeError("SERVICE_UNAVAILABLE", message, Recovery::Transient);
        break;
    }
    e.details = {{"jsonrpc_code", code}};
    return e;
}

struct McpTransport::Call final : TransportCall
{
    QString method; // "tools/call" or another JSON-RPC method
    nlohmann::json params;
    int attempt = 0;
    bool reinitialized = false;
    TransportMeta lastMeta;
};

McpTransport::McpTransport(McpTransportOptions options, QObject *parent)
    : AgentTransport(parent), m_options(std::move(options))
{
    qRegisterMetaType<adcp::ToolOutcome>();
    qRegisterMetaType<adcp::TransportMeta>();
}

McpTransport::~McpTransport()
{
    // Replies are children of m_network; make sure none calls back into a half-destroyed transport.
    for (const auto &call : std::as_const(m_calls))
        abortExchange(this, *call);
    if (m_handshakeReply)
        m_handshakeReply->disconnect(this);
}

QString McpTransport::kind() const
{
    return QStringLiteral("mcp");
}

const McpTransportOptions &McpTransport::options() const
{
    return m_options;
}

QByteArray McpTransport::sessionId() const
{
    return m_sessionId;
}

QString McpTransport::negotiatedProtocolVersion() const
{
    return m_protocolVersion;
}

nlohmann::json McpTransport::serverInfo() const
{
    return m_serverInfo;
}

quint64 McpTransport::callTool(const QString &tool, const nlohmann::json &arguments)
{
    return callMethod(QStringLiteral("tools/call"),
                      {{"name", tool.toStdString()},
                       {"arguments", arguments.is_null() ? nlohmann::json::object() : arguments}});
}

quint64 McpTransport::callMethod(const QString &method, const nlohmann::json &params)
{
    auto call = std::make_shared<Call>();
    call->id = m_nextCallId++;
    call->method = method;
    call->params = params;
    m_calls.insert(call->id, call);
    if (m_state == State::Ready) {
        // Sent from the event loop so that callFinished can never precede the caller learning the id.
        sendSoon(this, call, [this, call] { sendCall(call); });
    } else {
        m_waiting.append(call);
        startHandshake();
    }
    return call->id;
}

void McpTransport::cancel(quint64 callId)
{
    const auto call = m_calls.value(callId);
    if (cancelCall(this, call, [this, call](const ToolOutcome &outcome) { finish(call, outcome); }))
        m_waiting.removeAll(call);
}

int McpTransport::backoffMs(int attempt) const
{
    return m_options.retryBaseMs * (1 << std::min(attempt, 10));
}

QNetworkRequest McpTransport::makeRequest(bool withSession) const
{
    QNetworkRequest request(m_options.endpoint);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Accept", "application/json, text/event-stream");
    if (!m_options.bearerToken.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_options.bearerToken);
    if (withSession && !m_sessionId.isEmpty())
        request.setRawHeader("Mcp-Session-Id", m_sessionId);
    if (withSession && !m_protocolVersion.isEmpty())
        request.setRawHeader("MCP-Protocol-Version", m_protocolVersion.toLatin1());
    for (const auto &[name, value] : m_options.extraHeaders)
        request.setRawHeader(name, value);
    if (!m_options.extraCaCertificates.isEmpty() && m_options.endpoint.scheme() == QLatin1String("https")) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(m_options.extraCaCertificates);
        request.setSslConfiguration(tls);
    }
    return request;
}

void McpTransport::startHandshake()
{
    if (m_state == State::Initializing)
        return;
    m_state = State::Initializing;
    m_handshakeAttempt = 0;
    m_sessionId.clear();
    m_protocolVersion.clear();
    sendInitialize();
}

AnswerLimits McpTransport::answerLimits(int timeoutMs) const
{
    return AnswerLimits{m_options.maxAnswerBytes, timeoutMs, m_options.idleTimeoutMs};
}

OriginPolicy McpTransport::originPolicy() const
{
    return OriginPolicy{m_options.endpoint, !m_options.bearerToken.isEmpty(), foreignOriginHandler()};
}

void McpTransport::sendInitialize()
{
    const nlohmann::json message = {{"jsonrpc", "2.0"},
                                    {"id", m_nextRpcId++},
                                    {"method", "initialize"},
                                    {"params",
                                     {{"protocolVersion", m_options.protocolVersions.value(0).toStdString()},
                                      {"capabilities", nlohmann::json::object()},
                                      {"clientInfo", {{"name", "adcp-workbench"}, {"version", "0.1.0"}}}}}};
    auto attempt =
        sendJsonRpc(m_network, this, makeRequest(false), message, answerLimits(m_options.handshakeTimeoutMs),
                    originPolicy(), [this](const std::shared_ptr<RpcAttempt> &a) {
                        m_handshakeReply = nullptr;
                        onInitializeAnswer(*a);
                    });
    m_handshakeReply = attempt->reply;
}

void McpTransport::onInitializeAnswer(const RpcAttempt &a)
{
    const int status = a.meta.httpStatus;
    const bool transient = !a.fault && ((status == 0 && !a.timedOut) || isRetryableStatus(status));
    if (transient && m_handshakeAttempt < m_options.maxRetries) {
        const int delay = backoffMs(m_handshakeAttempt++);
        QTimer::singleShot(delay, this, [this] {
            if (m_state == State::Initializing)
                sendInitialize();
        });
        return;
    }
    m_state = State::Idle;
    if (a.fault) {
        failPending(*a.fault);
        return;
    }
    if (a.message && a.message->contains("result")) {
        const auto accepted = acceptInitializeResult((*a.message)["result"], a.meta.responseHeaders,
                                                     m_options.protocolVersions);
        if (accepted.error) {
            failPending(*accepted.error);
            return;
        }
        m_protocolVersion = accepted.version;
        m_serverInfo = accepted.serverInfo;
        m_sessionId = accepted.sessionId;
        m_state = State::Initializing;
        sendInitializedNotice();
        return;
    }
    AdcpError error;
    if (a.message && a.message->contains("error"))
        error = adcpErrorFromJsonRpcError((*a.message)["error"]);
    else if (status == 401)
        error = AdcpError::make(m_options.bearerToken.isEmpty() ? "AUTH_MISSING" : "AUTH_INVALID",
                                "the agent refused the credentials (HTTP 401)");
    else if (a.timedOut)
        error = makeError("SERVICE_UNAVAILABLE", "initialize timed out", Recovery::Transient);
    else if (status == 0)
        error = makeError("SERVICE_UNAVAILABLE",
                          "could not connect to " + m_options.endpoint.toString().toStdString(),
                          Recovery::Transient);
    else
        error = makeError("SERVICE_UNAVAILABLE", "initialize failed with HTTP " + std::to_string(status),
                          status >= 500 ? Recovery::Transient : Recovery::Terminal);
    failPending(error);
}

void McpTransport::sendInitializedNotice()
{
    const nlohmann::json message = {{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}};
    sendJsonRpc(m_network, this, makeRequest(true), message, answerLimits(m_options.handshakeTimeoutMs),
                originPolicy(), [this](const std::shared_ptr<RpcAttempt> &) {
                    // The notice has no answer worth checking: a server that dislikes it will say so on the
                    // next call.
                    m_state = State::Ready;
                    flushPending();
                });
}

void McpTransport::failPending(const AdcpError &error)
{
    const auto waiting = std::exchange(m_waiting, {});
    for (const auto &call : waiting) {
        call->lastMeta.transport = kind();
        call->lastMeta.url = m_options.endpoint;
        finish(call, ToolOutcome::failure(error));
    }
}

void McpTransport::flushPending()
{
    const auto waiting = std::exchange(m_waiting, {});
    for (const auto &call : waiting) {
        if (!call->canceled)
            sendCall(call);
    }
}

void McpTransport::sendCall(const std::shared_ptr<Call> &call)
{
    const nlohmann::json message = {{"jsonrpc", "2.0"},
                                    {"id", m_nextRpcId++},
                                    {"method", call->method.toStdString()},
                                    {"params", call->params}};
    const std::weak_ptr<Call> weak = call;
    // Calls are signed when the profile has a key (RFC 9421); the handshake is not: it is no AdCP operation.
    call->rpc = sendJsonRpc(
        m_network, this, makeRequest(true), message, answerLimits(m_options.timeoutMs), originPolicy(),
        [this, weak](const std::shared_ptr<RpcAttempt> &) {
            if (auto c = weak.lock())
                onCallFinished(c);
        },
        kind(), requestSigning().get());
}

void McpTransport::retryLater(const std::shared_ptr<Call> &call, int delayMs)
{
    ++call->attempt;
    QTimer::singleShot(delayMs, this, [this, call] {
        if (call->canceled || call->finished)
            return;
        if (m_state == State::Ready) {
            sendCall(call);
        } else {
            m_waiting.append(call);
            startHandshake();
        }
    });
}

void McpTransport::onCallFinished(const std::shared_ptr<Call> &call)
{
    if (call->canceled || call->finished)
        return;
    const auto a = call->rpc;
    call->lastMeta = a->meta;
    const int status = a->meta.httpStatus;
    const bool canRetry = call->attempt < m_options.maxRetries;
    if (a->fault) {
        finish(call, ToolOutcome::failure(*a->fault));
        return;
    }

    // A known session the server no longer has: open a new one and send the call again, once.
    if (status == 404 && !m_sessionId.isEmpty() && !call->reinitialized) {
        call->reinitialized = true;
        m_state = State::Idle;
        m_sessionId.clear();
        m_waiting.append(call);
        startHandshake();
        return;
    }
    if (((status == 0 && !a->timedOut) || isRetryableStatus(status)) && canRetry) {
        retryLater(call, backoffMs(call->attempt));
        return;
    }

    ToolOutcome outcome;
    if (a->message && a->message->contains("result")) {
        const auto &result = (*a->message)["result"];
        outcome = call->method == QLatin1String("tools/call") ? outcomeFromMcpToolResult(result)
                                                              : ToolOutcome::success(result);
    } else if (a->message && a->message->contains("error")) {
        outcome = ToolOutcome::failure(adcpErrorFromJsonRpcError((*a->message)["error"]));
    } else if (const auto missing = missingAnswerError(*a)) {
        outcome = ToolOutcome::failure(*missing);
    } else if (a->timedOut) {
        outcome = ToolOutcome::failure(makeError(
            "SERVICE_UNAVAILABLE", "no answer within " + std::to_string(m_options.timeoutMs) + " ms",
            Recovery::Transient));
    } else if (status == 0) {
        outcome = ToolOutcome::failure(
            makeError("SERVICE_UNAVAILABLE", "could not reach " + m_options.endpoint.toString().toStdString(),
                      Recovery::Transient));
    } else if (status == 401) {
        outcome = ToolOutcome::failure(
            AdcpError::make(m_options.bearerToken.isEmpty() ? "AUTH_MISSING" : "AUTH_INVALID",
                            "the agent refused the credentials (HTTP 401)"));
    } else if (status == 403) {
        outcome = ToolOutcome::failure(
            AdcpError::make("PERMISSION_DENIED", "the agent refused the call (HTTP 403)"));
    } else {
        outcome = ToolOutcome::failure(
            makeError("SERVICE_UNAVAILABLE", "HTTP " + std::to_string(status) + " without a JSON-RPC answer",
                      status >= 500 ? Recovery::Transient : Recovery::Terminal));
    }
    if (outcome.error && outcome.error->code == "RATE_LIMITED" && canRetry) {
        const int waitMs =
            outcome.error->retryAfter ? *outcome.error->retryAfter * 1000 : backoffMs(call->attempt);
        if (waitMs <= m_options.maxRetryAfterMs) {
            retryLater(call, waitMs);
            return;
        }
    }
    finish(call, outcome);
}

void McpTransport::finish(const std::shared_ptr<Call> &call, const ToolOutcome &outcome)
{
    if (call->finished)
        return;
    call->finished = true;
    m_calls.remove(call->id);
    TransportMeta meta = call->lastMeta;
    if (meta.transport.isEmpty()) {
        meta.transport = kind();
        meta.url = m_options.endpoint;
    }
    // Emitted from the event loop: a receiver may delete this transport, which must not happen while a
    // network reply of ours is still inside its own signal.
    QTimer::singleShot(0, this,
                       [this, id = call->id, shared = std::make_shared<const ToolOutcome>(outcome), meta] {
                           Q_EMIT callFinished(id, shared, meta);
                       });
}

void McpTransport::closeSession()
{
    if (!m_sessionId.isEmpty()) {
        QNetworkRequest request = makeRequest(true);
        ReplyGuard::prepare(request);
        QNetworkReply *reply = m_network.deleteResource(request);
        // Nobody reads the answer: Qt stops reading once this much is buffered, and the guard's timers end
        // it.
        reply->setReadBufferSize(64 * 1024);
        new ReplyGuard(reply, answerLimits(m_options.timeoutMs), originPolicy());
        connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
    }
    m_sessionId.clear();
    m_protocolVersion.clear();
    if (m_state == State::Ready)
        m_state = State::Idle;
}

} // namespace adcp
