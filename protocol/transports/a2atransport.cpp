#include "a2atransport.h"

#include "agentjson.h"
#include "jsonrpchttp.h"
#include "mcptransport.h"
#include "secretmask.h"
#include "transportcall.h"
#include "wire/jsonread.h"

#include <QNetworkReply>
#include <QPointer>
#include <QTimer>
#include <QUuid>

namespace adcp {

namespace {

const QByteArray kAdcpExtension = QByteArrayLiteral("https://adcontextprotocol.org/extensions/adcp/v3");

AdcpError makeError(std::string code, std::string message, Recovery recovery)
{
    AdcpError e = AdcpError::make(std::move(code), std::move(message));
    e.recovery = recovery;
    return e;
}

QString normalizeState(const std::string &state)
{
    QString s = QString::fromStdString(state).toLower();
    if (s.startsWith(QLatin1String("task_state_")))
        s = s.mid(11);
    s.replace(QLatin1Char('_'), QLatin1Char('-'));
    return s;
}

// The data parts of an object's `parts`, in order (0.3 `{kind:"data", data}`, 1.0 `{data}`).
void collectData(const wire::JsonRef &owner, std::vector<nlohmann::json> &out)
{
    for (const wire::JsonRef &part : owner["parts"].items()) {
        const auto data = part["data"].object();
        if (data && part["kind"].string().valueOr("data") == "data")
            out.push_back(data->raw());
    }
}

bool isTerminal(const QString &state)
{
    return state == QLatin1String("completed") || state == QLatin1String("failed") ||
           state == QLatin1String("canceled") || state == QLatin1String("rejected") ||
           state == QLatin1String("input-required") || state == QLatin1String("auth-required");
}

} // namespace

ToolOutcome outcomeFromA2aResult(const nlohmann::json &result, QString *stateOut, QString *taskIdOut)
{
    if (!result.is_object())
        return ToolOutcome::failure(
            makeError("INVALID_RESPONSE", "A2A result is not an object", Recovery::Terminal));
    // 1.0 wraps the payload as {"task": {...}} or {"message": {...}}.
    const wire::JsonRef root(result);
    wire::JsonRef task = root;
    if (const auto wrapped = root["task"].object())
        task = *wrapped;
    else if (const auto message = root["message"].object())
        task = *message;

    std::vector<nlohmann::json> data;
    QString state = QStringLiteral("completed");
    if (const auto status = task["status"].object()) {
        state = normalizeState((*status)["state"].string(64).valueOr("completed"));
        collectData((*status)["message"], data);
    }
    std::vector<nlohmann::json> artifactData;
    for (const wire::JsonRef &artifact : task["artifacts"].items())
        collectData(artifact, artifactData);
    // The artifact is the AdCP response; status message parts are only commentary.
    if (!artifactData.empty())
        data = std::move(artifactData);
    collectData(task, data);
    if (stateOut)
        *stateOut = state;
    if (taskIdOut)
        *taskIdOut = QString::fromStdString(task["id"].string(1024).valueOr(std::string()));

    for (const auto &d : data) {
        if (const auto error = wire::JsonRef(d)["adcp_error"].object())
            return ToolOutcome::failure(AdcpError::fromJson(error->raw()));
    }
    if (state == QLatin1String("failed") || state == QLatin1String("rejected") ||
        state == QLatin1String("canceled")) {
        return ToolOutcome::failure(
            makeError("TOOL_ERROR", "the A2A task ended " + state.toStdString(), Recovery::Transient));
    }
    if (data.empty())
        return ToolOutcome::failure(
            makeError("INVALID_RESPONSE", "the A2A answer carries no data part", Recovery::Terminal));
    return ToolOutcome::success(data.front());
}

struct A2aTransport::Call final : TransportCall
{
    QString tool;
    nlohmann::json arguments;
    int attempt = 0;
    TransportMeta meta;
    QDateTime deadline;
};

A2aTransport::A2aTransport(A2aTransportOptions options, QObject *parent)
    : AgentTransport(parent), m_options(std::move(options))
{
    qRegisterMetaType<adcp::ToolOutcome>();
    qRegisterMetaType<adcp::TransportMeta>();
}

A2aTransport::~A2aTransport()
{
    for (const auto &call : std::as_const(m_calls))
        abortExchange(this, *call);
}

QString A2aTransport::kind() const
{
    return QStringLiteral("a2a");
}

nlohmann::json A2aTransport::agentCard() const
{
    return m_card;
}

QUrl A2aTransport::rpcEndpoint() const
{
    return m_endpoint;
}

bool A2aTransport::profileV3() const
{
    return m_profileV3;
}

QNetworkRequest A2aTransport::makeRequest(const QUrl &url, bool invocation) const
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Accept", "application/json");
    if (invocation && m_profileV3) {
        request.setRawHeader("A2A-Extensions", kAdcpExtension);
        if (m_a2a1)
            request.setRawHeader("A2A-Version", "1.0");
    }
    if (!m_options.bearerToken.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_options.bearerToken);
    ReplyGuard::prepare(request);
    return request;
}

