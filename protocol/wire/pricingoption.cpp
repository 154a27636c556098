#include "pricingoption.h"

#include "jsonfields.h"

namespace adcp::wire {

using namespace detail;

void to_json(nlohmann::json &json, const PriceGuidance &value)
{
    json = withExtra(value.extra);
    putOptional(json, "p25", value.p25);
    putOptional(json, "p50", value.p50);
    putOptional(json, "p75", value.p75);
    putOptional(json, "p90", value.p90);
}

void from_json(const nlohmann::json &json, PriceGuidance &value)
{
    requireObject(json, "price_guidance");
    value.p25 = optional<double>(json, "p25");
    value.p50 = optional<double>(json, "p50");
    value.p75 = optional<double>(json, "p75");
    value.p90 = optional<double>(json, "p90");
    value.extra = extraMembers(json, {"p25", "p50", "p75", "p90"});
}

void to_json(nlohmann::json &json, const PricingOption &value)
{
    json = withExtra(value.extra);
    json["pricing_option_id"] = value.pricingOptionId;
    json["pricing_model"] = value.pricingModel;
    json["currency"] = value.currency;
    putOptional(json, "fixed_price", value.fixedPrice);
    putOptional(json, "floor_price", value.floorPrice);
    putOptional(json, "price_guidance", value.priceGuidance);
    putOptional(json, "min_spend_per_package", value.minSpendPerPackage);
}

void from_json(const nlohmann::json &json, PricingOption &value)
{
    requireObject(json, "pricing option");
    value.pricingOptionId = required<std::string>(json, "pricing_option_id");
    value.pricingModel = required<std::string>(json, "pricing_model");
    value.currency = required<std::string>(json, "currency");
    value.fixedPrice = optional<double>(json, "fixed_price");
    value.floorPrice = optional<double>(json, "floor_price");
    value.priceGuidance = optional<PriceGuidance>(json, "price_guidance");
    value.minSpendPerPackage = optional<double>(json, "min_spend_per_package");
    value.extra = extraMembers(json, {"pricing_option_id", "pricing_model", "currency", "fixed_price",
                                      "floor_price", "price_guidance", "min_spend_per_package"});
}

} // namespace adcp::wire
