#pragma once

#include "adcperror.h"
#include "jsonrpchttp.h"

#include <QObject>

#include <functional>
#include <memory>

namespace adcp {

// What every network transport keeps about one call in flight; McpTransport and A2aTransport extend it with
// their own fields. The helpers below are the call bookkeeping both transports share.
struct TransportCall
{
    quint64 id = 0;
    bool canceled = false;
    bool finished = false;
    std::shared_ptr<RpcAttempt> rpc; // the HTTP exchange currently carrying the call, if any
};

// Stops the call's HTTP exchange without letting its reply call back into `context`.
void abortExchange(QObject *context, const TransportCall &call);

// Runs `send` from the event loop unless the call is canceled by then: a caller always learns the call id
// before callFinished can be emitted for it.
void sendSoon(QObject *context, const std::shared_ptr<TransportCall> &call, std::function<void()> send);

// Cancels a call that is still open: marks it, aborts its exchange and, from the event loop, hands `finish`
// the CANCELED outcome. Returns false (and does nothing) when the call already finished or was canceled.
// The caller drops the call from its own queue of calls waiting for a connection.
bool cancelCall(QObject *context, const std::shared_ptr<TransportCall> &call,
                std::function<void(const ToolOutcome &)> finish);

} // namespace adcp
