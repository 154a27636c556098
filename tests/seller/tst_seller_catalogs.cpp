// sync_catalogs against a real seller on a fresh database: what it stores and answers (requests and answers
// checked against the official AdCP schemas, success and every error), the item review, the validation
// modes, dry runs and refusals that change nothing, and how a synced catalog item becomes what a buy depends
// on (impaired when the seller withdraws or the review rejects it, ok again when restored).

#include "execfixture.h"
#include "officialcall.h"
#include "officialschemas.h"

#include <QtTest>

using exectest::ExecSeller;
using exectest::officialCall;
using nlohmann::json;

namespace {

const json kAccount = {{"account_id", "acc-1"}};

json product(const std::string &sku, bool image = true, bool price = true)
{
    json item = {{"item_id", sku}, {"title", "Item " + sku}, {"tags", {"coffee"}}};
    if (image)
        item["image_url"] = "https://cdn.acme.example/" + sku + ".jpg";
    if (price)
        item["price"] = {{"amount", 12.5}, {"currency", "USD"}};
    return item;
}

json productCatalog(const json &items, const std::string &name = "Acme products")
{
    // A one-item list arrives as the item itself (a braced list of one json is that json).
    return {{"catalog_id", "products"},
            {"name", name},
            {"type", "product"},
            {"items", items.is_array() ? items : json::array({items})}};
}

json syncArgs(ExecSeller &s, const json &extra = json::object())
{
    json args = {{"idempotency_key", s.key()}, {"account", kAccount}};
    args.update(extra);
    return args;
}

// The catalog result of `id` in an answer, null when absent.
json resultFor(const adcp::ToolOutcome &outcome, const std::string &id)
{
    for (const auto &c : outcome.result.value("catalogs", json::array()))
        if (c.value("catalog_id", std::string()) == id)
            return c;
    return json();
}

json issueFor(const json &catalog, const std::string &itemId)
{
    for (const auto &i : catalog.value("item_issues", json::array()))
        if (i.value("item_id", std::string()) == itemId)
            return i;
    return json();
}

} // namespace

class TestSellerCatalogs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void catalogLifecycle();
    void itemReviewByType();
    void validationModes();
    void refusalsChangeNothing();
    void catalogItemIsWhatTheBuyDependsOn();
    void buysReferenceOnlySyncedCatalogs();
    void catalogsAreThePrincipalsOwn();
    void dataSurvivesRestart();
    void capabilitiesDeclareCatalogManagement();
};

void TestSellerCatalogs::initTestCase()
{
    if (!adcp::testsupport::officialSchemasAbsent()) {
        QString error;
        QVERIFY2(adcp::testsupport::officialSchemas(&error), qPrintable(error));
    }
}

