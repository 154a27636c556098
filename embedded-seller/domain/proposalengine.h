#pragma once

#include "briefranker.h"
#include "proposalstore.h"

#include <QDateTime>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace adcp::seller {

class Catalog;

// Builds and revises the Proposal objects the seller issues. Pure functions over JSON and the catalog;
// storage and versioning are ProposalStore's job.
namespace proposals {

// A plan over `picks` (best first): allocation percentages follow the ranking scores and sum to 100, each
// allocation names its pricing option, budget guidance keeps every package above its minimum spend.
nlohmann::json build(const std::string &name, const std::string &description,
                     const std::vector<const RankedProduct *> &picks, const BriefTerms &terms,
                     const std::string &currency);

// Rescales allocation percentages to sum exactly 100 and recomputes budget guidance.
void rebalance(nlohmann::json &proposal, const Catalog &catalog);
std::vector<std::string> productIds(const nlohmann::json &proposal);
bool removeProduct(nlohmann::json &proposal, const std::string &productId, const Catalog &catalog);

struct AskOutcome
{
    std::string status = "applied"; // applied | partial | unable
    std::string notes;
    bool changed = false;
};

// A request-scope (or proposal-scope) ask in words. Understood: a total budget, a CPM ceiling, channels to
// add, favour, keep exclusively or drop, and a flight (two ISO dates). Anything else is answered as not
// applied.
AskOutcome applyAsk(nlohmann::json &proposal, const std::string &ask, const Catalog &catalog);

// Makes a draft firm: pricing options pinned, and an insertion order to sign when a product requires one.
void commit(nlohmann::json &proposal, const Catalog &catalog, const std::string &proposalId, int version);

// The proposal as the buyer sees it now (status reflects acceptance).
nlohmann::json wireView(const StoredProposal &proposal);
nlohmann::json wireView(StoredProposal &&proposal); // moves the proposal's JSON out instead of copying it

} // namespace proposals
} // namespace adcp::seller
