#include "taskcontext.h"

#include "datasync/audiences.h"
#include "datasync/syncitem.h"
#include "monitoring/dependencyhealth.h"
#include "monitoring/lifecycle.h"
#include "synctransaction.h"

#include <set>

namespace adcp::seller {

using nlohmann::json;

namespace {

// The audience as sync_audiences reports it after the call (no action yet).
json describeAudience(const DependencyHealth::Resource &resource, const audiences::Counts &counts, int uploadedNow)
{
    json out = {{"audience_id", resource.id},
                {"seller_id", resource.detail.value("seller_id", std::string())},
                {"status", resource.status},
                {"uploaded_count", uploadedNow},
                {"total_uploaded_count", resource.detail.value("total_uploaded_count", 0)},
                {"matched_count", counts.matched}};
    if (!resource.name.empty())
        out["name"] = resource.name;
    if (counts.members > 0)
        out["effective_match_rate"] = double(counts.matched) / double(counts.members);
    json breakdown = json::array();
    for (const auto &[type, submitted, matched] : counts.byType)
        breakdown.push_back({{"id_type", type},
                             {"submitted", submitted},
                             {"matched", matched},
                             {"match_rate", submitted > 0 ? double(matched) / double(submitted) : 0.0}});
    if (!breakdown.empty())
        out["match_breakdown"] = std::move(breakdown);
    if (resource.detail.contains("last_synced_at"))
        out["last_synced_at"] = resource.detail["last_synced_at"];
    if (resource.status == "too_small")
        out["minimum_size"] = audiences::kMinimumSize;
    return out;
}

// The metadata a sync may change, as stored in the resource's detail.
const char *const kMetadata[] = {"description", "audience_type", "tags", "consent_basis"};

} // namespace

// Per-audience partial success: each audience is checked and applied on its own and one that fails changes
// nothing of its own; the call as a whole fails only when the seller cannot store anything. Members are
// deltas (remove wins over add for the same external_id); delete removes the audience and its members;
// delete_missing removes the account's other buyer-managed audiences. Without `audiences` the call lists the
// account's audiences and changes nothing.
adcp::ToolOutcome syncAudiences(TaskContext &task, const json &args)
{
    const std::optional<std::string> accountId =
        task.account ? std::optional<std::string>(task.account->accountId) : std::nullopt;
    SyncTransaction tx(task, "audiences");
    if (auto busy = tx.begin())
        return std::move(*busy);
    QString &error = tx.error;
    const auto dbFailure = [&] { return tx.dbFailure(); };
    const auto report = [&](const std::string &id, const char *action,
                            int uploadedNow) -> std::optional<json> {
        const auto resource = DependencyHealth::resource(task.db, task.principal.id, "audience", id);
        const auto c = audiences::counts(task.db, task.principal.id, id, &error);
        if (!resource || !c)
            return std::nullopt;
        json out = describeAudience(*resource, *c, uploadedNow);
        out["action"] = action;
        return out;
    };

    json results = json::array();
    const bool discovery = !args.contains("audiences");
    if (discovery) {
        for (const auto &id : audiences::audienceIds(task.db, task.principal.id, accountId, &error)) {
            auto entry = report(id, "unchanged", 0);
            if (!entry)
                return dbFailure();
            results.push_back(std::move(*entry));
        }
        if (!error.isEmpty())
            return dbFailure();
        tx.rollback();
        return adcp::ToolOutcome::success({{"audiences", std::move(results)}});
    }

    const json &requested = args["audiences"];
    std::set<std::string> seen;
    for (size_t i = 0; i < requested.size(); ++i) {
        const json &a = requested[i];
        const std::string field = "audiences[" + std::to_string(i) + "]";
        const std::string id = a.value("audience_id", std::string());
        if (!seen.insert(id).second) {
            results.push_back(failedSyncItem(
                "audience_id", id,
                adcp::AdcpError::make("INVALID_REQUEST", "audience " + id + " appears twice in this request",
                                      field + ".audience_id", "send each audience once per call")));
            continue;
        }
        const auto existing = DependencyHealth::resource(task.db, task.principal.id, "audience", id);
        // A resource without detail was only named by a buy's targeting before it was ever synced.
        const bool synced = existing && existing->detail.is_object();
        if (synced && existing->detail.contains("account_id") && accountId &&
            existing->detail["account_id"] != *accountId) {
            // Another account's audience answers as an unknown one would.
            results.push_back(failedSyncItem(
                "audience_id", id,
                adcp::AdcpError::make("INVALID_REQUEST",
                                      "audience " + id + " cannot be synced on this account",
                                      field + ".audience_id", "use an audience_id of this account")));
            continue;
        }

        if (a.value("delete", false)) {
            if (!synced) {
                results.push_back(failedSyncItem(
                    "audience_id", id,
                    adcp::AdcpError::make("REFERENCE_NOT_FOUND", "no audience " + id + " on this account",
                                          field + ".audience_id",
                                          "list audiences with sync_audiences "
                                          "without an audiences array")));
                continue;
            }
            if (const auto live =
                    DependencyHealth::liveDependentBuys(task.db, task.principal.id, "audience", id);
                !live.empty()) {
                results.push_back(failedSyncItem(
                    "audience_id", id,
                    adcp::AdcpError::make(
                        "INVALID_STATE", "audience " + id + " is targeted by media buy " + live.front(),
                        field + ".delete", "remove it from the packages' targeting first")));
                continue;
            }
            if (!audiences::deleteAudience(task.db, task.principal.id, id, &error))
                return dbFailure();
            results.push_back({{"audience_id", id}, {"action", "deleted"}});
            continue;
        }

        const json add = a.value("add", json::array());
        const json remove = a.value("remove", json::array());
        if (int(add.size() + remove.size()) > audiences::kMaxMembersPerCall) {
            results.push_back(failedSyncItem(
                "audience_id", id,
                adcp::AdcpError::make("INVALID_REQUEST",
                                      "at most " + std::to_string(audiences::kMaxMembersPerCall) +
                                          " members may be added or removed per audience and call",
                                      field + ".add", "send the members in several calls")));
            continue;
        }
        // Remove wins over add for the same external_id.
        std::set<std::string> removed;
        for (const auto &m : remove)
            removed.insert(m.value("external_id", std::string()));
        json toAdd = json::array();
        for (const auto &m : add)
            if (!removed.count(m.value("external_id", std::string())))
                toAdd.push_back(m);

        json detail = synced ? existing->detail : json::object();
        const json before = detail;
        const std::string name = a.value("name", synced ? existing->name : std::string());
        for (const char *key : kMetadata)
            if (a.contains(key))
                detail[key] = a[key];
        if (!synced) {
            detail["seller_id"] = newId("aud");
            detail["managed_by"] = "buyer";
            if (accountId)
                detail["account_id"] = *accountId;
            detail["total_uploaded_count"] = 0;
        }
        const auto countsBefore = audiences::counts(task.db, task.principal.id, id, &error);
        if (!countsBefore || !audiences::removeMembers(task.db, task.principal.id, id, remove, &error) ||
            !audiences::addMembers(task.db, task.principal.id, id, toAdd, &error))
            return dbFailure();
        const auto countsAfter = audiences::counts(task.db, task.principal.id, id, &error);
        if (!countsAfter)
            return dbFailure();
        const bool membersChanged = !add.empty() || !remove.empty();
        detail["total_uploaded_count"] = detail.value("total_uploaded_count", 0) + int(toAdd.size());
        if (membersChanged || !synced)
            detail["last_synced_at"] = isoTime(task.now).toStdString();

        const char *action = !synced                                                          ? "created"
                             : (membersChanged || detail != before || name != existing->name) ? "updated"
                                                                                              : "unchanged";
        // Matching decides ready / too_small; a seller's suspension stays until the seller lifts it.
        const std::string status =
            synced && existing->status == "suspended"
                ? existing->status
                : audiences::matchedStatus(detail.value("audience_type", std::string("crm")), *countsAfter);
        DependencyHealth::Resource r{"audience", id,     status,  existing ? existing->status : std::string(),
                                     name,       detail, task.now};
        if (!DependencyHealth::upsertResource(task.db, task.principal.id, r, task.now, &error))
            return dbFailure();
        auto entry = report(id, action, int(toAdd.size()));
        if (!entry)
            return dbFailure();
        results.push_back(std::move(*entry));
    }

    if (args.value("delete_missing", false)) {
        for (const auto &id : audiences::audienceIds(task.db, task.principal.id, accountId, &error)) {
            if (seen.count(id))
                continue;
            const auto r = DependencyHealth::resource(task.db, task.principal.id, "audience", id);
            if (!r || r->detail.value("managed_by", std::string("buyer")) != "buyer")
                continue;
            if (const auto live =
                    DependencyHealth::liveDependentBuys(task.db, task.principal.id, "audience", id);
                !live.empty()) {
                results.push_back(failedSyncItem(
                    "audience_id", id,
                    adcp::AdcpError::make("INVALID_STATE",
                                          "audience " + id + " is targeted by media buy " + live.front() +
                                              " and was kept",
                                          "delete_missing", "remove it from the packages' targeting first")));
                continue;
            }
            if (!audiences::deleteAudience(task.db, task.principal.id, id, &error))
                return dbFailure();
            results.push_back({{"audience_id", id}, {"action", "deleted"}});
        }
        if (!error.isEmpty())
            return dbFailure();
    }

    json result = {{"audiences", results}};
    return tx.finish("sync_audiences", args, std::move(result));
}

} // namespace adcp::seller
