#include "proposal.h"

#include "jsonfields.h"

namespace adcp::wire {

using namespace detail;

void to_json(nlohmann::json &json, const ProductAllocation &value)
{
    json = withExtra(value.extra);
    json["product_id"] = value.productId;
    putOptional(json, "allocation_percentage", value.allocationPercentage);
    putOptional(json, "pricing_option_id", value.pricingOptionId);
    putOptional(json, "pacing", value.pacing);
    putOptional(json, "rationale", value.rationale);
    putOptional(json, "sequence", value.sequence);
    putNonEmpty(json, "tags", value.tags);
    putOptional(json, "start_time", value.startTime);
    putOptional(json, "end_time", value.endTime);
}

void from_json(const nlohmann::json &json, ProductAllocation &value)
{
    requireObject(json, "allocation");
    value.productId = required<std::string>(json, "product_id");
    value.allocationPercentage = optional<double>(json, "allocation_percentage");
    value.pricingOptionId = optional<std::string>(json, "pricing_option_id");
    value.pacing = optional<std::string>(json, "pacing");
    value.rationale = optional<std::string>(json, "rationale");
    value.sequence = optional<int>(json, "sequence");
    value.tags = optional<std::vector<std::string>>(json, "tags").value_or(std::vector<std::string>());
    value.startTime = optionalDateTime(json, "start_time");
    value.endTime = optionalDateTime(json, "end_time");
    value.extra = extraMembers(json, {"product_id", "allocation_percentage", "pricing_option_id", "pacing",
                                      "rationale", "sequence", "tags", "start_time", "end_time"});
}

void to_json(nlohmann::json &json, const BudgetGuidance &value)
{
    json = withExtra(value.extra);
    putOptional(json, "min", value.min);
    putOptional(json, "recommended", value.recommended);
    putOptional(json, "max", value.max);
    putOptional(json, "currency", value.currency);
}

void from_json(const nlohmann::json &json, BudgetGuidance &value)
{
    requireObject(json, "total_budget_guidance");
    value.min = optional<double>(json, "min");
    value.recommended = optional<double>(json, "recommended");
    value.max = optional<double>(json, "max");
    value.currency = optional<std::string>(json, "currency");
    value.extra = extraMembers(json, {"min", "recommended", "max", "currency"});
}

void to_json(nlohmann::json &json, const Proposal &value)
{
    json = withExtra(value.extra);
    json["proposal_id"] = value.proposalId;
    putOptional(json, "proposal_version", value.proposalVersion);
    json["name"] = value.name;
    putOptional(json, "description", value.description);
    json["allocations"] = value.allocations;
    putOptional(json, "proposal_status", value.proposalStatus);
    putOptional(json, "expires_at", value.expiresAt);
    putOptional(json, "total_budget_guidance", value.totalBudgetGuidance);
    putOptional(json, "brief_alignment", value.briefAlignment);
}

void from_json(const nlohmann::json &json, Proposal &value)
{
    requireObject(json, "proposal");
    value.proposalId = required<std::string>(json, "proposal_id");
    value.proposalVersion = optional<std::string>(json, "proposal_version");
    value.name = required<std::string>(json, "name");
    value.description = optional<std::string>(json, "description");
    value.allocations = required<std::vector<ProductAllocation>>(json, "allocations");
    value.proposalStatus = optional<ProposalStatus>(json, "proposal_status");
    value.expiresAt = optionalDateTime(json, "expires_at");
    value.totalBudgetGuidance = optional<BudgetGuidance>(json, "total_budget_guidance");
    value.briefAlignment = optional<std::string>(json, "brief_alignment");
    value.extra =
        extraMembers(json, {"proposal_id", "proposal_version", "name", "description", "allocations",
                            "proposal_status", "expires_at", "total_budget_guidance", "brief_alignment"});
}

} // namespace adcp::wire
