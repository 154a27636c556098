#include "httpengine.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <atomic>
#include <limits>
#include <thread>
#include <vector>

namespace adcp::seller {

namespace beastengine {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Room for reading a request body in one go (up to this much per read), and the most an idle connection
// keeps of it between requests.
constexpr std::uint64_t kBodyReadRoom = 64 * 1024;
constexpr std::size_t kIdleBufferBytes = 4096;

struct Shared
{
    HttpEngineHandlers handlers;
    HttpEngineLimits limits;
    std::atomic_int connections{0};
};

// One accepted connection: reads a request head, lets preflight refuse it, reads the body, hands it to the
// handler and writes the answer; then the next request (pipelined ones are already in the buffer).
class Connection final : public std::enable_shared_from_this<Connection>
{
public:
    Connection(tcp::socket socket, std::shared_ptr<Shared> shared)
        : m_stream(std::move(socket)), m_shared(std::move(shared))
    {
        ++m_shared->connections;
        beast::error_code ec;
        // Answers go out whole in one write; Nagle would only hold the next kept-alive answer back.
        m_stream.socket().set_option(tcp::no_delay(true), ec);
        const auto endpoint = m_stream.socket().remote_endpoint(ec);
        if (!ec)
            m_peer = endpoint.address().to_string();
    }
    ~Connection() { --m_shared->connections; }
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    void start()
    {
        asio::dispatch(m_stream.get_executor(), [self = shared_from_this()] { self->readHead(); });
    }

private:
    void readHead()
    {
        m_parser.emplace();
        m_parser->header_limit(m_shared->limits.maxHeaderBytes);
        // The declared length is judged by preflight (after authentication); the limit is set for the body.
        // (an empty optional would compare below every length in this Boost release, so: the largest value)
        m_parser->body_limit(std::numeric_limits<std::uint64_t>::max());
        const bool idle = m_served > 0 && m_buffer.size() == 0;
        m_stream.expires_after(idle ? m_shared->limits.idleTimeout : m_shared->limits.headerTimeout);
        http::async_read_header(m_stream, m_buffer, *m_parser,
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                    self->onHead(ec);
                                });
    }

    void onHead(beast::error_code ec)
    {
        if (ec == http::error::header_limit) {
            writeSimple(431, "request headers too large");
            return;
        }
        if (ec) {
            // Timeout or peer gone: nothing to answer. Bytes that are not HTTP get a 400 before the close.
            const bool malformed = ec.category() == make_error_code(http::error::bad_target).category() &&
                                   ec != http::error::end_of_stream && ec != http::error::partial_message;
            if (malformed)
                writeSimple(400, "malformed request");
            else
                close();
            return;
        }
        const auto &head = m_parser->get();
        m_head = HttpRequest{};
        m_head.method = std::string(head.method_string());
        m_head.target = std::string(head.target());
        m_head.peer = m_peer;
        for (const auto &fieldEntry : head)
            m_head.headers.emplace_back(std::string(fieldEntry.name_string()), std::string(fieldEntry.value()));
        std::optional<std::uint64_t> length;
        if (const auto declared = m_parser->content_length())
            length = *declared;
        if (m_shared->handlers.preflight) {
            if (auto refusal = m_shared->handlers.preflight(m_head, length)) {
                write(std::move(*refusal), false);
                return;
            }
        }
        m_parser->body_limit(m_shared->limits.maxBodyBytes);
        if (beast::iequals(head[http::field::expect], "100-continue") && !m_parser->is_done()) {
            static const std::string interim = "HTTP/1.1 100 Continue\r\n\r\n";
            m_stream.expires_after(m_shared->limits.bodyTimeout);
            asio::async_write(m_stream, asio::buffer(interim),
                              [self = shared_from_this()](beast::error_code writeError, std::size_t) {
                                  if (writeError)
                                      self->close();
                                  else
                                      self->readBody();
                              });
            return;
        }
        readBody();
    }

    void readBody()
    {
        // Beast sizes each read by the buffer's free room: left at its first 512 bytes, a large body took a
        // system call per half kilobyte. The room is given back once the body is read (onBody).
        if (const auto length = m_parser->content_length();
            length && *length > m_buffer.capacity() - m_buffer.size())
            m_buffer.reserve(m_buffer.size() + std::size_t(std::min<std::uint64_t>(*length, kBodyReadRoom)));
        m_stream.expires_after(m_shared->limits.bodyTimeout);
        http::async_read(m_stream, m_buffer, *m_parser,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onBody(ec); });
    }

