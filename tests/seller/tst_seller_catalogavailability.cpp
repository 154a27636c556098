// sync_catalogs' buyer-authored item availability (item_availability_updates and item_availability_queries)
// against a real seller on a fresh database: suppress and restore with overlay revisions (CONFLICT without
// mutation), expiry on the seller clock, generations (a stale one is not found), the closed not-found shape
// for unknown, stale and foreign references alike, strict and lenient modes, dry runs, the suppression as an
// impairment of the buys that promote the item (and its end), persistence across a restart, and the
// catalog_item_availability_probe controller scenario. Requests and answers are checked against the
// official AdCP schemas, success and every error.

#include "execfixture.h"
#include "officialcall.h"
#include "officialschemas.h"

#include <QtTest>

using exectest::ExecSeller;
using exectest::officialCall;
using nlohmann::json;

namespace {

const json kAccount = {{"account_id", "acc-1"}};

json availabilityProduct(const std::string &sku)
{
    return {{"item_id", sku},
            {"title", "Item " + sku},
            {"image_url", "https://cdn.acme.example/" + sku + ".jpg"},
            {"price", {{"amount", 12.5}, {"currency", "USD"}}}};
}

json availabilityCatalog(const std::vector<std::string> &skus)
{
    json items = json::array();
    for (const auto &sku : skus)
        items.push_back(availabilityProduct(sku));
    return {{"catalog_id", "products"}, {"name", "Acme products"}, {"type", "product"}, {"items", items}};
}

json ref(const std::string &generation, const std::string &item, const std::string &catalog = "products")
{
    return {{"catalog_id", catalog}, {"catalog_generation", generation}, {"item_id", item}};
}

json update(const json &reference, int expected, const std::string &action, const std::string &reason,
            const json &extra = json::object())
{
    json u = reference;
    u["expected_overlay_revision"] = expected;
    u["action"] = action;
    u["reason"] = reason;
    u.update(extra);
    return u;
}

std::string later(ExecSeller &s, qint64 seconds)
{
    return s.context->clock().now().addSecs(seconds).toUTC().toString(Qt::ISODate).toStdString();
}

} // namespace

class TestSellerCatalogAvailability : public QObject
{
    Q_OBJECT

private:
    json args(ExecSeller &s, const json &extra) const
    {
        json a = {{"idempotency_key", s.key()}, {"account", kAccount}};
        a.update(extra);
        return a;
    }
    // The generation of the buyer's "products" catalog, synced with `skus` first.
    std::string syncProducts(ExecSeller &s, const std::vector<std::string> &skus,
                             const adcp::seller::Principal *who = nullptr)
    {
        const auto out = officialCall(
            s, "sync_catalogs", args(s, {{"catalogs", json::array({availabilityCatalog(skus)})}}), true, who);
        if (!out.ok())
            qFatal("sync_catalogs failed: %s", out.result.dump().c_str());
        return out.result["catalogs"][0]["catalog_generation"].get<std::string>();
    }
    adcp::ToolOutcome updates(ExecSeller &s, const json &list, const json &extra = json::object(),
                              bool requestValid = true, const adcp::seller::Principal *who = nullptr)
    {
        json a = args(s, {{"item_availability_updates", list}});
        a.update(extra);
        return officialCall(s, "sync_catalogs", a, requestValid, who);
    }
    json state(ExecSeller &s, const json &reference, const adcp::seller::Principal *who = nullptr)
    {
        const auto out =
            officialCall(s, "sync_catalogs",
                         args(s, {{"item_availability_queries", json::array({reference})}}), true, who);
        return out.ok() ? out.result["item_availability_states"][0] : json({{"error", out.result}});
    }
    json probe(ExecSeller &s, const json &params, bool validRequest = true)
    {
        const json a = {{"scenario", "catalog_item_availability_probe"},
                        {"params", params},
                        {"account", {{"sandbox", true}}}};
        if (validRequest)
            exectest::expectOfficial("/schemas/compliance/comply-test-controller-request.json", a);
        const auto o = s.call("comply_test_controller", a);
        exectest::expectOfficial("/schemas/compliance/comply-test-controller-response.json", o.result);
        return o.result;
    }
    static void expectNotFound(const json &error)
    {
        QCOMPARE(error, json({{"code", "REFERENCE_NOT_FOUND"},
                              {"message", "Catalog item not found"},
                              {"recovery", "correctable"}}));
    }

private Q_SLOTS:
    void initTestCase();
    void suppressAndRestore();
    void mixedRequestIsOneStagedCommit();
    void suppressionOutlivesFeedUpserts();
    void concurrentWritersConflict();
    void badInputChangesNothing();
    void lenientModeAnswersInPlace();
    void generationsAndDeletion();
    void referencesAreThePrincipalsOwn();
    void suppressionImpairsTheBuy();
    void expiryOnTheSellerClock();
    void stateSurvivesRestart();
    void controllerProbe();
    void capabilitiesDeclareAvailability();
};

