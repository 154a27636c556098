#pragma once

#include "agenttransport.h"
#include "replyguard.h"

#include <QHash>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QSslCertificate>
#include <QStringList>

#include <memory>

class QNetworkReply;
class QTimer;

namespace adcp {

struct RpcAttempt;

struct McpTransportOptions
{
    QUrl endpoint;                  // e.g. http://127.0.0.1:3004/mcp
    QByteArray bearerToken;         // empty = no Authorization header
    int timeoutMs = 30000;          // per HTTP request of a call, however slowly its answer drips in
    int handshakeTimeoutMs = 30000; // per HTTP request of the handshake (initialize, the initialized notice)
    int idleTimeoutMs = 30000;      // longest silence within one answer (an SSE stream included)
    qint64 maxAnswerBytes = AnswerLimits::kDefaultMaxAnswerBytes; // per answer; reading stops past it
    int maxRetries = 3;          // transient failures (refused, 502/503/504, RATE_LIMITED) per call
    int retryBaseMs = 200;       // backoff base; doubles per attempt
    int maxRetryAfterMs = 30000; // a server's retry_after above this is not waited for
    HeaderList extraHeaders;
    // Certificate authorities trusted for https:// besides the system's (a private CA on a test network).
    QList<QSslCertificate> extraCaCertificates;
    // Offered in initialize, newest first; the server's answer must be one of them.
    QStringList protocolVersions = {QStringLiteral("2025-11-25"), QStringLiteral("2025-06-18"),
                                    QStringLiteral("2025-03-26"), QStringLiteral("2024-11-05")};
};

// The AdCP result of an MCP tools/call result object: structuredContent, else the first text content that
// parses to a JSON object; isError results become the AdCP error they carry.
ToolOutcome outcomeFromMcpToolResult(const nlohmann::json &result);
// An AdCP error for a JSON-RPC error object (data.adcp_error when present, else by JSON-RPC code).
AdcpError adcpErrorFromJsonRpcError(const nlohmann::json &error);

// MCP streamable HTTP client: initialize with protocol-version negotiation, Mcp-Session-Id, the
// notifications/initialized notice, then tools/call. Answers may be application/json or text/event-stream.
// Transient failures are retried with exponential backoff; a 404 on a known session re-initializes once.
// Everything runs on the thread that owns the transport.
class McpTransport final : public AgentTransport
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(McpTransport)
public:
    explicit McpTransport(McpTransportOptions options, QObject *parent = nullptr);
    ~McpTransport() override;

    QString kind() const override;
    quint64 callTool(const QString &tool, const nlohmann::json &arguments) override;
    void cancel(quint64 callId) override;

    // Any other JSON-RPC method after the handshake (tools/list, ping); finishes like a tool call with the
    // JSON-RPC result as the outcome's result.
    quint64 callMethod(const QString &method, const nlohmann::json &params);

    const McpTransportOptions &options() const;
    QByteArray sessionId() const;
    QString negotiatedProtocolVersion() const;
    nlohmann::json serverInfo() const;
    // Forgets the session (DELETE is sent to the server when one was open).
    void closeSession();

private:
    struct Call;
    enum class State { Idle, Initializing, Ready };

    void startHandshake();
    void sendInitialize();
    void sendInitializedNotice();
    void failPending(const AdcpError &error);
    void flushPending();
    void sendCall(const std::shared_ptr<Call> &call);
    void onCallFinished(const std::shared_ptr<Call> &call);
    void retryLater(const std::shared_ptr<Call> &call, int delayMs);
    void finish(const std::shared_ptr<Call> &call, const ToolOutcome &outcome);
    QNetworkRequest makeRequest(bool withSession) const;
    AnswerLimits answerLimits(int timeoutMs) const;
    OriginPolicy originPolicy() const;
    void onInitializeAnswer(const RpcAttempt &attempt);
    int backoffMs(int attempt) const;

    McpTransportOptions m_options;
    QNetworkAccessManager m_network;
    State m_state = State::Idle;
    QByteArray m_sessionId;
    QString m_protocolVersion;
    nlohmann::json m_serverInfo;
    int m_handshakeAttempt = 0;
    quint64 m_nextCallId = 1;
    qint64 m_nextRpcId = 1;
    QPointer<QNetworkReply> m_handshakeReply;
    QHash<quint64, std::shared_ptr<Call>> m_calls;
    QList<std::shared_ptr<Call>> m_waiting; // queued until the handshake is done
};

} // namespace adcp
