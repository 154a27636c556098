#include "backoffice.h"

#include "jobs/execution.h"
#include "monitoring/dependencyhealth.h"
#include "sellercontext.h"
#include "storage/database.h"

namespace adcp::seller::backoffice {

bool rejectHeldBuy(SellerContext &seller, const std::string &principalId, const std::string &taskId,
                   const std::string &reason, QString *error)
{
    QSqlDatabase db = seller.database();
    storage::WriteTransaction tx(db);
    return tx.begin(error) &&
           Execution::decide(db, principalId, taskId, false, reason, seller.clock().now(), error) &&
           tx.commit(error);
}

DependencyRecords dependencyRecords(SellerContext &seller, const std::string &principalId)
{
    QSqlDatabase db = seller.database();
    return {DependencyHealth::dependenciesByBuy(db, principalId),
            DependencyHealth::resourceStatuses(db, principalId)};
}

void describeTasks(SellerContext &seller, const std::string &principalId, nlohmann::json &tasks)
{
    if (!tasks.is_array())
        return;
    QSqlDatabase db = seller.database();
    for (auto &task : tasks) {
        const auto id = task.is_object() ? task.find("task_id") : task.end();
        if (!task.is_object() || id == task.end() || !id->is_string())
            continue;
        storage::Read q(
            db,
            QStringLiteral("SELECT media_buy_id, request_json FROM exec_tasks WHERE principal_id = ? "
                           "AND task_id = ?"),
            {storage::qs(principalId), storage::qs(id->get<std::string>())});
        if (!q || !q.next())
            continue;
        if (const QString buy = q.value(0).toString(); !buy.isEmpty())
            task["media_buy_id"] = buy.toStdString();
        // Stored rows are untrusted like any input: a request that does not read back as an object is left
        // out.
        if (nlohmann::json request = storage::fromText(q.value(1).toString()); request.is_object())
            task["params"] = std::move(request);
    }
}

std::vector<DeadLetter> deadLetters(SellerContext &seller, int limit)
{
    QSqlDatabase db = seller.database();
    return DeadLetters::list(db, limit);
}

} // namespace adcp::seller::backoffice
