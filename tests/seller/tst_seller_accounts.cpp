#include "sellertestfixture.h"

#include "officialschemas.h"
#include "wire/rfc3339.h"

#include <QDir>
#include <QFloat16>
#include <QTest>

#include <set>

using namespace sellertest;

// Accounts of the embedded seller: sync_accounts and list_accounts, resolution of `account` on the
// account-scoped tasks (not found, ambiguous, another principal's, status gating, --require-accounts), buys
// and creatives filtered by account, the creative library (list_creatives) and the controller's account and
// format scenarios. Requests and answers are checked against the official schemas when the shared folder
// with them is present.
class TestSellerAccounts final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void syncReportsEachEntry();
    void dryRunWritesNothing();
    void deleteMissingClosesLeftOutAccounts();
    void listFiltersAndPages();
    void anotherPrincipalsAccountIsUnknown();
    void requireAccountsRefusesUnregistered();
    void ambiguousNaturalKey();
    void statusGatesBuysButNotReads_data();
    void statusGatesBuysButNotReads();
    void buysAreFilteredByAccount();
    void lazyAccountIsReusedBySandboxCaller();
    void creativeLibraryOutlivesCanceledBuy();
    void creativeAssignmentsAreListed();
    void controllerAnswersInItsOwnShape();
    void seededFormatsArePaged();

private:
    void checkSchema(const char *schemaId, const json &document);
};

namespace {

const adcp::seller::Principal kSandbox{"buyer-sandbox", true};
const json kAssets = {{"main", {{"asset_type", "url"}, {"url", "https://cdn.example/banner.png"}}}};

json entry(const std::string &brand, const std::string &op = "pinnacle-media.example")
{
    return {{"brand", {{"domain", brand}}}, {"operator", op}, {"billing", "operator"}};
}

json naturalKey(const std::string &brand, const std::string &op = "pinnacle-media.example")
{
    return {{"brand", {{"domain", brand}}}, {"operator", op}};
}

adcp::ToolOutcome sync(Seller &s, const json &entries, const adcp::seller::Principal *who = nullptr,
                       const json &extra = json::object())
{
    json args = {{"idempotency_key", s.key()}, {"accounts", entries}};
    args.update(extra);
    return s.call(who ? *who : s.buyer, "sync_accounts", args);
}

std::string accountIdOf(const adcp::ToolOutcome &synced, size_t index = 0)
{
    return synced.result.at("accounts").at(index).at("account_id").get<std::string>();
}

json buyArgsFor(Seller &s, const json &account)
{
    json args = s.explicitBuyArgs();
    args["account"] = account;
    return args;
}

json controller(Seller &s, const std::string &scenario, const json &params,
                const json &extra = json::object())
{
    json args = {{"scenario", scenario}, {"params", params}};
    args.update(extra);
    const auto o = s.call(kSandbox, "comply_test_controller", args);
    if (!o.ok())
        qFatal("controller call failed: %s", o.error->message.c_str());
    return o.result;
}

} // namespace

void TestSellerAccounts::checkSchema(const char *schemaId, const json &document)
{
    const QString problems = adcp::testsupport::officialSchemaProblems(schemaId, document);
    QVERIFY2(problems.isEmpty(), qPrintable(problems));
}

