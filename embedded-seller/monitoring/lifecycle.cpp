#include "lifecycle.h"

#include "jobs/executionmigrations.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "webhooks/webhookoutbox.h"

#include <QSqlQuery>

namespace adcp::seller {

// Registered here because every execution path (tools, the order hook, the workers) links this file.
ADCP_SELLER_MIGRATIONS("execution", executionMigrationSteps);

using storage::execute;
using storage::qs;

namespace {

QDateTime parseTime(const QVariant &value)
{
    if (value.isNull())
        return {};
    QDateTime t = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    return t.isValid() ? t.toUTC() : t;
}

} // namespace

bool isTerminalStatus(std::string_view status)
{
    return status == "completed" || status == "rejected" || status == "canceled";
}

std::optional<BuyExecution> MediaBuyLifecycle::load(QSqlDatabase &db, const std::string &principalId,
                                                    const std::string &mediaBuyId)
{
    storage::Read q(
        db,
        QStringLiteral("SELECT b.status, b.revision, b.currency, b.total_budget, b.start_time, b.end_time, "
                       "e.approval, e.task_id, e.paused, e.canceled_at, e.canceled_by, "
                       "e.cancellation_reason, e.rejection_reason, e.push_config, e.reporting_webhook "
                       "FROM media_buys b LEFT JOIN exec_buys e ON e.principal_id = b.principal_id AND "
                       "e.media_buy_id = b.media_buy_id WHERE b.principal_id = ? AND b.media_buy_id = ?"),
        {qs(principalId), qs(mediaBuyId)}, nullptr);
    if (!q || !q.next())
        return std::nullopt;
    BuyExecution buy;
    buy.principalId = principalId;
    buy.mediaBuyId = mediaBuyId;
    buy.status = q.value(0).toString().toStdString();
    buy.revision = q.value(1).toLongLong();
    buy.currency = q.value(2).toString().toStdString();
    buy.totalBudget = q.value(3).toDouble();
    buy.start = parseTime(q.value(4));
    buy.end = parseTime(q.value(5));
    buy.approval = q.value(6).isNull() ? std::string("not_required") : q.value(6).toString().toStdString();
    buy.taskId = q.value(7).toString().toStdString();
    buy.paused = q.value(8).toInt() != 0;
    buy.canceledAt = parseTime(q.value(9));
    buy.canceledBy = q.value(10).toString().toStdString();
    buy.cancellationReason = q.value(11).toString().toStdString();
    buy.rejectionReason = q.value(12).toString().toStdString();
    buy.pushConfig = storage::fromText(q.value(13).toString());
    buy.reportingWebhook = storage::fromText(q.value(14).toString());
    return buy;
}

nlohmann::json PackageExecution::pricingOption() const
{
    nlohmann::json option = {{"pricing_model", pricingModel}, {"fixed_price", rate}};
    if (pricingParameters.is_object())
        option["parameters"] = pricingParameters;
    return option;
}

nlohmann::json MediaBuyLifecycle::packageBudgets(QSqlDatabase &db, const BuyExecution &buy)
{
    nlohmann::json list = nlohmann::json::array();
    for (const auto &p : packages(db, buy))
        list.push_back({{"package_id", p.packageId}, {"product_id", p.productId}, {"budget", p.budget}});
    return list;
}

std::vector<PackageExecution> MediaBuyLifecycle::packages(QSqlDatabase &db, const BuyExecution &buy)
{
    std::vector<PackageExecution> packages;
    storage::Read q(
        db,
        QStringLiteral("SELECT p.package_id, p.product_id, p.budget, x.adapter, x.external_id, "
                       "x.adapter_state, x.live, x.failure, x.paused, x.canceled, COALESCE(x.pacing, "
                       "p.pacing, 'even'), COALESCE(x.rate, 10), p.start_time, p.end_time, "
                       "COALESCE(x.pricing_model, 'cpm'), x.pricing_parameters FROM packages p "
                       "LEFT JOIN exec_packages x ON x.principal_id = p.principal_id AND x.package_id = "
                       "p.package_id WHERE p.principal_id = ? AND p.media_buy_id = ? ORDER BY p.position"),
        {qs(buy.principalId), qs(buy.mediaBuyId)}, nullptr);
    if (!q)
        return packages;
    while (q.next()) {
        PackageExecution p;
        p.packageId = q.value(0).toString().toStdString();
        p.productId = q.value(1).toString().toStdString();
        p.budget = q.value(2).toDouble();
        p.adapter = q.value(3).toString().toStdString();
        p.externalId = q.value(4).toString().toStdString();
        p.adapterState = q.value(5).toString().toStdString();
        p.live = q.value(6).toInt() != 0;
        p.failure = q.value(7).toString().toStdString();
        p.paused = q.value(8).toInt() != 0;
        p.canceled = q.value(9).toInt() != 0;
        p.pacing = q.value(10).toString().toStdString();
        p.rate = q.value(11).toDouble();
        p.pricingModel = q.value(14).toString().toStdString();
        if (!q.value(15).isNull())
            p.pricingParameters = storage::fromText(q.value(15).toString()); // null when unreadable
        p.start = parseTime(q.value(12));
        p.end = parseTime(q.value(13));
        if (!p.start.isValid())
            p.start = buy.start;
        if (!p.end.isValid())
            p.end = buy.end;
        packages.push_back(std::move(p));
    }
    return packages;
}

namespace {

// What the status of a buy depends on besides its own row: its packages (canceled ones ignored, "open" the
// others) and their creatives.
struct PackageSummary
{
    bool any = false;            // the buy has packages at all
    bool anyOpen = false;        // one is not canceled
    bool anyFailed = false;      // an open one was refused by its ad server
    bool allLive = true;         // every open one is live at its ad server
    bool needsCreatives = false; // an open one has no approved creative assigned
};

// The status machine itself, on what computeStatus and refreshAll read (one buy at a time, or all at once).
std::string decideStatus(const BuyExecution &buy, const PackageSummary &packages, const QDateTime &now)
{
    if (isTerminalStatus(buy.status))
        return buy.status;
    if (buy.approval == "pending")
        return buy.status;
    if (buy.approval == "rejected")
        return "rejected";
    // Only a seeded fixture buy has no packages at all: it keeps its status until its flight ends.
    if (!packages.any) {
        const bool running = buy.status == "active" || buy.status == "paused";
        return running && buy.end.isValid() && now >= buy.end ? "completed" : buy.status;
    }
    const bool pending = buy.status == "pending_creatives" || buy.status == "pending_start";
    if (packages.anyFailed && pending)
        return "rejected";
    const bool flightOver = buy.end.isValid() && now >= buy.end;
    if (buy.status == "active" || buy.status == "paused") {
        if (flightOver || !packages.anyOpen)
            return "completed";
        return buy.paused ? "paused" : "active";
    }
    // Without approved creatives a pending buy stays where it is (pending_start only when forced there).
    if (packages.needsCreatives)
        return buy.status == "pending_start" ? "pending_start" : "pending_creatives";
    if (!packages.allLive || !packages.anyOpen || (buy.start.isValid() && now < buy.start))
        return "pending_start";
    if (flightOver)
        return "completed";
    return buy.paused ? "paused" : "active";
}

} // namespace

std::string MediaBuyLifecycle::computeStatus(QSqlDatabase &db, const BuyExecution &buy, const QDateTime &now)
{
    PackageSummary summary;
    if (isTerminalStatus(buy.status) || buy.approval == "pending" || buy.approval == "rejected")
        return decideStatus(buy, summary, now);
    const auto packageList = packages(db, buy);
    summary.any = !packageList.empty();
    for (const auto &p : packageList) {
        if (p.canceled)
            continue;
        summary.anyOpen = true;
        summary.anyFailed = summary.anyFailed || !p.failure.empty();
        summary.allLive = summary.allLive && p.live;
    }
    if (summary.any) {
        // A package needs at least one approved creative assigned to leave pending_creatives.
        storage::Read q(
            db,
            QStringLiteral("SELECT COUNT(*) FROM packages p LEFT JOIN exec_packages x ON x.principal_id = "
                           "p.principal_id AND x.package_id = p.package_id WHERE p.principal_id = ? AND "
                           "p.media_buy_id = ? AND COALESCE(x.canceled, 0) = 0 AND NOT EXISTS (SELECT 1 FROM "
                           "mon_dependencies d JOIN mon_resources r ON r.principal_id = d.principal_id AND "
                           "r.resource_type = d.resource_type AND r.resource_id = d.resource_id WHERE "
                           "d.principal_id = p.principal_id AND d.package_id = p.package_id AND "
                           "d.resource_type = 'creative' AND r.status = 'approved')"),
            {qs(buy.principalId), qs(buy.mediaBuyId)}, nullptr);
        if (q && q.next())
            summary.needsCreatives = q.value(0).toLongLong() > 0;
    }
    return decideStatus(buy, summary, now);
}

bool MediaBuyLifecycle::setStatus(QSqlDatabase &db, const BuyExecution &buy, const std::string &to,
                                  const std::string &cause, const QDateTime &now, QString *error)
{
    int updateRows = 0;
    if (!storage::write(
            db,
            QStringLiteral("UPDATE media_buys SET status = ?, updated_at = ? WHERE principal_id = ? AND "
                           "media_buy_id = ? AND status = ?"),
            {qs(to), storage::isoTimeMs(now), qs(buy.principalId), qs(buy.mediaBuyId), qs(buy.status)}, error,
            &updateRows))
        return false;
    // Someone else moved the buy first: their write stands, this refresh is stale.
    if (updateRows != 1)
        return true;
    if (!storage::write(
            db,
            QStringLiteral("INSERT INTO exec_buy_history (principal_id, media_buy_id, at, from_status, "
                           "to_status, cause) VALUES (?, ?, ?, ?, ?, ?)"),
            {qs(buy.principalId), qs(buy.mediaBuyId), storage::isoTimeMs(now), qs(buy.status), qs(to),
             qs(cause)},
            error))
        return false;
    const auto target = WebhookTarget::fromConfig(buy.pushConfig);
    if (!target)
        return true;
    OutboxEvent event;
    event.principalId = buy.principalId;
    event.target = *target;
    event.eventType = "media_buy_status";
    event.coalesceKey = "status:" + buy.mediaBuyId;
    event.notificationId = buy.mediaBuyId + ".status." + to;
    event.taskId = buy.taskId.empty() ? buy.mediaBuyId : buy.taskId;
    event.taskType = "create_media_buy";
    event.status = "completed";
    event.message = "Media buy " + buy.mediaBuyId + " is now " + to + " (" + cause + ")";
    event.result = {{"media_buy_id", buy.mediaBuyId},
                    {"media_buy_status", to},
                    {"previous_status", buy.status},
                    {"revision", buy.revision}};
    event.timestamp = now;
    return WebhookOutbox::enqueue(db, event, error);
}

std::optional<std::string> MediaBuyLifecycle::refresh(QSqlDatabase &db, const std::string &principalId,
                                                      const std::string &mediaBuyId, const QDateTime &now,
                                                      QString *error)
{
    const auto buy = load(db, principalId, mediaBuyId);
    if (!buy)
        return std::nullopt;
    const std::string next = computeStatus(db, *buy, now);
    if (next == buy->status)
        return next;
    std::string cause = "seller clock";
    if (next == "rejected")
        cause = buy->approval == "rejected" ? "seller declined approval" : "ad server refused the order";
    else if (next == "pending_start" && buy->status == "pending_creatives")
        cause = "creatives approved";
    else if (next == "pending_creatives")
        cause = "packages lack an approved creative";
    if (next == "rejected" && buy->rejectionReason.empty()) {
        storage::write(
            db,
            QStringLiteral("INSERT INTO exec_buys (principal_id, media_buy_id, approval, updated_at, "
                           "rejection_reason) VALUES (?, ?, 'not_required', ?, ?) ON CONFLICT (principal_id, "
                           "media_buy_id) DO UPDATE SET rejection_reason = excluded.rejection_reason"),
            {qs(principalId), qs(mediaBuyId), storage::isoTimeMs(now), qs(cause)}, nullptr);
    }
    if (!setStatus(db, *buy, next, cause, now, error))
        return std::nullopt;
    return next;
}

namespace {

// refreshAll and refreshCrossings: the open buys `where` admits (a condition on media_buys b, and its
// bindings).
int refreshOpen(QSqlDatabase &db, const QDateTime &now, const QString &where,
                std::initializer_list<QVariant> bindings, QString *error)
{
    // One statement reads what decideStatus needs for every open buy (the same columns and conditions as
    // load, packages and computeStatus's creative count), without the write lock. Only a buy whose status
    // would change gets a write transaction, in which refresh() reads it again and decides for real. A
    // transaction per buy, taken back to back, held the write lock for the whole round (a few hundred ms
    // with thousands of open buys), and every request that writes waited behind it.
    storage::Read q(
        db,
        QStringLiteral(
            "SELECT b.principal_id, b.media_buy_id, b.status, b.start_time, b.end_time, e.approval, "
            "e.paused, COUNT(p.package_id), "
            "SUM(CASE WHEN p.package_id IS NOT NULL AND COALESCE(x.canceled, 0) = 0 THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN p.package_id IS NOT NULL AND COALESCE(x.canceled, 0) = 0 AND "
            "COALESCE(x.failure, '') <> '' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN p.package_id IS NOT NULL AND COALESCE(x.canceled, 0) = 0 AND "
            "COALESCE(x.live, 0) = 0 THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN p.package_id IS NOT NULL AND COALESCE(x.canceled, 0) = 0 AND NOT EXISTS "
            "(SELECT 1 FROM mon_dependencies d JOIN mon_resources r ON r.principal_id = d.principal_id "
            "AND r.resource_type = d.resource_type AND r.resource_id = d.resource_id WHERE "
            "d.principal_id = p.principal_id AND d.package_id = p.package_id AND d.resource_type = "
            "'creative' AND r.status = 'approved') THEN 1 ELSE 0 END) "
            "FROM media_buys b LEFT JOIN exec_buys e ON e.principal_id = b.principal_id AND "
            "e.media_buy_id = b.media_buy_id LEFT JOIN packages p ON p.principal_id = b.principal_id "
            "AND p.media_buy_id = b.media_buy_id LEFT JOIN exec_packages x ON x.principal_id = "
            "p.principal_id AND x.package_id = p.package_id WHERE b.status NOT IN ('completed', "
            "'rejected', 'canceled')") +
            where + QStringLiteral(" GROUP BY b.principal_id, b.media_buy_id"),
        bindings, error);
    if (!q)
        return -1;
    std::vector<BuyExecution> stale;
    while (q.next()) {
        BuyExecution buy;
        buy.principalId = q.value(0).toString().toStdString();
        buy.mediaBuyId = q.value(1).toString().toStdString();
        buy.status = q.value(2).toString().toStdString();
        buy.start = parseTime(q.value(3));
        buy.end = parseTime(q.value(4));
        buy.approval =
            q.value(5).isNull() ? std::string("not_required") : q.value(5).toString().toStdString();
        buy.paused = q.value(6).toInt() != 0;
        PackageSummary summary;
        summary.any = q.value(7).toLongLong() > 0;
        summary.anyOpen = q.value(8).toLongLong() > 0;
        summary.anyFailed = q.value(9).toLongLong() > 0;
        summary.allLive = q.value(10).toLongLong() == 0;
        summary.needsCreatives = q.value(11).toLongLong() > 0;
        if (decideStatus(buy, summary, now) != buy.status)
            stale.push_back(std::move(buy));
    }
    q.finish();
    int changed = 0;
    for (const auto &buy : stale) {
        storage::WriteTransaction tx(db);
        if (!tx.begin(error))
            return -1;
        const auto next = MediaBuyLifecycle::refresh(db, buy.principalId, buy.mediaBuyId, now, error);
        if (!next || !tx.commit(error))
            return -1;
        if (*next != buy.status)
            ++changed;
    }
    return changed;
}

} // namespace

int MediaBuyLifecycle::refreshAll(QSqlDatabase &db, const QDateTime &now, QString *error)
{
    return refreshOpen(db, now, QString(), {}, error);
}

int MediaBuyLifecycle::refreshCrossings(QSqlDatabase &db, const QDateTime &since, const QDateTime &now,
                                        QString *error)
{
    // Every writer stores flight times as storage::isoTime (UTC, whole seconds), which sort as text in time
    // order; the bounds are written the same way (truncated), so each stored time falls in exactly one of
    // consecutive windows, and only once the clock has reached it.
    const QString from = storage::isoTime(since);
    const QString to = storage::isoTime(now);
    if (to <= from)
        return 0;
    // The candidates by rowid from the two indexes: written as an OR on b, the planner walks every buy in
    // the GROUP BY's order instead.
    return refreshOpen(
        db, now,
        QStringLiteral(" AND b.rowid IN (SELECT rowid FROM media_buys WHERE start_time > ? AND "
                       "start_time <= ? UNION ALL SELECT rowid FROM media_buys WHERE end_time > ? "
                       "AND end_time <= ?)"),
        {from, to, from, to}, error);
}

int MediaBuyLifecycle::refreshSlice(QSqlDatabase &db, qint64 after, int limit, const QDateTime &now,
                                    qint64 *next, QString *error)
{
    // The slice's last rowid first (a rowid range scan that skips closed buys), then the open buys up to it.
    qint64 last = 0;
    {
        storage::Read bound(
            db,
            QStringLiteral("SELECT rowid FROM media_buys WHERE rowid > ? AND status NOT IN "
                           "('completed', 'rejected', 'canceled') ORDER BY rowid LIMIT 1 OFFSET ?"),
            {after, std::max(1, limit) - 1}, error);
        if (!bound)
            return -1;
        if (bound.next())
            last = bound.value(0).toLongLong();
    }
    const int moved = last > 0 ? refreshOpen(db, now, QStringLiteral(" AND b.rowid > ? AND b.rowid <= ?"),
                                             {after, last}, error)
                               : refreshOpen(db, now, QStringLiteral(" AND b.rowid > ?"), {after}, error);
    if (moved >= 0)
        *next = last;
    return moved;
}

std::vector<std::pair<QDateTime, QDateTime>> MediaBuyLifecycle::pausedPeriods(QSqlDatabase &db,
                                                                              const BuyExecution &buy)
{
    std::vector<std::pair<QDateTime, QDateTime>> periods;
    storage::Read q(
        db,
        QStringLiteral("SELECT at, from_status, to_status FROM exec_buy_history WHERE principal_id = ? AND "
                       "media_buy_id = ? ORDER BY id"),
        {qs(buy.principalId), qs(buy.mediaBuyId)}, nullptr);
    if (!q)
        return periods;
    QDateTime pausedSince;
    while (q.next()) {
        const QDateTime at = parseTime(q.value(0));
        if (q.value(2).toString() == QStringLiteral("paused"))
            pausedSince = at;
        else if (q.value(1).toString() == QStringLiteral("paused") && pausedSince.isValid()) {
            periods.emplace_back(pausedSince, at);
            pausedSince = QDateTime();
        }
    }
    if (pausedSince.isValid())
        periods.emplace_back(pausedSince, QDateTime());
    return periods;
}

nlohmann::json MediaBuyLifecycle::history(QSqlDatabase &db, const BuyExecution &buy)
{
    nlohmann::json entries = nlohmann::json::array();
    storage::Read q(
        db,
        QStringLiteral("SELECT at, from_status, to_status, cause FROM exec_buy_history WHERE principal_id "
                       "= ? AND media_buy_id = ? ORDER BY id"),
        {qs(buy.principalId), qs(buy.mediaBuyId)}, nullptr);
    if (!q)
        return entries;
    while (q.next()) {
        const std::string to = q.value(2).toString().toStdString();
        const std::string from = q.value(1).toString().toStdString();
        std::string action = to;
        if (to == "active")
            action = from == "paused" ? "resumed" : "activated";
        entries.push_back({{"revision", std::max<qint64>(1, buy.revision)},
                           {"timestamp", q.value(0).toString().toStdString()},
                           {"action", action},
                           {"summary", from + " → " + to + ": " + q.value(3).toString().toStdString()}});
    }
    return entries;
}

nlohmann::json MediaBuyLifecycle::availableActions(const std::string &status)
{
    nlohmann::json actions = nlohmann::json::array();
    const auto add = [&actions](const char *action) {
        actions.push_back({{"action", action}, {"mode", "self_serve"}});
    };
    if (isTerminalStatus(status))
        return actions;
    if (status == "active")
        add("pause");
    if (status == "paused")
        add("resume");
    add("cancel");
    for (const char *action : {"extend_flight", "shorten_flight", "increase_budget", "decrease_budget",
                               "update_creative_assignments", "sync_creatives"})
        add(action);
    return actions;
}

} // namespace adcp::seller
