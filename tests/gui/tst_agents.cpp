#include "agentmanager.h"
#include "agentprofiles.h"
#include "agentprofilesdialog.h"
#include "agentsecurity.h"
#include "guidriver.h"
#include "httpsignature.h"
#include "requestsigner.h"
#include "schemaregistry.h"
#include "secretstore.h"
#include "workbench.h"

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace adcp::gui;

namespace {

// Runs an asynchronous store call to completion.
bool writeSecret(SecretStore &store, const QString &key, const QByteArray &value, QString *error = nullptr)
{
    bool done = false;
    bool ok = false;
    store.write(key, value, [&](bool success, const QString &message) {
        done = true;
        ok = success;
        if (error)
            *error = message;
    });
    if (!QTest::qWaitFor([&] { return done; }, 60000))
        return false;
    return ok;
}

std::optional<QByteArray> readSecret(SecretStore &store, const QString &key, QString *error = nullptr)
{
    bool done = false;
    std::optional<QByteArray> value;
    store.read(key, [&](std::optional<QByteArray> secret, const QString &message) {
        done = true;
        value = secret;
        if (error)
            *error = message;
    });
    if (!QTest::qWaitFor([&] { return done; }, 60000))
        return std::nullopt;
    return value;
}

} // namespace

class TestAgents final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void memoryStoreRoundTrip();
    void fileStoreIsOwnerOnlyAndSurvivesRestart();
    void fileStoreReportsDamage();
    void keychainWhenAvailable();
    void profileProblems_data();
    void profileProblems();
    void profilesPersistWithoutTokens();
    void dialogMarksThePlainFileFallback();
    void dialogSavesTokenInStoreNotSettings();
    void testConnectionReportsFailure();
    void signingKeyGenerateExportRemove();
    void signingSummaryOfCapabilities_data();
    void signingSummaryOfCapabilities();
};

void TestAgents::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("adcp-workbench-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_agents"));
    QSettings().clear();
}

void TestAgents::memoryStoreRoundTrip()
{
    MemorySecretStore store;
    QVERIFY(!readSecret(store, QStringLiteral("a")).has_value());
    QVERIFY(writeSecret(store, QStringLiteral("a"), "secret-1"));
    QCOMPARE(readSecret(store, QStringLiteral("a")).value_or(""), QByteArray("secret-1"));
    bool removed = false;
    store.remove(QStringLiteral("a"), [&](bool ok, const QString &) { removed = ok; });
    QTRY_VERIFY(removed);
    QVERIFY(!readSecret(store, QStringLiteral("a")).has_value());
}

void TestAgents::fileStoreIsOwnerOnlyAndSurvivesRestart()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sub/tokens.json"));
    {
        FileSecretStore store(path);
        QVERIFY(!store.isEncrypted());
        QVERIFY(store.description().contains(QStringLiteral("not encrypted")));
        QString error;
        QVERIFY2(writeSecret(store, QStringLiteral("agent-token/x"), "tok-\x01\xff", &error),
                 qPrintable(error));
        QVERIFY(writeSecret(store, QStringLiteral("agent-token/y"), "other"));
    }
    QCOMPARE(QFile::permissions(path) & (QFileDevice::ReadGroup | QFileDevice::ReadOther |
                                         QFileDevice::WriteGroup | QFileDevice::WriteOther),
             QFileDevice::Permissions());
    QVERIFY(QFile::permissions(path) & QFileDevice::ReadOwner);
    FileSecretStore reopened(path);
    QCOMPARE(readSecret(reopened, QStringLiteral("agent-token/x")).value_or(""), QByteArray("tok-\x01\xff"));
    QCOMPARE(readSecret(reopened, QStringLiteral("agent-token/y")).value_or(""), QByteArray("other"));
}

void TestAgents::fileStoreReportsDamage()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("tokens.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{ not json");
    file.close();
    FileSecretStore store(path);
    QString error;
    QVERIFY(!readSecret(store, QStringLiteral("a"), &error).has_value());
    QVERIFY(error.contains(QStringLiteral("damaged")));
    // A damaged file is not silently replaced: the write fails and the file stays as it was.
    QVERIFY(!writeSecret(store, QStringLiteral("a"), "x", &error));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("{ not json"));
}

