// Proposal lifecycle through get_products refine: asks, product and proposal scopes, finalize (single and
// atomic multi), decline (versioned dialect), proposal versions and the opportunity context.

#include "sellertestfixture.h"

#include "domain/catalog.h"
#include "domain/pricing.h"
#include "domain/proposalstore.h"

#include <set>

using namespace sellertest;

class TestSellerProposals : public QObject
{
    Q_OBJECT

private:
    static adcp::ToolOutcome refine(Seller &s, const json &entries, const json &extra = json::object())
    {
        json args = {{"buying_mode", "refine"}, {"refine", entries}};
        args.update(extra);
        return s.call("get_products", args);
    }

    static json findProposal(const json &result, const std::string &id)
    {
        for (const auto &p : result.value("proposals", json::array())) {
            if (p["proposal_id"] == id)
                return p;
        }
        return nullptr;
    }

    static std::set<std::string> channelsOf(Seller &s, const json &proposal)
    {
        std::set<std::string> channels;
        for (const auto &a : proposal["allocations"]) {
            const auto *p = s.context->catalog()->find(a["product_id"].get<std::string>());
            for (const auto &c : p->channels)
                channels.insert(c);
        }
        return channels;
    }

private Q_SLOTS:
    void requestAsksReviseTheDraft_data()
    {
        QTest::addColumn<QString>("ask");
        QTest::addColumn<QString>("status");
        QTest::newRow("budget") << "raise the budget to $400,000"
                                << "applied";
        QTest::newRow("cpm ceiling") << "keep the CPM under $20"
                                     << "applied";
        QTest::newRow("more channel") << "more audio please"
                                      << "applied";
        QTest::newRow("drop channel") << "no ctv"
                                      << "applied";
        QTest::newRow("flight") << "run from 2031-05-01 to 2031-05-31"
                                << "applied";
        QTest::newRow("not understood") << "make it pop with a jingle"
                                        << "unable";
    }

    void requestAsksReviseTheDraft()
    {
        QFETCH(QString, ask);
        QFETCH(QString, status);
        Seller s;
        const json draft = s.briefProposal("CTV, online video and audio for a car launch, budget $300k");
        const std::string id = draft["proposal_id"];
        const auto outcome = refine(s, {{{"scope", "request"}, {"ask", ask.toStdString()}}});
        QVERIFY2(outcome.ok(), errorCode(outcome).c_str());
        const auto &applied = outcome.result["refinement_applied"];
        QCOMPARE(applied.size(), size_t(1));
        QCOMPARE(QString::fromStdString(applied[0]["status"].get<std::string>()), status);
        QVERIFY(applied[0].contains("notes"));
        const json revised = findProposal(outcome.result, id);
        QVERIFY(revised.is_object());
        auto db = s.context->database();
        const auto versions = adcp::seller::ProposalStore::versions(db, s.buyer.id, id, nullptr);
        if (status == QLatin1String("unable")) {
            QCOMPARE(revised["proposal_version"].get<std::string>(), std::string("v1"));
            QCOMPARE(versions.size(), size_t(1));
            return;
        }
        QCOMPARE(revised["proposal_version"].get<std::string>(), std::string("v2"));
        QCOMPARE(versions.size(), size_t(2));
        QVERIFY(versions[0].proposal == draft);
        double sum = 0;
        for (const auto &a : revised["allocations"])
            sum += a["allocation_percentage"].get<double>();
        QCOMPARE(sum, 100.0);
        if (ask.contains(QLatin1String("budget")))
            QCOMPARE(revised["total_budget_guidance"]["recommended"].get<double>(), 400000.0);
        if (ask.contains(QLatin1String("CPM"))) {
            for (const auto &a : revised["allocations"]) {
                const auto *p = s.context->catalog()->find(a["product_id"].get<std::string>());
                QVERIFY(
                    adcp::seller::effectiveCpm(*p->pricingOption(a["pricing_option_id"].get<std::string>()))
                        .value_or(0.0) <= 20.0);
            }
        }
        if (ask.contains(QLatin1String("audio")))
            QVERIFY(channelsOf(s, revised).contains("streaming_audio") ||
                    channelsOf(s, revised).contains("podcast"));
        if (ask.contains(QLatin1String("no ctv")))
            QVERIFY(!channelsOf(s, revised).contains("ctv"));
        if (ask.contains(QLatin1String("2031")))
            QCOMPARE(revised["allocations"][0]["start_time"].get<std::string>(),
                     std::string("2031-05-01T00:00:00Z"));
    }

