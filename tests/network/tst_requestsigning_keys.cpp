// Request-signing keys learnt from a signer's JWKS URL, and replay state that survives a restart: a real
// loopback JWKS endpoint (HostilePeer, so that it can also misbehave), the seller on loopback verifying
// requests signed with keys only that endpoint publishes, refreshes driven by the test (no timer, an injected
// clock for the unknown-key cooldown), withdrawal as revocation, hostile endpoints, and the replay file read
// back by a new verifier/seller, corrupt or not.
#include "dispatcher.h"
#include "hostilepeer.h"
#include "httpsignature.h"
#include "sellercontext.h"
#include "server/bearerauth.h"
#include "server/jwksfetcher.h"
#include "server/requestsigning.h"
#include "server/sellerhttpserver.h"
#include "signedrequests.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>

using namespace adcp;
using namespace adcp::seller;
using nlohmann::json;

namespace {

constexpr long long kNow = 1776520800; // the verifiers' clock; no test reads the wall clock
const QByteArray kPath = "/adcp/get_products";
const QByteArray kBody = R"({"buying_mode":"wholesale","brand":{"domain":"acmeoutdoor.example"}})";

struct Answer
{
    int status = 0;
    QByteArray body;
    QByteArray challenge;

    QByteArray signatureError() const
    {
        const qsizetype start = challenge.indexOf("error=\"");
        return start < 0 ? QByteArray()
                         : challenge.mid(start + 7, challenge.indexOf('"', start + 7) - start - 7);
    }
};

// The seller on loopback with its verifier (and the fetcher of its JWKS URLs, when it has some).
struct KeysSeller
{
    QTemporaryDir dir;
    std::shared_ptr<Dispatcher> dispatcher;
    std::shared_ptr<RequestVerifier> verifier;
    std::unique_ptr<JwksFetcher> fetcher;
    std::unique_ptr<SellerHttpServer> server;
    quint16 port = 0;

    QByteArray host() const { return "127.0.0.1:" + QByteArray::number(port); }
};

// A request as the engine hands it to the verifier, for tests below the HTTP layer.
HttpRequest keysRequest(const signedrequests::Headers &signature)
{
    HttpRequest request;
    request.method = "POST";
    request.target = kPath.toStdString();
    request.headers = {{"Host", "seller.example"}, {"Content-Type", "application/json"}};
    for (const auto &[k, v] : signature)
        request.headers.emplace_back(k.toStdString(), v.toStdString());
    request.body = kBody.toStdString();
    return request;
}

} // namespace

class tst_RequestSigningKeys final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void keyKnownOnlyFromTheUrl();
    void removedKeyIsRevokedAfterRefresh();
    void unknownKeyRefreshesOnce();
    void hostileEndpointKeepsTheKeys_data();
    void hostileEndpointKeepsTheKeys();
    void cacheControlShortensTheRefresh_data();
    void cacheControlShortensTheRefresh();
    void urlRules_data();
    void urlRules();
    void keySwapWhileVerifying();
    void replayRefusedAfterRestart();
    void capHoldsAfterRestart();
    void corruptReplayFileIsSurvived();

private:
    std::unique_ptr<KeysSeller> startSeller(RequestSigningConfig config, const QString &replayFile = {},
                                            int fetchTimeoutMs = 10000, quint16 port = 0);
    // One refresh of the seller's first JWKS URL; its outcome (ok) after the fetcher reported it.
    bool refresh(KeysSeller &seller);
    Answer post(const KeysSeller &seller, const signedrequests::Headers &headers);
    Answer postSigned(const KeysSeller &seller, const httpsig::SigningKey &key, const std::string &keyId,
                      const std::string &nonce = {});
    RequestSigningConfig urlConfig() const;
    json jwksOf(std::initializer_list<std::pair<const httpsig::SigningKey *, std::string>> keys) const;

    QNetworkAccessManager m_network;
    httpsig::SigningKey m_a = httpsig::SigningKey::generateEd25519();
    httpsig::SigningKey m_b = httpsig::SigningKey::generateEs256();
    httpsig::SigningKey m_c = httpsig::SigningKey::generateEd25519();
    std::shared_ptr<std::atomic<long long>> m_clock = std::make_shared<std::atomic<long long>>(kNow);
    std::shared_ptr<std::atomic<long long>> m_monotonic = std::make_shared<std::atomic<long long>>(1000);
    // What the JWKS endpoint does with each request; by default it serves m_jwks.
    std::function<void(const HostilePeer::Exchange &)> m_endpoint;
    json m_jwks;
    QByteArray m_cacheControl;
    std::unique_ptr<HostilePeer> m_peer;
    int m_nonce = 0;
};

