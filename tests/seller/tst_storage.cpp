// The seller's storage primitives: statements kept prepared per connection (storage::write, storage::Read),
// transactions that nest as savepoints, and ids that sort in the order they were issued.
#include "storage/database.h"
#include "tasks/taskcontext.h"

#include <QDateTime>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <QDeadlineTimer>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDriver>

#include <sqlite3.h>

#include <functional>
#include <future>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

using namespace adcp::seller;

class TestStorage final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void writeKeepsOneStatementPerText();
    void keptStatementHoldsNoSnapshot();
    void writeReportsErrorsAndRowCounts();
    void keptStatementFollowsAReopenedConnection();
    void keptStatementSurvivesCloseAndOpen();
    void nestedTransactionsThroughKeptStatements();
    void readKeepsOneStatementPerText();
    void readHoldsNoSnapshotOnceDone();
    void nestedReadOfTheSameText();
    void readReportsErrors();
    void readBindsAndReadsAsQtSqlDoes();
    void writeStoresWhatQtSqlStores();
    void readSurvivesCloseAndOpen();
    void idsSortInIssueOrder();
    void checkpointsRunInTheBackground();
    void aFullWalStartsOverWithEveryCommitKept();
    void aCommitIsInTheWalFileWhenItReturns();
    void groupWriteSharesOneCommit();
    void groupWriteRunsInlineInATransaction();
    void isoTimeWritesWhatQtWrites();
    void writerConnectionRunsEveryWriteTransaction();
    void strayStatementsAreCounted();
    void chainedCommitHoldsBothWriters();
    void chainedWriterRollsBackAlone();
    void chainedCommitFailsForEveryWriter();
    void manyWritersKeepExactlyWhatTheyWereToldWasKept();

private:
    QString openConnection(const QString &name, const QString &file);
    int keptStatements(const QString &sqlPrefix);
    void insertRows(int count);

    QTemporaryDir m_dir;
    QStringList m_connections;
    QString m_name;
};

QString TestStorage::openConnection(const QString &name, const QString &file)
{
    QString error;
    if (!storage::openSqliteConnection(name, m_dir.filePath(file), &error))
        qFatal("cannot open %s: %s", qPrintable(file), qPrintable(error));
    m_connections << name;
    return name;
}

// Statements of the connection whose text starts with `sqlPrefix` (SQLite's sqlite_stmt table lists every
// prepared statement of the connection that asks, this query included).
int TestStorage::keptStatements(const QString &sqlPrefix)
{
    QSqlQuery q(QSqlDatabase::database(m_name));
    if (!q.exec(QStringLiteral("SELECT count(*), coalesce(sum(busy), 0) FROM sqlite_stmt WHERE sql LIKE '") +
                sqlPrefix + QStringLiteral("%'")) ||
        !q.next())
        qFatal("sqlite_stmt: %s", qPrintable(q.lastError().text()));
    if (q.value(1).toInt() != 0)
        return -1; // a kept statement left running (not reset)
    return q.value(0).toInt();
}

void TestStorage::init()
{
    QVERIFY(m_dir.isValid());
    m_name = openConnection(QStringLiteral("storage-test"), QStringLiteral("s.db"));
    QSqlQuery q(QSqlDatabase::database(m_name));
    QVERIFY(q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)")));
    QVERIFY(q.exec(QStringLiteral("DELETE FROM t")));
}

void TestStorage::cleanup()
{
    for (const auto &name : std::as_const(m_connections))
        QSqlDatabase::removeDatabase(name);
    m_connections.clear();
}

void TestStorage::writeKeepsOneStatementPerText()
{
    QSqlDatabase db = QSqlDatabase::database(m_name);
    QString error;
    for (int i = 0; i < 5; ++i)
        QVERIFY2(storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"),
                                {QStringLiteral("k%1").arg(i), i}, &error),
                 qPrintable(error));
    QCOMPARE(keptStatements(QStringLiteral("INSERT INTO t")), 1);
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("SELECT count(*), sum(v) FROM t")) && q.next());
    QCOMPARE(q.value(0).toInt(), 5);
    QCOMPARE(q.value(1).toInt(), 0 + 1 + 2 + 3 + 4);

    // Every binding is replaced on the next call, none carried over: a NULL stays NULL.
    QVERIFY(!storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"),
                            {QStringLiteral("k9"), QVariant()}, &error));
    QVERIFY2(error.contains(QStringLiteral("NOT NULL")), qPrintable(error));
}

void TestStorage::keptStatementHoldsNoSnapshot()
{
    QSqlDatabase db = QSqlDatabase::database(m_name);
    QString error;
    QVERIFY(storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"), {QStringLiteral("a"), 1},
                           &error));
    QVERIFY(storage::write(db, QStringLiteral("UPDATE t SET v = v + 1 WHERE k = ?"), {QStringLiteral("a")},
                           &error));
    // A statement left un-reset would keep a read transaction open on this connection, and a TRUNCATE
    // checkpoint from another connection could then not empty the WAL.
    const QString other = openConnection(QStringLiteral("storage-test-other"), QStringLiteral("s.db"));
    QSqlQuery q(QSqlDatabase::database(other));
    QVERIFY(q.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")) && q.next());
    QCOMPARE(q.value(0).toInt(), 0); // not busy
    QCOMPARE(q.value(1).toInt(), 0); // the WAL is empty
    QCOMPARE(keptStatements(QStringLiteral("UPDATE t")), 1);
}

void TestStorage::writeReportsErrorsAndRowCounts()
{
    QSqlDatabase db = QSqlDatabase::database(m_name);
    QString error;
    int rows = -1;
    for (const char *k : {"a", "b", "c"})
        QVERIFY(storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"),
                               {QString::fromLatin1(k), 1}, &error));
    QVERIFY(storage::write(db, QStringLiteral("UPDATE t SET v = 2 WHERE k <> ?"), {QStringLiteral("a")},
                           &error, &rows));
    QCOMPARE(rows, 2);
    QVERIFY(storage::write(db, QStringLiteral("UPDATE t SET v = 2 WHERE k <> ?"), {QStringLiteral("zz")},
                           &error, &rows));
    QCOMPARE(rows, 3);

    error.clear();
    QVERIFY(!storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"),
                            {QStringLiteral("a"), 1}, &error));
    QVERIFY2(error.contains(QStringLiteral("UNIQUE")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("INSERT INTO t")), qPrintable(error)); // names the statement
    // The failed statement was reset too: the next call through it works.
    QVERIFY2(storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"),
                            {QStringLiteral("d"), 4}, &error),
             qPrintable(error));

    error.clear();
    QVERIFY(!storage::write(db, QStringLiteral("INSERT INTO no_such_table VALUES (?)"), {1}, &error));
    QVERIFY2(error.contains(QStringLiteral("no_such_table")), qPrintable(error));
}

