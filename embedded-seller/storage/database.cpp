#include "database.h"
#include "walbatch.h"

#include "wire/jsonread.h"

#include <QSqlDriver>
#include <QSqlError>

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

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

// What the process's connections to one database file share (keyed by SQLite's full file name; one per file,
// never freed): the writers' turn and the checkpoint schedule.
//
// Writers take turns here before BEGIN IMMEDIATE. Waiting for SQLite's write lock is polling (storageBusyWait
// sleeps 25 µs to 1 ms between tries): the lock stays free while its waiters sleep, and one that arrives just
// then takes it before them. Here a finishing writer wakes the next at once. A thread that holds the turn
// already (through another connection) passes; one that waited a busy timeout's worth goes on to SQLite's own
// wait, as before. Other processes, and writes outside a WriteTransaction, meet only SQLite's lock.
//
// Checkpoints: SQLite's automatic checkpoint (PRAGMA wal_autocheckpoint) runs after every commit that leaves
// the WAL at or above its threshold, and under steady writes from several connections (request threads, job
// workers, the ticker) the WAL never falls below it again: every commit ran a PASSIVE checkpoint of the few
// frames committed since the previous one, with its two fdatasyncs (WAL before, database after). Instead one
// checkpoint runs per kCheckpointFrames new frames, on a thread of its own with its own connection (the file's
// checkpointer, started when one falls due and ended after kCheckpointerIdle without work): no request, job or
// window waits for it. (Run by the committing thread after its turn, as before, the copy and its two syncs were
// the longest waits a request met: at concurrency 8 the slowest get_products took 44-66 ms and the slowest
// create_media_buy 57-91 ms, against 16-21 and 24-28 ms with the checkpointer; docs/seller-load.md.) The
// checkpointer only copies: a connection of its own cannot see another's open transaction, and the turn it
// takes for a RESTART is the one writers take. The WAL starts over only
// when a writer finds every frame copied and no reader in it, which steady writes never leave time for (it
// grew past 400 MB in a 6 s create_media_buy run): once it holds kRestartFrames, the checkpoint is followed by
// a RESTART one under the turn, which copies what was committed meanwhile, waits for the readers of older
// frames (at most kRestartWaitMs, or it gives up until the next mark) and makes the next writer start the WAL
// over. Commits are as durable as before: they are in the WAL, whatever the checkpoints do.
constexpr int kCheckpointFrames = 4096;
constexpr int kRestartFrames = 4 * kCheckpointFrames; // 64 MiB of 4 KiB pages
constexpr int kRestartWaitMs = 20;
constexpr int kCatchUpRounds = 4;
constexpr int kCatchUpFrames = 256;
constexpr auto kCheckpointerIdle = std::chrono::seconds(5);

struct QueuedWork;

// Commit chaining. Under load most of a write's cost in its turn is the commit: SQLite writes every page the
// transaction changed to the WAL, and consecutive orders change mostly the same pages (the tail leaves of
// each table and index, page 1). A writer that may wait (HeldCommit::commit, a group of groupWrite) and finds
// other writers waiting for the turn does not commit: it releases the turn with the writer connection's
// transaction still open, and the next writer runs its transaction as a savepoint of it (SAVEPOINT wt_chain
// in place of BEGIN IMMEDIATE). The last writer of the chain (no one waiting, kChainLimit reached, or one
// that may not wait) commits everything at once and wakes the others, which return then with its result: a
// writer returns from its commit only once its writes are durable, as before. A writer that rolls back rolls
// back its own savepoint alone and passes the rest on or commits it; a commit that fails fails for every
// writer in the chain, whose writes are then all gone. Only writers on the file's writer connection chain
// (the connection is the one whose transaction stays open). Turn takers that are not writers (a RESTART
// checkpoint, the writer connection's open and close) wait until no chain is open.
struct Chain
{
    int length = 0; // writers that ran in it, kept or rolled back
    bool done = false;
    bool ok = false;
    QString error;
    std::condition_variable finished; // done was set (under SharedFile::mutex)
};
constexpr int kChainLimit = 16;

struct SharedFile
{
    std::mutex mutex;
    std::condition_variable freed;
    std::thread::id owner; // holds the turn while depth > 0
    int depth = 0;
    int joiners = 0;              // writers waiting for the turn (enterTurn with join)
    bool chainOpen = false;       // the writer connection's transaction waits for the next writer (Chain)
    std::shared_ptr<Chain> chain; // that chain; set and read under the turn
    int handedOn = 0;             // commits that handed their open transaction on instead
    std::atomic<int> lastCheckpointAt{0}; // the WAL's frame count when a checkpoint was last started

    // The checkpointer: `due` and `restart` are what it runs next, `running` whether its thread lives.
    std::string path;
    std::mutex checkpointMutex;
    std::condition_variable checkpointWake;
    bool due = false;
    bool restart = false;
    bool running = false;
    std::atomic<int> completed{0};

    // The file's writer connection (WriterConnection): while one is open, every outermost write transaction
    // of the process on this file runs on it, under the turn. Set and cleared under the turn.
    QSqlDatabase writer;
    QString writerName;
    int writerUsers = 0;

