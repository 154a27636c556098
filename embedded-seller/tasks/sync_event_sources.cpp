#include "taskcontext.h"

#include "datasync/eventsources.h"
#include "datasync/syncitem.h"
#include "monitoring/dependencyhealth.h"
#include "monitoring/lifecycle.h"
#include "synctransaction.h"

#include <set>

namespace adcp::seller {

using nlohmann::json;

namespace {

// What a sync may set on a source, kept in its detail as sent.
const char *const kConfig[] = {"event_types", "value_currencies", "action_source", "allowed_domains",
                               "surface"};

} // namespace

// Reads a source as sync_event_sources reports it, with its health from the events of the last 24 hours.
std::optional<json> describeEventSource(TaskContext &task, const std::string &id, QString *error)
{
    const auto r = DependencyHealth::resource(task.db, task.principal.id, "event_source", id);
    const auto a = eventsources::activity(task.db, task.principal.id, id, task.now, error);
    if (!r || !a)
        return std::nullopt;
    json out = {{"event_source_id", id}, {"managed_by", r->detail.value("managed_by", std::string("buyer"))}};
    if (!r->name.empty())
        out["name"] = r->name;
    for (const char *key :
         {"seller_id", "event_types", "value_currencies", "action_source", "surface", "setup"})
        if (r->detail.contains(key))
            out[key] = r->detail[key];
    json health = {{"status", r->status},
                   {"events_received_24h", a->events24h},
                   {"evaluated_at", isoTime(task.now).toStdString()}};
    if (a->events24h > 0)
        health["match_rate"] = double(a->matched24h) / double(a->events24h);
    if (a->lastEventAt.isValid())
        health["last_event_at"] = isoTime(a->lastEventAt).toStdString();
    out["health"] = std::move(health);
    return out;
}

// Per-source partial success, like sync_audiences. The seller's own source is listed in every answer and
// cannot be changed or deleted by a buyer; delete_missing removes only buyer-managed sources of the account.
adcp::ToolOutcome syncEventSources(TaskContext &task, const json &args)
{
    const std::optional<std::string> accountId =
        task.account ? std::optional<std::string>(task.account->accountId) : std::nullopt;
    SyncTransaction tx(task, "event sources");
    if (auto busy = tx.begin())
        return std::move(*busy);
    QString &error = tx.error;
    const auto dbFailure = [&] { return tx.dbFailure(); };
    if (!eventsources::ensureSellerSource(task.db, task.principal.id, task.now, &error))
        return dbFailure();
    const auto report = [&](const std::string &id, const char *action) -> std::optional<json> {
        auto out = describeEventSource(task, id, &error);
        if (out)
            (*out)["action"] = action;
        return out;
    };

    json results = json::array();
    std::set<std::string> seen;
    const json requested = args.value("event_sources", json::array());
    for (size_t i = 0; i < requested.size(); ++i) {
        const json &s = requested[i];
        const std::string field = "event_sources[" + std::to_string(i) + "]";
        const std::string id = s.value("event_source_id", std::string());
        if (!seen.insert(id).second) {
            results.push_back(failedSyncItem(
                "event_source_id", id,
                adcp::AdcpError::make("INVALID_REQUEST", "event source " + id + " appears twice",
                                      field + ".event_source_id", "send each event source once per call")));
            continue;
        }
        const auto existing = DependencyHealth::resource(task.db, task.principal.id, "event_source", id);
        const bool synced = existing && existing->detail.is_object();
        if (synced && existing->detail.value("managed_by", std::string()) == "seller") {
            results.push_back(failedSyncItem(
                "event_source_id", id,
                adcp::AdcpError::make("INVALID_REQUEST", "event source " + id + " is managed by the seller",
                                      field + ".event_source_id",
                                      "use it as it is, or sync a source of your own "
                                      "under another id")));
            continue;
        }
        if (synced && accountId && existing->detail.value("account_id", std::string()) != *accountId) {
            results.push_back(failedSyncItem(
                "event_source_id", id,
                adcp::AdcpError::make("INVALID_REQUEST",
                                      "event source " + id + " cannot be synced on this account",
                                      field + ".event_source_id", "use an event_source_id of this account")));
            continue;
        }
        json detail = synced ? existing->detail : json::object();
        const json before = detail;
        const std::string name = s.value("name", synced ? existing->name : std::string());
        for (const char *key : kConfig)
            if (s.contains(key))
                detail[key] = s[key];
        if (!synced) {
            detail["managed_by"] = "buyer";
            detail["seller_id"] = newId("es");
            if (accountId)
                detail["account_id"] = *accountId;
            detail["setup"] = {{"snippet_type", "server_only"},
                               {"instructions", "Send this source's events with log_event, event_source_id " +
                                                    id + "; events are deduplicated by event_id."}};
        }
        const char *action = !synced                                        ? "created"
                             : (detail != before || name != existing->name) ? "updated"
                                                                            : "unchanged";
        // A new source starts at minimum until events arrive; a configured one keeps its health.
        const std::string status = synced ? existing->status : std::string("minimum");
        DependencyHealth::Resource r{
            "event_source", id, status, existing ? existing->status : std::string(), name, detail, task.now};
        if (!DependencyHealth::upsertResource(task.db, task.principal.id, r, task.now, &error))
            return dbFailure();
        auto entry = report(id, action);
        if (!entry)
            return dbFailure();
        results.push_back(std::move(*entry));
    }

    const auto ids = eventsources::sourceIds(task.db, task.principal.id, accountId, &error);
    if (!error.isEmpty())
        return dbFailure();
    const bool deleteMissing = args.value("delete_missing", false);
    for (const auto &id : ids) {
        if (seen.count(id))
            continue;
        const auto r = DependencyHealth::resource(task.db, task.principal.id, "event_source", id);
        const bool buyerManaged = r && r->detail.value("managed_by", std::string("buyer")) == "buyer";
        if (deleteMissing && buyerManaged) {
            if (const auto live =
                    DependencyHealth::liveDependentBuys(task.db, task.principal.id, "event_source", id);
                !live.empty()) {
                results.push_back(failedSyncItem(
                    "event_source_id", id,
                    adcp::AdcpError::make("INVALID_STATE",
                                          "event source " + id +
                                              " is an optimization goal's source in media buy " +
                                              live.front() + " and was kept",
                                          "delete_missing", "change the buy's optimization goals first")));
                continue;
            }
            if (!eventsources::deleteSource(task.db, task.principal.id, id, &error))
                return dbFailure();
            results.push_back({{"event_source_id", id}, {"action", "deleted"}});
            continue;
        }
        // Every answer lists the account's other sources as they are (the seller's own included), so a
        // discovery call (no event_sources) is the full list.
        auto entry = report(id, "unchanged");
        if (!entry)
            return dbFailure();
        results.push_back(std::move(*entry));
    }

    json result = {{"event_sources", results}};
    // A call that named nothing and deletes nothing only reads: no task to record.
    return tx.finish("sync_event_sources", args, std::move(result), !requested.empty() || deleteMissing);
}

} // namespace adcp::seller
