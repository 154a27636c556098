#include "dependencyhealth.h"

#include "lifecycle.h"
#include "storage/database.h"
#include "webhooks/webhookoutbox.h"
#include "wire/jsonread.h"

#include <QSqlQuery>
#include <QUuid>

#include <algorithm>
#include <map>
#include <set>

namespace adcp::seller {

using storage::qs;

namespace {

struct TypeInfo
{
    std::vector<std::string> statuses;
    std::vector<std::string> offline;
    std::string initial;
    std::string remediation;
};

const std::map<std::string, TypeInfo, std::less<>> &types()
{
    static const std::map<std::string, TypeInfo, std::less<>> t = {
        {"audience",
         {{"processing", "ready", "too_small", "suspended"},
          {"suspended"},
          "ready",
          "Re-sync the audience with fresh consent (sync_audiences) or remove it from the package "
          "targeting."}},
        {"creative",
         {{"processing", "pending_review", "approved", "suspended", "rejected", "archived"},
          {"suspended", "rejected"},
          "processing",
          "Sync a compliant replacement creative and assign it to the affected packages."}},
        {"catalog_item",
         {{"approved", "pending", "rejected", "warning", "withdrawn"},
          {"withdrawn", "rejected"},
          "approved",
          "Restore the item in the catalog feed or promote other items."}},
        {"event_source",
         {{"insufficient", "minimum", "good", "excellent"},
          {"insufficient"},
          "good",
          "Check the event source's tag or server-side integration; events must flow again."}},
        {"property", {{"published", "depublished"}, {"depublished"}, "published", ""}},
    };
    return t;
}

QDateTime parseTime(const QVariant &value)
{
    if (value.isNull() || value.toString().isEmpty())
        return {};
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs).toUTC();
}

struct OpenImpairment
{
    std::string id;
    std::string type;
    std::string resourceId;
    std::vector<std::string> packages;
    std::string to;
};

nlohmann::json impairmentJson(const storage::Read &q)
{
    // Columns: impairment_id, resource_type, resource_id, package_ids, from_status, to_status, reason_code,
    // reason, remediation, observed_at
    nlohmann::json imp = {{"impairment_id", q.value(0).toString().toStdString()},
                          {"resource_type", q.value(1).toString().toStdString()},
                          {"resource_id", q.value(2).toString().toStdString()},
                          {"package_ids", storage::fromText(q.value(3).toString())},
                          {"transition", {{"to", q.value(5).toString().toStdString()}}},
                          {"reason_code", q.value(6).toString().toStdString()},
                          {"observed_at", q.value(9).toString().toStdString()}};
    if (!q.value(4).isNull() && !q.value(4).toString().isEmpty())
        imp["transition"]["from"] = q.value(4).toString().toStdString();
    if (!q.value(7).toString().isEmpty())
        imp["reason"] = q.value(7).toString().toStdString();
    if (!q.value(8).toString().isEmpty())
        imp["remediation"] = q.value(8).toString().toStdString();
    return imp;
}

const QString kImpairmentColumns = QStringLiteral("impairment_id, resource_type, resource_id, package_ids, "
                                                  "from_status, to_status, reason_code, reason, remediation, "
                                                  "observed_at");

bool notify(QSqlDatabase &db, const std::string &principalId, const std::string &mediaBuyId,
            const std::string &impairmentId, bool resolved, const QDateTime &now, QString *error)
{
    const auto buy = MediaBuyLifecycle::load(db, principalId, mediaBuyId);
    if (!buy)
        return true;
    const auto target = WebhookTarget::fromConfig(buy->pushConfig);
    if (!target)
        return true;
    storage::Read q(db,
                    QStringLiteral("SELECT ") + kImpairmentColumns +
                        QStringLiteral(" FROM mon_impairments WHERE impairment_id = ?"),
                    {qs(impairmentId)}, error);
    if (!q || !q.next())
        return false;
    nlohmann::json impairment = impairmentJson(q);
    q.finish();
    OutboxEvent event;
    event.principalId = principalId;
    event.target = *target;
    event.eventType = "impairment";
    event.coalesceKey = "impairment:" + impairmentId;
    event.notificationId = impairmentId;
    event.taskId = buy->taskId.empty() ? mediaBuyId : buy->taskId;
    event.taskType = "create_media_buy";
    event.status = "completed";
    event.message = resolved ? "Impairment " + impairmentId + " resolved"
                             : "Impairment " + impairmentId + ": " +
                                   impairment["resource_type"].get<std::string>() + " " +
                                   impairment["resource_id"].get<std::string>() + " is " +
                                   impairment["transition"]["to"].get<std::string>();
    event.result = {{"notification_type", "impairment"},
                    {"media_buy_id", mediaBuyId},
                    {"health", DependencyHealth::health(db, principalId, mediaBuyId)},
                    {"impairment", impairment},
                    {"resolved", resolved}};
    if (resolved)
        event.result["resolved_at"] = storage::isoTimeMs(now).toStdString();
    event.timestamp = now;
    return WebhookOutbox::enqueue(db, event, error);
}

} // namespace

