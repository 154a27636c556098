#include "database.h"

#include "wire/jsonread.h"

#include <QSqlError>

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
