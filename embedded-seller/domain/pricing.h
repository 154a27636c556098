#pragma once

#include <QDateTime>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace adcp::seller {

// The pricing models this seller books, bills and reports (enums/pricing-model.json). cpa and revenue_share
// bill on conversions, which this seller does not measure (no event sources), so they are not bookable.
enum class PricingModel { Cpm, Vcpm, Cpc, Cpcv, Cpv, Cpp, FlatRate, Time };

std::optional<PricingModel> pricingModelFromString(std::string_view text);
const char *pricingModelName(PricingModel model);
// flat_rate and time: a fee for the flight, not a price per unit delivered.
bool isFixedFee(PricingModel model);
// Every bookable model, in the order get_adcp_capabilities lists them.
const std::vector<std::string> &bookablePricingModels();

// Rates the delivery simulator works with, so that a price in any unit can be compared with a CPM.
// Each package's own rate is fixed per package and lies around these values.
namespace typical {
inline constexpr double viewableRate = 0.65;    // viewable impressions / impressions
inline constexpr double clickRate = 0.003;      // clicks / impressions
inline constexpr double completionRate = 0.725; // completed views / impressions
// Persons in every demographic a cpp option names: one gross rating point is 1 % of them reached once, so a
// point is universe / 100 impressions.
inline constexpr double ratingUniverse = 1'000'000.0;
// Impressions a fixed-fee package (flat_rate, time) is expected to serve per unit of currency: a $10 CPM.
inline constexpr double fixedFeeCpm = 10.0;
} // namespace typical

// The option's price (fixed, else its floor), or the bid when the buyer sent one.
double unitPrice(const nlohmann::json &pricingOption, std::optional<double> bidPrice = std::nullopt);

// What a thousand impressions cost under the option at the typical rates above; nullopt for fixed-fee
// models, whose price does not depend on volume.
std::optional<double> effectiveCpm(const nlohmann::json &pricingOption);

// A fixed-fee package's fee for the flight [start, end): flat_rate → its price; time → price × the number of
// started time units. nullopt for volume-priced models. `error` says why a time option cannot price the
// flight (outside min_duration/max_duration, unknown time_unit).
std::optional<double> flightFee(const nlohmann::json &pricingOption, std::optional<double> bidPrice,
                                const QDateTime &start, const QDateTime &end, std::string *error);

// The pricing models a brief or an ask names in words ("pay per click", "on completed views", "vCPM", "GRPs",
// "a flat fee", "a daily rate"), in the order the text names them.
std::vector<PricingModel> pricingModelsInText(const std::string &text);
// How people write the model: "CPC", "vCPM", "flat rate", "time-based".
std::string pricingModelLabel(PricingModel model);

// Why the option cannot be booked here (cpa, revenue_share, an unknown model), or an empty string.
std::string unbookableReason(const nlohmann::json &pricingOption);

} // namespace adcp::seller
