#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "adcperror.h"

namespace adcp::seller {

// The buyer's catalog feeds (sync_catalogs). A catalog is a row of its own (data_catalogs: its definition
// without the items, its account, generation and platform id); each of its items is a dependency resource of
// type "catalog_item" (monitoring/dependencyhealth.h) whose status is the item's review status, so a package
// that promotes the item sees the seller's withdrawal or a rejection as an impairment. An item id is unique
// across the principal's catalogs (it is the impairment's resource_id).
//
// Review is deterministic and immediate: an item missing a field its type requires is rejected (the reasons
// name the fields), an item without an image (product) or landing URL (offering) is approved with a warning,
// every other item is approved. A seller's withdrawal survives re-syncs.
namespace catalogs {

// Catalogs one account may hold (CATALOG_LIMIT_EXCEEDED beyond).
inline constexpr int kMaxCatalogsPerAccount = 50;
// Items one catalog may carry inline.
inline constexpr int kMaxItemsPerCatalog = 10000;

// The field that identifies an item of `type` (offering_id, store_id, …; product, inventory and promotion
// items use item_id, id or sku, whichever the item has, "item_id" when none).
std::string keyField(const std::string &type, const nlohmann::json &item);

// An item's field `name` when it is a string, else empty (items are the buyer's open objects).
std::string itemText(const nlohmann::json &item, const char *name);

struct Review
{
    std::string status; // approved, warning or rejected
    std::vector<std::string> reasons;
};
Review review(const std::string &type, const nlohmann::json &item);

struct Stored
{
    std::string catalogId;
    std::string accountId; // empty without an account
    std::string generation;
    std::string platformId;
    std::string type;
    nlohmann::json definition; // the catalog as last synced, without items
    QDateTime lastSyncedAt;
    QDateTime createdAt; // when this generation began (filled by find())
};
std::optional<Stored> find(QSqlDatabase &db, const std::string &principalId, const std::string &catalogId,
                           QString *error);
bool save(QSqlDatabase &db, const std::string &principalId, const Stored &catalog, const QDateTime &now,
          QString *error);
// Gives the catalog a new generation, as if deleted and created again with the same definition and items.
bool renewGeneration(QSqlDatabase &db, const std::string &principalId, const std::string &catalogId,
                     const std::string &generation, const QDateTime &now, QString *error);
// Catalog ids of the principal in id order; with `accountId`, only that account's.
std::vector<std::string> catalogIds(QSqlDatabase &db, const std::string &principalId,
                                    const std::optional<std::string> &accountId, QString *error);
// Ids of the items in a catalog's current feed, in id order (items dropped from the feed but kept for a live
// buy are left out).
std::vector<std::string> itemIds(QSqlDatabase &db, const std::string &principalId,
                                 const std::string &catalogId, QString *error);
// Whether `itemId` is in the current feed of the principal's catalog `catalogId`.
bool inFeed(QSqlDatabase &db, const std::string &principalId, const std::string &catalogId,
            const std::string &itemId);
// Removes the catalog, every item resource of it and the buyer's availability overlays of its items.
bool deleteCatalog(QSqlDatabase &db, const std::string &principalId, const std::string &catalogId,
                   QString *error);

// Checks a package's catalogs[] (create_media_buy, update_media_buy): a catalog_id must name a catalog this
// principal synced on this account (REFERENCE_NOT_FOUND), of the same type; ids must be items of it; no two
// catalogs of one type. Fields are `fieldBase` + ".catalogs[j]…".
std::vector<adcp::AdcpError> checkPackage(QSqlDatabase &db, const std::string &principalId,
                                          const std::optional<std::string> &accountId,
                                          const nlohmann::json &packageCatalogs,
                                          const std::string &fieldBase);

// The catalog items a package's catalogs[] make it depend on: for a synced catalog, the named ids or else
// every item its tags and category select; for an inline reference, its ids.
std::vector<std::string> packageItemIds(QSqlDatabase &db, const std::string &principalId,
                                        const nlohmann::json &packageCatalogs);

} // namespace catalogs
} // namespace adcp::seller
