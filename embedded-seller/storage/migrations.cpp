#include "migrations.h"

#include "database.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <map>
#include <mutex>

namespace adcp::seller::storage {

namespace {

struct Registry
{
    std::mutex mutex;
    std::map<QString, std::function<std::vector<MigrationStep>()>> providers;
};

Registry &registry()
{
    static Registry r;
    return r;
}

const QString kCore = QStringLiteral("core");

} // namespace

void registerMigrations(const QString &module, std::function<std::vector<MigrationStep>()> provider)
{
    auto &r = registry();
    std::lock_guard lock(r.mutex);
    r.providers[module] = std::move(provider);
}

QStringList registeredMigrationModules()
{
    auto &r = registry();
    std::lock_guard lock(r.mutex);
    QStringList modules{kCore};
    for (const auto &[name, provider] : r.providers) {
        if (name != kCore)
            modules << name;
    }
    return modules;
}

bool runMigrations(QSqlDatabase &db, QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    if (!q.exec(
            QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version (module TEXT NOT NULL, version INTEGER "
                           "NOT NULL, description TEXT NOT NULL, applied_at TEXT NOT NULL, "
                           "PRIMARY KEY (module, version))"))) {
        if (error)
            *error = q.lastError().text();
        return false;
    }

    std::vector<std::pair<QString, std::function<std::vector<MigrationStep>()>>> modules{
        {kCore, coreMigrations}};
    {
        auto &r = registry();
        std::lock_guard lock(r.mutex);
        for (const auto &[name, provider] : r.providers) {
            if (name != kCore)
                modules.emplace_back(name, provider);
        }
    }

    for (const auto &[module, provider] : modules) {
        auto steps = provider();
        std::sort(steps.begin(), steps.end(),
                  [](const auto &a, const auto &b) { return a.version < b.version; });
        for (const auto &step : steps) {
            // The check runs inside the write transaction so two processes opening one file migrate once.
            WriteTransaction tx(db);
            if (!tx.begin(error))
                return false;
            QSqlQuery check(storage::connectionFor(db));
            if (!execute(check,
                         QStringLiteral("SELECT 1 FROM schema_version WHERE module = ? AND version = ?"),
                         {module, step.version}, error))
                return false;
            if (check.next())
                continue;
            for (const auto &sql : step.statements) {
                QSqlQuery s(storage::connectionFor(db));
                if (!s.exec(sql)) {
                    if (error)
                        *error = module + QLatin1Char(' ') + QString::number(step.version) +
                                 QStringLiteral(": ") + s.lastError().text();
                    return false;
                }
            }
            if (step.apply && !step.apply(db, error))
                return false;
            QSqlQuery record(storage::connectionFor(db));
            if (!execute(
                    record,
                    QStringLiteral("INSERT INTO schema_version (module, version, description, applied_at) "
                                   "VALUES (?, ?, ?, ?)"),
                    {module, step.version, step.description,
                     QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
                    error))
                return false;
            if (!tx.commit(error))
                return false;
        }
    }
    return true;
}

} // namespace adcp::seller::storage
