#include "eventsources.h"

#include "audiences.h"
#include "monitoring/dependencyhealth.h"
#include "storage/database.h"
#include "wire/jsonread.h"

#include <QSqlQuery>

namespace adcp::seller::eventsources {

using nlohmann::json;
using storage::execute;
using storage::qs;

bool ensureSellerSource(QSqlDatabase &db, const std::string &principalId, const QDateTime &now,
                        QString *error)
{
    if (DependencyHealth::resource(db, principalId, "event_source", kSellerSourceId))
        return true;
    const json detail = {
        {"managed_by", "seller"},
        {"seller_id", std::string("es_") + kSellerSourceId},
        {"event_types", {"purchase"}},
        {"action_source", "in_store"},
        {"setup",
         {{"snippet_type", "server_only"},
          {"instructions", "Measured by the seller from its own store transactions; nothing to install. Name "
                           "this event_source_id in an optimization goal's event_sources to optimize toward "
                           "in-store purchases."}}}};
    DependencyHealth::Resource r{
        "event_source", kSellerSourceId, "good", {}, "In-store purchases (seller)", detail, now};
    return DependencyHealth::upsertResource(db, principalId, r, now, error);
}

std::vector<std::string> sourceIds(QSqlDatabase &db, const std::string &principalId,
                                   const std::optional<std::string> &accountId, QString *error)
{
    std::vector<std::string> ids;
    QSqlQuery q(storage::connectionFor(db));
    // Sources a buy named before any sync (no detail) are not listed: nobody configured them.
    const bool ok =
        accountId
            ? execute(q,
                      QStringLiteral("SELECT resource_id FROM mon_resources WHERE principal_id = ? AND "
                                     "resource_type = 'event_source' AND detail_json IS NOT NULL AND "
                                     "(json_extract(detail_json, '$.managed_by') = 'seller' OR "
                                     "json_extract(detail_json, '$.account_id') = ?) ORDER BY "
                                     "json_extract(detail_json, '$.managed_by') = 'buyer', resource_id"),
                      {qs(principalId), qs(*accountId)}, error)
            : execute(q,
                      QStringLiteral("SELECT resource_id FROM mon_resources WHERE principal_id = ? AND "
                                     "resource_type = 'event_source' AND detail_json IS NOT NULL ORDER BY "
                                     "json_extract(detail_json, '$.managed_by') = 'buyer', resource_id"),
                      {qs(principalId)}, error);
    if (!ok)
        return ids;
    while (q.next())
        ids.push_back(q.value(0).toString().toStdString());
    return ids;
}

bool deleteSource(QSqlDatabase &db, const std::string &principalId, const std::string &sourceId,
                  QString *error)
{
    for (const auto *sql : {"DELETE FROM data_events WHERE principal_id = ? AND event_source_id = ?",
                            "DELETE FROM mon_resources WHERE principal_id = ? AND resource_type = "
                            "'event_source' AND resource_id = "
                            "?"}) {
        if (!storage::write(db, QString::fromLatin1(sql), {qs(principalId), qs(sourceId)}, error))
            return false;
    }
    return true;
}

std::optional<Activity> activity(QSqlDatabase &db, const std::string &principalId,
                                 const std::string &sourceId, const QDateTime &now, QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    if (!execute(
            q,
            QStringLiteral("SELECT COUNT(*), COALESCE(SUM(matched), 0) FROM data_events WHERE principal_id = "
                           "? AND event_source_id = ? AND test = 0 AND received_at > ?"),
            {qs(principalId), qs(sourceId), storage::isoTimeMs(now.addSecs(-24 * 3600))}, error) ||
        !q.next())
        return std::nullopt;
    Activity a;
    a.events24h = q.value(0).toInt();
    a.matched24h = q.value(1).toInt();
    if (!execute(q,
                 QStringLiteral("SELECT MAX(event_time) FROM data_events WHERE principal_id = ? AND "
                                "event_source_id = ? AND test = 0"),
                 {qs(principalId), qs(sourceId)}, error) ||
        !q.next())
        return std::nullopt;
    if (!q.value(0).isNull())
        a.lastEventAt = QDateTime::fromString(q.value(0).toString(), Qt::ISODateWithMs).toUTC();
    return a;
}

std::string healthFor(const Activity &activity)
{
    if (activity.events24h == 0)
        return "minimum";
    const double matchRate = double(activity.matched24h) / double(activity.events24h);
    return activity.events24h >= 1000 && matchRate >= 0.6 ? "excellent" : "good";
}

bool storeEvent(QSqlDatabase &db, const std::string &principalId, const std::string &sourceId,
                const json &event, bool test, bool matched, const QDateTime &now, bool *inserted,
                QString *error)
{
    const QDateTime eventTime = QDateTime::fromString(
        QString::fromStdString(event.value("event_time", std::string())), Qt::ISODateWithMs);
    int changed = 0;
    if (!storage::write(db,
                        QStringLiteral("INSERT OR IGNORE INTO data_events (principal_id, event_source_id, "
                                       "event_id, event_type, event_time, received_at, test, matched, "
                                       "event_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                        {qs(principalId), qs(sourceId), qs(event.value("event_id", std::string())),
                         qs(event.value("event_type", std::string())), storage::isoTimeMs(eventTime),
                         storage::isoTimeMs(now), test ? 1 : 0, matched ? 1 : 0, storage::toText(event)},
                        error, &changed))
        return false;
    *inserted = changed > 0;
    return true;
}

bool userMatches(const json &event)
{
    const auto um = event.find("user_match");
    if (um == event.end() || !um->is_object())
        return false;
    for (const char *type : {"hashed_email", "hashed_phone"}) {
        if (auto it = um->find(type);
            it != um->end() && it->is_string() && audiences::identifierMatches(type, it->get<std::string>()))
            return true;
    }
    if (auto uids = um->find("uids"); uids != um->end() && uids->is_array()) {
        for (const auto &uid : *uids) {
            if (audiences::identifierMatches(wire::JsonRef(uid)["type"].string().valueOr({}),
                                             wire::JsonRef(uid)["value"].string().valueOr({})))
                return true;
        }
    }
    // A click id ties the event to an ad click this seller served.
    return um->contains("click_id");
}

} // namespace adcp::seller::eventsources
