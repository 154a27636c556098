#include "delivery/deliverysimulator.h"

#include <QTest>

#include <cmath>

using namespace adcp::seller;

namespace {

QDateTime utc(const char *text)
{
    return QDateTime::fromString(QString::fromLatin1(text), Qt::ISODate).toUTC();
}

PackagePlan plan(Pacing pacing)
{
    PackagePlan p;
    p.packageId = "pkg_sim";
    p.flightStart = utc("2026-03-01T06:30:00Z");
    p.flightEnd = utc("2026-03-08T18:15:00Z");
    p.budgetMinor = 1234567; // 12,345.67
    p.rate = 12.5;
    p.pacing = pacing;
    return p;
}

} // namespace

class TestDeliverySimulator final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void windowsSumToTotals_data();
    void windowsSumToTotals();
    void deterministic();
    void neverOverspends();
    void pacingShapesDelivery();
    void stoppedPeriodsDeliverNothing();
    void statusFollowsFlight();
    void everyModelBillsItsUnit_data();
    void everyModelBillsItsUnit();
    void fixedFeeEarnsWithTheFlight();
    void viewThresholdCountsViews();
    void budgetChangeKeepsWhatWasDelivered_data();
    void budgetChangeKeepsWhatWasDelivered();
};

void TestDeliverySimulator::windowsSumToTotals_data()
{
    QTest::addColumn<int>("pacing");
    QTest::addColumn<int>("granularity");
    QTest::addColumn<QDateTime>("asOf");
    QTest::addColumn<bool>("withStops");
    const QDateTime mid = utc("2026-03-04T13:47:12Z");
    const QDateTime after = utc("2026-03-10T00:00:00Z");
    for (const auto &[pacingName, pacing] : {std::pair{"even", Pacing::Even}, std::pair{"asap", Pacing::Asap},
                                             std::pair{"front_loaded", Pacing::FrontLoaded}}) {
        for (const auto &[granName, gran] :
             {std::pair{"hourly", Granularity::Hourly}, std::pair{"daily", Granularity::Daily}}) {
            for (const bool stops : {false, true}) {
                QTest::addRow("%s/%s/mid-flight%s", pacingName, granName, stops ? "/stops" : "")
                    << int(pacing) << int(gran) << mid << stops;
                QTest::addRow("%s/%s/after-flight%s", pacingName, granName, stops ? "/stops" : "")
                    << int(pacing) << int(gran) << after << stops;
            }
        }
    }
}

void TestDeliverySimulator::windowsSumToTotals()
{
    QFETCH(int, pacing);
    QFETCH(int, granularity);
    QFETCH(QDateTime, asOf);
    QFETCH(bool, withStops);
    PackagePlan p = plan(Pacing(pacing));
    if (withStops) {
        p.stopped.push_back({utc("2026-03-02T10:10:00Z"), utc("2026-03-02T22:00:00Z")});
        p.stopped.push_back({utc("2026-03-02T20:00:00Z"), utc("2026-03-03T01:00:00Z")});
    }
    const QDateTime from = utc("2026-03-01T00:00:00Z");
    const QDateTime to = utc("2026-03-09T00:00:00Z");
    const auto windows = DeliverySimulator::windows(p, from, to, Granularity(granularity), asOf);
    QCOMPARE(windows.size(), size_t(granularity == int(Granularity::Hourly) ? 8 * 24 : 8));
    DeliveryCounts sum;
    for (size_t i = 0; i < windows.size(); ++i) {
        sum += windows[i].counts;
        QVERIFY(windows[i].counts.impressions >= 0);
        QVERIFY(windows[i].counts.spendMinor >= 0);
        if (i > 0)
            QCOMPARE(windows[i].start, windows[i - 1].end);
    }
    const DeliveryCounts total = DeliverySimulator::cumulative(p, asOf);
    QVERIFY(total.impressions > 0);
    QCOMPARE(sum.impressions, total.impressions);
    QCOMPARE(sum.clicks, total.clicks);
    QCOMPARE(sum.spendMinor, total.spendMinor);
    // Daily windows are sums of their hours.
    if (granularity == int(Granularity::Daily)) {
        const auto hours = DeliverySimulator::windows(p, from, to, Granularity::Hourly, asOf);
        for (size_t d = 0; d < windows.size(); ++d) {
            DeliveryCounts day;
            for (size_t h = d * 24; h < (d + 1) * 24; ++h)
                day += hours[h].counts;
            QCOMPARE(day.impressions, windows[d].counts.impressions);
            QCOMPARE(day.spendMinor, windows[d].counts.spendMinor);
        }
    }
}

