// create_media_buy answers before any ad server is called: this prints its latency next to the ad servers'
// latency, and how long the job queue then takes to book every package.
//
//   bench_create_latency [buys per run, default 100]

#include "dispatcher.h"
#include "jobs/execution.h"
#include "jobs/jobqueue.h"
#include "sellercontext.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

double percentile(std::vector<double> values, double p)
{
    std::sort(values.begin(), values.end());
    const size_t index = std::min(values.size() - 1, size_t(p * double(values.size() - 1) + 0.5));
    return values[index];
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int buys = argc > 1 ? std::max(1, std::atoi(argv[1])) : 100;
    std::printf(
        "create_media_buy latency vs ad-server latency (%d buys per run, 2 packages each, 8 workers)\n",
        buys);
    std::printf("%12s %10s %10s %10s %10s %16s\n", "adapter ms", "p50 ms", "p95 ms", "max ms", "mean ms",
                "all booked after s");
    for (const int latency : {0, 200, 2000}) {
        QTemporaryDir dir;
        adcp::seller::SellerOptions options;
        options.databasePath = dir.filePath(QStringLiteral("seller.db"));
        QString error;
        auto context = adcp::seller::SellerContext::open(options, &error);
        if (!context) {
            std::fprintf(stderr, "cannot open the seller: %s\n", qPrintable(error));
            return 1;
        }
        adcp::seller::ExecutionOptions exec;
        exec.workers = 8;
        exec.pollMs = 20;
        exec.sendWebhooks = false;
        exec.guaranteed.latencyMs = latency;
        exec.exchange.latencyMs = latency;
        exec.guaranteed.approvalDelayMs = 0;
        auto execution = adcp::seller::Execution::start(context, exec, &error);
        if (!execution) {
            std::fprintf(stderr, "cannot start execution: %s\n", qPrintable(error));
            return 1;
        }
        adcp::seller::Dispatcher dispatcher(context);
        const adcp::seller::Principal buyer{"bench-buyer", false};
        std::vector<double> millis;
        QElapsedTimer total;
        total.start();
        for (int i = 0; i < buys; ++i) {
            const nlohmann::json args = {
                {"idempotency_key",
                 "bench-create-" + std::to_string(latency) + "-" + std::to_string(i) + "-0123456789"},
                {"account", {{"account_id", "acc-bench"}}},
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
            QElapsedTimer timer;
            timer.start();
            const auto outcome = dispatcher.call(buyer, "create_media_buy", args);
            millis.push_back(double(timer.nsecsElapsed()) / 1e6);
            if (!outcome.ok()) {
                std::fprintf(stderr, "create_media_buy failed: %s\n", outcome.error->message.c_str());
                return 1;
            }
        }
        QSqlDatabase db = context->database();
        for (;;) {
            const auto counts = adcp::seller::JobQueue::counts(db);
            if (counts.pending + counts.running == 0)
                break;
            QThread::msleep(20);
        }
        const double booked = double(total.elapsed()) / 1000.0;
        double mean = 0;
        for (double m : millis)
            mean += m;
        mean /= double(millis.size());
        std::printf("%12d %10.2f %10.2f %10.2f %10.2f %16.1f\n", latency, percentile(millis, 0.5),
                    percentile(millis, 0.95), *std::max_element(millis.begin(), millis.end()), mean, booked);
        std::fflush(stdout);
    }
    return 0;
}