AnswerLimits A2aTransport::answerLimits() const
{
    return AnswerLimits{m_options.maxAnswerBytes, m_options.timeoutMs, m_options.idleTimeoutMs};
}

OriginPolicy A2aTransport::originPolicy() const
{
    // Once the user let the token go to the card's endpoint, redirects within that origin are the agent's
    // own.
    return OriginPolicy{m_endpoint.isValid() ? m_endpoint : m_options.agentUrl,
                        !m_options.bearerToken.isEmpty(), foreignOriginHandler()};
}

quint64 A2aTransport::callTool(const QString &tool, const nlohmann::json &arguments)
{
    auto call = std::make_shared<Call>();
    call->id = m_nextCallId++;
    call->tool = tool;
    call->arguments = arguments.is_null() ? nlohmann::json::object() : arguments;
    call->meta.transport = kind();
    call->meta.url = m_options.agentUrl;
    m_calls.insert(call->id, call);
    if (m_endpoint.isValid()) {
        sendSoon(this, call, [this, call] { sendCall(call); });
    } else {
        m_waiting.append(call);
        fetchCard();
    }
    return call->id;
}

void A2aTransport::cancel(quint64 callId)
{
    const auto call = m_calls.value(callId);
    if (cancelCall(this, call, [this, call](const ToolOutcome &outcome) { finish(call, outcome); }))
        m_waiting.removeAll(call);
}

void A2aTransport::fetchCard()
{
    if (m_fetchingCard)
        return;
    m_fetchingCard = true;
    QUrl cardUrl = m_options.agentUrl;
    if (!cardUrl.path().endsWith(QLatin1String(".json"))) {
        QString path = cardUrl.path();
        if (path.endsWith(QLatin1Char('/')))
            path.chop(1);
        cardUrl.setPath(path + QStringLiteral("/.well-known/agent-card.json"));
    }
    QNetworkReply *reply = m_network.get(makeRequest(cardUrl, false));
    auto *guard = new ReplyGuard(reply, answerLimits(), originPolicy());
    auto body = std::make_shared<QByteArray>();
    connect(reply, &QNetworkReply::readyRead, this, [reply, guard, body] {
        const QByteArray chunk = reply->readAll();
        if (guard->account(chunk.size()))
            body->append(chunk);
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply, guard, body, cardUrl] {
        reply->deleteLater();
        m_fetchingCard = false;
        if (!guard->fault() && guard->account(reply->bytesAvailable()))
            body->append(reply->readAll());
        onCardFetched(cardUrl, reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), *body,
                      guard->fault());
    });
}

void A2aTransport::failWaiting(const AdcpError &error)
{
    const auto waiting = std::exchange(m_waiting, {});
    for (const auto &call : waiting)
        finish(call, ToolOutcome::failure(error));
}

