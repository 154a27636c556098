#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "adcperror.h"

namespace adcp::seller {

// The buyer's CRM audiences (sync_audiences). An audience is a dependency resource of type "audience"
// (monitoring/dependencyhealth.h keeps its status, name and detail), so the buys that target it see its
// suspension as an impairment; its members are rows of their own, one per external_id with the identifier
// types it came with and whether each matched this seller's user graph.
//
// Matching is simulated but deterministic: whether an identifier matches is a function of its type and value
// alone (a stable hash against a per-type rate), so the same upload always gives the same counts.
namespace audiences {

// Matched members an audience needs before it can be targeted (declared in capabilities as
// media_buy.audience_targeting.minimum_audience_size). Suppression lists are exempt.
inline constexpr int kMinimumSize = 100;
// Members one audience may add or remove in one call (the spec recommends chunking above this).
inline constexpr int kMaxMembersPerCall = 100000;

// Whether an identifier of `type` with `value` matches (hashed_email, hashed_phone or a uid type).
bool identifierMatches(const std::string &type, const std::string &value);

struct Counts
{
    int members = 0; // current members (deduplicated by external_id)
    int matched = 0;
    // id_type → (submitted, matched) over the current members
    std::vector<std::tuple<std::string, int, int>> byType;
};

// Members of one audience as they stand.
std::optional<Counts> counts(QSqlDatabase &db, const std::string &principalId, const std::string &audienceId,
                             QString *error);

// Adds (or replaces, by external_id) members; returns how many were given. `members` are
// core/audience-member.json objects, already schema-checked.
bool addMembers(QSqlDatabase &db, const std::string &principalId, const std::string &audienceId,
                const nlohmann::json &members, QString *error);
bool removeMembers(QSqlDatabase &db, const std::string &principalId, const std::string &audienceId,
                   const nlohmann::json &members, QString *error);
bool deleteAudience(QSqlDatabase &db, const std::string &principalId, const std::string &audienceId,
                    QString *error);

// The status matching gives an audience with these counts (suppression lists are ready at any size).
std::string matchedStatus(const std::string &audienceType, const Counts &counts);

// Audience ids of the principal, in id order; with `accountId`, only that account's.
std::vector<std::string> audienceIds(QSqlDatabase &db, const std::string &principalId,
                                     const std::optional<std::string> &accountId, QString *error);

// AUDIENCE_TOO_SMALL for each audience a package's targeting includes that is synced and too small, naming
// the member (`fieldBase` + ".audience_include[i]").
std::vector<adcp::AdcpError> checkTargeting(QSqlDatabase &db, const std::string &principalId,
                                            const nlohmann::json &targetingOverlay,
                                            const std::string &fieldBase);

} // namespace audiences
} // namespace adcp::seller
