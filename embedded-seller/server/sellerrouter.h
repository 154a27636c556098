#pragma once

#include "bearerauth.h"
#include "dispatcher.h"
#include "httpmessage.h"
#include "sellerserveroptions.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace adcp::seller {

class A2aEndpoint;
class McpEndpoint;
class PlainHttpEndpoint;
class RouteGuard;
class WellKnownRoutes;

// The seller's HTTP face without sockets: a parsed request in, its answer out. The Beast engine feeds it
// from connections; fuzz harnesses and tests can feed it directly. Routes: /mcp (MCP streamable HTTP), /a2a
// (A2A JSON-RPC), /adcp/<task> and /mcp/adcp/<task> (AdCP over plain HTTP), /.well-known/agent-card.json,
// /.well-known/jwks.json. Thread-safe.
class SellerRouter final
{
public:
    // Runs a tool call somewhere else (a worker pool); empty runs it inside handle().
    using RunOnWorker = std::function<void(std::function<void()>)>;
    // One line per answered request: time, peer, method, path, RPC method/tool, principal, status, duration.
    using LogSink = std::function<void(const std::string &line)>;

    SellerRouter(std::shared_ptr<Dispatcher> dispatcher, BearerAuth auth, SellerServerOptions options,
                 RunOnWorker runOnWorker = {}, LogSink log = {});
    ~SellerRouter();
    SellerRouter(const SellerRouter &) = delete;
    SellerRouter &operator=(const SellerRouter &) = delete;

    // Asked when a request's headers are complete and its body is not read yet. An answer means "refuse now"
    // (403 foreign Host/Origin, 401 no valid token, 413 declared body too large; close is set because the
    // body stays unread); nullopt means read the body and call handle().
    std::optional<HttpResponse> preflight(const HttpRequest &head, std::optional<std::uint64_t> contentLength);
    // Answers the request through `done`, exactly once: at once, or from a worker thread for tool calls.
    void handle(HttpRequest request, std::function<void(HttpResponse)> done);
    // handle() and wait for the answer.
    HttpResponse handleNow(HttpRequest request);

    const SellerServerOptions &options() const;
    int sessionCount() const;
    int inFlight(const std::string &principalId) const;

private:
    void log(const class RouteExchange &exchange, const HttpResponse &response) const;

    SellerServerOptions m_options;
    LogSink m_log;
    std::unique_ptr<RouteGuard> m_guard;
    std::unique_ptr<McpEndpoint> m_mcp;
    std::unique_ptr<A2aEndpoint> m_a2a;
    std::unique_ptr<PlainHttpEndpoint> m_plain;
    std::unique_ptr<WellKnownRoutes> m_wellKnown;
};

} // namespace adcp::seller
