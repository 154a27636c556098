#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace adcp::wire {

// pricing-options/price-guidance.json: percentiles of recent clearing prices for auction options.
struct PriceGuidance
{
    std::optional<double> p25;
    std::optional<double> p50;
    std::optional<double> p75;
    std::optional<double> p90;
    nlohmann::json extra = nlohmann::json::object();
};

// One member of core/pricing-option.json (cpm, vcpm, cpc, cpcv, cpv, cpp, cpa, flat_rate, time,
// revenue_share). The members the models share are typed; model-specific ones (max_bid, parameters,
// price_breakdown, ...) stay in `extra` in their wire form.
struct PricingOption
{
    std::string pricingOptionId;      // pricing_option_id
    std::string pricingModel;         // pricing_model, e.g. "cpm"; open so that new models pass through
    std::string currency;             // ISO 4217
    std::optional<double> fixedPrice; // fixed_price: guaranteed price
    std::optional<double> floorPrice; // floor_price: auction floor
    std::optional<PriceGuidance> priceGuidance;
    std::optional<double> minSpendPerPackage; // min_spend_per_package
    nlohmann::json extra = nlohmann::json::object();

    // Auction-priced: no fixed price (the buyer bids at or above the floor).
    bool isAuction() const { return !fixedPrice.has_value(); }
};

void to_json(nlohmann::json &json, const PriceGuidance &value);
void from_json(const nlohmann::json &json, PriceGuidance &value);
void to_json(nlohmann::json &json, const PricingOption &value);
void from_json(const nlohmann::json &json, PricingOption &value);

} // namespace adcp::wire
