// The headless seller as users run it: the built adcp-workbench --serve, driven over MCP by the AgentClient,
// stopped with SIGTERM, restarted on the same database.
#include "agentclient.h"
#include "httpsignature.h"
#include "transports/mcptransport.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace adcp;
using nlohmann::json;

namespace {

const QString kBinary = QStringLiteral(ADCP_BINARY_DIR "/app/adcp-workbench");

ToolOutcome run(PendingCall *call)
{
    QSignalSpy finished(call, &PendingCall::finished);
    if (!finished.wait(60000))
        return ToolOutcome::failure(AdcpError::make("TEST_TIMEOUT", "no answer"));
    return call->outcome();
}

// The first schema issue found in our own requests (empty when none).
QString firstRequestIssue(const AgentClient &client)
{
    for (const auto &exchange : client.exchangeLog()) {
        if (!exchange.requestIssues.empty())
            return exchange.tool + QStringLiteral(" request ") +
                   QString::fromStdString(exchange.requestIssues.front().pointer + " " +
                                          exchange.requestIssues.front().message);
    }
    return {};
}

// brief → finalize → create_media_buy for the account of `domain` (brand and operator); the create's outcome.
ToolOutcome buyFromBrief(AgentClient &client, const std::string &domain)
{
    const json brand = {{"domain", domain}};
    const auto brief = run(client.getProducts(
        {{"buying_mode", "brief"}, {"brief", "Video for outdoor gear in the US"}, {"brand", brand}}));
    if (!brief.ok())
        return brief;
    if (!brief.result.contains("proposals") || brief.result["proposals"].empty())
        return ToolOutcome::failure(AdcpError::make("TEST_NO_PROPOSAL", "the seller returned no proposal"));
    const json &proposal = brief.result["proposals"][0];
    json refine = {{"scope", "proposal"}, {"proposal_id", proposal["proposal_id"]}, {"action", "finalize"}};
    if (proposal.contains("proposal_version"))
        refine["proposal_version"] = proposal["proposal_version"];
    const auto finalized = run(
        client.getProducts({{"buying_mode", "refine"}, {"brand", brand}, {"refine", json::array({refine})}}));
    if (!finalized.ok())
        return finalized;
    const QDateTime startTime = QDateTime::currentDateTimeUtc().addDays(2);
    json create = {{"proposal_id", proposal["proposal_id"]},
                   {"total_budget", {{"amount", 50000}, {"currency", "USD"}}},
                   {"brand", brand},
                   {"account", {{"brand", brand}, {"operator", domain}}},
                   {"start_time", startTime.toString(Qt::ISODate).toStdString()},
                   {"end_time", startTime.addDays(30).toString(Qt::ISODate).toStdString()}};
    if (finalized.result.contains("proposals") && !finalized.result["proposals"].empty() &&
        finalized.result["proposals"][0].contains("proposal_version"))
        create["proposal_version"] = finalized.result["proposals"][0]["proposal_version"];
    return run(client.createMediaBuy(create));
}

} // namespace

class tst_ServeMode final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void badOptions_data();
    void badOptions();
    void helpNamesTheModes();
    void flowSurvivesRestart();
    void manualApprovalPerAccount();
    void requestSigningOptions();
    void privateWebhooksNeedTheFlag_data();
    void privateWebhooksNeedTheFlag();

private:
    // Starts --serve on a free port; returns the MCP URL (empty on failure).
    QUrl start(QProcess &process, const QString &db, const QStringList &extra = {});
    QTemporaryDir m_dir;
};

void tst_ServeMode::initTestCase()
{
    if (!QFile::exists(kBinary))
        QSKIP("adcp-workbench is not built");
    QVERIFY(m_dir.isValid());
}

