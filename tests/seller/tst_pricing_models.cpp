// Pricing models beyond CPM, through the whole seller: the catalog offers them, create_media_buy books them
// (fixed fees checked against the budget and the flight), delivery bills each package in its own unit and
// reports the metrics that unit is counted in, the controller seeds them, capabilities declare them.

#include "execfixture.h"
#include "officialschemas.h"
#include "schemaregistry.h"

#include "domain/catalog.h"
#include "domain/pricing.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <map>

using namespace exectest;
using sellertest::errorCode;
using sellertest::errorField;

class TestPricingModels final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void modelsNamedInWords_data();
    void modelsNamedInWords();
    void briefsAndAsksChoosePricingModels();
    void everyModelIsBookedBilledAndReported();
    void fixedFeesAreCheckedAgainstBudgetAndFlight_data();
    void fixedFeesAreCheckedAgainstBudgetAndFlight();
    void updateKeepsFixedFeesCovered();
    void controllerSeedsEveryBookableModel();
    void capabilitiesDeclareTheModels();

private:
    std::shared_ptr<const adcp::SchemaRegistry> m_schemas;
};

namespace {

struct Line
{
    const char *product;
    const char *option;
    const char *model;
    double budget;
    double bid = 0; // auction options: the bid, which is the package's rate
};

// One package per non-CPM option of the bundled catalog.
const std::vector<Line> &lines()
{
    static const std::vector<Line> all = {
        {"retail_sponsored_products", "sponsored_listing_click_usd", "cpc", 3000, 0.9},
        {"sports_olv_preroll", "preroll_completed_usd", "cpcv", 4000},
        {"social_vertical_video", "social_view_usd", "cpv", 2000},
        {"news_run_of_site_display", "ros_viewable_usd", "vcpm", 2500},
        {"ctv_premium_primetime", "ctv_primetime_points_usd", "cpp", 9000},
        {"finance_section_sponsorship", "finance_flat_usd", "flat_rate", 40000},
        {"news_homepage_takeover", "homepage_day_usd", "time", 200000},
    };
    return all;
}

json packagesOf(const std::vector<Line> &chosen)
{
    json packages = json::array();
    for (const Line &line : chosen) {
        json package = {
            {"product_id", line.product}, {"pricing_option_id", line.option}, {"budget", line.budget}};
        if (line.bid > 0)
            package["bid_price"] = line.bid;
        packages.push_back(package);
    }
    return packages;
}

double number(const json &object, const char *key)
{
    return object.contains(key) && object[key].is_number() ? object[key].get<double>() : -1.0;
}

std::string issueText(const std::vector<adcp::ValidationIssue> &issues, const json &document)
{
    return issues.empty()
               ? std::string()
               : issues[0].pointer + ": " + issues[0].message + "\n" + document.dump().substr(0, 800);
}

} // namespace

void TestPricingModels::initTestCase()
{
    if (!adcp::testsupport::officialSchemasAbsent()) {
        QString error;
        m_schemas = adcp::testsupport::officialSchemas(&error);
        QVERIFY2(m_schemas, qPrintable(error));
    }
}

void TestPricingModels::modelsNamedInWords_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("models");
    QTest::newRow("cpc") << "Search ads, pay per click"
                         << "cpc";
    QTest::newRow("completed views paid") << "Pre-roll paid on completed views"
                                          << "cpcv";
    QTest::newRow("completed views as a goal") << "Maximize completed views on pre-roll"
                                               << "";
    QTest::newRow("frequency cap is not a day rate")
        << "All products must support frequency capping at 3 per day."
        << "";
    QTest::newRow("day rate") << "Homepage takeover at a daily rate"
                              << "time";
    QTest::newRow("pay per day") << "we would pay per day for the takeover"
                                 << "time";
    QTest::newRow("grps as a target") << "Deliver 200 GRPs among adults 25-54"
                                      << "";
    QTest::newRow("buy on grps") << "We only buy on GRPs"
                                 << "cpp";
    QTest::newRow("viewable requirement") << "Viewable impressions only, please"
                                          << "";
    QTest::newRow("vcpm") << "Display on a vCPM basis"
                          << "vcpm";
    QTest::newRow("two, in order") << "Flat fee for the sponsorship and CPC for search"
                                   << "flat_rate cpc";
    QTest::newRow("trade names") << "CPCV for video, CPV for social"
                                 << "cpcv cpv";
}

