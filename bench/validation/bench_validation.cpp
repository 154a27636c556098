// Measures schema validation of a realistic get_products response (100 products, 3 pricing options each,
// 3 proposals): validations per second with the registry's precompiled RFC 3339 check and with valijson's
// own date-time check, the cost of reporting the issues of an invalid document, and load/compile times.
//
//   bench_validation [seconds-per-measurement]      (default 2; ADCP_SHARED_DIR overrides the shared folder)

#include "schemaregistry.h"
#include "wire/product.h"
#include "wire/proposal.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>

using adcp::SchemaRegistry;

namespace {

constexpr const char *kResponseSchema = "/schemas/media-buy/get-products-response.json";

adcp::wire::Product makeProduct(int index)
{
    using namespace adcp::wire;
    Product p;
    const std::string n = std::to_string(index);
    p.productId = "prod_" + n;
    p.name = "Product " + n + " - premium video";
    p.description = "Premium video inventory on a sports and news network, line " + n;
    p.publisherProperties = {{{"publisher_domain", "publisher" + std::to_string(index % 7) + ".example"},
                              {"selection_type", "all"}}};
    p.channels = {index % 2 ? "olv" : "ctv"};
    p.formatIds = {{{"agent_url", "https://creative.adcontextprotocol.org"}, {"id", "video_30s"}},
                   {{"agent_url", "https://creative.adcontextprotocol.org"}, {"id", "video_15s"}}};
    p.deliveryType = index % 3 ? "non_guaranteed" : "guaranteed";

    PricingOption fixed;
    fixed.pricingOptionId = "po_" + n + "_cpm";
    fixed.pricingModel = "cpm";
    fixed.currency = "USD";
    fixed.fixedPrice = 20.0 + index % 15;
    fixed.minSpendPerPackage = 1000;
    PricingOption auction;
    auction.pricingOptionId = "po_" + n + "_auction";
    auction.pricingModel = "cpm";
    auction.currency = "USD";
    auction.floorPrice = 8.0 + index % 5;
    auction.priceGuidance = PriceGuidance{9.0, 11.5, 14.0, 17.0, nlohmann::json::object()};
    PricingOption cpcv;
    cpcv.pricingOptionId = "po_" + n + "_cpcv";
    cpcv.pricingModel = "cpcv";
    cpcv.currency = "USD";
    cpcv.fixedPrice = 0.04;
    p.pricingOptions = {fixed, auction, cpcv};

    p.reportingCapabilities = {{"available_reporting_frequencies", {"hourly", "daily"}},
                               {"expected_delay_minutes", 240},
                               {"timezone", "UTC"},
                               {"supports_webhooks", true},
                               {"available_metrics", {"impressions", "spend", "clicks", "completed_views"}},
                               {"date_range_support", "date_range"}};
    p.isCustom = false;
    p.briefRelevance = "Reaches the sports audience of the brief";
    p.expiresAt = "2026-12-0" + std::to_string(1 + index % 9) + "T12:00:00.000Z";
    return p;
}

adcp::wire::Proposal makeProposal(int index)
{
    using namespace adcp::wire;
    Proposal proposal;
    proposal.proposalId = "prop_" + std::to_string(index);
    proposal.name = "Plan " + std::to_string(index);
    proposal.description = "Reach-weighted split across three products";
    for (int i = 0; i < 3; ++i) {
        ProductAllocation a;
        a.productId = "prod_" + std::to_string(index * 3 + i);
        a.allocationPercentage = i == 0 ? 50.0 : 25.0;
        a.pricingOptionId = a.productId.replace(0, 4, "po") + "_cpm";
        a.productId = "prod_" + std::to_string(index * 3 + i);
        a.startTime = "2026-04-01T00:00:00Z";
        a.endTime = "2026-04-30T23:59:59+02:00";
        proposal.allocations.push_back(std::move(a));
    }
    proposal.proposalStatus = ProposalStatus::Draft;
    proposal.expiresAt = "2026-03-25T17:00:00Z";
    proposal.totalBudgetGuidance =
        BudgetGuidance{20000.0, 50000.0, 150000.0, "USD", nlohmann::json::object()};
    return proposal;
}

nlohmann::json makeResponse()
{
    nlohmann::json response = {{"status", "completed"}, {"cache_scope", "account"}};
    for (int i = 0; i < 100; ++i)
        response["products"].push_back(makeProduct(i));
    for (int i = 0; i < 3; ++i)
        response["proposals"].push_back(makeProposal(i));
    return response;
}

double seconds(const QElapsedTimer &timer)
{
    return static_cast<double>(timer.nsecsElapsed()) / 1e9;
}

// Runs `work` repeatedly for about `budget` seconds; returns calls per second.
double rate(double budget, const std::function<void()> &work)
{
    work(); // warm up (first-use compilation is measured separately)
    QElapsedTimer timer;
    timer.start();
    long calls = 0;
    while (seconds(timer) < budget) {
        work();
        ++calls;
    }
    return static_cast<double>(calls) / seconds(timer);
}

// The same measurement on `threads` threads at once; returns the total calls per second.
double parallelRate(double budget, int threads, const std::function<void()> &work)
{
    QList<QFuture<double>> futures;
    for (int t = 0; t < threads; ++t)
        futures.push_back(QtConcurrent::run([&] { return rate(budget, work); }));
    double total = 0;
    for (auto &f : futures)
        total += f.result();
    return total;
}

struct Registries
{
    std::shared_ptr<const SchemaRegistry> precompiled;
    std::shared_ptr<const SchemaRegistry> valijsonDates;
    std::string source;
};

std::shared_ptr<const SchemaRegistry> loadFolder(const QString &folder, SchemaRegistry::DateFormatCheck check,
                                                 double *loadMs)
{
    auto registry = std::make_shared<SchemaRegistry>(check);
    QElapsedTimer timer;
    timer.start();
    QString error;
    if (!registry->loadDirectory(folder, &error)) {
        std::printf("cannot load %s: %s\n", qPrintable(folder), qPrintable(error));
        return nullptr;
    }
    if (loadMs)
        *loadMs = seconds(timer) * 1000;
    return registry;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const double budget = argc > 1 ? std::max(0.2, std::atof(argv[1])) : 2.0;
    const QString shared = qEnvironmentVariable("ADCP_SHARED_DIR", QStringLiteral(ADCP_SHARED_DIR));
    const QString official = shared + QStringLiteral("/adcp/schemas");

    std::printf("Schema validation benchmark (%.1f s per measurement, %d cores)\n\n", budget,
                QThread::idealThreadCount());

    // Loading. The bundled registry is loaded from the compiled-in resources; the official folder from disk.
    Registries r;
    QElapsedTimer timer;
    timer.start();
    const auto bundled = SchemaRegistry::bundled();
    std::printf("load  bundled :/schemas              %4zu schemas  %8.1f ms\n", bundled->schemaIds().size(),
                seconds(timer) * 1000);
    if (QFileInfo::exists(official)) {
        double ms = 0;
        const auto officialRegistry = loadFolder(official, SchemaRegistry::DateFormatCheck::Precompiled, &ms);
        if (officialRegistry)
            std::printf("load  %-30s %4zu schemas  %8.1f ms (read + parse + $ref rewrite; compiled lazily)\n",
                        "official adcp/schemas", officialRegistry->schemaIds().size(), ms);
    }

    if (bundled->contains(kResponseSchema)) {
        r.source = "bundled resources/schemas";
        r.precompiled = bundled;
        r.valijsonDates =
            loadFolder(QStringLiteral(":/schemas"), SchemaRegistry::DateFormatCheck::Valijson, nullptr);
    } else if (QFileInfo::exists(official)) {
        r.source = "official " + official.toStdString();
        r.precompiled = loadFolder(official, SchemaRegistry::DateFormatCheck::Precompiled, nullptr);
        r.valijsonDates = loadFolder(official, SchemaRegistry::DateFormatCheck::Valijson, nullptr);
    }
    if (!r.precompiled || !r.valijsonDates) {
        std::printf("\n%s is neither bundled nor available from %s; nothing to measure.\n", kResponseSchema,
                    qPrintable(official));
        return 1;
    }

    const nlohmann::json response = makeResponse();
    std::printf(
        "\nschema   %s (%s)\ndocument get_products response, %zu products, %zu proposals, %zu bytes\n",
        kResponseSchema, r.source.c_str(), response["products"].size(), response["proposals"].size(),
        response.dump().size());

    timer.restart();
    const auto issues = r.precompiled->validate(kResponseSchema, response);
    std::printf("first validate (compiles the schema)      %8.1f ms\n", seconds(timer) * 1000);
    if (!issues.empty()) {
        std::printf("\nThe benchmark document does not match the schema; fix makeResponse():\n");
        for (const auto &issue : issues)
            std::printf("  %s: %s [%s]\n", issue.pointer.c_str(), issue.message.c_str(),
                        issue.keyword.c_str());
        return 1;
    }
    if (!r.valijsonDates->validate(kResponseSchema, response).empty()) {
        std::printf("valijson's date-time check rejects the document; its figures would not be comparable\n");
        return 1;
    }

    nlohmann::json broken = response;
    broken["products"][57]["pricing_options"][1]["currency"] = 840;
    const auto brokenIssues = r.precompiled->validate(kResponseSchema, broken);
    const auto depth = [](const adcp::ValidationIssue &i) {
        return std::count(i.pointer.begin(), i.pointer.end(), '/');
    };
    const auto deepest = std::max_element(brokenIssues.begin(), brokenIssues.end(),
                                          [&](const auto &a, const auto &b) { return depth(a) < depth(b); });
    std::printf(
        "invalid document (products[57].pricing_options[1].currency = 840): %zu issue(s), deepest %s\n\n",
        brokenIssues.size(), deepest == brokenIssues.end() ? "(none!)" : deepest->pointer.c_str());

    const auto validateWith = [&](const std::shared_ptr<const SchemaRegistry> &registry,
                                  const nlohmann::json &doc) {
        return [registry, &doc] { (void)registry->validate(kResponseSchema, doc); };
    };
    const double fast = rate(budget, validateWith(r.precompiled, response));
    const double slow = rate(budget, validateWith(r.valijsonDates, response));
    const double invalid = rate(budget, validateWith(r.precompiled, broken));
    const int threads = std::max(2, QThread::idealThreadCount());
    const double parallel = parallelRate(budget, threads, validateWith(r.precompiled, response));

    std::printf("%-52s %10s %12s\n", "measurement", "valid./s", "ms each");
    const auto row = [](const char *name, double perSecond) {
        std::printf("%-52s %10.1f %12.3f\n", name, perSecond, 1000.0 / perSecond);
    };
    row("valid, precompiled RFC 3339 date-time check", fast);
    row("valid, valijson's own date-time check", slow);
    row("invalid (one field), precompiled, with issue report", invalid);
    std::printf("%-52s %10.1f %12s\n",
                ("valid, precompiled, " + std::to_string(threads) + " threads (total)").c_str(), parallel,
                "-");
    std::printf("\nprecompiled date-time check: %.1fx the validations per second of valijson's\n",
                fast / slow);
    return 0;
}
