#include "pricing.h"

#include <QRegularExpression>
#include <QString>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <utility>
#include <vector>

namespace adcp::seller {

namespace {

constexpr std::array<std::pair<PricingModel, const char *>, 8> kModels = {{
    {PricingModel::Cpm, "cpm"},
    {PricingModel::Vcpm, "vcpm"},
    {PricingModel::Cpc, "cpc"},
    {PricingModel::Cpcv, "cpcv"},
    {PricingModel::Cpv, "cpv"},
    {PricingModel::Cpp, "cpp"},
    {PricingModel::FlatRate, "flat_rate"},
    {PricingModel::Time, "time"},
}};

double numberOr(const nlohmann::json &object, const char *key, double fallback)
{
    const auto it = object.find(key);
    return it != object.end() && it->is_number() ? it->get<double>() : fallback;
}

// Started time units in [start, end): a partial hour, day, week or month is a whole one.
std::optional<qint64> timeUnits(std::string_view unit, const QDateTime &start, const QDateTime &end)
{
    const qint64 seconds = start.secsTo(end);
    if (seconds <= 0)
        return 0;
    qint64 length = 0;
    if (unit == "hour")
        length = 3600;
    else if (unit == "day")
        length = 86400;
    else if (unit == "week")
        length = 7 * 86400;
    if (length > 0)
        return (seconds + length - 1) / length;
    if (unit != "month")
        return std::nullopt;
    qint64 months = 0;
    while (start.addMonths(static_cast<int>(months)) < end && months < 1200)
        ++months;
    return months;
}

} // namespace

std::optional<PricingModel> pricingModelFromString(std::string_view text)
{
    for (const auto &[model, name] : kModels) {
        if (text == name)
            return model;
    }
    return std::nullopt;
}

const char *pricingModelName(PricingModel model)
{
    for (const auto &[m, name] : kModels) {
        if (m == model)
            return name;
    }
    return "cpm";
}

bool isFixedFee(PricingModel model)
{
    return model == PricingModel::FlatRate || model == PricingModel::Time;
}

const std::vector<std::string> &bookablePricingModels()
{
    static const std::vector<std::string> names = [] {
        std::vector<std::string> list;
        for (const auto &entry : kModels)
            list.emplace_back(entry.second);
        return list;
    }();
    return names;
}

double unitPrice(const nlohmann::json &pricingOption, std::optional<double> bidPrice)
{
    if (bidPrice && *bidPrice > 0)
        return *bidPrice;
    if (pricingOption.contains("fixed_price"))
        return numberOr(pricingOption, "fixed_price", 0.0);
    return numberOr(pricingOption, "floor_price", 0.0);
}

std::optional<double> effectiveCpm(const nlohmann::json &pricingOption)
{
    const auto model = pricingModelFromString(pricingOption.value("pricing_model", std::string("cpm")));
    const double price = unitPrice(pricingOption);
    if (!model)
        return std::nullopt;
    switch (*model) {
    case PricingModel::Cpm:
        return price;
    case PricingModel::Vcpm:
        return price * typical::viewableRate;
    case PricingModel::Cpc:
        return price * 1000.0 * typical::clickRate;
    case PricingModel::Cpcv:
        return price * 1000.0 * typical::completionRate;
    case PricingModel::Cpv:
        return price * 1000.0 * typical::completionRate; // a view is counted at or before completion
    case PricingModel::Cpp:
        return price * 1000.0 * 100.0 / typical::ratingUniverse;
    case PricingModel::FlatRate:
    case PricingModel::Time:
        return std::nullopt;
    }
    return std::nullopt;
}

std::optional<double> flightFee(const nlohmann::json &pricingOption, std::optional<double> bidPrice,
                                const QDateTime &start, const QDateTime &end, std::string *error)
{
    const auto model = pricingModelFromString(pricingOption.value("pricing_model", std::string("cpm")));
    const double price = unitPrice(pricingOption, bidPrice);
    if (model == PricingModel::FlatRate)
        return price;
    if (model != PricingModel::Time)
        return std::nullopt;
    const nlohmann::json parameters = pricingOption.value("parameters", nlohmann::json::object());
    const std::string unit =
        parameters.is_object() ? parameters.value("time_unit", std::string()) : std::string();
    const auto units = timeUnits(unit, start, end);
    if (!units) {
        if (error)
            *error = "the option's time_unit '" + unit + "' is not hour, day, week or month";
        return std::nullopt;
    }
    const double minimum = parameters.is_object() ? numberOr(parameters, "min_duration", 0) : 0;
    const double maximum = parameters.is_object() ? numberOr(parameters, "max_duration", 0) : 0;
    if (error && minimum > 0 && static_cast<double>(*units) < minimum)
        *error = "the flight is " + std::to_string(*units) + " " + unit + "(s); this option books at least " +
                 std::to_string(static_cast<qint64>(minimum));
    else if (error && maximum > 0 && static_cast<double>(*units) > maximum)
        *error = "the flight is " + std::to_string(*units) + " " + unit + "(s); this option books at most " +
                 std::to_string(static_cast<qint64>(maximum));
    return price * static_cast<double>(*units);
}

std::vector<PricingModel> pricingModelsInText(const std::string &text)
{
    // Words that make a unit the way of paying, not a target: "paid on completed views" is CPCV, "maximize
    // completed views" is not; "3 per day" is a frequency cap, "a day rate" is time pricing.
    static const std::vector<std::pair<PricingModel, QRegularExpression>> patterns = [] {
        const auto re = [](const QString &pattern) {
            return QRegularExpression(pattern, QRegularExpression::CaseInsensitiveOption);
        };
        const QString paying = QStringLiteral(
            R"(\b(?:pay|paid|paying|bill|billed|billing|price|priced|pricing|charge|charged|buy|bought|buying)\b[^.,;:!?]{0,20})");
        return std::vector<std::pair<PricingModel, QRegularExpression>>{
            {PricingModel::Vcpm, re(QStringLiteral(R"(\bvcpm\b|\bper (?:thousand |1,?000 )?viewable\b|)") +
                                    paying + QStringLiteral(R"(\bviewable\b)"))},
            {PricingModel::Cpcv, re(QStringLiteral(R"(\bcpcv\b|\bper (?:completed view|completion)\b|)") +
                                    paying + QStringLiteral(R"(\bcompleted[ -]views?\b)"))},
            {PricingModel::Cpc, re(QStringLiteral(R"(\bcpc\b|\bper[ -]click\b)"))},
            {PricingModel::Cpv, re(QStringLiteral(R"(\bcpv\b|\bper view\b)"))},
            {PricingModel::Cpp, re(QStringLiteral(R"(\bcpp\b|\bper (?:rating )?point\b|)") + paying +
                                   QStringLiteral(R"(\b(?:grps?|trps?|rating points?)\b)"))},
            {PricingModel::Time,
             re(QStringLiteral(
                    R"(\b(?:day|daily|week|weekly|month|monthly) rate\b|\bby the (?:day|week|month)\b|)") +
                paying + QStringLiteral(R"(\b(?:per|a|each) (?:day|week|month)\b)"))},
            {PricingModel::FlatRate, re(QStringLiteral(R"(\bflat[ -](?:rate|fee)\b|\bfixed fee\b)"))},
        };
    }();
    const QString q = QString::fromStdString(text);
    std::vector<std::pair<qsizetype, PricingModel>> named;
    for (const auto &[model, pattern] : patterns) {
        if (const auto match = pattern.match(q); match.hasMatch())
            named.emplace_back(match.capturedStart(), model);
    }
    std::stable_sort(named.begin(), named.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    std::vector<PricingModel> models;
    for (const auto &entry : named)
        models.push_back(entry.second);
    return models;
}

std::string pricingModelLabel(PricingModel model)
{
    switch (model) {
    case PricingModel::Vcpm:
        return "vCPM";
    case PricingModel::FlatRate:
        return "flat rate";
    case PricingModel::Time:
        return "time-based";
    default:
        break;
    }
    std::string name = pricingModelName(model);
    for (char &c : name)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

std::string unbookableReason(const nlohmann::json &pricingOption)
{
    const std::string name = pricingOption.value("pricing_model", std::string("cpm"));
    if (pricingModelFromString(name))
        return {};
    if (name == "cpa" || name == "revenue_share")
        return name + " bills on conversions, which this seller does not measure";
    return "this seller does not sell on '" + name + "' pricing";
}

} // namespace adcp::seller