// The models a brief or an ask names, and words that look like one but set a target or a cap.
void TestPricingModels::modelsNamedInWords()
{
    QFETCH(QString, text);
    QFETCH(QString, models);
    QStringList named;
    for (const auto model : adcp::seller::pricingModelsInText(text.toStdString()))
        named << QString::fromLatin1(adcp::seller::pricingModelName(model));
    QCOMPARE(named.join(QLatin1Char(' ')), models);
}

// A brief that names a pricing model gets it on every product that sells in it; a refine ask switches the
// plan to another; a model none of the plan's products offers is reported as not applied and changes nothing.
void TestPricingModels::briefsAndAsksChoosePricingModels()
{
    ExecSeller s;
    const auto optionOf = [](const json &proposal, const std::string &product) {
        for (const auto &a : proposal["allocations"]) {
            if (a["product_id"] == product)
                return a["pricing_option_id"].get<std::string>();
        }
        return std::string();
    };
    const json draft =
        s.briefProposal("Sports pre-roll and lifestyle video, paid on completed views, budget $60,000");
    QCOMPARE(optionOf(draft, "sports_olv_preroll"), std::string("preroll_completed_usd"));
    // A product without a CPCV option keeps its CPM option.
    if (const std::string outstream = optionOf(draft, "lifestyle_outstream_video"); !outstream.empty())
        QCOMPARE(outstream, std::string("outstream_auction_usd"));

    // Two models named: each product takes the first of them it sells.
    const json mixed = s.briefProposal(
        "Homepage takeover news display at a daily rate, and sports pre-roll video paid on completed views, "
        "budget $300,000");
    QCOMPARE(optionOf(mixed, "news_homepage_takeover"), std::string("homepage_day_usd"));
    QCOMPARE(optionOf(mixed, "sports_olv_preroll"), std::string("preroll_completed_usd"));

    const json plain = s.briefProposal("Sports pre-roll and lifestyle video, budget $60,000");
    QCOMPARE(optionOf(plain, "sports_olv_preroll"), std::string("preroll_auction_usd"));
    const auto refine = [&s](const json &proposal, const std::string &ask) {
        return s.call(
            "get_products",
            {{"buying_mode", "refine"},
             {"refine", {{{"scope", "proposal"}, {"proposal_id", proposal["proposal_id"]}, {"ask", ask}}}}});
    };
    const auto switched = refine(plain, "bill the video on completed views please");
    QVERIFY2(switched.ok(), switched.ok() ? "" : switched.error->message.c_str());
    QCOMPARE(switched.result["refinement_applied"][0]["status"].get<std::string>(), std::string("applied"));
    QCOMPARE(optionOf(switched.result["proposals"][0], "sports_olv_preroll"),
             std::string("preroll_completed_usd"));
    QVERIFY(switched.result["proposals"][0]["proposal_version"] == "v2");

    const auto unavailable = refine(switched.result["proposals"][0], "we only buy on GRPs");
    QVERIFY(unavailable.ok());
    QCOMPARE(unavailable.result["refinement_applied"][0]["status"].get<std::string>(), std::string("unable"));
    QVERIFY2(unavailable.result["refinement_applied"][0]["notes"].get<std::string>().find("CPP") !=
                 std::string::npos,
             unavailable.result.dump().c_str());
}