void TestDeliverySimulator::deterministic()
{
    const PackagePlan p = plan(Pacing::Even);
    const QDateTime at = utc("2026-03-05T00:00:00Z");
    QCOMPARE(DeliverySimulator::cumulative(p, at), DeliverySimulator::cumulative(p, at));
    PackagePlan other = p;
    other.packageId = "pkg_other";
    QVERIFY(!(DeliverySimulator::cumulative(other, at) == DeliverySimulator::cumulative(p, at)));
}

void TestDeliverySimulator::neverOverspends()
{
    for (const Pacing pacing : {Pacing::Even, Pacing::Asap, Pacing::FrontLoaded}) {
        const PackagePlan p = plan(pacing);
        const DeliveryCounts end = DeliverySimulator::cumulative(p, utc("2027-01-01T00:00:00Z"));
        QVERIFY(end.spendMinor <= p.budgetMinor);
        QVERIFY(end.impressions <= DeliverySimulator::impressionCap(p));
        // A sensible fill: at least 90 % of the budget over a whole flight.
        QVERIFY(end.spendMinor * 10 >= p.budgetMinor * 9 - 10);
        QVERIFY(end.clicks < end.impressions);
    }
}

void TestDeliverySimulator::pacingShapesDelivery()
{
    const QDateTime quarter =
        plan(Pacing::Even)
            .flightStart.addSecs(plan(Pacing::Even).flightStart.secsTo(plan(Pacing::Even).flightEnd) / 4);
    const qint64 even = DeliverySimulator::cumulative(plan(Pacing::Even), quarter).impressions;
    const qint64 front = DeliverySimulator::cumulative(plan(Pacing::FrontLoaded), quarter).impressions;
    const qint64 asap = DeliverySimulator::cumulative(plan(Pacing::Asap), quarter).impressions;
    QVERIFY(even < front);
    QVERIFY(front < asap);
    const auto index = DeliverySimulator::pacingIndex(plan(Pacing::Asap), quarter);
    QVERIFY(index && *index > 1.5);
}

void TestDeliverySimulator::stoppedPeriodsDeliverNothing()
{
    PackagePlan p = plan(Pacing::Even);
    const QDateTime pauseStart = utc("2026-03-03T00:00:00Z");
    const QDateTime pauseEnd = utc("2026-03-04T00:00:00Z");
    p.stopped.push_back({pauseStart, pauseEnd});
    QCOMPARE(DeliverySimulator::between(p, pauseStart, pauseEnd).impressions, 0);
    QVERIFY(DeliverySimulator::between(p, pauseEnd, pauseEnd.addSecs(3600)).impressions > 0);
    QCOMPARE(DeliverySimulator::deliveryStatus(p, pauseStart.addSecs(60)), std::string("not_delivering"));
    p.stoppedFrom = utc("2026-03-05T00:00:00Z");
    QCOMPARE(DeliverySimulator::between(p, p.stoppedFrom, p.flightEnd).impressions, 0);
}

void TestDeliverySimulator::statusFollowsFlight()
{
    const PackagePlan p = plan(Pacing::Even);
    QCOMPARE(DeliverySimulator::deliveryStatus(p, p.flightStart.addSecs(-10)), std::string("not_delivering"));
    QCOMPARE(DeliverySimulator::deliveryStatus(p, p.flightStart.addSecs(3600)), std::string("delivering"));
    QCOMPARE(DeliverySimulator::deliveryStatus(p, p.flightEnd), std::string("flight_ended"));
    QCOMPARE(DeliverySimulator::cumulative(p, p.flightStart).impressions, 0);
}

