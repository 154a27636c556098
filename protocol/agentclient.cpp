#include "agentclient.h"

#include "requestsigner.h"
#include "transports/secretmask.h"
#include "wire/jsonread.h"

#include <QElapsedTimer>
#include <QHash>
#include <QThreadPool>
#include <QTimer>
#include <QUuid>

#include <atomic>
#include <deque>
#include <mutex>

namespace adcp {

namespace {

constexpr int kMaxPollFailures = 5;

// Exchange ids are unique across every client of the process (a remote agent's client is made anew on each
// switch) and across runs, since a saved workspace brings its exchanges back under the ids they had: they
// count on from the milliseconds since the epoch at the first exchange.
quint64 takeExchangeId()
{
    static std::atomic<quint64> next{static_cast<quint64>(QDateTime::currentMSecsSinceEpoch())};
    return next++;
}

AdcpError makeError(std::string code, std::string message, Recovery recovery)
{
    AdcpError e = AdcpError::make(std::move(code), std::move(message));
    e.recovery = recovery;
    return e;
}

bool isTerminalTaskStatus(const std::string &status)
{
    return status == "completed" || status == "failed" || status == "canceled" || status == "rejected";
}

// A string member of an agent's answer, or empty when absent or of another type.
std::string stringMember(const nlohmann::json &object, const char *key)
{
    return wire::JsonRef(object)[key].string().valueOr(std::string());
}

// Whether an array of an agent's answer holds the string `value` (false when it is not an array).
bool listContains(const wire::JsonRef &list, std::string_view value)
{
    const auto items = list.items();
    return std::any_of(items.begin(), items.end(), [value](const wire::JsonRef &item) {
        return item.string().valueOr(std::string()) == value;
    });
}

// An agent's error text is shown in the window: a hostile agent must not be able to make it megabytes long.
constexpr size_t kMaxErrorText = 4096;
constexpr size_t kMaxErrorIssues = 100;

void clip(std::string &text)
{
    if (text.size() <= kMaxErrorText)
        return;
    size_t cut = kMaxErrorText;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut; // never split a UTF-8 sequence
    text.resize(cut);
    text += "…";
}

AdcpError clipped(AdcpError error)
{
    clip(error.code);
    clip(error.message);
    if (error.field)
        clip(*error.field);
    if (error.suggestion)
        clip(*error.suggestion);
    if (error.issues.size() > kMaxErrorIssues)
        error.issues.resize(kMaxErrorIssues);
    for (auto &issue : error.issues) {
        clip(issue.pointer);
        clip(issue.message);
    }
    return error;
}

std::string dashed(const QString &tool)
{
    std::string s = tool.toStdString();
    for (char &c : s) {
        if (c == '_')
            c = '-';
    }
    return s;
}

} // namespace

QString dialectName(Dialect dialect)
{
    switch (dialect) {
    case Dialect::Unknown:
        return QStringLiteral("unknown");
    case Dialect::Facade:
        return QStringLiteral("3.0/3.1 facade");
    case Dialect::VersionedFacade:
        return QStringLiteral("versioned facade");
    case Dialect::Compact:
        return QStringLiteral("3.2 compact");
    }
    return QStringLiteral("unknown");
}

struct PendingCall::Private
{
    QString tool;
    bool finished = false;
    bool canceled = false;
    std::shared_ptr<const ToolOutcome> outcome; // set when finished
    quint64 exchangeId = 0;
    std::function<void()> cancelHook;
};

PendingCall::PendingCall(QObject *parent) : QObject(parent), d(std::make_unique<Private>()) {}

PendingCall::~PendingCall() = default;

QString PendingCall::tool() const
{
    return d->tool;
}

bool PendingCall::isFinished() const
{
    return d->finished;
}

const ToolOutcome &PendingCall::outcome() const
{
    static const ToolOutcome kNone;
    return d->outcome ? *d->outcome : kNone;
}

std::shared_ptr<const ToolOutcome> PendingCall::sharedOutcome() const
{
    return d->outcome ? d->outcome : std::make_shared<const ToolOutcome>();
}

quint64 PendingCall::exchangeId() const
{
    return d->exchangeId;
}

void PendingCall::cancel()
{
    if (d->finished || d->canceled)
        return;
    d->canceled = true;
    if (d->cancelHook)
        d->cancelHook();
}

struct AgentClient::InFlight
{
    QPointer<PendingCall> pending;
    Exchange exchange;
    QElapsedTimer timer;
    bool isPoll = false;
};

struct AgentClient::Private
{

