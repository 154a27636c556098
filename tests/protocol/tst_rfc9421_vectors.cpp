// The webhook signatures checked against published data rather than against our own signer: the test key
// test-key-ed25519 (RFC 9421 Appendix B.1.4), the signature base and signature of the Ed25519 example
// (Appendix B.2.6) over the RFC's test request (Appendix B.2), and the SHA-256 Content-Digest of that
// request's body (RFC 9530). Our profile covers other components than the RFC's examples (@target-uri and
// content-digest, with expires, nonce, alg and tag), so the RFC's own request cannot pass our verifier as a
// whole; what the RFC fixes is checked piece by piece: the key, the Ed25519 signing and verification of the
// RFC's base, the digest, and the serialization of the base our signer builds.

#include "webhooksignature.h"

#include <QCryptographicHash>
#include <QTest>

using namespace adcp::webhooks;

namespace {

// RFC 9421 Appendix B.1.4, test-key-ed25519: PKCS#8 private key and SPKI public key (PEM bodies).
constexpr char kPrivatePkcs8[] = "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF";
constexpr char kPublicSpki[] = "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=";
// The RFC 8410 DER prefixes in front of the raw 32-byte key in those two structures.
constexpr char kPkcs8Prefix[] = "302e020100300506032b657004220420";
constexpr char kSpkiPrefix[] = "302a300506032b6570032100";

// RFC 9421 Appendix B.2.6: the signature base of the test request under label sig-b26, and its signature.
constexpr char kB26Base[] =
    "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n"
    "\"@method\": POST\n"
    "\"@path\": /foo\n"
    "\"@authority\": example.com\n"
    "\"content-type\": application/json\n"
    "\"content-length\": 18\n"
    "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" "
    "\"content-length\");created=1618884473;keyid=\"test-key-ed25519\"";
constexpr char kB26SignatureInput[] =
    "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" "
    "\"content-length\");created=1618884473;keyid=\"test-key-ed25519\"";
constexpr char kB26Signature[] =
    "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==";

// RFC 9421 Appendix B.2: the test request (POST /foo?param=Value&Pet=dog to example.com) and its body.
constexpr char kTestRequestUrl[] = "https://example.com/foo?param=Value&Pet=dog";
constexpr char kTestRequestBody[] = "{\"hello\": \"world\"}";
// RFC 9530: the sha-256 Content-Digest of that body; RFC 9421 Appendix B.2 gives its sha-512 one.
constexpr char kBodySha256Digest[] = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:";
constexpr char kBodySha512[] =
    "WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==";

constexpr qint64 kCreated = 1618884473;

QByteArray rawKey(const char *pemBody, const char *derPrefixHex)
{
    const QByteArray der = QByteArray::fromBase64(pemBody);
    const QByteArray prefix = QByteArray::fromHex(derPrefixHex);
    if (!der.startsWith(prefix) || der.size() != prefix.size() + 32)
        return {};
    return der.mid(prefix.size());
}

QByteArray rfcPrivateKey()
{
    return rawKey(kPrivatePkcs8, kPkcs8Prefix);
}

QByteArray rfcPublicKey()
{
    return rawKey(kPublicSpki, kSpkiPrefix);
}

} // namespace

class TestRfc9421Vectors final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void testKeyPairMatches();
    void b26SignatureIsReproduced();
    void b26SignatureVerifies_data();
    void b26SignatureVerifies();
    void contentDigestOfTheTestBody();
    void signerBuildsTheRfcSignatureBase();
    void verifierAcceptsTheTestKeysSignature();
    void verifierRefusesTheRfcComponentSet();
};

