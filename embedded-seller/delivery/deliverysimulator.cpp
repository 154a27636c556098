#include "deliverysimulator.h"

#include <QCryptographicHash>

#include <algorithm>
#include <cmath>

namespace adcp::seller {

std::optional<Pacing> pacingFromString(std::string_view text)
{
    if (text == "even")
        return Pacing::Even;
    if (text == "asap")
        return Pacing::Asap;
    if (text == "front_loaded")
        return Pacing::FrontLoaded;
    return std::nullopt;
}

DeliveryCounts &DeliveryCounts::operator+=(const DeliveryCounts &other)
{
    impressions += other.impressions;
    clicks += other.clicks;
    spendMinor += other.spendMinor;
    viewableImpressions += other.viewableImpressions;
    views += other.views;
    completedViews += other.completedViews;
    return *this;
}

DeliveryCounts DeliveryCounts::operator-(const DeliveryCounts &other) const
{
    return {impressions - other.impressions,
            clicks - other.clicks,
            spendMinor - other.spendMinor,
            viewableImpressions - other.viewableImpressions,
            views - other.views,
            completedViews - other.completedViews};
}

namespace {

// A stable number in [0, 1) per package and purpose, so that fill rate and CTR differ between packages but
// never between runs.
double packageFactor(const std::string &packageId, char purpose)
{
    const QByteArray digest = QCryptographicHash::hash(
        QByteArray(QByteArray::fromStdString(packageId) + purpose), QCryptographicHash::Sha256);
    quint32 value = 0;
    for (int i = 0; i < 4; ++i)
        value = (value << 8) | static_cast<quint8>(digest[i]);
    return value / 4294967296.0;
}

// Share of the deliverable volume delivered after fraction x of the flight's serving time.
double curve(Pacing pacing, double x)
{
    x = std::clamp(x, 0.0, 1.0);
    switch (pacing) {
    case Pacing::Even:
        return x;
    case Pacing::Asap:
        // As fast as the inventory allows: everything in the first third of the flight.
        return std::min(1.0, 3.0 * x);
    case Pacing::FrontLoaded:
        return 1.0 - (1.0 - x) * (1.0 - x);
    }
    return x;
}

// Seconds of [start, at) that are not inside any stopped period.
qint64 servingSeconds(const PackagePlan &plan, const QDateTime &at)
{
    const qint64 begin = plan.flightStart.toSecsSinceEpoch();
    const qint64 end = at.toSecsSinceEpoch();
    if (end <= begin)
        return 0;
    std::vector<std::pair<qint64, qint64>> spans;
    for (const auto &[from, to] : plan.stopped) {
        const qint64 a = std::max(begin, from.toSecsSinceEpoch());
        const qint64 b = std::min(end, to.isValid() ? to.toSecsSinceEpoch() : end);
        if (b > a)
            spans.emplace_back(a, b);
    }
    std::sort(spans.begin(), spans.end());
    qint64 stopped = 0;
    qint64 coveredUntil = begin;
    for (const auto &[a, b] : spans) {
        const qint64 from = std::max(a, coveredUntil);
        if (b > from)
            stopped += b - from;
        coveredUntil = std::max(coveredUntil, b);
    }
    return (end - begin) - stopped;
}

QDateTime alignDown(const QDateTime &t, Granularity granularity)
{
    const qint64 unit = granularity == Granularity::Hourly ? 3600 : 86400;
    const qint64 secs = t.toSecsSinceEpoch();
    return QDateTime::fromSecsSinceEpoch(secs - (((secs % unit) + unit) % unit), Qt::UTC);
}

} // namespace

namespace {

// The package's own unit rates, fixed per package around pricing.h's typical values.
struct UnitRates
{
    double ctr;
    double viewable;
    double completion;
    double view; // share of impressions that reach the plan's view threshold
};

UnitRates unitRates(const PackagePlan &plan)
{
    UnitRates rates;
    rates.ctr = 0.001 + 0.004 * packageFactor(plan.packageId, 'c');
    rates.viewable = 0.55 + 0.20 * packageFactor(plan.packageId, 'v');
    rates.completion = 0.60 + 0.25 * packageFactor(plan.packageId, 'q');
    // Everyone who starts a view passes a zero threshold; at the full length only completions count.
    rates.view = 1.0 - std::clamp(plan.viewThreshold, 0.0, 1.0) * (1.0 - rates.completion);
    return rates;
}

// Billed units per thousand impressions at the package's rates.
double unitsPerThousand(const PackagePlan &plan)
{
    const UnitRates rates = unitRates(plan);
    switch (plan.pricingModel) {
    case PricingModel::Cpm:
        return 1.0;
    case PricingModel::Vcpm:
        return rates.viewable;
    case PricingModel::Cpc:
        return 1000.0 * rates.ctr;
    case PricingModel::Cpcv:
        return 1000.0 * rates.completion;
    case PricingModel::Cpv:
        return 1000.0 * rates.view;
    case PricingModel::Cpp:
        return DeliverySimulator::ratingPoints(1000);
    case PricingModel::FlatRate:
    case PricingModel::Time:
        return 0.0;
    }
    return 1.0;
}

} // namespace

double DeliverySimulator::ratingPoints(qint64 impressions)
{
    return static_cast<double>(impressions) * 100.0 / typical::ratingUniverse;
}

namespace {

// What the plan spends in full, and the impressions that buys, at `budgetMinor` rather than the plan's own
// budget (a budget before a change): the rest of the plan as it is, without a copy of it.
qint64 plannedSpendAt(const PackagePlan &plan, qint64 budgetMinor)
{
    return isFixedFee(plan.pricingModel) ? std::min(plan.feeMinor, budgetMinor) : budgetMinor;
}

qint64 impressionCapAt(const PackagePlan &plan, qint64 budgetMinor)
{
    if (isFixedFee(plan.pricingModel)) {
        // Volume is not what the fee buys; serve what the fee would buy at a typical CPM.
        const qint64 fee = plannedSpendAt(plan, budgetMinor);
        return fee > 0
                   ? static_cast<qint64>(std::floor(static_cast<double>(fee) * 10.0 / typical::fixedFeeCpm))
                   : 0;
    }
    const double perThousand = plan.rate * unitsPerThousand(plan); // major units per thousand impressions
    if (perThousand <= 0 || budgetMinor <= 0)
        return 0;
    // budget (minor) / 100 / price per thousand * 1000
    return static_cast<qint64>(std::floor(static_cast<double>(budgetMinor) * 10.0 / perThousand));
}

} // namespace

qint64 DeliverySimulator::impressionCap(const PackagePlan &plan)
{
    return impressionCapAt(plan, plan.budgetMinor);
}

qint64 DeliverySimulator::plannedSpendMinor(const PackagePlan &plan)
{
    return plannedSpendAt(plan, plan.budgetMinor);
}

DeliveryCounts DeliverySimulator::withViewCounts(const PackagePlan &plan, DeliveryCounts counts)
{
    const UnitRates rates = unitRates(plan);
    const auto share = [&](double rate) {
        return static_cast<qint64>(std::floor(static_cast<double>(counts.impressions) * rate));
    };
    counts.viewableImpressions = share(rates.viewable);
    counts.completedViews = share(rates.completion);
    counts.views = std::max(counts.completedViews, share(rates.view));
    return counts;
}

qint64 DeliverySimulator::billedSpendMinor(const PackagePlan &plan, const DeliveryCounts &counts)
{
    if (plan.pricingModel == PricingModel::Cpm) // the same rounding as before other models existed
        return static_cast<qint64>(std::llround(static_cast<double>(counts.impressions) * plan.rate / 10.0));
    return static_cast<qint64>(std::llround(billedUnits(plan, counts) * plan.rate * 100.0));
}

double DeliverySimulator::billedUnits(const PackagePlan &plan, const DeliveryCounts &counts)
{
    switch (plan.pricingModel) {
    case PricingModel::Cpm:
        return static_cast<double>(counts.impressions) / 1000.0;
    case PricingModel::Vcpm:
        return static_cast<double>(counts.viewableImpressions) / 1000.0;
    case PricingModel::Cpc:
        return static_cast<double>(counts.clicks);
    case PricingModel::Cpcv:
        return static_cast<double>(counts.completedViews);
    case PricingModel::Cpv:
        return static_cast<double>(counts.views);
    case PricingModel::Cpp:
        return ratingPoints(counts.impressions);
    case PricingModel::FlatRate:
    case PricingModel::Time:
        return 0.0;
    }
    return 0.0;
}

namespace {

// The flight's serving progress at `at` (0 at its start, 1 once its serving time is spent), before pacing.
double progress(const PackagePlan &plan, const QDateTime &at)
{
    QDateTime until = std::min(at, plan.flightEnd);
    if (plan.stoppedFrom.isValid())
        until = std::min(until, plan.stoppedFrom);
    if (until <= plan.flightStart)
        return 0.0;
    const double flight = static_cast<double>(plan.flightStart.secsTo(plan.flightEnd));
    return static_cast<double>(servingSeconds(plan, until)) / flight;
}

// A value that grows along `shape` (0..1) to `target` by the flight's end, restarting from where it stood at
// each budget change towards that budget's target: before a change it is what one budget gave, after it what
// was reached plus the new target's remainder spread over the shape left. Without changes, target × shape.
template <typename Shape, typename Target>
double piecewise(const PackagePlan &plan, const QDateTime &at, Shape shape, Target target)
{
    double reached = 0.0;
    double shapeAt = 0.0;
    double goal = target(plan.budgetChanges.empty() ? plan.budgetMinor : plan.initialBudgetMinor);
    for (const auto &change : plan.budgetChanges) {
        if (change.at >= at)
            break;
        const double s = shape(change.at);
        if (shapeAt < 1.0)
            reached += (goal - reached) * (s - shapeAt) / (1.0 - shapeAt);
        shapeAt = s;
        goal = std::max(reached, target(change.budgetMinor));
    }
    const double s = shape(at);
    if (shapeAt < 1.0)
        reached += (goal - reached) * (s - shapeAt) / (1.0 - shapeAt);
    return reached;
}

// The flight-and-pacing curve alone.
DeliveryCounts simulated(const PackagePlan &plan, const QDateTime &at)
{
    if (!plan.flightStart.isValid() || !plan.flightEnd.isValid() || plan.flightEnd <= plan.flightStart)
        return {};
    const double x = progress(plan, at);
    if (x <= 0.0)
        return {};
    // Sellers rarely fill a whole guaranteed line: 90-99 % of the budget, fixed per package.
    const double fill = 0.90 + 0.09 * packageFactor(plan.packageId, 'f');
    const UnitRates rates = unitRates(plan);
    DeliveryCounts counts;
    counts.impressions = static_cast<qint64>(std::floor(piecewise(
        plan, at, [&plan](const QDateTime &t) { return curve(plan.pacing, progress(plan, t)); },
        [&](qint64 budgetMinor) {
            return static_cast<double>(impressionCapAt(plan, budgetMinor)) * fill;
        })));
    counts.clicks = static_cast<qint64>(std::floor(static_cast<double>(counts.impressions) * rates.ctr));
    counts = DeliverySimulator::withViewCounts(plan, counts);
    if (isFixedFee(plan.pricingModel)) {
        // A fee is earned with the flight's serving time, in full by its end: no fill shortfall.
        const qint64 fee = DeliverySimulator::plannedSpendMinor(plan);
        counts.spendMinor = x >= 1.0
                                ? fee
                                : static_cast<qint64>(std::floor(piecewise(
                                      plan, at, [&plan](const QDateTime &t) { return progress(plan, t); },
                                      [&](qint64 budgetMinor) {
                                          return static_cast<double>(plannedSpendAt(plan, budgetMinor));
                                      })));
    } else {
        counts.spendMinor = std::min(plan.budgetMinor, DeliverySimulator::billedSpendMinor(plan, counts));
    }
    return counts;
}

DeliveryCounts injectedBefore(const PackagePlan &plan, const QDateTime &at)
{
    DeliveryCounts sum;
    for (const auto &[when, counts] : plan.injected) {
        if (when < at)
            sum += counts;
    }
    return sum;
}

} // namespace

DeliveryCounts DeliverySimulator::cumulative(const PackagePlan &plan, const QDateTime &at)
{
    DeliveryCounts counts = simulated(plan, at);
    counts += injectedBefore(plan, at);
    return counts;
}

DeliveryCounts DeliverySimulator::between(const PackagePlan &plan, const QDateTime &from, const QDateTime &to)
{
    if (to <= from)
        return {};
    return cumulative(plan, to) - cumulative(plan, from);
}

std::vector<std::pair<QDateTime, QDateTime>>
DeliverySimulator::tiling(const QDateTime &from, const QDateTime &to, Granularity granularity)
{
    std::vector<std::pair<QDateTime, QDateTime>> tiles;
    const qint64 unit = granularity == Granularity::Hourly ? 3600 : 86400;
    for (QDateTime start = alignDown(from, granularity); start < to; start = start.addSecs(unit))
        tiles.emplace_back(std::max(start, from), std::min(start.addSecs(unit), to));
    return tiles;
}

std::vector<DeliveryWindow> DeliverySimulator::windows(const PackagePlan &plan, const QDateTime &from,
                                                       const QDateTime &to, Granularity granularity,
                                                       const QDateTime &asOf)
{
    std::vector<DeliveryWindow> result;
    for (const auto &[start, end] : tiling(from, to, granularity)) {
        DeliveryWindow window;
        window.start = start;
        window.end = end;
        window.counts = between(plan, std::min(start, asOf), std::min(end, asOf));
        window.isFinal = end <= asOf;
        result.push_back(window);
    }
    return result;
}

std::optional<double> DeliverySimulator::pacingIndex(const PackagePlan &plan, const QDateTime &at)
{
    if (!plan.flightStart.isValid() || at <= plan.flightStart || plannedSpendMinor(plan) <= 0)
        return std::nullopt;
    const double flight = static_cast<double>(plan.flightStart.secsTo(plan.flightEnd));
    const double elapsed = std::min(flight, static_cast<double>(plan.flightStart.secsTo(at)));
    const double expected = static_cast<double>(plannedSpendMinor(plan)) * elapsed / flight;
    if (expected <= 0)
        return std::nullopt;
    return static_cast<double>(cumulative(plan, at).spendMinor) / expected;
}

std::string DeliverySimulator::deliveryStatus(const PackagePlan &plan, const QDateTime &at)
{
    if (at >= plan.flightEnd)
        return "flight_ended";
    const DeliveryCounts counts = cumulative(plan, at);
    if (impressionCap(plan) > 0 && counts.impressions >= impressionCap(plan))
        return "budget_exhausted";
    if (plan.stoppedFrom.isValid() && at >= plan.stoppedFrom)
        return "not_delivering";
    if (at < plan.flightStart)
        return "not_delivering";
    for (const auto &[from, to] : plan.stopped) {
        if (at >= from && (!to.isValid() || at < to))
            return "not_delivering";
    }
    return "delivering";
}

} // namespace adcp::seller
