#pragma once

#include <QByteArray>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace adcp {

// Agents' answers nest far less than this; deeper documents are refused while parsing, before any recursive
// code (copying, comparing, dumping, schema validation) could run out of stack on them.
inline constexpr int kMaxAgentJsonDepth = 64;

// Parses an answer from an agent through the project's safe reader (wire::parse): nullopt for text that is
// not JSON (invalid UTF-8 included) or that nests deeper than kMaxAgentJsonDepth; `error` then says which.
// The size is the transport's business (AnswerLimits), so it is not limited again here.
std::optional<nlohmann::json> parseAgentJson(const QByteArray &text, std::string *error = nullptr);

} // namespace adcp
