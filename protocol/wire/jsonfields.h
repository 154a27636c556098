#pragma once

// Helpers shared by the from_json/to_json functions of the wire types: typed access to required and optional
// members that reports failures as WireError with the member's pointer, and the "extra" bag that keeps the
// members a struct does not model so that they survive a round trip.

#include "wireerror.h"

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace adcp::wire::detail {

void requireObject(const nlohmann::json &json, std::string_view what);

template <typename T> struct IsVector : std::false_type
{
};
template <typename T> struct IsVector<std::vector<T>> : std::true_type
{
};

// Converts a value, re-anchoring any error (a type error here, or a WireError from a nested from_json) at
// `token`. Arrays are converted element by element so that an error names the index.
template <typename T> T convertAt(const nlohmann::json &value, std::string_view token)
{
    try {
        if constexpr (IsVector<T>::value) {
            if (!value.is_array())
                throw WireError("", std::string("must be an array, got ") + value.type_name());
            T result;
            result.reserve(value.size());
            for (size_t i = 0; i < value.size(); ++i)
                result.push_back(convertAt<typename T::value_type>(value[i], std::to_string(i)));
            return result;
        } else {
            return value.get<T>();
        }
    } catch (const WireError &e) {
        throw e.within(token);
    } catch (const nlohmann::json::exception &) {
        throw WireError("", std::string("has the wrong type (") + value.type_name() + ")").within(token);
    }
}

template <typename T> T required(const nlohmann::json &json, std::string_view key)
{
    const auto it = json.find(key);
    if (it == json.end())
        throw WireError("", "required property '" + std::string(key) + "' is missing").within(key);
    return convertAt<T>(*it, key);
}

// Absent and null both read as "not set".
template <typename T> std::optional<T> optional(const nlohmann::json &json, std::string_view key)
{
    const auto it = json.find(key);
    if (it == json.end() || it->is_null())
        return std::nullopt;
    return convertAt<T>(*it, key);
}

// An RFC 3339 date-time member; a malformed value is a WireError rather than a string passed on unchecked.
std::string requiredDateTime(const nlohmann::json &json, std::string_view key);
std::optional<std::string> optionalDateTime(const nlohmann::json &json, std::string_view key);

// The members of `json` whose names are not in `known`, as an object (empty object when there are none).
nlohmann::json extraMembers(const nlohmann::json &json, std::initializer_list<std::string_view> known);

// Starts an object from the preserved extra members; the modelled members are written over it.
nlohmann::json withExtra(const nlohmann::json &extra);

template <typename T> void putOptional(nlohmann::json &json, const char *key, const std::optional<T> &value)
{
    if (value)
        json[key] = *value;
}

template <typename T> void putNonEmpty(nlohmann::json &json, const char *key, const T &container)
{
    if (!container.empty())
        json[key] = container;
}

} // namespace adcp::wire::detail
