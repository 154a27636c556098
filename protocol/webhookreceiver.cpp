#include "webhookreceiver.h"

#include "webhooksignature.h"

#include <QCryptographicHash>
#include <QFile>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QTcpSocket>

#include <map>

namespace adcp {

WebhookReceiver::WebhookReceiver(WebhookReceiverOptions options, QObject *parent)
    : QAbstractHttpServer(parent), m_options(std::move(options))
{
    qRegisterMetaType<adcp::WebhookEvent>();
    loadJournal();
}

WebhookReceiver::~WebhookReceiver() = default;

quint16 WebhookReceiver::start(quint16 port)
{
    m_port = listen(QHostAddress::LocalHost, port);
    return m_port;
}

QUrl WebhookReceiver::url() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(m_options.path));
}

int WebhookReceiver::acceptedCount() const
{
    return m_accepted;
}

int WebhookReceiver::addJwks(const nlohmann::json &jwks)
{
    int added = 0;
    if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array())
        return 0;
    for (const auto &key : jwks["keys"]) {
        if (!key.is_object() || key.value("kty", std::string()) != "OKP" ||
            key.value("crv", std::string()) != "Ed25519" || !key.contains("x") || !key.contains("kid"))
            continue;
        const QByteArray raw = QByteArray::fromBase64(QByteArray::fromStdString(key["x"].get<std::string>()),
                                                      QByteArray::Base64UrlEncoding);
        if (raw.size() != 32)
            continue;
        m_options.ed25519Keys.insert(QByteArray::fromStdString(key["kid"].get<std::string>()), raw);
        ++added;
    }
    return added;
}

void WebhookReceiver::loadJournal()
{
    if (m_options.journalPath.isEmpty())
        return;
    QFile file(m_options.journalPath);
    if (!file.open(QIODevice::ReadOnly))
        return;
    while (!file.atEnd()) {
        const QList<QByteArray> fields = file.readLine().trimmed().split('\t');
        if (fields.size() < 2)
            continue;
        const QString key = QString::fromUtf8(fields[0]);
        const QString notification = fields.size() > 2 ? QString::fromUtf8(fields[2]) : QString();
        m_seen.insert(key, Seen{fields[1], notification});
        if (!notification.isEmpty() && !m_notifications.contains(notification))
            m_notifications.insert(notification, key);
    }
}

void WebhookReceiver::appendJournal(const QString &key, const Seen &seen)
{
    if (m_options.journalPath.isEmpty())
        return;
    QFile file(m_options.journalPath);
    if (!file.open(QIODevice::Append))
        return;
    // Keys are restricted to [A-Za-z0-9_.:-] by the spec, so tabs cannot appear inside them.
    file.write(key.toUtf8() + '\t' + seen.bodyHash + '\t' + seen.notificationId.toUtf8() + '\t' +
               QByteArray::number(QDateTime::currentSecsSinceEpoch()) + '\n');
    file.flush();
}

QString WebhookReceiver::verify(const QByteArray &method, const QString &targetUri,
                                const QHash<QByteArray, QByteArray> &headers, const QByteArray &body,
                                QString *reason)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    std::string error;
    if (headers.contains("signature-input") && !m_options.ed25519Keys.isEmpty()) {
        std::map<QByteArray, QByteArray> headerMap;
        for (auto it = headers.constBegin(); it != headers.constEnd(); ++it)
            headerMap.emplace(it.key(), it.value());
        const auto resolveKey = [this](const std::string &keyId) {
            return m_options.ed25519Keys.value(QByteArray::fromStdString(keyId));
        };
        const auto verified =
            webhooks::verifyRequest(method, targetUri, headerMap, body, resolveKey, now, &error);
        if (!verified) {
            *reason = QStringLiteral("RFC 9421: ") + QString::fromStdString(error);
            return {};
        }
        // A valid signature seen before is a replay (a sender's retry signs again with a fresh nonce).
        const QByteArray nonce = QByteArray::fromStdString(verified->nonce);
        if (m_nonces.contains(nonce)) {
            *reason = QStringLiteral("RFC 9421: signature nonce already used");
            return {};
        }
        // Forget nonces once their signatures can no longer be valid.
        for (auto it = m_nonces.begin(); it != m_nonces.end();)
            it = it.value() < now ? m_nonces.erase(it) : std::next(it);
        m_nonces.insert(nonce, verified->expires);
        return QStringLiteral("rfc9421");
    }
    const QByteArray hmac = headers.value("x-adcp-signature").trimmed();
    if (!hmac.isEmpty() && !m_options.hmacSecret.isEmpty()) {
        if (!webhooks::verifyHmacSignature(m_options.hmacSecret, headers.value("x-adcp-timestamp"), hmac,
                                           body, now, &error, m_options.maxSkewSeconds)) {
            *reason = QStringLiteral("HMAC-SHA256: ") + QString::fromStdString(error);
            return {};
        }
        return QStringLiteral("hmac-sha256");
    }
    const QByteArray authorization = headers.value("authorization").trimmed();
    if (!authorization.isEmpty() && !m_options.bearerToken.isEmpty()) {
        if (!webhooks::constantTimeEquals(authorization, "Bearer " + m_options.bearerToken)) {
            *reason = QStringLiteral("bearer token does not match");
            return {};
        }
        return QStringLiteral("bearer");
    }
    if (!m_options.requireSignature)
        return QStringLiteral("none");
    *reason = QStringLiteral("the delivery carries no signature this receiver can check");
    return {};
}

