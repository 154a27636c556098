#include "jsonread.h"
#include "jsonwrite.h"

#include <cmath>

namespace adcp::wire {

using nlohmann::json;

namespace {

const json &nullJson()
{
    static const json null;
    return null;
}

// What a value is, for "found ..." (never the value itself).
std::string describe(const json *value)
{
    if (!value)
        return "nothing";
    switch (value->type()) {
    case json::value_t::null:
        return "null";
    case json::value_t::object:
        return "an object";
    case json::value_t::array:
        return "an array";
    case json::value_t::string:
        return "a string";
    case json::value_t::boolean:
        return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
        return "an integer";
    case json::value_t::number_float:
        return "a number";
    default:
        return "an unsupported value";
    }
}

// Descends no further than maxDepth + 1 levels, so the recursion is bounded by the limit itself.
bool deeperThan(const json &value, int remaining)
{
    if (!value.is_structured())
        return false;
    if (remaining == 0)
        return true;
    for (const auto &child : value) {
        if (deeperThan(child, remaining - 1))
            return true;
    }
    return false;
}

} // namespace

// The deepest nesting of `text`, scanning bytes only (strings and escapes skipped), stopping as soon as
// `maxDepth` is exceeded; returns the offset where that happened.
std::optional<std::size_t> firstTooDeep(std::string_view text, int maxDepth)
{
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > maxDepth)
                return i;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return std::nullopt;
}

std::string ReadError::message() const
{
    const std::string field = adcp::pointerToField(pointer);
    return (field.empty() ? std::string("the document") : field) + ": expected " + expected + ", found " +
           found;
}

adcp::AdcpError ReadError::toAdcpError(std::string code) const
{
    const std::string field = adcp::pointerToField(pointer);
    return adcp::AdcpError::make(std::move(code), message(),
                                 field.empty() ? std::nullopt : std::optional<std::string>(field));
}