void TestSellerCatalogs::catalogLifecycle()
{
    ExecSeller s;
    // Discovery on an empty account: no catalogs, nothing written.
    auto listed = officialCall(s, "sync_catalogs", syncArgs(s));
    QVERIFY(listed.ok());
    QCOMPARE(listed.result["catalogs"].size(), size_t(0));
    QCOMPARE(s.rows(QStringLiteral("data_catalogs")), 0);

    // Three items: one clean, one without an image (warning), one without a price (rejected).
    auto created = officialCall(s, "sync_catalogs",
                                syncArgs(s, {{"catalogs",
                                              {productCatalog({product("sku-1"), product("sku-2", false),
                                                               product("sku-3", true, false)})}}}));
    QVERIFY2(created.ok(), created.result.dump().c_str());
    json c = resultFor(created, "products");
    QCOMPARE(c["action"].get<std::string>(), std::string("created"));
    QCOMPARE(c["item_count"].get<int>(), 3);
    QCOMPARE(c["items_approved"].get<int>(), 2);
    QCOMPARE(c["items_rejected"].get<int>(), 1);
    QCOMPARE(c["items_pending"].get<int>(), 0);
    QCOMPARE(issueFor(c, "sku-3")["status"].get<std::string>(), std::string("rejected"));
    QCOMPARE(issueFor(c, "sku-3")["reasons"][0].get<std::string>(),
             std::string("missing required field price"));
    QCOMPARE(issueFor(c, "sku-2")["status"].get<std::string>(), std::string("warning"));
    QVERIFY(issueFor(c, "sku-1").is_null());
    const std::string generation = c["catalog_generation"];
    QVERIFY(!generation.empty());

    // The same feed again: unchanged, same generation.
    auto again = officialCall(s, "sync_catalogs",
                              syncArgs(s, {{"catalogs",
                                            {productCatalog({product("sku-1"), product("sku-2", false),
                                                             product("sku-3", true, false)})}}}));
    c = resultFor(again, "products");
    QCOMPARE(c["action"].get<std::string>(), std::string("unchanged"));
    QCOMPARE(c["catalog_generation"].get<std::string>(), generation);
    QVERIFY(!c.contains("changes"));

    // Fixed item, a new name, sku-2 dropped: updated with what changed; the fix re-reviews sku-3.
    auto updated = officialCall(
        s, "sync_catalogs",
        syncArgs(s, {{"catalogs", {productCatalog({product("sku-1"), product("sku-3")}, "Acme coffee")}}}));
    c = resultFor(updated, "products");
    QCOMPARE(c["action"].get<std::string>(), std::string("updated"));
    QCOMPARE(c["changes"], json({"name", "items"}));
    QCOMPARE(c["item_count"].get<int>(), 2);
    QCOMPARE(c["items_rejected"].get<int>(), 0);
    QVERIFY(!c.contains("item_issues"));
    QCOMPARE(s.rows(QStringLiteral("mon_resources")), 2);

    // A store catalog beside it; discovery lists both, in id order.
    auto stores = officialCall(s, "sync_catalogs",
                               syncArgs(s, {{"catalogs",
                                             {{{"catalog_id", "stores"},
                                               {"type", "store"},
                                               {"items",
                                                {{{"store_id", "ams-1"},
                                                  {"name", "Amsterdam"},
                                                  {"location", {{"lat", 52.37}, {"lng", 4.9}}}}}}}}}}));
    QCOMPARE(resultFor(stores, "stores")["items_approved"].get<int>(), 1);
    QCOMPARE(resultFor(stores, "products")["action"].get<std::string>(), std::string("unchanged"));
    listed = officialCall(s, "sync_catalogs", syncArgs(s));
    QCOMPARE(listed.result["catalogs"].size(), size_t(2));
    QCOMPARE(listed.result["catalogs"][0]["catalog_id"].get<std::string>(), std::string("products"));

    // catalog_ids narrows the call: only the named catalog is listed.
    auto scoped = officialCall(s, "sync_catalogs", syncArgs(s, {{"catalog_ids", {"stores"}}}));
    QCOMPARE(scoped.result["catalogs"].size(), size_t(1));

    // delete_missing keeps the catalogs sent and deletes the others with their items.
    auto pruned = officialCall(
        s, "sync_catalogs",
        syncArgs(s, {{"catalogs", {productCatalog({product("sku-1"), product("sku-3")}, "Acme coffee")}},
                     {"delete_missing", true}}));
    QCOMPARE(resultFor(pruned, "stores")["action"].get<std::string>(), std::string("deleted"));
    QVERIFY(!resultFor(pruned, "stores").contains("item_count"));
    QCOMPARE(s.rows(QStringLiteral("data_catalogs")), 1);
    QCOMPARE(s.rows(QStringLiteral("mon_resources")), 2);
}

