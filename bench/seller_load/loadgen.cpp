#include "loadgen.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>

#include <sys/resource.h>

namespace loadgen {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

double processCpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval &t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct Tally
{
    bool running = true;
    bool measuring = false;
    std::vector<double> latencies;
    std::uint64_t errors = 0;
    std::uint64_t reconnects = 0;
    std::string firstError;
};

// One virtual user: connect, send, read the whole answer, repeat; reconnects when the server closes.
class Client final : public std::enable_shared_from_this<Client>
{
public:
    Client(asio::io_context &io, tcp::endpoint endpoint, const MakeRequest &make, const Accept &accept, Tally &tally)
        : m_socket(io), m_endpoint(endpoint), m_make(make), m_accept(accept), m_tally(tally)
    {
    }
    void start() { connect(); }
    void close()
    {
        beast::error_code ignored;
        m_socket.close(ignored);
    }

private:
    void connect()
    {
        if (!m_tally.running)
            return;
        m_buffer.clear();
        // Read answers in pieces as large as the socket has: beast sizes each read by the buffer's free room,
        // and a buffer left at its first 512 bytes took ~34 reads per 23 KB answer (strace), CPU the seller
        // under test then lacked on a 2-core machine.
        m_buffer.reserve(64 * 1024);
        m_socket = tcp::socket(m_socket.get_executor());
        m_socket.async_connect(m_endpoint, [self = shared_from_this()](beast::error_code ec) {
            if (ec) {
                self->failed(false);
                return;
            }
            self->m_socket.set_option(tcp::no_delay(true), ec);
            self->send();
        });
    }

    void send()
    {
        if (!m_tally.running)
            return;
        m_request = m_make();
        m_started = Clock::now();
        asio::async_write(m_socket, asio::buffer(m_request), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec)
                self->failed(true);
            else
                self->read();
        });
    }

    void read()
    {
        m_parser.emplace();
        m_parser->body_limit(64 * 1024 * 1024);
        http::async_read(m_socket, m_buffer, *m_parser, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) {
                self->failed(true);
                return;
            }
            self->answered();
        });
    }

    void answered()
    {
        const auto &response = m_parser->get();
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - m_started).count();
        if (m_tally.measuring) {
            if (m_accept(response.result_int(), response.body()))
                m_tally.latencies.push_back(ms);
            else if (m_tally.errors++ == 0)
                m_tally.firstError = std::to_string(response.result_int()) + ' ' + response.body().substr(0, 600);
        }
        if (response.keep_alive()) {
            send();
            return;
        }
        close();
        connect();
    }

    // A request cut off by the end of the run is not an error; one cut off by the server is.
    void failed(bool inFlight)
    {
        if (!m_tally.running)
            return;
        if (inFlight && m_tally.measuring)
            ++m_tally.errors;
        ++m_tally.reconnects;
        close();
        connect();
    }

    tcp::socket m_socket;
    tcp::endpoint m_endpoint;
    const MakeRequest &m_make;
    const Accept &m_accept;
    Tally &m_tally;
    beast::flat_buffer m_buffer;
    std::optional<http::response_parser<http::string_body>> m_parser;
    std::string m_request;
    Clock::time_point m_started;
};

} // namespace

double percentile(std::vector<double> &values, double fraction)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto index = std::min(values.size() - 1, std::size_t(fraction * double(values.size())));
    return values[index];
}

bool servedOk(unsigned status, const std::string &body)
{
    return status == 200 && body.find(R"("isError":true)") == std::string::npos &&
           body.find(R"("error":{"code")") == std::string::npos;
}

Result run(const Target &target, int concurrency, double seconds, double warmupSeconds, const MakeRequest &make,
           const Accept &accept)
{
    asio::io_context io(1);
    const tcp::endpoint endpoint(asio::ip::make_address(target.host), target.port);
    Tally tally;
    std::vector<std::shared_ptr<Client>> clients;
    for (int i = 0; i < concurrency; ++i) {
        clients.push_back(std::make_shared<Client>(io, endpoint, make, accept, tally));
        clients.back()->start();
    }
    Clock::time_point measureStart;
    Clock::time_point measureEnd;
    double cpuStart = 0;
    double cpuEnd = 0;
    asio::steady_timer timer(io);
    timer.expires_after(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmupSeconds)));
    timer.async_wait([&](beast::error_code) {
        tally.measuring = true;
        measureStart = Clock::now();
        cpuStart = processCpuSeconds();
        timer.expires_after(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)));
        timer.async_wait([&](beast::error_code) {
            measureEnd = Clock::now();
            cpuEnd = processCpuSeconds();
            tally.measuring = false;
            tally.running = false;
            for (auto &client : clients)
                client->close();
        });
    });
    io.run();

    Result result;
    const double elapsed = std::chrono::duration<double>(measureEnd - measureStart).count();
    result.served = tally.latencies.size();
    result.errors = tally.errors;
    result.reconnects = tally.reconnects;
    result.firstError = std::move(tally.firstError);
    result.requestsPerSecond = elapsed > 0 ? double(result.served) / elapsed : 0;
    result.cpuUsPerRequest = result.served ? 1e6 * (cpuEnd - cpuStart) / double(result.served) : 0;
    result.p50Ms = percentile(tally.latencies, 0.50);
    result.p99Ms = percentile(tally.latencies, 0.99);
    result.maxMs = tally.latencies.empty() ? 0 : tally.latencies.back();
    result.measuredSeconds = elapsed;
    result.cpuSeconds = cpuEnd - cpuStart;
    result.latenciesMs = std::move(tally.latencies);
    return result;
}

Result pooled(const std::vector<Result> &runs)
{
    Result all;
    for (const Result &run : runs) {
        all.served += run.served;
        all.errors += run.errors;
        all.reconnects += run.reconnects;
        all.measuredSeconds += run.measuredSeconds;
        all.cpuSeconds += run.cpuSeconds;
        all.latenciesMs.insert(all.latenciesMs.end(), run.latenciesMs.begin(), run.latenciesMs.end());
        if (all.firstError.empty())
            all.firstError = run.firstError;
    }
    all.requestsPerSecond = all.measuredSeconds > 0 ? double(all.served) / all.measuredSeconds : 0;
    all.cpuUsPerRequest = all.served ? 1e6 * all.cpuSeconds / double(all.served) : 0;
    all.p50Ms = percentile(all.latenciesMs, 0.50);
    all.p99Ms = percentile(all.latenciesMs, 0.99);
    all.maxMs = all.latenciesMs.empty() ? 0 : all.latenciesMs.back();
    return all;
}

std::pair<unsigned, std::string> once(const Target &target, const std::string &request)
{
    asio::io_context io(1);
    tcp::socket socket(io);
    beast::error_code ec;
    socket.connect(tcp::endpoint(asio::ip::make_address(target.host), target.port), ec);
    if (ec)
        return {0, {}};
    asio::write(socket, asio::buffer(request), ec);
    if (ec)
        return {0, {}};
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(socket, buffer, parser, ec);
    if (ec)
        return {0, {}};
    return {parser.get().result_int(), parser.get().body()};
}

} // namespace loadgen
