// The AdCP 3.2 direct-buy tools of the embedded seller against a real seller on a fresh database:
// list_products (canonical products with format_options, filters, pages, feed and pricing versions),
// buy_products (versions checked, the create_media_buy order path, the accepted snapshot, idempotent replay)
// and control_media_buy (revision, cancel exclusivity, REQUOTE_REQUIRED, the update_media_buy path); and
// get_products in the 3.0 and the 3.2 shape. Every request and answer is checked against the official AdCP
// schemas, success and each error, and every refusal is shown to change nothing.

#include "backoffice.h"
#include "domain/catalog.h"
#include "domain/compactproposals.h"
#include "execfixture.h"
#include "officialschemas.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

#include <algorithm>
#include <functional>
#include <set>

using exectest::ExecSeller;
using nlohmann::json;
using sellertest::errorCode;
using sellertest::errorField;

namespace {

const json kAccount = {{"account_id", "acc-1"}};
const json kBrand = {{"domain", "acme.example"}};

const std::set<std::string> kFormatKinds = {"image",
                                            "html5",
                                            "display_tag",
                                            "image_carousel",
                                            "video_hosted",
                                            "video_vast",
                                            "audio_hosted",
                                            "audio_daast",
                                            "sponsored_placement",
                                            "native_in_feed",
                                            "responsive_creative",
                                            "agent_placement",
                                            "custom"};

std::string isoIn(ExecSeller &s, int days)
{
    return s.context->clock().now().addDays(days).toString(Qt::ISODate).toStdString();
}

// What a refusal must leave as it was: every row count the direct-buy tools write.
std::map<QString, int> directRows(ExecSeller &s)
{
    auto counts = s.allRows();
    for (const auto &t : {QStringLiteral("compact_proposals"), QStringLiteral("exec_tasks")})
        counts[t] = s.rows(t);
    return counts;
}

json findProduct(const json &products, const std::string &id)
{
    for (const auto &p : products) {
        if (p["product_id"] == id)
            return p;
    }
    return json();
}

} // namespace

class TestSellerDirectBuys : public QObject
{
    Q_OBJECT

private:
    // Calls a tool with the request (when `requestValid`) and the answer checked against the official
    // schemas. list_products has no error arm in its response schema: its errors are checked as core/error
    // objects.
    adcp::ToolOutcome call(ExecSeller &s, const std::string &tool, const json &args,
                           bool requestValid = true);
    void check(const std::string &id, const json &document);
    json listProducts(ExecSeller &s, const json &extra = json::object());
    json buyArgs(ExecSeller &s, const json &listed, const json &extra = json::object());
    json directBuy(ExecSeller &s);

private Q_SLOTS:
    void initTestCase();
    void listProductsIsCanonical();
    void listFiltersAndPages();
    void listRefusesAForeignCursor();
    void versionsFollowTheCatalogAndPricing();
    void buyProductsCreatesTheBuy();
    void buyReplaysAndConflicts();
    void buyRefusalsChangeNothing();
    void staleVersionsAreConflicts();
    void controlChangesTheBuy();
    void controlRefusalsChangeNothing();
    void cancelIsExclusive();
    void getProductsShapeFollowsTheRelease();
    void capabilitiesDeclareTheTools();
    void directBuyProbe();
    void approvedDirectBuyKeepsItsTerms();
};

void TestSellerDirectBuys::initTestCase()
{
    if (!adcp::testsupport::officialSchemasAbsent()) {
        QString error;
        QVERIFY2(adcp::testsupport::officialSchemas(&error), qPrintable(error));
    }
}

void TestSellerDirectBuys::check(const std::string &id, const json &document)
{
    const QString problems = adcp::testsupport::officialSchemaProblems(id.c_str(), document);
    QVERIFY2(problems.isEmpty(), qPrintable(problems));
}

adcp::ToolOutcome TestSellerDirectBuys::call(ExecSeller &s, const std::string &tool, const json &args,
                                             bool requestValid)
{
    std::string dashed = tool;
    std::replace(dashed.begin(), dashed.end(), '_', '-');
    const std::string folder = tool == "get_adcp_capabilities" ? "/schemas/protocol/" : "/schemas/media-buy/";
    if (requestValid)
        check(folder + dashed + "-request.json", args);
    auto outcome = s.call(tool, args);
    if (!outcome.ok()) {
        // Every refusal names a field (or is a transient one) and is a schema-valid error.
        if (!outcome.error->field && outcome.error->code != "SERVICE_UNAVAILABLE")
            qWarning("%s refused without a field: %s", tool.c_str(), outcome.error->message.c_str());
        if (tool == "list_products") {
            for (const auto &e : outcome.result.value("errors", json::array()))
                check("/schemas/core/error.json", e);
            return outcome;
        }
    }
    check(folder + dashed + "-response.json", outcome.result);
    return outcome;
}

