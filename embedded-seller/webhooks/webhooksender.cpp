#include "webhooksender.h"

#include "jobs/deadletters.h"
#include "sellercontext.h"
#include "storage/database.h"
#include "webhookoutbox.h"
#include "webhookurlpolicy.h"
#include "wire/jsonread.h"

#include <QDateTime>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QThread>
#include <QTimer>
#include <QUuid>

#include <cmath>
#include <map>
#include <memory>
#include <set>

namespace adcp::seller {

using storage::execute;
using storage::qs;

namespace {

webhooks::Ed25519Key loadOrCreateKey(QSqlDatabase db, const std::string &keyId)
{
    QSqlQuery q(storage::connectionFor(db));
    if (execute(q, QStringLiteral("SELECT private_key FROM wh_keys WHERE key_id = ?"), {qs(keyId)},
                nullptr) &&
        q.next()) {
        if (auto key = webhooks::Ed25519Key::fromPrivateKey(QByteArray::fromHex(q.value(0).toByteArray())))
            return *key;
    }
    const webhooks::Ed25519Key key = webhooks::Ed25519Key::generate();
    QSqlQuery insert(storage::connectionFor(db));
    // OR IGNORE: another thread may have created it first; reread to use the one that won.
    execute(
        insert,
        QStringLiteral("INSERT OR IGNORE INTO wh_keys (key_id, private_key, created_at) VALUES (?, ?, ?)"),
        {qs(keyId), QString::fromLatin1(key.privateKey().toHex()),
         QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
        nullptr);
    QSqlQuery reread(storage::connectionFor(db));
    if (execute(reread, QStringLiteral("SELECT private_key FROM wh_keys WHERE key_id = ?"), {qs(keyId)},
                nullptr) &&
        reread.next()) {
        if (auto stored =
                webhooks::Ed25519Key::fromPrivateKey(QByteArray::fromHex(reread.value(0).toByteArray())))
            return *stored;
    }
    return key;
}

// The signing key's private half is a row of the seller's database (wh_keys, unencrypted), so the database
// file and its WAL/shared-memory siblings are made readable and writable by the owner only (0600). SQLite
// creates the siblings with the database file's mode, so later ones follow.
bool restrictToOwner(const QString &databasePath, QString *error)
{
    bool ok = true;
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
        QFile file(databasePath + suffix);
        if (!file.exists())
            continue;
        if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
            ok = false;
            if (error)
                *error = file.fileName() + QStringLiteral(": ") + file.errorString();
        }
    }
    return ok;
}

// A stored outbox row as read back for delivery; `invalid` says why it cannot be sent (a dead letter).
struct WebhookDueRow
{
    qint64 id = 0;
    QString url;
    WebhookTarget target;
    QByteArray body;
    int attempts = 0;
    qint64 firstAttempt = 0;
    QString invalid;
};

// Reads one row through the wire layer: the body must be a JSON object, the authentication (when present)
// an object fromConfig understands, the URL an absolute http(s) URL.
WebhookDueRow readDueRow(const QSqlQuery &q, qint64 nowMs)
{
    WebhookDueRow row;
    row.id = q.value(0).toLongLong();
    row.url = q.value(1).toString();
    row.body = q.value(3).toString().toUtf8();
    row.attempts = q.value(4).toInt();
    row.firstAttempt = q.value(5).isNull() ? nowMs : q.value(5).toLongLong();
    const auto body = wire::parse(std::string_view(row.body.constData(), size_t(row.body.size())));
    if (!body || !body->is_object()) {
        row.invalid =
            QStringLiteral("the stored body is not a JSON object") +
            (body ? QString() : QStringLiteral(": ") + QString::fromStdString(body.error().message()));
        return row;
    }
    const QString authText = q.value(2).toString();
    if (!authText.isEmpty()) {
        const auto auth = wire::parse(authText.toStdString());
        const auto target = auth ? WebhookTarget::fromConfig(*auth) : std::nullopt;
        if (!target) {
            row.invalid = QStringLiteral("the stored authentication is not a push notification config");
            return row;
        }
        row.target = *target;
    }
    const QUrl url(row.url, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        row.invalid = QStringLiteral("the stored URL is not an absolute http(s) URL");
    return row;
}

QString hostSlotKey(const QUrl &url)
{
    return url.host().toLower() + QLatin1Char(':') +
           QString::number(url.port(url.scheme() == QLatin1String("https") ? 443 : 80));
}

// The attempt's request to one checked address (no fallback between families: IPv4 first, as most receivers
// listen there), with the registered host kept in Host and for TLS (SNI and the certificate name), no
// redirects and no HTTP/2 (whose :authority would come from the address).
QNetworkRequest pinnedRequest(const QString &url, const QList<QHostAddress> &addresses, int timeoutMs)
{
    QHostAddress address = addresses.front();
    for (const QHostAddress &candidate : addresses) {
        if (candidate.protocol() == QAbstractSocket::IPv4Protocol) {
            address = candidate;
            break;
        }
    }
    const QUrl original(url);
    QUrl pinned = original;
    pinned.setHost(address.toString());
    QNetworkRequest request{pinned};
    QByteArray hostHeader = original.host(QUrl::FullyEncoded).toUtf8();
    if (original.host().contains(QLatin1Char(':')))
        hostHeader = '[' + hostHeader + ']';
    if (original.port() != -1)
        hostHeader += ':' + QByteArray::number(original.port());
    request.setRawHeader("Host", hostHeader);
    request.setPeerVerifyName(original.host());
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setTransferTimeout(timeoutMs);
    return request;
}

} // namespace

class WebhookSender::Worker final : public QObject
{
public:
    Worker(std::shared_ptr<SellerContext> context, WebhookSenderOptions options, webhooks::Ed25519Key key)
        : m_context(std::move(context)), m_options(std::move(options)), m_key(std::move(key))
    {}

