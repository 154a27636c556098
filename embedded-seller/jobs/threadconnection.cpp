#include "threadconnection.h"

#include "storage/database.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <map>

namespace adcp::seller {

namespace {

// Connections this thread opened, removed from QtSql's registry when the thread exits so that a worker pool
// that comes and goes does not leak driver handles.
struct ThreadConnections
{
    std::map<QString, QString> byPath; // file path → connection name
    ~ThreadConnections()
    {
        for (const auto &entry : byPath) {
            storage::forgetStatements(entry.second);
            {
                QSqlDatabase db = QSqlDatabase::database(entry.second, false);
                db.close();
            }
            QSqlDatabase::removeDatabase(entry.second);
        }
    }
};

thread_local ThreadConnections t_connections;

} // namespace

QSqlDatabase threadConnection(const QString &path, QString *error)
{
    const auto found = t_connections.byPath.find(path);
    if (found != t_connections.byPath.end())
        return QSqlDatabase::database(found->second, false);

    const QString name = QStringLiteral("adcp-thread-%1-%2")
                             .arg(quintptr(QThread::currentThreadId()), 0, 16)
                             .arg(qHash(path), 0, 16);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    if (!db.open()) {
        if (error)
            *error = db.lastError().text();
        return db;
    }
    QSqlQuery pragma(storage::connectionFor(db));
    pragma.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
    pragma.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
    t_connections.byPath.emplace(path, name);
    return db;
}

} // namespace adcp::seller
