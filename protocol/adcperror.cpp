#include "adcperror.h"

#include <algorithm>
#include <unordered_map>

namespace adcp {

namespace {

struct CodeClass
{
    std::string_view code;
    Recovery recovery;
};

// The standard codes of enums/error-code.json with their enumMetadata recovery class, plus the codes this
// workbench's seller adds (the seeds' IMPLEMENTATION_CONFIG_LOOKUP_FAILED).
constexpr CodeClass kCodes[] = {
    {"INVALID_REQUEST", Recovery::Correctable},
    {"AUTH_REQUIRED", Recovery::Correctable},
    {"AUTH_MISSING", Recovery::Correctable},
    {"AUTH_INVALID", Recovery::Terminal},
    {"AUTHORIZATION_REQUIRED", Recovery::Correctable},
    {"RATE_LIMITED", Recovery::Transient},
    {"SERVICE_UNAVAILABLE", Recovery::Transient},
    {"CONFIGURATION_ERROR", Recovery::Terminal},
    {"POLICY_VIOLATION", Recovery::Correctable},
    {"PRODUCT_NOT_FOUND", Recovery::Correctable},
    {"PRODUCT_UNAVAILABLE", Recovery::Correctable},
    {"PROPOSAL_EXPIRED", Recovery::Correctable},
    {"BUDGET_TOO_LOW", Recovery::Correctable},
    {"CREATIVE_REJECTED", Recovery::Correctable},
    {"CREATIVE_LOCALE_NOT_ACCEPTED", Recovery::Correctable},
    {"CREATIVE_VALUE_NOT_ALLOWED", Recovery::Correctable},
    {"UNSUPPORTED_FEATURE", Recovery::Correctable},
    {"UNPRICEABLE_OUTPUT", Recovery::Correctable},
    {"UNSUPPORTED_GRANULARITY", Recovery::Correctable},
    {"UNSUPPORTED_PROVISIONING", Recovery::Correctable},
    {"AUDIENCE_TOO_SMALL", Recovery::Correctable},
    {"ACCOUNT_REQUIRED", Recovery::Correctable},
    {"ACCOUNT_NOT_FOUND", Recovery::Terminal},
    {"ACCOUNT_MOVED", Recovery::Correctable},
    {"ACCOUNT_IDENTITY_CONFLICT", Recovery::Correctable},
    {"ACCOUNT_SETUP_REQUIRED", Recovery::Correctable},
    {"ACCOUNT_AMBIGUOUS", Recovery::Correctable},
    {"ACCOUNT_PAYMENT_REQUIRED", Recovery::Terminal},
    {"ACCOUNT_SUSPENDED", Recovery::Terminal},
    {"COMPLIANCE_UNSATISFIED", Recovery::Correctable},
    {"GOVERNANCE_DENIED", Recovery::Correctable},
    {"BUDGET_EXHAUSTED", Recovery::Terminal},
    {"BUDGET_EXCEEDED", Recovery::Correctable},
    {"BUDGET_CAP_REACHED", Recovery::Correctable},
    {"CONFLICT", Recovery::Transient},
    {"IDEMPOTENCY_CONFLICT", Recovery::Correctable},
    {"IDEMPOTENCY_EXPIRED", Recovery::Correctable},
    {"IDEMPOTENCY_IN_FLIGHT", Recovery::Transient},
    {"CREATIVE_DEADLINE_EXCEEDED", Recovery::Correctable},
    {"CREATIVE_INACCESSIBLE", Recovery::Correctable},
    {"INVALID_STATE", Recovery::Correctable},
    {"MEDIA_BUY_NOT_FOUND", Recovery::Correctable},
    {"NOT_CANCELLABLE", Recovery::Correctable},
    {"PACKAGE_NOT_FOUND", Recovery::Correctable},
    {"PLACE_TARGET_UNAVAILABLE", Recovery::Correctable},
    {"CREATIVE_NOT_FOUND", Recovery::Correctable},
    {"SIGNAL_NOT_FOUND", Recovery::Correctable},
    {"SIGNAL_TARGETING_INCOMPATIBLE", Recovery::Correctable},
    {"SESSION_NOT_FOUND", Recovery::Correctable},
    {"PLAN_NOT_FOUND", Recovery::Correctable},
    {"REFERENCE_NOT_FOUND", Recovery::Correctable},
    {"SESSION_TERMINATED", Recovery::Correctable},
    {"VALIDATION_ERROR", Recovery::Correctable},
    {"PRODUCT_EXPIRED", Recovery::Correctable},
    {"PROPOSAL_NOT_COMMITTED", Recovery::Correctable},
    {"PROPOSAL_NOT_FOUND", Recovery::Correctable},
    {"MULTI_FINALIZE_UNSUPPORTED", Recovery::Correctable},
    {"IO_REQUIRED", Recovery::Correctable},
    {"TERMS_REJECTED", Recovery::Correctable},
    {"BIDDING_PLACEMENT_CONFLICT", Recovery::Correctable},
    {"AMBIGUOUS_BIDDING_POLICY", Recovery::Correctable},
    {"CONFLICTING_SELECTORS", Recovery::Correctable},
    {"REQUOTE_REQUIRED", Recovery::Correctable},
    {"VERSION_UNSUPPORTED", Recovery::Correctable},
    {"CAMPAIGN_SUSPENDED", Recovery::Transient},
    {"GOVERNANCE_UNAVAILABLE", Recovery::Transient},
    {"PERMISSION_DENIED", Recovery::Correctable},
    {"SCOPE_INSUFFICIENT", Recovery::Correctable},
    {"READ_ONLY_SCOPE", Recovery::Correctable},
    {"FIELD_NOT_PERMITTED", Recovery::Correctable},
    {"PROVENANCE_REQUIRED", Recovery::Correctable},
    {"PROVENANCE_DIGITAL_SOURCE_TYPE_MISSING", Recovery::Correctable},
    {"PROVENANCE_SYNTHETIC_DEPICTION_MISSING", Recovery::Correctable},
    {"PROVENANCE_DISCLOSURE_MISSING", Recovery::Correctable},
    {"PROVENANCE_EMBEDDED_MISSING", Recovery::Correctable},
    {"PROVENANCE_VERIFIER_NOT_ACCEPTED", Recovery::Correctable},
    {"PROVENANCE_CLAIM_CONTRADICTED", Recovery::Correctable},
    {"EVALUATOR_AGENT_NOT_ACCEPTED", Recovery::Correctable},
    {"BILLING_NOT_SUPPORTED", Recovery::Correctable},
    {"BILLING_NOT_PERMITTED_FOR_AGENT", Recovery::Correctable},
    {"BILLING_OUT_OF_BAND", Recovery::Terminal},
    {"PAYMENT_TERMS_NOT_SUPPORTED", Recovery::Correctable},
    {"BRAND_REQUIRED", Recovery::Correctable},
    {"AGENT_SUSPENDED", Recovery::Terminal},
    {"AGENT_BLOCKED", Recovery::Terminal},
    {"CREDENTIAL_IN_ARGS", Recovery::Terminal},
    {"ACTION_NOT_ALLOWED", Recovery::Correctable},
    {"PRIVATE_FIELD_IN_PUBLIC_PLACEMENT", Recovery::Correctable},
    {"FORMAT_PROJECTION_FAILED", Recovery::Correctable},
    {"FORMAT_DECLARATION_DIVERGENT", Recovery::Correctable},
    {"FORMAT_SHAPE_PROMOTED", Recovery::Correctable},
    {"FORMAT_DECLARATION_V1_AMBIGUOUS", Recovery::Correctable},
    {"FORMAT_OPTION_UNRESOLVED", Recovery::Correctable},
    {"FORMAT_DECLARATION_V1_LOSSY_MULTI_SIZE", Recovery::Correctable},
    {"FORMAT_NOT_SUPPORTED", Recovery::Correctable},
    {"PIXEL_TRACKER_LOSSY_DOWNGRADE", Recovery::Correctable},
    {"PIXEL_TRACKER_UPGRADE_INFERRED", Recovery::Correctable},
    {"STALE_RESPONSE", Recovery::Transient},
    {"FEED_FETCH_FAILED", Recovery::Correctable},
    {"INVALID_FEED_FORMAT", Recovery::Correctable},
    {"ITEM_VALIDATION_FAILED", Recovery::Correctable},
    {"CATALOG_LIMIT_EXCEEDED", Recovery::Correctable},
    {"INVALID_PRICING_OPTION", Recovery::Correctable},
    {"INVALID_USAGE_DATA", Recovery::Correctable},
    {"SIGNED_RESPONSE_ENVELOPE_EXPIRED", Recovery::Transient},
    {"SIGNED_RESPONSE_REQUEST_HASH_MISMATCH", Recovery::Correctable},
    {"SIGNED_RESPONSE_TENANT_MISMATCH", Recovery::Correctable},
    {"VAST_PARSE_FAILED", Recovery::Correctable},
    {"VAST_VERSION_MISMATCH", Recovery::Correctable},
    {"VAST_WRAPPER_DEPTH_EXCEEDED", Recovery::Correctable},
    {"IMPLEMENTATION_CONFIG_LOOKUP_FAILED", Recovery::Transient},
};

const std::unordered_map<std::string_view, Recovery> &codeTable()
{
    static const std::unordered_map<std::string_view, Recovery> table = [] {
        std::unordered_map<std::string_view, Recovery> t;
        for (const auto &c : kCodes)
            t.emplace(c.code, c.recovery);
        return t;
    }();
    return table;
}

} // namespace

std::string_view toString(Recovery recovery)
{
    switch (recovery) {
    case Recovery::Transient:
        return "transient";
    case Recovery::Correctable:
        return "correctable";
    case Recovery::Terminal:
        return "terminal";
    }
    return "transient";
}

std::optional<Recovery> recoveryFromString(std::string_view text)
{
    if (text == "transient")
        return Recovery::Transient;
    if (text == "correctable")
        return Recovery::Correctable;
    if (text == "terminal")
        return Recovery::Terminal;
    return std::nullopt;
}

Recovery recoveryForCode(std::string_view code)
{
    const auto &table = codeTable();
    const auto it = table.find(code);
    return it == table.end() ? Recovery::Transient : it->second;
}

bool isStandardErrorCode(std::string_view code)
{
    return codeTable().contains(code);
}

const std::vector<std::string_view> &standardErrorCodes()
{
    static const std::vector<std::string_view> codes = [] {
        std::vector<std::string_view> v;
        for (const auto &c : kCodes)
            v.push_back(c.code);
        return v;
    }();
    return codes;
}

AdcpError AdcpError::make(std::string code, std::string message, std::optional<std::string> field,
                          std::optional<std::string> suggestion)
{
    AdcpError e;
    e.recovery = recoveryForCode(code);
    e.code = std::move(code);
    e.message = std::move(message);
    e.field = std::move(field);
    e.suggestion = std::move(suggestion);
    return e;
}

nlohmann::json AdcpError::toJson() const
{
    nlohmann::json j = {{"code", code}, {"message", message}, {"recovery", std::string(toString(recovery))}};
    if (field)
        j["field"] = *field;
    if (suggestion)
        j["suggestion"] = *suggestion;
    if (retryAfter)
        j["retry_after"] = *retryAfter;
    if (!issues.empty()) {
        auto &arr = j["issues"] = nlohmann::json::array();
        for (const auto &i : issues) {
            nlohmann::json item = {{"pointer", i.pointer}, {"message", i.message}};
            if (!i.keyword.empty())
                item["keyword"] = i.keyword;
            arr.push_back(std::move(item));
        }
    }
    if (!details.is_null())
        j["details"] = details;
    return j;
}

AdcpError AdcpError::fromJson(const nlohmann::json &json)
{
    AdcpError e;
    if (!json.is_object()) {
        e.code = "INVALID_RESPONSE";
        e.message = "error is not an object";
        e.recovery = Recovery::Transient;
        return e;
    }
    // A peer's error object: members of the wrong type read as absent rather than throwing.
    const auto text = [&json](const char *key) -> std::optional<std::string> {
        const auto it = json.find(key);
        return it != json.end() && it->is_string() ? std::optional(it->get<std::string>()) : std::nullopt;
    };
    e.code = text("code").value_or("UNKNOWN");
    e.message = text("message").value_or(std::string());
    if (auto it = json.find("field"); it != json.end() && it->is_string())
        e.field = it->get<std::string>();
    if (auto it = json.find("suggestion"); it != json.end() && it->is_string())
        e.suggestion = it->get<std::string>();
    if (auto it = json.find("retry_after"); it != json.end() && it->is_number()) {
        // Fractional values are rounded up so a retry is never scheduled early.
        // Clamped before the conversion: a huge value must not overflow the int.
        const double v = std::clamp(it->get<double>(), 1.0, 3600.0);
        e.retryAfter = static_cast<int>(v) + (v > static_cast<int>(v) ? 1 : 0);
    }
    if (auto it = json.find("issues"); it != json.end() && it->is_array()) {
        for (const auto &i : *it) {
            if (!i.is_object())
                continue;
            const auto member = [&i](const char *key) {
                const auto it = i.find(key);
                return it != i.end() && it->is_string() ? it->get<std::string>() : std::string();
            };
            e.issues.push_back({member("pointer"), member("message"), member("keyword")});
        }
    }
    if (auto it = json.find("details"); it != json.end())
        e.details = *it;
    const auto recovery = json.contains("recovery") && json["recovery"].is_string()
                              ? recoveryFromString(json["recovery"].get<std::string>())
                              : std::nullopt;
    e.recovery = recovery ? *recovery : recoveryForCode(e.code);
    return e;
}

void ToolOutcome::materialize()
{
    if (prepared.empty())
        return;
    if (!result.is_object())
        result = nlohmann::json::object();
    for (auto &member : prepared) {
        // The piece is `"key":value`, text this program wrote.
        auto object = nlohmann::json::parse("{" + member.piece.text + "}");
        for (auto &[key, value] : object.items())
            result[key] = std::move(value);
    }
    prepared.clear();
}

std::string pointerToField(std::string_view pointer)
{
    std::string out;
    size_t pos = 0;
    while (pos < pointer.size()) {
        if (pointer[pos] != '/')
            break;
        ++pos;
        const size_t end = std::min(pointer.find('/', pos), pointer.size());
        std::string token(pointer.substr(pos, end - pos));
        // Unescape RFC 6901: ~1 → /, ~0 → ~
        for (size_t i = 0; (i = token.find('~', i)) != std::string::npos; ++i) {
            if (i + 1 < token.size() && token[i + 1] == '1')
                token.replace(i, 2, "/");
            else if (i + 1 < token.size() && token[i + 1] == '0')
                token.replace(i, 2, "~");
        }
        const bool numeric = !token.empty() && std::all_of(token.begin(), token.end(), [](char c) {
            return c >= '0' && c <= '9';
        });
        if (numeric)
            out += '[' + token + ']';
        else
            out += (out.empty() ? "" : ".") + token;
        pos = end;
    }
    return out;
}

} // namespace adcp
