// Poisoned rows never crash-loop: jobs and outbox rows whose stored payload cannot be processed (unparseable
// JSON, wrong types, unknown kind) are written into a real database, the seller restarts on that file, and
// each is set aside as a dead letter with its reason and a log line while good work in the same database
// runs.
#include "execfixture.h"
#include "jobs/deadletters.h"
#include "webhooks/webhookoutbox.h"

#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>

#include <mutex>

using namespace adcp::seller;
using exectest::ExecSeller;
using nlohmann::json;

namespace {

std::mutex g_logMutex;
QStringList g_deadLetterLog;
QtMessageHandler g_previousHandler = nullptr;

void captureDeadLetters(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (context.category && QByteArray(context.category) == "adcp.seller.deadletter") {
        std::lock_guard lock(g_logMutex);
        g_deadLetterLog << message;
    }
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

int loggedDeadLetters()
{
    std::lock_guard lock(g_logMutex);
    return int(g_deadLetterLog.size());
}

// Answers every request 204.
class OkReceiver final : public QObject
{
public:
    OkReceiver()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, this, [socket] {
                    if (socket->readAll().contains("\r\n\r\n"))
                        socket->write("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
                });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return m_server.serverPort(); }

private:
    QTcpServer m_server;
};

qint64 insertJob(QSqlDatabase db, const std::string &buy, const std::string &package, const char *adapter,
                 const char *step, const char *payload)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO exec_jobs (principal_id, media_buy_id, package_id, adapter, step, "
                             "payload, state, attempts, not_before_ms, created_at, updated_at) VALUES "
                             "('buyer-a', ?, ?, ?, ?, ?, 'pending', 0, 0, '2026-01-01T00:00:00Z', "
                             "'2026-01-01T00:00:00Z')"));
    q.addBindValue(QString::fromStdString(buy));
    q.addBindValue(QString::fromStdString(package));
    q.addBindValue(QString::fromUtf8(adapter));
    q.addBindValue(QString::fromUtf8(step));
    q.addBindValue(QString::fromUtf8(payload));
    if (!q.exec())
        qFatal("insert job failed");
    return q.lastInsertId().toLongLong();
}

qint64 insertOutbox(QSqlDatabase db, const QString &url, const QVariant &auth, const QString &body,
                    int serial)
{
    QSqlQuery q(db);
    q.prepare(
        QStringLiteral("INSERT INTO wh_outbox (principal_id, url, auth_json, event_type, coalesce_key, "
                       "idempotency_key, notification_id, body, state, attempts, next_attempt_ms, "
                       "created_at) VALUES ('buyer-a', ?, ?, 'task', NULL, ?, NULL, ?, 'pending', 0, 0, "
                       "'2026-01-01T00:00:00Z')"));
    q.addBindValue(url);
    q.addBindValue(auth);
    q.addBindValue(QStringLiteral("whk_poison_%1").arg(serial));
    q.addBindValue(body);
    if (!q.exec())
        qFatal("insert outbox failed");
    return q.lastInsertId().toLongLong();
}

std::pair<QString, QString> stateOf(QSqlDatabase db, const QString &table, const QString &idColumn, qint64 id)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT state, COALESCE(last_error, '') FROM ") + table +
              QStringLiteral(" WHERE ") + idColumn + QStringLiteral(" = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return {};
    return {q.value(0).toString(), q.value(1).toString()};
}

} // namespace

class TestDeadLetters final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { g_previousHandler = qInstallMessageHandler(captureDeadLetters); }
    void cleanupTestCase() { qInstallMessageHandler(g_previousHandler); }
    void poisonedRowsAfterRestart();
};