    // Group commit (groupWrite): the calls waiting for a group, whether one is being led, the counts.
    std::mutex groupMutex;
    std::deque<QueuedWork *> groupQueue;
    bool groupLed = false;
    int groupCommits = 0;
    int groupWorks = 0;
};

// One groupWrite call: its work, and what became of it (set by the leader under groupMutex).
struct QueuedWork
{
    const GroupWork *work = nullptr;
    bool done = false;
    bool ok = false;
    bool lead = false; // the previous leader handed the next group to this call
    QString error;
    std::condition_variable wake; // done or lead was set
};

sqlite3 *sqliteHandle(const QSqlDatabase &db)
{
    const QSqlDriver *driver = db.driver();
    const QVariant handle = driver ? driver->handle() : QVariant();
    if (handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0)
        return *static_cast<sqlite3 *const *>(handle.constData());
    return nullptr;
}

SharedFile *sharedFile(sqlite3 *db)
{
    const char *file = db ? sqlite3_db_filename(db, "main") : nullptr;
    // In-memory and temporary databases are one per connection: nothing to share.
    if (!file || !*file)
        return nullptr;
    static std::mutex mutex;
    static auto *byFile = new std::map<std::string, std::unique_ptr<SharedFile>>;
    std::lock_guard lock(mutex);
    auto &shared = (*byFile)[file];
    if (!shared) {
        shared = std::make_unique<SharedFile>();
        shared->path = file;
    }
    return shared.get();
}

// `join`: the caller is a writer that can continue an open chain (a write transaction's takeTurn); any other
// taker waits until no chain is open as well.
bool enterTurn(SharedFile *file, bool join = false)
{
    std::unique_lock lock(file->mutex);
    const auto self = std::this_thread::get_id();
    if (file->depth == 0 || file->owner != self) {
        const auto free = [file, join] { return file->depth == 0 && (join || !file->chainOpen); };
        if (join)
            ++file->joiners;
        const bool entered = file->freed.wait_for(lock, std::chrono::seconds(60), free);
        if (join)
            --file->joiners;
        if (!entered)
            return false;
        file->owner = self;
    }
    ++file->depth;
    return true;
}

void leaveTurn(SharedFile *file)
{
    bool chainOpen = false;
    {
        std::lock_guard lock(file->mutex);
        if (--file->depth > 0)
            return;
        file->owner = {};
        chainOpen = file->chainOpen;
    }
    // Only a writer may take an open chain: wake them all rather than one that would wait on.
    if (chainOpen)
        file->freed.notify_all();
    else
        file->freed.notify_one();
}

int restartBusyWait(void *, int attempt)
{
    if (attempt * 100 >= kRestartWaitMs * 1000)
        return 0;
    usleep(100);
    return 1;
}

void checkpoint(sqlite3 *db, SharedFile *file, bool restart)
{
    int frames = 0;
    sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &frames, nullptr);
    if (restart) {
        // Writers went on during that copy: catch up outside the turn (a few rounds at most, each shorter
        // than the last), so that the RESTART below, which holds them off, has little left to copy.
        for (int round = 0; round < kCatchUpRounds; ++round) {
            const int before = frames;
            if (sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &frames, nullptr) != SQLITE_OK ||
                frames - before < kCatchUpFrames)
                break;
        }
        // SQLite syncs the database file only after a checkpoint that copied every frame, which under steady
        // writes only the RESTART below manages: that one sync would flush every page the checkpoints copied
        // since the last restart, and it was most of what writers waited for (10 of 11-12 ms here). Flush
        // them now, and copy once more what was committed during the flush: the sync under the turn is left
        // with the last few pages (2-4 ms; docs/seller-load.md).
        sqlite3_file *databaseFile = nullptr;
        if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &databaseFile) == SQLITE_OK &&
            databaseFile && databaseFile->pMethods &&
            databaseFile->pMethods->xSync(databaseFile, SQLITE_SYNC_NORMAL) == SQLITE_OK)
            sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &frames, nullptr);
        const bool turn = enterTurn(file);
        sqlite3_busy_handler(db, restartBusyWait, nullptr);
        sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
        sqlite3_busy_handler(db, storageBusyWait, nullptr);
        if (turn)
            leaveTurn(file);
    }
    file->completed.fetch_add(1, std::memory_order_release);
}

// The checkpointer's connection, or null when the file cannot be opened (removed meanwhile).
sqlite3 *openForCheckpoints(const std::string &path)
{
    sqlite3 *db = nullptr;
    // A connection that has read nothing yet has not seen the WAL: it would checkpoint nothing.
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA schema_version", nullptr, nullptr, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return nullptr;
    }
    sqlite3_busy_handler(db, storageBusyWait, nullptr);
    return db;
}

// The file's checkpointer thread: runs what falls due, opening its connection on the first, and ends once
// nothing fell due for kCheckpointerIdle. A file that cannot be opened (removed meanwhile) is skipped.
void runCheckpointer(SharedFile *file)
{
    sqlite3 *db = nullptr;
    std::unique_lock lock(file->checkpointMutex);
    while (file->checkpointWake.wait_for(lock, kCheckpointerIdle, [file] { return file->due; })) {
        const bool restart = std::exchange(file->restart, false);
        file->due = false;
        lock.unlock();
        if (!db)
            db = openForCheckpoints(file->path);
        if (db)
            checkpoint(db, file, restart);
        lock.lock();
    }
    file->running = false;
    lock.unlock();
    sqlite3_close(db);
}

