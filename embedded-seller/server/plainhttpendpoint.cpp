#include "plainhttpendpoint.h"

#include "routeguard.h"
#include "rpcwire.h"

namespace adcp::seller {

namespace {

std::string_view plainTaskOf(std::string_view path)
{
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

} // namespace

PlainHttpEndpoint::PlainHttpEndpoint(std::shared_ptr<Dispatcher> dispatcher, RouteGuard &guard,
                                     const SellerServerOptions &options, RunOnWorker runOnWorker)
    : m_dispatcher(std::move(dispatcher)), m_guard(guard), m_options(options),
      m_runOnWorker(std::move(runOnWorker))
{}

bool PlainHttpEndpoint::matches(std::string_view path)
{
    return (path.rfind("/adcp/", 0) == 0 && path.size() > 6) ||
           (path.rfind("/mcp/adcp/", 0) == 0 && path.size() > 10);
}

void PlainHttpEndpoint::handle(const ExchangePtr &exchange)
{
    const HttpRequest &request = exchange->request();
    if (!m_guard.hostAllowed(request)) {
        exchange->reply(403, nlohmann::json{{"error", "Host or Origin not allowed"}}, {}, "host rejected");
        return;
    }
    if (request.method != "POST") {
        exchange->reply(405, nlohmann::json{{"error", "use POST"}}, {{"Allow", "POST"}});
        return;
    }
    if (std::int64_t(request.body.size()) > m_options.maxBodyBytes) {
        exchange->reply(413, nlohmann::json{{"error", "request body too large"}});
        return;
    }
    nlohmann::json arguments = nlohmann::json::object();
    if (!request.body.empty()) {
        switch (rpcwire::parseBody(request.body, m_options.maxJsonDepth, &arguments)) {
        case rpcwire::ParseStatus::Ok:
            break;
        case rpcwire::ParseStatus::NotJson:
        case rpcwire::ParseStatus::TooDeep:
            arguments = nullptr;
            break;
        }
    }
    const std::string task(plainTaskOf(request.path()));
    exchange->rpc = "POST " + task;
    const auto principal = m_guard.authenticate(*exchange, SigningTarget{task, arguments, false});
    if (!principal)
        return;
    exchange->slot = m_guard.admit(*exchange, principal->id);
    if (!exchange->slot)
        return;
    if (!arguments.is_object()) {
        const AdcpError e =
            AdcpError::make("INVALID_REQUEST", "the body must be a JSON object of task arguments");
        exchange->reply(400, rpcwire::errorPayload(e, nlohmann::json::object()), {}, e.code);
        return;
    }
    if (!m_dispatcher->hasTool(task)) {
        const AdcpError e =
            AdcpError::make("INVALID_REQUEST", "unknown task '" + task + "'", std::string("path"),
                            "POST to /adcp/<task> with a task from tools/list");
        exchange->reply(200, rpcwire::errorPayload(e, arguments), {}, e.code);
        return;
    }
    if (const auto error = rpcwire::versionError(arguments)) {
        exchange->reply(200, rpcwire::errorPayload(*error, arguments), {}, error->code);
        return;
    }
    auto work = [this, exchange, principal = *principal, task, arguments = std::move(arguments)] {
        ToolOutcome outcome;
        try {
            outcome = m_dispatcher->call(principal, task, arguments);
        } catch (const std::exception &e) {
            outcome = ToolOutcome::failure(
                AdcpError::make("SERVICE_UNAVAILABLE", std::string("the call failed: ") + e.what()));
        }
        if (outcome.error)
            exchange->reply(200, rpcwire::errorPayload(*outcome.error, arguments), {}, outcome.error->code);
        else
            exchange->reply(200, outcome.result.is_object() ? outcome.result : nlohmann::json::object());
    };
    if (m_runOnWorker)
        m_runOnWorker(std::move(work));
    else
        work();
}

} // namespace adcp::seller
