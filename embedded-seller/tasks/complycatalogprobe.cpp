#include "catalogavailabilitytask.h"
#include "complyscenarios.h"

#include "monitoring/dependencyhealth.h"
#include "monitoring/lifecycle.h"
#include "storage/database.h"

namespace adcp::seller {

using nlohmann::json;
namespace availability = catalogavailability;

namespace {

// One advance_time moves the sandbox clock by at most ten years, as advance_clock does.
constexpr qint64 kCatalogProbeMaxAdvanceSeconds = 10LL * 366 * 24 * 3600;

// The principal a seeded foreign reference belongs to: one per caller, never a caller itself.
std::string catalogProbeForeignPrincipal(const std::string &principalId)
{
    return "catalog-probe-foreign:" + principalId;
}

json catalogProbeIdentity(const std::string &operation, const json &params, const std::string &generation)
{
    return {{"operation", operation},
            {"catalog_id", params.value("catalog_id", std::string())},
            {"catalog_generation", generation},
            {"item_id", params.value("item_id", std::string())}};
}

adcp::ToolOutcome catalogProbeAnswer(json simulated, const std::string &message)
{
    return adcp::ToolOutcome::success(
        {{"success", true}, {"simulated", std::move(simulated)}, {"message", message}});
}

// seed_inaccessible_item: a product catalog holding the item, owned by another principal on another account.
adcp::ToolOutcome seedInaccessibleItem(TaskContext &task, const json &params)
{
    const std::string foreign = catalogProbeForeignPrincipal(task.principal.id);
    const std::string catalogId = params.value("catalog_id", std::string());
    const std::string itemId = params.value("item_id", std::string());
    QString error;
    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error))
        return controllerError("INTERNAL_ERROR", "the seller database is busy: " + error.toStdString());
    auto stored = catalogs::find(task.db, foreign, catalogId, &error);
    if (!stored) {
        stored = catalogs::Stored{catalogId,       "catalog-probe-foreign-account",
                                  newId("catgen"), newId("plcat"),
                                  "product",       {{"catalog_id", catalogId}, {"type", "product"}},
                                  task.now,        task.now};
        if (!catalogs::save(task.db, foreign, *stored, task.now, &error))
            return controllerError("INTERNAL_ERROR", error.toStdString());
    }
    const json item = {{"item_id", itemId},
                       {"title", "Foreign item " + itemId},
                       {"price", {{"amount", 1}, {"currency", "USD"}}}};
    DependencyHealth::Resource r{"catalog_item",
                                 itemId,
                                 "approved",
                                 {},
                                 "Foreign item " + itemId,
                                 {{"catalog_id", catalogId}, {"item", item}, {"reasons", json::array()}},
                                 task.now};
    if (!DependencyHealth::upsertResource(task.db, foreign, r, task.now, &error) || !tx.commit(&error))
        return controllerError("INTERNAL_ERROR", error.toStdString());
    json simulated = catalogProbeIdentity("seed_inaccessible_item", params, stored->generation);
    simulated["owner"] = "another principal and account";
    return catalogProbeAnswer(
        std::move(simulated),
        "item " + itemId + " of catalog " + catalogId +
            " exists for another principal; this caller's references to it are not found");
}

// query_eligibility: the gates that decide whether the seller serves the item now.
adcp::ToolOutcome queryEligibility(TaskContext &task, const json &params, const AvailabilityTarget &target)
{
    const std::string itemId = params.value("item_id", std::string());
    const bool inFeed = catalogs::inFeed(task.db, task.principal.id, target.catalog.catalogId, itemId);
    const auto r = DependencyHealth::resource(task.db, task.principal.id, "catalog_item", itemId);
    const std::string review = inFeed && r ? r->status : std::string("absent");
    const bool sellerServes =
        inFeed && r && !DependencyHealth::isOffline("catalog_item", r->status) && r->status != "pending";
    const bool buyerActive = target.overlay.availability == "active";
    json blocking = json::array();
    if (!inFeed)
        blocking.push_back("not_in_feed");
    else if (!sellerServes)
        blocking.push_back("seller_status");
    if (!buyerActive)
        blocking.push_back("buyer_suppression");
    json simulated = catalogProbeIdentity("query_eligibility", params, target.catalog.generation);
    simulated["eligible"] = blocking.empty();
    simulated["gates"] = {{"in_feed", inFeed},
                          {"seller_status", review},
                          {"buyer_availability", target.overlay.availability},
                          {"overlay_revision", target.overlay.revision}};
    if (target.overlay.availability == "suppressed" && target.overlay.expiresAt.isValid())
        simulated["gates"]["expires_at"] = availability::isoInstant(target.overlay.expiresAt);
    simulated["blocking_gates"] = blocking;
    simulated["dependent_media_buys"] =
        DependencyHealth::dependentBuys(task.db, task.principal.id, "catalog_item", itemId);
    return catalogProbeAnswer(std::move(simulated), blocking.empty()
                                                        ? "the item is eligible for delivery"
                                                        : "the item is not eligible for delivery");
}

