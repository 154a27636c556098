#include "sellertestfixture.h"

#include "governanceagent.h"
#include "officialschemas.h"

#include <QFloat16>
#include <QSslCertificate>
#include <QTest>

using namespace sellertest;
using adcp::testsupport::TestGovernanceAgent;

// Campaign governance on the seller side: sync_governance binds one governance agent to an account
// (credentials write-only, replace semantics, per-entry failures), and create_media_buy for that account is
// committed only after the agent's check_governance approves it. The agent is a real MCP server on loopback
// HTTPS with a private CA (tests/support/governanceagent.h); every refusal (denied, conditions, unreachable,
// untrusted certificate, an answer that is not a verdict, no governance_context) writes nothing. Requests the
// seller sends and every answer are checked against the official schemas when they are present.
class TestSellerGovernance final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void syncBindsAndNeverEchoesCredentials();
    void syncFailsEntriesItCannotHonour();
    void approvedBuyCarriesTheAgentsContext();
    void deniedBuyWritesNothing();
    void refusalsWithoutAVerdict_data();
    void refusalsWithoutAVerdict();
    void untrustedCertificateIsUnavailable();
    void missingGovernanceContextIsRefused();
    void legacyBuyerNamesItsPlan();

private:
    void checkSchema(const char *schemaId, const json &document);
};

namespace {

const std::string kToken = "gov-token-0123456789abcdef0123456789abcdef";

adcp::seller::SellerOptions trustingOptions()
{
    adcp::seller::SellerOptions o;
    o.governanceCaCertificates = QSslCertificate::fromPath(TestGovernanceAgent::caFile(), QSsl::Pem);
    o.webhookAddressScope = adcp::seller::WebhookAddressScope::AllowLoopback;
    o.agentUrl = QStringLiteral("https://seller.example/mcp");
    o.governanceTimeoutMs = 2000;
    return o;
}

json account(const std::string &brand = "acme.example")
{
    return {{"brand", {{"domain", brand}}}, {"operator", "pinnacle-media.example"}};
}

std::string syncAccount(Seller &s, const std::string &brand = "acme.example")
{
    json entry = account(brand);
    entry["billing"] = "operator";
    const auto synced = s.call("sync_accounts", {{"idempotency_key", s.key()}, {"accounts", {entry}}});
    if (!synced.ok())
        qFatal("sync_accounts failed: %s", synced.error->message.c_str());
    return synced.result["accounts"][0]["account_id"].get<std::string>();
}

json governanceRequest(Seller &s, const json &accountRef, const QString &url,
                       const std::string &token = kToken)
{
    return {{"idempotency_key", s.key()},
            {"accounts",
             {{{"account", accountRef},
               {"governance_agents",
                {{{"url", url.toStdString()},
                  {"authentication", {{"schemes", {"Bearer"}}, {"credentials", token}}}}}}}}}};
}

json governedBuy(Seller &s, double budget = 5000)
{
    json args = s.explicitBuyArgs();
    args["account"] = account();
    args["packages"][0]["budget"] = budget;
    args["governance_context"] = "gc-intent-approved-by-the-buyers-agent";
    args["adcp_version"] = "3.2";
    return args;
}

} // namespace

void TestSellerGovernance::checkSchema(const char *schemaId, const json &document)
{
    const QString problems = adcp::testsupport::officialSchemaProblems(schemaId, document);
    QVERIFY2(problems.isEmpty(), qPrintable(problems));
}

