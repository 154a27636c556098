#include "webhooksignature.h"

#include <QTest>

using namespace adcp::webhooks;

class TestWebhookSignature final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hmacKnownAnswer();
    void hmacRejects_data();
    void hmacRejects();
    void ed25519Rfc8032Vector();
    void rfc9421RoundTrip();
    void rfc9421Rejects_data();
    void rfc9421Rejects();
    void jwkCarriesThePublicKey();
};

void TestWebhookSignature::hmacKnownAnswer()
{
    // Computed independently: HMAC-SHA256(key = 32 × 'k', message = "1700000000.{\"a\":1}").
    const QByteArray secret(32, 'k');
    QCOMPARE(QString::fromStdString(hmacSignatureHeader(secret, 1700000000, R"({"a":1})")),
             QStringLiteral("sha256=6935b796c0fec66e5dee52c86c7fd1218a424c32f1adb239ff2893c31e54f033"));
    QVERIFY(verifyHmacSignature(secret, "1700000000",
                                "sha256=6935b796c0fec66e5dee52c86c7fd1218a424c32f1adb239ff2893c31e54f033",
                                R"({"a":1})", 1700000100));
}

void TestWebhookSignature::hmacRejects_data()
{
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<QByteArray>("timestamp");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<qint64>("now");
    const QByteArray good(32, 'k');
    QTest::newRow("other secret") << QByteArray(32, 'x') << QByteArray("1700000000")
                                  << QByteArray(R"({"a":1})") << qint64(1700000000);
    QTest::newRow("body changed") << good << QByteArray("1700000000") << QByteArray(R"({"a":2})")
                                  << qint64(1700000000);
    QTest::newRow("timestamp changed")
        << good << QByteArray("1700000001") << QByteArray(R"({"a":1})") << qint64(1700000000);
    QTest::newRow("too old") << good << QByteArray("1700000000") << QByteArray(R"({"a":1})")
                             << qint64(1700000301);
    QTest::newRow("not a number") << good << QByteArray("soon") << QByteArray(R"({"a":1})")
                                  << qint64(1700000000);
}

void TestWebhookSignature::hmacRejects()
{
    QFETCH(QByteArray, secret);
    QFETCH(QByteArray, timestamp);
    QFETCH(QByteArray, body);
    QFETCH(qint64, now);
    const QByteArray signature =
        QByteArray::fromStdString(hmacSignatureHeader(QByteArray(32, 'k'), 1700000000, R"({"a":1})"));
    std::string error;
    QVERIFY(!verifyHmacSignature(secret, timestamp, signature, body, now, &error));
    QVERIFY(!error.empty());
}