std::string appendToken(const std::string &pointer, std::string_view token)
{
    std::string out = pointer;
    out.reserve(pointer.size() + token.size() + 1);
    out += '/';
    for (const char c : token) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

Read<json> parse(std::string_view text, const ParseLimits &limits)
{
    if (text.size() > limits.maxBytes) {
        return Read<json>::invalid({"", "a document of at most " + std::to_string(limits.maxBytes) + " bytes",
                                    std::to_string(text.size()) + " bytes"});
    }
    if (const auto at = firstTooDeep(text, limits.maxDepth)) {
        return Read<json>::invalid({"", "nesting at most " + std::to_string(limits.maxDepth) + " levels deep",
                                    "deeper nesting at byte " + std::to_string(*at)});
    }
    try {
        return Read<json>::value(json::parse(text.begin(), text.end()));
    } catch (const json::parse_error &e) {
        return Read<json>::invalid(
            {"", "well-formed UTF-8 JSON", "a syntax error at byte " + std::to_string(e.byte)});
    } catch (const json::out_of_range &) {
        return Read<json>::invalid({"", "well-formed UTF-8 JSON", "a number beyond the range of a double"});
    } catch (const std::exception &) {
        return Read<json>::invalid({"", "well-formed UTF-8 JSON", "a document that cannot be read"});
    }
}

std::optional<ReadError> checkDepth(const json &value, int maxDepth)
{
    if (!deeperThan(value, maxDepth))
        return std::nullopt;
    return ReadError{"", "nesting at most " + std::to_string(maxDepth) + " levels deep", "deeper nesting"};
}

std::string dump(const json &value, int indent)
{
    if (indent < 0) {
        std::string out;
        appendDump(out, value);
        return out;
    }
    return value.dump(indent, ' ', false, json::error_handler_t::replace);
}

JsonRef JsonRef::operator[](std::string_view key) const
{
    const json *child = nullptr;
    if (m_json && m_json->is_object()) {
        const auto it = m_json->find(key);
        if (it != m_json->end())
            child = &*it;
    }
    return JsonRef(child, appendToken(m_pointer, key));
}

JsonRef JsonRef::operator[](std::size_t index) const
{
    const json *child = nullptr;
    if (m_json && m_json->is_array() && index < m_json->size())
        child = &(*m_json)[index];
    return JsonRef(child, m_pointer + '/' + std::to_string(index));
}

const json &JsonRef::raw() const
{
    return m_json ? *m_json : nullJson();
}

ReadError JsonRef::error(std::string expected) const
{
    return {m_pointer, std::move(expected), describe(m_json)};
}

template <typename T> Read<T> JsonRef::notSet(const char *expected) const
{
    return Read<T>::absent(error(expected));
}

Read<bool> JsonRef::boolean() const
{
    if (!isSet())
        return notSet<bool>("a boolean");
    if (!m_json->is_boolean())
        return Read<bool>::invalid(error("a boolean"));
    return Read<bool>::value(m_json->get<bool>());
}

Read<std::string> JsonRef::string(std::size_t maxLength) const
{
    if (!isSet())
        return notSet<std::string>("a string");
    if (!m_json->is_string())
        return Read<std::string>::invalid(error("a string"));
    const auto &text = m_json->get_ref<const std::string &>();
    if (text.size() > maxLength) {
        return Read<std::string>::invalid({m_pointer,
                                           "a string of at most " + std::to_string(maxLength) + " bytes",
                                           "a string of " + std::to_string(text.size()) + " bytes"});
    }
    return Read<std::string>::value(text);
}

Read<std::int64_t> JsonRef::integer(std::int64_t min, std::int64_t max) const
{
    const std::string expected = "an integer between " + std::to_string(min) + " and " + std::to_string(max);
    if (!isSet())
        return Read<std::int64_t>::absent(error(expected));
    std::optional<std::int64_t> value;
    if (m_json->is_number_integer() && !m_json->is_number_unsigned()) {
        value = m_json->get<std::int64_t>();
    } else if (m_json->is_number_unsigned()) {
        const auto u = m_json->get<std::uint64_t>();
        if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            value = static_cast<std::int64_t>(u);
    } else if (m_json->is_number_float()) {
        // Integral floats (2.0) are integers to JSON Schema; the bounds keep the cast defined.
        const double d = m_json->get<double>();
        if (std::isfinite(d) && std::trunc(d) == d && d >= -9.2e18 && d <= 9.2e18)
            value = static_cast<std::int64_t>(d);
    }
    if (!value || *value < min || *value > max) {
        ReadError e = error(expected);
        if (m_json->is_number())
            e.found = "a number out of that range";
        return Read<std::int64_t>::invalid(std::move(e));
    }
    return Read<std::int64_t>::value(*value);
}

Read<double> JsonRef::number(double min, double max) const
{
    if (!isSet())
        return notSet<double>("a number");
    if (!m_json->is_number())
        return Read<double>::invalid(error("a number"));
    const double d = m_json->get<double>();
    if (!std::isfinite(d) || d < min || d > max) {
        ReadError e =
            error("a number between " + nlohmann::json(min).dump() + " and " + nlohmann::json(max).dump());
        e.found = "a number out of that range";
        return Read<double>::invalid(std::move(e));
    }
    return Read<double>::value(d);
}

Read<JsonRef> JsonRef::object() const
{
    if (!isSet())
        return notSet<JsonRef>("an object");
    if (!m_json->is_object())
        return Read<JsonRef>::invalid(error("an object"));
    return Read<JsonRef>::value(*this);
}

Read<JsonRef> JsonRef::array(std::size_t maxItems) const
{
    if (!isSet())
        return notSet<JsonRef>("an array");
    if (!m_json->is_array())
        return Read<JsonRef>::invalid(error("an array"));
    if (m_json->size() > maxItems) {
        return Read<JsonRef>::invalid({m_pointer,
                                       "an array of at most " + std::to_string(maxItems) + " items",
                                       "an array of " + std::to_string(m_json->size()) + " items"});
    }
    return Read<JsonRef>::value(*this);
}

std::vector<JsonRef> JsonRef::items() const
{
    std::vector<JsonRef> out;
    if (!m_json || !m_json->is_array())
        return out;
    out.reserve(m_json->size());
    for (std::size_t i = 0; i < m_json->size(); ++i)
        out.push_back(JsonRef(&(*m_json)[i], m_pointer + '/' + std::to_string(i)));
    return out;
}

std::vector<std::pair<std::string, JsonRef>> JsonRef::members() const
{
    std::vector<std::pair<std::string, JsonRef>> out;
    if (!m_json || !m_json->is_object())
        return out;
    out.reserve(m_json->size());
    for (auto it = m_json->begin(); it != m_json->end(); ++it)
        out.emplace_back(it.key(), JsonRef(&it.value(), appendToken(m_pointer, it.key())));
    return out;
}

} // namespace adcp::wire
