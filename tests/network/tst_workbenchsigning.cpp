// The workbench's side of RFC 9421 request signing against the real seller: the built adcp-workbench --serve
// with --request-signing required and the JWKS exported from a workbench-generated key, reached through the
// client the window builds for an agent profile (AgentManager::readCredentials + makeClient, MCP and A2A):
// signed state-changing calls are accepted, a profile without a key is refused before anything is sent, and a
// wrong key gets the seller's request_signature_* error.
#include "agentclient.h"
#include "agentmanager.h"
#include "requestsigner.h"
#include "secretstore.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace adcp;
using namespace adcp::gui;
using nlohmann::json;

namespace {

const QString kBinary = QStringLiteral(ADCP_BINARY_DIR "/app/adcp-workbench");
const QByteArray kToken = "signing-test-token";

ToolOutcome wbsRun(PendingCall *call)
{
    QSignalSpy finished(call, &PendingCall::finished);
    if (!call->isFinished() && !finished.wait(60000))
        return ToolOutcome::failure(AdcpError::make("TEST_TIMEOUT", "no answer"));
    return call->outcome();
}

const char *wbsMessage(const ToolOutcome &outcome)
{
    return outcome.error ? outcome.error->message.c_str() : "";
}

} // namespace

class tst_WorkbenchSigning final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void signedCallsAreAccepted_data();
    void signedCallsAreAccepted();
    void noKeyIsRefusedBeforeSending_data();
    void noKeyIsRefusedBeforeSending();
    void wrongKeyGetsTheSellersError_data();
    void wrongKeyGetsTheSellersError();

private:
    // The client the window builds for a profile of `kind` whose SecretStore holds the token and, when given,
    // `pem` under the key id `keyId`; its exchanges are collected in *log.
    std::unique_ptr<AgentClient> clientFor(const QString &kind, const QByteArray &pem, const QString &keyId,
                                           QList<Exchange> *log);
    QTemporaryDir m_dir;
    QProcess m_seller;
    QUrl m_mcpUrl;
    GeneratedSigningKey m_key; // registered with the seller
};

void tst_WorkbenchSigning::initTestCase()
{
    if (!QFile::exists(kBinary))
        QSKIP("adcp-workbench is not built");
    QVERIFY(m_dir.isValid());
    m_key = generateRequestSigningKey(httpsig::kAlgEd25519);
    const QString jwks = m_dir.filePath(QStringLiteral("workbench-jwks.json"));
    QFile file(jwks);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray::fromStdString(publicJwks(m_key.publicJwk).dump()));
    file.close();
    m_seller.setProcessChannelMode(QProcess::SeparateChannels);
    m_seller.start(
        kBinary, {QStringLiteral("--serve"), QStringLiteral("--port"), QStringLiteral("0"),
                  QStringLiteral("--db"), m_dir.filePath(QStringLiteral("seller.sqlite")),
                  QStringLiteral("--token"), QString::fromLatin1(kToken) + QStringLiteral("=buyer-1:sandbox"),
                  QStringLiteral("--request-signing"), QStringLiteral("required"),
                  QStringLiteral("--request-signing-jwks"), jwks + QStringLiteral("=buyer-1:sandbox")});
    QVERIFY(m_seller.waitForStarted(10000));
    static const QRegularExpression served(QStringLiteral("serving (http://[0-9.]+:[0-9]+/mcp)"));
    QByteArray out;
    while (!m_mcpUrl.isValid() && m_seller.waitForReadyRead(20000)) {
        out += m_seller.readAllStandardOutput();
        const auto match = served.match(QString::fromUtf8(out));
        if (match.hasMatch())
            m_mcpUrl = QUrl(match.captured(1));
    }
    QVERIFY2(m_mcpUrl.isValid(), m_seller.readAllStandardError().constData());
}