    void productScope()
    {
        Seller s;
        const json draft = s.briefProposal("CTV and online video for a streaming launch, budget $500k");
        const std::string omitted = draft["allocations"][0]["product_id"];
        const auto outcome = refine(
            s, {{{"scope", "product"}, {"product_id", omitted}, {"action", "omit"}},
                {{"scope", "product"}, {"product_id", "dooh_mall_screens"}, {"action", "more_like_this"}},
                {{"scope", "product"}, {"product_id", "news_run_of_site_display"}}});
        QVERIFY2(outcome.ok(), errorCode(outcome).c_str());
        const auto &applied = outcome.result["refinement_applied"];
        QCOMPARE(applied.size(), size_t(3));
        const auto unknown = refine(s, {{{"scope", "product"}, {"product_id", "invented_product"}}});
        QVERIFY(unknown.ok());
        QCOMPARE(unknown.result["refinement_applied"][0]["status"].get<std::string>(), std::string("unable"));
        for (size_t i = 0; i < 3; ++i) {
            QCOMPARE(applied[i]["scope"].get<std::string>(), std::string("product"));
            QVERIFY(applied[i].contains("product_id"));
        }
        std::set<std::string> ids;
        for (const auto &p : outcome.result["products"])
            ids.insert(p["product_id"]);
        QVERIFY(!ids.contains(omitted));
        QVERIFY(ids.contains("dooh_mall_screens"));
        QVERIFY(ids.contains("dooh_transit_screens")); // similar: same channel
        QVERIFY(ids.contains("news_run_of_site_display"));
        const json revised = findProposal(outcome.result, draft["proposal_id"]);
        for (const auto &a : revised["allocations"])
            QVERIFY(a["product_id"] != omitted);
        QCOMPARE(revised["proposal_version"].get<std::string>(), std::string("v2"));
    }

    void proposalIncludeAndOmit()
    {
        Seller s;
        const auto brief =
            s.call("get_products",
                   {{"buying_mode", "brief"}, {"brief", "CTV, online video and audio for a car launch"}});
        const auto &proposals = brief.result["proposals"];
        QVERIFY(proposals.size() >= 2);
        const auto outcome = refine(
            s, {{{"scope", "proposal"}, {"proposal_id", proposals[0]["proposal_id"]}},
                {{"scope", "proposal"}, {"proposal_id", proposals[1]["proposal_id"]}, {"action", "omit"}}});
        QVERIFY(outcome.ok());
        QCOMPARE(outcome.result["proposals"].size(), size_t(1));
        QVERIFY(outcome.result["proposals"][0]["proposal_id"] == proposals[0]["proposal_id"]);
        QCOMPARE(outcome.result["refinement_applied"][1]["status"].get<std::string>(),
                 std::string("applied"));
    }

    void finalizeCommits()
    {
        adcp::seller::SellerOptions o;
        o.holdSeconds = 3600;
        Seller s(o);
        const json draft = s.briefProposal();
        QCOMPARE(draft["proposal_status"].get<std::string>(), std::string("draft"));
        const auto before = s.context->clock().now();
        const auto outcome = s.finalize(draft);
        QVERIFY2(outcome.ok(), errorCode(outcome).c_str());
        const json committed = outcome.result["proposals"][0];
        QCOMPARE(committed["proposal_status"].get<std::string>(), std::string("committed"));
        QCOMPARE(committed["proposal_version"].get<std::string>(), std::string("v2"));
        const auto expires =
            QDateTime::fromString(QString::fromStdString(committed["expires_at"]), Qt::ISODate);
        QVERIFY(expires >= before.addSecs(3599) && expires <= before.addSecs(3700));
        for (const auto &a : committed["allocations"])
            QVERIFY(a.contains("pricing_option_id"));
        // The CTV primetime product needs a signed insertion order.
        QVERIFY(committed.contains("insertion_order"));
        QVERIFY(committed["insertion_order"]["requires_signature"].get<bool>());
        // Finalizing again is acknowledged and changes nothing.
        const auto again = s.finalize(committed);
        QVERIFY(again.ok());
        QCOMPARE(again.result["proposals"][0]["proposal_version"].get<std::string>(), std::string("v2"));
    }

