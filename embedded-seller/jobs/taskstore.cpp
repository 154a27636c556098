#include "taskstore.h"

#include "storage/database.h"
#include "webhooks/webhookoutbox.h"

#include <QSqlQuery>
#include <QUuid>

#include <set>

namespace adcp::seller {

using storage::execute;
using storage::qs;

namespace {

QString iso(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

const QString kColumns =
    QStringLiteral("task_id, task_type, status, media_buy_id, request_json, result_json, "
                   "error_json, push_config, history_json, created_at, updated_at, "
                   "completed_at");

nlohmann::json row(QSqlQuery &q, bool includeHistory, bool includeResult)
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
        task["error"] = {{"code", error.value("code", std::string())},
                         {"message", error.value("message", std::string())}};
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
    history.push_back({{"timestamp", iso(now).toStdString()}, {"type", "request"}, {"data", request}});
    if (!result.is_null())
        history.push_back({{"timestamp", iso(now).toStdString()}, {"type", "response"}, {"data", result}});
    QSqlQuery q(db);
    return execute(
        q,
        QStringLiteral("INSERT INTO exec_tasks (task_id, principal_id, task_type, status, media_buy_id, "
                       "request_json, result_json, push_config, history_json, created_at, updated_at, "
                       "completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        {qs(taskId), qs(principalId), qs(taskType), qs(status),
         mediaBuyId.empty() ? QVariant() : qs(mediaBuyId), storage::toText(request),
         result.is_null() ? QVariant() : storage::toText(result),
         push.is_null() ? QVariant() : storage::toText(push), storage::toText(history), iso(now), iso(now),
         isTerminal(status) ? QVariant(iso(now)) : QVariant()},
        error);
}

std::optional<std::string> TaskStore::currentStatus(QSqlDatabase &db, const std::string &principalId,
                                                    const std::string &taskId)
{
    QSqlQuery q(db);
    if (!execute(q, QStringLiteral("SELECT status FROM exec_tasks WHERE principal_id = ? AND task_id = ?"),
                 {qs(principalId), qs(taskId)}, nullptr) ||
        !q.next())
        return std::nullopt;
    return q.value(0).toString().toStdString();
}

bool TaskStore::transition(QSqlDatabase &db, const std::string &principalId, const std::string &taskId,
                           const std::string &status, const nlohmann::json &result,
                           const nlohmann::json &error, const QDateTime &now, QString *sqlError)
{
    QSqlQuery q(db);
    if (!execute(q,
                 QStringLiteral(
                     "SELECT task_type, history_json, push_config FROM exec_tasks WHERE principal_id = ? "
                     "AND task_id = ?"),
                 {qs(principalId), qs(taskId)}, sqlError))
        return false;
    if (!q.next()) {
        if (sqlError)
            *sqlError = QStringLiteral("unknown task %1").arg(qs(taskId));
        return false;
    }
    const std::string taskType = q.value(0).toString().toStdString();
    nlohmann::json history = storage::fromText(q.value(1).toString());
    const nlohmann::json push = storage::fromText(q.value(2).toString());
    q.finish();
    nlohmann::json data = {{"status", status}};
    if (!result.is_null())
        data["result"] = result;
    if (!error.is_null())
        data["error"] = error;
    history.push_back({{"timestamp", iso(now).toStdString()}, {"type", "response"}, {"data", data}});
    QSqlQuery update(db);
    if (!execute(update,
                 QStringLiteral(
                     "UPDATE exec_tasks SET status = ?, result_json = COALESCE(?, result_json), error_json "
                     "= COALESCE(?, error_json), history_json = ?, updated_at = ?, completed_at = ? WHERE "
                     "principal_id = ? AND task_id = ?"),
                 {qs(status), result.is_null() ? QVariant() : storage::toText(result),
                  error.is_null() ? QVariant() : storage::toText(error), storage::toText(history), iso(now),
                  isTerminal(status) ? QVariant(iso(now)) : QVariant(), qs(principalId), qs(taskId)},
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
    QSqlQuery q(db);
    if (!execute(q,
                 QStringLiteral("SELECT ") + kColumns +
                     QStringLiteral(" FROM exec_tasks WHERE principal_id = ? AND task_id = ?"),
                 {qs(principalId), qs(taskId)}, nullptr) ||
        !q.next())
        return nullptr;
    return row(q, includeHistory, includeResult);
}

nlohmann::json TaskStore::list(QSqlDatabase &db, const std::string &principalId,
                               const nlohmann::json &arguments)
{
    const nlohmann::json filters = arguments.value("filters", nlohmann::json::object());
    std::set<std::string> statuses;
    std::set<std::string> types;
    std::set<std::string> ids;
    if (filters.contains("status"))
        statuses.insert(filters["status"].get<std::string>());
    for (const auto &s : filters.value("statuses", nlohmann::json::array()))
        statuses.insert(s.get<std::string>());
    if (filters.contains("task_type"))
        types.insert(filters["task_type"].get<std::string>());
    for (const auto &s : filters.value("task_types", nlohmann::json::array()))
        types.insert(s.get<std::string>());
    for (const auto &s : filters.value("task_ids", nlohmann::json::array()))
        ids.insert(s.get<std::string>());
    const bool includeHistory = arguments.value("include_history", false);
    const nlohmann::json pagination = arguments.value("pagination", nlohmann::json::object());
    const int maxResults = std::clamp(pagination.value("max_results", 50), 1, 100);
    const int offset =
        pagination.contains("cursor") ? std::atoi(pagination["cursor"].get<std::string>().c_str()) : 0;
    const bool ascending =
        arguments.value("sort", nlohmann::json::object()).value("direction", std::string("desc")) == "asc";

    QSqlQuery q(db);
    if (!execute(q,
                 QStringLiteral("SELECT ") + kColumns +
                     QStringLiteral(" FROM exec_tasks WHERE principal_id = ? ORDER BY created_at ") +
                     (ascending ? QStringLiteral("ASC") : QStringLiteral("DESC")) +
                     QStringLiteral(", task_id"),
                 {qs(principalId)}, nullptr))
        return {{"query_summary", {{"total_matching", 0}, {"returned", 0}}},
                {"tasks", nlohmann::json::array()},
                {"pagination", {{"has_more", false}}}};
    nlohmann::json matching = nlohmann::json::array();
    nlohmann::json statusBreakdown = nlohmann::json::object();
    while (q.next()) {
        nlohmann::json task = row(q, includeHistory, false);
        task.erase("protocol");
        if (!statuses.empty() && !statuses.count(task["status"].get<std::string>()))
            continue;
        if (!types.empty() && !types.count(task["task_type"].get<std::string>()))
            continue;
        if (!ids.empty() && !ids.count(task["task_id"].get<std::string>()))
            continue;
        statusBreakdown[task["status"].get<std::string>()] =
            statusBreakdown.value(task["status"].get<std::string>(), 0) + 1;
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
    return result;
}

} // namespace adcp::seller
