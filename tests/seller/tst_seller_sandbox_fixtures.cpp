// Sandbox fixtures and the answers external conformance runners read: seed_product / seed_pricing_option
// through comply_test_controller (real catalog rows, normal buying path, kept across a restart, never over a
// catalog product), update_media_buy's status, targeting overlays replaced by update_media_buy, and delivery
// statuses limited to the declared protocol versions.

#include "execfixture.h"

#include <QTest>

#include <set>

using nlohmann::json;

namespace {

json productIds(const adcp::ToolOutcome &outcome)
{
    json ids = json::array();
    for (const auto &p : outcome.result.value("products", json::array()))
        ids.push_back(p.value("product_id", std::string()));
    return ids;
}

bool contains(const json &list, const std::string &value)
{
    return std::find(list.begin(), list.end(), json(value)) != list.end();
}

} // namespace

class TestSandboxFixtures final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void seededProductIsSellable();
    void seedingRejectsBadInput_data();
    void seedingRejectsBadInput();
    void updateAnswersMediaBuyStatus();
    void targetingOverlayIsReplaced();
    void deliveryStatusWithinDeclaredVersions();
    void forcedSubmittedArm();
    void retryKeyIsEchoed();
    void controllerListedToSandboxOnly();
    void failuresCarryFailedStatus();
    void capabilitiesDeclareWebhooksAndPulls();
};

void TestSandboxFixtures::seededProductIsSellable()
{
    exectest::ExecSeller s;
    const json seeded = s.control("seed_product", {{"product_id", "fixture_video"},
                                                   {"fixture",
                                                    {{"delivery_type", "guaranteed"},
                                                     {"channels", {"olv"}},
                                                     {"format_ids", {{{"id", "video_30s"}}}}}}});
    QCOMPARE(seeded.value("success", false), true);
    // Without a pricing option the product is not sellable yet.
    QVERIFY(!contains(productIds(s.call("get_products", {{"buying_mode", "wholesale"}})), "fixture_video"));
    const json priced =
        s.control("seed_pricing_option",
                  {{"product_id", "fixture_video"},
                   {"pricing_option_id", "cpm_fixed"},
                   {"fixture", {{"pricing_model", "cpm"}, {"currency", "USD"}, {"fixed_price", 35.0}}}});
    QCOMPARE(priced.value("success", false), true);

    const auto listed = s.call("get_products", {{"buying_mode", "wholesale"}});
    QVERIFY(listed.ok());
    QVERIFY(contains(productIds(listed), "fixture_video"));
    for (const auto &p : listed.result["products"]) {
        if (p["product_id"] == "fixture_video") {
            QCOMPARE(p["pricing_options"][0]["fixed_price"].get<double>(), 35.0);
            // Formats named by id only get the seller's creative agent.
            QVERIFY(p["format_ids"][0].contains("agent_url"));
        }
    }

    const auto buy = s.call(
        "create_media_buy",
        s.packageBuy(
            {{"packages",
              {{{"product_id", "fixture_video"}, {"pricing_option_id", "cpm_fixed"}, {"budget", 5000}}}}}));
    QVERIFY2(buy.ok(), buy.ok() ? "" : buy.error->message.c_str());
    QCOMPARE(buy.result["packages"][0]["product_id"].get<std::string>(), std::string("fixture_video"));

    // Non-sandbox accounts neither see nor buy sandbox fixtures.
    QVERIFY(!s.other.sandbox);
    QVERIFY(!contains(productIds(s.call(s.other, "get_products", {{"buying_mode", "wholesale"}})),
                      "fixture_video"));
    json otherBuy = s.packageBuy(
        {{"packages",
          {{{"product_id", "fixture_video"}, {"pricing_option_id", "cpm_fixed"}, {"budget", 5000}}}}});
    const auto refused = s.call(s.other, "create_media_buy", otherBuy);
    QCOMPARE(sellertest::errorCode(refused), std::string("PRODUCT_NOT_FOUND"));

    // The fixture is a stored catalog row: it is still there after a restart.
    s.restart();
    QVERIFY(contains(productIds(s.call("get_products", {{"buying_mode", "wholesale"}})), "fixture_video"));
}

