#pragma once

#include "wire/jsonwrite.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace adcp {

// How a caller should react to an error (AdCP error.recovery).
enum class Recovery { Transient, Correctable, Terminal };

std::string_view toString(Recovery recovery);
std::optional<Recovery> recoveryFromString(std::string_view text);

// The recovery class of a standard code; unknown codes are transient, as the spec tells receivers to assume.
Recovery recoveryForCode(std::string_view code);
bool isStandardErrorCode(std::string_view code);
const std::vector<std::string_view> &standardErrorCodes();

struct ErrorIssue
{
    std::string pointer; // RFC 6901
    std::string message;
    std::string keyword;
};

// The AdCP error object (core/error.json).
struct AdcpError
{
    std::string code;
    std::string message;
    std::optional<std::string> field; // JSONPath-lite, e.g. packages[0].budget
    std::optional<std::string> suggestion;
    std::optional<int> retryAfter;
    std::vector<ErrorIssue> issues;
    nlohmann::json details; // null when absent
    Recovery recovery = Recovery::Correctable;

    // Recovery is taken from the code's standard class.
    static AdcpError make(std::string code, std::string message, std::optional<std::string> field = std::nullopt,
                          std::optional<std::string> suggestion = std::nullopt);

    nlohmann::json toJson() const;
    // Lenient: missing recovery falls back to the code's class (transient for unknown codes).
    static AdcpError fromJson(const nlohmann::json &json);
};

// RFC 6901 pointer → JSONPath-lite (`/packages/0/budget` → `packages[0].budget`).
std::string pointerToField(std::string_view pointer);

// The outcome of one tool call: either a result object or an AdCP error. Shared by the seller's Dispatcher,
// every transport and the AgentClient.
struct ToolOutcome
{
    nlohmann::json result;
    std::optional<AdcpError> error;
    // Members of a successful result that a seller keeps as prepared JSON text instead of in `result` (a
    // large answer assembled from text prepared once). Only the seller's Dispatcher::callPrepared() hands
    // these out; every other outcome has them in `result`. In key order, each key once and not in `result`.
    std::vector<wire::PreparedMember> prepared;

    bool ok() const { return !error.has_value(); }
    // Parses the prepared members into `result` (an object), leaving none prepared.
    void materialize();
    static ToolOutcome success(nlohmann::json result) { return {std::move(result), std::nullopt}; }
    static ToolOutcome failure(AdcpError error) { return {nlohmann::json(), std::move(error)}; }
};

} // namespace adcp
