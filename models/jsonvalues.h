#pragma once

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

// Conversions from wire JSON to Qt types, used only at the model boundary. Missing or mistyped fields give
// an empty value instead of throwing: a seller's odd payload must never take the window down.
namespace adcp::models {

QString jsonString(const nlohmann::json &object, const char *key);
// The member `key` only when it is a string (an id a request will name again: a number is not turned into
// one).
QString jsonStringOnly(const nlohmann::json &object, const char *key);
double jsonNumber(const nlohmann::json &object, const char *key, double fallback = 0.0);
QDateTime jsonDateTime(const nlohmann::json &object, const char *key);
QStringList jsonStringList(const nlohmann::json &object, const char *key);
// The member `key` when it is an object (array), else an empty one; never throws.
nlohmann::json jsonObject(const nlohmann::json &object, const char *key);
nlohmann::json jsonArray(const nlohmann::json &object, const char *key);
// The same without a copy (an empty array when absent): for large answers read once, while `object` lives.
const nlohmann::json &jsonArrayView(const nlohmann::json &object, const char *key);
// Merges a get_media_buys entry (or a create answer) into what is known of the buy: its members replace the
// stored ones, a snapshot with `health` but no `impairments` has none left, and its `status` replaces a
// create answer's `media_buy_status`. Returns whether anything changed; an unchanged member is compared, not
// copied (every background poll of a quiet buy). A `stored` that is not an object starts empty.
bool mergeBuySnapshot(nlohmann::json &stored, const nlohmann::json &snapshot);
// A document kept compact (CBOR) while nobody looks at it: a month of hourly delivery is a JSON tree of
// hundreds of megabytes' worth of nodes over a session and a tenth of that encoded. Null encodes as nothing;
// expandJson gives null back for nothing and for bytes it cannot read, and never throws.
std::vector<std::uint8_t> compactJson(const nlohmann::json &document);
nlohmann::json expandJson(const std::vector<std::uint8_t> &bytes);
// Where a paged listing (list_accounts, list_creatives …) goes on: the next page's cursor, kept only while
// the page says has_more, gives a cursor to ask for it, and fewer than `cap` rows are held. A page without
// pagination, or a cursor that is not a string, ends the walk.
struct ListingCursor
{
    QString cursor;
    bool hasMore = false;
    void read(const nlohmann::json &result, std::size_t rowsHeld, std::size_t cap);
    void clear();
};
// A budget is either a number or {"amount": n, "currency": "USD"}.
double jsonAmount(const nlohmann::json &value);
QString formatMoney(double amount, const QString &currency);
// A unit price (per click, per completed view …): as formatMoney, but a price below a dime keeps its digits
// ("$0.022").
QString formatUnitPrice(double amount, const QString &currency);
// "1d 02:03:04", "23:41:05", or "expired".
QString formatCountdown(qint64 seconds);
QString toQString(const std::string &text);
std::string toStdString(const QString &text);

} // namespace adcp::models
