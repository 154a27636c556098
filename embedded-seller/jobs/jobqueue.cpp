#include "jobqueue.h"

#include "deadletters.h"
#include "storage/database.h"
#include "wire/jsonread.h"

#include <QDateTime>
#include <QSqlQuery>

namespace adcp::seller {

using storage::execute;
using storage::qs;

namespace {

QString nowIso()
{
    return storage::isoTimeMs(QDateTime::currentDateTimeUtc());
}

bool finish(QSqlDatabase &db, const Job &job, const QString &workerId, const QString &state,
            const QString &resultOrError, QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    const QString column =
        state == QStringLiteral("done") ? QStringLiteral("result_json") : QStringLiteral("last_error");
    if (!execute(q,
                 QStringLiteral("UPDATE exec_jobs SET state = ?, ") + column +
                     QStringLiteral(" = ?, claimed_by = NULL, updated_at = ? WHERE job_id = ? AND state = "
                                    "'running' AND claimed_by = ?"),
                 {state, resultOrError, nowIso(), job.id, workerId}, error))
        return false;
    if (q.numRowsAffected() != 1) {
        if (error)
            *error = QStringLiteral("job %1 is no longer held by %2").arg(job.id).arg(workerId);
        return false;
    }
    return true;
}

} // namespace

bool JobQueue::enqueue(QSqlDatabase &db, const Job &job, QString *error, qint64 notBeforeMs)
{
    const QString now = nowIso();
    return storage::write(
        db,
        QStringLiteral("INSERT INTO exec_jobs (principal_id, media_buy_id, package_id, adapter, step, "
                       "payload, state, attempts, not_before_ms, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)"),
        {qs(job.principalId), qs(job.mediaBuyId), qs(job.packageId), qs(job.adapter), qs(job.step),
         storage::jsonText(job.payload), notBeforeMs, now, now},
        error);
}

std::vector<Job> JobQueue::claim(QSqlDatabase &db, const QString &workerId, int limit, qint64 leaseMs,
                                 QString *error)
{
    std::vector<Job> claimed;
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    QSqlQuery select(storage::connectionFor(db));
    // The oldest open job of each package only: a package's steps (book, approve, pause…) never overtake.
    if (!execute(select,
                 QStringLiteral(
                     "SELECT j.job_id, j.principal_id, j.media_buy_id, j.package_id, j.adapter, j.step, "
                     "j.payload, j.attempts FROM exec_jobs j WHERE j.state = 'pending' AND "
                     "j.not_before_ms <= ? AND NOT EXISTS (SELECT 1 FROM exec_jobs p WHERE "
                     "p.media_buy_id = j.media_buy_id AND p.package_id = j.package_id AND "
                     "p.job_id < j.job_id AND p.state IN ('pending', 'running')) "
                     "ORDER BY j.not_before_ms, j.job_id LIMIT ?"),
                 {nowMs, limit}, error))
        return claimed;
    std::vector<Job> candidates;
    while (select.next()) {
        Job job;
        job.id = select.value(0).toLongLong();
        job.principalId = select.value(1).toString().toStdString();
        job.mediaBuyId = select.value(2).toString().toStdString();
        job.packageId = select.value(3).toString().toStdString();
        job.adapter = select.value(4).toString().toStdString();
        job.step = select.value(5).toString().toStdString();
        // Read through the wire layer: a payload that does not parse is kept as the reason, not as null.
        const auto payload = wire::parse(select.value(6).toString().toStdString());
        if (!payload)
            job.invalid = "the stored payload is not JSON: " + payload.error().message();
        else if (!payload->is_object())
            job.invalid = "the stored payload is not a JSON object";
        else
            job.payload = *payload;
        job.attempts = select.value(7).toInt();
        candidates.push_back(std::move(job));
    }
    select.finish();
    for (auto &job : candidates) {
        int casRows = 0;
        if (!storage::write(
                db,
                QStringLiteral("UPDATE exec_jobs SET state = 'running', claimed_by = ?, lease_until_ms = ?, "
                               "attempts = attempts + 1, updated_at = ? WHERE job_id = ? AND state = "
                               "'pending'"),
                {workerId, nowMs + leaseMs, nowIso(), job.id}, error, &casRows))
            return claimed;
        // Another worker won the race for this job: leave it to them.
        if (casRows != 1)
            continue;
        job.attempts += 1;
        claimed.push_back(std::move(job));
    }
    return claimed;
}

bool JobQueue::complete(QSqlDatabase &db, const Job &job, const QString &workerId,
                        const nlohmann::json &result, QString *error)
{
    return finish(db, job, workerId, QStringLiteral("done"), storage::toText(result), error);
}

bool JobQueue::fail(QSqlDatabase &db, const Job &job, const QString &workerId, const std::string &reason,
                    QString *error)
{
    return finish(db, job, workerId, QStringLiteral("failed"), qs(reason), error);
}

bool JobQueue::deadLetter(QSqlDatabase &db, const Job &job, const QString &workerId,
                          const std::string &reason, QString *error)
{
    if (!finish(db, job, workerId, QStringLiteral("dead"), qs(reason), error))
        return false;
    qCWarning(lcDeadLetter, "job %lld (%s/%s) is a dead letter: %s", job.id, job.adapter.c_str(),
              job.step.c_str(), reason.c_str());
    return true;
}

bool JobQueue::retry(QSqlDatabase &db, const Job &job, const QString &workerId, qint64 notBeforeMs,
                     const std::string &reason, QString *error)
{
    int qRows = 0;
    if (!storage::write(
            db,
            QStringLiteral("UPDATE exec_jobs SET state = 'pending', claimed_by = NULL, not_before_ms = ?, "
                           "last_error = ?, updated_at = ? WHERE job_id = ? AND state = 'running' AND "
                           "claimed_by = ?"),
            {notBeforeMs, qs(reason), nowIso(), job.id, workerId}, error, &qRows))
        return false;
    return qRows == 1;
}

int JobQueue::reclaimOrphans(QSqlDatabase &db, const QString &currentGeneration, QString *error)
{
    int qRows = 0;
    if (!storage::write(
            db,
            QStringLiteral("UPDATE exec_jobs SET state = 'pending', claimed_by = NULL, not_before_ms = 0, "
                           "last_error = 'reclaimed from a worker that stopped', updated_at = ? WHERE "
                           "state = 'running' AND (claimed_by IS NULL OR claimed_by NOT LIKE ? OR "
                           "lease_until_ms < ?)"),
            {nowIso(), QString(currentGeneration + QStringLiteral("/%")),
             QDateTime::currentMSecsSinceEpoch()},
            error, &qRows))
        return -1;
    return qRows;
}

JobQueue::Counts JobQueue::counts(QSqlDatabase &db)
{
    Counts counts;
    storage::Read q(db, QStringLiteral("SELECT state, COUNT(*) FROM exec_jobs GROUP BY state"), {}, nullptr);
    if (!q)
        return counts;
    while (q.next()) {
        const QString state = q.value(0).toString();
        const qint64 n = q.value(1).toLongLong();
        if (state == QStringLiteral("pending"))
            counts.pending = n;
        else if (state == QStringLiteral("running"))
            counts.running = n;
        else if (state == QStringLiteral("done"))
            counts.done = n;
        else if (state == QStringLiteral("failed"))
            counts.failed = n;
        else if (state == QStringLiteral("dead"))
            counts.dead = n;
    }
    return counts;
}

qint64 JobQueue::openJobs(QSqlDatabase &db, const std::string &principalId, const std::string &mediaBuyId)
{
    storage::Read q(
        db,
        QStringLiteral("SELECT COUNT(*) FROM exec_jobs WHERE principal_id = ? AND media_buy_id = ? AND "
                       "state IN ('pending', 'running')"),
        {qs(principalId), qs(mediaBuyId)}, nullptr);
    if (!q || !q.next())
        return 0;
    return q.value(0).toLongLong();
}

} // namespace adcp::seller
