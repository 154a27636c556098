#pragma once

#include "adcperror.h"
#include "agenttransport.h"
#include "schemaregistry.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QPointer>

#include <memory>
#include <vector>

namespace adcp {

// The negotiation dialect an agent speaks, decided from its get_adcp_capabilities.
enum class Dialect { Unknown, Facade, VersionedFacade, Compact };
QString dialectName(Dialect dialect);

// One request/response pair as the exchange inspector shows it.
struct Exchange
{
    quint64 id = 0;
    QString agent;
    QString tool;
    QDateTime startedAt;
    qint64 elapsedMs = 0;
    nlohmann::json request;
    nlohmann::json response; // the AdCP result, or {"adcp_error": {...}}
    TransportMeta meta;
    std::vector<ValidationIssue> requestIssues;
    std::vector<ValidationIssue> responseIssues;
    std::optional<AdcpError> error;
    bool canceled = false;
};

// A call in flight, in the manner of QNetworkReply: finished() is emitted once; the object is owned by the
// AgentClient and deleted after finished() returns unless the receiver calls deleteLater itself.
class PendingCall final : public QObject
{
    Q_OBJECT
public:
    ~PendingCall() override;
    QString tool() const;
    bool isFinished() const;
    const ToolOutcome &outcome() const;
    // The same outcome, shared: a receiver that may outlive this object (or delete it) holds it without a
    // copy.
    std::shared_ptr<const ToolOutcome> sharedOutcome() const;
    // The exchange id in the log, for "show in inspector".
    quint64 exchangeId() const;
    void cancel();

Q_SIGNALS:
    void finished();
    // The agent answered `submitted` with a task (its id is the "adcp_task_id" property): the call now
    // follows the task until it ends, or until cancel() stops the following.
    void submitted(const QString &taskId);

private:
    friend class AgentClient;
    explicit PendingCall(QObject *parent);
    struct Private;
    std::unique_ptr<Private> d;
};

// The buyer's side of AdCP over any AgentTransport: a typed call per tool, validation of each request before
// sending and each response after receiving, dialect detection, polling of `submitted` tasks, and a log of
// every exchange.
class AgentClient final : public QObject
{
    Q_OBJECT
public:
    AgentClient(QString agentName, std::unique_ptr<AgentTransport> transport,
                std::shared_ptr<const SchemaRegistry> schemas, QObject *parent = nullptr);
    ~AgentClient() override;

    QString agentName() const;
    AgentTransport *transport() const;
    Dialect dialect() const;
    nlohmann::json capabilities() const; // last get_adcp_capabilities result (null before)
    // Every dialect the capabilities declare; dialect() is the first of them in the preference order
    // (compact, versioned facade, facade).
    QList<Dialect> supportedDialects() const;
    static Dialect dialectFromCapabilities(const nlohmann::json &capabilities,
                                           QList<Dialect> *supported = nullptr);
    // The request/response schema ids of a tool ("get_products" →
    // "/schemas/media-buy/get-products-request.json"); empty when the registry has no such schema (validation
    // is then skipped).
    std::string requestSchemaId(const QString &tool) const;
    std::string responseSchemaId(const QString &tool) const;
    // The most recent exchanges, oldest first (at most logLimit(); 1000 by default). 0 keeps none: a caller
    // that keeps its own log from exchangeFinished (the window) need not hold every body twice.
    QList<Exchange> exchangeLog() const;
    void setLogLimit(int limit);
    int logLimit() const;

    // Invalid requests (against the bundled request schema) are not sent: the call finishes with
    // VALIDATION_ERROR whose issues carry the JSON pointers.
    PendingCall *call(const QString &tool, const nlohmann::json &arguments);

    PendingCall *getAdcpCapabilities(const nlohmann::json &arguments = nlohmann::json::object());
    PendingCall *getProducts(const nlohmann::json &arguments);
    PendingCall *createMediaBuy(const nlohmann::json &arguments);
    PendingCall *updateMediaBuy(const nlohmann::json &arguments);
    PendingCall *getMediaBuys(const nlohmann::json &arguments);
    PendingCall *getMediaBuyDelivery(const nlohmann::json &arguments);
    PendingCall *syncCreatives(const nlohmann::json &arguments);
    PendingCall *getTaskStatus(const nlohmann::json &arguments);
    PendingCall *listTasks(const nlohmann::json &arguments);

    // When on (default), a `submitted` answer is followed with get_task_status every `interval` ms until the
    // task is terminal; the PendingCall finishes with the task's result.
    void setTaskPolling(bool enabled, int intervalMs = 2000);
    void setRequestValidation(bool enabled);
    void setResponseValidation(bool enabled);
    // Mutating tools get a fresh UUID v4 idempotency_key when the caller gave none (on by default).
    void setAutoIdempotencyKeys(bool enabled);
    // The AdCP release every request is pinned to (`adcp_version`, with the deprecated `adcp_major_version`
    // beside it) unless the caller set one: the release the client's schemas describe, so the seller answers
    // in the form they check. Sellers downshift within the major. Empty = send no pin.
    static constexpr const char *kAdcpVersion = "3.2";
    void setAdcpVersionPin(const QString &release);
    static bool isMutatingTool(const QString &tool);
    // Decides whether the bearer token may follow the agent to another origin (a redirect, an A2A card url
    // elsewhere). The default answers no: such calls fail with REDIRECT_REFUSED / FOREIGN_ORIGIN_REFUSED.
    void setForeignOriginHandler(ForeignOriginHandler handler);

Q_SIGNALS:
    void exchangeStarted(const adcp::Exchange &exchange);
    void exchangeFinished(const adcp::Exchange &exchange);
    void dialectChanged(adcp::Dialect dialect);

private:
    struct Private;
    struct InFlight;
    void onTransportFinished(InFlight flight, SharedOutcome received, const TransportMeta &meta);
    // Logs the exchange (its response already validated) and finishes or polls the pending call.
    // The outcome is shared, never copied, from here to the pending call (an answer can be megabytes).
    void completeExchange(InFlight flight, std::shared_ptr<const ToolOutcome> outcome);
    void schedulePoll(PendingCall *pending);
    void handlePollResult(PendingCall *pending, const ToolOutcome &outcome);
    void finishPending(PendingCall *pending, std::shared_ptr<const ToolOutcome> outcome);
    void finishPending(PendingCall *pending, ToolOutcome outcome);
    std::unique_ptr<Private> d;
};

} // namespace adcp

Q_DECLARE_METATYPE(adcp::Exchange)
