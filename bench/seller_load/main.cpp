// Seller load benchmark: get_products and create_media_buy over MCP (tools/call on POST /mcp) at concurrency
// 1, 8 and 32, next to a trivial route on the same HTTP engine that returns the same bytes (the ceiling the
// HTTP layer allows). The servers run on their own thread; the load comes from raw keep-alive sockets on the main thread
// so that QNetworkAccessManager's six-connections-per-host limit does not cap the concurrency.
//
// usage: bench_seller_load [seconds-per-cell=3] [workers=4]
#include "dispatcher.h"
#include "sellercontext.h"
#include "server/httpengine.h"
#include "server/sellerhttpserver.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QUuid>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <future>
#include <vector>

using nlohmann::json;
using namespace adcp::seller;

namespace {

const QByteArray kToken = "bench-token";

// The seller and the trivial server, on a thread of their own.
class ServerThread final : public QThread
{
public:
    ServerThread(QString dbPath, int workers) : m_dbPath(std::move(dbPath)), m_workers(workers) {}
    std::promise<std::pair<quint16, quint16>> ports;
    QByteArray trivialBody; // set before start()

protected:
    void run() override
    {
        SellerOptions options;
        options.databasePath = m_dbPath;
        QString error;
        auto context = SellerContext::open(options, &error);
        if (!context) {
            std::fprintf(stderr, "cannot open seller: %s\n", qPrintable(error));
            ports.set_value({0, 0});
            return;
        }
        auto dispatcher = std::make_shared<Dispatcher>(context);
        BearerAuth auth;
        auth.addToken(kToken, Principal{"bench", true});
        SellerServerOptions serverOptions;
        serverOptions.workerThreads = m_workers;
        SellerHttpServer seller(dispatcher, std::move(auth), serverOptions);
        const std::string body = trivialBody.toStdString();
        HttpEngineHandlers handlers;
        handlers.handle = [body](HttpRequest, std::function<void(HttpResponse)> done) {
            HttpResponse response;
            response.headers.emplace_back("Content-Type", "application/json");
            response.body = body;
            done(std::move(response));
        };
        HttpEngine trivial(std::move(handlers), HttpEngineLimits{});
        const quint16 sellerPort = seller.listen(QHostAddress::LocalHost, 0);
        const quint16 trivialPort = trivial.listen("127.0.0.1", 0);
        ports.set_value({sellerPort, trivialPort});
        exec();
        seller.stop();
    }

private:
    QString m_dbPath;
    int m_workers;
};

// One virtual client: sends a request, reads the whole answer, repeats; reconnects when the server closes.
class Client final : public QObject
{
public:
    using MakeRequest = std::function<QByteArray()>;
    Client(quint16 port, MakeRequest make, std::vector<double> *latencies, int *errors, const bool *running)
        : m_port(port), m_make(std::move(make)), m_latencies(latencies), m_errors(errors), m_running(running)
    {
        connect(&m_socket, &QTcpSocket::connected, this, [this] { sendNext(); });
        connect(&m_socket, &QTcpSocket::readyRead, this, [this] { onBytes(); });
        connect(&m_socket, &QTcpSocket::disconnected, this, [this] {
            // A request cut off by the end of the measurement is not an error.
            if (m_waiting && *m_running)
                ++*m_errors;
            m_waiting = false;
            if (*m_running)
                QTimer::singleShot(0, this,
                                   [this] { m_socket.connectToHost(QHostAddress::LocalHost, m_port); });
        });
        m_socket.connectToHost(QHostAddress::LocalHost, m_port);
    }
    ~Client() override { m_socket.abort(); }

private:
    void sendNext()
    {
        if (!*m_running || m_waiting)
            return;
        m_buffer.clear();
        m_waiting = true;
        m_timer.start();
        m_socket.write(m_make());
    }
    void onBytes()
    {
        m_buffer += m_socket.readAll();
        const qsizetype headerEnd = m_buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        const QByteArray head = m_buffer.left(headerEnd).toLower();
        const qsizetype cl = head.indexOf("content-length:");
        const qsizetype length =
            cl < 0 ? 0 : head.mid(cl + 15, head.indexOf('\r', cl) - cl - 15).trimmed().toLongLong();
        if (m_buffer.size() < headerEnd + 4 + length)
            return;
        m_waiting = false;
        const bool ok =
            head.startsWith("http/1.1 200") && !m_buffer.mid(headerEnd + 4).contains("\"isError\":true");
        if (ok)
            m_latencies->push_back(double(m_timer.nsecsElapsed()) / 1e6);
        else
            ++*m_errors;
        // Deferred seller answers close the connection; the disconnected handler reconnects.
        if (!head.contains("connection: close"))
            sendNext();
    }