void TestSandboxFixtures::seedingRejectsBadInput_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QString>("params");
    QTest::addColumn<QString>("error");
    QTest::newRow("catalog product")
        << "seed_product"
        << R"({"product_id":"podcast_host_read","fixture":{"delivery_type":"guaranteed"}})"
        << "INVALID_PARAMS";
    QTest::newRow("option on catalog product")
        << "seed_pricing_option"
        << R"({"product_id":"podcast_host_read","pricing_option_id":"x","fixture":{"fixed_price":1}})"
        << "INVALID_PARAMS";
    QTest::newRow("unknown product")
        << "seed_pricing_option"
        << R"({"product_id":"nope","pricing_option_id":"x","fixture":{"fixed_price":1}})"
        << "NOT_FOUND";
    QTest::newRow("bad delivery type") << "seed_product"
                                       << R"({"product_id":"f1","fixture":{"delivery_type":"sometimes"}})"
                                       << "INVALID_PARAMS";
}

void TestSandboxFixtures::seedingRejectsBadInput()
{
    QFETCH(QString, scenario);
    QFETCH(QString, params);
    QFETCH(QString, error);
    exectest::ExecSeller s;
    const auto before = s.call("get_products", {{"buying_mode", "wholesale"}}).result["products"];
    const json answer = s.control(scenario.toStdString(), json::parse(params.toStdString()));
    QCOMPARE(answer.value("success", true), false);
    QCOMPARE(QString::fromStdString(answer.value("error", std::string())), error);
    // Nothing changed in the catalog.
    QVERIFY(s.call("get_products", {{"buying_mode", "wholesale"}}).result["products"] == before);
    // Non-sandbox callers cannot seed at all.
    s.buyer.sandbox = false;
    const auto denied =
        s.call("comply_test_controller", {{"scenario", "seed_product"},
                                          {"params", {{"product_id", "f2"}, {"fixture", json::object()}}},
                                          // The caller claims sandbox; the seller checks its own records.
                                          {"account", {{"sandbox", true}}}});
    // The controller's own structured refusal (ControllerError of comply-test-controller-response.json, whose
    // error enum has FORBIDDEN for "forbidden sandbox access"), not a transport or AdCP task error.
    QVERIFY2(denied.ok(), denied.ok() ? "" : denied.error->message.c_str());
    QCOMPARE(denied.result.value("success", true), false);
    QCOMPARE(denied.result.value("error", std::string()), std::string("FORBIDDEN"));
    // Compared as the sandbox account again: only it sees the fixture products.
    s.buyer.sandbox = true;
    QVERIFY(s.call("get_products", {{"buying_mode", "wholesale"}}).result["products"] == before);
}

void TestSandboxFixtures::updateAnswersMediaBuyStatus()
{
    exectest::ExecSeller s;
    const json created = s.createBuy();
    const std::string id = created["media_buy_id"].get<std::string>();
    QVERIFY(created["status"] == created["media_buy_status"]);
    const auto updated =
        s.call("update_media_buy",
               {{"idempotency_key", s.key()},
                {"account", {{"account_id", "acc-1"}}},
                {"media_buy_id", id},
                {"packages", {{{"package_id", created["packages"][0]["package_id"]}, {"budget", 13000}}}}});
    QVERIFY(updated.ok());
    // 3.0/3.1 readers take the buy's status from `status`: it must be the media-buy status, not "completed".
    QVERIFY2(updated.result["status"] == updated.result["media_buy_status"], updated.result.dump().c_str());
    QCOMPARE(updated.result["status"].get<std::string>(), s.status(id));
    // A 3.2 caller gets the envelope's task status there instead.
    const auto v32 =
        s.call("update_media_buy",
               {{"idempotency_key", s.key()},
                {"account", {{"account_id", "acc-1"}}},
                {"media_buy_id", id},
                {"packages", {{{"package_id", created["packages"][0]["package_id"]}, {"budget", 13500}}}},
                {"adcp_version", "3.2"}});
    QVERIFY2(v32.ok(), v32.ok() ? "" : v32.error->message.c_str());
    QCOMPARE(v32.result.value("status", std::string()), std::string("completed"));
    QVERIFY(v32.result["media_buy_status"] == updated.result["media_buy_status"]);
}

