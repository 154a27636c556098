#include "taskcontext.h"

#include "catalogavailabilitytask.h"
#include "datasync/catalogavailability.h"
#include "datasync/catalogs.h"
#include "datasync/syncitem.h"
#include "monitoring/dependencyhealth.h"
#include "storage/database.h"
#include "synctransaction.h"

#include <map>
#include <set>

namespace adcp::seller {

using nlohmann::json;

namespace {

// The catalog as sync_catalogs reports it: its item counts by review status and the items with issues.
std::optional<json> describeCatalog(TaskContext &task, const catalogs::Stored &c, const char *action,
                                    QString *error)
{
    const auto ids = catalogs::itemIds(task.db, task.principal.id, c.catalogId, error);
    if (!error->isEmpty())
        return std::nullopt;
    std::map<std::string, int> byStatus;
    json issues = json::array();
    for (const auto &id : ids) {
        const auto r = DependencyHealth::resource(task.db, task.principal.id, "catalog_item", id);
        if (!r)
            continue;
        ++byStatus[r->status];
        if (r->status == "approved")
            continue;
        json reasons = r->detail.value("reasons", json::array());
        if (r->status == "withdrawn")
            reasons.push_back("withdrawn by the seller");
        json issue = {{"item_id", id}, {"status", r->status}};
        if (!reasons.empty())
            issue["reasons"] = std::move(reasons);
        issues.push_back(std::move(issue));
    }
    json out = {{"catalog_id", c.catalogId},
                {"catalog_generation", c.generation},
                {"action", action},
                {"platform_id", c.platformId},
                {"item_count", int(ids.size())},
                {"items_approved", byStatus["approved"] + byStatus["warning"]},
                {"items_pending", byStatus["pending"]},
                {"items_rejected", byStatus["rejected"]},
                {"last_synced_at", isoTime(c.lastSyncedAt).toStdString()}};
    if (!issues.empty())
        out["item_issues"] = std::move(issues);
    return out;
}

// The checks on one catalog of the request that need no write; an error names the member it is about.
std::optional<adcp::AdcpError> catalogProblem(TaskContext &task, const json &c, const std::string &field,
                                              const std::optional<catalogs::Stored> &existing,
                                              const std::optional<std::string> &accountId,
                                              size_t accountCatalogs)
{
    const std::string id = c.value("catalog_id", std::string());
    const std::string type = c.value("type", std::string());
    if (existing && accountId && existing->accountId != *accountId)
        return adcp::AdcpError::make("INVALID_REQUEST", "catalog " + id + " cannot be synced on this account",
                                     field + ".catalog_id", "use a catalog_id of this account");
    if (c.contains("url"))
        return adcp::AdcpError::make("UNSUPPORTED_FEATURE",
                                     "this seller does not fetch catalog feeds; send the items inline",
                                     field + ".url", "send the catalog's items in items[]");
    if (existing && existing->type != type)
        return adcp::AdcpError::make(
            "INVALID_REQUEST",
            "catalog " + id + " is a " + existing->type + " catalog; its type cannot change", field + ".type",
            "delete the catalog and sync it again, or use another id");
    if (!existing && !c.contains("items"))
        return adcp::AdcpError::make("INVALID_REQUEST", "a new catalog needs its items", field + ".items",
                                     "send the items inline");
    if (!existing && accountCatalogs >= size_t(catalogs::kMaxCatalogsPerAccount))
        return adcp::AdcpError::make("CATALOG_LIMIT_EXCEEDED",
                                     "the account holds " + std::to_string(catalogs::kMaxCatalogsPerAccount) +
                                         " catalogs already",
                                     field + ".catalog_id", "delete catalogs you no longer use");
    const json items = c.value("items", json::array());
    if (items.size() > size_t(catalogs::kMaxItemsPerCatalog))
        return adcp::AdcpError::make("INVALID_REQUEST",
                                     "a catalog carries at most " +
                                         std::to_string(catalogs::kMaxItemsPerCatalog) + " items",
                                     field + ".items", "split the items over several catalogs");
    std::set<std::string> keys;
    for (size_t j = 0; j < items.size(); ++j) {
        const std::string key = catalogs::keyField(type, items[j]);
        const std::string where = field + ".items[" + std::to_string(j) + "]." + key;
        const auto value = items[j].find(key);
        if (value == items[j].end() || !value->is_string() || value->get<std::string>().empty())
            return adcp::AdcpError::make("ITEM_VALIDATION_FAILED",
                                         "item " + std::to_string(j) + " has no " + key, where,
                                         "give every item its " + key);
        const std::string itemId = value->get<std::string>();
        if (!keys.insert(itemId).second)
            return adcp::AdcpError::make("ITEM_VALIDATION_FAILED", "item " + itemId + " appears twice", where,
                                         "send each item once");
        const auto r = DependencyHealth::resource(task.db, task.principal.id, "catalog_item", itemId);
        if (r && r->detail.is_object() && r->detail.value("catalog_id", id) != id)
            return adcp::AdcpError::make("ITEM_VALIDATION_FAILED",
                                         "item " + itemId + " belongs to catalog " +
                                             r->detail.value("catalog_id", std::string()),
                                         where, "item ids are unique across the account's catalogs");
    }
    return std::nullopt;
}

// The top-level fields whose value differs between two catalog definitions (items aside).
json catalogChangedFields(const json &before, const json &after)
{
    std::set<std::string> names;
    for (const auto &[k, v] : before.items())
        if (!after.contains(k) || after[k] != v)
            names.insert(k);
    for (const auto &[k, v] : after.items())
        if (!before.contains(k))
            names.insert(k);
    return json(std::vector<std::string>(names.begin(), names.end()));
}

// Stores the catalog's items, reviewing each (a seller's withdrawal stays); items gone from the feed are
// removed, or withdrawn when a live buy promotes them. Sets `*changed` when any item differs.
bool storeCatalogItems(TaskContext &task, const catalogs::Stored &c, const json &items,
                       const std::optional<std::string> &accountId, bool *changed, QString *error)
{
    const auto before = catalogs::itemIds(task.db, task.principal.id, c.catalogId, error);
    if (!error->isEmpty())
        return false;
    std::set<std::string> kept;
    for (const auto &item : items) {
        const std::string itemId = item[catalogs::keyField(c.type, item)].get<std::string>();
        kept.insert(itemId);
        const auto existing = DependencyHealth::resource(task.db, task.principal.id, "catalog_item", itemId);
        const bool inFeed =
            existing && existing->detail.is_object() && !existing->detail.value("dropped", false);
        const auto verdict = catalogs::review(c.type, item);
        const bool withdrawn = inFeed && existing->status == "withdrawn";
        json detail = {{"catalog_id", c.catalogId}, {"item", item}, {"reasons", verdict.reasons}};
        if (accountId)
            detail["account_id"] = *accountId;
        if (!inFeed || existing->detail.value("item", json()) != item)
            *changed = true;
        DependencyHealth::Resource r{"catalog_item",
                                     itemId,
                                     withdrawn ? std::string("withdrawn") : verdict.status,
                                     existing ? existing->status : std::string(),
                                     catalogs::itemText(item, "title").empty()
                                         ? catalogs::itemText(item, "name")
                                         : catalogs::itemText(item, "title"),
                                     detail,
                                     task.now};
        if (!DependencyHealth::upsertResource(task.db, task.principal.id, r, task.now, error))
            return false;
    }
    for (const auto &itemId : before) {
        if (kept.count(itemId))
            continue;
        *changed = true;
        if (DependencyHealth::liveDependentBuys(task.db, task.principal.id, "catalog_item", itemId).empty()) {
            if (!storage::write(task.db,
                                QStringLiteral("DELETE FROM mon_resources WHERE principal_id = ? AND "
                                               "resource_type = 'catalog_item' AND resource_id = ?"),
                                {storage::qs(task.principal.id), storage::qs(itemId)}, error))
                return false;
            continue;
        }
        auto r = DependencyHealth::resource(task.db, task.principal.id, "catalog_item", itemId);
        r->detail["dropped"] = true;
        if (!DependencyHealth::setStatus(task.db, task.principal.id, "catalog_item", itemId, "withdrawn",
                                         task.now, "seller_removed",
                                         "no longer in catalog " + c.catalogId + "'s feed", nullptr, error))
            return false;
        r->status = "withdrawn";
        if (!DependencyHealth::upsertResource(task.db, task.principal.id, *r, task.now, error))
            return false;
    }
    // The buyer's suppressions outlive feed upserts: an item stored anew gets its hold back.
    return catalogavailability::reapplyHolds(task.db, task.principal.id, c.catalogId, c.generation, task.now,
                                             error);
}

} // namespace

// Per-catalog results like sync_audiences, with the spec's validation modes: in strict mode (the default) a
// catalog, availability update or query that fails fails the call and nothing is written; in lenient mode it
// is reported failed in its place and the rest is applied. dry_run runs everything and rolls it back. One
// transaction: catalog upserts first, then the availability updates against that staged state, then the
// queries against the updated one, all committed together (catalogavailabilitytask.h).
adcp::ToolOutcome syncCatalogs(TaskContext &task, const json &args)
{
    const std::optional<std::string> accountId =
        task.account ? std::optional<std::string>(task.account->accountId) : std::nullopt;
    const bool strict = args.value("validation_mode", std::string("strict")) == "strict";
    const bool dryRun = args.value("dry_run", false);
    const bool deleteMissing = args.value("delete_missing", false);
    const json requested = args.value("catalogs", json::array());
    std::optional<std::set<std::string>> scope;
    if (args.contains("catalog_ids"))
        scope = args["catalog_ids"].get<std::set<std::string>>();

    SyncTransaction tx(task, "catalogs");
    if (auto busy = tx.begin())
        return std::move(*busy);
    QString &error = tx.error;
    const auto dbFailure = [&] { return tx.dbFailure(); };
    // Suppressions that reached their expiry end first, so that nothing below reads a lapsed one.
    if (catalogavailability::expireDue(task.db, task.now, task.principal.id, &error) < 0)
        return dbFailure();
    const auto onAccount = catalogs::catalogIds(task.db, task.principal.id, accountId, &error);
    if (!error.isEmpty())
        return dbFailure();
    if (scope) {
        std::set<std::string> known(onAccount.begin(), onAccount.end());
        for (const auto &c : requested)
            known.insert(c.value("catalog_id", std::string()));
        for (const auto &id : *scope)
            if (!known.count(id))
                return failure("REFERENCE_NOT_FOUND",
                               "catalog_ids names " + id + ", which is not on this account", "catalog_ids",
                               "name catalogs of the account or of this request");
    }

    json results = json::array();
    std::vector<adcp::AdcpError> failures;
    const auto fail = [&](const std::string &id, adcp::AdcpError e) {
        failures.push_back(e);
        results.push_back(failedSyncItem("catalog_id", id, e));
    };
    std::set<std::string> seen;
    size_t accountCatalogs = onAccount.size();
    for (size_t i = 0; i < requested.size(); ++i) {
        const json &c = requested[i];
        const std::string field = "catalogs[" + std::to_string(i) + "]";
        const std::string id = c.value("catalog_id", std::string());
        if (scope && !scope->count(id))
            continue;
        if (id.empty()) {
            fail(id, adcp::AdcpError::make("INVALID_REQUEST", "a synced catalog needs its catalog_id",
                                           field + ".catalog_id", "give the catalog an id"));
            continue;
        }
        if (!seen.insert(id).second) {
            fail(id, adcp::AdcpError::make("INVALID_REQUEST", "catalog " + id + " appears twice",
                                           field + ".catalog_id", "send each catalog once per call"));
            continue;
        }
        const auto existing = catalogs::find(task.db, task.principal.id, id, &error);
        if (auto problem = catalogProblem(task, c, field, existing, accountId, accountCatalogs)) {
            fail(id, *problem);
            continue;
        }
        catalogs::Stored stored = existing ? *existing
                                           : catalogs::Stored{id,
                                                              accountId.value_or(std::string()),
                                                              newId("catgen"),
                                                              newId("plcat"),
                                                              c.value("type", std::string()),
                                                              json::object(),
                                                              task.now};
        json definition = c;
        definition.erase("items");
        json changes = existing ? catalogChangedFields(existing->definition, definition) : json::array();
        stored.definition = std::move(definition);
        stored.lastSyncedAt = task.now;
        if (!catalogs::save(task.db, task.principal.id, stored, task.now, &error))
            return dbFailure();
        bool itemsChanged = false;
        if (c.contains("items") &&
            !storeCatalogItems(task, stored, c["items"], accountId, &itemsChanged, &error))
            return dbFailure();
        if (itemsChanged)
            changes.push_back("items");
        const char *action = !existing ? "created" : changes.empty() ? "unchanged" : "updated";
        if (!existing)
            ++accountCatalogs;
        auto entry = describeCatalog(task, stored, action, &error);
        if (!entry)
            return dbFailure();
        if (!changes.empty() && existing)
            (*entry)["changes"] = std::move(changes);
        results.push_back(std::move(*entry));
    }

    // The account's other catalogs (within catalog_ids): deleted with delete_missing unless a live buy
    // promotes one of their items, else listed as they are, so a discovery call (no catalogs) is the full
    // list.
    for (const auto &id : onAccount) {
        if (seen.count(id) || (scope && !scope->count(id)))
            continue;
        if (deleteMissing) {
            std::vector<std::string> live;
            for (const auto &item : catalogs::itemIds(task.db, task.principal.id, id, &error)) {
                const auto buys =
                    DependencyHealth::liveDependentBuys(task.db, task.principal.id, "catalog_item", item);
                live.insert(live.end(), buys.begin(), buys.end());
            }
            if (!live.empty()) {
                fail(id, adcp::AdcpError::make("INVALID_STATE",
                                               "catalog " + id + " has items media buy " + live.front() +
                                                   " promotes; it was kept",
                                               "delete_missing", "change the buy's catalogs first"));
                continue;
            }
            if (!catalogs::deleteCatalog(task.db, task.principal.id, id, &error))
                return dbFailure();
            results.push_back({{"catalog_id", id}, {"action", "deleted"}});
            continue;
        }
        const auto stored = catalogs::find(task.db, task.principal.id, id, &error);
        auto entry = stored ? describeCatalog(task, *stored, "unchanged", &error) : std::nullopt;
        if (!entry)
            return dbFailure();
        results.push_back(std::move(*entry));
    }

    const json updates = args.value("item_availability_updates", json::array());
    const json queries = args.value("item_availability_queries", json::array());
    json acknowledgements = json::array();
    json states = json::array();
    if (!applyAvailabilityUpdates(task, updates, strict, &acknowledgements, &failures, &error) ||
        !queryAvailability(task, queries, strict, &states, &failures, &error))
        return dbFailure();

    if (strict && !failures.empty()) {
        tx.rollback();
        return availabilityFailure(std::move(failures));
    }
    json result = {{"catalogs", results}};
    if (!updates.empty())
        result["item_availability_updates"] = std::move(acknowledgements);
    if (!queries.empty())
        result["item_availability_states"] = std::move(states);
    if (dryRun) {
        tx.rollback();
        result["dry_run"] = true;
        return adcp::ToolOutcome::success(std::move(result));
    }
    // A call that names no catalog, deletes nothing and updates no availability only reads: no task to
    // record.
    return tx.finish("sync_catalogs", args, std::move(result),
                     !requested.empty() || deleteMissing || !updates.empty());
}

} // namespace adcp::seller