void TestPricingModels::everyModelIsBookedBilledAndReported()
{
    ExecSeller s;
    const json created = s.createBuy({{"packages", packagesOf(lines())}});
    QVERIFY(s.waitForJobs());
    // A creative of each product's first format makes every package servable.
    for (size_t i = 0; i < lines().size(); ++i) {
        const auto *product = s.context->catalog()->find(lines()[i].product);
        QVERIFY(product);
        const json format = product->publicJson["format_ids"][0];
        const std::string creativeId = "cr_" + std::to_string(i);
        const auto synced =
            s.call("sync_creatives",
                   {{"idempotency_key", s.key()},
                    {"account", {{"account_id", "acc-1"}}},
                    {"creatives",
                     {{{"creative_id", creativeId},
                       {"name", "Creative " + creativeId},
                       {"format_id", format},
                       {"assets",
                        {{"main", {{"asset_type", "url"}, {"url", "https://cdn.example/" + creativeId}}}}}}}},
                    {"assignments", {{{"creative_id", creativeId}, {"package_id", packageId(created, i)}}}}});
        QVERIFY2(synced.ok(), synced.ok() ? "" : synced.error->message.c_str());
    }
    const std::string id = created["media_buy_id"];
    QTRY_COMPARE_WITH_TIMEOUT(s.status(id), std::string("active"), 60000);
    // From here the seller clock stands still (a rate of 1e-9), so the share of the flight served when the
    // report is made is known exactly, however long the machine took to get the buy live.
    s.context->clock().setRate(1e-9);
    s.control("advance_clock", {{"seconds", 3 * 86400}});
    const QDateTime reportedAt = s.context->clock().now();
    const json live = s.mediaBuy(id);
    const QDateTime flightStart =
        QDateTime::fromString(QString::fromStdString(live["start_time"]), Qt::ISODate);
    const QDateTime flightEnd = QDateTime::fromString(QString::fromStdString(live["end_time"]), Qt::ISODate);
    QVERIFY(flightStart.isValid() && flightEnd.isValid());
    const double served =
        double(flightStart.secsTo(reportedAt)) / double(flightStart.secsTo(flightEnd)); // about 0.3
    const qint64 days = (flightStart.secsTo(flightEnd) + 86399) / 86400;                // started days

    const auto delivery = s.call("get_media_buy_delivery", {{"media_buy_ids", {id}}});
    QVERIFY(delivery.ok());
    if (m_schemas) {
        const auto issues =
            m_schemas->validate("/schemas/media-buy/get-media-buy-delivery-response.json", delivery.result);
        QVERIFY2(issues.empty(), issueText(issues, delivery.result).c_str());
    }
    const json &report = delivery.result["media_buy_deliveries"][0];
    // Packages bill in different models, so the buy names none and its totals carry no per-model costs.
    QVERIFY(!report.contains("pricing_model"));
    QVERIFY(!report["totals"].contains("cost_per_click"));
    QCOMPARE(report["by_package"].size(), lines().size());
    for (size_t i = 0; i < lines().size(); ++i) {
        const Line &line = lines()[i];
        const json &row = report["by_package"][i];
        const QString what = QString::fromLatin1(line.model);
        QCOMPARE(row["pricing_model"].get<std::string>(), std::string(line.model));
        const double rate = row["rate"].get<double>();
        const double spend = row["spend"].get<double>();
        QVERIFY2(spend > 0, qPrintable(what));
        QVERIFY2(spend <= line.budget, qPrintable(what));
        double billed = -1; // spend recomputed from the reported units
        if (what == QLatin1String("cpc")) {
            QCOMPARE(rate, line.bid);
            billed = number(row, "clicks") * rate;
            QVERIFY(std::abs(number(row, "cost_per_click") - spend / number(row, "clicks")) < 1e-9);
        } else if (what == QLatin1String("cpcv")) {
            billed = number(row, "completed_views") * rate;
            QVERIFY(row.contains("completion_rate"));
            QVERIFY(number(row, "cost_per_completed_view") > 0);
        } else if (what == QLatin1String("cpv")) {
            billed = number(row, "views") * rate;
            QVERIFY(number(row, "views") > number(row, "completed_views"));
        } else if (what == QLatin1String("vcpm")) {
            billed = number(row["viewability"], "viewable_impressions") * rate / 1000.0;
            QVERIFY(number(row["viewability"], "viewable_rate") > 0.5);
        } else if (what == QLatin1String("cpp")) {
            billed = number(row, "grps") * rate;
            QCOMPARE(number(row, "grps"), number(row, "impressions") / 10000.0);
        } else {
            // A fixed fee is earned with serving time: the share of the flight served so far, to the cent.
            const double fee = what == QLatin1String("flat_rate") ? 40000.0 : 18000.0 * double(days);
            QVERIFY2(std::abs(spend - fee * served) <= 0.02,
                     qPrintable(QStringLiteral("%1 spent %2 of %3 after %4 of the flight")
                                    .arg(what)
                                    .arg(spend)
                                    .arg(fee)
                                    .arg(served)));
            continue;
        }
        QVERIFY2(
            std::abs(billed - spend) < 0.0051,
            qPrintable(QStringLiteral("%1: spend %2, units × rate %3").arg(what).arg(spend).arg(billed)));
    }
}

