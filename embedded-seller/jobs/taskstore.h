#pragma once

#include "adcperror.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace adcp::seller {

// AdCP tasks (get_task_status, list_tasks): every submitted operation and every mutating call of execution's
// tools, with their history and terminal result. A status change of a task registered with a
// push_notification_config leaves as a task webhook.
class TaskStore final
{
public:
    static std::string newTaskId();
    static bool create(QSqlDatabase &db, const std::string &principalId, const std::string &taskId,
                       const std::string &taskType, const std::string &status, const std::string &mediaBuyId,
                       const nlohmann::json &request, const nlohmann::json &result, const QDateTime &now,
                       QString *error);
    // Moves a task to a new status; terminal statuses record completed_at and the result (or error).
    static bool transition(QSqlDatabase &db, const std::string &principalId, const std::string &taskId,
                           const std::string &status, const nlohmann::json &result,
                           const nlohmann::json &error, const QDateTime &now, QString *sqlError);
    // get_task_status's response object, or null when the principal has no such task.
    static nlohmann::json status(QSqlDatabase &db, const std::string &principalId, const std::string &taskId,
                                 bool includeHistory, bool includeResult);
    // list_tasks's response object, or INVALID_REQUEST on a cursor this seller did not hand out.
    static adcp::ToolOutcome list(QSqlDatabase &db, const std::string &principalId,
                                  const nlohmann::json &arguments);
    static std::optional<std::string> currentStatus(QSqlDatabase &db, const std::string &principalId,
                                                    const std::string &taskId);
    static bool isTerminal(const std::string &status);
};

} // namespace adcp::seller