void tst_RequestSigningKeys::init()
{
    m_clock->store(kNow);
    m_monotonic->store(1000);
    m_jwks = jwksOf({{&m_a, "k-a"}});
    m_cacheControl.clear();
    m_endpoint = [this](const HostilePeer::Exchange &e) {
        QList<QPair<QByteArray, QByteArray>> extra;
        if (!m_cacheControl.isEmpty())
            extra.append({"Cache-Control", m_cacheControl});
        e.respond(200, "application/jwk-set+json", QByteArray::fromStdString(m_jwks.dump()), extra);
    };
    m_peer = std::make_unique<HostilePeer>([this](const HostilePeer::Exchange &e) { m_endpoint(e); });
    QVERIFY(m_peer->start());
}

json tst_RequestSigningKeys::jwksOf(
    std::initializer_list<std::pair<const httpsig::SigningKey *, std::string>> keys) const
{
    json members = json::array();
    for (const auto &[key, kid] : keys)
        members.push_back(key->publicJwk(kid));
    return {{"keys", members}};
}

RequestSigningConfig tst_RequestSigningKeys::urlConfig() const
{
    RequestSigningConfig config;
    config.contentDigest = DigestPolicy::Either; // signedrequests.h signs without content-digest
    config.mode = SigningMode::Required;
    config.requiredFor = {"create_media_buy"};
    config.supportedFor = {"create_media_buy", "get_products"};
    config.jwksUrls = {{m_peer->url(QStringLiteral("/.well-known/jwks.json")).toString().toStdString(),
                        Principal{"signer", true}}};
    return config;
}

std::unique_ptr<KeysSeller> tst_RequestSigningKeys::startSeller(RequestSigningConfig config,
                                                                const QString &replayFile, int fetchTimeoutMs,
                                                                quint16 port)
{
    auto seller = std::make_unique<KeysSeller>();
    if (!seller->dir.isValid())
        return nullptr;
    config.now = [clock = m_clock] { return clock->load(); };
    seller->verifier = std::make_shared<RequestVerifier>(std::move(config));
    QString error;
    if (!replayFile.isEmpty() && !seller->verifier->persistReplayTo(replayFile, &error)) {
        qWarning() << error;
        return nullptr;
    }
    if (!seller->verifier->config().jwksUrls.empty()) {
        JwksFetcherOptions options;
        options.scheduled = false; // the test decides when a refresh happens
        options.timeoutMs = fetchTimeoutMs;
        options.clock = [clock = m_monotonic] { return clock->load(); };
        seller->fetcher = std::make_unique<JwksFetcher>(seller->verifier, options);
    }
    SellerOptions options;
    options.databasePath = seller->dir.filePath(QStringLiteral("seller.sqlite"));
    auto context = SellerContext::open(options, &error);
    if (!context)
        return nullptr;
    seller->dispatcher = std::make_shared<Dispatcher>(context);
    SellerServerOptions serverOptions;
    serverOptions.requestVerifier = seller->verifier;
    seller->server = std::make_unique<SellerHttpServer>(seller->dispatcher, BearerAuth(), serverOptions);
    seller->port = seller->server->listen(QHostAddress::LocalHost, port);
    return seller->port ? std::move(seller) : nullptr;
}