void requestCheckpoint(SharedFile *file, bool restart)
{
    std::lock_guard lock(file->checkpointMutex);
    file->due = true;
    file->restart = file->restart || restart;
    if (file->running) {
        file->checkpointWake.notify_one();
        return;
    }
    try {
        std::thread(runCheckpointer, file).detach();
        file->running = true;
    } catch (const std::system_error &) {
        // No thread to be had now: the next mark asks again, and the WAL only grows meanwhile.
        file->due = false;
    }
}

int walCheckpointHook(void *arg, sqlite3 *, const char *schema, int frames)
{
    if (qstrcmp(schema, "main") != 0)
        return SQLITE_OK;
    auto *file = static_cast<SharedFile *>(arg);
    int last = file->lastCheckpointAt.load(std::memory_order_relaxed);
    // Fewer frames than at the last checkpoint: the WAL has started over since.
    const int since = frames >= last ? frames - last : frames;
    if (since < kCheckpointFrames)
        return SQLITE_OK;
    // Another connection that crossed the same mark asks for this checkpoint.
    if (!file->lastCheckpointAt.compare_exchange_strong(last, frames, std::memory_order_relaxed))
        return SQLITE_OK;
    requestCheckpoint(file, frames >= kRestartFrames);
    return SQLITE_OK;
}

// The calling thread's connections whose outermost write transaction runs on their file's writer connection
// now: storage::write and storage::Read given one of them run on the writer instead.
struct Redirect
{
    QString from;
    sqlite3 *fromHandle = nullptr;
    QSqlDatabase to;
    QSqlDatabase fromDb;
};
thread_local std::vector<Redirect> t_redirects;

const QSqlDatabase &target(const QSqlDatabase &db)
{
    if (t_redirects.empty())
        return db;
    const QString name = db.connectionName();
    for (const auto &redirect : t_redirects) {
        if (redirect.from == name)
            return redirect.to;
    }
    return db;
}

// The connection whose transaction `db` runs now when `db` is the writer it was redirected to (a transaction
// or held commit begun on the writer itself, as an order hook may, nests in that transaction), else `db`.
QSqlDatabase sourceOf(QSqlDatabase db)
{
    for (const auto &redirect : t_redirects) {
        if (redirect.to.connectionName() == db.connectionName())
            return redirect.fromDb;
    }
    return db;
}

std::atomic<int> g_strayStatements{0};

// SQLITE_TRACE_STMT on every connection openSqliteConnection opens: a statement that starts on a connection
// whose thread runs its write transaction on the writer connection now was written past storage::write and
// storage::Read (a QSqlQuery of its own): it cannot see the transaction's writes, and a write would wait for
// the writer's lock until its busy timeout. Counted and reported; fatal under ADCP_STORAGE_STRICT (the tests
// set it).
int strayStatementCheck(unsigned, void *context, void *, void *sql)
{
    if (t_redirects.empty())
        return 0;
    for (const auto &redirect : t_redirects) {
        if (redirect.fromHandle != context)
            continue;
        g_strayStatements.fetch_add(1, std::memory_order_relaxed);
        const char *text = static_cast<const char *>(sql);
        if (qEnvironmentVariableIsSet("ADCP_STORAGE_STRICT"))
            qFatal("storage: a statement ran on its thread's own connection inside a write transaction "
                   "(use storage::write, storage::Read or storage::connectionFor): %s",
                   text ? text : "");
        qWarning("storage: a statement ran on its thread's own connection inside a write transaction: %s",
                 text ? text : "");
    }
    return 0;
}

} // namespace

int checkpointsCompleted(const QSqlDatabase &db)
{
    const SharedFile *file = sharedFile(sqliteHandle(db));
    return file ? file->completed.load(std::memory_order_acquire) : 0;
}

QSqlDatabase connectionFor(const QSqlDatabase &db)
{
    return target(db);
}

int strayStatements()
{
    return g_strayStatements.load(std::memory_order_relaxed);
}

void configureSqliteLibrary()
{
    static std::once_flag once;
    std::call_once(once, [] {
        // Refused (SQLITE_MISUSE, nothing changed) when SQLite is already initialized: only slower then.
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        installWalWriteBatching();
    });
}

bool openSqliteConnection(const QString &connectionName, const QString &path, QString *error)
{
    configureSqliteLibrary();
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
    sqlite3 *sqlite = sqliteHandle(db);
    if (sqlite)
        sqlite3_busy_handler(sqlite, storageBusyWait, nullptr);
    QSqlQuery q(db);
    // A checkpoint copies each changed page once however often it changed since the last one; a longer WAL
    // (4096 pages, 16 MiB) copies the seller's hot pages (proposal and idempotency tables) far less often
    // than the default 1000 and runs the checkpoint's fsync in a request four times less often.
    // temp_store=MEMORY keeps savepoint journals in memory: SQLite spills one past 64 KiB to a temporary file
    // (created, unlinked, written page by page), which a chain of writers' savepoints (Chain) reached at
    // once.
    for (const auto *pragma :
         {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON",
          "PRAGMA wal_autocheckpoint=4096", "PRAGMA temp_store=MEMORY"}) {
        if (!q.exec(QString::fromLatin1(pragma))) {
            if (error)
                *error = q.lastError().text();
            return false;
        }
    }
    // The same threshold, counted from the last checkpoint rather than from the WAL's start (SharedFile);
    // replaces the automatic checkpoint set above.
    if (SharedFile *file = sharedFile(sqlite))
        sqlite3_wal_hook(sqlite, walCheckpointHook, file);
    if (sqlite)
        sqlite3_trace_v2(sqlite, SQLITE_TRACE_STMT, strayStatementCheck, sqlite);
    return true;
}

