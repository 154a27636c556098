#include "compactproposals.h"

#include "catalog.h"
#include "monitoring/lifecycle.h"
#include "productfeed.h"
#include "storage/database.h"
#include "storage/migrations.h"

#include <QCryptographicHash>
#include <QSqlQuery>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace adcp::seller {

using nlohmann::json;
using storage::execute;
using storage::qs;
using storage::ss;

namespace {

std::vector<storage::MigrationStep> compactMigrationSteps()
{
    return {{1,
             QStringLiteral("compact proposals: parent, successor, commercial terms and their digest"),
             {QStringLiteral(
                 "CREATE TABLE compact_proposals (principal_id TEXT NOT NULL, proposal_id TEXT NOT NULL, "
                 "parent_proposal_id TEXT, successor_id TEXT, brand_json TEXT NOT NULL, terms_json TEXT NOT "
                 "NULL, terms_digest TEXT NOT NULL, created_at TEXT NOT NULL, "
                 "PRIMARY KEY (principal_id, proposal_id))")},
             {}}};
}

// Registered here because every compact tool links this file.
ADCP_SELLER_MIGRATIONS("compact", compactMigrationSteps);

// ECMAScript Number::toString, which JCS prescribes for numbers.
std::string jsNumber(double value)
{
    if (!std::isfinite(value))
        return "null";
    if (value == 0)
        return "0";
    if (value == std::trunc(value) && std::fabs(value) < 1e21) {
        char buffer[40];
        std::snprintf(buffer, sizeof buffer, "%.0f", value);
        return buffer;
    }
    char buffer[64];
    const auto [end, ec] =
        std::to_chars(buffer, buffer + sizeof buffer, std::fabs(value), std::chars_format::scientific);
    if (ec != std::errc())
        return json(value).dump();
    const std::string text(buffer, end);
    const auto e = text.find('e');
    std::string digits;
    for (char c : text.substr(0, e)) {
        if (c != '.')
            digits.push_back(c);
    }
    const int k = static_cast<int>(digits.size());
    const int n = std::stoi(text.substr(e + 1)) + 1;
    std::string out = value < 0 ? "-" : "";
    if (k <= n && n <= 21)
        out += digits + std::string(static_cast<size_t>(n - k), '0');
    else if (0 < n && n <= 21)
        out += digits.substr(0, static_cast<size_t>(n)) + "." + digits.substr(static_cast<size_t>(n));
    else if (-6 < n && n <= 0)
        out += "0." + std::string(static_cast<size_t>(-n), '0') + digits;
    else {
        out += digits.substr(0, 1);
        if (k > 1)
            out += "." + digits.substr(1);
        out += (n - 1 >= 0 ? "e+" : "e-") + std::to_string(std::abs(n - 1));
    }
    return out;
}

// JCS orders members by their names as UTF-16 code units.
std::u16string utf16(const std::string &text)
{
    return QString::fromStdString(text).toStdU16String();
}

void serialize(const json &value, std::string &out)
{
    switch (value.type()) {
    case json::value_t::object: {
        std::vector<std::pair<std::u16string, const std::string *>> keys;
        for (auto it = value.begin(); it != value.end(); ++it)
            keys.emplace_back(utf16(it.key()), &it.key());
        std::sort(keys.begin(), keys.end());
        out.push_back('{');
        bool first = true;
        for (const auto &[sortKey, key] : keys) {
            if (!first)
                out.push_back(',');
            first = false;
            out += json(*key).dump(-1, ' ', false);
            out.push_back(':');
            serialize(value.at(*key), out);
        }
        out.push_back('}');
        break;
    }
    case json::value_t::array: {
        out.push_back('[');
        for (size_t i = 0; i < value.size(); ++i) {
            if (i)
                out.push_back(',');
            serialize(value[i], out);
        }
        out.push_back(']');
        break;
    }
    case json::value_t::number_float:
        out += jsNumber(value.get<double>());
        break;
    default:
        // Strings (nlohmann escapes exactly what JCS escapes, lower-case \u00xx), integers, booleans, null.
        out += value.dump(-1, ' ', false);
        break;
    }
}

} // namespace