void TestSellerCatalogs::itemReviewByType()
{
    ExecSeller s;
    struct Case
    {
        const char *type;
        json item;
        const char *status;
        const char *reason; // the first reason, "" when none
    };
    const std::vector<Case> cases = {
        {"offering",
         {{"offering_id", "o1"}, {"name", "Summer"}, {"landing_url", "https://acme.example/s"}},
         "approved",
         ""},
        {"offering", {{"offering_id", "o2"}, {"name", "Winter"}}, "warning", "no landing_url"},
        {"job",
         {{"job_id", "j1"}, {"title", "Chef"}, {"company_name", "Acme"}},
         "rejected",
         "missing required field description"},
        {"vehicle",
         {{"vehicle_id", "v1"}, {"title", "Car"}, {"make", "A"}, {"model", "B"}},
         "rejected",
         "missing required field year"},
        {"inventory", {{"sku", "i1"}, {"quantity", 4}}, "approved", ""},
        {"flight", {{"flight_id", "f1"}, {"origin", "AMS"}, {"destination", "JFK"}}, "approved", ""},
    };
    int n = 0;
    for (const auto &c : cases) {
        const std::string id = std::string("cat-").append(std::to_string(n++));
        auto outcome = officialCall(
            s, "sync_catalogs",
            syncArgs(s, {{"catalogs",
                          {{{"catalog_id", id}, {"type", c.type}, {"items", json::array({c.item})}}}}}));
        QVERIFY2(outcome.ok(), c.type);
        const json r = resultFor(outcome, id);
        QCOMPARE(r["item_count"].get<int>(), 1);
        const json issues = r.value("item_issues", json::array());
        if (std::string(c.status) == "approved") {
            QVERIFY2(issues.empty(), r.dump().c_str());
            continue;
        }
        QCOMPARE(issues[0]["status"].get<std::string>(), std::string(c.status));
        QVERIFY2(issues[0]["reasons"][0].get<std::string>().rfind(c.reason, 0) == 0, r.dump().c_str());
    }
}

void TestSellerCatalogs::validationModes()
{
    ExecSeller s;
    const json good = productCatalog({product("sku-1")});
    const json feed = {{"catalog_id", "feed"},
                       {"type", "product"},
                       {"url", "https://feeds.acme.example/products.xml"},
                       {"feed_format", "google_merchant_center"}};
    // Strict (the default): the URL catalog fails the call, and the good one is not written either.
    auto strict = officialCall(s, "sync_catalogs", syncArgs(s, {{"catalogs", {good, feed}}}));
    QVERIFY(!strict.ok());
    QCOMPARE(strict.error->code, std::string("UNSUPPORTED_FEATURE"));
    QCOMPARE(*strict.error->field, std::string("catalogs[1].url"));
    QCOMPARE(s.rows(QStringLiteral("data_catalogs")), 0);
    QCOMPARE(s.rows(QStringLiteral("mon_resources")), 0);

    // Lenient: the good one is created, the other reported failed with its error.
    auto lenient = officialCall(s, "sync_catalogs",
                                syncArgs(s, {{"catalogs", {good, feed}}, {"validation_mode", "lenient"}}));
    QVERIFY(lenient.ok());
    QCOMPARE(resultFor(lenient, "products")["action"].get<std::string>(), std::string("created"));
    const json failed = resultFor(lenient, "feed");
    QCOMPARE(failed["action"].get<std::string>(), std::string("failed"));
    QCOMPARE(failed["errors"][0]["field"].get<std::string>(), std::string("catalogs[1].url"));
    QCOMPARE(s.rows(QStringLiteral("data_catalogs")), 1);

    // Each per-catalog problem, in strict mode: the error names the member; nothing changes.
    struct Case
    {
        const char *why;
        json catalogs;
        const char *code;
        const char *field;
    };
    const std::vector<Case> cases = {
        {"item without its key",
         {{{"catalog_id", "offers"},
           {"type", "offering"},
           {"items", {{{"offering_id", "o1"}, {"name", "A"}}, {{"name", "B"}}}}}},
         "ITEM_VALIDATION_FAILED",
         "catalogs[0].items[1].offering_id"},
        {"item twice",
         {{{"catalog_id", "offers"},
           {"type", "offering"},
           {"items", {{{"offering_id", "o1"}, {"name", "A"}}, {{"offering_id", "o1"}, {"name", "B"}}}}}},
         "ITEM_VALIDATION_FAILED",
         "catalogs[0].items[1].offering_id"},
        {"item of another catalog",
         {{{"catalog_id", "more"}, {"type", "product"}, {"items", json::array({product("sku-1")})}}},
         "ITEM_VALIDATION_FAILED",
         "catalogs[0].items[0].item_id"},
        {"catalog twice", {good, good}, "INVALID_REQUEST", "catalogs[1].catalog_id"},
        {"type changed",
         {{{"catalog_id", "products"},
           {"type", "promotion"},
           {"items", json::array({{{"id", "p"}, {"name", "P"}}})}}},
         "INVALID_REQUEST",
         "catalogs[0].type"},
        {"new catalog without items",
         {{{"catalog_id", "empty"}, {"type", "product"}}},
         "INVALID_REQUEST",
         "catalogs[0].items"},
        {"no catalog_id",
         {{{"type", "product"}, {"items", json::array({product("sku-9")})}}},
         "INVALID_REQUEST",
         "catalogs[0].catalog_id"},
    };
    const int catalogsBefore = s.rows(QStringLiteral("data_catalogs"));
    const int itemsBefore = s.rows(QStringLiteral("mon_resources"));
    for (const auto &c : cases) {
        auto outcome = officialCall(s, "sync_catalogs", syncArgs(s, {{"catalogs", c.catalogs}}));
        QVERIFY2(!outcome.ok(), c.why);
        QCOMPARE(outcome.error->code, std::string(c.code));
        QVERIFY2(outcome.error->field && *outcome.error->field == c.field,
                 (std::string(c.why) + ": field " + outcome.error->field.value_or("none")).c_str());
        QCOMPARE(s.rows(QStringLiteral("data_catalogs")), catalogsBefore);
        QCOMPARE(s.rows(QStringLiteral("mon_resources")), itemsBefore);
    }
}

