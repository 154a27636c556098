#pragma once

#include "dispatcher.h"
#include "routeexchange.h"
#include "sellerserveroptions.h"

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace adcp::seller {

class RouteGuard;

// A2A JSON-RPC on /a2a (message/send and tasks/get, in both the 0.3 and the 1.0 method names). Each
// message's single data part names the skill (an AdCP task) and its arguments: {skill, parameters} as AdCP
// 3.0/3.1 send it, or {skill, input} under the AdCP A2A profile v3, which a request activates with the
// A2A-Extensions header and which then refuses `parameters`. Tasks are remembered, bounded, for the principal
// that created them. Thread-safe.
class A2aEndpoint final
{
public:
    using RunOnWorker = std::function<void(std::function<void()>)>;

    A2aEndpoint(std::shared_ptr<Dispatcher> dispatcher, RouteGuard &guard, const SellerServerOptions &options,
                RunOnWorker runOnWorker);
    A2aEndpoint(const A2aEndpoint &) = delete;
    A2aEndpoint &operator=(const A2aEndpoint &) = delete;

    void handle(const ExchangePtr &exchange);

private:
    struct StoredTask
    {
        std::string principalId;
        nlohmann::json task;
    };

    void getTask(const ExchangePtr &exchange, const Principal &principal, const std::string &method,
                 const nlohmann::json &id, const nlohmann::json &params);
    void sendMessage(const ExchangePtr &exchange, const Principal &principal, const std::string &method,
                     const nlohmann::json &id, const nlohmann::json &params);
    nlohmann::json taskFor(const Principal &principal, const std::string &method, const nlohmann::json &message,
                           const ToolOutcome &outcome, const nlohmann::json &arguments);

    std::shared_ptr<Dispatcher> m_dispatcher;
    RouteGuard &m_guard;
    const SellerServerOptions &m_options;
    RunOnWorker m_runOnWorker;
    std::mutex m_mutex;
    std::map<std::string, StoredTask, std::less<>> m_tasks;
    std::deque<std::string> m_taskOrder;
};

} // namespace adcp::seller
