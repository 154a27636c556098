#include "taskcontext.h"

#include "accountresolution.h"
#include "domain/mediabuystore.h"
#include "storage/database.h"

#include <algorithm>

namespace adcp::seller {

using nlohmann::json;

namespace {

// The record's account, or the error that names it. Another principal's account is as unknown as one that
// does not exist, and usage is never what provisions an account.
std::optional<Account> recordAccount(TaskContext &task, const json &record, const std::string &field,
                                     std::vector<adcp::AdcpError> &errors)
{
    TaskContext scoped = task;
    scoped.account.reset();
    if (auto refused = resolveAccount(scoped, record, AccountUse::Existing)) {
        adcp::AdcpError e = *refused->error;
        e.field = field + ".account";
        errors.push_back(std::move(e));
        return std::nullopt;
    }
    return scoped.account;
}

// A refusal still answers `accepted` (zero), which the response schema requires of every answer.
adcp::ToolOutcome refused(std::vector<adcp::AdcpError> errors)
{
    auto outcome = failureWithErrors(std::move(errors));
    outcome.result["accepted"] = 0;
    return outcome;
}

} // namespace

// All or nothing: a batch with one bad record is refused whole, each bad record named, and nothing is kept,
// so a corrected retry cannot count the good records twice.
adcp::ToolOutcome reportUsage(TaskContext &task, const json &args)
{
    const json &period = args["reporting_period"];
    const QDateTime start =
        QDateTime::fromString(QString::fromStdString(period.value("start", "")), Qt::ISODateWithMs);
    const QDateTime end =
        QDateTime::fromString(QString::fromStdString(period.value("end", "")), Qt::ISODateWithMs);
    if (!start.isValid() || !end.isValid() || end < start)
        return refused({adcp::AdcpError::make(
            "INVALID_REQUEST", "reporting_period.end must not be before reporting_period.start",
            std::string("reporting_period.end"))});
    const json &usage = args["usage"];
    std::vector<adcp::AdcpError> errors;
    std::vector<Account> accounts;
    for (size_t i = 0; i < usage.size(); ++i) {
        const std::string field = "usage[" + std::to_string(i) + "]";
        auto account = recordAccount(task, usage[i], field, errors);
        if (!account)
            continue;
        const auto buy = usage[i].find("media_buy_id");
        if (buy != usage[i].end() &&
            !(MediaBuyStore::find(task.db, task.principal.id, buy->get<std::string>(), nullptr).is_object() &&
              AccountStore::mediaBuyVisible(task.db, task.principal.id, buy->get<std::string>(),
                                            account->accountId)))
            errors.push_back(adcp::AdcpError::make(
                "MEDIA_BUY_NOT_FOUND", "no media buy " + buy->get<std::string>() + " under this account",
                field + ".media_buy_id"));
        accounts.push_back(std::move(*account));
    }
    if (!errors.empty())
        return refused(std::move(errors));
    QString error;
    storage::WriteTransaction tx(task.db);
    bool stored = tx.begin(&error);
    for (size_t i = 0; stored && i < usage.size(); ++i)
        stored = AccountStore::recordUsage(task.db, task.principal.id, accounts[i].accountId, usage[i],
                                           period, task.now, &error);
    if (!stored || !tx.commit(&error))
        return failure("SERVICE_UNAVAILABLE", "the usage could not be stored: " + error.toStdString(),
                       std::nullopt, "retry the same request");
    json result = {{"accepted", usage.size()}};
    if (std::all_of(accounts.begin(), accounts.end(), [](const Account &a) { return a.sandbox; }))
        result["sandbox"] = true;
    return adcp::ToolOutcome::success(std::move(result));
}

} // namespace adcp::seller
