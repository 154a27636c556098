#include "database.h"

#include "wire/jsonread.h"

#include <QSqlDriver>
#include <QSqlError>

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include <unistd.h>

namespace adcp::seller::storage {

namespace {

// What a failed statement says: the driver's text and the statement.
QString statementError(const QSqlQuery &query, const QString &sql)
{
    return query.lastError().text() + QStringLiteral(" [") + sql + QLatin1Char(']');
}

// SQLite's own busy handler sleeps 1, 2, 5, 10 ... 100 ms between tries, so a writer that finds the write
// lock taken by a transaction of a tenth of a millisecond waits milliseconds (and the request's p99 with it).
// This one retries after 25 µs, growing to 1 ms, until the same 60 s have passed.
int storageBusyWait(void *, int attempt)
{
    constexpr int kStepUs = 25;
    constexpr int kMaxSleepUs = 1000;
    constexpr int kRampAttempts = kMaxSleepUs / kStepUs;
    constexpr int kTimeoutAttempts = kRampAttempts + 60 * 1000 * 1000 / kMaxSleepUs;
    if (attempt >= kTimeoutAttempts)
        return 0;
    usleep(useconds_t(std::min(kMaxSleepUs, kStepUs * (attempt + 1))));
    return 1;
}

} // namespace

bool openSqliteConnection(const QString &connectionName, const QString &path, QString *error)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
    db.setDatabaseName(path);
    // Writers queue behind each other instead of failing at once; a burst of concurrent buys must all get an
    // answer (the race test runs 50 writers).
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=60000"));
    if (!db.open()) {
        if (error)
            *error = db.lastError().text();
        return false;
    }
    const QVariant handle = db.driver()->handle();
    if (handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0) {
        if (auto *sqlite = *static_cast<sqlite3 *const *>(handle.constData()))
            sqlite3_busy_handler(sqlite, storageBusyWait, nullptr);
    }
    QSqlQuery q(db);
    // A checkpoint copies each changed page once however often it changed since the last one; a longer WAL
    // (4096 pages, 16 MiB) copies the seller's hot pages (proposal and idempotency tables) far less often
    // than the default 1000 and runs the checkpoint's fsync in a request four times less often.
    for (const auto *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                               "PRAGMA foreign_keys=ON", "PRAGMA wal_autocheckpoint=4096"}) {
        if (!q.exec(QString::fromLatin1(pragma))) {
            if (error)
                *error = q.lastError().text();
            return false;
        }
    }
    return true;
}

namespace {

// The nesting of WriteTransactions per connection of this thread (connections are per thread): an inner one
// is a savepoint of the outer. `held`: a HeldCommit is active; `heldOpen`: the outermost transaction was
// "committed" under it and is still open, waiting for HeldCommit::commit.
struct TransactionState
{
    int depth = 0;
    bool held = false;
    bool heldOpen = false;
};

TransactionState &transactionState(const QString &connectionName)
{
    thread_local std::map<QString, TransactionState> states;
    return states[connectionName];
}

// Prepared statements kept for storage::write, per connection name (connections are per thread, so only the
// owning thread uses an entry). Not thread-local: a connection may be removed by another thread (a seller
// context removes every thread's connection when it closes), and its statements must be finalized by whoever
// removes it, before the removal (forgetStatements), never by the owning thread's exit racing that removal. A
// statement whose connection was removed, reopened or closed anyway is prepared again. Never destroyed:
// statements left at exit belong to connections QtSql tears down on its own.
struct StatementCache
{
    std::mutex mutex;
    std::map<QString, std::map<QString, std::unique_ptr<QSqlQuery>>> byConnection;
};

StatementCache &statementCache()
{
    static auto *cache = new StatementCache;
    return *cache;
}

QSqlQuery *keptStatement(QSqlDatabase &db, const QString &sql, QString *error, bool *reused = nullptr)
{
    StatementCache &cache = statementCache();
    std::unique_ptr<QSqlQuery> spent;
    {
        std::lock_guard lock(cache.mutex);
        auto &statements = cache.byConnection[db.connectionName()];
        if (auto it = statements.find(sql); it != statements.end()) {
            const QSqlDriver *driver = it->second->driver();
            if (driver && driver == db.driver() && driver->isOpen()) {
                if (reused)
                    *reused = true;
                return it->second.get();
            }
            spent = std::move(it->second);
            statements.erase(it);
        }
    }
    spent.reset(); // outside the lock: finalizing talks to the driver
    if (reused)
        *reused = false;
    auto query = std::make_unique<QSqlQuery>(db);
    if (!query->prepare(sql)) {
        if (error)
            *error = statementError(*query, sql);
        return nullptr;
    }
    std::lock_guard lock(cache.mutex);
    auto &kept = cache.byConnection[db.connectionName()][sql];
    kept = std::move(query);
    return kept.get();
}

void dropStatement(const QSqlDatabase &db, const QString &sql)
{
    StatementCache &cache = statementCache();
    std::unique_ptr<QSqlQuery> spent;
    std::lock_guard lock(cache.mutex);
    auto it = cache.byConnection.find(db.connectionName());
    if (it == cache.byConnection.end())
        return;
    if (auto found = it->second.find(sql); found != it->second.end()) {
        spent = std::move(found->second);
        it->second.erase(found);
    }
}

bool runStatement(QSqlDatabase &db, const QString &sql, QString *error)
{
    return write(db, sql, {}, error);
}

} // namespace

WriteTransaction::WriteTransaction(QSqlDatabase db) : m_db(std::move(db)) {}

WriteTransaction::~WriteTransaction()
{
    rollback();
}