void TestStorage::keptStatementFollowsAReopenedConnection()
{
    QString error;
    {
        QSqlDatabase db = QSqlDatabase::database(m_name);
        QVERIFY(storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"),
                               {QStringLiteral("first"), 1}, &error));
    }
    // The same connection name, removed and opened again on another file: the kept statement belonged to the
    // old driver and must not be used (it would write into the old file, or crash).
    QSqlDatabase::removeDatabase(m_name);
    m_connections.removeAll(m_name);
    openConnection(m_name, QStringLiteral("second.db"));
    QSqlDatabase db = QSqlDatabase::database(m_name);
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)")));
    QVERIFY2(storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"),
                            {QStringLiteral("second"), 2}, &error),
             qPrintable(error));
    QVERIFY(q.exec(QStringLiteral("SELECT k FROM t")) && q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("second"));
    QVERIFY(!q.next());

    const QString old = openConnection(QStringLiteral("storage-test-old"), QStringLiteral("s.db"));
    QSqlQuery o(QSqlDatabase::database(old));
    QVERIFY(o.exec(QStringLiteral("SELECT group_concat(k) FROM t")) && o.next());
    QCOMPARE(o.value(0).toString(), QStringLiteral("first"));
}

void TestStorage::keptStatementSurvivesCloseAndOpen()
{
    QSqlDatabase db = QSqlDatabase::database(m_name);
    QString error;
    QVERIFY(storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"), {QStringLiteral("a"), 1},
                           &error));
    // Closing finalizes every statement of the connection; the driver (and its name) stay the same.
    db.close();
    QVERIFY(db.open());
    QVERIFY2(storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"),
                            {QStringLiteral("b"), 2}, &error),
             qPrintable(error));
    // A real error still fails (once prepared afresh, it fails the same way) and changes nothing.
    QVERIFY(!storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"),
                            {QStringLiteral("b"), 3}, &error));
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("SELECT group_concat(k || v, ',') FROM (SELECT k, v FROM t ORDER BY k)")) &&
            q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("a1,b2"));
}

void TestStorage::nestedTransactionsThroughKeptStatements()
{
    QSqlDatabase db = QSqlDatabase::database(m_name);
    QString error;
    for (int round = 0; round < 3; ++round) { // the same BEGIN/SAVEPOINT/RELEASE texts, reused
        storage::WriteTransaction outer(db);
        QVERIFY2(outer.begin(&error), qPrintable(error));
        QVERIFY(storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"),
                               {QStringLiteral("kept%1").arg(round), round}, &error));
        {
            storage::WriteTransaction inner(db);
            QVERIFY2(inner.begin(&error), qPrintable(error));
            QVERIFY(storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"),
                                   {QStringLiteral("dropped%1").arg(round), round}, &error));
            inner.rollback();
        }
        {
            storage::WriteTransaction inner(db);
            QVERIFY2(inner.begin(&error), qPrintable(error));
            QVERIFY(storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"),
                                   {QStringLiteral("inner%1").arg(round), round}, &error));
            QVERIFY2(inner.commit(&error), qPrintable(error));
        }
        if (round == 1)
            outer.rollback(); // everything of this round goes
        else
            QVERIFY2(outer.commit(&error), qPrintable(error));
    }
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("SELECT group_concat(k, ',') FROM (SELECT k FROM t ORDER BY k)")) &&
            q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("inner0,inner2,kept0,kept2"));
    QCOMPARE(keptStatements(QStringLiteral("BEGIN IMMEDIATE")), 1);
}

void TestStorage::insertRows(int count)
{
    QSqlDatabase db = QSqlDatabase::database(m_name);
    QString error;
    for (int i = 0; i < count; ++i)
        QVERIFY2(storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"),
                                {QStringLiteral("k%1").arg(i), i}, &error),
                 qPrintable(error));
}

void TestStorage::readKeepsOneStatementPerText()
{
    insertRows(5);
    QSqlDatabase db = QSqlDatabase::database(m_name);
    const QString sql = QStringLiteral("SELECT k, v FROM t WHERE v >= ? ORDER BY v");
    for (int from = 0; from < 5; ++from) {
        QString error;
        storage::Read q(db, sql, {from}, &error);
        QVERIFY2(q, qPrintable(error));
        QStringList keys;
        while (q.next())
            keys << q.value(0).toString() + QString::number(q.value(1).toInt());
        QCOMPARE(keys.size(), 5 - from); // each call's binding, none left from the previous call
        QCOMPARE(keys.first(), QStringLiteral("k%1%1").arg(from));
    }
    // One statement for the five calls, and it was reset when each Read ended (-1 if left running).
    QCOMPARE(keptStatements(QStringLiteral("SELECT k, v FROM t")), 1);
}

void TestStorage::readHoldsNoSnapshotOnceDone()
{
    insertRows(3);
    QSqlDatabase db = QSqlDatabase::database(m_name);
    const QString other = openConnection(QStringLiteral("storage-test-other"), QStringLiteral("s.db"));
    QSqlQuery checkpoint(QSqlDatabase::database(other));
    {
        storage::Read q(db, QStringLiteral("SELECT k, v FROM t ORDER BY k"), {});
        QVERIFY(q && q.next()); // stopped after the first of three rows: the statement is running
        QCOMPARE(keptStatements(QStringLiteral("SELECT k, v FROM t")), -1);
    }
    // Ended mid-rows: the kept statement is reset, so nothing holds the WAL any more.
    QVERIFY(checkpoint.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")) && checkpoint.next());
    QCOMPARE(checkpoint.value(0).toInt(), 0);
    QCOMPARE(checkpoint.value(1).toInt(), 0);
    QCOMPARE(keptStatements(QStringLiteral("SELECT k, v FROM t")), 1);
}

void TestStorage::nestedReadOfTheSameText()
{
    insertRows(3);
    QSqlDatabase db = QSqlDatabase::database(m_name);
    const QString sql = QStringLiteral("SELECT k, v FROM t WHERE v >= ? ORDER BY v");
    storage::Read outer(db, sql, {0});
    QVERIFY(outer);
    QStringList pairs;
    while (outer.next()) {
        // The same text while the outer read is on its rows: a statement of its own, the outer one untouched.
        storage::Read inner(db, sql, {outer.value(1).toInt() + 1});
        QVERIFY(inner);
        int below = 0;
        while (inner.next())
            ++below;
        pairs << outer.value(0).toString() + QLatin1Char(':') + QString::number(below);
    }
    QCOMPARE(pairs.join(QLatin1Char(',')), QStringLiteral("k0:2,k1:1,k2:0"));
    outer.finish();
    QCOMPARE(keptStatements(QStringLiteral("SELECT k, v FROM t")), 1); // the nested one was not kept
    // The kept one is free again for the next read.
    storage::Read again(db, sql, {2});
    QVERIFY(again && again.next());
    QCOMPARE(again.value(0).toString(), QStringLiteral("k2"));
    QVERIFY(!again.next());
}

void TestStorage::readReportsErrors()
{
    QSqlDatabase db = QSqlDatabase::database(m_name);
    QString error;
    storage::Read missing(db, QStringLiteral("SELECT x FROM no_such_table WHERE y = ?"), {1}, &error);
    QVERIFY(!missing);
    QVERIFY(!missing.next());
    QVERIFY(!missing.value(0).isValid());
    QVERIFY2(error.contains(QStringLiteral("no_such_table")), qPrintable(error));
    // A binding SQLite refuses at run time fails the Read and names the statement.
    error.clear();
    storage::Read tooBig(db, QStringLiteral("SELECT zeroblob(?)"), {qint64(1) << 40}, &error);
    QVERIFY(!tooBig);
    QVERIFY2(error.contains(QStringLiteral("zeroblob")), qPrintable(error));
}

void TestStorage::readSurvivesCloseAndOpen()
{
    insertRows(2);
    QSqlDatabase db = QSqlDatabase::database(m_name);
    const QString sql = QStringLiteral("SELECT k, v FROM t WHERE v = ?");
    {
        storage::Read q(db, sql, {1});
        QVERIFY(q && q.next());
    }
    // Closing finalizes every statement of the connection; the kept one is prepared again.
    db.close();
    QVERIFY(db.open());
    QString error;
    storage::Read q(db, sql, {1}, &error);
    QVERIFY2(q, qPrintable(error));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("k1"));
}