bool tst_RequestSigningKeys::refresh(KeysSeller &seller)
{
    QSignalSpy done(seller.fetcher.get(), &JwksFetcher::refreshed);
    seller.fetcher->refresh(0);
    if (!done.wait(30000))
        return false;
    return done.front().at(1).toBool();
}

Answer tst_RequestSigningKeys::post(const KeysSeller &seller, const signedrequests::Headers &headers)
{
    QNetworkRequest request(
        QUrl(QStringLiteral("http://127.0.0.1:%1").arg(seller.port) + QString::fromLatin1(kPath)));
    request.setRawHeader("Content-Type", "application/json");
    for (const auto &[k, v] : headers)
        request.setRawHeader(k, v);
    QNetworkReply *reply = m_network.sendCustomRequest(request, "POST", kBody);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    Answer a;
    if (!reply->isFinished() && !finished.wait(30000))
        return a;
    a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    a.body = reply->readAll();
    a.challenge = reply->rawHeader("WWW-Authenticate");
    reply->deleteLater();
    return a;
}

Answer tst_RequestSigningKeys::postSigned(const KeysSeller &seller, const httpsig::SigningKey &key,
                                          const std::string &keyId, const std::string &nonce)
{
    const std::string n =
        nonce.empty() ? std::string("keys-nonce-").append(std::to_string(++m_nonce)) : nonce;
    return post(seller, signedrequests::sign(key, keyId, seller.host(), kPath, m_clock->load(), n));
}

// A key published only at the signer's JWKS URL authenticates its requests once fetched; before the first
// fetch it is unknown.
void tst_RequestSigningKeys::keyKnownOnlyFromTheUrl()
{
    auto seller = startSeller(urlConfig());
    QVERIFY(seller);
    QSignalSpy done(seller->fetcher.get(), &JwksFetcher::refreshed);
    QCOMPARE(postSigned(*seller, m_a, "k-a").signatureError(), QByteArray("request_signature_key_unknown"));
    // That unknown keyid asked for the first fetch; it is the only one.
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), qsizetype(1), 30000);
    QVERIFY(done.front().at(1).toBool());
    QCOMPARE(seller->fetcher->fetchesStarted(0), 1);
    QCOMPARE(m_peer->seen.size(), qsizetype(1));
    QCOMPARE(m_peer->seen.front().method, QByteArray("GET"));
    QCOMPARE(m_peer->seen.front().path, QByteArray("/.well-known/jwks.json"));
    const Answer a = postSigned(*seller, m_a, "k-a");
    QCOMPARE(a.status, 200);
    QVERIFY2(a.body.contains("products"), a.body.constData());
}

// A key gone from the served JWKS is refused as revoked after the next refresh, and stays so when it comes
// back; a key revoked by configuration stays revoked whatever the JWKS says.
void tst_RequestSigningKeys::removedKeyIsRevokedAfterRefresh()
{
    auto config = urlConfig();
    config.revokedKeyIds = {"k-c"};
    m_jwks = jwksOf({{&m_a, "k-a"}, {&m_b, "k-b"}, {&m_c, "k-c"}});
    auto seller = startSeller(std::move(config));
    QVERIFY(seller);
    QVERIFY(refresh(*seller));
    QCOMPARE(postSigned(*seller, m_a, "k-a").status, 200);
    QCOMPARE(postSigned(*seller, m_b, "k-b").status, 200);
    QCOMPARE(postSigned(*seller, m_c, "k-c").signatureError(), QByteArray("request_signature_key_revoked"));

    m_jwks = jwksOf({{&m_a, "k-a"}, {&m_c, "k-c"}});
    QVERIFY(refresh(*seller));
    const Answer withdrawn = postSigned(*seller, m_b, "k-b");
    QCOMPARE(withdrawn.status, 401);
    QCOMPARE(withdrawn.signatureError(), QByteArray("request_signature_key_revoked"));
    QVERIFY2(withdrawn.body.contains("withdrawn"), withdrawn.body.constData());
    QCOMPARE(postSigned(*seller, m_a, "k-a").status, 200);

    m_jwks = jwksOf({{&m_a, "k-a"}, {&m_b, "k-b"}, {&m_c, "k-c"}});
    QVERIFY(refresh(*seller));
    QCOMPARE(postSigned(*seller, m_b, "k-b").signatureError(), QByteArray("request_signature_key_revoked"));
    QCOMPARE(postSigned(*seller, m_c, "k-c").signatureError(), QByteArray("request_signature_key_revoked"));
    QCOMPARE(postSigned(*seller, m_a, "k-a").status, 200);
}

