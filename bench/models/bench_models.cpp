#include "productmodel.h"
#include "productsortmodel.h"
#include "proposalmodel.h"
#include "proposalsortmodel.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

using nlohmann::json;

namespace {

constexpr int kRows = 10000;
constexpr int kRuns = 5;

json makeProducts(std::mt19937 &random)
{
    static const char *channels[] = {"display", "olv", "ctv", "audio", "dooh", "social", "retail_media"};
    std::uniform_real_distribution<double> price(2.0, 80.0);
    json products = json::array();
    for (int i = 0; i < kRows; ++i) {
        const std::string id = "prod-" + std::to_string(i);
        products.push_back(
            {{"product_id", id},
             {"name", std::string("Product ") + channels[i % 7] + " " + std::to_string(random() % 100000)},
             {"description", "Benchmark inventory"},
             {"channels", {channels[i % 7]}},
             {"delivery_type", i % 2 ? "guaranteed" : "non_guaranteed"},
             {"pricing_options",
              {{{"pricing_option_id", id + "-cpm"},
                {"pricing_model", "cpm"},
                {"currency", "USD"},
                {"fixed_price", price(random)},
                {"min_spend_per_package", 1000}}}},
             {"brief_relevance", "matches channel and audience"}});
    }
    return products;
}

std::vector<json> makeProposals(std::mt19937 &random)
{
    std::uniform_real_distribution<double> budget(1000.0, 500000.0);
    std::uniform_int_distribution<int> hold(60, 7 * 86400);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    std::vector<json> proposals;
    for (int i = 0; i < kRows; ++i) {
        proposals.push_back(
            {{"proposal_id", "prop-" + std::to_string(i)},
             {"proposal_version", "v1"},
             {"name", "Plan " + std::to_string(random() % 100000)},
             {"proposal_status", i % 3 ? "draft" : "committed"},
             {"expires_at", now.addSecs(hold(random)).toString(Qt::ISODate).toStdString()},
             {"allocations", {{{"product_id", "prod-1"}, {"allocation_percentage", 100}}}},
             {"total_budget_guidance", {{"recommended", budget(random)}, {"currency", "USD"}}}});
    }
    return proposals;
}

struct Figures
{
    double fill = 0;
    std::vector<double> sorts; // per column
};

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::mt19937 random(42);
    const json products = makeProducts(random);
    const std::vector<json> proposals = makeProposals(random);

    std::vector<double> productFill, proposalFill, proposalTick;
    std::vector<std::vector<double>> productSort(adcp::models::ProductModel::NB_COLUMNS);
    std::vector<std::vector<double>> proposalSort(adcp::models::ProposalModel::NB_COLUMNS);

    for (int run = 0; run < kRuns; ++run) {
        adcp::models::ProductModel productModel;
        adcp::models::ProductSortModel productProxy;
        productProxy.setSourceModel(&productModel);
        QElapsedTimer timer;
        timer.start();
        productModel.setProducts(products);
        productFill.push_back(timer.nsecsElapsed() / 1e6);
        for (int column = 0; column < adcp::models::ProductModel::NB_COLUMNS; ++column) {
            timer.restart();
            productProxy.sort(column, run % 2 ? Qt::DescendingOrder : Qt::AscendingOrder);
            productSort[size_t(column)].push_back(timer.nsecsElapsed() / 1e6);
        }

        adcp::models::ProposalModel proposalModel;
        adcp::models::ProposalSortModel proposalProxy;
        proposalProxy.setSourceModel(&proposalModel);
        const QDateTime receivedAt = QDateTime::currentDateTimeUtc();
        timer.restart();
        for (const json &proposal : proposals)
            proposalModel.upsertProposal(proposal, receivedAt);
        proposalFill.push_back(timer.nsecsElapsed() / 1e6);
        for (int column = 0; column < adcp::models::ProposalModel::NB_COLUMNS; ++column) {
            timer.restart();
            proposalProxy.sort(column, run % 2 ? Qt::DescendingOrder : Qt::AscendingOrder);
            proposalSort[size_t(column)].push_back(timer.nsecsElapsed() / 1e6);
        }
        // One countdown tick with the proxy sorted by expiry (what the proposals tab does every second).
        proposalProxy.sort(adcp::models::ProposalModel::ExpiresColumn);
        timer.restart();
        proposalModel.tick(QDateTime::currentDateTimeUtc());
        proposalTick.push_back(timer.nsecsElapsed() / 1e6);
    }

    std::printf("bench_models: %d rows, median of %d runs (ms)\n", kRows, kRuns);
    std::printf("  products  fill %.1f", median(productFill));
    const char *productColumns[] = {"rank",  "name",      "channels", "delivery",
                                    "price", "min_spend", "relevance"};
    for (size_t c = 0; c < productSort.size(); ++c)
        std::printf(" | sort %s %.1f", productColumns[c], median(productSort[c]));
    std::printf("\n  proposals fill %.1f", median(proposalFill));
    const char *proposalColumns[] = {"id", "name", "version", "status", "budget", "expires"};
    for (size_t c = 0; c < proposalSort.size(); ++c)
        std::printf(" | sort %s %.1f", proposalColumns[c], median(proposalSort[c]));
    std::printf("\n  proposals countdown tick (sorted by expiry) %.1f\n", median(proposalTick));
    return 0;
}
