#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <optional>
#include <string>

namespace adcp::seller {

// The buyer's availability overlays of catalog items (sync_catalogs item_availability_updates): per item of
// one catalog generation, whether the buyer has it suppressed, the overlay revision (optimistic concurrency:
// 0 is the initial active state, every applied suppress, restore and expiry adds one), the reason and an
// optional expiry. A suppression puts a hold on the item's dependency record (DependencyHealth::setHold), so
// a package promoting the item is impaired ("withdrawn", reason seller_removed: the seller has stopped
// serving it) while the item's own review status stays as it is, and a restore never lifts a seller's
// withdrawal or a rejection. An overlay outlives the item's removal from the feed and catalog upserts; it
// ends with a restore, its expiry (on the seller clock) or the catalog's deletion (a recreated catalog has a
// new generation and no overlays).
namespace catalogavailability {

struct Overlay
{
    std::string availability = "active"; // active or suppressed
    int revision = 0;
    std::string reason;
    std::string reasonDetail;
    QDateTime expiresAt; // invalid: none
    QDateTime updatedAt;
    bool stored = false; // false: the initial state (no row)
};

// The stored overlay of an item, or nothing (the item has its initial active state, revision 0).
std::optional<Overlay> find(QSqlDatabase &db, const std::string &principalId, const std::string &catalogId,
                            const std::string &generation, const std::string &itemId, QString *error);
bool save(QSqlDatabase &db, const std::string &principalId, const std::string &catalogId,
          const std::string &generation, const std::string &itemId, const Overlay &overlay, QString *error);

// Puts the hold of `overlay` on the item's dependency record when it is suppressed, lifts it otherwise.
bool applyHold(QSqlDatabase &db, const std::string &principalId, const std::string &itemId,
               const Overlay &overlay, const QDateTime &now, QString *error);
// After items of a catalog were stored again (a feed upsert may create an item's record anew): puts the
// holds of the generation's suppressed overlays back on their items.
bool reapplyHolds(QSqlDatabase &db, const std::string &principalId, const std::string &catalogId,
                  const std::string &generation, const QDateTime &now, QString *error);
// Every suppression whose expires_at is at or before `now` ends as if restored at that instant (one
// revision more, hold lifted); only `principalId`'s when given. Returns how many ended, -1 on a failure.
int expireDue(QSqlDatabase &db, const QDateTime &now, const std::optional<std::string> &principalId,
              QString *error);
// Whether any principal has a suppression whose expiry has come (a read, no write lock).
bool anyDue(QSqlDatabase &db, const QDateTime &now);
// A new generation for a catalog: the overlays of the old one are deleted and their holds lifted.
bool dropGeneration(QSqlDatabase &db, const std::string &principalId, const std::string &catalogId,
                    const std::string &generation, const QDateTime &now, QString *error);

// A timestamp as the availability answers give it: UTC, milliseconds only when there are any.
std::string isoInstant(const QDateTime &time);

} // namespace catalogavailability
} // namespace adcp::seller
