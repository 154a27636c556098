#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <string>

namespace adcp::seller::storage {

// Opens a SQLite connection with the seller's settings: WAL, a busy timeout long enough for bursts of
// writers, foreign keys on. The connection belongs to the calling thread.
bool openSqliteConnection(const QString &connectionName, const QString &path, QString *error);

// A write transaction. SQLite's plain BEGIN takes the write lock lazily, which deadlocks two readers that
// both want to write; BEGIN IMMEDIATE takes it up front and waits (busy timeout) instead. One begun while
// another is open on the same connection is a savepoint of it: its commit releases the savepoint and only the
// outermost commit makes the writes durable.
class WriteTransaction final
{
public:
    explicit WriteTransaction(QSqlDatabase db);
    ~WriteTransaction();
    WriteTransaction(const WriteTransaction &) = delete;
    WriteTransaction &operator=(const WriteTransaction &) = delete;

    bool begin(QString *error);
    bool commit(QString *error);
    void rollback();

private:
    QSqlDatabase m_db;
    QString m_savepoint; // empty for the outermost transaction
    bool m_active = false;
};

// Prepares and runs `sql` with positional bindings; on failure fills `error` with the driver's message.
bool execute(QSqlQuery &query, const QString &sql, std::initializer_list<QVariant> bindings, QString *error);

QString toText(const nlohmann::json &json);
nlohmann::json fromText(const QString &text); // null on empty or unparsable text
QString qs(const std::string &text);
std::string ss(const QString &text);

} // namespace adcp::seller::storage
