#include "taskcontext.h"

#include "domain/catalog.h"
#include "domain/compactproposals.h"
#include "domain/proposalengine.h"
#include "domain/proposalstore.h"
#include "storage/database.h"

#include <cmath>
#include <map>
#include <set>

namespace adcp::seller {

using nlohmann::json;

bool storeCompactProposal(TaskContext &task, StoredProposal &stored, CompactRecord &record,
                          const std::string &cause, QString *error);

namespace {

std::string entryField(size_t i, const char *member)
{
    return "refinements[" + std::to_string(i) + "]." + member;
}

std::string money(double value)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.2f", value);
    return buffer;
}

struct Source
{
    StoredProposal stored;
    CompactRecord record;
};

// What one revise entry did to a copy of the plan.
struct Revision
{
    json plan;
    std::vector<std::string> applied;
    std::vector<std::string> unsatisfiedConstraints;
    json unsatisfiedProductChanges = json::object();
    std::vector<std::string> unsupported;
    std::vector<std::string> uninterpreted;
    bool changed = false;
};

Revision revise(const json &entry, const json &plan, const Catalog &catalog)
{
    Revision r;
    r.plan = plan;
    const std::string currency =
        plan.value("total_budget_guidance", json::object()).value("currency", std::string("USD"));
    const auto constraints = entry.value("constraints", json::object());
    if (auto it = constraints.find("cpm"); it != constraints.end()) {
        const double ceiling = it->value("max", 0.0);
        if (it->value("currency", currency) != currency) {
            r.unsatisfiedConstraints.push_back("cpm");
        } else {
            const auto outcome = proposals::applyAsk(r.plan, "cpm " + money(ceiling), catalog);
            if (outcome.status == "unable")
                r.unsatisfiedConstraints.push_back("cpm");
            else {
                r.changed = r.changed || outcome.changed;
                r.applied.push_back("CPM at or below " + money(ceiling) + " " + currency);
            }
        }
    }
    if (auto it = constraints.find("total_budget"); it != constraints.end()) {
        auto &guidance = r.plan["total_budget_guidance"];
        const double minimum = guidance.value("min", 0.0);
        const double current = guidance.value("recommended", 0.0);
        const double low = it->value("min", 0.0);
        const double high = it->value("max", std::max(current, low));
        if (it->value("currency", currency) != currency || high < minimum || high < low) {
            r.unsatisfiedConstraints.push_back("total_budget");
        } else {
            const double target = std::clamp(current, std::max(low, minimum), high);
            guidance["recommended"] = target;
            proposals::rebalance(r.plan, catalog);
            r.changed = r.changed || target != current;
            r.applied.push_back("total budget " + money(target) + " " + currency);
        }
    }
    if (auto it = constraints.find("flight"); it != constraints.end()) {
        auto &allocations = r.plan["allocations"];
        std::string start = it->value("start_no_later_than", std::string());
        std::string end = it->value("end_no_earlier_than", std::string());
        if (!allocations.empty()) {
            if (start.empty())
                start = allocations[0].value("start_time", std::string());
            if (end.empty())
                end = allocations[0].value("end_time", std::string());
        }
        const QDateTime s = QDateTime::fromString(QString::fromStdString(start), Qt::ISODate);
        const QDateTime e = QDateTime::fromString(QString::fromStdString(end), Qt::ISODate);
        if (!s.isValid() || !e.isValid() || e <= s) {
            r.unsatisfiedConstraints.push_back("flight");
        } else {
            for (auto &allocation : allocations) {
                allocation["start_time"] = s.toUTC().toString(Qt::ISODate).toStdString();
                allocation["end_time"] = e.toUTC().toString(Qt::ISODate).toStdString();
            }
            r.changed = true;
            r.applied.push_back("flight " + start + " – " + end);
        }
    }
    // This seller publishes no delivery forecast, so an impressions floor cannot be planned against.
    if (constraints.contains("impressions"))
        r.unsupported.push_back("impressions");
    if (entry.contains("alternatives"))
        r.unsupported.push_back("alternatives");
    if (entry.contains("criteria"))
        r.unsupported.push_back("criteria");
    if (entry.value("change_kind", std::string("amendment")) == "cancellation")
        r.unsupported.push_back("change_kind");

    const json productChanges = entry.value("product_changes", json::object());
    for (const auto &[productId, action] : productChanges.items()) {
        auto &allocations = r.plan["allocations"];
        // Clang 14 cannot capture a structured binding, hence the named capture.
        const auto present =
            std::find_if(allocations.begin(), allocations.end(), [&id = productId](const json &a) {
                return a.value("product_id", std::string()) == id;
            });
        if (action == "omit") {
            if (present == allocations.end() || proposals::removeProduct(r.plan, productId, catalog)) {
                r.changed = r.changed || present != allocations.end();
                r.applied.push_back("without " + productId);
            } else {
                r.unsatisfiedProductChanges[productId] = action;
            }
            continue;
        }
        const Product *product = catalog.find(productId);
        if (present != allocations.end()) {
            r.applied.push_back(productId + " kept");
            continue;
        }
        if (!product) {
            r.unsatisfiedProductChanges[productId] = action;
            continue;
        }
        const json *option = nullptr;
        static const json kNone = json::array();
        const auto options = product->publicJson.find("pricing_options");
        for (const auto &candidate : options != product->publicJson.end() ? *options : kNone) {
            if (candidate.value("currency", std::string()) == currency) {
                option = &candidate;
                break;
            }
        }
        if (!option) {
            r.unsatisfiedProductChanges[productId] = action;
            continue;
        }
        allocations.push_back({{"product_id", productId},
                               {"allocation_percentage", 100.0 / static_cast<double>(allocations.size() + 1)},
                               {"pricing_option_id", option->value("pricing_option_id", std::string())},
                               {"rationale", "added at the buyer's request"}});
        if (!allocations.empty() && allocations[0].contains("start_time")) {
            allocations.back()["start_time"] = allocations[0]["start_time"];
            allocations.back()["end_time"] = allocations[0]["end_time"];
        }
        proposals::rebalance(r.plan, catalog);
        r.changed = true;
        r.applied.push_back("with " + productId);
    }
    if (auto it = entry.find("ask"); it != entry.end()) {
        const auto outcome = proposals::applyAsk(r.plan, it->get<std::string>(), catalog);
        if (outcome.status == "unable")
            r.uninterpreted.push_back(outcome.notes);
        else {
            r.changed = r.changed || outcome.changed;
            r.applied.push_back(outcome.notes);
        }
    }
    return r;
}

std::string joined(const std::vector<std::string> &parts)
{
    std::string out;
    for (const auto &p : parts) {
        if (!p.empty())
            out += (out.empty() ? "" : "; ") + p;
    }
    return out;
}

} // namespace

