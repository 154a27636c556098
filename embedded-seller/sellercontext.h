#pragma once

#include "schemaregistry.h"

#include <QDateTime>
#include <QString>

#include <memory>

namespace adcp::seller {

struct SellerOptions
{
    QString databasePath;               // SQLite file; ":memory:" is not allowed (threads need one shared file)
    bool autoCommitOnIssue = false;     // brief-mode proposals are issued already committed
    int holdSeconds = 24 * 3600;        // how long a finalized proposal holds inventory
    bool manualApproval = false;        // create_media_buy answers `submitted` and waits for approval
    double clockRate = 1.0;             // seller clock speed (1 = real time)
    QString schemaDirectory;            // empty = bundled schemas
};

// The seller clock: real time by default, can be accelerated or moved forward (trainers, tests).
class SellerClock final
{
public:
    SellerClock();
    QDateTime now() const;
    void setRate(double rate);
    double rate() const;
    void advance(qint64 seconds);

private:
    struct State;
    std::shared_ptr<State> d;
};

// Everything the seller's handlers share: options, clock, schemas and the database (one connection per thread).
class SellerContext final
{
public:
    static std::shared_ptr<SellerContext> open(const SellerOptions &options, QString *error = nullptr);
    ~SellerContext();

    SellerOptions options() const;
    void setOptions(const SellerOptions &options);
    SellerClock &clock();
    const SchemaRegistry &schemas() const;
    // The calling thread's connection name for QSqlDatabase::database(); created and migrated on first use.
    QString connectionName() const;

private:
    SellerContext();
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace adcp::seller