void TestSellerGovernance::syncBindsAndNeverEchoesCredentials()
{
    TestGovernanceAgent agent(kToken);
    QVERIFY(!agent.url().isEmpty());
    Seller s(trustingOptions());
    const std::string accountId = syncAccount(s);

    const json request = governanceRequest(s, account(), agent.url());
    checkSchema("/schemas/account/sync-governance-request.json", request);
    const auto synced = s.call("sync_governance", request);
    QVERIFY2(synced.ok(), synced.error ? synced.error->message.c_str() : "");
    checkSchema("/schemas/account/sync-governance-response.json", synced.result);
    QCOMPARE(synced.result["accounts"][0]["status"].get<std::string>(), std::string("synced"));
    QCOMPARE(synced.result["accounts"][0]["governance_agents"][0]["url"].get<std::string>(),
             agent.url().toStdString());
    QVERIFY(synced.result.dump().find(kToken) == std::string::npos);

    // list_accounts shows where the seller will call, never the credential.
    const auto listed = s.call("list_accounts", json::object());
    QVERIFY(listed.ok());
    checkSchema("/schemas/account/list-accounts-response.json", listed.result);
    QCOMPARE(listed.result["accounts"][0]["account_id"].get<std::string>(), accountId);
    QCOMPARE(listed.result["accounts"][0]["governance_agents"][0]["url"].get<std::string>(),
             agent.url().toStdString());
    QVERIFY(listed.result.dump().find(kToken) == std::string::npos);

    // Replace semantics: a second sync binds the new agent; still one row for the account.
    const auto replaced =
        s.call("sync_governance",
               governanceRequest(s, {{"account_id", accountId}}, QStringLiteral("https://gov2.example/mcp")));
    QVERIFY(replaced.ok());
    QCOMPARE(s.rows(QStringLiteral("account_governance")), 1);
    const auto again = s.call("list_accounts", json::object());
    QCOMPARE(again.result["accounts"][0]["governance_agents"][0]["url"].get<std::string>(),
             std::string("https://gov2.example/mcp"));

    // Idempotent replay answers the stored result.
    json replayRequest = governanceRequest(s, account(), agent.url());
    const auto first = s.call("sync_governance", replayRequest);
    const auto replay = s.call("sync_governance", replayRequest);
    QVERIFY(replay.ok());
    QVERIFY(replay.result.value("replayed", false));
    QCOMPARE(replay.result["accounts"], first.result["accounts"]);

    // An AdCP 3.0 request may name the categories its agent handles; they are accepted and not stored.
    json legacy = governanceRequest(s, account(), agent.url());
    legacy["accounts"][0]["governance_agents"][0]["categories"] = {"budget_authority", "brand_policy"};
    const auto legacySynced = s.call("sync_governance", legacy);
    QVERIFY2(legacySynced.ok(), legacySynced.error ? legacySynced.error->message.c_str() : "");
    QCOMPARE(legacySynced.result["accounts"][0]["status"].get<std::string>(), std::string("synced"));
    // A 3.2 request has no such member: the schema refuses it.
    legacy["idempotency_key"] = s.key();
    legacy["adcp_version"] = "3.2";
    const auto strict = s.call("sync_governance", legacy);
    QVERIFY(!strict.ok());
    QCOMPARE(strict.error->code, std::string("INVALID_REQUEST"));
}

