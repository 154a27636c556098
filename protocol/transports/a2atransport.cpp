#include "a2atransport.h"

#include "jsonrpchttp.h"
#include "mcptransport.h"
#include "secretmask.h"
#include "transportcall.h"

#include <QNetworkReply>
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

// The data parts of a list of parts, in order (0.3 `{kind:"data", data}`, 1.0 `{data}`).
void collectData(const nlohmann::json &parts, std::vector<nlohmann::json> &out)
{
    if (!parts.is_array())
        return;
    for (const auto &part : parts) {
        if (!part.is_object())
            continue;
        const auto kind = part.value("kind", std::string("data"));
        if (kind == "data" && part.contains("data") && part["data"].is_object())
            out.push_back(part["data"]);
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
    const nlohmann::json *task = &result;
    if (result.contains("task") && result["task"].is_object())
        task = &result["task"];
    else if (result.contains("message") && result["message"].is_object())
        task = &result["message"];

    std::vector<nlohmann::json> data;
    QString state = QStringLiteral("completed");
    if (task->contains("status") && (*task)["status"].is_object()) {
        state = normalizeState((*task)["status"].value("state", std::string("completed")));
        if ((*task)["status"].contains("message") && (*task)["status"]["message"].is_object())
            collectData((*task)["status"]["message"].value("parts", nlohmann::json()), data);
    }
    if (task->contains("artifacts") && (*task)["artifacts"].is_array()) {
        std::vector<nlohmann::json> artifactData;
        for (const auto &artifact : (*task)["artifacts"])
            collectData(artifact.value("parts", nlohmann::json()), artifactData);
        // The artifact is the AdCP response; status message parts are only commentary.
        if (!artifactData.empty())
            data = std::move(artifactData);
    }
    if (task->contains("parts"))
        collectData((*task)["parts"], data);
    if (stateOut)
        *stateOut = state;
    if (taskIdOut)
        *taskIdOut = QString::fromStdString(task->value("id", std::string()));

    for (const auto &d : data) {
        if (d.contains("adcp_error") && d["adcp_error"].is_object())
            return ToolOutcome::failure(AdcpError::fromJson(d["adcp_error"]));
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

QNetworkRequest A2aTransport::makeRequest(const QUrl &url) const
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Accept", "application/json");
    request.setRawHeader("A2A-Extensions", kAdcpExtension);
    if (!m_options.bearerToken.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_options.bearerToken);
    request.setTransferTimeout(m_options.timeoutMs);
    return request;
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
    QNetworkRequest request = makeRequest(cardUrl);
    QNetworkReply *reply = m_network.get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, cardUrl] {
        reply->deleteLater();
        m_fetchingCard = false;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        if ((status == 0 || status >= 502) && m_cardAttempt < m_options.maxRetries) {
            const int delay = m_options.retryBaseMs * (1 << m_cardAttempt++);
            QTimer::singleShot(delay, this, [this] { fetchCard(); });
            return;
        }
        m_cardAttempt = 0;
        auto card = nlohmann::json::parse(body.constBegin(), body.constEnd(), nullptr, false);
        const auto waiting = std::exchange(m_waiting, {});
        if (status != 200 || card.is_discarded() || !card.is_object()) {
            const AdcpError e =
                makeError("SERVICE_UNAVAILABLE",
                          "no A2A agent card at " + cardUrl.toString().toStdString() + " (HTTP " +
                              std::to_string(status) + ")",
                          status == 0 || status >= 500 ? Recovery::Transient : Recovery::Terminal);
            for (const auto &call : waiting)
                finish(call, ToolOutcome::failure(e));
            return;
        }
        m_card = card;
        const QString url = QString::fromStdString(card.value("url", std::string()));
        m_endpoint = url.isEmpty() ? m_options.agentUrl : cardUrl.resolved(QUrl(url));
        for (const auto &call : waiting) {
            if (!call->canceled)
                sendCall(call);
        }
    });
}

void A2aTransport::sendCall(const std::shared_ptr<Call> &call)
{
    const nlohmann::json message = {
        {"jsonrpc", "2.0"},
        {"id", m_nextRpcId++},
        {"method", "message/send"},
        {"params",
         {{"message",
           {{"kind", "message"},
            {"messageId", QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString()},
            {"role", "user"},
            {"parts",
             nlohmann::json::array(
                 {{{"kind", "data"},
                   {"data", {{"skill", call->tool.toStdString()}, {"input", call->arguments}}}}})}}}}}};
    if (!call->deadline.isValid())
        call->deadline = QDateTime::currentDateTimeUtc().addMSecs(m_options.timeoutMs);
    const std::weak_ptr<Call> weak = call;
    call->rpc = sendJsonRpc(
        m_network, this, makeRequest(m_endpoint), message, m_options.timeoutMs,
        [this, weak](const std::shared_ptr<RpcAttempt> &a) {
            auto c = weak.lock();
            if (!c || c->canceled || c->finished)
                return;
            c->meta = a->meta;
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
        kind());
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
                                        {"method", "tasks/get"},
                                        {"params", {{"id", taskId.toStdString()}}}};
        c->rpc = sendJsonRpc(
            m_network, this, makeRequest(m_endpoint), message, m_options.timeoutMs,
            [this, weak, taskId](const std::shared_ptr<RpcAttempt> &a) {
                auto c2 = weak.lock();
                if (!c2 || c2->canceled || c2->finished)
                    return;
                c2->meta = a->meta;
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
                finish(c2, ToolOutcome::failure(a->message && a->message->contains("error")
                                                    ? adcpErrorFromJsonRpcError((*a->message)["error"])
                                                    : makeError("SERVICE_UNAVAILABLE", "tasks/get failed",
                                                                Recovery::Transient)));
            },
            kind());
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
    QTimer::singleShot(0, this, [this, id = call->id, outcome, meta = call->meta] {
        Q_EMIT callFinished(id, outcome, meta);
    });
}

} // namespace adcp
