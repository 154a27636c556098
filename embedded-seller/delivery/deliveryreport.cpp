#include "deliveryreport.h"

#include "monitoring/dependencyhealth.h"
#include "storage/database.h"

#include <QSqlQuery>

#include <algorithm>
#include <cmath>

namespace adcp::seller {

nlohmann::json DeliveryReport::metrics(const DeliveryCounts &counts, const std::vector<PricingModel> &models)
{
    nlohmann::json m = {
        {"impressions", counts.impressions}, {"spend", money(counts.spendMinor)}, {"clicks", counts.clicks}};
    if (counts.impressions > 0)
        m["ctr"] = static_cast<double>(counts.clicks) / static_cast<double>(counts.impressions);
    const auto has = [&](PricingModel model) {
        return std::find(models.begin(), models.end(), model) != models.end();
    };
    if (has(PricingModel::Vcpm)) {
        nlohmann::json viewability = {{"measurable_impressions", counts.impressions},
                                      {"viewable_impressions", counts.viewableImpressions}};
        if (counts.impressions > 0)
            viewability["viewable_rate"] =
                static_cast<double>(counts.viewableImpressions) / static_cast<double>(counts.impressions);
        m["viewability"] = std::move(viewability);
    }
    if (has(PricingModel::Cpcv) || has(PricingModel::Cpv)) {
        m["views"] = counts.views;
        m["completed_views"] = counts.completedViews;
        if (counts.impressions > 0)
            m["completion_rate"] =
                static_cast<double>(counts.completedViews) / static_cast<double>(counts.impressions);
        if (counts.completedViews > 0)
            m["cost_per_completed_view"] =
                money(counts.spendMinor) / static_cast<double>(counts.completedViews);
    }
    if (has(PricingModel::Cpc) && counts.clicks > 0)
        m["cost_per_click"] = money(counts.spendMinor) / static_cast<double>(counts.clicks);
    if (has(PricingModel::Cpp))
        m["grps"] = DeliverySimulator::ratingPoints(counts.impressions);
    return m;
}

PackagePlan DeliveryReport::plan(QSqlDatabase &db, const BuyExecution &buy, const PackageExecution &package)
{
    PackagePlan plan;
    plan.packageId = package.packageId;
    plan.flightStart = package.start;
    plan.flightEnd = package.end;
    plan.budgetMinor = static_cast<qint64>(std::llround(package.budget * 100.0));
    plan.pricingModel = pricingModelFromString(package.pricingModel).value_or(PricingModel::Cpm);
    plan.rate = package.rate > 0 ? package.rate : 10.0;
    if (package.pricingParameters.is_object()) {
        // cpv: a share of the creative, or seconds of it (counted against a 30-second spot)
        const nlohmann::json threshold = package.pricingParameters.value("view_threshold", nlohmann::json());
        if (threshold.is_number())
            plan.viewThreshold = std::clamp(threshold.get<double>(), 0.0, 1.0);
        else if (threshold.is_object() && threshold.value("duration_seconds", nlohmann::json()).is_number())
            plan.viewThreshold = std::clamp(threshold["duration_seconds"].get<double>() / 30.0, 0.0, 1.0);
    }
    if (const auto fee =
            flightFee(package.pricingOption(), std::nullopt, package.start, package.end, nullptr))
        plan.feeMinor = static_cast<qint64>(std::llround(*fee * 100.0));
    plan.pacing = pacingFromString(package.pacing).value_or(Pacing::Even);
    // Nothing serves before the ad server has the order live, nor for a buy that never left pending_*.
    const bool everLive = buy.status == "active" || buy.status == "paused" || buy.status == "completed" ||
                          (buy.status == "canceled" && package.live);
    if (!package.live || !everLive)
        plan.stoppedFrom = plan.flightStart;
    if (buy.status == "canceled" && buy.canceledAt.isValid())
        plan.stoppedFrom =
            plan.stoppedFrom.isValid() ? std::min(plan.stoppedFrom, buy.canceledAt) : buy.canceledAt;
    for (const auto &period : MediaBuyLifecycle::pausedPeriods(db, buy))
        plan.stopped.push_back(period);
    for (const auto &period :
         DependencyHealth::impairedPeriods(db, buy.principalId, buy.mediaBuyId, package.packageId))
        plan.stopped.push_back(period);
    QSqlQuery q(storage::connectionFor(db));
    // Budget changes in the order they were made; a row that does not read as an instant is left out.
    if (storage::execute(q,
                         QStringLiteral("SELECT at, from_budget, to_budget FROM exec_budget_changes WHERE "
                                        "principal_id = ? AND package_id = ? ORDER BY id"),
                         {storage::qs(buy.principalId), storage::qs(package.packageId)}, nullptr)) {
        while (q.next()) {
            const QDateTime at = QDateTime::fromString(q.value(0).toString(), Qt::ISODateWithMs).toUTC();
            if (!at.isValid())
                continue;
            if (plan.budgetChanges.empty())
                plan.initialBudgetMinor = static_cast<qint64>(std::llround(q.value(1).toDouble() * 100.0));
            plan.budgetChanges.push_back(
                {at, static_cast<qint64>(std::llround(q.value(2).toDouble() * 100.0))});
        }
    }
    if (storage::execute(
            q,
            QStringLiteral("SELECT at, impressions, clicks, spend_minor FROM exec_injected_delivery WHERE "
                           "principal_id = ? AND media_buy_id = ? AND package_id = ? ORDER BY id"),
            {storage::qs(buy.principalId), storage::qs(buy.mediaBuyId), storage::qs(package.packageId)},
            nullptr)) {
        while (q.next())
            plan.injected.push_back(
                {QDateTime::fromString(q.value(0).toString(), Qt::ISODateWithMs).toUTC(),
                 DeliverySimulator::withViewCounts(
                     plan, {q.value(1).toLongLong(), q.value(2).toLongLong(), q.value(3).toLongLong()})});
    }
    return plan;
}

nlohmann::json DeliveryReport::mediaBuyDelivery(QSqlDatabase &db, const BuyExecution &buy,
                                                const DeliveryRequest &request, const QDateTime &now,
                                                DeliveryCounts *totalsOut)
{
    const QDateTime until = std::min(request.to, now);
    const auto packages = MediaBuyLifecycle::packages(db, buy);
    std::vector<PackagePlan> plans;
    for (const auto &p : packages)
        plans.push_back(plan(db, buy, p));

    std::vector<PricingModel> models; // every model of the buy's packages, once
    for (const auto &p : plans) {
        if (std::find(models.begin(), models.end(), p.pricingModel) == models.end())
            models.push_back(p.pricingModel);
    }
    // Totals carry a model's metrics (cost per click, rating points …) only when every package bills in it:
    // a cost per click over clicks of CPM packages would mean nothing.
    const std::vector<PricingModel> totalsModels = models.size() == 1 ? models : std::vector<PricingModel>();

    DeliveryCounts totals;
    nlohmann::json byPackage = nlohmann::json::array();
    double expectedMinor = 0;
    for (size_t i = 0; i < packages.size(); ++i) {
        const DeliveryCounts counts = DeliverySimulator::between(plans[i], request.from, until);
        totals += counts;
        nlohmann::json entry = metrics(counts, {plans[i].pricingModel});
        entry["package_id"] = packages[i].packageId;
        entry["pricing_model"] = pricingModelName(plans[i].pricingModel);
        entry["rate"] = plans[i].rate;
        entry["currency"] = buy.currency;
        entry["paused"] = packages[i].paused || buy.paused;
        // 3.0 and 3.1 (the versions this seller declares) have no "not_delivering": a package that is not
        // serving right now (before its flight, stopped, paused) is reported without a delivery_status.
        if (const std::string status = DeliverySimulator::deliveryStatus(plans[i], now);
            status != "not_delivering")
            entry["delivery_status"] = status;
        if (const auto index = DeliverySimulator::pacingIndex(plans[i], now))
            entry["pacing_index"] = *index;
        if (request.packageDaily) {
            nlohmann::json days = nlohmann::json::array();
            for (const auto &w :
                 DeliverySimulator::windows(plans[i], request.from, request.to, Granularity::Daily, now))
                days.push_back({{"date", w.start.date().toString(Qt::ISODate).toStdString()},
                                {"impressions", w.counts.impressions},
                                {"spend", money(w.counts.spendMinor)}});
            entry["daily_breakdown"] = days;
        }
        byPackage.push_back(std::move(entry));
        if (plans[i].flightEnd > plans[i].flightStart && now > plans[i].flightStart) {
            const double flight = static_cast<double>(plans[i].flightStart.secsTo(plans[i].flightEnd));
            const double elapsed = std::min(flight, static_cast<double>(plans[i].flightStart.secsTo(now)));
            expectedMinor +=
                static_cast<double>(DeliverySimulator::plannedSpendMinor(plans[i])) * elapsed / flight;
        }
    }

    nlohmann::json delivery = {{"media_buy_id", buy.mediaBuyId},
                               {"status", buy.status},
                               {"totals", metrics(totals, totalsModels)},
                               {"by_package", byPackage}};
    // The buy's model only when every package bills in it; by_package says it per package anyway.
    if (models.size() == 1)
        delivery["pricing_model"] = pricingModelName(models.front());
    if (totals.impressions > 0)
        delivery["totals"]["effective_rate"] =
            money(totals.spendMinor) * 1000.0 / static_cast<double>(totals.impressions);
    if (expectedMinor > 0) {
        qint64 spent = 0;
        for (const auto &p : plans)
            spent += DeliverySimulator::cumulative(p, now).spendMinor;
        delivery["pacing_index"] = static_cast<double>(spent) / expectedMinor;
    }

    // Day by day for the buy (always), and windows at the requested granularity.
    nlohmann::json days = nlohmann::json::array();
    for (const auto &[start, end] : DeliverySimulator::tiling(request.from, request.to, Granularity::Daily)) {
        DeliveryCounts sum;
        for (const auto &p : plans)
            sum += DeliverySimulator::between(p, std::min(start, now), std::min(end, now));
        days.push_back({{"date", start.date().toString(Qt::ISODate).toStdString()},
                        {"impressions", sum.impressions},
                        {"spend", money(sum.spendMinor)}});
    }
    delivery["daily_breakdown"] = days;
    if (request.granularity && request.windows) {
        nlohmann::json windows = nlohmann::json::array();
        for (const auto &[start, end] :
             DeliverySimulator::tiling(request.from, request.to, *request.granularity)) {
            DeliveryCounts sum;
            nlohmann::json perPackage = nlohmann::json::array();
            for (const auto &p : plans) {
                const DeliveryCounts c =
                    DeliverySimulator::between(p, std::min(start, now), std::min(end, now));
                sum += c;
                nlohmann::json row = metrics(c, {p.pricingModel});
                row["package_id"] = p.packageId;
                perPackage.push_back(std::move(row));
            }
            windows.push_back({{"window_start", start.toString(Qt::ISODate).toStdString()},
                               {"window_end", end.toString(Qt::ISODate).toStdString()},
                               {"totals", metrics(sum, totalsModels)},
                               {"by_package", perPackage},
                               {"is_final", end <= now}});
        }
        delivery["windows"] = windows;
    }
    const bool over = isTerminalStatus(buy.status) && request.to >= buy.end;
    delivery["is_final"] = over;
    if (totalsOut)
        *totalsOut = totals;
    return delivery;
}

} // namespace adcp::seller