void TestSellerGovernance::syncFailsEntriesItCannotHonour()
{
    adcp::seller::SellerOptions options = trustingOptions();
    options.webhookAddressScope = adcp::seller::WebhookAddressScope::PublicOnly;
    Seller s(options);
    const std::string accountId = syncAccount(s);
    const std::string foreignId = [&] {
        json entry = account("other.example");
        entry["billing"] = "operator";
        return s.call(s.other, "sync_accounts", {{"idempotency_key", s.key()}, {"accounts", {entry}}})
            .result["accounts"][0]["account_id"]
            .get<std::string>();
    }();

    json request = {{"idempotency_key", s.key()}, {"accounts", json::array()}};
    auto add = [&](const json &ref, const std::string &url, const std::string &scheme) {
        const json agentEntry = {{"url", url},
                                 {"authentication", {{"schemes", {scheme}}, {"credentials", kToken}}}};
        request["accounts"].push_back({{"account", ref}, {"governance_agents", json::array({agentEntry})}});
    };
    add({{"account_id", accountId}}, "https://governance.example/mcp", "Bearer"); // fine
    add({{"account_id", foreignId}}, "https://governance.example/mcp", "Bearer"); // another principal's
    add({{"account_id", "acc_unknown"}}, "https://governance.example/mcp", "Bearer");
    add({{"account_id", accountId}}, "https://127.0.0.1:9/mcp",
        "Bearer"); // loopback: not called from --serve
    add({{"account_id", accountId}}, "https://governance.example/mcp", "HMAC-SHA256");
    checkSchema("/schemas/account/sync-governance-request.json", request);
    const auto outcome = s.call("sync_governance", request);
    QVERIFY2(outcome.ok(), outcome.error ? outcome.error->message.c_str() : "");
    checkSchema("/schemas/account/sync-governance-response.json", outcome.result);
    const json &r = outcome.result["accounts"];
    QCOMPARE(r[0]["status"].get<std::string>(), std::string("synced"));
    for (int i : {1, 2}) {
        QCOMPARE(r[i]["status"].get<std::string>(), std::string("failed"));
        QCOMPARE(r[i]["errors"][0]["code"].get<std::string>(), std::string("ACCOUNT_NOT_FOUND"));
    }
    // Another principal's account gets exactly the unknown one's answer.
    json foreignError = r[1]["errors"][0], unknownError = r[2]["errors"][0];
    QCOMPARE(foreignError["field"].get<std::string>(), std::string("accounts[1].account"));
    foreignError.erase("field");
    unknownError.erase("field");
    QVERIFY2(foreignError == unknownError, (foreignError.dump() + " vs " + unknownError.dump()).c_str());
    QCOMPARE(r[3]["errors"][0]["code"].get<std::string>(), std::string("INVALID_REQUEST"));
    QCOMPARE(r[3]["errors"][0]["field"].get<std::string>(),
             std::string("accounts[3].governance_agents[0].url"));
    QCOMPARE(r[4]["errors"][0]["code"].get<std::string>(), std::string("UNSUPPORTED_FEATURE"));
    // Only the first entry was stored: the foreign account has no governance agent.
    QCOMPARE(s.rows(QStringLiteral("account_governance")), 1);
    const auto theirs = s.call(s.other, "list_accounts", json::object());
    QVERIFY(!theirs.result["accounts"][0].contains("governance_agents"));

    // http:// is refused by the schema; nothing stored.
    const auto plain = s.call(
        "sync_governance", governanceRequest(s, account(), QStringLiteral("http://governance.example/mcp")));
    QVERIFY(!plain.ok());
    QCOMPARE(plain.error->code, std::string("INVALID_REQUEST"));
    QCOMPARE(s.rows(QStringLiteral("account_governance")), 1);
}

void TestSellerGovernance::approvedBuyCarriesTheAgentsContext()
{
    TestGovernanceAgent agent(kToken);
    agent.setBudgetLimit(10000);
    Seller s(trustingOptions());
    syncAccount(s);
    QVERIFY(s.call("sync_governance", governanceRequest(s, account(), agent.url())).ok());

    const json args = governedBuy(s, 5000);
    checkSchema("/schemas/media-buy/create-media-buy-request.json", args);
    const auto created = s.call("create_media_buy", args);
    QVERIFY2(created.ok(), created.error ? created.error->message.c_str() : "");
    checkSchema("/schemas/media-buy/create-media-buy-response.json", created.result);
    QCOMPARE(s.rows(QStringLiteral("media_buys")), 1);
    QVERIFY(created.result.value("governance_context", std::string()).rfind("gc-approved-", 0) == 0);

    // What the agent was asked: an execution check of the planned delivery, with the registered credential.
    const auto checks = agent.checks();
    QCOMPARE(checks.size(), size_t(1));
    QCOMPARE(checks[0].authorization, QByteArray("Bearer ") + QByteArray::fromStdString(kToken));
    const json &asked = checks[0].arguments;
    checkSchema("/schemas/governance/check-governance-request.json", asked);
    QCOMPARE(asked["caller"].get<std::string>(), std::string("https://seller.example/mcp"));
    QCOMPARE(asked["governance_context"], args["governance_context"]);
    QCOMPARE(asked["phase"].get<std::string>(), std::string("purchase"));
    QCOMPARE(asked["planned_delivery"]["total_budget"].get<double>(), 5000.0);
    QCOMPARE(asked["planned_delivery"]["currency"].get<std::string>(), std::string("USD"));
    QCOMPARE(asked["execution_commitment"]["amount"].get<double>(), 5000.0);

    // A buy for another account of the same principal is not governed: nothing is asked.
    json ungoverned = s.explicitBuyArgs();
    ungoverned["account"] = account("nova.example");
    QVERIFY(s.call("create_media_buy", ungoverned).ok());
    QCOMPARE(agent.checks().size(), size_t(1));
}