void TestSellerAccounts::syncReportsEachEntry()
{
    Seller s;
    json first = entry("acme.example");
    first["payment_terms"] = "net_30";
    const json request = {{"idempotency_key", s.key()},
                          {"accounts", {first, entry("nova.example", "nova.example")}}};
    checkSchema("/schemas/account/sync-accounts-request.json", request);
    const auto created = s.call("sync_accounts", request);
    QVERIFY2(created.ok(), created.error ? created.error->message.c_str() : "");
    checkSchema("/schemas/account/sync-accounts-response.json", created.result);
    const json &accounts = created.result["accounts"];
    QCOMPARE(accounts.size(), size_t(2));
    for (const auto &a : accounts) {
        QCOMPARE(a["action"].get<std::string>(), std::string("created"));
        QCOMPARE(a["status"].get<std::string>(), std::string("active"));
        QCOMPARE(a["revision"].get<int>(), 1);
    }
    QCOMPARE(accounts[0]["payment_terms"].get<std::string>(), std::string("net_30"));
    QVERIFY(accounts[0]["account_id"] != accounts[1]["account_id"]);

    // The same declaration again changes nothing; another payment term is an update with a new revision.
    const auto again = sync(s, json::array({first}));
    QCOMPARE(again.result["accounts"][0]["action"].get<std::string>(), std::string("unchanged"));
    QCOMPARE(again.result["accounts"][0]["account_id"], accounts[0]["account_id"]);
    first["payment_terms"] = "net_60";
    const auto updated = sync(s, json::array({first}));
    QCOMPARE(updated.result["accounts"][0]["action"].get<std::string>(), std::string("updated"));
    QCOMPARE(updated.result["accounts"][0]["revision"].get<int>(), 2);

    // Billing is fixed at provisioning: a different one fails that entry only.
    json otherBilling = entry("acme.example");
    otherBilling["billing"] = "agent";
    const auto failed = sync(s, {otherBilling, entry("third.example")});
    QVERIFY(failed.ok());
    checkSchema("/schemas/account/sync-accounts-response.json", failed.result);
    QCOMPARE(failed.result["accounts"][0]["action"].get<std::string>(), std::string("failed"));
    QCOMPARE(failed.result["accounts"][0]["errors"][0]["code"].get<std::string>(),
             std::string("BILLING_NOT_SUPPORTED"));
    QCOMPARE(failed.result["accounts"][1]["action"].get<std::string>(), std::string("created"));
    QCOMPARE(s.rows(QStringLiteral("accounts")), 3);

    // Settings update by account_id with a stale revision is a conflict and changes nothing.
    const json stale = {{"account", {{"account_id", accounts[0]["account_id"]}}},
                        {"revision", 1},
                        {"payment_terms", "prepay"}};
    const auto conflict = sync(s, json::array({stale}));
    QCOMPARE(errorCode(conflict), std::string("CONFLICT"));
    QCOMPARE(errorField(conflict), std::string("accounts[0].revision"));
}

void TestSellerAccounts::dryRunWritesNothing()
{
    Seller s;
    const auto preview = sync(s, json::array({entry("acme.example")}), nullptr, {{"dry_run", true}});
    QVERIFY(preview.ok());
    checkSchema("/schemas/account/sync-accounts-response.json", preview.result);
    QCOMPARE(preview.result["dry_run"].get<bool>(), true);
    QCOMPARE(preview.result["accounts"][0]["action"].get<std::string>(), std::string("created"));
    QCOMPARE(s.rows(QStringLiteral("accounts")), 0);
}

void TestSellerAccounts::deleteMissingClosesLeftOutAccounts()
{
    Seller s;
    QVERIFY(sync(s, {entry("a.example"), entry("b.example")}).ok());
    const auto kept = sync(s, json::array({entry("a.example")}), nullptr, {{"delete_missing", true}});
    QVERIFY(kept.ok());
    checkSchema("/schemas/account/sync-accounts-response.json", kept.result);
    QCOMPARE(kept.result["accounts"].size(), size_t(2));
    QCOMPARE(kept.result["accounts"][1]["status"].get<std::string>(), std::string("closed"));
    const auto closed = s.call("list_accounts", {{"status", "closed"}});
    QCOMPARE(closed.result["accounts"].size(), size_t(1));
    QCOMPARE(closed.result["accounts"][0]["brand"]["domain"].get<std::string>(), std::string("b.example"));
}

