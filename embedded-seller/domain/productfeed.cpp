#include "productfeed.h"

#include "catalog.h"
#include "compactproposals.h"

#include <QCryptographicHash>
#include <QRegularExpression>

#include <algorithm>
#include <set>

namespace adcp::seller::productfeed {

using nlohmann::json;

namespace {

bool feedStartsWith(const std::string &text, const char *prefix)
{
    return text.rfind(prefix, 0) == 0;
}

bool feedMentions(const std::string &text, const char *word)
{
    return text.find(word) != std::string::npos;
}

// "<N>s" as a part of an id ("video_standard_15s" → 15000 ms); 0 when there is none.
int feedDurationMs(const std::string &id)
{
    static const QRegularExpression seconds(QStringLiteral("(?:^|_)(\\d+)s(?:_|$)"));
    const auto match = seconds.match(QString::fromStdString(id));
    return match.hasMatch() ? match.captured(1).toInt() * 1000 : 0;
}

std::string feedDigest(const char *prefix, const json &value)
{
    const std::string text = compact::canonicalJson(value);
    const QByteArray hash = QCryptographicHash::hash(
        QByteArray(text.data(), static_cast<qsizetype>(text.size())), QCryptographicHash::Sha256);
    return std::string(prefix) + hash.toHex().left(24).toStdString();
}

} // namespace

json formatOption(const json &formatId)
{
    const std::string id = formatId.value("id", std::string());
    json params = json::object();
    std::string kind = "display_tag";
    std::string optionId = id;
    const auto setSize = [&](int width, int height) {
        params["width"] = width;
        params["height"] = height;
        optionId += "_" + std::to_string(width) + "x" + std::to_string(height);
    };
    if (feedStartsWith(id, "display_") || feedStartsWith(id, "dooh_")) {
        kind = "image";
        static const QRegularExpression size(QStringLiteral("_(\\d+)x(\\d+)$"));
        const auto match = size.match(QString::fromStdString(id));
        if (formatId.value("width", json()).is_number_integer() &&
            formatId.value("height", json()).is_number_integer())
            setSize(formatId["width"].get<int>(), formatId["height"].get<int>());
        else if (match.hasMatch()) {
            params["width"] = match.captured(1).toInt();
            params["height"] = match.captured(2).toInt();
        }
    } else if (feedStartsWith(id, "video_")) {
        kind = feedMentions(id, "vast") ? "video_vast" : "video_hosted";
        if (const int ms = feedDurationMs(id); ms > 0 && kind == "video_hosted")
            params["duration_ms_exact"] = ms;
        if (feedMentions(id, "vertical"))
            params["orientation"] = "vertical";
    } else if (feedStartsWith(id, "audio_")) {
        kind = feedMentions(id, "daast") ? "audio_daast" : "audio_hosted";
        if (const int ms = feedDurationMs(id); ms > 0 && kind == "audio_hosted")
            params["duration_ms_exact"] = ms;
    } else if (feedStartsWith(id, "native_")) {
        kind = "native_in_feed";
    } else if (feedStartsWith(id, "sponsored_")) {
        kind = "sponsored_placement";
    } else if (feedStartsWith(id, "html5")) {
        kind = "html5";
    }
    json option = {{"format_option_id", optionId.empty() ? kind : optionId},
                   {"format_kind", kind},
                   {"params", std::move(params)}};
    if (!id.empty())
        option["display_name"] = id;
    return option;
}

json formatOptions(const Product &product)
{
    json options = json::array();
    std::set<std::string> seen;
    for (const auto &formatId : product.publicJson.value("format_ids", json::array())) {
        if (!formatId.is_object())
            continue;
        json option = formatOption(formatId);
        if (seen.insert(option["format_option_id"].get<std::string>()).second)
            options.push_back(std::move(option));
    }
    return options;
}

bool acceptsFormatKind(const Product &product, const std::string &formatKind)
{
    const json options = formatOptions(product);
    return std::any_of(options.begin(), options.end(),
                       [&](const json &o) { return o.value("format_kind", std::string()) == formatKind; });
}

bool matchesFilters(const Product &p, const json &filters)
{
    if (!filters.is_object())
        return true;
    if (auto it = filters.find("delivery_type");
        it != filters.end() && it->is_string() && it->get<std::string>() != p.deliveryType)
        return false;
    if (auto it = filters.find("channels"); it != filters.end() && it->is_array()) {
        bool any = false;
        for (const auto &c : *it)
            any = any || (c.is_string() && p.hasChannel(c.get<std::string>()));
        if (!any)
            return false;
    }
    const auto &options = p.publicJson.at("pricing_options");
    if (auto it = filters.find("is_fixed_price"); it != filters.end() && it->is_boolean()) {
        const bool wantFixed = it->get<bool>();
        if (std::none_of(options.begin(), options.end(),
                         [&](const json &o) { return isAuction(o) != wantFixed; }))
            return false;
    }
    if (auto it = filters.find("pricing_currencies"); it != filters.end() && it->is_array()) {
        bool any = false;
        for (const auto &o : options) {
            for (const auto &c : *it)
                any = any || (c.is_string() && o.value("currency", std::string()) == c.get<std::string>());
        }
        if (!any)
            return false;
    }
    if (auto it = filters.find("budget_range");
        it != filters.end() && it->is_object() && it->contains("max")) {
        const double max = it->value("max", 0.0);
        if (std::none_of(options.begin(), options.end(), [&](const json &o) { return minSpend(o) <= max; }))
            return false;
    }
    if (auto it = filters.find("format_ids"); it != filters.end() && it->is_array()) {
        bool any = false;
        for (const auto &wanted : *it) {
            for (const auto &f : p.publicJson.value("format_ids", json::array()))
                any = any || (wanted.is_object() &&
                              wanted.value("id", std::string()) == f.value("id", std::string()));
        }
        if (!any)
            return false;
    }
    if (auto it = filters.find("format_kinds"); it != filters.end() && it->is_array()) {
        if (std::none_of(it->begin(), it->end(), [&](const json &kind) {
                return kind.is_string() && acceptsFormatKind(p, kind.get<std::string>());
            }))
            return false;
    }
    if (auto it = filters.find("required_metrics"); it != filters.end() && it->is_array()) {
        const auto metrics =
            p.publicJson.at("reporting_capabilities").value("available_metrics", json::array());
        for (const auto &m : *it) {
            if (m != "impressions" && m != "spend" &&
                std::find(metrics.begin(), metrics.end(), m) == metrics.end())
                return false;
        }
    }
    return true;
}

std::string feedVersion(const Catalog &catalog)
{
    json products = json::object();
    for (const auto &p : catalog.products()) {
        json terms = p.publicJson;
        terms.erase("pricing_options");
        products[p.id] = std::move(terms);
    }
    return feedDigest("fv_", products);
}

std::string pricingVersion(const Catalog &catalog)
{
    json pricing = json::object();
    for (const auto &p : catalog.products())
        pricing[p.id] = p.publicJson.value("pricing_options", json::array());
    return feedDigest("pv_", pricing);
}

} // namespace adcp::seller::productfeed
