#pragma once

#include <QSqlDatabase>
#include <QString>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace adcp::seller {

// One unit of ad-server work: a step of one package of one media buy.
struct Job
{
    qint64 id = 0;
    std::string principalId;
    std::string mediaBuyId;
    std::string packageId;
    std::string adapter; // which ad server ("guaranteed", "exchange")
    std::string step;    // "book", "approve", "pause", "resume", "cancel"
    nlohmann::json payload;
    int attempts = 0;
    // Why the stored row cannot be run (its payload does not parse or is not an object); empty when it can.
    std::string invalid;
};

// The durable job queue, a table of the seller's database. Jobs of one package run in the order they were
// enqueued; jobs of different packages run in parallel. A job is claimed with a compare-and-swap on its
// state, so two workers never run it at once; a job claimed by a worker that died (the process was killed)
// goes back to pending when the next worker generation starts (reclaimOrphans) or when its lease runs out.
//
// Every function takes the caller's connection so that enqueueing can join the caller's transaction (an order
// and its first jobs are written atomically).
class JobQueue final
{
public:
    static bool enqueue(QSqlDatabase &db, const Job &job, QString *error, qint64 notBeforeMs = 0);
    // Claims up to `limit` due jobs for `workerId`, each the oldest open job of its package.
    static std::vector<Job> claim(QSqlDatabase &db, const QString &workerId, int limit, qint64 leaseMs,
                                  QString *error);
    // Marks the claimed job done (only if `workerId` still holds it). Runs inside the caller's transaction.
    static bool complete(QSqlDatabase &db, const Job &job, const QString &workerId,
                         const nlohmann::json &result, QString *error);
    static bool retry(QSqlDatabase &db, const Job &job, const QString &workerId, qint64 notBeforeMs,
                      const std::string &reason, QString *error);
    static bool fail(QSqlDatabase &db, const Job &job, const QString &workerId, const std::string &reason,
                     QString *error);
    // Sets a claimed job that cannot be run aside: state 'dead' with `reason`, logged (lcDeadLetter).
    static bool deadLetter(QSqlDatabase &db, const Job &job, const QString &workerId,
                           const std::string &reason, QString *error);
    // Running jobs not held by `currentGeneration` (the previous process, dead) or whose lease expired go
    // back to pending. Returns how many were reclaimed.
    static int reclaimOrphans(QSqlDatabase &db, const QString &currentGeneration, QString *error);

    struct Counts
    {
        qint64 pending = 0;
        qint64 running = 0;
        qint64 done = 0;
        qint64 failed = 0;
        qint64 dead = 0;
    };
    static Counts counts(QSqlDatabase &db);
    // Open (pending or running) jobs of one buy.
    static qint64 openJobs(QSqlDatabase &db, const std::string &principalId, const std::string &mediaBuyId);
};

} // namespace adcp::seller
