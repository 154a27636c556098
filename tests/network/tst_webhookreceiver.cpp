// The buyer's webhook receiver over real loopback HTTP, fed by deliveries signed with the seller's own
// signer.
#include "dispatcher.h"
#include "jobs/execution.h"
#include "sellercontext.h"
#include "webhookreceiver.h"
#include "webhooksignature.h"

#include <QSqlDatabase>

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace adcp;
using nlohmann::json;
namespace wh = adcp::webhooks;

namespace {

const QByteArray kSecret = "a-shared-secret-of-at-least-32-bytes!!";

json payload(const std::string &key, const std::string &notification = {}, int sequence = 1)
{
    json p = {{"idempotency_key", key},
              {"operation_id", "op-1"},
              {"task_id", "task-1"},
              {"task_type", "media_buy_delivery"},
              {"status", "completed"},
              {"timestamp", "2026-01-01T00:00:00Z"},
              {"result", {{"notification_type", "scheduled"}, {"sequence_number", sequence}}}};
    if (!notification.empty())
        p["notification_id"] = notification;
    return p;
}

struct Delivery
{
    int status = 0;
    QByteArray body;
};

Delivery post(const QUrl &url, const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QNetworkAccessManager network;
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    for (const auto &[k, v] : headers)
        request.setRawHeader(k, v);
    QNetworkReply *reply = network.post(request, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!finished.wait(60000))
        return {};
    Delivery d{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll()};
    reply->deleteLater();
    return d;
}

QList<QPair<QByteArray, QByteArray>> hmacHeaders(const QByteArray &secret, qint64 timestamp,
                                                 const QByteArray &body)
{
    return {
        {"X-ADCP-Timestamp", QByteArray::number(timestamp)},
        {"X-ADCP-Signature", QByteArray::fromStdString(wh::hmacSignatureHeader(secret, timestamp, body))}};
}

QList<QPair<QByteArray, QByteArray>> rfc9421Headers(const QUrl &url, const QByteArray &body,
                                                    const wh::Ed25519Key &key, const std::string &keyId,
                                                    qint64 created)
{
    static int nonce = 0;
    const auto signedHeaders =
        wh::signRequest("POST", url.toString(), "application/json", body, key,
                        {keyId, created, created + 300, "nonce-" + std::to_string(++nonce)});
    return {{"Content-Digest", signedHeaders.contentDigest},
            {"Signature-Input", signedHeaders.signatureInput},
            {"Signature", signedHeaders.signature}};
}

} // namespace

class tst_WebhookReceiver final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void verification_data();
    void verification();
    void duplicatesAndConflicts();
    void reemissionFlagged();
    void dedupeSurvivesRestart();
    void fromSellerOutbox();
};

void tst_WebhookReceiver::verification_data()
{
    QTest::addColumn<QString>("signing");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("verifiedBy");

    QTest::newRow("HMAC-SHA256 valid") << "hmac" << 200 << "hmac-sha256";
    QTest::newRow("HMAC-SHA256 wrong secret") << "hmac-wrong-secret" << 401 << "";
    QTest::newRow("HMAC-SHA256 timestamp 400 s old") << "hmac-stale" << 401 << "";
    QTest::newRow("HMAC-SHA256 body changed after signing") << "hmac-tampered" << 401 << "";
    QTest::newRow("RFC 9421 Ed25519 valid") << "rfc9421" << 200 << "rfc9421";
    QTest::newRow("RFC 9421 body changed after signing") << "rfc9421-tampered" << 401 << "";
    QTest::newRow("RFC 9421 unknown keyid") << "rfc9421-unknown-key" << 401 << "";
    QTest::newRow("RFC 9421 expired") << "rfc9421-expired" << 401 << "";
    QTest::newRow("RFC 9421 known keyid, signed by another key") << "rfc9421-forged" << 401 << "";
    QTest::newRow("RFC 9421 same signature replayed") << "rfc9421-replayed" << 401 << "";
    QTest::newRow("unsigned") << "none" << 401 << "";
    QTest::newRow("no idempotency_key") << "hmac-no-key" << 400 << "";
}

