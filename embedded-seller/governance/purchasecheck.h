#pragma once

#include "adcperror.h"

#include <QDateTime>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace adcp::seller {

struct TaskContext;

// What a buy about to be committed will deliver, as the governance agent is told
// (core/planned-delivery.json).
struct PlannedPurchase
{
    double totalBudget = 0;
    std::string currency;
    QDateTime start;
    QDateTime end;
    std::vector<std::string> channels;
    std::string proposalId; // empty: a buy from packages
};

// The seller's side of campaign governance for a purchase. When the resolved account has a governance agent
// (sync_governance), the buyer's governance_context (or, from a 3.0 buyer, plan_id) is sent with the planned
// delivery to the agent's check_governance, and only an approved verdict lets the buy proceed:
//   - no agent: nullopt, nothing is called;
//   - approved: nullopt, *governanceContext holds the context to keep with the buy;
//   - neither governance_context nor plan_id: PERMISSION_DENIED on governance_context from a 3.2 caller (an
//     account-scoped binding governs every purchase); nullopt from a 3.0/3.1 caller, whose governance is
//     plan-scoped (a buy naming no plan is not governed; the 3.0 storyboards buy that way after
//     sync_governance);
//   - denied, or conditions (which never authorize): GOVERNANCE_DENIED with the agent's explanation,
//   check_id,
//     findings and conditions;
//   - no verdict (unreachable, timed out, refused, an answer that is not one): GOVERNANCE_UNAVAILABLE,
//     transient.
// Called before anything of the buy is written, so a refusal changes nothing.
std::optional<adcp::ToolOutcome> consultGovernance(TaskContext &task, const nlohmann::json &args,
                                                   const PlannedPurchase &purchase,
                                                   std::string *governanceContext);

} // namespace adcp::seller
