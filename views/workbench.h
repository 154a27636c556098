#pragma once

#include "adcperror.h"

#include <QDateTime>
#include <QHash>
#include <QSet>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <nlohmann/json.hpp>

#include <functional>

class QTimer;

namespace adcp {
class AgentClient;
class PendingCall;
class WebhookReceiver;
struct ToolOutcome;
struct Exchange;
struct WebhookEvent;
} // namespace adcp

namespace adcp::models {
class AccountModel;
class BuyEventModel;
struct CatalogPage;
class BuyModel;
class CreativeModel;
class ExchangeModel;
class OpportunityModel;
class ProductModel;
class ProposalModel;
} // namespace adcp::models

namespace adcp::gui {

// The buyer's session with one agent: it owns the models the views show and turns the planner's actions
// into AdCP calls through the AgentClient (never the seller directly), folding every answer back into the
// models. Every call is tracked for the busy indicator and can be cancelled.
class Workbench final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Workbench)
public:
    explicit Workbench(QObject *parent = nullptr);
    ~Workbench() override;

    // The client is not owned; a new one resets the session's models.
    void setClient(adcp::AgentClient *client, const QString &principal);
    adcp::AgentClient *client() const;
    QString principal() const;
    bool isConnected() const;

    models::ProductModel *products() const;
    models::ProposalModel *proposals() const;
    models::BuyModel *buys() const;
    models::BuyEventModel *events() const;
    models::ExchangeModel *exchanges() const;
    models::OpportunityModel *opportunities() const;
    models::AccountModel *accounts() const;
    // The creative library of the active account (list_creatives); cleared with the planning.
    models::CreativeModel *creatives() const;

    // Who the buyer is on create_media_buy (account by brand + operator).
    void setBuyerIdentity(const QString &brandDomain, const QString &operatorDomain);
    QString brandDomain() const;
    QString operatorDomain() const;
    // The account the planner picked (as list_accounts or sync_accounts reported it): every account-scoped
    // request names it ({account_id}, else its natural key). Null = none picked: buys name the natural key of
    // the buyer identity and reads name no account, as before accounts were known.
    void setActiveAccount(const nlohmann::json &account);
    nlohmann::json activeAccount() const;
    // The planner goes on with another account of the same agent (WorkspaceKeeper, after saving the
    // workspace of the one left): the planning models are cleared (opportunities, products, proposals, buys,
    // their timelines and the session's follow-ups) and the answers of planning calls still in flight are
    // dropped. The connection, the account listing and the exchange log stay.
    void startAccountSession();
    // list_accounts: the first page with a status filter (empty = every status), or with `more` the next page
    // of the same listing.
    void listAccounts(const QString &status, bool more);
    // list_creatives for the active account: the first page filtered by approval status (empty = every
    // status) and a part of the name, or with `more` the next page of the same listing. `pageSize` creatives
    // a page (1–100).
    void listCreatives(const QString &status, const QString &nameContains, bool more, int pageSize = 50);
    // While an account of the listing is pending approval, list_accounts is read again after `ms` (doubling,
    // up to 16 times that, while nothing changes), so a planner waiting for the seller sees the account turn
    // active without pressing Refresh. 0 = never. Default 30 s.
    void setAccountWatchInterval(int ms);
    // sync_accounts for one advertiser: provisions it, or reports what the seller already holds.
    void syncAccount(const QString &brandDomain, const QString &operatorDomain, const QString &billing);
    // Where webhooks should go; empty = none (the buy is followed by snapshots only).
    void setWebhookUrl(const QUrl &url);
    QUrl webhookUrl() const;
    // The local receiver (not owned): its URL becomes the webhook URL and what it accepts lands in the
    // timeline. Null detaches it.
    void setWebhookReceiver(adcp::WebhookReceiver *receiver);
    // A shared secret (at least 32 characters) asks the agent for legacy HMAC-SHA256 signatures, for agents
    // whose signing keys the receiver does not know; empty = the RFC 9421 default.
    void setWebhookSecret(const QByteArray &secret);
    // The clock the countdowns run against (the seller clock for the embedded seller).
    void setClock(std::function<QDateTime()> clock);
    QDateTime now() const;
    // How often open buys are re-read with get_media_buys (0 = never).
    void setMonitoringInterval(int ms);

    bool isBusy() const;
    QStringList busyActions() const;
    void cancelAll();

    // Lifecycle actions. Each finishes with actionSucceeded or actionFailed (action, subject id, ...).
    void connectAgent();
    void sendBrief(const nlohmann::json &request, const QString &title);
    void refine(const QString &proposalId, const nlohmann::json &entries);
    void refineProduct(const QString &productId, const QString &action);
    void finalize(const QString &proposalId);
    void decline(const QString &proposalId, const QString &reason, const QString &detail);
    void closeOpportunity(const QString &opportunityId, const QString &reason, const QString &detail);
    // `fields` from the create-buy dialog (proposal_id, proposal_version, total_budget, flight, po_number).
    void createBuy(const QString &proposalId, const nlohmann::json &fields, bool webhooks);
    // Remedies offered by inline errors.
    void finalizeAndRetryBuy(const QString &proposalId);
    void reloadLatest(const QString &proposalId);
    void refreshBuys();
    void refreshDelivery(const QString &mediaBuyId, const QString &granularity);
    // The buy whose delivery the window shows: re-read with the status polling (as background exchanges), so
    // the report follows the seller's clock. Empty = none.
    void setWatchedDelivery(const QString &mediaBuyId, const QString &granularity);
    // The flight the opportunity's brief asked for, as create_media_buy start_time/end_time (ISO 8601);
    // null when the brief set none. A start already past becomes an hour from now.
    nlohmann::json briefFlight(const QString &opportunityId) const;
    // A product as the seller last described it in this session (a brief's answer or the catalog), kept with
    // the workspace: buys and creatives still name their products after an agent switch or a restart, when
    // neither list holds them. Null when never seen.
    nlohmann::json knownProduct(const QString &productId) const;
    // A buy the planner stopped waiting for while the seller still reviews it (its task is followed in the
    // background; Create buy stays off for the proposal meanwhile).
    bool isAwaitingApproval(const QString &proposalId) const;
    // Buys the seller holds for its approval that this session still follows (proposals' and direct buys).
    int awaitingBuyCount() const;
    // Reads the tasks of those buys now (background exchanges), rather than at the next monitor tick.
    void followAwaitingBuys();
    // The create_media_buy of a proposal that got no answer (cancelled before it came, or a transient
    // failure): the seller may hold the buy, so the next createBuy sends this request again unchanged, under
    // the same idempotency key. Null when there is none.
    nlohmann::json unconfirmedBuy(const QString &proposalId) const;
    // The fields of the last create_media_buy of the proposal that the seller refused (the dialog starts from
    // them when the planner tries again); null when there is none.
    nlohmann::json refusedBuyFields(const QString &proposalId) const;
    // action: pause | resume | cancel. With a seller that offers control_media_buy (AdCP 3.2) the change goes
    // through it, else through update_media_buy.
    void updateBuy(const QString &mediaBuyId, const QString &action);

    // The AdCP 3.2 direct buy (workbenchdirectbuys.cpp): the seller's published catalog, bought from without
    // a proposal, and the buys' controls. Whether the agent's capabilities list `tool` under
    // media_buy.lifecycle_tools (false before Connect).
    bool offersTool(const QString &tool) const;
    // The catalog as list_products gave it, page after page; cleared with the planning.
    models::ProductModel *catalog() const;
    QString catalogFeedVersion() const;
    QString catalogPricingVersion() const;
    bool catalogHasMore() const;
    // Products a list_products page asks for (1–100; 25 by default).
    void setCatalogPageSize(int products);
    // list_products for the active account: the first page, or with `more` the next page of the listing.
    void listCatalog(bool more);
    // list_products with if_feed_version (and if_pricing_version): an "unchanged" answer keeps what is on
    // show. Without a catalog yet it is listCatalog(false).
    void refreshCatalog();
    // buy_products against the versions of the catalog on show, under a fresh idempotency key: `purchases`
    // are {product_id, pricing_option_id, budget} entries, the flight ISO 8601 date-times.
    void buyProducts(const nlohmann::json &purchases, const QString &startTime, const QString &endTime);
    // A direct buy the seller holds for its approval (buy_products answered `submitted`) and the planner
    // stopped waiting for (Cancel, or the window closed): its task is followed like a submitted
    // create_media_buy, across restarts, until the seller approves (the buy is filed) or declines.
    struct AwaitingDirectBuy
    {
        QString taskId;
        QString title; // what it buys, as the catalog named it
    };
    QList<AwaitingDirectBuy> awaitingDirectBuys() const;
    // control_media_buy at the buy's current revision; `changes` is e.g. {"paused": true} or
    // {"total_budget": {...}}. A revision conflict reads the buy again.
    void controlBuy(const QString &mediaBuyId, const nlohmann::json &changes, const QString &label);
    // control_media_buy with a new total budget in the buy's currency.
    void changeBuyBudget(const QString &mediaBuyId, double amount);
    // Uploads creatives and assigns them to the buy's packages (sync_creatives).
    void syncCreatives(const QString &mediaBuyId, const nlohmann::json &creatives,
                       const nlohmann::json &assignments);
    // Uploads creatives to the library of the account in use, assigned to nothing (sync_creatives).
    void uploadCreatives(const nlohmann::json &creatives);
    // Assigns library creatives to packages: sync_creatives assignment_operations, applied all or none.
    void assignCreatives(const nlohmann::json &operations);
    // The format ids the products seen in this session ask for, each once, in the order first seen.
    nlohmann::json knownFormats() const;
    // The active account's CRM audiences and conversion event sources, as sync_audiences and
    // sync_event_sources last reported them (each without a list is discovery; every change reads them
    // again). Cleared with the planning.
    nlohmann::json audiences() const;
    nlohmann::json eventSources() const;
    // `background`: a re-read after a change the planner just saw succeed (not shown as busy, so the status
    // bar keeps saying what changed).
    void listAudiences(bool background = false);
    // One audience (sync_audiences' audiences[] entry: create, member deltas, or delete).
    void syncAudience(const nlohmann::json &audience);
    void listEventSources();
    void syncEventSource(const nlohmann::json &source);
    // update_media_buy: every live package of the buy targets exactly these audiences (audience_include);
    // the rest of each package's targeting overlay is sent back as the buy last reported it.
    void setBuyAudiences(const QString &mediaBuyId, const QStringList &audienceIds);
    // What the session knows beyond its models, for the saved workspace: the briefs' flights, the buys whose
    // approval the seller still holds (their tasks are followed again after a restart) and the delivery
    // being watched. restoreSessionState merges a saved one in, reading it as untrusted input.
    nlohmann::json sessionState() const;
    void restoreSessionState(const nlohmann::json &state);

    // A webhook the local receiver accepted (already deduplicated).
    void applyWebhook(const nlohmann::json &payload);
    void applyWebhookEvent(const adcp::WebhookEvent &event);

