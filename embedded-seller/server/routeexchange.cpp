#include "routeexchange.h"

#include "rpcwire.h"

namespace adcp::seller {

RouteExchange::RouteExchange(HttpRequest request, Done done, Logger logger)
    : m_request(std::move(request)), m_done(std::move(done)), m_logger(std::move(logger)),
      m_started(std::chrono::steady_clock::now())
{
}

RouteExchange::~RouteExchange()
{
    if (!m_answered)
        replyRaw(500, R"({"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"internal error"}})",
                 "unanswered");
}

const HttpRequest &RouteExchange::request() const
{
    return m_request;
}

std::chrono::steady_clock::time_point RouteExchange::started() const
{
    return m_started;
}

void RouteExchange::reply(int status, const nlohmann::json &body,
                          std::vector<std::pair<std::string, std::string>> headers, std::string noteText)
{
    HttpResponse response;
    response.status = status;
    response.headers = std::move(headers);
    if (!body.is_null())
        response.body = rpcwire::dump(body);
    reply(std::move(response), std::move(noteText));
}

void RouteExchange::replyRaw(int status, std::string body, std::string noteText)
{
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    reply(std::move(response), std::move(noteText));
}

void RouteExchange::discard()
{
    m_answered = true;
}

void RouteExchange::reply(HttpResponse response, std::string noteText)
{
    if (m_answered.exchange(true))
        return;
    if (!noteText.empty())
        note = std::move(noteText);
    if (!response.body.empty() && !response.stream) {
        if (sse && response.status == 200) {
            response.body = "event: message\ndata: " + response.body + "\n\n";
            response.setHeader("Content-Type", "text/event-stream");
            response.setHeader("Cache-Control", "no-cache");
        } else {
            bool typed = false;
            for (const auto &[name, value] : response.headers)
                typed |= httpHeaderNameEquals(name, "Content-Type");
            if (!typed)
                response.headers.emplace_back("Content-Type", "application/json");
        }
    }
    slot.reset();
    if (m_logger)
        m_logger(*this, response);
    if (m_done)
        m_done(std::move(response));
}

} // namespace adcp::seller
