#pragma once

#include "schemaregistry.h"
#include "webhooks/webhookurlpolicy.h"

#include <QDateTime>
#include <QSslCertificate>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

class QSqlDatabase;

namespace adcp::seller {

class InFlightKeys;

class Catalog;
class ProductConfigStore;
struct AcceptedOrder;

struct SellerOptions
{
    QString databasePath;           // SQLite file; ":memory:" is not allowed (threads need one shared file)
    bool autoCommitOnIssue = false; // brief-mode proposals are issued already committed
    int holdSeconds = 24 * 3600;    // how long a finalized proposal holds inventory
    bool manualApproval = false;    // create_media_buy answers `submitted` and waits for approval
    // Accounts whose buys wait for approval even when manualApproval is off. An entry is an `account_id`
    // ("acc-7") or a natural key "brand_domain/operator" ("acme.example/pinnacle-media.example"), matched
    // against the `account` of create_media_buy (case-insensitive domains).
    QStringList manualApprovalAccounts;
    double clockRate = 1.0;  // seller clock speed (1 = real time)
    QString schemaDirectory; // empty = bundled schemas
    // create_media_buy on a proposal without proposal_version: true = INVALID_REQUEST for every proposal (all
    // proposals of this seller are versioned); false = only for proposals the buyer has already handled
    // through versioned entries (a refine entry carrying proposal_version, or a decline). AdCP 3.0
    // storyboards need false.
    bool requireProposalVersion = true;
    int draftLifetimeSeconds = 72 * 3600; // freshness window of a draft proposal (its expires_at)
    int idempotencyTtlSeconds =
        24 * 3600; // replay window of an idempotency key (capabilities replay_ttl_seconds)
    int idempotencyInFlightSeconds = 120; // an in-flight key older than this is treated as abandoned
    // Webhook coalescence window per event type ("task", "media_buy_status", "impairment", "delivery"), in
    // ms: an unsent event is replaced by a newer one with the same key inside it. Absent types send at once.
    std::map<std::string, qint64> webhookCoalescenceMs{{"impairment", 60000}};
    // Account-scoped tasks need an `account` the caller has registered (sync_accounts) or been given; without
    // this option an unknown reference is provisioned on first use and a missing one means the principal.
    bool requireAccounts = false;
    // Which addresses a registered webhook URL may resolve to, checked at registration and again before
    // every delivery attempt. The default is the in-process GUI seller's (its receiver is on loopback);
    // `--serve` sets PublicOnly unless --allow-private-webhooks is given.
    WebhookAddressScope webhookAddressScope = WebhookAddressScope::AllowLoopback;
    WebhookResolver webhookResolver; // empty = the system resolver
    // This seller's own agent URL: the `caller` and `target_agent` of its check_governance calls. `--serve`
    // sets the URL it listens on (or --public-url); empty = a URL naming the embedded seller.
    QString agentUrl;
    // Governance agents buyers register (sync_governance) are called over https with the system's trusted
    // CAs plus these (`--governance-ca`), within this time per request.
    QList<QSslCertificate> governanceCaCertificates;
    int governanceTimeoutMs = 10000;
    // Test-only: AdCP rules this seller breaks on purpose, so that buyer-side checks (the test lab, a buyer's own
    // tests) can be shown to fail when they should. Names from brokenRuleNames(); empty in every real use.
    std::set<std::string> brokenRules;
    bool breaks(const char *rule) const { return brokenRules.count(rule) != 0; }
    // The request_signing block get_adcp_capabilities declares to a principal (server/requestsigning.h);
    // empty, or a null answer, declares nothing: the seller does not verify request signatures.
    std::function<nlohmann::json(const std::string &principalId)> requestSigningCapability;
};

// The rules SellerOptions::brokenRules can name, with what breaking each does:
//   accept-stale-version  create_media_buy takes a stale proposal_version (the spec answers CONFLICT)
//   drop-decline-echo     a decline acknowledgement omits the proposal_version it declined (a MUST)
//   leak-foreign-buy      get_media_buys lists another principal's buy when asked for its id
//   hide-impairments      get_media_buys shows every buy healthy with no impairments
//   unsigned-webhooks     webhooks registered without authentication go out without an RFC 9421 signature
const std::vector<std::pair<std::string, std::string>> &brokenRuleNames();

// The seller clock: real time by default, can be accelerated or moved forward (trainers, tests).
class SellerClock final
{
public:
    SellerClock();
    QDateTime now() const;
    void setRate(double rate);
    double rate() const;
    void advance(qint64 seconds);

private:
    struct State;
    std::shared_ptr<State> d;
};

// Called inside the database transaction that stores an accepted order (create_media_buy), with the
// connection of that transaction: execution (job queue, adapters) enqueues its work here so that an order and
// its job are written atomically. Returning false with `error` set rolls the whole order back.
using OrderAcceptedHook = std::function<bool(QSqlDatabase &db, const AcceptedOrder &order, QString *error)>;

// Everything the seller's handlers share: options, clock, schemas and the database (one connection per
// thread).
class SellerContext final
{
public:
    // Opens (creating and migrating when needed) the database, seeds the catalog on first open.
    static std::shared_ptr<SellerContext> open(const SellerOptions &options, QString *error = nullptr);
    ~SellerContext();
    Q_DISABLE_COPY_MOVE(SellerContext)

    SellerOptions options() const;
    // For the seller console: the database path cannot change on an open context; the clock rate is applied.
    void setOptions(const SellerOptions &options);
    void setAutoCommitOnIssue(bool on);
    void setHoldSeconds(int seconds);
    void setRequireProposalVersion(bool on);
    // Seller console: every buy, or the buys of these accounts (see SellerOptions::manualApprovalAccounts),
    // wait for the seller's approval. Applies to orders accepted from now on.
    void setManualApproval(bool on);
    void setManualApprovalAccounts(const QStringList &accounts);
    // Seller console and tests: one event type's webhook coalescence window (0 = send at once).
    void setWebhookCoalescenceWindow(const std::string &eventType, qint64 ms);

    SellerClock &clock();
    const SchemaRegistry &schemas() const;
    // The calling thread's connection name for QSqlDatabase::database(); created on first use in a thread and
    // removed when that thread ends (or when the context is destroyed).
    QString connectionName() const;
    // The calling thread's open connection (shorthand for QSqlDatabase::database(connectionName())).
    QSqlDatabase database() const;

    // The product catalog as stored in the database (loaded at open; reloadCatalog() after editing products).
    std::shared_ptr<const Catalog> catalog() const;
    bool reloadCatalog(QString *error = nullptr);

    // Seller-private implementation configs of products; the database store by default, replaceable (tests,
    // an external product system).
    std::shared_ptr<ProductConfigStore> productConfigStore() const;
    void setProductConfigStore(std::shared_ptr<ProductConfigStore> store);

    void setOrderAcceptedHook(OrderAcceptedHook hook);
    // Runs the hook (true when none is set) on the connection `db`'s write transaction runs on.
    bool runOrderAcceptedHook(QSqlDatabase &db, const AcceptedOrder &order, QString *error) const;

    // The idempotency keys of the keyed calls running now on this context.
    InFlightKeys &inFlightKeys();

    // Applies migration steps registered after open() (see storage/migrations.h).
    bool migrate(QString *error = nullptr);

private:
    SellerContext();
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace adcp::seller