bool WriteTransaction::begin(QString *error)
{
    TransactionState &state = transactionState(m_db.connectionName());
    if (state.depth > 0) {
        m_savepoint = QStringLiteral("wt_%1").arg(state.depth);
        if (!runStatement(m_db, QStringLiteral("SAVEPOINT ") + m_savepoint, error))
            return false;
    } else {
        m_savepoint.clear();
        if (!runStatement(m_db, QStringLiteral("BEGIN IMMEDIATE"), error))
            return false;
    }
    ++state.depth;
    m_active = true;
    return true;
}

bool WriteTransaction::commit(QString *error)
{
    if (!m_active)
        return false;
    TransactionState &state = transactionState(m_db.connectionName());
    if (m_savepoint.isEmpty() && state.held) {
        // Stays open for HeldCommit::commit; later transactions on this connection nest inside it.
        state.heldOpen = true;
        m_active = false;
        return true;
    }
    const QString sql =
        m_savepoint.isEmpty() ? QStringLiteral("COMMIT") : QStringLiteral("RELEASE ") + m_savepoint;
    if (!runStatement(m_db, sql, error)) {
        rollback();
        return false;
    }
    m_active = false;
    --state.depth;
    return true;
}

void WriteTransaction::rollback()
{
    if (!m_active)
        return;
    m_active = false;
    TransactionState &state = transactionState(m_db.connectionName());
    if (m_savepoint.isEmpty()) {
        runStatement(m_db, QStringLiteral("ROLLBACK"), nullptr);
        state.depth = 0;
        state.heldOpen = false;
    } else {
        runStatement(m_db, QStringLiteral("ROLLBACK TO ") + m_savepoint, nullptr);
        runStatement(m_db, QStringLiteral("RELEASE ") + m_savepoint, nullptr);
        --state.depth;
    }
}

HeldCommit::HeldCommit(QSqlDatabase db) : m_db(std::move(db))
{
    transactionState(m_db.connectionName()).held = true;
}

HeldCommit::~HeldCommit()
{
    if (!m_holding)
        return;
    TransactionState &state = transactionState(m_db.connectionName());
    state.held = false;
    if (state.heldOpen) {
        runStatement(m_db, QStringLiteral("ROLLBACK"), nullptr);
        state.heldOpen = false;
        state.depth = 0;
    }
}

bool HeldCommit::commit(const std::function<bool(QString *error)> &finish, QString *error)
{
    m_holding = false;
    TransactionState &state = transactionState(m_db.connectionName());
    state.held = false;
    if (!state.heldOpen) {
        // Nothing was written: `finish` gets a transaction of its own.
        WriteTransaction tx(m_db);
        return tx.begin(error) && finish(error) && tx.commit(error);
    }
    const bool finished = finish(error);
    state.heldOpen = false;
    state.depth = 0;
    if (finished && runStatement(m_db, QStringLiteral("COMMIT"), error))
        return true;
    runStatement(m_db, QStringLiteral("ROLLBACK"), nullptr);
    return false;
}

bool execute(QSqlQuery &query, const QString &sql, std::initializer_list<QVariant> bindings, QString *error)
{
    if (!query.prepare(sql)) {
        if (error)
            *error = statementError(query, sql);
        return false;
    }
    for (const auto &value : bindings)
        query.addBindValue(value);
    if (!query.exec()) {
        if (error)
            *error = statementError(query, sql);
        return false;
    }
    return true;
}

void forgetStatements(const QString &connectionName)
{
    StatementCache &cache = statementCache();
    std::map<QString, std::unique_ptr<QSqlQuery>> spent;
    {
        std::lock_guard lock(cache.mutex);
        auto it = cache.byConnection.find(connectionName);
        if (it == cache.byConnection.end())
            return;
        spent = std::move(it->second);
        cache.byConnection.erase(it);
    }
}

bool write(QSqlDatabase &db, const QString &sql, std::initializer_list<QVariant> bindings, QString *error,
           int *rowsAffected)
{
    bool reused = false;
    QSqlQuery *query = keptStatement(db, sql, error, &reused);
    if (!query)
        return false;
    const auto run = [&] {
        int position = 0;
        for (const auto &value : bindings)
            query->bindValue(position++, value);
        return query->exec();
    };
    bool ran = run();
    if (!ran && reused) {
        // A kept statement can be spent without its connection changing (the driver finalizes every
        // statement when the connection is closed and opened again). A failed statement changed nothing,
        // so it is prepared afresh and run once more; a real error fails the same way again.
        query->finish();
        dropStatement(db, sql);
        query = keptStatement(db, sql, error);
        if (!query)
            return false;
        ran = run();
    }
    if (!ran && error)
        *error = statementError(*query, sql);
    if (ran && rowsAffected)
        *rowsAffected = query->numRowsAffected();
    // Reset at once: a kept statement must hold no lock or read snapshot between calls.
    query->finish();
    return ran;
}

QString toText(const nlohmann::json &json)
{
    return QString::fromStdString(json.dump());
}

nlohmann::json fromText(const QString &text)
{
    if (text.isEmpty())
        return nullptr;
    // A stored document is untrusted like any other: a row that does not parse reads as absent.
    auto parsed = wire::parse(text.toStdString());
    if (!parsed) {
        qWarning("unreadable JSON in a stored row: %s", parsed.error().message().c_str());
        return nullptr;
    }
    return *parsed;
}

QString qs(const std::string &text)
{
    return QString::fromStdString(text);
}

std::string ss(const QString &text)
{
    return text.toStdString();
}

} // namespace adcp::seller::storage
