#include "catalogs.h"

#include "monitoring/dependencyhealth.h"
#include "storage/database.h"

#include <QSqlQuery>

#include <algorithm>
#include <map>
#include <set>

namespace adcp::seller::catalogs {

using nlohmann::json;
using storage::execute;
using storage::qs;

namespace {

// Fields an item of each type needs to be served (the key field aside); alternatives are separated by '|'.
const std::map<std::string, std::vector<std::string>> &catalogRequiredFields()
{
    static const std::map<std::string, std::vector<std::string>> fields = {
        {"offering", {"name"}},
        {"product", {"title|name", "price"}},
        {"inventory", {"quantity|availability"}},
        {"store", {"name", "location"}},
        {"promotion", {"title|name"}},
        {"hotel", {"name", "location"}},
        {"flight", {"origin", "destination"}},
        {"job", {"title", "company_name", "description"}},
        {"vehicle", {"title", "make", "model", "year"}},
        {"real_estate", {"title", "address"}},
        {"education", {"name", "school"}},
        {"destination", {"name"}},
        {"app", {"name", "platform"}},
    };
    return fields;
}

bool catalogFieldPresent(const json &item, const std::string &name)
{
    const auto it = item.find(name);
    if (it == item.end() || it->is_null())
        return false;
    if (it->is_string())
        return !it->get<std::string>().empty();
    return !(it->is_array() || it->is_object()) || !it->empty();
}

std::vector<std::string> catalogAlternatives(const std::string &spec)
{
    std::vector<std::string> names;
    size_t start = 0;
    for (size_t bar = spec.find('|'); bar != std::string::npos; bar = spec.find('|', start)) {
        names.push_back(spec.substr(start, bar - start));
        start = bar + 1;
    }
    names.push_back(spec.substr(start));
    return names;
}

// Whether an item a package's selectors name is selected: any of the tags, the category or a sub-category.
bool catalogItemSelected(const json &item, const json &ref)
{
    if (const auto tags = ref.find("tags"); tags != ref.end() && tags->is_array()) {
        bool any = false;
        const json itemTags = item.value("tags", json::array());
        for (const auto &t : *tags)
            any = any ||
                  (itemTags.is_array() && std::find(itemTags.begin(), itemTags.end(), t) != itemTags.end());
        if (!any)
            return false;
    }
    if (const auto category = ref.find("category"); category != ref.end() && category->is_string()) {
        const std::string wanted = category->get<std::string>();
        const std::string has = itemText(item, "category");
        if (has != wanted && has.rfind(wanted + "/", 0) != 0)
            return false;
    }
    return true;
}

} // namespace

std::string keyField(const std::string &type, const json &item)
{
    static const std::map<std::string, std::string> keys = {{"offering", "offering_id"},
                                                            {"store", "store_id"},
                                                            {"hotel", "hotel_id"},
                                                            {"flight", "flight_id"},
                                                            {"job", "job_id"},
                                                            {"vehicle", "vehicle_id"},
                                                            {"real_estate", "listing_id"},
                                                            {"education", "program_id"},
                                                            {"destination", "destination_id"},
                                                            {"app", "app_id"}};
    if (const auto it = keys.find(type); it != keys.end())
        return it->second;
    for (const char *name : {"item_id", "id", "sku"})
        if (item.contains(name))
            return name;
    return "item_id";
}

std::string itemText(const json &item, const char *name)
{
    const auto it = item.find(name);
    return it != item.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Review review(const std::string &type, const json &item)
{
    Review r;
    const auto required = catalogRequiredFields().find(type);
    if (required != catalogRequiredFields().end()) {
        for (const auto &spec : required->second) {
            bool present = false;
            for (const auto &name : catalogAlternatives(spec))
                present = present || catalogFieldPresent(item, name);
            if (!present)
                r.reasons.push_back("missing required field " + spec);
        }
    }
    if (!r.reasons.empty()) {
        r.status = "rejected";
        return r;
    }
    if (type == "product" && !catalogFieldPresent(item, "image_url") &&
        !catalogFieldPresent(item, "image_link") && !catalogFieldPresent(item, "images"))
        r.reasons.push_back("no image: the item serves in text formats only");
    if (type == "offering" && !catalogFieldPresent(item, "landing_url"))
        r.reasons.push_back("no landing_url: clicks go to the brand's home page");
    r.status = r.reasons.empty() ? "approved" : "warning";
    return r;
}

std::optional<Stored> find(QSqlDatabase &db, const std::string &principalId, const std::string &catalogId,
                           QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    if (!execute(q,
                 QStringLiteral("SELECT account_id, generation, platform_id, catalog_type, definition_json, "
                                "last_synced_at, created_at FROM data_catalogs WHERE principal_id = ? AND "
                                "catalog_id = ?"),
                 {qs(principalId), qs(catalogId)}, error) ||
        !q.next())
        return std::nullopt;
    Stored c;
    c.catalogId = catalogId;
    c.accountId = q.value(0).toString().toStdString();
    c.generation = q.value(1).toString().toStdString();
    c.platformId = q.value(2).toString().toStdString();
    c.type = q.value(3).toString().toStdString();
    c.definition = storage::fromText(q.value(4).toString());
    c.lastSyncedAt = QDateTime::fromString(q.value(5).toString(), Qt::ISODateWithMs).toUTC();
    c.createdAt = QDateTime::fromString(q.value(6).toString(), Qt::ISODateWithMs).toUTC();
    return c;
}

bool save(QSqlDatabase &db, const std::string &principalId, const Stored &catalog, const QDateTime &now,
          QString *error)
{
    const QString at = storage::isoTimeMs(now);
    return storage::write(
        db,
        QStringLiteral(
            "INSERT INTO data_catalogs (principal_id, catalog_id, account_id, generation, "
            "platform_id, catalog_type, definition_json, created_at, last_synced_at) VALUES (?, ?, "
            "?, ?, ?, ?, ?, ?, ?) ON CONFLICT (principal_id, catalog_id) DO UPDATE SET "
            "definition_json = excluded.definition_json, last_synced_at = excluded.last_synced_at"),
        {qs(principalId), qs(catalog.catalogId),
         catalog.accountId.empty() ? QVariant() : qs(catalog.accountId), qs(catalog.generation),
         qs(catalog.platformId), qs(catalog.type), storage::toText(catalog.definition), at, at},
        error);
}

bool renewGeneration(QSqlDatabase &db, const std::string &principalId, const std::string &catalogId,
                     const std::string &generation, const QDateTime &now, QString *error)
{
    const QString at = storage::isoTimeMs(now);
    return storage::write(db,
                          QStringLiteral("UPDATE data_catalogs SET generation = ?, created_at = ?, "
                                         "last_synced_at = ? WHERE principal_id = ? AND catalog_id = ?"),
                          {qs(generation), at, at, qs(principalId), qs(catalogId)}, error);
}

std::vector<std::string> catalogIds(QSqlDatabase &db, const std::string &principalId,
                                    const std::optional<std::string> &accountId, QString *error)
{
    std::vector<std::string> ids;
    QSqlQuery q(storage::connectionFor(db));
    const bool ok = accountId
                        ? execute(q,
                                  QStringLiteral("SELECT catalog_id FROM data_catalogs WHERE principal_id "
                                                 "= ? AND account_id = ? ORDER BY catalog_id"),
                                  {qs(principalId), qs(*accountId)}, error)
                        : execute(q,
                                  QStringLiteral("SELECT catalog_id FROM data_catalogs WHERE principal_id "
                                                 "= ? ORDER BY catalog_id"),
                                  {qs(principalId)}, error);
    if (ok)
        while (q.next())
            ids.push_back(q.value(0).toString().toStdString());
    return ids;
}

std::vector<std::string> itemIds(QSqlDatabase &db, const std::string &principalId,
                                 const std::string &catalogId, QString *error)
{
    std::vector<std::string> ids;
    QSqlQuery q(storage::connectionFor(db));
    if (execute(
            q,
            QStringLiteral("SELECT resource_id FROM mon_resources WHERE principal_id = ? AND resource_type "
                           "= 'catalog_item' AND json_extract(detail_json, '$.catalog_id') = ? AND "
                           "COALESCE(json_extract(detail_json, '$.dropped'), 0) = 0 ORDER BY resource_id"),
            {qs(principalId), qs(catalogId)}, error))
        while (q.next())
            ids.push_back(q.value(0).toString().toStdString());
    return ids;
}

bool inFeed(QSqlDatabase &db, const std::string &principalId, const std::string &catalogId,
            const std::string &itemId)
{
    const auto r = DependencyHealth::resource(db, principalId, "catalog_item", itemId);
    return r && r->detail.is_object() && r->detail.value("catalog_id", std::string()) == catalogId &&
           !r->detail.value("dropped", false);
}

bool deleteCatalog(QSqlDatabase &db, const std::string &principalId, const std::string &catalogId,
                   QString *error)
{
    return storage::write(
               db,
               QStringLiteral("DELETE FROM data_catalog_item_availability WHERE principal_id = ? AND "
                              "catalog_id = ?"),
               {qs(principalId), qs(catalogId)}, error) &&
           storage::write(
               db,
               QStringLiteral("DELETE FROM mon_resources WHERE principal_id = ? AND resource_type = "
                              "'catalog_item' AND json_extract(detail_json, '$.catalog_id') = ?"),
               {qs(principalId), qs(catalogId)}, error) &&
           storage::write(
               db, QStringLiteral("DELETE FROM data_catalogs WHERE principal_id = ? AND catalog_id = ?"),
               {qs(principalId), qs(catalogId)}, error);
}

std::vector<adcp::AdcpError> checkPackage(QSqlDatabase &db, const std::string &principalId,
                                          const std::optional<std::string> &accountId,
                                          const json &packageCatalogs, const std::string &fieldBase)
{
    std::vector<adcp::AdcpError> errors;
    if (!packageCatalogs.is_array())
        return errors;
    std::set<std::string> types;
    for (size_t j = 0; j < packageCatalogs.size(); ++j) {
        const json &ref = packageCatalogs[j];
        if (!ref.is_object())
            continue;
        const std::string field = fieldBase + ".catalogs[" + std::to_string(j) + "]";
        const std::string type = ref.value("type", std::string());
        if (!types.insert(type).second)
            errors.push_back(adcp::AdcpError::make("INVALID_REQUEST",
                                                   "the package promotes two catalogs of type " + type,
                                                   field + ".type", "promote one catalog of each type"));
        if (!ref.contains("catalog_id") || !ref["catalog_id"].is_string())
            continue;
        const std::string id = ref["catalog_id"].get<std::string>();
        QString error;
        const auto stored = find(db, principalId, id, &error);
        // Another account's catalog is reported like a missing one: ids do not leak across accounts.
        if (!stored || (accountId && stored->accountId != *accountId)) {
            errors.push_back(adcp::AdcpError::make(
                "REFERENCE_NOT_FOUND", "no catalog " + id + " was synced on this account",
                field + ".catalog_id",
                "sync the catalog first (sync_catalogs), or send it inline "
                "without a catalog_id"));
            continue;
        }
        if (stored->type != type) {
            errors.push_back(adcp::AdcpError::make("INVALID_REQUEST",
                                                   "catalog " + id + " is a " + stored->type + " catalog",
                                                   field + ".type", "use type " + stored->type));
            continue;
        }
        const auto items = itemIds(db, principalId, id, &error);
        const std::set<std::string> known(items.begin(), items.end());
        const json ids = ref.value("ids", json::array());
        for (size_t k = 0; ids.is_array() && k < ids.size(); ++k) {
            if (ids[k].is_string() && !known.count(ids[k].get<std::string>()))
                errors.push_back(adcp::AdcpError::make(
                    "REFERENCE_NOT_FOUND", "catalog " + id + " has no item " + ids[k].get<std::string>(),
                    field + ".ids[" + std::to_string(k) + "]", "name items of the synced catalog"));
        }
    }
    return errors;
}

std::vector<std::string> packageItemIds(QSqlDatabase &db, const std::string &principalId,
                                        const json &packageCatalogs)
{
    std::vector<std::string> out;
    std::set<std::string> seen;
    const auto add = [&](const std::string &id) {
        if (seen.insert(id).second)
            out.push_back(id);
    };
    if (!packageCatalogs.is_array())
        return out;
    for (const auto &ref : packageCatalogs) {
        if (!ref.is_object())
            continue;
        const json ids = ref.value("ids", json::array());
        const bool named = ids.is_array() && !ids.empty();
        std::optional<Stored> stored;
        QString error;
        if (ref.contains("catalog_id") && ref["catalog_id"].is_string())
            stored = find(db, principalId, ref["catalog_id"].get<std::string>(), &error);
        if (named || !stored) {
            for (const auto &id : ids)
                if (id.is_string())
                    add(id.get<std::string>());
            continue;
        }
        for (const auto &id : itemIds(db, principalId, stored->catalogId, &error)) {
            const auto r = DependencyHealth::resource(db, principalId, "catalog_item", id);
            if (r && catalogItemSelected(r->detail.value("item", json::object()), ref))
                add(id);
        }
    }
    return out;
}

} // namespace adcp::seller::catalogs
