#pragma once

#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

class QSqlDatabase;

namespace adcp::seller::storage {

// One versioned schema change of one module. Steps of a module run in ascending `version`; each runs once per
// database, inside a transaction, and is recorded in `schema_version(module, version, description,
// applied_at)`. Either `statements` (portable SQL, run in order) or `apply` (for steps that need code) is
// set.
struct MigrationStep
{
    int version = 0;
    QString description;
    QStringList statements;
    std::function<bool(QSqlDatabase &db, QString *error)> apply;
};

// Modules own their tables: each registers its ordered steps under its own name, in its own file, without
// touching any other module's steps. "core" (proposals, buys, idempotency, catalog) always runs first; other
// modules follow in name order, so a module may reference core tables.
//
// Register before SellerContext::open() (or call SellerContext::migrate() afterwards), e.g. from a function
// the module's owner calls at start-up, or with ADCP_SELLER_MIGRATIONS in a .cpp that is linked anyway (an
// object file nobody references is dropped from the static library together with its registration).
void registerMigrations(const QString &module, std::function<std::vector<MigrationStep>()> provider);
QStringList registeredMigrationModules();

// Applies every registered step not yet recorded. Returns false (rolling back the failing step) on error.
bool runMigrations(QSqlDatabase &db, QString *error);

// The steps of the core module (storage/coremigrations.cpp).
std::vector<MigrationStep> coreMigrations();

} // namespace adcp::seller::storage

#define ADCP_SELLER_MIGRATIONS_CONCAT2(a, b) a##b
#define ADCP_SELLER_MIGRATIONS_CONCAT(a, b) ADCP_SELLER_MIGRATIONS_CONCAT2(a, b)
// ADCP_SELLER_MIGRATIONS("jobs", jobsMigrations); at namespace scope in the module's .cpp.
#define ADCP_SELLER_MIGRATIONS(module, provider)                                                             \
    static const bool ADCP_SELLER_MIGRATIONS_CONCAT(adcpSellerMigrations_, __LINE__) = [] {                  \
        ::adcp::seller::storage::registerMigrations(QStringLiteral(module), provider);                       \
        return true;                                                                                         \
    }()
