#include "rpcwire.h"

#include "wire/jsonread.h"
#include "wire/jsonwrite.h"

namespace adcp::seller::rpcwire {

nlohmann::json error(const nlohmann::json &id, int code, const std::string &message,
                     const nlohmann::json &data)
{
    nlohmann::json e = {{"code", code}, {"message", message}};
    if (!data.is_null())
        e["data"] = data;
    return {{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(e)}};
}

nlohmann::json result(const nlohmann::json &id, nlohmann::json value)
{
    return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(value)}};
}

std::string dump(const nlohmann::json &value)
{
    return adcp::wire::dump(value);
}

void appendJsonString(std::string &out, std::string_view utf8)
{
    adcp::wire::appendJsonString(out, utf8);
}

ParseStatus parseBody(std::string_view body, int maxDepth, nlohmann::json *out)
{
    if (adcp::wire::firstTooDeep(body, maxDepth))
        return ParseStatus::TooDeep;
    *out = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
    return out->is_discarded() ? ParseStatus::NotJson : ParseStatus::Ok;
}

std::optional<std::string> stringField(const nlohmann::json &object, const char *key)
{
    if (!object.is_object())
        return std::nullopt;
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string())
        return std::nullopt;
    return it->get<std::string>();
}

nlohmann::json field(const nlohmann::json &object, const char *key, nlohmann::json fallback)
{
    if (!object.is_object())
        return fallback;
    const auto it = object.find(key);
    return it == object.end() ? fallback : *it;
}

nlohmann::json errorPayload(const AdcpError &error, const nlohmann::json &arguments)
{
    const nlohmann::json e = error.toJson();
    // An idempotency conflict's envelope carries only code and message: anything more on it would let a
    // caller holding a stolen key learn about the first request. The payload's errors[] still has the whole
    // error (field, recovery), which says nothing about the earlier call.
    nlohmann::json envelope = e;
    if (error.code == "IDEMPOTENCY_CONFLICT")
        envelope = {{"code", field(e, "code")}, {"message", field(e, "message")}};
    nlohmann::json payload = {{"adcp_error", std::move(envelope)}, {"errors", nlohmann::json::array({e})}};
    const nlohmann::json context = field(arguments, "context");
    if (context.is_object())
        payload["context"] = context;
    return payload;
}

std::optional<AdcpError> versionError(const nlohmann::json &arguments)
{
    if (!arguments.is_object())
        return std::nullopt;
    std::string requested;
    if (auto it = arguments.find("adcp_major_version"); it != arguments.end() && it->is_number_integer()) {
        const auto major = it->get<std::int64_t>();
        if (major != 3)
            requested = std::to_string(major);
    }
    if (const auto v = stringField(arguments, "adcp_version"); v && v->substr(0, v->find('.')) != "3")
        requested = *v;
    if (requested.empty())
        return std::nullopt;
    AdcpError e = AdcpError::make(
        "VERSION_UNSUPPORTED",
        "AdCP version " + requested + " is not supported; this seller speaks 3.0 and 3.1",
        std::string(arguments.contains("adcp_version") ? "adcp_version" : "adcp_major_version"),
        "retry with adcp_version \"3.1\" (or without a version pin)");
    e.details = {{"supported_versions", {"3.0", "3.1"}}, {"major_versions", {3}}};
    return e;
}

} // namespace adcp::seller::rpcwire
