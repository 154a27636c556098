#include "workbench.h"

#include "accountmodel.h"
#include "agentclient.h"
#include "buyeventmodel.h"
#include "buymodel.h"
#include "creativeassets.h"
#include "creativemodel.h"
#include "displaynames.h"
#include "exchangemodel.h"
#include "jsonvalues.h"
#include "opportunitymodel.h"
#include "productmodel.h"
#include "proposalmodel.h"
#include "webhookreceiver.h"

#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QUuid>

#include <algorithm>
#include <utility>

namespace adcp::gui {

using namespace adcp::models;
using nlohmann::json;

namespace {

// Set on a buy call handOffWhenSubmitted stopped following: the seller holds the buy, the planner did not
// cancel.
constexpr const char *kHandedOff = "adcp_handed_off";

// The creatives a sync_creatives answer says it failed: how many, the first one's id and the first message any
// of them carries.
struct RefusedCreatives
{
    int count = 0;
    QString firstId;
    QString firstMessage;
};

RefusedCreatives refusedCreatives(const json &result)
{
    RefusedCreatives refused;
    for (const auto &entry : jsonArrayView(result, "creatives")) {
        if (jsonString(entry, "action") != QLatin1String("failed"))
            continue;
        if (refused.count++ == 0)
            refused.firstId = jsonString(entry, "creative_id");
        const json &errors = jsonArrayView(entry, "errors");
        if (refused.firstMessage.isEmpty() && !errors.empty())
            refused.firstMessage = jsonString(errors.front(), "message");
    }
    return refused;
}

QString versionsOf(const json &capabilities)
{
    const json adcp = jsonObject(capabilities, "adcp");
    QStringList versions = jsonStringList(adcp, "supported_versions");
    if (versions.isEmpty()) {
        if (adcp.contains("major_versions") && adcp["major_versions"].is_array()) {
            for (const auto &major : adcp["major_versions"])
                if (major.is_number_integer())
                    versions << QString::number(major.get<int>());
        }
    }
    return versions.join(QStringLiteral(", "));
}

// The AdCP error for an answer that is a transport success but a business refusal (rejected arm) or that
// carries per-entry `unable` outcomes.
std::optional<AdcpError> refusalOf(const json &result)
{
    if (jsonString(result, "status") == QLatin1String("rejected")) {
        AdcpError error = AdcpError::make(
            "TERMS_REJECTED", result.value("reason", std::string("The seller declined the request")));
        if (result.contains("suggestions") && result["suggestions"].is_array() &&
            !result["suggestions"].empty() && result["suggestions"].front().is_string())
            error.suggestion = result["suggestions"].front().get<std::string>();
        return error;
    }
    if (result.contains("errors") && result["errors"].is_array() && !result["errors"].empty() &&
        !result.contains("media_buy_id") && !result.contains("proposals") && !result.contains("products"))
        return AdcpError::fromJson(result["errors"].front());
    return std::nullopt;
}

} // namespace

Workbench::Workbench(QObject *parent)
    : QObject(parent), m_products(new ProductModel(this)), m_proposals(new ProposalModel(this)),
      m_buys(new BuyModel(this)), m_events(new BuyEventModel(this)), m_exchanges(new ExchangeModel(this)),
      m_opportunities(new OpportunityModel(this)), m_accounts(new AccountModel(this)),
      m_creatives(new CreativeModel(this)), m_catalog(new ProductModel(this)),
      m_clock([] { return QDateTime::currentDateTimeUtc(); }), m_ticker(new QTimer(this)),
      m_monitor(new QTimer(this)), m_countsTimer(new QTimer(this)), m_accountWatch(new QTimer(this))
{
    m_accountWatch->setSingleShot(true);
    connect(m_accountWatch, &QTimer::timeout, this, [this] { listAccounts(m_accountStatusFilter, false); });
    m_ticker->setInterval(1000);
    connect(m_ticker, &QTimer::timeout, this, &Workbench::tick);
    m_ticker->start();
    m_monitor->setInterval(3000);
    connect(m_monitor, &QTimer::timeout, this, &Workbench::onMonitorTick);
    m_monitor->start();
    // A refresh changes every buy's row; the counts are brought up to date once, after the burst.
    m_countsTimer->setSingleShot(true);
    m_countsTimer->setInterval(0);
    connect(m_countsTimer, &QTimer::timeout, this, &Workbench::updateOpportunityCounts);
    const auto recount = [this] {
        if (!m_countsTimer->isActive())
            m_countsTimer->start();
    };
    // The creative library names the buys a creative runs in as the planner knows them.
    m_creatives->setBuyTitles([this](const QString &mediaBuyId) {
        const int row = m_buys->rowOf(mediaBuyId);
        return row >= 0 ? m_buys->title(row) : QString();
    });
    connect(m_buys, &QAbstractItemModel::dataChanged, this, recount);
    connect(m_buys, &QAbstractItemModel::rowsInserted, this, recount);
    connect(m_proposals, &QAbstractItemModel::rowsInserted, this, recount);
    // Proposals name the brief they answered as the opportunity list titles it; a title changes on its
    // top-level row (the counts below it do not matter here).
    const auto briefTitle = [this](const QString &opportunityId) {
        const int row = m_opportunities->rowOf(opportunityId);
        return row >= 0 ? m_opportunities->title(row) : QString();
    };
    m_proposals->setBriefTitles(briefTitle);
    // Buys by the proposal they were bought from.
    m_buys->setBriefTitles([this, briefTitle](const QString &proposalId) {
        return briefTitle(m_proposals->opportunityId(m_proposals->rowOf(proposalId)));
    });
    const auto briefTitlesChanged = [this] {
        m_proposals->briefTitlesChanged();
        m_buys->briefTitlesChanged();
    };
    connect(m_opportunities, &QAbstractItemModel::dataChanged, this,
            [briefTitlesChanged](const QModelIndex &topLeft) {
                if (!topLeft.parent().isValid())
                    briefTitlesChanged();
            });
    connect(m_opportunities, &QAbstractItemModel::rowsInserted, this, briefTitlesChanged);
    connect(m_proposals, &QAbstractItemModel::rowsInserted, m_buys, &BuyModel::briefTitlesChanged);
}

Workbench::~Workbench()
{
    cancelAll();
}

void Workbench::setClient(adcp::AgentClient *client, const QString &principal)
{
    cancelAll();
    // A cancelled call reports later, and an answer already on its way may come first: neither may land in
    // the new session's models.
    ++m_session;
    ++m_clientSession;
    Q_EMIT sessionAboutToReset();
    if (m_client)
        disconnect(m_client, nullptr, this, nullptr);
    m_client = client;
    m_principal = principal;
    m_connected = false;
    clearPlanning();
    m_accounts->clear();
    ++m_accountListing;
    m_accountWatch->stop();
    m_watchedAccounts.clear();
    // The account belonged to the previous agent; the caller restores the new agent's own.
    m_activeAccount = json();
    Q_EMIT activeAccountChanged(m_activeAccount);
    if (!client) {
        Q_EMIT connectionChanged(false, {}, {}, {});
        return;
    }
    connect(client, &AgentClient::exchangeStarted, this, [this](const adcp::Exchange &exchange) {
        m_exchanges->addExchange(exchange, m_startingBackground);
    });
    connect(client, &AgentClient::exchangeFinished, this,
            [this](const adcp::Exchange &exchange) { m_exchanges->addExchange(exchange); });
    Q_EMIT connectionChanged(false, {}, {}, principal);
}

adcp::AgentClient *Workbench::client() const
{
    return m_client;
}

QString Workbench::principal() const
{
    return m_principal;
}

bool Workbench::isConnected() const
{
    return m_connected;
}

ProductModel *Workbench::products() const
{
    return m_products;
}

ProposalModel *Workbench::proposals() const
{
    return m_proposals;
}

BuyModel *Workbench::buys() const
{
    return m_buys;
}

BuyEventModel *Workbench::events() const
{
    return m_events;
}

ExchangeModel *Workbench::exchanges() const
{
    return m_exchanges;
}

OpportunityModel *Workbench::opportunities() const
{
    return m_opportunities;
}

AccountModel *Workbench::accounts() const
{
    return m_accounts;
}

CreativeModel *Workbench::creatives() const
{
    return m_creatives;
}

void Workbench::setBuyerIdentity(const QString &brandDomain, const QString &operatorDomain)
{
    if (!brandDomain.isEmpty())
        m_brandDomain = brandDomain;
    if (!operatorDomain.isEmpty())
        m_operatorDomain = operatorDomain;
}

QString Workbench::brandDomain() const
{
    return m_brandDomain;
}

QString Workbench::operatorDomain() const
{
    return m_operatorDomain;
}

void Workbench::setActiveAccount(const json &account)
{
    m_activeAccount = AccountModel::referenceOf(account).is_null() ? json() : account;
    Q_EMIT activeAccountChanged(m_activeAccount);
}

void Workbench::clearPlanning()
{
    ++m_creativeListing;
    m_creatives->clear();
    ++m_catalogListing;
    m_catalog->clear();
    m_feedVersion.clear();
    m_pricingVersion.clear();
    m_catalogCursor.clear();
    m_unansweredBuy = json();
    m_audiences = json::array();
    m_eventSources = json::array();
    m_products->clear();
    m_proposals->clear();
    m_buys->clear();
    m_events->clear();
    m_opportunities->clear();
    m_pendingBuys.clear();
    m_lastBuyAttempt.clear();
    m_awaiting.clear();
    m_unconfirmed.clear();
    m_following.clear();
    m_flights.clear();
    m_knownProducts.clear();
    m_knownProductOrder.clear();
    m_watchedBuy.clear();
}

void Workbench::startAccountSession()
{
    // Answers to the planning calls of the account left behind are not for the next one: they are dropped.
    // The account listing, the connection and the exchange log stay.
    ++m_session;
    Q_EMIT sessionAboutToReset();
    cancelCalls([](CallScope scope) { return scope != CallScope::Agent; });
    clearPlanning();
    Q_EMIT sessionStateChanged();
}

json Workbench::activeAccount() const
{
    return m_activeAccount;
}

json Workbench::scoped(json request, bool write) const
{
    const json picked = AccountModel::referenceOf(m_activeAccount);
    if (!picked.is_null())
        request["account"] = picked;
    else if (write)
        request["account"] = {{"brand", {{"domain", m_brandDomain.toStdString()}}},
                              {"operator", m_operatorDomain.toStdString()}};
    return request;
}

void Workbench::listAccounts(const QString &status, bool more)
{
    if (!m_client)
        return;
    if (!more)
        m_accountStatusFilter = status;
    json request = {{"pagination", {{"max_results", 50}}}};
    if (!m_accountStatusFilter.isEmpty())
        request["status"] = m_accountStatusFilter.toStdString();
    if (more) {
        if (!m_accounts->hasMore())
            return;
        request["pagination"]["cursor"] = m_accounts->cursor().toStdString();
    }
    const quint64 listing = more ? m_accountListing : ++m_accountListing;
    track(
        m_client->call(QStringLiteral("list_accounts"), request), tr("List accounts"), QString(),
        [this, listing, more](const adcp::ToolOutcome &outcome) {
            if (listing != m_accountListing)
                return;
            m_accounts->addPage(outcome.result, !more);
            reconcileAccounts();
            Q_EMIT accountsListed();
        },
        CallScope::Agent);
}

void Workbench::setAccountWatchInterval(int ms)
{
    m_accountWatchMs = std::max(0, ms);
    m_accountWatchFactor = 1;
    if (m_accountWatchMs == 0)
        m_accountWatch->stop();
    else if (m_accountWatch->isActive())
        m_accountWatch->start(m_accountWatchMs);
}

void Workbench::reconcileAccounts()
{
    bool pending = false;
    std::string seen;
    const json active = AccountModel::referenceOf(m_activeAccount);
    for (int row = 0; row < m_accounts->rowCount(); ++row) {
        const json &account = m_accounts->accountJson(row);
        pending = pending || m_accounts->status(row) == QLatin1String("pending_approval");
        seen += m_accounts->key(row).toStdString() + '=' + m_accounts->status(row).toStdString() + ';';
        if (!active.is_null() && AccountModel::referenceOf(account) == active && account != m_activeAccount) {
            m_activeAccount = account;
            Q_EMIT activeAccountRefreshed(m_activeAccount);
        }
    }
    // Watch while the seller is still deciding, less often the longer nothing moves.
    m_accountWatchFactor = seen == m_watchedAccounts ? std::min(m_accountWatchFactor * 2, 16) : 1;
    m_watchedAccounts = seen;
    if (pending && m_accountWatchMs > 0)
        m_accountWatch->start(m_accountWatchMs * m_accountWatchFactor);
    else
        m_accountWatch->stop();
}

void Workbench::listCreatives(const QString &status, const QString &nameContains, bool more, int pageSize)
{
    if (!m_client)
        return;
    if (!more) {
        m_creativeStatusFilter = status;
        m_creativeNameFilter = nameContains.trimmed();
    }
    json filters = json::object();
    if (!m_creativeStatusFilter.isEmpty())
        filters["statuses"] = json::array({m_creativeStatusFilter.toStdString()});
    if (!m_creativeNameFilter.isEmpty())
        filters["name_contains"] = m_creativeNameFilter.toStdString();
    json request = {{"pagination", {{"max_results", std::clamp(pageSize, 1, 100)}}},
                    {"sort", {{"field", "updated_date"}, {"direction", "desc"}}}};
    if (!filters.empty())
        request["filters"] = std::move(filters);
    if (more) {
        if (!m_creatives->hasMore())
            return;
        request["pagination"]["cursor"] = m_creatives->cursor().toStdString();
    }
    const quint64 listing = more ? m_creativeListing : ++m_creativeListing;
    track(m_client->call(QStringLiteral("list_creatives"), scoped(std::move(request), false)),
          tr("List creatives"), QString(), [this, listing, more](const adcp::ToolOutcome &outcome) {
              if (listing != m_creativeListing)
                  return;
              m_creatives->addPage(outcome.result, !more);
              Q_EMIT creativesListed();
          });
}

json Workbench::audiences() const
{
    return m_audiences;
}

json Workbench::eventSources() const
{
    return m_eventSources;
}

namespace {

// The first failed entry of a per-item sync answer (sync_audiences, sync_event_sources) as an error with
// the item's id in its message; nullopt when every item went through.
std::optional<AdcpError> firstItemFailure(const json &items, const char *idKey)
{
    for (const auto &entry : items) {
        if (jsonString(entry, "action") != QLatin1String("failed"))
            continue;
        const json errors = jsonArray(entry, "errors");
        AdcpError error = errors.empty() || !errors.front().is_object()
                              ? AdcpError::make("INVALID_REQUEST", "the seller refused it")
                              : AdcpError::fromJson(errors.front());
        error.message = jsonString(entry, idKey).toStdString() + ": " + error.message;
        return error;
    }
    return std::nullopt;
}

} // namespace

void Workbench::listAudiences(bool background)
{
    if (!m_client)
        return;
    track(
        m_client->call(QStringLiteral("sync_audiences"), scoped(json::object(), true)), tr("List audiences"),
        QString(),
        [this](const adcp::ToolOutcome &outcome) {
            m_audiences = jsonArray(outcome.result, "audiences");
            Q_EMIT audiencesListed();
        },
        scopeOf(background));
}

void Workbench::syncAudience(const json &audience)
{
    if (!m_client)
        return;
    const QString id = jsonString(audience, "audience_id");
    const QString action = audience.value("delete", false) ? tr("Delete audience") : tr("Sync audience");
    // Said by the name the planner gave it (the id when it has none), the seller's action in words.
    QString name = jsonString(audience, "name");
    for (int row = 0; name.isEmpty() && row < int(m_audiences.size()); ++row) {
        if (jsonString(m_audiences[std::size_t(row)], "audience_id") == id)
            name = jsonString(m_audiences[std::size_t(row)], "name");
    }
    const QString said = name.isEmpty() ? id : tr("“%1”").arg(name);
    track(m_client->call(QStringLiteral("sync_audiences"),
                         scoped({{"audiences", json::array({audience})}}, true)),
          action, id, [this, id, said, action](const adcp::ToolOutcome &outcome) {
              const json results = jsonArray(outcome.result, "audiences");
              if (auto failed = firstItemFailure(results, "audience_id"))
                  Q_EMIT actionFailed(action, id, *failed);
              else if (!results.empty())
                  Q_EMIT actionSucceeded(
                      action, id,
                      tr("Audience %1 %2")
                          .arg(said, displayName(Vocabulary::Status, jsonString(results.front(), "action"))
                                         .toLower()));
              listAudiences(true);
          });
}

void Workbench::listEventSources()
{
    if (!m_client)
        return;
    track(m_client->call(QStringLiteral("sync_event_sources"), scoped(json::object(), true)),
          tr("List event sources"), QString(), [this](const adcp::ToolOutcome &outcome) {
              m_eventSources = jsonArray(outcome.result, "event_sources");
              Q_EMIT eventSourcesListed();
          });
}

void Workbench::syncEventSource(const json &source)
{
    if (!m_client)
        return;
    const QString id = jsonString(source, "event_source_id");
    track(m_client->call(QStringLiteral("sync_event_sources"),
                         scoped({{"event_sources", json::array({source})}}, true)),
          tr("Sync event source"), id, [this, id](const adcp::ToolOutcome &outcome) {
              // The answer lists every source of the account: it is the new listing.
              m_eventSources = jsonArray(outcome.result, "event_sources");
              if (auto failed = firstItemFailure(m_eventSources, "event_source_id"))
                  Q_EMIT actionFailed(tr("Sync event source"), id, *failed);
              else
                  Q_EMIT actionSucceeded(tr("Sync event source"), id, tr("Event source %1 saved").arg(id));
              Q_EMIT eventSourcesListed();
          });
}

void Workbench::setBuyAudiences(const QString &mediaBuyId, const QStringList &audienceIds)
{
    if (!m_client)
        return;
    const json &buy = m_buys->buyJson(m_buys->rowOf(mediaBuyId));
    json include = json::array();
    for (const auto &id : audienceIds)
        include.push_back(id.toStdString());
    json packages = json::array();
    for (const auto &p : jsonArray(buy, "packages")) {
        if (!p.is_object() || p.value("canceled", false) || !p.contains("package_id"))
            continue;
        json overlay = p.contains("targeting_overlay") && p["targeting_overlay"].is_object()
                           ? p["targeting_overlay"]
                           : json::object();
        overlay["audience_include"] = include;
        packages.push_back({{"package_id", p["package_id"]}, {"targeting_overlay", std::move(overlay)}});
    }
    if (packages.empty())
        return;
    json request =
        scoped({{"media_buy_id", mediaBuyId.toStdString()}, {"packages", std::move(packages)}}, true);
    if (buy.contains("revision"))
        request["revision"] = buy["revision"];
    const QString label = tr("Target audiences");
    track(m_client->updateMediaBuy(request), label, mediaBuyId,
          [this, mediaBuyId, label, audienceIds](const adcp::ToolOutcome &outcome) {
              json update = {{"media_buy_id", mediaBuyId.toStdString()}};
              if (outcome.result.contains("revision"))
                  update["revision"] = outcome.result["revision"];
              m_buys->upsertBuy(update);
              Q_EMIT actionSucceeded(label, mediaBuyId,
                                     audienceIds.isEmpty()
                                         ? tr("No audience targeted")
                                         : tr("Targeting %1").arg(audienceIds.join(QStringLiteral(", "))));
              refreshBuys();
          });
}

void Workbench::syncAccount(const QString &brandDomain, const QString &operatorDomain, const QString &billing)
{
    if (!m_client)
        return;
    const json entry = {{"brand", {{"domain", brandDomain.toStdString()}}},
                        {"operator", operatorDomain.toStdString()},
                        {"billing", billing.toStdString()}};
    track(
        m_client->call(QStringLiteral("sync_accounts"), {{"accounts", json::array({entry})}}),
        tr("Sync accounts"), QString(),
        [this](const adcp::ToolOutcome &outcome) {
            const QList<int> rows = m_accounts->applySyncResults(outcome.result);
            reconcileAccounts();
            Q_EMIT accountsSynced(rows);
            QStringList said;
            for (int row : rows)
                said << m_accounts->index(row, AccountModel::ResultColumn).data().toString();
            Q_EMIT actionSucceeded(tr("Sync accounts"), QString(), said.join(QStringLiteral("; ")));
        },
        CallScope::Agent);
}

void Workbench::setWebhookUrl(const QUrl &url)
{
    m_webhookUrl = url;
}

QUrl Workbench::webhookUrl() const
{
    return m_webhookUrl;
}

void Workbench::setWebhookReceiver(adcp::WebhookReceiver *receiver)
{
    if (m_receiver)
        disconnect(m_receiver, nullptr, this, nullptr);
    m_receiver = receiver;
    if (!receiver) {
        m_webhookUrl = QUrl();
        return;
    }
    m_webhookUrl = receiver->url();
    connect(receiver, &adcp::WebhookReceiver::eventReceived, this, &Workbench::applyWebhookEvent);
}

void Workbench::setWebhookSecret(const QByteArray &secret)
{
    m_webhookSecret = secret;
}

void Workbench::setClock(std::function<QDateTime()> clock)
{
    m_clock = std::move(clock);
    tick();
}

QDateTime Workbench::now() const
{
    return m_clock();
}

void Workbench::setMonitoringInterval(int ms)
{
    if (ms <= 0) {
        m_monitor->stop();
        return;
    }
    m_monitor->start(ms);
}

void Workbench::tick()
{
    m_proposals->tick(m_clock());
}

bool Workbench::isBusy() const
{
    return !m_inFlight.isEmpty();
}

QStringList Workbench::busyActions() const
{
    return m_inFlight.values();
}

void Workbench::cancelAll()
{
    cancelCalls();
}

void Workbench::cancelCalls(const std::function<bool(CallScope)> &which)
{
    // Gathered first and guarded: cancelling one call may end (and delete) another, and a client that went
    // away took its calls.
    QList<QPointer<adcp::PendingCall>> calls;
    for (auto it = m_tracked.cbegin(); it != m_tracked.cend(); ++it) {
        if (!which || which(it.value()))
            calls << it.key();
    }
    for (const QPointer<adcp::PendingCall> &call : std::as_const(calls)) {
        if (call)
            call->cancel();
    }
}

void Workbench::track(adcp::PendingCall *call, const QString &action, const QString &subject,
                      Handler onSuccess, CallScope scope, std::function<AdcpError(AdcpError)> explain)
{
    const bool background = scope == CallScope::Background;
    m_tracked.insert(call, scope);
    if (!background) {
        m_inFlight.insert(call, action);
        Q_EMIT busyChanged(true, action);
    }
    // A call deleted without finishing (its client was replaced or destroyed) is no longer in flight; the
    // pointer is only a key here, never followed.
    connect(call, &QObject::destroyed, this, [this, call] {
        m_tracked.remove(call);
        if (m_inFlight.remove(call) > 0)
            announceBusy();
    });
    // The accounts' own calls belong to the agent, not to the account being planned for: only another
    // client drops them.
    const bool agentCall = scope == CallScope::Agent;
    const quint64 session = agentCall ? m_clientSession : m_session;
    connect(call, &adcp::PendingCall::finished, this,
            [this, call, action, subject, onSuccess, background, session, agentCall, explain] {
                const bool wasBusy = m_inFlight.remove(call) > 0;
                m_tracked.remove(call);
                if (session != (agentCall ? m_clientSession : m_session)) {
                    if (wasBusy)
                        announceBusy();
                    return;
                }
                // Held, not copied: a handler may end the call (a new agent), and an answer can be large.
                const std::shared_ptr<const adcp::ToolOutcome> held = call->sharedOutcome();
                const adcp::ToolOutcome &outcome = *held;
                // A task's status is an answer about another call: a task the seller rejected is its
                // follower's to report, not a refusal of the status read.
                const bool taskStatus = call->tool() == QLatin1String("get_task_status") ||
                                        call->tool() == QLatin1String("tasks_get");
                std::optional<AdcpError> failure = !outcome.ok() ? outcome.error
                                                   : taskStatus  ? std::nullopt
                                                                 : refusalOf(outcome.result);
                // A refusal about the account's state (suspended, payment required, setup, gone): the
                // accounts are read again so the window shows what the seller says about it now.
                if (failure && !agentCall && !m_activeAccount.is_null() &&
                    (failure->code == "ACCOUNT_SUSPENDED" || failure->code == "ACCOUNT_PAYMENT_REQUIRED" ||
                     failure->code == "ACCOUNT_SETUP_REQUIRED" || failure->code == "ACCOUNT_NOT_FOUND"))
                    listAccounts(m_accountStatusFilter, false);
                if (!failure) {
                    onSuccess(outcome);
                } else if (background) {
                    Q_EMIT backgroundFailed(action, *failure);
                } else if (failure->code == "CANCELED" &&
                           (m_awaiting.contains(subject) ||
                            m_awaiting.contains(call->property("adcp_task_id").toString()))) {
                    // Only the waiting stopped: the seller still holds the buy for approval.
                    Q_EMIT actionSucceeded(
                        action, subject,
                        call->property(kHandedOff).toBool()
                            ? tr("Submitted. The seller reviews this buy before booking it; it appears under "
                                 "Buys once approved.")
                            : tr("Stopped waiting. The seller is still reviewing this buy; it appears "
                                 "under Buys once approved."));
                } else if (m_unconfirmed.contains(subject)) {
                    // The seller may have the buy: say so, and what the next click does.
                    AdcpError unconfirmed = *failure;
                    unconfirmed.message =
                        tr("No answer from the seller (%1), so it may or may not have booked this buy. "
                           "Create buy sends the same request again under the same idempotency key: "
                           "the seller books it at most once.")
                            .arg(QString::fromStdString(failure->message))
                            .toStdString();
                    Q_EMIT actionFailed(action, subject, unconfirmed);
                } else {
                    Q_EMIT actionFailed(action, subject, explain ? explain(*failure) : *failure);
                }
                if (!background)
                    announceBusy();
            });
}

void Workbench::announceBusy()
{
    Q_EMIT busyChanged(isBusy(), isBusy() ? m_inFlight.values().constLast() : QString());
}

void Workbench::onMonitorTick()
{
    bool open = false;
    for (int row = 0; row < m_buys->rowCount(); ++row)
        open = open || !BuyModel::isTerminalStatus(m_buys->status(row));
    if (open && !m_refreshingBuys)
        pollBuys(true);
    const int watched = m_buys->rowOf(m_watchedBuy);
    if (watched >= 0 && !m_deliveryInFlight &&
        !BuyModel::isTerminalStatus(m_buys->status(watched)))
        pollDelivery(m_watchedBuy, m_watchedGranularity, true);
    followAwaitingBuys();
}

void Workbench::setWatchedDelivery(const QString &mediaBuyId, const QString &granularity)
{
    if (m_watchedBuy == mediaBuyId && m_watchedGranularity == granularity)
        return;
    m_watchedBuy = mediaBuyId;
    m_watchedGranularity = granularity;
    Q_EMIT sessionStateChanged();
}

json Workbench::sessionState() const
{
    json flights = json::object();
    for (auto it = m_flights.cbegin(); it != m_flights.cend(); ++it)
        flights[it.key().toStdString()] = it.value();
    json awaiting = json::object();
    for (auto it = m_awaiting.cbegin(); it != m_awaiting.cend(); ++it) {
        json entry = {{"task_id", it->taskId.toStdString()}, {"fields", it->fields}};
        if (it->direct) {
            entry["direct"] = true;
            entry["title"] = it->title.toStdString();
        }
        awaiting[it.key().toStdString()] = std::move(entry);
    }
    json unconfirmed = json::object();
    for (auto it = m_unconfirmed.cbegin(); it != m_unconfirmed.cend(); ++it)
        unconfirmed[it.key().toStdString()] = it.value();
    json known = json::array();
    for (const QString &id : m_knownProductOrder)
        known.push_back(m_knownProducts.value(id));
    return {{"flights", std::move(flights)},
            {"known_products", std::move(known)},
            {"awaiting", std::move(awaiting)},
            {"unconfirmed_buys", std::move(unconfirmed)},
            {"watched_delivery",
             {{"media_buy_id", m_watchedBuy.toStdString()},
              {"granularity", m_watchedGranularity.toStdString()}}}};
}

void Workbench::restoreSessionState(const json &state)
{
    const json flights = jsonObject(state, "flights");
    for (auto it = flights.begin(); it != flights.end(); ++it) {
        const QString id = QString::fromStdString(it.key());
        if (!id.isEmpty() && it->is_object() && !m_flights.contains(id))
            m_flights.insert(id, *it);
    }
    // Products seen since are newer than the saved ones: the saved go in first, and do not replace them.
    const json known = jsonArray(state, "known_products");
    json older = json::array();
    for (const auto &product : known) {
        const QString id = jsonStringOnly(product, "product_id");
        if (!id.isEmpty() && !m_knownProducts.contains(id))
            older.push_back(product);
    }
    if (!older.empty()) {
        for (const QString &id : std::as_const(m_knownProductOrder))
            older.push_back(m_knownProducts.value(id));
        m_knownProducts.clear();
        m_knownProductOrder.clear();
        rememberProducts(older);
    }
    const json awaiting = jsonObject(state, "awaiting");
    for (auto it = awaiting.begin(); it != awaiting.end(); ++it) {
        const QString proposalId = QString::fromStdString(it.key());
        const QString taskId = jsonString(*it, "task_id");
        if (proposalId.isEmpty() || taskId.isEmpty() || m_awaiting.contains(proposalId))
            continue;
        if (it->is_object() && it->contains("direct") && (*it)["direct"] == true) {
            // A direct buy has no proposal: it is kept under its task.
            if (proposalId == taskId)
                m_awaiting.insert(taskId,
                                  {taskId, jsonObject(*it, "fields"), jsonString(*it, "title"), true});
            continue;
        }
        m_awaiting.insert(proposalId, {taskId, jsonObject(*it, "fields")});
        // The proposal shows as submitted again; the next monitor tick reads the task.
        m_proposals->setLocalStatus(proposalId, QStringLiteral("submitted"),
                                    tr("Waiting for the seller's approval (task %1)").arg(taskId));
    }
    // Only a request that names this proposal and carries its idempotency key can be sent again as it was.
    const json unconfirmed = jsonObject(state, "unconfirmed_buys");
    for (auto it = unconfirmed.begin(); it != unconfirmed.end(); ++it) {
        const QString proposalId = QString::fromStdString(it.key());
        if (!proposalId.isEmpty() && it->is_object() && jsonString(*it, "proposal_id") == proposalId &&
            !jsonString(*it, "idempotency_key").isEmpty() && !m_unconfirmed.contains(proposalId))
            m_unconfirmed.insert(proposalId, *it);
    }
    const json watched = jsonObject(state, "watched_delivery");
    if (m_watchedBuy.isEmpty())
        setWatchedDelivery(jsonString(watched, "media_buy_id"), jsonString(watched, "granularity"));
    updateOpportunityCounts();
}

void Workbench::rememberProducts(const json &products)
{
    if (!products.is_array())
        return;
    bool changed = false;
    for (const auto &product : products) {
        // A peer's product without an id, or not an object, names nothing.
        const QString id = jsonStringOnly(product, "product_id");
        if (id.isEmpty())
            continue;
        // The most recently seen last; only a new or changed product is worth a save.
        changed = !m_knownProductOrder.removeOne(id) || m_knownProducts.value(id) != product || changed;
        m_knownProductOrder.append(id);
        m_knownProducts.insert(id, product);
    }
    while (m_knownProductOrder.size() > kKnownProducts)
        m_knownProducts.remove(m_knownProductOrder.takeFirst());
    if (changed)
        Q_EMIT sessionStateChanged();
}

json Workbench::knownProduct(const QString &productId) const
{
    return m_knownProducts.value(productId, json(nullptr));
}

json Workbench::briefFlight(const QString &opportunityId) const
{
    const json filters = m_flights.value(opportunityId);
    const QDate startDate = QDate::fromString(jsonString(filters, "start_date"), Qt::ISODate);
    const QDate endDate = QDate::fromString(jsonString(filters, "end_date"), Qt::ISODate);
    if (!startDate.isValid() || !endDate.isValid())
        return json();
    const QDateTime now = m_clock();
    QDateTime start(startDate, QTime(0, 0));
    if (start < now)
        start = now.addSecs(3600);
    const QDateTime end(endDate, QTime(23, 59));
    return {{"start_time", start.toUTC().toString(Qt::ISODate).toStdString()},
            {"end_time", end.toUTC().toString(Qt::ISODate).toStdString()}};
}

json Workbench::unconfirmedBuy(const QString &proposalId) const
{
    return m_unconfirmed.value(proposalId);
}

json Workbench::refusedBuyFields(const QString &proposalId) const
{
    const auto it = m_lastBuyAttempt.constFind(proposalId);
    return it != m_lastBuyAttempt.cend() ? it->fields : json();
}

bool Workbench::isAwaitingApproval(const QString &proposalId) const
{
    return m_awaiting.contains(proposalId);
}

int Workbench::awaitingBuyCount() const
{
    return int(m_awaiting.size());
}

void Workbench::followAwaitingBuys()
{
    if (!m_client)
        return;
    for (auto it = m_awaiting.cbegin(); it != m_awaiting.cend(); ++it) {
        // A proposal's buy, or a direct buy (keyed by its task).
        const QString key = it.key();
        if (m_following.contains(key))
            continue;
        m_following.insert(key);
        m_startingBackground = true;
        adcp::PendingCall *call =
            m_client->getTaskStatus({{"task_id", it->taskId.toStdString()}, {"include_result", true}});
        m_startingBackground = false;
        track(
            call, tr("Follow submitted buy"), key,
            [this, key](const adcp::ToolOutcome &outcome) {
                const QString status = jsonString(outcome.result, "status");
                if (!m_awaiting.contains(key) || isPendingStatus(status) || status.isEmpty())
                    return;
                const AwaitingBuy awaiting = m_awaiting.take(key);
                Q_EMIT sessionStateChanged();
                const json result = jsonObject(outcome.result, "result");
                const bool bought =
                    status == QLatin1String("completed") && !jsonString(result, "media_buy_id").isEmpty();
                if (bought && awaiting.direct)
                    absorbDirectBuy(result, awaiting.title);
                else if (bought)
                    absorbCreatedBuy(key, result, awaiting.fields);
                if (bought)
                    return;
                if (!awaiting.direct)
                    m_proposals->setLocalStatus(key, QString());
                const json error = jsonObject(outcome.result, "error");
                AdcpError ended =
                    error.empty() ? AdcpError::make("TASK_" + status.toUpper().toStdString(),
                                                    "The seller ended the buy's task " + status.toStdString())
                                  : AdcpError::fromJson(error);
                // A direct buy has no proposal on show to say which buy this was: the message names it.
                if (awaiting.direct)
                    ended.message =
                        tr("%1 (task %2): %3")
                            .arg(awaiting.title, awaiting.taskId, QString::fromStdString(ended.message))
                            .toStdString();
                Q_EMIT actionFailed(awaiting.direct ? tr("Buy products") : tr("Create buy"),
                                    awaiting.direct ? QString() : key, ended);
            },
            CallScope::Background);
        connect(call, &adcp::PendingCall::finished, this, [this, key] { m_following.remove(key); });
    }
}

bool Workbench::versioned() const
{
    return m_client && m_client->supportedDialects().contains(adcp::Dialect::VersionedFacade);
}

bool Workbench::compact() const
{
    return m_client && m_client->dialect() == adcp::Dialect::Compact;
}

void Workbench::connectAgent()
{
    if (!m_client)
        return;
    track(m_client->getAdcpCapabilities(), tr("Connect"), m_client->agentName(),
          [this](const adcp::ToolOutcome &outcome) {
              m_connected = true;
              const QString dialect = adcp::dialectName(m_client->dialect());
              Q_EMIT connectionChanged(true, versionsOf(outcome.result), dialect, m_principal);
              Q_EMIT actionSucceeded(tr("Connect"), m_client->agentName(),
                                     tr("Connected; dialect %1").arg(dialect));
          });
}

int Workbench::absorbGetProducts(const json &result, const QString &opportunityId)
{
    if (result.contains("products") && result["products"].is_array() && !result["products"].empty()) {
        m_products->setProducts(result["products"]);
        rememberProducts(result["products"]);
    }
    int count = 0;
    if (result.contains("proposals") && result["proposals"].is_array()) {
        const QDateTime receivedAt = m_clock();
        for (const auto &proposal : result["proposals"]) {
            m_proposals->upsertProposal(proposal, receivedAt, opportunityId);
            ++count;
        }
    }
    updateOpportunityCounts();
    return count;
}

void Workbench::sendBrief(const json &request, const QString &title)
{
    if (!m_client)
        return;
    const json opportunity = jsonObject(request, "opportunity");
    const QString opportunityId = jsonString(opportunity, "opportunity_id");
    if (request.contains("brand"))
        m_brandDomain = jsonString(request["brand"], "domain").isEmpty()
                            ? m_brandDomain
                            : jsonString(request["brand"], "domain");
    if (!opportunityId.isEmpty()) {
        m_flights.insert(opportunityId, jsonObject(request, "filters"));
        Q_EMIT sessionStateChanged();
    }
    track(m_client->getProducts(scoped(request, false)), tr("Send brief"), opportunityId,
          [this, opportunityId, title, opportunity](const adcp::ToolOutcome &outcome) {
              if (!opportunityId.isEmpty())
                  m_opportunities->addOpportunity(opportunityId, title, jsonString(opportunity, "phase"));
              const int proposals = absorbGetProducts(outcome.result, opportunityId);
              const int products = static_cast<int>(jsonArrayView(outcome.result, "products").size());
              Q_EMIT briefAnswered(opportunityId, products, proposals);
              Q_EMIT actionSucceeded(tr("Send brief"), opportunityId,
                                     tr("%n product(s)", nullptr, products) + QStringLiteral(", ") +
                                         tr("%n proposal(s)", nullptr, proposals));
          });
}

json Workbench::proposalEntry(const QString &proposalId, const char *action) const
{
    json entry = {{"scope", "proposal"}, {"proposal_id", proposalId.toStdString()}, {"action", action}};
    const json &proposal = m_proposals->proposalJson(m_proposals->rowOf(proposalId));
    if (proposal.contains("proposal_version"))
        entry["proposal_version"] = proposal["proposal_version"];
    return entry;
}

void Workbench::refine(const QString &proposalId, const json &entries)
{
    if (!m_client)
        return;
    const QString opportunityId = m_proposals->opportunityId(m_proposals->rowOf(proposalId));
    json request = {{"buying_mode", "refine"}, {"refine", entries}};
    if (!opportunityId.isEmpty())
        request["opportunity"] = {{"opportunity_id", opportunityId.toStdString()}};
    track(m_client->getProducts(scoped(request, false)), tr("Refine"), proposalId,
          [this, proposalId, opportunityId](const adcp::ToolOutcome &outcome) {
              absorbGetProducts(outcome.result, opportunityId);
              QStringList notes;
              for (const auto &applied : jsonArray(outcome.result, "refinement_applied")) {
                  QString note = jsonString(applied, "status");
                  if (!jsonString(applied, "notes").isEmpty())
                      note += QStringLiteral(": ") + jsonString(applied, "notes");
                  notes << note;
              }
              Q_EMIT actionSucceeded(tr("Refine"), proposalId,
                                     notes.isEmpty() ? tr("Refined") : notes.join(QStringLiteral("; ")));
          });
}

void Workbench::refineProduct(const QString &productId, const QString &action)
{
    refine({}, json::array({{{"scope", "product"},
                             {"product_id", productId.toStdString()},
                             {"action", action.toStdString()}}}));
}

void Workbench::finalize(const QString &proposalId)
{
    if (!m_client)
        return;
    const QString opportunityId = m_proposals->opportunityId(m_proposals->rowOf(proposalId));
    json request = {{"buying_mode", "refine"},
                    {"refine", json::array({proposalEntry(proposalId, "finalize")})}};
    if (!opportunityId.isEmpty())
        request["opportunity"] = {{"opportunity_id", opportunityId.toStdString()}};
    track(m_client->getProducts(scoped(request, false)), tr("Finalize"), proposalId,
          [this, proposalId, opportunityId](const adcp::ToolOutcome &outcome) {
              absorbGetProducts(outcome.result, opportunityId);
              const int row = m_proposals->rowOf(proposalId);
              if (m_proposals->status(row) != QLatin1String("committed")) {
                  // The seller answered without committing: say so instead of pretending it worked.
                  QString note;
                  for (const auto &applied : jsonArray(outcome.result, "refinement_applied"))
                      note = jsonString(applied, "notes");
                  Q_EMIT actionFailed(
                      tr("Finalize"), proposalId,
                      AdcpError::make("INVALID_STATE",
                                      (note.isEmpty() ? tr("The seller did not commit the proposal") : note)
                                          .toStdString()));
                  return;
              }
              Q_EMIT actionSucceeded(tr("Finalize"), proposalId, tr("Committed"));
              if (m_pendingBuys.contains(proposalId)) {
                  // "Finalize and retry": the buy that failed on a draft goes out again, for the new version.
                  const BuyAttempt attempt = m_pendingBuys.take(proposalId);
                  json fields = attempt.fields;
                  const json &proposal = m_proposals->proposalJson(row);
                  if (proposal.contains("proposal_version"))
                      fields["proposal_version"] = proposal["proposal_version"];
                  Q_EMIT buyRetryReady(proposalId, fields, attempt.webhooks);
              }
          });
}

void Workbench::decline(const QString &proposalId, const QString &reason, const QString &detail)
{
    if (!m_client)
        return;
    const int row = m_proposals->rowOf(proposalId);
    const QString opportunityId = m_proposals->opportunityId(row);
    const QString reasonName = displayName(Vocabulary::DeclineReason, reason);
    const QString note = detail.isEmpty() ? tr("Declined: %1").arg(reasonName)
                                          : tr("Declined: %1 — %2").arg(reasonName, detail);
    adcp::PendingCall *call = nullptr;
    if (compact()) {
        json entry = {{"proposal_id", proposalId.toStdString()}, {"reason", reason.toStdString()}};
        if (!detail.isEmpty())
            entry["detail"] = detail.toStdString();
        call = m_client->call(QStringLiteral("decline_proposals"),
                              scoped({{"declines", json::array({entry})}}, false));
    } else {
        json entry = proposalEntry(proposalId, "decline");
        entry["reason"] = reason.toStdString();
        if (!detail.isEmpty())
            entry["detail"] = detail.toStdString();
        json request = {{"buying_mode", "refine"}, {"refine", json::array({entry})}};
        if (!opportunityId.isEmpty())
            request["opportunity"] = {{"opportunity_id", opportunityId.toStdString()}};
        call = m_client->getProducts(scoped(request, false));
    }
    track(call, tr("Decline"), proposalId,
          [this, proposalId, opportunityId, note](const adcp::ToolOutcome &outcome) {
              absorbGetProducts(outcome.result, opportunityId);
              const json applied = outcome.result.contains("refinement_applied")
                                       ? jsonArray(outcome.result, "refinement_applied")
                                       : jsonArray(outcome.result, "results");
              // A refine entry says `status`, a decline_proposals result `outcome`; "unable" in either is a
              // refusal, whatever the call's own status.
              for (const auto &entry : applied) {
                  const QString status = jsonString(entry, entry.contains("outcome") ? "outcome" : "status");
                  if (status == QLatin1String("unable")) {
                      QString why = jsonString(entry, "notes");
                      if (why.isEmpty())
                          why = jsonString(entry, "reason");
                      Q_EMIT actionFailed(tr("Decline"), proposalId,
                                          AdcpError::make("INVALID_STATE", why.toStdString()));
                      return;
                  }
              }
              m_proposals->setLocalStatus(proposalId, QStringLiteral("declined"), note);
              updateOpportunityCounts();
              Q_EMIT actionSucceeded(tr("Decline"), proposalId, note);
          });
}

void Workbench::closeOpportunity(const QString &opportunityId, const QString &reason, const QString &detail)
{
    if (!m_client)
        return;
    json opportunity = {{"opportunity_id", opportunityId.toStdString()},
                        {"status", "closed"},
                        {"close_reason", reason.toStdString()}};
    if (!detail.isEmpty())
        opportunity["close_detail"] = detail.toStdString();
    // Refine needs at least one entry: the opportunity's open proposals are omitted (no terminal outcome).
    json entries = json::array();
    for (int row = 0; row < m_proposals->rowCount(); ++row) {
        const QString status = m_proposals->status(row);
        if (m_proposals->opportunityId(row) == opportunityId &&
            (status == QLatin1String("draft") || status == QLatin1String("committed")))
            entries.push_back(proposalEntry(m_proposals->proposalId(row), "omit"));
    }
    if (entries.empty())
        entries.push_back({{"scope", "request"}, {"ask", "Close this opportunity"}});
    track(m_client->getProducts(
              scoped({{"buying_mode", "refine"}, {"refine", entries}, {"opportunity", opportunity}}, false)),
          tr("Close opportunity"), opportunityId, [this, opportunityId, reason](const adcp::ToolOutcome &) {
              m_opportunities->setClosed(opportunityId, reason);
              Q_EMIT actionSucceeded(tr("Close opportunity"), opportunityId,
                                     tr("Closed: %1").arg(displayName(Vocabulary::CloseReason, reason)));
          });
}

void Workbench::createBuy(const QString &proposalId, const json &fields, bool webhooks)
{
    if (!m_client)
        return;
    const int row = m_proposals->rowOf(proposalId);
    const QString opportunityId = m_proposals->opportunityId(row);
    json request;
    if (m_unconfirmed.contains(proposalId)) {
        // An earlier attempt got no answer (cancelled, or the connection failed): the seller may hold it. The
        // very same request goes again under the same idempotency key, so the seller books it at most once.
        request = m_unconfirmed.value(proposalId);
    } else {
        request = fields;
        request["proposal_id"] = proposalId.toStdString();
        request["brand"] = {{"domain", m_brandDomain.toStdString()}};
        request = scoped(std::move(request), true);
        if (!opportunityId.isEmpty())
            request["opportunity"] = {{"opportunity_id", opportunityId.toStdString()}};
        if (webhooks && m_webhookUrl.isValid()) {
            // operation_id correlates the buy's webhooks with this request; sellers refuse a registration
            // without one.
            json config = {
                {"url", m_webhookUrl.toString().toStdString()},
                {"operation_id",
                 "create_media_buy." + QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString()}};
            if (!m_webhookSecret.isEmpty())
                config["authentication"] = {{"schemes", json::array({"HMAC-SHA256"})},
                                            {"credentials", m_webhookSecret.toStdString()}};
            request["push_notification_config"] = config;
        }
        request["idempotency_key"] = QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    }
    adcp::PendingCall *call = m_client->createMediaBuy(request);
    handOffWhenSubmitted(call);
    // Cancel while the seller holds the buy for approval stops the waiting, not the buy: remember its task. An
    // attempt that ended without the seller's answer is remembered whole, to be sent again unchanged.
    connect(call, &adcp::PendingCall::finished, this,
            [this, call, proposalId, fields, request, session = m_session] {
                if (session != m_session)
                    return;
                const QString taskId = call->property("adcp_task_id").toString();
                const adcp::ToolOutcome &outcome = call->outcome();
                const bool canceled = !outcome.ok() && outcome.error->code == "CANCELED";
                const bool unanswered = !outcome.ok() &&
                                        (canceled || outcome.error->recovery == adcp::Recovery::Transient) &&
                                        taskId.isEmpty();
                const bool changed = unanswered ? m_unconfirmed.value(proposalId) != request
                                                : m_unconfirmed.remove(proposalId) > 0;
                if (unanswered)
                    m_unconfirmed.insert(proposalId, request);
                if (changed)
                    Q_EMIT sessionStateChanged();
                if (!canceled || taskId.isEmpty())
                    return;
                m_awaiting.insert(proposalId, {taskId, fields});
                Q_EMIT sessionStateChanged();
                m_proposals->setLocalStatus(proposalId, QStringLiteral("submitted"),
                                            tr("Waiting for the seller's approval (task %1)").arg(taskId));
            });
    track(call, tr("Create buy"), proposalId, [this, proposalId, fields](const adcp::ToolOutcome &outcome) {
        if (jsonString(outcome.result, "media_buy_id").isEmpty()) {
            Q_EMIT actionFailed(tr("Create buy"), proposalId,
                                AdcpError::make("INVALID_STATE", "The seller answered without a media_buy_id"));
            return;
        }
        absorbCreatedBuy(proposalId, outcome.result, fields);
    });
    // Remembered so that "finalize and retry" can send the same buy again.
    m_lastBuyAttempt.insert(proposalId, {fields, webhooks});
}

void Workbench::handOffWhenSubmitted(adcp::PendingCall *call)
{
    // A buy the seller holds for its approval can wait hours: the window does not sit busy on it. The call
    // stops following the task at once, and the task is followed as a submitted buy is after Cancel (the
    // monitor reads it, the workspace keeps it); queued, so the client has finished entering its wait.
    connect(
        call, &adcp::PendingCall::submitted, this,
        [call] {
            call->setProperty(kHandedOff, true);
            call->cancel();
        },
        Qt::QueuedConnection);
}

void Workbench::absorbCreatedBuy(const QString &proposalId, json buy, const json &fields)
{
    const QString id = jsonString(buy, "media_buy_id");
    const QString opportunityId = m_proposals->opportunityId(m_proposals->rowOf(proposalId));
    // What the request fixed, for the list until the first snapshot arrives.
    for (const char *key : {"total_budget", "start_time", "end_time"}) {
        if (!buy.contains(key) && fields.contains(key))
            buy[key] = fields[key];
    }
    if (!buy.contains("proposal_id"))
        buy["proposal_id"] = proposalId.toStdString();
    m_lastBuyAttempt.remove(proposalId);
    m_buys->upsertBuy(buy);
    m_buys->setTitle(id, jsonString(m_proposals->proposalJson(m_proposals->rowOf(proposalId)), "name"));
    m_events->applySnapshot(buy, m_clock());
    m_proposals->setLocalStatus(proposalId, QStringLiteral("consumed"), tr("Bought as %1").arg(id));
    if (!opportunityId.isEmpty())
        m_opportunities->setClosed(opportunityId, QStringLiteral("accepted_with_seller"));
    updateOpportunityCounts();
    Q_EMIT buyCreated(id);
    Q_EMIT actionSucceeded(tr("Create buy"), proposalId, tr("Media buy %1 created").arg(id));
}

void Workbench::finalizeAndRetryBuy(const QString &proposalId)
{
    if (m_lastBuyAttempt.contains(proposalId))
        m_pendingBuys.insert(proposalId, m_lastBuyAttempt.take(proposalId));
    finalize(proposalId);
}

void Workbench::reloadLatest(const QString &proposalId)
{
    if (!m_client)
        return;
    const QString opportunityId = m_proposals->opportunityId(m_proposals->rowOf(proposalId));
    // No version: "give me this proposal as it is now".
    json request = {{"buying_mode", "refine"},
                    {"refine", json::array({{{"scope", "proposal"},
                                             {"proposal_id", proposalId.toStdString()},
                                             {"action", "include"}}})}};
    if (!opportunityId.isEmpty())
        request["opportunity"] = {{"opportunity_id", opportunityId.toStdString()}};
    track(m_client->getProducts(scoped(request, false)), tr("Reload latest version"), proposalId,
          [this, proposalId, opportunityId](const adcp::ToolOutcome &outcome) {
              absorbGetProducts(outcome.result, opportunityId);
              const int row = m_proposals->rowOf(proposalId);
              Q_EMIT actionSucceeded(
                  tr("Reload latest version"), proposalId,
                  tr("Now at version %1")
                      .arg(m_proposals->index(row, ProposalModel::VersionColumn).data().toString()));
          });
}

void Workbench::refreshBuys()
{
    pollBuys(false);
    // Buys the seller holds for its approval are read too: an approval is what often changed.
    followAwaitingBuys();
}

void Workbench::pollBuys(bool background, int from)
{
    if (!m_client || m_buys->rowCount() == 0)
        return;
    // The planner's refresh reads every buy; polling reads the open ones (a completed, rejected or canceled
    // buy no longer changes). Either asks for at most kBuysPerRequest ids at a time, the next page once the
    // previous one is answered, so that no answer grows with the session.
    QStringList wanted;
    for (int row = 0; row < m_buys->rowCount(); ++row) {
        if (!background ||
            !BuyModel::isTerminalStatus(m_buys->status(row)))
            wanted << m_buys->mediaBuyId(row);
    }
    if (from >= wanted.size())
        return;
    const int to = int(std::min<qsizetype>(wanted.size(), from + kBuysPerRequest));
    json ids = json::array();
    for (int i = from; i < to; ++i)
        ids.push_back(wanted.at(i).toStdString());
    m_refreshingBuys = true;
    if (from == 0)
        m_refreshAgain = false;
    m_startingBackground = background;
    adcp::PendingCall *call = m_client->getMediaBuys(scoped({{"media_buy_ids", ids}}, false));
    m_startingBackground = false;
    connect(call, &adcp::PendingCall::finished, this, [this, call, background, to, session = m_session] {
        m_refreshingBuys = false;
        if (session != m_session)
            return;
        // What a webhook announced during the call may postdate the answer: read once more.
        if (std::exchange(m_refreshAgain, false)) {
            QTimer::singleShot(0, this, [this] { pollBuys(true); });
            return;
        }
        // The next page, unless this one failed or was canceled (the next tick starts over). The refresh
        // is still under way until then: a tick does not start another one.
        if (!call->sharedOutcome()->ok())
            return;
        m_refreshingBuys = true;
        QTimer::singleShot(0, this, [this, background, to, session] {
            m_refreshingBuys = false;
            if (session == m_session)
                pollBuys(background, to);
        });
    });
    track(
        call, tr("Refresh buys"), QString(),
        [this](const adcp::ToolOutcome &outcome) {
            const QDateTime seenAt = m_clock();
            // The opportunities' counts are recounted only when a buy of this page is new or changed: most
            // polls of quiet buys change nothing, and a refresh comes in several pages.
            bool changed = false;
            for (const auto &buy : jsonArrayView(outcome.result, "media_buys")) {
                const int known = m_buys->rowOf(jsonString(buy, "media_buy_id"));
                const quint64 was = m_buys->revision(known);
                const int row = m_buys->upsertBuy(buy);
                changed = changed || known < 0 || m_buys->revision(row) != was;
                m_events->applySnapshot(buy, seenAt);
            }
            if (changed)
                updateOpportunityCounts();
        },
        scopeOf(background));
}

void Workbench::refreshDelivery(const QString &mediaBuyId, const QString &granularity)
{
    pollDelivery(mediaBuyId, granularity, false);
}

void Workbench::pollDelivery(const QString &mediaBuyId, const QString &granularity, bool background)
{
    if (!m_client || mediaBuyId.isEmpty())
        return;
    json request = {{"media_buy_ids", json::array({mediaBuyId.toStdString()})},
                    {"include_package_daily_breakdown", true}};
    if (!granularity.isEmpty()) {
        request["time_granularity"] = granularity.toStdString();
        request["include_window_breakdown"] = true;
    }
    m_startingBackground = background;
    adcp::PendingCall *call = m_client->getMediaBuyDelivery(scoped(request, false));
    m_startingBackground = false;
    if (background) {
        m_deliveryInFlight = true;
        connect(call, &adcp::PendingCall::finished, this, [this] { m_deliveryInFlight = false; });
    }
    track(
        call, tr("Delivery"), mediaBuyId,
        [this, mediaBuyId](const adcp::ToolOutcome &outcome) {
            // A month of hourly windows per package is large: one copy of each report, moved into the model.
            for (const auto &delivery : jsonArrayView(outcome.result, "media_buy_deliveries")) {
                json withCurrency = delivery;
                if (!withCurrency.contains("currency") && outcome.result.contains("currency"))
                    withCurrency["currency"] = outcome.result["currency"];
                m_buys->setDelivery(std::move(withCurrency));
            }
            Q_EMIT deliveryUpdated(mediaBuyId);
        },
        scopeOf(background));
}

void Workbench::updateBuy(const QString &mediaBuyId, const QString &action)
{
    if (!m_client)
        return;
    const QString label = action == QLatin1String("pause")    ? tr("Pause")
                          : action == QLatin1String("resume") ? tr("Resume")
                                                              : tr("Cancel buy");
    if (offersTool(QStringLiteral("control_media_buy"))) {
        json changes = action == QLatin1String("cancel")
                           ? json{{"canceled", true},
                                  {"cancellation_reason", "Canceled by the buyer from the workbench"}}
                           : json{{"paused", action == QLatin1String("pause")}};
        controlBuy(mediaBuyId, changes, label);
        return;
    }
    const json &buy = m_buys->buyJson(m_buys->rowOf(mediaBuyId));
    json request = scoped({{"media_buy_id", mediaBuyId.toStdString()}}, true);
    if (buy.contains("revision"))
        request["revision"] = buy["revision"];
    if (action == QLatin1String("cancel")) {
        request["canceled"] = true;
        request["cancellation_reason"] = "Canceled by the buyer from the workbench";
    } else {
        request["paused"] = action == QLatin1String("pause");
    }
    track(m_client->updateMediaBuy(request), label, mediaBuyId,
          [this, mediaBuyId, label](const adcp::ToolOutcome &outcome) {
              json update = {{"media_buy_id", mediaBuyId.toStdString()}};
              for (const char *key : {"media_buy_status", "revision"}) {
                  if (outcome.result.contains(key))
                      update[key] = outcome.result[key];
              }
              m_buys->upsertBuy(update);
              Q_EMIT actionSucceeded(label, mediaBuyId, label);
              refreshBuys();
          });
}

void Workbench::syncCreatives(const QString &mediaBuyId, const json &creatives, const json &assignments)
{
    if (!m_client)
        return;
    const json request = scoped({{"creatives", creatives}, {"assignments", assignments}}, true);
    track(m_client->syncCreatives(request), tr("Upload creatives"), mediaBuyId,
          [this, mediaBuyId](const adcp::ToolOutcome &outcome) {
              const RefusedCreatives refused = refusedCreatives(outcome.result);
              if (refused.count > 0) {
                  AdcpError error = AdcpError::make("CREATIVE_REJECTED", refused.firstMessage.toStdString());
                  Q_EMIT actionFailed(tr("Upload creatives"), mediaBuyId, error);
              } else {
                  Q_EMIT actionSucceeded(tr("Upload creatives"), mediaBuyId, tr("Creatives assigned"));
              }
              refreshBuys();
          });
}

void Workbench::uploadCreatives(const json &creatives)
{
    if (!m_client)
        return;
    const json request = scoped({{"creatives", creatives}}, true);
    track(m_client->syncCreatives(request), tr("Upload creatives"), QString(),
          [this](const adcp::ToolOutcome &outcome) {
              const RefusedCreatives refused = refusedCreatives(outcome.result);
              if (refused.count > 0) {
                  Q_EMIT actionFailed(tr("Upload creatives"), refused.firstId,
                                      AdcpError::make("CREATIVE_REJECTED",
                                                      refused.firstMessage.isEmpty()
                                                          ? std::string("the seller refused it")
                                                          : refused.firstMessage.toStdString()));
                  return;
              }
              Q_EMIT actionSucceeded(tr("Upload creatives"), QString(),
                                     tr("Creative uploaded to the library"));
          });
}

void Workbench::assignCreatives(const json &operations)
{
    if (!m_client)
        return;
    // The operations go together or not at all, which the protocol ties to strict validation.
    const json request = scoped({{"assignment_operations", operations}, {"validation_mode", "strict"}}, true);
    track(m_client->syncCreatives(request), tr("Assign creatives"), QString(),
          [this, count = int(operations.size())](const adcp::ToolOutcome &) {
              Q_EMIT actionSucceeded(tr("Assign creatives"), QString(),
                                     tr("Creative assigned to %n package(s)", nullptr, count));
              refreshBuys();
          });
}

json Workbench::knownFormats() const
{
    json formats = json::array();
    for (const QString &id : m_knownProductOrder) {
        const auto product = m_knownProducts.constFind(id);
        if (product == m_knownProducts.constEnd())
            continue;
        for (const auto &format : jsonArrayView(*product, "format_ids")) {
            if (!format.is_object() || jsonString(format, "id").isEmpty())
                continue;
            bool seen = false;
            for (const auto &known : formats)
                seen = seen || (formatServes(known, format) && formatServes(format, known));
            if (!seen)
                formats.push_back(format);
        }
    }
    return formats;
}

void Workbench::applyWebhook(const json &payload)
{
    m_events->applyWebhook(payload, m_clock());
}

void Workbench::applyWebhookEvent(const adcp::WebhookEvent &event)
{
    m_events->applyWebhook(event.payload, m_clock(), event.reemission);
    const json result = jsonObject(event.payload, "result");
    QString mediaBuyId = jsonString(result, "media_buy_id");
    if (mediaBuyId.isEmpty())
        mediaBuyId = jsonString(event.payload, "media_buy_id");
    if (mediaBuyId.isEmpty() || m_buys->rowOf(mediaBuyId) < 0)
        return;
    // The webhook says something changed; the snapshot brings the buy's status, health and impairments. The
    // planner did not ask for it, so it is background work: it neither greys the actions nor floods the log.
    if (m_refreshingBuys)
        m_refreshAgain = true;
    else
        pollBuys(true);
    Q_EMIT webhookReceived(mediaBuyId, event.reemission);
}

void Workbench::updateOpportunityCounts()
{
    // One pass over proposals and buys: this runs after every refresh, with every buy of the session.
    QHash<QString, QString> opportunityOfProposal;
    QHash<QString, int> proposals;
    for (int row = 0; row < m_proposals->rowCount(); ++row) {
        const QString proposalId = m_proposals->proposalId(row);
        if (opportunityOfProposal.contains(proposalId))
            continue;
        const QString opportunityId = m_proposals->opportunityId(row);
        opportunityOfProposal.insert(proposalId, opportunityId);
        ++proposals[opportunityId];
    }
    QHash<QString, int> buys;
    QSet<QString> impaired;
    for (int row = 0; row < m_buys->rowCount(); ++row) {
        const QString opportunityId = opportunityOfProposal.value(m_buys->proposalId(row));
        if (opportunityId.isEmpty())
            continue;
        ++buys[opportunityId];
        if (m_buys->index(row, BuyModel::HealthColumn)
                .data()
                .toString()
                .startsWith(QLatin1String("impaired")))
            impaired.insert(opportunityId);
    }
    for (int o = 0; o < m_opportunities->rowCount(); ++o) {
        const QString opportunityId = m_opportunities->opportunityId(o);
        m_opportunities->setCounts(opportunityId, proposals.value(opportunityId), buys.value(opportunityId),
                                   impaired.contains(opportunityId));
    }
}

} // namespace adcp::gui