void A2aTransport::onCardFetched(const QUrl &cardUrl, int status, const QByteArray &body,
                                 const std::optional<AdcpError> &fault)
{
    if (fault) {
        m_cardAttempt = 0;
        failWaiting(*fault);
        return;
    }
    if ((status == 0 || status >= 502) && m_cardAttempt < m_options.maxRetries) {
        const int delay = m_options.retryBaseMs * (1 << m_cardAttempt++);
        QTimer::singleShot(delay, this, [this] { fetchCard(); });
        return;
    }
    m_cardAttempt = 0;
    const auto card = parseAgentJson(body);
    if (status != 200 || !card || !card->is_object()) {
        failWaiting(makeError("SERVICE_UNAVAILABLE",
                              "no A2A agent card at " + cardUrl.toString().toStdString() + " (HTTP " +
                                  std::to_string(status) + ")",
                              status == 0 || status >= 500 ? Recovery::Transient : Recovery::Terminal));
        return;
    }
    m_card = *card;
    const auto url = wire::JsonRef(m_card)["url"].string(8192);
    if (url.invalid()) {
        failWaiting(makeError("INVALID_RESPONSE", "the A2A agent card: " + url.error().message(),
                              Recovery::Terminal));
        return;
    }
    QString given = QString::fromStdString(url.valueOr(std::string()));
    const QString interfaceUrl = readDialect();
    if (!interfaceUrl.isEmpty() && (m_a2a1 || given.isEmpty()))
        given = interfaceUrl;
    const QUrl endpoint = given.isEmpty() ? m_options.agentUrl : cardUrl.resolved(QUrl(given));
    const bool http =
        endpoint.scheme() == QLatin1String("http") || endpoint.scheme() == QLatin1String("https");
    if (!endpoint.isValid() || !http) {
        failWaiting(makeError("INVALID_RESPONSE", "the A2A agent card's url is not an http(s) URL",
                              Recovery::Terminal));
        return;
    }
    if (sameOrigin(endpoint, m_options.agentUrl) || m_options.bearerToken.isEmpty()) {
        useEndpoint(endpoint);
        return;
    }
    const AdcpError refused =
        makeError("FOREIGN_ORIGIN_REFUSED",
                  "the agent card sends calls to " +
                      endpoint.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery).toString().toStdString() +
                      ", another origin than the agent's; the bearer token was not sent there",
                  Recovery::Terminal);
    const ForeignOriginHandler &ask = foreignOriginHandler();
    if (!ask) {
        failWaiting(refused);
        return;
    }
    m_fetchingCard = true; // no second card fetch while the user is asked
    QPointer<A2aTransport> self(this);
    ask(m_options.agentUrl, endpoint, [self, endpoint, refused](bool allowed) {
        if (!self)
            return;
        self->m_fetchingCard = false;
        if (allowed)
            self->useEndpoint(endpoint);
        else
            self->failWaiting(refused);
    });
}

QString A2aTransport::readDialect()
{
    const wire::JsonRef card(m_card);
    bool advertised = false;
    for (const wire::JsonRef &extension : card["capabilities"]["extensions"].items())
        advertised |= extension["uri"].string(1024).valueOr(std::string()) == kAdcpExtension.toStdString();
    m_profileV3 = m_options.invocation == A2aInvocation::ProfileV3 ||
                  (m_options.invocation == A2aInvocation::FromCard && advertised);
    // The profile rides on A2A 1.0: its method names go to the card's 1.0 JSON-RPC interface when it has one.
    m_a2a1 = false;
    QString anyUrl;
    for (const wire::JsonRef &entry : card["supportedInterfaces"].items()) {
        const QString url = QString::fromStdString(entry["url"].string(8192).valueOr(std::string()));
        const bool jsonRpc = entry["protocolBinding"].string(64).valueOr("JSONRPC") == "JSONRPC";
        if (url.isEmpty() || !jsonRpc)
            continue;
        if (anyUrl.isEmpty())
            anyUrl = url;
        if (m_profileV3 && entry["protocolVersion"].string(64).valueOr(std::string()).starts_with("1.")) {
            m_a2a1 = true;
            return url;
        }
    }
    return anyUrl;
}

nlohmann::json A2aTransport::invocationMessage(const Call &call)
{
    nlohmann::json part = {
        {"data",
         {{"skill", call.tool.toStdString()}, {m_profileV3 ? "input" : "parameters", call.arguments}}}};
    nlohmann::json message = {{"messageId", QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString()},
                              {"role", m_a2a1 ? "ROLE_USER" : "user"}};
    if (!m_a2a1) {
        part["kind"] = "data";
        message["kind"] = "message";
    }
    message["parts"] = nlohmann::json::array({part});
    return {{"jsonrpc", "2.0"},
            {"id", m_nextRpcId++},
            {"method", m_a2a1 ? "SendMessage" : "message/send"},
            {"params", {{"message", message}}}};
}

void A2aTransport::useEndpoint(const QUrl &endpoint)
{
    m_endpoint = endpoint;
    const auto waiting = std::exchange(m_waiting, {});
    for (const auto &call : waiting) {
        if (!call->canceled)
            sendCall(call);
    }
}