void TestStorage::idsSortInIssueOrder()
{
    const std::string first = newId("prop");
    QCOMPARE(first.size(), std::string("prop_").size() + 20);
    QVERIFY(first.starts_with("prop_"));
    QVERIFY(first.find_first_not_of("0123456789abcdef", 5) == std::string::npos);
    // Ids of one millisecond differ (random part); an id of a later millisecond sorts after every earlier
    // one.
    std::set<std::string> sameMillisecond;
    for (int i = 0; i < 1000; ++i)
        sameMillisecond.insert(newId("prop"));
    QCOMPARE(sameMillisecond.size(), size_t(1000));
    const std::string latest = *sameMillisecond.rbegin();
    const qint64 issued = QDateTime::currentMSecsSinceEpoch();
    while (QDateTime::currentMSecsSinceEpoch() == issued) {
    }
    QVERIFY(newId("prop") > latest);
    QVERIFY(newId("prop") > first);
}

// Every 4096 WAL frames a checkpoint falls due; the file's checkpointer thread runs it on its own connection
// (the committing thread only asks), and it copies the frames into the database file.
void TestStorage::checkpointsRunInTheBackground()
{
    const QString name = openConnection(QStringLiteral("storage-test-wal"), QStringLiteral("wal.db"));
    QSqlDatabase db = QSqlDatabase::database(name);
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("CREATE TABLE blobs (b BLOB NOT NULL)")));
    QCOMPARE(storage::checkpointsCompleted(db), 0);
    const QString dbFile = m_dir.filePath(QStringLiteral("wal.db"));
    const qint64 sizeBefore = QFileInfo(dbFile).size();
    const QByteArray page(3000, 'x');
    QString error;
    // One commit per row, each a frame or two: well past one mark.
    for (int i = 0; i < 5000; ++i)
        QVERIFY2(storage::write(db, QStringLiteral("INSERT INTO blobs (b) VALUES (?)"), {page}, &error),
                 qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(storage::checkpointsCompleted(db) >= 1, 60000);
    // The pages reached the database file (before the checkpoint it held only the schema). A row fills a 4 KiB
    // page, and its commit writes about three frames (the new leaf, its parent, page 1: 3.04 per row measured
    // over 2000 rows), so a checkpoint that starts as soon as 4096 frames are in the WAL copies some 1350 rows'
    // pages, more when it starts later. (It asked for 3000 pages before, which only a late start gave.)
    QVERIFY2(QFileInfo(dbFile).size() >= sizeBefore + 1200 * 4096,
             qPrintable(QString::number(QFileInfo(dbFile).size())));
    // Writes go on beside it, and what was committed is all there.
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM blobs")) && q.next());
    QCOMPARE(q.value(0).toInt(), 5000);
}

namespace {

// The checkpoint sequence number in a WAL file's header (bytes 12-15, big-endian): a WAL that starts over
// counts it up. -1 when the file cannot be read.
qint64 walCheckpointSequence(const QString &walPath)
{
    QFile file(walPath);
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray header = file.read(32);
    if (header.size() < 16)
        return -1;
    const auto byte = [&header](int i) { return quint32(quint8(header[i])); };
    return qint64(byte(12) << 24 | byte(13) << 16 | byte(14) << 8 | byte(15));
}

} // namespace

// Once the WAL holds 16,384 frames, the checkpointer copies what it can, flushes the database file, copies
// what came meanwhile, and runs a RESTART under the writers' turn: the next writer starts the WAL over.
// Nothing committed before, during or after is lost.
void TestStorage::aFullWalStartsOverWithEveryCommitKept()
{
    const QString name = openConnection(QStringLiteral("storage-test-restart"), QStringLiteral("restart.db"));
    QSqlDatabase db = QSqlDatabase::database(name);
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("CREATE TABLE blobs (b BLOB NOT NULL)")));
    const QString walPath = m_dir.filePath(QStringLiteral("restart.db-wal"));
    const qint64 sequenceBefore = walCheckpointSequence(walPath);
    QVERIFY(sequenceBefore >= 0);
    const QByteArray page(3000, 'x');
    QString error;
    // About three frames per commit (tst above): 6,000 commits pass the restart mark.
    int written = 0;
    for (; written < 6000; ++written)
        QVERIFY2(storage::write(db, QStringLiteral("INSERT INTO blobs (b) VALUES (?)"), {page}, &error),
                 qPrintable(error));
    // The restart runs on the checkpointer's thread; the WAL starts over at the first commit after it.
    QDeadlineTimer deadline(120000);
    while (walCheckpointSequence(walPath) == sequenceBefore && !deadline.hasExpired()) {
        QVERIFY2(storage::write(db, QStringLiteral("INSERT INTO blobs (b) VALUES (?)"), {page}, &error),
                 qPrintable(error));
        ++written;
        QTest::qWait(1);
    }
    QVERIFY2(walCheckpointSequence(walPath) > sequenceBefore, "the WAL never started over");
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM blobs")) && q.next());
    QCOMPARE(q.value(0).toInt(), written);
    q.finish();
    // And a connection opened afresh reads every row from the database file and the new WAL.
    {
        const QString fresh =
            openConnection(QStringLiteral("storage-test-restart-fresh"), QStringLiteral("restart.db"));
        QSqlQuery count(QSqlDatabase::database(fresh));
        QVERIFY(count.exec(QStringLiteral("SELECT count(*) FROM blobs")) && count.next());
        QCOMPARE(count.value(0).toInt(), written);
    }
}

