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

std::vector<DeadLetter> deadLetters(SellerContext &seller, int limit)
{
    QSqlDatabase db = seller.database();
    return DeadLetters::list(db, limit);
}

} // namespace adcp::seller::backoffice
