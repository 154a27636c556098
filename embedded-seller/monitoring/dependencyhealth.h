#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace adcp::seller {

// The five kinds of upstream resource a package can depend on, each a record with a status of its own
// vocabulary. A move into an offline state (suspended, rejected, withdrawn, insufficient, depublished) opens
// a package-scoped impairment on every buy whose serving it degrades; the move back closes it.
class DependencyHealth final
{
public:
    static bool isResourceType(std::string_view type);
    static bool isValidStatus(std::string_view type, std::string_view status);
    static bool isOffline(std::string_view type, std::string_view status);
    static std::vector<std::string> statuses(std::string_view type);
    // The status a resource has when first referenced (a buy names an audience, a property…).
    static std::string initialStatus(std::string_view type);
    static std::string defaultReasonCode(std::string_view type, std::string_view offlineStatus);

    struct Resource
    {
        std::string type;
        std::string id;
        std::string status;
        std::string previousStatus;
        std::string name;
        nlohmann::json detail;
        QDateTime updatedAt;
    };
    static std::optional<Resource> resource(QSqlDatabase &db, const std::string &principalId,
                                            const std::string &type, const std::string &id);
    // For a console showing every buy's dependencies at once, two reads instead of two per buy and resource:
    // the (effective, see setHold) status of each of the principal's resources by (type, id), and what each
    // of its buys depends on by media buy id, sorted by type then id. Empty when the tables cannot be read.
    static std::map<std::pair<std::string, std::string>, std::string>
    resourceStatuses(QSqlDatabase &db, const std::string &principalId);
    // The names the buyer gave its resources (a creative's, an audience's), by (type, id); unnamed ones are
    // left out.
    static std::map<std::pair<std::string, std::string>, std::string>
    resourceNames(QSqlDatabase &db, const std::string &principalId);
    static std::map<std::string, std::vector<std::pair<std::string, std::string>>>
    dependenciesByBuy(QSqlDatabase &db, const std::string &principalId);
    // Creates the record when missing (with `status`, or the type's initial status when empty). Does not
    // change the status of an existing record.
    static bool ensureResource(QSqlDatabase &db, const std::string &principalId, const std::string &type,
                               const std::string &id, const std::string &status, const QDateTime &now,
                               QString *error);
    // Stores a resource (creating it when needed) with new content and status.
    static bool upsertResource(QSqlDatabase &db, const std::string &principalId, const Resource &resource,
                               const QDateTime &now, QString *error);
    // Moves a resource to `status` and updates every affected buy's impairments at once. Returns the previous
    // status through `previous` (empty when the resource was new).
    static bool setStatus(QSqlDatabase &db, const std::string &principalId, const std::string &type,
                          const std::string &id, const std::string &status, const QDateTime &now,
                          const std::string &reasonCode, const std::string &reason, std::string *previous,
                          QString *error);

    // A hold someone other than the resource's owner of record puts on it (the buyer suppressing a catalog
    // item it synced): while held, a resource whose own status is serviceable counts as being in the hold's
    // offline `status`, with the hold's reason; its own status stays as it is (a seller's withdrawal or a
    // review verdict is never hidden or lifted by a hold), and an offline status of its own wins over the
    // hold. The hold lives on the resource's record, so a record created again later needs it again.
    struct Hold
    {
        std::string status; // an offline status of the type
        std::string reasonCode;
        std::string reason;
        QDateTime since;
    };
    // Puts a hold on the resource, or lifts it (`hold` null), and updates every affected buy's impairments.
    // Nothing happens when the resource has no record.
    static bool setHold(QSqlDatabase &db, const std::string &principalId, const std::string &type,
                        const std::string &id, const Hold *hold, const QDateTime &now, QString *error);
    // The status the dependency board and impairments see: the hold's when held and the resource's own status
    // is serviceable, else its own.
    static std::string effectiveStatus(std::string_view type, const std::string &status,
                                       const std::string &holdStatus);

    static bool addDependency(QSqlDatabase &db, const std::string &principalId, const std::string &mediaBuyId,
                              const std::string &packageId, const std::string &type, const std::string &id,
                              const QDateTime &now, QString *error);
    static bool removeDependency(QSqlDatabase &db, const std::string &principalId,
                                 const std::string &packageId, const std::string &type, const std::string &id,
                                 const QDateTime &now, QString *error);
    // Moves a package's dependencies of one type from `before` to `after` (a package update replaced the list
    // that names them): removes those no longer named, adds the new ones.
    static bool replaceDependencies(QSqlDatabase &db, const std::string &principalId,
                                    const std::string &mediaBuyId, const std::string &packageId,
                                    const std::string &type, const std::vector<std::string> &before,
                                    const std::vector<std::string> &after, const QDateTime &now,
                                    QString *error);
    // Buys (media_buy_id) that depend on a resource.
    static std::vector<std::string> dependentBuys(QSqlDatabase &db, const std::string &principalId,
                                                  const std::string &type, const std::string &id);
    // dependentBuys() that have not ended (completed, canceled, rejected): removing the resource would pull
    // it from under them.
    static std::vector<std::string> liveDependentBuys(QSqlDatabase &db, const std::string &principalId,
                                                      const std::string &type, const std::string &id);

    // Brings the buy's open impairments in line with its dependencies' statuses: opens, updates and closes
    // impairments (each change also leaves as an impairment webhook). Terminal buys are left as they are.
    static bool reconcile(QSqlDatabase &db, const std::string &principalId, const std::string &mediaBuyId,
                          const QDateTime &now, QString *error);
    // Open impairments of a buy (core/impairment.json), oldest observation first.
    static nlohmann::json impairments(QSqlDatabase &db, const std::string &principalId,
                                      const std::string &mediaBuyId);
    // "impaired" iff the buy has an open impairment.
    static std::string health(QSqlDatabase &db, const std::string &principalId,
                              const std::string &mediaBuyId);
    // Per package: periods during which it was impaired (for the delivery simulation).
    static std::vector<std::pair<QDateTime, QDateTime>> impairedPeriods(QSqlDatabase &db,
                                                                        const std::string &principalId,
                                                                        const std::string &mediaBuyId,
                                                                        const std::string &packageId);
};

} // namespace adcp::seller