bool DependencyHealth::isResourceType(std::string_view type)
{
    return types().count(type) > 0;
}

bool DependencyHealth::isValidStatus(std::string_view type, std::string_view status)
{
    const auto found = types().find(type);
    if (found == types().end())
        return false;
    const auto &list = found->second.statuses;
    return std::find(list.begin(), list.end(), status) != list.end();
}

bool DependencyHealth::isOffline(std::string_view type, std::string_view status)
{
    const auto found = types().find(type);
    if (found == types().end())
        return false;
    const auto &list = found->second.offline;
    return std::find(list.begin(), list.end(), status) != list.end();
}

std::vector<std::string> DependencyHealth::statuses(std::string_view type)
{
    const auto found = types().find(type);
    return found == types().end() ? std::vector<std::string>{} : found->second.statuses;
}

std::string DependencyHealth::initialStatus(std::string_view type)
{
    const auto found = types().find(type);
    return found == types().end() ? std::string() : found->second.initial;
}

std::string DependencyHealth::defaultReasonCode(std::string_view type, std::string_view offlineStatus)
{
    if (type == "creative")
        return offlineStatus == "rejected" ? "content_rejected" : "identity_authorization_revoked";
    if (type == "audience")
        return "consent_expired";
    if (type == "catalog_item")
        return offlineStatus == "rejected" ? "policy_violation" : "seller_removed";
    if (type == "event_source")
        return "source_offline";
    return "property_depublished";
}

std::optional<DependencyHealth::Resource> DependencyHealth::resource(QSqlDatabase &db,
                                                                     const std::string &principalId,
                                                                     const std::string &type,
                                                                     const std::string &id)
{
    storage::Read q(
        db,
        QStringLiteral("SELECT status, previous_status, name, detail_json, updated_at FROM mon_resources "
                       "WHERE principal_id = ? AND resource_type = ? AND resource_id = ?"),
        {qs(principalId), qs(type), qs(id)}, nullptr);
    if (!q || !q.next())
        return std::nullopt;
    Resource r;
    r.type = type;
    r.id = id;
    r.status = q.value(0).toString().toStdString();
    r.previousStatus = q.value(1).toString().toStdString();
    r.name = q.value(2).toString().toStdString();
    r.detail = storage::fromText(q.value(3).toString());
    r.updatedAt = parseTime(q.value(4));
    return r;
}

std::map<std::pair<std::string, std::string>, std::string>
DependencyHealth::resourceStatuses(QSqlDatabase &db, const std::string &principalId)
{
    std::map<std::pair<std::string, std::string>, std::string> statuses;
    storage::Read q(
        db,
        QStringLiteral("SELECT resource_type, resource_id, status, hold_status FROM mon_resources "
                       "WHERE principal_id = ?"),
        {qs(principalId)}, nullptr);
    if (!q)
        return statuses;
    while (q.next()) {
        const std::string type = q.value(0).toString().toStdString();
        statuses[{type, q.value(1).toString().toStdString()}] =
            effectiveStatus(type, q.value(2).toString().toStdString(), q.value(3).toString().toStdString());
    }
    return statuses;
}

std::map<std::pair<std::string, std::string>, std::string>
DependencyHealth::resourceNames(QSqlDatabase &db, const std::string &principalId)
{
    std::map<std::pair<std::string, std::string>, std::string> names;
    storage::Read q(
        db,
        QStringLiteral("SELECT resource_type, resource_id, name FROM mon_resources WHERE principal_id "
                       "= ? AND name IS NOT NULL AND name != ''"),
        {qs(principalId)}, nullptr);
    if (!q)
        return names;
    while (q.next())
        names[{q.value(0).toString().toStdString(), q.value(1).toString().toStdString()}] =
            q.value(2).toString().toStdString();
    return names;
}

