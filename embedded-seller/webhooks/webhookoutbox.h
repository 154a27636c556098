#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>

namespace adcp::seller {

// Where and how one webhook goes: push_notification_config (or reporting_webhook) as the buyer registered it.
struct WebhookTarget
{
    std::string url;
    std::string operationId;
    std::string token;
    std::string scheme;      // "" = RFC 9421 (the default), "HMAC-SHA256" or "Bearer" (legacy authentication)
    std::string credentials; // the legacy scheme's shared secret or bearer token

    // Nothing when `config` has no string url or members of the wrong type (read through the wire layer).
    static std::optional<WebhookTarget> fromConfig(const nlohmann::json &config);
    nlohmann::json toJson() const;
};

// One logical event. The outbox wraps it in the mcp-webhook-payload envelope with a fresh idempotency_key.
struct OutboxEvent
{
    std::string principalId;
    WebhookTarget target;
    std::string eventType;      // coalescence class: "task", "media_buy_status", "impairment", "delivery"
    std::string coalesceKey;    // events with the same key inside the type's window are merged (last wins)
    std::string notificationId; // stable per logical event; empty for point-in-time delivery reports
    std::string taskId;
    std::string taskType; // task-type.json
    std::string status;   // task-status.json
    std::string message;
    nlohmann::json result; // null = absent
    QDateTime timestamp;
};

struct OutboxRow
{
    qint64 id = 0;
    std::string idempotencyKey;
    std::string notificationId;
    std::string eventType;
    std::string state; // pending, delivered, abandoned, dead (the stored row cannot be sent)
    int attempts = 0;
    int lastStatus = 0;
    nlohmann::json body;
};

// The durable webhook outbox, a table of the seller's database. Events are written inside the transaction
// that causes them; WebhookSender delivers them at least once. The body (and thus the idempotency_key) of a
// row never changes once a delivery was attempted, so every retry of a fire is byte-identical.
class WebhookOutbox final
{
public:
    static bool enqueue(QSqlDatabase &db, const OutboxEvent &event, QString *error);
    // Sends the logical event again under a new idempotency_key (same notification_id): a re-emission.
    static bool reemit(QSqlDatabase &db, qint64 rowId, QString *error);

    // Coalescence windows per event type, per seller: SellerContext registers its options'
    // webhookCoalescenceMs under its database file, and an event enqueued through a connection to that file
    // waits out that seller's window. A database no seller registered uses defaultCoalescenceWindows().
    static void setCoalescenceWindows(const QString &databasePath,
                                      const std::map<std::string, qint64> &windows);
    static qint64 coalescenceWindow(const QSqlDatabase &db, const std::string &eventType);
    static std::map<std::string, qint64> defaultCoalescenceWindows();

    // Sets a row that cannot be sent aside (state 'dead', `reason` kept as its last_error) and logs it.
    static void markDead(QSqlDatabase &db, qint64 rowId, const QString &reason);

    static std::vector<OutboxRow> rows(QSqlDatabase &db, const std::string &principalId = {});
    // Events the outbox still has to deliver (all principals).
    static qint64 pendingCount(QSqlDatabase &db);
};

} // namespace adcp::seller
