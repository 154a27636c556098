#include "taskcontext.h"

#include "domain/catalog.h"
#include "monitoring/dependencyhealth.h"
#include "monitoring/lifecycle.h"
#include "storage/database.h"
#include "synctransaction.h"

#include <QSqlQuery>

#include <map>
#include <set>

namespace adcp::seller {

using nlohmann::json;
using storage::execute;
using storage::qs;

namespace {

// Format ids (by id) a product accepts.
std::set<std::string> productFormats(const Product &product)
{
    std::set<std::string> ids;
    for (const auto &f : product.publicJson.value("format_ids", json::array())) {
        if (f.is_object() && f.contains("id"))
            ids.insert(f["id"].get<std::string>());
    }
    return ids;
}

struct PackageRef
{
    std::string mediaBuyId;
    std::string productId;
};

std::optional<PackageRef> findPackage(QSqlDatabase &db, const std::string &principalId,
                                      const std::string &packageId)
{
    QSqlQuery q(storage::connectionFor(db));
    if (!execute(
            q,
            QStringLiteral(
                "SELECT media_buy_id, product_id FROM packages WHERE principal_id = ? AND package_id = ?"),
            {qs(principalId), qs(packageId)}, nullptr) ||
        !q.next())
        return std::nullopt;
    return PackageRef{q.value(0).toString().toStdString(), q.value(1).toString().toStdString()};
}

std::string formatOf(const json &creative)
{
    if (creative.contains("format_id") && creative["format_id"].is_object())
        return creative["format_id"].value("id", std::string());
    return creative.value("format_kind", std::string());
}

// One assignment's error as the response carries it: `assignment_errors` maps a package id to a string, so
// the AdCP error's code, field and recovery are spelled into that string ("CODE at field: message (recovery:
// …)").
std::string assignmentError(const adcp::AdcpError &e)
{
    std::string text = e.code;
    if (e.field)
        text += " at " + *e.field;
    text += ": " + e.message + " (recovery: " + std::string(adcp::toString(e.recovery));
    if (e.suggestion)
        text += "; " + *e.suggestion;
    return text + ")";
}

} // namespace

// Partial success: every creative and every legacy assignment is checked and applied on its own. A creative
// that fails is reported with action "failed" and its errors and changes nothing; an assignment that fails is
// reported in its creative's assignment_errors and changes nothing; the call itself succeeds. Only
// assignment_operations are all-or-nothing, as the schema makes them atomic: one failing operation fails the
// call and applies none of them.
adcp::ToolOutcome syncCreatives(TaskContext &task, const json &args)
{
    const bool dryRun = args.value("dry_run", false);
    std::set<std::string> accepted;
    if (task.catalog) {
        for (const auto &p : task.catalog->products()) {
            const auto formats = productFormats(p);
            accepted.insert(formats.begin(), formats.end());
        }
    }
    SyncTransaction tx(task, "creatives");
    if (auto busy = tx.begin())
        return std::move(*busy);
    QString &error = tx.error;
    const auto dbFailure = [&] { return tx.dbFailure(); };

    json results = json::array();
    std::map<std::string, size_t> position; // creative id → index in results
    std::map<std::string, std::string> formatById;
    std::set<std::string> failedHere; // creatives that failed in this request: their assignments fail too
    const json creatives = args.value("creatives", json::array());
    for (size_t i = 0; i < creatives.size(); ++i) {
        const json &creative = creatives[i];
        const std::string id = creative.value("creative_id", std::string());
        const std::string format = formatOf(creative);
        json entry = {{"creative_id", id}};
        if (!accepted.count(format)) {
            entry["action"] = "failed";
            entry["errors"] =
                json::array({adcp::AdcpError::make("CREATIVE_REJECTED",
                                                   "format " + format + " is not accepted by this seller",
                                                   "creatives[" + std::to_string(i) + "].format_id",
                                                   "list accepted formats with list_creative_formats")
                                 .toJson()});
            failedHere.insert(id);
            position[id] = results.size();
            results.push_back(entry);
            continue;
        }
        formatById[id] = format;
        json stored = creative;
        stored.erase("status");
        const auto existing = DependencyHealth::resource(task.db, task.principal.id, "creative", id);
        std::string action = "created";
        std::string status =
            "approved"; // this seller reviews on upload: a valid creative is approved at once
        if (existing) {
            action = existing->detail == stored ? "unchanged" : "updated";
            // Unchanged content keeps its review outcome (a suspension stays until the content changes).
            if (action == "unchanged")
                status = existing->status;
        }
        if (!dryRun) {
            DependencyHealth::Resource r{"creative",
                                         id,
                                         status,
                                         existing ? existing->status : std::string(),
                                         creative.value("name", std::string()),
                                         stored,
                                         task.now};
            if (!DependencyHealth::upsertResource(task.db, task.principal.id, r, task.now, &error) ||
                (task.account && !AccountStore::linkCreative(task.db, task.principal.id, id,
                                                             task.account->accountId, &error)))
                return dbFailure();
        }
        entry["action"] = action;
        entry["status"] = status;
        entry["platform_id"] = "cr_" + id;
        position[id] = results.size();
        results.push_back(entry);
    }

    // Assignments: legacy `assignments` (each one on its own) and `assignment_operations` (atomic).
    struct Op
    {
        std::string operation;
        std::string creativeId;
        std::string packageId;
        std::string replaces;
        std::string field; // where the operation sits in the request
        bool atomic = false;
    };
    std::vector<Op> ops;
    const json legacy = args.value("assignments", json::array());
    for (size_t i = 0; i < legacy.size(); ++i)
        ops.push_back({"assign",
                       legacy[i].value("creative_id", std::string()),
                       legacy[i].value("package_id", std::string()),
                       {},
                       "assignments[" + std::to_string(i) + "]",
                       false});
    const json operations = args.value("assignment_operations", json::array());
    for (size_t i = 0; i < operations.size(); ++i) {
        const json &a = operations[i];
        ops.push_back({a.value("operation", std::string()), a.value("creative_id", std::string()),
                       a.value("package_id", std::string()), a.value("replaces_creative_id", std::string()),
                       "assignment_operations[" + std::to_string(i) + "]", true});
    }

    // Checks one operation against the library, the account's packages and the product's formats.
    const auto check = [&](const Op &op) -> std::optional<adcp::AdcpError> {
        const auto pkg = findPackage(task.db, task.principal.id, op.packageId);
        if (!pkg)
            return adcp::AdcpError::make(
                "PACKAGE_NOT_FOUND", "no such package for this account",
                op.field + ".package_id", "check the package ids with get_media_buys");
        if (failedHere.count(op.creativeId))
            return adcp::AdcpError::make("CREATIVE_REJECTED",
                                         "creative " + op.creativeId + " failed in this request",
                                         op.field + ".creative_id", "fix the creative and sync it again");
        const auto resource =
            DependencyHealth::resource(task.db, task.principal.id, "creative", op.creativeId);
        if (!resource && !formatById.count(op.creativeId))
            return adcp::AdcpError::make("CREATIVE_NOT_FOUND", "no such creative for this account",
                                         op.field + ".creative_id", "sync the creative first");
        const std::string format =
            formatById.count(op.creativeId) ? formatById[op.creativeId] : formatOf(resource->detail);
        const Product *product = task.catalog ? task.catalog->find(pkg->productId) : nullptr;
        // A creative in a format the product cannot serve is never trafficked.
        if (op.operation != "unassign" && product && !productFormats(*product).count(format))
            return adcp::AdcpError::make(
                "INVALID_REQUEST", "format " + format + " does not fit product " + pkg->productId,
                op.field + ".creative_id", "assign a creative in one of the product's format_ids");
        return std::nullopt;
    };
    for (const auto &op : ops) {
        if (!op.atomic)
            continue;
        if (const auto problem = check(op)) {
            auto e = *problem;
            e.message = "assignment_operations are applied all or none: " + e.message;
            return adcp::ToolOutcome::failure(std::move(e));
        }
    }

    std::vector<std::string> touchedBuys;
    for (const auto &op : ops) {
        if (!position.count(op.creativeId)) {
            position[op.creativeId] = results.size();
            results.push_back({{"creative_id", op.creativeId}, {"action", "unchanged"}});
        }
        json &entry = results[position[op.creativeId]];
        if (const auto problem = check(op)) {
            entry["assignment_errors"][op.packageId] = assignmentError(*problem);
            continue;
        }
        const auto pkg = findPackage(task.db, task.principal.id, op.packageId);
        if (dryRun) {
            if (op.operation != "unassign")
                entry["assigned_to"].push_back(op.packageId);
            continue;
        }
        bool ok = true;
        if (op.operation == "unassign") {
            ok = DependencyHealth::removeDependency(task.db, task.principal.id, op.packageId, "creative",
                                                    op.creativeId, task.now, &error);
        } else {
            if (op.operation == "replace")
                ok = DependencyHealth::removeDependency(task.db, task.principal.id, op.packageId, "creative",
                                                        op.replaces, task.now, &error);
            ok = ok &&
                 DependencyHealth::addDependency(task.db, task.principal.id, pkg->mediaBuyId, op.packageId,
                                                 "creative", op.creativeId, task.now, &error);
            entry["assigned_to"].push_back(op.packageId);
        }
        if (!ok)
            return dbFailure();
        touchedBuys.push_back(pkg->mediaBuyId);
    }
    if (dryRun) {
        tx.rollback();
        return adcp::ToolOutcome::success({{"dry_run", true}, {"creatives", results}});
    }
    // New approved creatives can move buys out of pending_creatives.
    for (const auto &buy : touchedBuys) {
        if (!MediaBuyLifecycle::refresh(task.db, task.principal.id, buy, task.now, &error))
            return dbFailure();
    }
    json result = {{"creatives", results}};
    return tx.finish("sync_creatives", args, std::move(result));
}

} // namespace adcp::seller
