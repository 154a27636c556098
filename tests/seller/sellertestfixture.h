#pragma once

// Shared by the seller's tests: a seller on a fresh database file, calls through the Dispatcher, row counts.

#include "dispatcher.h"
#include "domain/proposalstore.h"
#include "sellercontext.h"
#include "storage/database.h"

#include <QSqlQuery>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>

namespace sellertest {

using nlohmann::json;

struct Seller
{
    QTemporaryDir dir;
    adcp::seller::SellerOptions options;
    std::shared_ptr<adcp::seller::SellerContext> context;
    std::unique_ptr<adcp::seller::Dispatcher> dispatcher;
    adcp::seller::Principal buyer{"buyer-a", false};
    adcp::seller::Principal other{"buyer-b", false};
    int keySerial = 0;

    explicit Seller(adcp::seller::SellerOptions base = {}) : options(std::move(base))
    {
        options.databasePath = dir.filePath(QStringLiteral("seller.db"));
        open();
    }

    void open()
    {
        dispatcher.reset();
        context.reset();
        QString error;
        context = adcp::seller::SellerContext::open(options, &error);
        if (!context)
            qFatal("seller did not open: %s", qPrintable(error));
        dispatcher = std::make_unique<adcp::seller::Dispatcher>(context);
    }

    adcp::ToolOutcome call(const std::string &tool, const json &args) { return call(buyer, tool, args); }
    adcp::ToolOutcome call(const adcp::seller::Principal &who, const std::string &tool, const json &args)
    {
        return dispatcher->call(who, tool, args);
    }

    std::string key() { return "test-key-" + std::to_string(++keySerial) + "-0123456789abcdef"; }

    int rows(const QString &table) const
    {
        QSqlQuery q(context->database());
        q.exec(QStringLiteral("SELECT COUNT(*) FROM ") + table);
        return q.next() ? q.value(0).toInt() : -1;
    }

    std::map<QString, int> allRows() const
    {
        std::map<QString, int> counts;
        for (const auto &t :
             {QStringLiteral("proposals"), QStringLiteral("proposal_versions"), QStringLiteral("media_buys"),
              QStringLiteral("packages"), QStringLiteral("idempotency"), QStringLiteral("opportunities")})
            counts[t] = rows(t);
        return counts;
    }

    // brief → first proposal of the answer
    json
    briefProposal(const std::string &brief = "CTV and online video for a streaming launch, budget $120,000",
                  const json &extra = json::object())
    {
        json args = {{"buying_mode", "brief"}, {"brief", brief}};
        args.update(extra);
        const auto outcome = call("get_products", args);
        if (!outcome.ok())
            qFatal("brief failed: %s", outcome.error->message.c_str());
        return outcome.result.at("proposals").at(0);
    }

    adcp::ToolOutcome finalize(const json &proposal)
    {
        return call("get_products", {{"buying_mode", "refine"},
                                     {"refine",
                                      {{{"scope", "proposal"},
                                        {"proposal_id", proposal.at("proposal_id")},
                                        {"action", "finalize"}}}}});
    }

    json committedProposal()
    {
        const json draft = briefProposal();
        const auto outcome = finalize(draft);
        if (!outcome.ok())
            qFatal("finalize failed: %s", outcome.error->message.c_str());
        return outcome.result.at("proposals").at(0);
    }

    // create_media_buy of one auction package, without a proposal.
    json explicitBuyArgs()
    {
        return {{"idempotency_key", key()},
                {"account", {{"account_id", "acc-1"}}},
                {"brand", {{"domain", "acme.example"}}},
                {"start_time", "asap"},
                {"end_time", context->clock().now().addDays(20).toString(Qt::ISODate).toStdString()},
                {"packages",
                 {{{"product_id", "news_run_of_site_display"},
                   {"pricing_option_id", "ros_auction_usd"},
                   {"budget", 5000},
                   {"bid_price", 6.0}}}}};
    }

    // The stored lifecycle state of a proposal ("(none)" when `who` has no such proposal).
    std::string proposalState(const adcp::seller::Principal &who, const std::string &proposalId) const
    {
        auto db = context->database();
        const auto p = adcp::seller::ProposalStore::find(db, who.id, proposalId, nullptr);
        return p ? adcp::seller::toString(p->state) : std::string("(none)");
    }

    json buyArgs(const json &proposal, double amount = 120000)
    {
        json args = {{"idempotency_key", key()},
                     {"account", {{"account_id", "acc-1"}}},
                     {"brand", {{"domain", "acme.example"}}},
                     {"start_time", "asap"},
                     {"end_time", context->clock().now().addDays(30).toString(Qt::ISODate).toStdString()},
                     {"proposal_id", proposal.at("proposal_id")},
                     {"proposal_version", proposal.at("proposal_version")},
                     {"total_budget", {{"amount", amount}, {"currency", "USD"}}}};
        if (proposal.contains("insertion_order"))
            args["io_acceptance"] = {
                {"io_id", proposal["insertion_order"]["io_id"]},
                {"accepted_at", context->clock().now().toString(Qt::ISODate).toStdString()},
                {"signatory", "Test Planner"}};
        return args;
    }
};

inline std::string errorCode(const adcp::ToolOutcome &o)
{
    return o.error ? o.error->code : std::string("(ok)");
}

inline std::string errorField(const adcp::ToolOutcome &o)
{
    return o.error && o.error->field ? *o.error->field : std::string();
}

inline std::string recovery(const adcp::ToolOutcome &o)
{
    return o.error ? std::string(adcp::toString(o.error->recovery)) : std::string();
}

} // namespace sellertest
