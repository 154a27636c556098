#pragma once

#include "domain/pricing.h"

#include <QDateTime>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace adcp::seller {

enum class Pacing { Even, Asap, FrontLoaded };
std::optional<Pacing> pacingFromString(std::string_view text);

struct DeliveryCounts
{
    qint64 impressions = 0;
    qint64 clicks = 0;
    qint64 spendMinor = 0;
    // Counted for every package (the simulator knows no creative lengths or formats) and reported where
    // the package's pricing model bills on them.
    qint64 viewableImpressions = 0;
    qint64 views = 0;          // views that reached the package's view threshold (cpv)
    qint64 completedViews = 0; // views to the end

    DeliveryCounts &operator+=(const DeliveryCounts &other);
    DeliveryCounts operator-(const DeliveryCounts &other) const;
    bool operator==(const DeliveryCounts &other) const = default;
};

// What the simulator needs to know about one package. Money is in minor units (cents) so that every window
// sum is exact.
struct PackagePlan
{
    std::string packageId;
    QDateTime flightStart;
    QDateTime flightEnd;
    qint64 budgetMinor = 0;
    PricingModel pricingModel = PricingModel::Cpm;
    // Price per billed unit in major units: per thousand impressions (cpm) or viewable impressions (vcpm),
    // per click, completed view, view or rating point. Fixed-fee models bill feeMinor instead.
    double rate = 10.0;
    qint64 feeMinor = 0;        // flat_rate and time: the fee for the whole flight
    double viewThreshold = 0.5; // cpv: share of the creative watched for a view to count (0..1)
    Pacing pacing = Pacing::Even;
    // Periods without delivery (paused, impaired, not yet live). May overlap; need not be sorted.
    std::vector<std::pair<QDateTime, QDateTime>> stopped;
    QDateTime stoppedFrom; // canceled or ended early: nothing is delivered from here on (invalid = never)
    // Delivery recorded from outside the simulation (the test controller's simulate_delivery), at an instant.
    std::vector<std::pair<QDateTime, DeliveryCounts>> injected;
    // Budget changes during the flight, in time order: from `at` on the budget is `budgetMinor` (budgetMinor
    // above is the latest, initialBudgetMinor the one before the first change). What was delivered before a
    // change stays delivered; what the new budget leaves is spread over the rest of the flight.
    struct BudgetChange
    {
        QDateTime at;
        qint64 budgetMinor = 0;
    };
    std::vector<BudgetChange> budgetChanges;
    qint64 initialBudgetMinor = 0;
};

enum class Granularity { Hourly, Daily };

struct DeliveryWindow
{
    QDateTime start; // inclusive, UTC, aligned to the hour or day
    QDateTime end;   // exclusive
    DeliveryCounts counts;
    bool isFinal = false; // the window is over (end <= as-of)
};

// Deterministic delivery from the flight, the budget and the pacing: the same plan and instant always give
// the same numbers. Everything derives from one cumulative curve, so any set of windows that tiles a period
// sums exactly to the period's total (integer impressions, clicks and cents).
class DeliverySimulator final
{
public:
    // Delivered from flight start up to `at`.
    static DeliveryCounts cumulative(const PackagePlan &plan, const QDateTime &at);
    static DeliveryCounts between(const PackagePlan &plan, const QDateTime &from, const QDateTime &to);
    // Windows tiling [from, to), the first and last clipped to the period, each counted up to `asOf`.
    static std::vector<DeliveryWindow> windows(const PackagePlan &plan, const QDateTime &from,
                                               const QDateTime &to, Granularity granularity,
                                               const QDateTime &asOf);
    // Window boundaries alone, for aggregating several packages over the same tiling.
    static std::vector<std::pair<QDateTime, QDateTime>> tiling(const QDateTime &from, const QDateTime &to,
                                                               Granularity granularity);
    // Spend so far against what even pacing would have spent by `at` (1.0 = on pace); nullopt before start.
    static std::optional<double> pacingIndex(const PackagePlan &plan, const QDateTime &at);
    // delivery-status.json: delivering | not_delivering | completed | budget_exhausted | flight_ended.
    static std::string deliveryStatus(const PackagePlan &plan, const QDateTime &at);
    // Impressions the budget buys at the plan's rate and the package's expected unit rates.
    static qint64 impressionCap(const PackagePlan &plan);
    // Billed units of `counts` under the plan's model (thousands of impressions for cpm, clicks for cpc,
    // rating points for cpp …); 0 for fixed-fee models.
    static double billedUnits(const PackagePlan &plan, const DeliveryCounts &counts);
    // What the package is planned to spend over its flight: the budget, or a fixed fee below it.
    static qint64 plannedSpendMinor(const PackagePlan &plan);
    // `counts` with viewable impressions, views and completed views derived from its impressions at the
    // package's rates (for delivery recorded from outside the simulation, which counts impressions and
    // clicks).
    static DeliveryCounts withViewCounts(const PackagePlan &plan, DeliveryCounts counts);
    // What `counts` cost at the plan's rate, uncapped (minor units); 0 for fixed-fee models.
    static qint64 billedSpendMinor(const PackagePlan &plan, const DeliveryCounts &counts);
    // Gross rating points of `impressions` (cpp): impressions over the demographic universe, in percent.
    static double ratingPoints(qint64 impressions);
};

} // namespace adcp::seller