void TestDeadLetters::poisonedRowsAfterRestart()
{
    OkReceiver receiver;
    ExecSeller s(exectest::sendAtOnce());
    const json created = s.createBuy();
    QVERIFY(s.waitForJobs());
    const std::string buy = created["media_buy_id"].get<std::string>();
    const std::string package = exectest::packageId(created, 0);

    // The seller stops; rows are written behind its back (an older build, a hand edit, a torn write).
    s.execution.reset();
    QSqlDatabase db = s.context->database();
    struct Poison
    {
        qint64 id;
        const char *reason;
    };
    const std::vector<Poison> jobs = {
        {insertJob(db, buy, package, "guaranteed", "pause", "{not json"), "not JSON"},
        {insertJob(db, buy, package, "guaranteed", "resume", "[1, 2]"), "not a JSON object"},
        {insertJob(db, buy, package, "exchange", "teleport", "{}"), "unknown ad-server step teleport"},
        {insertJob(db, "mb_nowhere", "pkg_nowhere", "mainframe", "book", "{}"),
         "no ad server named mainframe"},
    };
    // A good job queued behind the poisoned ones on the same package still runs.
    const qint64 good = insertJob(db, buy, package, "guaranteed", "pause", "{}");
    const QString hook = QStringLiteral("http://127.0.0.1:%1/hooks").arg(receiver.port());
    const std::vector<Poison> hooks = {
        {insertOutbox(db, hook, QVariant(), QStringLiteral("{\"truncated\": "), 1), "not a JSON object"},
        {insertOutbox(db, hook, QStringLiteral("{\"url\": 5}"), QStringLiteral("{}"), 2), "authentication"},
        {insertOutbox(db, QStringLiteral("gopher://hooks.example/x"), QVariant(), QStringLiteral("{}"), 3),
         "http(s) URL"},
    };
    OutboxEvent event;
    event.principalId = "buyer-a";
    event.target.url = hook.toStdString();
    event.eventType = "task";
    event.taskId = "task_good";
    event.taskType = "create_media_buy";
    event.status = "completed";
    event.timestamp = QDateTime::currentDateTimeUtc();
    QString error;
    QVERIFY2(WebhookOutbox::enqueue(db, event, &error), qPrintable(error));
    const qint64 goodHook = WebhookOutbox::rows(db).back().id;

    // A new SellerContext and execution on the same file, as after a restart.
    db = QSqlDatabase();
    s.restart();
    db = s.context->database();
    const QString jobsTable = QStringLiteral("exec_jobs"), outbox = QStringLiteral("wh_outbox");
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(db, jobsTable, QStringLiteral("job_id"), good).first,
                              QStringLiteral("done"), 60000);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(db, outbox, QStringLiteral("id"), goodHook).first,
                              QStringLiteral("delivered"), 60000);
    for (const Poison &job : jobs) {
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(db, jobsTable, QStringLiteral("job_id"), job.id).first,
                                  QStringLiteral("dead"), 60000);
        const QString reason = stateOf(db, jobsTable, QStringLiteral("job_id"), job.id).second;
        QVERIFY2(reason.contains(QLatin1String(job.reason)), qPrintable(reason));
    }
    for (const Poison &row : hooks) {
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(db, outbox, QStringLiteral("id"), row.id).first,
                                  QStringLiteral("dead"), 60000);
        const QString reason = stateOf(db, outbox, QStringLiteral("id"), row.id).second;
        QVERIFY2(reason.contains(QLatin1String(row.reason)), qPrintable(reason));
    }
    // Each was logged once under its category, and the read API lists all seven with their reasons.
    QTRY_COMPARE_WITH_TIMEOUT(loggedDeadLetters(), 7, 60000);
    const auto letters = DeadLetters::list(db);
    QCOMPARE(int(letters.size()), 7);
    int jobLetters = 0;
    for (const DeadLetter &letter : letters) {
        QVERIFY(!letter.reason.empty());
        jobLetters += letter.source == "job" ? 1 : 0;
    }
    QCOMPARE(jobLetters, 4);
    QCOMPARE(JobQueue::counts(db).dead, 4);

    // And the seller goes on taking new work.
    const json again = s.createBuy();
    QVERIFY(s.waitForJobs());
    QVERIFY(s.status(again["media_buy_id"].get<std::string>()) != "rejected");
}

QTEST_GUILESS_MAIN(TestDeadLetters)
#include "tst_dead_letters.moc"