namespace {

// What a process killed at this moment leaves of `path`: the database file and its WAL as the kernel has them
// (the shared-memory index is rebuilt from the WAL on open), copied to `copy`.
bool snapshotFiles(const QString &path, const QString &copy)
{
    for (const QString &suffix : {QString(), QStringLiteral("-wal")}) {
        QFile::remove(copy + suffix);
        if (!QFile::copy(path + suffix, copy + suffix))
            return false;
    }
    QFile::remove(copy + QStringLiteral("-shm"));
    return true;
}

// Rows in `table` of a fresh connection to `path`, after SQLite's integrity check passed; -1 otherwise.
qint64 recoveredRows(const QString &path, const char *table)
{
    sqlite3 *db = nullptr;
    qint64 rows = -1;
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
        sqlite3_stmt *check = nullptr;
        bool ok = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &check, nullptr) == SQLITE_OK &&
                  sqlite3_step(check) == SQLITE_ROW &&
                  qstrcmp(reinterpret_cast<const char *>(sqlite3_column_text(check, 0)), "ok") == 0;
        sqlite3_finalize(check);
        sqlite3_stmt *count = nullptr;
        const QByteArray sql = QByteArray("SELECT count(*) FROM ") + table;
        if (ok && sqlite3_prepare_v2(db, sql.constData(), -1, &count, nullptr) == SQLITE_OK &&
            sqlite3_step(count) == SQLITE_ROW)
            rows = sqlite3_column_int64(count, 0);
        sqlite3_finalize(count);
    }
    sqlite3_close(db);
    return rows;
}

} // namespace

// The WAL's appends are handed to the kernel in one write per commit (walbatch.cpp), and a commit that
// returned is in the WAL file: a copy of the files taken right then, as a killed process would leave them,
// recovers every committed row. Also when a transaction spilled pages before its commit, rolled some back,
// and wrote a page again in place (SQLite then rewrites frame checksums after the commit frame).
void TestStorage::aCommitIsInTheWalFileWhenItReturns()
{
    const QString path = m_dir.filePath(QStringLiteral("batch.db"));
    const QString copy = m_dir.filePath(QStringLiteral("batch-copy.db"));
    const QString name = openConnection(QStringLiteral("storage-test-batch"), QStringLiteral("batch.db"));
    QSqlDatabase db = QSqlDatabase::database(name);
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("CREATE TABLE rows (id INTEGER PRIMARY KEY, b BLOB NOT NULL)")));
    const QByteArray page(3000, 'x');
    QString error;
    // Single-row commits.
    for (int i = 0; i < 50; ++i)
        QVERIFY2(storage::write(db, QStringLiteral("INSERT INTO rows (b) VALUES (?)"), {page}, &error),
                 qPrintable(error));
    QVERIFY(snapshotFiles(path, copy));
    QCOMPARE(recoveredRows(copy, "rows"), qint64(50));

    // A transaction larger than the page cache spills frames before its commit; one rolled back entirely
    // leaves them behind the last commit, and the next commit writes over them.
    QVERIFY(q.exec(QStringLiteral("PRAGMA cache_size=2")));
    {
        storage::WriteTransaction tx(db);
        QVERIFY(tx.begin(&error));
        for (int i = 0; i < 200; ++i)
            QVERIFY(storage::write(db, QStringLiteral("INSERT INTO rows (b) VALUES (?)"), {page}, &error));
        tx.rollback();
    }
    QVERIFY(storage::write(db, QStringLiteral("INSERT INTO rows (b) VALUES (?)"), {page}, &error));
    QVERIFY(snapshotFiles(path, copy));
    QCOMPARE(recoveredRows(copy, "rows"), qint64(51));

    // One transaction that spills, then changes pages it already wrote to the WAL: they are written again in
    // place, and their checksums rewritten after the commit frame.
    {
        storage::WriteTransaction tx(db);
        QVERIFY(tx.begin(&error));
        for (int i = 0; i < 100; ++i)
            QVERIFY(storage::write(db, QStringLiteral("INSERT INTO rows (b) VALUES (?)"), {page}, &error));
        for (int round = 0; round < 3; ++round)
            QVERIFY(storage::write(db, QStringLiteral("UPDATE rows SET b = ? WHERE id <= 60"),
                                   {QByteArray(3000, char('a' + round))}, &error));
        QVERIFY2(tx.commit(&error), qPrintable(error));
    }
    QVERIFY(snapshotFiles(path, copy));
    QCOMPARE(recoveredRows(copy, "rows"), qint64(151));
    QVERIFY(q.exec(QStringLiteral("PRAGMA cache_size=-2000")));
}

namespace {

// A connection of the calling thread to `path`, removed when the scope ends (on that thread).
class ThreadConnection final
{
public:
    ThreadConnection(const QString &name, const QString &path) : m_name(name)
    {
        QString error;
        m_ok = storage::openSqliteConnection(name, path, &error);
    }
    ~ThreadConnection()
    {
        storage::forgetStatements(m_name);
        QSqlDatabase::removeDatabase(m_name);
    }
    ThreadConnection(const ThreadConnection &) = delete;
    ThreadConnection &operator=(const ThreadConnection &) = delete;
    bool ok() const { return m_ok; }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }

private:
    QString m_name;
    bool m_ok = false;
};

bool insertNumber(QSqlDatabase &db, int n, QString *error)
{
    return storage::write(db, QStringLiteral("INSERT INTO grouped (n) VALUES (?)"), {n}, error);
}

} // namespace