void TestSellerAccounts::listFiltersAndPages()
{
    Seller s;
    QVERIFY(sync(s, {entry("a.example"), entry("b.example"), entry("c.example")}).ok());
    json request = {{"pagination", {{"max_results", 2}}}};
    checkSchema("/schemas/account/list-accounts-request.json", request);
    const auto page1 = s.call("list_accounts", request);
    QVERIFY(page1.ok());
    checkSchema("/schemas/account/list-accounts-response.json", page1.result);
    QCOMPARE(page1.result["accounts"].size(), size_t(2));
    QCOMPARE(page1.result["pagination"]["has_more"].get<bool>(), true);
    request["pagination"]["cursor"] = page1.result["pagination"]["cursor"];
    const auto page2 = s.call("list_accounts", request);
    QCOMPARE(page2.result["accounts"].size(), size_t(1));
    QCOMPARE(page2.result["accounts"][0]["brand"]["domain"].get<std::string>(), std::string("c.example"));
    QCOMPARE(page2.result["pagination"]["has_more"].get<bool>(), false);
    QVERIFY(!page2.result["pagination"].contains("cursor"));

    const auto one = s.call("list_accounts", {{"account", naturalKey("b.example")}});
    QCOMPARE(one.result["accounts"].size(), size_t(1));
    QCOMPARE(s.call("list_accounts", {{"sandbox", true}}).result["accounts"].size(), size_t(0));
    QCOMPARE(errorCode(s.call("list_accounts", {{"pagination", {{"cursor", "%%%"}}}})),
             std::string("INVALID_REQUEST"));
}

void TestSellerAccounts::anotherPrincipalsAccountIsUnknown()
{
    adcp::seller::SellerOptions options;
    options.requireAccounts = true;
    Seller s(options);
    const std::string mine = accountIdOf(sync(s, json::array({entry("acme.example")})));
    QCOMPARE(s.call(s.other, "list_accounts", json::object()).result["accounts"].size(), size_t(0));

    const auto buys = s.rows(QStringLiteral("media_buys"));
    const auto foreign = s.call(s.other, "create_media_buy", buyArgsFor(s, {{"account_id", mine}}));
    const auto unknown = s.call(s.other, "create_media_buy", buyArgsFor(s, {{"account_id", "acc_unknown"}}));
    QCOMPARE(errorCode(foreign), std::string("ACCOUNT_NOT_FOUND"));
    QCOMPARE(errorField(foreign), std::string("account"));
    QCOMPARE(foreign.error->toJson().dump(), unknown.error->toJson().dump());
    QCOMPARE(foreign.result.dump(), unknown.result.dump());
    // The natural key another principal registered is just as unknown.
    const auto byKey = s.call(s.other, "create_media_buy", buyArgsFor(s, naturalKey("acme.example")));
    QCOMPARE(byKey.result.dump(), unknown.result.dump());
    QCOMPARE(s.rows(QStringLiteral("media_buys")), buys);
    QCOMPARE(s.rows(QStringLiteral("accounts")), 1);
}

void TestSellerAccounts::requireAccountsRefusesUnregistered()
{
    adcp::seller::SellerOptions options;
    options.requireAccounts = true;
    Seller s(options);
    const auto caps = s.call("get_adcp_capabilities", json::object());
    checkSchema("/schemas/protocol/get-adcp-capabilities-response.json", caps.result);
    QCOMPARE(caps.result["account"]["required_for_products"].get<bool>(), true);
    QCOMPARE(caps.result["account"]["require_operator_auth"].get<bool>(), false);

    const auto noAccount = s.call("get_products", {{"buying_mode", "wholesale"}});
    QCOMPARE(errorCode(noAccount), std::string("ACCOUNT_NOT_FOUND"));
    QCOMPARE(errorField(noAccount), std::string("account"));
    QCOMPARE(recovery(noAccount), std::string("terminal"));
    QVERIFY(noAccount.error->suggestion->find("sync_accounts") != std::string::npos);
    const auto unregistered = s.call("create_media_buy", buyArgsFor(s, naturalKey("acme.example")));
    QCOMPARE(errorCode(unregistered), std::string("ACCOUNT_NOT_FOUND"));
    QCOMPARE(s.rows(QStringLiteral("media_buys")), 0);
    QCOMPARE(s.rows(QStringLiteral("accounts")), 0);

    const std::string id = accountIdOf(sync(s, json::array({entry("acme.example")})));
    QVERIFY(s.call("get_products", {{"buying_mode", "wholesale"}, {"account", {{"account_id", id}}}}).ok());
    const auto byKey = s.call("create_media_buy", buyArgsFor(s, naturalKey("acme.example")));
    QVERIFY2(byKey.ok(), byKey.error ? byKey.error->message.c_str() : "");
    QVERIFY(s.call("create_media_buy", buyArgsFor(s, {{"account_id", id}})).ok());
}