json TestSellerDirectBuys::listProducts(ExecSeller &s, const json &extra)
{
    json args = {{"adcp_version", "3.2"}, {"account", kAccount}, {"max_results", 100}};
    args.update(extra);
    const auto o = call(s, "list_products", args);
    if (!o.ok())
        qFatal("list_products failed: %s", o.error->message.c_str());
    return o.result;
}

// A direct buy of two fixed-price products without an insertion order (synchronous, no approval step).
json TestSellerDirectBuys::buyArgs(ExecSeller &s, const json &listed, const json &extra)
{
    json args = {{"adcp_version", "3.2"},
                 {"idempotency_key", s.key()},
                 {"account", kAccount},
                 {"brand", kBrand},
                 {"feed_version", listed["feed_version"]},
                 {"pricing_version", listed["pricing_version"]},
                 {"start_time", "asap"},
                 {"end_time", isoIn(s, 10)},
                 {"purchases",
                  {{{"product_id", "podcast_host_read"},
                    {"pricing_option_id", "podcast_hostread_usd"},
                    {"budget", 12000}},
                   {{"product_id", "news_run_of_site_display"},
                    {"pricing_option_id", "ros_viewable_usd"},
                    {"budget", 3000},
                    {"format_option_refs",
                     {{{"scope", "product"}, {"format_option_id", "display_image_300x250"}}}}}}}};
    args.update(extra);
    return args;
}

json TestSellerDirectBuys::directBuy(ExecSeller &s)
{
    const auto o = call(s, "buy_products", buyArgs(s, listProducts(s)));
    if (!o.ok())
        qFatal("buy_products failed: %s %s", o.error->code.c_str(), o.error->message.c_str());
    // The buy's ad-server work done, so that what a later refusal must leave alone holds still.
    if (!s.waitForJobs())
        qFatal("the ad-server jobs of the direct buy did not finish");
    return o.result;
}

void TestSellerDirectBuys::listProductsIsCanonical()
{
    ExecSeller s;
    const json listed = listProducts(s);
    QCOMPARE(listed["outcome"], json("listed"));
    QVERIFY(listed["feed_version"].is_string() && listed["pricing_version"].is_string());
    QVERIFY(!listed.contains("next_cursor"));
    QCOMPARE(listed["products"].size(), s.context->catalog()->products().size());
    for (const auto &product : listed["products"]) {
        QVERIFY2(product.contains("format_options"), product.dump().c_str());
        QVERIFY(!product.contains("format_ids")); // legacy named formats are never listed
        std::set<std::string> ids;
        for (const auto &option : product["format_options"]) {
            const std::string kind = option["format_kind"].get<std::string>();
            QVERIFY2(kFormatKinds.count(kind), kind.c_str());
            QVERIFY(ids.insert(option["format_option_id"].get<std::string>()).second);
            // The params are those of the canonical format the kind names.
            check("/schemas/formats/canonical/" + kind + ".json", option["params"]);
        }
    }
    // The mapping is deterministic and keeps what the named format says.
    const json takeover = findProduct(listed["products"], "news_homepage_takeover");
    QCOMPARE(takeover["format_options"].size(), size_t(3));
    QCOMPARE(takeover["format_options"][0], json({{"format_option_id", "display_image_970x250"},
                                                  {"format_kind", "image"},
                                                  {"display_name", "display_image"},
                                                  {"params", {{"width", 970}, {"height", 250}}}}));
    const json podcast = findProduct(listed["products"], "podcast_host_read");
    QCOMPARE(podcast["format_options"][0]["format_kind"], json("audio_hosted"));
    QCOMPARE(podcast["format_options"][0]["params"]["duration_ms_exact"], json(60000));
    const json social = findProduct(listed["products"], "social_vertical_video");
    QCOMPARE(social["format_options"][0]["format_kind"], json("video_hosted"));
    QCOMPARE(social["format_options"][0]["params"],
             json({{"duration_ms_exact", 15000}, {"orientation", "vertical"}}));
    QCOMPARE(findProduct(listed["products"], "retail_sponsored_products")["format_options"][0]["format_kind"],
             json("sponsored_placement"));
    QCOMPARE(
        findProduct(listed["products"], "finance_section_sponsorship")["format_options"][1]["format_kind"],
        json("native_in_feed"));
    // The same catalog lists the same way (versions included).
    QCOMPARE(listProducts(s), listed);
}