    void finalizeErrors_data()
    {
        QTest::addColumn<QString>("entries");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("field");
        // $P = the draft's id, $V = its version
        QTest::newRow("mixed with include")
            << R"([{"scope":"proposal","proposal_id":"$P","action":"finalize"},{"scope":"request","ask":"more ctv"}])"
            << "INVALID_REQUEST"
            << "";
        QTest::newRow("unknown proposal")
            << R"([{"scope":"proposal","proposal_id":"prop_nope","action":"finalize"}])"
            << "PROPOSAL_NOT_FOUND"
            << "refine[0].proposal_id";
        QTest::newRow("one of two unknown")
            << R"([{"scope":"proposal","proposal_id":"$P","action":"finalize"},{"scope":"proposal","proposal_id":"prop_nope","action":"finalize"}])"
            << "PROPOSAL_NOT_FOUND"
            << "refine[1].proposal_id";
        QTest::newRow("unknown version")
            << R"([{"scope":"proposal","proposal_id":"$P","proposal_version":"v0x","action":"finalize"}])"
            << "PROPOSAL_NOT_FOUND"
            << "refine[0].proposal_version";
        QTest::newRow("detail without decline")
            << R"([{"scope":"proposal","proposal_id":"$P","action":"finalize","detail":"x"}])"
            << "INVALID_REQUEST"
            << "";
    }

    void finalizeErrors()
    {
        QFETCH(QString, entries);
        QFETCH(QString, code);
        QFETCH(QString, field);
        Seller s;
        const json draft = s.briefProposal();
        entries.replace(QLatin1String("$P"), QString::fromStdString(draft["proposal_id"]));
        const auto before = s.allRows();
        const auto outcome = refine(s, json::parse(entries.toStdString()));
        QCOMPARE(QString::fromStdString(errorCode(outcome)), code);
        if (!field.isEmpty())
            QCOMPARE(QString::fromStdString(errorField(outcome)), field);
        QCOMPARE(QString::fromStdString(recovery(outcome)), QStringLiteral("correctable"));
        QVERIFY(s.allRows() == before);
        // Nothing was committed: the draft is still a draft at v1.
        const auto check = refine(s, {{{"scope", "proposal"}, {"proposal_id", draft["proposal_id"]}}});
        QCOMPARE(check.result["proposals"][0]["proposal_status"].get<std::string>(), std::string("draft"));
        QCOMPARE(check.result["proposals"][0]["proposal_version"].get<std::string>(), std::string("v1"));
    }

    void multiFinalizeIsAllOrNothing()
    {
        Seller s;
        const auto brief =
            s.call("get_products",
                   {{"buying_mode", "brief"}, {"brief", "CTV, online video and audio for a car launch"}});
        const auto &proposals = brief.result["proposals"];
        QVERIFY(proposals.size() >= 2);
        // Decline the second, then try to finalize both: nothing may be committed.
        const auto declined = refine(s, {{{"scope", "proposal"},
                                          {"proposal_id", proposals[1]["proposal_id"]},
                                          {"proposal_version", "v1"},
                                          {"action", "decline"},
                                          {"reason", "price"}}});
        QVERIFY(declined.ok());
        const auto both = refine(
            s,
            {{{"scope", "proposal"}, {"proposal_id", proposals[0]["proposal_id"]}, {"action", "finalize"}},
             {{"scope", "proposal"}, {"proposal_id", proposals[1]["proposal_id"]}, {"action", "finalize"}}});
        QCOMPARE(errorCode(both), std::string("INVALID_STATE"));
        QCOMPARE(errorField(both), std::string("refine[1].proposal_id"));
        const auto check = refine(s, {{{"scope", "proposal"}, {"proposal_id", proposals[0]["proposal_id"]}}});
        QCOMPARE(check.result["proposals"][0]["proposal_status"].get<std::string>(), std::string("draft"));

        // Two drafts finalize together.
        const auto fresh =
            s.call("get_products",
                   {{"buying_mode", "brief"}, {"brief", "CTV, online video and audio for a car launch"}});
        const auto &two = fresh.result["proposals"];
        const auto ok = refine(
            s, {{{"scope", "proposal"}, {"proposal_id", two[0]["proposal_id"]}, {"action", "finalize"}},
                {{"scope", "proposal"}, {"proposal_id", two[1]["proposal_id"]}, {"action", "finalize"}}});
        QVERIFY2(ok.ok(), errorCode(ok).c_str());
        QCOMPARE(ok.result["proposals"].size(), size_t(2));
        for (const auto &p : ok.result["proposals"])
            QCOMPARE(p["proposal_status"].get<std::string>(), std::string("committed"));
    }