std::unique_ptr<WriterConnection> WriterConnection::open(const QString &path, QString *error)
{
    static std::atomic<int> serial{0};
    const QString name = QStringLiteral("adcp-writer-%1").arg(serial.fetch_add(1) + 1);
    if (!openSqliteConnection(name, path, error)) {
        QSqlDatabase::removeDatabase(name);
        return nullptr;
    }
    QSqlDatabase db = QSqlDatabase::database(name, false);
    SharedFile *file = sharedFile(sqliteHandle(db));
    bool kept = false;
    bool counted = false;
    if (file && enterTurn(file)) {
        counted = true;
        if (file->writerUsers++ == 0) {
            file->writer = db;
            file->writerName = name;
            kept = true;
        }
        leaveTurn(file);
    }
    if (!kept) {
        // Another open of the file has its writer already (or the file is in memory: nothing to share).
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
    }
    return std::unique_ptr<WriterConnection>(new WriterConnection(counted ? file : nullptr));
}

WriterConnection::~WriterConnection()
{
    auto *file = static_cast<SharedFile *>(m_file);
    if (!file || !enterTurn(file))
        return;
    QString name;
    if (--file->writerUsers == 0) {
        name = std::exchange(file->writerName, QString());
        file->writer = QSqlDatabase();
    }
    leaveTurn(file);
    if (!name.isEmpty()) {
        forgetStatements(name);
        QSqlDatabase::removeDatabase(name);
    }
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
    SharedFile *turn = nullptr; // the file's writer turn, held from the outermost BEGIN to its end
    bool redirected = false;    // the transaction runs on the file's writer connection (t_redirects)
    bool chainMember = false;   // it is a savepoint of an open chain's transaction (Chain)
};

TransactionState &transactionState(const QString &connectionName)
{
    thread_local std::map<QString, TransactionState> states;
    return states[connectionName];
}

void takeTurn(const QSqlDatabase &db, TransactionState &state)
{
    SharedFile *file = sharedFile(sqliteHandle(db));
    if (!file || !enterTurn(file, true))
        return;
    state.turn = file;
    // Under the turn: the writer connection cannot be opened or closed meanwhile.
    if (file->writer.isValid() && file->writerName != db.connectionName()) {
        t_redirects.push_back({db.connectionName(), sqliteHandle(db), file->writer, db});
        state.redirected = true;
        state.chainMember = file->chainOpen;
    }
}

void endTurn(TransactionState &state)
{
    SharedFile *file = std::exchange(state.turn, nullptr);
    if (!file)
        return;
    if (std::exchange(state.redirected, false)) {
        const auto redirect = std::find_if(t_redirects.rbegin(), t_redirects.rend(), [&](const Redirect &r) {
            return r.to.connectionName() == file->writerName;
        });
        if (redirect != t_redirects.rend())
            t_redirects.erase(std::next(redirect).base());
    }
    leaveTurn(file);
}

// Prepared statements kept for storage::write and storage::Read, per connection name (connections are per
// thread, so only the owning thread uses an entry). Not thread-local: a connection may be removed by another
// thread (a seller context removes every thread's connection when it closes), and its statements must be
// finalized by whoever removes it, before the removal (forgetStatements), never by the owning thread's exit
// racing that removal. A statement whose connection was removed, reopened or closed anyway is prepared again.
// Never destroyed: statements left at exit belong to connections QtSql tears down on its own.
// Both run on SQLite's own API: `handle` is the connection a statement was prepared on, to notice a
// connection closed and opened again under the same name.
struct KeptStatement
{
    sqlite3 *handle = nullptr;
    sqlite3_stmt *statement = nullptr;
    bool busy = false; // a Read is stepping through its rows (owning thread only)
};

struct StatementCache
{
    std::mutex mutex;
    std::map<QString, std::map<QString, KeptStatement>> byConnection;
};

StatementCache &statementCache()
{
    static auto *cache = new StatementCache;
    return *cache;
}

bool runStatement(QSqlDatabase &db, const QString &sql, QString *error)
{
    return write(db, sql, {}, error);
}

// The savepoint a chained writer's transaction runs in (one at a time: each is released before the next).
const QString kChainSavepoint = QStringLiteral("wt_chain");