void TestSellerDirectBuys::listFiltersAndPages()
{
    ExecSeller s;
    const json all = listProducts(s);
    // Pages of 4 cover the catalog once each, in order, with the same versions.
    json paged = json::array();
    json page = listProducts(s, {{"max_results", 4}});
    int pages = 1;
    for (;;) {
        QCOMPARE(page["feed_version"], all["feed_version"]);
        for (const auto &p : page["products"])
            paged.push_back(p);
        if (!page.contains("next_cursor"))
            break;
        page = listProducts(s, {{"max_results", 4}, {"cursor", page["next_cursor"]}});
        ++pages;
    }
    QCOMPARE(paged, all["products"]);
    QCOMPARE(pages, int((all["products"].size() + 3) / 4));

    // Filters: format kinds, delivery type, exact ids; fields select members.
    const json audio =
        listProducts(s, {{"criteria", {{"offer_filters", {{"format_kinds", {"audio_hosted"}}}}}}});
    QCOMPARE(audio["products"].size(), size_t(2));
    for (const auto &p : audio["products"])
        QCOMPARE(p["format_options"][0]["format_kind"], json("audio_hosted"));
    const json guaranteed =
        listProducts(s, {{"criteria", {{"offer_filters", {{"delivery_type", "guaranteed"}}}}}});
    for (const auto &p : guaranteed["products"])
        QCOMPARE(p["delivery_type"], json("guaranteed"));
    QVERIFY(!guaranteed["products"].empty());
    const json two =
        listProducts(s, {{"criteria", {{"product_ids", {"podcast_host_read", "dooh_mall_screens"}}}},
                         {"fields", {"pricing_options"}}});
    QCOMPARE(two["products"].size(), size_t(2));
    for (const auto &p : two["products"]) {
        QCOMPARE(p.size(), size_t(3)); // product_id, name and the one field asked for
        QVERIFY(p.contains("pricing_options"));
    }
    // Versions describe the feed, not the selection: the same whatever the filter.
    QCOMPARE(two["feed_version"], all["feed_version"]);

    // A buyer holding the current versions hears that nothing changed, with no products.
    const json same = listProducts(
        s, {{"if_feed_version", all["feed_version"]}, {"if_pricing_version", all["pricing_version"]}});
    QCOMPARE(same["outcome"], json("unchanged"));
    QVERIFY(!same.contains("products"));
    const json moved = listProducts(s, {{"if_feed_version", "fv_old"}});
    QCOMPARE(moved["outcome"], json("listed"));
}

void TestSellerDirectBuys::listRefusesAForeignCursor()
{
    ExecSeller s;
    const auto before = directRows(s);
    const auto o = call(s, "list_products", {{"account", kAccount}, {"cursor", "not-a-cursor"}});
    QCOMPARE(errorCode(o), std::string("INVALID_REQUEST"));
    QCOMPARE(errorField(o), std::string("cursor"));
    QVERIFY(directRows(s) == before);
}

void TestSellerDirectBuys::versionsFollowTheCatalogAndPricing()
{
    ExecSeller s; // its buyer is a sandbox principal: it may seed fixture products
    const json first = listProducts(s);
    s.control("seed_product", {{"product_id", "fixture-display"},
                               {"fixture",
                                {{"name", "Fixture display"},
                                 {"channels", {"display"}},
                                 {"format_ids", {{{"id", "display_300x250"}}}}}}});
    // A product without a pricing option is not for sale yet: nothing listed changed.
    QCOMPARE(listProducts(s)["feed_version"], first["feed_version"]);
    s.control("seed_pricing_option", {{"product_id", "fixture-display"},
                                      {"pricing_option_id", "fx-cpm"},
                                      {"fixture", {{"fixed_price", 5}}}});
    const json second = listProducts(s);
    QVERIFY(second["feed_version"] != first["feed_version"]);
    QVERIFY(second["pricing_version"] != first["pricing_version"]);
    const json seeded = findProduct(second["products"], "fixture-display");
    QCOMPARE(seeded["format_options"][0]["params"], json({{"width", 300}, {"height", 250}}));
    // A second price for the same product moves only the pricing version.
    s.control("seed_pricing_option", {{"product_id", "fixture-display"},
                                      {"pricing_option_id", "fx-cpm-2"},
                                      {"fixture", {{"fixed_price", 7}}}});
    const json third = listProducts(s);
    QCOMPARE(third["feed_version"], second["feed_version"]);
    QVERIFY(third["pricing_version"] != second["pricing_version"]);
}

