#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace adcp::seller {

// One HTTP request as the socket-free core sees it: whatever read it (the Beast engine, a fuzz harness, a
// test) has already split the head and collected the body.
struct HttpRequest
{
    std::string method; // "GET", "POST", "DELETE", ... as sent
    std::string target; // path with optional query, e.g. "/mcp"
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string peer; // remote address, for the request log

    // The first header of that name (case-insensitive), or an empty view.
    std::string_view header(std::string_view name) const;
    // The target without its query string.
    std::string_view path() const;
};

// One answer. The engine adds Content-Length (or chunked framing for a stream) and Connection.
struct HttpResponse
{
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers; // Content-Type included when there is a body
    std::string body;
    // The connection must close after this answer (e.g. the rest of a refused body was never read).
    bool close = false;
    // An open server-sent-event stream (MCP GET): the headers and `body` are sent at once, the connection then
    // stays open for that stream until the peer leaves or the engine stops.
    bool stream = false;

    void setHeader(std::string name, std::string value);
};

bool httpHeaderNameEquals(std::string_view a, std::string_view b);

} // namespace adcp::seller
