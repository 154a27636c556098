#pragma once

#include "adcperror.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <QUrl>

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>

namespace adcp {

class RequestSigning;

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// Asked before the bearer token would go to an origin other than the agent's: a redirect elsewhere, or an A2A
// card whose url points elsewhere. The handler calls `answer(true)` to let it go, `answer(false)` to refuse;
// it may answer later (from a dialog). Without a handler the answer is no.
using ForeignOriginHandler =
    std::function<void(const QUrl &agentUrl, const QUrl &target, std::function<void(bool)> answer)>;

// What a transport saw of one call, for the exchange log (headers are recorded with secrets already masked).
struct TransportMeta
{
    QString transport; // "in-process", "mcp", "a2a"
    QUrl url;
    int httpStatus = 0; // 0 when no HTTP was involved
    HeaderList requestHeaders;
    HeaderList responseHeaders;
    QByteArray rawRequest;
    QByteArray rawResponse;
};

// An answer as transports hand it over: shared, never copied (a get_products or get_media_buys answer can be
// megabytes, and the window's thread would pay for every copy).
using SharedOutcome = std::shared_ptr<const ToolOutcome>;

// How a buyer reaches one seller agent. Calls are asynchronous: callTool() returns at once and
// callFinished() is emitted exactly once per call id, on the transport's thread, also after cancel().
class AgentTransport : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~AgentTransport() override = default;

    virtual QString kind() const = 0; // "in-process", "mcp", "a2a"
    virtual quint64 callTool(const QString &tool, const nlohmann::json &arguments) = 0;
    virtual void cancel(quint64 callId) = 0;

    // Who decides when the token would leave the agent's origin (see ForeignOriginHandler).
    void setForeignOriginHandler(ForeignOriginHandler handler);
    const ForeignOriginHandler &foreignOriginHandler() const;
    // RFC 9421 request signing for this agent (the profile's key, the agent's policy); null = never sign.
    void setRequestSigning(std::shared_ptr<RequestSigning> signing);
    const std::shared_ptr<RequestSigning> &requestSigning() const;

Q_SIGNALS:
    void callFinished(quint64 callId, const adcp::SharedOutcome &outcome, const adcp::TransportMeta &meta);

private:
    ForeignOriginHandler m_foreignOrigin;
    std::shared_ptr<RequestSigning> m_signing;
};

} // namespace adcp

Q_DECLARE_METATYPE(adcp::ToolOutcome)
Q_DECLARE_METATYPE(adcp::SharedOutcome)
Q_DECLARE_METATYPE(adcp::TransportMeta)