// Group commit: a leader's work holds its group open until five other threads have queued; they all join its
// transaction (one commit for six works). A work that fails (a duplicate key) and one that throws after
// writing roll back alone; the others are committed, and each caller learns its own outcome.
void TestStorage::groupWriteSharesOneCommit()
{
    const QString name = openConnection(QStringLiteral("storage-test-group"), QStringLiteral("group.db"));
    QSqlDatabase db = QSqlDatabase::database(name);
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("CREATE TABLE grouped (n INTEGER PRIMARY KEY)")));
    const QString path = m_dir.filePath(QStringLiteral("group.db"));
    const storage::GroupCommitStats before = storage::groupCommitStats(db);

    std::promise<void> leading;
    bool leaderOk = false;
    bool leaderSawQueue = false;
    std::thread leader([&] {
        ThreadConnection connection(QStringLiteral("group-leader"), path);
        QSqlDatabase mine = connection.db();
        QString error;
        leaderOk = connection.ok() &&
                   storage::groupWrite(
                       mine,
                       [&](QSqlDatabase &db, QString *error) {
                           if (!insertNumber(db, 0, error))
                               return false;
                           leading.set_value();
                           // No clock decides this: the wait ends when five calls queued
                           // (the deadline only keeps a broken build from hanging).
                           const QDeadlineTimer failsafe(60000);
                           while (storage::groupCommitStats(db).queued < 5 && !failsafe.hasExpired())
                               std::this_thread::yield();
                           leaderSawQueue = storage::groupCommitStats(db).queued == 5;
                           return true;
                       },
                       &error);
    });
    leading.get_future().wait();
    struct Outcome
    {
        bool ok = false;
        QString error;
    };
    std::vector<Outcome> outcomes(6);
    std::vector<std::thread> followers;
    for (int i = 1; i <= 5; ++i) {
        followers.emplace_back([&, i] {
            ThreadConnection connection(QStringLiteral("group-follower-%1").arg(i), path);
            QSqlDatabase mine = connection.db();
            Outcome &outcome = outcomes[size_t(i)];
            outcome.ok =
                connection.ok() && storage::groupWrite(
                                       mine,
                                       [i](QSqlDatabase &db, QString *error) {
                                           if (i == 3)
                                               return insertNumber(db, 0, error); // taken by the leader
                                           if (!insertNumber(db, i, error))
                                               return false;
                                           if (i == 4)
                                               throw std::runtime_error("work 4 gave up");
                                           return true;
                                       },
                                       &outcome.error);
        });
    }
    for (auto &t : followers)
        t.join();
    leader.join();

    QVERIFY(leaderOk);
    QVERIFY(leaderSawQueue);
    QVERIFY(outcomes[1].ok && outcomes[2].ok && outcomes[5].ok);
    QVERIFY(!outcomes[3].ok);
    QVERIFY2(outcomes[3].error.contains(QStringLiteral("UNIQUE")), qPrintable(outcomes[3].error));
    QVERIFY(!outcomes[4].ok);
    QCOMPARE(outcomes[4].error, QStringLiteral("work 4 gave up"));
    const storage::GroupCommitStats after = storage::groupCommitStats(db);
    QCOMPARE(after.commits - before.commits, 1);
    QCOMPARE(after.works - before.works, 6);
    QCOMPARE(after.queued, 0);
    std::vector<int> rows;
    QVERIFY(q.exec(QStringLiteral("SELECT n FROM grouped ORDER BY n")));
    while (q.next())
        rows.push_back(q.value(0).toInt());
    QCOMPARE(rows, (std::vector<int>{0, 1, 2, 5}));

    // The next call leads a group of its own.
    QString error;
    QVERIFY2(storage::groupWrite(
                 db, [](QSqlDatabase &db, QString *error) { return insertNumber(db, 6, error); }, &error),
             qPrintable(error));
    QCOMPARE(storage::groupCommitStats(db).commits - after.commits, 1);
}

// Inside a transaction of its own thread, groupWrite joins it (no group, no commit of its own): rolling the
// outer transaction back takes the work's writes with it.
void TestStorage::groupWriteRunsInlineInATransaction()
{
    const QString name = openConnection(QStringLiteral("storage-test-inline"), QStringLiteral("inline.db"));
    QSqlDatabase db = QSqlDatabase::database(name);
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("CREATE TABLE grouped (n INTEGER PRIMARY KEY)")));
    const storage::GroupCommitStats before = storage::groupCommitStats(db);
    QString error;
    {
        storage::WriteTransaction tx(db);
        QVERIFY(tx.begin(&error));
        QVERIFY(storage::groupWrite(
            db, [](QSqlDatabase &db, QString *error) { return insertNumber(db, 1, error); }, &error));
        // A failing work inside the transaction fails and leaves the earlier write alone.
        QVERIFY(!storage::groupWrite(
            db, [](QSqlDatabase &db, QString *error) { return insertNumber(db, 1, error); }, &error));
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM grouped")) && q.next());
        QCOMPARE(q.value(0).toInt(), 1);
        q.finish();
        tx.rollback();
    }
    QCOMPARE(storage::groupCommitStats(db).commits, before.commits);
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM grouped")) && q.next());
    QCOMPARE(q.value(0).toInt(), 0);
}

// The seller's timestamp text is Qt's ISO text, byte for byte, for times before and after 1970, at day and
// millisecond edges, far from now, in other time zones' QDateTimes, and for the years Qt writes its own way.
void TestStorage::isoTimeWritesWhatQtWrites()
{
    std::vector<QDateTime> times = {
        QDateTime::fromMSecsSinceEpoch(0, Qt::UTC),
        QDateTime::fromMSecsSinceEpoch(-1, Qt::UTC),
        QDateTime::fromMSecsSinceEpoch(86399999, Qt::UTC),
        QDateTime::fromMSecsSinceEpoch(-86400000, Qt::UTC),
        QDateTime(QDate(2024, 2, 29), QTime(23, 59, 59, 999), Qt::UTC),
        QDateTime(QDate(1, 1, 1), QTime(0, 0), Qt::UTC),
        QDateTime(QDate(9999, 12, 31), QTime(23, 59, 59, 999), Qt::UTC),
        QDateTime(QDate(10000, 1, 1), QTime(0, 0), Qt::UTC),
        QDateTime(QDate(-44, 3, 15), QTime(12, 0), Qt::UTC),
        QDateTime(QDate(2026, 12, 6), QTime(4, 5, 6, 7), Qt::OffsetFromUTC, -5 * 3600),
        QDateTime(QDate(2026, 7, 1), QTime(1, 30), Qt::LocalTime),
    };
    QRandomGenerator random(20261206);
    for (int i = 0; i < 20000; ++i)
        times.push_back(QDateTime::fromMSecsSinceEpoch(
            random.bounded(qint64(-80'000'000'000'000), qint64(260'000'000'000'000)), Qt::UTC));
    for (const auto &t : times) {
        QCOMPARE(storage::isoTime(t), t.toUTC().toString(Qt::ISODate));
        QCOMPARE(storage::isoTimeMs(t), t.toUTC().toString(Qt::ISODateWithMs));
    }
    QVERIFY(storage::isoTime(QDateTime()).isEmpty());
    QVERIFY(storage::isoTimeMs(QDateTime()).isEmpty());
}

namespace {

sqlite3 *handleOf(const QSqlDatabase &db)
{
    return *static_cast<sqlite3 *const *>(db.driver()->handle().constData());
}

int cacheMisses(const QSqlDatabase &db)
{
    int current = 0;
    int highest = 0;
    sqlite3_db_status(handleOf(db), SQLITE_DBSTATUS_CACHE_MISS, &current, &highest, 0);
    return current;
}

} // namespace