void TestSellerCatalogAvailability::initTestCase()
{
    if (!adcp::testsupport::officialSchemasAbsent()) {
        QString error;
        QVERIFY2(adcp::testsupport::officialSchemas(&error), qPrintable(error));
    }
}

void TestSellerCatalogAvailability::suppressAndRestore()
{
    ExecSeller s;
    const std::string gen = syncProducts(s, {"sku-1", "sku-2"});
    json st = state(s, ref(gen, "sku-1"));
    QCOMPARE(st["status"], json("found"));
    QCOMPARE(st["availability"], json("active"));
    QCOMPARE(st["overlay_revision"], json(0));
    QCOMPARE(st["request_index"], json(0));

    auto out = updates(s, json::array({update(ref(gen, "sku-1"), 0, "suppress", "out_of_stock")}));
    QVERIFY2(out.ok(), out.result.dump().c_str());
    json ack = out.result["item_availability_updates"][0];
    QCOMPARE(ack["status"], json("applied"));
    QCOMPARE(ack["availability"], json("suppressed"));
    QCOMPARE(ack["overlay_revision"], json(1));
    QCOMPARE(ack["catalog_generation"], json(gen));
    QVERIFY(ack.contains("applied_at"));
    QVERIFY(!ack.contains("expires_at"));
    QCOMPARE(s.rows(QStringLiteral("exec_tasks WHERE task_type = 'sync_catalogs'")),
             2); // a mutation, recorded

    // The same suppression again: unchanged, same revision. A new expiry is a change; dropping it too.
    out = updates(s, json::array({update(ref(gen, "sku-1"), 1, "suppress", "buyer_request")}));
    QCOMPARE(out.result["item_availability_updates"][0]["status"], json("unchanged"));
    QCOMPARE(out.result["item_availability_updates"][0]["overlay_revision"], json(1));
    const std::string expiry = later(s, 7200);
    out = updates(s, json::array({update(ref(gen, "sku-1"), 1, "suppress", "promotion_end",
                                         {{"expires_at", expiry}})}));
    ack = out.result["item_availability_updates"][0];
    QCOMPARE(ack["status"], json("applied"));
    QCOMPARE(ack["overlay_revision"], json(2));
    QCOMPARE(ack["expires_at"], json(expiry));
    QCOMPARE(state(s, ref(gen, "sku-1"))["expires_at"], json(expiry));
    out = updates(s, json::array({update(ref(gen, "sku-1"), 2, "suppress", "other",
                                         {{"reason_detail", "recall pending"}})}));
    ack = out.result["item_availability_updates"][0];
    QCOMPARE(ack["status"], json("applied"));
    QCOMPARE(ack["overlay_revision"], json(3));
    QVERIFY(!ack.contains("expires_at"));

    // Restore, then restore again (unchanged); the other item was never touched.
    out = updates(s, json::array({update(ref(gen, "sku-1"), 3, "restore", "back_in_stock")}));
    ack = out.result["item_availability_updates"][0];
    QCOMPARE(ack["status"], json("applied"));
    QCOMPARE(ack["availability"], json("active"));
    QCOMPARE(ack["overlay_revision"], json(4));
    out = updates(s, json::array({update(ref(gen, "sku-1"), 4, "restore", "buyer_request"),
                                  update(ref(gen, "sku-2"), 0, "restore", "content_available")}));
    QCOMPARE(out.result["item_availability_updates"][0]["status"], json("unchanged"));
    QCOMPARE(out.result["item_availability_updates"][1]["status"], json("unchanged"));
    QCOMPARE(out.result["item_availability_updates"][1]["request_index"], json(1));
    st = state(s, ref(gen, "sku-1"));
    QCOMPARE(st["availability"], json("active"));
    QCOMPARE(st["overlay_revision"], json(4));

    // A replay answers the first acknowledgement again and changes nothing.
    const json again = args(s, {{"item_availability_updates",
                                 json::array({update(ref(gen, "sku-2"), 0, "suppress", "out_of_stock")})}});
    const auto once = officialCall(s, "sync_catalogs", again);
    const auto twice = officialCall(s, "sync_catalogs", again);
    QVERIFY(twice.result.value("replayed", false));
    QCOMPARE(twice.result["item_availability_updates"], once.result["item_availability_updates"]);
    QCOMPARE(state(s, ref(gen, "sku-2"))["overlay_revision"], json(1));
}

