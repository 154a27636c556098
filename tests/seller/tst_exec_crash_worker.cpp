// A seller process for tst_exec_crash: opens the seller on a database file, starts execution with slow
// simulated ad servers and either accepts N media buys and works them, or only works what is left
// ("drain"). It reports on stdout, one line at a time, so that the test can kill it at a chosen moment.
//
//   tst_exec_crash_worker <database> accept <count> <adapter latency ms>
//   tst_exec_crash_worker <database> drain 0 <adapter latency ms>

#include "dispatcher.h"
#include "jobs/execution.h"
#include "jobs/jobqueue.h"
#include "sellercontext.h"

#include <QCoreApplication>
#include <QThread>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc != 5) {
        std::fprintf(stderr, "usage: %s DATABASE accept|drain COUNT LATENCY_MS\n", argv[0]);
        return 2;
    }
    adcp::seller::SellerOptions options;
    options.databasePath = QString::fromLocal8Bit(argv[1]);
    const bool accept = std::string(argv[2]) == "accept";
    const int count = std::atoi(argv[3]);
    const int latency = std::atoi(argv[4]);
    QString error;
    auto context = adcp::seller::SellerContext::open(options, &error);
    if (!context) {
        std::fprintf(stderr, "cannot open the seller: %s\n", qPrintable(error));
        return 1;
    }
    adcp::seller::ExecutionOptions exec;
    exec.workers = 24;
    exec.pollMs = 50;
    exec.tickMs = 500;
    exec.maxAttempts = 1000;
    exec.backoffBaseMs = 200;
    exec.backoffCapMs = 2000;
    exec.sendWebhooks = false;
    for (auto *server : {&exec.guaranteed, &exec.exchange}) {
        server->latencyMs = latency;
        server->failureRate = 0.05; // transient faults, half of them after the ad server wrote the order
        server->seed = 7;
    }
    exec.guaranteed.approvalDelayMs = 1000;
    auto execution = adcp::seller::Execution::start(context, exec, &error);
    if (!execution) {
        std::fprintf(stderr, "cannot start execution: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("started reclaimed=%d\n", execution->reclaimedAtStart());
    std::fflush(stdout);

    if (accept) {
        adcp::seller::Dispatcher dispatcher(context);
        const adcp::seller::Principal buyer{"crash-buyer", false};
        for (int i = 0; i < count; ++i) {
            const nlohmann::json args = {
                {"idempotency_key", "crash-test-buy-" + std::to_string(i) + "-0123456789"},
                {"account", {{"account_id", "acc-crash"}}},
                {"brand", {{"domain", "acme.example"}}},
                {"start_time", "asap"},
                {"end_time", context->clock().now().addDays(20).toString(Qt::ISODate).toStdString()},
                {"packages",
                 {{{"product_id", "podcast_host_read"},
                   {"pricing_option_id", "podcast_hostread_usd"},
                   {"budget", 12000}},
                  {{"product_id", "sports_olv_preroll"},
                   {"pricing_option_id", "preroll_auction_usd"},
                   {"budget", 6000},
                   {"bid_price", 14}}}}};
            const auto outcome = dispatcher.call(buyer, "create_media_buy", args);
            if (!outcome.ok()) {
                std::fprintf(stderr, "create_media_buy %d failed: %s\n", i, outcome.error->message.c_str());
                return 1;
            }
            std::printf("accepted %d %s\n", i + 1, outcome.result["media_buy_id"].get<std::string>().c_str());
            std::fflush(stdout);
        }
    }
    QSqlDatabase db = context->database();
    for (;;) {
        const auto counts = adcp::seller::JobQueue::counts(db);
        std::printf("progress done=%lld open=%lld failed=%lld\n", counts.done,
                    counts.pending + counts.running, counts.failed);
        std::fflush(stdout);
        if (counts.pending + counts.running == 0)
            break;
        QThread::msleep(250);
    }
    execution->stop();
    std::printf("finished\n");
    std::fflush(stdout);
    return 0;
}