void tst_WorkbenchSigning::cleanupTestCase()
{
    if (m_seller.state() == QProcess::NotRunning)
        return;
    ::kill(pid_t(m_seller.processId()), SIGTERM);
    QVERIFY(m_seller.waitForFinished(20000));
    QCOMPARE(m_seller.exitCode(), 0);
}

std::unique_ptr<AgentClient> tst_WorkbenchSigning::clientFor(const QString &kind, const QByteArray &pem,
                                                             const QString &keyId, QList<Exchange> *log)
{
    AgentProfile profile;
    profile.id = QStringLiteral("signing-") + kind;
    profile.name = QStringLiteral("Signing seller");
    profile.kind = AgentProfile::kindFromName(kind);
    profile.url = kind == QLatin1String("a2a") ? m_mcpUrl.resolved(QUrl(QStringLiteral("/"))) : m_mcpUrl;
    profile.signingKeyId = keyId;
    MemorySecretStore store;
    store.write(profile.secretKey(), kToken, [](bool, const QString &) {});
    if (!pem.isEmpty())
        store.write(profile.signingSecretKey(), pem, [](bool, const QString &) {});
    std::optional<AgentCredentials> read;
    AgentManager::readCredentials(&store, profile, this,
                                  [&read](const AgentCredentials &credentials, const QString &error) {
                                      if (error.isEmpty())
                                          read = credentials;
                                  });
    if (!QTest::qWaitFor([&read] { return read.has_value(); }, 10000))
        return nullptr;
    auto client = AgentManager::makeClient(profile, *read, SchemaRegistry::bundled());
    connect(client.get(), &AgentClient::exchangeFinished, this,
            [log](const Exchange &exchange) { log->append(exchange); });
    return client;
}

namespace {

QByteArray wbsHeader(const Exchange &exchange, const QByteArray &name)
{
    for (const auto &[key, value] : exchange.meta.requestHeaders) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

const json kAccountEntry = {{"brand", {{"domain", "signed-buyer.example"}}},
                            {"operator", "signed-buyer.example"},
                            {"billing", "operator"}};

} // namespace

void tst_WorkbenchSigning::signedCallsAreAccepted_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("MCP") << QStringLiteral("mcp");
    QTest::newRow("A2A") << QStringLiteral("a2a");
}

// A profile with the registered key: capabilities say signing is required for sync_accounts; the call is
// signed (the exchange log shows Signature-Input with the key id, the token still masked) and accepted.
void tst_WorkbenchSigning::signedCallsAreAccepted()
{
    QFETCH(QString, kind);
    QList<Exchange> log;
    auto client = clientFor(kind, m_key.privatePem, QString::fromStdString(m_key.keyId), &log);
    QVERIFY(client);
    const auto capabilities = wbsRun(client->getAdcpCapabilities());
    QVERIFY2(capabilities.ok(), wbsMessage(capabilities));
    const json requiredFor =
        capabilities.result.value("request_signing", json()).value("required_for", json());
    QVERIFY(std::find(requiredFor.begin(), requiredFor.end(), json("sync_accounts")) != requiredFor.end());
    const RequestSigningPolicy &policy = client->transport()->requestSigning()->policy();
    QVERIFY(policy.known && policy.supported && policy.requiresSignature("sync_accounts"));

    const auto synced =
        wbsRun(client->call(QStringLiteral("sync_accounts"), {{"accounts", json::array({kAccountEntry})}}));
    QVERIFY2(synced.ok(), wbsMessage(synced));
    QVERIFY(!synced.result.value("accounts", json::array()).empty());
    const Exchange &exchange = log.last();
    QCOMPARE(exchange.tool, QStringLiteral("sync_accounts"));
    QCOMPARE(exchange.meta.httpStatus, 200);
    const QByteArray input = wbsHeader(exchange, "Signature-Input");
    const QByteArray keyId = "keyid=\"" + QByteArray::fromStdString(m_key.keyId) + '"';
    QVERIFY2(input.contains(keyId), input.constData());
    QVERIFY(input.contains("tag=\"adcp/request-signing/v1\""));
    QVERIFY(input.contains("\"content-digest\""));
    QVERIFY(wbsHeader(exchange, "Signature").startsWith("sig1=:"));
    QVERIFY(wbsHeader(exchange, "Content-Digest").startsWith("sha-256=:"));
    const QByteArray authorization = wbsHeader(exchange, "Authorization");
    QVERIFY(!authorization.isEmpty());
    QVERIFY2(!authorization.contains(kToken), authorization.constData());
}