QUrl tst_ServeMode::start(QProcess &process, const QString &db, const QStringList &extra)
{
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start(kBinary,
                  QStringList{QStringLiteral("--serve"), QStringLiteral("--port"), QStringLiteral("0"),
                              QStringLiteral("--db"), db, QStringLiteral("--token"),
                              QStringLiteral("serve-test-token=buyer-1:sandbox")} +
                      extra);
    if (!process.waitForStarted(10000))
        return {};
    static const QRegularExpression served(QStringLiteral("serving (http://[0-9.]+:[0-9]+/mcp)"));
    QByteArray out;
    while (process.waitForReadyRead(20000)) {
        out += process.readAllStandardOutput();
        const auto match = served.match(QString::fromUtf8(out));
        if (match.hasMatch())
            return QUrl(match.captured(1));
    }
    return {};
}

void tst_ServeMode::badOptions_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("no token") << QStringList{QStringLiteral("--serve"), QStringLiteral("--port"),
                                             QStringLiteral("0")}
                              << "--token";
    QTest::newRow("token without principal")
        << QStringList{QStringLiteral("--serve"), QStringLiteral("--token"), QStringLiteral("abc=")}
        << "TOKEN=PRINCIPAL";
    const QStringList served = {QStringLiteral("--serve"), QStringLiteral("--token"), QStringLiteral("abc=buyer")};
    QTest::newRow("no connections allowed")
        << served + QStringList{QStringLiteral("--max-connections"), QStringLiteral("0")} << "--max-connections";
    QTest::newRow("header timeout not a number")
        << served + QStringList{QStringLiteral("--header-timeout-ms"), QStringLiteral("soon")} << "--header-timeout-ms";
    QTest::newRow("body limit too small")
        << served + QStringList{QStringLiteral("--max-body"), QStringLiteral("10")} << "--max-body";
    QTest::newRow("port out of range") << served + QStringList{QStringLiteral("--port"), QStringLiteral("70000")}
                                       << "--port";
    QTest::newRow("unknown request-signing mode")
        << served + QStringList{QStringLiteral("--request-signing"), QStringLiteral("maybe")}
        << "--request-signing takes";
    QTest::newRow("signer keys while signing is off")
        << served + QStringList{QStringLiteral("--request-signing-jwks"), QStringLiteral("keys.json=buyer")}
        << "need --request-signing";
    QTest::newRow("signer keys file missing")
        << served + QStringList{QStringLiteral("--request-signing"), QStringLiteral("optional"),
                                QStringLiteral("--request-signing-jwks"),
                                QStringLiteral("/nonexistent/k.json=buyer")}
        << "cannot read";
    const QStringList signing =
        served + QStringList{QStringLiteral("--request-signing"), QStringLiteral("optional")};
    QTest::newRow("signer URL while signing is off")
        << served + QStringList{QStringLiteral("--request-signing-jwks-url"),
                                QStringLiteral("https://buyer.example/jwks.json=buyer")}
        << "need --request-signing";
    QTest::newRow("signer URL over plain http elsewhere")
        << signing + QStringList{QStringLiteral("--request-signing-jwks-url"),
                                 QStringLiteral("http://buyer.example/jwks.json=buyer")}
        << "over https";
    QTest::newRow("signer URL without principal")
        << signing + QStringList{QStringLiteral("--request-signing-jwks-url"),
                                 QStringLiteral("https://buyer.example/jwks.json")}
        << "URL=PRINCIPAL";
    QTest::newRow("signer URL not a URL")
        << signing +
               QStringList{QStringLiteral("--request-signing-jwks-url"), QStringLiteral("jwks.json=buyer")}
        << "absolute https URL";
    QTest::newRow("JWKS refresh too often")
        << signing + QStringList{QStringLiteral("--request-signing-jwks-refresh-s"), QStringLiteral("5")}
        << "--request-signing-jwks-refresh-s";
    QTest::newRow("JWKS refresh not a number")
        << signing + QStringList{QStringLiteral("--request-signing-jwks-refresh-s"), QStringLiteral("hourly")}
        << "--request-signing-jwks-refresh-s";
    QTest::newRow("replay file while signing is off")
        << served + QStringList{QStringLiteral("--request-signing-replay-file"), QStringLiteral("r.replay")}
        << "need --request-signing";
    QTest::newRow("replay file not writable")
        << signing + QStringList{QStringLiteral("--request-signing-replay-file"),
                                 QStringLiteral("/nonexistent/dir/r.replay")}
        << "--request-signing-replay-file";
    QTest::newRow("anonymous on a public address")
        << QStringList{QStringLiteral("--serve"), QStringLiteral("--host"), QStringLiteral("0.0.0.0"),
                       QStringLiteral("--allow-anonymous"), QStringLiteral("anon")}
        << "--allow-anonymous-public";
}