// With the file's writer connection open, a write transaction begun on any connection of the file runs on the
// writer: it sees its own writes there, other connections see them once committed, and the writer's page
// cache stays warm from one transaction to the next whichever connection began them (each connection's own
// cache is emptied by every other connection's commit).
void TestStorage::writerConnectionRunsEveryWriteTransaction()
{
    const QString other = openConnection(QStringLiteral("storage-other"), QStringLiteral("s.db"));
    QString error;
    auto writer = storage::WriterConnection::open(m_dir.filePath(QStringLiteral("s.db")), &error);
    QVERIFY2(writer, qPrintable(error));
    QSqlDatabase a = QSqlDatabase::database(m_name);
    QSqlDatabase b = QSqlDatabase::database(other);
    QCOMPARE(storage::connectionFor(a).connectionName(), m_name); // no transaction: the thread's own
    {
        storage::WriteTransaction tx(a);
        QVERIFY(tx.begin(&error));
        QVERIFY(storage::connectionFor(a).connectionName().startsWith(QLatin1String("adcp-writer-")));
        QVERIFY(storage::write(a, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"),
                               {QStringLiteral("k1"), 1}, &error));
        QVERIFY(tx.commit(&error));
    }
    storage::WriteTransaction tx(b);
    QVERIFY(tx.begin(&error));
    QSqlDatabase onWriter = storage::connectionFor(b);
    QVERIFY(onWriter.connectionName().startsWith(QLatin1String("adcp-writer-")));
    const int missesBefore = cacheMisses(onWriter);
    QVERIFY(storage::write(b, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"), {QStringLiteral("k2"), 2},
                           &error));
    {
        storage::Read mine(b, QStringLiteral("SELECT v FROM t WHERE k = ?"), {QStringLiteral("k2")}, &error);
        QVERIFY(mine && mine.next());
        QCOMPARE(mine.value(0).toInt(), 2);
    }
    QCOMPARE(cacheMisses(onWriter), missesBefore); // the pages k1's transaction read are still cached
    {
        // A transaction begun on the writer itself (an order hook is handed the writer) nests as a savepoint.
        storage::WriteTransaction nested(onWriter);
        QVERIFY2(nested.begin(&error), qPrintable(error));
        QVERIFY(storage::write(onWriter, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"),
                               {QStringLiteral("k3"), 3}, &error));
        nested.rollback();
    }
    {
        // Connection a is not in a transaction: it reads the committed file, without k2.
        storage::Read theirs(a, QStringLiteral("SELECT count(*) FROM t"), {}, &error);
        QVERIFY(theirs && theirs.next());
        QCOMPARE(theirs.value(0).toInt(), 1);
    }
    QVERIFY(tx.commit(&error));
    QCOMPARE(storage::connectionFor(b).connectionName(), other);
    storage::Read after(a, QStringLiteral("SELECT count(*) FROM t"), {}, &error);
    QVERIFY(after && after.next());
    QCOMPARE(after.value(0).toInt(), 2);
    after.finish();
    onWriter = QSqlDatabase();
    writer.reset();
    QVERIFY(!QSqlDatabase::connectionNames().join(u',').contains(QLatin1String("adcp-writer-")));
}

// A statement run past storage::write and storage::Read on the thread's own connection inside a transaction
// that runs on the writer is counted (and fatal under ADCP_STORAGE_STRICT, unset here for the check).
void TestStorage::strayStatementsAreCounted()
{
    QString error;
    auto writer = storage::WriterConnection::open(m_dir.filePath(QStringLiteral("s.db")), &error);
    QVERIFY2(writer, qPrintable(error));
    const QByteArray strict = qgetenv("ADCP_STORAGE_STRICT");
    qunsetenv("ADCP_STORAGE_STRICT");
    QSqlDatabase db = QSqlDatabase::database(m_name);
    const int before = storage::strayStatements();
    {
        storage::WriteTransaction tx(db);
        QVERIFY(tx.begin(&error));
        QSqlQuery fine(storage::connectionFor(db));
        QVERIFY(fine.exec(QStringLiteral("SELECT count(*) FROM t")));
        fine.finish();
        QCOMPARE(storage::strayStatements(), before);
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("own connection inside a write")));
        QSqlQuery stray(db);
        QVERIFY(stray.exec(QStringLiteral("SELECT count(*) FROM t")));
        stray.finish();
        QCOMPARE(storage::strayStatements(), before + 1);
        tx.rollback();
    }
    QSqlQuery outside(db);
    QVERIFY(outside.exec(QStringLiteral("SELECT count(*) FROM t")));
    QCOMPARE(storage::strayStatements(), before + 1);
    if (!strict.isNull())
        qputenv("ADCP_STORAGE_STRICT", strict);
}

// Read runs on SQLite's own API; what it binds and what it reads are QtSql's: the same row read both ways
// gives values of the same types, and each binding finds the row QtSql's binding of it finds.
void TestStorage::readBindsAndReadsAsQtSqlDoes()
{
    QSqlDatabase db = QSqlDatabase::database(m_name);
    QSqlQuery q(db);
    QVERIFY(
        q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS kinds (i INTEGER, r REAL, t TEXT, b BLOB, n TEXT, "
                              "d TEXT, big INTEGER)")));
    QVERIFY(q.exec(QStringLiteral("DELETE FROM kinds")));
    const QDateTime at(QDate(2026, 12, 7), QTime(5, 6, 7, 890), Qt::UTC);
    QVERIFY(q.prepare(QStringLiteral("INSERT INTO kinds VALUES (?, ?, ?, ?, ?, ?, ?)")));
    const QVariantList row{42,        2.5, QStringLiteral("zwölf ✓"), QByteArray("\x00\x01z", 3),
                           QString(), at,  qlonglong(1) << 40};
    for (int i = 0; i < row.size(); ++i)
        q.bindValue(i, row[i]);
    QVERIFY2(q.exec(), qPrintable(q.lastError().text()));

    const QString select = QStringLiteral("SELECT i, r, t, b, n, d, big FROM kinds");
    QVERIFY(q.exec(select) && q.next());
    QString error;
    storage::Read mine(db, select, {}, &error);
    QVERIFY2(mine && mine.next(), qPrintable(error));
    for (int i = 0; i < 7; ++i) {
        const QVariant theirs = q.value(i);
        const QVariant ours = mine.value(i);
        QVERIFY2(ours.metaType() == theirs.metaType(),
                 qPrintable(QStringLiteral("column %1: %2 against %3")
                                .arg(i)
                                .arg(QString::fromLatin1(ours.metaType().name()),
                                     QString::fromLatin1(theirs.metaType().name()))));
        QCOMPARE(ours.isNull(), theirs.isNull());
        QCOMPARE(ours, theirs);
    }
    QVERIFY(!mine.next());
    QVERIFY(!mine.value(0).isValid()); // past the last row
    mine.finish();
    q.finish();

    // Bindings: each finds its row (a null QString binds NULL, so `IS ?` matches the NULL column, `= ?`
    // none).
    const auto count = [&](const QString &where, std::initializer_list<QVariant> bindings) {
        storage::Read r(db, QStringLiteral("SELECT count(*) FROM kinds WHERE ") + where, bindings, &error);
        return r && r.next() ? r.value(0).toInt() : -1;
    };
    QCOMPARE(count(QStringLiteral("i = ?"), {42}), 1);
    QCOMPARE(count(QStringLiteral("i = ?"), {qlonglong(42)}), 1);
    QCOMPARE(count(QStringLiteral("r = ?"), {2.5}), 1);
    QCOMPARE(count(QStringLiteral("t = ?"), {QStringLiteral("zwölf ✓")}), 1);
    QCOMPARE(count(QStringLiteral("b = ?"), {QByteArray("\x00\x01z", 3)}), 1);
    QCOMPARE(count(QStringLiteral("n IS ?"), {QString()}), 1);
    QCOMPARE(count(QStringLiteral("n = ?"), {QString()}), 0);
    QCOMPARE(count(QStringLiteral("n IS ?"), {QVariant()}), 1);
    QCOMPARE(count(QStringLiteral("t IS NOT ?"), {QStringLiteral("")}), 1); // empty, not null: a value
    QCOMPARE(count(QStringLiteral("d = ?"), {at}), 1);
    QCOMPARE(count(QStringLiteral("big = ?"), {qlonglong(1) << 40}), 1);
    QCOMPARE(count(QStringLiteral("(i > 0) = ?"), {true}), 1);

    // A failing statement reports SQLite's message and the SQL; one that fails while stepping too.
    storage::Read bad(db, QStringLiteral("SELECT nope FROM kinds"), {}, &error);
    QVERIFY(!bad && !bad.next());
    QVERIFY2(error.contains(QStringLiteral("no such column")) &&
                 error.contains(QStringLiteral("SELECT nope")),
             qPrintable(error));
}

