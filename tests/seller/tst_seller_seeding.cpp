// comply_test_controller seeding of media buys and plans (seed_media_buy, seed_plan) as the storyboard runner
// sends them: real stored buys that get_media_buys lists and the lifecycle drives, durable plans, the re-seed
// rule (same fixture = no-op, other fixture = INVALID_PARAMS), and list_scenarios naming exactly the
// scenarios the controller serves.

#include "execfixture.h"
#include "officialschemas.h"
#include "schemaregistry.h"
#include "tasks/sandboxseeds.h"

#include <QDir>

#include <QTest>

#include <set>

using nlohmann::json;

namespace {

json listed(exectest::ExecSeller &s, const json &filter)
{
    const auto outcome = s.call("get_media_buys", filter);
    if (!outcome.ok())
        return json::array();
    json ids = json::array();
    for (const auto &b : outcome.result["media_buys"])
        ids.push_back(b["media_buy_id"]);
    return ids;
}

bool has(const json &list, const std::string &value)
{
    return std::find(list.begin(), list.end(), json(value)) != list.end();
}

std::string iso(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODate).toStdString();
}

} // namespace

class TestSellerSeeding final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void seededBuyWithPackagesFollowsLifecycle();
    void seededBuyWithoutPackagesIsListed();
    void seededStatus_data();
    void seededStatus();
    void reseed_data();
    void reseed();
    void seedRejectsBadInput_data();
    void seedRejectsBadInput();
    void seededPlanIsDurable();
    void listScenariosIsExact();
    void unsupportedScenarios_data();
    void unsupportedScenarios();
    void seededAnswersMatchOfficialSchemas();
    void listingIsPaginated_data();
    void listingIsPaginated();
    void paginationRejectsForeignCursor();
};

void TestSellerSeeding::seededBuyWithPackagesFollowsLifecycle()
{
    exectest::ExecSeller s;
    const QDateTime now = s.context->clock().now();
    const json answer =
        s.control("seed_media_buy", {{"media_buy_id", "mb_seeded_1"},
                                     {"fixture",
                                      {{"status", "active"},
                                       {"currency", "USD"},
                                       {"total_budget", {{"amount", 18000}, {"currency", "USD"}}},
                                       {"start_time", iso(now.addSecs(-3600))},
                                       {"end_time", iso(now.addDays(5))},
                                       {"packages",
                                        {{{"package_id", "pkg_seeded_a"},
                                          {"product_id", "podcast_host_read"},
                                          {"pricing_option_id", "podcast_hostread_usd"},
                                          {"budget", 12000}},
                                         {{"product_id", "sports_olv_preroll"}, {"budget", 6000}}}}}}});
    QVERIFY2(answer.value("success", false), answer.dump().c_str());

    const json buy = s.mediaBuy("mb_seeded_1");
    QCOMPARE(buy.value("status", std::string()), std::string("active"));
    QCOMPARE(buy["total_budget"].get<double>(), 18000.0);
    QCOMPARE(buy["packages"].size(), size_t(2));
    QCOMPARE(buy["packages"][0]["package_id"].get<std::string>(), std::string("pkg_seeded_a"));
    QCOMPARE(buy["packages"][1]["product_id"].get<std::string>(), std::string("sports_olv_preroll"));
    // The default get_media_buys filter (active) lists it like any other buy.
    QVERIFY(has(listed(s, json::object()), "mb_seeded_1"));
    // Its packages are booked with the ad servers like a created buy's.
    QTRY_COMPARE_WITH_TIMEOUT(s.openJobs(), qint64(0), 60000);

    // Subject to the lifecycle: the buyer can pause it, and the controller's state machine applies.
    const auto paused = s.call("update_media_buy", {{"idempotency_key", s.key()},
                                                    {"account", {{"account_id", "acc-1"}}},
                                                    {"media_buy_id", "mb_seeded_1"},
                                                    {"paused", true}});
    QVERIFY2(paused.ok(), paused.ok() ? "" : paused.error->message.c_str());
    QCOMPARE(s.status("mb_seeded_1"), std::string("paused"));
    const json refused =
        s.control("force_media_buy_status", {{"media_buy_id", "mb_seeded_1"}, {"status", "pending_start"}});
    QCOMPARE(refused.value("error", std::string()), std::string("INVALID_TRANSITION"));

    // Stored, not cached: still there after a restart; the flight's end completes it.
    s.restart();
    QCOMPARE(s.status("mb_seeded_1"), std::string("paused"));
    s.control("advance_clock", {{"seconds", 6 * 24 * 3600}});
    QTRY_COMPARE_WITH_TIMEOUT(s.status("mb_seeded_1"), std::string("completed"), 30000);

    // Other principals do not see it.
    const auto foreign = s.call(s.other, "get_media_buys", {{"media_buy_ids", {"mb_seeded_1"}}});
    QVERIFY(foreign.result["media_buys"].empty());
}

