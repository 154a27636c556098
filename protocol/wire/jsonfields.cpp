#include "jsonfields.h"

#include "rfc3339.h"

#include <algorithm>

namespace adcp::wire::detail {

void requireObject(const nlohmann::json &json, std::string_view what)
{
    if (!json.is_object())
        throw WireError("", std::string(what) + " must be an object, got " + json.type_name());
}

std::string requiredDateTime(const nlohmann::json &json, std::string_view key)
{
    std::string value = required<std::string>(json, key);
    if (!isRfc3339DateTime(value))
        throw WireError("", "'" + value + "' is not an RFC 3339 date-time").within(key);
    return value;
}

std::optional<std::string> optionalDateTime(const nlohmann::json &json, std::string_view key)
{
    std::optional<std::string> value = optional<std::string>(json, key);
    if (value && !isRfc3339DateTime(*value))
        throw WireError("", "'" + *value + "' is not an RFC 3339 date-time").within(key);
    return value;
}

nlohmann::json extraMembers(const nlohmann::json &json, std::initializer_list<std::string_view> known)
{
    nlohmann::json extra = nlohmann::json::object();
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (std::find(known.begin(), known.end(), it.key()) == known.end())
            extra[it.key()] = it.value();
    }
    return extra;
}

nlohmann::json withExtra(const nlohmann::json &extra)
{
    return extra.is_object() ? extra : nlohmann::json::object();
}

} // namespace adcp::wire::detail