    void expiredDraftCannotBeFinalized()
    {
        Seller s;
        const json draft = s.briefProposal();
        s.context->clock().advance(s.options.draftLifetimeSeconds + 60);
        const auto outcome = s.finalize(draft);
        QCOMPARE(errorCode(outcome), std::string("PROPOSAL_EXPIRED"));
        QCOMPARE(errorField(outcome), std::string("refine[0].proposal_id"));

        // Asking about it again gives fresh terms: a new version, fresh from now, that finalizes (a walk
        // found a stale draft that no refine could bring back: only a new brief could).
        const auto again = refine(s, {{{"scope", "proposal"}, {"proposal_id", draft["proposal_id"]}}});
        QVERIFY2(again.ok(), errorCode(again).c_str());
        const json fresh = findProposal(again.result, draft["proposal_id"].get<std::string>());
        QVERIFY(fresh.is_object());
        QCOMPARE(fresh["proposal_version"].get<std::string>(), std::string("v2"));
        QVERIFY(QDateTime::fromString(QString::fromStdString(fresh["expires_at"].get<std::string>()),
                                      Qt::ISODate) > s.context->clock().now());
        const auto finalized = s.finalize(fresh);
        QVERIFY2(finalized.ok(), errorCode(finalized).c_str());
        // A draft still fresh is left as it is by a plain re-read: no new version.
        const json other = s.briefProposal();
        const auto reread = refine(s, {{{"scope", "proposal"}, {"proposal_id", other["proposal_id"]}}});
        QVERIFY(findProposal(reread.result, other["proposal_id"].get<std::string>())["proposal_version"] ==
                other["proposal_version"]);
    }

    void declineErrors_data()
    {
        QTest::addColumn<QString>("entry");
        QTest::addColumn<QString>("field");
        QTest::newRow("no version")
            << R"({"scope":"proposal","proposal_id":"$P","action":"decline","reason":"price"})"
            << "refine[0].proposal_version";
        QTest::newRow("no reason")
            << R"({"scope":"proposal","proposal_id":"$P","proposal_version":"v1","action":"decline"})"
            << "refine[0].reason";
        QTest::newRow("unknown reason")
            << R"({"scope":"proposal","proposal_id":"$P","proposal_version":"v1","action":"decline","reason":"vibes"})"
            << "refine[0].reason";
        QTest::newRow("other without detail")
            << R"({"scope":"proposal","proposal_id":"$P","proposal_version":"v1","action":"decline","reason":"other"})"
            << "refine[0].detail";
        QTest::newRow("detail on include")
            << R"({"scope":"proposal","proposal_id":"$P","action":"include","detail":"nice"})"
            << "refine[0].detail";
        QTest::newRow("reason on include")
            << R"({"scope":"proposal","proposal_id":"$P","action":"include","reason":"price"})"
            << "refine[0].reason";
    }