void TestSellerDirectBuys::buyProductsCreatesTheBuy()
{
    ExecSeller s;
    const json listed = listProducts(s);
    const auto before = directRows(s);
    const json args = buyArgs(s, listed);
    const auto o = call(s, "buy_products", args);
    QVERIFY2(o.ok(), o.ok() ? "" : o.error->message.c_str());
    const json &r = o.result;
    QCOMPARE(r["status"], json("completed"));
    QCOMPARE(r["revision"], json(1));
    QCOMPARE(r["media_buy_status"], json("pending_creatives"));
    // The accepted snapshot: the published terms, resolved, under their digest.
    const json &accepted = r["accepted_proposal"];
    QCOMPARE(accepted["proposal_status"], json("accepted"));
    QCOMPARE(accepted["media_buy_id"], r["media_buy_id"]);
    const json &terms = accepted["commercial_terms"];
    QCOMPARE(accepted["terms_digest"].get<std::string>(), adcp::seller::compact::termsDigest(terms));
    QCOMPARE(terms["source_feed_version"], listed["feed_version"]);
    QCOMPARE(terms["source_pricing_version"], listed["pricing_version"]);
    QCOMPARE(terms["total_budget"], json({{"amount", 15000.0}, {"currency", "USD"}}));
    QCOMPARE(terms["purchases"][0]["pricing"],
             findProduct(listed["products"], "podcast_host_read")["pricing_options"][0]);
    QCOMPARE(r["purchase_bindings"].size(), size_t(2));
    QCOMPARE(r["purchase_bindings"][1]["product_id"], json("news_run_of_site_display"));
    QVERIFY(std::any_of(r["available_actions"].begin(), r["available_actions"].end(), [](const json &a) {
        return a["task"] == "control_media_buy" && a["action"] == "cancel";
    }));
    // One buy, two packages, one snapshot: the same rows create_media_buy writes.
    const auto after = directRows(s);
    QCOMPARE(after.at(QStringLiteral("media_buys")), before.at(QStringLiteral("media_buys")) + 1);
    QCOMPARE(after.at(QStringLiteral("packages")), before.at(QStringLiteral("packages")) + 2);
    QCOMPARE(after.at(QStringLiteral("compact_proposals")),
             before.at(QStringLiteral("compact_proposals")) + 1);
    const std::string id = r["media_buy_id"].get<std::string>();
    const json buy = s.mediaBuy(id);
    QCOMPARE(buy["total_budget"], json(15000.0));
    QCOMPARE(buy["packages"][0]["package_id"], r["purchase_bindings"][0]["package_id"]);
    // Execution runs it like any other buy, and it survives a restart.
    QVERIFY(s.waitForJobs());
    s.restart();
    QCOMPARE(s.mediaBuy(id)["media_buy_id"], json(id));
    QCOMPARE(s.rows(QStringLiteral("compact_proposals")), after.at(QStringLiteral("compact_proposals")));
}

void TestSellerDirectBuys::buyReplaysAndConflicts()
{
    ExecSeller s;
    const json args = buyArgs(s, listProducts(s));
    const auto first = call(s, "buy_products", args);
    QVERIFY(first.ok());
    const auto rows = directRows(s);
    const auto again = call(s, "buy_products", args);
    QVERIFY(again.ok());
    QCOMPARE(again.result["replayed"], json(true));
    QCOMPARE(again.result["media_buy_id"], first.result["media_buy_id"]);
    QCOMPARE(again.result["accepted_proposal"], first.result["accepted_proposal"]);
    QVERIFY(directRows(s) == rows);
    json changed = args;
    changed["purchases"][0]["budget"] = 13000;
    const auto conflict = call(s, "buy_products", changed);
    QCOMPARE(errorCode(conflict), std::string("IDEMPOTENCY_CONFLICT"));
    QCOMPARE(errorField(conflict), std::string("idempotency_key"));
    QVERIFY(directRows(s) == rows);
}

void TestSellerDirectBuys::buyRefusalsChangeNothing()
{
    ExecSeller s;
    const json listed = listProducts(s);
    struct Case
    {
        const char *name;
        std::function<void(json &)> edit;
        const char *code;
        const char *field;
    };
    const std::vector<Case> cases = {
        {"unknown product", [](json &a) { a["purchases"][0]["product_id"] = "nope"; }, "PRODUCT_NOT_FOUND",
         "purchases[0].product_id"},
        {"unknown pricing option", [](json &a) { a["purchases"][1]["pricing_option_id"] = "nope"; },
         "INVALID_PRICING_OPTION", "purchases[1].pricing_option_id"},
        {"budget below the minimum", [](json &a) { a["purchases"][0]["budget"] = 100; }, "BUDGET_TOO_LOW",
         "purchases[0].budget"},
        {"two purchases, one without budget", [](json &a) { a["purchases"][1].erase("budget"); },
         "INVALID_REQUEST", "purchases[1].budget"},
        {"unknown format option",
         [](json &a) {
             a["purchases"][1]["format_option_refs"][0]["format_option_id"] = "video_standard_30s";
         },
         "FORMAT_OPTION_UNRESOLVED", "purchases[1].format_option_refs[0].format_option_id"},
        {"pricing snapshot of another option",
         [](json &a) {
             a["purchases"][0]["pricing"] = {{"pricing_option_id", "x"},
                                             {"pricing_model", "cpm"},
                                             {"currency", "USD"},
                                             {"fixed_price", 1}};
         },
         "INVALID_REQUEST", "purchases[0].pricing.pricing_option_id"},
        {"pricing snapshot with another price",
         [](json &a) {
             a["purchases"][0]["pricing"] = {{"pricing_option_id", "podcast_hostread_usd"},
                                             {"pricing_model", "cpm"},
                                             {"currency", "USD"},
                                             {"fixed_price", 1}};
         },
         "CONFLICT", "purchases[0].pricing"},
        {"daily cap", [](json &a) { a["daily_budget_cap"] = 500; }, "UNSUPPORTED_FEATURE",
         "daily_budget_cap"},
        {"created paused", [](json &a) { a["paused"] = true; }, "UNSUPPORTED_FEATURE", "paused"},
        {"end before start", [&s](json &a) { a["end_time"] = isoIn(s, -1); }, "INVALID_REQUEST", "end_time"},
        {"total differs from the purchases",
         [](json &a) {
             a["total_budget"] = {{"amount", 1}, {"currency", "USD"}};
         },
         "INVALID_REQUEST", "total_budget.amount"},
        {"no pricing_version", [](json &a) { a.erase("pricing_version"); }, "INVALID_REQUEST",
         "pricing_version"},
    };
    for (const auto &c : cases) {
        json args = buyArgs(s, listed);
        c.edit(args);
        const auto before = directRows(s);
        const auto o = call(s, "buy_products", args);
        QVERIFY2(!o.ok(), c.name);
        QVERIFY2(errorCode(o) == c.code, (std::string(c.name) + ": " + errorCode(o)).c_str());
        QVERIFY2(errorField(o) == c.field, (std::string(c.name) + ": " + errorField(o)).c_str());
        QVERIFY2(directRows(s) == before, c.name);
    }
    // A request the schema refuses (creatives inline) is refused before anything runs.
    json inlineCreatives = buyArgs(s, listed);
    inlineCreatives["packages"] = json::array({json::object()});
    const auto before = directRows(s);
    const auto o = call(s, "buy_products", inlineCreatives, false);
    QVERIFY(!o.ok());
    QVERIFY(directRows(s) == before);
}

