#include "accountstore.h"

#include "storage/database.h"
#include "storage/migrations.h"

#include <QSqlQuery>

#include <algorithm>

namespace adcp::seller {

using nlohmann::json;
using storage::execute;
using storage::qs;
using storage::ss;

namespace {

std::vector<storage::MigrationStep> accountMigrationSteps()
{
    return {
        {1,
         QStringLiteral("accounts per principal, and the account each media buy and creative was made under"),
         {
             QStringLiteral(
                 "CREATE TABLE accounts (principal_id TEXT NOT NULL, account_id TEXT NOT NULL, "
                 "natural_key TEXT NOT NULL, brand_json TEXT NOT NULL, operator TEXT NOT NULL, "
                 "operator_unit_id TEXT NOT NULL DEFAULT '', operator_unit_name TEXT NOT NULL DEFAULT '', "
                 "currency TEXT NOT NULL DEFAULT '', timezone TEXT NOT NULL DEFAULT '', "
                 "sandbox INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, billing TEXT NOT NULL DEFAULT "
                 "'', "
                 "payment_terms TEXT NOT NULL DEFAULT '', billing_entity_json TEXT, name TEXT NOT NULL, "
                 "revision INTEGER NOT NULL, provisioned_by_sync INTEGER NOT NULL DEFAULT 0, "
                 "position INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, "
                 "PRIMARY KEY (principal_id, account_id))"),
             QStringLiteral("CREATE INDEX accounts_by_key ON accounts (principal_id, natural_key)"),
             QStringLiteral(
                 "CREATE TABLE account_media_buys (principal_id TEXT NOT NULL, media_buy_id TEXT NOT NULL, "
                 "account_id TEXT NOT NULL, PRIMARY KEY (principal_id, media_buy_id))"),
             QStringLiteral(
                 "CREATE TABLE account_creatives (principal_id TEXT NOT NULL, creative_id TEXT NOT NULL, "
                 "account_id TEXT NOT NULL, PRIMARY KEY (principal_id, creative_id))"),
         },
         {}},
        {2,
         QStringLiteral(
             "usage the buyer reported per account (report_usage), kept for billing reconciliation"),
         {
             QStringLiteral(
                 "CREATE TABLE account_usage (principal_id TEXT NOT NULL, account_id TEXT NOT NULL, "
                 "media_buy_id TEXT, period_start TEXT NOT NULL, period_end TEXT NOT NULL, "
                 "vendor_cost REAL NOT NULL, currency TEXT NOT NULL, record_json TEXT NOT NULL, "
                 "reported_at TEXT NOT NULL)"),
             QStringLiteral(
                 "CREATE INDEX account_usage_by_account ON account_usage (principal_id, account_id)"),
         },
         {}},
        {3,
         QStringLiteral("the governance agent each account is bound to (sync_governance)"),
         {
             QStringLiteral(
                 "CREATE TABLE account_governance (principal_id TEXT NOT NULL, account_id TEXT NOT NULL, "
                 "url TEXT NOT NULL, scheme TEXT NOT NULL, credentials TEXT NOT NULL, synced_at TEXT NOT "
                 "NULL, PRIMARY KEY (principal_id, account_id))"),
         },
         {}},
    };
}

// BrandKey projection: only domain, brand_id and the sorted set of countries identify an advertiser.
json brandKey(const json &brand)
{
    json key = json::object();
    if (!brand.is_object())
        return key;
    for (const char *member : {"domain", "brand_id"}) {
        if (brand.contains(member) && brand[member].is_string())
            key[member] = brand[member];
    }
    if (brand.contains("countries") && brand["countries"].is_array()) {
        std::vector<std::string> countries;
        for (const auto &c : brand["countries"]) {
            if (c.is_string())
                countries.push_back(c.get<std::string>());
        }
        std::sort(countries.begin(), countries.end());
        countries.erase(std::unique(countries.begin(), countries.end()), countries.end());
        if (!countries.empty())
            key["countries"] = countries;
    }
    return key;
}

std::string keyText(const json &brand, const std::string &op, const std::string &unit,
                    const std::string &currency, const std::string &timezone, bool sandbox)
{
    // The JSON text of an ordered array is canonical enough: brandKey() fixes member order and values.
    return json::array({brandKey(brand), op, unit, currency, timezone, sandbox}).dump();
}

std::string stringMember(const json &object, const char *member)
{
    return object.is_object() && object.contains(member) && object[member].is_string()
               ? object[member].get<std::string>()
               : std::string();
}

const QString kColumns = QStringLiteral(
    "account_id, brand_json, operator, operator_unit_id, operator_unit_name, currency, timezone, sandbox, "
    "status, billing, payment_terms, billing_entity_json, name, revision, provisioned_by_sync, "
    "(SELECT url FROM account_governance g WHERE g.principal_id = accounts.principal_id AND "
    "g.account_id = accounts.account_id)");

Account fromRow(const storage::Read &q, const std::string &principalId)
{
    Account a;
    a.principalId = principalId;
    a.accountId = ss(q.value(0).toString());
    a.brand = storage::fromText(q.value(1).toString());
    a.operatorDomain = ss(q.value(2).toString());
    a.operatorUnitId = ss(q.value(3).toString());
    a.operatorUnitName = ss(q.value(4).toString());
    a.currency = ss(q.value(5).toString());
    a.timezone = ss(q.value(6).toString());
    a.sandbox = q.value(7).toBool();
    a.status = ss(q.value(8).toString());
    a.billing = ss(q.value(9).toString());
    a.paymentTerms = ss(q.value(10).toString());
    a.billingEntity = storage::fromText(q.value(11).toString());
    a.name = ss(q.value(12).toString());
    a.revision = q.value(13).toInt();
    a.provisionedBySync = q.value(14).toBool();
    a.governanceAgentUrl = ss(q.value(15).toString());
    return a;
}

std::vector<Account> select(QSqlDatabase &db, const std::string &principalId, const QString &where,
                            std::initializer_list<QVariant> bindings, QString *error)
{
    std::vector<Account> accounts;
    storage::Read q(db,
                    QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM accounts WHERE ") + where +
                        QStringLiteral(" ORDER BY position"),
                    bindings, error);
    if (!q)
        return accounts;
    while (q.next())
        accounts.push_back(fromRow(q, principalId));
    return accounts;
}

bool visible(QSqlDatabase &db, const QString &table, const QString &idColumn, const std::string &principalId,
             const std::string &id, const std::string &accountId)
{
    storage::Read q(db,
                    QStringLiteral("SELECT account_id FROM ") + table +
                        QStringLiteral(" WHERE principal_id = ? AND ") + idColumn + QStringLiteral(" = ?"),
                    {qs(principalId), qs(id)}, nullptr);
    if (!q)
        return false;
    return !q.next() || ss(q.value(0).toString()) == accountId;
}

} // namespace

ADCP_SELLER_MIGRATIONS("accounts", accountMigrationSteps);

std::string Account::naturalKey() const
{
    return keyText(brand, operatorDomain, operatorUnitId, currency, timezone, sandbox);
}

json Account::toJson() const
{
    json a = {{"account_id", accountId},
              {"name", name},
              {"status", status},
              {"revision", revision},
              {"sandbox", sandbox}};
    // Accounts first named by a bare account_id have no advertiser identity to show.
    if (!operatorDomain.empty()) {
        a["brand"] = brandKey(brand);
        a["operator"] = operatorDomain;
        a["advertiser"] = stringMember(brand, "domain");
        a["account_scope"] = "operator_brand";
    }
    if (!operatorUnitId.empty()) {
        a["operator_unit"] = {{"id", operatorUnitId}};
        if (!operatorUnitName.empty())
            a["operator_unit"]["name"] = operatorUnitName;
    }
    const std::initializer_list<std::pair<const char *, const std::string *>> optionalFields = {
        {"currency", &currency}, {"billing", &billing}, {"payment_terms", &paymentTerms}};
    for (const auto &[member, value] : optionalFields) {
        if (!value->empty())
            a[member] = *value;
    }
    // Every account of this seller runs on the seller-wide UTC day (capabilities account.timezone).
    a["timezone"] = timezone.empty() ? std::string("UTC") : timezone;
    if (billingEntity.is_object())
        a["billing_entity"] = billingEntity;
    // Credentials are write-only: only where the seller will call.
    if (!governanceAgentUrl.empty())
        a["governance_agents"] = json::array({{{"url", governanceAgentUrl}}});
    return a;
}

NaturalKey NaturalKey::fromJson(const json &ref)
{
    NaturalKey key;
    key.brand = ref.is_object() ? ref.value("brand", json::object()) : json::object();
    key.operatorDomain = stringMember(ref, "operator");
    if (ref.is_object() && ref.contains("operator_unit"))
        key.operatorUnitId = stringMember(ref["operator_unit"], "id");
    key.currency = stringMember(ref, "currency");
    key.timezone = stringMember(ref, "timezone");
    key.sandbox = ref.is_object() && ref.value("sandbox", false);
    return key;
}

std::string NaturalKey::text() const
{
    return keyText(brand, operatorDomain, operatorUnitId, currency, timezone, sandbox);
}

std::optional<Account> AccountStore::find(QSqlDatabase &db, const std::string &principalId,
                                          const std::string &accountId, QString *error)
{
    auto found = select(db, principalId, QStringLiteral("principal_id = ? AND account_id = ?"),
                        {qs(principalId), qs(accountId)}, error);
    if (found.empty())
        return std::nullopt;
    return found.front();
}

std::vector<Account> AccountStore::match(QSqlDatabase &db, const std::string &principalId,
                                         const NaturalKey &key, QString *error)
{
    auto exact = select(db, principalId, QStringLiteral("principal_id = ? AND natural_key = ?"),
                        {qs(principalId), qs(key.text())}, error);
    if (!exact.empty())
        return exact;
    std::vector<Account> candidates;
    const json brand = brandKey(key.brand);
    for (auto &a : list(db, principalId, error)) {
        const bool fits = brandKey(a.brand) == brand && a.operatorDomain == key.operatorDomain &&
                          a.sandbox == key.sandbox &&
                          (key.operatorUnitId.empty() || a.operatorUnitId == key.operatorUnitId) &&
                          (key.currency.empty() || a.currency == key.currency) &&
                          (key.timezone.empty() || a.timezone == key.timezone);
        if (fits)
            candidates.push_back(std::move(a));
    }
    return candidates;
}

std::vector<Account> AccountStore::list(QSqlDatabase &db, const std::string &principalId, QString *error)
{
    return select(db, principalId, QStringLiteral("principal_id = ?"), {qs(principalId)}, error);
}

bool AccountStore::insert(QSqlDatabase &db, const Account &a, const QDateTime &now, QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    const QString at = now.toUTC().toString(Qt::ISODate);
    return execute(
        q,
        QStringLiteral(
            "INSERT INTO accounts (principal_id, account_id, natural_key, brand_json, operator, "
            "operator_unit_id, operator_unit_name, currency, timezone, sandbox, status, billing, "
            "payment_terms, billing_entity_json, name, revision, provisioned_by_sync, position, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "(SELECT COALESCE(MAX(position), 0) + 1 FROM accounts), ?, ?)"),
        {qs(a.principalId), qs(a.accountId), qs(a.naturalKey()), storage::toText(brandKey(a.brand)),
         qs(a.operatorDomain), qs(a.operatorUnitId), qs(a.operatorUnitName), qs(a.currency), qs(a.timezone),
         a.sandbox ? 1 : 0, qs(a.status), qs(a.billing), qs(a.paymentTerms),
         a.billingEntity.is_object() ? storage::toText(a.billingEntity) : QVariant(), qs(a.name), a.revision,
         a.provisionedBySync ? 1 : 0, at, at},
        error);
}

bool AccountStore::update(QSqlDatabase &db, const Account &a, const QDateTime &now, QString *error)
{
    return storage::write(
        db,
        QStringLiteral("UPDATE accounts SET operator_unit_name = ?, status = ?, payment_terms = ?, "
                       "billing_entity_json = ?, name = ?, revision = ?, provisioned_by_sync = ?, "
                       "updated_at = ? WHERE principal_id = ? AND account_id = ?"),
        {qs(a.operatorUnitName), qs(a.status), qs(a.paymentTerms),
         a.billingEntity.is_object() ? storage::toText(a.billingEntity) : QVariant(), qs(a.name), a.revision,
         a.provisionedBySync ? 1 : 0, now.toUTC().toString(Qt::ISODate), qs(a.principalId), qs(a.accountId)},
        error);
}

bool AccountStore::setGovernanceAgent(QSqlDatabase &db, const std::string &principalId,
                                      const std::string &accountId, const GovernanceAgent &agent,
                                      const QDateTime &now, QString *error)
{
    return storage::write(
        db,
        QStringLiteral("INSERT OR REPLACE INTO account_governance (principal_id, account_id, url, scheme, "
                       "credentials, synced_at) VALUES (?, ?, ?, ?, ?, ?)"),
        {qs(principalId), qs(accountId), qs(agent.url), qs(agent.scheme), qs(agent.credentials),
         now.toUTC().toString(Qt::ISODate)},
        error);
}

std::optional<GovernanceAgent> AccountStore::governanceAgent(QSqlDatabase &db, const std::string &principalId,
                                                             const std::string &accountId, QString *error)
{
    storage::Read q(
        db,
        QStringLiteral("SELECT url, scheme, credentials FROM account_governance WHERE principal_id = ? "
                       "AND account_id = ?"),
        {qs(principalId), qs(accountId)}, error);
    if (!q || !q.next())
        return std::nullopt;
    return GovernanceAgent{ss(q.value(0).toString()), ss(q.value(1).toString()), ss(q.value(2).toString())};
}

bool AccountStore::linkMediaBuy(QSqlDatabase &db, const std::string &principalId,
                                const std::string &mediaBuyId, const std::string &accountId, QString *error)
{
    return storage::write(
        db,
        QStringLiteral("INSERT OR REPLACE INTO account_media_buys (principal_id, media_buy_id, "
                       "account_id) VALUES (?, ?, ?)"),
        {qs(principalId), qs(mediaBuyId), qs(accountId)}, error);
}

bool AccountStore::linkCreative(QSqlDatabase &db, const std::string &principalId,
                                const std::string &creativeId, const std::string &accountId, QString *error)
{
    return storage::write(
        db,
        QStringLiteral("INSERT OR REPLACE INTO account_creatives (principal_id, creative_id, "
                       "account_id) VALUES (?, ?, ?)"),
        {qs(principalId), qs(creativeId), qs(accountId)}, error);
}

bool AccountStore::mediaBuyVisible(QSqlDatabase &db, const std::string &principalId,
                                   const std::string &mediaBuyId, const std::string &accountId)
{
    return visible(db, QStringLiteral("account_media_buys"), QStringLiteral("media_buy_id"), principalId,
                   mediaBuyId, accountId);
}

bool AccountStore::creativeVisible(QSqlDatabase &db, const std::string &principalId,
                                   const std::string &creativeId, const std::string &accountId)
{
    return visible(db, QStringLiteral("account_creatives"), QStringLiteral("creative_id"), principalId,
                   creativeId, accountId);
}

bool AccountStore::recordUsage(QSqlDatabase &db, const std::string &principalId, const std::string &accountId,
                               const json &record, const json &period, const QDateTime &now, QString *error)
{
    const auto buy = record.find("media_buy_id");
    return storage::write(
        db,
        QStringLiteral("INSERT INTO account_usage (principal_id, account_id, media_buy_id, period_start, "
                       "period_end, vendor_cost, currency, record_json, reported_at) VALUES (?, ?, ?, ?, "
                       "?, ?, ?, ?, ?)"),
        {qs(principalId), qs(accountId),
         buy != record.end() && buy->is_string() ? qs(buy->get<std::string>()) : QVariant(),
         qs(period.value("start", std::string())), qs(period.value("end", std::string())),
         record.value("vendor_cost", 0.0), qs(record.value("currency", std::string())),
         storage::toText(record), now.toUTC().toString(Qt::ISODate)},
        error);
}

} // namespace adcp::seller