void TestSellerSeeding::seededBuyWithoutPackagesIsListed()
{
    exectest::ExecSeller s;
    // The shape of the pagination-integrity storyboard's fixtures: id, status, currency only.
    for (const char *id : {"pagination_mb_1", "pagination_mb_2", "pagination_mb_3"}) {
        const json answer =
            s.control("seed_media_buy",
                      {{"media_buy_id", id}, {"fixture", {{"status", "active"}, {"currency", "USD"}}}});
        QVERIFY2(answer.value("success", false), answer.dump().c_str());
    }
    const json ids = listed(s, {{"status_filter", {"active"}}});
    for (const char *id : {"pagination_mb_1", "pagination_mb_2", "pagination_mb_3"})
        QVERIFY2(has(ids, id), ids.dump().c_str());
    // The seller clock ticks without moving them: no package means nothing to complete or reject.
    s.control("advance_clock", {{"seconds", 3600}});
    QCOMPARE(s.status("pagination_mb_2"), std::string("active"));
    s.restart();
    QCOMPARE(s.status("pagination_mb_3"), std::string("active"));
}

void TestSellerSeeding::seededStatus_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("afterTick"); // status once the seller clock has moved an hour
    QTest::addColumn<bool>("listedAsActive");
    QTest::newRow("pending_creatives") << "pending_creatives"
                                       << "pending_creatives" << false;
    QTest::newRow("paused") << "paused"
                            << "paused" << false;
    QTest::newRow("canceled") << "canceled"
                              << "canceled" << false;
    QTest::newRow("completed") << "completed"
                               << "completed" << false;
    QTest::newRow("active") << "active"
                            << "active" << true;
}

void TestSellerSeeding::seededStatus()
{
    QFETCH(QString, status);
    QFETCH(QString, afterTick);
    QFETCH(bool, listedAsActive);
    exectest::ExecSeller s;
    const QDateTime now = s.context->clock().now();
    const json answer =
        s.control("seed_media_buy", {{"media_buy_id", "mb_state"},
                                     {"fixture",
                                      {{"status", status.toStdString()},
                                       {"flight", {{"start", iso(now)}, {"end", iso(now.addDays(3))}}},
                                       {"budget", {{"total", 5000}, {"currency", "EUR"}}},
                                       {"packages", {{{"product_id", "sports_olv_preroll"}}}}}}});
    QVERIFY2(answer.value("success", false), answer.dump().c_str());
    const json buy = s.mediaBuy("mb_state");
    QCOMPARE(QString::fromStdString(buy.value("status", std::string())), status);
    QCOMPARE(buy["currency"].get<std::string>(), std::string("EUR"));
    QCOMPARE(buy["packages"][0]["budget"].get<double>(), 5000.0);
    QCOMPARE(has(listed(s, json::object()), "mb_state"), listedAsActive);
    s.control("advance_clock", {{"seconds", 3600}});
    QTRY_COMPARE_WITH_TIMEOUT(s.openJobs(), qint64(0), 60000);
    QCOMPARE(QString::fromStdString(s.status("mb_state")), afterTick);
    // The actions offered follow the status.
    const json actions = s.mediaBuy("mb_state")["available_actions"];
    bool canCancel = false;
    for (const auto &a : actions)
        canCancel = canCancel || a.value("action", std::string()) == "cancel";
    QCOMPARE(canCancel, afterTick != QStringLiteral("canceled") && afterTick != QStringLiteral("completed"));
}

