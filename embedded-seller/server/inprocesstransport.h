#pragma once

#include "agenttransport.h"
#include "dispatcher.h"

#include <QHash>
#include <QThreadPool>

#include <memory>

namespace adcp::seller {

// Straight to the embedded seller's Dispatcher, no network. Calls run on a private thread pool (the seller
// touches SQLite) and finish on the transport's thread.
class InProcessTransport final : public adcp::AgentTransport
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InProcessTransport)
public:
    InProcessTransport(std::shared_ptr<Dispatcher> dispatcher, Principal principal,
                       QObject *parent = nullptr);
    ~InProcessTransport() override;

    // The seller answering from now on (a trainer's reset replaces the embedded seller); calls in flight
    // finish against the one they started on.
    void setDispatcher(std::shared_ptr<Dispatcher> dispatcher);

    QString kind() const override;
    quint64 callTool(const QString &tool, const nlohmann::json &arguments) override;
    void cancel(quint64 callId) override;

private:
    struct Call
    {
        bool canceled = false;
        bool finished = false;
        adcp::TransportMeta meta;
    };
    void finish(quint64 callId, const adcp::SharedOutcome &outcome, const QByteArray &rawResponse);

    std::shared_ptr<Dispatcher> m_dispatcher;
    Principal m_principal;
    QThreadPool m_pool;
    quint64 m_nextCallId = 1;
    QHash<quint64, Call> m_calls;
};

} // namespace adcp::seller
