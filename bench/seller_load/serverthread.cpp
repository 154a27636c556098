#include "serverthread.h"

#include "dispatcher.h"
#include "jobs/execution.h"
#include "sellercontext.h"
#include "server/httpengine.h"
#include "server/sellerhttpserver.h"

#include <cstdio>

using namespace adcp::seller;

const std::string kBenchToken = "bench-token";

ServerThread::ServerThread(QString dbPath, int workers, int adServerMs, std::string trivialBody)
    : m_dbPath(std::move(dbPath)), m_workers(workers), m_adServerMs(adServerMs),
      m_trivialBody(std::move(trivialBody))
{
}

ServerThread::~ServerThread()
{
    quit();
    wait();
}

ServerThread::Ports ServerThread::startAndWait()
{
    auto ports = m_ports.get_future();
    start();
    return ports.get();
}

void ServerThread::run()
{
    SellerOptions options;
    options.databasePath = m_dbPath;
    QString error;
    auto context = SellerContext::open(options, &error);
    if (!context) {
        std::fprintf(stderr, "cannot open seller: %s\n", qPrintable(error));
        m_ports.set_value({});
        return;
    }
    // Buys are booked off the request path; the ad servers' latency must not show in create_media_buy.
    ExecutionOptions executionOptions;
    executionOptions.sendWebhooks = false;
    executionOptions.guaranteed.latencyMs = m_adServerMs;
    executionOptions.exchange.latencyMs = m_adServerMs;
    auto execution = Execution::start(context, executionOptions, &error);
    if (!execution) {
        std::fprintf(stderr, "cannot start execution: %s\n", qPrintable(error));
        m_ports.set_value({});
        return;
    }
    auto dispatcher = std::make_shared<Dispatcher>(context);
    BearerAuth auth;
    // A buyer's principal, not a sandbox one: it sees the catalog without the compliance fixtures, as buyers do.
    auth.addToken(QByteArray::fromStdString(kBenchToken), Principal{"bench", false});
    SellerServerOptions serverOptions;
    serverOptions.workerThreads = m_workers;
    SellerHttpServer seller(dispatcher, std::move(auth), serverOptions);
    HttpEngineHandlers handlers;
    handlers.handle = [body = m_trivialBody](HttpRequest, std::function<void(HttpResponse)> done) {
        HttpResponse response;
        response.headers.emplace_back("Content-Type", "application/json");
        response.body = body;
        done(std::move(response));
    };
    HttpEngine trivial(std::move(handlers), HttpEngineLimits{});
    Ports ports;
    ports.seller = seller.listen(QHostAddress::LocalHost, 0);
    ports.trivial = std::uint16_t(trivial.listen("127.0.0.1", 0));
    m_ports.set_value(ports);
    exec();
    seller.stop();
    trivial.stop();
    execution->stop();
}
