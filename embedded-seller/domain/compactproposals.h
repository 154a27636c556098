#pragma once

#include "proposalstore.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace adcp::seller {

class Catalog;
struct Product;

// What the 3.2 compact dialect adds to a stored proposal (table compact_proposals): every compact proposal is
// an immutable snapshot with its own id, so a revise or finalize stores a successor that names its parent.
// The plan itself (allocations, insertion order, hold) stays in ProposalStore, which the create_media_buy
// order path executes.
struct CompactRecord
{
    std::string proposalId;
    std::optional<std::string> parentProposalId;
    std::optional<std::string> successorId; // the committed successor a finalize of this draft produced
    nlohmann::json brand;
    nlohmann::json commercialTerms;
    std::string termsDigest;
};

class CompactProposalStore final
{
public:
    static bool insert(QSqlDatabase &db, const std::string &principalId, const CompactRecord &record,
                       const QDateTime &now, QString *error);
    static std::optional<CompactRecord> find(QSqlDatabase &db, const std::string &principalId,
                                             const std::string &proposalId, QString *error);
    static bool setSuccessor(QSqlDatabase &db, const std::string &principalId, const std::string &proposalId,
                             const std::string &successorId, QString *error);
};

namespace compact {

// RFC 8785 (JCS) serialization: sorted keys, no whitespace, ECMAScript number form.
std::string canonicalJson(const nlohmann::json &value);
// "sha256:" + base64url (no padding) of SHA-256 over the JCS form of `commercialTerms`.
std::string termsDigest(const nlohmann::json &commercialTerms);

// The commercial terms of a plan (facade Proposal JSON): one purchase per allocation with its pinned
// pricing option and share of the recommended budget, the flight of the plan or `defaultStart`/`defaultEnd`.
nlohmann::json commercialTerms(const nlohmann::json &plan, const nlohmann::json &brand,
                               const Catalog &catalog, const QDateTime &defaultStart,
                               const QDateTime &defaultEnd);

// The canonical-proposal object of a stored compact proposal.
nlohmann::json canonicalProposal(const StoredProposal &stored, const CompactRecord &record);

// A catalog product as a canonical-product object: the members both shapes share plus the canonical
// format_options its format_ids map to (productfeed::formatOptions).
nlohmann::json canonicalProduct(const Product &product, const std::string &relevance);

// The canonical form of a pricing option (members canonical-pricing-option knows).
nlohmann::json canonicalPricingOption(const nlohmann::json &option);

// What a buyer can do next with a media buy in `status`, as canonical-media-buy-action objects of the tools
// this seller serves (control_media_buy, sync_creatives). Terminal buys have none.
nlohmann::json mediaBuyActions(const std::string &status);

// The committed-buy answer of accept_proposal and buy_products (media-buy-commitment-response) from the
// create_media_buy order path's success result and the accepted proposal snapshot (proposal_status
// accepted, media_buy_id set by this call): one purchase binding per package, in purchase order.
nlohmann::json commitmentResult(const nlohmann::json &orderResult, nlohmann::json acceptedProposal,
                                const nlohmann::json &purchases, const QDateTime &acceptedAt);

// The record compact_proposals keeps of an accepted proposal snapshot ({proposal_id, commercial_terms,
// terms_digest, …}, as commitmentResult takes it): the brand is the terms'.
CompactRecord acceptedRecord(const nlohmann::json &acceptedProposal);

} // namespace compact
} // namespace adcp::seller