void TestSellerAccounts::ambiguousNaturalKey()
{
    Seller s;
    json east = entry("acme.example");
    east["operator_unit"] = {{"id", "east"}};
    json west = entry("acme.example");
    west["operator_unit"] = {{"id", "west"}};
    QVERIFY(sync(s, {east, west}).ok());
    const auto ambiguous = s.call("create_media_buy", buyArgsFor(s, naturalKey("acme.example")));
    QCOMPARE(errorCode(ambiguous), std::string("ACCOUNT_AMBIGUOUS"));
    QCOMPARE(errorField(ambiguous), std::string("account"));
    json precise = naturalKey("acme.example");
    precise["operator_unit"] = {{"id", "west"}};
    QVERIFY(s.call("create_media_buy", buyArgsFor(s, precise)).ok());
    QCOMPARE(s.rows(QStringLiteral("accounts")), 2);
}

void TestSellerAccounts::statusGatesBuysButNotReads_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("buyCode");
    QTest::addColumn<bool>("creativesAllowed");
    QTest::newRow("suspended") << "suspended"
                               << "ACCOUNT_SUSPENDED" << false;
    QTest::newRow("payment required") << "payment_required"
                                      << "ACCOUNT_PAYMENT_REQUIRED" << true;
    QTest::newRow("active again") << "active"
                                  << "(ok)" << true;
}

void TestSellerAccounts::statusGatesBuysButNotReads()
{
    QFETCH(QString, status);
    QFETCH(QString, buyCode);
    QFETCH(bool, creativesAllowed);
    Seller s;
    const std::string id = accountIdOf(sync(s, json::array({entry("acme.example")}), &kSandbox));
    const json account = {{"account_id", id}};
    const auto first = s.call(kSandbox, "create_media_buy", buyArgsFor(s, account));
    QVERIFY(first.ok());
    if (status != QLatin1String("active"))
        QCOMPARE(controller(s, "force_account_status",
                            {{"account_id", id}, {"status", status.toStdString()}})["current_state"]
                     .get<std::string>(),
                 status.toStdString());

    const auto buys = s.rows(QStringLiteral("media_buys"));
    const auto refused = s.call(kSandbox, "create_media_buy", buyArgsFor(s, account));
    QCOMPARE(errorCode(refused), buyCode.toStdString());
    if (!refused.ok()) {
        QCOMPARE(errorField(refused), std::string("account"));
        QCOMPARE(recovery(refused), std::string("terminal"));
        QCOMPARE(s.rows(QStringLiteral("media_buys")), buys);
    }
    const auto read = s.call(kSandbox, "get_media_buys",
                             {{"account", account}, {"media_buy_ids", {first.result["media_buy_id"]}}});
    QVERIFY(read.ok());
    QCOMPARE(read.result["media_buys"].size(), size_t(1));
    const auto creatives = s.call(
        kSandbox, "sync_creatives",
        {{"idempotency_key", s.key()},
         {"account", account},
         {"creatives",
          {{{"creative_id", "cr-1"},
            {"name", "Banner"},
            {"format_id", {{"agent_url", "https://creative.adcontextprotocol.org"}, {"id", "display_image"}}},
            {"assets", kAssets}}}}});
    QCOMPARE(creatives.ok(), creativesAllowed);
}

