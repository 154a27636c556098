#pragma once

#include "scriptedpeer.h"

#include <nlohmann/json.hpp>

// A scripted MCP agent for the test lab's tests: it claims media_buy, 3.1 and idempotency in its capabilities
// and answers every other call with an empty success, so that every check applies to it and those that read
// what came back must fail.
inline ScriptedPeer::Answer acceptEverything(const ScriptedPeer::Seen &seen, int)
{
    const std::string method = seen.body.value("method", std::string());
    const nlohmann::json id = seen.body.contains("id") ? seen.body["id"] : nlohmann::json();
    if (method == "initialize")
        return ScriptedPeer::json({{"jsonrpc", "2.0"},
                                   {"id", id},
                                   {"result",
                                    {{"protocolVersion", "2025-06-18"},
                                     {"capabilities", {{"tools", nlohmann::json::object()}}},
                                     {"serverInfo", {{"name", "yes-man"}, {"version", "1"}}}}}});
    if (method.rfind("notifications/", 0) == 0)
        return ScriptedPeer::Answer{202, "application/json", {}, {}, false};
    nlohmann::json structured = nlohmann::json::object();
    if (seen.body.value("params", nlohmann::json::object()).value("name", std::string()) == "get_adcp_capabilities")
        structured = {{"adcp",
                       {{"major_versions", {3}},
                        {"supported_versions", {"3.1"}},
                        {"idempotency", {{"supported", true}, {"replay_ttl_seconds", 86400}}}}},
                      {"supported_protocols", {"media_buy"}},
                      {"media_buy", {{"buying_modes", {"brief", "refine"}}, {"supports_proposals", true}}}};
    return ScriptedPeer::json(
        {{"jsonrpc", "2.0"},
         {"id", id},
         {"result", {{"content", {{{"type", "text"}, {"text", structured.dump()}}}}, {"structuredContent", structured}}}});
}

