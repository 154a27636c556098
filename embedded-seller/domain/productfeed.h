#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace adcp::seller {

class Catalog;
struct Product;

// The catalog as the AdCP 3.2 product feed presents it: canonical format options, offer filters and the
// versions list_products publishes and buy_products checks.
namespace productfeed {

// The canonical format option (canonical-format-option) of one named format (a catalog format_ids entry).
// Deterministic: the same format id always maps to the same format_kind, params and format_option_id.
//   display_image + width/height, display_<W>x<H>, dooh_*   → image (width/height when known)
//   video_*  → video_hosted (video_vast when the id names VAST); a "<N>s" part gives duration_ms_exact and
//              "vertical" the orientation
//   audio_*  → audio_hosted (audio_daast when the id names DAAST); "<N>s" gives duration_ms_exact
//   native_* → native_in_feed, sponsored_* → sponsored_placement, html5_* → html5, anything else →
//   display_tag
nlohmann::json formatOption(const nlohmann::json &formatId);
// Every format option of a product, in the order of its format_ids, once per distinct format_option_id.
nlohmann::json formatOptions(const Product &product);
// The format_kind values a product accepts.
bool acceptsFormatKind(const Product &product, const std::string &formatKind);

// Whether a product satisfies get_products `filters` / list_products `criteria.offer_filters` (delivery
// type, channels, fixed price, currencies, budget range, format ids, format kinds, required metrics).
bool matchesFilters(const Product &product, const nlohmann::json &filters);

// Opaque versions of what `catalog` offers: the feed version covers every product's public terms except
// pricing, the pricing version covers the pricing options. Each is a digest of the RFC 8785 form, so it
// changes exactly when the catalog (or its pricing) does, whatever order the products were loaded in.
std::string feedVersion(const Catalog &catalog);
std::string pricingVersion(const Catalog &catalog);

} // namespace productfeed
} // namespace adcp::seller
