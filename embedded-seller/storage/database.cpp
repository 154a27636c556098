#include "database.h"

#include "wire/jsonread.h"

#include <QSqlError>

#include <map>

namespace adcp::seller::storage {

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
    QSqlQuery q(db);
    for (const auto *pragma :
         {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
        if (!q.exec(QString::fromLatin1(pragma))) {
            if (error)
                *error = q.lastError().text();
            return false;
        }
    }
    return true;
}

namespace {

// Open WriteTransactions per connection of this thread (connections are per thread): an inner one is a
// savepoint of the outer, so the Dispatcher can hold a handler's writes and its idempotency record in one
// transaction while the handler keeps its own begin/commit.
int &transactionDepth(const QString &connectionName)
{
    thread_local std::map<QString, int> depth;
    return depth[connectionName];
}

bool runStatement(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery q(db);
    if (q.exec(sql))
        return true;
    if (error)
        *error = q.lastError().text();
    return false;
}

} // namespace

WriteTransaction::WriteTransaction(QSqlDatabase db) : m_db(std::move(db)) {}

WriteTransaction::~WriteTransaction()
{
    rollback();
}

bool WriteTransaction::begin(QString *error)
{
    int &depth = transactionDepth(m_db.connectionName());
    if (depth > 0) {
        m_savepoint = QStringLiteral("wt_%1").arg(depth);
        if (!runStatement(m_db, QStringLiteral("SAVEPOINT ") + m_savepoint, error))
            return false;
    } else {
        m_savepoint.clear();
        if (!runStatement(m_db, QStringLiteral("BEGIN IMMEDIATE"), error))
            return false;
    }
    ++depth;
    m_active = true;
    return true;
}

bool WriteTransaction::commit(QString *error)
{
    if (!m_active)
        return false;
    const QString sql =
        m_savepoint.isEmpty() ? QStringLiteral("COMMIT") : QStringLiteral("RELEASE ") + m_savepoint;
    if (!runStatement(m_db, sql, error)) {
        rollback();
        return false;
    }
    m_active = false;
    --transactionDepth(m_db.connectionName());
    return true;
}

void WriteTransaction::rollback()
{
    if (!m_active)
        return;
    m_active = false;
    --transactionDepth(m_db.connectionName());
    if (m_savepoint.isEmpty()) {
        runStatement(m_db, QStringLiteral("ROLLBACK"), nullptr);
    } else {
        runStatement(m_db, QStringLiteral("ROLLBACK TO ") + m_savepoint, nullptr);
        runStatement(m_db, QStringLiteral("RELEASE ") + m_savepoint, nullptr);
    }
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