void TestSellerCatalogAvailability::mixedRequestIsOneStagedCommit()
{
    ExecSeller s;
    const std::string gen = syncProducts(s, {"sku-1"});
    // One call adds sku-2 to the feed, suppresses it and reads it: the update sees the upserted item, the
    // query the updated state.
    const auto out = officialCall(
        s, "sync_catalogs",
        args(s, {{"catalogs", json::array({availabilityCatalog({"sku-1", "sku-2"})})},
                 {"item_availability_updates",
                  json::array({update(ref(gen, "sku-2"), 0, "suppress", "out_of_stock")})},
                 {"item_availability_queries", json::array({ref(gen, "sku-2"), ref(gen, "sku-1")})}}));
    QVERIFY2(out.ok(), out.result.dump().c_str());
    QCOMPARE(out.result["catalogs"][0]["item_count"], json(2));
    QCOMPARE(out.result["item_availability_updates"][0]["status"], json("applied"));
    QCOMPARE(out.result["item_availability_states"][0]["availability"], json("suppressed"));
    QCOMPARE(out.result["item_availability_states"][0]["overlay_revision"], json(1));
    QCOMPARE(out.result["item_availability_states"][1]["availability"], json("active"));
    QCOMPARE(out.result["item_availability_states"][1]["request_index"], json(1));

    // Strict: a failing update in a mixed call keeps the catalog change out too.
    const auto refused =
        officialCall(s, "sync_catalogs",
                     args(s, {{"catalogs", json::array({availabilityCatalog({"sku-1", "sku-2", "sku-3"})})},
                              {"item_availability_updates",
                               json::array({update(ref(gen, "sku-3"), 5, "suppress", "out_of_stock")})}}));
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error->code, std::string("CONFLICT"));
    const auto listed = officialCall(s, "sync_catalogs", args(s, json::object()));
    QCOMPARE(listed.result["catalogs"][0]["item_count"], json(2));

    // Queries may ride on a dry run; nothing is kept.
    const int rows = s.rows(QStringLiteral("data_catalog_item_availability"));
    const auto dry = officialCall(s, "sync_catalogs",
                                  args(s, {{"catalogs", json::array({availabilityCatalog({"sku-1"})})},
                                           {"dry_run", true},
                                           {"item_availability_queries", json::array({ref(gen, "sku-2")})}}));
    QVERIFY2(dry.ok(), dry.result.dump().c_str());
    QCOMPARE(dry.result["item_availability_states"][0]["status"], json("found"));
    QCOMPARE(s.rows(QStringLiteral("data_catalog_item_availability")), rows);
    QCOMPARE(officialCall(s, "sync_catalogs", args(s, json::object())).result["catalogs"][0]["item_count"],
             json(2));
}

void TestSellerCatalogAvailability::suppressionOutlivesFeedUpserts()
{
    ExecSeller s;
    const std::string gen = syncProducts(s, {"sku-1", "sku-2"});
    QVERIFY(updates(s, json::array({update(ref(gen, "sku-1"), 0, "suppress", "out_of_stock")})).ok());
    // The feed again, then without the item, then with it: the generation stays, so does the suppression.
    QCOMPARE(syncProducts(s, {"sku-1", "sku-2"}), gen);
    QCOMPARE(state(s, ref(gen, "sku-1"))["availability"], json("suppressed"));
    QCOMPARE(syncProducts(s, {"sku-2"}), gen);
    const json tombstone = state(s, ref(gen, "sku-1"));
    QCOMPARE(tombstone["status"], json("found"));
    QCOMPARE(tombstone["availability"], json("suppressed"));
    QCOMPARE(syncProducts(s, {"sku-1", "sku-2"}), gen);
    QCOMPARE(state(s, ref(gen, "sku-1"))["overlay_revision"], json(1));
    // A restore of an item that was never in the feed and has no overlay is not found.
    auto out = updates(s, json::array({update(ref(gen, "sku-9"), 0, "restore", "back_in_stock")}));
    QVERIFY(!out.ok());
    expectNotFound(out.result["errors"][0]);
}

void TestSellerCatalogAvailability::concurrentWritersConflict()
{
    ExecSeller s;
    const std::string gen = syncProducts(s, {"sku-1"});
    // Two writers read revision 0; the first one's suppress applies, the second's restore is refused with
    // CONFLICT and changes nothing.
    QCOMPARE(state(s, ref(gen, "sku-1"))["overlay_revision"], json(0));
    QVERIFY(updates(s, json::array({update(ref(gen, "sku-1"), 0, "suppress", "out_of_stock")})).ok());
    const auto late = updates(s, json::array({update(ref(gen, "sku-1"), 0, "restore", "back_in_stock")}));
    QVERIFY(!late.ok());
    QCOMPARE(late.error->code, std::string("CONFLICT"));
    QCOMPARE(*late.error->field, std::string("item_availability_updates[0].expected_overlay_revision"));
    QCOMPARE(late.result["errors"][0]["recovery"], json("transient"));
    QCOMPARE(late.result["errors"][0]["details"]["current_overlay_revision"], json(1));
    const json st = state(s, ref(gen, "sku-1"));
    QCOMPARE(st["availability"], json("suppressed"));
    QCOMPARE(st["overlay_revision"], json(1));
    // A writer ahead of the state is refused as well.
    QCOMPARE(updates(s, json::array({update(ref(gen, "sku-1"), 7, "restore", "back_in_stock")})).error->code,
             std::string("CONFLICT"));
}

