#include "deliverywebhooks.h"

#include "deliveryreport.h"
#include "storage/database.h"
#include "webhooks/webhookoutbox.h"

#include <QSqlQuery>

namespace adcp::seller {

using storage::execute;
using storage::qs;

namespace {

// A catch-up after a long pause or a big clock jump sends at most this many reports per tick.
constexpr int kMaxReportsPerTick = 500;

qint64 unitSeconds(const nlohmann::json &reportingWebhook)
{
    return reportingWebhook.value("reporting_frequency", std::string("daily")) == "hourly" ? 3600 : 86400;
}

QDateTime alignDown(const QDateTime &t, qint64 unit)
{
    const qint64 secs = t.toSecsSinceEpoch();
    return QDateTime::fromSecsSinceEpoch(secs - (((secs % unit) + unit) % unit), Qt::UTC);
}

bool enqueueReport(QSqlDatabase &db, const BuyExecution &buy, const std::string &type, int sequence,
                   const QDateTime &from, const QDateTime &to, const QDateTime &now, qint64 unit,
                   QString *error)
{
    auto target = WebhookTarget::fromConfig(buy.reportingWebhook);
    if (!target)
        return true;
    if (target->operationId.empty())
        target->operationId = "delivery." + buy.mediaBuyId;
    DeliveryRequest request;
    request.from = from;
    request.to = to;
    nlohmann::json delivery = DeliveryReport::mediaBuyDelivery(db, buy, request, now);
    delivery.erase("daily_breakdown");
    nlohmann::json result = {
        {"notification_type", type},
        {"sequence_number", sequence},
        {"reporting_period",
         {{"start", storage::isoTime(from).toStdString()}, {"end", storage::isoTime(to).toStdString()}}},
        {"currency", buy.currency},
        {"media_buy_deliveries", nlohmann::json::array({delivery})}};
    if (type != "final")
        result["next_expected_at"] = storage::isoTime(to.addSecs(unit)).toStdString();
    OutboxEvent event;
    event.principalId = buy.principalId;
    event.target = *target;
    event.eventType = "delivery";
    event.taskId = buy.taskId.empty() ? buy.mediaBuyId : buy.taskId;
    event.taskType = "media_buy_delivery";
    event.status = "completed";
    event.message = type + " delivery report " + std::to_string(sequence) + " for " + buy.mediaBuyId;
    event.result = std::move(result);
    event.timestamp = now;
    return WebhookOutbox::enqueue(db, event, error);
}

} // namespace

int DeliveryWebhooks::sendDue(QSqlDatabase &db, const QDateTime &now, QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    if (!execute(q,
                 QStringLiteral(
                     "SELECT principal_id, media_buy_id, delivery_sequence, last_report_at FROM exec_buys "
                     "WHERE reporting_webhook IS NOT NULL AND final_report_sent = 0"),
                 {}, error))
        return -1;
    struct Due
    {
        std::string principalId;
        std::string mediaBuyId;
        int sequence;
        QString lastReportAt;
    };
    std::vector<Due> due;
    while (q.next())
        due.push_back({q.value(0).toString().toStdString(), q.value(1).toString().toStdString(),
                       q.value(2).toInt(), q.value(3).toString()});
    q.finish();
    int sent = 0;
    for (auto &d : due) {
        storage::WriteTransaction tx(db);
        if (!tx.begin(error))
            return -1;
        // A window_update may have taken the next sequence number since the scan: read it again under
        // the writers' turn, or two reports would carry the same number.
        QSqlQuery current(storage::connectionFor(db));
        if (!execute(
                current,
                QStringLiteral("SELECT delivery_sequence, last_report_at, final_report_sent FROM exec_buys "
                               "WHERE principal_id = ? AND media_buy_id = ?"),
                {qs(d.principalId), qs(d.mediaBuyId)}, error))
            return -1;
        if (!current.next() || current.value(2).toInt() != 0)
            continue;
        d.sequence = current.value(0).toInt();
        d.lastReportAt = current.value(1).toString();
        current.finish();
        const auto buy = MediaBuyLifecycle::load(db, d.principalId, d.mediaBuyId);
        if (!buy || buy->status == "pending_creatives" || buy->status == "pending_start" ||
            buy->status == "rejected")
            continue;
        const qint64 unit = unitSeconds(buy->reportingWebhook);
        QDateTime periodStart = d.lastReportAt.isEmpty()
                                    ? alignDown(buy->start, unit)
                                    : QDateTime::fromString(d.lastReportAt, Qt::ISODate).toUTC();
        int sequence = d.sequence;
        QDateTime until = std::min(now, buy->end);
        if (buy->status == "canceled" && buy->canceledAt.isValid())
            until = std::min(until, buy->canceledAt);
        while (sent < kMaxReportsPerTick && alignDown(periodStart, unit).addSecs(unit) <= until) {
            const QDateTime periodEnd = alignDown(periodStart, unit).addSecs(unit);
            if (!enqueueReport(db, *buy, "scheduled", ++sequence, periodStart, periodEnd, now, unit, error))
                return -1;
            periodStart = periodEnd;
            ++sent;
        }
        bool final = false;
        if (isTerminalStatus(buy->status) && sent < kMaxReportsPerTick) {
            if (!enqueueReport(db, *buy, "final", ++sequence, periodStart, std::max(periodStart, until), now,
                               unit, error))
                return -1;
            periodStart = std::max(periodStart, until);
            final = true;
            ++sent;
        }
        if (!storage::write(
                db,
                QStringLiteral(
                    "UPDATE exec_buys SET delivery_sequence = ?, last_report_at = ?, final_report_sent "
                    "= ? WHERE principal_id = ? AND media_buy_id = ?"),
                {sequence, storage::isoTime(periodStart), final ? 1 : 0, qs(d.principalId), qs(d.mediaBuyId)},
                error) ||
            !tx.commit(error))
            return -1;
    }
    return sent;
}

bool DeliveryWebhooks::windowUpdated(QSqlDatabase &db, const std::string &principalId,
                                     const std::string &mediaBuyId, const QDateTime &at, const QDateTime &now,
                                     QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    if (!execute(q,
                 QStringLiteral(
                     "SELECT delivery_sequence, last_report_at FROM exec_buys WHERE principal_id = ? AND "
                     "media_buy_id = ? AND reporting_webhook IS NOT NULL"),
                 {qs(principalId), qs(mediaBuyId)}, error))
        return false;
    if (!q.next() || q.value(1).isNull())
        return true;
    const int sequence = q.value(0).toInt();
    const QDateTime reportedUntil = QDateTime::fromString(q.value(1).toString(), Qt::ISODate).toUTC();
    q.finish();
    if (at >= reportedUntil)
        return true; // the next scheduled report covers it
    const auto buy = MediaBuyLifecycle::load(db, principalId, mediaBuyId);
    if (!buy)
        return true;
    const qint64 unit = unitSeconds(buy->reportingWebhook);
    const QDateTime from = alignDown(at, unit);
    QSqlQuery update(storage::connectionFor(db));
    return enqueueReport(db, *buy, "window_update", sequence + 1, from, from.addSecs(unit), now, unit,
                         error) &&
           execute(
               update,
               QStringLiteral(
                   "UPDATE exec_buys SET delivery_sequence = ? WHERE principal_id = ? AND media_buy_id = ?"),
               {sequence + 1, qs(principalId), qs(mediaBuyId)}, error);
}

} // namespace adcp::seller
