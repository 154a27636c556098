#include "taskcontext.h"

#include "domain/accountstore.h"
#include "storage/database.h"

#include <set>

namespace adcp::seller {

using nlohmann::json;

namespace {

// Bank details are write-only: the seller keeps and echoes the rest of a billing entity.
json withoutBankDetails(json entity)
{
    if (entity.is_object())
        entity.erase("bank");
    return entity;
}

std::string defaultName(const Account &a)
{
    std::string name = a.brand.value("domain", std::string());
    if (a.brand.contains("brand_id") && a.brand["brand_id"].is_string())
        name += " / " + a.brand["brand_id"].get<std::string>();
    if (a.operatorDomain != a.brand.value("domain", std::string()))
        name += " via " + a.operatorDomain;
    if (!a.operatorUnitName.empty())
        name += " (" + a.operatorUnitName + ")";
    return name;
}

json resultFor(const Account &a, const char *action)
{
    json r = a.toJson();
    r["action"] = action;
    if (a.status == "pending_approval")
        r["setup"] = {{"message", "The seller reviews this account; poll list_accounts until it is active."}};
    return r;
}

json failedEntry(const json &entry, adcp::AdcpError error)
{
    json r = {{"brand", entry.value("brand", json::object())},
              {"operator", entry.value("operator", std::string())},
              {"action", "failed"},
              {"status", "rejected"},
              {"errors", json::array({error.toJson()})}};
    return r;
}

// Settings that may change after provisioning: payment terms, billing entity, the unit's display name.
bool applySettings(Account &a, const json &entry)
{
    const Account before = a;
    if (entry.contains("payment_terms"))
        a.paymentTerms = entry["payment_terms"].get<std::string>();
    if (entry.contains("billing_entity"))
        a.billingEntity = withoutBankDetails(entry["billing_entity"]);
    if (entry.contains("operator_unit") && entry["operator_unit"].contains("name"))
        a.operatorUnitName = entry["operator_unit"]["name"].get<std::string>();
    return a.paymentTerms != before.paymentTerms || a.billingEntity != before.billingEntity ||
           a.operatorUnitName != before.operatorUnitName;
}

struct Sync
{
    TaskContext &task;
    QString error;
    std::set<std::string> seen;

    // Provisioning mode: upsert by natural key.
    json provision(const json &entry, const std::string &field)
    {
        const NaturalKey key = NaturalKey::fromJson(entry);
        std::optional<Account> existing;
        for (auto &a : AccountStore::match(task.db, task.principal.id, key, &error)) {
            if (a.naturalKey() == key.text())
                existing = std::move(a);
        }
        const std::string billing = entry["billing"].get<std::string>();
        // Capabilities declare per-media-buy currency and a seller-fixed timezone only.
        for (const char *member : {"currency", "timezone"}) {
            if (entry.contains(member))
                return failedEntry(
                    entry,
                    adcp::AdcpError::make("UNSUPPORTED_FEATURE",
                                          std::string("this seller does not bind accounts to a ") + member,
                                          field + "." + member, std::string("omit ") + member));
        }
        if (existing) {
            seen.insert(existing->accountId);
            if (!existing->billing.empty() && existing->billing != billing)
                return failedEntry(
                    entry, adcp::AdcpError::make("BILLING_NOT_SUPPORTED",
                                                 "account " + existing->accountId + " is billed to " +
                                                     existing->billing + "; billing is fixed at provisioning",
                                                 field + ".billing",
                                                 "send the account's billing or omit the entry"));
            Account a = *existing;
            a.billing = billing;
            bool changed =
                applySettings(a, entry) || !existing->provisionedBySync || existing->billing.empty();
            a.provisionedBySync = true;
            if (!changed)
                return resultFor(a, "unchanged");
            ++a.revision;
            if (!AccountStore::update(task.db, a, task.now, &error))
                return json();
            return resultFor(a, "updated");
        }
        Account a;
        a.principalId = task.principal.id;
        a.accountId = newId("acc");
        a.brand = key.brand;
        a.operatorDomain = key.operatorDomain;
        a.operatorUnitId = key.operatorUnitId;
        a.currency = key.currency;
        a.timezone = key.timezone;
        a.sandbox = key.sandbox;
        a.billing = billing;
        a.provisionedBySync = true;
        applySettings(a, entry);
        // With manual approval on, the seller reviews new accounts as it reviews buys.
        a.status = task.options.manualApproval ? "pending_approval" : "active";
        a.name = defaultName(a);
        seen.insert(a.accountId);
        if (!AccountStore::insert(task.db, a, task.now, &error))
            return json();
        return resultFor(a, "created");
    }

