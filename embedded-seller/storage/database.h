#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <nlohmann/json.hpp>

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>

struct sqlite3_stmt;

namespace adcp::seller::storage {

// Settings SQLite takes only before its first use in the process, once: no memory statistics (they put a
// process-wide mutex around every allocation SQLite makes), and the WAL write batching VFS (walbatch.h).
// Called first by openSqliteConnection; main() calls it before anything opens a database. Later calls do
// nothing.
void configureSqliteLibrary();

// Opens a SQLite connection with the seller's settings: WAL, a busy timeout long enough for bursts of
// writers, foreign keys on. The connection belongs to the calling thread.
bool openSqliteConnection(const QString &connectionName, const QString &path, QString *error);

// How many WAL checkpoints the background checkpointer of `db`'s file has finished in this process (one falls
// due per 4096 frames written; no committing thread runs them). 0 for a database without a file.
int checkpointsCompleted(const QSqlDatabase &db);

// The file's writer connection. While one is open for a database file, every outermost WriteTransaction (and
// HeldCommit, and group of groupWrite) of the process on that file runs on it, under the file's writers'
// turn, whichever thread and connection began it: storage::write and storage::Read given the thread's own
// connection run on the writer until the transaction ends. SQLite empties a connection's page cache whenever
// another connection has committed since its last transaction; with one connection doing every commit, its
// cache stays warm, where each thread's connection read the B-tree pages of every table and index it wrote
// again, one pread each (docs/seller-load.md). Reads outside write transactions stay on the thread's own
// connection. A statement run on the thread's own connection some other way (a QSqlQuery of its own) inside
// such a transaction is a bug: it is reported (fatal under ADCP_STORAGE_STRICT, which the tests set).
// Several opens of one file share one connection; it closes when the last is destroyed, which no transaction
// may outlive.
class WriterConnection final
{
public:
    static std::unique_ptr<WriterConnection> open(const QString &path, QString *error);
    ~WriterConnection();
    WriterConnection(const WriterConnection &) = delete;
    WriterConnection &operator=(const WriterConnection &) = delete;

private:
    explicit WriterConnection(void *file) : m_file(file) {}
    void *m_file;
};

// The connection statements for `db` run on now from the calling thread: the file's writer connection inside
// a write transaction that runs there, else `db`. For code that needs a QSqlQuery of its own.
QSqlDatabase connectionFor(const QSqlDatabase &db);

// How many statements ran on a thread's own connection inside a write transaction run on the writer
// connection (see WriterConnection), in this process.
int strayStatements();

// A write transaction. SQLite's plain BEGIN takes the write lock lazily, which deadlocks two readers that
// both want to write; BEGIN IMMEDIATE takes it up front and waits (busy timeout) instead. One begun while
// another is open on the same connection is a savepoint of it: its commit releases the savepoint and only the
// outermost commit makes the writes durable. Under a HeldCommit the outermost commit is held back too.
class WriteTransaction final
{
public:
    explicit WriteTransaction(QSqlDatabase db);
    ~WriteTransaction();
    WriteTransaction(const WriteTransaction &) = delete;
    WriteTransaction &operator=(const WriteTransaction &) = delete;

    bool begin(QString *error);
    bool commit(QString *error);
    // The same commit, which may share its commit with the writers waiting for the turn (commit chaining,
    // database.cpp): it returns once the commit holding its writes is done, which may wait for another
    // thread's transaction. Only for callers that hold no lock another writer's transaction might need.
    bool commitWithOthers(QString *error);
    void rollback();

private:
    bool commit(bool mayWait, QString *error);

    QSqlDatabase m_db;
    QString m_savepoint; // empty for the outermost transaction
    bool m_active = false;
};

// Holds back the commit of every WriteTransaction the calling thread runs on `db` while it exists: the first
// one's writes stay open (later ones become savepoints of it) until commit() runs `finish` inside that same
// transaction and commits it all at once. The write lock is taken only when the first WriteTransaction
// begins, so reads before it do not block other writers. Destroyed without commit(): everything rolls back.
// The Dispatcher stores a keyed call's idempotency record this way, atomically with the handler's writes.
class HeldCommit final
{
public:
    explicit HeldCommit(QSqlDatabase db);
    ~HeldCommit();
    HeldCommit(const HeldCommit &) = delete;
    HeldCommit &operator=(const HeldCommit &) = delete;

