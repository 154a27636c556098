#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace adcp::seller {

// Fixtures a sandbox account seeded through comply_test_controller (seed_media_buy, seed_plan), as sent, per
// principal. They make a re-seed checkable (the same fixture again is a no-op, a different one is refused)
// and keep seeded plans retrievable: the seller has no governance that would act on a plan, so a plan is only
// stored and read back (seller console, tests).
class SandboxSeeds final
{
public:
    enum class Outcome {
        Fresh,      // no fixture under this id yet: the caller stores the entity and record()s it
        Equivalent, // the same fixture was seeded before: nothing to do
        Divergent,  // another fixture was seeded under this id: refuse
        Failed,     // database error (`error` set)
    };

    static Outcome check(QSqlDatabase &db, const std::string &principalId, const std::string &kind,
                         const std::string &id, const nlohmann::json &fixture, QString *error);
    static bool record(QSqlDatabase &db, const std::string &principalId, const std::string &kind,
                       const std::string &id, const nlohmann::json &fixture, const QDateTime &now,
                       QString *error);
    // The stored fixture, or null when none was seeded under this id.
    static nlohmann::json find(QSqlDatabase &db, const std::string &principalId, const std::string &kind,
                               const std::string &id);
    // Ids seeded under `kind`, oldest first.
    static std::vector<std::string> list(QSqlDatabase &db, const std::string &principalId,
                                         const std::string &kind);
};

} // namespace adcp::seller