void TestPricingModels::fixedFeesAreCheckedAgainstBudgetAndFlight_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<double>("budget");
    QTest::addColumn<int>("days");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("says");
    QTest::newRow("flat rate above the budget") << "finance_flat_usd" << 30000.0 << 10 << "BUDGET_TOO_LOW"
                                                << "packages[0].budget"
                                                << "40000.00 USD";
    QTest::newRow("day rate times the days above the budget")
        << "homepage_day_usd" << 100000.0 << 10 << "BUDGET_TOO_LOW"
        << "packages[0].budget"
        << "180000.00 USD";
    QTest::newRow("longer than max_duration") << "homepage_day_usd" << 500000.0 << 20 << "INVALID_REQUEST"
                                              << "end_time"
                                              << "at most 14";
}

void TestPricingModels::fixedFeesAreCheckedAgainstBudgetAndFlight()
{
    QFETCH(QString, option);
    QFETCH(double, budget);
    QFETCH(int, days);
    QFETCH(QString, code);
    QFETCH(QString, field);
    QFETCH(QString, says);
    ExecSeller s;
    const std::string product = option == QLatin1String("finance_flat_usd") ? "finance_section_sponsorship"
                                                                            : "news_homepage_takeover";
    const auto before = s.call("get_media_buys", json::object());
    const auto outcome =
        s.call("create_media_buy",
               s.packageBuy(
                   {{"end_time", s.context->clock().now().addDays(days).toString(Qt::ISODate).toStdString()},
                    {"packages",
                     {{{"product_id", product},
                       {"pricing_option_id", option.toStdString()},
                       {"budget", budget}}}}}));
    QVERIFY(!outcome.ok());
    QCOMPARE(QString::fromStdString(errorCode(outcome)), code);
    QCOMPARE(QString::fromStdString(errorField(outcome)), field);
    QVERIFY2(outcome.error->message.find(says.toStdString()) != std::string::npos,
             outcome.error->message.c_str());
    // Nothing was written.
    QCOMPARE(s.call("get_media_buys", json::object()).result["media_buys"].size(),
             before.result["media_buys"].size());
    // The same request with a budget that covers the fee over an allowed flight is booked.
    const auto fixed = s.call(
        "create_media_buy",
        s.packageBuy({{"end_time", s.context->clock().now().addDays(7).toString(Qt::ISODate).toStdString()},
                      {"packages",
                       {{{"product_id", product},
                         {"pricing_option_id", option.toStdString()},
                         {"budget", 150000}}}}}));
    QVERIFY2(fixed.ok(), fixed.ok() ? "" : fixed.error->message.c_str());
}

// update_media_buy cannot move a fixed-fee package's flight or budget to where the budget no longer covers
// the fee, nor past the option's max_duration; a refused update changes nothing.
void TestPricingModels::updateKeepsFixedFeesCovered()
{
    ExecSeller s;
    const QDateTime now = s.context->clock().now();
    const auto iso = [&now](int days) { return now.addDays(days).toString(Qt::ISODate).toStdString(); };
    const auto created =
        s.call("create_media_buy", s.packageBuy({{"end_time", iso(7)},
                                                 {"packages",
                                                  {{{"product_id", "news_homepage_takeover"},
                                                    {"pricing_option_id", "homepage_day_usd"},
                                                    {"budget", 150000}}}}}));
    QVERIFY2(created.ok(), created.ok() ? "" : created.error->message.c_str());
    const std::string id = created.result["media_buy_id"];
    const std::string package = created.result["packages"][0]["package_id"];
    const json before = s.mediaBuy(id);
    const auto update = [&](const json &change) {
        json args = {
            {"idempotency_key", s.key()}, {"account", {{"account_id", "acc-1"}}}, {"media_buy_id", id}};
        args.update(change);
        return s.call("update_media_buy", args);
    };
    // Ten days cost 180,000.00: more than the budget.
    auto longer = update({{"end_time", iso(10)}});
    QCOMPARE(errorCode(longer), std::string("BUDGET_TOO_LOW"));
    QCOMPARE(errorField(longer), std::string("end_time"));
    // Seven days cost 126,000.00: a budget below that is refused on the package's budget.
    auto lower = update({{"packages", {{{"package_id", package}, {"budget", 100000}}}}});
    QCOMPARE(errorCode(lower), std::string("BUDGET_TOO_LOW"));
    QCOMPARE(errorField(lower), std::string("packages[0].budget"));
    // Twenty days is beyond the option's max_duration of 14.
    auto tooLong =
        update({{"end_time", iso(20)}, {"packages", {{{"package_id", package}, {"budget", 500000}}}}});
    QCOMPARE(errorCode(tooLong), std::string("INVALID_REQUEST"));
    QCOMPARE(errorField(tooLong), std::string("end_time"));
    const json after = s.mediaBuy(id);
    QVERIFY2(after["end_time"] == before["end_time"], after.dump().c_str());
    QVERIFY2(after["packages"][0]["budget"] == before["packages"][0]["budget"], after.dump().c_str());
    // Both together fit.
    auto both =
        update({{"end_time", iso(10)}, {"packages", {{{"package_id", package}, {"budget", 180000}}}}});
    QVERIFY2(both.ok(), both.ok() ? "" : both.error->message.c_str());
}

