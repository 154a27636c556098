#pragma once

#include <QAbstractHttpServer>
#include <QDateTime>
#include <QHash>
#include <QSet>
#include <QString>
#include <QUrl>

#include <nlohmann/json.hpp>

#include <memory>

namespace adcp {

struct WebhookReceiverOptions
{
    QString path = QStringLiteral("/webhooks/adcp");
    // Legacy HMAC-SHA256 (X-ADCP-Signature / X-ADCP-Timestamp); empty = not accepted.
    QByteArray hmacSecret;
    // Legacy bearer (Authorization: Bearer); empty = not accepted.
    QByteArray bearerToken;
    // RFC 9421 Ed25519 keys by keyid (raw 32-byte public keys); see addJwks().
    QHash<QByteArray, QByteArray> ed25519Keys;
    // When false, unsigned deliveries are accepted and marked verifiedBy = "none" (local experiments only).
    bool requireSignature = true;
    qint64 maxSkewSeconds = 300; // X-ADCP-Timestamp tolerance; RFC 9421 signatures live at most 5 min anyway
    qint64 maxBodyBytes = 1024 * 1024;
    // Durable dedupe journal (one line per accepted idempotency_key); empty = in memory only.
    QString journalPath;
    // For checking a sender's retries (the test lab): the first N deliveries that verify are answered 503 and
    // not recorded, so an at-least-once sender must deliver them again.
    int refuseFirst = 0;
};

struct WebhookEvent
{
    nlohmann::json payload;
    QString idempotencyKey;
    QString notificationId; // empty when the payload has none
    QString operationId;
    QString taskType;
    bool reemission = false; // same notification_id arrived before under another idempotency_key
    QString verifiedBy;      // "rfc9421", "hmac-sha256", "bearer" or "none"
    QDateTime receivedAt;
};

// A local HTTP endpoint for AdCP webhooks: verifies the signature (RFC 9421 Ed25519, legacy HMAC-SHA256 or
// bearer), dedupes by idempotency_key (2xx for a duplicate, 409 for the same key with another body), flags
// re-emissions (same notification_id, new key) and emits one signal per accepted event.
class WebhookReceiver final : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookReceiver)
public:
    explicit WebhookReceiver(WebhookReceiverOptions options, QObject *parent = nullptr);
    ~WebhookReceiver() override;

    // Listens on loopback; returns the port (0 on failure).
    quint16 start(quint16 port = 0);
    QUrl url() const;
    // Adds the Ed25519 keys of a JWK set ({"keys": [{kty OKP, crv Ed25519, kid, x}]}); returns how many.
    int addJwks(const nlohmann::json &jwks);
    int acceptedCount() const;

    // Verifies and records one delivery; returns the HTTP status to answer. Public so that other front ends
    // (and tests) can feed raw deliveries through the same checks.
    int receive(const QByteArray &method, const QString &targetUri,
                const QList<QPair<QByteArray, QByteArray>> &headers, const QByteArray &body, QString *reason);

Q_SIGNALS:
    void eventReceived(const adcp::WebhookEvent &event);
    void deliveryRejected(int status, const QString &reason);
    // A verified delivery answered 503 on purpose (WebhookReceiverOptions::refuseFirst).
    void deliveryRefused(const adcp::WebhookEvent &event);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    struct Seen
    {
        QByteArray bodyHash;
        QString notificationId;
    };
    QString verify(const QByteArray &method, const QString &targetUri,
                   const QHash<QByteArray, QByteArray> &headers, const QByteArray &body, QString *reason);
    void loadJournal();
    void appendJournal(const QString &key, const Seen &seen);

    WebhookReceiverOptions m_options;
    quint16 m_port = 0;
    QHash<QString, Seen> m_seen;             // idempotency_key → body hash, notification id
    QHash<QString, QString> m_notifications; // notification_id → first idempotency_key
    QHash<QByteArray, qint64> m_nonces;      // RFC 9421 nonces within their lifetime
    int m_accepted = 0;
    int m_refused = 0;
};

} // namespace adcp

Q_DECLARE_METATYPE(adcp::WebhookEvent)
