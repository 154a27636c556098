#include "mediabuyview.h"

#include "delivery/deliveryreport.h"
#include "dependencyhealth.h"
#include "lifecycle.h"
#include "storage/database.h"

#include <QSqlQuery>

namespace adcp::seller {

using storage::execute;
using storage::qs;

void decorateMediaBuy(QSqlDatabase &db, const std::string &principalId, nlohmann::json &buy,
                      const nlohmann::json &arguments, const QDateTime &now)
{
    const std::string mediaBuyId = buy.value("media_buy_id", std::string());
    {
        // The snapshot is always current: clock-driven transitions apply before the read, not a tick later.
        storage::WriteTransaction tx(db);
        QString error;
        if (tx.begin(&error) && MediaBuyLifecycle::refresh(db, principalId, mediaBuyId, now, &error))
            tx.commit(&error);
    }
    const auto state = MediaBuyLifecycle::load(db, principalId, mediaBuyId);
    if (!state)
        return;
    buy["status"] = state->status;
    buy["revision"] = std::max<qint64>(1, state->revision);
    buy["status_as_of"] = now.toUTC().toString(Qt::ISODate).toStdString();
    buy["available_actions"] = MediaBuyLifecycle::availableActions(state->status);
    buy["impairments"] = DependencyHealth::impairments(db, principalId, mediaBuyId);
    buy["health"] = buy["impairments"].empty() ? "ok" : "impaired";
    // The buyer's performance feedback in force (provide_performance_feedback; corrections replace what they
    // supersede), newest first, so the buyer and its tools see what the seller holds.
    {
        QSqlQuery q(storage::connectionFor(db));
        nlohmann::json feedback = nlohmann::json::array();
        if (execute(q,
                    QStringLiteral("SELECT feedback_id, package_id, creative_id, period_start, period_end, "
                                   "performance_index, baseline, received_at FROM data_feedback WHERE "
                                   "principal_id = ? AND media_buy_id = ? AND superseded_by IS NULL ORDER BY "
                                   "received_at DESC, feedback_id DESC LIMIT 20"),
                    {qs(principalId), qs(mediaBuyId)}, nullptr)) {
            while (q.next()) {
                nlohmann::json f = {{"feedback_id", q.value(0).toString().toStdString()},
                                    {"measurement_period",
                                     {{"start", q.value(3).toString().toStdString()},
                                      {"end", q.value(4).toString().toStdString()}}},
                                    {"performance_index", q.value(5).toDouble()},
                                    {"received_at", q.value(7).toString().toStdString()}};
                if (!q.value(1).isNull())
                    f["package_id"] = q.value(1).toString().toStdString();
                if (!q.value(2).isNull())
                    f["creative_id"] = q.value(2).toString().toStdString();
                if (!q.value(6).isNull())
                    f["baseline"] = q.value(6).toString().toStdString();
                feedback.push_back(std::move(f));
            }
        }
        if (!feedback.empty())
            buy["ext"]["workbench"]["performance_feedback"] = std::move(feedback);
        else if (buy.contains("ext") && buy["ext"].is_object() && buy["ext"].contains("workbench"))
            buy["ext"]["workbench"].erase("performance_feedback");
    }
    if (state->approval == "pending")
        buy["confirmed_at"] = nullptr;
    if (state->status == "canceled" && state->canceledAt.isValid()) {
        buy["cancellation"] = {
            {"canceled_at", state->canceledAt.toString(Qt::ISODate).toStdString()},
            {"canceled_by", state->canceledBy.empty() ? std::string("buyer") : state->canceledBy}};
        if (!state->cancellationReason.empty())
            buy["cancellation"]["reason"] = state->cancellationReason;
    }
    if (state->status == "rejected")
        buy["rejection_reason"] =
            state->rejectionReason.empty() ? std::string("rejected by the seller") : state->rejectionReason;
    else
        buy.erase("rejection_reason");

    const bool snapshot = arguments.value("include_snapshot", false);
    const auto packages = MediaBuyLifecycle::packages(db, *state);
    for (auto &pj : buy["packages"]) {
        const std::string packageId = pj.value("package_id", std::string());
        const auto found = std::find_if(packages.begin(), packages.end(),
                                        [&](const PackageExecution &p) { return p.packageId == packageId; });
        if (found == packages.end())
            continue;
        pj["paused"] = found->paused || state->paused;
        pj["canceled"] = found->canceled;
        pj["budget"] = found->budget;
        nlohmann::json approvals = nlohmann::json::array();
        QSqlQuery q(storage::connectionFor(db));
        if (execute(q,
                    QStringLiteral(
                        "SELECT d.resource_id, r.status FROM mon_dependencies d JOIN mon_resources r ON "
                        "r.principal_id = d.principal_id AND r.resource_type = d.resource_type AND "
                        "r.resource_id = d.resource_id WHERE d.principal_id = ? AND d.package_id = ? AND "
                        "d.resource_type = 'creative' ORDER BY d.resource_id"),
                    {qs(principalId), qs(packageId)}, nullptr)) {
            while (q.next()) {
                const std::string status = q.value(1).toString().toStdString();
                // creative_approvals speaks approved/rejected/pending_review only.
                const std::string approval = status == "approved" ? "approved"
                                             : status == "rejected" || status == "suspended"
                                                 ? "rejected"
                                                 : "pending_review";
                approvals.push_back(
                    {{"creative_id", q.value(0).toString().toStdString()}, {"approval_status", approval}});
            }
        }
        if (!approvals.empty())
            pj["creative_approvals"] = approvals;
        if (snapshot) {
            const PackagePlan plan = DeliveryReport::plan(db, *state, *found);
            const DeliveryCounts counts = DeliverySimulator::cumulative(plan, now);
            nlohmann::json snap = {{"as_of", now.toUTC().toString(Qt::ISODate).toStdString()},
                                   {"staleness_seconds", 0},
                                   {"impressions", counts.impressions},
                                   {"spend", DeliveryReport::money(counts.spendMinor)},
                                   {"delivery_status", DeliverySimulator::deliveryStatus(plan, now)}};
            if (const auto index = DeliverySimulator::pacingIndex(plan, now))
                snap["pacing_index"] = *index;
            pj["snapshot"] = snap;
        }
    }
    if (arguments.value("include_history", 0) > 0) {
        nlohmann::json history = MediaBuyLifecycle::history(db, *state);
        nlohmann::json recentFirst = nlohmann::json::array();
        const int limit = arguments.value("include_history", 0);
        for (auto it = history.rbegin(); it != history.rend() && int(recentFirst.size()) < limit; ++it)
            recentFirst.push_back(*it);
        buy["history"] = recentFirst;
    }
}

} // namespace adcp::seller