    QTcpSocket m_socket;
    quint16 m_port;
    MakeRequest m_make;
    std::vector<double> *m_latencies;
    int *m_errors;
    const bool *m_running;
    QByteArray m_buffer;
    QElapsedTimer m_timer;
    bool m_waiting = false;
};

struct Result
{
    double rps = 0;
    double p50 = 0;
    double p99 = 0;
    int errors = 0;
    size_t count = 0;
};

Result load(quint16 port, int concurrency, double seconds, const Client::MakeRequest &make)
{
    std::vector<double> latencies;
    int errors = 0;
    bool running = true;
    std::vector<std::unique_ptr<Client>> clients;
    QElapsedTimer wall;
    wall.start();
    for (int i = 0; i < concurrency; ++i)
        clients.push_back(std::make_unique<Client>(port, make, &latencies, &errors, &running));
    QEventLoop loop;
    QTimer::singleShot(int(seconds * 1000), &loop, &QEventLoop::quit);
    loop.exec();
    running = false;
    const double elapsed = double(wall.nsecsElapsed()) / 1e9;
    clients.clear();
    Result r;
    r.count = latencies.size();
    r.errors = errors;
    r.rps = double(latencies.size()) / elapsed;
    if (!latencies.empty()) {
        std::sort(latencies.begin(), latencies.end());
        r.p50 = latencies[latencies.size() / 2];
        r.p99 = latencies[std::min(latencies.size() - 1, size_t(double(latencies.size()) * 0.99))];
    }
    return r;
}

QByteArray httpPost(quint16 port, const QByteArray &path, const QByteArray &body)
{
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
           "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
           "Authorization: Bearer " +
           kToken + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

QByteArray toolCall(const std::string &tool, const json &arguments)
{
    return QByteArray::fromStdString(json{{"jsonrpc", "2.0"},
                                          {"id", 1},
                                          {"method", "tools/call"},
                                          {"params", {{"name", tool}, {"arguments", arguments}}}}
                                         .dump());
}

// One synchronous request for setup (the product catalog, the reference body).
json callOnce(quint16 port, const QByteArray &request)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(request);
    QByteArray buffer;
    while (socket.waitForReadyRead(30000)) {
        buffer += socket.readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            continue;
        const QByteArray head = buffer.left(end).toLower();
        const qsizetype cl = head.indexOf("content-length:");
        const qsizetype length = head.mid(cl + 15, head.indexOf('\r', cl) - cl - 15).trimmed().toLongLong();
        if (buffer.size() >= end + 4 + length) {
            const QByteArray body = buffer.mid(end + 4, length);
            return json::parse(body.constBegin(), body.constEnd(), nullptr, false);
        }
    }
    return {};
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const double seconds = argc > 1 ? QByteArray(argv[1]).toDouble() : 3.0;
    const int workers = argc > 2 ? QByteArray(argv[2]).toInt() : 4;
    QTemporaryDir dir;

    const json brand = {{"domain", "acmeoutdoor.example"}};
    const json productsArgs = {
        {"buying_mode", "brief"}, {"brief", "Video for outdoor gear in the US"}, {"brand", brand}};

    ServerThread server(dir.filePath(QStringLiteral("bench.sqlite")), workers);
    // The trivial route answers with exactly the bytes of a get_products answer, captured from a first
    // seller.
    {
        ServerThread probe(dir.filePath(QStringLiteral("probe.sqlite")), workers);
        auto probePorts = probe.ports.get_future();
        probe.start();
        const quint16 port = probePorts.get().first;
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        socket.waitForConnected(5000);
        socket.write(httpPost(port, "/mcp", toolCall("get_products", productsArgs)));
        QByteArray raw;
        while (socket.waitForReadyRead(30000)) {
            raw += socket.readAll();
            const qsizetype end = raw.indexOf("\r\n\r\n");
            if (end >= 0) {
                const QByteArray head = raw.left(end).toLower();
                const qsizetype cl = head.indexOf("content-length:");
                const qsizetype length =
                    head.mid(cl + 15, head.indexOf('\r', cl) - cl - 15).trimmed().toLongLong();
                if (raw.size() >= end + 4 + length) {
                    server.trivialBody = raw.mid(end + 4, length);
                    break;
                }
            }
        }
        probe.quit();
        probe.wait();
    }
    auto portsFuture = server.ports.get_future();
    server.start();
    const auto [sellerPort, trivialPort] = portsFuture.get();
    if (sellerPort == 0 || trivialPort == 0)
        return 1;

    const json products =
        callOnce(sellerPort, httpPost(sellerPort, "/mcp", toolCall("get_products", productsArgs)));
    const json &structured = products["result"]["structuredContent"];
    if (!structured.contains("products") || structured["products"].empty()) {
        std::fprintf(stderr, "get_products returned no products: %s\n", products.dump().c_str());
        return 1;
    }
    const json &product = structured["products"][0];
    const QDateTime start = QDateTime::currentDateTimeUtc().addDays(2);
    json createArgs = {
        {"brand", brand},
        {"account", {{"brand", brand}, {"operator", "acmeoutdoor.example"}}},
        {"start_time", start.toString(Qt::ISODate).toStdString()},
        {"end_time", start.addDays(30).toString(Qt::ISODate).toStdString()},
        {"packages", json::array({{{"product_id", product["product_id"]},
                                   {"pricing_option_id", product["pricing_options"][0]["pricing_option_id"]},
                                   {"budget", 50000}}})}};

    struct Case
    {
        const char *name;
        quint16 port;
        Client::MakeRequest make;
    };
    const QByteArray productsRequest = httpPost(sellerPort, "/mcp", toolCall("get_products", productsArgs));
    const QByteArray trivialRequest =
        "GET /trivial HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(trivialPort) + "\r\n\r\n";
    const std::vector<Case> cases = {
        {"trivial route (same bytes)", trivialPort, [&] { return trivialRequest; }},
        {"get_products over MCP", sellerPort, [&] { return productsRequest; }},
        {"create_media_buy over MCP", sellerPort,
         [&] {
             json args = createArgs;
             args["idempotency_key"] = QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
             return httpPost(sellerPort, "/mcp", toolCall("create_media_buy", args));
         }},
    };

    std::printf("seller_load: %.1f s per cell, %d worker threads, response body %lld bytes\n\n", seconds,
                workers, static_cast<long long>(server.trivialBody.size()));
    std::printf("| case | concurrency | requests/s | p50 ms | p99 ms | errors | vs trivial |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
    for (int concurrency : {1, 8, 32}) {
        double ceiling = 0;
        for (const Case &c : cases) {
            const Result r = load(c.port, concurrency, seconds, c.make);
            if (c.port == trivialPort)
                ceiling = r.rps;
            std::printf("| %s | %d | %.0f | %.2f | %.2f | %d | %.3f |\n", c.name, concurrency, r.rps, r.p50,
                        r.p99, r.errors, ceiling > 0 ? r.rps / ceiling : 0.0);
            std::fflush(stdout);
        }
    }

    // The seller's own cost without HTTP or MCP: Dispatcher::call in this thread, one call at a time.
    {
        SellerOptions options;
        options.databasePath = dir.filePath(QStringLiteral("direct.sqlite"));
        auto context = SellerContext::open(options);
        if (context) {
            Dispatcher dispatcher(context);
            const Principal principal{"bench", true};
            for (const char *tool : {"get_products", "create_media_buy"}) {
                std::vector<double> latencies;
                QElapsedTimer wall;
                wall.start();
                while (wall.elapsed() < qint64(seconds * 1000)) {
                    json args = std::string(tool) == "get_products" ? productsArgs : createArgs;
                    if (std::string(tool) == "create_media_buy")
                        args["idempotency_key"] =
                            QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
                    QElapsedTimer one;
                    one.start();
                    const auto outcome = dispatcher.call(principal, tool, args);
                    if (outcome.ok())
                        latencies.push_back(double(one.nsecsElapsed()) / 1e6);
                }
                std::sort(latencies.begin(), latencies.end());
                if (latencies.empty())
                    continue;
                std::printf(
                    "| %s, Dispatcher::call direct | 1 | %.0f | %.2f | %.2f | - | - |\n", tool,
                    double(latencies.size()) / (double(wall.nsecsElapsed()) / 1e9),
                    latencies[latencies.size() / 2],
                    latencies[std::min(latencies.size() - 1, size_t(double(latencies.size()) * 0.99))]);
            }
        }
    }
    server.quit();
    server.wait();
    return 0;
}
