// create_media_buy: every rejection (code, field, recovery, nothing written), the success paths from a
// proposal and from explicit packages, both commit modes end to end, and the proposal_version rule.

#include "officialschemas.h"
#include "sellertestfixture.h"

#include "schemaregistry.h"

#include <QDir>

#include <set>

using namespace sellertest;

class TestSellerCreateMediaBuy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rejections_data()
    {
        QTest::addColumn<QString>("setup");
        QTest::addColumn<QString>("patch");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("recovery");

        // Proposal checks.
        QTest::newRow("version omitted") << "committed"
                                         << R"({"proposal_version":null})"
                                         << "INVALID_REQUEST"
                                         << "proposal_version"
                                         << "correctable";
        QTest::newRow("stale version") << "committed"
                                       << R"({"proposal_version":"v1"})"
                                       << "CONFLICT"
                                       << "proposal_version"
                                       << "correctable";
        QTest::newRow("unknown version") << "committed"
                                         << R"({"proposal_version":"v9"})"
                                         << "PROPOSAL_NOT_FOUND"
                                         << "proposal_version"
                                         << "correctable";
        QTest::newRow("declined") << "declined"
                                  << R"({})"
                                  << "INVALID_STATE"
                                  << "proposal_id"
                                  << "correctable";
        QTest::newRow("unknown proposal") << "committed"
                                          << R"({"proposal_id":"prop_0000000000"})"
                                          << "PROPOSAL_NOT_FOUND"
                                          << "proposal_id"
                                          << "correctable";
        QTest::newRow("another principal's") << "foreign"
                                             << R"({})"
                                             << "PROPOSAL_NOT_FOUND"
                                             << "proposal_id"
                                             << "correctable";
        QTest::newRow("draft") << "draft"
                               << R"({})"
                               << "PROPOSAL_NOT_COMMITTED"
                               << "proposal_id"
                               << "correctable";
        QTest::newRow("expired") << "expired"
                                 << R"({})"
                                 << "PROPOSAL_EXPIRED"
                                 << "proposal_id"
                                 << "correctable";
        QTest::newRow("already executed") << "executed"
                                          << R"({})"
                                          << "INVALID_STATE"
                                          << "proposal_id"
                                          << "correctable";
        QTest::newRow("io not accepted") << "committed"
                                         << R"({"io_acceptance":null})"
                                         << "IO_REQUIRED"
                                         << "io_acceptance"
                                         << "correctable";
        QTest::newRow("budget below min spend") << "committed"
                                                << R"({"total_budget":{"amount":1000,"currency":"USD"}})"
                                                << "BUDGET_TOO_LOW"
                                                << "total_budget.amount"
                                                << "correctable";
        QTest::newRow("currency differs") << "committed"
                                          << R"({"total_budget":{"amount":900000,"currency":"EUR"}})"
                                          << "INVALID_REQUEST"
                                          << "total_budget.currency"
                                          << "correctable";
        QTest::newRow("no total budget") << "committed"
                                         << R"({"total_budget":null})"
                                         << "INVALID_REQUEST"
                                         << "total_budget"
                                         << "correctable";
        QTest::newRow("packages and proposal")
            << "committed"
            << R"({"packages":[{"product_id":"news_run_of_site_display","pricing_option_id":"ros_auction_usd","budget":5000}]})"
            << "INVALID_REQUEST"
            << "packages"
            << "correctable";
        QTest::newRow("opportunity of another cycle") << "opportunity"
                                                      << R"({"opportunity":{"opportunity_id":"opp-other"}})"
                                                      << "INVALID_REQUEST"
                                                      << "opportunity.opportunity_id"
                                                      << "correctable";

        // Dates.
        QTest::newRow("start in the past") << "committed"
                                           << R"({"start_time":"2020-01-01T00:00:00Z"})"
                                           << "INVALID_REQUEST"
                                           << "start_time"
                                           << "correctable";
        QTest::newRow("start not a date") << "committed"
                                          << R"({"start_time":"tomorrow"})"
                                          << "INVALID_REQUEST"
                                          << "start_time"
                                          << "correctable";
        QTest::newRow("end before start")
            << "explicit"
            << R"({"start_time":"2040-02-01T00:00:00Z","end_time":"2040-01-01T00:00:00Z"})"
            << "INVALID_REQUEST"
            << "end_time"
            << "correctable";

        // Explicit packages.
        QTest::newRow("unknown product")
            << "explicit"
            << R"({"packages":[{"product_id":"no_such_product","pricing_option_id":"x","budget":5000}]})"
            << "PRODUCT_NOT_FOUND"
            << "packages[0].product_id"
            << "correctable";
        QTest::newRow("unknown pricing option")
            << "explicit"
            << R"({"packages":[{"product_id":"news_run_of_site_display","pricing_option_id":"nope","budget":5000}]})"
            << "INVALID_PRICING_OPTION"
            << "packages[0].pricing_option_id"
            << "correctable";
        QTest::newRow("below min spend")
            << "explicit"
            << R"({"packages":[{"product_id":"news_run_of_site_display","pricing_option_id":"ros_auction_usd","budget":100}]})"
            << "BUDGET_TOO_LOW"
            << "packages[0].budget"
            << "correctable";
        QTest::newRow("bid below floor")
            << "explicit"
            << R"({"packages":[{"product_id":"news_run_of_site_display","pricing_option_id":"ros_auction_usd","budget":5000,"bid_price":1.5}]})"
            << "INVALID_REQUEST"
            << "packages[0].bid_price"
            << "correctable";
        QTest::newRow("currencies mixed")
            << "explicit"
            << R"({"packages":[{"product_id":"news_run_of_site_display","pricing_option_id":"ros_auction_usd","budget":5000},{"product_id":"ctv_premium_primetime","pricing_option_id":"ctv_primetime_eur","budget":30000}]})"
            << "INVALID_REQUEST"
            << "packages[1].pricing_option_id"
            << "correctable";
        QTest::newRow("total differs from packages") << "explicit"
                                                     << R"({"total_budget":{"amount":9999,"currency":"USD"}})"
                                                     << "INVALID_REQUEST"
                                                     << "total_budget.amount"
                                                     << "correctable";
        QTest::newRow("package outside the flight")
            << "explicit"
            << R"({"packages":[{"product_id":"news_run_of_site_display","pricing_option_id":"ros_auction_usd","budget":5000,"start_time":"2099-01-01T00:00:00Z"}]})"
            << "INVALID_REQUEST"
            << "packages[0].start_time"
            << "correctable";
        QTest::newRow("unworkable measurement terms")
            << "explicit"
            << R"({"packages":[{"product_id":"news_run_of_site_display","pricing_option_id":"ros_auction_usd","budget":5000,"measurement_terms":{"billing_measurement":{"vendor":{"domain":"measure.example"},"measurement_window":"c7","max_variance_percent":0}}}]})"
            << "TERMS_REJECTED"
            << "packages[0].measurement_terms.billing_measurement.max_variance_percent"
            << "correctable";
        QTest::newRow("no packages") << "explicit"
                                     << R"({"packages":null})"
                                     << "INVALID_REQUEST"
                                     << "packages"
                                     << "correctable";
        QTest::newRow("no idempotency key") << "explicit"
                                            << R"({"idempotency_key":null})"
                                            << "INVALID_REQUEST"
                                            << "idempotency_key"
                                            << "correctable";
    }

    void rejections()
    {
        QFETCH(QString, setup);
        QFETCH(QString, patch);
        QFETCH(QString, code);
        QFETCH(QString, field);
        QFETCH(QString, recovery);

        adcp::seller::SellerOptions o;
        o.holdSeconds = 3600;
        Seller s(o);
        json args;
        std::string proposalId;
        const adcp::seller::Principal *owner = &s.buyer;
        if (setup == QLatin1String("explicit")) {
            args = s.explicitBuyArgs();
        } else if (setup == QLatin1String("draft")) {
            const json draft = s.briefProposal();
            args = s.buyArgs(draft);
        } else if (setup == QLatin1String("opportunity")) {
            const json draft = s.briefProposal("CTV and online video for a streaming launch, budget $120,000",
                                               {{"opportunity", {{"opportunity_id", "opp-1"}}}});
            const auto committed = s.finalize(draft);
            args = s.buyArgs(committed.result["proposals"][0]);
        } else if (setup == QLatin1String("foreign")) {
            // The other principal owns a committed proposal; our buyer names it.
            std::swap(s.buyer, s.other);
            const json committed = s.committedProposal();
            std::swap(s.buyer, s.other);
            owner = &s.other;
            args = s.buyArgs(committed);
        } else {
            const json committed = s.committedProposal();
            args = s.buyArgs(committed);
            if (setup == QLatin1String("declined")) {
                const auto declined =
                    s.call("get_products", {{"buying_mode", "refine"},
                                            {"refine",
                                             {{{"scope", "proposal"},
                                               {"proposal_id", committed["proposal_id"]},
                                               {"proposal_version", committed["proposal_version"]},
                                               {"action", "decline"},
                                               {"reason", "price"}}}}});
                QVERIFY(declined.ok());
            } else if (setup == QLatin1String("expired")) {
                s.context->clock().advance(3700);
                args["end_time"] = s.context->clock().now().addDays(30).toString(Qt::ISODate).toStdString();
            } else if (setup == QLatin1String("executed")) {
                QVERIFY(s.call("create_media_buy", args).ok());
                args["idempotency_key"] = s.key();
            }
        }
        if (args.contains("proposal_id"))
            proposalId = args["proposal_id"];
        args.merge_patch(json::parse(patch.toStdString()));
        const std::string stateBefore = proposalId.empty() ? "" : s.proposalState(*owner, proposalId);
        const auto before = s.allRows();

        const auto outcome = s.call("create_media_buy", args);

        QCOMPARE(QString::fromStdString(errorCode(outcome)), code);
        QCOMPARE(QString::fromStdString(errorField(outcome)), field);
        QCOMPARE(QString::fromStdString(sellertest::recovery(outcome)), recovery);
        QVERIFY(!outcome.error->message.empty());
        QVERIFY(outcome.result["errors"].is_array() && !outcome.result["errors"].empty());
        QVERIFY(s.allRows() == before);
        if (!proposalId.empty())
            QCOMPARE(s.proposalState(*owner, proposalId), stateBefore);
        if (code == QLatin1String("PROPOSAL_NOT_COMMITTED") || code == QLatin1String("CONFLICT"))
            QVERIFY(outcome.error->suggestion.has_value());
        if (code == QLatin1String("PROPOSAL_NOT_COMMITTED"))
            QVERIFY(outcome.error->suggestion->find("finalize") != std::string::npos);
    }

    void otherErrorsComeTogether()
    {
        Seller s;
        json args = s.explicitBuyArgs();
        args["start_time"] = "2020-01-01T00:00:00Z";
        args["packages"] = {{{"product_id", "no_such_product"}, {"pricing_option_id", "x"}, {"budget", 5000}},
                            {{"product_id", "news_run_of_site_display"},
                             {"pricing_option_id", "ros_auction_usd"},
                             {"budget", 100}}};
        const auto before = s.allRows();
        const auto outcome = s.call("create_media_buy", args);
        QVERIFY(!outcome.ok());
        const auto &errors = outcome.result["errors"];
        std::set<std::string> fields;
        for (const auto &e : errors)
            fields.insert(e["field"]);
        QCOMPARE(errors.size(), size_t(3));
        QVERIFY(fields.contains("start_time"));
        QVERIFY(fields.contains("packages[0].product_id"));
        QVERIFY(fields.contains("packages[1].budget"));
        QVERIFY(s.allRows() == before);
    }

    void explicitPackagesBuy()
    {
        Seller s;
        json args = s.explicitBuyArgs();
        args["packages"].push_back({{"product_id", "social_vertical_video"},
                                    {"pricing_option_id", "social_feed_auction_usd"},
                                    {"budget", 2500},
                                    {"creative_assignments", {{{"creative_id", "cr-1"}}}}});
        args["total_budget"] = {{"amount", 7500}, {"currency", "USD"}};
        const auto outcome = s.call("create_media_buy", args);
        QVERIFY2(outcome.ok(), outcome.ok() ? "" : outcome.error->message.c_str());
        const auto &r = outcome.result;
        QVERIFY(r["media_buy_id"].get<std::string>().rfind("mb_", 0) == 0);
        QCOMPARE(r["revision"].get<int>(), 1);
        QCOMPARE(r["media_buy_status"].get<std::string>(), std::string("pending_creatives"));
        QCOMPARE(r["total_budget"].get<double>(), 7500.0);
        QCOMPARE(r["currency"].get<std::string>(), std::string("USD"));
        QCOMPARE(r["packages"].size(), size_t(2));
        QVERIFY(!r["available_actions"].empty());
        // 3.0/3.1 buyers read the buy status from `status` and the actions from `valid_actions`.
        QCOMPARE(r["status"].get<std::string>(), std::string("pending_creatives"));
        QVERIFY(std::find(r["valid_actions"].begin(), r["valid_actions"].end(), json("sync_creatives")) !=
                r["valid_actions"].end());
        QVERIFY(!r.contains("proposal_id"));
        QCOMPARE(s.rows(QStringLiteral("media_buys")), 1);
        QCOMPARE(s.rows(QStringLiteral("packages")), 2);
        const auto read = s.call("get_media_buys", {{"media_buy_ids", {r["media_buy_id"]}}});
        QVERIFY(read.ok());
        QCOMPARE(read.result["media_buys"][0]["packages"].size(), size_t(2));
        QCOMPARE(read.result["media_buys"][0]["status"].get<std::string>(), std::string("pending_creatives"));
        // Another principal cannot see it: unknown and foreign look the same.
        const auto foreign = s.call(s.other, "get_media_buys", {{"media_buy_ids", {r["media_buy_id"]}}});
        QVERIFY(foreign.result["media_buys"].empty());
        QCOMPARE(foreign.result["errors"][0]["code"].get<std::string>(), std::string("MEDIA_BUY_NOT_FOUND"));
    }

    void bothCommitModesEndToEnd_data()
    {
        QTest::addColumn<bool>("autoCommit");
        QTest::newRow("explicit finalize") << false;
        QTest::newRow("auto-commit on issue") << true;
    }

    void bothCommitModesEndToEnd()
    {
        QFETCH(bool, autoCommit);
        adcp::seller::SellerOptions o;
        o.autoCommitOnIssue = autoCommit;
        Seller s(o);
        const json opportunity = {
            {"opportunity_id", "opp-e2e"}, {"phase", "active_sourcing"}, {"intent", "live_rfp"}};
        const auto brief =
            s.call("get_products", {{"buying_mode", "brief"},
                                    {"brief", "Podcast and music audio for a fintech app, budget $60k"},
                                    {"opportunity", opportunity}});
        QVERIFY(brief.ok());
        json proposal = brief.result["proposals"][0];
        QCOMPARE(proposal["proposal_status"].get<std::string>(),
                 std::string(autoCommit ? "committed" : "draft"));
        if (!autoCommit) {
            // A draft cannot be bought; finalize commits it.
            QCOMPARE(errorCode(s.call("create_media_buy", s.buyArgs(proposal, 60000))),
                     std::string("PROPOSAL_NOT_COMMITTED"));
            const auto finalized = s.finalize(proposal);
            QVERIFY(finalized.ok());
            proposal = finalized.result["proposals"][0];
            QCOMPARE(proposal["proposal_status"].get<std::string>(), std::string("committed"));
        }
        const double amount = proposal["total_budget_guidance"]["recommended"].get<double>();
        QCOMPARE(amount, 60000.0);
        json args = s.buyArgs(proposal, amount);
        args["opportunity"] = {
            {"opportunity_id", "opp-e2e"}, {"status", "closed"}, {"close_reason", "accepted_with_seller"}};
        const auto bought = s.call("create_media_buy", args);
        QVERIFY2(bought.ok(), bought.ok() ? "" : bought.error->toJson().dump().c_str());
        QVERIFY(bought.result["proposal_id"] == proposal["proposal_id"]);
        QVERIFY(bought.result["proposal_version"] == proposal["proposal_version"]);
        double sum = 0;
        for (const auto &p : bought.result["packages"])
            sum += p["budget"].get<double>();
        QCOMPARE(sum, 60000.0);
        QCOMPARE(s.proposalState(s.buyer, proposal["proposal_id"]), std::string("consumed"));
        const auto listed = s.call("get_media_buys", {{"status_filter", {"pending_creatives"}}});
        QCOMPARE(listed.result["media_buys"].size(), size_t(1));
        // The buy names its proposal in the seller's extension block; accepted_proposal_id would oblige the
        // answer to carry a compact accepted_proposal and its terms digest.
        const json &listedBuy = listed.result["media_buys"][0];
        QVERIFY(!listedBuy.contains("accepted_proposal_id"));
        QVERIFY(listedBuy["ext"]["workbench"]["proposal_id"] == proposal["proposal_id"]);
        QVERIFY(listedBuy["ext"]["workbench"]["proposal_version"] == proposal["proposal_version"]);
        QSqlQuery q(s.context->database());
        QVERIFY(q.exec(QStringLiteral(
            "SELECT status, close_reason FROM opportunities WHERE opportunity_id = 'opp-e2e'")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("closed"));
        QCOMPARE(q.value(1).toString(), QStringLiteral("accepted_with_seller"));
        // The proposal reads as accepted, and cannot be bought twice.
        const auto again = s.call("create_media_buy", s.buyArgs(proposal, 60000));
        QCOMPARE(errorCode(again), std::string("INVALID_STATE"));
    }

    void proposalVersionRuleWhenNotRequired()
    {
        adcp::seller::SellerOptions o;
        o.requireProposalVersion = false;
        Seller s(o);
        // A facade buyer never mentions versions: the buy goes through without one.
        json plain = s.buyArgs(s.committedProposal());
        plain.erase("proposal_version");
        const auto facade = s.call("create_media_buy", plain);
        QVERIFY2(facade.ok(), facade.ok() ? "" : facade.error->message.c_str());
        // A buyer who acted on versions (here: include with proposal_version) must keep sending it.
        const json committed = s.committedProposal();
        QVERIFY(s.call("get_products", {{"buying_mode", "refine"},
                                        {"refine",
                                         {{{"scope", "proposal"},
                                           {"proposal_id", committed["proposal_id"]},
                                           {"proposal_version", committed["proposal_version"]}}}}})
                    .ok());
        json versioned = s.buyArgs(committed);
        versioned.erase("proposal_version");
        const auto outcome = s.call("create_media_buy", versioned);
        QCOMPARE(errorCode(outcome), std::string("INVALID_REQUEST"));
        QCOMPARE(errorField(outcome), std::string("proposal_version"));
    }

    // get_media_buys of a buy made from a get_products proposal is valid under the official 3.2 schema (whose
    // accepted_proposal_id depends on accepted_proposal and accepted_proposal_terms_digest).
    void mediaBuyFromProposalMatchesOfficialSchema()
    {
        if (adcp::testsupport::officialSchemasAbsent())
            QSKIP("the official AdCP schemas (ADCP_SHARED_DIR) are absent");
        QString schemaError;
        const auto officialSchemas = adcp::testsupport::officialSchemas(&schemaError);
        QVERIFY2(officialSchemas, qPrintable(schemaError));
        const adcp::SchemaRegistry &official = *officialSchemas;
        Seller s;
        const json proposal = s.committedProposal();
        json args = s.buyArgs(proposal);
        args["adcp_version"] = "3.2";
        const auto bought = s.call("create_media_buy", args);
        QVERIFY2(bought.ok(), bought.ok() ? "" : bought.error->message.c_str());
        const auto created =
            official.validate("/schemas/media-buy/create-media-buy-response.json", bought.result);
        QVERIFY2(created.empty(),
                 created.empty() ? "" : (created.front().pointer + ": " + created.front().message).c_str());
        const auto listed = s.call("get_media_buys", {{"media_buy_ids", {bought.result["media_buy_id"]}}});
        QVERIFY(listed.ok());
        QCOMPARE(listed.result["media_buys"].size(), size_t(1));
        const auto issues =
            official.validate("/schemas/media-buy/get-media-buys-response.json", listed.result);
        QVERIFY2(issues.empty(),
                 issues.empty() ? "" : (issues.front().pointer + ": " + issues.front().message).c_str());
    }

    // `status` on a create_media_buy answer: the media buy's status for 3.0/3.1 callers (and callers naming
    // no version), the task status for 3.2 and later, as update_media_buy answers it.
    void statusFollowsAdcpVersion_data()
    {
        QTest::addColumn<QString>("version"); // empty = no adcp_version member
        QTest::addColumn<QString>("status");
        QTest::newRow("no version") << ""
                                    << "pending_creatives";
        QTest::newRow("3.0") << "3.0"
                             << "pending_creatives";
        QTest::newRow("3.1") << "3.1"
                             << "pending_creatives";
        QTest::newRow("3.2") << "3.2"
                             << "completed";
        QTest::newRow("3.2-beta.5") << "3.2-beta.5"
                                    << "completed";
        QTest::newRow("3.10") << "3.10"
                              << "completed";
    }

    void statusFollowsAdcpVersion()
    {
        QFETCH(QString, version);
        QFETCH(QString, status);
        Seller s;
        json args = s.explicitBuyArgs();
        if (!version.isEmpty())
            args["adcp_version"] = version.toStdString();
        const auto outcome = s.call("create_media_buy", args);
        QVERIFY2(outcome.ok(), outcome.ok() ? "" : outcome.error->message.c_str());
        QCOMPARE(QString::fromStdString(outcome.result.value("status", std::string())), status);
        // The lifecycle is always in media_buy_status.
        QCOMPARE(outcome.result["media_buy_status"].get<std::string>(), std::string("pending_creatives"));
        // A replay of the same request answers the same way.
        const auto replay = s.call("create_media_buy", args);
        QVERIFY(replay.ok());
        QCOMPARE(QString::fromStdString(replay.result.value("status", std::string())), status);

        // From 3.2 on the answer is valid under the official (3.2) response schema, whose `status` is the
        // task status.
        if (!version.startsWith(QStringLiteral("3.2")))
            return;
        if (adcp::testsupport::officialSchemasAbsent())
            QSKIP("the official AdCP schemas (ADCP_SHARED_DIR) are absent");
        QString schemaError;
        const auto officialSchemas = adcp::testsupport::officialSchemas(&schemaError);
        QVERIFY2(officialSchemas, qPrintable(schemaError));
        const adcp::SchemaRegistry &official = *officialSchemas;
        const auto issues =
            official.validate("/schemas/media-buy/create-media-buy-response.json", outcome.result);
        QVERIFY2(issues.empty(), issues.empty() ? "" : issues.front().message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestSellerCreateMediaBuy)
#include "tst_seller_createmediabuy.moc"
