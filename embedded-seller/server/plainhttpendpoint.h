#pragma once

#include "dispatcher.h"
#include "routeexchange.h"
#include "sellerserveroptions.h"

#include <functional>
#include <memory>
#include <string_view>

namespace adcp::seller {

class RouteGuard;

// AdCP over plain HTTP, one URL per operation: POST /adcp/<task> (also under the MCP mount, /mcp/adcp/<task>,
// where signers that join an operation path onto the agent URL send it) with the task's arguments as the JSON
// body. The task is the path's last segment; segments before it are not interpreted (they are covered by a
// request signature like the rest of the URL). HTTP status speaks for the transport (401 authentication, 413,
// 400 not JSON); the task's outcome, success or AdCP error payload, comes back with 200, as over MCP.
// Thread-safe.
class PlainHttpEndpoint final
{
public:
    using RunOnWorker = std::function<void(std::function<void()>)>;

    PlainHttpEndpoint(std::shared_ptr<Dispatcher> dispatcher, RouteGuard &guard,
                      const SellerServerOptions &options, RunOnWorker runOnWorker);
    PlainHttpEndpoint(const PlainHttpEndpoint &) = delete;
    PlainHttpEndpoint &operator=(const PlainHttpEndpoint &) = delete;

    static bool matches(std::string_view path);
    void handle(const ExchangePtr &exchange);

private:
    std::shared_ptr<Dispatcher> m_dispatcher;
    RouteGuard &m_guard;
    const SellerServerOptions &m_options;
    RunOnWorker m_runOnWorker;
};

} // namespace adcp::seller