    void begin()
    {
        m_network = new QNetworkAccessManager(this);
        // A proxy would connect on the seller's behalf to whatever address it resolves: the checked address
        // is only kept if the seller connects itself.
        m_network->setProxy(QNetworkProxy::NoProxy);
        m_timer = new QTimer(this);
        m_timer->setInterval(m_options.pollMs);
        connect(m_timer, &QTimer::timeout, this, &Worker::poll);
        m_timer->start();
        poll();
    }

    void end()
    {
        m_stopping = true;
        if (m_timer)
            m_timer->stop();
        // Replies still open are aborted; their rows stay pending (attempt counted) and go out again later.
        const auto replies = findChildren<QNetworkReply *>();
        for (QNetworkReply *reply : replies)
            reply->abort();
    }

private:
    void poll()
    {
        if (m_stopping || int(m_inFlight.size()) >= m_options.maxInFlight)
            return;
        QSqlDatabase db = m_context->database();
        const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
        QSqlQuery q(storage::connectionFor(db));
        if (!execute(q,
                     QStringLiteral(
                         "SELECT id, url, auth_json, body, attempts, first_attempt_ms FROM wh_outbox "
                         "WHERE state = 'pending' AND next_attempt_ms <= ? ORDER BY next_attempt_ms, id "
                         "LIMIT ?"),
                     {nowMs, m_options.maxInFlight * 4}, nullptr))
            return;
        std::vector<WebhookDueRow> due;
        while (q.next())
            due.push_back(readDueRow(q, nowMs));
        q.finish();
        for (const WebhookDueRow &row : due) {
            if (int(m_inFlight.size()) >= m_options.maxInFlight)
                break;
            if (m_inFlight.count(row.id))
                continue;
            if (!row.invalid.isEmpty()) {
                WebhookOutbox::markDead(db, row.id, row.invalid);
                continue;
            }
            if (nowMs - row.firstAttempt > m_options.retryHorizonMs) {
                storage::write(
                    db,
                    QStringLiteral("UPDATE wh_outbox SET state = 'abandoned', last_error = 'retry horizon "
                                   "exceeded' WHERE id = ?"),
                    {row.id}, nullptr);
                continue;
            }
            const QString slot = hostSlotKey(QUrl(row.url));
            if (m_perHost[slot] >= m_options.maxInFlightPerHost)
                continue;
            // The attempt is recorded before it leaves, so a crash mid-flight counts it and a coalescing
            // writer can no longer replace a body that may already have reached the buyer.
            int markRows = 0;
            if (!storage::write(
                    db,
                    QStringLiteral("UPDATE wh_outbox SET attempts = attempts + 1, first_attempt_ms = "
                                   "COALESCE(first_attempt_ms, ?), next_attempt_ms = ? WHERE id = ? AND "
                                   "state = 'pending'"),
                    {nowMs, nowMs + m_options.timeoutMs + 5000, row.id}, nullptr, &markRows) ||
                markRows != 1)
                continue;
            send(row, slot);
        }
    }

