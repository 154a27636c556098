#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace adcp::seller {

// An advertiser account as this seller keeps it. A principal holds any number of accounts; account ids and
// natural keys are scoped to their principal, so another principal's account is simply not there.
struct Account
{
    std::string principalId;
    std::string accountId;
    nlohmann::json brand = nlohmann::json::object(); // the BrandKey projection: domain, brand_id, countries
    std::string operatorDomain;
    std::string operatorUnitId;   // empty = no unit; part of the natural key
    std::string operatorUnitName; // display only
    std::string currency;         // empty = chosen per media buy
    std::string timezone;
    bool sandbox = false;
    std::string status = "active"; // enums/account-status.json
    std::string billing;           // enums/billing-party.json; empty when provisioned implicitly
    std::string paymentTerms;      // enums/payment-terms.json; empty = the seller's default
    nlohmann::json billingEntity;  // null when none was given; bank details are never stored
    std::string name;
    int revision = 1;
    bool provisionedBySync = false; // sync_accounts created it (delete_missing only touches these)
    std::string governanceAgentUrl; // the governance agent sync_governance bound; empty = none

    // The natural key as one comparable string (BrandKey, operator, unit id, currency, timezone, sandbox).
    std::string naturalKey() const;
    // The account as core/account.json describes it.
    nlohmann::json toJson() const;
};

// The parts of an AccountRef natural key; fields the reference omits are empty.
struct NaturalKey
{
    nlohmann::json brand;
    std::string operatorDomain;
    std::string operatorUnitId;
    std::string currency;
    std::string timezone;
    bool sandbox = false;

    static NaturalKey fromJson(const nlohmann::json &ref); // an AccountRef or a sync_accounts entry
    std::string text() const;                              // the same string Account::naturalKey() gives
};

// The governance agent an account is bound to (sync_governance): the seller calls its check_governance
// before committing a buy for the account. The credential is write-only: stored to authenticate those calls,
// never shown in an answer or a log.
struct GovernanceAgent
{
    std::string url;         // https:// endpoint (MCP)
    std::string scheme;      // enums/auth-scheme.json ("Bearer", "HMAC-SHA256")
    std::string credentials; // presented as `Authorization: Bearer <credentials>`
};

// Accounts and the records that belong to one (tables of the "accounts" migration module).
class AccountStore final
{
public:
    static std::optional<Account> find(QSqlDatabase &db, const std::string &principalId,
                                       const std::string &accountId, QString *error);
    // Every account of the principal the (possibly partial) natural key fits: an exact key first, otherwise
    // all accounts of that brand and operator whose unit, currency and timezone do not contradict the key.
    static std::vector<Account> match(QSqlDatabase &db, const std::string &principalId, const NaturalKey &key,
                                      QString *error);
    // The principal's accounts in creation order.
    static std::vector<Account> list(QSqlDatabase &db, const std::string &principalId, QString *error);

    static bool insert(QSqlDatabase &db, const Account &account, const QDateTime &now, QString *error);
    // Writes every mutable field and the revision the caller set.
    static bool update(QSqlDatabase &db, const Account &account, const QDateTime &now, QString *error);

    // Replaces the account's governance agent (one per account).
    static bool setGovernanceAgent(QSqlDatabase &db, const std::string &principalId,
                                   const std::string &accountId, const GovernanceAgent &agent,
                                   const QDateTime &now, QString *error);
    static std::optional<GovernanceAgent> governanceAgent(QSqlDatabase &db, const std::string &principalId,
                                                          const std::string &accountId, QString *error);

    // Buys and creatives remember the account they were made under. Records without one (made before
    // accounts existed, or without an account) belong to the principal as a whole and show under every one
    // of its accounts.
    static bool linkMediaBuy(QSqlDatabase &db, const std::string &principalId, const std::string &mediaBuyId,
                             const std::string &accountId, QString *error);
    static bool linkCreative(QSqlDatabase &db, const std::string &principalId, const std::string &creativeId,
                             const std::string &accountId, QString *error);
    // Whether a record is visible under the account: linked to it, or linked to none.
    static bool mediaBuyVisible(QSqlDatabase &db, const std::string &principalId,
                                const std::string &mediaBuyId, const std::string &accountId);
    static bool creativeVisible(QSqlDatabase &db, const std::string &principalId,
                                const std::string &creativeId, const std::string &accountId);

    // Keeps one report_usage record (as the buyer sent it) against the account and reporting period.
    static bool recordUsage(QSqlDatabase &db, const std::string &principalId, const std::string &accountId,
                            const nlohmann::json &record, const nlohmann::json &period, const QDateTime &now,
                            QString *error);
};

} // namespace adcp::seller