    // `finish` runs inside the held transaction (or a new one when nothing was written) and may refuse. The
    // commit may be shared with the writers waiting for the turn (WriteTransaction::commitWithOthers): the
    // caller must hold no lock another writer's transaction might need.
    bool commit(const std::function<bool(QString *error)> &finish, QString *error);

private:
    QSqlDatabase m_db;
    bool m_holding = true;
};

// Group commit. Runs `work` in a write transaction that the concurrent groupWrite calls of other threads on
// the same database file share: the first caller leads, begins a transaction on its own connection, runs its
// work and every work queued meanwhile (up to 32), each in a savepoint of its own, and commits them all at
// once; a work that fails (or throws) rolls back alone. Every caller returns once the commit holding its
// writes is done (false with the reason when its work failed or the transaction could not begin or commit),
// then a caller still queued leads the next group. One commit writes each page its works touched once, where
// separate transactions wrote the shared pages (table and index leaves, page 1) once per request, and the
// writers' turn changes hands once per group. `work` may run on another thread: it must write and read only
// through the connection it is given and touch nothing of its caller's thread-local state. Runs inline (a
// plain WriteTransaction) when the calling thread already has a transaction, a HeldCommit or the file's
// writers' turn, or `db` has no file.
using GroupWork = std::function<bool(QSqlDatabase &db, QString *error)>;
bool groupWrite(QSqlDatabase &db, const GroupWork &work, QString *error);

// What groupWrite did on `db`'s file in this process: commits (groups), works committed or rolled back in
// them, and calls queued now behind a running group; how many commits handed their open transaction on to the
// next writer instead (commit chaining), and how many write transactions wait for the writers' turn now.
struct GroupCommitStats
{
    int commits = 0;
    int works = 0;
    int queued = 0;
    int handedOn = 0;
    int waitingWriters = 0;
};
GroupCommitStats groupCommitStats(const QSqlDatabase &db);

// Prepares and runs `sql` with positional bindings; on failure fills `error` with the driver's message.
bool execute(QSqlQuery &query, const QString &sql, std::initializer_list<QVariant> bindings, QString *error);

// Runs a statement that returns no rows (INSERT, UPDATE, DELETE, transaction control) through a prepared
// statement kept per connection and thread, so the write paths do not parse their SQL again on every call
// (measured: a third of get_products' CPU went to SQLite's parser and Qt's prepare before). `rowsAffected`,
// when given, receives the count of changed rows. Never for SELECT: a kept statement is shared by every
// caller of the same text on this connection. Runs on SQLite's own API with Read's bindings (below): QtSql's
// binding of positional values (a placeholder name made per value) and its error objects cost more than
// SQLite's own step for a small row.
bool write(QSqlDatabase &db, const QString &sql, std::initializer_list<QVariant> bindings, QString *error,
           int *rowsAffected = nullptr);
// A SELECT run through a statement kept prepared per connection and thread, like write()'s: the read paths
// under the write lock (create_media_buy's reconciliation, booking, account and idempotency look-ups) parsed
// their SQL again on every call before. Construct it, test it (false: the statement failed, `error` says
// why), then step through the rows with next() and value(). The statement is reset when the Read ends (or on
// finish()), so it holds no read snapshot afterwards. Forward-only. A text already being read on this
// connection (a nested read of the same statement) runs on a statement of its own, prepared for that call.
// Reads run on SQLite's own API with QtSql's bindings and values (a QString binds as text, a null one as
// NULL; an INTEGER column reads as qlonglong, REAL as double, TEXT as QString, NULL as a null QString):
// QtSql built a record of every column's declared type on every run of a kept SELECT, 8 % of an order's CPU.
class Read final
{
public:
    Read(const QSqlDatabase &db, const QString &sql, std::initializer_list<QVariant> bindings,
         QString *error = nullptr);
    ~Read();
    Read(const Read &) = delete;
    Read &operator=(const Read &) = delete;

    explicit operator bool() const { return m_ok; }
    bool next();
    QVariant value(int index) const;
    // Resets the statement before the Read ends (the rows are gone then).
    void finish();

private:
    sqlite3_stmt *m_statement = nullptr;
    bool *m_busy = nullptr; // the kept statement's in-use mark, cleared by finish()
    bool m_own = false;     // a nested read's statement of its own, finalized by finish()
    bool m_ok = false;
    bool m_row = false;     // the statement stands on a row
    bool m_pending = false; // that row was stepped to by the constructor and not yet returned by next()
};

// Finalizes the statements write() and Read keep for a connection. Call it before
// QSqlDatabase::removeDatabase from the thread that removes the connection (no other thread may be using it
// then).
void forgetStatements(const QString &connectionName);

// `t` in UTC as ISO 8601 text: "2026-12-06T03:33:32Z", or with milliseconds "2026-12-06T03:33:32.120Z", byte
// for byte what QDateTime::toString(Qt::ISODate / Qt::ISODateWithMs) writes for the same time in UTC, without
// its general formatting (a tenth of a proposal insert's CPU went there). Empty for an invalid time.
QString isoTime(const QDateTime &t);
QString isoTimeMs(const QDateTime &t);

// `text` (UTF-8) as a binding of write() or Read: bound as TEXT as it is, without a QString's trip through
// UTF-16 and SQLite's back to UTF-8. Only for these two; QtSql's own queries do not know the type.
QVariant utf8(std::string text);
// A document as compact JSON text, bound as utf8() is.
QVariant jsonText(const nlohmann::json &json);
QString toText(const nlohmann::json &json);
nlohmann::json fromText(const QString &text); // null on empty or unparsable text
QString qs(const std::string &text);
std::string ss(const QString &text);

} // namespace adcp::seller::storage
