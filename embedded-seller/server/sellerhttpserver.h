#pragma once

#include "bearerauth.h"
#include "dispatcher.h"

#include <QAbstractHttpServer>
#include <QDateTime>
#include <QHash>
#include <QHttpServerResponder>
#include <QStringList>
#include <QThreadPool>

#include <functional>
#include <memory>

class QTcpSocket;

namespace adcp::seller {

struct SellerServerOptions
{
    qint64 maxBodyBytes = 4 * 1024 * 1024;
    // Host names (without port) accepted in Host and Origin; guards loopback servers against DNS rebinding.
    // Empty = accept any host.
    QStringList allowedHosts = {QStringLiteral("localhost"), QStringLiteral("127.0.0.1"),
                                QStringLiteral("[::1]"), QStringLiteral("::1")};
    // tools/call runs on this many worker threads so a slow tool never stalls the HTTP thread; 0 runs calls
    // on the HTTP thread (answers then keep the connection alive).
    int workerThreads = 4;
    int maxSessions = 10000;
    QString agentName = QStringLiteral("AdCP Workbench seller");
    // The public keys the seller signs webhooks with, served at /.well-known/jwks.json when not null.
    nlohmann::json jwks;
};

// The seller's network face: MCP streamable HTTP on /mcp and A2A (agent card + JSON-RPC on /a2a) over the
// transport-free Dispatcher. Bearer tokens map to principals.
class SellerHttpServer final : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SellerHttpServer)
public:
    SellerHttpServer(std::shared_ptr<Dispatcher> dispatcher, BearerAuth auth,
                     SellerServerOptions options = {}, QObject *parent = nullptr);
    ~SellerHttpServer() override;

    static const QStringList &supportedProtocolVersions();
    int sessionCount() const;
    // Waits for tool calls still running on worker threads (used on shutdown).
    void waitForWorkers();

Q_SIGNALS:
    // One line per request: time, peer, method, path, RPC method/tool, principal, status, duration.
    void requestLogged(const QString &line);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    struct Session
    {
        std::string principalId;
        QString protocolVersion;
        bool initialized = false;
        QDateTime lastUsed;
    };
    struct Reply
    {
        int status = 200;
        nlohmann::json body; // JSON-RPC message, or null for an empty body
        QList<QPair<QByteArray, QByteArray>> headers;
        QString note;   // for the request log
        QByteArray raw; // when set, the serialized body (body is then ignored)
    };
    struct RequestLog
    {
        qint64 startedMs = 0;
        QString peer;
        QString method;
        QString path;
        QString rpc;
        QString principal;
    };

    void handleMcp(const QHttpServerRequest &request, QTcpSocket *socket, RequestLog &log);
    void handleA2a(const QHttpServerRequest &request, QTcpSocket *socket, RequestLog &log);
    void handleAgentCard(const QHttpServerRequest &request, QTcpSocket *socket, RequestLog &log);
    // Runs the call on a worker (or inline) and hands the outcome to `done` on the HTTP thread.
    void dispatch(const QHttpServerRequest &request, QTcpSocket *socket, const Principal &principal,
                  const std::string &tool, const nlohmann::json &arguments, RequestLog log, bool sse,
                  std::function<Reply(const ToolOutcome &)> done);
    bool hostAllowed(const QHttpServerRequest &request) const;
    std::optional<Principal> authenticate(const QHttpServerRequest &request, Reply *rejection) const;
    nlohmann::json toolsList(const Principal &principal) const;
    nlohmann::json mcpToolResult(const ToolOutcome &outcome, const nlohmann::json &arguments) const;
    // The whole JSON-RPC answer to a successful tools/call, serialized once.
    static QByteArray mcpSuccessMessage(const nlohmann::json &id, const nlohmann::json &result);
    nlohmann::json a2aTaskFor(const std::string &method, const nlohmann::json &message,
                              const ToolOutcome &outcome, const nlohmann::json &arguments);
    void write(QHttpServerResponder &responder, const Reply &reply, bool sse, bool close,
               const RequestLog &log);
    QByteArray newSessionId() const;

    std::shared_ptr<Dispatcher> m_dispatcher;
    BearerAuth m_auth;
    SellerServerOptions m_options;
    QThreadPool m_workers;
    QHash<QByteArray, Session> m_sessions;
    QHash<QString, nlohmann::json> m_a2aTasks; // recent A2A tasks for tasks/get
    QList<QString> m_a2aTaskOrder;
};

} // namespace adcp::seller
