#include "jsonrpchttp.h"

#include "secretmask.h"

namespace adcp {

std::shared_ptr<RpcAttempt> sendJsonRpc(QNetworkAccessManager &network, QObject *context,
                                        const QNetworkRequest &request, const nlohmann::json &message,
                                        int timeoutMs, RpcDone done, const QString &transport)
{
    auto attempt = std::make_shared<RpcAttempt>();
    attempt->rpcId = message.contains("id") ? message["id"].get<qint64>() : 0;
    const QByteArray body = QByteArray::fromStdString(message.dump());
    attempt->meta.transport = transport;
    attempt->meta.url = request.url();
    attempt->meta.rawRequest = maskRawJson(body);
    for (const QByteArray &name : request.rawHeaderList())
        attempt->meta.requestHeaders.append({name, maskHeaderValue(name, request.rawHeader(name))});
    attempt->meta.requestHeaders.prepend(
        {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});

    QNetworkReply *reply = network.post(request, body);
    attempt->reply = reply;
    attempt->timer = new QTimer(reply);
    attempt->timer->setSingleShot(true);

    // The reply's connections own the attempt: it lives until the reply is deleted after completion.
    auto complete = [a = attempt, done] {
        if (a->done)
            return;
        a->done = true;
        a->timer->stop();
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
    auto consider = [a = attempt](const nlohmann::json &candidate) {
        if (a->message)
            return;
        if (candidate.is_object() && candidate.contains("id") && candidate["id"].is_number_integer() &&
            candidate["id"].get<qint64>() == a->rpcId &&
            (candidate.contains("result") || candidate.contains("error")))
            a->message = candidate;
        else if (candidate.is_object() && candidate.contains("error") && candidate["id"].is_null())
            a->message = candidate; // the server could not tell which request failed (parse error etc.)
    };
    auto considerText = [consider](const QByteArray &text) {
        auto parsed = nlohmann::json::parse(text.constBegin(), text.constEnd(), nullptr, false);
        if (parsed.is_discarded())
            return;
        if (parsed.is_array()) {
            for (const auto &item : parsed)
                consider(item);
        } else {
            consider(parsed);
        }
    };

    QObject::connect(reply, &QNetworkReply::readyRead, context, [a = attempt, considerText, complete] {
        if (a->done || !a->reply)
            return;
        const QByteArray chunk = a->reply->readAll();
        a->body += chunk;
        if (!a->isSse) {
            const QByteArray type = a->reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
            a->isSse = type.toLower().startsWith("text/event-stream");
            if (a->isSse) {
                for (const auto &event : a->sse.feed(a->body))
                    considerText(event.data);
            }
        } else {
            for (const auto &event : a->sse.feed(chunk))
                considerText(event.data);
        }
        if (a->isSse && a->message)
            complete();
    });
    QObject::connect(reply, &QNetworkReply::finished, context, [a = attempt, considerText, complete] {
        if (a->done)
            return;
        if (a->reply && a->reply->bytesAvailable() > 0)
            a->body += a->reply->readAll();
        if (!a->isSse && a->reply) {
            const QByteArray type = a->reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
            a->isSse = type.toLower().startsWith("text/event-stream");
            if (a->isSse)
                a->sse.feed(a->body);
        }
        if (a->isSse) {
            for (const auto &event : a->sse.finish())
                considerText(event.data);
        } else if (!a->body.isEmpty()) {
            considerText(a->body);
        }
        complete();
    });
    QObject::connect(attempt->timer, &QTimer::timeout, context, [a = attempt] {
        if (a->done || !a->reply)
            return;
        a->timedOut = true;
        a->reply->abort(); // emits finished
    });
    if (timeoutMs > 0)
        attempt->timer->start(timeoutMs);
    return attempt;
}

} // namespace adcp
