#pragma once

#include <QString>

#include <nlohmann/json.hpp>

namespace adcp::models {

// A pricing option's price as planners read it: "$0.022", "floor $0.60", "$18,000 a day (1–14 days)",
// "$450 a rating point (P25-54)", "$0.009 a view at 25 %". Empty when the option names no price.
QString optionPriceText(const nlohmann::json &option);
// A pricing option in a few words: "CPCV $0.022", "CPC floor $0.60", "$18,000 a day (1–14 days)",
// "Flat $40,000". Empty when it names neither model nor price.
QString optionSummaryText(const nlohmann::json &option);
// How a package is priced, from its delivery row (pricing_model, rate): "CPC $0.90", "vCPM $7.50",
// "$18,000 a day", "Flat $40,000". Empty when the row names no model.
QString pricingRateText(const nlohmann::json &row, const QString &currency);
// The units a delivery row was billed on, for models that bill on something other than impressions:
// "37 clicks", "1,204 completed views", "12.6 GRP", "9,850 viewable". Empty for CPM, fixed fees and rows
// without them.
QString billedUnitsText(const nlohmann::json &row);

} // namespace adcp::models