void TestSellerSeeding::reseed_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QString>("idParam");
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<QString>("other");
    QTest::newRow("media buy")
        << "seed_media_buy"
        << "media_buy_id"
        << R"({"status":"active","currency":"USD","total_budget":{"amount":100,"currency":"USD"}})"
        << R"({"status":"active","currency":"USD","total_budget":{"amount":200,"currency":"USD"}})";
    QTest::newRow("plan")
        << "seed_plan"
        << "plan_id"
        << R"({"brand":{"domain":"acmeoutdoor.example"},"budget":{"total":100000,"currency":"USD"}})"
        << R"({"brand":{"domain":"acmeoutdoor.example"},"budget":{"total":90000,"currency":"USD"}})";
}

void TestSellerSeeding::reseed()
{
    QFETCH(QString, scenario);
    QFETCH(QString, idParam);
    QFETCH(QString, fixture);
    QFETCH(QString, other);
    exectest::ExecSeller s;
    const json params = {{idParam.toStdString(), "seed_1"}, {"fixture", json::parse(fixture.toStdString())}};
    QVERIFY(s.control(scenario.toStdString(), params).value("success", false));
    const auto before = s.allRows();
    const int seeds = s.rows(QStringLiteral("sandbox_seeds"));

    // The same fixture again (members in another order) changes nothing.
    json reordered = json::object();
    const json parsed = json::parse(fixture.toStdString());
    for (auto it = parsed.rbegin(); it != parsed.rend(); ++it)
        reordered[it.key()] = *it;
    const json again =
        s.control(scenario.toStdString(), {{idParam.toStdString(), "seed_1"}, {"fixture", reordered}});
    QVERIFY2(again.value("success", false), again.dump().c_str());
    QVERIFY(s.allRows() == before);
    QCOMPARE(s.rows(QStringLiteral("sandbox_seeds")), seeds);

    // Another fixture under the same id is refused and changes nothing either, also after a restart.
    s.restart();
    const json divergent = s.control(scenario.toStdString(), {{idParam.toStdString(), "seed_1"},
                                                              {"fixture", json::parse(other.toStdString())}});
    QCOMPARE(divergent.value("success", true), false);
    QCOMPARE(divergent.value("error", std::string()), std::string("INVALID_PARAMS"));
    QVERIFY(!divergent.value("error_detail", std::string()).empty());
    QVERIFY(s.allRows() == before);
    QSqlDatabase db = s.context->database();
    const std::string kind = scenario == QStringLiteral("seed_plan") ? "plan" : "media_buy";
    QVERIFY(adcp::seller::SandboxSeeds::find(db, s.buyer.id, kind, "seed_1") == parsed);
}

void TestSellerSeeding::seedRejectsBadInput_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QString>("params");
    QTest::newRow("no media_buy_id") << "seed_media_buy"
                                     << R"({"fixture":{"status":"active"}})";
    QTest::newRow("media_buy_id not a string") << "seed_media_buy"
                                               << R"({"media_buy_id":7,"fixture":{}})";
    QTest::newRow("fixture not an object") << "seed_media_buy"
                                           << R"({"media_buy_id":"mb_x","fixture":[1]})";
    QTest::newRow("unknown status") << "seed_media_buy"
                                    << R"({"media_buy_id":"mb_x","fixture":{"status":"dormant"}})";
    QTest::newRow("unreadable time") << "seed_media_buy"
                                     << R"({"media_buy_id":"mb_x","fixture":{"start_time":"soon"}})";
    QTest::newRow("end before start")
        << "seed_media_buy"
        << R"({"media_buy_id":"mb_x","fixture":{"start_time":"2030-02-01T00:00:00Z","end_time":"2030-01-01T00:00:00Z"}})";
    QTest::newRow("unknown product")
        << "seed_media_buy"
        << R"({"media_buy_id":"mb_x","fixture":{"packages":[{"product_id":"nope"}]}})";
    QTest::newRow("unknown pricing option")
        << "seed_media_buy"
        << R"({"media_buy_id":"mb_x","fixture":{"packages":[{"product_id":"sports_olv_preroll","pricing_option_id":"nope"}]}})";
    QTest::newRow("package paused not a boolean")
        << "seed_media_buy"
        << R"({"media_buy_id":"mb_x","fixture":{"packages":[{"product_id":"sports_olv_preroll","paused":"yes"}]}})";
    QTest::newRow("package pacing not a string")
        << "seed_media_buy"
        << R"({"media_buy_id":"mb_x","fixture":{"packages":[{"product_id":"sports_olv_preroll","pacing":1}]}})";
    QTest::newRow("package not an object") << "seed_media_buy"
                                           << R"({"media_buy_id":"mb_x","fixture":{"packages":[7]}})";
    QTest::newRow("no plan_id") << "seed_plan"
                                << R"({"fixture":{"status":"active"}})";
    QTest::newRow("plan fixture not an object") << "seed_plan"
                                                << R"({"plan_id":"p1","fixture":"x"})";
    QTest::newRow("no creative_id") << "seed_creative"
                                    << R"({"fixture":{"status":"approved"}})";
}

