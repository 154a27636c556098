#pragma once

#include <QLoggingCategory>
#include <QSqlDatabase>

#include <string>
#include <vector>

namespace adcp::seller {

// Where stored work that cannot be processed is reported: a job or outbox row whose payload does not parse,
// has the wrong shape or names an unknown kind is set aside with its reason (a dead letter) and logged here;
// every other row keeps running.
Q_DECLARE_LOGGING_CATEGORY(lcDeadLetter)

struct DeadLetter
{
    std::string source; // "job" (exec_jobs) or "webhook" (wh_outbox)
    qint64 id = 0;
    std::string principalId;
    std::string kind; // the job's adapter/step, or the webhook's event type
    std::string reason;
    std::string at; // when the row was last touched (jobs) or created (webhooks), ISO 8601
};

class DeadLetters final
{
public:
    // The most recent dead letters of both queues, newest first.
    static std::vector<DeadLetter> list(QSqlDatabase &db, int limit = 200);
};

} // namespace adcp::seller
