#pragma once

#include "adserveradapter.h"

#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <memory>
#include <mutex>
#include <random>

namespace adcp::seller {

struct SimulatedAdServerOptions
{
    QString databasePath;    // the ad server's own SQLite file (it is another system than the seller)
    int latencyMs = 0;       // every call takes this long (half before the ad server acts, half after)
    double failureRate = 0;  // share of calls that fail transiently, half before and half after the write
    int approvalDelayMs = 0; // guaranteed only: how long the trafficker takes to approve a line item
    quint32 seed = 1;        // fault injection is reproducible
    // Milliseconds since the epoch for the approval delay; empty = the wall clock. Tests pin time with it.
    std::function<qint64()> clockMs = {};
};

// What a test or the seller console can ask a simulated ad server about its books.
struct AdServerCounts
{
    qint64 orders = 0;        // distinct orders/line items/deals ever created
    qint64 bookRequests = 0;  // "book" calls that reached the ad server, replays included
    qint64 replayedBooks = 0; // "book" calls answered with an existing order
};

// Shared machinery of the two simulated ad servers: latency, fault injection and the per-thread connection
// to the ad server's own database.
class SimulatedAdServer : public AdServerAdapter
{
public:
    explicit SimulatedAdServer(SimulatedAdServerOptions options);
    ~SimulatedAdServer() override;
    SimulatedAdServer(const SimulatedAdServer &) = delete;
    SimulatedAdServer &operator=(const SimulatedAdServer &) = delete;

    AdapterResult execute(const AdapterRequest &request) final;

    AdServerCounts counts() const;
    // The ad server's state of the order/line/deal booked for (media buy, package), empty when none.
    std::string orderState(const std::string &mediaBuyId, const std::string &packageId) const;
    const SimulatedAdServerOptions &options() const { return m_options; }
    qint64 nowMs() const;
    // Changed at run time by the seller console; calls already in progress keep their old values.
    void setFailureRate(double rate);
    void setLatency(int latencyMs);

protected:
    enum class Fault { None, Before, After };
    QSqlDatabase database() const;
    virtual AdapterResult perform(const AdapterRequest &request) = 0;
    virtual void createSchema() const = 0;
    // Every simulated ad server keeps its orders in one table of this shape, named after the server.
    QString table() const;

    AdapterResult book(const AdapterRequest &request, const std::string &initialState, qint64 readyAtMs);
    AdapterResult setState(const AdapterRequest &request, const std::string &state);

private:
    Fault drawFault();

    SimulatedAdServerOptions m_options;
    mutable std::mutex m_randomMutex;
    std::mt19937 m_random;
    mutable std::once_flag m_schemaOnce;
};

// A guaranteed ad server: an order per media buy with a line item per package. A new line item waits for the
// trafficker's approval ("approve" answers RetryLater until approvalDelayMs has passed).
class GuaranteedAdServer final : public SimulatedAdServer
{
public:
    explicit GuaranteedAdServer(SimulatedAdServerOptions options);
    std::string name() const override { return "guaranteed"; }
    std::vector<std::string> activationSteps() const override { return {"approve"}; }

protected:
    AdapterResult perform(const AdapterRequest &request) override;
    void createSchema() const override;
};

// An auction exchange: a deal per package, live as soon as it is created.
class AuctionExchange final : public SimulatedAdServer
{
public:
    explicit AuctionExchange(SimulatedAdServerOptions options);
    std::string name() const override { return "exchange"; }
    std::vector<std::string> activationSteps() const override { return {}; }

protected:
    AdapterResult perform(const AdapterRequest &request) override;
    void createSchema() const override;
};

} // namespace adcp::seller
