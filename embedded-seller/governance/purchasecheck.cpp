#include "purchasecheck.h"

#include "governanceclient.h"
#include "tasks/taskcontext.h"

namespace adcp::seller {

using nlohmann::json;

namespace {

std::string stringArg(const json &args, const char *member)
{
    const auto it = args.find(member);
    return it != args.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The seller's own agent URL: `caller` and `target_agent` of the checks.
std::string sellerUrl(const TaskContext &task)
{
    return task.options.agentUrl.isEmpty() ? std::string("https://embedded-seller.adcp-workbench.invalid/mcp")
                                           : task.options.agentUrl.toStdString();
}

json plannedDelivery(const PlannedPurchase &p)
{
    json d = {{"total_budget", p.totalBudget},
              {"currency", p.currency},
              {"start_time", isoTime(p.start).toStdString()},
              {"end_time", isoTime(p.end).toStdString()}};
    if (!p.channels.empty())
        d["channels"] = p.channels;
    if (!p.proposalId.empty())
        d["proposal_id"] = p.proposalId;
    return d;
}

} // namespace

std::optional<adcp::ToolOutcome> consultGovernance(TaskContext &task, const json &args,
                                                   const PlannedPurchase &purchase,
                                                   std::string *governanceContext)
{
    if (!task.account)
        return std::nullopt;
    QString dbError;
    const auto agent =
        AccountStore::governanceAgent(task.db, task.principal.id, task.account->accountId, &dbError);
    if (!dbError.isEmpty())
        return failure("SERVICE_UNAVAILABLE",
                       "the seller could not read the account's governance agent: " + dbError.toStdString());
    if (!agent)
        return std::nullopt;

    const std::string context = stringArg(args, "governance_context");
    const std::string planId = stringArg(args, "plan_id");
    // AdCP 3.0/3.1 governance is plan-scoped: a buy that names no plan (plan_id) and carries no
    // governance_context is not a governed purchase, and the account's agent is not consulted. From 3.2 the
    // binding is account-scoped: every purchase for the account needs the agent's authorization.
    if (context.empty() && planId.empty() && !speaksTaskStatusEnvelope(args))
        return std::nullopt;
    if (context.empty() && planId.empty())
        return failure(
            "PERMISSION_DENIED",
            "purchases for account " + task.account->accountId +
                " are governed: the request carries no governance_context from its governance agent",
            "governance_context",
            "call check_governance on your governance agent for this buy and send the "
            "governance_context it approves (AdCP 3.0 buyers: plan_id)");

    json request = {{"caller", sellerUrl(task)}};
    if (!planId.empty())
        request["plan_id"] = planId;
    if (!context.empty()) {
        // An execution check: the seller states what it will deliver against the buyer's authorization.
        request["governance_context"] = context;
        request["phase"] = "purchase";
        request["planned_delivery"] = plannedDelivery(purchase);
        request["execution_commitment"] = {{"amount", purchase.totalBudget}, {"currency", purchase.currency}};
    } else {
        // A 3.0 buyer names its plan only: the agent sees the buy as the buyer sent it.
        request["tool"] = "create_media_buy";
        request["payload"] = args;
        request["target_agent"] = sellerUrl(task);
        request["purchase_type"] = "media_buy";
    }

    GovernanceCallOptions options;
    options.extraCaCertificates = task.options.governanceCaCertificates;
    options.timeoutMs = task.options.governanceTimeoutMs;
    options.addressScope = task.options.webhookAddressScope;
    options.resolver = task.options.webhookResolver;
    const GovernanceVerdict verdict = checkGovernance(*agent, request, options, task.seller.schemas());

    switch (verdict.kind) {
    case GovernanceVerdict::Kind::Approved:
        *governanceContext = verdict.governanceContext.empty() ? context : verdict.governanceContext;
        return std::nullopt;
    case GovernanceVerdict::Kind::Unavailable: {
        auto outcome =
            failure("GOVERNANCE_UNAVAILABLE",
                    "the account's governance agent gave no verdict: " + verdict.explanation, std::nullopt,
                    "retry shortly; if it stays unavailable, contact the plan's "
                    "governance operator");
        outcome.error->retryAfter = 30;
        outcome.result["errors"][0]["retry_after"] = 30;
        return outcome;
    }
    case GovernanceVerdict::Kind::Denied:
    case GovernanceVerdict::Kind::Conditions:
        break;
    }
    const bool conditional = verdict.kind == GovernanceVerdict::Kind::Conditions;
    std::string message = conditional ? "the governance agent approves this buy only with conditions"
                                      : "the governance agent denied this buy";
    if (!verdict.explanation.empty())
        message += ": " + verdict.explanation;
    auto outcome =
        failure("GOVERNANCE_DENIED", std::move(message), std::nullopt,
                conditional ? "adjust the buy to the conditions, re-check with your governance agent "
                              "and retry with the governance_context it approves"
                            : "restructure the buy (for example a smaller budget) or escalate to "
                              "the plan's spending authority");
    json details = {{"check_id", verdict.checkId}};
    if (!verdict.findings.is_null())
        details["findings"] = verdict.findings;
    if (!verdict.conditions.is_null())
        details["conditions"] = verdict.conditions;
    outcome.error->details = details;
    outcome.result["errors"][0]["details"] = details;
    return outcome;
}

} // namespace adcp::seller
