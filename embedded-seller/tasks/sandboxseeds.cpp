#include "sandboxseeds.h"

#include "storage/database.h"

#include <QSqlQuery>

namespace adcp::seller {

using storage::execute;
using storage::qs;

SandboxSeeds::Outcome SandboxSeeds::check(QSqlDatabase &db, const std::string &principalId,
                                          const std::string &kind, const std::string &id,
                                          const nlohmann::json &fixture, QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    if (!execute(q,
                 QStringLiteral("SELECT fixture_json FROM sandbox_seeds WHERE principal_id = ? AND kind = ? "
                                "AND seed_id = ?"),
                 {qs(principalId), qs(kind), qs(id)}, error))
        return Outcome::Failed;
    if (!q.next())
        return Outcome::Fresh;
    // nlohmann::json compares objects by value, so key order and number spelling do not matter.
    return storage::fromText(q.value(0).toString()) == fixture ? Outcome::Equivalent : Outcome::Divergent;
}

bool SandboxSeeds::record(QSqlDatabase &db, const std::string &principalId, const std::string &kind,
                          const std::string &id, const nlohmann::json &fixture, const QDateTime &now,
                          QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    return execute(q,
                   QStringLiteral("INSERT INTO sandbox_seeds (principal_id, kind, seed_id, fixture_json, "
                                  "seeded_at) VALUES (?, ?, ?, ?, ?)"),
                   {qs(principalId), qs(kind), qs(id), storage::toText(fixture), storage::isoTimeMs(now)},
                   error);
}

nlohmann::json SandboxSeeds::find(QSqlDatabase &db, const std::string &principalId, const std::string &kind,
                                  const std::string &id)
{
    QSqlQuery q(storage::connectionFor(db));
    if (!execute(q,
                 QStringLiteral("SELECT fixture_json FROM sandbox_seeds WHERE principal_id = ? AND kind = ? "
                                "AND seed_id = ?"),
                 {qs(principalId), qs(kind), qs(id)}, nullptr) ||
        !q.next())
        return nullptr;
    return storage::fromText(q.value(0).toString());
}

std::vector<std::string> SandboxSeeds::list(QSqlDatabase &db, const std::string &principalId,
                                            const std::string &kind)
{
    std::vector<std::string> ids;
    QSqlQuery q(storage::connectionFor(db));
    if (!execute(q,
                 QStringLiteral("SELECT seed_id FROM sandbox_seeds WHERE principal_id = ? AND kind = ? ORDER "
                                "BY seeded_at, seed_id"),
                 {qs(principalId), qs(kind)}, nullptr))
        return ids;
    while (q.next())
        ids.push_back(storage::ss(q.value(0).toString()));
    return ids;
}

} // namespace adcp::seller