std::map<std::string, std::vector<std::pair<std::string, std::string>>>
DependencyHealth::dependenciesByBuy(QSqlDatabase &db, const std::string &principalId)
{
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> byBuy;
    storage::Read q(
        db,
        QStringLiteral("SELECT DISTINCT media_buy_id, resource_type, resource_id FROM mon_dependencies "
                       "WHERE principal_id = ? ORDER BY media_buy_id, resource_type, resource_id"),
        {qs(principalId)}, nullptr);
    if (!q)
        return byBuy;
    while (q.next())
        byBuy[q.value(0).toString().toStdString()].emplace_back(q.value(1).toString().toStdString(),
                                                                q.value(2).toString().toStdString());
    return byBuy;
}

bool DependencyHealth::ensureResource(QSqlDatabase &db, const std::string &principalId,
                                      const std::string &type, const std::string &id,
                                      const std::string &status, const QDateTime &now, QString *error)
{
    return storage::write(
        db,
        QStringLiteral("INSERT OR IGNORE INTO mon_resources (principal_id, resource_type, resource_id, "
                       "status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"),
        {qs(principalId), qs(type), qs(id), qs(status.empty() ? initialStatus(type) : status),
         storage::isoTimeMs(now), storage::isoTimeMs(now)},
        error);
}

bool DependencyHealth::upsertResource(QSqlDatabase &db, const std::string &principalId,
                                      const Resource &resource, const QDateTime &now, QString *error)
{
    if (!ensureResource(db, principalId, resource.type, resource.id, resource.status, now, error))
        return false;
    if (!storage::write(
            db,
            QStringLiteral("UPDATE mon_resources SET name = ?, detail_json = ? WHERE principal_id = ? AND "
                           "resource_type = ? AND resource_id = ?"),
            {qs(resource.name), storage::toText(resource.detail), qs(principalId), qs(resource.type),
             qs(resource.id)},
            error))
        return false;
    return setStatus(db, principalId, resource.type, resource.id, resource.status, now, {}, {}, nullptr,
                     error);
}

bool DependencyHealth::setStatus(QSqlDatabase &db, const std::string &principalId, const std::string &type,
                                 const std::string &id, const std::string &status, const QDateTime &now,
                                 const std::string &reasonCode, const std::string &reason,
                                 std::string *previous, QString *error)
{
    const auto existing = resource(db, principalId, type, id);
    if (previous)
        *previous = existing ? existing->status : std::string();
    if (!existing && !ensureResource(db, principalId, type, id, status, now, error))
        return false;
    if (existing && existing->status == status)
        return true;
    if (!storage::write(
            db,
            QStringLiteral(
                "UPDATE mon_resources SET previous_status = ?, status = ?, reason_code = ?, reason = "
                "?, updated_at = ? WHERE principal_id = ? AND resource_type = ? AND resource_id = ?"),
            {existing ? qs(existing->status) : QVariant(), qs(status),
             qs(reasonCode.empty() && isOffline(type, status) ? defaultReasonCode(type, status) : reasonCode),
             qs(reason), storage::isoTimeMs(now), qs(principalId), qs(type), qs(id)},
            error))
        return false;
    for (const auto &buy : dependentBuys(db, principalId, type, id)) {
        if (!reconcile(db, principalId, buy, now, error))
            return false;
        // Creatives decide pending_creatives → pending_start; other dependencies only touch health.
        if (type == "creative" && !MediaBuyLifecycle::refresh(db, principalId, buy, now, error))
            return false;
    }
    return true;
}

std::string DependencyHealth::effectiveStatus(std::string_view type, const std::string &status,
                                              const std::string &holdStatus)
{
    return !holdStatus.empty() && !isOffline(type, status) ? holdStatus : status;
}

