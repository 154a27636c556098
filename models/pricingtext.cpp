#include "pricingtext.h"

#include "displaynames.h"
#include "jsonvalues.h"

#include <QCoreApplication>
#include <QHash>

#include <algorithm>
#include <climits>

namespace adcp::models {

namespace {

QString tr(const char *text, int n = -1)
{
    return QCoreApplication::translate("PricingText", text, nullptr, n);
}

// "%1 click(s)" for the row's count, grouped in the user's locale.
QString count(const nlohmann::json &row, const char *key, const char *text)
{
    if (!row.contains(key) || !row[key].is_number())
        return {};
    const auto n = static_cast<qint64>(std::clamp(jsonNumber(row, key), 0.0, double(INT_MAX)));
    return tr(text, static_cast<int>(n)).arg(userLocale().toString(n));
}

// "CPC", "vCPM" …: the model as the trade writes it; other models by their display name.
QString shortModelName(const QString &model)
{
    static const QHash<QString, QString> names = {
        {QStringLiteral("cpm"), QStringLiteral("CPM")}, {QStringLiteral("vcpm"), QStringLiteral("vCPM")},
        {QStringLiteral("cpc"), QStringLiteral("CPC")}, {QStringLiteral("cpcv"), QStringLiteral("CPCV")},
        {QStringLiteral("cpv"), QStringLiteral("CPV")}, {QStringLiteral("cpp"), QStringLiteral("CPP")},
        {QStringLiteral("cpa"), QStringLiteral("CPA")},
    };
    return names.value(model, displayName(Vocabulary::PricingModel, model));
}

// `price` with what the model's parameters say of it (time unit and durations, demographic, view threshold).
QString withParameters(const QString &price, const QString &model, const nlohmann::json &parameters)
{
    const bool any = parameters.is_object();
    if (model == QLatin1String("time")) {
        const QString unit = any ? jsonString(parameters, "time_unit") : QString();
        QString text = unit.isEmpty() ? tr("%1 per period").arg(price) : tr("%1 a %2").arg(price, unit);
        const int least = any ? static_cast<int>(jsonNumber(parameters, "min_duration")) : 0;
        const int most = any ? static_cast<int>(jsonNumber(parameters, "max_duration")) : 0;
        if (!unit.isEmpty() && least > 0 && most > 0)
            text += tr(" (%1–%2 %3s)").arg(least).arg(most).arg(unit);
        else if (!unit.isEmpty() && most > 0)
            text += tr(" (at most %1 %2s)").arg(most).arg(unit);
        return text;
    }
    if (model == QLatin1String("cpp")) {
        const QString demographic = any ? jsonString(parameters, "demographic") : QString();
        return demographic.isEmpty() ? tr("%1 a rating point").arg(price)
                                     : tr("%1 a rating point (%2)").arg(price, demographic);
    }
    if (model == QLatin1String("cpv") && any && parameters.contains("view_threshold")) {
        const nlohmann::json &threshold = parameters["view_threshold"];
        if (threshold.is_number())
            return tr("%1 a view at %2 %").arg(price).arg(qRound(threshold.get<double>() * 100.0));
        if (threshold.is_object() && jsonNumber(threshold, "duration_seconds") > 0)
            return tr("%1 a view of %2 s")
                .arg(price)
                .arg(static_cast<int>(jsonNumber(threshold, "duration_seconds")));
    }
    return price;
}

} // namespace

QString optionPriceText(const nlohmann::json &option)
{
    const QString currency = jsonString(option, "currency");
    const QString model = jsonString(option, "pricing_model");
    const double fixed = jsonNumber(option, "fixed_price");
    const double floor = jsonNumber(option, "floor_price");
    QString price;
    if (fixed > 0)
        price = formatUnitPrice(fixed, currency);
    else if (floor > 0)
        price = tr("floor %1").arg(formatUnitPrice(floor, currency));
    else
        return {};
    const auto parameters = option.find("parameters");
    return withParameters(price, model, parameters != option.end() ? *parameters : nlohmann::json());
}

QString optionSummaryText(const nlohmann::json &option)
{
    const QString model = jsonString(option, "pricing_model");
    const QString price = optionPriceText(option);
    if (model.isEmpty() || model == QLatin1String("time"))
        return price;
    if (model == QLatin1String("flat_rate"))
        return price.isEmpty() ? shortModelName(model) : tr("Flat %1").arg(price);
    return price.isEmpty() ? shortModelName(model)
                           : QStringLiteral("%1 %2").arg(shortModelName(model), price);
}

QString pricingRateText(const nlohmann::json &row, const QString &currency)
{
    const QString model = jsonString(row, "pricing_model");
    if (model.isEmpty())
        return {};
    const double rate = jsonNumber(row, "rate", -1.0);
    if (rate < 0)
        return shortModelName(model);
    const QString price = formatUnitPrice(rate, currency);
    if (model == QLatin1String("flat_rate"))
        return tr("Flat %1").arg(price);
    if (model == QLatin1String("time"))
        return withParameters(price, model, nlohmann::json());
    return QStringLiteral("%1 %2").arg(shortModelName(model), price);
}

QString billedUnitsText(const nlohmann::json &row)
{
    const QString model = jsonString(row, "pricing_model");
    if (model == QLatin1String("cpc"))
        return count(row, "clicks", QT_TRANSLATE_NOOP("PricingText", "%1 click(s)"));
    if (model == QLatin1String("cpcv"))
        return count(row, "completed_views", QT_TRANSLATE_NOOP("PricingText", "%1 completed view(s)"));
    if (model == QLatin1String("cpv"))
        return count(row, "views", QT_TRANSLATE_NOOP("PricingText", "%1 view(s)"));
    if (model == QLatin1String("vcpm")) {
        const auto viewability = row.find("viewability");
        return viewability != row.end() && viewability->is_object()
                   ? count(*viewability, "viewable_impressions",
                           QT_TRANSLATE_NOOP("PricingText", "%1 viewable"))
                   : QString();
    }
    if (model == QLatin1String("cpp") && row.contains("grps") && row["grps"].is_number())
        return tr("%1 GRP").arg(userLocale().toString(jsonNumber(row, "grps"), 'f', 1));
    return {};
}

} // namespace adcp::models
