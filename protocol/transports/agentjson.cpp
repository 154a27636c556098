#include "agentjson.h"

namespace adcp {

std::optional<nlohmann::json> parseAgentJson(const QByteArray &text, std::string *error)
{
    bool tooDeep = false;
    // Values below the limit are dropped as they are read, so the refused document never exists in memory.
    const auto limitDepth = [&tooDeep](int depth, nlohmann::json::parse_event_t event, nlohmann::json &) {
        const bool opens = event == nlohmann::json::parse_event_t::object_start ||
                           event == nlohmann::json::parse_event_t::array_start;
        if (opens && depth >= kMaxAgentJsonDepth)
            tooDeep = true;
        return !tooDeep;
    };
    auto parsed = nlohmann::json::parse(text.constBegin(), text.constEnd(), limitDepth, false);
    if (tooDeep) {
        if (error)
            *error = "nests deeper than " + std::to_string(kMaxAgentJsonDepth) + " levels";
        return std::nullopt;
    }
    if (parsed.is_discarded()) {
        if (error)
            *error = "is not JSON";
        return std::nullopt;
    }
    return parsed;
}

} // namespace adcp
