#include "sellerrouter.h"

#include "a2aendpoint.h"
#include "mcpendpoint.h"
#include "plainhttpendpoint.h"
#include "routeexchange.h"
#include "routeguard.h"
#include "rpcwire.h"
#include "storage/database.h"
#include "wellknownroutes.h"

#include <QDateTime>

#include <future>

namespace adcp::seller {

namespace {

bool routerIsMcpPath(std::string_view path)
{
    return path == "/mcp" || path == "/mcp/";
}

} // namespace

SellerRouter::SellerRouter(std::shared_ptr<Dispatcher> dispatcher, BearerAuth auth,
                           SellerServerOptions options, RunOnWorker runOnWorker, LogSink log)
    : m_options(std::move(options)), m_log(std::move(log)),
      m_guard(std::make_unique<RouteGuard>(std::move(auth), m_options)),
      m_mcp(std::make_unique<McpEndpoint>(dispatcher, *m_guard, m_options, runOnWorker)),
      m_a2a(std::make_unique<A2aEndpoint>(dispatcher, *m_guard, m_options, runOnWorker)),
      m_plain(std::make_unique<PlainHttpEndpoint>(dispatcher, *m_guard, m_options, runOnWorker)),
      m_wellKnown(std::make_unique<WellKnownRoutes>(dispatcher, *m_guard, m_options))
{
}

SellerRouter::~SellerRouter() = default;

const SellerServerOptions &SellerRouter::options() const
{
    return m_options;
}

int SellerRouter::sessionCount() const
{
    return m_mcp->sessionCount();
}

int SellerRouter::inFlight(const std::string &principalId) const
{
    return m_guard->inFlight(principalId);
}

std::optional<HttpResponse> SellerRouter::preflight(const HttpRequest &head,
                                                    std::optional<std::uint64_t> contentLength)
{
    std::optional<HttpResponse> refusal;
    auto exchange = std::make_shared<RouteExchange>(
        head, [&refusal](HttpResponse response) { refusal = std::move(response); },
        [this](const RouteExchange &e, const HttpResponse &r) { log(e, r); });
    const std::string_view path = head.path();
    const bool mcp = routerIsMcpPath(path);
    const bool a2a = path == "/a2a";
    const bool plain = PlainHttpEndpoint::matches(path);
    if ((mcp || a2a || plain) && !m_guard->hostAllowed(head)) {
        exchange->reply(403, rpcwire::error(nullptr, rpcwire::kInvalidRequest, "Host or Origin not allowed"), {},
                        "host rejected");
    } else if (m_guard->signingEnabled()) {
        // A signature is checked over the body, and whether an unsigned request is refused for want of one
        // depends on the operation in it: authentication waits for the body.
    } else if ((mcp && (head.method == "POST" || head.method == "GET" || head.method == "DELETE")) ||
               ((a2a || plain) && head.method == "POST")) {
        if (auto rejection = m_guard->authRejection(head))
            exchange->reply(std::move(*rejection), "AUTH");
    }
    if (!refusal && contentLength && *contentLength > std::uint64_t(m_options.maxBodyBytes)) {
        exchange->reply(413, rpcwire::error(nullptr, rpcwire::kInvalidRequest,
                                            "request body larger than " + std::to_string(m_options.maxBodyBytes) +
                                                " bytes"));
    }
    if (!refusal) {
        exchange->discard();
        return std::nullopt;
    }
    refusal->close = true;
    return refusal;
}

void SellerRouter::handle(HttpRequest request, std::function<void(HttpResponse)> done)
{
    auto exchange = std::make_shared<RouteExchange>(
        std::move(request), std::move(done), [this](const RouteExchange &e, const HttpResponse &r) { log(e, r); });
    try {
        const std::string_view path = exchange->request().path();
        if (routerIsMcpPath(path))
            m_mcp->handle(exchange);
        else if (path == "/a2a")
            m_a2a->handle(exchange);
        else if (PlainHttpEndpoint::matches(path))
            m_plain->handle(exchange);
        else if (!m_wellKnown->handle(exchange))
            exchange->reply(404, nlohmann::json{{"error", "not found"}});
    } catch (const std::exception &e) {
        // A bug in a route must not end the process; the peer gets a JSON-RPC internal error.
        exchange->reply(500, rpcwire::error(nullptr, -32603, "internal error"), {}, e.what());
    }
}

HttpResponse SellerRouter::handleNow(HttpRequest request)
{
    std::promise<HttpResponse> answer;
    auto future = answer.get_future();
    handle(std::move(request), [&answer](HttpResponse response) { answer.set_value(std::move(response)); });
    return future.get();
}

void SellerRouter::log(const RouteExchange &exchange, const HttpResponse &response) const
{
    if (!m_log)
        return;
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                               exchange.started());
    const HttpRequest &request = exchange.request();
    std::string line = storage::isoTimeMs(QDateTime::currentDateTimeUtc()).toStdString();
    line += ' ';
    line += request.peer;
    line += ' ';
    line += request.method;
    line += ' ';
    line += request.path();
    line += ' ';
    line += exchange.rpc.empty() ? std::string("-") : exchange.rpc;
    line += " principal=";
    line += exchange.principal.empty() ? std::string("-") : exchange.principal;
    line += " -> " + std::to_string(response.status) + ' ' + std::to_string(elapsed.count()) + "ms";
    if (!exchange.note.empty())
        line += ' ' + exchange.note;
    m_log(line);
}

} // namespace adcp::seller