    void onBody(beast::error_code ec)
    {
        if (ec == http::error::body_limit) {
            writeSimple(413, "request body too large");
            return;
        }
        if (ec) {
            close();
            return;
        }
        auto message = m_parser->release();
        const bool keepAlive = message.keep_alive();
        if (m_buffer.capacity() > kIdleBufferBytes)
            m_buffer.shrink_to_fit(); // an idle keep-alive connection holds no body-sized buffer
        m_head.body = std::move(message.body());
        // No timer while the handler works: a slow tool call is not the peer's fault.
        m_stream.expires_never();
        auto self = shared_from_this();
        m_shared->handlers.handle(std::move(m_head), [self, keepAlive](HttpResponse response) {
            asio::post(self->m_stream.get_executor(),
                       [self, keepAlive, response = std::move(response)]() mutable {
                           self->write(std::move(response), keepAlive);
                       });
        });
    }

    void writeSimple(int status, const char *text)
    {
        HttpResponse response;
        response.status = status;
        response.body = std::string(R"({"error":")") + text + "\"}";
        response.headers.emplace_back("Content-Type", "application/json");
        response.close = true;
        write(std::move(response), false);
    }

    void write(HttpResponse response, bool keepAlive)
    {
        if (response.stream) {
            writeStream(std::move(response));
            return;
        }
        auto message = std::make_shared<http::response<http::string_body>>();
        message->version(11);
        message->result(unsigned(response.status));
        for (auto &[name, value] : response.headers)
            message->insert(name, value);
        message->body() = std::move(response.body);
        message->keep_alive(keepAlive && !response.close);
        message->prepare_payload();
        m_stream.expires_after(m_shared->limits.bodyTimeout);
        http::async_write(m_stream, *message, [self = shared_from_this(), message](beast::error_code ec, std::size_t) {
            if (ec || !message->keep_alive()) {
                self->close();
                return;
            }
            ++self->m_served;
            self->readHead();
        });
    }

    // A server-sent-event stream: chunked, open until the peer hangs up (anything it sends ends it too).
    void writeStream(HttpResponse response)
    {
        auto bytes = std::make_shared<std::string>("HTTP/1.1 " + std::to_string(response.status) + " OK\r\n");
        for (const auto &[name, value] : response.headers)
            *bytes += name + ": " + value + "\r\n";
        *bytes += "Transfer-Encoding: chunked\r\n\r\n";
        if (!response.body.empty()) {
            char size[32];
            std::snprintf(size, sizeof size, "%zx\r\n", response.body.size());
            *bytes += size + response.body + "\r\n";
        }
        m_stream.expires_never();
        asio::async_write(m_stream, asio::buffer(*bytes),
                          [self = shared_from_this(), bytes](beast::error_code ec, std::size_t) {
                              if (ec) {
                                  self->close();
                                  return;
                              }
                              self->m_stream.async_read_some(
                                  self->m_buffer.prepare(512),
                                  [self](beast::error_code, std::size_t) { self->close(); });
                          });
    }

    // Lingering close: our side is shut first and what the peer still sends is read and dropped for a
    // moment, so that an answer given before its body was read (413, 401) is not lost to a TCP reset. Past
    // kMaxDrainBytes nothing more is read: the peer's writes then stall in the kernel while it reads the answer,
    // and the socket closes when the linger time is up.
    void close()
    {
        beast::error_code ignored;
        m_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        m_stream.expires_after(kLinger);
        drain();
    }

    void drain()
    {
        m_stream.async_read_some(asio::buffer(m_drain), [self = shared_from_this()](beast::error_code ec,
                                                                                    std::size_t n) {
            self->m_drained += n;
            if (ec) {
                self->m_stream.close();
            } else if (self->m_drained > kMaxDrainBytes) {
                self->m_linger.expires_after(kLinger);
                self->m_linger.async_wait([self](beast::error_code) { self->m_stream.close(); });
            } else {
                self->drain();
            }
        });
    }

    beast::tcp_stream m_stream;
    std::shared_ptr<Shared> m_shared;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    HttpRequest m_head;
    std::string m_peer;
    std::uint64_t m_served = 0;
    static constexpr std::size_t kMaxDrainBytes = 1024 * 1024;
    static constexpr std::chrono::seconds kLinger{2};
    asio::steady_timer m_linger{m_stream.get_executor()};
    std::array<char, 4096> m_drain{};
    std::size_t m_drained = 0;
};

