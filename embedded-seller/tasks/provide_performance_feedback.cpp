#include "taskcontext.h"

#include "monitoring/dependencyhealth.h"
#include "monitoring/lifecycle.h"
#include "storage/database.h"

#include <QSqlQuery>

namespace adcp::seller {

using nlohmann::json;
using storage::execute;
using storage::qs;

namespace {

QDateTime feedbackTime(const json &value)
{
    return value.is_string()
               ? QDateTime::fromString(QString::fromStdString(value.get<std::string>()), Qt::ISODateWithMs)
               : QDateTime();
}

} // namespace

// Stores one performance assertion about one of the caller's buys (or a package or creative of it). The
// seller keeps it with the buy (get_media_buys reports the latest per buy under ext.workbench) and answers
// application_status accepted: this seller's simulated ad servers do not re-optimize on feedback, and
// "accepted" claims nothing more. A correction names the assertion it supersedes, which must be the caller's
// own about the same buy and not already superseded.
adcp::ToolOutcome providePerformanceFeedback(TaskContext &task, const json &args)
{
    const std::string mediaBuyId = args.value("media_buy_id", std::string());
    const auto buy = MediaBuyLifecycle::load(task.db, task.principal.id, mediaBuyId);
    if (!buy)
        return failure("MEDIA_BUY_NOT_FOUND", "no such media buy for this account", "media_buy_id",
                       "list your buys with get_media_buys");
    if (args.contains("package_id")) {
        const std::string packageId = args["package_id"].get<std::string>();
        bool found = false;
        for (const auto &p : MediaBuyLifecycle::packages(task.db, *buy))
            found = found || p.packageId == packageId;
        if (!found)
            return failure("PACKAGE_NOT_FOUND", "the media buy has no package " + packageId, "package_id",
                           "use a package_id of this buy (get_media_buys)");
    }
    if (args.contains("creative_id") && !DependencyHealth::resource(task.db, task.principal.id, "creative",
                                                                    args["creative_id"].get<std::string>()))
        return failure("CREATIVE_NOT_FOUND", "no such creative for this account", "creative_id",
                       "use a creative_id you synced (list_creatives)");
    const QDateTime start = feedbackTime(args["measurement_period"].value("start", json()));
    const QDateTime end = feedbackTime(args["measurement_period"].value("end", json()));
    if (!start.isValid() || !end.isValid())
        return failure("INVALID_REQUEST", "measurement_period needs ISO 8601 start and end",
                       "measurement_period");
    if (end <= start)
        return failure("INVALID_REQUEST", "measurement_period ends before it starts",
                       "measurement_period.end", "send a period whose end is after its start");
    if (start > task.now)
        return failure("INVALID_REQUEST", "measurement_period starts in the future",
                       "measurement_period.start", "send feedback about a period that has begun");
    if (const auto low = args.find("evidence"); low != args.end() && low->contains("confidence_interval")) {
        const json &ci = (*low)["confidence_interval"];
        if (ci["lower"].get<double>() > ci["upper"].get<double>())
            return failure("INVALID_REQUEST",
                           "the confidence interval's lower bound is above its upper bound",
                           "evidence.confidence_interval.lower");
    }

    QString error;
    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error))
        return failure("SERVICE_UNAVAILABLE", "the seller database is busy", std::nullopt,
                       "retry the same request");
    std::string supersedes;
    if (args.contains("supersedes_feedback_id")) {
        supersedes = args["supersedes_feedback_id"].get<std::string>();
        QSqlQuery q(storage::connectionFor(task.db));
        if (!execute(q,
                     QStringLiteral(
                         "SELECT superseded_by FROM data_feedback WHERE feedback_id = ? AND principal_id "
                         "= ? AND media_buy_id = ?"),
                     {qs(supersedes), qs(task.principal.id), qs(mediaBuyId)}, &error))
            return failure("SERVICE_UNAVAILABLE", "feedback could not be read: " + error.toStdString());
        if (!q.next())
            return failure("REFERENCE_NOT_FOUND", "no such feedback about this media buy",
                           "supersedes_feedback_id",
                           "name a feedback_id this seller returned for the same media_buy_id");
        if (!q.value(0).isNull())
            return failure("INVALID_STATE",
                           "feedback " + supersedes + " was already superseded by " +
                               q.value(0).toString().toStdString(),
                           "supersedes_feedback_id", "supersede the latest assertion instead");
    }
    const std::string feedbackId = newId("fb");
    const QString receivedAt = isoTime(task.now);
    json stored = args;
    for (const char *envelope : {"idempotency_key", "context", "adcp_version", "adcp_major_version"})
        stored.erase(envelope);
    if (!storage::write(
            task.db,
            QStringLiteral("INSERT INTO data_feedback (feedback_id, principal_id, media_buy_id, "
                           "package_id, creative_id, period_start, period_end, performance_index, "
                           "baseline, supersedes, assertion_json, received_at) VALUES (?, ?, ?, ?, ?, "
                           "?, ?, ?, ?, ?, ?, ?)"),
            {qs(feedbackId), qs(task.principal.id), qs(mediaBuyId),
             args.contains("package_id") ? qs(args["package_id"].get<std::string>()) : QVariant(),
             args.contains("creative_id") ? qs(args["creative_id"].get<std::string>()) : QVariant(),
             isoTime(start), isoTime(end), args["performance_index"].get<double>(),
             args.contains("baseline") ? qs(args["baseline"].get<std::string>()) : QVariant(),
             supersedes.empty() ? QVariant() : qs(supersedes), storage::toText(stored), receivedAt},
            &error) ||
        (!supersedes.empty() &&
         !storage::write(task.db,
                         QStringLiteral("UPDATE data_feedback SET superseded_by = ? WHERE feedback_id = ?"),
                         {qs(feedbackId), qs(supersedes)}, &error)) ||
        !tx.commit(&error))
        return failure("SERVICE_UNAVAILABLE", "feedback could not be stored: " + error.toStdString(),
                       std::nullopt, "retry the same request");
    return adcp::ToolOutcome::success({{"success", true},
                                       {"feedback_id", feedbackId},
                                       {"application_status", "accepted"},
                                       {"received_at", receivedAt.toStdString()}});
}

} // namespace adcp::seller
