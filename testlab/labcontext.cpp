#include "labcontext.h"

#include "labwebhooks.h"

#include "transports/a2atransport.h"
#include "transports/mcptransport.h"

#include <QEventLoop>
#include <QPointer>
#include <QTimer>
#include <QUuid>

#include <algorithm>

namespace adcp::lab {

namespace {

// How often a waiting call looks at the cancel flag (set from another thread).
constexpr int kCancelCheckMs = 100;

std::unique_ptr<AgentTransport> makeTransport(const LabConfig &config, const QByteArray &token)
{
    if (config.protocol == LabProtocol::A2a) {
        A2aTransportOptions options;
        options.agentUrl = config.url;
        options.bearerToken = token;
        return std::make_unique<A2aTransport>(options);
    }
    McpTransportOptions options;
    options.endpoint = config.url;
    options.bearerToken = token;
    return std::make_unique<McpTransport>(options);
}

std::unique_ptr<AgentClient> makeClient(const LabConfig &config, const QByteArray &token, const QString &name)
{
    auto client = std::make_unique<AgentClient>(name, makeTransport(config, token), SchemaRegistry::bundled());
    client->setTaskPolling(true, 1000);
    return client;
}

QStringList issuesText(const std::vector<ValidationIssue> &issues)
{
    QStringList out;
    for (const auto &issue : issues) {
        const QString pointer =
            issue.pointer.empty() ? QStringLiteral("(root)") : QString::fromStdString(issue.pointer);
        out << pointer + QStringLiteral(": ") + QString::fromStdString(issue.message);
    }
    return out;
}

} // namespace

LabContext::LabContext(const LabConfig &config, std::shared_ptr<const std::atomic_bool> canceled, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_canceled(std::move(canceled))
    , m_a(makeClient(config, config.token, QStringLiteral("A")))
{
    connect(m_a.get(), &AgentClient::exchangeFinished, this,
            [this](const Exchange &exchange) { record(QStringLiteral("A"), exchange); });
    if (!config.tokenB.isEmpty()) {
        m_b = makeClient(config, config.tokenB, QStringLiteral("B"));
        connect(m_b.get(), &AgentClient::exchangeFinished, this,
                [this](const Exchange &exchange) { record(QStringLiteral("B"), exchange); });
    }
}

LabContext::~LabContext() = default;

AgentClient *LabContext::client(Who who) const
{
    return who == Who::B && m_b ? m_b.get() : m_a.get();
}

void LabContext::record(const QString &principal, const Exchange &exchange)
{
    LabExchange entry;
    entry.principal = principal;
    entry.tool = exchange.tool;
    entry.elapsedMs = exchange.elapsedMs;
    entry.httpStatus = exchange.meta.httpStatus;
    entry.request = exchange.request;
    entry.response = exchange.response;
    entry.responseIssues = issuesText(exchange.responseIssues);
    m_exchanges.push_back(std::move(entry));
}

namespace {

// A webhook delivery that reached the lab's receiver, as an exchange: what the agent sent, and the receiver's
// answer.
LabExchange deliveryExchange(const WebhookEvent &event, int status, const char *answer)
{
    LabExchange exchange;
    exchange.principal = QStringLiteral("webhook");
    exchange.tool = event.taskType.isEmpty() ? QStringLiteral("delivery") : event.taskType;
    exchange.httpStatus = status;
    exchange.request = event.payload;
    exchange.response = {{"receiver", answer},
                         {"verified_by", event.verifiedBy.toStdString()},
                         {"idempotency_key", event.idempotencyKey.toStdString()},
                         {"received_at", event.receivedAt.toString(Qt::ISODateWithMs).toStdString()}};
    return exchange;
}

} // namespace

std::vector<LabExchange> LabContext::takeExchanges()
{
    // The webhook deliveries that arrived since the last step, after its calls: a webhooks step shows them.
    if (m_webhooks) {
        const auto &refused = m_webhooks->refused();
        for (; m_seenRefused < refused.size(); ++m_seenRefused)
            m_exchanges.push_back(
                deliveryExchange(refused[m_seenRefused], 503, "refused on purpose (503), to see a retry"));
        const auto &accepted = m_webhooks->accepted();
        for (; m_seenAccepted < accepted.size(); ++m_seenAccepted)
            m_exchanges.push_back(deliveryExchange(accepted[m_seenAccepted], 200, "accepted"));
        const QStringList &rejected = m_webhooks->rejected();
        for (; m_seenRejected < rejected.size(); ++m_seenRejected) {
            LabExchange exchange;
            exchange.principal = QStringLiteral("webhook");
            exchange.tool = QStringLiteral("delivery");
            exchange.request = nullptr;
            exchange.response = {{"receiver", "rejected"},
                                 {"reason", rejected[m_seenRejected].toStdString()}};
            m_exchanges.push_back(std::move(exchange));
        }
    }
    return std::exchange(m_exchanges, {});
}

LabWebhooks &LabContext::webhooks()
{
    if (!m_webhooks)
        m_webhooks = std::make_unique<LabWebhooks>(m_canceled);
    return *m_webhooks;
}

ToolOutcome LabContext::wait(PendingCall *pending)
{
    QPointer<PendingCall> guard(pending);
    std::optional<ToolOutcome> outcome;
    QEventLoop loop;
    connect(pending, &PendingCall::finished, &loop, [&outcome, &loop, guard] {
        if (guard)
            outcome = guard->outcome();
        loop.quit();
    });
    QTimer deadline;
    deadline.setSingleShot(true);
    connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    deadline.start(m_config.callTimeoutMs);
    QTimer cancelCheck;
    connect(&cancelCheck, &QTimer::timeout, &loop, [this, &loop] {
        if (isCanceled())
            loop.quit();
    });
    cancelCheck.start(kCancelCheckMs);
    if (!outcome && guard && !guard->isFinished())
        loop.exec();
    if (outcome)
        return *outcome;
    if (guard)
        guard->cancel();
    if (isCanceled())
        return ToolOutcome::failure(AdcpError::make("LAB_CANCELED", "the run was canceled"));
    return ToolOutcome::failure(AdcpError::make(
        "LAB_TIMEOUT", "no answer within " + std::to_string(m_config.callTimeoutMs / 1000) + " s"));
}

ToolOutcome LabContext::call(const QString &tool, const nlohmann::json &arguments, CallOptions options)
{
    if (isCanceled())
        return ToolOutcome::failure(AdcpError::make("LAB_CANCELED", "the run was canceled"));
    AgentClient *agent = client(options.who);
    agent->setRequestValidation(options.validateRequest);
    PendingCall *pending = agent->call(tool, arguments);
    ToolOutcome outcome = wait(pending);
    agent->setRequestValidation(true);
    return outcome;
}

ToolOutcome LabContext::call(const QString &tool, const nlohmann::json &arguments)
{
    return call(tool, arguments, CallOptions{});
}

std::pair<ToolOutcome, ToolOutcome> LabContext::callTogether(const QString &tool, const nlohmann::json &first,
                                                             const nlohmann::json &second)
{
    if (isCanceled()) {
        const auto canceled = ToolOutcome::failure(AdcpError::make("LAB_CANCELED", "the run was canceled"));
        return {canceled, canceled};
    }
    PendingCall *one = m_a->call(tool, first);
    PendingCall *two = m_a->call(tool, second);
    // The second answer may arrive while the first is awaited: keep it where a late signal can still write.
    QPointer<PendingCall> twoGuard(two);
    auto secondOutcome = std::make_shared<std::optional<ToolOutcome>>();
    connect(two, &PendingCall::finished, this, [secondOutcome, twoGuard] {
        if (twoGuard)
            *secondOutcome = twoGuard->outcome();
    });
    ToolOutcome firstOutcome = wait(one);
    if (!*secondOutcome && twoGuard)
        return {firstOutcome, wait(two)};
    return {firstOutcome, secondOutcome->value_or(ToolOutcome::failure(
                              AdcpError::make("LAB_CANCELED", "the run was canceled")))};
}

const LabConfig &LabContext::config() const
{
    return m_config;
}

bool LabContext::hasPrincipalB() const
{
    return m_b != nullptr;
}

bool LabContext::isCanceled() const
{
    return m_canceled && m_canceled->load();
}

void LabContext::setCapabilities(const nlohmann::json &capabilities)
{
    m_capabilities = capabilities;
    // Requests are pinned to the newest release the agent declared, never to one it does not speak; an agent
    // that declares only a major version gets no pin.
    QString newest;
    for (const QString &v : declaredVersions())
        if (QStringView(v).split(u'.').size() == 2 && v > newest)
            newest = v;
    m_a->setAdcpVersionPin(newest);
    if (m_b)
        m_b->setAdcpVersionPin(newest);
}

const nlohmann::json &LabContext::capabilities() const
{
    return m_capabilities;
}

QList<Dialect> LabContext::dialects() const
{
    QList<Dialect> supported;
    AgentClient::dialectFromCapabilities(m_capabilities, &supported);
    return supported;
}

QStringList LabContext::declaredVersions() const
{
    QStringList versions;
    const auto adcp = m_capabilities.find("adcp");
    if (adcp == m_capabilities.end() || !adcp->is_object())
        return versions;
    const auto supported = adcp->find("supported_versions");
    if (supported != adcp->end() && supported->is_array())
        for (const auto &v : *supported)
            if (v.is_string())
                versions << QString::fromStdString(v.get<std::string>());
    if (versions.isEmpty()) {
        const auto majors = adcp->find("major_versions");
        if (majors != adcp->end() && majors->is_array())
            for (const auto &v : *majors)
                if (v.is_number_integer())
                    versions << QString::number(v.get<int>());
    }
    return versions;
}

bool LabContext::declaresMediaBuy() const
{
    const auto protocols = m_capabilities.find("supported_protocols");
    if (protocols == m_capabilities.end() || !protocols->is_array())
        return false;
    return std::any_of(protocols->begin(), protocols->end(),
                       [](const nlohmann::json &p) { return p.is_string() && p.get<std::string>() == "media_buy"; });
}

bool LabContext::validatesAnswers() const
{
    const QString bundled = QString::fromLatin1(AgentClient::kAdcpVersion);
    return declaredVersions().contains(bundled);
}

bool LabContext::isUnknownTool(const ToolOutcome &outcome)
{
    if (outcome.ok())
        return false;
    const auto &error = *outcome.error;
    if (error.details.is_object()) {
        const auto code = error.details.find("jsonrpc_code");
        if (code != error.details.end() && code->is_number_integer() && code->get<int>() == -32601)
            return true;
    }
    const QString message = QString::fromStdString(error.message).toLower();
    return message.contains(QLatin1String("unknown tool")) || message.contains(QLatin1String("unknown skill")) ||
           message.contains(QLatin1String("tool not found")) || message.contains(QLatin1String("no such tool"));
}

const nlohmann::json &LabContext::account() const
{
    return m_account;
}

void LabContext::setAccount(nlohmann::json account)
{
    m_account = std::move(account);
}

nlohmann::json &LabContext::state()
{
    return m_state;
}

std::string LabContext::newKey()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
}

} // namespace adcp::lab