void tst_WorkbenchSigning::noKeyIsRefusedBeforeSending_data()
{
    signedCallsAreAccepted_data();
}

// No key: reads still go (bearer only), but sync_accounts, which the agent requires signed, fails before it
// is sent, with an error that says how to fix it.
void tst_WorkbenchSigning::noKeyIsRefusedBeforeSending()
{
    QFETCH(QString, kind);
    QList<Exchange> log;
    auto client = clientFor(kind, {}, {}, &log);
    QVERIFY(client);
    const auto capabilities = wbsRun(client->getAdcpCapabilities());
    QVERIFY2(capabilities.ok(), wbsMessage(capabilities));
    QVERIFY(wbsHeader(log.last(), "Signature-Input").isEmpty());
    const auto products = wbsRun(client->getProducts({{"buying_mode", "wholesale"}}));
    QVERIFY2(products.ok(), wbsMessage(products));

    const auto refused =
        wbsRun(client->call(QStringLiteral("sync_accounts"), {{"accounts", json::array({kAccountEntry})}}));
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error->code, std::string("AUTH_REQUIRED"));
    QVERIFY2(refused.error->message.starts_with("request_signature_required"), wbsMessage(refused));
    QVERIFY(refused.error->message.find("not sent") != std::string::npos);
    QVERIFY(refused.error->suggestion &&
            refused.error->suggestion->find("Generate signing key") != std::string::npos);
    QVERIFY(refused.error->suggestion->find("JWKS") != std::string::npos);
    QCOMPARE(log.last().tool, QStringLiteral("sync_accounts"));
    QCOMPARE(log.last().meta.httpStatus, 0); // nothing went on the wire
    QVERIFY(log.last().meta.requestHeaders.isEmpty());
}

void tst_WorkbenchSigning::wrongKeyGetsTheSellersError_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<bool>("sameKeyId");
    QTest::addColumn<QString>("code");
    for (const char *kind : {"mcp", "a2a"}) {
        QTest::addRow("%s, unregistered key", kind)
            << QString::fromLatin1(kind) << false << QStringLiteral("request_signature_key_unknown");
        QTest::addRow("%s, registered key id, other key", kind)
            << QString::fromLatin1(kind) << true << QStringLiteral("request_signature_invalid");
    }
}

// A key the seller does not know (or another key under the registered id): the seller refuses the signed
// request with 401 and its request_signature_* code, which the call's error carries.
void tst_WorkbenchSigning::wrongKeyGetsTheSellersError()
{
    QFETCH(QString, kind);
    QFETCH(bool, sameKeyId);
    QFETCH(QString, code);
    const GeneratedSigningKey other =
        generateRequestSigningKey(sameKeyId ? httpsig::kAlgEd25519 : httpsig::kAlgEs256);
    QList<Exchange> log;
    auto client = clientFor(kind, other.privatePem,
                            QString::fromStdString(sameKeyId ? m_key.keyId : other.keyId), &log);
    QVERIFY(client);
    const auto refused =
        wbsRun(client->call(QStringLiteral("sync_accounts"), {{"accounts", json::array({kAccountEntry})}}));
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error->code, std::string("AUTH_INVALID"));
    QVERIFY2(refused.error->message.starts_with(code.toStdString()), wbsMessage(refused));
    QCOMPARE(log.last().meta.httpStatus, 401);
    QVERIFY(!wbsHeader(log.last(), "Signature-Input").isEmpty());
}

QTEST_MAIN(tst_WorkbenchSigning)
#include "tst_workbenchsigning.moc"