void TestSandboxFixtures::targetingOverlayIsReplaced()
{
    exectest::ExecSeller s;
    const json listA = {{"agent_url", "https://lists.example"}, {"list_id", "allow_a"}};
    const json listB = {{"agent_url", "https://lists.example"}, {"list_id", "allow_b"}};
    const json created =
        s.createBuy({{"packages",
                      {{{"product_id", "podcast_host_read"},
                        {"pricing_option_id", "podcast_hostread_usd"},
                        {"budget", 12000},
                        {"targeting_overlay", {{"property_list", listA}, {"collection_list", listA}}}}}}});
    const std::string id = created["media_buy_id"].get<std::string>();
    const std::string packageId = created["packages"][0]["package_id"].get<std::string>();
    QVERIFY(s.mediaBuy(id)["packages"][0]["targeting_overlay"]["property_list"] == listA);

    const auto updated = s.call(
        "update_media_buy",
        {{"idempotency_key", s.key()},
         {"account", {{"account_id", "acc-1"}}},
         {"media_buy_id", id},
         {"packages", {{{"package_id", packageId}, {"targeting_overlay", {{"property_list", listB}}}}}}});
    QVERIFY2(updated.ok(), updated.ok() ? "" : updated.error->message.c_str());
    const json overlay = s.mediaBuy(id)["packages"][0]["targeting_overlay"];
    QVERIFY2(overlay["property_list"] == listB, overlay.dump().c_str());
    // Replaced, not merged: the collection list the update did not send is gone.
    QVERIFY(!overlay.contains("collection_list"));
    s.restart();
    QVERIFY(s.mediaBuy(id)["packages"][0]["targeting_overlay"]["property_list"] == listB);
}

void TestSandboxFixtures::deliveryStatusWithinDeclaredVersions()
{
    exectest::ExecSeller s;
    // A flight that starts tomorrow: nothing is serving yet.
    const QDateTime now = s.context->clock().now();
    const json created = s.createBuy({{"start_time", now.addDays(1).toString(Qt::ISODate).toStdString()}});
    const auto delivery = s.call("get_media_buy_delivery", {{"media_buy_ids", {created["media_buy_id"]}}});
    QVERIFY(delivery.ok());
    const json packages = delivery.result["media_buy_deliveries"][0]["by_package"];
    QVERIFY(!packages.empty());
    static const std::set<std::string> v30 = {"delivering", "completed", "budget_exhausted", "flight_ended",
                                              "goal_met"};
    for (const auto &p : packages) {
        if (p.contains("delivery_status"))
            QVERIFY2(v30.count(p["delivery_status"].get<std::string>()), p.dump().c_str());
    }
}

void TestSandboxFixtures::forcedSubmittedArm()
{
    exectest::ExecSeller s;
    const json refused = s.control("force_create_media_buy_arm", {{"arm", "input-required"}});
    QCOMPARE(refused.value("success", true), false);
    QCOMPARE(refused.value("error", std::string()), std::string("INVALID_PARAMS"));

    const json forced =
        s.control("force_create_media_buy_arm",
                  {{"arm", "submitted"}, {"task_id", "task_forced_1"}, {"message", "Awaiting IO"}});
    QCOMPARE(forced.value("success", false), true);
    QCOMPARE(forced["forced"]["task_id"].get<std::string>(), std::string("task_forced_1"));

    // The directive survives a restart and shapes exactly the next buy.
    s.restart();
    const json submitted = s.createBuy();
    QCOMPARE(submitted.value("status", std::string()), std::string("submitted"));
    QCOMPARE(submitted.value("task_id", std::string()), std::string("task_forced_1"));
    QCOMPARE(submitted.value("message", std::string()), std::string("Awaiting IO"));
    QVERIFY(!submitted.contains("media_buy_id"));
    const auto task = s.call("get_task_status", {{"task_id", "task_forced_1"}});
    QVERIFY2(task.ok(), task.ok() ? "" : task.error->message.c_str());
    QCOMPARE(task.result.value("status", std::string()), std::string("submitted"));

    const json next = s.createBuy();
    QVERIFY(next.contains("media_buy_id"));
    QVERIFY(next.value("status", std::string()) != "submitted");

    // A task id that already exists cannot be forced again.
    const json duplicate =
        s.control("force_create_media_buy_arm", {{"arm", "submitted"}, {"task_id", "task_forced_1"}});
    QCOMPARE(duplicate.value("success", true), false);
}

