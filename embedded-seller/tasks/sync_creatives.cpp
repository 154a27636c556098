#include "taskcontext.h"

#include "domain/catalog.h"
#include "jobs/taskstore.h"
#include "monitoring/dependencyhealth.h"
#include "monitoring/lifecycle.h"
#include "storage/database.h"

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
    QSqlQuery q(db);
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

} // namespace

adcp::ToolOutcome syncCreatives(TaskContext &task, const json &args)
{
    const bool dryRun = args.value("dry_run", false);
    const bool strict = args.value("validation_mode", std::string("strict")) == "strict";
    std::set<std::string> accepted;
    if (task.catalog) {
        for (const auto &p : task.catalog->products()) {
            const auto formats = productFormats(p);
            accepted.insert(formats.begin(), formats.end());
        }
    }
    QString error;
    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error))
        return failure("SERVICE_UNAVAILABLE", "the seller database is busy", std::nullopt,
                       "retry the same request");
    const auto dbFailure = [&] {
        return failure("SERVICE_UNAVAILABLE", "creatives could not be stored: " + error.toStdString(),
                       std::nullopt, "retry the same request");
    };

    json results = json::array();
    std::map<std::string, size_t> position; // creative id → index in results
    std::map<std::string, std::string> formatById;
    for (const auto &creative : args.value("creatives", json::array())) {
        const std::string id = creative.value("creative_id", std::string());
        const std::string format = formatOf(creative);
        json entry = {{"creative_id", id}};
        if (!accepted.count(format)) {
            entry["action"] = "failed";
            entry["errors"] =
                json::array({adcp::AdcpError::make(
                                 "CREATIVE_REJECTED", "format " + format + " is not accepted by this seller",
                                 "creatives.format_id", "list accepted formats with list_creative_formats")
                                 .toJson()});
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
            if (!DependencyHealth::upsertResource(task.db, task.principal.id, r, task.now, &error))
                return dbFailure();
        }
        entry["action"] = action;
        entry["status"] = status;
        entry["platform_id"] = "cr_" + id;
        position[id] = results.size();
        results.push_back(entry);
    }

    // Assignments: legacy `assignments` and `assignment_operations` (strict mode only, per the schema).
    struct Op
    {
        std::string operation;
        std::string creativeId;
        std::string packageId;
        std::string replaces;
    };
    std::vector<Op> ops;
    for (const auto &a : args.value("assignments", json::array()))
        ops.push_back(
            {"assign", a.value("creative_id", std::string()), a.value("package_id", std::string()), {}});
    for (const auto &a : args.value("assignment_operations", json::array()))
        ops.push_back({a.value("operation", std::string()), a.value("creative_id", std::string()),
                       a.value("package_id", std::string()), a.value("replaces_creative_id", std::string())});
    std::vector<std::string> touchedBuys;
    for (const auto &op : ops) {
        if (!position.count(op.creativeId)) {
            position[op.creativeId] = results.size();
            results.push_back({{"creative_id", op.creativeId}, {"action", "unchanged"}});
        }
        json &entry = results[position[op.creativeId]];
        const auto fail = [&](const std::string &message) {
            entry["assignment_errors"][op.packageId] = message;
        };
        const auto pkg = findPackage(task.db, task.principal.id, op.packageId);
        if (!pkg) {
            fail("no package " + op.packageId + " for this account");
            continue;
        }
        const auto resource =
            DependencyHealth::resource(task.db, task.principal.id, "creative", op.creativeId);
        if (!resource && !formatById.count(op.creativeId)) {
            fail("creative " + op.creativeId + " is unknown; sync it first");
            continue;
        }
        const std::string format =
            formatById.count(op.creativeId) ? formatById[op.creativeId] : formatOf(resource->detail);
        const Product *product = task.catalog ? task.catalog->find(pkg->productId) : nullptr;
        if (op.operation != "unassign" && product && !productFormats(*product).count(format)) {
            fail("format " + format + " does not fit product " + pkg->productId);
            continue;
        }
        if (dryRun) {
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
    if (strict) {
        for (const auto &entry : results) {
            if (entry.contains("assignment_errors"))
                return failure(
                    "INVALID_REQUEST",
                    "assignment of creative " + entry["creative_id"].get<std::string>() +
                        " failed: " + entry["assignment_errors"].begin().value().get<std::string>(),
                    "assignment_operations", "fix the assignment or use validation_mode lenient");
        }
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
    if (!TaskStore::create(task.db, task.principal.id, TaskStore::newTaskId(), "sync_creatives", "completed",
                           {}, args, result, task.now, &error) ||
        !tx.commit(&error))
        return dbFailure();
    return adcp::ToolOutcome::success(std::move(result));
}

} // namespace adcp::seller