void TestSellerSeeding::seedRejectsBadInput()
{
    QFETCH(QString, scenario);
    QFETCH(QString, params);
    exectest::ExecSeller s;
    const auto before = s.allRows();
    const int seeds = s.rows(QStringLiteral("sandbox_seeds"));
    const int resources = s.rows(QStringLiteral("mon_resources"));
    const auto outcome = s.call("comply_test_controller", {{"scenario", scenario.toStdString()},
                                                           {"params", json::parse(params.toStdString())},
                                                           {"account", {{"sandbox", true}}}});
    // Either the request schema refuses the params before the controller runs, or the controller does.
    if (!outcome.ok()) {
        QCOMPARE(outcome.error->code, std::string("INVALID_REQUEST"));
        QVERIFY(outcome.error->field.has_value());
    } else {
        QCOMPARE(outcome.result.value("success", true), false);
        QCOMPARE(outcome.result.value("error", std::string()), std::string("INVALID_PARAMS"));
        QVERIFY(!outcome.result.value("error_detail", std::string()).empty());
    }
    QVERIFY(s.allRows() == before);
    QCOMPARE(s.rows(QStringLiteral("sandbox_seeds")), seeds);
    QCOMPARE(s.rows(QStringLiteral("mon_resources")), resources);
}

void TestSellerSeeding::seededPlanIsDurable()
{
    exectest::ExecSeller s;
    const json fixture = {
        {"brand", {{"domain", "acmeoutdoor.example"}}},
        {"objectives", "Full spending authority"},
        {"budget", {{"total", 100000}, {"currency", "USD"}}},
        {"custom_policies", {{{"policy_id", "ctv_weekly_reporting"}, {"enforcement", "must"}}}}};
    QVERIFY(
        s.control("seed_plan", {{"plan_id", "gov_plan_1"}, {"fixture", fixture}}).value("success", false));
    QVERIFY(s.control("seed_plan", {{"plan_id", "gov_plan_2"}, {"fixture", json::object()}})
                .value("success", false));
    s.restart();
    QSqlDatabase db = s.context->database();
    QVERIFY(adcp::seller::SandboxSeeds::find(db, s.buyer.id, "plan", "gov_plan_1") == fixture);
    QCOMPARE(adcp::seller::SandboxSeeds::list(db, s.buyer.id, "plan"),
             (std::vector<std::string>{"gov_plan_1", "gov_plan_2"}));
    // Plans belong to the principal that seeded them.
    QVERIFY(adcp::seller::SandboxSeeds::find(db, s.other.id, "plan", "gov_plan_1").is_null());
}

void TestSellerSeeding::listScenariosIsExact()
{
    exectest::ExecSeller s;
    const json scenarios = s.control("list_scenarios", json::object())["scenarios"];
    for (const char *expected : {"seed_media_buy", "seed_plan", "seed_product", "seed_pricing_option",
                                 "seed_creative", "force_media_buy_status", "simulate_delivery"})
        QVERIFY2(has(scenarios, expected), expected);
    // Every listed scenario is served: with ids it does not know it answers NOT_FOUND, a parameter error or
    // a result, never UNKNOWN_SCENARIO.
    const json params = {{"creative_id", "cr_x"},
                         {"audience_id", "aud_x"},
                         {"catalog_item_id", "item_x"},
                         {"event_source_id", "es_x"},
                         {"property_id", "prop_x"},
                         {"media_buy_id", "mb_x"},
                         {"task_id", "task_x"},
                         {"product_id", "prod_x"},
                         {"pricing_option_id", "po_x"},
                         {"plan_id", "plan_x"},
                         {"status", "approved"},
                         {"arm", "submitted"},
                         {"seconds", 60},
                         {"fixture", json::object()},
                         {"result", {{"status", "completed"}}}};
    for (const auto &scenario : scenarios) {
        json these = params;
        if (scenario == "force_media_buy_status")
            these["status"] = "active";
        const auto outcome =
            s.call("comply_test_controller",
                   {{"scenario", scenario}, {"params", these}, {"account", {{"sandbox", true}}}});
        QVERIFY2(outcome.ok(), (scenario.dump() + ": " + outcome.result.dump()).c_str());
        QVERIFY2(outcome.result.value("error", std::string()) != "UNKNOWN_SCENARIO",
                 outcome.result.dump().c_str());
    }
}

