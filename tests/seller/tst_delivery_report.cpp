#include "delivery/deliveryreport.h"
#include "delivery/deliverysimulator.h"
#include "execfixture.h"
#include "monitoring/lifecycle.h"

#include <QTest>

#include <cmath>

using namespace exectest;
using sellertest::errorCode;
using sellertest::errorField;

namespace {

qint64 cents(const json &value)
{
    return std::llround(value.get<double>() * 100.0);
}

} // namespace

class TestDeliveryReport final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void windowsSumToTotals_data();
    void windowsSumToTotals();
    void unsupportedGranularity_data();
    void unsupportedGranularity();
    void pausedHoursDeliverNothing();
    void simulatedDeliveryIsAdded();
    void budgetChangeKeepsWhatWasDelivered();
};

namespace {

// A live, active buy whose clock has run for a while.
std::string activeBuy(ExecSeller &s, qint64 runSeconds)
{
    const json created = s.createBuy();
    const std::string id = created["media_buy_id"];
    if (!s.waitForJobs())
        qFatal("the ad-server jobs of the buy did not finish");
    s.syncCreative("cr_a", created["packages"][0]["package_id"], "audio_standard_60s");
    s.syncCreative("cr_v", created["packages"][1]["package_id"], "video_standard_30s");
    if (s.status(id) != "active")
        qFatal("buy did not go active");
    s.control("advance_clock", {{"seconds", runSeconds}});
    return id;
}

} // namespace

void TestDeliveryReport::windowsSumToTotals_data()
{
    QTest::addColumn<QString>("granularity");
    QTest::addColumn<qint64>("runSeconds");
    QTest::newRow("hourly, 2 days 5 h") << "hourly" << qint64(2 * 86400 + 5 * 3600 + 17);
    QTest::newRow("daily, 4 days") << "daily" << qint64(4 * 86400 + 1234);
    QTest::newRow("hourly, after flight end") << "hourly" << qint64(12 * 86400);
}

void TestDeliveryReport::windowsSumToTotals()
{
    QFETCH(QString, granularity);
    QFETCH(qint64, runSeconds);
    ExecSeller s;
    const std::string id = activeBuy(s, runSeconds);
    const auto outcome = s.call("get_media_buy_delivery", {{"media_buy_ids", {id}},
                                                           {"time_granularity", granularity.toStdString()},
                                                           {"include_window_breakdown", true},
                                                           {"include_package_daily_breakdown", true}});
    QVERIFY2(outcome.ok(), errorCode(outcome).c_str());
    const json &delivery = outcome.result["media_buy_deliveries"][0];
    const json &totals = delivery["totals"];
    QVERIFY(totals["impressions"].get<qint64>() > 0);
    qint64 impressions = 0, clicks = 0, spend = 0;
    for (const auto &w : delivery["windows"]) {
        impressions += w["totals"]["impressions"].get<qint64>();
        clicks += w["totals"]["clicks"].get<qint64>();
        spend += cents(w["totals"]["spend"]);
    }
    QCOMPARE(impressions, totals["impressions"].get<qint64>());
    QCOMPARE(clicks, totals["clicks"].get<qint64>());
    QCOMPARE(spend, cents(totals["spend"]));
    // Windows tile the reporting period without gaps.
    const json &windows = delivery["windows"];
    QVERIFY(windows.front()["window_start"] == outcome.result["reporting_period"]["start"]);
    QVERIFY(windows.back()["window_end"] == outcome.result["reporting_period"]["end"]);
    for (size_t i = 1; i < windows.size(); ++i)
        QVERIFY(windows[i]["window_start"] == windows[i - 1]["window_end"]);
    // Packages and days add up too.
    qint64 packageImpressions = 0, packageSpend = 0;
    for (const auto &p : delivery["by_package"]) {
        packageImpressions += p["impressions"].get<qint64>();
        packageSpend += cents(p["spend"]);
        qint64 daily = 0;
        for (const auto &d : p["daily_breakdown"])
            daily += d["impressions"].get<qint64>();
        QCOMPARE(daily, p["impressions"].get<qint64>());
    }
    QCOMPARE(packageImpressions, totals["impressions"].get<qint64>());
    QCOMPARE(packageSpend, cents(totals["spend"]));
    qint64 days = 0, daySpend = 0;
    for (const auto &d : delivery["daily_breakdown"]) {
        days += d["impressions"].get<qint64>();
        daySpend += cents(d["spend"]);
    }
    QCOMPARE(days, totals["impressions"].get<qint64>());
    QCOMPARE(daySpend, cents(totals["spend"]));
    QVERIFY(outcome.result["aggregated_totals"]["impressions"] == totals["impressions"]);
    // Never more than the budget.
    QVERIFY(totals["spend"].get<double>() <= 18000.0);
}