// Mixing finalize with revise is refused as a whole (the schema says so too, without naming the entry).
adcp::ToolOutcome checkRefineProposals(TaskContext &, const json &args)
{
    const auto entries = args.value("refinements", json::array());
    bool finalize = false;
    for (const auto &e : entries)
        finalize = finalize || (e.is_object() && e.value("action", std::string()) == "finalize");
    if (finalize) {
        for (size_t i = 0; i < entries.size(); ++i) {
            if (entries[i].is_object() && entries[i].value("action", std::string()) != "finalize")
                return failure("INVALID_REQUEST",
                               "a finalize request finalizes every entry; revise separately",
                               entryField(i, "action"));
        }
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].is_object() && !seen.insert(entries[i].value("proposal_id", std::string())).second)
            return failure("INVALID_REQUEST", "each proposal may appear once per request",
                           entryField(i, "proposal_id"));
    }
    return adcp::ToolOutcome::success(json::object());
}

adcp::ToolOutcome refineProposals(TaskContext &task, const json &args)
{
    if (auto checked = checkRefineProposals(task, args); !checked.ok())
        return checked;
    const auto &catalog = *task.catalog;
    const auto entries = args.at("refinements");
    const bool finalize = entries[0].value("action", std::string()) == "finalize";
    QString error;
    auto dbFailure = [&] {
        return failure("SERVICE_UNAVAILABLE",
                       "the seller could not store the refinement: " + error.toStdString(), std::nullopt,
                       "retry the same request");
    };

    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error))
        return dbFailure();

    // Sources first, all of them: any refusal leaves every proposal as it was.
    std::vector<Source> sources;
    for (size_t i = 0; i < entries.size(); ++i) {
        const std::string id = entries[i].value("proposal_id", std::string());
        const std::string field = entryField(i, "proposal_id");
        auto stored = ProposalStore::find(task.db, task.principal.id, id, &error);
        auto record =
            stored ? CompactProposalStore::find(task.db, task.principal.id, id, &error) : std::nullopt;
        if (!error.isEmpty())
            return dbFailure();
        if (!stored || !record)
            return failure("PROPOSAL_NOT_FOUND", "no such proposal", field,
                           "use a proposal_id from request_proposals or refine_proposals of this account");
        if (stored->state == ProposalState::Declined)
            return failure("INVALID_STATE", "proposal " + id + " was declined", field,
                           "request new proposals with request_proposals");
        if (stored->state == ProposalState::Consuming || stored->state == ProposalState::Consumed)
            return failure("INVALID_STATE", "proposal " + id + " has already been accepted", field,
                           "read the media buy with get_media_buys");
        if (finalize) {
            if (stored->state != ProposalState::Draft)
                return failure("INVALID_STATE",
                               "proposal " + id + " is already committed: finalize targets drafts", field,
                               "accept it with accept_proposal before its expires_at");
            if (stored->expired(task.now))
                return failure("PROPOSAL_EXPIRED",
                               "draft " + id + " went stale at " + isoTime(stored->expiresAt).toStdString(),
                               field, "request fresh proposals with request_proposals");
            if (record->successorId) {
                auto held = ProposalStore::find(task.db, task.principal.id, *record->successorId, &error);
                if (held && held->state != ProposalState::Declined && !held->expired(task.now))
                    return failure("INVALID_STATE",
                                   "draft " + id + " was already finalized as " + *record->successorId +
                                       ", held until " + isoTime(held->expiresAt).toStdString(),
                                   field, "accept or decline " + *record->successorId);
            }
        }
        sources.push_back({std::move(*stored), std::move(*record)});
    }

    json results = json::array();
    std::set<std::string> productIds;
    for (size_t i = 0; i < entries.size(); ++i) {
        auto &source = sources[i];
        const std::string sourceId = source.stored.proposalId;
        json result = {{"source_proposal_id", sourceId}};
        StoredProposal successor;
        successor.principalId = task.principal.id;
        successor.proposalId = newId("cp");
        successor.requestId = source.stored.requestId;
        successor.opportunityId = source.stored.opportunityId;
        CompactRecord record;
        record.brand = source.record.brand;
        record.parentProposalId = sourceId;
        record.commercialTerms = source.record.commercialTerms; // the flight carries over

        if (finalize) {
            successor.current = source.stored.current;
            proposals::commit(successor.current, catalog, successor.proposalId, 1);
            successor.state = ProposalState::Committed;
            successor.expiresAt = task.now.addSecs(task.options.holdSeconds);
            if (!storeCompactProposal(task, successor, record, "finalized from " + sourceId, &error) ||
                !CompactProposalStore::setSuccessor(task.db, task.principal.id, sourceId,
                                                    successor.proposalId, &error))
                return dbFailure();
            result["outcome"] = "finalized";
            result["proposal"] = compact::canonicalProposal(successor, record);
        } else if (source.stored.expired(task.now)) {
            result["outcome"] = "unable";
            result["reason_code"] = "source_unavailable";
            result["reason"] =
                "proposal " + sourceId + " went stale at " + isoTime(source.stored.expiresAt).toStdString();
            result["suggestions"] = {"request fresh proposals with request_proposals"};
        } else {
            Revision r = revise(entries[i], source.stored.current, catalog);
            const bool refusedConstraint =
                !r.unsatisfiedConstraints.empty() || !r.unsatisfiedProductChanges.empty();
            const std::string reasonCode = refusedConstraint        ? "constraint_unsatisfiable"
                                           : !r.unsupported.empty() ? "unsupported_dimension"
                                                                    : "uninterpreted";
            std::vector<std::string> refused;
            for (const auto &c : r.unsatisfiedConstraints)
                refused.push_back("the " + c + " constraint cannot be met");
            for (const auto &[id, action] : r.unsatisfiedProductChanges.items())
                refused.push_back(action.get<std::string>() + " " + id + " is not possible");
            for (const auto &d : r.unsupported)
                refused.push_back(d + " is not offered by this seller");
            for (const auto &u : r.uninterpreted)
                refused.push_back(u.empty() ? std::string("the ask was not understood") : u);
            const bool anyRefused = !refused.empty();
            if (anyRefused) {
                result["reason_code"] = reasonCode;
                result["reason"] = joined(refused);
                if (!r.unsatisfiedConstraints.empty())
                    result["unsatisfied_constraints"] = r.unsatisfiedConstraints;
                if (!r.unsatisfiedProductChanges.empty())
                    result["unsatisfied_product_changes"] = r.unsatisfiedProductChanges;
            }
            if (anyRefused && !r.changed) {
                result["outcome"] = "unable";
            } else {
                successor.current = std::move(r.plan);
                successor.state = ProposalState::Draft;
                successor.expiresAt = task.now.addSecs(task.options.draftLifetimeSeconds);
                if (!storeCompactProposal(task, successor, record, "revised from " + sourceId, &error))
                    return dbFailure();
                result["outcome"] = anyRefused ? "partial" : "revised";
                result["proposals"] = json::array({compact::canonicalProposal(successor, record)});
            }
        }
        if (successor.current.is_object()) {
            for (const auto &id : proposals::productIds(successor.current))
                productIds.insert(id);
        }
        results.push_back(std::move(result));
    }
    if (!tx.commit(&error))
        return dbFailure();
    json products = json::array();
    for (const auto &p : catalog.products()) {
        if (productIds.contains(p.id))
            products.push_back(compact::canonicalProduct(p, std::string()));
    }
    return adcp::ToolOutcome::success({{"results", std::move(results)}, {"products", std::move(products)}});
}

} // namespace adcp::seller