void TestWebhookSignature::ed25519Rfc8032Vector()
{
    // RFC 8032 §7.1, TEST 2 (one-byte message 0x72).
    const auto key = Ed25519Key::fromPrivateKey(
        QByteArray::fromHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"));
    QVERIFY(key);
    QCOMPARE(key->publicKey().toHex(),
             QByteArray("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"));
    const QByteArray signature = key->sign(QByteArray::fromHex("72"));
    QCOMPARE(signature.toHex(),
             QByteArray("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"));
    QVERIFY(Ed25519Key::verify(key->publicKey(), QByteArray::fromHex("72"), signature));
    QVERIFY(!Ed25519Key::verify(key->publicKey(), QByteArray::fromHex("73"), signature));
}

namespace {

struct Signed
{
    Ed25519Key key = Ed25519Key::generate();
    QString url = QStringLiteral("http://127.0.0.1:8123/hooks/adcp?op=1");
    QByteArray body = R"({"idempotency_key":"whk_0123456789abcdef","status":"completed"})";
    SignedHeaders headers;
    std::map<QByteArray, QByteArray> map;

    Signed()
    {
        headers = signRequest("POST", url, "application/json", body, key,
                              {"seller-key-1", 1700000000, 1700000300, "n-1"});
        map = {{"content-type", "application/json"},
               {"content-digest", headers.contentDigest},
               {"signature-input", headers.signatureInput},
               {"signature", headers.signature}};
    }
    KeyResolver resolver() const
    {
        const QByteArray publicKey = key.publicKey();
        return [publicKey](const std::string &id) { return id == "seller-key-1" ? publicKey : QByteArray(); };
    }
};

} // namespace

void TestWebhookSignature::rfc9421RoundTrip()
{
    const Signed s;
    QVERIFY(s.headers.signatureInput.startsWith(
        R"(sig1=("@method" "@target-uri" "@authority" "content-type" "content-digest");created=1700000000;)"));
    QVERIFY(s.headers.signatureInput.contains(R"(tag="adcp/webhook-signing/v1")"));
    std::string error;
    const auto verified = verifyRequest("POST", s.url, s.map, s.body, s.resolver(), 1700000010, &error);
    QVERIFY2(verified, error.c_str());
    QCOMPARE(verified->keyId, std::string("seller-key-1"));
    QCOMPARE(verified->nonce, std::string("n-1"));
    // The base covers the authority with its non-default port.
    const QByteArray base = signatureBase("POST", s.url, "application/json", s.headers.contentDigest, "()");
    QVERIFY(base.contains("\"@authority\": 127.0.0.1:8123\n"));
}

void TestWebhookSignature::rfc9421Rejects_data()
{
    QTest::addColumn<QString>("what");
    QTest::newRow("body") << QStringLiteral("body");
    QTest::newRow("url") << QStringLiteral("url");
    QTest::newRow("method") << QStringLiteral("method");
    QTest::newRow("content-type") << QStringLiteral("content-type");
    QTest::newRow("expired") << QStringLiteral("expired");
    QTest::newRow("unknown key") << QStringLiteral("unknown key");
    QTest::newRow("other key") << QStringLiteral("other key");
    QTest::newRow("missing signature") << QStringLiteral("missing signature");
    QTest::newRow("fewer components") << QStringLiteral("fewer components");
}

void TestWebhookSignature::rfc9421Rejects()
{
    QFETCH(QString, what);
    Signed s;
    QByteArray method = "POST";
    QString url = s.url;
    QByteArray body = s.body;
    qint64 now = 1700000010;
    KeyResolver resolver = s.resolver();
    if (what == QStringLiteral("body"))
        body.replace("completed", "failed");
    else if (what == QStringLiteral("url"))
        url = QStringLiteral("http://127.0.0.1:8123/hooks/adcp?op=2");
    else if (what == QStringLiteral("method"))
        method = "PUT";
    else if (what == QStringLiteral("content-type"))
        s.map["content-type"] = "text/plain";
    else if (what == QStringLiteral("expired"))
        now = 1700000300;
    else if (what == QStringLiteral("unknown key"))
        resolver = [](const std::string &) { return QByteArray(); };
    else if (what == QStringLiteral("other key")) {
        const QByteArray otherKey = Ed25519Key::generate().publicKey();
        resolver = [otherKey](const std::string &) { return otherKey; };
    } else if (what == QStringLiteral("missing signature"))
        s.map.erase("signature");
    else if (what == QStringLiteral("fewer components"))
        s.map["signature-input"].replace(R"( "content-digest")", "");
    std::string error;
    QVERIFY(!verifyRequest(method, url, s.map, body, resolver, now, &error));
    QVERIFY(!error.empty());
}

void TestWebhookSignature::jwkCarriesThePublicKey()
{
    const Ed25519Key key = Ed25519Key::generate();
    const nlohmann::json jwk = key.publicJwk("k1");
    QCOMPARE(jwk.at("kty").get<std::string>(), std::string("OKP"));
    QCOMPARE(jwk.at("crv").get<std::string>(), std::string("Ed25519"));
    const QByteArray x = QByteArray::fromBase64(QByteArray::fromStdString(jwk.at("x").get<std::string>()),
                                                QByteArray::Base64UrlEncoding);
    QCOMPARE(x, key.publicKey());
    const auto restored = Ed25519Key::fromPrivateKey(key.privateKey());
    QVERIFY(restored);
    QCOMPARE(restored->publicKey(), key.publicKey());
}

QTEST_GUILESS_MAIN(TestWebhookSignature)
#include "tst_webhook_signature.moc"
