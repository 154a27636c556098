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

#include <string>
#include <string_view>

namespace adcp::wire {

// wire::dump (jsonread.h) writes through this when it writes compact text.
// Appends `value` as compact JSON text to `out`.
void appendDump(std::string &out, const nlohmann::json &value);
// Appends `utf8` as a JSON string literal, quotes included, escaping quotes, backslashes and control
// characters only. The bytes are not checked as UTF-8: for text this program wrote (a dump()'s output).
void appendJsonString(std::string &out, std::string_view utf8);

} // namespace adcp::wire