void TestSellerCatalogAvailability::badInputChangesNothing()
{
    ExecSeller s;
    const std::string gen = syncProducts(s, {"sku-1", "sku-2"});
    QVERIFY(updates(s, json::array({update(ref(gen, "sku-2"), 0, "suppress", "out_of_stock")})).ok());
    const int overlays = s.rows(QStringLiteral("data_catalog_item_availability"));
    const int tasks = s.rows(QStringLiteral("exec_tasks"));
    const json good = update(ref(gen, "sku-1"), 0, "suppress", "out_of_stock");
    json many = json::array();
    for (int i = 0; i < 600; ++i)
        many.push_back(
            update(ref(gen, std::string("sku-x").append(std::to_string(i))), 0, "suppress", "out_of_stock"));
    json manyQueries = json::array();
    for (int i = 0; i < 401; ++i)
        manyQueries.push_back(ref(gen, std::string("sku-q").append(std::to_string(i))));
    json missingItem = good;
    missingItem.erase("item_id");
    struct Case
    {
        const char *why;
        json extra;
        bool requestValid; // against the official request schema
        const char *code;
        const char *field; // "" = the closed not-found shape (no field)
    };
    const std::vector<Case> cases = {
        {"other without reason_detail",
         {{"item_availability_updates",
           json::array({good, update(ref(gen, "sku-2"), 1, "restore", "other")})}},
         false,
         "INVALID_REQUEST",
         "item_availability_updates[1].reason_detail"},
        {"a restore reason on a suppress",
         {{"item_availability_updates",
           json::array({update(ref(gen, "sku-1"), 0, "suppress", "back_in_stock")})}},
         false,
         "INVALID_REQUEST",
         "item_availability_updates[0].reason"},
        {"expires_at on a restore",
         {{"item_availability_updates", json::array({update(ref(gen, "sku-2"), 1, "restore", "back_in_stock",
                                                            {{"expires_at", later(s, 60)}})})}},
         false,
         "INVALID_REQUEST",
         "item_availability_updates[0].expires_at"},
        {"an unknown action",
         {{"item_availability_updates", json::array({update(ref(gen, "sku-1"), 0, "hide", "out_of_stock")})}},
         false,
         "INVALID_REQUEST",
         "item_availability_updates[0].action"},
        {"a negative revision",
         {{"item_availability_updates",
           json::array({update(ref(gen, "sku-1"), -1, "suppress", "out_of_stock")})}},
         false,
         "INVALID_REQUEST",
         "item_availability_updates[0].expected_overlay_revision"},
        {"no item_id",
         {{"item_availability_updates", json::array({missingItem})}},
         false,
         "INVALID_REQUEST",
         "item_availability_updates[0].item_id"},
        {"an item updated twice",
         {{"item_availability_updates",
           json::array({good, update(ref(gen, "sku-1"), 1, "restore", "back_in_stock")})}},
         true,
         "INVALID_REQUEST",
         "item_availability_updates[1].item_id"},
        {"updates in a dry run",
         {{"item_availability_updates", json::array({good})}, {"dry_run", true}},
         false,
         "INVALID_REQUEST",
         "dry_run"},
        {"over 1000 entries together",
         {{"item_availability_updates", many}, {"item_availability_queries", manyQueries}},
         true,
         "INVALID_REQUEST",
         "item_availability_updates"},
        {"an expiry not in the future",
         {{"item_availability_updates", json::array({update(ref(gen, "sku-1"), 0, "suppress", "out_of_stock",
                                                            {{"expires_at", later(s, -60)}})})}},
         true,
         "INVALID_REQUEST",
         "item_availability_updates[0].expires_at"},
        {"a stale revision",
         {{"item_availability_updates",
           json::array({good, update(ref(gen, "sku-2"), 0, "restore", "back_in_stock")})}},
         true,
         "CONFLICT",
         "item_availability_updates[1].expected_overlay_revision"},
        {"an unknown catalog",
         {{"item_availability_updates",
           json::array({good, update(ref(gen, "sku-1", "nope"), 0, "suppress", "out_of_stock")})}},
         true,
         "REFERENCE_NOT_FOUND",
         ""},
        {"a stale generation",
         {{"item_availability_updates",
           json::array({update(ref("catgen_stale", "sku-1"), 0, "suppress", "out_of_stock")})}},
         true,
         "REFERENCE_NOT_FOUND",
         ""},
        {"an unknown item",
         {{"item_availability_updates",
           json::array({update(ref(gen, "sku-9"), 0, "suppress", "out_of_stock")})}},
         true,
         "REFERENCE_NOT_FOUND",
         ""},
        {"a query of an unknown item",
         {{"item_availability_updates", json::array({good})},
          {"item_availability_queries", json::array({ref(gen, "sku-9")})}},
         true,
         "REFERENCE_NOT_FOUND",
         ""},
    };
    for (const auto &c : cases) {
        json a = args(s, c.extra);
        const auto outcome = officialCall(s, "sync_catalogs", a, c.requestValid);
        QVERIFY2(!outcome.ok(), c.why);
        QVERIFY2(outcome.error->code == c.code, (std::string(c.why) + ": " + outcome.error->code).c_str());
        if (std::string(c.field).empty()) {
            QCOMPARE(outcome.result["errors"].size(), size_t(1));
            expectNotFound(outcome.result["errors"][0]);
        } else {
            QVERIFY2(outcome.error->field && *outcome.error->field == c.field,
                     (std::string(c.why) + ": field " + outcome.error->field.value_or("none")).c_str());
            QVERIFY2(!outcome.error->message.empty() && outcome.result["errors"][0].contains("recovery"),
                     c.why);
        }
        QCOMPARE(s.rows(QStringLiteral("data_catalog_item_availability")), overlays);
        QCOMPARE(s.rows(QStringLiteral("exec_tasks")), tasks);
    }
    QCOMPARE(state(s, ref(gen, "sku-1"))["overlay_revision"], json(0));
    QCOMPARE(state(s, ref(gen, "sku-2"))["overlay_revision"], json(1));
}

