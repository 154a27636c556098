#include "database.h"

#include "wire/jsonread.h"

#include <QSqlDriver>
#include <QSqlError>

#include <sqlite3.h>

#include <algorithm>

#include <unistd.h>

namespace adcp::seller::storage {

namespace {

// SQLite's own busy handler sleeps 1, 2, 5, 10 ... 100 ms between tries, so a writer that finds the write lock
// taken by a transaction of a tenth of a millisecond waits milliseconds (and the request's p99 with it). This
// one retries after 25 µs, growing to 1 ms, until the same 60 s have passed.
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
    for (const auto *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON",
                               "PRAGMA wal_autocheckpoint=4096"}) {
        if (!q.exec(QString::fromLatin1(pragma))) {
            if (error)
                *error = q.lastError().text();
            return false;
        }
    }
    return true;
}

WriteTransaction::WriteTransaction(QSqlDatabase db) : m_db(std::move(db)) {}

WriteTransaction::~WriteTransaction()
{
    rollback();
}

bool WriteTransaction::begin(QString *error)
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
        if (error)
            *error = q.lastError().text();
        return false;
    }
    m_active = true;
    return true;
}

bool WriteTransaction::commit(QString *error)
{
    if (!m_active)
        return false;
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("COMMIT"))) {
        if (error)
            *error = q.lastError().text();
        rollback();
        return false;
    }
    m_active = false;
    return true;
}

void WriteTransaction::rollback()
{
    if (!m_active)
        return;
    m_active = false;
    QSqlQuery q(m_db);
    q.exec(QStringLiteral("ROLLBACK"));
}

bool execute(QSqlQuery &query, const QString &sql, std::initializer_list<QVariant> bindings, QString *error)
{
    if (!query.prepare(sql)) {
        if (error)
            *error = query.lastError().text() + QStringLiteral(" [") + sql + QLatin1Char(']');
        return false;
    }
    for (const auto &value : bindings)
        query.addBindValue(value);
    if (!query.exec()) {
        if (error)
            *error = query.lastError().text() + QStringLiteral(" [") + sql + QLatin1Char(']');
        return false;
    }
    return true;
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