void TestSandboxFixtures::retryKeyIsEchoed()
{
    exectest::ExecSeller s;
    json args = s.packageBuy();
    const std::string key = args["idempotency_key"].get<std::string>();
    const auto first = s.call("create_media_buy", args);
    QVERIFY(first.ok());
    QCOMPARE(first.result.value("idempotency_key", std::string()), key);
    const auto replay = s.call("create_media_buy", args);
    QVERIFY(replay.ok());
    QCOMPARE(replay.result.value("idempotency_key", std::string()), key);
    QCOMPARE(replay.result.value("replayed", false), true);
    QVERIFY(replay.result["media_buy_id"] == first.result["media_buy_id"]);
}

void TestSandboxFixtures::controllerListedToSandboxOnly()
{
    exectest::ExecSeller s;
    const auto names = [&](const adcp::seller::Principal &who) {
        std::set<std::string> list;
        for (const auto &t : s.dispatcher->tools(who))
            list.insert(t.name);
        return list;
    };
    QVERIFY(s.buyer.sandbox);
    QVERIFY(names(s.buyer).count("comply_test_controller"));
    QVERIFY(!names(s.other).count("comply_test_controller"));
    QVERIFY(names(s.other).count("create_media_buy"));
}

void TestSandboxFixtures::failuresCarryFailedStatus()
{
    exectest::ExecSeller s;
    // A schema failure (before dispatch), an unknown product (in the handler) and a replay conflict.
    const auto malformed = s.call("create_media_buy", {{"packages", "nope"}});
    json conflictArgs = s.packageBuy();
    QVERIFY(s.call("create_media_buy", conflictArgs).ok());
    conflictArgs["packages"][0]["budget"] = 12500;
    const auto conflict = s.call("create_media_buy", conflictArgs);
    const auto unknown =
        s.call("create_media_buy",
               s.packageBuy(
                   {{"packages", {{{"product_id", "nope"}, {"pricing_option_id", "x"}, {"budget", 5000}}}}}));
    for (const auto *o : {&malformed, &conflict, &unknown}) {
        QVERIFY(!o->ok());
        QCOMPARE(o->result.value("status", std::string()), std::string("failed"));
        QVERIFY(!o->result["errors"].empty());
    }
    QCOMPARE(sellertest::errorCode(conflict), std::string("IDEMPOTENCY_CONFLICT"));
    QCOMPARE(sellertest::errorCode(unknown), std::string("PRODUCT_NOT_FOUND"));
}

void TestSandboxFixtures::capabilitiesDeclareWebhooksAndPulls()
{
    exectest::ExecSeller s;
    const auto caps = s.call("get_adcp_capabilities", json::object());
    QVERIFY(caps.ok());
    const json signing = caps.result["webhook_signing"];
    QCOMPARE(signing.value("supported", false), true);
    QCOMPARE(signing.value("profile", std::string()), std::string("adcp/webhook-signing/v1"));
    QVERIFY(signing["algorithms"] == json({"ed25519"}));
    QCOMPARE(signing.value("legacy_hmac_fallback", false), true);
    QVERIFY(caps.result["media_buy"]["propagation_surfaces"] == json({"snapshot", "webhook"}));

    // Every granularity a product declares for windowed pulls is honoured by get_media_buy_delivery.
    const json created = s.createBuy();
    const auto products = s.call("get_products", {{"buying_mode", "wholesale"}});
    for (const auto &p : products.result["products"]) {
        const json granularities =
            p["reporting_capabilities"].value("windowed_pull_granularities", json::array());
        QVERIFY2(!granularities.empty(), p["product_id"].dump().c_str());
        for (const auto &g : granularities) {
            const auto pulled =
                s.call("get_media_buy_delivery", {{"media_buy_ids", {created["media_buy_id"]}},
                                                  {"time_granularity", g},
                                                  {"include_window_breakdown", true}});
            QVERIFY2(pulled.ok(), g.dump().c_str());
        }
    }
}

QTEST_GUILESS_MAIN(TestSandboxFixtures)
#include "tst_seller_sandbox_fixtures.moc"
