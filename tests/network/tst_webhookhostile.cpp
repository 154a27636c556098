// The buyer's webhook receiver against hostile senders on loopback: a body over the limit is cut off with 413
// while it arrives, payloads of the wrong types and broken signatures are rejected or read as absent, nothing
// throws, and a valid delivery is accepted afterwards.
#include "webhookreceiver.h"
#include "webhooksignature.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

using namespace adcp;
using nlohmann::json;
namespace wh = adcp::webhooks;

namespace {

const QByteArray kSecret = "a-shared-secret-of-at-least-32-bytes!!";

QList<QPair<QByteArray, QByteArray>> hmacHeaders(const QByteArray &body)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    return {{"X-ADCP-Timestamp", QByteArray::number(now)},
            {"X-ADCP-Signature", QByteArray::fromStdString(wh::hmacSignatureHeader(kSecret, now, body))}};
}

QByteArray validBody(const std::string &key)
{
    return QByteArray::fromStdString(
        json{{"idempotency_key", key}, {"task_type", "media_buy_delivery"}, {"status", "completed"}}.dump());
}

int receive(WebhookReceiver &receiver, const QByteArray &body, QList<QPair<QByteArray, QByteArray>> headers,
            QString *reason)
{
    return receiver.receive("POST", receiver.url().toString(), headers, body, reason);
}

} // namespace

class TestWebhookHostile final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void oversizedBodyIsCutOffWhileArriving();
    void payloadOfWrongTypes_data();
    void payloadOfWrongTypes();
    void brokenSignatures_data();
    void brokenSignatures();
    void jwksOfWrongTypesAddsNothing();
};

// A sender that announces 1 GiB and keeps sending (paced by its socket draining) to a receiver that takes
// 64 KiB is cut off while the body arrives: 413, the connection closed, nothing accepted; the receiver then
// accepts a valid delivery.
void TestWebhookHostile::oversizedBodyIsCutOffWhileArriving()
{
    WebhookReceiverOptions options;
    options.hmacSecret = kSecret;
    options.maxBodyBytes = 64 * 1024;
    WebhookReceiver receiver(options);
    QVERIFY(receiver.start());
    QSignalSpy accepted(&receiver, &WebhookReceiver::eventReceived);
    QSignalSpy rejected(&receiver, &WebhookReceiver::deliveryRejected);

    QTcpSocket socket;
    const QByteArray chunk(64 * 1024, ' ');
    qint64 sent = 0;
    connect(&socket, &QTcpSocket::bytesWritten, &socket, [&] {
        if (socket.state() == QAbstractSocket::ConnectedState && socket.bytesToWrite() == 0 &&
            sent < (qint64(1) << 30)) {
            socket.write(chunk);
            sent += chunk.size();
        }
    });
    socket.connectToHost(QHostAddress::LocalHost, receiver.url().port());
    QVERIFY(socket.waitForConnected(10000));
    socket.write("POST /webhooks/adcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 "Content-Length: 1073741824\r\n\r\n");
    QTRY_COMPARE_WITH_TIMEOUT(rejected.size(), 1, 30000);
    QCOMPARE(rejected.front().at(0).toInt(), 413);
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 30000);
    QVERIFY(sent < (qint64(1) << 30));
    QCOMPARE(accepted.size(), 0);

    QString reason;
    const QByteArray body = validBody("hostile-after-413-0001");
    QCOMPARE(receive(receiver, body, hmacHeaders(body), &reason), 200);
    QCOMPARE(accepted.size(), 1);
}

void TestWebhookHostile::payloadOfWrongTypes_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::newRow("not JSON") << QByteArray("{\"idempotency_key\": ") << 400;
    QTest::newRow("invalid UTF-8") << QByteArray("{\"idempotency_key\":\"k-\xff\xfe-0000000001\"}") << 400;
    QTest::newRow("nested too deep") << QByteArray("{\"idempotency_key\":\"deep-00000000001\",\"x\":" +
                                                   QByteArray(5000, '[') + QByteArray(5000, ']') + "}")
                                     << 400;
    QTest::newRow("array") << QByteArray("[1,2]") << 400;
    QTest::newRow("key is a number") << QByteArray("{\"idempotency_key\": 12345678901234567}") << 400;
    QTest::newRow("key with a tab") << QByteArray("{\"idempotency_key\": \"abc\\tdef-000000000\"}") << 400;
    QTest::newRow("labels of wrong types")
        << QByteArray("{\"idempotency_key\":\"types-000000000001\",\"notification_id\":7,\"operation_id\":[],"
                      "\"task_type\":{\"a\":1}}")
        << 200;
}