// write() binds on SQLite's own API as Read does: every kind of value is stored with the type and bytes QtSql
// stores for it, and utf8()/jsonText() store TEXT equal to the QString of the same text.
void TestStorage::writeStoresWhatQtSqlStores()
{
    QSqlDatabase db = QSqlDatabase::database(m_name);
    QSqlQuery q(db);
    QVERIFY(q.exec(
        QStringLiteral("CREATE TABLE IF NOT EXISTS kinds2 (who TEXT, i INTEGER, r REAL, t TEXT, b BLOB, "
                       "n TEXT, d TEXT, big INTEGER, u TEXT, j TEXT)")));
    QVERIFY(q.exec(QStringLiteral("DELETE FROM kinds2")));
    const QDateTime at(QDate(2026, 12, 7), QTime(5, 6, 7, 890), Qt::UTC);
    const QString insert = QStringLiteral("INSERT INTO kinds2 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    const QString text = QStringLiteral("zwölf ✓ \"quoted\"");
    const nlohmann::json document = {{"name", "zwölf ✓"}, {"n", 3}};
    QVERIFY(q.prepare(insert));
    const QVariantList row{QStringLiteral("qtsql"),
                           42,
                           2.5,
                           text,
                           QByteArray("\x00\x01z", 3),
                           QString(),
                           at,
                           qlonglong(1) << 40,
                           text,
                           storage::toText(document)};
    for (int i = 0; i < row.size(); ++i)
        q.bindValue(i, row[i]);
    QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
    q.finish();

    QString error;
    int rows = -1;
    QVERIFY2(
        storage::write(db, insert,
                       {QStringLiteral("ours"), 42, 2.5, text, QByteArray("\x00\x01z", 3), QString(), at,
                        qlonglong(1) << 40, storage::utf8(text.toStdString()), storage::jsonText(document)},
                       &error, &rows),
        qPrintable(error));
    QCOMPARE(rows, 1);

    // Every column alike in type and bytes.
    const QString columns[] = {QStringLiteral("i"),   QStringLiteral("r"), QStringLiteral("t"),
                               QStringLiteral("b"),   QStringLiteral("n"), QStringLiteral("d"),
                               QStringLiteral("big"), QStringLiteral("u"), QStringLiteral("j")};
    for (const auto &column : columns) {
        const QString compare =
            QStringLiteral("SELECT typeof(a.%1) = typeof(b.%1) AND quote(a.%1) IS quote(b.%1), "
                           "typeof(a.%1) FROM kinds2 a, kinds2 b WHERE a.who = 'qtsql' AND "
                           "b.who = 'ours'")
                .arg(column);
        QVERIFY2(q.exec(compare) && q.next(), qPrintable(q.lastError().text()));
        QVERIFY2(q.value(0).toInt() == 1, qPrintable(column + QLatin1Char(' ') + q.value(1).toString()));
    }
    QVERIFY(q.exec(QStringLiteral("SELECT typeof(u), typeof(j) FROM kinds2 WHERE who = 'ours'")) && q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("text"));
    QCOMPARE(q.value(1).toString(), QStringLiteral("text"));
    q.finish();

    // Rows affected, and SQLite's message with the SQL for a failing statement (nothing changed).
    QVERIFY(
        storage::write(db, QStringLiteral("UPDATE kinds2 SET i = i + 1 WHERE i = ?"), {42}, &error, &rows));
    QCOMPARE(rows, 2);
    QVERIFY(!storage::write(db, QStringLiteral("INSERT INTO kinds2 (nope) VALUES (?)"), {1}, &error));
    QVERIFY2(error.contains(QStringLiteral("no column named nope")) &&
                 error.contains(QStringLiteral("INSERT")),
             qPrintable(error));
    QVERIFY(!storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES (?, NULL)"),
                            {QStringLiteral("x")}, &error));
    QVERIFY2(error.contains(QStringLiteral("NOT NULL")), qPrintable(error));
    QCOMPARE(keptStatements(QStringLiteral("INSERT INTO t (k, v)")), 1); // kept, and reset after the failure
}

namespace {

struct ChainRun
{
    bool firstOk = false;
    QString firstError;
    bool secondOk = false;
    QString secondError;
    int handedOn = 0;
};

// Commit chaining between two threads, no clock involved: the first writes row "a" under a HeldCommit (as the
// Dispatcher does for a keyed call) and commits only once the second waits for the writers' turn, so that it
// hands its open transaction on; the second runs `second` (its own write transaction) on a connection of its
// own. Both go through the file's writer connection, as in the seller.
ChainRun runChain(const QString &path, const std::function<bool(QSqlDatabase &db, QString *error)> &second)
{
    ChainRun run;
    QString error;
    auto writer = storage::WriterConnection::open(path, &error);
    if (!writer)
        qFatal("writer: %s", qPrintable(error));
    std::promise<void> holding;
    const QDeadlineTimer failsafe(60000); // only keeps a broken build from hanging
    std::thread first([&] {
        ThreadConnection connection(QStringLiteral("chain-first"), path);
        QSqlDatabase db = connection.db();
        storage::HeldCommit held(db);
        storage::WriteTransaction tx(db);
        run.firstOk =
            tx.begin(&run.firstError) &&
            storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES ('a', 1)"), {}, &run.firstError) &&
            tx.commit(&run.firstError);
        const int before = storage::groupCommitStats(db).handedOn;
        holding.set_value();
        while (storage::groupCommitStats(db).waitingWriters < 1 && !failsafe.hasExpired())
            std::this_thread::yield();
        run.firstOk = run.firstOk && held.commit([](QString *) { return true; }, &run.firstError);
        run.handedOn = storage::groupCommitStats(db).handedOn - before;
    });
    holding.get_future().wait();
    std::thread other([&] {
        ThreadConnection connection(QStringLiteral("chain-second"), path);
        QSqlDatabase db = connection.db();
        run.secondOk = second(db, &run.secondError);
    });
    other.join();
    first.join();
    return run;
}

QList<QString> keysOf(const QSqlDatabase &db)
{
    QList<QString> keys;
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT k FROM t ORDER BY k")))
        qFatal("keys: %s", qPrintable(q.lastError().text()));
    while (q.next())
        keys << q.value(0).toString();
    return keys;
}

} // namespace