void TestSellerGovernance::deniedBuyWritesNothing()
{
    TestGovernanceAgent agent(kToken);
    agent.setBudgetLimit(10000);
    Seller s(trustingOptions());
    syncAccount(s);
    QVERIFY(s.call("sync_governance", governanceRequest(s, account(), agent.url())).ok());
    const auto before = s.allRows();

    const json args = governedBuy(s, 25000);
    const auto denied = s.call("create_media_buy", args);
    QVERIFY(!denied.ok());
    QCOMPARE(denied.error->code, std::string("GOVERNANCE_DENIED"));
    QVERIFY2(denied.error->message.find("exceeds the plan's remaining budget") != std::string::npos,
             denied.error->message.c_str());
    QVERIFY(denied.error->recovery == adcp::Recovery::Correctable);
    QVERIFY(denied.error->details.contains("check_id"));
    QCOMPARE(denied.error->details["findings"][0]["category_id"].get<std::string>(),
             std::string("budget_authority"));
    checkSchema("/schemas/media-buy/create-media-buy-response.json", denied.result);
    QCOMPARE(s.allRows(), before);

    // The same key may be retried once the buy is restructured: a smaller budget is approved.
    json smaller = args;
    smaller["packages"][0]["budget"] = 8000;
    const auto retried = s.call("create_media_buy", smaller);
    QVERIFY2(retried.ok(), retried.error ? retried.error->message.c_str() : "");
    QCOMPARE(agent.checks().size(), size_t(2));

    // An intent counterproposal never authorizes a purchase.
    agent.setMode(TestGovernanceAgent::Mode::Conditions);
    const auto conditional = s.call("create_media_buy", governedBuy(s, 1000));
    QVERIFY(!conditional.ok());
    QCOMPARE(conditional.error->code, std::string("GOVERNANCE_DENIED"));
    QCOMPARE(conditional.error->details["conditions"][0]["field"].get<std::string>(),
             std::string("payload.end_time"));
    QCOMPARE(s.rows(QStringLiteral("media_buys")), 1);
}

void TestSellerGovernance::refusalsWithoutAVerdict_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("why");
    QTest::newRow("http 500") << int(TestGovernanceAgent::Mode::Http500) << QStringLiteral("HTTP 500");
    QTest::newRow("tool error") << int(TestGovernanceAgent::Mode::ToolError)
                                << QStringLiteral("plan store offline");
    QTest::newRow("not a verdict") << int(TestGovernanceAgent::Mode::Garbage)
                                   << QStringLiteral("not a check_governance response");
    QTest::newRow("silent") << int(TestGovernanceAgent::Mode::Silent) << QString();
    QTest::newRow("wrong credential") << -1 << QStringLiteral("could not be consulted");
}

void TestSellerGovernance::refusalsWithoutAVerdict()
{
    QFETCH(int, mode);
    QFETCH(QString, why);
    TestGovernanceAgent agent(kToken);
    adcp::seller::SellerOptions options = trustingOptions();
    options.governanceTimeoutMs = 300; // only the silent agent waits for it
    Seller s(options);
    syncAccount(s);
    const std::string token = mode < 0 ? std::string("another-token-0123456789abcdef0123456789") : kToken;
    QVERIFY(s.call("sync_governance", governanceRequest(s, account(), agent.url(), token)).ok());
    if (mode >= 0)
        agent.setMode(TestGovernanceAgent::Mode(mode));
    const auto before = s.allRows();

    const auto refused = s.call("create_media_buy", governedBuy(s));
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error->code, std::string("GOVERNANCE_UNAVAILABLE"));
    QVERIFY(refused.error->recovery == adcp::Recovery::Transient);
    QVERIFY(refused.error->retryAfter.has_value());
    QVERIFY2(refused.error->message.find(why.toStdString()) != std::string::npos,
             refused.error->message.c_str());
    QVERIFY(refused.error->message.find(kToken) == std::string::npos);
    checkSchema("/schemas/media-buy/create-media-buy-response.json", refused.result);
    QCOMPARE(s.allRows(), before);
    if (mode < 0)
        QVERIFY(agent.unauthorizedRequests() > 0);
}