bool DependencyHealth::setHold(QSqlDatabase &db, const std::string &principalId, const std::string &type,
                               const std::string &id, const Hold *hold, const QDateTime &now, QString *error)
{
    if (!resource(db, principalId, type, id))
        return true;
    if (!storage::write(
            db,
            QStringLiteral("UPDATE mon_resources SET hold_status = ?, hold_reason_code = ?, hold_reason = ?, "
                           "hold_since = ? WHERE principal_id = ? AND resource_type = ? AND resource_id = ?"),
            {hold ? qs(hold->status) : QVariant(), hold ? qs(hold->reasonCode) : QVariant(),
             hold ? qs(hold->reason) : QVariant(), hold ? QVariant(storage::isoTimeMs(hold->since)) : QVariant(),
             qs(principalId), qs(type), qs(id)},
            error))
        return false;
    for (const auto &buy : dependentBuys(db, principalId, type, id))
        if (!reconcile(db, principalId, buy, now, error))
            return false;
    return true;
}

bool DependencyHealth::addDependency(QSqlDatabase &db, const std::string &principalId,
                                     const std::string &mediaBuyId, const std::string &packageId,
                                     const std::string &type, const std::string &id, const QDateTime &now,
                                     QString *error)
{
    if (!ensureResource(db, principalId, type, id, {}, now, error))
        return false;
    if (!storage::write(
            db,
            QStringLiteral("INSERT OR IGNORE INTO mon_dependencies (principal_id, media_buy_id, package_id, "
                           "resource_type, resource_id, assigned_at) VALUES (?, ?, ?, ?, ?, ?)"),
            {qs(principalId), qs(mediaBuyId), qs(packageId), qs(type), qs(id), storage::isoTimeMs(now)},
            error))
        return false;
    return reconcile(db, principalId, mediaBuyId, now, error);
}

bool DependencyHealth::removeDependency(QSqlDatabase &db, const std::string &principalId,
                                        const std::string &packageId, const std::string &type,
                                        const std::string &id, const QDateTime &now, QString *error)
{
    storage::Read find(
        db,
        QStringLiteral("SELECT media_buy_id FROM mon_dependencies WHERE principal_id = ? AND package_id = ? "
                       "AND resource_type = ? AND resource_id = ?"),
        {qs(principalId), qs(packageId), qs(type), qs(id)}, error);
    if (!find)
        return false;
    if (!find.next())
        return true;
    const std::string mediaBuyId = find.value(0).toString().toStdString();
    find.finish();
    if (!storage::write(
            db,
            QStringLiteral("DELETE FROM mon_dependencies WHERE principal_id = ? AND package_id = ? AND "
                           "resource_type = ? AND resource_id = ?"),
            {qs(principalId), qs(packageId), qs(type), qs(id)}, error))
        return false;
    return reconcile(db, principalId, mediaBuyId, now, error);
}

bool DependencyHealth::replaceDependencies(QSqlDatabase &db, const std::string &principalId,
                                           const std::string &mediaBuyId, const std::string &packageId,
                                           const std::string &type, const std::vector<std::string> &before,
                                           const std::vector<std::string> &after, const QDateTime &now,
                                           QString *error)
{
    const std::set<std::string> was(before.begin(), before.end());
    const std::set<std::string> is(after.begin(), after.end());
    for (const auto &id : was)
        if (!is.count(id) && !removeDependency(db, principalId, packageId, type, id, now, error))
            return false;
    for (const auto &id : is)
        if (!was.count(id) && !addDependency(db, principalId, mediaBuyId, packageId, type, id, now, error))
            return false;
    return true;
}

std::vector<std::string> DependencyHealth::liveDependentBuys(QSqlDatabase &db, const std::string &principalId,
                                                             const std::string &type, const std::string &id)
{
    std::vector<std::string> live;
    for (const auto &buy : dependentBuys(db, principalId, type, id)) {
        const auto loaded = MediaBuyLifecycle::load(db, principalId, buy);
        if (loaded && !isTerminalStatus(loaded->status))
            live.push_back(buy);
    }
    return live;
}

std::vector<std::string> DependencyHealth::dependentBuys(QSqlDatabase &db, const std::string &principalId,
                                                         const std::string &type, const std::string &id)
{
    std::vector<std::string> buys;
    storage::Read q(
        db,
        QStringLiteral("SELECT DISTINCT media_buy_id FROM mon_dependencies WHERE principal_id = ? AND "
                       "resource_type = ? AND resource_id = ? ORDER BY media_buy_id"),
        {qs(principalId), qs(type), qs(id)}, nullptr);
    if (!q)
        return buys;
    while (q.next())
        buys.push_back(q.value(0).toString().toStdString());
    return buys;
}

