// Accounts: a buyer registers the account it buys under (sync_accounts), finds it again (list_accounts), and an
// unknown account is refused as ACCOUNT_NOT_FOUND. Later suites buy under the synced account.
#include "suitehelpers.h"

namespace adcp::lab {

using nlohmann::json;
using namespace suites;

namespace {

std::optional<StepOutcome> needsAccounts(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return na;
    if (ctx.state().value("accounts_unsupported", false))
        return StepOutcome::notApplicable(QStringLiteral("the agent has no sync_accounts tool"));
    return std::nullopt;
}

StepOutcome syncAccount(LabContext &ctx)
{
    if (auto na = needsAccounts(ctx))
        return *na;
    json entry = naturalAccount(ctx);
    entry["billing"] = "operator";
    const ToolOutcome answer = ctx.call(QStringLiteral("sync_accounts"),
                                        {{"idempotency_key", LabContext::newKey()}, {"accounts", json::array({entry})}});
    if (LabContext::isUnknownTool(answer)) {
        ctx.state()["accounts_unsupported"] = true;
        return StepOutcome::notApplicable(QStringLiteral("the agent has no sync_accounts tool: ") + describe(answer));
    }
    if (!answer.ok())
        return StepOutcome::fail(QStringLiteral("sync_accounts failed: ") + describe(answer));
    const json accounts = array(answer.result, "accounts");
    if (accounts.empty())
        return StepOutcome::fail(QStringLiteral("sync_accounts answered no per-account result"));
    const std::string action = text(accounts[0], "action");
    if (action != "created" && action != "updated" && action != "unchanged") {
        QStringList why;
        for (const auto &e : array(accounts[0], "errors"))
            why << str(text(e, "code")) + QStringLiteral(": ") + str(text(e, "message"));
        return StepOutcome::fail(QStringLiteral("the account was answered '%1'%2")
                                     .arg(str(action), why.isEmpty() ? QString() : QStringLiteral(" (") + why.join(u"; ") + u')'));
    }
    const std::string id = text(accounts[0], "account_id");
    if (id.empty())
        return StepOutcome::fail(QStringLiteral("the synced account has no account_id"));
    ctx.setAccount({{"account_id", id}});
    ctx.state()["account_id"] = id;
    return StepOutcome::pass(QStringLiteral("account %1 %2, status %3")
                                 .arg(str(id), str(action), str(text(accounts[0], "status"))));
}

StepOutcome listIncludesSynced(LabContext &ctx)
{
    if (auto na = needsAccounts(ctx))
        return *na;
    if (auto missing = needsState(ctx, "account_id", "sync_account"))
        return *missing;
    const std::string id = ctx.state()["account_id"].get<std::string>();
    const ToolOutcome answer = ctx.call(QStringLiteral("list_accounts"), json::object());
    if (LabContext::isUnknownTool(answer))
        return StepOutcome::notApplicable(QStringLiteral("the agent has no list_accounts tool"));
    if (!answer.ok())
        return StepOutcome::fail(QStringLiteral("list_accounts failed: ") + describe(answer));
    for (const auto &account : array(answer.result, "accounts"))
        if (text(account, "account_id") == id)
            return StepOutcome::pass(QStringLiteral("listed"));
    return StepOutcome::fail(QStringLiteral("list_accounts does not list the account just synced (%1)").arg(str(id)));
}

// Whether the agent says account-scoped calls need an account it knows (operator-owned accounts, or an account
// before products). Otherwise the spec lets it provision buyer-declared accounts on first use.
bool requiresKnownAccounts(LabContext &ctx)
{
    const json &caps = ctx.capabilities();
    const auto account = caps.find("account");
    if (account == caps.end() || !account->is_object())
        return false;
    const auto flag = [&](const char *key) {
        const auto it = account->find(key);
        return it != account->end() && it->is_boolean() && it->get<bool>();
    };
    return flag("require_operator_auth") || flag("required_for_products");
}

StepOutcome unknownAccountRefused(LabContext &ctx)
{
    if (auto na = needsAccounts(ctx))
        return *na;
    const ToolOutcome answer = ctx.call(QStringLiteral("get_media_buys"),
                                        {{"account", {{"account_id", "lab_unknown_" + LabContext::newKey()}}}});
    if (answer.ok()) {
        if (requiresKnownAccounts(ctx))
            return StepOutcome::fail(QStringLiteral("a read under an account that does not exist succeeded, although "
                                                    "the agent declares that accounts must be known"));
        if (!array(answer.result, "media_buys").empty())
            return StepOutcome::fail(QStringLiteral("an account the lab never registered shows media buys"));
        return StepOutcome::pass(QStringLiteral("the agent provisions buyer-declared accounts on first use "
                                                "(require_operator_auth false): the unknown account shows no buys"));
    }
    if (!hasCode(answer, "ACCOUNT_NOT_FOUND"))
        return StepOutcome::fail(QStringLiteral("expected ACCOUNT_NOT_FOUND, got ") + describe(answer));
    return StepOutcome::pass(describe(answer));
}

} // namespace

LabSuite accountsSuite()
{
    return {QStringLiteral("accounts"),
            QStringLiteral("Accounts"),
            {{QStringLiteral("sync_account"), QStringLiteral("An account is registered with sync_accounts"),
              syncAccount},
             {QStringLiteral("list_includes_synced"), QStringLiteral("list_accounts lists it"), listIncludesSynced},
             {QStringLiteral("unknown_account_refused"), QStringLiteral("An unknown account is ACCOUNT_NOT_FOUND"),
              unknownAccountRefused}}};
}

} // namespace adcp::lab