Q_SIGNALS:
    // setClient is about to clear the session: the last chance to save what the models hold.
    void sessionAboutToReset();
    // sessionState() changed.
    void sessionStateChanged();
    void connectionChanged(bool connected, const QString &versions, const QString &dialect,
                           const QString &principal);
    void busyChanged(bool busy, const QString &what);
    void actionSucceeded(const QString &action, const QString &subjectId, const QString &message);
    void actionFailed(const QString &action, const QString &subjectId, const adcp::AdcpError &error);
    void briefAnswered(const QString &opportunityId, int products, int proposals);
    // A list_products answer landed in catalog(); `unchanged`: the seller said the catalog is as shown.
    void catalogListed(bool unchanged);
    void buyCreated(const QString &mediaBuyId);
    void deliveryUpdated(const QString &mediaBuyId);
    // After "finalize and retry" committed the proposal: the buy that failed can go out again.
    void buyRetryReady(const QString &proposalId, const nlohmann::json &fields, bool webhooks);
    // A webhook arrived for a buy (after it was recorded in the timeline).
    void webhookReceived(const QString &mediaBuyId, bool reemission);
    // A background poll failed: worth a status line, not an error banner over the planner's work.
    void backgroundFailed(const QString &action, const adcp::AdcpError &error);
    void accountsListed();
    void creativesListed();
    void audiencesListed();
    void eventSourcesListed();
    // The rows of accounts() the sync's entries landed on.
    void accountsSynced(const QList<int> &rows);
    void activeAccountChanged(const nlohmann::json &account);
    // The account in use as the seller reports it now (its status moved: approved, suspended …); the same
    // account, so no new account session.
    void activeAccountRefreshed(const nlohmann::json &account);