bool DependencyHealth::reconcile(QSqlDatabase &db, const std::string &principalId,
                                 const std::string &mediaBuyId, const QDateTime &now, QString *error)
{
    const auto buy = MediaBuyLifecycle::load(db, principalId, mediaBuyId);
    if (!buy || isTerminalStatus(buy->status))
        return true;

    struct Dependency
    {
        std::string packageId;
        std::string type;
        std::string id;
        std::string status;
        std::string previous;
        std::string reasonCode;
        std::string reason;
        QString changedAt;
    };
    std::vector<Dependency> deps;
    {
        storage::Read q(
            db,
            QStringLiteral("SELECT d.package_id, d.resource_type, d.resource_id, r.status, "
                           "r.previous_status, r.reason_code, r.reason, r.updated_at, r.hold_status, "
                           "r.hold_reason_code, r.hold_reason, r.hold_since FROM mon_dependencies d "
                           "JOIN mon_resources r ON r.principal_id = d.principal_id AND r.resource_type = "
                           "d.resource_type AND r.resource_id = d.resource_id LEFT JOIN exec_packages x ON "
                           "x.principal_id = d.principal_id AND x.package_id = d.package_id WHERE "
                           "d.principal_id = ? AND d.media_buy_id = ? AND COALESCE(x.canceled, 0) = 0"),
            {qs(principalId), qs(mediaBuyId)}, error);
        if (!q)
            return false;
        while (q.next()) {
            deps.push_back({q.value(0).toString().toStdString(), q.value(1).toString().toStdString(),
                            q.value(2).toString().toStdString(), q.value(3).toString().toStdString(),
                            q.value(4).toString().toStdString(), q.value(5).toString().toStdString(),
                            q.value(6).toString().toStdString(), q.value(7).toString()});
            // A held resource (setHold) whose own status serves counts as moved from it into the hold.
            Dependency &d = deps.back();
            const std::string hold = q.value(8).toString().toStdString();
            if (effectiveStatus(d.type, d.status, hold) != d.status) {
                d.previous = d.status;
                d.status = hold;
                d.reasonCode = q.value(9).toString().toStdString();
                d.reason = q.value(10).toString().toStdString();
                d.changedAt = q.value(11).toString();
            }
        }
    }
    // A package keeps serving through a lost creative while another assigned creative is approved; any other
    // offline dependency degrades the package outright.
    std::map<std::string, int> approvedCreatives;
    for (const auto &d : deps) {
        if (d.type == "creative" && d.status == "approved")
            ++approvedCreatives[d.packageId];
    }
    std::map<std::pair<std::string, std::string>, std::set<std::string>> desired;
    std::map<std::pair<std::string, std::string>, const Dependency *> cause;
    for (const auto &d : deps) {
        if (!isOffline(d.type, d.status))
            continue;
        if (d.type == "creative" && approvedCreatives[d.packageId] > 0)
            continue;
        desired[{d.type, d.id}].insert(d.packageId);
        cause[{d.type, d.id}] = &d;
    }

    std::vector<OpenImpairment> open;
    {
        storage::Read q(
            db,
            QStringLiteral("SELECT impairment_id, resource_type, resource_id, package_ids, to_status FROM "
                           "mon_impairments WHERE principal_id = ? AND media_buy_id = ? AND resolved_at IS "
                           "NULL"),
            {qs(principalId), qs(mediaBuyId)}, error);
        if (!q)
            return false;
        while (q.next()) {
            OpenImpairment imp;
            imp.id = q.value(0).toString().toStdString();
            imp.type = q.value(1).toString().toStdString();
            imp.resourceId = q.value(2).toString().toStdString();
            // Read back through the wire layer: a row that is not an array of strings names no package.
            const nlohmann::json packages = storage::fromText(q.value(3).toString());
            for (const wire::JsonRef &item : wire::JsonRef(packages).items()) {
                if (const auto id = item.string(); id)
                    imp.packages.push_back(*id);
            }
            imp.to = q.value(4).toString().toStdString();
            open.push_back(std::move(imp));
        }
    }

    std::vector<std::pair<std::string, bool>> fired; // impairment id, resolved
    for (const auto &imp : open) {
        const auto wanted = desired.find({imp.type, imp.resourceId});
        const bool stillOffline =
            wanted != desired.end() && cause[{imp.type, imp.resourceId}]->status == imp.to;
        if (!stillOffline) {
            if (!storage::write(
                    db, QStringLiteral("UPDATE mon_impairments SET resolved_at = ? WHERE impairment_id = ?"),
                    {storage::isoTimeMs(now), qs(imp.id)}, error))
                return false;
            fired.emplace_back(imp.id, true);
            continue;
        }
        const std::vector<std::string> packages(wanted->second.begin(), wanted->second.end());
        if (packages != imp.packages) {
            if (!storage::write(
                    db, QStringLiteral("UPDATE mon_impairments SET package_ids = ? WHERE impairment_id = ?"),
                    {storage::toText(packages), qs(imp.id)}, error))
                return false;
            fired.emplace_back(imp.id, false);
        }
        desired.erase(wanted);
    }
    for (const auto &[key, packageSet] : desired) {
        const Dependency &d = *cause[key];
        const std::string id = "imp_" + QUuid::createUuid().toString(QUuid::Id128).left(20).toStdString();
        const std::vector<std::string> packages(packageSet.begin(), packageSet.end());
        const auto info = types().find(d.type);
        if (!storage::write(
                db,
                QStringLiteral(
                    "INSERT INTO mon_impairments (impairment_id, principal_id, media_buy_id, "
                    "resource_type, resource_id, package_ids, from_status, to_status, reason_code, "
                    "reason, remediation, observed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                {qs(id), qs(principalId), qs(mediaBuyId), qs(d.type), qs(d.id), storage::toText(packages),
                 d.previous.empty() ? QVariant() : qs(d.previous), qs(d.status),
                 qs(d.reasonCode.empty() ? defaultReasonCode(d.type, d.status) : d.reasonCode), qs(d.reason),
                 qs(info->second.remediation), d.changedAt.isEmpty() ? storage::isoTimeMs(now) : d.changedAt},
                error))
            return false;
        fired.emplace_back(id, false);
    }
    for (const auto &[id, resolved] : fired) {
        if (!notify(db, principalId, mediaBuyId, id, resolved, now, error))
            return false;
    }
    return true;
}