// A keyid the seller does not know triggers one early refresh; more unknown keyids within the cooldown do
// not, the next one after it does.
void tst_RequestSigningKeys::unknownKeyRefreshesOnce()
{
    auto seller = startSeller(urlConfig());
    QVERIFY(seller);
    QVERIFY(refresh(*seller));
    QCOMPARE(seller->fetcher->fetchesStarted(0), 1);

    // The signer rotates in a new key; 31 s after the last fetch a request names it.
    m_jwks = jwksOf({{&m_a, "k-a"}, {&m_b, "k-new"}});
    m_monotonic->fetch_add(31);
    QSignalSpy done(seller->fetcher.get(), &JwksFetcher::refreshed);
    QCOMPARE(postSigned(*seller, m_b, "k-new").signatureError(), QByteArray("request_signature_key_unknown"));
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), qsizetype(1), 30000);
    QCOMPARE(seller->fetcher->fetchesStarted(0), 2);
    QCOMPARE(postSigned(*seller, m_b, "k-new").status, 200);

    // Within the 30 s cooldown, unknown keyids are refused without a fetch.
    for (int i = 0; i < 3; ++i) {
        m_monotonic->fetch_add(9);
        QCOMPARE(postSigned(*seller, m_c, "k-nobody").signatureError(),
                 QByteArray("request_signature_key_unknown"));
        QCoreApplication::sendPostedEvents(); // the wake-up the verifier queued, if any, runs now
        QCOMPARE(seller->fetcher->fetchesStarted(0), 2);
    }
    m_monotonic->fetch_add(3); // 30 s since the last fetch
    QCOMPARE(postSigned(*seller, m_c, "k-nobody").signatureError(),
             QByteArray("request_signature_key_unknown"));
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), qsizetype(2), 30000);
    QCOMPARE(seller->fetcher->fetchesStarted(0), 3);
    QCOMPARE(m_peer->seen.size(), qsizetype(3));
}

void tst_RequestSigningKeys::hostileEndpointKeepsTheKeys_data()
{
    QTest::addColumn<QByteArray>("behaviour");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("not JSON") << QByteArray("not-json") << QByteArray("not a JWKS");
    QTest::newRow("JSON without keys") << QByteArray("no-keys") << QByteArray("not a JWKS");
    QTest::newRow("a key without kid") << QByteArray("no-kid") << QByteArray("kid");
    QTest::newRow("HTTP 500") << QByteArray("500") << QByteArray("HTTP 500");
    QTest::newRow("redirect") << QByteArray("redirect") << QByteArray("redirects are not followed");
    QTest::newRow("announced huge") << QByteArray("announced-huge") << QByteArray("larger than");
    QTest::newRow("endless body") << QByteArray("endless") << QByteArray("larger than");
    QTest::newRow("slow drip") << QByteArray("slow") << QByteArray("no complete answer");
}