// Ends the calling thread's outermost write transaction on `db` (state.depth is 0 already): keeps its writes
// or rolls them back, then commits, or, when the transaction runs on the writer connection and a writer waits
// for the turn, hands the open transaction on (see Chain). `mayWait`: the caller holds nothing another writer
// could need, so it may wait for the chain's commit. Returns whether its writes are durable (false when
// rolled back; `error` is set only when writes to keep were lost).
bool finishOutermost(QSqlDatabase &db, TransactionState &state, bool keep, bool mayWait, QString *error)
{
    SharedFile *file = state.turn;
    const bool member = std::exchange(state.chainMember, false);
    if (member) {
        if (keep && !runStatement(db, QStringLiteral("RELEASE ") + kChainSavepoint, error))
            keep = false;
        if (!keep) {
            runStatement(db, QStringLiteral("ROLLBACK TO ") + kChainSavepoint, nullptr);
            runStatement(db, QStringLiteral("RELEASE ") + kChainSavepoint, nullptr);
        }
    } else if (!keep || !file || !state.redirected) {
        const bool committed = keep && runStatement(db, QStringLiteral("COMMIT"), error);
        if (!committed)
            runStatement(db, QStringLiteral("ROLLBACK"), nullptr);
        endTurn(state);
        return committed;
    }

    // The writer connection's transaction holds this writer's writes (or earlier writers' of the chain).
    sqlite3 *writer = sqliteHandle(connectionFor(db));
    // An error SQLite answers by rolling the whole transaction back (a full disk, an I/O error) ends the
    // chain: nothing of it is left to pass on or commit.
    const bool open = writer && !sqlite3_get_autocommit(writer);
    std::shared_ptr<Chain> chain = member ? file->chain : std::make_shared<Chain>();
    ++chain->length;
    std::unique_lock lock(file->mutex);
    if (open && (mayWait || !keep) && file->joiners > 0 && chain->length < kChainLimit) {
        file->chain = chain;
        file->chainOpen = true;
        ++file->handedOn;
        lock.unlock();
        endTurn(state);
        if (!keep)
            return false;
        lock.lock();
        chain->finished.wait(lock, [&chain] { return chain->done; });
        if (!chain->ok && error)
            *error = chain->error;
        return chain->ok;
    }
    file->chain.reset();
    file->chainOpen = false;
    lock.unlock();
    QString commitError = QStringLiteral("the database rolled the transaction back");
    const bool committed = open && runStatement(db, QStringLiteral("COMMIT"), &commitError);
    if (!committed && open)
        runStatement(db, QStringLiteral("ROLLBACK"), nullptr);
    lock.lock();
    chain->done = true;
    chain->ok = committed;
    chain->error = commitError;
    lock.unlock();
    chain->finished.notify_all();
    endTurn(state);
    if (!keep)
        return false;
    if (!committed && error)
        *error = commitError;
    return committed;
}

} // namespace

WriteTransaction::WriteTransaction(QSqlDatabase db) : m_db(sourceOf(std::move(db))) {}

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
        takeTurn(m_db, state);
        if (state.chainMember) {
            if (!runStatement(m_db, QStringLiteral("SAVEPOINT ") + kChainSavepoint, error)) {
                finishOutermost(m_db, state, false, false, nullptr);
                return false;
            }
        } else if (!runStatement(m_db, QStringLiteral("BEGIN IMMEDIATE"), error)) {
            endTurn(state);
            return false;
        }
    }
    ++state.depth;
    m_active = true;
    return true;
}

bool WriteTransaction::commit(QString *error)
{
    return commit(false, error);
}

bool WriteTransaction::commitWithOthers(QString *error)
{
    return commit(true, error);
}

bool WriteTransaction::commit(bool mayWait, QString *error)
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
    if (m_savepoint.isEmpty()) {
        m_active = false;
        state.depth = 0;
        return finishOutermost(m_db, state, true, mayWait, error);
    }
    if (!runStatement(m_db, QStringLiteral("RELEASE ") + m_savepoint, error)) {
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
        state.depth = 0;
        state.heldOpen = false;
        finishOutermost(m_db, state, false, false, nullptr);
    } else {
        runStatement(m_db, QStringLiteral("ROLLBACK TO ") + m_savepoint, nullptr);
        runStatement(m_db, QStringLiteral("RELEASE ") + m_savepoint, nullptr);
        --state.depth;
    }
}

HeldCommit::HeldCommit(QSqlDatabase db) : m_db(sourceOf(std::move(db)))
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
        state.heldOpen = false;
        state.depth = 0;
        finishOutermost(m_db, state, false, false, nullptr);
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
    return finishOutermost(m_db, state, finished, true, error);
}