    // Resolves and checks the host for this attempt; the request goes to the checked address, with the
    // URL's host kept for the Host header and TLS (SNI and certificate name).
    void send(const WebhookDueRow &row, const QString &slot)
    {
        const SellerOptions options = m_context->options();
        const auto check =
            webhookpolicy::checkUrl(row.url, options.webhookAddressScope, options.webhookResolver);
        const int attempt = row.attempts + 1;
        if (check.refused) {
            QSqlDatabase db = m_context->database();
            storage::write(
                db, QStringLiteral("UPDATE wh_outbox SET state = 'abandoned', last_error = ? WHERE id = ?"),
                {QString(QStringLiteral("refused at send time: ") + check.reason), row.id}, nullptr);
            qCWarning(lcDeadLetter, "webhook %lld not sent: %s", row.id, qPrintable(check.reason));
            return;
        }
        if (check.addresses.isEmpty()) {
            finished(row.id, attempt, 0,
                     QStringLiteral("the webhook host did not resolve: ") + check.resolveError);
            return;
        }
        QNetworkRequest request = pinnedRequest(row.url, check.addresses, m_options.timeoutMs);
        sign(request, row);
        m_inFlight.insert(row.id);
        ++m_perHost[slot];
        QNetworkReply *reply = m_network->post(request, row.body);
        auto why = std::make_shared<QString>();
        // The whole attempt has one deadline: a receiver that answers a byte at a time never resets it.
        QTimer::singleShot(m_options.timeoutMs, reply, [reply, why, this] {
            *why = QStringLiteral("no complete answer within %1 ms").arg(m_options.timeoutMs);
            reply->abort();
        });
        auto received = std::make_shared<qint64>(0);
        connect(reply, &QNetworkReply::readyRead, this, [reply, received, why, this] {
            // Read and thrown away: only the status matters, and the answer may not grow without bound.
            while (reply->bytesAvailable() > 0 && why->isEmpty()) {
                *received += reply->read(4096).size();
                if (*received > m_options.maxResponseBytes) {
                    *why = QStringLiteral("answer larger than %1 bytes").arg(m_options.maxResponseBytes);
                    reply->abort();
                }
            }
        });
        connect(reply, &QNetworkReply::finished, this, [this, reply, id = row.id, attempt, slot, why] {
            reply->deleteLater();
            m_inFlight.erase(id);
            if (--m_perHost[slot] <= 0)
                m_perHost.erase(slot);
            const int status =
                why->isEmpty() ? reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() : 0;
            finished(id, attempt, status,
                     !why->isEmpty() ? *why : (status == 0 ? reply->errorString() : QString()));
        });
    }

