#pragma once

#include "jobs/taskstore.h"
#include "storage/database.h"
#include "taskcontext.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <utility>

namespace adcp::seller {

// The write transaction of a sync_* task (audiences, event sources, creatives, catalogs): every write of the
// call in one transaction, failures of the database answered SERVICE_UNAVAILABLE with "retry the same
// request", and the completed call recorded as a task (visible to list_tasks) in the same commit.
class SyncTransaction final
{
public:
    // `what`: the plural the failure messages name ("audiences could not be stored: …").
    SyncTransaction(TaskContext &task, std::string what)
        : m_task(task), m_what(std::move(what)), m_tx(task.db)
    {}

    // The failure to answer when the transaction cannot begin; nothing otherwise.
    std::optional<adcp::ToolOutcome> begin()
    {
        if (m_tx.begin(&error))
            return std::nullopt;
        return failure("SERVICE_UNAVAILABLE", "the seller database is busy", std::nullopt,
                       "retry the same request");
    }

    // What a failed write answers (`error` says why); rolls back.
    adcp::ToolOutcome dbFailure()
    {
        m_tx.rollback();
        return failure("SERVICE_UNAVAILABLE", m_what + " could not be stored: " + error.toStdString(),
                       std::nullopt, "retry the same request");
    }

    // Records the call as a completed task of type `tool` when `record`, commits, and answers `result`.
    adcp::ToolOutcome finish(const char *tool, const nlohmann::json &args, nlohmann::json result,
                             bool record = true)
    {
        if (record && !TaskStore::create(m_task.db, m_task.principal.id, TaskStore::newTaskId(), tool,
                                         "completed", {}, args, result, m_task.now, &error))
            return dbFailure();
        if (!m_tx.commit(&error))
            return dbFailure();
        return adcp::ToolOutcome::success(std::move(result));
    }

    void rollback() { m_tx.rollback(); }

    QString error; // the last failure's text; writers of the call fill it

private:
    TaskContext &m_task;
    std::string m_what;
    storage::WriteTransaction m_tx;
};

} // namespace adcp::seller