void TestSellerCatalogAvailability::lenientModeAnswersInPlace()
{
    ExecSeller s;
    const std::string gen = syncProducts(s, {"sku-1", "sku-2"});
    const auto out = updates(s,
                             json::array({update(ref("catgen_stale", "sku-1"), 0, "suppress", "out_of_stock"),
                                          update(ref(gen, "sku-1"), 0, "suppress", "out_of_stock"),
                                          update(ref(gen, "sku-2"), 3, "suppress", "out_of_stock"),
                                          update(ref(gen, "sku-2"), 0, "suppress", "content_unavailable",
                                                 {{"expires_at", later(s, -1)}})}),
                             {{"validation_mode", "lenient"}});
    // The same item twice is refused before anything is looked up, in lenient mode too.
    QVERIFY(!out.ok());
    QCOMPARE(*out.error->field, std::string("item_availability_updates[3].item_id"));

    const auto lenient =
        updates(s,
                json::array({update(ref("catgen_stale", "sku-1"), 0, "suppress", "out_of_stock"),
                             update(ref(gen, "sku-1"), 0, "suppress", "out_of_stock"),
                             update(ref(gen, "sku-2"), 3, "suppress", "out_of_stock")}),
                {{"validation_mode", "lenient"},
                 {"item_availability_queries", json::array({ref(gen, "nope"), ref(gen, "sku-1")})}});
    QVERIFY2(lenient.ok(), lenient.result.dump().c_str());
    const json acks = lenient.result["item_availability_updates"];
    QCOMPARE(acks.size(), size_t(3));
    QCOMPARE(acks[0]["status"], json("failed"));
    QCOMPARE(acks[0]["request_index"], json(0));
    QCOMPARE(acks[0]["catalog_generation"], json("catgen_stale"));
    expectNotFound(acks[0]["errors"][0]);
    QCOMPARE(acks[1]["status"], json("applied"));
    QCOMPARE(acks[2]["status"], json("failed"));
    QCOMPARE(acks[2]["errors"][0]["code"], json("CONFLICT"));
    const json states = lenient.result["item_availability_states"];
    QCOMPARE(states[0]["status"], json("failed"));
    expectNotFound(states[0]["errors"][0]);
    QCOMPARE(states[1]["availability"], json("suppressed"));
    QCOMPARE(state(s, ref(gen, "sku-2"))["overlay_revision"], json(0));
}

void TestSellerCatalogAvailability::generationsAndDeletion()
{
    ExecSeller s;
    const std::string gen = syncProducts(s, {"sku-1"});
    QVERIFY(updates(s, json::array({update(ref(gen, "sku-1"), 0, "suppress", "out_of_stock")})).ok());
    // Deleted (delete_missing keeps only another catalog) and synced again: a new generation, no overlays; a
    // delayed update naming the old generation is not found and does not touch the new incarnation.
    const json other = {
        {"catalog_id", "stores"},
        {"type", "store"},
        {"items",
         json::array({{{"store_id", "ams"}, {"name", "A"}, {"location", {{"lat", 1}, {"lng", 2}}}}})}};
    auto deleted = officialCall(s, "sync_catalogs",
                                args(s, {{"catalogs", json::array({other})}, {"delete_missing", true}}));
    QVERIFY2(deleted.ok(), deleted.result.dump().c_str());
    QCOMPARE(s.rows(QStringLiteral("data_catalog_item_availability")), 0);
    const std::string fresh = syncProducts(s, {"sku-1"});
    QVERIFY(fresh != gen);
    const auto stale = updates(s, json::array({update(ref(gen, "sku-1"), 1, "restore", "back_in_stock")}));
    QVERIFY(!stale.ok());
    expectNotFound(stale.result["errors"][0]);
    QCOMPARE(state(s, ref(fresh, "sku-1"))["availability"], json("active"));
    QCOMPARE(state(s, ref(fresh, "sku-1"))["overlay_revision"], json(0));
    QVERIFY(state(s, ref(gen, "sku-1")).contains("error"));
    // Discovery gives every catalog's generation.
    const auto listed = officialCall(s, "sync_catalogs", args(s, json::object()));
    for (const auto &c : listed.result["catalogs"])
        QVERIFY(c.contains("catalog_generation"));
}