void tst_ServeMode::badOptions()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    QProcess process;
    process.start(kBinary, arguments);
    QVERIFY(process.waitForFinished(20000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY2(QString::fromUtf8(process.readAllStandardError()).contains(message), qPrintable(message));
}

// `--help` without a mode prints the modes and exits; it used to open the window.
void tst_ServeMode::helpNamesTheModes()
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    process.setProcessEnvironment(env);
    process.start(kBinary, {QStringLiteral("--help")});
    QVERIFY(process.waitForFinished(20000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    const QString out = QString::fromUtf8(process.readAllStandardOutput());
    for (const char *mode : {"--serve", "--test-agent", "--check", "--scenario"})
        QVERIFY2(out.contains(QLatin1String(mode)), qPrintable(out));
}

void tst_ServeMode::flowSurvivesRestart()
{
    const QString db = m_dir.filePath(QStringLiteral("serve.sqlite"));
    QProcess first;
    const QUrl url = start(first, db);
    QVERIFY2(url.isValid(), first.readAllStandardError().constData());

    // The keys the seller signs its webhooks with are published for receivers.
    {
        QNetworkAccessManager network;
        QUrl jwksUrl = url;
        jwksUrl.setPath(QStringLiteral("/.well-known/jwks.json"));
        QNetworkReply *reply = network.get(QNetworkRequest(jwksUrl));
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(done.wait(10000));
        const QByteArray body = reply->readAll();
        const json jwks = json::parse(body.constBegin(), body.constEnd(), nullptr, false);
        QVERIFY2(jwks.is_object() && !jwks["keys"].empty(), body.constData());
        QCOMPARE(jwks["keys"][0]["crv"].get<std::string>(), std::string("Ed25519"));
        reply->deleteLater();
    }

    McpTransportOptions options;
    options.endpoint = url;
    options.bearerToken = "serve-test-token";
    std::string mediaBuyId;
    {
        AgentClient client(QStringLiteral("serve"), std::make_unique<McpTransport>(options),
                           SchemaRegistry::bundled());
        const auto caps = run(client.getAdcpCapabilities());
        QVERIFY2(caps.ok(), caps.ok() ? "" : caps.error->message.c_str());
        const auto created = buyFromBrief(client, "acmeoutdoor.example");
        QVERIFY2(created.ok(), created.ok() ? "" : created.error->message.c_str());
        mediaBuyId = created.result.value("media_buy_id", std::string());
        QVERIFY(!mediaBuyId.empty());
        const auto delivery = run(client.getMediaBuyDelivery({{"media_buy_ids", json::array({mediaBuyId})}}));
        QVERIFY2(delivery.ok(), delivery.ok() ? "" : delivery.error->message.c_str());
        QCOMPARE(delivery.result["media_buy_deliveries"][0]["media_buy_id"].get<std::string>(), mediaBuyId);
        // brief → finalize → create → delivery: every request we sent passed the request schema.
        QVERIFY2(firstRequestIssue(client).isEmpty(), qPrintable(firstRequestIssue(client)));
        QCOMPARE(int(client.exchangeLog().size()), 5);
    }

    // SIGTERM stops the server cleanly, and each request was logged in one line.
    ::kill(pid_t(first.processId()), SIGTERM);
    QVERIFY(first.waitForFinished(20000));
    QCOMPARE(first.exitStatus(), QProcess::NormalExit);
    QCOMPARE(first.exitCode(), 0);
    const QString log = QString::fromUtf8(first.readAllStandardOutput());
    QVERIFY2(log.contains(QLatin1String("tools/call create_media_buy principal=buyer-1 -> 200")),
             qPrintable(log));

    // A new process on the same database still knows the buy.
    QProcess second;
    const QUrl again = start(second, db);
    QVERIFY(again.isValid());
    options.endpoint = again;
    {
        AgentClient client(QStringLiteral("serve"), std::make_unique<McpTransport>(options),
                           SchemaRegistry::bundled());
        const auto buys = run(client.getMediaBuys({{"media_buy_ids", json::array({mediaBuyId})}}));
        QVERIFY2(buys.ok(), buys.ok() ? "" : buys.error->message.c_str());
        QCOMPARE(buys.result["media_buys"][0]["media_buy_id"].get<std::string>(), mediaBuyId);
    }
    ::kill(pid_t(second.processId()), SIGINT);
    QVERIFY(second.waitForFinished(20000));
    QCOMPARE(second.exitCode(), 0);
}

// --manual-approval-account: the named account's buy waits for approval (submitted + task_id); another
// account's buy on the same seller does not.
void tst_ServeMode::manualApprovalPerAccount()
{
    QProcess process;
    const QUrl url =
        start(process, m_dir.filePath(QStringLiteral("approval.sqlite")),
              {QStringLiteral("--manual-approval-account"), QStringLiteral("Held.Example/held.example")});
    QVERIFY2(url.isValid(), process.readAllStandardError().constData());
    McpTransportOptions options;
    options.endpoint = url;
    options.bearerToken = "serve-test-token";
    {
        AgentClient client(QStringLiteral("serve"), std::make_unique<McpTransport>(options),
                           SchemaRegistry::bundled());
        client.setTaskPolling(false); // the held buy would be polled until approved
        QVERIFY(run(client.getAdcpCapabilities()).ok());
        const auto held = buyFromBrief(client, "held.example");
        QVERIFY2(held.ok(), held.ok() ? "" : held.error->message.c_str());
        QCOMPARE(held.result.value("status", std::string()), std::string("submitted"));
        QVERIFY(!held.result.value("task_id", std::string()).empty());
        QVERIFY(!held.result.contains("media_buy_id"));

        const auto free = buyFromBrief(client, "free.example");
        QVERIFY2(free.ok(), free.ok() ? "" : free.error->message.c_str());
        QVERIFY(free.result.value("status", std::string()) != "submitted");
        QVERIFY(!free.result.value("media_buy_id", std::string()).empty());
    }
    ::kill(pid_t(process.processId()), SIGTERM);
    QVERIFY(process.waitForFinished(20000));
    QCOMPARE(process.exitCode(), 0);
}

// --request-signing required with a signer's JWKS: capabilities declare it, and an unsigned state-changing
// call with a valid token is refused for want of a signature (the RFC 9421 checks themselves:
// tst_requestsigning).
void tst_ServeMode::requestSigningOptions()
{
    const QString jwks = m_dir.filePath(QStringLiteral("signer-jwks.json"));
    {
        QFile file(jwks);
        QVERIFY(file.open(QIODevice::WriteOnly));
        const json document = {{"keys", {httpsig::SigningKey::generateEd25519().publicJwk("k-1")}}};
        file.write(QByteArray::fromStdString(document.dump()));
    }
    QProcess process;
    const QUrl url =
        start(process, m_dir.filePath(QStringLiteral("signing.sqlite")),
              {QStringLiteral("--request-signing"), QStringLiteral("required"),
               QStringLiteral("--request-signing-jwks"), jwks + QStringLiteral("=signer:sandbox")});
    QVERIFY2(url.isValid(), process.readAllStandardError().constData());
    // The replay file sits beside the database by default.
    QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("signing.sqlite.replay"))));
    McpTransportOptions options;
    options.endpoint = url;
    options.bearerToken = "serve-test-token";
    {
        AgentClient client(QStringLiteral("serve"), std::make_unique<McpTransport>(options),
                           SchemaRegistry::bundled());
        const auto capabilities = run(client.getAdcpCapabilities());
        QVERIFY2(capabilities.ok(), capabilities.ok() ? "" : capabilities.error->message.c_str());
        const json block = capabilities.result.value("request_signing", json());
        QVERIFY(block.value("supported", false));
        const json requiredFor = block.value("required_for", json::array());
        QVERIFY(std::find(requiredFor.begin(), requiredFor.end(), json("create_media_buy")) !=
                requiredFor.end());
        const auto products = run(client.getProducts({{"buying_mode", "wholesale"}}));
        QVERIFY2(products.ok(), products.ok() ? "" : products.error->message.c_str());
    }
    QNetworkAccessManager network;
    QNetworkRequest request(url);
    request.setRawHeader("Content-Type", "application/json");
    request.setRawHeader("Authorization", "Bearer serve-test-token");
    QNetworkReply *reply = network.post(
        request,
        R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_media_buy","arguments":{}}})");
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(reply->isFinished() || finished.wait(20000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 401);
    QCOMPARE(reply->rawHeader("WWW-Authenticate"),
             QByteArray(R"(Signature error="request_signature_required")"));
    reply->deleteLater();
    ::kill(pid_t(process.processId()), SIGTERM);
    QVERIFY(process.waitForFinished(20000));
    QCOMPARE(process.exitCode(), 0);
}