    // Settings-update mode: the account must exist for this caller; nothing is provisioned.
    std::optional<json> update(const json &entry, const std::string &field, adcp::ToolOutcome *refusal)
    {
        const json &ref = entry["account"];
        std::vector<Account> found;
        if (ref.contains("account_id")) {
            if (auto a = AccountStore::find(task.db, task.principal.id, ref["account_id"].get<std::string>(),
                                            &error))
                found.push_back(*a);
        } else {
            found = AccountStore::match(task.db, task.principal.id, NaturalKey::fromJson(ref), &error);
        }
        if (found.size() != 1) {
            *refusal = found.empty()
                           ? failure("ACCOUNT_NOT_FOUND",
                                     "the account reference does not resolve to an account of this caller",
                                     field + ".account", "provision it with brand, operator and billing")
                           : failure("ACCOUNT_AMBIGUOUS", "the natural key fits more than one account",
                                     field + ".account", "pass the account_id");
            return std::nullopt;
        }
        Account a = found.front();
        seen.insert(a.accountId);
        if (entry.contains("revision") && entry["revision"].get<int>() != a.revision) {
            *refusal = failure("CONFLICT",
                               "account " + a.accountId + " is at revision " + std::to_string(a.revision),
                               field + ".revision", "read the account with list_accounts and retry");
            return std::nullopt;
        }
        if (!applySettings(a, entry))
            return resultFor(a, "unchanged");
        ++a.revision;
        if (!AccountStore::update(task.db, a, task.now, &error))
            return json();
        return resultFor(a, "updated");
    }

    // delete_missing: this caller's synced accounts that the request left out are closed.
    bool closeMissing(json &results)
    {
        for (auto &a : AccountStore::list(task.db, task.principal.id, &error)) {
            if (!a.provisionedBySync || seen.count(a.accountId) || a.status == "closed")
                continue;
            a.status = "closed";
            ++a.revision;
            if (!AccountStore::update(task.db, a, task.now, &error))
                return false;
            results.push_back(resultFor(a, "updated"));
        }
        return error.isEmpty();
    }
};

} // namespace

// Per-entry results: an entry that cannot be applied is reported `failed` and changes nothing, the others
// apply. A settings update naming no account of this caller fails the whole call (its result could name no
// brand or operator). dry_run answers the same and writes nothing.
adcp::ToolOutcome syncAccounts(TaskContext &task, const json &args)
{
    const bool dryRun = args.value("dry_run", false);
    Sync sync{task, {}, {}};
    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&sync.error))
        return failure("SERVICE_UNAVAILABLE", "the seller database is busy", std::nullopt,
                       "retry the same request");
    json results = json::array();
    const json &entries = args["accounts"];
    for (size_t i = 0; i < entries.size(); ++i) {
        const std::string field = "accounts[" + std::to_string(i) + "]";
        json result;
        if (entries[i].contains("account")) {
            adcp::ToolOutcome refusal;
            auto updated = sync.update(entries[i], field, &refusal);
            if (!updated)
                return refusal;
            result = std::move(*updated);
        } else {
            result = sync.provision(entries[i], field);
        }
        if (result.is_null() || !sync.error.isEmpty())
            return failure("SERVICE_UNAVAILABLE", "accounts could not be stored: " + sync.error.toStdString(),
                           std::nullopt, "retry the same request");
        results.push_back(std::move(result));
    }
    if (args.value("delete_missing", false) && !sync.closeMissing(results))
        return failure("SERVICE_UNAVAILABLE", "accounts could not be stored: " + sync.error.toStdString(),
                       std::nullopt, "retry the same request");
    if (dryRun) {
        tx.rollback();
        return adcp::ToolOutcome::success({{"dry_run", true}, {"accounts", std::move(results)}});
    }
    if (!tx.commit(&sync.error))
        return failure("SERVICE_UNAVAILABLE", "accounts could not be stored: " + sync.error.toStdString(),
                       std::nullopt, "retry the same request");
    return adcp::ToolOutcome::success({{"accounts", std::move(results)}});
}

} // namespace adcp::seller
