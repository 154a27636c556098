#include "jsonrpchttp.h"

#include "agentjson.h"
#include "requestsigner.h"
#include "secretmask.h"

namespace adcp {

namespace {

void consider(RpcAttempt &a, const nlohmann::json &candidate)
{
    if (a.message || !candidate.is_object())
        return;
    const auto id = candidate.find("id");
    const bool answers = candidate.contains("result") || candidate.contains("error");
    if (id != candidate.end() && id->is_number_integer() && id->get<qint64>() == a.rpcId && answers)
        a.message = candidate;
    else if (candidate.contains("error") && (id == candidate.end() || id->is_null()))
        a.message = candidate; // the server could not tell which request failed (parse error etc.)
}

void considerText(RpcAttempt &a, const QByteArray &text)
{
    const auto parsed = parseAgentJson(text);
    if (!parsed)
        return;
    if (parsed->is_array()) {
        for (const auto &item : *parsed)
            consider(a, item);
    } else {
        consider(a, *parsed);
    }
}

bool isEventStream(const QNetworkReply &reply)
{
    return reply.header(QNetworkRequest::ContentTypeHeader)
        .toByteArray()
        .toLower()
        .startsWith("text/event-stream");
}

void feedSse(RpcAttempt &a, const QByteArray &bytes)
{
    for (const auto &event : a.sse.feed(bytes))
        considerText(a, event.data);
    if (a.sse.failed() && a.guard) {
        AdcpError e = AdcpError::make("RESPONSE_TOO_LARGE", "an event of the agent's event stream passed the "
                                                            "size limit; reading stopped");
        e.recovery = Recovery::Terminal;
        a.guard->fail(e);
    }
}

// Reads what arrived; false once the answer broke a limit (the reply is then being aborted).
bool readArrived(RpcAttempt &a)
{
    const QByteArray chunk = a.reply->readAll();
    if (a.guard && !a.guard->account(chunk.size()))
        return false;
    a.body += chunk;
    if (!a.isSse) {
        a.isSse = isEventStream(*a.reply);
        if (a.isSse)
            feedSse(a, a.body);
    } else {
        feedSse(a, chunk);
    }
    return true;
}

} // namespace

std::optional<AdcpError> missingAnswerError(const RpcAttempt &attempt)
{
    const int status = attempt.meta.httpStatus;
    if (attempt.message || attempt.fault || attempt.timedOut || status < 200 || status > 299)
        return std::nullopt;
    AdcpError e = AdcpError::make("INVALID_RESPONSE",
                                  "the agent answered HTTP " + std::to_string(status) +
                                      " without a JSON-RPC response to this call (not JSON, invalid UTF-8, "
                                      "nested too deep, or another request's id)");
    e.recovery = Recovery::Terminal;
    return e;
}

std::shared_ptr<RpcAttempt> sendJsonRpc(QNetworkAccessManager &network, QObject *context,
                                        const QNetworkRequest &request, const nlohmann::json &message,
                                        const AnswerLimits &limits, const OriginPolicy &origin, RpcDone done,
                                        const QString &transport, const RequestSigning *signing)
{
    auto attempt = std::make_shared<RpcAttempt>();
    const auto id = message.find("id");
    attempt->rpcId = id != message.end() && id->is_number_integer() ? id->get<qint64>() : 0;
    attempt->sse =
        SseParser(limits.maxAnswerBytes > 0 ? limits.maxAnswerBytes : SseParser::kDefaultMaxEventBytes);
    const QByteArray body = QByteArray::fromStdString(message.dump());
    QNetworkRequest guarded = request;
    if (signing) {
        for (const auto &[name, value] : signing->headersFor(request.url(), body))
            guarded.setRawHeader(name, value);
    }
    attempt->meta.transport = transport;
    attempt->meta.url = request.url();
    attempt->meta.rawRequest = maskRawJson(body);
    for (const QByteArray &name : guarded.rawHeaderList())
        attempt->meta.requestHeaders.append({name, maskHeaderValue(name, guarded.rawHeader(name))});
    attempt->meta.requestHeaders.prepend(
        {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});

    ReplyGuard::prepare(guarded);
    QNetworkReply *reply = network.post(guarded, body);
    attempt->reply = reply;
    attempt->guard = new ReplyGuard(reply, limits, origin);

    // The reply's connections own the attempt: it lives until the reply is deleted after completion.
    auto complete = [a = attempt, done] {
        if (a->done)
            return;
        a->done = true;
        if (a->guard) {
            a->fault = a->guard->fault();
            a->timedOut = a->guard->timedOut();
        }
        if (a->fault)
            a->message.reset(); // a part read before the limit broke is not an answer
        QNetworkReply *r = a->reply;
        if (r) {
            a->meta.httpStatus = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            a->meta.responseHeaders = maskHeaders(r->rawHeaderPairs());
            r->disconnect();
            if (r->isRunning())
                r->abort();
            r->deleteLater();
        }
        a->meta.rawResponse = maskRawJson(a->body);
        done(a);
    };

    QObject::connect(reply, &QNetworkReply::readyRead, context, [a = attempt, complete] {
        if (a->done || !a->reply)
            return;
        if (readArrived(*a) && a->isSse && a->message)
            complete();
    });
    QObject::connect(reply, &QNetworkReply::finished, context, [a = attempt, complete] {
        if (a->done)
            return;
        const bool intact = !a->reply || a->reply->bytesAvailable() == 0 || readArrived(*a);
        // An answer cut short by a limit is not read: its first part may look like a complete answer.
        if (intact && !(a->guard && (a->guard->fault() || a->guard->timedOut()))) {
            if (a->isSse) {
                for (const auto &event : a->sse.finish())
                    considerText(*a, event.data);
            } else if (!a->body.isEmpty()) {
                considerText(*a, a->body);
            }
        }
        complete();
    });
    return attempt;
}

} // namespace adcp
