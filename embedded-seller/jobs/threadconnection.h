#pragma once

#include <QSqlDatabase>
#include <QString>

namespace adcp::seller {

// A SQLite connection to `path` owned by the calling thread (QtSql connections must not cross threads).
// Opened on first use with WAL and a busy timeout, removed when the thread ends. `error` gets the driver's
// message when opening fails (the returned database is then not open).
QSqlDatabase threadConnection(const QString &path, QString *error = nullptr);

} // namespace adcp::seller
