#include "webhookoutbox.h"

#include "jobs/deadletters.h"
#include "storage/database.h"
#include "wire/jsonread.h"

#include <QFileInfo>
#include <QSqlQuery>
#include <QUuid>

#include <algorithm>
#include <map>
#include <mutex>

namespace adcp::seller {

using storage::execute;
using storage::qs;

namespace {

std::mutex g_windowsMutex;
// Seller database file (absolute) → that seller's windows.
std::map<QString, std::map<std::string, qint64>> &windowsBySeller()
{
    static std::map<QString, std::map<std::string, qint64>> w;
    return w;
}

QString sellerKey(const QString &databasePath)
{
    return QFileInfo(databasePath).absoluteFilePath();
}

std::string newIdempotencyKey()
{
    return "whk_" + QUuid::createUuid().toString(QUuid::Id128).toStdString();
}

nlohmann::json envelope(const OutboxEvent &event, const std::string &idempotencyKey)
{
    nlohmann::json body = {{"idempotency_key", idempotencyKey},
                           {"operation_id", event.target.operationId},
                           {"task_id", event.taskId},
                           {"task_type", event.taskType},
                           {"protocol", "media-buy"},
                           {"status", event.status},
                           {"timestamp", event.timestamp.toUTC().toString(Qt::ISODateWithMs).toStdString()}};
    if (!event.notificationId.empty())
        body["notification_id"] = event.notificationId;
    if (!event.message.empty())
        body["message"] = event.message;
    if (!event.target.token.empty())
        body["token"] = event.target.token;
    if (!event.result.is_null())
        body["result"] = event.result;
    return body;
}

} // namespace

std::optional<WebhookTarget> WebhookTarget::fromConfig(const nlohmann::json &config)
{
    const wire::JsonRef ref(config);
    const auto url = ref["url"].string(4096);
    const auto operationId = ref["operation_id"].string(1024);
    const auto token = ref["token"].string(4096);
    const auto scheme = ref["authentication"]["schemes"][std::size_t(0)].string(64);
    const auto credentials = ref["authentication"]["credentials"].string(4096);
    if (!url || operationId.invalid() || token.invalid() || scheme.invalid() || credentials.invalid())
        return std::nullopt;
    WebhookTarget target;
    target.url = *url;
    target.operationId = operationId.valueOr({});
    target.token = token.valueOr({});
    target.scheme = scheme.valueOr({});
    target.credentials = credentials.valueOr({});
    return target;
}

nlohmann::json WebhookTarget::toJson() const
{
    nlohmann::json json = {{"url", url}};
    if (!operationId.empty())
        json["operation_id"] = operationId;
    if (!token.empty())
        json["token"] = token;
    if (!scheme.empty())
        json["authentication"] = {{"schemes", {scheme}}, {"credentials", credentials}};
    return json;
}

std::map<std::string, qint64> WebhookOutbox::defaultCoalescenceWindows()
{
    // Impairments flap (a creative suspended and restored within seconds): the buyer hears the settled state.
    return {{"impairment", 60000}};
}

void WebhookOutbox::setCoalescenceWindows(const QString &databasePath,
                                          const std::map<std::string, qint64> &windows)
{
    std::lock_guard lock(g_windowsMutex);
    windowsBySeller()[sellerKey(databasePath)] = windows;
}

qint64 WebhookOutbox::coalescenceWindow(const QSqlDatabase &db, const std::string &eventType)
{
    std::map<std::string, qint64> windows;
    {
        std::lock_guard lock(g_windowsMutex);
        const auto seller = windowsBySeller().find(sellerKey(db.databaseName()));
        windows = seller == windowsBySeller().end() ? defaultCoalescenceWindows() : seller->second;
    }
    const auto found = windows.find(eventType);
    return found == windows.end() ? 0 : std::max<qint64>(0, found->second);
}

bool WebhookOutbox::enqueue(QSqlDatabase &db, const OutboxEvent &event, QString *error)
{
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const std::string key = newIdempotencyKey();
    const QString body = storage::toText(envelope(event, key));
    const QString auth = storage::toText(event.target.toJson());
    const qint64 window = coalescenceWindow(db, event.eventType);
    if (window > 0 && !event.coalesceKey.empty()) {
        // Still waiting out its window and never attempted: the newer state replaces it (a new payload, so a
        // new key; nothing with the old key ever left the seller).
        int mergeRows = 0;
        if (!storage::write(
                db,
                QStringLiteral("UPDATE wh_outbox SET body = ?, idempotency_key = ?, notification_id = ?, "
                               "auth_json = ?, url = ? WHERE coalesce_key = ? AND principal_id = ? AND "
                               "state = 'pending' AND attempts = 0 AND next_attempt_ms > ?"),
                {body, qs(key), qs(event.notificationId), auth, qs(event.target.url), qs(event.coalesceKey),
                 qs(event.principalId), nowMs},
                error, &mergeRows))
            return false;
        if (mergeRows > 0)
            return true;
    }
    return storage::write(
        db,
        QStringLiteral("INSERT INTO wh_outbox (principal_id, url, auth_json, event_type, coalesce_key, "
                       "idempotency_key, notification_id, body, state, attempts, next_attempt_ms, "
                       "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)"),
        {qs(event.principalId), qs(event.target.url), auth, qs(event.eventType), qs(event.coalesceKey),
         qs(key), qs(event.notificationId), body, nowMs + window,
         event.timestamp.toUTC().toString(Qt::ISODateWithMs)},
        error);
}

bool WebhookOutbox::reemit(QSqlDatabase &db, qint64 rowId, QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    if (!execute(
            q,
            QStringLiteral("SELECT principal_id, url, auth_json, event_type, coalesce_key, notification_id, "
                           "body FROM wh_outbox WHERE id = ?"),
            {rowId}, error))
        return false;
    if (!q.next()) {
        if (error)
            *error = QStringLiteral("no outbox row %1").arg(rowId);
        return false;
    }
    nlohmann::json body = storage::fromText(q.value(6).toString());
    if (!body.is_object()) {
        if (error)
            *error = QStringLiteral("outbox row %1 has no readable body").arg(rowId);
        return false;
    }
    const std::string key = newIdempotencyKey();
    body["idempotency_key"] = key;
    const QVariant principal = q.value(0), url = q.value(1), auth = q.value(2), type = q.value(3),
                   coalesce = q.value(4), notification = q.value(5);
    // The open SELECT holds a read snapshot: an INSERT on top of it cannot wait for the sender threads'
    // writes (SQLite answers "database is locked" at once), so the read ends first.
    q.finish();
    return storage::write(
        db,
        QStringLiteral("INSERT INTO wh_outbox (principal_id, url, auth_json, event_type, coalesce_key, "
                       "idempotency_key, notification_id, body, state, attempts, next_attempt_ms, "
                       "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, 0, ?)"),
        {principal, url, auth, type, coalesce, qs(key), notification, storage::toText(body),
         QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
        error);
}

void WebhookOutbox::markDead(QSqlDatabase &db, qint64 rowId, const QString &reason)
{
    QSqlQuery q(storage::connectionFor(db));
    QString error;
    if (!execute(q, QStringLiteral("UPDATE wh_outbox SET state = 'dead', last_error = ? WHERE id = ?"),
                 {reason, rowId}, &error))
        qCWarning(lcDeadLetter, "webhook %lld could not be set aside: %s", rowId, qPrintable(error));
    else
        qCWarning(lcDeadLetter, "webhook %lld is a dead letter: %s", rowId, qPrintable(reason));
}

std::vector<OutboxRow> WebhookOutbox::rows(QSqlDatabase &db, const std::string &principalId)
{
    std::vector<OutboxRow> rows;
    QSqlQuery q(storage::connectionFor(db));
    const QString sql =
        QStringLiteral("SELECT id, idempotency_key, notification_id, event_type, state, attempts, "
                       "COALESCE(last_status, 0), body FROM wh_outbox") +
        (principalId.empty() ? QString() : QStringLiteral(" WHERE principal_id = ?")) +
        QStringLiteral(" ORDER BY id");
    const bool ok =
        principalId.empty() ? execute(q, sql, {}, nullptr) : execute(q, sql, {qs(principalId)}, nullptr);
    if (!ok)
        return rows;
    while (q.next()) {
        OutboxRow row;
        row.id = q.value(0).toLongLong();
        row.idempotencyKey = q.value(1).toString().toStdString();
        row.notificationId = q.value(2).toString().toStdString();
        row.eventType = q.value(3).toString().toStdString();
        row.state = q.value(4).toString().toStdString();
        row.attempts = q.value(5).toInt();
        row.lastStatus = q.value(6).toInt();
        row.body = storage::fromText(q.value(7).toString());
        rows.push_back(std::move(row));
    }
    return rows;
}

qint64 WebhookOutbox::pendingCount(QSqlDatabase &db)
{
    QSqlQuery q(storage::connectionFor(db));
    if (!execute(q, QStringLiteral("SELECT COUNT(*) FROM wh_outbox WHERE state = 'pending'"), {}, nullptr) ||
        !q.next())
        return -1;
    return q.value(0).toLongLong();
}

} // namespace adcp::seller
