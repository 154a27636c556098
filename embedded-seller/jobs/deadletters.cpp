#include "deadletters.h"

#include "storage/database.h"

#include <QSqlQuery>

namespace adcp::seller {

Q_LOGGING_CATEGORY(lcDeadLetter, "adcp.seller.deadletter")

std::vector<DeadLetter> DeadLetters::list(QSqlDatabase &db, int limit)
{
    std::vector<DeadLetter> letters;
    QSqlQuery q(storage::connectionFor(db));
    if (!storage::execute(
            q,
            QStringLiteral(
                "SELECT 'job', job_id, principal_id, adapter || '/' || step, COALESCE(last_error, ''), "
                "updated_at FROM exec_jobs WHERE state = 'dead' UNION ALL SELECT 'webhook', id, "
                "principal_id, event_type, COALESCE(last_error, ''), created_at FROM wh_outbox WHERE state "
                "= 'dead' ORDER BY 6 DESC, 2 DESC LIMIT ?"),
            {limit}, nullptr))
        return letters;
    while (q.next()) {
        DeadLetter letter;
        letter.source = q.value(0).toString().toStdString();
        letter.id = q.value(1).toLongLong();
        letter.principalId = q.value(2).toString().toStdString();
        letter.kind = q.value(3).toString().toStdString();
        letter.reason = q.value(4).toString().toStdString();
        letter.at = q.value(5).toString().toStdString();
        letters.push_back(std::move(letter));
    }
    return letters;
}

} // namespace adcp::seller