    void declineErrors()
    {
        QFETCH(QString, entry);
        QFETCH(QString, field);
        Seller s;
        const json draft = s.briefProposal();
        entry.replace(QLatin1String("$P"), QString::fromStdString(draft["proposal_id"]));
        const auto before = s.allRows();
        const auto outcome = refine(s, json::array({json::parse(entry.toStdString())}));
        QCOMPARE(errorCode(outcome), std::string("INVALID_REQUEST"));
        QCOMPARE(QString::fromStdString(errorField(outcome)), field);
        QCOMPARE(recovery(outcome), std::string("correctable"));
        QVERIFY(s.allRows() == before);
    }

    void declineIsIdempotentAndKeepsTheFirstReason()
    {
        Seller s;
        const json draft = s.briefProposal();
        const json entry = {{"scope", "proposal"},      {"proposal_id", draft["proposal_id"]},
                            {"proposal_version", "v1"}, {"action", "decline"},
                            {"reason", "other"},        {"detail", "timing moved"}};
        const auto first = refine(s, json::array({entry}));
        QVERIFY2(first.ok(), first.ok() ? "" : first.error->toJson().dump().c_str());
        QCOMPARE(first.result["refinement_applied"][0]["status"].get<std::string>(), std::string("applied"));
        // The acknowledgement names the version it declined (the spec's MUST the schema cannot check).
        QCOMPARE(first.result["refinement_applied"][0]["proposal_version"].get<std::string>(),
                 std::string("v1"));
        QVERIFY(first.result["proposals"].empty());
        json second = entry;
        second["reason"] = "price";
        second.erase("detail");
        const auto repeat = refine(s, json::array({second}));
        QVERIFY(repeat.ok());
        QCOMPARE(repeat.result["refinement_applied"][0]["status"].get<std::string>(), std::string("applied"));
        QVERIFY(repeat.result["refinement_applied"][0]["notes"].get<std::string>().find("other") !=
                std::string::npos);
        auto db = s.context->database();
        const auto stored = adcp::seller::ProposalStore::find(db, s.buyer.id, draft["proposal_id"], nullptr);
        QVERIFY(stored);
        QCOMPARE(stored->declineReason.value_or(""), std::string("other"));
        QCOMPARE(stored->declineDetail.value_or(""), std::string("timing moved"));
        // A declined proposal cannot be finalized.
        QCOMPARE(errorCode(s.finalize(draft)), std::string("INVALID_STATE"));
    }

    void staleDeclineIsAConflict()
    {
        Seller s;
        const json draft = s.briefProposal("CTV, online video and audio, budget $300k");
        QVERIFY(refine(s, {{{"scope", "request"}, {"ask", "budget $350,000"}}}).ok()); // → v2
        const auto outcome = refine(s, {{{"scope", "proposal"},
                                         {"proposal_id", draft["proposal_id"]},
                                         {"proposal_version", "v1"},
                                         {"action", "decline"},
                                         {"reason", "price"}}});
        QCOMPARE(errorCode(outcome), std::string("CONFLICT"));
        QCOMPARE(errorField(outcome), std::string("refine[0].proposal_version"));
        QVERIFY(outcome.error->suggestion.has_value());
        const auto finalize = refine(s, {{{"scope", "proposal"},
                                          {"proposal_id", draft["proposal_id"]},
                                          {"proposal_version", "v1"},
                                          {"action", "finalize"}}});
        QCOMPARE(errorCode(finalize), std::string("CONFLICT"));
        QCOMPARE(errorField(finalize), std::string("refine[0].proposal_version"));
    }

