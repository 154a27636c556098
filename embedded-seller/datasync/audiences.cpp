#include "audiences.h"

#include "monitoring/dependencyhealth.h"
#include "storage/database.h"
#include "wire/jsonread.h"

#include <QSqlQuery>

#include <cstdint>
#include <map>

namespace adcp::seller::audiences {

using nlohmann::json;
using storage::execute;
using storage::qs;

namespace {

// FNV-1a, 64 bit: stable across runs, builds and platforms (unlike std::hash or a seeded qHash).
std::uint64_t fnv1a(const std::string &text)
{
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

// Of 100 identifiers of each type, how many this seller's simulated user graph knows.
int matchRatePercent(const std::string &type)
{
    if (type == "hashed_email")
        return 72;
    if (type == "hashed_phone")
        return 58;
    if (type == "maid" || type == "uid2" || type == "rampid" || type == "rampid_derived" || type == "id5" ||
        type == "euid")
        return 81;
    return 35;
}

// The match-breakdown id type a uid type reports under (the breakdown's enum is narrower than uid-type's).
std::string breakdownType(const std::string &uidType)
{
    static const char *const kept[] = {"hashed_email", "rampid", "id5", "uid2", "euid", "pairid", "maid"};
    for (const char *k : kept)
        if (uidType == k)
            return uidType;
    return "other";
}

// (id_type, matched) for each identifier of a member.
std::vector<std::pair<std::string, bool>> identifiersOf(const json &member)
{
    std::vector<std::pair<std::string, bool>> ids;
    for (const char *type : {"hashed_email", "hashed_phone"}) {
        if (auto it = member.find(type); it != member.end() && it->is_string())
            ids.emplace_back(type, identifierMatches(type, it->get<std::string>()));
    }
    if (auto uids = member.find("uids"); uids != member.end() && uids->is_array()) {
        for (const auto &uid : *uids) {
            const std::string type = wire::JsonRef(uid)["type"].string().valueOr({});
            const std::string value = wire::JsonRef(uid)["value"].string().valueOr({});
            if (!type.empty())
                ids.emplace_back(breakdownType(type), identifierMatches(type, value));
        }
    }
    return ids;
}

} // namespace

bool identifierMatches(const std::string &type, const std::string &value)
{
    return int(fnv1a(type + ':' + value) % 100) < matchRatePercent(type);
}

std::optional<Counts> counts(QSqlDatabase &db, const std::string &principalId, const std::string &audienceId,
                             QString *error)
{
    Counts c;
    QSqlQuery q(storage::connectionFor(db));
    if (!execute(q,
                 QStringLiteral("SELECT COUNT(*), COALESCE(SUM(matched), 0) FROM data_audience_members "
                                "WHERE principal_id = ? AND audience_id = ?"),
                 {qs(principalId), qs(audienceId)}, error) ||
        !q.next())
        return std::nullopt;
    c.members = q.value(0).toInt();
    c.matched = q.value(1).toInt();
    if (!execute(q,
                 QStringLiteral("SELECT id_type, COUNT(*), COALESCE(SUM(matched), 0) FROM "
                                "data_audience_identifiers WHERE principal_id = ? AND audience_id = ? "
                                "GROUP BY id_type ORDER BY id_type"),
                 {qs(principalId), qs(audienceId)}, error))
        return std::nullopt;
    while (q.next())
        c.byType.emplace_back(q.value(0).toString().toStdString(), q.value(1).toInt(), q.value(2).toInt());
    return c;
}

bool addMembers(QSqlDatabase &db, const std::string &principalId, const std::string &audienceId,
                const json &members, QString *error)
{
    for (const auto &member : members) {
        const std::string externalId = wire::JsonRef(member)["external_id"].string().valueOr({});
        if (externalId.empty())
            continue;
        const auto ids = identifiersOf(member);
        bool matched = false;
        for (const auto &id : ids)
            matched = matched || id.second;
        // A member sent again replaces its identifiers (the buyer's record changed).
        if (!storage::write(db,
                            QStringLiteral("DELETE FROM data_audience_identifiers WHERE principal_id = ? AND "
                                           "audience_id = ? AND external_id = ?"),
                            {qs(principalId), qs(audienceId), qs(externalId)}, error) ||
            !storage::write(db,
                            QStringLiteral("INSERT OR REPLACE INTO data_audience_members (principal_id, "
                                           "audience_id, external_id, matched) VALUES (?, ?, ?, ?)"),
                            {qs(principalId), qs(audienceId), qs(externalId), matched ? 1 : 0}, error))
            return false;
        std::map<std::string, bool> byType; // one row per type: matched if any identifier of it matched
        for (const auto &[type, hit] : ids)
            byType[type] = byType[type] || hit;
        for (const auto &[type, hit] : byType) {
            if (!storage::write(db,
                                QStringLiteral("INSERT INTO data_audience_identifiers (principal_id, "
                                               "audience_id, external_id, id_type, matched) VALUES (?, ?, ?, "
                                               "?, ?)"),
                                {qs(principalId), qs(audienceId), qs(externalId), qs(type), hit ? 1 : 0},
                                error))
                return false;
        }
    }
    return true;
}

bool removeMembers(QSqlDatabase &db, const std::string &principalId, const std::string &audienceId,
                   const json &members, QString *error)
{
    for (const auto &member : members) {
        const std::string externalId = wire::JsonRef(member)["external_id"].string().valueOr({});
        for (const auto *sql :
             {"DELETE FROM data_audience_identifiers WHERE principal_id = ? AND audience_id = ? AND "
              "external_id = ?",
              "DELETE FROM data_audience_members WHERE principal_id = ? AND audience_id = ? AND external_id "
              "= ?"}) {
            if (!storage::write(db, QString::fromLatin1(sql),
                                {qs(principalId), qs(audienceId), qs(externalId)}, error))
                return false;
        }
    }
    return true;
}

bool deleteAudience(QSqlDatabase &db, const std::string &principalId, const std::string &audienceId,
                    QString *error)
{
    for (const auto *sql :
         {"DELETE FROM data_audience_identifiers WHERE principal_id = ? AND audience_id = ?",
          "DELETE FROM data_audience_members WHERE principal_id = ? AND audience_id = ?",
          "DELETE FROM mon_resources WHERE principal_id = ? AND resource_type = 'audience' AND resource_id = "
          "?"}) {
        if (!storage::write(db, QString::fromLatin1(sql), {qs(principalId), qs(audienceId)}, error))
            return false;
    }
    return true;
}

std::string matchedStatus(const std::string &audienceType, const Counts &counts)
{
    if (audienceType == "suppression")
        return "ready";
    return counts.matched >= kMinimumSize ? "ready" : "too_small";
}

std::vector<std::string> audienceIds(QSqlDatabase &db, const std::string &principalId,
                                     const std::optional<std::string> &accountId, QString *error)
{
    std::vector<std::string> ids;
    QSqlQuery q(storage::connectionFor(db));
    const bool ok =
        accountId ? execute(q,
                            QStringLiteral("SELECT resource_id FROM mon_resources WHERE principal_id = ? AND "
                                           "resource_type = 'audience' AND json_extract(detail_json, "
                                           "'$.account_id') = ? ORDER BY resource_id"),
                            {qs(principalId), qs(*accountId)}, error)
                  : execute(q,
                            QStringLiteral("SELECT resource_id FROM mon_resources WHERE principal_id = ? AND "
                                           "resource_type = 'audience' ORDER BY resource_id"),
                            {qs(principalId)}, error);
    if (!ok)
        return ids;
    while (q.next())
        ids.push_back(q.value(0).toString().toStdString());
    return ids;
}

std::vector<adcp::AdcpError> checkTargeting(QSqlDatabase &db, const std::string &principalId,
                                            const json &targetingOverlay, const std::string &fieldBase)
{
    std::vector<adcp::AdcpError> errors;
    if (!targetingOverlay.is_object())
        return errors;
    const auto include = targetingOverlay.find("audience_include");
    if (include == targetingOverlay.end() || !include->is_array())
        return errors;
    for (size_t i = 0; i < include->size(); ++i) {
        if (!(*include)[i].is_string())
            continue;
        const std::string id = (*include)[i].get<std::string>();
        const auto audience = DependencyHealth::resource(db, principalId, "audience", id);
        if (!audience || audience->status != "too_small")
            continue;
        QString error;
        const auto c = counts(db, principalId, id, &error);
        errors.push_back(adcp::AdcpError::make(
            "AUDIENCE_TOO_SMALL",
            "audience " + id + " has " + std::to_string(c ? c->matched : 0) +
                " matched members; targeting needs " + std::to_string(kMinimumSize),
            fieldBase + ".audience_include[" + std::to_string(i) + "]",
            "add members with sync_audiences until the audience is ready, or remove it from the targeting"));
    }
    return errors;
}

} // namespace adcp::seller::audiences
