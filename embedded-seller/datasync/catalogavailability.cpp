#include "catalogavailability.h"

#include "monitoring/dependencyhealth.h"
#include "storage/database.h"

#include <tuple>
#include <vector>

namespace adcp::seller::catalogavailability {

using storage::qs;

namespace {

QDateTime availabilityParsed(const QVariant &value)
{
    if (value.isNull() || value.toString().isEmpty())
        return {};
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs).toUTC();
}

using AvailabilityRow = std::tuple<std::string, std::string, std::string, std::string>;

// The rows of a read of (principal_id, catalog_id, catalog_generation, item_id), drained so that the caller
// may write while going through them.
std::vector<AvailabilityRow> availabilityRows(storage::Read &q, bool *ok)
{
    std::vector<AvailabilityRow> rows;
    *ok = bool(q);
    while (q.next())
        rows.emplace_back(q.value(0).toString().toStdString(), q.value(1).toString().toStdString(),
                          q.value(2).toString().toStdString(), q.value(3).toString().toStdString());
    q.finish();
    return rows;
}

const QString kAvailabilityKeyColumns = QStringLiteral("SELECT principal_id, catalog_id, catalog_generation, "
                                                       "item_id FROM data_catalog_item_availability WHERE ");

} // namespace

std::string isoInstant(const QDateTime &time)
{
    const QDateTime utc = time.toUTC();
    return utc.toString(utc.time().msec() ? Qt::ISODateWithMs : Qt::ISODate).toStdString();
}

std::optional<Overlay> find(QSqlDatabase &db, const std::string &principalId, const std::string &catalogId,
                            const std::string &generation, const std::string &itemId, QString *error)
{
    storage::Read q(
        db,
        QStringLiteral("SELECT availability, overlay_revision, reason, reason_detail, expires_at, "
                       "updated_at FROM data_catalog_item_availability WHERE principal_id = ? AND "
                       "catalog_id = ? AND catalog_generation = ? AND item_id = ?"),
        {qs(principalId), qs(catalogId), qs(generation), qs(itemId)}, error);
    if (!q || !q.next())
        return std::nullopt;
    Overlay o;
    o.availability = q.value(0).toString().toStdString();
    o.revision = q.value(1).toInt();
    o.reason = q.value(2).toString().toStdString();
    o.reasonDetail = q.value(3).toString().toStdString();
    o.expiresAt = availabilityParsed(q.value(4));
    o.updatedAt = availabilityParsed(q.value(5));
    o.stored = true;
    return o;
}

bool save(QSqlDatabase &db, const std::string &principalId, const std::string &catalogId,
          const std::string &generation, const std::string &itemId, const Overlay &overlay, QString *error)
{
    return storage::write(
        db,
        QStringLiteral("INSERT INTO data_catalog_item_availability (principal_id, catalog_id, "
                       "catalog_generation, item_id, availability, overlay_revision, reason, reason_detail, "
                       "expires_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
                       "(principal_id, catalog_id, catalog_generation, item_id) DO UPDATE SET availability "
                       "= excluded.availability, overlay_revision = excluded.overlay_revision, reason = "
                       "excluded.reason, reason_detail = excluded.reason_detail, expires_at = "
                       "excluded.expires_at, updated_at = excluded.updated_at"),
        {qs(principalId), qs(catalogId), qs(generation), qs(itemId), qs(overlay.availability),
         overlay.revision, qs(overlay.reason),
         overlay.reasonDetail.empty() ? QVariant() : qs(overlay.reasonDetail),
         overlay.expiresAt.isValid() ? QVariant(storage::isoTimeMs(overlay.expiresAt)) : QVariant(),
         storage::isoTimeMs(overlay.updatedAt)},
        error);
}