bool CompactProposalStore::insert(QSqlDatabase &db, const std::string &principalId,
                                  const CompactRecord &record, const QDateTime &now, QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    return execute(
        q,
        QStringLiteral("INSERT INTO compact_proposals (principal_id, proposal_id, parent_proposal_id, "
                       "successor_id, brand_json, terms_json, terms_digest, created_at) VALUES "
                       "(?, ?, ?, ?, ?, ?, ?, ?)"),
        {qs(principalId), qs(record.proposalId),
         record.parentProposalId ? QVariant(qs(*record.parentProposalId)) : QVariant(),
         record.successorId ? QVariant(qs(*record.successorId)) : QVariant(), storage::toText(record.brand),
         storage::toText(record.commercialTerms), qs(record.termsDigest), storage::isoTime(now)},
        error);
}

std::optional<CompactRecord> CompactProposalStore::find(QSqlDatabase &db, const std::string &principalId,
                                                        const std::string &proposalId, QString *error)
{
    storage::Read q(
        db,
        QStringLiteral("SELECT parent_proposal_id, successor_id, brand_json, terms_json, terms_digest "
                       "FROM compact_proposals WHERE principal_id = ? AND proposal_id = ?"),
        {qs(principalId), qs(proposalId)}, error);
    if (!q)
        return std::nullopt;
    if (!q.next())
        return std::nullopt;
    CompactRecord r;
    r.proposalId = proposalId;
    if (!q.value(0).isNull())
        r.parentProposalId = ss(q.value(0).toString());
    if (!q.value(1).isNull())
        r.successorId = ss(q.value(1).toString());
    r.brand = storage::fromText(q.value(2).toString());
    r.commercialTerms = storage::fromText(q.value(3).toString());
    r.termsDigest = ss(q.value(4).toString());
    return r;
}

bool CompactProposalStore::setSuccessor(QSqlDatabase &db, const std::string &principalId,
                                        const std::string &proposalId, const std::string &successorId,
                                        QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    return execute(q,
                   QStringLiteral("UPDATE compact_proposals SET successor_id = ? WHERE principal_id = ? AND "
                                  "proposal_id = ?"),
                   {qs(successorId), qs(principalId), qs(proposalId)}, error);
}

namespace compact {

std::string canonicalJson(const json &value)
{
    std::string out;
    serialize(value, out);
    return out;
}

std::string termsDigest(const json &commercialTerms)
{
    const std::string text = canonicalJson(commercialTerms);
    const QByteArray hash = QCryptographicHash::hash(
        QByteArray(text.data(), static_cast<qsizetype>(text.size())), QCryptographicHash::Sha256);
    return "sha256:" +
           hash.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals).toStdString();
}

json canonicalPricingOption(const json &option)
{
    static const char *const kMembers[] = {
        "pricing_option_id", "pricing_model",         "currency",   "fixed_price", "floor_price",
        "price_guidance",    "min_spend_per_package", "parameters", "event_type",  "custom_event_name"};
    json out = json::object();
    for (const char *member : kMembers) {
        if (option.contains(member))
            out[member] = option[member];
    }
    return out;
}

json commercialTerms(const json &plan, const json &brand, const Catalog &catalog,
                     const QDateTime &defaultStart, const QDateTime &defaultEnd)
{
    const auto guidance = plan.value("total_budget_guidance", json::object());
    const std::string currency = guidance.value("currency", std::string("USD"));
    const double total = guidance.value("recommended", 0.0);
    std::string start = storage::isoTime(defaultStart).toStdString();
    std::string end = storage::isoTime(defaultEnd).toStdString();
    json purchases = json::array();
    for (const auto &allocation : plan.value("allocations", json::array())) {
        const Product *product = catalog.find(allocation.value("product_id", std::string()));
        if (!product)
            continue;
        const std::string optionId = allocation.value("pricing_option_id", std::string());
        const json *option = product->pricingOption(optionId);
        if (!option)
            option = &product->defaultPricingOption();
        if (allocation.contains("start_time") && allocation.contains("end_time")) {
            start = allocation["start_time"].get<std::string>();
            end = allocation["end_time"].get<std::string>();
        }
        purchases.push_back(
            {{"product_id", product->id},
             {"pricing_option_id", option->value("pricing_option_id", std::string())},
             {"pricing", canonicalPricingOption(*option)},
             {"budget", std::round(total * allocation.value("allocation_percentage", 0.0)) / 100.0},
             {"start_time", start},
             {"end_time", end}});
    }
    return {{"brand", brand},
            {"purchases", std::move(purchases)},
            {"start_time", start},
            {"end_time", end},
            {"total_budget", {{"amount", total}, {"currency", currency}}}};
}