private:
    using Handler = std::function<void(const adcp::ToolOutcome &)>;
    void clearPlanning();
    // Shows a listed catalog page (appended to the catalog on show, or replacing it) and keeps its feed and
    // pricing versions and cursor for the next load or refresh.
    void takeCatalogPage(const adcp::models::CatalogPage &page, bool append);
    // What a tracked call belongs to, recorded per call by track().
    enum class CallScope {
        Planning,   // the planner's work for the account in use: dropped when the account changes
        Background, // the workbench's own polling: not shown as busy, its failures not raised as errors
        Agent,      // the agent's accounts: kept across account changes, dropped only with the client
    };
    static CallScope scopeOf(bool background)
    {
        return background ? CallScope::Background : CallScope::Planning;
    }
    // Cancels every tracked call `which` accepts (all of them without a filter).
    void cancelCalls(const std::function<bool(CallScope)> &which = {});
    // `explain` rewords a refusal for the planner before actionFailed (e.g. REQUOTE_REQUIRED).
    void track(adcp::PendingCall *call, const QString &action, const QString &subject, Handler onSuccess,
               CallScope scope = CallScope::Planning,
               std::function<adcp::AdcpError(adcp::AdcpError)> explain = {});
    // busyChanged with what is in flight now (the latest action, or nothing).
    void announceBusy();
    // get_media_buys for the buys from the `from`th on (see the definition for which), a page at a time.
    void pollBuys(bool background, int from = 0);
    static constexpr int kBuysPerRequest = 100;
    void pollDelivery(const QString &mediaBuyId, const QString &granularity, bool background);
    void absorbCreatedBuy(const QString &proposalId, nlohmann::json buy, const nlohmann::json &fields);
    // A buy call the seller answers `submitted` stops waiting at once; its task is followed in the
    // background.
    void handOffWhenSubmitted(adcp::PendingCall *call);
    // A buy_products answer (or its task's result) filed as a buy named `title`; an answer that is not a buy
    // is reported through actionFailed.
    void absorbDirectBuy(const nlohmann::json &answer, const QString &title);
    void onMonitorTick();
    int absorbGetProducts(const nlohmann::json &result, const QString &opportunityId);
    void updateOpportunityCounts();
    bool versioned() const;
    bool compact() const;
    nlohmann::json proposalEntry(const QString &proposalId, const char *action) const;
    // `request` with the account it acts for: the picked one, else (for buys and changes, `write`) the
    // natural key of the buyer identity; reads without a picked account stay unscoped.
    nlohmann::json scoped(nlohmann::json request, bool write) const;
    void tick();
    // After a listing: the account in use takes the seller's current view of it, and the watch is set.
    void reconcileAccounts();

    QPointer<adcp::AgentClient> m_client;
    QString m_principal;
    bool m_connected = false;
    models::ProductModel *m_products;
    models::ProposalModel *m_proposals;
    models::BuyModel *m_buys;
    models::BuyEventModel *m_events;
    models::ExchangeModel *m_exchanges;
    models::OpportunityModel *m_opportunities;
    models::AccountModel *m_accounts;
    models::CreativeModel *m_creatives;
    models::ProductModel *m_catalog;
    QString m_feedVersion;
    QString m_pricingVersion;
    QString m_catalogCursor;
    quint64 m_catalogListing = 0; // pages of an older listing are dropped
    int m_catalogPageSize = 25;
    nlohmann::json m_unansweredBuy; // the buy_products request that got no answer (sent again with its key)
    nlohmann::json m_activeAccount;
    QString m_accountStatusFilter;
    quint64 m_accountListing = 0; // pages of an older listing are dropped
    quint64 m_creativeListing = 0;
    nlohmann::json m_audiences = nlohmann::json::array();
    nlohmann::json m_eventSources = nlohmann::json::array();
    QString m_creativeStatusFilter;
    QString m_creativeNameFilter;
    quint64 m_session =
        0; // setClient and startAccountSession start a new one; earlier calls' answers are dropped
    quint64 m_clientSession = 0; // setClient only: the accounts' own calls
    QHash<adcp::PendingCall *, QString> m_inFlight;  // the calls shown as busy, with their action
    QHash<adcp::PendingCall *, CallScope> m_tracked; // every tracked call not yet finished
    bool m_startingBackground = false; // the exchange being started is background polling
    QString m_watchedBuy;
    QString m_watchedGranularity;
    bool m_deliveryInFlight = false;
    QHash<QString, nlohmann::json> m_flights; // opportunity_id -> the brief's filters (start/end dates)
    // product_id -> product, the most recently seen last; at most kKnownProducts are kept.
    QHash<QString, nlohmann::json> m_knownProducts;
    QStringList m_knownProductOrder;
    static constexpr int kKnownProducts = 300;
    void rememberProducts(const nlohmann::json &products);
    struct AwaitingBuy
    {
        QString taskId;
        nlohmann::json fields;
        QString title;       // a direct buy's
        bool direct = false; // buy_products, keyed by its task id (no proposal)
    };
    // proposal_id -> the submitted create_media_buy task; task_id -> the submitted buy_products task
    QHash<QString, AwaitingBuy> m_awaiting;
    QSet<QString> m_following;              // proposal ids whose task status is being read
    QHash<QString, nlohmann::json> m_unconfirmed; // proposal_id -> a create_media_buy that got no answer
    QString m_brandDomain = QStringLiteral("acme-coffee.example");
    QString m_operatorDomain = QStringLiteral("buyer-agency.example");
    QUrl m_webhookUrl;
    QByteArray m_webhookSecret;
    QPointer<adcp::WebhookReceiver> m_receiver;
    bool m_refreshAgain = false; // a webhook arrived while get_media_buys was in flight
    std::function<QDateTime()> m_clock;
    QTimer *m_ticker;
    QTimer *m_monitor;
    QTimer *m_countsTimer;
    QTimer *m_accountWatch;
    int m_accountWatchMs = 30000;
    int m_accountWatchFactor = 1;  // doubles while the watched accounts stay as they were
    std::string m_watchedAccounts; // the listing the last watch saw (to tell whether anything moved)
    bool m_refreshingBuys = false;
    struct BuyAttempt
    {
        nlohmann::json fields;
        bool webhooks = false;
    };
    QHash<QString, BuyAttempt> m_lastBuyAttempt; // proposal_id -> the last create_media_buy that failed
    QHash<QString, BuyAttempt> m_pendingBuys;    // proposal_id -> to send again once finalized
};

} // namespace adcp::gui
