#pragma once

#include "adcperror.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

// JSON-RPC and AdCP envelope helpers shared by the MCP and A2A endpoints. Nothing here throws on peer input.
namespace adcp::seller::rpcwire {

constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kAuthMissing = -32028;

nlohmann::json error(const nlohmann::json &id, int code, const std::string &message,
                     const nlohmann::json &data = nullptr);
nlohmann::json result(const nlohmann::json &id, nlohmann::json value);

// Serializes without ever throwing: invalid UTF-8 (from a header echoed somewhere) becomes U+FFFD.
std::string dump(const nlohmann::json &value);

// Appends `utf8` (valid UTF-8, e.g. the output of dump()) as a JSON string literal, escaped exactly as dump()
// escapes strings, in one pass without building a json value.
void appendJsonString(std::string &out, std::string_view utf8);

enum class ParseStatus { Ok, NotJson, TooDeep };
// Parses a request body; bodies nested deeper than maxDepth are refused before the parser runs.
ParseStatus parseBody(std::string_view body, int maxDepth, nlohmann::json *out);

// The value of key in object when it is a string, else nullopt (no throwing access on peer data).
std::optional<std::string> stringField(const nlohmann::json &object, const char *key);
// object[key] when present, else `fallback` (any type).
nlohmann::json field(const nlohmann::json &object, const char *key, nlohmann::json fallback = nullptr);

// The body of a failed call: the error as envelope (adcp_error) and as payload (errors[]), with the caller's
// context echoed so that errors can be correlated like successes.
nlohmann::json errorPayload(const AdcpError &error, const nlohmann::json &arguments);
// The AdCP version envelope check done before dispatch: this seller speaks major version 3.
std::optional<AdcpError> versionError(const nlohmann::json &arguments);

} // namespace adcp::seller::rpcwire