void TestSellerDirectBuys::staleVersionsAreConflicts()
{
    ExecSeller s;
    s.control("seed_product",
              {{"product_id", "fixture-video"},
               {"fixture", {{"channels", {"olv"}}, {"format_ids", {{{"id", "video_30s"}}}}}}});
    s.control("seed_pricing_option", {{"product_id", "fixture-video"},
                                      {"pricing_option_id", "fv-cpm"},
                                      {"fixture", {{"fixed_price", 9}}}});
    const json listed = listProducts(s);
    // The seller reprices: a buy against the listed pricing_version is a conflict naming the current one.
    s.control("seed_pricing_option", {{"product_id", "fixture-video"},
                                      {"pricing_option_id", "fv-cpm"},
                                      {"fixture", {{"fixed_price", 11}}}});
    const auto before = directRows(s);
    const auto repriced = call(s, "buy_products", buyArgs(s, listed));
    QCOMPARE(errorCode(repriced), std::string("CONFLICT"));
    QCOMPARE(errorField(repriced), std::string("pricing_version"));
    QCOMPARE(repriced.error->details["current_pricing_version"], listProducts(s)["pricing_version"]);
    // A feed version that was never issued, or is older than the catalog, likewise.
    const auto stale = call(s, "buy_products", buyArgs(s, listed, {{"feed_version", "fv_0000"}}));
    QCOMPARE(errorCode(stale), std::string("CONFLICT"));
    QCOMPARE(errorField(stale), std::string("feed_version"));
    QVERIFY(directRows(s) == before);
    // With the current versions the same purchases go through.
    QVERIFY(call(s, "buy_products", buyArgs(s, listProducts(s))).ok());
}

void TestSellerDirectBuys::controlChangesTheBuy()
{
    ExecSeller s;
    const json bought = directBuy(s);
    const std::string id = bought["media_buy_id"].get<std::string>();
    const std::string firstPackage = bought["purchase_bindings"][0]["package_id"].get<std::string>();
    const auto control = [&](const json &changes) {
        json args = {{"adcp_version", "3.2"},
                     {"idempotency_key", s.key()},
                     {"account", kAccount},
                     {"media_buy_id", id}};
        args.update(changes);
        return call(s, "control_media_buy", args);
    };

    auto renamed = control({{"revision", 1}, {"name", "Spring audio"}});
    QVERIFY2(renamed.ok(), renamed.ok() ? "" : renamed.error->message.c_str());
    QCOMPARE(renamed.result["revision"], json(2));
    QCOMPARE(s.mediaBuy(id)["revision"], json(2));

    // Less budget and another pacing stay inside the accepted envelope.
    auto lowered = control({{"revision", 2},
                            {"total_budget", {{"amount", 14000}, {"currency", "USD"}}},
                            {"pacing", "front_loaded"},
                            {"packages", {{{"package_id", firstPackage}, {"budget", 11000}}}}});
    QVERIFY2(lowered.ok(), lowered.ok() ? "" : lowered.error->message.c_str());
    QCOMPARE(lowered.result["revision"], json(3));
    QCOMPARE(lowered.result["affected_package_ids"].size(), size_t(2));
    const json buy = s.mediaBuy(id);
    QCOMPARE(buy["total_budget"], json(14000.0));
    QCOMPARE(buy["packages"][0]["budget"], json(11000.0));

    // A pause before delivery is a hold; then the buyer cancels; once canceled, nothing is left to cancel.
    QVERIFY(control({{"revision", 3}, {"paused", true}}).ok());
    const auto replayArgs = json({{"adcp_version", "3.2"},
                                  {"idempotency_key", s.key()},
                                  {"account", kAccount},
                                  {"media_buy_id", id},
                                  {"revision", 4},
                                  {"canceled", true},
                                  {"cancellation_reason", "campaign pulled"}});
    const auto canceled = call(s, "control_media_buy", replayArgs);
    QVERIFY2(canceled.ok(), canceled.ok() ? "" : canceled.error->message.c_str());
    QCOMPARE(canceled.result["media_buy_status"], json("canceled"));
    QCOMPARE(canceled.result["available_actions"], json::array());
    QCOMPARE(s.status(id), std::string("canceled"));
    // The same request again is a replay, not a second cancellation.
    const auto replay = call(s, "control_media_buy", replayArgs);
    QCOMPARE(replay.result["replayed"], json(true));
    QCOMPARE(replay.result["revision"], canceled.result["revision"]);
    const auto again = control({{"revision", canceled.result["revision"]}, {"canceled", true}});
    QCOMPARE(errorCode(again), std::string("NOT_CANCELLABLE"));
    QCOMPARE(errorField(again), std::string("canceled"));
}