void TestSellerAccounts::buysAreFilteredByAccount()
{
    Seller s;
    const auto a = s.call("create_media_buy", buyArgsFor(s, naturalKey("a.example")));
    const auto b = s.call("create_media_buy", buyArgsFor(s, naturalKey("b.example")));
    QVERIFY(a.ok() && b.ok());
    // Provisioned on first use: both accounts are listed.
    QCOMPARE(s.call("list_accounts", json::object()).result["accounts"].size(), size_t(2));
    const json all = {"pending_creatives", "pending_start", "active"};
    const auto onlyA =
        s.call("get_media_buys", {{"account", naturalKey("a.example")}, {"status_filter", all}});
    QCOMPARE(onlyA.result["media_buys"].size(), size_t(1));
    QCOMPARE(onlyA.result["media_buys"][0]["media_buy_id"], a.result["media_buy_id"]);
    const auto crossLookup = s.call("get_media_buys", {{"account", naturalKey("a.example")},
                                                       {"media_buy_ids", {b.result["media_buy_id"]}}});
    QCOMPARE(crossLookup.result["media_buys"].size(), size_t(0));
    QCOMPARE(crossLookup.result["errors"][0]["code"].get<std::string>(), std::string("MEDIA_BUY_NOT_FOUND"));
    QCOMPARE(s.call("get_media_buys", {{"status_filter", all}}).result["media_buys"].size(), size_t(2));
    // An account never used has nothing, and reading it provisions nothing.
    QCOMPARE(s.call("get_media_buys", {{"account", naturalKey("c.example")}, {"status_filter", all}})
                 .result["media_buys"]
                 .size(),
             size_t(0));
    QCOMPARE(s.rows(QStringLiteral("accounts")), 2);
    // Delivery reads the same way: a listing keeps the account's buys, a lookup of another's is unknown.
    const auto deliveryA = s.call("get_media_buy_delivery", {{"account", naturalKey("a.example")}});
    QVERIFY2(deliveryA.ok(), deliveryA.ok() ? "" : deliveryA.error->message.c_str());
    QCOMPARE(deliveryA.result["media_buy_deliveries"].size(), size_t(1));
    QCOMPARE(deliveryA.result["media_buy_deliveries"][0]["media_buy_id"], a.result["media_buy_id"]);
    const auto deliveryCross =
        s.call("get_media_buy_delivery",
               {{"account", naturalKey("a.example")}, {"media_buy_ids", {b.result["media_buy_id"]}}});
    QCOMPARE(deliveryCross.result["media_buy_deliveries"].size(), size_t(0));
    QCOMPARE(deliveryCross.result["errors"][0]["code"].get<std::string>(),
             std::string("MEDIA_BUY_NOT_FOUND"));
    QCOMPARE(s.call("get_media_buy_delivery", json::object()).result["media_buy_deliveries"].size(),
             size_t(2));
}

void TestSellerAccounts::lazyAccountIsReusedBySandboxCaller()
{
    Seller s;
    const json key = naturalKey("acmeoutdoor.example", "pinnacle-agency.example");
    const auto first = s.call(kSandbox, "create_media_buy", buyArgsFor(s, key));
    const auto second = s.call(kSandbox, "create_media_buy", buyArgsFor(s, key));
    QVERIFY(first.ok() && second.ok());
    QCOMPARE(s.rows(QStringLiteral("accounts")), 1);
    const auto read = s.call(
        kSandbox, "get_media_buys",
        {{"account", key},
         {"media_buy_ids", json::array({first.result["media_buy_id"], second.result["media_buy_id"]})}});
    QCOMPARE(read.result["media_buys"].size(), size_t(2));
}