void tst_WebhookReceiver::verification()
{
    QFETCH(QString, signing);
    QFETCH(int, status);
    QFETCH(QString, verifiedBy);

    const wh::Ed25519Key key = wh::Ed25519Key::generate();
    WebhookReceiverOptions options;
    options.hmacSecret = kSecret;
    WebhookReceiver receiver(options);
    QCOMPARE(receiver.addJwks({{"keys", json::array({key.publicJwk("seller-key-1")})}}), 1);
    QVERIFY(receiver.start() != 0);
    QSignalSpy events(&receiver, &WebhookReceiver::eventReceived);

    json p = payload("key-0000000000000001");
    if (signing == QLatin1String("hmac-no-key"))
        p.erase("idempotency_key");
    QByteArray body = QByteArray::fromStdString(p.dump());
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QList<QPair<QByteArray, QByteArray>> headers;
    if (signing.startsWith(QLatin1String("hmac")))
        headers =
            hmacHeaders(signing == QLatin1String("hmac-wrong-secret") ? QByteArray("other-secret") : kSecret,
                        signing == QLatin1String("hmac-stale") ? now - 400 : now, body);
    else if (signing.startsWith(QLatin1String("rfc9421")))
        headers = rfc9421Headers(
            receiver.url(), body,
            signing == QLatin1String("rfc9421-unknown-key") || signing == QLatin1String("rfc9421-forged")
                ? wh::Ed25519Key::generate()
                : key,
            signing == QLatin1String("rfc9421-unknown-key") ? "other-key" : "seller-key-1",
            signing == QLatin1String("rfc9421-expired") ? now - 600 : now);
    if (signing.endsWith(QLatin1String("tampered")))
        body.replace("op-1", "op-2");

    if (signing == QLatin1String("rfc9421-replayed")) {
        // The first delivery is genuine; the very same signed request again (same nonce) is a replay and is
        // refused before dedupe would acknowledge it as a duplicate.
        QCOMPARE(post(receiver.url(), body, headers).status, 200);
        QCOMPARE(events.count(), 1);
        events.clear();
    }
    const Delivery d = post(receiver.url(), body, headers);
    QCOMPARE(d.status, status);
    QCOMPARE(events.count(), status == 200 ? 1 : 0);
    if (status == 200)
        QCOMPARE(events.at(0).at(0).value<WebhookEvent>().verifiedBy, verifiedBy);
}

void tst_WebhookReceiver::duplicatesAndConflicts()
{
    WebhookReceiverOptions options;
    options.hmacSecret = kSecret;
    WebhookReceiver receiver(options);
    QVERIFY(receiver.start() != 0);
    QSignalSpy events(&receiver, &WebhookReceiver::eventReceived);
    const qint64 now = QDateTime::currentSecsSinceEpoch();

    const QByteArray first = QByteArray::fromStdString(payload("key-0000000000000002").dump());
    QCOMPARE(post(receiver.url(), first, hmacHeaders(kSecret, now, first)).status, 200);
    // The sender retries (a lost 2xx): acknowledged again, processed once.
    QCOMPARE(post(receiver.url(), first, hmacHeaders(kSecret, now + 1, first)).status, 200);
    QCOMPARE(events.count(), 1);
    // Same key, other body: a sender bug the receiver refuses.
    const QByteArray other = QByteArray::fromStdString(payload("key-0000000000000002", {}, 2).dump());
    QCOMPARE(post(receiver.url(), other, hmacHeaders(kSecret, now, other)).status, 409);
    QCOMPARE(events.count(), 1);
    QCOMPARE(receiver.acceptedCount(), 1);
}

void tst_WebhookReceiver::reemissionFlagged()
{
    WebhookReceiverOptions options;
    options.hmacSecret = kSecret;
    WebhookReceiver receiver(options);
    QVERIFY(receiver.start() != 0);
    QSignalSpy events(&receiver, &WebhookReceiver::eventReceived);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QByteArray a = QByteArray::fromStdString(payload("key-000000000000000a", "imp-1").dump());
    const QByteArray b = QByteArray::fromStdString(payload("key-000000000000000b", "imp-1").dump());
    QCOMPARE(post(receiver.url(), a, hmacHeaders(kSecret, now, a)).status, 200);
    QCOMPARE(post(receiver.url(), b, hmacHeaders(kSecret, now, b)).status, 200);
    QCOMPARE(events.count(), 2);
    QCOMPARE(events.at(0).at(0).value<WebhookEvent>().reemission, false);
    QCOMPARE(events.at(1).at(0).value<WebhookEvent>().reemission, true);
    QCOMPARE(events.at(1).at(0).value<WebhookEvent>().notificationId, QStringLiteral("imp-1"));
}