namespace {

constexpr size_t kGroupLimit = 32;

bool holdsTurn(SharedFile *file)
{
    std::lock_guard lock(file->mutex);
    return file->depth > 0 && file->owner == std::this_thread::get_id();
}

// One work in a savepoint of the leader's transaction; a work that throws is a failed one.
bool runQueuedWork(QSqlDatabase &db, QueuedWork &queued)
{
    WriteTransaction savepoint(db);
    QString error;
    bool ok = false;
    try {
        ok = savepoint.begin(&error) && (*queued.work)(db, &error) && savepoint.commit(&error);
    } catch (const std::exception &e) {
        error = QString::fromUtf8(e.what());
    }
    if (!ok) {
        savepoint.rollback();
        queued.error = error.isEmpty() ? QStringLiteral("the write failed") : error;
    }
    return ok;
}

// Takes queued calls (not yet in `group`) until the group holds kGroupLimit.
void takeQueued(SharedFile *file, std::vector<QueuedWork *> &group)
{
    std::lock_guard lock(file->groupMutex);
    while (!file->groupQueue.empty() && group.size() < kGroupLimit) {
        group.push_back(file->groupQueue.front());
        file->groupQueue.pop_front();
    }
}

// The leader's part: one transaction for its own call and those queued, then the results, then the next
// leader (the oldest call still queued) or none.
void leadGroup(QSqlDatabase &db, SharedFile *file, QueuedWork &mine)
{
    std::vector<QueuedWork *> group{&mine};
    std::vector<bool> ok;
    WriteTransaction tx(db);
    QString error;
    bool committed = tx.begin(&error);
    if (committed) {
        // Calls that queue while this group's works run join it; the writers' turn is held meanwhile.
        for (size_t next = 0;;) {
            takeQueued(file, group);
            if (next == group.size())
                break;
            for (; next < group.size(); ++next)
                ok.push_back(runQueuedWork(db, *group[next]));
        }
        committed = tx.commitWithOthers(&error);
    }
    std::lock_guard lock(file->groupMutex);
    for (size_t i = 0; i < group.size(); ++i) {
        QueuedWork &queued = *group[i];
        queued.ok = committed && ok[i];
        if (!committed)
            queued.error = error.isEmpty() ? QStringLiteral("the group's transaction failed") : error;
        queued.done = true;
        queued.wake.notify_one();
    }
    ++file->groupCommits;
    file->groupWorks += int(group.size());
    if (file->groupQueue.empty()) {
        file->groupLed = false;
    } else {
        QueuedWork *next = file->groupQueue.front();
        file->groupQueue.pop_front();
        next->lead = true;
        next->wake.notify_one();
    }
}

} // namespace

bool groupWrite(QSqlDatabase &db, const GroupWork &work, QString *error)
{
    const TransactionState &state = transactionState(db.connectionName());
    SharedFile *file = sharedFile(sqliteHandle(db));
    if (!file || state.depth > 0 || state.held || holdsTurn(file)) {
        WriteTransaction tx(db);
        return tx.begin(error) && work(db, error) && tx.commit(error);
    }
    QueuedWork mine;
    mine.work = &work;
    {
        std::unique_lock lock(file->groupMutex);
        if (file->groupLed) {
            file->groupQueue.push_back(&mine);
            mine.wake.wait(lock, [&mine] { return mine.done || mine.lead; });
        } else {
            file->groupLed = true;
        }
    }
    if (!mine.done)
        leadGroup(db, file, mine);
    if (!mine.ok && error)
        *error = mine.error;
    return mine.ok;
}

GroupCommitStats groupCommitStats(const QSqlDatabase &db)
{
    SharedFile *file = sharedFile(sqliteHandle(db));
    if (!file)
        return {};
    GroupCommitStats stats;
    {
        std::lock_guard lock(file->groupMutex);
        stats.commits = file->groupCommits;
        stats.works = file->groupWorks;
        stats.queued = int(file->groupQueue.size());
    }
    std::lock_guard lock(file->mutex);
    stats.handedOn = file->handedOn;
    stats.waitingWriters = file->joiners;
    return stats;
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
    std::map<QString, KeptStatement> spent;
    {
        std::lock_guard lock(cache.mutex);
        if (auto it = cache.byConnection.find(connectionName); it != cache.byConnection.end()) {
            spent = std::move(it->second);
            cache.byConnection.erase(it);
        }
    }
    for (auto &[sql, kept] : spent)
        sqlite3_finalize(kept.statement);
}

