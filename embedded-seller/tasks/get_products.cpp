#include "taskcontext.h"

#include "domain/briefranker.h"
#include "domain/catalog.h"
#include "domain/opportunitystore.h"
#include "domain/productfeed.h"
#include "domain/proposalengine.h"
#include "domain/proposalstore.h"
#include "jobs/taskstore.h"
#include "sandboxdirectives.h"
#include "storage/database.h"

#include <algorithm>
#include <map>
#include <set>

namespace adcp::seller {

using nlohmann::json;

namespace {

const std::set<std::string> kDeclineReasons = {
    "price",  "inventory_fit", "audience_fit",   "creative_unsupported", "measurement_unsupported",
    "policy", "timing",        "budget_changed", "selected_alternative", "other"};

std::string entryField(size_t index, const char *member = nullptr)
{
    std::string f = "refine[" + std::to_string(index) + "]";
    if (member)
        f += std::string(".") + member;
    return f;
}

std::string requestCurrency(const json &args)
{
    const auto filters = args.value("filters", json::object());
    const auto currencies =
        filters.is_object() ? filters.value("pricing_currencies", json::array()) : json::array();
    if (currencies.is_array() && !currencies.empty() && currencies[0].is_string())
        return currencies[0].get<std::string>();
    return "USD";
}

// One product of an answer: the catalog's product, with the brief's note on why it was picked when it has
// one.
struct Pick
{
    const Product *product = nullptr;
    std::optional<std::string> relevance;
};
using Picks = std::vector<Pick>;

// Products of `ids` as the buyer sees them, in catalog order, once each.
Picks productList(const Catalog &catalog, const std::set<std::string> &ids,
                  const std::map<std::string, std::string> &relevance = {})
{
    Picks list;
    for (const auto &p : catalog.products()) {
        if (!ids.contains(p.id))
            continue;
        Pick pick{&p, std::nullopt};
        if (auto it = relevance.find(p.id); it != relevance.end())
            pick.relevance = it->second;
        list.push_back(std::move(pick));
    }
    return list;
}

// The answer's `products` member, assembled from the text the Catalog prepared for each product
// (Product::publicMembers): the bytes these products' JSON objects would be written as, without a copy of a
// product or a serialization per call. A 3.2 caller (adcp_version 3.2 or later) reads canonical
// format_options on every product; the legacy format_ids stay beside them for older SDKs. 3.0/3.1 callers get
// the products of their release unchanged.
wire::PreparedMember productsMember(const Picks &picks, bool formatOptions)
{
    std::size_t bytes = 16;
    for (const auto &pick : picks)
        bytes += pick.product->answerTextBytes + 64;
    wire::PreparedMember member{"products", {}};
    member.piece.reserve(bytes);
    member.piece.append(R"("products":[)");
    std::vector<wire::PreparedMember> overrides; // in key order: brief_relevance, format_options
    for (std::size_t i = 0; i < picks.size(); ++i) {
        const Product &p = *picks[i].product;
        if (i > 0)
            member.piece.append(",");
        overrides.clear();
        if (picks[i].relevance)
            overrides.push_back(wire::prepareMember("brief_relevance", *picks[i].relevance));
        if (formatOptions && !p.formatOptionsMember.empty())
            overrides.push_back(p.formatOptionsMember.front());
        wire::appendObject(member.piece, p.publicMembers, overrides);
    }
    member.piece.append("]");
    return member;
}

std::optional<adcp::AdcpError> checkOpportunity(const json &args)
{
    const auto it = args.find("opportunity");
    if (it == args.end())
        return std::nullopt;
    return OpportunityStore::check(*it, "opportunity");
}

adcp::ToolOutcome databaseFailure(const QString &error)
{
    return failure("SERVICE_UNAVAILABLE", "the seller could not store the result: " + error.toStdString());
}

// ---- brief
// ---------------------------------------------------------------------------------------------------

adcp::ToolOutcome briefMode(TaskContext &task, const json &args, const std::vector<const Product *> &eligible,
                            Picks &products)
{
    const auto &catalog = *task.catalog;
    const std::string brief = args.value("brief", std::string());
    BriefTerms terms = parseBriefText(brief);
    // A budget given as a filter (a buyer's budget field) counts like one written in the brief.
    if (const auto filters = args.find("filters");
        !terms.budget && filters != args.end() && filters->is_object()) {
        const json range = filters->value("budget_range", json::object());
        if (range.is_object() && range.value("max", json()).is_number() && range["max"].get<double>() > 0)
            terms.budget = range["max"].get<double>();
    }
    const auto ranked = rankProducts(catalog, terms, task.now.date());

    std::vector<const RankedProduct *> matches;
    for (const auto &r : ranked) {
        const bool isEligible = std::find(eligible.begin(), eligible.end(), r.product) != eligible.end();
        if (isEligible && r.score > 0)
            matches.push_back(&r);
    }
    const bool specific = !matches.empty();
    if (!specific) {
        for (const auto &r : ranked) {
            if (std::find(eligible.begin(), eligible.end(), r.product) != eligible.end() &&
                matches.size() < 5)
                matches.push_back(&r);
        }
    }
    if (matches.size() > 8)
        matches.resize(8);

    // Best match first: buyers (and storyboards) take products[0] as the seller's top recommendation.
    for (const auto *m : matches)
        products.push_back({m->product, m->relevance});
    json result = {{"proposals", json::array()}};
    if (matches.empty())
        return adcp::ToolOutcome::success(std::move(result));

    const std::string currency = requestCurrency(args);
    std::vector<std::pair<std::string, std::vector<const RankedProduct *>>> plans;
    std::vector<const RankedProduct *> balanced(matches.begin(),
                                                matches.begin() + std::min<size_t>(4, matches.size()));
    plans.emplace_back("Balanced plan", balanced);
    if (specific && matches.size() >= 3)
        plans.emplace_back("Focused plan",
                           std::vector<const RankedProduct *>(matches.begin(), matches.begin() + 2));

    const std::string requestId = newId("req");
    const bool autoCommit = task.options.autoCommitOnIssue;
    std::optional<std::string> opportunityId;
    const auto opportunity = args.find("opportunity");
    if (opportunity != args.end())
        opportunityId = opportunity->at("opportunity_id").get<std::string>();
    std::vector<StoredProposal> issued;
    for (const auto &[name, picks] : plans) {
        StoredProposal p;
        p.principalId = task.principal.id;
        p.proposalId = newId("prop");
        p.requestId = requestId;
        p.opportunityId = opportunityId;
        const std::string description =
            name == "Balanced plan"
                ? "A mix of the best-matching products across the channels the brief names."
                : "The two strongest matches only, for a concentrated campaign.";
        p.current = proposals::build(name, description, picks, terms, currency);
        proposals::rebalance(p.current, catalog);
        if (autoCommit) {
            proposals::commit(p.current, catalog, p.proposalId, 1);
            p.state = ProposalState::Committed;
            p.expiresAt = task.now.addSecs(task.options.holdSeconds);
        } else {
            p.state = ProposalState::Draft;
            p.expiresAt = task.now.addSecs(task.options.draftLifetimeSeconds);
        }
        issued.push_back(std::move(p));
    }
    // Every brief writes its proposals: concurrent briefs share one commit (storage::groupWrite).
    QString error;
    std::vector<std::string> storedTexts(issued.size());
    const bool written = storage::groupWrite(
        task.db,
        [&](QSqlDatabase &db, QString *writeError) {
            if (opportunity != args.end() &&
                !OpportunityStore::upsert(db, task.principal.id, *opportunity, task.now, writeError))
                return false;
            for (size_t i = 0; i < issued.size(); ++i) {
                if (!ProposalStore::insert(db, issued[i], autoCommit ? "issued committed" : "issued",
                                           task.now, writeError, &storedTexts[i]))
                    return false;
            }
            return true;
        },
        &error);
    if (!written)
        return databaseFailure(error);
    // A new proposal's wire view is the document just stored (proposals::wireView differs only for a
    // consumed one): the answer carries the stored text, written once.
    result.erase("proposals");
    adcp::ToolOutcome outcome = adcp::ToolOutcome::success(std::move(result));
    wire::PreparedMember member{"proposals", {}};
    member.piece.append(R"("proposals":[)");
    for (size_t i = 0; i < storedTexts.size(); ++i) {
        if (i > 0)
            member.piece.append(",");
        member.piece.append(storedTexts[i]);
    }
    member.piece.append("]");
    outcome.prepared.push_back(std::move(member));
    return outcome;
}

// ---- refine
// --------------------------------------------------------------------------------------------------

struct WorkingProposal
{
    StoredProposal stored;
    bool changed = false;
    bool omitted = false;
    std::vector<std::string> causes;
};

// Shape rules of a refine array that need no stored state (decline members, finalize exclusivity, repeated
// ids). Run before schema validation as well, so that the error names the exact member.
std::optional<adcp::ToolOutcome> checkRefineEntries(const json &args)
{
    const auto &entries = args.at("refine");

    // Shape checks first: nothing is read or written for a malformed refine array.
    bool anyFinalize = false;
    std::set<std::string> seen;
    for (size_t i = 0; i < entries.size(); ++i) {
        const auto &e = entries[i];
        const std::string scope = e.value("scope", std::string());
        const std::string action = e.value("action", std::string("include"));
        if (scope == "proposal" && action == "finalize")
            anyFinalize = true;
        if (scope != "request" && scope != "product" && scope != "proposal")
            return failure("INVALID_REQUEST", "refine entries have scope request, product or proposal",
                           entryField(i, "scope"));
        if (scope == "product" && e.value("product_id", std::string()).empty())
            return failure("INVALID_REQUEST", "a product entry needs product_id",
                           entryField(i, "product_id"));
        if (scope == "proposal" && e.value("proposal_id", std::string()).empty())
            return failure("INVALID_REQUEST", "a proposal entry needs proposal_id",
                           entryField(i, "proposal_id"));
        if (scope == "request" && e.value("ask", std::string()).empty())
            return failure("INVALID_REQUEST", "a request entry needs an ask", entryField(i, "ask"));
        const std::string id = scope == "product"    ? "product:" + e.value("product_id", std::string())
                               : scope == "proposal" ? "proposal:" + e.value("proposal_id", std::string())
                                                     : std::string();
        if (!id.empty() && !seen.insert(id).second)
            return failure("INVALID_REQUEST", "the same id appears in two refine entries", entryField(i));
        if (action != "decline") {
            if (e.contains("reason"))
                return failure("INVALID_REQUEST", "reason belongs to action decline only",
                               entryField(i, "reason"));
            if (e.contains("detail"))
                return failure("INVALID_REQUEST", "detail belongs to action decline only",
                               entryField(i, "detail"));
            continue;
        }
        if (scope != "proposal")
            return failure("INVALID_REQUEST", "only proposals can be declined", entryField(i, "action"));
        if (!e.contains("proposal_version"))
            return failure("INVALID_REQUEST", "a decline names the proposal_version it declines",
                           entryField(i, "proposal_version"),
                           "send the proposal_version of the proposal you evaluated");
        if (!e.contains("reason"))
            return failure("INVALID_REQUEST", "a decline needs a reason", entryField(i, "reason"));
        const std::string reason = e.value("reason", std::string());
        if (!kDeclineReasons.contains(reason))
            return failure(
                "INVALID_REQUEST", "unknown decline reason '" + reason + "'", entryField(i, "reason"),
                "use one of price, inventory_fit, audience_fit, creative_unsupported, "
                "measurement_unsupported, policy, timing, budget_changed, selected_alternative, other");
        if (reason == "other" && e.value("detail", std::string()).empty())
            return failure("INVALID_REQUEST", "reason other needs a short detail", entryField(i, "detail"));
        if (e.value("detail", std::string()).size() > 500)
            return failure("INVALID_REQUEST", "detail is limited to 500 characters", entryField(i, "detail"));
    }
    if (anyFinalize) {
        for (size_t i = 0; i < entries.size(); ++i) {
            const auto &e = entries[i];
            if (e.value("scope", std::string()) != "proposal" ||
                e.value("action", std::string()) != "finalize")
                return failure(
                    "INVALID_REQUEST",
                    "finalize cannot be mixed with other refine entries: send the refinements first, "
                    "then a call with only finalize entries",
                    entryField(i));
        }
    }

    return std::nullopt;
}

adcp::ToolOutcome refineMode(TaskContext &task, const json &args, Picks &products)
{
    const auto &catalog = *task.catalog;
    const auto &entries = args.at("refine");
    if (auto error = checkRefineEntries(args))
        return *error;
    const bool anyFinalize = std::any_of(entries.begin(), entries.end(), [](const json &e) {
        return e.value("scope", std::string()) == "proposal" &&
               e.value("action", std::string()) == "finalize";
    });

    storage::WriteTransaction tx(task.db);
    QString error;
    if (!tx.begin(&error))
        return databaseFailure(error);
    if (auto it = args.find("opportunity"); it != args.end()) {
        if (!OpportunityStore::upsert(task.db, task.principal.id, *it, task.now, &error))
            return databaseFailure(error);
    }

    // Load every proposal the entries name. An unknown (or another principal's) id stops a finalize or a
    // decline; for include/omit it is answered "unable" like an unknown product.
    std::map<std::string, WorkingProposal> working;
    std::vector<std::string> order;
    std::set<size_t> unresolved;
    auto load = [&](const std::string &id) -> WorkingProposal * {
        if (auto it = working.find(id); it != working.end())
            return &it->second;
        auto found = ProposalStore::find(task.db, task.principal.id, id, &error);
        if (!found)
            return nullptr;
        order.push_back(id);
        return &working.emplace(id, WorkingProposal{std::move(*found)}).first->second;
    };
    for (size_t i = 0; i < entries.size(); ++i) {
        const auto &e = entries[i];
        const std::string scope = e.value("scope", std::string());
        const std::string action = e.value("action", std::string("include"));
        if (scope == "proposal" && !load(e.value("proposal_id", std::string()))) {
            if (!error.isEmpty())
                return databaseFailure(error);
            if (action == "finalize" || action == "decline")
                return failure("PROPOSAL_NOT_FOUND", "no such proposal", entryField(i, "proposal_id"),
                               "use a proposal_id from a get_products response of this account");
            unresolved.insert(i);
        } else if (scope == "product" && !catalog.find(e.value("product_id", std::string()))) {
            unresolved.insert(i);
        }
    }

    // Version checks of entries that name one.
    for (size_t i = 0; i < entries.size(); ++i) {
        const auto &e = entries[i];
        if (e.value("scope", std::string()) != "proposal" || !e.contains("proposal_version") ||
            unresolved.contains(i))
            continue;
        auto &w = working.at(e.value("proposal_id", std::string()));
        const auto number = versionNumber(e.value("proposal_version", std::string()));
        if (!number || *number > w.stored.version)
            return failure("PROPOSAL_NOT_FOUND", "this proposal has no such proposal_version",
                           entryField(i, "proposal_version"));
        const std::string action = e.value("action", std::string("include"));
        const bool alreadyDeclined = w.stored.state == ProposalState::Declined;
        if ((action == "finalize" || (action == "decline" && !alreadyDeclined)) &&
            *number != w.stored.version)
            return failure(
                "CONFLICT",
                "proposal_version " + e.value("proposal_version", std::string()) +
                    " is stale: the current version is " + versionLabel(w.stored.version),
                entryField(i, "proposal_version"),
                "re-read the proposal (get_products refine with action include) and act on its current "
                "proposal_version");
        w.stored.versioned = true;
        if (!ProposalStore::markVersioned(task.db, task.principal.id, w.stored.proposalId, &error))
            return databaseFailure(error);
    }

    json applied = json::array();
    const bool dropDeclineEcho = task.options.breaks("drop-decline-echo");
    auto appliedEntry = [dropDeclineEcho](const json &e, const std::string &status, const std::string &notes) {
        json a = {{"scope", e.value("scope", std::string())}, {"status", status}};
        if (e.contains("product_id"))
            a["product_id"] = e["product_id"];
        if (e.contains("proposal_id"))
            a["proposal_id"] = e["proposal_id"];
        // The versioned dialect: the acknowledgement names the version it acted on (a MUST for decline).
        if (e.contains("proposal_version") && !(dropDeclineEcho && e.value("action", std::string()) == "decline"))
            a["proposal_version"] = e["proposal_version"];
        if (!notes.empty())
            a["notes"] = notes;
        return a;
    };

    if (anyFinalize) {
        // All-or-nothing: every proposal is checked before any is committed.
        for (size_t i = 0; i < entries.size(); ++i) {
            const auto &w = working.at(entries[i].value("proposal_id", std::string()));
            const auto &s = w.stored;
            const std::string field = entryField(i, "proposal_id");
            if (s.state == ProposalState::Declined)
                return failure("INVALID_STATE", "this proposal was declined and cannot be finalized", field);
            if (s.state == ProposalState::Consuming || s.state == ProposalState::Consumed)
                return failure("INVALID_STATE", "this proposal has already been executed", field);
            if (s.expired(task.now))
                return failure("PROPOSAL_EXPIRED",
                               "this proposal expired at " + isoTime(s.expiresAt).toStdString(), field,
                               "request a fresh proposal with get_products");
        }
        for (size_t i = 0; i < entries.size(); ++i) {
            auto &w = working.at(entries[i].value("proposal_id", std::string()));
            if (w.stored.state == ProposalState::Committed) {
                applied.push_back(appliedEntry(entries[i], "applied",
                                               "already committed; held until " +
                                                   isoTime(w.stored.expiresAt).toStdString()));
                continue;
            }
            proposals::commit(w.stored.current, catalog, w.stored.proposalId, w.stored.version + 1);
            w.stored.state = ProposalState::Committed;
            w.stored.expiresAt = task.now.addSecs(task.options.holdSeconds);
            if (!ProposalStore::addVersion(task.db, w.stored, "finalize", task.now, &error))
                return databaseFailure(error);
            applied.push_back(appliedEntry(entries[i], "applied",
                                           "committed; inventory held until " +
                                               isoTime(w.stored.expiresAt).toStdString() +
                                               (w.stored.current.contains("insertion_order")
                                                    ? "; sign the insertion order before create_media_buy"
                                                    : "")));
        }
        if (!tx.commit(&error))
            return databaseFailure(error);
        json result = {{"proposals", json::array()}, {"refinement_applied", applied}};
        std::set<std::string> ids;
        for (const auto &id : order) {
            result["proposals"].push_back(proposals::wireView(working.at(id).stored));
            for (const auto &pid : proposals::productIds(working.at(id).stored.current))
                ids.insert(pid);
        }
        products = productList(catalog, ids);
        return adcp::ToolOutcome::success(std::move(result));
    }

    // Request-scope asks apply to the proposals this call names, else to the latest brief's open proposals.
    std::vector<std::string> targets;
    for (const auto &id : order)
        targets.push_back(id);
    const bool hasRequestScope = std::any_of(entries.begin(), entries.end(), [](const json &e) {
        return e.value("scope", std::string()) == "request" || e.value("scope", std::string()) == "product";
    });
    if (targets.empty() && hasRequestScope) {
        if (auto requestId = ProposalStore::latestOpenRequest(task.db, task.principal.id, task.now, &error)) {
            for (auto &p : ProposalStore::findByRequest(task.db, task.principal.id, *requestId, &error)) {
                if (p.state != ProposalState::Draft && p.state != ProposalState::Committed)
                    continue;
                const std::string id = p.proposalId;
                order.push_back(id);
                working.emplace(id, WorkingProposal{std::move(p)});
                targets.push_back(id);
            }
        }
    }

    std::set<std::string> includedProducts;
    std::set<std::string> omittedProducts;
    std::map<std::string, std::string> relevance;
    for (size_t i = 0; i < entries.size(); ++i) {
        const auto &e = entries[i];
        const std::string scope = e.value("scope", std::string());
        const std::string action = e.value("action", std::string("include"));
        if (unresolved.contains(i)) {
            applied.push_back(appliedEntry(e, "unable",
                                           scope == "product" ? "no such product in this seller's catalog"
                                                              : "no such proposal for this account"));
            continue;
        }
        if (scope == "request") {
            const std::string ask = e.value("ask", std::string());
            std::vector<std::string> notes;
            std::string status = "unable";
            int drafts = 0;
            for (const auto &id : targets) {
                auto &w = working.at(id);
                if (w.stored.state != ProposalState::Draft)
                    continue;
                ++drafts;
                auto outcome = proposals::applyAsk(w.stored.current, ask, catalog);
                if (outcome.changed) {
                    w.changed = true;
                    w.causes.push_back("request ask");
                }
                if (outcome.status == "applied" || (outcome.status == "partial" && status == "unable"))
                    status = outcome.status == "applied" && status != "partial" ? "applied" : "partial";
                notes.push_back(id + ": " + outcome.notes);
            }
            if (drafts == 0) {
                // No draft to revise: answer the ask with products ranked for it.
                const auto ranked = rankProducts(catalog, parseBriefText(ask), task.now.date());
                for (const auto &r : ranked) {
                    if (r.score > 0 && includedProducts.size() < 6) {
                        includedProducts.insert(r.product->id);
                        relevance[r.product->id] = r.relevance;
                    }
                }
                status = includedProducts.empty() ? "unable" : "partial";
                notes.push_back(
                    includedProducts.empty()
                        ? "no open draft proposal to revise and no product matches the ask"
                        : "no open draft proposal to revise; products ranked for the ask instead");
            }
            std::string joined;
            for (const auto &n : notes)
                joined += (joined.empty() ? "" : " ") + n;
            applied.push_back(appliedEntry(e, status, joined));
        } else if (scope == "product") {
            const std::string productId = e.value("product_id", std::string());
            if (action == "omit") {
                omittedProducts.insert(productId);
                std::string notes;
                for (const auto &id : targets) {
                    auto &w = working.at(id);
                    if (w.stored.state != ProposalState::Draft)
                        continue;
                    if (proposals::removeProduct(w.stored.current, productId, catalog)) {
                        w.changed = true;
                        w.causes.push_back("omit " + productId);
                    }
                }
                applied.push_back(appliedEntry(e, "applied", notes));
            } else if (action == "more_like_this") {
                const Product *base = catalog.find(productId);
                includedProducts.insert(productId);
                int added = 0;
                for (const auto &p : catalog.products()) {
                    if (p.id == productId || added >= 3)
                        continue;
                    const bool sameChannel =
                        std::any_of(base->channels.begin(), base->channels.end(),
                                    [&](const std::string &c) { return p.hasChannel(c); });
                    if (sameChannel) {
                        includedProducts.insert(p.id);
                        relevance[p.id] = "Similar to " + productId + ": same channel.";
                        ++added;
                    }
                }
                applied.push_back(appliedEntry(e, added ? "applied" : "partial",
                                               added ? std::to_string(added) + " similar products added"
                                                     : "no similar product in this catalog"));
            } else {
                includedProducts.insert(productId);
                applied.push_back(appliedEntry(e, e.contains("ask") ? "partial" : "applied",
                                               e.contains("ask")
                                                   ? "product returned; product terms are fixed by the "
                                                     "catalog, the ask was not applied"
                                                   : ""));
            }
        } else {
            auto &w = working.at(e.value("proposal_id", std::string()));
            if (action == "omit") {
                w.omitted = true;
                applied.push_back(appliedEntry(e, "applied", ""));
            } else if (action == "decline") {
                if (w.stored.state == ProposalState::Declined) {
                    applied.push_back(appliedEntry(e, "applied",
                                                   "already declined; the first reason (" +
                                                       w.stored.declineReason.value_or("") + ") is kept"));
                } else if (w.stored.state == ProposalState::Consuming ||
                           w.stored.state == ProposalState::Consumed) {
                    applied.push_back(appliedEntry(e, "unable",
                                                   "already executed as media buy " +
                                                       w.stored.mediaBuyId.value_or("(in progress)")));
                } else {
                    std::optional<std::string> detail;
                    if (e.contains("detail"))
                        detail = e.value("detail", std::string());
                    if (!ProposalStore::recordDecline(task.db, w.stored, e.value("reason", std::string()),
                                                      detail, task.now, &error))
                        return databaseFailure(error);
                    applied.push_back(appliedEntry(e, "applied", "declined"));
                }
            } else if (e.contains("ask")) {
                if (w.stored.state != ProposalState::Draft) {
                    applied.push_back(appliedEntry(e, "unable", "only draft proposals can be revised"));
                } else {
                    auto outcome =
                        proposals::applyAsk(w.stored.current, e.value("ask", std::string()), catalog);
                    if (outcome.changed) {
                        w.changed = true;
                        w.causes.push_back("proposal ask");
                    }
                    applied.push_back(appliedEntry(e, outcome.status, outcome.notes));
                }
            } else {
                applied.push_back(appliedEntry(e, "applied", ""));
            }
        }
    }

    json result = {{"proposals", json::array()}, {"refinement_applied", applied}};
    std::set<std::string> productIds = includedProducts;
    for (const auto &id : order) {
        auto &w = working.at(id);
        // A draft's pricing is indicative and fresh for a while: revising it, or asking again about one that
        // went stale, issues a new version that is fresh from now (else a stale draft could never be
        // finalized).
        if (w.stored.state == ProposalState::Draft && !w.omitted &&
            (w.changed || w.stored.expired(task.now))) {
            if (!w.changed)
                w.causes.push_back("fresh terms");
            w.changed = true;
            w.stored.expiresAt = task.now.addSecs(task.options.draftLifetimeSeconds);
        }
        if (w.changed) {
            std::string cause;
            for (const auto &c : w.causes)
                cause += (cause.empty() ? "" : ", ") + c;
            if (!ProposalStore::addVersion(task.db, w.stored, cause, task.now, &error))
                return databaseFailure(error);
        }
        if (w.omitted || w.stored.state == ProposalState::Declined)
            continue;
        result["proposals"].push_back(proposals::wireView(w.stored));
        for (const auto &pid : proposals::productIds(w.stored.current))
            productIds.insert(pid);
    }
    for (const auto &id : omittedProducts)
        productIds.erase(id);
    products = productList(catalog, productIds, relevance);
    if (!tx.commit(&error))
        return databaseFailure(error);
    return adcp::ToolOutcome::success(std::move(result));
}

// ---- open
// ----------------------------------------------------------------------------------------------------

// Re-reads the caller's unresolved proposals (draft or committed, not expired) without creating anything.
adcp::ToolOutcome openMode(TaskContext &task, const json &args, Picks &products)
{
    QString error;
    std::optional<std::string> opportunityId;
    if (auto it = args.find("opportunity"); it != args.end() && it->is_object())
        opportunityId = it->value("opportunity_id", std::string());
    storage::Read q(task.db,
                    QStringLiteral("SELECT proposal_id FROM proposals WHERE principal_id = ? AND status IN "
                                   "('draft', 'committed') AND expires_at >= ? ORDER BY created_at, "
                                   "proposal_id"),
                    {storage::qs(task.principal.id), storage::isoTimeMs(task.now)}, &error);
    if (!q)
        return databaseFailure(error);
    json result = {{"proposals", json::array()}};
    std::set<std::string> ids;
    while (q.next()) {
        auto p = ProposalStore::find(task.db, task.principal.id, q.value(0).toString().toStdString(), &error);
        if (!p || (opportunityId && p->opportunityId != opportunityId))
            continue;
        result["proposals"].push_back(proposals::wireView(*p));
        for (const auto &pid : proposals::productIds(p->current))
            ids.insert(pid);
    }
    products = productList(*task.catalog, ids);
    return adcp::ToolOutcome::success(std::move(result));
}

// The forced answer, consuming the directive: `rejected` with its reason (nothing is searched), or
// `submitted` under the chosen task id (a real task, which the controller's force_task_completion completes
// with the result it is given, delivered verbatim).
adcp::ToolOutcome forcedProductsAnswer(TaskContext &task, const SandboxDirectives::ProductsArm &arm,
                                       const json &request)
{
    QString error;
    storage::WriteTransaction tx(task.db);
    bool ok = tx.begin(&error) && SandboxDirectives::consumeProductsArm(task.db, task.principal.id, &error);
    json answer;
    if (arm.arm == "rejected") {
        answer = {{"status", "rejected"}, {"reason", arm.reason}};
        if (!arm.suggestions.empty())
            answer["suggestions"] = arm.suggestions;
    } else {
        answer = {{"status", "submitted"}, {"task_id", arm.taskId}};
        if (!arm.message.empty())
            answer["message"] = arm.message;
        ok = ok && TaskStore::create(task.db, task.principal.id, arm.taskId, "get_products", "submitted", {},
                                     request, answer, task.now, &error);
    }
    if (!ok || !tx.commit(&error))
        return databaseFailure(error);
    return adcp::ToolOutcome::success(std::move(answer));
}

} // namespace

// Request rules with precise fields; the Dispatcher runs this before schema validation too.
adcp::ToolOutcome checkGetProducts(TaskContext &, const json &args)
{
    const std::string mode = args.value("buying_mode", std::string());
    const bool hasBrief = args.contains("brief");
    const bool hasRefine = args.contains("refine");
    if (mode != "brief" && mode != "wholesale" && mode != "refine" && mode != "open")
        return failure("INVALID_REQUEST", "buying_mode must be brief, wholesale or refine", "buying_mode");
    if (mode == "brief" &&
        (!hasBrief || !args["brief"].is_string() || args["brief"].get<std::string>().empty()))
        return failure("INVALID_REQUEST", "buying_mode brief needs a brief", "brief");
    if (mode != "brief" && hasBrief)
        return failure("INVALID_REQUEST", "brief is only allowed with buying_mode brief", "brief");
    if (mode == "refine" && (!hasRefine || !args["refine"].is_array() || args["refine"].empty()))
        return failure("INVALID_REQUEST", "buying_mode refine needs a non-empty refine array", "refine");
    if (mode != "refine" && hasRefine)
        return failure("INVALID_REQUEST", "refine is only allowed with buying_mode refine", "refine");
    if (mode == "refine") {
        if (auto error = checkRefineEntries(args))
            return *error;
    }
    if (auto error = checkOpportunity(args))
        return failureWithErrors({*error});
    return adcp::ToolOutcome::success(json::object());
}

adcp::ToolOutcome getProducts(TaskContext &task, const json &args)
{
    if (auto checked = checkGetProducts(task, args); !checked.ok())
        return checked;
    const std::string mode = args.value("buying_mode", std::string());

    std::vector<const Product *> eligible;
    const json filters = args.value("filters", json::object());
    for (const auto &p : task.catalog->products()) {
        if (productfeed::matchesFilters(p, filters))
            eligible.push_back(&p);
    }

    const bool formatOptions = speaksTaskStatusEnvelope(args);
    if (mode == "wholesale") {
        std::set<std::string> ids;
        for (const auto *p : eligible)
            ids.insert(p->id);
        adcp::ToolOutcome outcome = adcp::ToolOutcome::success({{"cache_scope", "public"}});
        outcome.prepared.push_back(productsMember(productList(*task.catalog, ids), formatOptions));
        return outcome;
    }
    // A sandbox principal may have chosen how its next brief or refine is answered (force_get_products_arm).
    std::optional<SandboxDirectives::ProductsArm> forced;
    if (task.principal.sandbox && (mode == "brief" || mode == "refine"))
        forced = SandboxDirectives::pendingProductsArm(task.db, task.principal.id);
    if (forced)
        return forcedProductsAnswer(task, *forced, args);
    Picks products;
    auto outcome = mode == "brief"  ? briefMode(task, args, eligible, products)
                   : mode == "open" ? openMode(task, args, products)
                                    : refineMode(task, args, products);
    if (outcome.ok()) {
        // Proposals and their prices are this account's own.
        outcome.result["cache_scope"] = "account";
        outcome.prepared.push_back(productsMember(products, formatOptions));
        // Prepared members go in key order (a brief prepares its proposals as well).
        std::sort(outcome.prepared.begin(), outcome.prepared.end(),
                  [](const wire::PreparedMember &a, const wire::PreparedMember &b) { return a.key < b.key; });
    }
    return outcome;
}

} // namespace adcp::seller
