#pragma once

#include "agenttransport.h"
#include "replyguard.h"

#include <QHash>
#include <QNetworkAccessManager>

#include <memory>

namespace adcp {

// How a skill's arguments travel: as the agent card implies, or forced to one form (a buyer that wants to
// speak to a 3.2 agent as a 3.0/3.1 buyer would).
enum class A2aInvocation { FromCard, Parameters, ProfileV3 };

struct A2aTransportOptions
{
    QUrl agentUrl;             // the agent's base URL; its card is read from /.well-known/agent-card.json
    QByteArray bearerToken;    // empty = no Authorization header
    int timeoutMs = 30000;     // per HTTP request, however slowly its answer drips in
    int idleTimeoutMs = 30000; // longest silence within one answer
    qint64 maxAnswerBytes = AnswerLimits::kDefaultMaxAnswerBytes; // per answer (the card included)
    int maxRetries = 2;                                           // connection refused and 502/503/504
    int retryBaseMs = 200;
    int pollIntervalMs = 500; // A2A tasks still working are followed with tasks/get
    A2aInvocation invocation = A2aInvocation::FromCard;
};

// The AdCP outcome of an A2A message/send (or tasks/get) result: a Task whose artifact data part is the AdCP
// response, a FAILED task carrying {"adcp_error": ...}, or a direct Message with a data part. Understands
// A2A 0.3 (lowercase states, `kind`) and 1.0 (TASK_STATE_*, parts without `kind`). `state` receives the
// normalized task state ("completed", "working", ...); `taskId` the A2A task id.
ToolOutcome outcomeFromA2aResult(const nlohmann::json &result, QString *state = nullptr,
                                 QString *taskId = nullptr);

// A2A client: fetches the agent card once, then sends each tool call as one message with one data part. A
// card that advertises the AdCP A2A profile v3 gets {"skill": tool, "input": arguments} with the profile
// activated per request (A2A-Extensions); any other card gets the 3.0/3.1 form {"skill", "parameters"}. The
// A2A 1.0 method names are used when the card declares a 1.0 JSON-RPC interface. A card whose endpoint is
// on another origin than the agent's is used only when the foreign-origin handler agrees (the bearer token
// would go there).
class A2aTransport final : public AgentTransport
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(A2aTransport)
public:
    explicit A2aTransport(A2aTransportOptions options, QObject *parent = nullptr);
    ~A2aTransport() override;

    QString kind() const override;
    quint64 callTool(const QString &tool, const nlohmann::json &arguments) override;
    void cancel(quint64 callId) override;

    nlohmann::json agentCard() const; // null until fetched
    QUrl rpcEndpoint() const;
    bool profileV3() const; // the form in use, known once the card is read

private:
    struct Call;
    void fetchCard();
    void onCardFetched(const QUrl &cardUrl, int status, const QByteArray &body,
                       const std::optional<AdcpError> &fault);
    void useEndpoint(const QUrl &endpoint);
    void failWaiting(const AdcpError &error);
    AnswerLimits answerLimits() const;
    OriginPolicy originPolicy() const;
    void sendCall(const std::shared_ptr<Call> &call);
    void pollTask(const std::shared_ptr<Call> &call, const QString &taskId);
    void finish(const std::shared_ptr<Call> &call, const ToolOutcome &outcome);
    QNetworkRequest makeRequest(const QUrl &url, bool invocation) const;
    nlohmann::json invocationMessage(const Call &call);
    QString readDialect(); // the form and A2A version to speak; returns the card's JSON-RPC interface url

    A2aTransportOptions m_options;
    QNetworkAccessManager m_network;
    nlohmann::json m_card;
    QUrl m_endpoint;
    bool m_profileV3 = false;
    bool m_a2a1 = false; // the card declares an A2A 1.0 JSON-RPC interface
    bool m_fetchingCard = false;
    int m_cardAttempt = 0;
    quint64 m_nextCallId = 1;
    qint64 m_nextRpcId = 1;
    QHash<quint64, std::shared_ptr<Call>> m_calls;
    QList<std::shared_ptr<Call>> m_waiting;
};

} // namespace adcp