void TestDeliveryReport::unsupportedGranularity_data()
{
    QTest::addColumn<QString>("granularity");
    QTest::newRow("weekly") << "weekly";
    QTest::newRow("monthly") << "monthly";
    QTest::newRow("post_campaign") << "post_campaign";
}

void TestDeliveryReport::unsupportedGranularity()
{
    QFETCH(QString, granularity);
    ExecSeller s;
    const json created = s.createBuy();
    const auto outcome = s.call("get_media_buy_delivery", {{"media_buy_ids", {created["media_buy_id"]}},
                                                           {"time_granularity", granularity.toStdString()}});
    QCOMPARE(errorCode(outcome), std::string("UNSUPPORTED_GRANULARITY"));
    QCOMPARE(errorField(outcome), std::string("time_granularity"));
    QCOMPARE(sellertest::recovery(outcome), std::string("correctable"));
}

void TestDeliveryReport::pausedHoursDeliverNothing()
{
    ExecSeller s;
    const std::string id = activeBuy(s, 3600 * 5);
    QVERIFY(s.call("update_media_buy", {{"idempotency_key", s.key()},
                                        {"account", {{"account_id", "acc-1"}}},
                                        {"media_buy_id", id},
                                        {"paused", true}})
                .ok());
    const auto before = s.call("get_media_buy_delivery", {{"media_buy_ids", {id}}});
    s.control("advance_clock", {{"seconds", 6 * 3600}});
    const auto after = s.call("get_media_buy_delivery", {{"media_buy_ids", {id}}});
    QVERIFY(after.result["media_buy_deliveries"][0]["totals"]["impressions"] ==
            before.result["media_buy_deliveries"][0]["totals"]["impressions"]);
    QCOMPARE(after.result["media_buy_deliveries"][0]["by_package"][0]["paused"].get<bool>(), true);
    QVERIFY(s.call("update_media_buy", {{"idempotency_key", s.key()},
                                        {"account", {{"account_id", "acc-1"}}},
                                        {"media_buy_id", id},
                                        {"paused", false}})
                .ok());
    s.control("advance_clock", {{"seconds", 3600}});
    const auto resumed = s.call("get_media_buy_delivery", {{"media_buy_ids", {id}}});
    QVERIFY(resumed.result["media_buy_deliveries"][0]["totals"]["impressions"].get<qint64>() >
            after.result["media_buy_deliveries"][0]["totals"]["impressions"].get<qint64>());
}

void TestDeliveryReport::simulatedDeliveryIsAdded()
{
    ExecSeller s;
    const std::string id = activeBuy(s, 3600);
    const auto before = s.call("get_media_buy_delivery", {{"media_buy_ids", {id}}});
    const json simulated =
        s.control("simulate_delivery", {{"media_buy_id", id}, {"impressions", 5000}, {"clicks", 25}});
    QVERIFY(simulated["success"].get<bool>());
    const auto after =
        s.call("get_media_buy_delivery",
               {{"media_buy_ids", {id}}, {"time_granularity", "hourly"}, {"include_window_breakdown", true}});
    const json &totals = after.result["media_buy_deliveries"][0]["totals"];
    // The seller clock runs at 1x between the two reads, so the buy may also deliver a few impressions of its
    // own (about 2 a second here): the simulated 5,000 are there, plus at most what minutes of pacing add.
    const qint64 added = totals["impressions"].get<qint64>() -
                         before.result["media_buy_deliveries"][0]["totals"]["impressions"].get<qint64>();
    QVERIFY2(added >= 5000 && added < 6000, qPrintable(QString::number(added)));
    qint64 windows = 0;
    for (const auto &w : after.result["media_buy_deliveries"][0]["windows"])
        windows += w["totals"]["impressions"].get<qint64>();
    QCOMPARE(windows, totals["impressions"].get<qint64>());
    QCOMPARE(s.control("simulate_delivery", {{"media_buy_id", "mb_nope"}})["error"].get<std::string>(),
             std::string("NOT_FOUND"));
}