bool applyHold(QSqlDatabase &db, const std::string &principalId, const std::string &itemId,
               const Overlay &overlay, const QDateTime &now, QString *error)
{
    if (overlay.availability != "suppressed")
        return DependencyHealth::setHold(db, principalId, "catalog_item", itemId, nullptr, now, error);
    const DependencyHealth::Hold hold{"withdrawn", "seller_removed",
                                      "suppressed by the buyer (" + overlay.reason + ")", overlay.updatedAt};
    return DependencyHealth::setHold(db, principalId, "catalog_item", itemId, &hold, now, error);
}

bool reapplyHolds(QSqlDatabase &db, const std::string &principalId, const std::string &catalogId,
                  const std::string &generation, const QDateTime &now, QString *error)
{
    bool ok = false;
    storage::Read q(db,
                    kAvailabilityKeyColumns +
                        QStringLiteral("principal_id = ? AND catalog_id = ? AND catalog_generation = ? AND "
                                       "availability = 'suppressed' ORDER BY item_id"),
                    {qs(principalId), qs(catalogId), qs(generation)}, error);
    const auto rows = availabilityRows(q, &ok);
    if (!ok)
        return false;
    for (const auto &[principal, catalog, gen, item] : rows) {
        const auto overlay = find(db, principal, catalog, gen, item, error);
        if (overlay && !applyHold(db, principal, item, *overlay, now, error))
            return false;
    }
    return true;
}

int expireDue(QSqlDatabase &db, const QDateTime &now, const std::optional<std::string> &principalId,
              QString *error)
{
    bool ok = false;
    // Every principal's (the ticker), or one principal's (a call of that principal).
    storage::Read q(
        db,
        kAvailabilityKeyColumns +
            QStringLiteral("expires_at IS NOT NULL AND expires_at <= ? AND availability = "
                           "'suppressed' AND (? IS NULL OR principal_id = ?) ORDER BY expires_at"),
        {storage::isoTimeMs(now), principalId ? qs(*principalId) : QVariant(),
         principalId ? qs(*principalId) : QVariant()},
        error);
    const auto rows = availabilityRows(q, &ok);
    if (!ok)
        return -1;
    for (const auto &[principal, catalog, generation, item] : rows) {
        auto overlay = find(db, principal, catalog, generation, item, error);
        if (!overlay)
            return -1;
        // As if restored at the instant it expired.
        overlay->availability = "active";
        overlay->revision += 1;
        overlay->reason = "expired";
        overlay->reasonDetail.clear();
        overlay->updatedAt = overlay->expiresAt;
        overlay->expiresAt = QDateTime();
        if (!save(db, principal, catalog, generation, item, *overlay, error) ||
            !applyHold(db, principal, item, *overlay, now, error))
            return -1;
    }
    return int(rows.size());
}

bool anyDue(QSqlDatabase &db, const QDateTime &now)
{
    storage::Read q(
        db,
        QStringLiteral("SELECT 1 FROM data_catalog_item_availability WHERE expires_at IS NOT NULL "
                       "AND expires_at <= ? AND availability = 'suppressed' LIMIT 1"),
        {storage::isoTimeMs(now)}, nullptr);
    return q && q.next();
}

bool dropGeneration(QSqlDatabase &db, const std::string &principalId, const std::string &catalogId,
                    const std::string &generation, const QDateTime &now, QString *error)
{
    bool ok = false;
    storage::Read q(db,
                    kAvailabilityKeyColumns +
                        QStringLiteral("principal_id = ? AND catalog_id = ? AND catalog_generation = ?"),
                    {qs(principalId), qs(catalogId), qs(generation)}, error);
    const auto rows = availabilityRows(q, &ok);
    if (!ok)
        return false;
    for (const auto &row : rows)
        if (!DependencyHealth::setHold(db, principalId, "catalog_item", std::get<3>(row), nullptr, now,
                                       error))
            return false;
    return storage::write(db,
                          QStringLiteral("DELETE FROM data_catalog_item_availability WHERE principal_id = ? "
                                         "AND catalog_id = ? AND catalog_generation = ?"),
                          {qs(principalId), qs(catalogId), qs(generation)}, error);
}

} // namespace adcp::seller::catalogavailability