void TestAgents::keychainWhenAvailable()
{
    if (!KeychainSecretStore::isCompiledIn())
        QSKIP("built without qtkeychain");
    bool done = false;
    bool available = false;
    QString why;
    KeychainSecretStore::probe(QStringLiteral("adcp-workbench-tests"), [&](bool ok, const QString &error) {
        done = true;
        available = ok;
        why = error;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, 30000);
    if (!available)
        QSKIP(qPrintable(QStringLiteral("no system keychain on this machine: ") + why));
    KeychainSecretStore store(QStringLiteral("adcp-workbench-tests"));
    QVERIFY(writeSecret(store, QStringLiteral("probe-key"), "kc-secret"));
    QCOMPARE(readSecret(store, QStringLiteral("probe-key")).value_or(""), QByteArray("kc-secret"));
    bool removed = false;
    store.remove(QStringLiteral("probe-key"), [&](bool ok, const QString &) { removed = ok; });
    QTRY_VERIFY(removed);
}

void TestAgents::profileProblems_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("problem");
    QTest::newRow("ok") << QStringLiteral("Seller") << QStringLiteral("https://seller.example/mcp")
                        << QString();
    QTest::newRow("loopback http") << QStringLiteral("Local") << QStringLiteral("http://127.0.0.1:3000/mcp")
                                   << QString();
    QTest::newRow("no name") << QStringLiteral(" ") << QStringLiteral("https://seller.example/mcp")
                             << QStringLiteral("Give the agent a name.");
    QTest::newRow("no url") << QStringLiteral("Seller") << QString()
                            << QStringLiteral("Enter the agent's URL");
    QTest::newRow("ftp") << QStringLiteral("Seller") << QStringLiteral("ftp://seller.example/")
                         << QStringLiteral("must start with http");
}

void TestAgents::profileProblems()
{
    QFETCH(QString, name);
    QFETCH(QString, url);
    QFETCH(QString, problem);
    AgentProfile profile;
    profile.name = name;
    profile.url = QUrl(url);
    const QString problems = adcp::gui::profileProblems(profile).join(QLatin1Char(' '));
    if (problem.isEmpty())
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    else
        QVERIFY2(problems.contains(problem), qPrintable(problems));
}

void TestAgents::profilesPersistWithoutTokens()
{
    AgentProfile mcp{QStringLiteral("id-1"), QStringLiteral("Remote MCP"), AgentProfile::Kind::Mcp,
                     QUrl(QStringLiteral("https://seller.example/mcp")), QStringLiteral("agency-7")};
    AgentProfile a2a{QStringLiteral("id-2"), QStringLiteral("Remote A2A"), AgentProfile::Kind::A2a,
                     QUrl(QStringLiteral("https://a2a.example/")), QString()};
    saveAgentProfiles({mcp, a2a});
    const QList<AgentProfile> loaded = loadAgentProfiles();
    QCOMPARE(loaded.size(), 2);
    QVERIFY(loaded.at(0) == mcp);
    QVERIFY(loaded.at(1) == a2a);
    QCOMPARE(mcp.secretKey(), QStringLiteral("agent-token/id-1"));
    saveAgentProfiles({});
}

void TestAgents::dialogMarksThePlainFileFallback()
{
    QTemporaryDir dir;
    Workbench workbench;
    AgentManager manager(&workbench, nullptr, QStringLiteral("buyer-a"), nullptr);
    FileSecretStore file(dir.filePath(QStringLiteral("tokens.json")));
    manager.setSecretStore(&file);
    AgentProfilesDialog dialog(&manager);
    QVERIFY(dialog.storageLabel()->text().startsWith(QStringLiteral("⚠ No system keychain")));
    QVERIFY(dialog.storageLabel()->text().contains(QStringLiteral("not encrypted")));

    MemorySecretStore memory;
    manager.setSecretStore(&memory);
    AgentProfilesDialog secure(&manager);
    QVERIFY(!secure.storageLabel()->text().contains(QStringLiteral("⚠")));
}

void TestAgents::dialogSavesTokenInStoreNotSettings()
{
    Workbench workbench;
    AgentManager manager(&workbench, nullptr, QStringLiteral("buyer-a"), nullptr);
    MemorySecretStore store;
    manager.setSecretStore(&store);
    QSignalSpy changed(&manager, &AgentManager::profilesChanged);
    AgentProfilesDialog dialog(&manager);
    dialog.newProfile();
    dialog.nameEdit()->setText(QStringLiteral("Agency seller"));
    dialog.urlEdit()->setText(QStringLiteral("https://seller.example/mcp"));
    dialog.tokenEdit()->setText(QStringLiteral("super-secret-token"));
    dialog.saveCurrent();
    QCOMPARE(changed.count(), 1);
    QCOMPARE(manager.profiles().size(), 1);
    const AgentProfile saved = manager.profiles().front();
    QTRY_COMPARE(readSecret(store, saved.secretKey()).value_or(""), QByteArray("super-secret-token"));
    QVERIFY(dialog.tokenEdit()->text().isEmpty());
    // The token never reaches QSettings.
    QSettings settings;
    for (const QString &key : settings.allKeys())
        QVERIFY2(!settings.value(key).toString().contains(QStringLiteral("super-secret")), qPrintable(key));
    saveAgentProfiles({});
}

