#include "taskcontext.h"

#include "jobs/taskstore.h"

namespace adcp::seller {

using nlohmann::json;

adcp::ToolOutcome getTaskStatus(TaskContext &task, const json &args)
{
    const std::string taskId = args.value("task_id", std::string());
    json status = TaskStore::status(task.db, task.principal.id, taskId, args.value("include_history", false),
                                    args.value("include_result", false));
    // Unknown and foreign task ids look the same.
    if (status.is_null())
        return failure("REFERENCE_NOT_FOUND", "no such task for this account", "task_id",
                       "list your tasks with list_tasks");
    status.erase("domain");
    return adcp::ToolOutcome::success(std::move(status));
}

} // namespace adcp::seller