void TestSellerCatalogAvailability::referencesAreThePrincipalsOwn()
{
    ExecSeller s;
    const std::string gen = syncProducts(s, {"sku-1"});
    const json theirs = update(ref(gen, "sku-1"), 0, "suppress", "out_of_stock");
    // Another principal naming the buyer's catalog and generation gets exactly what an unknown one gets.
    const auto foreign = updates(s, json::array({theirs}), json::object(), true, &s.other);
    const auto unknown =
        updates(s, json::array({update(ref("catgen_x", "sku-1", "never"), 0, "suppress", "out_of_stock")}),
                json::object(), true, &s.other);
    QVERIFY(!foreign.ok());
    QCOMPARE(foreign.result["errors"], unknown.result["errors"]);
    expectNotFound(foreign.result["errors"][0]);
    QVERIFY(state(s, ref(gen, "sku-1"), &s.other).contains("error"));
    // Another account of the same principal does not reach it either.
    json a = args(s, {{"item_availability_queries", json::array({ref(gen, "sku-1")})}});
    a["account"] = {{"account_id", "acc-2"}};
    const auto otherAccount = officialCall(s, "sync_catalogs", a);
    QVERIFY(!otherAccount.ok());
    QCOMPARE(otherAccount.result["errors"], unknown.result["errors"]);
    // The other principal's own catalog of the same id is its own, with its own generation and state.
    const std::string own = syncProducts(s, {"sku-1"}, &s.other);
    QVERIFY(own != gen);
    QVERIFY(updates(s, json::array({update(ref(own, "sku-1"), 0, "suppress", "out_of_stock")}),
                    json::object(), true, &s.other)
                .ok());
    QCOMPARE(state(s, ref(gen, "sku-1"))["availability"], json("active"));
    // A reference seeded for someone else (the controller) is not found either.
    const json seeded =
        probe(s, {{"operation", "seed_inaccessible_item"}, {"catalog_id", "products"}, {"item_id", "sku-1"}});
    QCOMPARE(seeded["success"], json(true));
    const std::string foreignGen = seeded["simulated"]["catalog_generation"];
    const auto seededRef =
        updates(s, json::array({update(ref(foreignGen, "sku-1"), 0, "suppress", "out_of_stock")}));
    QCOMPARE(seededRef.result["errors"], unknown.result["errors"]);
}

void TestSellerCatalogAvailability::suppressionImpairsTheBuy()
{
    ExecSeller s;
    const std::string gen = syncProducts(s, {"sku-1", "sku-2"});
    json packages = s.packageBuy()["packages"];
    packages[1]["catalogs"] =
        json::array({{{"catalog_id", "products"}, {"type", "product"}, {"ids", {"sku-1"}}}});
    const json buy = s.activeBuy({{"packages", packages}});
    const std::string id = buy["media_buy_id"];
    QTRY_COMPARE(s.status(id), std::string("active"));
    QCOMPARE(s.mediaBuy(id)["health"], json("ok"));

    // The buyer suppresses the promoted item: the package is impaired at once.
    QVERIFY(updates(s, json::array({update(ref(gen, "sku-1"), 0, "suppress", "out_of_stock")})).ok());
    const auto read =
        officialCall(s, "get_media_buys", {{"account", kAccount}, {"media_buy_ids", json::array({id})}});
    json b = read.result["media_buys"][0];
    QCOMPARE(b["health"], json("impaired"));
    QCOMPARE(b["impairments"].size(), size_t(1));
    const json imp = b["impairments"][0];
    QCOMPARE(imp["resource_type"], json("catalog_item"));
    QCOMPARE(imp["resource_id"], json("sku-1"));
    QCOMPARE(imp["transition"]["from"], json("approved"));
    QCOMPARE(imp["transition"]["to"], json("withdrawn"));
    QCOMPARE(imp["reason_code"], json("seller_removed"));
    QCOMPARE(imp["package_ids"], json::array({exectest::packageId(buy, 1)}));
    QVERIFY(imp["reason"].get<std::string>().find("out_of_stock") != std::string::npos);
    // sync_catalogs keeps reporting the item's review status: the suppression is the buyer's, not a
    // seller verdict. A re-sync of the feed keeps the impairment.
    QCOMPARE(syncProducts(s, {"sku-1", "sku-2"}), gen);
    QCOMPARE(s.mediaBuy(id)["health"], json("impaired"));
    // The other item's suppression does not touch this buy.
    QVERIFY(updates(s, json::array({update(ref(gen, "sku-2"), 0, "suppress", "out_of_stock")})).ok());
    QCOMPARE(s.mediaBuy(id)["impairments"].size(), size_t(1));

    // Restored: healthy again.
    QVERIFY(updates(s, json::array({update(ref(gen, "sku-1"), 1, "restore", "back_in_stock")})).ok());
    QCOMPARE(s.mediaBuy(id)["health"], json("ok"));

    // A restore does not lift the seller's own withdrawal.
    QVERIFY(updates(s, json::array({update(ref(gen, "sku-1"), 2, "suppress", "out_of_stock")})).ok());
    s.control("force_catalog_item_status", {{"item_id", "sku-1"}, {"status", "withdrawn"}});
    QVERIFY(updates(s, json::array({update(ref(gen, "sku-1"), 3, "restore", "back_in_stock")})).ok());
    b = s.mediaBuy(id);
    QCOMPARE(b["health"], json("impaired"));
    QCOMPARE(b["impairments"][0]["transition"]["to"], json("withdrawn"));
    s.control("force_catalog_item_status", {{"item_id", "sku-1"}, {"status", "approved"}});
    QCOMPARE(s.mediaBuy(id)["health"], json("ok"));
    // Nor does the seller's approval lift the buyer's suppression.
    QVERIFY(updates(s, json::array({update(ref(gen, "sku-1"), 4, "suppress", "out_of_stock")})).ok());
    s.control("force_catalog_item_status", {{"item_id", "sku-1"}, {"status", "withdrawn"}});
    s.control("force_catalog_item_status", {{"item_id", "sku-1"}, {"status", "approved"}});
    QCOMPARE(s.mediaBuy(id)["health"], json("impaired"));
    QCOMPARE(probe(s, {{"operation", "query_eligibility"},
                       {"catalog_id", "products"},
                       {"catalog_generation", gen},
                       {"item_id", "sku-1"}})["simulated"]["dependent_media_buys"],
             json::array({id}));
}

