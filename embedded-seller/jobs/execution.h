#pragma once

#include "simulatedadserver.h"
#include "webhooks/webhooksender.h"

#include <QDateTime>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

class QSqlDatabase;

namespace adcp::seller {

class SellerContext;
struct AcceptedOrder;

struct ExecutionOptions
{
    int workers = 4;                 // worker threads working the job queue
    int pollMs = 200;                // idle workers look for due jobs this often
    int tickMs = 1000;               // the seller-clock ticker (status transitions, delivery reports)
    int sweepSlice = 250;            // open buys each ticker round checks in turn (besides crossings)
    qint64 leaseMs = 10 * 60 * 1000; // a running job whose worker is silent this long is reclaimed
    int maxAttempts = 40;            // transient failures before a job is given up
    int backoffBaseMs = 500;         // retry backoff: base · 2^(attempt-1), capped, ±50 % jitter
    int backoffCapMs = 30000;
    SimulatedAdServerOptions guaranteed; // databasePath empty = next to the seller's database
    SimulatedAdServerOptions exchange;
    WebhookSenderOptions webhooks;
    bool sendWebhooks = true;
};

// Execution off the request path: installs the order-accepted hook on the seller (an accepted order writes
// its first ad-server jobs in the same transaction), works the durable job queue on worker threads through
// the ad-server adapters, ticks the media-buy lifecycle with the seller clock and delivers the webhook
// outbox. Destroying it stops every thread; whatever was in flight is picked up by the next start.
class Execution final
{
public:
    static std::shared_ptr<Execution> start(std::shared_ptr<SellerContext> context, ExecutionOptions options,
                                            QString *error = nullptr);
    ~Execution();
    Execution(const Execution &) = delete;
    Execution &operator=(const Execution &) = delete;

    void stop();
    SimulatedAdServer *adapter(const std::string &name) const;
    WebhookSender *webhookSender() const { return m_sender.get(); }
    // Wakes idle workers (a job was enqueued from this process).
    void wake();
    // This process's worker generation; running jobs of other generations are orphans.
    QString generation() const { return m_generation; }
    int reclaimedAtStart() const { return m_reclaimedAtStart; }
    // Tries of a failing ad-server step before it is given up.
    int maxAttempts() const { return m_options.maxAttempts; }

    // The seller console's approval of a buy waiting for it (manual approval): approved → the ad-server jobs
    // are enqueued and the task completes; declined → the buy is rejected and the task fails.
    static bool decide(QSqlDatabase &db, const std::string &principalId, const std::string &taskId,
                       bool approve, const std::string &reason, const QDateTime &now, QString *error);
    // Whether an order waits for the seller's approval (the seller option, or a product whose
    // implementation_config says manual_approval). create_media_buy then answers `submitted` with a task_id.
    static bool requiresManualApproval(const struct SellerOptions &options, const AcceptedOrder &order);
    // The ad server a product books on ("guaranteed" or "exchange").
    static std::string routeProduct(const std::string &deliveryType,
                                    const nlohmann::json &implementationConfig);
    // Writes execution state and jobs for a freshly accepted order (the hook's body).
    static bool acceptOrder(QSqlDatabase &db, SellerContext &context, const AcceptedOrder &order,
                            QString *error);
    // Enqueues the first ad-server job ("book") of every package of a buy.
    static bool enqueueBooking(QSqlDatabase &db, const std::string &principalId,
                               const std::string &mediaBuyId, QString *error);

private:
    Execution() = default;
    void workerLoop(int index);
    void tickerLoop();
    void runJob(QSqlDatabase &db, const QString &workerId, const struct Job &job);

    std::shared_ptr<SellerContext> m_context;
    ExecutionOptions m_options;
    QString m_generation;
    int m_reclaimedAtStart = 0;
    std::unique_ptr<GuaranteedAdServer> m_guaranteed;
    std::unique_ptr<AuctionExchange> m_exchange;
    std::unique_ptr<WebhookSender> m_sender;
    std::vector<std::thread> m_threads;
    std::atomic<bool> m_stopping{false};
    std::mutex m_wakeMutex;
    std::condition_variable m_wake;
};

} // namespace adcp::seller
