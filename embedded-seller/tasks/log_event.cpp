#include "taskcontext.h"

#include "datasync/eventsources.h"
#include "monitoring/dependencyhealth.h"
#include "storage/database.h"

#include <set>

namespace adcp::seller {

using nlohmann::json;

namespace {

// Events older than this are refused one by one: attribution windows have closed on them.
constexpr qint64 kMaxEventAgeDays = 28;
// Clock skew tolerated for an event time ahead of the seller's clock.
constexpr qint64 kFutureSkewSeconds = 300;

} // namespace

// Stores a batch of events against one of the caller's event sources. Each event is kept once per event_id
// (a repeat is counted as received, not processed, and reported in warnings); an event too old, in the future
// or of a type the source does not track is a partial failure and is not kept. Events with test_event_code
// are validated and kept as test events, which never count toward the source's health. The source's health
// follows the events of the last 24 hours; a move changes the impairments of buys optimizing toward it.
adcp::ToolOutcome logEvent(TaskContext &task, const json &args)
{
    const std::string sourceId = args.value("event_source_id", std::string());
    const auto source = DependencyHealth::resource(task.db, task.principal.id, "event_source", sourceId);
    // A source nobody configured (or another principal's) answers the same.
    if (!source || !source->detail.is_object())
        return failure("REFERENCE_NOT_FOUND", "no such event source", "event_source_id",
                       "configure the source with sync_event_sources first");
    const bool test = args.contains("test_event_code");
    std::set<std::string> tracked;
    for (const auto &t : source->detail.value("event_types", json::array()))
        if (t.is_string())
            tracked.insert(t.get<std::string>());

    QString error;
    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error))
        return failure("SERVICE_UNAVAILABLE", "the seller database is busy", std::nullopt,
                       "retry the same request");
    const auto dbFailure = [&] {
        return failure("SERVICE_UNAVAILABLE", "events could not be stored: " + error.toStdString(),
                       std::nullopt, "retry the same request");
    };

    const json &events = args["events"];
    json partialFailures = json::array();
    int processed = 0;
    int duplicates = 0;
    int matched = 0;
    for (const auto &event : events) {
        const std::string id = event.value("event_id", std::string());
        const std::string type = event.value("event_type", std::string());
        const QDateTime at = QDateTime::fromString(
            QString::fromStdString(event.value("event_time", std::string())), Qt::ISODateWithMs);
        const auto refuse = [&](const char *code, std::string message) {
            partialFailures.push_back({{"event_id", id}, {"code", code}, {"message", std::move(message)}});
        };
        if (!at.isValid()) {
            refuse("INVALID_REQUEST", "event_time is not an ISO 8601 date-time");
            continue;
        }
        if (at > task.now.addSecs(kFutureSkewSeconds)) {
            refuse("INVALID_REQUEST", "event_time " + isoTime(at).toStdString() + " is in the future");
            continue;
        }
        if (at < task.now.addDays(-kMaxEventAgeDays)) {
            refuse("INVALID_REQUEST", "event_time " + isoTime(at).toStdString() + " is more than " +
                                          std::to_string(kMaxEventAgeDays) + " days old");
            continue;
        }
        if (!tracked.empty() && !tracked.count(type)) {
            refuse("INVALID_REQUEST", "event source " + sourceId + " does not track " + type + " events");
            continue;
        }
        const bool userMatched = eventsources::userMatches(event);
        bool inserted = false;
        if (!eventsources::storeEvent(task.db, task.principal.id, sourceId, event, test, userMatched,
                                      task.now, &inserted, &error))
            return dbFailure();
        if (!inserted) {
            ++duplicates;
            continue;
        }
        ++processed;
        matched += userMatched ? 1 : 0;
    }

    if (!test && processed > 0) {
        const auto activity = eventsources::activity(task.db, task.principal.id, sourceId, task.now, &error);
        if (!activity)
            return dbFailure();
        // A seller's verdict of insufficient is lifted by events flowing again; the seller's own source keeps
        // the health the seller gives it.
        const std::string health = eventsources::healthFor(*activity);
        if (source->detail.value("managed_by", std::string()) != "seller" && health != source->status &&
            !DependencyHealth::setStatus(task.db, task.principal.id, "event_source", sourceId, health,
                                         task.now, {}, {}, nullptr, &error))
            return dbFailure();
    }
    if (!tx.commit(&error))
        return dbFailure();

    json result = {{"events_received", int(events.size())}, {"events_processed", processed}};
    if (!partialFailures.empty())
        result["partial_failures"] = std::move(partialFailures);
    json warnings = json::array();
    if (duplicates > 0)
        warnings.push_back(std::to_string(duplicates) + " event(s) with an event_id already logged for this "
                                                        "source were ignored");
    if (test)
        warnings.push_back(
            "test events (test_event_code): validated and kept apart; they do not count toward "
            "the source's health or attribution");
    if (processed > 0) {
        const double quality = double(matched) / double(processed);
        result["match_quality"] = quality;
        if (quality < 0.3)
            warnings.push_back("low match quality: send hashed_email, hashed_phone or a click_id with each "
                               "event");
    }
    if (!warnings.empty())
        result["warnings"] = std::move(warnings);
    return adcp::ToolOutcome::success(std::move(result));
}

} // namespace adcp::seller
