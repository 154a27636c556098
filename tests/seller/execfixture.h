#pragma once

// Shared by the execution tests: a seller with execution started, buys in package mode, waits on the job
// queue and the ad servers.

#include "jobs/execution.h"
#include "jobs/jobqueue.h"
#include "sellertestfixture.h"

#include <QSqlQuery>
#include <QTest>

namespace exectest {

using nlohmann::json;

inline adcp::seller::ExecutionOptions fastOptions()
{
    adcp::seller::ExecutionOptions o;
    o.workers = 2;
    o.pollMs = 20;
    o.tickMs = 50;
    o.backoffBaseMs = 20;
    o.backoffCapMs = 200;
    o.webhooks.pollMs = 20;
    o.webhooks.backoffBaseMs = 50;
    o.webhooks.backoffCapMs = 400;
    return o;
}

// The id of a created buy's package `index` (packages in request order).
inline std::string packageId(const json &buy, size_t index)
{
    return buy.at("packages").at(index).at("package_id").get<std::string>();
}

// Seller options under which every buy waits for the seller's approval.
inline adcp::seller::SellerOptions manualApprovalOptions(adcp::seller::SellerOptions o = {})
{
    o.manualApproval = true;
    return o;
}

// Seller options whose webhooks leave at once (no coalescence window for any event type).
inline adcp::seller::SellerOptions sendAtOnce(adcp::seller::SellerOptions o = {})
{
    for (const char *type : {"task", "media_buy_status", "impairment", "delivery"})
        o.webhookCoalescenceMs[type] = 0;
    return o;
}

struct ExecSeller : sellertest::Seller
{
    adcp::seller::ExecutionOptions execOptions;
    std::shared_ptr<adcp::seller::Execution> execution;

    explicit ExecSeller(adcp::seller::SellerOptions base = {},
                        adcp::seller::ExecutionOptions exec = fastOptions())
        : Seller(std::move(base)), execOptions(std::move(exec))
    {
        buyer.sandbox = true;
        startExecution();
    }
    ~ExecSeller() { execution.reset(); }

    void startExecution()
    {
        QString error;
        execution = adcp::seller::Execution::start(context, execOptions, &error);
        if (!execution)
            qFatal("execution did not start: %s", qPrintable(error));
    }

    void restart()
    {
        execution.reset();
        open();
        startExecution();
    }

    // One guaranteed package (guaranteed ad server, approval step) and one auction package (exchange).
    json packageBuy(const json &extra = json::object())
    {
        json args = {{"idempotency_key", key()},
                     {"account", {{"account_id", "acc-1"}}},
                     {"brand", {{"domain", "acme.example"}}},
                     {"start_time", "asap"},
                     {"end_time", context->clock().now().addDays(10).toString(Qt::ISODate).toStdString()},
                     {"packages",
                      {{{"product_id", "podcast_host_read"},
                        {"pricing_option_id", "podcast_hostread_usd"},
                        {"budget", 12000}},
                       {{"product_id", "sports_olv_preroll"},
                        {"pricing_option_id", "preroll_auction_usd"},
                        {"budget", 6000},
                        {"bid_price", 14}}}}};
        args.update(extra);
        return args;
    }

    json createBuy(const json &extra = json::object())
    {
        const auto outcome = call("create_media_buy", packageBuy(extra));
        if (!outcome.ok())
            qFatal("create_media_buy failed: %s %s", outcome.error->code.c_str(),
                   outcome.error->message.c_str());
        return outcome.result;
    }

    // Waits until the job queue is empty (every ad-server call of every buy made so far has run). The timeout
    // is only a safety net for a hung queue; it returns as soon as the queue is empty.
    bool waitForJobs(int timeoutMs = 120000)
    {
        return QTest::qWaitFor([this] { return openJobs() == 0; }, timeoutMs);
    }

    // packageBuy() made live: booked with both ad servers and an approved creative on each package, so the
    // buy is active (its flight starts at once).
    json activeBuy(const json &extra = json::object())
    {
        const json created = createBuy(extra);
        if (!waitForJobs())
            qFatal("the ad-server jobs of %s did not finish", created.at("media_buy_id").dump().c_str());
        syncCreative("cr_a", packageId(created, 0), "audio_standard_60s");
        syncCreative("cr_v", packageId(created, 1), "video_standard_30s");
        return created;
    }

    json mediaBuy(const std::string &id, const json &extra = json::object())
    {
        json args = {{"media_buy_ids", {id}}};
        args.update(extra);
        const auto outcome = call("get_media_buys", args);
        if (!outcome.ok() || outcome.result["media_buys"].empty())
            return json();
        return outcome.result["media_buys"][0];
    }

    std::string status(const std::string &id) { return mediaBuy(id).value("status", std::string()); }

    qint64 openJobs()
    {
        QSqlDatabase db = context->database();
        const auto counts = adcp::seller::JobQueue::counts(db);
        return counts.pending + counts.running;
    }

    json control(const std::string &scenario, const json &params)
    {
        const auto outcome =
            call("comply_test_controller",
                 {{"scenario", scenario}, {"params", params}, {"account", {{"sandbox", true}}}});
        if (!outcome.ok())
            qFatal("comply_test_controller failed: %s", outcome.error->message.c_str());
        return outcome.result;
    }

    json syncCreative(const std::string &creativeId, const std::string &packageId,
                      const std::string &formatId)
    {
        json creative = {
            {"creative_id", creativeId},
            {"name", "Creative " + creativeId},
            {"format_id", {{"agent_url", "https://creative.adcontextprotocol.org"}, {"id", formatId}}},
            {"assets", {{"main", {{"asset_type", "url"}, {"url", "https://cdn.example/" + creativeId}}}}}};
        const auto outcome = call(
            "sync_creatives", {{"idempotency_key", key()},
                               {"account", {{"account_id", "acc-1"}}},
                               {"creatives", {creative}},
                               {"assignments", {{{"creative_id", creativeId}, {"package_id", packageId}}}}});
        if (!outcome.ok())
            qFatal("sync_creatives failed: %s %s", outcome.error->code.c_str(),
                   outcome.error->message.c_str());
        return outcome.result;
    }
};

} // namespace exectest