namespace {

// QtSql's test for a value it binds as NULL: a null variant, or a null string, byte array, date or time in
// one.
bool boundAsNull(const QVariant &value)
{
    if (value.isNull())
        return true;
    switch (value.typeId()) {
    case QMetaType::QString:
        return static_cast<const QString *>(value.constData())->isNull();
    case QMetaType::QByteArray:
        return static_cast<const QByteArray *>(value.constData())->isNull();
    case QMetaType::QDateTime:
        return static_cast<const QDateTime *>(value.constData())->isNull();
    case QMetaType::QDate:
        return static_cast<const QDate *>(value.constData())->isNull();
    case QMetaType::QTime:
        return static_cast<const QTime *>(value.constData())->isNull();
    default:
        return false;
    }
}

int bindText(sqlite3_stmt *statement, int position, const QString &text)
{
    return sqlite3_bind_text16(statement, position, text.utf16(), int(text.size() * sizeof(QChar)),
                               SQLITE_TRANSIENT);
}

// Binds `bindings` to `statement` the way QtSql's SQLite driver binds a prepared query's values.
int bindAll(sqlite3_stmt *statement, std::initializer_list<QVariant> bindings)
{
    int position = 0;
    for (const QVariant &value : bindings) {
        ++position;
        int rc = SQLITE_OK;
        if (value.metaType() == QMetaType::fromType<std::string>()) {
            const auto *text = static_cast<const std::string *>(value.constData());
            rc = sqlite3_bind_text(statement, position, text->data(), int(text->size()), SQLITE_TRANSIENT);
        } else if (boundAsNull(value)) {
            rc = sqlite3_bind_null(statement, position);
        } else {
            switch (value.typeId()) {
            case QMetaType::QByteArray: {
                const auto *bytes = static_cast<const QByteArray *>(value.constData());
                rc = sqlite3_bind_blob(statement, position, bytes->constData(), int(bytes->size()),
                                       SQLITE_TRANSIENT);
                break;
            }
            case QMetaType::Int:
            case QMetaType::Bool:
                rc = sqlite3_bind_int(statement, position, value.toInt());
                break;
            case QMetaType::Double:
                rc = sqlite3_bind_double(statement, position, value.toDouble());
                break;
            case QMetaType::UInt:
            case QMetaType::LongLong:
                rc = sqlite3_bind_int64(statement, position, value.toLongLong());
                break;
            case QMetaType::QDateTime:
                rc = bindText(statement, position, value.toDateTime().toString(Qt::ISODateWithMs));
                break;
            case QMetaType::QTime:
                rc = bindText(statement, position, value.toTime().toString(u"hh:mm:ss.zzz"));
                break;
            case QMetaType::QString:
                rc = bindText(statement, position, *static_cast<const QString *>(value.constData()));
                break;
            default:
                rc = bindText(statement, position, value.toString());
                break;
            }
        }
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

QString sqliteError(sqlite3 *handle, const QString &sql)
{
    return QString::fromUtf8(handle ? sqlite3_errmsg(handle) : "no database connection") +
           QStringLiteral(" [") + sql + QLatin1Char(']');
}

sqlite3_stmt *prepareStatement(sqlite3 *handle, const QString &sql, unsigned flags, QString *error)
{
    sqlite3_stmt *statement = nullptr;
    const QByteArray text = sql.toUtf8();
    if (!handle || sqlite3_prepare_v3(handle, text.constData(), int(text.size()), flags, &statement,
                                      nullptr) != SQLITE_OK) {
        if (error)
            *error = sqliteError(handle, sql);
        sqlite3_finalize(statement);
        return nullptr;
    }
    return statement;
}

// The kept statement for `sql` on `db` (prepared now if there is none, or its connection was closed and
// opened again meanwhile); null with `busy` set when a Read of the same text is running on this connection.
KeptStatement *keptStatement(const QSqlDatabase &db, sqlite3 *handle, const QString &sql, QString *error,
                             bool *busy)
{
    StatementCache &cache = statementCache();
    sqlite3_stmt *spent = nullptr;
    *busy = false;
    {
        std::lock_guard lock(cache.mutex);
        auto &reads = cache.byConnection[db.connectionName()];
        if (auto it = reads.find(sql); it != reads.end()) {
            if (it->second.busy) {
                *busy = true;
                return nullptr;
            }
            if (it->second.handle == handle)
                return &it->second;
            spent = it->second.statement;
            reads.erase(it);
        }
    }
    // Prepared on a connection since closed: SQLite kept that connection for it; finalizing lets it go.
    sqlite3_finalize(spent);
    sqlite3_stmt *statement = prepareStatement(handle, sql, SQLITE_PREPARE_PERSISTENT, error);
    if (!statement)
        return nullptr;
    std::lock_guard lock(cache.mutex);
    KeptStatement &kept = cache.byConnection[db.connectionName()][sql];
    kept = KeptStatement{handle, statement, false};
    return &kept;
}

// The statement write() and Read run `sql` on: the kept one of `db`'s connection or, while a Read steps
// through that one (the same text read again inside it), one of its own (`kept` null; finalized by
// releaseStatement). `statement` is null on a failure, with `error` set.
struct OpenStatement
{
    sqlite3 *handle = nullptr;
    sqlite3_stmt *statement = nullptr;
    KeptStatement *kept = nullptr;
};

OpenStatement openStatement(const QSqlDatabase &db, const QString &sql, QString *error)
{
    OpenStatement open;
    open.handle = db.isOpen() ? sqliteHandle(db) : nullptr;
    if (!open.handle) {
        if (error)
            *error = QStringLiteral("the database is not open [") + sql + QLatin1Char(']');
        return open;
    }
    bool busy = false;
    open.kept = keptStatement(db, open.handle, sql, error, &busy);
    if (open.kept)
        open.statement = open.kept->statement;
    else if (busy)
        open.statement = prepareStatement(open.handle, sql, 0, error);
    return open;
}

// Resets a kept statement at once (it must hold no lock or read snapshot between calls; bound text was
// copied, SQLITE_TRANSIENT, and clearing it keeps no caller data), or finalizes one of its own.
void releaseStatement(sqlite3_stmt *statement, bool kept)
{
    if (kept) {
        sqlite3_reset(statement);
        sqlite3_clear_bindings(statement);
    } else {
        sqlite3_finalize(statement);
    }
}

} // namespace

bool write(QSqlDatabase &ownDb, const QString &sql, std::initializer_list<QVariant> bindings, QString *error,
           int *rowsAffected)
{
    const OpenStatement open = openStatement(target(ownDb), sql, error);
    sqlite3_stmt *statement = open.statement;
    if (!statement)
        return false;
    sqlite3 *handle = open.handle;
    int rc = bindAll(statement, bindings);
    if (rc == SQLITE_OK) {
        do
            rc = sqlite3_step(statement);
        while (rc == SQLITE_ROW);
    }
    const bool ran = rc == SQLITE_DONE;
    if (!ran && error)
        *error = sqliteError(handle, sql);
    if (ran && rowsAffected)
        *rowsAffected = sqlite3_changes(handle);
    releaseStatement(statement, open.kept != nullptr);
    return ran;
}

Read::Read(const QSqlDatabase &ownDb, const QString &sql, std::initializer_list<QVariant> bindings,
           QString *error)
{
    const OpenStatement open = openStatement(target(ownDb), sql, error);
    if (!open.statement)
        return;
    sqlite3 *handle = open.handle;
    m_statement = open.statement;
    m_own = !open.kept;
    if (open.kept) {
        m_busy = &open.kept->busy;
        *m_busy = true;
    }
    if (bindAll(m_statement, bindings) != SQLITE_OK) {
        if (error)
            *error = sqliteError(handle, sql);
        finish();
        return;
    }
    // The first step runs the statement, so that an error shows here (as a failed exec did).
    const int rc = sqlite3_step(m_statement);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        if (error)
            *error = sqliteError(handle, sql);
        finish();
        return;
    }
    m_ok = true;
    m_row = rc == SQLITE_ROW;
    m_pending = m_row;
}

Read::~Read()
{
    finish();
}

bool Read::next()
{
    if (!m_ok)
        return false;
    if (std::exchange(m_pending, false))
        return true;
    if (!m_row)
        return false;
    m_row = sqlite3_step(m_statement) == SQLITE_ROW;
    return m_row;
}

QVariant Read::value(int index) const
{
    if (!m_ok || !m_row || index < 0 || index >= sqlite3_column_count(m_statement))
        return QVariant();
    switch (sqlite3_column_type(m_statement, index)) {
    case SQLITE_INTEGER:
        return QVariant(qlonglong(sqlite3_column_int64(m_statement, index)));
    case SQLITE_FLOAT:
        return QVariant(sqlite3_column_double(m_statement, index));
    case SQLITE_BLOB:
        return QByteArray(static_cast<const char *>(sqlite3_column_blob(m_statement, index)),
                          sqlite3_column_bytes(m_statement, index));
    case SQLITE_NULL:
        return QVariant(QMetaType::fromType<QString>());
    default: {
        // The text first, then its size (SQLite's order: the size is of the form last asked for).
        const auto *text = static_cast<const QChar *>(sqlite3_column_text16(m_statement, index));
        return QString(text, sqlite3_column_bytes16(m_statement, index) / qsizetype(sizeof(QChar)));
    }
    }
}

void Read::finish()
{
    if (m_statement) {
        releaseStatement(m_statement, !m_own);
        m_statement = nullptr;
    }
    m_own = false;
    if (m_busy)
        *std::exchange(m_busy, nullptr) = false;
    m_ok = false;
    m_row = false;
    m_pending = false;
}

namespace {

QString formatIsoTime(const QDateTime &t, bool withMs)
{
    if (!t.isValid())
        return {};
    constexpr qint64 kMsPerDay = 86400000;
    const qint64 ms = t.toMSecsSinceEpoch();
    const qint64 days = ms >= 0 ? ms / kMsPerDay : -((-ms + kMsPerDay - 1) / kMsPerDay);
    const qint64 msOfDay = ms - days * kMsPerDay;
    int year = 0;
    int month = 0;
    int day = 0;
    QDate::fromJulianDay(2440588 + days).getDate(&year, &month, &day); // 1970-01-01 is Julian day 2440588
    if (year < 1 || year > 9999)                                       // Qt's own rules for signs and widths
        return t.toUTC().toString(withMs ? Qt::ISODateWithMs : Qt::ISODate);
    char text[24];
    auto put = [&text](int at, qint64 value, int width) {
        for (int i = width - 1; i >= 0; --i, value /= 10)
            text[at + i] = char('0' + value % 10);
    };
    put(0, year, 4);
    text[4] = '-';
    put(5, month, 2);
    text[7] = '-';
    put(8, day, 2);
    text[10] = 'T';
    put(11, msOfDay / 3600000, 2);
    text[13] = ':';
    put(14, msOfDay / 60000 % 60, 2);
    text[16] = ':';
    put(17, msOfDay / 1000 % 60, 2);
    int length = 19;
    if (withMs) {
        text[length] = '.';
        put(length + 1, msOfDay % 1000, 3);
        length += 4;
    }
    text[length++] = 'Z';
    return QString::fromLatin1(text, length);
}

} // namespace

QString isoTime(const QDateTime &t)
{
    return formatIsoTime(t, false);
}

QString isoTimeMs(const QDateTime &t)
{
    return formatIsoTime(t, true);
}

QVariant utf8(std::string text)
{
    return QVariant::fromValue(std::move(text));
}

QVariant jsonText(const nlohmann::json &json)
{
    return utf8(wire::dump(json));
}

QString toText(const nlohmann::json &json)
{
    return QString::fromStdString(wire::dump(json));
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