void TestSellerCatalogs::refusalsChangeNothing()
{
    ExecSeller s;
    QVERIFY(
        officialCall(s, "sync_catalogs", syncArgs(s, {{"catalogs", {productCatalog({product("sku-1")})}}}))
            .ok());
    const json before = officialCall(s, "sync_catalogs", syncArgs(s)).result["catalogs"];
    const int resources = s.rows(QStringLiteral("mon_resources"));
    const int tasks = s.rows(QStringLiteral("exec_tasks"));

    // A dry run answers what it would do and keeps none of it.
    auto dry = officialCall(s, "sync_catalogs",
                            syncArgs(s, {{"catalogs", {productCatalog({product("sku-1"), product("sku-2")})}},
                                         {"delete_missing", true},
                                         {"dry_run", true}}));
    QVERIFY(dry.ok());
    QCOMPARE(dry.result["dry_run"].get<bool>(), true);
    QCOMPARE(resultFor(dry, "products")["item_count"].get<int>(), 2);

    struct Case
    {
        const char *why;
        json extra;
        bool requestValid; // against the official request schema
        const char *code;
        const char *field; // a prefix of the error's field
    };
    // (Availability updates and queries and their refusals: tst_seller_catalogavailability.)
    const std::vector<Case> cases = {
        {"catalog_ids naming nothing",
         {{"catalog_ids", {"nope"}}},
         true,
         "REFERENCE_NOT_FOUND",
         "catalog_ids"},
        {"delete_missing without catalogs", {{"delete_missing", true}}, false, "INVALID_REQUEST", ""},
        {"catalog without a type",
         {{"catalogs", {{{"catalog_id", "x"}, {"items", json::array({product("a")})}}}}},
         false,
         "INVALID_REQUEST",
         "catalogs[0]"},
        {"bad validation_mode", {{"validation_mode", "loose"}}, false, "INVALID_REQUEST", "validation_mode"},
    };
    for (const auto &c : cases) {
        auto outcome = officialCall(s, "sync_catalogs", syncArgs(s, c.extra), c.requestValid);
        QVERIFY2(!outcome.ok(), c.why);
        QCOMPARE(outcome.error->code, std::string(c.code));
        QVERIFY2(outcome.error->field && outcome.error->field->rfind(c.field, 0) == 0,
                 (std::string(c.why) + ": field " + outcome.error->field.value_or("none")).c_str());
    }
    // No account: refused before anything is read.
    auto noAccount = officialCall(s, "sync_catalogs", {{"idempotency_key", s.key()}}, false);
    QVERIFY(!noAccount.ok());

    QCOMPARE(officialCall(s, "sync_catalogs", syncArgs(s)).result["catalogs"], before);
    QCOMPARE(s.rows(QStringLiteral("mon_resources")), resources);
    QCOMPARE(s.rows(QStringLiteral("exec_tasks")), tasks);
}

