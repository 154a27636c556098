#include "webhookreceiver.h"

#include "transports/agentjson.h"
#include "webhooksignature.h"
#include "wire/jsonread.h"

#include <QCryptographicHash>
#include <QFile>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QTcpServer>
#include <QTcpSocket>

#include <algorithm>
#include <functional>
#include <map>

namespace adcp {

namespace {

// Room for the request line and headers on top of the body limit.
constexpr qint64 kHeaderAllowance = 64 * 1024;
const char *const kReceivedProperty = "adcp_webhook_received";

// A string member, or empty when it is absent or not a string: these members only label an event.
QString stringMember(const nlohmann::json &object, const char *key)
{
    return QString::fromStdString(wire::JsonRef(object)[key].string().valueOr(std::string()));
}

// The spec's alphabet; it also keeps the journal's tab-separated lines intact.
bool isValidIdempotencyKey(const QString &key)
{
    return !key.isEmpty() && key.size() <= 255 && std::all_of(key.cbegin(), key.cend(), [](QChar c) {
        return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
               (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) ||
               (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('_') ||
               c == QLatin1Char('.') || c == QLatin1Char(':') || c == QLatin1Char('-');
    });
}

// Counts the bytes of each request as they arrive, before the HTTP server buffers them, and cuts a sender off
// with 413 once a request passes the limit; handleRequest() resets the count when a request is complete.
class BoundedTcpServer final : public QTcpServer
{
public:
    BoundedTcpServer(qint64 maxRequestBytes, std::function<void()> onCutOff, QObject *parent)
        : QTcpServer(parent), m_maxRequestBytes(maxRequestBytes), m_onCutOff(std::move(onCutOff))
    {}

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        // Connected before the HTTP server's own reader, so it sees each chunk before the server takes it.
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket, limit = m_maxRequestBytes] {
            const qint64 received =
                socket->property(kReceivedProperty).toLongLong() + socket->bytesAvailable();
            socket->setProperty(kReceivedProperty, received);
            if (received <= limit)
                return;
            QObject::disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
            socket->write("HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
            socket->flush();
            socket->abort();
            m_onCutOff();
        });
        addPendingConnection(socket);
    }

private:
    qint64 m_maxRequestBytes;
    std::function<void()> m_onCutOff;
};

} // namespace

WebhookReceiver::WebhookReceiver(WebhookReceiverOptions options, QObject *parent)
    : QAbstractHttpServer(parent), m_options(std::move(options))
{
    qRegisterMetaType<adcp::WebhookEvent>();
    loadJournal();
}

WebhookReceiver::~WebhookReceiver() = default;

quint16 WebhookReceiver::start(quint16 port)
{
    auto *server = new BoundedTcpServer(
        m_options.maxBodyBytes + kHeaderAllowance,
        [this] {
            Q_EMIT deliveryRejected(413, QStringLiteral("request too large; the connection was closed"));
        },
        this);
    if (!server->listen(QHostAddress::LocalHost, port)) {
        delete server;
        return 0;
    }
    bind(server);
    m_port = server->serverPort();
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
    for (const wire::JsonRef &entry : wire::JsonRef(jwks)["keys"].items()) {
        const nlohmann::json &key = entry.raw();
        if (!key.is_object() || stringMember(key, "kty") != QLatin1String("OKP") ||
            stringMember(key, "crv") != QLatin1String("Ed25519"))
            continue;
        const QString kid = stringMember(key, "kid");
        const QByteArray raw =
            QByteArray::fromBase64(stringMember(key, "x").toLatin1(), QByteArray::Base64UrlEncoding);
        if (kid.isEmpty() || raw.size() != 32)
            continue;
        m_options.ed25519Keys.insert(kid.toUtf8(), raw);
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
        const QString notification =
            fields.size() > 2 ? QString::fromUtf8(QByteArray::fromPercentEncoding(fields[2])) : QString();
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
    // Keys are checked against the spec's [A-Za-z0-9_.:-]; a notification id is the sender's free text, so it
    // is percent-encoded to keep tabs and line breaks out of the journal's lines.
    file.write(key.toUtf8() + '\t' + seen.bodyHash + '\t' + seen.notificationId.toUtf8().toPercentEncoding() +
               '\t' + QByteArray::number(QDateTime::currentSecsSinceEpoch()) + '\n');
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
    std::string parseError;
    const auto parsed = parseAgentJson(body, &parseError);
    if (!parsed || !parsed->is_object())
        return reject(400, parsed ? QStringLiteral("body is not a JSON object")
                                  : QStringLiteral("body ") + QString::fromStdString(parseError));
    const nlohmann::json &payload = *parsed;
    const QString idempotencyKey = stringMember(payload, "idempotency_key");
    if (!isValidIdempotencyKey(idempotencyKey))
        return reject(400, QStringLiteral("idempotency_key missing or not 1 to 255 of [A-Za-z0-9_.:-]"));

    WebhookEvent event;
    event.payload = payload;
    event.idempotencyKey = idempotencyKey;
    event.notificationId = stringMember(payload, "notification_id");
    event.operationId = stringMember(payload, "operation_id");
    event.taskType = stringMember(payload, "task_type");
    event.verifiedBy = verifiedBy;
    event.receivedAt = QDateTime::currentDateTimeUtc();

    if (m_refused < m_options.refuseFirst) {
        ++m_refused;
        *reason = QStringLiteral("refused on purpose: the sender must deliver it again");
        Q_EMIT deliveryRefused(event);
        return 503;
    }
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
    socket->setProperty(kReceivedProperty, 0); // the next request on this connection starts its own count
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