json canonicalProposal(const StoredProposal &stored, const CompactRecord &record)
{
    json view = {{"proposal_id", stored.proposalId},
                 {"proposal_kind", "new_media_buy"},
                 {"proposal_status", stored.state == ProposalState::Committed  ? "committed"
                                     : stored.state == ProposalState::Consumed ? "accepted"
                                                                               : "draft"},
                 {"name", stored.current.value("name", std::string("Proposal"))},
                 {"commercial_terms", record.commercialTerms},
                 {"terms_digest", record.termsDigest},
                 {"expires_at", storage::isoTime(stored.expiresAt).toStdString()}};
    if (record.parentProposalId)
        view["parent_proposal_id"] = *record.parentProposalId;
    if (stored.opportunityId)
        view["opportunity_id"] = *stored.opportunityId;
    if (stored.mediaBuyId)
        view["media_buy_id"] = *stored.mediaBuyId;
    for (const char *member : {"brief_alignment", "insertion_order", "total_budget_guidance"}) {
        if (stored.current.contains(member))
            view[member] = stored.current[member];
    }
    return view;
}

json canonicalProduct(const Product &product, const std::string &relevance)
{
    json out = {{"product_id", product.id}, {"name", product.publicJson.value("name", product.id)}};
    for (const char *member : {"description", "publisher_properties", "channels", "delivery_type"}) {
        if (product.publicJson.contains(member))
            out[member] = product.publicJson[member];
    }
    if (json formats = productfeed::formatOptions(product); !formats.empty())
        out["format_options"] = std::move(formats);
    json options = json::array();
    for (const auto &option : product.publicJson.value("pricing_options", json::array()))
        options.push_back(canonicalPricingOption(option));
    if (!options.empty())
        out["pricing_options"] = std::move(options);
    if (!relevance.empty())
        out["brief_relevance"] = relevance;
    return out;
}

json mediaBuyActions(const std::string &status)
{
    json actions = json::array();
    if (isTerminalStatus(status))
        return actions;
    const auto add = [&actions](const char *task, const char *action) {
        actions.push_back({{"task", task}, {"action", action}, {"mode", "self_serve"}});
    };
    // Before delivery a pause is a hold; a paused buy resumes.
    add("control_media_buy", status == "paused" ? "resume" : "pause");
    for (const char *action : {"cancel", "update_name", "decrease_budget", "update_pacing",
                               "update_targeting", "update_reporting_webhook"})
        add("control_media_buy", action);
    for (const char *action : {"update_creative_assignments", "replace_creative"})
        add("sync_creatives", action);
    return actions;
}

json commitmentResult(const json &orderResult, json acceptedProposal, const json &purchases,
                      const QDateTime &acceptedAt)
{
    const std::string mediaBuyId = orderResult.at("media_buy_id").get<std::string>();
    const std::string status = orderResult.value("media_buy_status", std::string());
    acceptedProposal["proposal_status"] = "accepted";
    acceptedProposal["media_buy_id"] = mediaBuyId;
    acceptedProposal["accepted_at"] = storage::isoTime(acceptedAt).toStdString();
    json bindings = json::array();
    const auto &packages = orderResult.at("packages");
    for (size_t i = 0; i < packages.size() && i < purchases.size(); ++i)
        bindings.push_back({{"purchase_index", static_cast<int>(i)},
                            {"product_id", packages[i].at("product_id")},
                            {"package_id", packages[i].at("package_id")}});
    return {{"status", "completed"},
            {"media_buy_id", mediaBuyId},
            {"revision", orderResult.value("revision", 1)},
            {"media_buy_status", status},
            {"confirmed_at", orderResult.at("confirmed_at")},
            {"accepted_proposal", std::move(acceptedProposal)},
            {"purchase_bindings", std::move(bindings)},
            {"available_actions", mediaBuyActions(status)}};
}

CompactRecord acceptedRecord(const json &acceptedProposal)
{
    CompactRecord record;
    record.proposalId = acceptedProposal.at("proposal_id").get<std::string>();
    record.commercialTerms = acceptedProposal.at("commercial_terms");
    record.brand = record.commercialTerms.value("brand", json());
    record.termsDigest = acceptedProposal.at("terms_digest").get<std::string>();
    return record;
}

} // namespace compact
} // namespace adcp::seller
