#pragma once

#include "agenttransport.h"
#include "replyguard.h"
#include "sseparser.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>

#include <functional>
#include <memory>
#include <optional>

namespace adcp {

class RequestSigning;

// One HTTP exchange carrying one JSON-RPC message.
struct RpcAttempt
{
    QPointer<QNetworkReply> reply;
    QPointer<ReplyGuard> guard;
    qint64 rpcId = 0; // 0 for notifications
    QByteArray body;
    SseParser sse;
    bool isSse = false;
    bool done = false;
    bool timedOut = false;
    // A limit the answer broke (too large, silent too long, a redirect refused): the call fails with it as
    // is, without retrying.
    std::optional<AdcpError> fault;
    std::optional<nlohmann::json> message;
    TransportMeta meta;
};

using RpcDone = std::function<void(const std::shared_ptr<RpcAttempt> &)>;

// Sends one JSON-RPC message over HTTP POST and calls `done` exactly once with the attempt filled in (the
// matching response in `message`, masked headers and bodies in `meta`). SSE answers are parsed as they
// arrive, so a server that keeps the stream open after the response does not stall the call. The answer is
// read within `limits` and redirects are vetted by `origin` (see ReplyGuard). Only an answer whose id is the
// request's (or a JSON-RPC error with a null id) counts. With `signing` that signs, the exact body sent is
// signed (RFC 9421) and the signature headers appear in `meta` like the others.
std::shared_ptr<RpcAttempt> sendJsonRpc(QNetworkAccessManager &network, QObject *context,
                                        const QNetworkRequest &request, const nlohmann::json &message,
                                        const AnswerLimits &limits, const OriginPolicy &origin, RpcDone done,
                                        const QString &transport = QStringLiteral("mcp"),
                                        const RequestSigning *signing = nullptr);

// The error for an exchange that ended without a JSON-RPC answer to the call: INVALID_RESPONSE when the agent
// answered 2xx with something else (not JSON, invalid UTF-8, nested too deep, another request's id), else
// nullopt (the caller judges the HTTP status).
std::optional<AdcpError> missingAnswerError(const RpcAttempt &attempt);

} // namespace adcp