    void versionsStayReadable()
    {
        Seller s;
        const json draft = s.briefProposal("CTV, online video and audio, budget $300k");
        QVERIFY(refine(s, {{{"scope", "request"}, {"ask", "budget $350,000"}}}).ok());
        QVERIFY(refine(s, {{{"scope", "request"}, {"ask", "no ctv"}}}).ok());
        const auto committed = s.finalize(draft);
        QVERIFY(committed.ok());
        QCOMPARE(committed.result["proposals"][0]["proposal_version"].get<std::string>(), std::string("v4"));
        auto db = s.context->database();
        const auto versions =
            adcp::seller::ProposalStore::versions(db, s.buyer.id, draft["proposal_id"], nullptr);
        QCOMPARE(versions.size(), size_t(4));
        for (size_t i = 0; i < versions.size(); ++i)
            QCOMPARE(versions[i].proposal["proposal_version"].get<std::string>(),
                     adcp::seller::versionLabel(static_cast<int>(i + 1)));
        QVERIFY(versions[0].proposal == draft);
        QCOMPARE(versions[3].status, std::string("committed"));
        QCOMPARE(versions[3].cause, std::string("finalize"));
        // Another principal sees none of it.
        QVERIFY(adcp::seller::ProposalStore::versions(db, s.other.id, draft["proposal_id"], nullptr).empty());
        const auto foreign =
            s.call(s.other, "get_products",
                   {{"buying_mode", "refine"},
                    {"refine", {{{"scope", "proposal"}, {"proposal_id", draft["proposal_id"]}}}}});
        // Unknown and foreign ids look the same: include answers "unable", finalize is PROPOSAL_NOT_FOUND.
        QVERIFY(foreign.ok());
        QVERIFY(foreign.result["proposals"].empty());
        QCOMPARE(foreign.result["refinement_applied"][0]["status"].get<std::string>(), std::string("unable"));
        QCOMPARE(errorCode(s.call(s.other, "get_products",
                                  {{"buying_mode", "refine"},
                                   {"refine",
                                    {{{"scope", "proposal"},
                                      {"proposal_id", draft["proposal_id"]},
                                      {"action", "finalize"}}}}})),
                 std::string("PROPOSAL_NOT_FOUND"));
    }

    // A budget the buyer gives as a filter (the window's budget field) plans like one written in the brief;
    // one in the brief's words wins.
    void budgetFilterPlansTheProposal()
    {
        Seller s;
        const json filtered =
            s.briefProposal("CTV and online video for a streaming launch",
                            {{"filters", {{"budget_range", {{"max", 300000}, {"currency", "USD"}}}}}});
        QCOMPARE(filtered["total_budget_guidance"]["recommended"].get<double>(), 300000.0);
        const json written =
            s.briefProposal("CTV and online video for a streaming launch, budget $120,000",
                            {{"filters", {{"budget_range", {{"max", 300000}, {"currency", "USD"}}}}}});
        QCOMPARE(written["total_budget_guidance"]["recommended"].get<double>(), 120000.0);
    }

    void opportunitySpansThePlanningCycle()
    {
        Seller s;
        const json opportunity = {{"opportunity_id", "opp-spring-2031"},
                                  {"phase", "planning"},
                                  {"intent", "live_rfp"},
                                  {"planning_horizon", {{"start", "2031-03-01"}, {"end", "2031-05-31"}}},
                                  {"response_deadline", "2031-02-01T17:00:00Z"}};
        const json draft = s.briefProposal("CTV and online video for a streaming launch, budget $200k",
                                           {{"opportunity", opportunity}});
        auto db = s.context->database();
        QCOMPARE(s.rows(QStringLiteral("opportunities")), 1);
        const auto bad =
            refine(s, {{{"scope", "proposal"}, {"proposal_id", draft["proposal_id"]}}},
                   {{"opportunity", {{"opportunity_id", "opp-spring-2031"}, {"status", "closed"}}}});
        QCOMPARE(errorCode(bad), std::string("INVALID_REQUEST"));
        const auto closed = refine(s, {{{"scope", "proposal"}, {"proposal_id", draft["proposal_id"]}}},
                                   {{"opportunity",
                                     {{"opportunity_id", "opp-spring-2031"},
                                      {"status", "closed"},
                                      {"close_reason", "budget_changed"}}}});
        QVERIFY2(closed.ok(), errorCode(closed).c_str());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT status, close_reason, phase, intent FROM opportunities")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("closed"));
        QCOMPARE(q.value(1).toString(), QStringLiteral("budget_changed"));
        QCOMPARE(q.value(2).toString(), QStringLiteral("planning"));
        QCOMPARE(q.value(3).toString(), QStringLiteral("live_rfp"));
    }
};

QTEST_GUILESS_MAIN(TestSellerProposals)
#include "tst_seller_proposals.moc"
