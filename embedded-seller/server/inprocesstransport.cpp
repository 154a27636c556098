#include "inprocesstransport.h"

#include "transports/secretmask.h"

#include <QTimer>

namespace adcp::seller {

InProcessTransport::InProcessTransport(std::shared_ptr<Dispatcher> dispatcher, Principal principal,
                                       QObject *parent)
    : AgentTransport(parent), m_dispatcher(std::move(dispatcher)), m_principal(std::move(principal))
{
    qRegisterMetaType<adcp::ToolOutcome>();
    qRegisterMetaType<adcp::TransportMeta>();
    m_pool.setMaxThreadCount(2);
}

InProcessTransport::~InProcessTransport()
{
    m_pool.waitForDone();
}

void InProcessTransport::setDispatcher(std::shared_ptr<Dispatcher> dispatcher)
{
    m_dispatcher = std::move(dispatcher);
}

QString InProcessTransport::kind() const
{
    return QStringLiteral("in-process");
}

quint64 InProcessTransport::callTool(const QString &tool, const nlohmann::json &arguments)
{
    const quint64 id = m_nextCallId++;
    Call call;
    call.meta.transport = kind();
    call.meta.rawRequest = adcp::maskRawJson(QByteArray::fromStdString(arguments.dump()));
    m_calls.insert(id, call);
    auto dispatcher = m_dispatcher;
    const Principal principal = m_principal;
    const std::string name = tool.toStdString();
    // The destructor waits for the pool, so `this` is alive while a worker runs.
    m_pool.start([=, this] {
        auto outcome =
            std::make_shared<const adcp::ToolOutcome>(dispatcher->call(principal, name, arguments));
        // Serialized and masked here, not on the caller's thread: a long get_media_buys answer is large.
        const QByteArray raw = adcp::maskRawJson(QByteArray::fromStdString(
            outcome->ok() ? outcome->result.dump()
                          : nlohmann::json{{"adcp_error", outcome->error->toJson()}}.dump()));
        QMetaObject::invokeMethod(
            this, [this, id, outcome = std::move(outcome), raw] { finish(id, outcome, raw); },
            Qt::QueuedConnection);
    });
    return id;
}

void InProcessTransport::cancel(quint64 callId)
{
    auto it = m_calls.find(callId);
    if (it == m_calls.end() || it->finished || it->canceled)
        return;
    it->canceled = true;
    // The seller may still complete the work; the caller simply stops waiting for it.
    AdcpError e = AdcpError::make("CANCELED", "the call was canceled before an answer arrived");
    e.recovery = Recovery::Correctable;
    QTimer::singleShot(0, this, [this, callId, e] {
        auto c = m_calls.find(callId);
        if (c == m_calls.end() || c->finished)
            return;
        c->finished = true;
        const TransportMeta meta = c->meta;
        Q_EMIT callFinished(callId, std::make_shared<const ToolOutcome>(ToolOutcome::failure(e)), meta);
    });
}

void InProcessTransport::finish(quint64 callId, const adcp::SharedOutcome &outcome,
                                const QByteArray &rawResponse)
{
    auto it = m_calls.find(callId);
    if (it == m_calls.end())
        return;
    const Call call = *it;
    m_calls.erase(it);
    if (call.finished)
        return; // canceled and already reported
    TransportMeta meta = call.meta;
    meta.rawResponse = rawResponse; // masked by the worker
    Q_EMIT callFinished(callId, outcome, meta);
}

} // namespace adcp::seller