void TestAgents::testConnectionReportsFailure()
{
    // A port that was just free: nothing listens, the connection is refused.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 port = probe.serverPort();
    probe.close();
    Workbench workbench;
    AgentManager manager(&workbench, nullptr, QStringLiteral("buyer-a"), adcp::SchemaRegistry::bundled());
    AgentProfilesDialog dialog(&manager);
    dialog.newProfile();
    dialog.urlEdit()->setText(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port));
    QSignalSpy finished(&dialog, &AgentProfilesDialog::testFinished);
    dialog.testConnection();
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.front().front().toBool(), false);
    QVERIFY(dialog.testResult()->toPlainText().startsWith(QStringLiteral("Failed: ")));
    QVERIFY(dialog.testButton()->isEnabled());
}

// Agents… → a saved profile → Generate signing key (ES256 picked) → Export public JWKS… into a file through
// the file dialog → the file is a JWKS with the public key only, whose kid is the key's thumbprint and whose
// private half is in the SecretStore (never in QSettings) → Remove key… confirmed → gone from both. Mouse and
// key events on the visible dialog. With ADCP_AGENTS_SCREENSHOT set, the dialog with its key is saved there.
void TestAgents::signingKeyGenerateExportRemove()
{
    QTemporaryDir dir;
    Workbench workbench;
    AgentManager manager(&workbench, nullptr, QStringLiteral("buyer-a"), nullptr);
    MemorySecretStore store;
    manager.setSecretStore(&store);
    AgentProfilesDialog dialog(&manager);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(!dialog.generateKeyButton()->isEnabled()); // nothing saved yet
    guidriver::typeInto(dialog.nameEdit(), QStringLiteral("Signing seller"));
    guidriver::typeInto(dialog.urlEdit(), QStringLiteral("https://seller.example/mcp"));
    guidriver::click(dialog.saveButton());
    QCOMPARE(manager.profiles().size(), 1);
    QVERIFY(!dialog.exportJwksButton()->isEnabled());

    QComboBox *algorithm = dialog.signingAlgorithmCombo();
    QCOMPARE(algorithm->currentData().toString(), QStringLiteral("ed25519"));
    QVERIFY(algorithm->isVisible() && algorithm->isEnabled());
    algorithm->setFocus();
    QTest::keyClick(algorithm, Qt::Key_Down); // a closed combo box steps to the next entry
    QTRY_COMPARE(algorithm->currentData().toString(), QStringLiteral("ecdsa-p256-sha256"));
    QSignalSpy keyChanged(&dialog, &AgentProfilesDialog::signingKeyChanged);
    guidriver::click(dialog.generateKeyButton());
    QTRY_COMPARE(keyChanged.count(), 1);
    const AgentProfile withKey = manager.profiles().front();
    QVERIFY(withKey.hasSigningKey());
    QCOMPARE(withKey.signingAlgorithm, QStringLiteral("ecdsa-p256-sha256"));
    QVERIFY(dialog.signingStatus()->text().contains(withKey.signingKeyId));
    QVERIFY(!dialog.generateKeyButton()->isEnabled());
    const QByteArray pem = readSecret(store, withKey.signingSecretKey()).value_or(QByteArray());
    QVERIFY(pem.startsWith("-----BEGIN PRIVATE KEY-----"));
    QVERIFY(loadAgentProfiles().front().signingKeyId == withKey.signingKeyId);
    QSettings settings;
    for (const QString &key : settings.allKeys())
        QVERIFY2(!settings.value(key).toString().contains(QStringLiteral("PRIVATE")), qPrintable(key));
    if (const QByteArray shot = qgetenv("ADCP_AGENTS_SCREENSHOT"); !shot.isEmpty())
        guidriver::savePicture(&dialog, QString::fromLocal8Bit(shot));

    const QString path = dir.filePath(QStringLiteral("exported-jwks.json"));
    QSignalSpy exported(&dialog, &AgentProfilesDialog::jwksExported);
    guidriver::click(dialog.exportJwksButton());
    QFileDialog *picker = nullptr;
    QTRY_VERIFY((picker = dialog.findChild<QFileDialog *>(QStringLiteral("jwksFileDialog"))) &&
                picker->isVisible());
    // Our Export button was clicked with the mouse; the picker is Qt's own dialog, whose Save did not accept
    // a typed path under the offscreen platform here (it stayed open), so the choice is made as its signal.
    Q_EMIT picker->fileSelected(path);
    picker->close();
    QTRY_VERIFY2(exported.count() == 1,
                 qPrintable(dialog.signingStatus()->text() + QLatin1Char(' ') +
                            (dialog.findChild<QFileDialog *>() ? QStringLiteral("picker open")
                                                               : QStringLiteral("picker closed"))));
    QCOMPARE(exported.front().front().toString(), path);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const auto jwks = nlohmann::json::parse(file.readAll().toStdString(), nullptr, false);
    QVERIFY(jwks.is_object() && jwks.contains("keys") && jwks["keys"].is_array());
    QCOMPARE(jwks["keys"].size(), std::size_t(1));
    const nlohmann::json &jwk = jwks["keys"][0];
    QCOMPARE(QString::fromStdString(jwk.value("kid", std::string())), withKey.signingKeyId);
    QCOMPARE(jwk.value("kty", std::string()), std::string("EC"));
    QCOMPARE(jwk.value("alg", std::string()), std::string("ES256"));
    QVERIFY(!jwk.contains("d")); // the public half only
    QCOMPARE(adcp::jwkThumbprint(jwk), withKey.signingKeyId.toStdString());
    const auto verifier = adcp::httpsig::VerificationKey::fromJwk(jwk);
    QVERIFY(verifier);
    const auto signer = adcp::httpsig::SigningKey::fromPkcs8Pem(pem);
    QVERIFY(signer);
    QVERIFY(verifier->verify("message", signer->sign("message")));

    guidriver::click(dialog.removeKeyButton());
    QMessageBox *confirm = nullptr;
    QTRY_VERIFY((confirm = dialog.findChild<QMessageBox *>(QStringLiteral("removeKeyConfirmation"))) &&
                confirm->isVisible());
    guidriver::click(confirm->button(QMessageBox::Yes));
    QTRY_COMPARE(keyChanged.count(), 2);
    QVERIFY(!manager.profiles().front().hasSigningKey());
    QVERIFY(!readSecret(store, withKey.signingSecretKey()).has_value());
    QVERIFY(dialog.generateKeyButton()->isEnabled());
    QVERIFY(!dialog.exportJwksButton()->isEnabled());
    saveAgentProfiles({});
}