void TestWebhookHostile::payloadOfWrongTypes()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    WebhookReceiverOptions options;
    options.hmacSecret = kSecret;
    WebhookReceiver receiver(options);
    QSignalSpy accepted(&receiver, &WebhookReceiver::eventReceived);
    QString reason;
    QCOMPARE(receive(receiver, body, hmacHeaders(body), &reason), status);
    QVERIFY(!reason.isEmpty());
    if (status == 200) {
        QCOMPARE(accepted.size(), 1);
        const auto event = accepted.front().front().value<WebhookEvent>();
        QVERIFY(event.notificationId.isEmpty());
        QVERIFY(event.operationId.isEmpty());
        QVERIFY(event.taskType.isEmpty());
    }
    const QByteArray good = validBody("after-bad-payload-01");
    QCOMPARE(receive(receiver, good, hmacHeaders(good), &reason), 200);
}

void TestWebhookHostile::brokenSignatures_data()
{
    QTest::addColumn<QByteArray>("signatureInput");
    QTest::addColumn<QByteArray>("signature");
    const QByteArray components =
        "(\"@method\" \"@target-uri\" \"@authority\" \"content-type\" \"content-digest\")";
    const QByteArray tail = ";nonce=\"n\";keyid=\"k1\";alg=\"ed25519\";tag=\"adcp/webhook-signing/v1\"";
    QTest::newRow("garbage") << QByteArray("=((((;;;") << QByteArray(":::");
    QTest::newRow("no parenthesis close") << QByteArray("sig1=(\"@method\"") << QByteArray("sig1=:AA==:");
    QTest::newRow("created/expires overflow")
        << "sig1=" + components + ";created=-9223372036854775808;expires=9223372036854775807" + tail
        << QByteArray("sig1=:AA==:");
    QTest::newRow("empty signature") << "sig1=" + components + ";created=1;expires=2" + tail
                                     << QByteArray("sig1=:");
    QTest::newRow("huge numbers") << "sig1=" + components + ";created=99999999999999999999999;expires=1" +
                                         tail
                                  << QByteArray("sig1=:AA==:");
}

void TestWebhookHostile::brokenSignatures()
{
    QFETCH(QByteArray, signatureInput);
    QFETCH(QByteArray, signature);
    const wh::Ed25519Key key = wh::Ed25519Key::generate();
    WebhookReceiverOptions options;
    options.ed25519Keys.insert("k1", key.publicKey());
    WebhookReceiver receiver(options);
    QSignalSpy rejected(&receiver, &WebhookReceiver::deliveryRejected);
    const QByteArray body = validBody("signature-0000000001");
    QString reason;
    const int status = receive(receiver, body,
                               {{"Content-Type", "application/json"},
                                {"Content-Digest", wh::contentDigest(body)},
                                {"Signature-Input", signatureInput},
                                {"Signature", signature}},
                               &reason);
    QCOMPARE(status, 401);
    QVERIFY2(reason.startsWith(QStringLiteral("RFC 9421")), qPrintable(reason));
    QCOMPARE(rejected.size(), 1);

    // The same receiver still verifies a correctly signed delivery.
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QString url = receiver.url().toString();
    const auto signedHeaders =
        wh::signRequest("POST", url, "application/json", body, key, {"k1", now, now + 60, "nonce-after-bad"});
    QCOMPARE(receiver.receive("POST", url,
                              {{"Content-Type", "application/json"},
                               {"Content-Digest", signedHeaders.contentDigest},
                               {"Signature-Input", signedHeaders.signatureInput},
                               {"Signature", signedHeaders.signature}},
                              body, &reason),
             200);
}

void TestWebhookHostile::jwksOfWrongTypesAddsNothing()
{
    WebhookReceiver receiver({});
    QCOMPARE(receiver.addJwks(json::array()), 0);
    QCOMPARE(receiver.addJwks({{"keys", "none"}}), 0);
    QCOMPARE(receiver.addJwks(
                 {{"keys",
                   {{{"kty", 1}, {"crv", "Ed25519"}, {"x", "AA"}, {"kid", "a"}},
                    {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", 5}, {"kid", "b"}},
                    {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", json::array()}, {"kid", json::object()}},
                    "not a key"}}}),
             0);
    const wh::Ed25519Key key = wh::Ed25519Key::generate();
    QCOMPARE(receiver.addJwks({{"keys", {key.publicJwk("good")}}}), 1);
}

QTEST_GUILESS_MAIN(TestWebhookHostile)
#include "tst_webhookhostile.moc"