void TestSellerCatalogs::catalogItemIsWhatTheBuyDependsOn()
{
    ExecSeller s;
    QVERIFY(officialCall(s, "sync_catalogs",
                         syncArgs(s, {{"catalogs", {productCatalog({product("sku-1"), product("sku-2")})}}}))
                .ok());
    json packages = s.packageBuy()["packages"];
    packages[1]["catalogs"] = {{{"catalog_id", "products"}, {"type", "product"}, {"ids", {"sku-1"}}}};
    const json buy = s.activeBuy({{"packages", packages}});
    const std::string id = buy["media_buy_id"];
    QTRY_COMPARE(s.status(id), std::string("active"));
    QCOMPARE(s.mediaBuy(id)["health"].get<std::string>(), std::string("ok"));

    // The seller withdraws the item: the promoting package is impaired.
    s.control("force_catalog_item_status", {{"item_id", "sku-1"}, {"status", "withdrawn"}});
    json b = s.mediaBuy(id);
    QCOMPARE(b["health"].get<std::string>(), std::string("impaired"));
    QCOMPARE(b["impairments"].size(), size_t(1));
    QCOMPARE(b["impairments"][0]["resource_type"].get<std::string>(), std::string("catalog_item"));
    QCOMPARE(b["impairments"][0]["resource_id"].get<std::string>(), std::string("sku-1"));
    QCOMPARE(b["impairments"][0]["transition"]["to"].get<std::string>(), std::string("withdrawn"));
    QCOMPARE(b["impairments"][0]["package_ids"], json::array({exectest::packageId(buy, 1)}));
    // sync_catalogs reports the withdrawal, and a re-sync of the same feed does not lift it.
    auto resynced =
        officialCall(s, "sync_catalogs",
                     syncArgs(s, {{"catalogs", {productCatalog({product("sku-1"), product("sku-2")})}}}));
    QCOMPARE(issueFor(resultFor(resynced, "products"), "sku-1")["status"].get<std::string>(),
             std::string("withdrawn"));
    QCOMPARE(s.mediaBuy(id)["health"].get<std::string>(), std::string("impaired"));
    // The catalog cannot be deleted from under the buy.
    auto kept =
        officialCall(s, "sync_catalogs",
                     syncArgs(s, {{"catalogs",
                                   {{{"catalog_id", "other"},
                                     {"type", "offering"},
                                     {"items", json::array({{{"offering_id", "o"}, {"name", "O"}}})}}}},
                                  {"delete_missing", true}}));
    QVERIFY(!kept.ok());
    QCOMPARE(kept.error->code, std::string("INVALID_STATE"));
    QCOMPARE(*kept.error->field, std::string("delete_missing"));

    // Restored: healthy again.
    s.control("force_catalog_item_status", {{"item_id", "sku-1"}, {"status", "approved"}});
    b = s.mediaBuy(id);
    QCOMPARE(b["health"].get<std::string>(), std::string("ok"));
    QCOMPARE(b["impairments"].size(), size_t(0));

    // The buyer's own feed breaks the item (no price): the review rejects it and the buy is impaired; the
    // fixed feed lifts it.
    officialCall(
        s, "sync_catalogs",
        syncArgs(s, {{"catalogs", {productCatalog({product("sku-1", true, false), product("sku-2")})}}}));
    b = s.mediaBuy(id);
    QCOMPARE(b["health"].get<std::string>(), std::string("impaired"));
    QCOMPARE(b["impairments"][0]["transition"]["to"].get<std::string>(), std::string("rejected"));
    QCOMPARE(b["impairments"][0]["reason_code"].get<std::string>(), std::string("policy_violation"));
    officialCall(s, "sync_catalogs",
                 syncArgs(s, {{"catalogs", {productCatalog({product("sku-1"), product("sku-2")})}}}));
    QCOMPARE(s.mediaBuy(id)["health"].get<std::string>(), std::string("ok"));

    // An item dropped from the feed while a buy promotes it is withdrawn, not deleted.
    auto dropped =
        officialCall(s, "sync_catalogs", syncArgs(s, {{"catalogs", {productCatalog({product("sku-2")})}}}));
    QCOMPARE(resultFor(dropped, "products")["item_count"].get<int>(), 1);
    b = s.mediaBuy(id);
    QCOMPARE(b["health"].get<std::string>(), std::string("impaired"));
    QCOMPARE(b["impairments"][0]["resource_id"].get<std::string>(), std::string("sku-1"));
    QCOMPARE(b["impairments"][0]["reason_code"].get<std::string>(), std::string("seller_removed"));
    // Back in the feed: reviewed again and serving.
    officialCall(s, "sync_catalogs",
                 syncArgs(s, {{"catalogs", {productCatalog({product("sku-1"), product("sku-2")})}}}));
    QCOMPARE(s.mediaBuy(id)["health"].get<std::string>(), std::string("ok"));

    // update_media_buy replaces the package's catalogs: it now promotes sku-2 only, so withdrawing sku-1
    // leaves the buy ok and withdrawing sku-2 impairs it.
    auto updated = officialCall(
        s, "update_media_buy",
        {{"idempotency_key", s.key()},
         {"adcp_version", "3.2"},
         {"account", kAccount},
         {"media_buy_id", id},
         {"packages",
          {{{"package_id", exectest::packageId(buy, 1)},
            {"catalogs", {{{"catalog_id", "products"}, {"type", "product"}, {"ids", {"sku-2"}}}}}}}}});
    QVERIFY2(updated.ok(), updated.result.dump().c_str());
    s.control("force_catalog_item_status", {{"item_id", "sku-1"}, {"status", "withdrawn"}});
    QCOMPARE(s.mediaBuy(id)["health"].get<std::string>(), std::string("ok"));
    s.control("force_catalog_item_status", {{"item_id", "sku-2"}, {"status", "withdrawn"}});
    QCOMPARE(s.mediaBuy(id)["impairments"][0]["resource_id"].get<std::string>(), std::string("sku-2"));
    s.control("force_catalog_item_status", {{"item_id", "sku-2"}, {"status", "approved"}});
    QCOMPARE(s.mediaBuy(id)["health"].get<std::string>(), std::string("ok"));
    // An update naming an unknown catalog is refused and changes nothing.
    auto refused = officialCall(s, "update_media_buy",
                                {{"idempotency_key", s.key()},
                                 {"account", kAccount},
                                 {"media_buy_id", id},
                                 {"packages",
                                  {{{"package_id", exectest::packageId(buy, 1)},
                                    {"catalogs", {{{"catalog_id", "nope"}, {"type", "product"}}}}}}}});
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error->code, std::string("REFERENCE_NOT_FOUND"));
    QCOMPARE(*refused.error->field, std::string("packages[0].catalogs[0].catalog_id"));
    s.control("force_catalog_item_status", {{"item_id", "sku-2"}, {"status", "withdrawn"}});
    QCOMPARE(s.mediaBuy(id)["health"].get<std::string>(), std::string("impaired"));
}

