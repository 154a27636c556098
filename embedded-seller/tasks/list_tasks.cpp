#include "taskcontext.h"

#include "jobs/taskstore.h"

namespace adcp::seller {

adcp::ToolOutcome listTasks(TaskContext &task, const nlohmann::json &args)
{
    return TaskStore::list(task.db, task.principal.id, args);
}

} // namespace adcp::seller
