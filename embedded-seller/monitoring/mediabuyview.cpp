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
        QSqlQuery q(db);
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