void TestSellerAccounts::creativeLibraryOutlivesCanceledBuy()
{
    Seller s;
    const json account = naturalKey("acme.example");
    const auto buy = s.call("create_media_buy", buyArgsFor(s, account));
    QVERIFY(buy.ok());
    json creatives = json::array();
    for (const char *id : {"cr-a", "cr-b", "cr-c"})
        creatives.push_back(
            {{"creative_id", id},
             {"name", std::string("Banner ") + id},
             {"format_id",
              {{"agent_url", "https://creative.adcontextprotocol.org"}, {"id", "display_image"}}},
             {"assets", kAssets}});
    QVERIFY(s.call("sync_creatives",
                   {{"idempotency_key", s.key()}, {"account", account}, {"creatives", creatives}})
                .ok());
    QVERIFY(s.call("sync_creatives",
                   {{"idempotency_key", s.key()},
                    {"account", naturalKey("other.example")},
                    {"creatives",
                     {{{"creative_id", "cr-other"},
                       {"name", "Other"},
                       {"format_id",
                        {{"agent_url", "https://creative.adcontextprotocol.org"}, {"id", "display_image"}}},
                       {"assets", kAssets}}}}})
                .ok());
    const auto canceled = s.call("update_media_buy", {{"idempotency_key", s.key()},
                                                      {"account", account},
                                                      {"media_buy_id", buy.result["media_buy_id"]},
                                                      {"canceled", true}});
    QVERIFY2(canceled.ok(), canceled.error ? canceled.error->message.c_str() : "");

    json request = {{"account", account},
                    {"pagination", {{"max_results", 2}}},
                    {"sort", {{"field", "name"}, {"direction", "asc"}}}};
    checkSchema("/schemas/creative/list-creatives-request.json", request);
    const auto page1 = s.call("list_creatives", request);
    QVERIFY(page1.ok());
    checkSchema("/schemas/creative/list-creatives-response.json", page1.result);
    QCOMPARE(page1.result["query_summary"]["total_matching"].get<int>(), 3);
    QCOMPARE(page1.result["query_summary"]["returned"].get<int>(), 2);
    QCOMPARE(page1.result["creatives"][0]["creative_id"].get<std::string>(), std::string("cr-a"));
    request["pagination"]["cursor"] = page1.result["pagination"]["cursor"];
    const auto page2 = s.call("list_creatives", request);
    QCOMPARE(page2.result["creatives"].size(), size_t(1));
    QCOMPARE(page2.result["creatives"][0]["creative_id"].get<std::string>(), std::string("cr-c"));
    QCOMPARE(page2.result["pagination"]["has_more"].get<bool>(), false);

    const auto filtered =
        s.call("list_creatives", {{"filters", {{"creative_ids", json::array({"cr-b", "cr-other"})}}}});
    QCOMPARE(filtered.result["query_summary"]["total_matching"].get<int>(), 2);
    QCOMPARE(filtered.result["query_summary"]["filters_applied"][0].get<std::string>(),
             std::string("creative_ids"));
    QCOMPARE(s.call(s.other, "list_creatives", json::object()).result["creatives"].size(), size_t(0));
}

