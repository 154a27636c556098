#pragma once

#include "agenttransport.h"
#include "sseparser.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace adcp {

// One HTTP exchange carrying one JSON-RPC message.
struct RpcAttempt
{
    QPointer<QNetworkReply> reply;
    QTimer *timer = nullptr;
    qint64 rpcId = 0; // 0 for notifications
    QByteArray body;
    SseParser sse;
    bool isSse = false;
    bool done = false;
    bool timedOut = false;
    std::optional<nlohmann::json> message;
    TransportMeta meta;
};

using RpcDone = std::function<void(const std::shared_ptr<RpcAttempt> &)>;

// Sends one JSON-RPC message over HTTP POST and calls `done` exactly once with the attempt filled in (the
// matching response in `message`, masked headers and bodies in `meta`). SSE answers are parsed as they
// arrive, so a server that keeps the stream open after the response does not stall the call. `timeoutMs`
// aborts.
std::shared_ptr<RpcAttempt> sendJsonRpc(QNetworkAccessManager &network, QObject *context,
                                        const QNetworkRequest &request, const nlohmann::json &message,
                                        int timeoutMs, RpcDone done,
                                        const QString &transport = QStringLiteral("mcp"));

} // namespace adcp