void TestPricingModels::controllerSeedsEveryBookableModel()
{
    ExecSeller s;
    QCOMPARE(s.control("seed_product", {{"product_id", "fixture_priced"},
                                        {"fixture",
                                         {{"delivery_type", "non_guaranteed"},
                                          {"channels", {"olv"}},
                                          {"format_ids", {{{"id", "video_30s"}}}}}}})
                 .value("success", false),
             true);
    const auto seed = [&s](const std::string &optionId, const json &fixture) {
        return s.control(
            "seed_pricing_option",
            {{"product_id", "fixture_priced"}, {"pricing_option_id", optionId}, {"fixture", fixture}});
    };
    QCOMPARE(seed("cpcv_fixed", {{"pricing_model", "cpcv"}, {"currency", "USD"}, {"fixed_price", 0.03}})
                 .value("success", false),
             true);
    QCOMPARE(seed("time_weekly", {{"pricing_model", "time"},
                                  {"currency", "USD"},
                                  {"fixed_price", 5000},
                                  {"parameters", {{"time_unit", "week"}}}})
                 .value("success", false),
             true);
    // cpp without its demographic does not match the official option; cpa is not sold here.
    const json noDemographic =
        seed("cpp_bad", {{"pricing_model", "cpp"}, {"currency", "USD"}, {"fixed_price", 300}});
    QCOMPARE(noDemographic.value("success", true), false);
    QCOMPARE(noDemographic.value("error", std::string()), std::string("INVALID_PARAMS"));
    const json cpa = seed(
        "cpa_bad",
        {{"pricing_model", "cpa"}, {"currency", "USD"}, {"fixed_price", 12}, {"event_type", "purchase"}});
    QCOMPARE(cpa.value("success", true), false);
    QVERIFY2(cpa.value("error_detail", std::string()).find("conversions") != std::string::npos,
             cpa.dump().c_str());

    // What was seeded is sold, in its model.
    const auto listed = s.call("get_products", {{"buying_mode", "wholesale"}});
    QVERIFY2(listed.ok(), listed.ok() ? "" : listed.error->message.c_str());
    std::map<std::string, std::string> models;
    for (const auto &p : listed.result["products"]) {
        if (p["product_id"] == "fixture_priced") {
            for (const auto &o : p["pricing_options"])
                models[o["pricing_option_id"]] = o["pricing_model"];
        }
    }
    QCOMPARE(models, (std::map<std::string, std::string>{{"cpcv_fixed", "cpcv"}, {"time_weekly", "time"}}));
}

void TestPricingModels::capabilitiesDeclareTheModels()
{
    ExecSeller s;
    const auto capabilities = s.call("get_adcp_capabilities", json::object());
    QVERIFY(capabilities.ok());
    QVERIFY2(capabilities.result["media_buy"]["supported_pricing_models"] ==
                 json({"cpm", "vcpm", "cpc", "cpcv", "cpv", "cpp", "flat_rate", "time"}),
             capabilities.result["media_buy"].dump().c_str());
    // Every option of the bundled catalog is one of them and matches the official option schema.
    for (const auto &product : s.context->catalog()->products()) {
        for (const auto &option : product.publicJson["pricing_options"]) {
            const json &models = capabilities.result["media_buy"]["supported_pricing_models"];
            QVERIFY(std::find(models.begin(), models.end(), option["pricing_model"]) != models.end());
            if (m_schemas) {
                const auto issues = m_schemas->validate("/schemas/core/pricing-option.json", option);
                QVERIFY2(issues.empty(), issueText(issues, option).c_str());
            }
        }
    }
}

QTEST_GUILESS_MAIN(TestPricingModels)
#include "tst_pricing_models.moc"