void TestSellerDirectBuys::controlRefusalsChangeNothing()
{
    ExecSeller s;
    const json bought = directBuy(s);
    const std::string id = bought["media_buy_id"].get<std::string>();
    const std::string pkg = bought["purchase_bindings"][0]["package_id"].get<std::string>();
    const auto snapshot = [&] {
        json b = s.mediaBuy(id);
        return json({b["revision"], b["status"], b["total_budget"], b["packages"][0]["budget"],
                     b.value("name", json())});
    };
    struct Case
    {
        const char *name;
        json changes;
        const char *code;
        const char *field;
    };
    const std::vector<Case> cases = {
        {"stale revision", {{"revision", 7}, {"name", "x"}}, "CONFLICT", "revision"},
        {"more total budget",
         {{"revision", 1}, {"total_budget", {{"amount", 20000}, {"currency", "USD"}}}},
         "REQUOTE_REQUIRED",
         "total_budget.amount"},
        {"another currency",
         {{"revision", 1}, {"total_budget", {{"amount", 100}, {"currency", "EUR"}}}},
         "REQUOTE_REQUIRED",
         "total_budget.currency"},
        {"more package budget",
         {{"revision", 1}, {"packages", {{{"package_id", pkg}, {"budget", 50000}}}}},
         "REQUOTE_REQUIRED",
         "packages[0].budget"},
        {"bidding", {{"revision", 1}, {"bidding", nullptr}}, "UNSUPPORTED_FEATURE", "bidding"},
        {"package goal",
         {{"revision", 1}, {"packages", {{{"package_id", pkg}, {"impressions", 10}}}}},
         "UNSUPPORTED_FEATURE",
         "packages[0].impressions"},
        {"unknown package",
         {{"revision", 1}, {"packages", {{{"package_id", "pkg_nope"}, {"paused", true}}}}},
         "PACKAGE_NOT_FOUND",
         "packages[0].package_id"},
    };
    for (const auto &c : cases) {
        json args = {{"adcp_version", "3.2"},
                     {"idempotency_key", s.key()},
                     {"account", kAccount},
                     {"media_buy_id", id}};
        args.update(c.changes);
        const json buyBefore = snapshot();
        const auto rows = directRows(s);
        const auto o = call(s, "control_media_buy", args);
        QVERIFY2(errorCode(o) == c.code, (std::string(c.name) + ": " + errorCode(o)).c_str());
        QVERIFY2(errorField(o) == c.field, (std::string(c.name) + ": " + errorField(o)).c_str());
        QVERIFY2(snapshot() == buyBefore, c.name);
        QVERIFY2(directRows(s) == rows, c.name);
    }
    const auto unknown = call(s, "control_media_buy",
                              {{"idempotency_key", s.key()},
                               {"account", kAccount},
                               {"media_buy_id", "mb_nope"},
                               {"revision", 1},
                               {"paused", true}});
    QCOMPARE(errorCode(unknown), std::string("MEDIA_BUY_NOT_FOUND"));
    QCOMPARE(errorField(unknown), std::string("media_buy_id"));
    // The REQUOTE_REQUIRED error names the envelope field it breaches.
    json args = {{"idempotency_key", s.key()},
                 {"account", kAccount},
                 {"media_buy_id", id},
                 {"revision", 1},
                 {"total_budget", {{"amount", 99999}, {"currency", "USD"}}}};
    const auto requote = call(s, "control_media_buy", args);
    QCOMPARE(requote.error->details["envelope_field"], json("total_budget.amount"));
    QCOMPARE(requote.result["errors"][0]["details"]["envelope_field"], json("total_budget.amount"));
}