void TestDeliverySimulator::everyModelBillsItsUnit_data()
{
    QTest::addColumn<int>("model");
    QTest::addColumn<double>("rate");
    QTest::addRow("cpm") << int(PricingModel::Cpm) << 12.5;
    QTest::addRow("vcpm") << int(PricingModel::Vcpm) << 19.0;
    QTest::addRow("cpc") << int(PricingModel::Cpc) << 2.4;
    QTest::addRow("cpcv") << int(PricingModel::Cpcv) << 0.03;
    QTest::addRow("cpv") << int(PricingModel::Cpv) << 0.02;
    QTest::addRow("cpp") << int(PricingModel::Cpp) << 350.0;
}

// Spend is the billed units times the rate, the budget is (nearly) spent over a whole flight, and windows
// still tile the totals exactly in every counter.
void TestDeliverySimulator::everyModelBillsItsUnit()
{
    QFETCH(int, model);
    QFETCH(double, rate);
    PackagePlan p = plan(Pacing::FrontLoaded);
    p.pricingModel = PricingModel(model);
    p.rate = rate;
    const QDateTime mid = utc("2026-03-04T13:47:12Z");
    const DeliveryCounts atMid = DeliverySimulator::cumulative(p, mid);
    QVERIFY(atMid.impressions > 0);
    const double units = DeliverySimulator::billedUnits(p, atMid);
    QVERIFY(units > 0);
    QCOMPARE(atMid.spendMinor, qint64(std::llround(units * rate * 100.0)));
    QVERIFY(atMid.viewableImpressions < atMid.impressions);
    QVERIFY(atMid.completedViews <= atMid.views);
    QVERIFY(atMid.views <= atMid.impressions);

    const DeliveryCounts end = DeliverySimulator::cumulative(p, utc("2027-01-01T00:00:00Z"));
    QVERIFY(end.spendMinor <= p.budgetMinor);
    QVERIFY2(end.spendMinor * 10 >= p.budgetMinor * 9 - 10,
             qPrintable(QStringLiteral("spent %1 of %2").arg(end.spendMinor).arg(p.budgetMinor)));

    DeliveryCounts sum;
    for (const auto &w : DeliverySimulator::windows(p, utc("2026-03-01T00:00:00Z"),
                                                    utc("2026-03-09T00:00:00Z"), Granularity::Hourly, mid))
        sum += w.counts;
    QCOMPARE(sum, atMid);
}

void TestDeliverySimulator::fixedFeeEarnsWithTheFlight()
{
    for (const PricingModel model : {PricingModel::FlatRate, PricingModel::Time}) {
        PackagePlan p = plan(Pacing::Asap);
        p.pricingModel = model;
        p.rate = 500.0;
        p.feeMinor = 900000; // below the budget: the fee is what is billed
        const DeliveryCounts half = DeliverySimulator::cumulative(p, utc("2026-03-05T00:22:30Z"));
        // Serving time, not the pacing, earns a fee: half the flight, half the fee.
        QVERIFY2(std::abs(half.spendMinor - p.feeMinor / 2) <= 1,
                 qPrintable(QString::number(half.spendMinor)));
        QVERIFY(half.impressions > 0);
        QCOMPARE(DeliverySimulator::billedUnits(p, half), 0.0);
        QCOMPARE(DeliverySimulator::plannedSpendMinor(p), p.feeMinor);
        const DeliveryCounts end = DeliverySimulator::cumulative(p, utc("2027-01-01T00:00:00Z"));
        QCOMPARE(end.spendMinor, p.feeMinor);
        // A fee above the budget is capped by it.
        p.feeMinor = p.budgetMinor * 2;
        QCOMPARE(DeliverySimulator::cumulative(p, utc("2027-01-01T00:00:00Z")).spendMinor, p.budgetMinor);
    }
}

void TestDeliverySimulator::budgetChangeKeepsWhatWasDelivered_data()
{
    QTest::addColumn<int>("pacing");
    QTest::addColumn<double>("factor");
    for (const Pacing pacing : {Pacing::Even, Pacing::Asap, Pacing::FrontLoaded}) {
        for (const double factor : {0.5, 3.0}) {
            const QByteArray name = QByteArray::number(int(pacing)) + (factor < 1 ? "/lowered" : "/raised");
            QTest::newRow(name.constData()) << int(pacing) << factor;
        }
    }
}

