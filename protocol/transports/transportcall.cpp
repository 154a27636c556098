#include "transportcall.h"

#include <QTimer>

namespace adcp {

void abortExchange(QObject *context, const TransportCall &call)
{
    if (call.rpc && call.rpc->reply) {
        call.rpc->reply->disconnect(context);
        call.rpc->reply->abort();
    }
}

void sendSoon(QObject *context, const std::shared_ptr<TransportCall> &call, std::function<void()> send)
{
    QTimer::singleShot(0, context, [call, send = std::move(send)] {
        if (!call->canceled)
            send();
    });
}

bool cancelCall(QObject *context, const std::shared_ptr<TransportCall> &call,
                std::function<void(const ToolOutcome &)> finish)
{
    if (!call || call->finished || call->canceled)
        return false;
    call->canceled = true;
    abortExchange(context, *call);
    AdcpError e = AdcpError::make("CANCELED", "the call was canceled before an answer arrived");
    e.recovery = Recovery::Correctable;
    QTimer::singleShot(0, context, [e, finish = std::move(finish)] { finish(ToolOutcome::failure(e)); });
    return true;
}

} // namespace adcp
