#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace adcp::wire {

// core/package.json, and the package rows of get_media_buys (which add currency and snapshot fields; those
// not modelled here stay in `extra`).
struct Package
{
    std::string packageId;                // package_id
    std::optional<std::string> productId; // product_id
    std::optional<double> budget;
    std::optional<std::string> currency;        // get_media_buys rows
    std::optional<double> dailyBudgetCap;       // daily_budget_cap
    std::optional<std::string> pacing;          // enums/pacing.json
    std::optional<std::string> pricingOptionId; // pricing_option_id
    std::optional<double> bidPrice;             // bid_price
    std::optional<double> impressions;
    nlohmann::json formatIds;             // format_ids, wire form; null when absent
    nlohmann::json targetingOverlay;      // targeting_overlay, wire form; null when absent
    std::optional<std::string> startTime; // start_time (RFC 3339)
    std::optional<std::string> endTime;   // end_time (RFC 3339)
    std::optional<bool> paused;
    std::optional<bool> canceled;
    std::optional<std::string> creativeDeadline; // creative_deadline (RFC 3339)
    nlohmann::json extra = nlohmann::json::object();
};

void to_json(nlohmann::json &json, const Package &value);
void from_json(const nlohmann::json &json, Package &value);

} // namespace adcp::wire
