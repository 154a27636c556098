#pragma once

// The one way to read untrusted JSON (a peer's request or answer, a file, a row read back from the database).
// Nothing here throws: parsing returns a value or a ReadError, and typed access through JsonRef returns a
// Read<T> that holds a value, "absent", or a ReadError naming the RFC 6901 pointer and what was expected.
//
//     const auto doc = wire::parse(body);                  // depth and size checked while reading
//     if (!doc) return failure(doc.error());
//     const wire::JsonRef args(*doc);
//     const auto cursor = args["pagination"]["cursor"].string(64);
//     if (cursor.invalid()) return failure(cursor.error()); // present but not a short string
//     const std::string start = cursor.valueOr("");          // absent (or null) reads as "not set"
//
// A JsonRef borrows the document it was made from: keep the document alive while the ref is used.

#include "adcperror.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace adcp::wire {

// Why a value could not be read. `pointer` is RFC 6901 ("" is the document itself); `expected` says what
// would have been accepted ("a string of at most 64 characters"); `found` what was there ("a number",
// "nothing"). The offending value itself is never copied: it may be huge or secret.
struct ReadError
{
    std::string pointer;
    std::string expected;
    std::string found;

    // "pagination.cursor: expected a string, found a number"
    std::string message() const;
    // INVALID_REQUEST (or `code`) with field = the pointer as JSONPath-lite, recovery from the code.
    adcp::AdcpError toAdcpError(std::string code = "INVALID_REQUEST") const;
};

// A value, nothing (member missing or null), or an error (present but not what was expected).
template <typename T> class Read
{
public:
    static Read value(T v) { return Read(std::move(v)); }
    static Read absent(ReadError missing) { return Read(std::move(missing), false); }
    static Read invalid(ReadError error) { return Read(std::move(error), true); }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    bool isAbsent() const { return !m_value && !m_invalid; }
    bool invalid() const { return m_invalid; }

    // Precondition: ok().
    const T &operator*() const { return *m_value; }
    const T *operator->() const { return &*m_value; }
    // The value, or `fallback` when absent or invalid; use after checking invalid() unless leniency is meant.
    T valueOr(T fallback) const { return m_value ? *m_value : std::move(fallback); }
    // Precondition: !ok(). For an absent value: "expected <what>, found nothing".
    const ReadError &error() const { return m_error; }

private:
    explicit Read(T v) : m_value(std::move(v)) {}
    Read(ReadError error, bool invalid) : m_error(std::move(error)), m_invalid(invalid) {}

    std::optional<T> m_value;
    ReadError m_error;
    bool m_invalid = false;
};

// Bounds where a schema gives none. The defaults are documented in docs/robustness.md.
struct ParseLimits
{
    int maxDepth = 64;                // nested arrays and objects
    std::size_t maxBytes = 32u << 20; // the whole text
};

// Parses `text`, checking size first and nesting depth before any value is built. Invalid UTF-8 and
// trailing garbage are errors. Never throws.
Read<nlohmann::json> parse(std::string_view text, const ParseLimits &limits = {});
// The byte offset at which `text` first nests deeper than `maxDepth` (strings and escapes skipped), scanning
// bytes only so that no parser recursion runs on hostile input; nullopt when it never does.
std::optional<std::size_t> firstTooDeep(std::string_view text, int maxDepth);

// For a document that did not come through parse() (an in-process call): its nesting depth.
std::optional<ReadError> checkDepth(const nlohmann::json &json, int maxDepth = ParseLimits().maxDepth);
// dump() that never throws: invalid UTF-8 inside strings (from a header, a file) is replaced by U+FFFD.
std::string dump(const nlohmann::json &json, int indent = -1);
// RFC 6901: `pointer` + "/" + the escaped token.
std::string appendToken(const std::string &pointer, std::string_view token);

constexpr std::size_t kDefaultMaxString = 64u << 10;

// A borrowed view of one place in a document: present or absent, with its pointer for error messages.
class JsonRef
{
public:
    explicit JsonRef(const nlohmann::json &root) : m_json(&root) {}

    // Member `key` of an object; absent when this is absent, not an object or has no such member.
    JsonRef operator[](std::string_view key) const;
    // Element `index` of an array; absent when out of range or not an array.
    JsonRef operator[](std::size_t index) const;

    const std::string &pointer() const { return m_pointer; }
    // Absent: the member does not exist. Null counts as "not set" for every typed read below.
    bool exists() const { return m_json != nullptr; }
    bool isSet() const { return m_json && !m_json->is_null(); }
    // The value itself (null when absent), for passing a subtree on unchanged.
    const nlohmann::json &raw() const;

    Read<bool> boolean() const;
    Read<std::string> string(std::size_t maxLength = kDefaultMaxString) const;
    // A JSON integer (or a float with no fractional part) within [min, max].
    Read<std::int64_t> integer(std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                               std::int64_t max = std::numeric_limits<std::int64_t>::max()) const;
    // A finite number within [min, max].
    Read<double> number(double min = -std::numeric_limits<double>::max(),
                        double max = std::numeric_limits<double>::max()) const;
    // This value, checked to be an object / an array of at most maxItems elements.
    Read<JsonRef> object() const;
    Read<JsonRef> array(std::size_t maxItems = std::numeric_limits<std::size_t>::max()) const;
    // The elements of an array (empty when this is not an array), each with its pointer.
    std::vector<JsonRef> items() const;
    // The members of an object (empty when this is not an object), each with its key.
    std::vector<std::pair<std::string, JsonRef>> members() const;

    // An error at this place: "expected <expected>, found <what is here>".
    ReadError error(std::string expected) const;

private:
    JsonRef(const nlohmann::json *json, std::string pointer) : m_json(json), m_pointer(std::move(pointer)) {}
    template <typename T> Read<T> notSet(const char *expected) const;

    const nlohmann::json *m_json = nullptr;
    std::string m_pointer;
};

} // namespace adcp::wire