// include_assignments (on unless turned off): each creative lists the packages it is assigned to in buys that
// have not ended, with when; assignment_limit bounds the rows and says when it cut; the `matching` projection
// matches nothing here because this seller evaluates no creative indicators.
void TestSellerAccounts::creativeAssignmentsAreListed()
{
    Seller s;
    const json account = naturalKey("acme.example");
    const auto first = s.call("create_media_buy", buyArgsFor(s, account));
    const auto second = s.call("create_media_buy", buyArgsFor(s, account));
    QVERIFY(first.ok() && second.ok());
    const std::string firstBuy = first.result["media_buy_id"].get<std::string>();
    const std::string secondBuy = second.result["media_buy_id"].get<std::string>();
    const std::string firstPackage = first.result["packages"][0]["package_id"].get<std::string>();
    const std::string secondPackage = second.result["packages"][0]["package_id"].get<std::string>();
    const json creative = {
        {"creative_id", "cr-x"},
        {"name", "Banner x"},
        {"format_id", {{"agent_url", "https://creative.adcontextprotocol.org"}, {"id", "display_image"}}},
        {"assets", kAssets}};
    const auto synced =
        s.call("sync_creatives", {{"idempotency_key", s.key()},
                                  {"account", account},
                                  {"creatives", json::array({creative})},
                                  {"assignments",
                                   {{{"creative_id", "cr-x"}, {"package_id", firstPackage}},
                                    {{"creative_id", "cr-x"}, {"package_id", secondPackage}}}}});
    QVERIFY2(synced.ok(), synced.error ? synced.error->message.c_str() : "");

    const auto listed = s.call("list_creatives", {{"account", account}});
    QVERIFY(listed.ok());
    checkSchema("/schemas/creative/list-creatives-response.json", listed.result);
    const json assignments = listed.result["creatives"][0]["assignments"];
    QCOMPARE(assignments["assignment_count"].get<int>(), 2);
    QCOMPARE(assignments["returned_assignment_count"].get<int>(), 2);
    QCOMPARE(assignments["assignments_truncated"].get<bool>(), false);
    QVERIFY(!assignments.contains("matching_assignment_count"));
    std::set<std::pair<std::string, std::string>> rows;
    for (const auto &row : assignments["assigned_packages"]) {
        rows.insert({row["media_buy_id"].get<std::string>(), row["package_id"].get<std::string>()});
        QVERIFY(adcp::wire::isRfc3339DateTime(row["assigned_date"].get<std::string>()));
    }
    QCOMPARE(rows, (std::set<std::pair<std::string, std::string>>{{firstBuy, firstPackage},
                                                                  {secondBuy, secondPackage}}));

    const auto limited = s.call("list_creatives", {{"assignment_limit", 1}});
    checkSchema("/schemas/creative/list-creatives-response.json", limited.result);
    const json cut = limited.result["creatives"][0]["assignments"];
    QCOMPARE(cut["assignment_count"].get<int>(), 2);
    QCOMPARE(cut["returned_assignment_count"].get<int>(), 1);
    QCOMPARE(cut["assigned_packages"].size(), size_t(1));
    QCOMPARE(cut["assignments_truncated"].get<bool>(), true);

    const auto without = s.call("list_creatives", {{"include_assignments", false}});
    QVERIFY(!without.result["creatives"][0].contains("assignments"));

    const json matchingRequest = {{"assignment_projection", "matching"},
                                  {"filters", {{"indicator_types", json::array({"creative_fatigue"})}}}};
    checkSchema("/schemas/creative/list-creatives-request.json", matchingRequest);
    const auto matching = s.call("list_creatives", matchingRequest);
    QVERIFY(matching.ok());
    checkSchema("/schemas/creative/list-creatives-response.json", matching.result);
    const json none = matching.result["creatives"][0]["assignments"];
    QCOMPARE(none["assignment_count"].get<int>(), 2);
    QCOMPARE(none["matching_assignment_count"].get<int>(), 0);
    QCOMPARE(none["returned_assignment_count"].get<int>(), 0);

    // A canceled buy's package no longer counts; the creative and its other assignment stay.
    QVERIFY(s.call("update_media_buy", {{"idempotency_key", s.key()},
                                        {"account", account},
                                        {"media_buy_id", firstBuy},
                                        {"canceled", true}})
                .ok());
    const json after = s.call("list_creatives", json::object()).result["creatives"][0]["assignments"];
    QCOMPARE(after["assignment_count"].get<int>(), 1);
    QCOMPARE(after["assigned_packages"][0]["media_buy_id"].get<std::string>(), secondBuy);
    // Another principal sees neither the creative nor its assignments.
    QCOMPARE(s.call(s.other, "list_creatives", json::object()).result["creatives"].size(), size_t(0));
}