// The "Request signing:" line of a connection test, from what the agent declares (a buggy agent's wrong types
// read as not stated) and whether the profile holds a key.
void TestAgents::signingSummaryOfCapabilities_data()
{
    QTest::addColumn<QString>("capabilities");
    QTest::addColumn<QString>("keyId");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no block") << "{}"
                              << ""
                              << "not verified by this agent; calls carry the bearer token only";
    QTest::newRow("not supported, with a key")
        << R"({"request_signing": {"supported": false}})"
        << "kid-1"
        << "not verified by this agent; calls carry the bearer token only (this profile's key is not used)";
    QTest::newRow("required for two, no key")
        << R"({"request_signing": {"supported": true, "covers_content_digest": "required",
              "required_for": ["create_media_buy", "update_media_buy"]}})"
        << ""
        << "verified by this agent (content-digest required); refused unsigned: create_media_buy, "
           "update_media_buy; this profile has no key, so those operations are refused until you generate "
           "one "
           "and the seller registers its JWKS";
    QTest::newRow("optional, with a key")
        << R"({"request_signing": {"supported": true, "covers_content_digest": "either", "required_for": []}})"
        << "kid-2"
        << "verified by this agent (content-digest either); no operation is refused unsigned; this profile "
           "signs every call with key kid-2";
    QTest::newRow("wrong types")
        << R"({"request_signing": {"supported": true, "covers_content_digest": 5, "required_for": "all"}})"
        << ""
        << "verified by this agent (content-digest not stated); no operation is refused unsigned; this "
           "profile "
           "has no key (calls go unsigned)";
    QTest::newRow("supported as text") << R"({"request_signing": {"supported": "yes"}})"
                                       << ""
                                       << "not verified by this agent; calls carry the bearer token only";
    QTest::newRow("not an object") << R"([1, 2])"
                                   << ""
                                   << "not verified by this agent; calls carry the bearer token only";
}

void TestAgents::signingSummaryOfCapabilities()
{
    QFETCH(QString, capabilities);
    QFETCH(QString, keyId);
    QFETCH(QString, expected);
    const auto json = nlohmann::json::parse(capabilities.toStdString());
    QCOMPARE(adcp::gui::requestSigningSummary(json, keyId), expected);
}

QTEST_MAIN(TestAgents)
#include "tst_agents.moc"
