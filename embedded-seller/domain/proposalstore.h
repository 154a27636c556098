#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace adcp::seller {

// Seller-side proposal state. `consuming` is the short reservation of create_media_buy; `expired` is computed
// (now > expires_at), never stored.
enum class ProposalState { Draft, Committed, Consuming, Consumed, Declined };
std::string toString(ProposalState state);
std::optional<ProposalState> proposalStateFromString(const std::string &text);

struct StoredProposal
{
    std::string principalId;
    std::string proposalId;
    std::string requestId; // the get_products brief call that issued it
    int version = 0;
    ProposalState state = ProposalState::Draft;
    bool versioned = false; // the buyer has handled it through versioned entries
    QDateTime expiresAt;
    std::optional<std::string> opportunityId;
    std::optional<std::string> mediaBuyId;
    std::optional<int> declinedVersion;
    std::optional<std::string> declineReason;
    std::optional<std::string> declineDetail;
    nlohmann::json current; // the Proposal object of the current version

    bool expired(const QDateTime &now) const { return expiresAt < now; }
};

struct ProposalVersion
{
    int version = 0;
    std::string status;
    std::string cause;
    QDateTime createdAt;
    nlohmann::json proposal;
};

std::string versionLabel(int version); // the opaque proposal_version ("v3")
std::optional<int> versionNumber(const std::string &label);

// Every change to a proposal is a new row in proposal_versions; earlier versions stay readable.
class ProposalStore final
{
public:
    static std::optional<StoredProposal> find(QSqlDatabase &db, const std::string &principalId,
                                              const std::string &proposalId, QString *error);
    // The principal's proposals issued by one get_products brief call, oldest first.
    static std::vector<StoredProposal> findByRequest(QSqlDatabase &db, const std::string &principalId,
                                                     const std::string &requestId, QString *error);
    // The request id of the principal's latest brief call that still has a draft or committed proposal.
    static std::optional<std::string> latestOpenRequest(QSqlDatabase &db, const std::string &principalId,
                                                        const QDateTime &now, QString *error);
    static std::vector<ProposalVersion> versions(QSqlDatabase &db, const std::string &principalId,
                                                 const std::string &proposalId, QString *error);

    // Inserts version 1 (sets proposal_version and proposal_status inside `proposal.current`). `storedText`,
    // when given, receives the document as stored (compact JSON of `proposal.current`).
    static bool insert(QSqlDatabase &db, StoredProposal &proposal, const std::string &cause,
                       const QDateTime &now, QString *error, std::string *storedText = nullptr);
    // Stores `proposal.current` as the next version with the proposal's state and expiry.
    static bool addVersion(QSqlDatabase &db, StoredProposal &proposal, const std::string &cause,
                           const QDateTime &now, QString *error);
    static bool markVersioned(QSqlDatabase &db, const std::string &principalId, const std::string &proposalId,
                              QString *error);
    static bool recordDecline(QSqlDatabase &db, StoredProposal &proposal, const std::string &reason,
                              const std::optional<std::string> &detail, const QDateTime &now, QString *error);

    // committed → consuming, atomically: true only for the one caller that changed the row.
    static bool reserve(QSqlDatabase &db, const std::string &principalId, const std::string &proposalId,
                        int version, const QDateTime &now, QString *error);
    // consuming → committed (the order could not be stored).
    static bool release(QSqlDatabase &db, const std::string &principalId, const std::string &proposalId,
                        const QDateTime &now, QString *error);
    // consuming → consumed with the media buy that executed it.
    static bool consume(QSqlDatabase &db, const std::string &principalId, const std::string &proposalId,
                        const std::string &mediaBuyId, const QDateTime &now, QString *error);
};

} // namespace adcp::seller
