#include "agentjson.h"

#include "wire/jsonread.h"

#include <limits>

namespace adcp {

std::optional<nlohmann::json> parseAgentJson(const QByteArray &text, std::string *error)
{
    wire::ParseLimits limits;
    limits.maxDepth = kMaxAgentJsonDepth;
    limits.maxBytes = std::numeric_limits<std::size_t>::max();
    auto parsed = wire::parse(std::string_view(text.constData(), std::size_t(text.size())), limits);
    if (!parsed) {
        if (error)
            *error = parsed.error().message();
        return std::nullopt;
    }
    return *parsed;
}

} // namespace adcp
