#include "taskstore.h"

#include "storage/database.h"
#include "webhooks/webhookoutbox.h"
#include "wire/jsonread.h"

#include <QSqlQuery>
#include <QUuid>

#include <cstdint>
#include <set>

namespace adcp::seller {

using storage::execute;
using storage::qs;

namespace {

const QString kColumns =
    QStringLiteral("task_id, task_type, status, media_buy_id, request_json, result_json, "
                   "error_json, push_config, history_json, created_at, updated_at, "
                   "completed_at");

nlohmann::json row(const storage::Read &q, bool includeHistory, bool includeResult)
{
    nlohmann::json task = {{"task_id", q.value(0).toString().toStdString()},
                           {"task_type", q.value(1).toString().toStdString()},
                           {"protocol", "media-buy"},
                           {"domain", "media-buy"},
                           {"status", q.value(2).toString().toStdString()},
                           {"created_at", q.value(9).toString().toStdString()},
                           {"updated_at", q.value(10).toString().toStdString()},
                           {"has_webhook", !q.value(7).isNull()}};
    if (!q.value(11).isNull())
        task["completed_at"] = q.value(11).toString().toStdString();
    const nlohmann::json error = storage::fromText(q.value(6).toString());
    if (error.is_object())
        task["error"] = {{"code", wire::JsonRef(error)["code"].string().valueOr(std::string())},
                         {"message", wire::JsonRef(error)["message"].string().valueOr(std::string())}};
    if (includeHistory)
        task["history"] = storage::fromText(q.value(8).toString());
    if (includeResult && TaskStore::isTerminal(task["status"].get<std::string>())) {
        const nlohmann::json result = storage::fromText(q.value(5).toString());
        if (!result.is_null())
            task["result"] = result;
        else if (error.is_object())
            task["result"] = {{"errors", nlohmann::json::array({error})}};
    }
    return task;
}

} // namespace

std::string TaskStore::newTaskId()
{
    return "task_" + QUuid::createUuid().toString(QUuid::Id128).left(20).toStdString();
}

bool TaskStore::isTerminal(const std::string &status)
{
    return status == "completed" || status == "failed" || status == "canceled" || status == "rejected";
}

bool TaskStore::create(QSqlDatabase &db, const std::string &principalId, const std::string &taskId,
                       const std::string &taskType, const std::string &status, const std::string &mediaBuyId,
                       const nlohmann::json &request, const nlohmann::json &result, const QDateTime &now,
                       QString *error)
{
    const nlohmann::json push =
        request.is_object() ? request.value("push_notification_config", nlohmann::json()) : nlohmann::json();
    nlohmann::json history = nlohmann::json::array();
    history.push_back(
        {{"timestamp", storage::isoTimeMs(now).toStdString()}, {"type", "request"}, {"data", request}});
    if (!result.is_null())
        history.push_back(
            {{"timestamp", storage::isoTimeMs(now).toStdString()}, {"type", "response"}, {"data", result}});
    return storage::write(
        db,
        QStringLiteral("INSERT INTO exec_tasks (task_id, principal_id, task_type, status, media_buy_id, "
                       "request_json, result_json, push_config, history_json, created_at, updated_at, "
                       "completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        {qs(taskId), qs(principalId), qs(taskType), qs(status),
         mediaBuyId.empty() ? QVariant() : qs(mediaBuyId), storage::toText(request),
         result.is_null() ? QVariant() : storage::toText(result),
         push.is_null() ? QVariant() : storage::toText(push), storage::toText(history),
         storage::isoTimeMs(now), storage::isoTimeMs(now),
         isTerminal(status) ? QVariant(storage::isoTimeMs(now)) : QVariant()},
        error);
}

std::optional<std::string> TaskStore::currentStatus(QSqlDatabase &db, const std::string &principalId,
                                                    const std::string &taskId)
{
    storage::Read q(db,
                    QStringLiteral("SELECT status FROM exec_tasks WHERE principal_id = ? AND task_id = ?"),
                    {qs(principalId), qs(taskId)}, nullptr);
    if (!q || !q.next())
        return std::nullopt;
    return q.value(0).toString().toStdString();
}

bool TaskStore::transition(QSqlDatabase &db, const std::string &principalId, const std::string &taskId,
                           const std::string &status, const nlohmann::json &result,
                           const nlohmann::json &error, const QDateTime &now, QString *sqlError)
{
    storage::Read q(
        db,
        QStringLiteral("SELECT task_type, history_json, push_config FROM exec_tasks WHERE principal_id = ? "
                       "AND task_id = ?"),
        {qs(principalId), qs(taskId)}, sqlError);
    if (!q)
        return false;
    if (!q.next()) {
        if (sqlError)
            *sqlError = QStringLiteral("unknown task %1").arg(qs(taskId));
        return false;
    }
    const std::string taskType = q.value(0).toString().toStdString();
    nlohmann::json history = storage::fromText(q.value(1).toString());
    if (!history.is_array())
        history = nlohmann::json::array(); // an unreadable stored history starts again rather than throwing
    const nlohmann::json push = storage::fromText(q.value(2).toString());
    q.finish();
    nlohmann::json data = {{"status", status}};
    if (!result.is_null())
        data["result"] = result;
    if (!error.is_null())
        data["error"] = error;
    history.push_back(
        {{"timestamp", storage::isoTimeMs(now).toStdString()}, {"type", "response"}, {"data", data}});
    if (!storage::write(
            db,
            QStringLiteral(
                "UPDATE exec_tasks SET status = ?, result_json = COALESCE(?, result_json), error_json "
                "= COALESCE(?, error_json), history_json = ?, updated_at = ?, completed_at = ? WHERE "
                "principal_id = ? AND task_id = ?"),
            {qs(status), result.is_null() ? QVariant() : storage::toText(result),
             error.is_null() ? QVariant() : storage::toText(error), storage::toText(history),
             storage::isoTimeMs(now), isTerminal(status) ? QVariant(storage::isoTimeMs(now)) : QVariant(),
             qs(principalId), qs(taskId)},
            sqlError))
        return false;
    const auto target = WebhookTarget::fromConfig(push);
    if (!target)
        return true;
    OutboxEvent event;
    event.principalId = principalId;
    event.target = *target;
    event.eventType = "task";
    event.coalesceKey = "task:" + taskId;
    // A terminal task has one logical terminal event; earlier states are progress.
    if (isTerminal(status))
        event.notificationId = taskId + ".terminal";
    event.taskId = taskId;
    event.taskType = taskType;
    event.status = status;
    event.message = "Task " + taskId + " is " + status;
    if (!result.is_null())
        event.result = result;
    else if (!error.is_null())
        event.result = {{"errors", nlohmann::json::array({error})}};
    event.timestamp = now;
    return WebhookOutbox::enqueue(db, event, sqlError);
}

nlohmann::json TaskStore::status(QSqlDatabase &db, const std::string &principalId, const std::string &taskId,
                                 bool includeHistory, bool includeResult)
{
    storage::Read q(db,
                    QStringLiteral("SELECT ") + kColumns +
                        QStringLiteral(" FROM exec_tasks WHERE principal_id = ? AND task_id = ?"),
                    {qs(principalId), qs(taskId)}, nullptr);
    if (!q || !q.next())
        return nullptr;
    return row(q, includeHistory, includeResult);
}

namespace {

// list_tasks's cursor is the decimal offset this seller handed out; anything else is refused before work.
constexpr std::int64_t kMaxTaskOffset = 1'000'000'000;

std::optional<int> taskOffset(const wire::JsonRef &cursor, adcp::AdcpError *error)
{
    const auto text = cursor.string(16);
    if (text.isAbsent())
        return 0;
    bool digits = text.ok() && !text->empty() && text->size() <= 10;
    for (const char c : text.valueOr(std::string()))
        digits = digits && c >= '0' && c <= '9';
    const std::int64_t value = digits ? std::stoll(*text) : -1;
    if (value < 0 || value > kMaxTaskOffset) {
        *error = adcp::AdcpError::make("INVALID_REQUEST", "pagination.cursor is not a cursor of this listing",
                                       "pagination.cursor", "start again without a cursor");
        return std::nullopt;
    }
    return int(value);
}

void insertStrings(const wire::JsonRef &value, std::set<std::string> &into)
{
    if (const auto one = value.string(); one.ok())
        into.insert(*one);
    for (const auto &item : value.items()) {
        if (const auto text = item.string(); text.ok())
            into.insert(*text);
    }
}

} // namespace

adcp::ToolOutcome TaskStore::list(QSqlDatabase &db, const std::string &principalId,
                                  const nlohmann::json &arguments)
{
    const wire::JsonRef args(arguments);
    const wire::JsonRef filters = args["filters"];
    std::set<std::string> statuses;
    std::set<std::string> types;
    std::set<std::string> ids;
    insertStrings(filters["status"], statuses);
    insertStrings(filters["statuses"], statuses);
    insertStrings(filters["task_type"], types);
    insertStrings(filters["task_types"], types);
    insertStrings(filters["task_ids"], ids);
    const bool includeHistory = args["include_history"].boolean().valueOr(false);
    const int maxResults = int(args["pagination"]["max_results"].integer(1, 100).valueOr(50));
    adcp::AdcpError cursorError;
    const auto offsetRead = taskOffset(args["pagination"]["cursor"], &cursorError);
    if (!offsetRead)
        return adcp::ToolOutcome::failure(std::move(cursorError));
    const int offset = *offsetRead;
    const bool ascending = args["sort"]["direction"].string().valueOr("desc") == "asc";

    storage::Read q(db,
                    QStringLiteral("SELECT ") + kColumns +
                        QStringLiteral(" FROM exec_tasks WHERE principal_id = ? ORDER BY created_at ") +
                        (ascending ? QStringLiteral("ASC") : QStringLiteral("DESC")) +
                        QStringLiteral(", task_id"),
                    {qs(principalId)}, nullptr);
    if (!q)
        return adcp::ToolOutcome::success({{"query_summary", {{"total_matching", 0}, {"returned", 0}}},
                                           {"tasks", nlohmann::json::array()},
                                           {"pagination", {{"has_more", false}}}});
    nlohmann::json matching = nlohmann::json::array();
    nlohmann::json statusBreakdown = nlohmann::json::object();
    while (q.next()) {
        nlohmann::json task = row(q, includeHistory, false);
        task.erase("protocol");
        const wire::JsonRef read(task);
        const std::string status = read["status"].string().valueOr(std::string());
        if (!statuses.empty() && !statuses.count(status))
            continue;
        if (!types.empty() && !types.count(read["task_type"].string().valueOr(std::string())))
            continue;
        if (!ids.empty() && !ids.count(read["task_id"].string().valueOr(std::string())))
            continue;
        statusBreakdown[status] = wire::JsonRef(statusBreakdown)[status].integer().valueOr(0) + 1;
        matching.push_back(std::move(task));
    }
    nlohmann::json page = nlohmann::json::array();
    for (int i = offset; i < int(matching.size()) && int(page.size()) < maxResults; ++i)
        page.push_back(matching[size_t(i)]);
    const bool hasMore = offset + int(page.size()) < int(matching.size());
    nlohmann::json result = {{"query_summary",
                              {{"total_matching", matching.size()},
                               {"returned", page.size()},
                               {"domain_breakdown", {{"media-buy", matching.size()}}},
                               {"status_breakdown", statusBreakdown}}},
                             {"tasks", page},
                             {"pagination", {{"has_more", hasMore}, {"total_count", matching.size()}}}};
    if (hasMore)
        result["pagination"]["cursor"] = std::to_string(offset + int(page.size()));
    return adcp::ToolOutcome::success(std::move(result));
}

} // namespace adcp::seller
