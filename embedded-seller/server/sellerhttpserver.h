#pragma once

#include "bearerauth.h"
#include "dispatcher.h"
#include "sellerserveroptions.h"

#include <QHostAddress>
#include <QObject>
#include <QStringList>
#include <QThreadPool>

#include <atomic>
#include <memory>

namespace adcp::seller {

class HttpEngine;
class SellerRouter;

// The seller's network face: the socket-free SellerRouter (MCP on /mcp, A2A on /a2a, the well-known
// documents) served by the Beast HttpEngine on its own network thread, with tool calls on a worker pool.
class SellerHttpServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SellerHttpServer)
public:
    SellerHttpServer(std::shared_ptr<Dispatcher> dispatcher, BearerAuth auth, SellerServerOptions options = {},
                     QObject *parent = nullptr);
    ~SellerHttpServer() override;

    static const QStringList &supportedProtocolVersions();
    // Binds and serves; the bound port, or 0 (errorString() says why).
    quint16 listen(const QHostAddress &address, quint16 port);
    QString errorString() const;
    int sessionCount() const;
    int connectionCount() const;
    // Refuses new requests, waits for tool calls still running on workers and closes every connection.
    void stop();
    // Waits for tool calls still running on worker threads.
    void waitForWorkers();

Q_SIGNALS:
    // One line per request: time, peer, method, path, RPC method/tool, principal, status, duration.
    // Emitted from the network or a worker thread.
    void requestLogged(const QString &line);

private:
    SellerServerOptions m_options;
    QThreadPool m_workers;
    std::atomic_bool m_stopping{false};
    std::unique_ptr<SellerRouter> m_router;
    std::unique_ptr<HttpEngine> m_engine;
    QString m_error;
};

} // namespace adcp::seller