void TestSellerDirectBuys::cancelIsExclusive()
{
    ExecSeller s;
    const json bought = directBuy(s);
    const std::string id = bought["media_buy_id"].get<std::string>();
    const std::string pkg = bought["purchase_bindings"][0]["package_id"].get<std::string>();
    struct Case
    {
        json changes;
        const char *field;
    };
    const std::vector<Case> cases = {
        {{{"canceled", true}, {"name", "x"}}, "name"},
        {{{"canceled", true}, {"packages", {{{"package_id", pkg}, {"paused", true}}}}}, "packages"},
        {{{"cancellation_reason", "why"}, {"paused", true}}, "cancellation_reason"},
        {{{"packages", {{{"package_id", pkg}, {"canceled", true}, {"budget", 1}}}}}, "packages[0].budget"},
        {{{"packages", {{{"package_id", pkg}, {"paused", true}}, {{"package_id", pkg}, {"paused", false}}}}},
         "packages[1].package_id"},
    };
    for (const auto &c : cases) {
        json args = {
            {"idempotency_key", s.key()}, {"account", kAccount}, {"media_buy_id", id}, {"revision", 1}};
        args.update(c.changes);
        // Each of these breaks a rule the official schema states too (except a repeated package id, which
        // only the schema's verifier notes state).
        if (std::string(c.field) != "packages[1].package_id")
            QVERIFY(!adcp::testsupport::officialSchemaProblems(
                         "/schemas/media-buy/control-media-buy-request.json", args)
                         .isEmpty() ||
                    adcp::testsupport::officialSchemasAbsent());
        const auto rows = directRows(s);
        const auto o = call(s, "control_media_buy", args, false);
        QCOMPARE(errorCode(o), std::string("INVALID_REQUEST"));
        QCOMPARE(errorField(o), std::string(c.field));
        QVERIFY(directRows(s) == rows);
    }
    QCOMPARE(s.mediaBuy(id)["revision"], json(1));
}

void TestSellerDirectBuys::getProductsShapeFollowsTheRelease()
{
    ExecSeller s;
    const auto catalog = s.context->catalog();
    for (const char *release : {"", "3.0", "3.1"}) {
        json args = {{"buying_mode", "wholesale"}};
        if (*release)
            args["adcp_version"] = release;
        const auto o = s.call("get_products", args);
        QVERIFY(o.ok());
        QCOMPARE(o.result["products"].size(), catalog->products().size());
        // Exactly the catalog's Product objects: nothing of 3.2 added.
        for (const auto &p : o.result["products"])
            QCOMPARE(p, catalog->find(p["product_id"].get<std::string>())->publicJson);
    }
    const auto o = call(s, "get_products", {{"adcp_version", "3.2"}, {"buying_mode", "wholesale"}});
    QVERIFY(o.ok());
    for (const auto &p : o.result["products"]) {
        QVERIFY2(p.contains("format_options"), p.dump().c_str());
        QCOMPARE(p["format_ids"],
                 catalog->find(p["product_id"].get<std::string>())->publicJson["format_ids"]);
    }
    // A 3.2 brief answer carries them too.
    const auto brief =
        call(s, "get_products",
             {{"adcp_version", "3.2"}, {"buying_mode", "brief"}, {"brief", "podcast audio for runners"}});
    QVERIFY(brief.ok());
    QVERIFY(!brief.result["products"].empty());
    for (const auto &p : brief.result["products"])
        QVERIFY(p.contains("format_options"));
}

void TestSellerDirectBuys::capabilitiesDeclareTheTools()
{
    ExecSeller s;
    const auto o = call(s, "get_adcp_capabilities", {{"adcp_version", "3.2"}});
    QVERIFY(o.ok());
    const json tools = o.result["media_buy"]["lifecycle_tools"];
    for (const char *tool : {"list_products", "buy_products", "control_media_buy"}) {
        QVERIFY2(std::find(tools.begin(), tools.end(), json(tool)) != tools.end(), tool);
        QVERIFY2(s.dispatcher->hasTool(tool), tool);
    }
}

void TestSellerDirectBuys::directBuyProbe()
{
    const auto probe = [this](ExecSeller &s, const std::string &productId) {
        const json args = {{"scenario", "compact_direct_buy_lifecycle_probe"},
                           {"params", {{"operation", "prepare"}, {"product_id", productId}}},
                           {"account", {{"sandbox", true}}}};
        check("/schemas/compliance/comply-test-controller-request.json", args);
        const auto o = s.call("comply_test_controller", args);
        check("/schemas/compliance/comply-test-controller-response.json", o.result);
        return o.result;
    };
    ExecSeller s;
    const auto before = directRows(s);
    QCOMPARE(probe(s, "podcast_host_read")["success"], json(true));
    QCOMPARE(probe(s, "nope")["error"], json("NOT_FOUND"));
    QVERIFY(directRows(s) == before);
    // The flow it prepares: list, buy, control, read back, all synchronous.
    const json bought = directBuy(s);
    QCOMPARE(bought["status"], json("completed"));
    // Under manual approval a buy waits for the seller: the probe says it cannot prepare that.
    ExecSeller manual(exectest::manualApprovalOptions());
    QCOMPARE(probe(manual, "podcast_host_read")["error"], json("INVALID_STATE"));
    const auto submitted = call(manual, "buy_products", buyArgs(manual, listProducts(manual)));
    QCOMPARE(submitted.result["status"], json("submitted"));
    QCOMPARE(manual.rows(QStringLiteral("compact_proposals")), 0);
}

