#pragma once

#include "httpmessage.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace adcp::seller {

// What an HttpEngine enforces while it reads, before anything is buffered past these sizes.
struct HttpEngineLimits
{
    std::uint32_t maxHeaderBytes = 16 * 1024;
    std::uint64_t maxBodyBytes = 4 * 1024 * 1024;
    std::chrono::milliseconds headerTimeout{10000};
    std::chrono::milliseconds bodyTimeout{30000};
    std::chrono::milliseconds idleTimeout{30000};
    int maxConnections = 1024;
    int ioThreads = 1;
};

// What the engine serves. preflight sees the head when the headers are complete (body unread) and may
// refuse; handle gets the whole request and answers through its callback, from any thread, exactly once.
struct HttpEngineHandlers
{
    std::function<std::optional<HttpResponse>(const HttpRequest &head, std::optional<std::uint64_t> contentLength)>
        preflight;
    std::function<void(HttpRequest request, std::function<void(HttpResponse)> done)> handle;
};

// HTTP/1.1 server on Boost.Beast/Asio with its own network thread(s): keep-alive for every answer (also those
// given later from a worker thread), pipelined requests answered in order, Expect: 100-continue,
// Content-Length and chunked bodies, header/body size limits, header, body and idle timeouts and a
// connection cap. Answers with stream set stay open as a chunked event stream until the peer leaves.
class HttpEngine final
{
public:
    HttpEngine(HttpEngineHandlers handlers, HttpEngineLimits limits);
    ~HttpEngine();
    HttpEngine(const HttpEngine &) = delete;
    HttpEngine &operator=(const HttpEngine &) = delete;

    // Binds address:port (port 0 = any free port) and starts serving; the bound port, or 0 with *error set.
    std::uint16_t listen(const std::string &address, std::uint16_t port, std::string *error = nullptr);
    // Stops accepting, closes every connection and joins the network threads. Idempotent.
    void stop();
    int connectionCount() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace adcp::seller