void TestSellerAccounts::controllerAnswersInItsOwnShape()
{
    Seller s;
    const char *response = "/schemas/compliance/comply-test-controller-response.json";
    const json unknown = controller(s, "nonexistent_scenario", json::object());
    checkSchema(response, unknown);
    QCOMPARE(unknown["success"].get<bool>(), false);
    QCOMPARE(unknown["error"].get<std::string>(), std::string("UNKNOWN_SCENARIO"));
    const json missing = controller(s, "force_creative_status", json::object());
    checkSchema(response, missing);
    QCOMPARE(missing["error"].get<std::string>(), std::string("INVALID_PARAMS"));
    const json absent =
        controller(s, "force_account_status", {{"account_id", "acc_nope"}, {"status", "active"}});
    QCOMPARE(absent["error"].get<std::string>(), std::string("NOT_FOUND"));

    const std::string id = accountIdOf(sync(s, json::array({entry("acme.example")}), &kSandbox));
    const json suspended =
        controller(s, "force_account_status", {{"account_id", id}, {"status", "suspended"}});
    checkSchema(response, suspended);
    QCOMPARE(suspended["previous_state"].get<std::string>(), std::string("active"));
    const json closed = controller(s, "force_account_status", {{"account_id", id}, {"status", "closed"}});
    QCOMPARE(closed["current_state"].get<std::string>(), std::string("closed"));
    const json reopen = controller(s, "force_account_status", {{"account_id", id}, {"status", "active"}});
    checkSchema(response, reopen);
    QCOMPARE(reopen["error"].get<std::string>(), std::string("INVALID_TRANSITION"));
    const auto listed = s.call(kSandbox, "list_accounts", json::object());
    QCOMPARE(listed.result["accounts"][0]["status"].get<std::string>(), std::string("closed"));
    QCOMPARE(listed.result["accounts"][0]["revision"].get<int>(), 3);

    const auto buy = s.call(kSandbox, "create_media_buy", buyArgsFor(s, naturalKey("spend.example")));
    QVERIFY(buy.ok());
    const json spent = controller(s, "simulate_budget_spend",
                                  {{"media_buy_id", buy.result["media_buy_id"]}, {"spend_percentage", 95}});
    checkSchema(response, spent);
    QVERIFY(spent["success"].get<bool>());
    QVERIFY(qAbs(spent["cumulative"]["spend"].get<double>() - 4750.0) < 0.01);

    // Not a sandbox principal: the controller refuses in its own shape too.
    const auto live = s.call("comply_test_controller", {{"scenario", "list_scenarios"}});
    QCOMPARE(live.result["error"].get<std::string>(), std::string("FORBIDDEN"));
}

void TestSellerAccounts::seededFormatsArePaged()
{
    Seller s;
    const json account = {{"account_id", "acct_formats"}};
    for (const char *id : {"fmt_1", "fmt_2"})
        QVERIFY(controller(s, "seed_creative_format",
                           {{"format_id", id}, {"fixture", {{"name", std::string("Format ") + id}}}},
                           {{"account", account}})["success"]
                    .get<bool>());
    json request = {{"account", account}, {"pagination", {{"max_results", 1}}}};
    const auto first = s.call(kSandbox, "list_creative_formats", request);
    QVERIFY(first.ok());
    checkSchema("/schemas/creative/list-creative-formats-response.json", first.result);
    QCOMPARE(first.result["formats"].size(), size_t(1));
    QCOMPARE(first.result["pagination"]["has_more"].get<bool>(), true);
    request["pagination"]["cursor"] = first.result["pagination"]["cursor"];
    const auto last = s.call(kSandbox, "list_creative_formats", request);
    QCOMPARE(last.result["formats"][0]["format_id"]["id"].get<std::string>(), std::string("fmt_2"));
    QCOMPARE(last.result["pagination"]["has_more"].get<bool>(), false);
    QVERIFY(!last.result["pagination"].contains("cursor"));
    // Without the account the catalog's formats are listed as before.
    QVERIFY(s.call(kSandbox, "list_creative_formats", json::object()).result["formats"].size() > 2);
}

QTEST_GUILESS_MAIN(TestSellerAccounts)
#include "tst_seller_accounts.moc"