    void sign(QNetworkRequest &request, const WebhookDueRow &row)
    {
        const WebhookTarget &target = row.target;
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        if (target.scheme == "HMAC-SHA256") {
            request.setRawHeader("X-ADCP-Timestamp", QByteArray::number(now));
            request.setRawHeader("X-ADCP-Signature",
                                 QByteArray::fromStdString(webhooks::hmacSignatureHeader(
                                     QByteArray::fromStdString(target.credentials), now, row.body)));
        } else if (target.scheme == "Bearer") {
            request.setRawHeader("Authorization", "Bearer " + QByteArray::fromStdString(target.credentials));
        } else if (m_context->options().breaks("unsigned-webhooks")) {
            // Broken on purpose: no signature at all.
        } else {
            // Signed over the URL as registered (its host name), not the address the attempt connects to.
            const webhooks::SignedHeaders signedHeaders =
                webhooks::signRequest("POST", row.url, "application/json", row.body, m_key,
                                      {m_options.keyId, now, now + webhooks::kMaxSignatureLifetimeSeconds,
                                       QUuid::createUuid().toString(QUuid::Id128).toStdString()});
            request.setRawHeader("Content-Digest", signedHeaders.contentDigest);
            request.setRawHeader("Signature-Input", signedHeaders.signatureInput);
            request.setRawHeader("Signature", signedHeaders.signature);
        }
    }

    void finished(qint64 id, int attempt, int status, const QString &networkError)
    {
        QSqlDatabase db = m_context->database();
        QSqlQuery q(storage::connectionFor(db));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        if (status >= 200 && status < 300) {
            execute(
                q,
                QStringLiteral("UPDATE wh_outbox SET state = 'delivered', last_status = ?, delivered_at = ?, "
                               "last_error = NULL WHERE id = ?"),
                {status, now.toString(Qt::ISODateWithMs), id}, nullptr);
            return;
        }
        // 409 = the receiver holds this key with another body: retrying cannot help.
        if (status == 409) {
            execute(
                q,
                QStringLiteral("UPDATE wh_outbox SET state = 'abandoned', last_status = 409, last_error = "
                               "'receiver reports an idempotency conflict' WHERE id = ?"),
                {id}, nullptr);
            return;
        }
        const double exponential = std::min(double(m_options.backoffCapMs),
                                            double(m_options.backoffBaseMs) * std::pow(2.0, attempt - 1));
        const double jitter = 0.5 + QRandomGenerator::global()->generateDouble();
        const qint64 next = now.toMSecsSinceEpoch() + qint64(exponential * jitter);
        execute(
            q,
            QStringLiteral("UPDATE wh_outbox SET next_attempt_ms = ?, last_status = ?, last_error = ? WHERE "
                           "id = ? AND state = 'pending'"),
            {next, status, networkError.isEmpty() ? QStringLiteral("HTTP %1").arg(status) : networkError, id},
            nullptr);
    }

    std::shared_ptr<SellerContext> m_context;
    WebhookSenderOptions m_options;
    webhooks::Ed25519Key m_key;
    QNetworkAccessManager *m_network = nullptr;
    QTimer *m_timer = nullptr;
    std::set<qint64> m_inFlight;
    std::map<QString, int> m_perHost; // in-flight attempts per destination host:port
    bool m_stopping = false;
};

WebhookSender::WebhookSender(std::shared_ptr<SellerContext> context, WebhookSenderOptions options)
    : m_context(std::move(context)), m_options(std::move(options))
{
    m_key = std::make_unique<webhooks::Ed25519Key>(loadOrCreateKey(m_context->database(), m_options.keyId));
    QString error;
    if (!restrictToOwner(m_context->options().databasePath, &error))
        qWarning("the seller database holding the webhook signing key stays readable by others: %s",
                 qPrintable(error));
}

WebhookSender::~WebhookSender()
{
    stop();
}

void WebhookSender::start()
{
    if (m_thread)
        return;
    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(QStringLiteral("adcp-webhook-sender"));
    m_worker = new Worker(m_context, m_options, *m_key);
    m_worker->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker] { worker->begin(); }, Qt::QueuedConnection);
}

void WebhookSender::stop()
{
    if (!m_thread)
        return;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker] { worker->end(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    m_thread.reset();
    m_worker = nullptr;
}

webhooks::Ed25519Key WebhookSender::signingKey() const
{
    return *m_key;
}

nlohmann::json WebhookSender::jwks() const
{
    return {{"keys", nlohmann::json::array({m_key->publicJwk(m_options.keyId)})}};
}

} // namespace adcp::seller
