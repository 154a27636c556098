#pragma once

#include "enums.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace adcp::wire {

// core/product-allocation.json: one product's share of a proposal.
struct ProductAllocation
{
    std::string productId;                      // product_id
    std::optional<double> allocationPercentage; // allocation_percentage (0-100)
    std::optional<std::string> pricingOptionId; // pricing_option_id
    std::optional<std::string> pacing;          // enums/pacing.json
    std::optional<std::string> rationale;
    std::optional<int> sequence;
    std::vector<std::string> tags;
    std::optional<std::string> startTime; // start_time (RFC 3339)
    std::optional<std::string> endTime;   // end_time (RFC 3339)
    nlohmann::json extra = nlohmann::json::object();
};

// core/proposal.json total_budget_guidance.
struct BudgetGuidance
{
    std::optional<double> min;
    std::optional<double> recommended;
    std::optional<double> max;
    std::optional<std::string> currency;
    nlohmann::json extra = nlohmann::json::object();
};

// core/proposal.json, plus proposal_version from the versioned dialect
// (schemas-versioned/core/proposal.json).
struct Proposal
{
    std::string proposalId;                     // proposal_id
    std::optional<std::string> proposalVersion; // proposal_version: opaque, changes with the offer's terms
    std::string name;
    std::optional<std::string> description;
    std::vector<ProductAllocation> allocations;
    std::optional<ProposalStatus> proposalStatus;      // proposal_status; absent = ready to buy
    std::optional<std::string> expiresAt;              // expires_at (RFC 3339)
    std::optional<BudgetGuidance> totalBudgetGuidance; // total_budget_guidance
    std::optional<std::string> briefAlignment;         // brief_alignment
    nlohmann::json extra = nlohmann::json::object();
};

void to_json(nlohmann::json &json, const ProductAllocation &value);
void from_json(const nlohmann::json &json, ProductAllocation &value);
void to_json(nlohmann::json &json, const BudgetGuidance &value);
void from_json(const nlohmann::json &json, BudgetGuidance &value);
void to_json(nlohmann::json &json, const Proposal &value);
void from_json(const nlohmann::json &json, Proposal &value);

} // namespace adcp::wire