// A budget lowered mid-flight leaves what was delivered before as it was (it used to rescale the whole
// flight's curve, history included); one below what the package or the buy has spent is refused with
// BUDGET_TOO_LOW, its field and the least budget, and changes nothing.
void TestDeliveryReport::budgetChangeKeepsWhatWasDelivered()
{
    using adcp::seller::DeliveryCounts;
    using adcp::seller::DeliveryReport;
    using adcp::seller::DeliverySimulator;
    using adcp::seller::MediaBuyLifecycle;
    ExecSeller s;
    const std::string id = activeBuy(s, 3 * 86400);
    QSqlDatabase db = s.context->database();
    const QDateTime before = s.context->clock().now();
    const auto deliveredAt = [&](const QDateTime &at) {
        const auto buy = MediaBuyLifecycle::load(db, s.buyer.id, id);
        const auto package = MediaBuyLifecycle::packages(db, *buy).at(0);
        return DeliverySimulator::cumulative(DeliveryReport::plan(db, *buy, package), at);
    };
    const DeliveryCounts delivered = deliveredAt(before);
    QVERIFY2(delivered.spendMinor > 200, qPrintable(QString::number(delivered.spendMinor)));
    const json buy = s.mediaBuy(id);
    const std::string packageId = buy["packages"][0]["package_id"];
    const double budget = buy["packages"][0]["budget"].get<double>();
    const auto update = [&](const json &changes) {
        json args = {
            {"idempotency_key", s.key()}, {"account", {{"account_id", "acc-1"}}}, {"media_buy_id", id}};
        args.update(changes);
        return s.call("update_media_buy", args);
    };

    const auto tooLow = update({{"packages", {{{"package_id", packageId}, {"budget", 1.0}}}}});
    QVERIFY(!tooLow.ok());
    QCOMPARE(tooLow.error->code, std::string("BUDGET_TOO_LOW"));
    QCOMPARE(tooLow.error->field.value_or(""), std::string("packages[0].budget"));
    QCOMPARE(s.rows(QStringLiteral("exec_budget_changes")), 0);
    QCOMPARE(s.mediaBuy(id)["packages"][0]["budget"].get<double>(), budget);
    const auto totalTooLow = update({{"total_budget", {{"amount", 1.0}, {"currency", buy["currency"]}}}});
    QVERIFY(!totalTooLow.ok());
    QVERIFY2(totalTooLow.error->code == "BUDGET_TOO_LOW",
             (totalTooLow.error->code + " " + totalTooLow.error->message).c_str());
    QCOMPARE(totalTooLow.error->field.value_or(""), std::string("total_budget"));

    const auto lowered = update({{"packages", {{{"package_id", packageId}, {"budget", budget / 2}}}}});
    QVERIFY2(lowered.ok(), lowered.ok() ? "" : lowered.error->message.c_str());
    QCOMPARE(s.rows(QStringLiteral("exec_budget_changes")), 1);
    QCOMPARE(deliveredAt(before), delivered);
    // From the change on the new budget paces the rest of the flight: delivery goes on, from where it stood.
    const QDateTime later = s.context->clock().now().addSecs(86400);
    QVERIFY(deliveredAt(later).impressions > delivered.impressions);
    QVERIFY(deliveredAt(later).spendMinor <= std::llround(budget / 2 * 100));
}

QTEST_GUILESS_MAIN(TestDeliveryReport)
#include "tst_delivery_report.moc"