void TestSellerSeeding::unsupportedScenarios_data()
{
    QTest::addColumn<QString>("scenario");
    // force_account_status, simulate_budget_spend and seed_creative_format are served (tst_seller_accounts).
    QTest::newRow("force_session_status") << "force_session_status";
    QTest::newRow("force_upstream_unavailable") << "force_upstream_unavailable";
}

void TestSellerSeeding::unsupportedScenarios()
{
    QFETCH(QString, scenario);
    exectest::ExecSeller s;
    const json answer = s.control(scenario.toStdString(), {{"account_id", "acc-1"},
                                                           {"session_id", "s1"},
                                                           {"status", "suspended"},
                                                           {"media_buy_id", "mb_x"},
                                                           {"spend_percentage", 50},
                                                           {"format_id", "f_x"},
                                                           {"fixture", json::object()}});
    QCOMPARE(answer.value("success", true), false);
    QCOMPARE(answer.value("error", std::string()), std::string("UNKNOWN_SCENARIO"));
    QVERIFY(!answer.value("error_detail", std::string()).empty());
    QVERIFY(!has(s.control("list_scenarios", json::object())["scenarios"], scenario.toStdString()));
}

// What a runner reads back about seeded buys is valid under the official schemas: the seed answers
// (comply_test_controller's SeedSuccess) and get_media_buys with seeded buys with and without packages.
void TestSellerSeeding::seededAnswersMatchOfficialSchemas()
{
    if (adcp::testsupport::officialSchemasAbsent())
        QSKIP("the official AdCP schemas (ADCP_SHARED_DIR) are absent");
    QString schemaError;
    const auto officialSchemas = adcp::testsupport::officialSchemas(&schemaError);
    QVERIFY2(officialSchemas, qPrintable(schemaError));
    const adcp::SchemaRegistry &official = *officialSchemas;
    exectest::ExecSeller s;
    std::vector<std::pair<std::string, json>> documents;
    const auto seed = [&](const std::string &scenario, const json &params) {
        const auto outcome =
            s.call("comply_test_controller",
                   {{"scenario", scenario}, {"params", params}, {"account", {{"sandbox", true}}}});
        documents.emplace_back("/schemas/compliance/comply-test-controller-response.json", outcome.result);
    };
    seed("seed_media_buy",
         {{"media_buy_id", "mb_bare"}, {"fixture", {{"status", "active"}, {"currency", "USD"}}}});
    seed("seed_media_buy",
         {{"media_buy_id", "mb_bare"}, {"fixture", {{"status", "active"}, {"currency", "USD"}}}});
    seed("seed_media_buy",
         {{"media_buy_id", "mb_full"},
          {"fixture",
           {{"status", "paused"},
            {"total_budget", {{"amount", 9000}, {"currency", "USD"}}},
            {"packages", {{{"product_id", "sports_olv_preroll"}}, {{"product_id", "podcast_host_read"}}}}}}});
    seed("seed_plan", {{"plan_id", "plan_1"}, {"fixture", {{"status", "active"}}}});
    seed("seed_plan", {{"plan_id", "plan_1"}, {"fixture", {{"status", "draft"}}}}); // refused
    documents.emplace_back("/schemas/media-buy/get-media-buys-response.json",
                           s.call("get_media_buys", {{"media_buy_ids", {"mb_bare", "mb_full"}}}).result);
    QCOMPARE(documents.back().second["media_buys"].size(), size_t(2));
    for (const auto &[schema, document] : documents) {
        const auto issues = official.validate(schema, document);
        QVERIFY2(issues.empty(),
                 (document.dump() + "\n" +
                  (issues.empty() ? "" : issues.front().pointer + ": " + issues.front().message))
                     .c_str());
    }
}