// Whatever the endpoint answers, the keys of the last good document stay and the fetcher keeps working.
void tst_RequestSigningKeys::hostileEndpointKeepsTheKeys()
{
    QFETCH(QByteArray, behaviour);
    QFETCH(QByteArray, message);
    auto seller = startSeller(urlConfig(), {}, behaviour == "slow" ? 500 : 10000);
    QVERIFY(seller);
    QVERIFY(refresh(*seller));
    QCOMPARE(postSigned(*seller, m_a, "k-a").status, 200);

    const auto good = m_endpoint;
    m_endpoint = [&behaviour, this](const HostilePeer::Exchange &e) {
        if (behaviour == ("not-json"))
            e.respond(200, "application/json", "<html>keys</html>");
        else if (behaviour == ("no-keys"))
            e.respond(200, "application/json", R"({"kid":"k-b","kty":"OKP"})");
        else if (behaviour == ("no-kid"))
            e.respond(200, "application/json", R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"AAAA"}]})");
        else if (behaviour == ("500"))
            e.respond(500, "text/plain", "down");
        else if (behaviour == ("redirect"))
            e.respond(302, "text/plain", "",
                      {{"Location", m_peer->url(QStringLiteral("/other.json")).toEncoded()}});
        else if (behaviour == ("announced-huge"))
            e.respond(200, "application/json", "{\"keys\":[" + QByteArray(70 * 1024, ' ') + "]}");
        else if (behaviour == ("endless")) {
            e.startStream("application/json");
            m_peer->streamForever(e.socket, "{\"keys\":[" + QByteArray(4096, ' '), 1024 * 1024);
        } else if (behaviour == ("slow")) {
            e.startStream("application/json");
            e.write("{\"keys\":[");
        }
    };
    QSignalSpy done(seller->fetcher.get(), &JwksFetcher::refreshed);
    seller->fetcher->refresh(0);
    QVERIFY(done.wait(30000));
    QCOMPARE(done.front().at(1).toBool(), false);
    QVERIFY2(done.front().at(2).toString().contains(QString::fromLatin1(message)),
             qPrintable(done.front().at(2).toString()));
    QCOMPARE(seller->fetcher->nextRefreshSeconds(0), 60); // a failed fetch is retried sooner
    if (behaviour == ("redirect"))
        QCOMPARE(m_peer->seen.size(), qsizetype(2)); // /other.json was never asked for
    QCOMPARE(postSigned(*seller, m_a, "k-a").status, 200);

    m_endpoint = good;
    m_jwks = jwksOf({{&m_a, "k-a"}, {&m_b, "k-b"}});
    QVERIFY(refresh(*seller));
    QCOMPARE(postSigned(*seller, m_b, "k-b").status, 200);
}

void tst_RequestSigningKeys::cacheControlShortensTheRefresh_data()
{
    QTest::addColumn<QByteArray>("cacheControl");
    QTest::addColumn<int>("next");
    QTest::newRow("none") << QByteArray() << 300;
    QTest::newRow("shorter max-age") << QByteArray("public, max-age=120") << 120;
    QTest::newRow("max-age below the floor") << QByteArray("max-age=5") << 60;
    QTest::newRow("no-store") << QByteArray("no-store") << 60;
    QTest::newRow("longer max-age") << QByteArray("max-age=86400") << 300;
    QTest::newRow("garbage") << QByteArray("max-age=soon") << 300;
}

void tst_RequestSigningKeys::cacheControlShortensTheRefresh()
{
    QFETCH(QByteArray, cacheControl);
    QFETCH(int, next);
    m_cacheControl = cacheControl;
    auto seller = startSeller(urlConfig());
    QVERIFY(seller);
    QVERIFY(refresh(*seller));
    QCOMPARE(seller->fetcher->nextRefreshSeconds(0), next);
}

void tst_RequestSigningKeys::urlRules_data()
{
    QTest::addColumn<QByteArray>("url");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("https") << QByteArray("https://buyer.example/.well-known/jwks.json") << true;
    QTest::newRow("http loopback v4") << QByteArray("http://127.0.0.1:8080/jwks.json") << true;
    QTest::newRow("http localhost") << QByteArray("http://localhost/jwks.json") << true;
    QTest::newRow("http loopback v6") << QByteArray("http://[::1]/jwks.json") << true;
    QTest::newRow("http elsewhere") << QByteArray("http://buyer.example/jwks.json") << false;
    QTest::newRow("http private address") << QByteArray("http://10.0.0.1/jwks.json") << false;
    QTest::newRow("user info") << QByteArray("https://user:pw@buyer.example/jwks.json") << false;
    QTest::newRow("other scheme") << QByteArray("ftp://buyer.example/jwks.json") << false;
    QTest::newRow("relative") << QByteArray("/jwks.json") << false;
}

