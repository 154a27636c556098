#include "accountresolution.h"

#include "domain/accountstore.h"
#include "storage/database.h"
#include "taskcontext.h"

#include <map>
#include <string>

namespace adcp::seller {

using nlohmann::json;

namespace {

// One answer for every reference that does not resolve for this caller, unknown or foreign alike: nothing in
// it depends on what the seller holds.
adcp::ToolOutcome notFound()
{
    return failure(
        "ACCOUNT_NOT_FOUND", "the account reference does not resolve to an account of this caller", "account",
        "register the account with sync_accounts (brand, operator, billing) or find its account_id "
        "with list_accounts, then pass it as account");
}

adcp::ToolOutcome gated(const Account &account, AccountUse use)
{
    const std::string &s = account.status;
    if (s == "suspended")
        return failure("ACCOUNT_SUSPENDED", "account " + account.accountId + " is suspended", "account");
    if (s == "pending_approval") {
        auto outcome = failure("ACCOUNT_SETUP_REQUIRED",
                               "account " + account.accountId + " awaits the seller's approval", "account",
                               "poll list_accounts until the account is active");
        const json details = {{"setup_steps", {"the seller reviews and approves the account"}}};
        outcome.error->details = details;
        outcome.result["errors"][0]["details"] = details;
        return outcome;
    }
    if (s == "closed" || s == "rejected")
        return failure("INVALID_STATE", "account " + account.accountId + " is " + s, "account",
                       "use another account (list_accounts)");
    if (s == "payment_required" && use == AccountUse::Buy)
        return failure("ACCOUNT_PAYMENT_REQUIRED",
                       "account " + account.accountId + " has an outstanding balance", "account");
    return adcp::ToolOutcome::success(json::object());
}

// An account made on first use (without --require-accounts): active, keyed by what the reference gave.
Account provision(const TaskContext &task, const json &ref)
{
    Account a;
    a.principalId = task.principal.id;
    if (ref.contains("account_id")) {
        // An id-only reference names no advertiser, so the account has no natural key to collide with; a
        // sandbox principal's ids name sandbox accounts.
        a.accountId = ref["account_id"].get<std::string>();
        a.sandbox = task.principal.sandbox;
    } else {
        const NaturalKey key = NaturalKey::fromJson(ref);
        a.accountId = newId("acc");
        a.brand = key.brand;
        a.operatorDomain = key.operatorDomain;
        a.operatorUnitId = key.operatorUnitId;
        a.currency = key.currency;
        a.timezone = key.timezone;
        a.sandbox = key.sandbox;
    }
    a.name = a.brand.value("domain", a.accountId);
    return a;
}

} // namespace

AccountUse accountUseOf(std::string_view tool)
{
    static const std::map<std::string_view, AccountUse> uses = {
        {"get_products", AccountUse::Read},           {"get_media_buys", AccountUse::Read},
        {"get_media_buy_delivery", AccountUse::Read}, {"list_creatives", AccountUse::Read},
        {"request_proposals", AccountUse::Read},      {"create_media_buy", AccountUse::Buy},
        {"accept_proposal", AccountUse::Buy},         {"update_media_buy", AccountUse::Write},
        {"sync_creatives", AccountUse::Write},        {"get_account_financials", AccountUse::Existing},
        {"sync_audiences", AccountUse::Write},        {"sync_event_sources", AccountUse::Write},
        {"list_products", AccountUse::Read},          {"buy_products", AccountUse::Buy},
        {"control_media_buy", AccountUse::Write},
        {"sync_catalogs", AccountUse::Write},
    };
    const auto it = uses.find(tool);
    return it == uses.end() ? AccountUse::None : it->second;
}

std::optional<adcp::ToolOutcome> resolveAccount(TaskContext &task, const json &args, AccountUse use)
{
    if (use == AccountUse::None)
        return std::nullopt;
    const auto it = args.find("account");
    if (it == args.end() || !it->is_object()) {
        if (task.options.requireAccounts || use == AccountUse::Existing)
            return notFound();
        return std::nullopt;
    }
    const json &ref = *it;
    QString error;
    std::optional<Account> account;
    if (ref.contains("account_id") && ref["account_id"].is_string()) {
        account =
            AccountStore::find(task.db, task.principal.id, ref["account_id"].get<std::string>(), &error);
    } else {
        auto matches = AccountStore::match(task.db, task.principal.id, NaturalKey::fromJson(ref), &error);
        if (matches.size() > 1)
            return failure("ACCOUNT_AMBIGUOUS", "the natural key fits more than one account of this caller",
                           "account", "pass the account_id, or the operator_unit, currency or timezone too");
        if (matches.size() == 1)
            account = std::move(matches.front());
    }
    if (!error.isEmpty())
        return failure("SERVICE_UNAVAILABLE",
                       "the seller could not read its accounts: " + error.toStdString());
    if (!account) {
        if (task.options.requireAccounts || use == AccountUse::Existing)
            return notFound();
        Account fresh = provision(task, ref);
        // Reads never write: an unknown account simply has nothing yet.
        if (use == AccountUse::Read) {
            task.account = std::move(fresh);
            return std::nullopt;
        }
        // Two calls of the same caller naming a new natural key at once (a window reading audiences and event
        // sources together) must provision one account, not two: the check is made again under the write
        // lock, and the second call finds the first one's row.
        storage::WriteTransaction tx(task.db);
        if (tx.begin(&error)) {
            std::vector<Account> matches;
            if (!ref.contains("account_id"))
                matches = AccountStore::match(task.db, task.principal.id, NaturalKey::fromJson(ref), &error);
            if (error.isEmpty() && matches.size() == 1) {
                tx.rollback();
                account = std::move(matches.front());
            } else if (error.isEmpty() && matches.empty() &&
                       AccountStore::insert(task.db, fresh, task.now, &error) && tx.commit(&error)) {
                task.account = std::move(fresh);
                return std::nullopt;
            }
        }
        // A concurrent call of the same caller may have provisioned it first: use that row.
        QString again;
        if (account) {
            // found under the write lock above
        } else if (ref.contains("account_id")) {
            account = AccountStore::find(task.db, task.principal.id, fresh.accountId, &again);
        } else if (auto matches =
                       AccountStore::match(task.db, task.principal.id, NaturalKey::fromJson(ref), &again);
                   matches.size() == 1) {
            account = std::move(matches.front());
        }
        if (!account)
            return failure("SERVICE_UNAVAILABLE",
                           "the seller could not record the account: " + error.toStdString(), std::nullopt,
                           "retry the same request");
    }
    if (use != AccountUse::Read && use != AccountUse::Existing) {
        if (auto refused = gated(*account, use); !refused.ok())
            return refused;
    }
    task.account = std::move(account);
    return std::nullopt;
}

} // namespace adcp::seller
