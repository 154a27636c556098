#pragma once

#include <QString>

#include <nlohmann/json.hpp>

namespace adcp::models {

// How a package is priced, from its delivery row (pricing_model, rate) or a pricing option (pricing_model,
// fixed_price or floor_price): "CPC $0.90", "vCPM $7.50", "$18,000.00 a day", "Flat $40,000.00". Empty when
// the row names no model.
QString pricingRateText(const nlohmann::json &row, const QString &currency);
// The units a delivery row was billed on, for models that bill on something other than impressions:
// "37 clicks", "1,204 completed views", "12.6 GRP", "9,850 viewable". Empty for CPM, fixed fees and rows
// without them.
QString billedUnitsText(const nlohmann::json &row);

} // namespace adcp::models
