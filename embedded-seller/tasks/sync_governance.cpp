#include "accountresolution.h"
#include "taskcontext.h"

#include "domain/accountstore.h"
#include "storage/database.h"

namespace adcp::seller {

using nlohmann::json;

// AdCP 3.0 let an account carry several governance agents, each with the categories it handles; 3.2 binds
// exactly one agent per account and dropped `categories`. A 3.0/3.1 request's categories are informational
// (this seller sends every check to the one agent), so they are set aside before the 3.2 schema sees the
// request; a 3.2 request is validated as it came.
json normalizeSyncGovernance(const json &args)
{
    if (speaksTaskStatusEnvelope(args) || !args.contains("accounts") || !args["accounts"].is_array())
        return args;
    json normalized = args;
    for (auto &entry : normalized["accounts"]) {
        if (!entry.is_object() || !entry.contains("governance_agents") ||
            !entry["governance_agents"].is_array())
            continue;
        for (auto &agent : entry["governance_agents"]) {
            if (agent.is_object() && agent.contains("categories") && agent["categories"].is_array())
                agent.erase("categories");
        }
    }
    return normalized;
}

// Binds (replaces) the governance agent of each listed account of the caller. Each entry succeeds or fails
// on its own: an account the caller does not hold, an address the seller may not call, or an authentication
// scheme it cannot present fails that entry with the reason; the others are stored. Credentials are kept to
// authenticate the seller's check_governance calls and never appear in an answer.
adcp::ToolOutcome syncGovernance(TaskContext &task, const json &args)
{
    // Resolution and the address check (DNS) happen before the write lock is taken.
    std::vector<std::pair<std::string, GovernanceAgent>> bindings;
    const std::optional<Account> callerAccount = task.account;
    json results = json::array();
    const json &entries = args["accounts"];
    for (size_t i = 0; i < entries.size(); ++i) {
        const json &entry = entries[i];
        const std::string field = "accounts[" + std::to_string(i) + "]";
        const json &agentJson = entry["governance_agents"][0];
        json result = {{"account", entry["account"]}};
        auto fail = [&](adcp::AdcpError e) {
            result["status"] = "failed";
            result["errors"] = json::array({e.toJson()});
            results.push_back(std::move(result));
        };

        task.account.reset();
        if (auto refused = resolveAccount(task, {{"account", entry["account"]}}, AccountUse::Existing)) {
            adcp::AdcpError e = *refused->error;
            e.field = field + ".account";
            fail(std::move(e));
            continue;
        }
        GovernanceAgent agent;
        agent.url = agentJson["url"].get<std::string>();
        agent.scheme = agentJson["authentication"]["schemes"][0].get<std::string>();
        agent.credentials = agentJson["authentication"]["credentials"].get<std::string>();
        if (agent.scheme != "Bearer") {
            fail(adcp::AdcpError::make("UNSUPPORTED_FEATURE",
                                       "this seller presents Bearer credentials to governance agents; " +
                                           agent.scheme + " is not supported",
                                       field + ".governance_agents[0].authentication.schemes",
                                       "register the agent with a Bearer credential"));
            continue;
        }
        const auto check = webhookpolicy::checkUrl(
            QString::fromStdString(agent.url), task.options.webhookAddressScope,
            task.options.webhookResolver ? task.options.webhookResolver : webhookpolicy::systemResolve);
        if (check.refused) {
            fail(adcp::AdcpError::make("INVALID_REQUEST",
                                       "the seller may not call this governance agent URL: " +
                                           check.reason.toStdString(),
                                       field + ".governance_agents[0].url",
                                       "register a governance agent on a publicly reachable address"));
            continue;
        }
        bindings.emplace_back(task.account->accountId, agent);
        result["status"] = "synced";
        result["governance_agents"] = json::array({{{"url", agent.url}}});
        results.push_back(std::move(result));
    }
    task.account = callerAccount;
    QString error;
    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error))
        return failure("SERVICE_UNAVAILABLE", "the seller database is busy", std::nullopt,
                       "retry the same request");
    for (const auto &[accountId, agent] : bindings) {
        if (!AccountStore::setGovernanceAgent(task.db, task.principal.id, accountId, agent, task.now, &error))
            return failure("SERVICE_UNAVAILABLE",
                           "the governance agent could not be stored: " + error.toStdString(), std::nullopt,
                           "retry the same request");
    }
    if (!tx.commit(&error))
        return failure("SERVICE_UNAVAILABLE",
                       "the governance agents could not be stored: " + error.toStdString(), std::nullopt,
                       "retry the same request");
    return adcp::ToolOutcome::success({{"accounts", std::move(results)}});
}

} // namespace adcp::seller
