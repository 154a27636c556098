// Catalog, capabilities, get_products (brief ranking and proposals, wholesale, filters) and the Dispatcher's
// request handling, through the Dispatcher on a real database file.

#include "catalogfixture.h"
#include "officialschemas.h"
#include "sellertestfixture.h"

#include "domain/catalog.h"
#include "domain/productconfigstore.h"
#include "schemaregistry.h"

#include <QDir>

#include <set>

using namespace sellertest;

class TestSellerProducts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void catalogIsBigAndVaried()
    {
        Seller s;
        const auto outcome = s.call("get_products", {{"buying_mode", "wholesale"}});
        QVERIFY2(outcome.ok(), errorCode(outcome).c_str());
        const auto &products = outcome.result.at("products");
        QVERIFY(products.size() >= 12);
        std::set<std::string> channels, deliveryTypes;
        bool fixed = false, auction = false, minSpend = false;
        for (const auto &p : products) {
            for (const auto &c : p.at("channels"))
                channels.insert(c.get<std::string>());
            deliveryTypes.insert(p.at("delivery_type").get<std::string>());
            QVERIFY(!p.at("format_ids").empty());
            for (const auto &o : p.at("pricing_options")) {
                fixed = fixed || o.contains("fixed_price");
                auction = auction || o.contains("floor_price");
                minSpend = minSpend || o.contains("min_spend_per_package");
                QVERIFY(o.contains("currency"));
            }
        }
        for (const char *c : {"display", "olv", "ctv", "streaming_audio", "dooh", "social", "retail_media"})
            QVERIFY2(channels.contains(c), c);
        QCOMPARE(deliveryTypes.size(), size_t(2));
        QVERIFY(fixed && auction && minSpend);
        // Every catalog row is listed; the compliance fixture rows are for sandbox accounts only.
        QCOMPARE(s.rows(QStringLiteral("products WHERE COALESCE(json_extract(seller_json, "
                                       "'$.sandbox_fixture'), 0) = 0")),
                 static_cast<int>(products.size()));
    }

    void productsMatchTheOfficialSchema()
    {
        if (adcp::testsupport::officialSchemasAbsent())
            QSKIP("the official AdCP schemas (ADCP_SHARED_DIR) are absent");
        QString error;
        const auto schemas = adcp::testsupport::officialSchemas(&error);
        QVERIFY2(schemas, qPrintable(error));
        Seller s;
        const auto outcome =
            s.call("get_products", {{"buying_mode", "brief"}, {"brief", "video for sports fans"}});
        QVERIFY(outcome.ok());
        const auto issues =
            schemas->validate("/schemas/media-buy/get-products-response.json", outcome.result);
        QVERIFY2(issues.empty(),
                 issues.empty() ? "" : (issues[0].pointer + ": " + issues[0].message).c_str());
        const auto caps = s.call("get_adcp_capabilities", json::object());
        const auto capIssues =
            schemas->validate("/schemas/protocol/get-adcp-capabilities-response.json", caps.result);
        QVERIFY2(capIssues.empty(),
                 capIssues.empty() ? "" : (capIssues[0].pointer + ": " + capIssues[0].message).c_str());
    }

    void implementationConfigNeverLeaves()
    {
        Seller s;
        // Terms that only occur in the seller-private implementation configs of the catalog.
        const std::vector<std::string> secrets = {
            "implementation_config", "order_template", "HP_TAKEOVER_v3", "dc_home_970x250", "key_values",
            "line_item_type",        "PMP_ROS"};
        std::vector<adcp::ToolOutcome> answers;
        answers.push_back(s.call("get_products", {{"buying_mode", "wholesale"}}));
        answers.push_back(
            s.call("get_products", {{"buying_mode", "brief"}, {"brief", "homepage takeover news"}}));
        const json proposal = answers.back().result.at("proposals").at(0);
        answers.push_back(s.finalize(proposal));
        const json committed = answers.back().result.at("proposals").at(0);
        answers.push_back(s.call("create_media_buy", s.buyArgs(committed, 200000)));
        QVERIFY2(answers.back().ok(), errorCode(answers.back()).c_str());
        answers.push_back(
            s.call("get_media_buys", {{"media_buy_ids", {answers.back().result["media_buy_id"]}}}));
        answers.push_back(s.call("get_adcp_capabilities", json::object()));
        for (const auto &a : answers) {
            QVERIFY(a.ok());
            const std::string text = a.result.dump();
            for (const auto &secret : secrets)
                QVERIFY2(text.find(secret) == std::string::npos,
                         (secret + " leaked: " + text.substr(0, 200)).c_str());
        }
        // ...while the order itself carries them to execution.
        QSqlQuery q(s.context->database());
        QVERIFY(q.exec(QStringLiteral("SELECT implementation_config FROM packages")));
        QVERIFY(q.next());
        QVERIFY(q.value(0).toString().contains(QStringLiteral("HP_TAKEOVER_v3")));
    }

    void capabilitiesTellTheCommitMode_data()
    {
        QTest::addColumn<bool>("autoCommit");
        QTest::newRow("explicit finalize") << false;
        QTest::newRow("auto-commit") << true;
    }

    void capabilitiesTellTheCommitMode()
    {
        QFETCH(bool, autoCommit);
        adcp::seller::SellerOptions o;
        o.autoCommitOnIssue = autoCommit;
        Seller s(o);
        const auto outcome = s.call("get_adcp_capabilities", json::object());
        QVERIFY(outcome.ok());
        const auto &r = outcome.result;
        QCOMPARE(r["adcp"]["major_versions"][0].get<int>(), 3);
        QVERIFY(r["adcp"]["idempotency"]["supported"].get<bool>());
        QVERIFY(r["media_buy"]["buying_modes"] == json({"brief", "wholesale", "refine"}));
        QVERIFY(r["media_buy"]["supports_proposals"].get<bool>());
        const auto &lifecycle = r["ext"]["workbench"]["proposal_lifecycle"];
        QCOMPARE(lifecycle["auto_commit_on_issue"].get<bool>(), autoCommit);
        QVERIFY(r["ext"]["workbench"]["dialects"] == json({"facade", "versioned", "compact"}));
        QVERIFY(r["media_buy"]["lifecycle_tools"] ==
                json({"list_products", "request_proposals", "refine_proposals", "decline_proposals",
                      "buy_products", "accept_proposal", "control_media_buy"}));
        s.context->setAutoCommitOnIssue(!autoCommit);
        const auto after = s.call("get_adcp_capabilities", json::object());
        QCOMPARE(after.result["ext"]["workbench"]["proposal_lifecycle"]["auto_commit_on_issue"].get<bool>(),
                 !autoCommit);
    }

    void briefRanksByRelevance_data()
    {
        QTest::addColumn<QString>("brief");
        QTest::addColumn<QString>("channel");
        QTest::newRow("ctv") << "Connected TV primetime for a streaming drama launch"
                             << "ctv";
        QTest::newRow("audio") << "Podcast host-read sponsorship for a tech audience"
                               << "podcast";
        QTest::newRow("dooh") << "Billboards and transit screens for commuters in New York"
                              << "dooh";
        QTest::newRow("retail") << "Retail media for a CPG snack brand, grocery shoppers"
                                << "retail_media";
        QTest::newRow("social") << "Vertical video on social for Gen Z"
                                << "social";
    }

    void briefRanksByRelevance()
    {
        QFETCH(QString, brief);
        QFETCH(QString, channel);
        Seller s;
        const json args = {{"buying_mode", "brief"}, {"brief", brief.toStdString()}};
        const auto first = s.call("get_products", args);
        QVERIFY2(first.ok(), errorCode(first).c_str());
        const auto &products = first.result.at("products");
        QVERIFY(!products.empty());
        // The best product of the brief's channel is ranked into the proposal first.
        const auto &proposal = first.result.at("proposals").at(0);
        const std::string topId = proposal["allocations"][0]["product_id"];
        bool topInChannel = false;
        for (const auto &p : products) {
            QVERIFY(p.contains("brief_relevance"));
            QVERIFY(!p["brief_relevance"].get<std::string>().empty());
            if (p["product_id"] == topId) {
                for (const auto &c : p["channels"])
                    topInChannel = topInChannel || c == channel.toStdString();
            }
        }
        QVERIFY2(topInChannel, topId.c_str());
        // Deterministic: the same brief ranks the same way.
        const auto second = s.call("get_products", args);
        QVERIFY(second.result["products"] == first.result["products"]);
        QVERIFY(second.result["proposals"][0]["allocations"] == proposal["allocations"]);
    }

    void proposalsAreWellFormed()
    {
        Seller s;
        const auto outcome =
            s.call("get_products", {{"buying_mode", "brief"},
                                    {"brief", "CTV, online video and audio for a car launch, "
                                              "budget $150k, 2030-03-01 to 2030-03-31"}});
        QVERIFY(outcome.ok());
        const auto &proposals = outcome.result.at("proposals");
        QVERIFY(!proposals.empty());
        std::set<std::string> productIds;
        for (const auto &p : outcome.result["products"])
            productIds.insert(p["product_id"]);
        for (const auto &p : proposals) {
            QCOMPARE(p["proposal_version"].get<std::string>(), std::string("v1"));
            QCOMPARE(p["proposal_status"].get<std::string>(), std::string("draft"));
            QVERIFY(p.contains("expires_at"));
            double sum = 0;
            for (const auto &a : p["allocations"]) {
                sum += a["allocation_percentage"].get<double>();
                QVERIFY(productIds.contains(a["product_id"]));
                QVERIFY(a.contains("pricing_option_id"));
                QCOMPARE(a["start_time"].get<std::string>(), std::string("2030-03-01T00:00:00Z"));
            }
            QCOMPARE(sum, 100.0);
            const auto &g = p["total_budget_guidance"];
            QVERIFY(g["min"].get<double>() <= g["recommended"].get<double>());
            QVERIFY(g["recommended"].get<double>() <= g["max"].get<double>());
            QCOMPARE(g["currency"].get<std::string>(), std::string("USD"));
        }
        // The brief's budget becomes the recommendation unless the plan's minimum spend needs more.
        const auto &g = proposals[0]["total_budget_guidance"];
        QCOMPARE(g["recommended"].get<double>(), std::max(150000.0, g["min"].get<double>()));
        QCOMPARE(s.rows(QStringLiteral("proposals")), static_cast<int>(proposals.size()));
    }

    void wholesaleFilters_data()
    {
        QTest::addColumn<QString>("filters");
        QTest::addColumn<int>("expected");
        QTest::addColumn<QString>("must");
        QTest::newRow("guaranteed") << R"({"delivery_type":"guaranteed"})" << 6 << "ctv_premium_primetime";
        QTest::newRow("ctv") << R"({"channels":["ctv"]})" << 2 << "ctv_fast_channels";
        // Six products have a fixed CPM; three more a fixed price in another model (vCPM, CPCV, CPV).
        QTest::newRow("fixed price") << R"({"is_fixed_price":true})" << 9 << "social_vertical_video";
        QTest::newRow("euro") << R"({"pricing_currencies":["EUR"]})" << 1 << "ctv_premium_primetime";
        QTest::newRow("small budget")
            << R"({"budget_range":{"max":2000,"currency":"USD"}})" << 7 << "social_vertical_video";
        QTest::newRow("dooh and audio")
            << R"({"channels":["dooh","streaming_audio"]})" << 3 << "audio_streaming_music";
    }

    void wholesaleFilters()
    {
        QFETCH(QString, filters);
        QFETCH(int, expected);
        QFETCH(QString, must);
        Seller s;
        const auto outcome = s.call(
            "get_products", {{"buying_mode", "wholesale"}, {"filters", json::parse(filters.toStdString())}});
        QVERIFY2(outcome.ok(), errorCode(outcome).c_str());
        const auto &products = outcome.result["products"];
        QCOMPARE(static_cast<int>(products.size()), expected);
        bool found = false;
        for (const auto &p : products)
            found = found || p["product_id"] == must.toStdString();
        QVERIFY(found);
        QVERIFY(!outcome.result.contains("proposals"));
    }

    void badRequestsAreRejected_data()
    {
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QString>("args");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("field");
        QTest::newRow("brief without brief") << "get_products"
                                             << R"({"buying_mode":"brief"})"
                                             << "INVALID_REQUEST"
                                             << "brief";
        QTest::newRow("wholesale with brief") << "get_products"
                                              << R"({"buying_mode":"wholesale","brief":"x"})"
                                              << "INVALID_REQUEST"
                                              << "";
        QTest::newRow("refine without refine") << "get_products"
                                               << R"({"buying_mode":"refine"})"
                                               << "INVALID_REQUEST"
                                               << "refine";
        QTest::newRow("unknown mode") << "get_products"
                                      << R"({"buying_mode":"everything"})"
                                      << "INVALID_REQUEST"
                                      << "buying_mode";
        QTest::newRow("no mode") << "get_products"
                                 << R"({})"
                                 << "INVALID_REQUEST"
                                 << "buying_mode";
        QTest::newRow("unknown tool") << "sell_everything"
                                      << R"({})"
                                      << "INVALID_REQUEST"
                                      << "";
    }

    void badRequestsAreRejected()
    {
        QFETCH(QString, tool);
        QFETCH(QString, args);
        QFETCH(QString, code);
        QFETCH(QString, field);
        Seller s;
        const auto before = s.allRows();
        const auto outcome = s.call(tool.toStdString(), json::parse(args.toStdString()));
        QCOMPARE(QString::fromStdString(errorCode(outcome)), code);
        if (!field.isEmpty())
            QCOMPARE(QString::fromStdString(errorField(outcome)), field);
        QCOMPARE(QString::fromStdString(recovery(outcome)), QStringLiteral("correctable"));
        QVERIFY(s.allRows() == before);
    }

    void anonymousCallersOnlyReadCapabilities()
    {
        Seller s;
        adcp::seller::Principal anonymous;
        QVERIFY(s.call(anonymous, "get_adcp_capabilities", json::object()).ok());
        QCOMPARE(errorCode(s.call(anonymous, "get_products", {{"buying_mode", "wholesale"}})),
                 std::string("AUTH_REQUIRED"));
    }

    void toolsListDescribesEveryTool()
    {
        Seller s;
        const auto tools = s.dispatcher->tools(s.buyer);
        QVERIFY(tools.size() >= 4);
        for (const auto &t : tools) {
            QVERIFY(s.dispatcher->hasTool(t.name));
            QVERIFY2(t.description.size() > 20, t.name.c_str());
            QVERIFY2(t.inputSchema.is_object() && t.inputSchema.contains("properties"), t.name.c_str());
        }
        QVERIFY(!s.dispatcher->hasTool("no_such_tool"));
    }

    void productsCanBeAddedAtRunTime()
    {
        Seller s;
        const json product =
            catalogfixture::publishedProduct("fixture_display", "Fixture display",
                                             "A product added while the seller runs.", "fixture.example");
        auto db = s.context->database();
        QString error;
        QVERIFY2(adcp::seller::Catalog::upsertProduct(db, product, json::object(),
                                                      {{"order_template", "FIX"}},
                                                      QStringLiteral("2030-01-01T00:00:00Z"), &error),
                 qPrintable(error));
        QVERIFY(s.context->reloadCatalog(&error));
        const auto listed =
            s.call("get_products", {{"buying_mode", "wholesale"}, {"filters", {{"channels", {"display"}}}}});
        bool found = false;
        for (const auto &p : listed.result["products"])
            found = found || p["product_id"] == "fixture_display";
        QVERIFY(found);
        QVERIFY(listed.result.dump().find("FIX") == std::string::npos);
        QCOMPARE(s.context->productConfigStore()
                     ->lookup({"fixture_display"})
                     .configs.at("fixture_display")["order_template"]
                     .get<std::string>(),
                 std::string("FIX"));
    }

    void contextIsEchoed()
    {
        Seller s;
        const json context = {{"trace", "abc-123"}};
        const auto outcome = s.call("get_products", {{"buying_mode", "wholesale"}, {"context", context}});
        QVERIFY(outcome.ok());
        QVERIFY(outcome.result["context"] == context);
    }
};

QTEST_GUILESS_MAIN(TestSellerProducts)
#include "tst_seller_products.moc"