void TestSellerSeeding::listingIsPaginated_data()
{
    QTest::addColumn<int>("buys");
    QTest::addColumn<int>("pageSize"); // 0 = no pagination member (default 50)
    QTest::addColumn<QList<int>>("pages");
    QTest::newRow("three of three, default size") << 3 << 0 << QList<int>{3};
    // After the first page one more buy is created: it comes last.
    QTest::newRow("seven by three") << 7 << 3 << QList<int>{3, 3, 2};
    QTest::newRow("five by three") << 5 << 3 << QList<int>{3, 3};
    QTest::newRow("two by one") << 2 << 1 << QList<int>{1, 1, 1};
}

// Every listing carries pagination; following the cursors returns every buy exactly once, in creation order,
// even when a buy is added between two pages; an id lookup is one terminal page.
void TestSellerSeeding::listingIsPaginated()
{
    QFETCH(int, buys);
    QFETCH(int, pageSize);
    QFETCH(QList<int>, pages);
    exectest::ExecSeller s;
    std::vector<std::string> seeded;
    for (int i = 0; i < buys; ++i) {
        seeded.push_back("mb_page_" + std::to_string(i));
        QVERIFY(s.control("seed_media_buy",
                          {{"media_buy_id", seeded.back()}, {"fixture", {{"status", "active"}}}})
                    .value("success", false));
    }
    std::vector<std::string> seen;
    json request = {{"status_filter", {"active"}}};
    if (pageSize > 0)
        request["pagination"] = {{"max_results", pageSize}};
    for (int page = 0; page < pages.size(); ++page) {
        const auto outcome = s.call("get_media_buys", request);
        QVERIFY2(outcome.ok(), outcome.ok() ? "" : outcome.error->message.c_str());
        const json &p = outcome.result.at("pagination");
        QCOMPARE(int(outcome.result["media_buys"].size()), pages[page]);
        QCOMPARE(p["total_count"].get<int>(), buys + (page > 0 ? 1 : 0));
        const bool last = page == pages.size() - 1;
        QCOMPARE(p["has_more"].get<bool>(), !last);
        QCOMPARE(p.contains("cursor"), !last);
        for (const auto &b : outcome.result["media_buys"])
            seen.push_back(b["media_buy_id"].get<std::string>());
        if (page == 0) // a buy created meanwhile comes last and does not shift the pages
            QVERIFY(s.control("seed_media_buy",
                              {{"media_buy_id", "mb_page_late"}, {"fixture", {{"status", "active"}}}})
                        .value("success", false));
        if (!last)
            request["pagination"]["cursor"] = p["cursor"];
    }
    if (pages.size() > 1)
        seeded.push_back("mb_page_late");
    QCOMPARE(seen, seeded);

    const auto lookup = s.call("get_media_buys", {{"media_buy_ids", {seeded.front(), "mb_unknown"}}});
    QCOMPARE(lookup.result["pagination"]["has_more"].get<bool>(), false);
    QVERIFY(!lookup.result["pagination"].contains("cursor"));
    QCOMPARE(lookup.result["pagination"]["total_count"].get<int>(), 1);
}

void TestSellerSeeding::paginationRejectsForeignCursor()
{
    exectest::ExecSeller s;
    for (const char *cursor : {"not base64 !", "Zm9v", "MDp4"}) { // garbage, "foo", "0:x"
        const auto outcome =
            s.call("get_media_buys", {{"status_filter", {"active"}}, {"pagination", {{"cursor", cursor}}}});
        QCOMPARE(sellertest::errorCode(outcome), std::string("INVALID_REQUEST"));
        QCOMPARE(sellertest::errorField(outcome), std::string("pagination.cursor"));
        QCOMPARE(sellertest::recovery(outcome), std::string("correctable"));
    }
}

QTEST_GUILESS_MAIN(TestSellerSeeding)
#include "tst_seller_seeding.moc"
