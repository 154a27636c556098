#pragma once

#include "httpmessage.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace adcp::seller {

// One request on its way to its answer, shared by the route that handles it and the worker that may finish
// it. It carries what the request log line needs and answers exactly once.
class RouteExchange final
{
public:
    using Done = std::function<void(HttpResponse)>;
    // Called once per answer with the finished exchange (request log).
    using Logger = std::function<void(const RouteExchange &exchange, const HttpResponse &response)>;

    RouteExchange(HttpRequest request, Done done, Logger logger);
    // An exchange dropped without an answer (a route's bug) still answers 500, so no peer waits forever.
    ~RouteExchange();
    RouteExchange(const RouteExchange &) = delete;
    RouteExchange &operator=(const RouteExchange &) = delete;

    const HttpRequest &request() const;
    std::chrono::steady_clock::time_point started() const;

    // Answers with a JSON body (null = no body), as one SSE event when sse is set and the status is 200.
    void reply(int status, const nlohmann::json &body, std::vector<std::pair<std::string, std::string>> headers = {},
               std::string note = {});
    // Answers with a body serialized already (application/json, or one SSE event like reply()).
    void replyRaw(int status, std::string body, std::string note = {});
    void reply(HttpResponse response, std::string note = {});
    // This exchange will not answer (a preflight that let the request through): nothing is sent or logged.
    void discard();

    std::string rpc;       // JSON-RPC method (and tool) for the log
    std::string principal; // who was authenticated, for the log
    std::string note;      // e.g. the AdCP error code of a failed call
    bool sse = false;      // the peer accepts only text/event-stream
    // The principal's in-flight slot; released when the answer is given.
    std::shared_ptr<void> slot;

private:
    HttpRequest m_request;
    Done m_done;
    Logger m_logger;
    std::chrono::steady_clock::time_point m_started;
    std::atomic_bool m_answered{false};
};

using ExchangePtr = std::shared_ptr<RouteExchange>;

} // namespace adcp::seller
