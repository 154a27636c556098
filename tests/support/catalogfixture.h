#pragma once

#include <nlohmann/json.hpp>

#include <string>

// Products a test publishes into the seller's catalog while it runs (Catalog::upsertProduct), shared by the
// seller's and the window's tests.
namespace catalogfixture {

// A non-guaranteed display product at a fixed 5 USD CPM on all of `domain`'s inventory, reported daily.
inline nlohmann::json publishedProduct(const std::string &id, const std::string &name,
                                       const std::string &description, const std::string &domain)
{
    return {
        {"product_id", id},
        {"name", name},
        {"description", description},
        {"publisher_properties", {{{"publisher_domain", domain}, {"selection_type", "all"}}}},
        {"channels", {"display"}},
        {"format_ids", {{{"agent_url", "https://creative.adcontextprotocol.org"}, {"id", "display_image"}}}},
        {"delivery_type", "non_guaranteed"},
        {"pricing_options",
         {{{"pricing_option_id", "cpm_std"},
           {"pricing_model", "cpm"},
           {"currency", "USD"},
           {"fixed_price", 5.0}}}},
        {"reporting_capabilities",
         {{"available_reporting_frequencies", {"daily"}},
          {"expected_delay_minutes", 60},
          {"timezone", "UTC"},
          {"supports_webhooks", false},
          {"available_metrics", {"impressions"}},
          {"date_range_support", "date_range"}}}};
}

} // namespace catalogfixture