void tst_WebhookReceiver::dedupeSurvivesRestart()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    WebhookReceiverOptions options;
    options.hmacSecret = kSecret;
    options.journalPath = dir.filePath(QStringLiteral("webhooks.journal"));
    const QByteArray body = QByteArray::fromStdString(payload("key-0000000000000003", "imp-9").dump());
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    {
        WebhookReceiver receiver(options);
        QVERIFY(receiver.start() != 0);
        QCOMPARE(post(receiver.url(), body, hmacHeaders(kSecret, now, body)).status, 200);
    }
    WebhookReceiver restarted(options);
    QVERIFY(restarted.start() != 0);
    QSignalSpy events(&restarted, &WebhookReceiver::eventReceived);
    const Delivery again = post(restarted.url(), body, hmacHeaders(kSecret, now, body));
    QCOMPARE(again.status, 200);
    QVERIFY(again.body.contains("duplicate"));
    QCOMPARE(events.count(), 0);
    // A new key for the same notification after the restart is still recognized as a re-emission.
    const QByteArray next = QByteArray::fromStdString(payload("key-0000000000000004", "imp-9").dump());
    QCOMPARE(post(restarted.url(), next, hmacHeaders(kSecret, now, next)).status, 200);
    QCOMPARE(events.count(), 1);
    QVERIFY(events.at(0).at(0).value<WebhookEvent>().reemission);
}

// End to end: a buy waiting for manual approval is approved in the seller; its task webhook leaves the
// seller's durable outbox signed with RFC 9421 and arrives verified, once, at our receiver.
void tst_WebhookReceiver::fromSellerOutbox()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    seller::SellerOptions options;
    options.databasePath = dir.filePath(QStringLiteral("seller.sqlite"));
    options.manualApproval = true;
    QString error;
    auto context = seller::SellerContext::open(options, &error);
    QVERIFY2(context, qPrintable(error));
    seller::Dispatcher dispatcher(context);
    seller::ExecutionOptions executionOptions;
    executionOptions.webhooks.pollMs = 50;
    auto execution = seller::Execution::start(context, executionOptions, &error);
    QVERIFY2(execution, qPrintable(error));
    QVERIFY(execution->webhookSender());

    WebhookReceiver receiver(WebhookReceiverOptions{});
    QCOMPARE(receiver.addJwks(execution->webhookSender()->jwks()), 1);
    QVERIFY(receiver.start() != 0);
    QSignalSpy events(&receiver, &WebhookReceiver::eventReceived);
    QSignalSpy rejected(&receiver, &WebhookReceiver::deliveryRejected);

    const seller::Principal principal{"buyer-1", true};
    const json brand = {{"domain", "acmeoutdoor.example"}};
    const auto products =
        dispatcher.call(principal, "get_products", {{"buying_mode", "wholesale"}, {"brand", brand}});
    QVERIFY(products.ok());
    QVERIFY(!products.result["products"].empty());
    // A product and pricing option whose minimum spend a 50 000 budget meets.
    const json &product = products.result["products"][0];
    const QDateTime start = QDateTime::currentDateTimeUtc().addDays(2);
    const json create = {
        {"idempotency_key", "webhook-e2e-000000000001"},
        {"brand", brand},
        {"account", {{"brand", brand}, {"operator", "acmeoutdoor.example"}}},
        {"start_time", start.toString(Qt::ISODate).toStdString()},
        {"end_time", start.addDays(30).toString(Qt::ISODate).toStdString()},
        {"push_notification_config",
         {{"url", receiver.url().toString().toStdString()}, {"operation_id", "op-e2e"}}},
        {"packages", json::array({{{"product_id", product["product_id"]},
                                   {"pricing_option_id", product["pricing_options"][0]["pricing_option_id"]},
                                   {"budget", 50000}}})}};
    const auto created = dispatcher.call(principal, "create_media_buy", create);
    QVERIFY2(created.ok(), created.ok() ? "" : created.error->message.c_str());
    // manualApproval holds every buy: the answer is the submitted task, never a buy made at once.
    QCOMPARE(created.result.value("status", std::string()), std::string("submitted"));
    const std::string taskId = created.result["task_id"].get<std::string>();

    QSqlDatabase db = QSqlDatabase::database(context->connectionName());
    QVERIFY2(seller::Execution::decide(db, principal.id, taskId, true, "approved in test",
                                       context->clock().now(), &error),
             qPrintable(error));

    QTRY_VERIFY_WITH_TIMEOUT(!events.isEmpty(), 30000);
    const auto event = events.takeFirst().at(0).value<WebhookEvent>();
    QCOMPARE(event.verifiedBy, QStringLiteral("rfc9421"));
    QCOMPARE(event.operationId, QStringLiteral("op-e2e"));
    QCOMPARE(event.payload["task_id"].get<std::string>(), taskId);
    QVERIFY(event.idempotencyKey.size() >= 16);
    QVERIFY(rejected.isEmpty());
    execution->stop();
}

QTEST_GUILESS_MAIN(tst_WebhookReceiver)
#include "tst_webhookreceiver.moc"
