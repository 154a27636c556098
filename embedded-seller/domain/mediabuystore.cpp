#include "mediabuystore.h"

#include "storage/database.h"

#include <QSqlQuery>

#include <algorithm>

namespace adcp::seller {

using nlohmann::json;
using storage::execute;
using storage::qs;
using storage::ss;

namespace {

QVariant optionalText(const std::optional<std::string> &text)
{
    return text ? QVariant(qs(*text)) : QVariant();
}

} // namespace

json availableActions(const std::string &status)
{
    json actions = json::array();
    auto add = [&](const char *action) { actions.push_back({{"action", action}, {"mode", "self_serve"}}); };
    if (status == "pending_creatives" || status == "pending_start") {
        add("sync_creatives");
        add("update_name");
        add("cancel");
    } else if (status == "active") {
        add("pause");
        add("sync_creatives");
        add("cancel");
    } else if (status == "paused") {
        add("resume");
        add("cancel");
    }
    return actions;
}

bool MediaBuyStore::insert(QSqlDatabase &db, const NewBuy &buy, const QDateTime &now, QString *error)
{
    const auto &o = buy.order;
    if (!storage::write(
            db,
            QStringLiteral(
                "INSERT INTO media_buys (principal_id, media_buy_id, status, revision, currency, "
                "total_budget, start_time, end_time, proposal_id, proposal_version, name, po_number, "
                "confirmed_at, creative_deadline, request_json, context_json, created_at, "
                "updated_at) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
            {qs(o.principalId), qs(o.mediaBuyId), qs(buy.status), qs(o.currency), o.totalBudget,
             storage::isoTime(o.startTime), storage::isoTime(o.endTime), optionalText(o.proposalId),
             optionalText(o.proposalVersion), optionalText(buy.name), optionalText(buy.poNumber),
             storage::isoTime(buy.confirmedAt), storage::isoTime(buy.creativeDeadline),
             storage::jsonText(o.request),
             buy.context.is_null() ? QVariant() : QVariant(storage::jsonText(buy.context)),
             storage::isoTime(now), storage::isoTime(now)},
            error))
        return false;
    for (size_t i = 0; i < o.packages.size(); ++i) {
        const auto &p = o.packages[i];
        const json &pj = buy.packageJson.at(i);
        if (!storage::write(
                db,
                QStringLiteral("INSERT INTO packages (principal_id, package_id, media_buy_id, position, "
                               "product_id, pricing_option_id, budget, bid_price, pacing, start_time, "
                               "end_time, paused, status, package_json, implementation_config, created_at, "
                               "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                {qs(o.principalId), qs(p.packageId), qs(o.mediaBuyId), static_cast<int>(i), qs(p.productId),
                 qs(p.pricingOptionId), p.budget, p.bidPrice ? QVariant(*p.bidPrice) : QVariant(),
                 pj.contains("pacing") ? QVariant(qs(pj["pacing"].get<std::string>())) : QVariant(),
                 pj.contains("start_time") ? QVariant(qs(pj["start_time"].get<std::string>())) : QVariant(),
                 pj.contains("end_time") ? QVariant(qs(pj["end_time"].get<std::string>())) : QVariant(),
                 pj.value("paused", false) ? 1 : 0, qs(std::string("pending")), storage::jsonText(pj),
                 p.implementationConfig.is_null() ? QVariant()
                                                  : QVariant(storage::jsonText(p.implementationConfig)),
                 storage::isoTime(now), storage::isoTime(now)},
                error))
            return false;
    }
    return true;
}

json MediaBuyStore::find(QSqlDatabase &db, const std::string &principalId, const std::string &mediaBuyId,
                         QString *error)
{
    storage::Read q(
        db,
        QStringLiteral("SELECT status, revision, currency, total_budget, start_time, end_time, proposal_id, "
                       "name, confirmed_at, creative_deadline, context_json, created_at, updated_at, "
                       "proposal_version "
                       "FROM "
                       "media_buys WHERE principal_id = ? AND media_buy_id = ?"),
        {qs(principalId), qs(mediaBuyId)}, error);
    if (!q)
        return nullptr;
    if (!q.next())
        return nullptr;
    const std::string status = ss(q.value(0).toString());
    json buy = {{"media_buy_id", mediaBuyId},
                {"status", status},
                {"revision", q.value(1).toInt()},
                {"currency", ss(q.value(2).toString())},
                {"total_budget", q.value(3).toDouble()},
                {"start_time", ss(q.value(4).toString())},
                {"end_time", ss(q.value(5).toString())},
                {"confirmed_at", q.value(8).isNull() ? json() : json(ss(q.value(8).toString()))},
                {"health", "ok"},
                {"created_at", ss(q.value(11).toString())},
                {"updated_at", ss(q.value(12).toString())},
                {"available_actions", availableActions(status)},
                {"packages", json::array()}};
    // The proposal the buy executes. Not as accepted_proposal_id: the official schema then requires the
    // accepted compact snapshot (accepted_proposal) and its terms digest as well, which a buy from a
    // get_products proposal does not have; the seller's extension block carries the link instead.
    if (!q.value(6).isNull()) {
        buy["ext"]["workbench"]["proposal_id"] = ss(q.value(6).toString());
        if (!q.value(13).isNull())
            buy["ext"]["workbench"]["proposal_version"] = ss(q.value(13).toString());
    }
    if (!q.value(7).isNull())
        buy["name"] = ss(q.value(7).toString());
    if (!q.value(9).isNull())
        buy["creative_deadline"] = ss(q.value(9).toString());
    if (!q.value(10).isNull())
        buy["context"] = storage::fromText(q.value(10).toString());

    storage::Read pq(
        db,
        QStringLiteral(
            "SELECT package_json, paused FROM packages WHERE principal_id = ? AND media_buy_id = ? "
            "ORDER BY position"),
        {qs(principalId), qs(mediaBuyId)}, error);
    if (!pq)
        return nullptr;
    while (pq.next()) {
        json p = storage::fromText(pq.value(0).toString());
        if (!p.is_object())
            p = json::object(); // an unreadable stored package still lists, as an empty one, without throwing
        p["paused"] = pq.value(1).toInt() != 0;
        buy["packages"].push_back(std::move(p));
    }
    return buy;
}

std::vector<std::string> MediaBuyStore::list(QSqlDatabase &db, const std::string &principalId,
                                             const std::vector<std::string> &statuses, QString *error)
{
    std::vector<std::string> ids;
    storage::Read q(
        db,
        QStringLiteral("SELECT media_buy_id, status FROM media_buys WHERE principal_id = ? ORDER BY "
                       "created_at, media_buy_id"),
        {qs(principalId)}, error);
    if (!q)
        return ids;
    while (q.next()) {
        const std::string status = ss(q.value(1).toString());
        if (statuses.empty() || std::find(statuses.begin(), statuses.end(), status) != statuses.end())
            ids.push_back(ss(q.value(0).toString()));
    }
    return ids;
}

} // namespace adcp::seller