nlohmann::json DependencyHealth::impairments(QSqlDatabase &db, const std::string &principalId,
                                             const std::string &mediaBuyId)
{
    nlohmann::json list = nlohmann::json::array();
    storage::Read q(
        db,
        QStringLiteral("SELECT ") + kImpairmentColumns +
            QStringLiteral(" FROM mon_impairments WHERE principal_id = ? AND media_buy_id = ? AND "
                           "resolved_at IS NULL ORDER BY observed_at, impairment_id"),
        {qs(principalId), qs(mediaBuyId)}, nullptr);
    if (!q)
        return list;
    while (q.next())
        list.push_back(impairmentJson(q));
    return list;
}

std::string DependencyHealth::health(QSqlDatabase &db, const std::string &principalId,
                                     const std::string &mediaBuyId)
{
    storage::Read q(
        db,
        QStringLiteral("SELECT COUNT(*) FROM mon_impairments WHERE principal_id = ? AND media_buy_id = ? AND "
                       "resolved_at IS NULL"),
        {qs(principalId), qs(mediaBuyId)}, nullptr);
    if (!q || !q.next())
        return "ok";
    return q.value(0).toLongLong() > 0 ? "impaired" : "ok";
}

std::vector<std::pair<QDateTime, QDateTime>> DependencyHealth::impairedPeriods(QSqlDatabase &db,
                                                                               const std::string &principalId,
                                                                               const std::string &mediaBuyId,
                                                                               const std::string &packageId)
{
    std::vector<std::pair<QDateTime, QDateTime>> periods;
    storage::Read q(
        db,
        QStringLiteral("SELECT observed_at, resolved_at, package_ids FROM mon_impairments WHERE principal_id "
                       "= ? AND media_buy_id = ?"),
        {qs(principalId), qs(mediaBuyId)}, nullptr);
    if (!q)
        return periods;
    while (q.next()) {
        const auto packages = storage::fromText(q.value(2).toString());
        if (std::find(packages.begin(), packages.end(), packageId) == packages.end())
            continue;
        periods.emplace_back(parseTime(q.value(0)), parseTime(q.value(1)));
    }
    return periods;
}

} // namespace adcp::seller