void TestSellerCatalogAvailability::expiryOnTheSellerClock()
{
    ExecSeller s;
    const std::string gen = syncProducts(s, {"sku-1"});
    json packages = s.packageBuy()["packages"];
    packages[1]["catalogs"] =
        json::array({{{"catalog_id", "products"}, {"type", "product"}, {"ids", {"sku-1"}}}});
    const json buy = s.activeBuy({{"packages", packages}});
    const std::string id = buy["media_buy_id"];
    const std::string expiry = later(s, 3 * 3600);
    QVERIFY(updates(s, json::array({update(ref(gen, "sku-1"), 0, "suppress", "promotion_end",
                                           {{"expires_at", expiry}})}))
                .ok());
    QCOMPARE(s.mediaBuy(id)["health"], json("impaired"));

    // An hour on: still suppressed. Past the expiry: active at the next revision, as of the expiry instant,
    // and the buy is healthy again.
    const json early = probe(s, {{"operation", "advance_time"},
                                 {"catalog_id", "products"},
                                 {"catalog_generation", gen},
                                 {"item_id", "sku-1"},
                                 {"target_time", later(s, 3600)}});
    QCOMPARE(early["success"], json(true));
    QCOMPARE(early["simulated"]["availability"], json("suppressed"));
    QCOMPARE(s.mediaBuy(id)["health"], json("impaired"));
    const json done = probe(s, {{"operation", "advance_time"},
                                {"catalog_id", "products"},
                                {"catalog_generation", gen},
                                {"item_id", "sku-1"},
                                {"target_time", expiry}});
    QCOMPARE(done["simulated"]["availability"], json("active"));
    QCOMPARE(done["simulated"]["overlay_revision"], json(2)); // (the ticker may have ended it first)
    const json st = state(s, ref(gen, "sku-1"));
    QCOMPARE(st["availability"], json("active"));
    QCOMPARE(st["updated_at"], json(expiry));
    QVERIFY(!st.contains("expires_at"));
    QCOMPARE(s.mediaBuy(id)["health"], json("ok"));
    // The expiry must be in the future on the seller clock, which has moved.
    const auto past = updates(s, json::array({update(ref(gen, "sku-1"), 2, "suppress", "out_of_stock",
                                                     {{"expires_at", later(s, -10)}})}));
    QCOMPARE(*past.error->field, std::string("item_availability_updates[0].expires_at"));
}