// Under manual approval a direct buy is a buy_products task; the seller's approval keeps the accepted terms
// (priced as they were when the buyer bought, whatever the feed says by then) and completes the task with
// buy_products's own answer. A declined one keeps nothing.
void TestSellerDirectBuys::approvedDirectBuyKeepsItsTerms()
{
    ExecSeller s(exectest::manualApprovalOptions());
    const json args = buyArgs(s, listProducts(s));
    const auto submitted = call(s, "buy_products", args);
    QCOMPARE(submitted.result["status"], json("submitted"));
    const std::string taskId = submitted.result.at("task_id");
    const auto held = s.call("get_task_status", {{"task_id", taskId}});
    QCOMPARE(held.result["task_type"], json("buy_products"));
    QCOMPARE(held.result["status"], json("submitted"));
    QVERIFY(!held.result.contains("result"));
    QCOMPARE(s.rows(QStringLiteral("compact_proposals")), 0);

    const json approved =
        s.control("force_task_completion", {{"task_id", taskId}, {"result", json::object()}});
    QVERIFY2(approved.value("success", false), approved.dump().c_str());
    const auto done = s.call("get_task_status", {{"task_id", taskId}, {"include_result", true}});
    QCOMPARE(done.result["status"], json("completed"));
    const json result = done.result["result"];
    check("/schemas/media-buy/buy-products-response.json", result);
    QCOMPARE(result["status"], json("completed"));
    const json accepted = result["accepted_proposal"];
    QCOMPARE(accepted["proposal_status"], json("accepted"));
    QCOMPARE(accepted["media_buy_id"], result["media_buy_id"]);
    const json purchases = accepted["commercial_terms"]["purchases"];
    QCOMPARE(purchases.size(), size_t(2));
    QCOMPARE(purchases[0]["product_id"], json("podcast_host_read"));
    QCOMPARE(purchases[0]["budget"], json(12000.0));
    QCOMPARE(purchases[1]["budget"], json(3000.0));
    QCOMPARE(accepted["commercial_terms"]["total_budget"]["amount"], json(15000.0));
    QCOMPARE(accepted["terms_digest"],
             json(adcp::seller::compact::termsDigest(accepted["commercial_terms"])));
    QCOMPARE(result["purchase_bindings"].size(), size_t(2));
    // Kept as any accepted snapshot is, under the id the answer names.
    QCOMPARE(s.rows(QStringLiteral("compact_proposals")), 1);
    {
        QSqlDatabase db = s.context->database();
        QString findError;
        const auto record = adcp::seller::CompactProposalStore::find(
            db, s.buyer.id, accepted["proposal_id"].get<std::string>(), &findError);
        QVERIFY2(record, qPrintable(findError));
        QCOMPARE(record->termsDigest, accepted["terms_digest"].get<std::string>());
    }

    // Declined by the seller: the task is rejected and no snapshot is kept.
    const auto second = call(s, "buy_products", buyArgs(s, listProducts(s)));
    const std::string secondTask = second.result.at("task_id");
    QString error;
    QVERIFY2(
        adcp::seller::backoffice::rejectHeldBuy(*s.context, s.buyer.id, secondTask, "no inventory", &error),
        qPrintable(error));
    const auto rejected = s.call("get_task_status", {{"task_id", secondTask}, {"include_result", true}});
    QCOMPARE(rejected.result["status"], json("rejected"));
    QCOMPARE(rejected.result["task_type"], json("buy_products"));
    QCOMPARE(s.rows(QStringLiteral("compact_proposals")), 1);

    // Held terms damaged in the store (a member of the wrong type): the approval still books the buy, without
    // the snapshot, rather than failing.
    const auto third = call(s, "buy_products", buyArgs(s, listProducts(s)));
    const std::string thirdTask = third.result.at("task_id");
    {
        QSqlDatabase db = s.context->database();
        QSqlQuery damage(db);
        QVERIFY(damage.prepare(QStringLiteral("UPDATE exec_tasks SET pending_json = ? WHERE task_id = ?")));
        damage.addBindValue(
            QStringLiteral(R"({"proposal_id": 7, "commercial_terms": {}, "terms_digest": "x"})"));
        damage.addBindValue(QString::fromStdString(thirdTask));
        QVERIFY2(damage.exec(), qPrintable(damage.lastError().text()));
        QCOMPARE(damage.numRowsAffected(), 1);
    }
    const json forced =
        s.control("force_task_completion", {{"task_id", thirdTask}, {"result", json::object()}});
    QVERIFY2(forced.value("success", false), forced.dump().c_str());
    const auto booked = s.call("get_task_status", {{"task_id", thirdTask}, {"include_result", true}});
    QCOMPARE(booked.result["status"], json("completed"));
    QVERIFY(booked.result["result"].contains("media_buy_id"));
    QCOMPARE(s.rows(QStringLiteral("compact_proposals")), 1);
}

QTEST_GUILESS_MAIN(TestSellerDirectBuys)
#include "tst_seller_directbuys.moc"