void tst_RequestSigningKeys::urlRules()
{
    QFETCH(QByteArray, url);
    QFETCH(bool, allowed);
    QString why;
    QCOMPARE(JwksFetcher::urlAllowed(QUrl(QString::fromLatin1(url), QUrl::StrictMode), &why), allowed);
    QCOMPARE(why.isEmpty(), allowed);
}

// Verifications running on other threads while the URL's key set is replaced again and again: the key that
// every document lists always verifies, nothing tears.
void tst_RequestSigningKeys::keySwapWhileVerifying()
{
    RequestSigningConfig config = urlConfig();
    config.now = [clock = m_clock] { return clock->load(); };
    RequestVerifier verifier(std::move(config));
    std::vector<json> stable = {m_a.publicJwk("k-a")};
    verifier.updateJwksUrlKeys(0, stable);
    std::atomic_int failures{0};
    std::atomic_bool stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 300 && !stop; ++i) {
                const auto check = verifier.verify(keysRequest(signedrequests::sign(
                    m_a, "k-a", "seller.example", kPath, kNow,
                    std::string("swap-").append(std::to_string(t)).append("-").append(std::to_string(i)))));
                if (check.kind != SignatureCheck::Kind::Verified)
                    ++failures;
            }
        });
    }
    for (int i = 0; i < 300; ++i) {
        std::vector<json> members = stable;
        members.push_back(m_b.publicJwk(std::string("k-rotating-").append(std::to_string(i))));
        const auto update = verifier.updateJwksUrlKeys(0, members);
        if (update.keys != 2 || update.withdrawn != (i ? 1u : 0u))
            ++failures;
    }
    stop = true;
    for (auto &thread : threads)
        thread.join();
    QCOMPARE(failures.load(), 0);
    const auto old = verifier.verify(
        keysRequest(signedrequests::sign(m_b, "k-rotating-3", "seller.example", kPath, kNow, "n")));
    QCOMPARE(QByteArray::fromStdString(old.code), QByteArray("request_signature_key_revoked"));
}

// A request accepted before a restart of the seller is refused as a replay after it (the file kept its
// nonce); past their expiry a restart drops the entries and compacts the file.
void tst_RequestSigningKeys::replayRefusedAfterRestart()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("seller.sqlite.replay"));
    RequestSigningConfig config;
    config.contentDigest = DigestPolicy::Either; // signedrequests.h signs without content-digest
    config.mode = SigningMode::Optional;
    config.keys = {{m_a.publicJwk("k-a"), Principal{"signer", true}}};
    signedrequests::Headers headers;
    quint16 port = 0;
    {
        auto seller = startSeller(config, file);
        QVERIFY(seller);
        port = seller->port;
        headers = signedrequests::sign(m_a, "k-a", seller->host(), kPath, kNow, "restart-nonce");
        QCOMPARE(post(*seller, headers).status, 200);
        QCOMPARE(postSigned(*seller, m_a, "k-a").status, 200);
        QCOMPARE(post(*seller, headers).signatureError(), QByteArray("request_signature_replayed"));
    }
    // The same seller again, same port (the signature covers @authority), same replay file.
    {
        auto seller = startSeller(config, file, 10000, port);
        QVERIFY(seller);
        QCOMPARE(seller->verifier->replayEntries(), std::size_t(2));
        const Answer replayed = post(*seller, headers);
        QCOMPARE(replayed.status, 401);
        QCOMPARE(replayed.signatureError(), QByteArray("request_signature_replayed"));
        QCOMPARE(postSigned(*seller, m_a, "k-a").status, 200); // a fresh nonce is fine
    }
    // Past every expiry (expires + 60 s), a restart drops the entries and rewrites the file without them.
    m_clock->store(kNow + 300 + 61);
    {
        RequestSigningConfig c = config;
        c.now = [clock = m_clock] { return clock->load(); };
        RequestVerifier restarted(c);
        QString error;
        QVERIFY(restarted.persistReplayTo(file, &error));
        QCOMPARE(restarted.replayEntries(), std::size_t(0));
    }
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.size(), qint64(0));
}

