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

} // namespace

QString pricingRateText(const nlohmann::json &row, const QString &currency)
{
    const QString model = jsonString(row, "pricing_model");
    if (model.isEmpty())
        return {};
    double rate = jsonNumber(row, "rate", -1.0);
    if (rate < 0)
        rate = jsonNumber(row, "fixed_price", -1.0);
    if (rate < 0)
        rate = jsonNumber(row, "floor_price", -1.0);
    if (rate < 0)
        return displayName(Vocabulary::PricingModel, model);
    // Unit prices below a cent keep their digits: a $0.022 completed view is not "$0.02".
    QString price = formatMoney(rate, currency);
    if (rate > 0 && rate < 0.1)
        price = QStringLiteral("%1 %2").arg(userLocale().toString(rate, 'g', 3), currency);
    if (model == QLatin1String("flat_rate"))
        return tr("Flat %1").arg(price);
    if (model == QLatin1String("time")) {
        const auto parameters = row.find("parameters");
        const QString unit = parameters != row.end() && parameters->is_object()
                                 ? jsonString(*parameters, "time_unit")
                                 : QString();
        return unit.isEmpty() ? tr("%1 per period").arg(price) : tr("%1 a %2").arg(price, unit);
    }
    static const QHash<QString, QString> shortNames = {
        {QStringLiteral("cpm"), QStringLiteral("CPM")}, {QStringLiteral("vcpm"), QStringLiteral("vCPM")},
        {QStringLiteral("cpc"), QStringLiteral("CPC")}, {QStringLiteral("cpcv"), QStringLiteral("CPCV")},
        {QStringLiteral("cpv"), QStringLiteral("CPV")}, {QStringLiteral("cpp"), QStringLiteral("CPP")},
        {QStringLiteral("cpa"), QStringLiteral("CPA")},
    };
    return QStringLiteral("%1 %2").arg(shortNames.value(model, displayName(Vocabulary::PricingModel, model)),
                                       price);
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
