#include "webhookreceiver.h"

#include <QCryptographicHash>
#include <QFile>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QMessageAuthenticationCode>
#include <QTcpSocket>

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace adcp {

namespace {

const QByteArray kTag = QByteArrayLiteral("adcp/webhook-signing/v1");
const QList<QByteArray> kCovered = {"@method", "@target-uri", "@authority", "content-type", "content-digest"};

bool sameBytes(const QByteArray &a, const QByteArray &b)
{
    return a.size() == b.size() && CRYPTO_memcmp(a.constData(), b.constData(), size_t(a.size())) == 0;
}

bool ed25519Verify(const QByteArray &publicKey, const QByteArray &message, const QByteArray &signature)
{
    if (publicKey.size() != 32 || signature.size() != 64)
        return false;
    EVP_PKEY *key = EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char *>(publicKey.constData()), 32);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = key && ctx && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
              EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char *>(signature.constData()),
                               size_t(signature.size()),
                               reinterpret_cast<const unsigned char *>(message.constData()),
                               size_t(message.size())) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return ok;
}

QByteArray authority(const QUrl &url)
{
    QByteArray a = url.host().toLower().toUtf8();
    const int port = url.port();
    if (port != -1 && !((url.scheme() == QLatin1String("http") && port == 80) ||
                        (url.scheme() == QLatin1String("https") && port == 443)))
        a += ':' + QByteArray::number(port);
    return a;
}

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
    const QByteArray signatureInput = headers.value("signature-input");
    if (!signatureInput.isEmpty() && !m_options.ed25519Keys.isEmpty()) {
        // sig1=("@method" ...);created=..;expires=..;nonce="..";keyid="..";alg="ed25519";tag=".."
        const qsizetype eq = signatureInput.indexOf('=');
        const QByteArray label = signatureInput.left(eq).trimmed();
        const QByteArray params = signatureInput.mid(eq + 1).trimmed();
        const qsizetype close = params.indexOf(')');
        if (eq <= 0 || !params.startsWith('(') || close < 0) {
            *reason = QStringLiteral("malformed Signature-Input");
            return {};
        }
        QList<QByteArray> components;
        for (const QByteArray &item : params.mid(1, close - 1).split(' ')) {
            if (!item.isEmpty())
                components.append(item.size() >= 2 ? item.mid(1, item.size() - 2) : item);
        }
        QHash<QByteArray, QByteArray> values;
        for (const QByteArray &pair : params.mid(close + 1).split(';')) {
            const qsizetype peq = pair.indexOf('=');
            if (peq <= 0)
                continue;
            QByteArray v = pair.mid(peq + 1);
            if (v.startsWith('"') && v.endsWith('"') && v.size() >= 2)
                v = v.mid(1, v.size() - 2);
            values.insert(pair.left(peq), v);
        }
        if (components != kCovered || values.value("alg") != "ed25519" || values.value("tag") != kTag) {
            *reason = QStringLiteral("Signature-Input must cover @method @target-uri @authority content-type "
                                     "content-digest with alg ed25519 and tag adcp/webhook-signing/v1");
            return {};
        }
        const qint64 created = values.value("created").toLongLong();
        const qint64 expires = values.value("expires").toLongLong();
        if (created <= 0 || expires <= created || expires - created > m_options.maxSkewSeconds ||
            created > now + 60 || now >= expires) {
            *reason = QStringLiteral("signature expired, not yet valid or valid for more than 5 minutes");
            return {};
        }
        const QByteArray nonce = values.value("nonce");
        if (nonce.isEmpty() || m_nonces.contains(nonce)) {
            *reason = QStringLiteral("signature nonce missing or already used");
            return {};
        }
        const QByteArray digest =
            "sha-256=:" + QCryptographicHash::hash(body, QCryptographicHash::Sha256).toBase64() + ':';
        if (!sameBytes(headers.value("content-digest").trimmed(), digest)) {
            *reason = QStringLiteral("Content-Digest does not match the body");
            return {};
        }
        const QByteArray key = m_options.ed25519Keys.value(values.value("keyid"));
        if (key.isEmpty()) {
            *reason = QStringLiteral("unknown keyid");
            return {};
        }
        const QByteArray signatureHeader = headers.value("signature").trimmed();
        const QByteArray prefix = label + "=:";
        if (!signatureHeader.startsWith(prefix) || !signatureHeader.endsWith(':')) {
            *reason = QStringLiteral("Signature header has no entry for ") + QString::fromLatin1(label);
            return {};
        }
        const QByteArray signature = QByteArray::fromBase64(
            signatureHeader.mid(prefix.size(), signatureHeader.size() - prefix.size() - 1));
        const QUrl url(targetUri);
        const QByteArray base = "\"@method\": " + method.toUpper() +
                                "\n\"@target-uri\": " + targetUri.toUtf8() +
                                "\n\"@authority\": " + authority(url) +
                                "\n\"content-type\": " + headers.value("content-type").trimmed() +
                                "\n\"content-digest\": " + digest + "\n\"@signature-params\": " + params;
        if (!ed25519Verify(key, base, signature)) {
            *reason = QStringLiteral("RFC 9421 signature does not verify");
            return {};
        }
        // Forget nonces once their signatures can no longer be valid.
        for (auto it = m_nonces.begin(); it != m_nonces.end();)
            it = it.value() < now ? m_nonces.erase(it) : std::next(it);
        m_nonces.insert(nonce, expires);
        return QStringLiteral("rfc9421");
    }
    const QByteArray hmac = headers.value("x-adcp-signature").trimmed();
    if (!hmac.isEmpty() && !m_options.hmacSecret.isEmpty()) {
        bool ok = false;
        const qint64 timestamp = headers.value("x-adcp-timestamp").trimmed().toLongLong(&ok);
        if (!ok || qAbs(now - timestamp) > m_options.maxSkewSeconds) {
            *reason = QStringLiteral("X-ADCP-Timestamp missing or more than 300 s away");
            return {};
        }
        const QByteArray expected =
            "sha256=" + QMessageAuthenticationCode::hash(QByteArray::number(timestamp) + '.' + body,
                                                         m_options.hmacSecret, QCryptographicHash::Sha256)
                            .toHex();
        if (!sameBytes(hmac, expected)) {
            *reason = QStringLiteral("X-ADCP-Signature does not match");
            return {};
        }
        return QStringLiteral("hmac-sha256");
    }
    const QByteArray authorization = headers.value("authorization").trimmed();
    if (!authorization.isEmpty() && !m_options.bearerToken.isEmpty()) {
        if (!sameBytes(authorization, "Bearer " + m_options.bearerToken)) {
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
