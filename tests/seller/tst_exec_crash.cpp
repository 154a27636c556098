#include <QDir>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <set>

// The crash test of execution: a separate seller process accepts 200 buys whose ad servers answer in 2 s,
// is killed with SIGKILL while the job queue is half worked, and is started again. Every accepted buy must
// reach its final ad-server state, with no ad-server order created twice and none lost.
class TestExecCrash final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killMidWayAndRestart();

private:
    static qint64 scalar(QSqlDatabase &db, const QString &sql)
    {
        QSqlQuery q(db);
        if (!q.exec(sql) || !q.next())
            return -1;
        return q.value(0).toLongLong();
    }
};

namespace {

constexpr int kBuys = 200;
constexpr int kLatencyMs = 2000;

QString workerPath()
{
    return QStringLiteral(ADCP_BINARY_DIR "/tests/seller/tst_exec_crash_worker");
}

// Reads the worker's lines until `stop` says so or the deadline passes; returns the last "done=" figure.
template <typename Stop> bool readUntil(QProcess &process, int timeoutMs, Stop stop)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        if (!process.canReadLine() && !process.waitForReadyRead(1000)) {
            if (process.state() != QProcess::Running)
                return false;
            continue;
        }
        while (process.canReadLine()) {
            if (stop(QString::fromUtf8(process.readLine()).trimmed()))
                return true;
        }
    }
    return false;
}

} // namespace

