#include "secretmask.h"

#include "agentjson.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace adcp {

namespace {

constexpr std::string_view kMask = "****";

bool isSecretKey(std::string key)
{
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    static constexpr std::array<std::string_view, 8> secretKeys = {
        "credentials", "token", "authorization", "api_key", "apikey", "secret", "password", "access_token"};
    return std::find(secretKeys.begin(), secretKeys.end(), key) != secretKeys.end();
}

void maskInPlace(nlohmann::json &value)
{
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it) {
            if (isSecretKey(it.key()) && (it->is_string() || it->is_number()))
                *it = std::string(kMask);
            else
                maskInPlace(*it);
        }
    } else if (value.is_array()) {
        for (auto &item : value)
            maskInPlace(item);
    }
}

} // namespace

bool isSecretHeader(const QByteArray &name)
{
    const QByteArray lower = name.toLower();
    return lower == "authorization" || lower == "proxy-authorization" || lower == "x-api-key" ||
           lower == "cookie" || lower == "set-cookie" || lower == "x-adcp-signature";
}

QByteArray maskHeaderValue(const QByteArray &name, const QByteArray &value)
{
    if (!isSecretHeader(name))
        return value;
    // Keep the scheme so the inspector still shows which kind of credential went out.
    const qsizetype space = value.indexOf(' ');
    if (space > 0 && name.toLower().endsWith("authorization"))
        return value.left(space + 1) + QByteArray(kMask.data(), qsizetype(kMask.size()));
    return QByteArray(kMask.data(), qsizetype(kMask.size()));
}

HeaderList maskHeaders(const HeaderList &headers)
{
    HeaderList out;
    out.reserve(headers.size());
    for (const auto &[name, value] : headers)
        out.append({name, maskHeaderValue(name, value)});
    return out;
}

nlohmann::json maskJsonSecrets(const nlohmann::json &document)
{
    nlohmann::json copy = document;
    maskInPlace(copy);
    return copy;
}

QByteArray maskRawJson(const QByteArray &body)
{
    // Bodies too deep to parse safely are shown as they came: masking them would need the recursion the
    // depth limit exists to avoid.
    const auto parsed = parseAgentJson(body);
    if (!parsed)
        return body;
    const nlohmann::json masked = maskJsonSecrets(*parsed);
    if (masked == *parsed)
        return body;
    return QByteArray::fromStdString(masked.dump());
}

} // namespace adcp
