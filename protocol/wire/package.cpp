#include "package.h"

#include "jsonfields.h"

namespace adcp::wire {

using namespace detail;

void to_json(nlohmann::json &json, const Package &value)
{
    json = withExtra(value.extra);
    json["package_id"] = value.packageId;
    putOptional(json, "product_id", value.productId);
    putOptional(json, "budget", value.budget);
    putOptional(json, "currency", value.currency);
    putOptional(json, "daily_budget_cap", value.dailyBudgetCap);
    putOptional(json, "pacing", value.pacing);
    putOptional(json, "pricing_option_id", value.pricingOptionId);
    putOptional(json, "bid_price", value.bidPrice);
    putOptional(json, "impressions", value.impressions);
    if (!value.formatIds.is_null())
        json["format_ids"] = value.formatIds;
    if (!value.targetingOverlay.is_null())
        json["targeting_overlay"] = value.targetingOverlay;
    putOptional(json, "start_time", value.startTime);
    putOptional(json, "end_time", value.endTime);
    putOptional(json, "paused", value.paused);
    putOptional(json, "canceled", value.canceled);
    putOptional(json, "creative_deadline", value.creativeDeadline);
}

void from_json(const nlohmann::json &json, Package &value)
{
    requireObject(json, "package");
    value.packageId = required<std::string>(json, "package_id");
    value.productId = optional<std::string>(json, "product_id");
    value.budget = optional<double>(json, "budget");
    value.currency = optional<std::string>(json, "currency");
    value.dailyBudgetCap = optional<double>(json, "daily_budget_cap");
    value.pacing = optional<std::string>(json, "pacing");
    value.pricingOptionId = optional<std::string>(json, "pricing_option_id");
    value.bidPrice = optional<double>(json, "bid_price");
    value.impressions = optional<double>(json, "impressions");
    value.formatIds = optional<nlohmann::json>(json, "format_ids").value_or(nlohmann::json());
    value.targetingOverlay = optional<nlohmann::json>(json, "targeting_overlay").value_or(nlohmann::json());
    value.startTime = optionalDateTime(json, "start_time");
    value.endTime = optionalDateTime(json, "end_time");
    value.paused = optional<bool>(json, "paused");
    value.canceled = optional<bool>(json, "canceled");
    value.creativeDeadline = optionalDateTime(json, "creative_deadline");
    value.extra = extraMembers(json, {"package_id", "product_id", "budget", "currency", "daily_budget_cap",
                                      "pacing", "pricing_option_id", "bid_price", "impressions", "format_ids",
                                      "targeting_overlay", "start_time", "end_time", "paused", "canceled",
                                      "creative_deadline"});
}

} // namespace adcp::wire