// A budget changed mid-flight leaves every figure before the change as it was, delivery never goes back, the
// windows still tile the totals exactly, and the flight ends near the new budget. A second change as well.
void TestDeliverySimulator::budgetChangeKeepsWhatWasDelivered()
{
    QFETCH(int, pacing);
    QFETCH(double, factor);
    const PackagePlan before = plan(Pacing(pacing));
    PackagePlan changed = before;
    const QDateTime at = utc("2026-03-02T00:00:00Z"); // before an Asap flight's first third is over
    changed.initialBudgetMinor = before.budgetMinor;
    changed.budgetMinor = static_cast<qint64>(static_cast<double>(before.budgetMinor) * factor);
    changed.budgetChanges = {{at, changed.budgetMinor}};
    for (const char *t : {"2026-03-01T07:00:00Z", "2026-03-01T20:00:00Z", "2026-03-02T00:00:00Z"})
        QCOMPARE(DeliverySimulator::cumulative(changed, utc(t)),
                 DeliverySimulator::cumulative(before, utc(t)));
    DeliveryCounts last;
    for (QDateTime t = before.flightStart; t <= before.flightEnd.addSecs(3600); t = t.addSecs(1800)) {
        const DeliveryCounts now = DeliverySimulator::cumulative(changed, t);
        QVERIFY2(now.impressions >= last.impressions && now.spendMinor >= last.spendMinor,
                 qPrintable(t.toString(Qt::ISODate)));
        QVERIFY(now.spendMinor <= changed.budgetMinor);
        last = now;
    }
    // The flight ends near the new budget (a 90-99 % fill), not the old one.
    QVERIFY2(last.spendMinor > changed.budgetMinor * 0.85, qPrintable(QString::number(last.spendMinor)));
    const QDateTime asOf = utc("2026-03-06T13:00:00Z");
    DeliveryCounts tiled;
    for (const DeliveryWindow &w :
         DeliverySimulator::windows(changed, before.flightStart, before.flightEnd, Granularity::Hourly, asOf))
        tiled += w.counts;
    QCOMPARE(tiled, DeliverySimulator::cumulative(changed, asOf));
    // A second change later on: everything up to it stays as the first change left it.
    PackagePlan twice = changed;
    const QDateTime second = utc("2026-03-02T12:00:00Z"); // within an Asap flight's serving third too
    twice.budgetMinor = changed.budgetMinor * 2;
    twice.budgetChanges.push_back({second, twice.budgetMinor});
    QCOMPARE(DeliverySimulator::cumulative(twice, second), DeliverySimulator::cumulative(changed, second));
    QVERIFY(DeliverySimulator::cumulative(twice, before.flightEnd).spendMinor >
            DeliverySimulator::cumulative(changed, before.flightEnd).spendMinor);
}

void TestDeliverySimulator::viewThresholdCountsViews()
{
    PackagePlan p = plan(Pacing::Even);
    p.pricingModel = PricingModel::Cpv;
    p.rate = 0.02;
    const QDateTime at = utc("2026-03-05T00:00:00Z");
    p.viewThreshold = 0.0;
    const DeliveryCounts anyStart = DeliverySimulator::withViewCounts(p, {100000, 0});
    p.viewThreshold = 0.5;
    const DeliveryCounts half = DeliverySimulator::withViewCounts(p, {100000, 0});
    p.viewThreshold = 1.0;
    const DeliveryCounts whole = DeliverySimulator::withViewCounts(p, {100000, 0});
    QCOMPARE(anyStart.views, qint64(100000));
    QVERIFY(half.views < anyStart.views);
    QVERIFY(whole.views < half.views);
    QCOMPARE(whole.views, whole.completedViews);
    // A stricter threshold makes views dearer to come by, so the same budget buys more impressions.
    p.viewThreshold = 0.0;
    const qint64 capLoose = DeliverySimulator::impressionCap(p);
    p.viewThreshold = 1.0;
    QVERIFY(DeliverySimulator::impressionCap(p) > capLoose);
    QVERIFY(DeliverySimulator::cumulative(p, at).views > 0);
}

QTEST_GUILESS_MAIN(TestDeliverySimulator)
#include "tst_delivery_simulator.moc"