int WebhookReceiver::receive(const QByteArray &method, const QString &targetUri,
                             const QList<QPair<QByteArray, QByteArray>> &headerList, const QByteArray &body,
                             QString *reason)
{
    QHash<QByteArray, QByteArray> headers;
    for (const auto &[name, value] : headerList)
        headers.insert(name.toLower(), value);
    auto reject = [&](int status, const QString &why) {
        *reason = why;
        Q_EMIT deliveryRejected(status, why);
        return status;
    };
    if (body.size() > m_options.maxBodyBytes)
        return reject(413, QStringLiteral("body too large"));
    QString why;
    const QString verifiedBy = verify(method, targetUri, headers, body, &why);
    if (verifiedBy.isEmpty())
        return reject(401, why);
    const auto payload = nlohmann::json::parse(body.constBegin(), body.constEnd(), nullptr, false);
    if (payload.is_discarded() || !payload.is_object())
        return reject(400, QStringLiteral("body is not a JSON object"));
    if (!payload.contains("idempotency_key") || !payload["idempotency_key"].is_string())
        return reject(400, QStringLiteral("idempotency_key missing"));

    WebhookEvent event;
    event.payload = payload;
    event.idempotencyKey = QString::fromStdString(payload["idempotency_key"].get<std::string>());
    event.notificationId = QString::fromStdString(payload.value("notification_id", std::string()));
    event.operationId = QString::fromStdString(payload.value("operation_id", std::string()));
    event.taskType = QString::fromStdString(payload.value("task_type", std::string()));
    event.verifiedBy = verifiedBy;
    event.receivedAt = QDateTime::currentDateTimeUtc();

    const QByteArray hash = QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex();
    if (const auto it = m_seen.constFind(event.idempotencyKey); it != m_seen.constEnd()) {
        if (it->bodyHash != hash)
            return reject(409, QStringLiteral("idempotency_key reused with another body"));
        *reason = QStringLiteral("duplicate");
        return 200; // at-least-once delivery: acknowledge, do not process again
    }
    if (!event.notificationId.isEmpty()) {
        event.reemission = m_notifications.contains(event.notificationId);
        if (!event.reemission)
            m_notifications.insert(event.notificationId, event.idempotencyKey);
    }
    const Seen seen{hash, event.notificationId};
    m_seen.insert(event.idempotencyKey, seen);
    appendJournal(event.idempotencyKey, seen);
    ++m_accepted;
    *reason = event.reemission ? QStringLiteral("re-emission") : QStringLiteral("accepted");
    Q_EMIT eventReceived(event);
    return 200;
}

bool WebhookReceiver::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    if (request.url().path() != m_options.path) {
        responder.write(QHttpServerResponder::StatusCode::NotFound);
        return true;
    }
    if (request.method() != QHttpServerRequest::Method::Post) {
        responder.write(QHttpServerResponder::StatusCode::MethodNotAllowed);
        return true;
    }
    // The signature covers the URI the sender used, so rebuild it from the Host header it sent.
    const QUrl url = request.url();
    QString target =
        QStringLiteral("http://") + QString::fromLatin1(request.value("Host")) + url.path(QUrl::FullyEncoded);
    if (url.hasQuery())
        target += QLatin1Char('?') + url.query(QUrl::FullyEncoded);
    QString reason;
    const int status = receive("POST", target, request.headers(), request.body(), &reason);
    const QByteArray body = QByteArray::fromStdString(nlohmann::json{
        {"status", status == 200 ? reason.toStdString() : "rejected"},
        {"reason", reason.toStdString()}}.dump());
    responder.write(body, "application/json", QHttpServerResponder::StatusCode(status));
    return true;
}

void WebhookReceiver::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    makeResponder(request, socket).write(QHttpServerResponder::StatusCode::NotFound);
}

} // namespace adcp
