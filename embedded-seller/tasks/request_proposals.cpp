#include "taskcontext.h"

#include "domain/briefranker.h"
#include "domain/catalog.h"
#include "domain/compactproposals.h"
#include "domain/opportunitystore.h"
#include "domain/proposalengine.h"
#include "domain/proposalstore.h"
#include "storage/database.h"

namespace adcp::seller {

using nlohmann::json;

namespace {

// The flight a plan gets when the brief names none: from tomorrow, four weeks.
std::pair<QDateTime, QDateTime> defaultFlight(const QDateTime &now)
{
    const QDateTime start(now.toUTC().date().addDays(1), QTime(0, 0), Qt::UTC);
    return {start, start.addDays(28).addSecs(-1)};
}

} // namespace

// Stores one compact draft: the plan in ProposalStore (so the order path can execute it later) and its
// commercial terms, digest and parent in compact_proposals. Shared with refine_proposals.
bool storeCompactProposal(TaskContext &task, StoredProposal &stored, CompactRecord &record,
                          const std::string &cause, QString *error)
{
    // A successor keeps its parent's flight (record.commercialTerms holds the parent's terms then).
    auto [start, end] = defaultFlight(task.now);
    if (record.commercialTerms.is_object()) {
        const auto parse = [](const json &v) {
            return v.is_string()
                       ? QDateTime::fromString(QString::fromStdString(v.get<std::string>()), Qt::ISODate)
                       : QDateTime();
        };
        const QDateTime s = parse(record.commercialTerms.value("start_time", json()));
        const QDateTime e = parse(record.commercialTerms.value("end_time", json()));
        if (s.isValid() && e.isValid()) {
            start = s;
            end = e;
        }
    }
    record.proposalId = stored.proposalId;
    record.commercialTerms =
        compact::commercialTerms(stored.current, record.brand, *task.catalog, start, end);
    record.termsDigest = compact::termsDigest(record.commercialTerms);
    return ProposalStore::insert(task.db, stored, cause, task.now, error) &&
           CompactProposalStore::insert(task.db, task.principal.id, record, task.now, error);
}

adcp::ToolOutcome requestProposals(TaskContext &task, const json &args)
{
    const auto &catalog = *task.catalog;
    const std::string brief = args.value("brief", std::string());
    const BriefTerms terms = parseBriefText(brief);
    const auto ranked = rankProducts(catalog, terms, task.now.date());

    std::vector<const RankedProduct *> matches;
    for (const auto &r : ranked) {
        if (r.score > 0 && matches.size() < 8)
            matches.push_back(&r);
    }
    // A brief nothing in the catalog answers is declined in the outcome, not failed: the call itself was
    // fine.
    if (matches.empty())
        return adcp::ToolOutcome::success({{"outcome", "rejected"},
                                           {"reason", "nothing this seller sells matches the brief"},
                                           {"suggestions",
                                            {"name a channel (display, online video, CTV, audio, DOOH) or an "
                                             "audience, context or geography"}}});

    json brand =
        args.contains("brand") ? args["brand"] : args.value("account", json::object()).value("brand", json());
    if (!brand.is_object())
        return failure("INVALID_REQUEST", "request_proposals needs the brand the plan is for", "brand");

    std::vector<std::pair<std::string, std::vector<const RankedProduct *>>> plans;
    plans.emplace_back("Balanced plan",
                       std::vector<const RankedProduct *>(
                           matches.begin(), matches.begin() + std::min<size_t>(4, matches.size())));
    if (matches.size() >= 3)
        plans.emplace_back("Focused plan",
                           std::vector<const RankedProduct *>(matches.begin(), matches.begin() + 2));

    const std::string requestId = newId("rp");
    storage::WriteTransaction tx(task.db);
    QString error;
    auto dbFailure = [&] {
        return failure("SERVICE_UNAVAILABLE",
                       "the seller could not store the proposals: " + error.toStdString(), std::nullopt,
                       "retry the same request");
    };
    if (!tx.begin(&error))
        return dbFailure();
    std::optional<std::string> opportunityId;
    if (auto it = args.find("opportunity"); it != args.end()) {
        if (auto problem = OpportunityStore::check(*it, "opportunity"))
            return failureWithErrors({*problem});
        if (!OpportunityStore::upsert(task.db, task.principal.id, *it, task.now, &error))
            return dbFailure();
        opportunityId = it->at("opportunity_id").get<std::string>();
    }
    json result = {{"outcome", "proposed"}, {"proposals", json::array()}, {"products", json::array()}};
    for (const auto &[name, picks] : plans) {
        StoredProposal stored;
        stored.principalId = task.principal.id;
        stored.proposalId = newId("cp");
        stored.requestId = requestId;
        stored.opportunityId = opportunityId;
        stored.state = ProposalState::Draft;
        stored.expiresAt = task.now.addSecs(task.options.draftLifetimeSeconds);
        const std::string description =
            name == "Balanced plan"
                ? "A mix of the best-matching products across the channels the brief names."
                : "The two strongest matches only, for a concentrated campaign.";
        stored.current = proposals::build(name, description, picks, terms, "USD");
        proposals::rebalance(stored.current, catalog);
        CompactRecord record;
        record.brand = brand;
        if (!storeCompactProposal(task, stored, record, "requested", &error))
            return dbFailure();
        result["proposals"].push_back(compact::canonicalProposal(stored, record));
    }
    if (!tx.commit(&error))
        return dbFailure();
    for (const auto *m : matches)
        result["products"].push_back(compact::canonicalProduct(*m->product, m->relevance));
    return adcp::ToolOutcome::success(std::move(result));
}

} // namespace adcp::seller