void TestSellerCatalogAvailability::stateSurvivesRestart()
{
    ExecSeller s;
    const std::string gen = syncProducts(s, {"sku-1", "sku-2"});
    json packages = s.packageBuy()["packages"];
    packages[1]["catalogs"] =
        json::array({{{"catalog_id", "products"}, {"type", "product"}, {"ids", {"sku-1"}}}});
    const json buy = s.createBuy({{"packages", packages}});
    const std::string id = buy["media_buy_id"];
    QVERIFY(s.waitForJobs());
    const std::string expiry = later(s, 86400);
    QVERIFY(updates(s, json::array({update(ref(gen, "sku-1"), 0, "suppress", "out_of_stock",
                                           {{"expires_at", expiry}}),
                                    update(ref(gen, "sku-2"), 0, "suppress", "buyer_request")}))
                .ok());
    const json before = state(s, ref(gen, "sku-1"));
    const json impairedBefore = s.mediaBuy(id)["impairments"];
    QCOMPARE(impairedBefore.size(), size_t(1));
    s.restart();
    QCOMPARE(state(s, ref(gen, "sku-1")), before);
    QCOMPARE(state(s, ref(gen, "sku-2"))["availability"], json("suppressed"));
    QCOMPARE(s.mediaBuy(id)["impairments"], impairedBefore);
    // The revision carries on after the restart.
    const auto out = updates(s, json::array({update(ref(gen, "sku-1"), 1, "restore", "back_in_stock")}));
    QCOMPARE(out.result["item_availability_updates"][0]["overlay_revision"], json(2));
    QCOMPARE(s.mediaBuy(id)["health"], json("ok"));
}

void TestSellerCatalogAvailability::controllerProbe()
{
    ExecSeller s;
    const auto listed = s.control("list_scenarios", json::object());
    const json names = listed["scenarios"];
    QVERIFY(std::find(names.begin(), names.end(), json("catalog_item_availability_probe")) != names.end());

    const std::string gen = syncProducts(s, {"sku-1"});
    const json item = {{"catalog_id", "products"}, {"catalog_generation", gen}, {"item_id", "sku-1"}};
    json params = item;
    params["operation"] = "query_eligibility";
    json eligible = probe(s, params);
    QCOMPARE(eligible["simulated"]["eligible"], json(true));
    QCOMPARE(eligible["simulated"]["gates"]["seller_status"], json("approved"));
    QVERIFY(updates(s, json::array({update(ref(gen, "sku-1"), 0, "suppress", "out_of_stock")})).ok());
    eligible = probe(s, params);
    QCOMPARE(eligible["simulated"]["eligible"], json(false));
    QCOMPARE(eligible["simulated"]["blocking_gates"], json::array({"buyer_suppression"}));

    // recreate_catalog: a new generation; the old one's overlays end, and so does the hold.
    params["operation"] = "recreate_catalog";
    const json recreated = probe(s, params);
    QCOMPARE(recreated["simulated"]["previous_generation"], json(gen));
    const std::string fresh = recreated["simulated"]["catalog_generation"];
    QVERIFY(fresh != gen);
    QVERIFY(state(s, ref(gen, "sku-1")).contains("error"));
    QCOMPARE(state(s, ref(fresh, "sku-1"))["overlay_revision"], json(0));
    QCOMPARE(
        officialCall(s, "sync_catalogs", args(s, json::object())).result["catalogs"][0]["catalog_generation"],
        json(fresh));
    json freshParams = params;
    freshParams["catalog_generation"] = fresh;
    freshParams["operation"] = "query_eligibility";
    QCOMPARE(probe(s, freshParams)["simulated"]["eligible"], json(true));

    // Refusals in the controller's own shape: a stale generation, another principal's item, a missing
    // generation or target time, a target time that is not one.
    params["operation"] = "query_eligibility";
    QCOMPARE(probe(s, params)["error"], json("NOT_FOUND"));
    QCOMPARE(probe(s, {{"operation", "query_eligibility"}, {"catalog_id", "products"}, {"item_id", "sku-1"}},
                   false)["error"],
             json("INVALID_PARAMS"));
    freshParams["operation"] = "advance_time";
    QCOMPARE(probe(s, freshParams, false)["error"], json("INVALID_PARAMS"));
    freshParams["target_time"] = "tomorrow";
    QCOMPARE(probe(s, freshParams, false)["error"], json("INVALID_PARAMS"));
    QCOMPARE(probe(s, {{"operation", "shuffle"}, {"catalog_id", "products"}, {"item_id", "sku-1"}},
                   false)["error"],
             json("INVALID_PARAMS"));
    const QDateTime clockBefore = s.context->clock().now();
    freshParams["target_time"] =
        s.context->clock().now().addYears(20).toUTC().toString(Qt::ISODate).toStdString();
    QCOMPARE(probe(s, freshParams)["error"], json("INVALID_PARAMS"));
    QVERIFY(s.context->clock().now() < clockBefore.addSecs(60));
}

void TestSellerCatalogAvailability::capabilitiesDeclareAvailability()
{
    ExecSeller s;
    const auto outcome = s.call("get_adcp_capabilities", json::object());
    QVERIFY(outcome.ok());
    exectest::expectOfficial("/schemas/protocol/get-adcp-capabilities-response.json", outcome.result);
    const json features = outcome.result["media_buy"]["features"];
    QCOMPARE(features["catalog_management"], json(true));
    QCOMPARE(features["catalog_item_availability_updates"], json(true));
}

QTEST_GUILESS_MAIN(TestSellerCatalogAvailability)
#include "tst_seller_catalogavailability.moc"
