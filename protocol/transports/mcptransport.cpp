#include "mcptransport.h"

#include "jsonrpchttp.h"
#include "secretmask.h"
#include "transportcall.h"

#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

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

std::optional<nlohmann::json> parseObject(const std::string &text)
{
    auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object())
        return std::nullopt;
    return parsed;
}

bool isRetryableStatus(int status)
{
    return status == 502 || status == 503 || status == 504;
}

} // namespace

ToolOutcome outcomeFromMcpToolResult(const nlohmann::json &result)
{
    if (!result.is_object())
        return ToolOutcome::failure(
            makeError("INVALID_RESPONSE", "tools/call result is not an object", Recovery::Terminal));
    const bool isError = result.value("isError", false);
    std::optional<nlohmann::json> body;
    if (auto it = result.find("structuredContent"); it != result.end() && it->is_object())
        body = *it;
    if (!body) {
        if (auto it = result.find("content"); it != result.end() && it->is_array()) {
            for (const auto &part : *it) {
                if (part.is_object() && part.value("type", std::string()) == "text" &&
                    part.contains("text") && part["text"].is_string()) {
                    body = parseObject(part["text"].get<std::string>());
                    if (body)
                        break;
                    if (isError) {
                        // A plain-text error (no adcp_error): keep the server's words.
                        return ToolOutcome::failure(
                            makeError("TOOL_ERROR", part["text"].get<std::string>(), Recovery::Transient));
                    }
                }
            }
        }
    }
    if (body) {
        if (auto it = body->find("adcp_error"); it != body->end() && it->is_object()) {
            // The envelope may be trimmed (an idempotency conflict's carries only code and message); the
            // payload's first error of the same code is the complete one.
            if (auto errors = body->find("errors");
                errors != body->end() && errors->is_array() && !errors->empty() &&
                errors->front().is_object() &&
                errors->front().value("code", std::string()) == it->value("code", std::string()))
                return ToolOutcome::failure(AdcpError::fromJson(errors->front()));
            return ToolOutcome::failure(AdcpError::fromJson(*it));
        }
        if (isError) {
            if (body->contains("code") && body->contains("message"))
                return ToolOutcome::failure(AdcpError::fromJson(*body));
            if (auto it = body->find("errors"); it != body->end() && it->is_array() && !it->empty())
                return ToolOutcome::failure(AdcpError::fromJson(it->front()));
            return ToolOutcome::failure(
                makeError("TOOL_ERROR", "the agent reported an error without details", Recovery::Transient));
        }
        return ToolOutcome::success(std::move(*body));
    }
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
    if (auto data = error.find("data"); data != error.end() && data->is_object()) {
        if (auto it = data->find("adcp_error"); it != data->end() && it->is_object())
            return AdcpError::fromJson(*it);
    }
    const int code = error.value("code", 0);
    const std::string message = error.value("message", std::string("JSON-RPC error"));
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
    request.setTransferTimeout(0); // our own timer decides; it also covers slow SSE streams
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

void McpTransport::sendInitialize()
{
    const nlohmann::json message = {{"jsonrpc", "2.0"},
                                    {"id", m_nextRpcId++},
                                    {"method", "initialize"},
                                    {"params",
                                     {{"protocolVersion", m_options.protocolVersions.value(0).toStdString()},
                                      {"capabilities", nlohmann::json::object()},
                                      {"clientInfo", {{"name", "adcp-workbench"}, {"version", "0.1.0"}}}}}};
    auto attempt = sendJsonRpc(
        m_network, this, makeRequest(false), message, m_options.handshakeTimeoutMs,
        [this](const std::shared_ptr<RpcAttempt> &a) {
            m_handshakeReply = nullptr;
            const int status = a->meta.httpStatus;
            const bool transient = (status == 0 && !a->timedOut) || isRetryableStatus(status);
            if (transient && m_handshakeAttempt < m_options.maxRetries) {
                const int delay = backoffMs(m_handshakeAttempt++);
                QTimer::singleShot(delay, this, [this] {
                    if (m_state == State::Initializing)
                        sendInitialize();
                });
                return;
            }
            if (a->message && a->message->contains("result")) {
                const auto &result = (*a->message)["result"];
                const QString version =
                    QString::fromStdString(result.value("protocolVersion", std::string()));
                if (!m_options.protocolVersions.contains(version)) {
                    m_state = State::Idle;
                    failPending(makeError("VERSION_UNSUPPORTED",
                                          "the agent answered initialize with MCP protocol version '" +
                                              version.toStdString() + "', which this client does not speak",
                                          Recovery::Terminal));
                    return;
                }
                m_protocolVersion = version;
                m_serverInfo = result.value("serverInfo", nlohmann::json());
                for (const auto &[name, value] : a->meta.responseHeaders) {
                    if (name.compare("mcp-session-id", Qt::CaseInsensitive) == 0)
                        m_sessionId = value;
                }
                sendInitializedNotice();
                return;
            }
            m_state = State::Idle;
            AdcpError error;
            if (a->message && a->message->contains("error"))
                error = adcpErrorFromJsonRpcError((*a->message)["error"]);
            else if (status == 401)
                error = AdcpError::make(m_options.bearerToken.isEmpty() ? "AUTH_MISSING" : "AUTH_INVALID",
                                        "the agent refused the credentials (HTTP 401)");
            else if (a->timedOut)
                error = makeError("SERVICE_UNAVAILABLE", "initialize timed out", Recovery::Transient);
            else if (status == 0)
                error = makeError("SERVICE_UNAVAILABLE",
                                  "could not connect to " + m_options.endpoint.toString().toStdString(),
                                  Recovery::Transient);
            else
                error =
                    makeError("SERVICE_UNAVAILABLE", "initialize failed with HTTP " + std::to_string(status),
                              status >= 500 ? Recovery::Transient : Recovery::Terminal);
            failPending(error);
        });
    m_handshakeReply = attempt->reply;
}

void McpTransport::sendInitializedNotice()
{
    const nlohmann::json message = {{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}};
    sendJsonRpc(m_network, this, makeRequest(true), message, m_options.handshakeTimeoutMs,
                [this](const std::shared_ptr<RpcAttempt> &) {
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
    call->rpc = sendJsonRpc(m_network, this, makeRequest(true), message, m_options.timeoutMs,
                            [this, weak](const std::shared_ptr<RpcAttempt> &) {
                                if (auto c = weak.lock())
                                    onCallFinished(c);
                            });
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
                       [this, id = call->id, outcome, meta] { Q_EMIT callFinished(id, outcome, meta); });
}

void McpTransport::closeSession()
{
    if (!m_sessionId.isEmpty()) {
        QNetworkReply *reply = m_network.deleteResource(makeRequest(true));
        connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
    }
    m_sessionId.clear();
    m_protocolVersion.clear();
    if (m_state == State::Ready)
        m_state = State::Idle;
}

} // namespace adcp