void TestSellerGovernance::untrustedCertificateIsUnavailable()
{
    TestGovernanceAgent agent(kToken);
    adcp::seller::SellerOptions options = trustingOptions();
    options.governanceCaCertificates.clear(); // the system's CAs only: the test CA is unknown
    Seller s(options);
    syncAccount(s);
    QVERIFY(s.call("sync_governance", governanceRequest(s, account(), agent.url())).ok());
    const auto refused = s.call("create_media_buy", governedBuy(s));
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error->code, std::string("GOVERNANCE_UNAVAILABLE"));
    QCOMPARE(s.rows(QStringLiteral("media_buys")), 0);
    // The TLS handshake failed, so the agent never saw a request.
    QCOMPARE(agent.checks().size(), size_t(0));
}

void TestSellerGovernance::missingGovernanceContextIsRefused()
{
    TestGovernanceAgent agent(kToken);
    Seller s(trustingOptions());
    syncAccount(s);
    QVERIFY(s.call("sync_governance", governanceRequest(s, account(), agent.url())).ok());
    json args = governedBuy(s);
    args.erase("governance_context");
    const auto refused = s.call("create_media_buy", args);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error->code, std::string("PERMISSION_DENIED"));
    QCOMPARE(refused.error->field.value_or(""), std::string("governance_context"));
    QVERIFY(refused.error->suggestion.has_value());
    QCOMPARE(s.rows(QStringLiteral("media_buys")), 0);
    QCOMPARE(agent.checks().size(), size_t(0));

    // AdCP 3.0/3.1 governance is plan-scoped: a buy naming no plan is not a governed purchase.
    args.erase("adcp_version");
    const auto legacy = s.call("create_media_buy", args);
    QVERIFY2(legacy.ok(), legacy.error ? legacy.error->message.c_str() : "");
    QVERIFY(!legacy.result.contains("governance_context"));
    QCOMPARE(agent.checks().size(), size_t(0));
}

void TestSellerGovernance::legacyBuyerNamesItsPlan()
{
    // A 3.0 buyer sends plan_id instead of a governance_context; a 3.0 agent answers with `status`.
    TestGovernanceAgent agent(kToken);
    agent.setMode(TestGovernanceAgent::Mode::LegacyStatus);
    Seller s(trustingOptions());
    syncAccount(s);
    QVERIFY(s.call("sync_governance", governanceRequest(s, account(), agent.url())).ok());
    json args = governedBuy(s);
    args.erase("governance_context");
    args["plan_id"] = "plan-q2-outdoor";
    const auto created = s.call("create_media_buy", args);
    QVERIFY2(created.ok(), created.error ? created.error->message.c_str() : "");
    QVERIFY(created.result.value("governance_context", std::string()).rfind("gc-legacy-", 0) == 0);
    const json asked = agent.checks().at(0).arguments;
    checkSchema("/schemas/governance/check-governance-request.json", asked);
    QCOMPARE(asked["plan_id"].get<std::string>(), std::string("plan-q2-outdoor"));
    QCOMPARE(asked["tool"].get<std::string>(), std::string("create_media_buy"));
    QCOMPARE(asked["target_agent"].get<std::string>(), std::string("https://seller.example/mcp"));
    QCOMPARE(asked["payload"]["packages"], args["packages"]);
}

QTEST_MAIN(TestSellerGovernance)
#include "tst_seller_governance.moc"
