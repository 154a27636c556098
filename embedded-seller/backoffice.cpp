#include "backoffice.h"

#include "domain/accountstore.h"
#include "domain/catalog.h"
#include "domain/proposalstore.h"
#include "jobs/execution.h"
#include "monitoring/dependencyhealth.h"
#include "sellercontext.h"
#include "storage/database.h"

#include <algorithm>
#include <optional>

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
            DependencyHealth::resourceStatuses(db, principalId),
            DependencyHealth::resourceNames(db, principalId)};
}

void describeTasks(SellerContext &seller, const std::string &principalId, nlohmann::json &tasks)
{
    if (!tasks.is_array())
        return;
    QSqlDatabase db = seller.database();
    const std::shared_ptr<const Catalog> catalog = seller.catalog();
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
        nlohmann::json request = storage::fromText(q.value(1).toString());
        if (!request.is_object())
            continue;
        // Names for the ids the request gives, as the seller's own records have them: the proposal's, the
        // products' from the catalog.
        nlohmann::json names = nlohmann::json::object();
        if (const auto proposal = request.find("proposal_id");
            proposal != request.end() && proposal->is_string()) {
            if (const auto stored =
                    ProposalStore::find(db, principalId, proposal->get<std::string>(), nullptr);
                stored && stored->current.is_object()) {
                if (const auto name = stored->current.find("name");
                    name != stored->current.end() && name->is_string())
                    names["proposal"] = *name;
            }
        }
        for (const char *list : {"packages", "purchases"}) {
            const auto items = request.find(list);
            if (items == request.end() || !items->is_array())
                continue;
            for (const auto &item : *items) {
                const auto id = item.is_object() ? item.find("product_id") : item.end();
                if (!item.is_object() || id == item.end() || !id->is_string())
                    continue;
                if (const Product *product = catalog ? catalog->find(id->get<std::string>()) : nullptr) {
                    if (const auto name = product->publicJson.find("name");
                        name != product->publicJson.end() && name->is_string())
                        names["products"][id->get<std::string>()] = *name;
                }
            }
        }
        if (!names.empty())
            task["names"] = std::move(names);
        task["params"] = std::move(request);
    }
}

std::vector<PendingAccount> pendingAccounts(SellerContext &seller, int limit)
{
    std::vector<PendingAccount> accounts;
    QSqlDatabase db = seller.database();
    storage::Read q(
        db,
        QStringLiteral("SELECT principal_id, account_id, name, brand_json, created_at FROM accounts "
                       "WHERE status = 'pending_approval' ORDER BY created_at, account_id LIMIT ?"),
        {std::max(limit, 0)}, nullptr);
    if (!q)
        return accounts;
    while (q.next()) {
        // A brand that does not read back as an object names no domain; the row is still shown.
        const nlohmann::json brand = storage::fromText(q.value(3).toString());
        const auto domain = brand.is_object() ? brand.find("domain") : brand.end();
        accounts.push_back(
            {q.value(0).toString().toStdString(), q.value(1).toString().toStdString(),
             q.value(2).toString().toStdString(),
             domain != brand.end() && domain->is_string() ? domain->get<std::string>() : std::string(),
             q.value(4).toString().toStdString()});
    }
    return accounts;
}

bool decideAccount(SellerContext &seller, const std::string &principalId, const std::string &accountId,
                   bool approve, QString *error)
{
    QSqlDatabase db = seller.database();
    storage::WriteTransaction tx(db);
    if (!tx.begin(error))
        return false;
    std::optional<Account> account = AccountStore::find(db, principalId, accountId, error);
    if (!account || account->status != "pending_approval") {
        if (error && error->isEmpty())
            *error =
                account ? QStringLiteral("account %1 is %2, not awaiting approval")
                              .arg(QString::fromStdString(accountId), QString::fromStdString(account->status))
                        : QStringLiteral("account %1 is unknown to this seller")
                              .arg(QString::fromStdString(accountId));
        return false;
    }
    account->status = approve ? "active" : "rejected";
    ++account->revision;
    return AccountStore::update(db, *account, seller.clock().now(), error) && tx.commit(error);
}

AdServerSteps failingAdServerSteps(SellerContext &seller, int limit)
{
    AdServerSteps failing;
    QSqlDatabase db = seller.database();
    {
        // A job back in the queue with an error is one being retried (a transient failure, or reclaimed from
        // a worker that stopped); one running again keeps its last error until it ends.
        storage::Read counts(
            db,
            QStringLiteral(
                "SELECT SUM(CASE WHEN state IN ('pending', 'running') THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) FROM exec_jobs WHERE "
                "(state IN ('pending', 'running') AND last_error IS NOT NULL) OR state = 'failed'"),
            {}, nullptr);
        if (!counts || !counts.next())
            return failing;
        failing.retrying = counts.value(0).toLongLong();
        failing.givenUp = counts.value(1).toLongLong();
    }
    if (failing.retrying + failing.givenUp == 0)
        return failing;
    const std::shared_ptr<const Catalog> catalog = seller.catalog();
    storage::Read q(
        db,
        QStringLiteral(
            "SELECT * FROM (SELECT j.principal_id, j.media_buy_id, j.package_id, p.product_id, j.adapter, "
            "j.step, j.attempts, j.last_error, j.not_before_ms, 0 FROM exec_jobs j LEFT JOIN packages p ON "
            "p.principal_id = j.principal_id AND p.package_id = j.package_id WHERE j.state IN ('pending', "
            "'running') AND j.last_error IS NOT NULL ORDER BY j.not_before_ms, j.job_id LIMIT ?) UNION ALL "
            "SELECT * FROM (SELECT j.principal_id, j.media_buy_id, j.package_id, p.product_id, j.adapter, "
            "j.step, j.attempts, j.last_error, 0, 1 FROM exec_jobs j LEFT JOIN packages p ON p.principal_id "
            "= j.principal_id AND p.package_id = j.package_id WHERE j.state = 'failed' ORDER BY j.job_id "
            "DESC LIMIT ?)"),
        {std::max(limit, 0), std::max(limit, 0)}, nullptr);
    if (!q)
        return failing;
    while (q.next() && int(failing.steps.size()) < limit) {
        AdServerStep step;
        step.principalId = q.value(0).toString().toStdString();
        step.mediaBuyId = q.value(1).toString().toStdString();
        step.packageId = q.value(2).toString().toStdString();
        if (const Product *product = catalog ? catalog->find(q.value(3).toString().toStdString()) : nullptr)
            step.productName = product->publicJson.value("name", std::string());
        step.adapter = q.value(4).toString().toStdString();
        step.step = q.value(5).toString().toStdString();
        step.attempts = q.value(6).toInt();
        step.lastError = q.value(7).toString().toStdString();
        step.nextTryMs = q.value(8).toLongLong();
        step.givenUp = q.value(9).toInt() != 0;
        failing.steps.push_back(std::move(step));
    }
    return failing;
}

std::vector<DeadLetter> deadLetters(SellerContext &seller, int limit)
{
    QSqlDatabase db = seller.database();
    return DeadLetters::list(db, limit);
}

} // namespace adcp::seller::backoffice