// advance_time: the seller clock moves forward to target_time (never back), then every suppression due by
// then ends and buy statuses are brought up to date.
adcp::ToolOutcome advanceCatalogTime(TaskContext &task, const json &params)
{
    const QDateTime target =
        QDateTime::fromString(QString::fromStdString(params.value("target_time", std::string())),
                              Qt::ISODateWithMs)
            .toUTC();
    const QDateTime before = task.seller.clock().now();
    if (!target.isValid() || before.secsTo(target) > kCatalogProbeMaxAdvanceSeconds)
        return controllerError("INVALID_PARAMS",
                               "target_time must be an RFC 3339 date-time at most ten years "
                               "ahead of the seller clock");
    qint64 advanced = 0;
    if (target > before) {
        advanced = (before.msecsTo(target) + 999) / 1000;
        task.seller.clock().advance(advanced);
    }
    const QDateTime now = task.seller.clock().now();
    QString error;
    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error))
        return controllerError("INTERNAL_ERROR", "the seller database is busy: " + error.toStdString());
    const int expired = availability::expireDue(task.db, now, std::nullopt, &error);
    if (expired < 0 || !tx.commit(&error))
        return controllerError("INTERNAL_ERROR", error.toStdString());
    MediaBuyLifecycle::refreshAll(task.db, now, &error);
    const auto after = findAvailabilityTarget(task, params, &error);
    json simulated = catalogProbeIdentity("advance_time", params, params.value("catalog_generation", ""));
    simulated["target_time"] = params.value("target_time", json());
    simulated["advanced_seconds"] = advanced;
    simulated["now"] = availability::isoInstant(now);
    simulated["expired_suppressions"] = expired;
    if (after) {
        simulated["availability"] = after->overlay.availability;
        simulated["overlay_revision"] = after->overlay.revision;
        if (after->overlay.availability == "suppressed" && after->overlay.expiresAt.isValid())
            simulated["expires_at"] = availability::isoInstant(after->overlay.expiresAt);
    }
    return catalogProbeAnswer(std::move(simulated), "seller clock at " + availability::isoInstant(now) +
                                                        "; " + std::to_string(expired) +
                                                        " suppression(s) expired");
}

// recreate_catalog: a new generation for the catalog; the old generation's overlays end with it.
adcp::ToolOutcome recreateCatalog(TaskContext &task, const json &params, const AvailabilityTarget &target)
{
    const std::string generation = newId("catgen");
    QString error;
    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error) ||
        !availability::dropGeneration(task.db, task.principal.id, target.catalog.catalogId,
                                      target.catalog.generation, task.now, &error) ||
        !catalogs::renewGeneration(task.db, task.principal.id, target.catalog.catalogId, generation, task.now,
                                   &error) ||
        !tx.commit(&error))
        return controllerError("INTERNAL_ERROR", error.toStdString());
    json simulated = catalogProbeIdentity("recreate_catalog", params, generation);
    simulated["previous_generation"] = target.catalog.generation;
    return catalogProbeAnswer(std::move(simulated), "catalog " + target.catalog.catalogId +
                                                        " was deleted and created again as generation " +
                                                        generation);
}

} // namespace

adcp::ToolOutcome catalogAvailabilityProbe(TaskContext &task, const json &args)
{
    const json params = args.value("params", json::object());
    const std::string operation = params.value("operation", std::string());
    if (operation == "seed_inaccessible_item")
        return seedInaccessibleItem(task, params);
    // The other operations act on one of the caller's items, named as sync_catalogs names it.
    QString error;
    const auto target = findAvailabilityTarget(task, params, &error);
    if (!error.isEmpty())
        return controllerError("INTERNAL_ERROR", error.toStdString());
    if (!target)
        return controllerError("NOT_FOUND", "Catalog item not found");
    if (operation == "query_eligibility")
        return queryEligibility(task, params, *target);
    if (operation == "advance_time")
        return advanceCatalogTime(task, params);
    return recreateCatalog(task, params, *target);
}

} // namespace adcp::seller
