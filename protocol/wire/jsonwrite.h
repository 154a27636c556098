#pragma once

// How wire::dump writes compact JSON text (the seller's answers, stored documents). The output is byte for
// byte what nlohmann::json::dump(-1, ' ', false, error_handler_t::replace) writes: compact, keys in the
// document's order, UTF-8 kept as it is, control characters, quotes and backslashes escaped, an invalid UTF-8
// sequence replaced by U+FFFD. nlohmann's writer decodes every byte of every string through its UTF-8
// automaton; this one checks eight bytes at a time and copies runs that need no escape (measured on a
// get_products answer's 11.7 KB structured content: 31 µs there, 9.3 µs here). Floating-point numbers, binary
// values and strings that are not valid UTF-8 still go through nlohmann's writer, so they come out exactly as
// before.

#include <nlohmann/json.hpp>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace adcp::wire {

// wire::dump (jsonread.h) writes through this when it writes compact text.
// Appends `value` as compact JSON text to `out`.
void appendDump(std::string &out, const nlohmann::json &value);
// Appends `utf8` as a JSON string literal, quotes included, escaping quotes, backslashes and control
// characters only. The bytes are not checked as UTF-8: for text this program wrote (a dump()'s output).
void appendJsonString(std::string &out, std::string_view utf8);
// The same without the quotes: `utf8` as the content of a JSON string literal.
void appendStringContent(std::string &out, std::string_view utf8);

// Compact JSON text, and beside it the same text escaped as the content of a JSON string. An MCP answer
// carries its result twice (structuredContent, and a text item holding the result as a string), so text that
// a seller prepares once is kept in both forms and spliced into an answer without being written or escaped
// again.
struct TwinText
{
    std::string text;
    std::string escaped;

    // Appends JSON text this program wrote (see appendJsonString), escaping it for the twin.
    void append(std::string_view json);
    void append(const TwinText &prepared);
    void reserve(std::size_t textBytes);
};

// One member of a JSON object held as prepared text: `piece` is `"key":value`.
struct PreparedMember
{
    std::string key;
    TwinText piece;
};

PreparedMember prepareMember(const std::string &key, const nlohmann::json &value);
// Every member of `object`, in key order, each prepared alone.
std::vector<PreparedMember> prepareMembers(const nlohmann::json &object);

// Appends one object made of two lists of prepared members, each in key order: in key order, and where a key
// is in both, `overrides`' member alone. These are the bytes appendDump writes for the object the lists
// describe.
void appendObject(TwinText &out, std::span<const PreparedMember> members,
                  std::span<const PreparedMember> overrides);
// The same for an object given as a value (members written here) and prepared members that take precedence.
void appendObject(TwinText &out, const nlohmann::json &object, std::span<const PreparedMember> overrides);

} // namespace adcp::wire