// The first writer hands its open transaction to the second, which commits both: the first returns only then,
// with its writes durable.
void TestStorage::chainedCommitHoldsBothWriters()
{
    const ChainRun run =
        runChain(m_dir.filePath(QStringLiteral("s.db")), [](QSqlDatabase &db, QString *error) {
            storage::WriteTransaction tx(db);
            return tx.begin(error) &&
                   storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES ('b', 2)"), {}, error) &&
                   tx.commit(error);
        });
    QVERIFY2(run.firstOk, qPrintable(run.firstError));
    QVERIFY2(run.secondOk, qPrintable(run.secondError));
    QCOMPARE(run.handedOn, 1);
    QCOMPARE(keysOf(QSqlDatabase::database(m_name)),
             (QList<QString>{QStringLiteral("a"), QStringLiteral("b")}));
}

// A writer of the chain that rolls back loses only its own writes; it still commits what the chain holds.
void TestStorage::chainedWriterRollsBackAlone()
{
    const ChainRun run =
        runChain(m_dir.filePath(QStringLiteral("s.db")), [](QSqlDatabase &db, QString *error) {
            storage::WriteTransaction tx(db);
            if (!tx.begin(error) ||
                !storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES ('b', 2)"), {}, error))
                return false;
            // Its own write is visible to itself inside the chain, as is the first writer's.
            storage::Read seen(db, QStringLiteral("SELECT count(*) FROM t"), {}, error);
            if (!seen || !seen.next() || seen.value(0).toInt() != 2)
                return false;
            seen.finish();
            tx.rollback();
            return true;
        });
    QVERIFY2(run.firstOk, qPrintable(run.firstError));
    QVERIFY2(run.secondOk, qPrintable(run.secondError));
    QCOMPARE(run.handedOn, 1);
    QCOMPARE(keysOf(QSqlDatabase::database(m_name)), (QList<QString>{QStringLiteral("a")}));
}

// A commit that fails fails for every writer of the chain: the first learns it, and nothing of either is
// kept. (A deferred foreign key is checked at the commit only.)
void TestStorage::chainedCommitFailsForEveryWriter()
{
    QSqlQuery q(QSqlDatabase::database(m_name));
    QVERIFY(q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS parent (id INTEGER PRIMARY KEY)")));
    QVERIFY(q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS child (pid INTEGER REFERENCES parent (id) "
                                  "DEFERRABLE INITIALLY DEFERRED)")));
    const ChainRun run =
        runChain(m_dir.filePath(QStringLiteral("s.db")), [](QSqlDatabase &db, QString *error) {
            storage::WriteTransaction tx(db);
            return tx.begin(error) &&
                   storage::write(db, QStringLiteral("INSERT INTO child (pid) VALUES (999)"), {}, error) &&
                   tx.commit(error);
        });
    QVERIFY(!run.firstOk);
    QVERIFY2(run.firstError.contains(QStringLiteral("FOREIGN KEY")), qPrintable(run.firstError));
    QVERIFY(!run.secondOk);
    QVERIFY2(run.secondError.contains(QStringLiteral("FOREIGN KEY")), qPrintable(run.secondError));
    QCOMPARE(run.handedOn, 1);
    QVERIFY(keysOf(QSqlDatabase::database(m_name)).isEmpty());
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM child")) && q.next());
    QCOMPARE(q.value(0).toInt(), 0);
}

// Eight threads write 150 transactions each through the writer connection: held commits (which may chain),
// plain commits (which end a chain), rollbacks of either, and reads of their own writes inside the
// transaction. Whatever the interleaving, the file afterwards holds exactly the rows whose commit returned
// true, and every row a thread saw inside its transaction was its own or committed.
void TestStorage::manyWritersKeepExactlyWhatTheyWereToldWasKept()
{
    const QString path = m_dir.filePath(QStringLiteral("s.db"));
    QString error;
    auto writer = storage::WriterConnection::open(path, &error);
    QVERIFY2(writer, qPrintable(error));
    constexpr int kThreads = 8;
    constexpr int kPerThread = 150;
    std::vector<std::set<QString>> kept(kThreads);
    std::vector<QString> failures(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            ThreadConnection connection(QStringLiteral("many-%1").arg(t), path);
            QSqlDatabase db = connection.db();
            QRandomGenerator random(quint32(1000 + t)); // the same choices every run
            for (int i = 0; i < kPerThread && failures[size_t(t)].isEmpty(); ++i) {
                const QString key = QStringLiteral("t%1-%2").arg(t).arg(i);
                const int choice = int(random.bounded(10));
                const bool held = choice < 6;
                const bool rollBack = choice == 0 || choice == 6;
                QString why;
                bool ok = false;
                {
                    std::optional<storage::HeldCommit> hold;
                    if (held)
                        hold.emplace(db);
                    storage::WriteTransaction tx(db);
                    ok = tx.begin(&why) &&
                         storage::write(db, QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"), {key, i},
                                        &why);
                    if (ok) {
                        storage::Read mine(db, QStringLiteral("SELECT v FROM t WHERE k = ?"), {key}, &why);
                        ok = mine && mine.next() && mine.value(0).toInt() == i;
                        if (!ok)
                            failures[size_t(t)] =
                                QStringLiteral("%1 not seen in its own transaction").arg(key);
                    }
                    if (ok && rollBack) {
                        tx.rollback();
                        if (hold)
                            ok = hold->commit([](QString *) { return true; }, &why) && false;
                        else
                            ok = false;
                    } else if (ok) {
                        ok = tx.commit(&why) && (!hold || hold->commit([](QString *) { return true; }, &why));
                    }
                }
                if (ok)
                    kept[size_t(t)].insert(key);
                else if (!rollBack && failures[size_t(t)].isEmpty())
                    failures[size_t(t)] = key + QStringLiteral(": ") + why;
            }
        });
    }
    for (auto &thread : threads)
        thread.join();
    for (const auto &failure : failures)
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
    std::set<QString> expected;
    for (const auto &mine : kept)
        expected.insert(mine.begin(), mine.end());
    const QList<QString> stored = keysOf(QSqlDatabase::database(m_name));
    QCOMPARE(std::set<QString>(stored.begin(), stored.end()), expected);
    QVERIFY(expected.size() > size_t(kThreads * kPerThread / 2)); // most of them were kept
    qInfo("%d commits were handed on", storage::groupCommitStats(QSqlDatabase::database(m_name)).handedOn);
}

QTEST_GUILESS_MAIN(TestStorage)
#include "tst_storage.moc"