void A2aTransport::sendCall(const std::shared_ptr<Call> &call)
{
    const nlohmann::json message = invocationMessage(*call);
    if (!call->deadline.isValid())
        call->deadline = QDateTime::currentDateTimeUtc().addMSecs(m_options.timeoutMs);
    const std::weak_ptr<Call> weak = call;
    call->rpc = sendJsonRpc(
        m_network, this, makeRequest(m_endpoint, true), message, answerLimits(), originPolicy(),
        [this, weak](const std::shared_ptr<RpcAttempt> &a) {
            auto c = weak.lock();
            if (!c || c->canceled || c->finished)
                return;
            c->meta = a->meta;
            if (a->fault) {
                finish(c, ToolOutcome::failure(*a->fault));
                return;
            }
            const int status = a->meta.httpStatus;
            if (((status == 0 && !a->timedOut) || status == 502 || status == 503 || status == 504) &&
                c->attempt < m_options.maxRetries) {
                const int delay = m_options.retryBaseMs * (1 << c->attempt++);
                QTimer::singleShot(delay, this, [this, c] {
                    if (!c->canceled && !c->finished)
                        sendCall(c);
                });
                return;
            }
            if (a->message && a->message->contains("result")) {
                QString state;
                QString taskId;
                const ToolOutcome outcome = outcomeFromA2aResult((*a->message)["result"], &state, &taskId);
                if (!isTerminal(state) && !taskId.isEmpty()) {
                    pollTask(c, taskId);
                    return;
                }
                finish(c, outcome);
            } else if (a->message && a->message->contains("error")) {
                finish(c, ToolOutcome::failure(adcpErrorFromJsonRpcError((*a->message)["error"])));
            } else if (const auto missing = missingAnswerError(*a)) {
                finish(c, ToolOutcome::failure(*missing));
            } else if (status == 401) {
                finish(c, ToolOutcome::failure(AdcpError::make(
                              m_options.bearerToken.isEmpty() ? "AUTH_MISSING" : "AUTH_INVALID",
                              "the agent refused the credentials (HTTP 401)")));
            } else {
                finish(c, ToolOutcome::failure(makeError("SERVICE_UNAVAILABLE",
                                                         a->timedOut ? std::string("no answer in time")
                                                                     : "HTTP " + std::to_string(status) +
                                                                           " without a JSON-RPC answer",
                                                         Recovery::Transient)));
            }
        },
        kind(), requestSigning().get());
}

void A2aTransport::pollTask(const std::shared_ptr<Call> &call, const QString &taskId)
{
    if (QDateTime::currentDateTimeUtc() > call->deadline) {
        finish(call, ToolOutcome::failure(makeError(
                         "SERVICE_UNAVAILABLE", "the A2A task did not finish in time", Recovery::Transient)));
        return;
    }
    const std::weak_ptr<Call> weak = call;
    QTimer::singleShot(m_options.pollIntervalMs, this, [this, weak, taskId] {
        auto c = weak.lock();
        if (!c || c->canceled || c->finished)
            return;
        const nlohmann::json message = {{"jsonrpc", "2.0"},
                                        {"id", m_nextRpcId++},
                                        {"method", m_a2a1 ? "GetTask" : "tasks/get"},
                                        {"params", {{"id", taskId.toStdString()}}}};
        c->rpc = sendJsonRpc(
            m_network, this, makeRequest(m_endpoint, true), message, answerLimits(), originPolicy(),
            [this, weak, taskId](const std::shared_ptr<RpcAttempt> &a) {
                auto c2 = weak.lock();
                if (!c2 || c2->canceled || c2->finished)
                    return;
                c2->meta = a->meta;
                if (a->fault) {
                    finish(c2, ToolOutcome::failure(*a->fault));
                    return;
                }
                if (a->message && a->message->contains("result")) {
                    QString state;
                    const ToolOutcome outcome = outcomeFromA2aResult((*a->message)["result"], &state);
                    if (!isTerminal(state)) {
                        pollTask(c2, taskId);
                        return;
                    }
                    finish(c2, outcome);
                    return;
                }
                const auto missing = missingAnswerError(*a);
                finish(c2,
                       ToolOutcome::failure(a->message && a->message->contains("error")
                                                ? adcpErrorFromJsonRpcError((*a->message)["error"])
                                            : missing ? *missing
                                                      : makeError("SERVICE_UNAVAILABLE", "tasks/get failed",
                                                                  Recovery::Transient)));
            },
            kind(), requestSigning().get());
    });
}

void A2aTransport::finish(const std::shared_ptr<Call> &call, const ToolOutcome &outcome)
{
    if (call->finished)
        return;
    call->finished = true;
    m_calls.remove(call->id);
    // Emitted from the event loop: a receiver may delete this transport, which must not happen while a
    // network reply of ours is still inside its own signal.
    QTimer::singleShot(0, this,
                       [this, id = call->id, shared = std::make_shared<const ToolOutcome>(outcome),
                        meta = call->meta] { Q_EMIT callFinished(id, shared, meta); });
}

} // namespace adcp
