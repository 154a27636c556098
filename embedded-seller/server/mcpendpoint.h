#pragma once

#include "dispatcher.h"
#include "routeexchange.h"
#include "sellerserveroptions.h"

#include <QStringList>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>

namespace adcp::seller {

class RouteGuard;

// MCP streamable HTTP on /mcp: POST carries one JSON-RPC message (answered as JSON, or as one SSE event when
// the peer accepts only text/event-stream), GET opens the session's server-to-client stream, DELETE ends a
// session. Sessions belong to the principal that opened them. Thread-safe.
class McpEndpoint final
{
public:
    using RunOnWorker = std::function<void(std::function<void()>)>;

    McpEndpoint(std::shared_ptr<Dispatcher> dispatcher, RouteGuard &guard, const SellerServerOptions &options,
                RunOnWorker runOnWorker);
    McpEndpoint(const McpEndpoint &) = delete;
    McpEndpoint &operator=(const McpEndpoint &) = delete;

    static const QStringList &supportedProtocolVersions();
    void handle(const ExchangePtr &exchange);
    int sessionCount() const;

    // The whole JSON-RPC answer to a successful tools/call, the result serialized once for both copies.
    static std::string successMessage(const nlohmann::json &id, const nlohmann::json &result,
                                      std::span<const wire::PreparedMember> prepared = {});

private:
    struct Session
    {
        std::string principalId;
        std::string protocolVersion;
        bool initialized = false;
        std::chrono::steady_clock::time_point lastUsed;
    };
    enum class SessionLookup { None, Found, Unknown };

    void handlePost(const ExchangePtr &exchange, const Principal &principal);
    void handleDelete(const ExchangePtr &exchange, const Principal &principal);
    void handleGet(const ExchangePtr &exchange, const Principal &principal);
    void answerMethod(const ExchangePtr &exchange, const Principal &principal, const std::string &method,
                      const nlohmann::json &id, const nlohmann::json &params);
    void initialize(const ExchangePtr &exchange, const Principal &principal, const nlohmann::json &id,
                    const nlohmann::json &params);
    void toolsCall(const ExchangePtr &exchange, const Principal &principal, const nlohmann::json &id,
                   const nlohmann::json &params);
    // Finds the request's session (touching it) when the peer named one.
    SessionLookup touchSession(const std::string &sessionId, const std::string &principalId,
                               bool markInitialized);
    void dropExpiredLocked(std::chrono::steady_clock::time_point now);
    std::chrono::steady_clock::time_point now() const;
    nlohmann::json toolsList(const Principal &principal) const;
    static nlohmann::json toolResult(const ToolOutcome &outcome, const nlohmann::json &arguments);

    std::shared_ptr<Dispatcher> m_dispatcher;
    RouteGuard &m_guard;
    const SellerServerOptions &m_options;
    RunOnWorker m_runOnWorker;
    mutable std::mutex m_mutex;
    std::map<std::string, Session, std::less<>> m_sessions;
};

} // namespace adcp::seller
