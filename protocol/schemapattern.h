#pragma once

#include <optional>
#include <string>

namespace adcp {

// The JSON Schema `pattern` keyword (an ECMA-262 regular expression, searched anywhere in the text) on an
// engine with bounded stack and time: PCRE2 through QRegularExpression, which matches on the heap (JIT stack
// or interpreter frames) under PCRE2's match limit, where std::regex recursed once per character and
// overflowed the stack on a long string. Compiled patterns are cached per thread.
//
// Whether `text` matches; nullopt when the pattern cannot be compiled. An engine that gives up (match limit)
// counts as no match.
std::optional<bool> searchSchemaPattern(const std::string &pattern, const std::string &text);

// ECMA-262 → PCRE2 for the constructs where they differ in the schemas' patterns: `\uXXXX` becomes
// `\x{XXXX}`, and `$` outside a character class becomes `\z` (PCRE's `$` also matches before a final
// newline, ECMA-262's does not).
std::string pcrePatternFromEcma(const std::string &pattern);

} // namespace adcp
