#pragma once

#include "pricingoption.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace adcp::wire {

// core/product.json. What a buyer reads to choose and price inventory is typed; the rest of the (large)
// product object is kept verbatim in `extra`.
struct Product
{
    std::string productId; // product_id
    std::string name;
    std::string description;
    nlohmann::json publisherProperties = nlohmann::json::array(); // publisher_properties, wire form
    std::vector<std::string> channels;
    nlohmann::json formatIds = nlohmann::json::array(); // format_ids ({agent_url, id} objects), wire form
    std::string deliveryType;                           // delivery_type: guaranteed | non_guaranteed
    std::vector<PricingOption> pricingOptions;          // pricing_options
    nlohmann::json reportingCapabilities = nlohmann::json::object(); // reporting_capabilities, wire form
    std::optional<bool> isCustom;                                    // is_custom
    std::optional<std::string> briefRelevance;                       // brief_relevance
    std::optional<std::string> expiresAt;                            // expires_at (RFC 3339)
    nlohmann::json extra = nlohmann::json::object();

    const PricingOption *pricingOption(std::string_view pricingOptionId) const;
};

void to_json(nlohmann::json &json, const Product &value);
void from_json(const nlohmann::json &json, Product &value);

} // namespace adcp::wire