    QString name;
    std::unique_ptr<AgentTransport> transport;
    std::shared_ptr<const SchemaRegistry> schemas;
    Dialect dialect = Dialect::Unknown;
    QList<Dialect> supported;
    nlohmann::json capabilities;
    bool polling = true;
    int pollIntervalMs = 2000;
    bool validateRequests = true;
    bool validateResponses = true;
    bool autoKeys = true;
    std::string versionPin = AgentClient::kAdcpVersion;
    int logLimit = 1000;
    // get_task_status, or the SDK sellers' `tasks_get` when the agent turned out not to have it.
    QString pollTool = QStringLiteral("get_task_status");
    QHash<quint64, InFlight> inFlight; // by transport call id
    std::deque<Exchange> log;
    mutable std::mutex schemaIdLock;
    mutable std::unordered_map<std::string, std::string> schemaIdCache;
    // Responses are validated here, off the caller's (usually the GUI) thread: a large get_products or
    // get_media_buys answer takes tens of milliseconds to check. One thread keeps answers in arrival order.
    QThreadPool validationPool;
};

AgentClient::AgentClient(QString agentName, std::unique_ptr<AgentTransport> transport,
                         std::shared_ptr<const SchemaRegistry> schemas, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    qRegisterMetaType<adcp::Exchange>();
    d->name = std::move(agentName);
    d->transport = std::move(transport);
    d->schemas = std::move(schemas);
    d->validationPool.setMaxThreadCount(1);
    connect(d->transport.get(), &AgentTransport::callFinished, this,
            [this](quint64 callId, const SharedOutcome &outcome, const TransportMeta &meta) {
                auto it = d->inFlight.find(callId);
                if (it == d->inFlight.end())
                    return;
                InFlight flight = std::move(*it);
                d->inFlight.erase(it);
                onTransportFinished(std::move(flight), outcome, meta);
            });
}

AgentClient::~AgentClient()
{
    // Pending calls are children of this object and die with it; the transport must not call back meanwhile.
    d->transport->disconnect(this);
    // A validation still running posts its result to this object; wait for it so it never outlives us (the
    // posted event is dropped with the object).
    d->validationPool.clear();
    d->validationPool.waitForDone();
}

QString AgentClient::agentName() const
{
    return d->name;
}

AgentTransport *AgentClient::transport() const
{
    return d->transport.get();
}

Dialect AgentClient::dialect() const
{
    return d->dialect;
}

nlohmann::json AgentClient::capabilities() const
{
    return d->capabilities;
}

QList<Dialect> AgentClient::supportedDialects() const
{
    return d->supported;
}

void AgentClient::setTaskPolling(bool enabled, int intervalMs)
{
    d->polling = enabled;
    d->pollIntervalMs = std::max(10, intervalMs);
}

void AgentClient::setRequestValidation(bool enabled)
{
    d->validateRequests = enabled;
}

void AgentClient::setResponseValidation(bool enabled)
{
    d->validateResponses = enabled;
}

void AgentClient::setAdcpVersionPin(const QString &release)
{
    d->versionPin = release.toStdString();
}

void AgentClient::setForeignOriginHandler(ForeignOriginHandler handler)
{
    d->transport->setForeignOriginHandler(std::move(handler));
}

void AgentClient::setAutoIdempotencyKeys(bool enabled)
{
    d->autoKeys = enabled;
}

QList<Exchange> AgentClient::exchangeLog() const
{
    return QList<Exchange>(d->log.begin(), d->log.end());
}

void AgentClient::setLogLimit(int limit)
{
    d->logLimit = std::max(0, limit);
    while (int(d->log.size()) > d->logLimit)
        d->log.pop_front();
}

int AgentClient::logLimit() const
{
    return d->logLimit;
}

bool AgentClient::isMutatingTool(const QString &tool)
{
    static const QStringList mutating = {
        QStringLiteral("create_media_buy"),  QStringLiteral("update_media_buy"),
        QStringLiteral("sync_creatives"),    QStringLiteral("request_proposals"),
        QStringLiteral("refine_proposals"),  QStringLiteral("decline_proposals"),
        QStringLiteral("accept_proposal"),   QStringLiteral("buy_products"),
        QStringLiteral("control_media_buy"), QStringLiteral("sync_accounts"),
        QStringLiteral("log_event"),         QStringLiteral("sync_event_sources"),
        QStringLiteral("sync_audiences")};
    return mutating.contains(tool);
}

Dialect AgentClient::dialectFromCapabilities(const nlohmann::json &capabilities, QList<Dialect> *supported)
{
    QList<Dialect> found;
    const wire::JsonRef caps(capabilities);
    const auto contains = [](const wire::JsonRef &list, const char *value) {
        return listContains(list, value);
    };
    const wire::JsonRef lifecycle = caps["media_buy"]["lifecycle_tools"];
    const wire::JsonRef modes = caps["media_buy"]["buying_modes"];
    const bool hasMediaBuy =
        caps.object() && (contains(caps["supported_protocols"], "media_buy") || caps["media_buy"].exists());
    // This workbench's own seller also names its dialects under ext.workbench.
    const wire::JsonRef declared = caps["ext"]["workbench"]["dialects"];
    // Preference order: the 3.2 compact proposal tools when the seller offers them (the current
    // specification's own lifecycle), then the versioned facade, then the plain facade. Compact tools are
    // declared by name; `open` exists only in the versioned dialect's capabilities.
    if (contains(lifecycle, "request_proposals") || contains(lifecycle, "refine_proposals") ||
        contains(declared, "compact"))
        found.append(Dialect::Compact);
    if (contains(modes, "open") || contains(declared, "versioned"))
        found.append(Dialect::VersionedFacade);
    if (hasMediaBuy)
        found.append(Dialect::Facade);
    if (supported)
        *supported = found;
    return found.isEmpty() ? Dialect::Unknown : found.front();
}

std::string AgentClient::requestSchemaId(const QString &tool) const
{
    if (!d->schemas)
        return {};
    const std::string key = dashed(tool) + "-request.json";
    std::lock_guard lock(d->schemaIdLock);
    if (auto it = d->schemaIdCache.find(key); it != d->schemaIdCache.end())
        return it->second;
    std::string found;
    for (const char *dir : {"media-buy", "protocol", "creative", "account", "core", "signals"}) {
        const std::string id = std::string("/schemas/") + dir + "/" + key;
        if (d->schemas->contains(id)) {
            found = id;
            break;
        }
    }
    d->schemaIdCache.emplace(key, found);
    return found;
}

std::string AgentClient::responseSchemaId(const QString &tool) const
{
    std::string id = requestSchemaId(tool);
    if (id.empty())
        return {};
    id.replace(id.size() - std::string_view("-request.json").size(), std::string::npos, "-response.json");
    return d->schemas->contains(id) ? id : std::string();
}

PendingCall *AgentClient::call(const QString &tool, const nlohmann::json &arguments)
{
    auto *pending = new PendingCall(this);
    pending->d->tool = tool;
    nlohmann::json args = arguments.is_null() ? nlohmann::json::object() : arguments;
    if (d->autoKeys && isMutatingTool(tool) && args.is_object() && !args.contains("idempotency_key"))
        args["idempotency_key"] = QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    if (!d->versionPin.empty() && args.is_object() && !args.contains("adcp_version") &&
        !args.contains("adcp_major_version")) {
        args["adcp_version"] = d->versionPin;
        args["adcp_major_version"] = std::stoi(d->versionPin.substr(0, d->versionPin.find('.')));
    }

    InFlight flight;
    flight.pending = pending;
    flight.timer.start();
    Exchange &ex = flight.exchange;
    ex.id = takeExchangeId();
    ex.agent = d->name;
    ex.tool = tool;
    ex.startedAt = QDateTime::currentDateTimeUtc();
    ex.request = maskJsonSecrets(args);
    ex.meta.transport = d->transport->kind();
    pending->d->exchangeId = ex.id;

    if (d->validateRequests) {
        const std::string schemaId = requestSchemaId(tool);
        if (!schemaId.empty())
            ex.requestIssues = d->schemas->validate(schemaId, args);
    }
    Q_EMIT exchangeStarted(ex);
    std::optional<AdcpError> refusal;
    if (!ex.requestIssues.empty()) {
        const auto &first = ex.requestIssues.front();
        refusal = AdcpError::make(
            "VALIDATION_ERROR",
            "the request does not match " + requestSchemaId(tool) + ": " +
                (first.pointer.empty() ? std::string("(root)") : first.pointer) + " " + first.message,
            first.pointer.empty() ? std::nullopt : std::optional<std::string>(pointerToField(first.pointer)),
            "fix the request; it was not sent");
        for (const auto &issue : ex.requestIssues)
            refusal->issues.push_back({issue.pointer, issue.message, issue.keyword});
    } else if (const auto &signing = d->transport->requestSigning()) {
        // The agent requires a signature for this operation and there is no key to make one.
        refusal = signing->refusal(tool);
    }
    if (refusal) {
        // Finished from the event loop so the caller can connect to finished() first.
        auto held = std::make_shared<InFlight>(std::move(flight));
        QTimer::singleShot(0, this, [this, held, e = *refusal] {
            const TransportMeta meta = held->exchange.meta;
            onTransportFinished(std::move(*held),
                                std::make_shared<const ToolOutcome>(ToolOutcome::failure(e)), meta);
        });
        return pending;
    }
    const quint64 callId = d->transport->callTool(tool, args);
    d->inFlight.insert(callId, std::move(flight));
    pending->d->cancelHook = [this, callId] { d->transport->cancel(callId); };
    return pending;
}

void AgentClient::onTransportFinished(InFlight flight, SharedOutcome received, const TransportMeta &meta)
{
    // The answer is shared, not copied, on this thread; the exchange's copy for the log is made by the
    // validator. An error is clipped to a readable size first.
    SharedOutcome outcome =
        !received ? std::make_shared<const ToolOutcome>()
        : received->ok()
            ? std::move(received)
            : std::make_shared<const ToolOutcome>(ToolOutcome::failure(clipped(*received->error)));
    Exchange &ex = flight.exchange;
    ex.meta = meta;
    ex.elapsedMs = flight.timer.elapsed();
    ex.error = outcome->error;
    ex.canceled = outcome->error && outcome->error->code == "CANCELED";
    if (outcome->ok()) {
        const std::string schemaId = d->validateResponses ? responseSchemaId(ex.tool) : std::string();
        if (!schemaId.empty()) {
            auto held = std::make_shared<InFlight>(std::move(flight));
            d->validationPool.start([this, held, outcome, schemaId, schemas = d->schemas] {
                held->exchange.responseIssues = schemas->validate(schemaId, outcome->result);
                held->exchange.response = outcome->result;
                QMetaObject::invokeMethod(
                    this, [this, held, outcome] { completeExchange(std::move(*held), outcome); },
                    Qt::QueuedConnection);
            });
            return;
        }
        ex.response = outcome->result;
    } else {
        ex.response = {{"adcp_error", outcome->error->toJson()}};
    }
    completeExchange(std::move(flight), std::move(outcome));
}

void AgentClient::completeExchange(InFlight flight, std::shared_ptr<const ToolOutcome> shared)
{
    Exchange &ex = flight.exchange;
    if (d->logLimit > 0)
        d->log.push_back(ex);
    while (int(d->log.size()) > d->logLimit)
        d->log.pop_front();
    Q_EMIT exchangeFinished(ex);
    // The receivers have their copies: the exchange's documents are freed on the validator's thread, not
    // this one (a large answer takes milliseconds to free).
    d->validationPool.start([documents = std::make_shared<std::pair<nlohmann::json, nlohmann::json>>(
                                 std::move(ex.request), std::move(ex.response))] {});
    const ToolOutcome &outcome = *shared;

    if (outcome.ok() && ex.tool == QLatin1String("get_adcp_capabilities")) {
        d->capabilities = outcome.result;
        if (const auto &signing = d->transport->requestSigning())
            signing->learnCapabilities(outcome.result);
        const Dialect detected = dialectFromCapabilities(outcome.result, &d->supported);
        if (detected != d->dialect) {
            d->dialect = detected;
            Q_EMIT dialectChanged(detected);
        }
    }

    PendingCall *pending = flight.pending;
    if (!pending)
        return;
    if (flight.isPoll) {
        handlePollResult(pending, outcome);
        return;
    }
    const std::string taskId = stringMember(outcome.result, "task_id");
    if (outcome.ok() && d->polling && !pending->d->canceled && ex.tool != QLatin1String("get_task_status") &&
        ex.tool != QLatin1String("tasks_get") && stringMember(outcome.result, "status") == "submitted" &&
        !taskId.empty()) {
        pending->setProperty("adcp_task_id", QString::fromStdString(taskId));
        pending->setProperty("adcp_poll_failures", 0);
        schedulePoll(pending);
        Q_EMIT pending->submitted(QString::fromStdString(taskId));
        return;
    }
    finishPending(pending, std::move(shared));
}

void AgentClient::schedulePoll(PendingCall *pending)
{
    // While waiting, cancel() just stops the polling.
    pending->d->cancelHook = [this, p = QPointer<PendingCall>(pending)] {
        if (p)
            finishPending(
                p, ToolOutcome::failure(makeError("CANCELED", "polling of the submitted task was canceled",
                                                  Recovery::Correctable)));
    };
    QTimer::singleShot(d->pollIntervalMs, pending, [this, pending] {
        if (pending->d->finished)
            return;
        const std::string taskId = pending->property("adcp_task_id").toString().toStdString();
        nlohmann::json args = {{"task_id", taskId}};
        if (d->pollTool == QLatin1String("get_task_status"))
            args["include_result"] = true;
        const QString account = pending->property("adcp_account").toString();
        if (!account.isEmpty())
            args["account"] = nlohmann::json::parse(account.toStdString(), nullptr, false);
        InFlight flight;
        flight.pending = pending;
        flight.isPoll = true;
        flight.timer.start();
        flight.exchange.id = takeExchangeId();
        flight.exchange.agent = d->name;
        flight.exchange.tool = d->pollTool;
        flight.exchange.startedAt = QDateTime::currentDateTimeUtc();
        flight.exchange.request = args;
        Q_EMIT exchangeStarted(flight.exchange);
        const quint64 callId = d->transport->callTool(d->pollTool, args);
        d->inFlight.insert(callId, std::move(flight));
        pending->d->cancelHook = [this, callId] { d->transport->cancel(callId); };
    });
}

void AgentClient::handlePollResult(PendingCall *pending, const ToolOutcome &outcome)
{
    if (pending->d->canceled) {
        finishPending(pending, outcome.ok() ? ToolOutcome::failure(makeError(
                                                  "CANCELED", "polling of the submitted task was canceled",
                                                  Recovery::Correctable))
                                            : outcome);
        return;
    }
    if (!outcome.ok()) {
        // Agents built on the AdCP SDK offer `tasks_get` instead of get_task_status.
        const auto &message = outcome.error->message;
        if (d->pollTool == QLatin1String("get_task_status") &&
            message.find("get_task_status") != std::string::npos &&
            (message.find("not found") != std::string::npos || message.find("nknown") != std::string::npos)) {
            d->pollTool = QStringLiteral("tasks_get");
            schedulePoll(pending);
            return;
        }
        const int failures = pending->property("adcp_poll_failures").toInt() + 1;
        pending->setProperty("adcp_poll_failures", failures);
        if (outcome.error->recovery == Recovery::Transient && failures < kMaxPollFailures) {
            schedulePoll(pending);
            return;
        }
        finishPending(pending, outcome);
        return;
    }
    pending->setProperty("adcp_poll_failures", 0);
    const std::string status = stringMember(outcome.result, "status");
    if (!isTerminalTaskStatus(status)) {
        schedulePoll(pending);
        return;
    }
    if (status == "completed") {
        const auto it = outcome.result.find("result");
        finishPending(pending, ToolOutcome::success(
                                   it != outcome.result.end() && it->is_object() ? *it : outcome.result));
        return;
    }
    AdcpError error;
    if (auto it = outcome.result.find("error"); it != outcome.result.end() && it->is_object())
        error = AdcpError::fromJson(*it);
    else
        error = makeError("TASK_" + QString::fromStdString(status).toUpper().toStdString(),
                          "the submitted task ended " + status, Recovery::Terminal);
    finishPending(pending, ToolOutcome::failure(error));
}

void AgentClient::finishPending(PendingCall *pending, ToolOutcome outcome)
{
    finishPending(pending, std::make_shared<const ToolOutcome>(std::move(outcome)));
}

void AgentClient::finishPending(PendingCall *pending, std::shared_ptr<const ToolOutcome> outcome)
{
    if (pending->d->finished)
        return;
    pending->d->finished = true;
    pending->d->cancelHook = nullptr;
    pending->d->outcome =
        outcome->ok() ? std::move(outcome)
                      : std::make_shared<const ToolOutcome>(ToolOutcome::failure(clipped(*outcome->error)));
    // A receiver may delete the client (and with it every pending call) from its slot.
    const QPointer<PendingCall> guard(pending);
    Q_EMIT pending->finished();
    if (guard)
        guard->deleteLater();
}

PendingCall *AgentClient::getAdcpCapabilities(const nlohmann::json &arguments)
{
    return call(QStringLiteral("get_adcp_capabilities"), arguments);
}

PendingCall *AgentClient::getProducts(const nlohmann::json &arguments)
{
    return call(QStringLiteral("get_products"), arguments);
}

PendingCall *AgentClient::createMediaBuy(const nlohmann::json &arguments)
{
    return call(QStringLiteral("create_media_buy"), arguments);
}

PendingCall *AgentClient::updateMediaBuy(const nlohmann::json &arguments)
{
    return call(QStringLiteral("update_media_buy"), arguments);
}

PendingCall *AgentClient::getMediaBuys(const nlohmann::json &arguments)
{
    return call(QStringLiteral("get_media_buys"), arguments);
}

PendingCall *AgentClient::getMediaBuyDelivery(const nlohmann::json &arguments)
{
    return call(QStringLiteral("get_media_buy_delivery"), arguments);
}

PendingCall *AgentClient::syncCreatives(const nlohmann::json &arguments)
{
    return call(QStringLiteral("sync_creatives"), arguments);
}

PendingCall *AgentClient::getTaskStatus(const nlohmann::json &arguments)
{
    return call(QStringLiteral("get_task_status"), arguments);
}

PendingCall *AgentClient::listTasks(const nlohmann::json &arguments)
{
    return call(QStringLiteral("list_tasks"), arguments);
}

} // namespace adcp