// The per-key cap counts what the file brought back.
void tst_RequestSigningKeys::capHoldsAfterRestart()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("r.replay"));
    RequestSigningConfig config;
    config.contentDigest = DigestPolicy::Either; // signedrequests.h signs without content-digest
    config.mode = SigningMode::Optional;
    config.keys = {{m_a.publicJwk("k-a"), Principal{"signer", true}}};
    config.replayCapPerKey = 2;
    config.now = [clock = m_clock] { return clock->load(); };
    QString error;
    {
        RequestVerifier verifier(config);
        QVERIFY(verifier.persistReplayTo(file, &error));
        for (const char *nonce : {"cap-1", "cap-2"})
            QCOMPARE(int(verifier
                             .verify(keysRequest(
                                 signedrequests::sign(m_a, "k-a", "seller.example", kPath, kNow, nonce)))
                             .kind),
                     int(SignatureCheck::Kind::Verified));
    }
    RequestVerifier restarted(config);
    QVERIFY(restarted.persistReplayTo(file, &error));
    const auto capped = restarted.verify(
        keysRequest(signedrequests::sign(m_a, "k-a", "seller.example", kPath, kNow, "cap-3")));
    QCOMPARE(QByteArray::fromStdString(capped.code), QByteArray("request_signature_rate_abuse"));
}

// Garbage, overlong, binary and truncated lines in the replay file are skipped; the good lines still count.
void tst_RequestSigningKeys::corruptReplayFileIsSurvived()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("r.replay"));
    RequestSigningConfig config;
    config.contentDigest = DigestPolicy::Either; // signedrequests.h signs without content-digest
    config.mode = SigningMode::Optional;
    config.keys = {{m_a.publicJwk("k-a"), Principal{"signer", true}}};
    config.now = [clock = m_clock] { return clock->load(); };
    const HttpRequest request =
        keysRequest(signedrequests::sign(m_a, "k-a", "seller.example", kPath, kNow, "corrupt-nonce"));
    QString error;
    {
        RequestVerifier verifier(config);
        QVERIFY(verifier.persistReplayTo(file, &error));
        QCOMPARE(int(verifier.verify(request).kind), int(SignatureCheck::Kind::Verified));
    }
    QByteArray good;
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        good = f.readAll();
    }
    QCOMPARE(good.count('\n'), qsizetype(1));
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("hello world\n");
        f.write(QByteArray(20000, 'a') + '\n');
        f.write(QByteArray("\0\x01\xff binary\n", 11));
        f.write("99999999999999999999999 00 6b2d61\n");
        f.write("1776521200 zz" + QByteArray(62, '0') + " 6b2d61\n");
        f.write("-5 " + QByteArray(64, '0') + " 6b2d61\n");
        f.write(good);
        f.write("1776521200 " + QByteArray(64, '1')); // cut short by a crash: no newline
    }
    RequestVerifier restarted(config);
    QVERIFY2(restarted.persistReplayTo(file, &error), qPrintable(error));
    QCOMPARE(restarted.replayEntries(), std::size_t(1));
    QCOMPARE(QByteArray::fromStdString(restarted.verify(request).code),
             QByteArray("request_signature_replayed"));
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray compacted = f.readAll();
    QVERIFY(compacted.startsWith(good));

    // A file that cannot be written is refused at start, with the reason.
    RequestVerifier nowhere(config);
    QVERIFY(!nowhere.persistReplayTo(dir.filePath(QStringLiteral("missing-dir/r.replay")), &error));
    QVERIFY(!error.isEmpty());
}

QTEST_GUILESS_MAIN(tst_RequestSigningKeys)
#include "tst_requestsigning_keys.moc"