void TestSellerCatalogs::buysReferenceOnlySyncedCatalogs()
{
    ExecSeller s;
    QVERIFY(
        officialCall(s, "sync_catalogs", syncArgs(s, {{"catalogs", {productCatalog({product("sku-1")})}}}))
            .ok());
    const int buysBefore = s.rows(QStringLiteral("media_buys"));
    struct Case
    {
        const char *why;
        json catalogs;
        const char *code;
        const char *field;
    };
    const std::vector<Case> cases = {
        {"unknown catalog", json::parse(R"([{"catalog_id": "nope", "type": "product"}])"),
         "REFERENCE_NOT_FOUND", "packages[1].catalogs[0].catalog_id"},
        {"unknown item",
         json::parse(R"([{"catalog_id": "products", "type": "product", "ids": ["sku-1", "sku-x"]}])"),
         "REFERENCE_NOT_FOUND", "packages[1].catalogs[0].ids[1]"},
        {"wrong type", json::parse(R"([{"catalog_id": "products", "type": "store"}])"), "INVALID_REQUEST",
         "packages[1].catalogs[0].type"},
        {"two catalogs of one type",
         json::parse(R"([{"catalog_id": "products", "type": "product"}, {"type": "product", "ids": ["x"]}])"),
         "INVALID_REQUEST", "packages[1].catalogs[1].type"},
    };
    // Written as JSON text: a braced list of one object may be read as an array of arrays.
    for (const auto &c : cases) {
        json args = s.packageBuy();
        args["packages"][1]["catalogs"] = c.catalogs;
        auto outcome = s.call("create_media_buy", args);
        QVERIFY2(!outcome.ok(), c.why);
        QCOMPARE(outcome.error->code, std::string(c.code));
        QVERIFY2(outcome.error->field && *outcome.error->field == c.field,
                 (std::string(c.why) + ": field " + outcome.error->field.value_or("none")).c_str());
    }
    QCOMPARE(s.rows(QStringLiteral("media_buys")), buysBefore);
    // A whole-catalog reference (no ids) depends on every item of the catalog.
    json args = s.packageBuy();
    args["packages"][1]["catalogs"] = json::parse(R"([{"catalog_id": "products", "type": "product"}])");
    auto created = s.call("create_media_buy", args);
    QVERIFY2(created.ok(), created.result.dump().c_str());
    const std::string id = created.result["media_buy_id"];
    QVERIFY(s.waitForJobs());
    s.control("force_catalog_item_status", {{"item_id", "sku-1"}, {"status", "withdrawn"}});
    QCOMPARE(s.mediaBuy(id)["impairments"][0]["resource_id"].get<std::string>(), std::string("sku-1"));
}

