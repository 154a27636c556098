#pragma once

#include "deliverysimulator.h"
#include "monitoring/lifecycle.h"

#include <QSqlDatabase>

#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

namespace adcp::seller {

struct DeliveryRequest
{
    QDateTime from; // inclusive
    QDateTime to;   // exclusive
    std::optional<Granularity> granularity;
    bool windows = false;      // include windows[] (needs granularity)
    bool packageDaily = false; // daily_breakdown inside each by_package entry
};

// Builds media_buy_deliveries[] entries from the simulator: what a buy's packages delivered, given when they
// were live, paused, impaired or canceled. Window sums equal the totals of the same period.
class DeliveryReport final
{
public:
    static PackagePlan plan(QSqlDatabase &db, const BuyExecution &buy, const PackageExecution &package);
    // One media_buy_deliveries[] entry; totalsOut receives the exact integer totals.
    static nlohmann::json mediaBuyDelivery(QSqlDatabase &db, const BuyExecution &buy,
                                           const DeliveryRequest &request, const QDateTime &now,
                                           DeliveryCounts *totalsOut = nullptr);
    static double money(qint64 minor) { return static_cast<double>(minor) / 100.0; }
    // delivery-metrics.json: impressions, spend, clicks and ctr always; what each model in `models` bills on
    // besides (viewability for vcpm, views and completions for cpcv/cpv, cost per click, rating points).
    static nlohmann::json metrics(const DeliveryCounts &counts, const std::vector<PricingModel> &models = {});
};

} // namespace adcp::seller
