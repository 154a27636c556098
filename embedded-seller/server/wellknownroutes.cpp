#include "wellknownroutes.h"

#include "routeguard.h"

namespace adcp::seller {

WellKnownRoutes::WellKnownRoutes(std::shared_ptr<Dispatcher> dispatcher, RouteGuard &guard,
                                 const SellerServerOptions &options)
    : m_dispatcher(std::move(dispatcher)), m_guard(guard), m_options(options)
{
}

bool WellKnownRoutes::handle(const ExchangePtr &exchange)
{
    const std::string_view path = exchange->request().path();
    if (path == "/.well-known/agent-card.json" || path == "/.well-known/agent.json") {
        agentCard(exchange);
        return true;
    }
    if (path == "/.well-known/jwks.json" && !m_options.jwks.is_null() && exchange->request().method == "GET") {
        exchange->reply(200, m_options.jwks);
        return true;
    }
    return false;
}

void WellKnownRoutes::agentCard(const ExchangePtr &exchange)
{
    const HttpRequest &request = exchange->request();
    if (!m_guard.hostAllowed(request)) {
        exchange->reply(403, nlohmann::json{{"error", "host not allowed"}}, {}, "host rejected");
        return;
    }
    // The card is public: it lists every tool a principal could see, without principal-specific details.
    nlohmann::json skills = nlohmann::json::array();
    for (const auto &tool : m_dispatcher->tools(Principal{})) {
        skills.push_back({{"id", tool.name},
                          {"name", tool.name},
                          {"description", tool.description},
                          {"tags", {"adcp", "media-buy"}},
                          {"inputModes", {"application/json"}},
                          {"outputModes", {"application/json"}}});
    }
    std::string host(request.header("Host"));
    if (host.empty())
        host = "127.0.0.1";
    const std::string base = "http://" + host;
    const nlohmann::json card = {
        {"protocolVersion", "0.3.0"},
        {"name", m_options.agentName.toStdString()},
        {"description", "AdCP media-buy sales agent (AdCP over A2A)"},
        {"url", base + "/a2a"},
        {"preferredTransport", "JSONRPC"},
        // A2A 1.0 clients read the interfaces; 0.3 clients the url above. /a2a speaks both.
        {"supportedInterfaces",
         {{{"url", base + "/a2a"}, {"protocolBinding", "JSONRPC"}, {"protocolVersion", "1.0"}},
          {{"url", base + "/a2a"}, {"protocolBinding", "JSONRPC"}, {"protocolVersion", "0.3"}}}},
        {"version", "0.1.0"},
        {"capabilities",
         {{"streaming", false},
          {"pushNotifications", false},
          // The AdCP profile is required of 3.2 buyers, who activate it per request; 3.0/3.1 buyers predate
          // it and are still served their {skill, parameters} form without activation.
          {"extensions",
           {{{"uri", "https://adcontextprotocol.org/extensions/adcp/v3"},
             {"description", "AdCP structured task invocation profile"},
             {"required", true}}}}}},
        {"defaultInputModes", {"application/json"}},
        {"defaultOutputModes", {"application/json"}},
        {"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
        {"security", {{{"bearer", nlohmann::json::array()}}}},
        {"skills", skills}};
    exchange->reply(200, card);
}

} // namespace adcp::seller