void TestExecCrash::killMidWayAndRestart()
{
    // The worker is built with this test (add_dependencies): its absence is a broken build, not a skip.
    QVERIFY2(QFileInfo::exists(workerPath()), qPrintable(workerPath()));
    QTemporaryDir dir;
    const QString database = dir.filePath(QStringLiteral("seller.db"));
    const QString adServers = dir.filePath(QStringLiteral("seller-adservers.sqlite"));

    QProcess first;
    first.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    first.start(workerPath(),
                {database, QStringLiteral("accept"), QString::number(kBuys), QString::number(kLatencyMs)});
    QVERIFY(first.waitForStarted());
    std::set<QString> accepted;
    qint64 doneAtKill = 0;
    // Kill once every buy is accepted and about a third of the ad-server work is done.
    const bool reached = readUntil(first, 300000, [&](const QString &line) {
        if (line.startsWith(QStringLiteral("accepted ")))
            accepted.insert(line.section(QLatin1Char(' '), 2, 2));
        if (line.startsWith(QStringLiteral("progress done="))) {
            doneAtKill = line.section(QLatin1Char('='), 1, 1).section(QLatin1Char(' '), 0, 0).toLongLong();
            return int(accepted.size()) == kBuys && doneAtKill >= kBuys;
        }
        return false;
    });
    QVERIFY2(reached, "the worker never got a third of the way");
    first.kill(); // SIGKILL: no cleanup, claimed jobs stay claimed
    QVERIFY(first.waitForFinished(10000));
    QCOMPARE(first.exitStatus(), QProcess::CrashExit);

    qint64 runningAtKill = 0;
    qint64 ordersAtKill = 0;
    qint64 unacknowledgedAtKill = 0;
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("crash-check-1"));
        db.setDatabaseName(database);
        QVERIFY(db.open());
        runningAtKill = scalar(db, QStringLiteral("SELECT COUNT(*) FROM exec_jobs WHERE state = 'running'"));
        db.exec(QStringLiteral("ATTACH DATABASE '") + adServers + QStringLiteral("' AS ads"));
        // Orders the ad servers wrote while the seller died before recording the answer.
        unacknowledgedAtKill =
            scalar(db, QStringLiteral("SELECT COUNT(*) FROM exec_jobs j WHERE j.state = 'running' AND "
                                      "j.step = 'book' AND EXISTS (SELECT 1 FROM ads.guaranteed_orders "
                                      "o WHERE o.package_id = j.package_id UNION ALL SELECT 1 FROM "
                                      "ads.exchange_orders o WHERE o.package_id = j.package_id)"));
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM media_buys")), qint64(kBuys));
        db.close();
        QSqlDatabase ads =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("crash-check-ads-1"));
        ads.setDatabaseName(adServers);
        QVERIFY(ads.open());
        ordersAtKill = scalar(ads, QStringLiteral("SELECT COUNT(*) FROM guaranteed_orders")) +
                       scalar(ads, QStringLiteral("SELECT COUNT(*) FROM exchange_orders"));
        ads.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("crash-check-1"));
    QSqlDatabase::removeDatabase(QStringLiteral("crash-check-ads-1"));
    // The kill really was mid-way: jobs were claimed and the ad servers had only part of the orders.
    QVERIFY2(runningAtKill > 0, "no job was in flight at the kill");
    QVERIFY(ordersAtKill < 2 * kBuys);

    QProcess second;
    second.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    second.start(workerPath(),
                 {database, QStringLiteral("drain"), QStringLiteral("0"), QString::number(kLatencyMs)});
    QVERIFY(second.waitForStarted());
    int reclaimed = -1;
    const bool finished = readUntil(second, 400000, [&](const QString &line) {
        if (line.startsWith(QStringLiteral("started reclaimed=")))
            reclaimed = line.section(QLatin1Char('='), 1).toInt();
        return line == QStringLiteral("finished");
    });
    QVERIFY2(finished, "the restarted seller did not finish the queue");
    QVERIFY(second.waitForFinished(30000));
    QCOMPARE(second.exitCode(), 0);
    QCOMPARE(qint64(reclaimed), runningAtKill);

    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("crash-check-2"));
    db.setDatabaseName(database);
    QVERIFY(db.open());
    QSqlDatabase ads =
        QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("crash-check-ads-2"));
    ads.setDatabaseName(adServers);
    QVERIFY(ads.open());
    ads.exec(QStringLiteral("ATTACH DATABASE '") + database + QStringLiteral("' AS seller"));

    // Every accepted buy is in the seller, and every package reached its final ad-server state.
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM media_buys")), qint64(kBuys));
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM exec_packages")), qint64(2 * kBuys));
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM exec_packages WHERE live = 1")),
             qint64(2 * kBuys));
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM exec_jobs WHERE state <> 'done'")), qint64(0));
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM exec_packages WHERE failure IS NOT NULL")),
             qint64(0));
    QCOMPARE(scalar(ads, QStringLiteral("SELECT COUNT(*) FROM guaranteed_orders WHERE state = 'ready'")),
             qint64(kBuys));
    QCOMPARE(scalar(ads, QStringLiteral("SELECT COUNT(*) FROM exchange_orders WHERE state = 'active'")),
             qint64(kBuys));
    // No ad-server order twice, none lost: exactly one order per package, and it is the one the seller
    // recorded.
    QCOMPARE(scalar(ads, QStringLiteral("SELECT COUNT(*) FROM guaranteed_orders")), qint64(kBuys));
    QCOMPARE(scalar(ads, QStringLiteral("SELECT COUNT(*) FROM exchange_orders")), qint64(kBuys));
    QCOMPARE(
        scalar(ads, QStringLiteral("SELECT COUNT(*) FROM (SELECT package_id FROM guaranteed_orders UNION ALL "
                                   "SELECT package_id FROM exchange_orders) o JOIN seller.exec_packages x ON "
                                   "x.package_id = o.package_id")),
        qint64(2 * kBuys));
    QCOMPARE(scalar(ads, QStringLiteral(
                             "SELECT COUNT(*) FROM (SELECT external_id, package_id FROM guaranteed_orders "
                             "UNION ALL SELECT external_id, package_id FROM exchange_orders) o JOIN "
                             "seller.exec_packages x ON x.package_id = o.package_id AND x.external_id = "
                             "o.external_id")),
             qint64(2 * kBuys));
    QCOMPARE(scalar(ads, QStringLiteral("SELECT COUNT(DISTINCT media_buy_id) FROM guaranteed_campaigns")),
             qint64(kBuys));
    const qint64 bookRequests =
        scalar(ads, QStringLiteral("SELECT SUM(book_requests) FROM guaranteed_orders")) +
        scalar(ads, QStringLiteral("SELECT SUM(book_requests) FROM exchange_orders"));
    const qint64 retries = scalar(db, QStringLiteral("SELECT SUM(attempts - 1) FROM exec_jobs"));
    qInfo("crash test: %d buys accepted; killed with %lld jobs done, %lld in flight (%lld of them booked by "
          "the "
          "ad server but unrecorded), %lld ad-server orders; restart reclaimed %d jobs; final: %d orders, "
          "%lld book "
          "requests (%lld answered from the idempotency key), %lld job retries",
          kBuys, doneAtKill, runningAtKill, unacknowledgedAtKill, ordersAtKill, reclaimed, 2 * kBuys,
          bookRequests, bookRequests - 2 * kBuys, retries);
    QVERIFY(bookRequests >
            2 * kBuys); // replays happened (faults after the write, reclaimed jobs) and were absorbed
    ads.close();
    db.close();
}

QTEST_GUILESS_MAIN(TestExecCrash)
#include "tst_exec_crash.moc"