// The private half of test-key-ed25519 yields exactly its published public half.
void TestRfc9421Vectors::testKeyPairMatches()
{
    QCOMPARE(rfcPrivateKey().size(), 32);
    QCOMPARE(rfcPublicKey().size(), 32);
    const auto key = Ed25519Key::fromPrivateKey(rfcPrivateKey());
    QVERIFY(key);
    QCOMPARE(key->publicKey().toHex(), rfcPublicKey().toHex());
    // As a JWK, x is the base64url of those 32 bytes.
    QCOMPARE(QByteArray::fromStdString(key->publicJwk("test-key-ed25519").at("x").get<std::string>()),
             rfcPublicKey().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

// Ed25519 is deterministic: signing the RFC's signature base with the RFC's key gives the RFC's signature.
void TestRfc9421Vectors::b26SignatureIsReproduced()
{
    const auto key = Ed25519Key::fromPrivateKey(rfcPrivateKey());
    QVERIFY(key);
    QCOMPARE(key->sign(QByteArray(kB26Base)).toBase64(), QByteArray(kB26Signature));
}

void TestRfc9421Vectors::b26SignatureVerifies_data()
{
    QTest::addColumn<QByteArray>("publicKey");
    QTest::addColumn<QByteArray>("base");
    QTest::addColumn<QByteArray>("signature");
    QTest::addColumn<bool>("valid");
    const QByteArray signature = QByteArray::fromBase64(kB26Signature);
    QByteArray otherSignature = signature;
    otherSignature[10] = char(otherSignature[10] ^ 0x01);
    QByteArray otherKey = rfcPublicKey();
    otherKey[0] = char(otherKey[0] ^ 0x01);
    QTest::newRow("as published") << rfcPublicKey() << QByteArray(kB26Base) << signature << true;
    QTest::newRow("base changed (created)")
        << rfcPublicKey() << QByteArray(kB26Base).replace("1618884473", "1618884474") << signature << false;
    QTest::newRow("base with a trailing newline") << rfcPublicKey() << QByteArray(kB26Base) + '\n'
                                                  << signature << false;
    QTest::newRow("signature changed") << rfcPublicKey() << QByteArray(kB26Base) << otherSignature << false;
    QTest::newRow("signature cut") << rfcPublicKey() << QByteArray(kB26Base) << signature.left(63) << false;
    QTest::newRow("other key") << otherKey << QByteArray(kB26Base) << signature << false;
}

// The verification our verifier runs accepts the RFC's signature and nothing near it.
void TestRfc9421Vectors::b26SignatureVerifies()
{
    QFETCH(QByteArray, publicKey);
    QFETCH(QByteArray, base);
    QFETCH(QByteArray, signature);
    QFETCH(bool, valid);
    QCOMPARE(Ed25519Key::verify(publicKey, base, signature), valid);
}

void TestRfc9421Vectors::contentDigestOfTheTestBody()
{
    QCOMPARE(QByteArray(kTestRequestBody).size(), 18); // the test request's Content-Length
    QCOMPARE(contentDigest(kTestRequestBody), QByteArray(kBodySha256Digest));
    // The same bytes as the RFC 9421 test request's own (sha-512) digest: the body is the RFC's.
    QCOMPARE(QCryptographicHash::hash(kTestRequestBody, QCryptographicHash::Sha512).toBase64(),
             QByteArray(kBodySha512));
}

// Our signer over the RFC's test request with the RFC's key: the base follows RFC 9421 §2.5 line for line
// (derived components per §2.2, the @signature-params line per §2.3), and the signature is the Ed25519
// signature of exactly that base.
void TestRfc9421Vectors::signerBuildsTheRfcSignatureBase()
{
    const auto key = Ed25519Key::fromPrivateKey(rfcPrivateKey());
    QVERIFY(key);
    const SignatureParameters params{"test-key-ed25519", kCreated, kCreated + 300, "rfc9421-vector-nonce"};
    const SignedHeaders headers = signRequest("POST", QString::fromLatin1(kTestRequestUrl),
                                              "application/json", kTestRequestBody, *key, params);
    const QByteArray signatureParams =
        "(\"@method\" \"@target-uri\" \"@authority\" \"content-type\" \"content-digest\");created=1618884473;"
        "expires=1618884773;nonce=\"rfc9421-vector-nonce\";keyid=\"test-key-ed25519\";alg=\"ed25519\";"
        "tag=\"adcp/webhook-signing/v1\"";
    const QByteArray expectedBase =
        "\"@method\": POST\n"
        "\"@target-uri\": https://example.com/foo?param=Value&Pet=dog\n"
        "\"@authority\": example.com\n"
        "\"content-type\": application/json\n"
        "\"content-digest\": sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:\n"
        "\"@signature-params\": " +
        signatureParams;
    QCOMPARE(headers.contentDigest, QByteArray(kBodySha256Digest));
    QCOMPARE(headers.signatureInput, "sig1=" + signatureParams);
    QCOMPARE(signatureBase("POST", QString::fromLatin1(kTestRequestUrl), "application/json",
                           headers.contentDigest, signatureParams),
             expectedBase);
    QVERIFY(headers.signature.startsWith("sig1=:") && headers.signature.endsWith(':'));
    const QByteArray signature =
        QByteArray::fromBase64(headers.signature.mid(6, headers.signature.size() - 7));
    QVERIFY(Ed25519Key::verify(rfcPublicKey(), expectedBase, signature));
    // The method is upper case and the authority lower case without its default port (§2.2.1, §2.2.3).
    const QList<QByteArray> lines = signatureBase("post", QStringLiteral("https://EXAMPLE.com:443/foo"),
                                                  "application/json", headers.contentDigest, signatureParams)
                                        .split('\n');
    QCOMPARE(lines.value(0), QByteArray("\"@method\": POST"));
    QCOMPARE(lines.value(2), QByteArray("\"@authority\": example.com"));
}

// A request signed with the RFC's key under our profile passes our verifier when the key resolves to the
// RFC's public key, and fails under any other key.
void TestRfc9421Vectors::verifierAcceptsTheTestKeysSignature()
{
    const auto key = Ed25519Key::fromPrivateKey(rfcPrivateKey());
    QVERIFY(key);
    const SignatureParameters params{"test-key-ed25519", kCreated, kCreated + 300, "rfc9421-vector-nonce"};
    const QString url = QString::fromLatin1(kTestRequestUrl);
    const SignedHeaders signedHeaders =
        signRequest("POST", url, "application/json", kTestRequestBody, *key, params);
    const std::map<QByteArray, QByteArray> headers = {{"content-type", "application/json"},
                                                      {"content-digest", signedHeaders.contentDigest},
                                                      {"signature-input", signedHeaders.signatureInput},
                                                      {"signature", signedHeaders.signature}};
    std::string error;
    const auto verified = verifyRequest(
        "POST", url, headers, kTestRequestBody,
        [](const std::string &keyId) { return keyId == "test-key-ed25519" ? rfcPublicKey() : QByteArray(); },
        kCreated + 10, &error);
    QVERIFY2(verified, error.c_str());
    QCOMPARE(verified->keyId, std::string("test-key-ed25519"));
    QCOMPARE(verified->created, kCreated);
    QCOMPARE(verified->expires, kCreated + 300);

    QByteArray otherKey = rfcPublicKey();
    otherKey[31] = char(otherKey[31] ^ 0x01);
    QVERIFY(!verifyRequest(
        "POST", url, headers, kTestRequestBody, [&otherKey](const std::string &) { return otherKey; },
        kCreated + 10, &error));
}

// The RFC's own B.2.6 request is a valid RFC 9421 signature but not one of our profile: the verifier reads
// its Signature-Input and refuses it for the components it covers, not as malformed input.
void TestRfc9421Vectors::verifierRefusesTheRfcComponentSet()
{
    const std::map<QByteArray, QByteArray> headers = {
        {"date", "Tue, 20 Apr 2021 02:07:55 GMT"},
        {"content-type", "application/json"},
        {"content-length", "18"},
        {"signature-input", kB26SignatureInput},
        {"signature", QByteArray("sig-b26=:") + kB26Signature + ':'}};
    std::string error;
    QVERIFY(!verifyRequest(
        "POST", QString::fromLatin1(kTestRequestUrl), headers, kTestRequestBody,
        [](const std::string &) { return rfcPublicKey(); }, kCreated + 10, &error));
    QVERIFY2(error.find("does not cover") != std::string::npos, error.c_str());
}

QTEST_GUILESS_MAIN(TestRfc9421Vectors)
#include "tst_rfc9421_vectors.moc"
