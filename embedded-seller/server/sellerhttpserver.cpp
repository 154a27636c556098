#include "sellerhttpserver.h"

#include "httpengine.h"
#include "mcpendpoint.h"
#include "sellerrouter.h"

namespace adcp::seller {

SellerHttpServer::SellerHttpServer(std::shared_ptr<Dispatcher> dispatcher, BearerAuth auth,
                                   SellerServerOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
    m_workers.setMaxThreadCount(std::max(1, m_options.workerThreads));
    SellerRouter::RunOnWorker runOnWorker;
    if (m_options.workerThreads > 0)
        runOnWorker = [this](std::function<void()> work) { m_workers.start(std::move(work)); };
    m_router = std::make_unique<SellerRouter>(std::move(dispatcher), std::move(auth), m_options,
                                              std::move(runOnWorker), [this](const std::string &line) {
                                                  Q_EMIT requestLogged(QString::fromStdString(line));
                                              });
    HttpEngineLimits limits;
    limits.maxHeaderBytes = std::uint32_t(m_options.maxHeaderBytes);
    limits.maxBodyBytes = std::uint64_t(m_options.maxBodyBytes);
    limits.headerTimeout = m_options.headerTimeout;
    limits.bodyTimeout = m_options.bodyTimeout;
    limits.idleTimeout = m_options.idleTimeout;
    limits.maxConnections = m_options.maxConnections;
    HttpEngineHandlers handlers;
    handlers.preflight = [this](const HttpRequest &head, std::optional<std::uint64_t> length) {
        return m_router->preflight(head, length);
    };
    handlers.handle = [this](HttpRequest request, std::function<void(HttpResponse)> done) {
        if (m_stopping) {
            HttpResponse busy;
            busy.status = 503;
            busy.close = true;
            done(std::move(busy));
            return;
        }
        m_router->handle(std::move(request), std::move(done));
    };
    m_engine = std::make_unique<HttpEngine>(std::move(handlers), limits);
}

SellerHttpServer::~SellerHttpServer()
{
    stop();
}

const QStringList &SellerHttpServer::supportedProtocolVersions()
{
    return McpEndpoint::supportedProtocolVersions();
}

quint16 SellerHttpServer::listen(const QHostAddress &address, quint16 port)
{
    std::string error;
    const quint16 bound = m_engine->listen(address.toString().toStdString(), port, &error);
    m_error = QString::fromStdString(error);
    return bound;
}

QString SellerHttpServer::errorString() const
{
    return m_error;
}

int SellerHttpServer::sessionCount() const
{
    return m_router->sessionCount();
}

int SellerHttpServer::connectionCount() const
{
    return m_engine->connectionCount();
}

void SellerHttpServer::stop()
{
    // Workers answer through the network thread, so it runs until the last of them is done.
    m_stopping = true;
    m_workers.waitForDone();
    m_engine->stop();
}

void SellerHttpServer::waitForWorkers()
{
    m_workers.waitForDone();
}

} // namespace adcp::seller