void TestSellerCatalogs::catalogsAreThePrincipalsOwn()
{
    ExecSeller s;
    QVERIFY(
        officialCall(s, "sync_catalogs", syncArgs(s, {{"catalogs", {productCatalog({product("sku-1")})}}}))
            .ok());
    // Another principal sees nothing, cannot reference it, and its own catalog of the same id is its own.
    auto theirs = officialCall(s, "sync_catalogs", syncArgs(s), true, &s.other);
    QCOMPARE(theirs.result["catalogs"].size(), size_t(0));
    json args = s.packageBuy();
    args["packages"][1]["catalogs"] = json::parse(R"([{"catalog_id": "products", "type": "product"}])");
    auto refused = s.call(s.other, "create_media_buy", args);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error->code, std::string("REFERENCE_NOT_FOUND"));
    auto own =
        officialCall(s, "sync_catalogs", syncArgs(s, {{"catalogs", {productCatalog({product("sku-1")})}}}),
                     true, &s.other);
    QCOMPARE(resultFor(own, "products")["action"].get<std::string>(), std::string("created"));
}

void TestSellerCatalogs::dataSurvivesRestart()
{
    ExecSeller s;
    QVERIFY(officialCall(
                s, "sync_catalogs",
                syncArgs(s, {{"catalogs", {productCatalog({product("sku-1"), product("sku-2", false)})}}}))
                .ok());
    s.control("force_catalog_item_status", {{"item_id", "sku-1"}, {"status", "withdrawn"}});
    const json before = officialCall(s, "sync_catalogs", syncArgs(s)).result["catalogs"];
    s.restart();
    const json after = officialCall(s, "sync_catalogs", syncArgs(s)).result["catalogs"];
    QCOMPARE(after, before);
    QCOMPARE(issueFor(after[0], "sku-1")["status"].get<std::string>(), std::string("withdrawn"));
}

void TestSellerCatalogs::capabilitiesDeclareCatalogManagement()
{
    ExecSeller s;
    const auto outcome = s.call("get_adcp_capabilities", json::object());
    QVERIFY(outcome.ok());
    exectest::expectOfficial("/schemas/protocol/get-adcp-capabilities-response.json", outcome.result);
    const json features = outcome.result["media_buy"]["features"];
    QCOMPARE(features["catalog_management"].get<bool>(), true);
    QCOMPARE(features["catalog_item_availability_updates"].get<bool>(), true);
}

QTEST_GUILESS_MAIN(TestSellerCatalogs)
#include "tst_seller_catalogs.moc"