void tst_ServeMode::privateWebhooksNeedTheFlag_data()
{
    QTest::addColumn<bool>("allowPrivate");
    QTest::newRow("default: public addresses only") << false;
    QTest::newRow("--allow-private-webhooks") << true;
}

// A webhook URL on loopback is refused at registration (INVALID_REQUEST on the URL field) unless the seller
// runs with --allow-private-webhooks, as a local test receiver needs.
void tst_ServeMode::privateWebhooksNeedTheFlag()
{
    QFETCH(bool, allowPrivate);
    QProcess process;
    const QUrl url = start(process, m_dir.filePath(allowPrivate ? QStringLiteral("private.sqlite")
                                                               : QStringLiteral("public.sqlite")),
                           allowPrivate ? QStringList{QStringLiteral("--allow-private-webhooks")} : QStringList{});
    QVERIFY2(url.isValid(), process.readAllStandardError().constData());
    McpTransportOptions options;
    options.endpoint = url;
    options.bearerToken = "serve-test-token";
    {
        AgentClient client(QStringLiteral("serve"), std::make_unique<McpTransport>(options),
                           SchemaRegistry::bundled());
        const auto outcome = run(client.getProducts(
            {{"buying_mode", "wholesale"}, {"push_notification_config", {{"url", "http://127.0.0.1:9/hooks"}}}}));
        if (allowPrivate) {
            QVERIFY2(outcome.ok(), outcome.ok() ? "" : outcome.error->message.c_str());
        } else {
            QVERIFY(!outcome.ok());
            QCOMPARE(outcome.error->code, std::string("INVALID_REQUEST"));
            QCOMPARE(outcome.error->field.value_or(std::string()), std::string("push_notification_config.url"));
        }
    }
    ::kill(pid_t(process.processId()), SIGTERM);
    QVERIFY(process.waitForFinished(20000));
    QCOMPARE(process.exitCode(), 0);
}

QTEST_GUILESS_MAIN(tst_ServeMode)
#include "tst_servemode.moc"