class Listener final : public std::enable_shared_from_this<Listener>
{
public:
    Listener(asio::io_context &io, std::shared_ptr<Shared> shared) : m_io(io), m_acceptor(io), m_shared(std::move(shared))
    {
    }

    bool open(const tcp::endpoint &endpoint, std::string *error)
    {
        beast::error_code ec;
        m_acceptor.open(endpoint.protocol(), ec);
        if (!ec)
            m_acceptor.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec)
            m_acceptor.bind(endpoint, ec);
        if (!ec)
            m_acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (ec && error)
            *error = ec.message();
        return !ec;
    }
    std::uint16_t port() const
    {
        beast::error_code ec;
        const auto endpoint = m_acceptor.local_endpoint(ec);
        return ec ? 0 : endpoint.port();
    }
    void accept()
    {
        m_acceptor.async_accept(asio::make_strand(m_io),
                                [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                                    self->onAccept(ec, std::move(socket));
                                });
    }
    void close()
    {
        beast::error_code ignored;
        m_acceptor.close(ignored);
    }

private:
    void onAccept(beast::error_code ec, tcp::socket socket)
    {
        if (ec == asio::error::operation_aborted || !m_acceptor.is_open())
            return;
        if (!ec) {
            if (m_shared->connections.load() >= m_shared->limits.maxConnections)
                refuse(std::move(socket));
            else
                std::make_shared<Connection>(std::move(socket), m_shared)->start();
        }
        accept();
    }
    // Over the connection cap: a short 503 and the socket closes.
    static void refuse(tcp::socket socket)
    {
        static const std::string busy = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n"
                                        "Content-Length: 0\r\n\r\n";
        auto owned = std::make_shared<tcp::socket>(std::move(socket));
        asio::async_write(*owned, asio::buffer(busy), [owned](beast::error_code, std::size_t) {
            beast::error_code ignored;
            owned->shutdown(tcp::socket::shutdown_both, ignored);
            owned->close(ignored);
        });
    }

    asio::io_context &m_io;
    tcp::acceptor m_acceptor;
    std::shared_ptr<Shared> m_shared;
};

} // namespace beastengine

struct HttpEngine::Private
{
    std::shared_ptr<beastengine::Shared> shared = std::make_shared<beastengine::Shared>();
    std::unique_ptr<boost::asio::io_context> io;
    std::shared_ptr<beastengine::Listener> listener;
    std::vector<std::thread> threads;
};

HttpEngine::HttpEngine(HttpEngineHandlers handlers, HttpEngineLimits limits) : d(std::make_unique<Private>())
{
    d->shared->handlers = std::move(handlers);
    d->shared->limits = limits;
}

HttpEngine::~HttpEngine()
{
    stop();
}

std::uint16_t HttpEngine::listen(const std::string &address, std::uint16_t port, std::string *error)
{
    if (d->io) {
        if (error)
            *error = "already listening";
        return 0;
    }
    boost::system::error_code ec;
    const auto ip = boost::asio::ip::make_address(address, ec);
    if (ec) {
        if (error)
            *error = "not an IP address: " + address;
        return 0;
    }
    const int threads = std::max(1, d->shared->limits.ioThreads);
    d->io = std::make_unique<boost::asio::io_context>(threads);
    d->listener = std::make_shared<beastengine::Listener>(*d->io, d->shared);
    if (!d->listener->open({ip, port}, error)) {
        d->listener.reset();
        d->io.reset();
        return 0;
    }
    const std::uint16_t bound = d->listener->port();
    d->listener->accept();
    for (int i = 0; i < threads; ++i)
        d->threads.emplace_back([io = d->io.get()] { io->run(); });
    return bound;
}

void HttpEngine::stop()
{
    if (!d->io)
        return;
    boost::asio::post(*d->io, [listener = d->listener] { listener->close(); });
    d->io->stop();
    for (auto &thread : d->threads)
        thread.join();
    d->threads.clear();
    d->listener.reset();
    // Destroying the context destroys every pending handler, and with them the connections they hold.
    d->io.reset();
}

int HttpEngine::connectionCount() const
{
    return d->shared->connections.load();
}

} // namespace adcp::seller
