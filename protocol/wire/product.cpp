#include "product.h"

#include "jsonfields.h"

namespace adcp::wire {

using namespace detail;

const PricingOption *Product::pricingOption(std::string_view pricingOptionId) const
{
    for (const auto &option : pricingOptions) {
        if (option.pricingOptionId == pricingOptionId)
            return &option;
    }
    return nullptr;
}

void to_json(nlohmann::json &json, const Product &value)
{
    json = withExtra(value.extra);
    json["product_id"] = value.productId;
    json["name"] = value.name;
    json["description"] = value.description;
    json["publisher_properties"] = value.publisherProperties;
    putNonEmpty(json, "channels", value.channels);
    if (!value.formatIds.empty())
        json["format_ids"] = value.formatIds;
    json["delivery_type"] = value.deliveryType;
    json["pricing_options"] = value.pricingOptions;
    json["reporting_capabilities"] = value.reportingCapabilities;
    putOptional(json, "is_custom", value.isCustom);
    putOptional(json, "brief_relevance", value.briefRelevance);
    putOptional(json, "expires_at", value.expiresAt);
}

void from_json(const nlohmann::json &json, Product &value)
{
    requireObject(json, "product");
    value.productId = required<std::string>(json, "product_id");
    value.name = required<std::string>(json, "name");
    value.description = required<std::string>(json, "description");
    value.publisherProperties = required<nlohmann::json>(json, "publisher_properties");
    value.channels =
        optional<std::vector<std::string>>(json, "channels").value_or(std::vector<std::string>());
    value.formatIds = optional<nlohmann::json>(json, "format_ids").value_or(nlohmann::json::array());
    value.deliveryType = required<std::string>(json, "delivery_type");
    value.pricingOptions = required<std::vector<PricingOption>>(json, "pricing_options");
    value.reportingCapabilities = required<nlohmann::json>(json, "reporting_capabilities");
    value.isCustom = optional<bool>(json, "is_custom");
    value.briefRelevance = optional<std::string>(json, "brief_relevance");
    value.expiresAt = optionalDateTime(json, "expires_at");
    value.extra =
        extraMembers(json, {"product_id", "name", "description", "publisher_properties", "channels",
                            "format_ids", "delivery_type", "pricing_options", "reporting_capabilities",
                            "is_custom", "brief_relevance", "expires_at"});
}

} // namespace adcp::wire
