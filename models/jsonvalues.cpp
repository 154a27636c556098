#include "jsonvalues.h"

#include "displaynames.h"

#include <QLocale>

#include <cmath>

namespace adcp::models {

QString toQString(const std::string &text)
{
    return QString::fromStdString(text);
}

std::string toStdString(const QString &text)
{
    return text.toStdString();
}

QString jsonStringOnly(const nlohmann::json &object, const char *key)
{
    const auto it = object.is_object() ? object.find(key) : object.end();
    return it != object.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
}

void ListingCursor::read(const nlohmann::json &result, std::size_t rowsHeld, std::size_t cap)
{
    const nlohmann::json pagination = jsonObject(result, "pagination");
    cursor = jsonStringOnly(pagination, "cursor");
    const auto more = pagination.find("has_more");
    hasMore = more != pagination.end() && more->is_boolean() && more->get<bool>() && !cursor.isEmpty() &&
              rowsHeld < cap;
    if (!hasMore)
        cursor.clear();
}

void ListingCursor::clear()
{
    cursor.clear();
    hasMore = false;
}

QString jsonString(const nlohmann::json &object, const char *key)
{
    if (!object.is_object())
        return {};
    const auto it = object.find(key);
    if (it == object.end())
        return {};
    if (it->is_string())
        return QString::fromStdString(it->get<std::string>());
    if (it->is_number_integer())
        return QString::number(it->get<qint64>());
    if (it->is_number())
        return QString::number(it->get<double>());
    return {};
}

double jsonNumber(const nlohmann::json &object, const char *key, double fallback)
{
    if (!object.is_object())
        return fallback;
    const auto it = object.find(key);
    if (it == object.end() || !it->is_number())
        return fallback;
    return it->get<double>();
}

QDateTime jsonDateTime(const nlohmann::json &object, const char *key)
{
    const QString text = jsonString(object, key);
    if (text.isEmpty())
        return {};
    QDateTime value = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!value.isValid())
        value = QDateTime::fromString(text, Qt::ISODate);
    return value;
}

QStringList jsonStringList(const nlohmann::json &object, const char *key)
{
    QStringList list;
    if (!object.is_object())
        return list;
    const auto it = object.find(key);
    if (it == object.end() || !it->is_array())
        return list;
    for (const auto &item : *it) {
        if (item.is_string())
            list << QString::fromStdString(item.get<std::string>());
    }
    return list;
}

nlohmann::json jsonObject(const nlohmann::json &object, const char *key)
{
    if (object.is_object()) {
        const auto it = object.find(key);
        if (it != object.end() && it->is_object())
            return *it;
    }
    return nlohmann::json::object();
}

nlohmann::json jsonArray(const nlohmann::json &object, const char *key)
{
    if (object.is_object()) {
        const auto it = object.find(key);
        if (it != object.end() && it->is_array())
            return *it;
    }
    return nlohmann::json::array();
}

const nlohmann::json &jsonArrayView(const nlohmann::json &object, const char *key)
{
    static const nlohmann::json kEmpty = nlohmann::json::array();
    if (object.is_object()) {
        const auto it = object.find(key);
        if (it != object.end() && it->is_array())
            return *it;
    }
    return kEmpty;
}

bool mergeBuySnapshot(nlohmann::json &stored, const nlohmann::json &snapshot)
{
    bool changed = false;
    if (!stored.is_object()) {
        stored = nlohmann::json::object();
        changed = true;
    }
    if (!snapshot.is_object())
        return changed;
    for (auto it = snapshot.begin(); it != snapshot.end(); ++it) {
        const auto found = stored.find(it.key());
        if (found == stored.end()) {
            stored.emplace(it.key(), it.value());
            changed = true;
        } else if (*found != it.value()) {
            *found = it.value();
            changed = true;
        }
    }
    if (snapshot.contains("health") && !snapshot.contains("impairments"))
        changed = stored.erase("impairments") > 0 || changed;
    if (snapshot.contains("status") && !snapshot.contains("media_buy_status"))
        changed = stored.erase("media_buy_status") > 0 || changed;
    return changed;
}

double jsonAmount(const nlohmann::json &value)
{
    if (value.is_number())
        return value.get<double>();
    if (value.is_object())
        return jsonNumber(value, "amount");
    return 0.0;
}

namespace {

QString moneyWithDecimals(double amount, const QString &currency, int decimals)
{
    const QLocale locale = userLocale();
    // Digit grouping and the symbol's place follow the user's locale.
    if (currency == QLatin1String("USD"))
        return locale.toCurrencyString(amount, QStringLiteral("$"), decimals);
    if (currency == QLatin1String("EUR"))
        return locale.toCurrencyString(amount, QStringLiteral("€"), decimals);
    if (currency == QLatin1String("GBP"))
        return locale.toCurrencyString(amount, QStringLiteral("£"), decimals);
    const QString number = locale.toString(amount, 'f', decimals);
    return currency.isEmpty() ? number : number + QLatin1Char(' ') + currency;
}

} // namespace

QString formatMoney(double amount, const QString &currency)
{
    return moneyWithDecimals(amount, currency, amount == static_cast<qint64>(amount) ? 0 : 2);
}

QString formatUnitPrice(double amount, const QString &currency)
{
    if (!(amount > 0.0 && amount < 0.1))
        return formatMoney(amount, currency);
    // A price below a dime keeps its digits (a $0.022 completed view is not "$0.02"), up to six.
    int decimals = 3;
    while (decimals < 6 &&
           std::abs(amount * std::pow(10.0, decimals) - std::round(amount * std::pow(10.0, decimals))) > 1e-6)
        ++decimals;
    return moneyWithDecimals(amount, currency, decimals);
}

QString formatCountdown(qint64 seconds)
{
    if (seconds <= 0)
        return QStringLiteral("expired");
    const qint64 days = seconds / 86400;
    const qint64 rest = seconds % 86400;
    const QString clock = QStringLiteral("%1:%2:%3")
                              .arg(rest / 3600, 2, 10, QLatin1Char('0'))
                              .arg((rest % 3600) / 60, 2, 10, QLatin1Char('0'))
                              .arg(rest % 60, 2, 10, QLatin1Char('0'));
    if (days > 0)
        return QStringLiteral("%1d %2").arg(days).arg(clock);
    return clock;
}

std::vector<std::uint8_t> compactJson(const nlohmann::json &document)
{
    return document.is_null() ? std::vector<std::uint8_t>() : nlohmann::json::to_cbor(document);
}

nlohmann::json expandJson(const std::vector<std::uint8_t> &bytes)
{
    if (bytes.empty())
        return nullptr;
    nlohmann::json document = nlohmann::json::from_cbor(bytes, true, false);
    return document.is_discarded() ? nlohmann::json() : document;
}

} // namespace adcp::models
