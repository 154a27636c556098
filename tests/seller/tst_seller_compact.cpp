#include "execfixture.h"
#include "officialschemas.h"

#include "domain/compactproposals.h"
#include "domain/proposalstore.h"
#include "schemaregistry.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFloat16>
#include <QTest>

using namespace exectest;

// The AdCP 3.2 compact proposal dialect of the embedded seller: request_proposals → refine_proposals (revise,
// finalize) → accept_proposal creates a buy that execution runs; decline_proposals; every refusal with its
// code, field and recovery and nothing written. Answers are checked against the official schemas when the
// shared folder with them is present.
class TestSellerCompact final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void canonicalJson_data();
    void canonicalJson();
    void fullFlowCreatesABuyThatExecutionRuns();
    void briefNothingMatchesIsRejected();
    void acceptRefusals_data();
    void acceptRefusals();
    void refineRefusals_data();
    void refineRefusals();
    void unsatisfiableConstraintIsUnable();
    void declineIsIdempotentAndKeepsTheFirstReason();
    void productLifecycleProbe();

private:
    void checkSchema(const char *schemaId, const json &document);
    std::shared_ptr<const adcp::SchemaRegistry> m_schemas;
};

namespace {

const char *const kBrief = "online video preroll and outstream for sports fans, budget $60,000";

json account()
{
    return {{"account_id", "acc-1"}};
}

std::string code(const adcp::ToolOutcome &o)
{
    return o.error ? o.error->code : std::string("(success)");
}

// The digest computed here from the JCS text, independently of the seller's own hashing.
std::string digestOf(const json &terms)
{
    const std::string text = adcp::seller::compact::canonicalJson(terms);
    const QByteArray hash =
        QCryptographicHash::hash(QByteArray::fromStdString(text), QCryptographicHash::Sha256);
    return "sha256:" +
           hash.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals).toStdString();
}

json requestProposals(ExecSeller &s, const std::string &brief = kBrief,
                      const adcp::seller::Principal *who = nullptr)
{
    const auto o =
        s.call(who ? *who : s.buyer, "request_proposals",
               {{"idempotency_key", s.key()}, {"brief", brief}, {"brand", {{"domain", "acme.example"}}}});
    if (!o.ok())
        qFatal("request_proposals failed: %s", o.error->message.c_str());
    return o.result;
}

adcp::ToolOutcome refine(ExecSeller &s, const json &entries)
{
    return s.call("refine_proposals", {{"idempotency_key", s.key()}, {"refinements", entries}});
}

// A committed compact proposal: requested, then finalized.
json committedProposal(ExecSeller &s, const std::string &brief = kBrief)
{
    const json draft = requestProposals(s, brief)["proposals"][0];
    const auto o = refine(s, {{{"proposal_id", draft["proposal_id"]}, {"action", "finalize"}}});
    if (!o.ok())
        qFatal("finalize failed: %s", o.error->message.c_str());
    return o.result["results"][0]["proposal"];
}

adcp::ToolOutcome accept(ExecSeller &s, const json &proposal, const json &extra = json::object(),
                         bool signIo = true)
{
    json args = {{"idempotency_key", s.key()},
                 {"account", account()},
                 {"proposal_id", proposal["proposal_id"]},
                 {"proposal_terms_digest", proposal["terms_digest"]}};
    // The buyer signs the insertion order a committed proposal carries (unless the test is about not doing
    // so).
    if (signIo && proposal.contains("insertion_order"))
        args["io_acceptance"] = {{"io_id", proposal["insertion_order"]["io_id"]},
                                 {"accepted_at", "2026-01-01T00:00:00Z"},
                                 {"signatory", "Jane Buyer"}};
    args.update(extra);
    return s.call("accept_proposal", args);
}

} // namespace

void TestSellerCompact::initTestCase()
{
    // Only an absent shared folder leaves m_schemas empty (and the schema checks skipped); one that does not
    // load fails here.
    if (!adcp::testsupport::officialSchemasAbsent()) {
        QString error;
        m_schemas = adcp::testsupport::officialSchemas(&error);
        QVERIFY2(m_schemas, qPrintable(error));
    }
}

void TestSellerCompact::checkSchema(const char *schemaId, const json &document)
{
    // A check that could not run is a skip, never a pass.
    if (!m_schemas)
        QSKIP(qPrintable(
            QStringLiteral("the official AdCP schemas (ADCP_SHARED_DIR) are absent: %1 not checked")
                .arg(QLatin1String(schemaId))));
    const auto issues = m_schemas->validate(schemaId, document);
    std::string text;
    for (const auto &i : issues)
        text += i.pointer + ": " + i.message + "\n";
    if (!issues.empty())
        qWarning("%s\n%s", document.dump(1).c_str(), text.c_str());
    QVERIFY2(issues.empty(), (std::string(schemaId) + "\n" + text).c_str());
}

void TestSellerCompact::canonicalJson_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("canonical");
    // RFC 8785 §3.2.2 (numbers, escapes) and key ordering by UTF-16 code units.
    QTest::newRow("rfc8785 sample")
        << QString::fromUtf8(
               R"({"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],)"
               R"("string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/","literals":[null,true,false]})")
        << QString::fromUtf8(
               R"({"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],)"
               "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
    QTest::newRow("integral doubles") << QStringLiteral(R"({"b":100.0,"a":-0.5,"c":1e21})")
                                      << QStringLiteral(R"({"a":-0.5,"b":100,"c":1e+21})");
    QTest::newRow("nested order") << QStringLiteral(R"({"z":{"b":1,"a":[{"y":2,"x":1}]},"a":"1"})")
                                  << QStringLiteral(R"({"a":"1","z":{"a":[{"x":1,"y":2}],"b":1}})");
}

void TestSellerCompact::canonicalJson()
{
    QFETCH(QString, input);
    QFETCH(QString, canonical);
    const json parsed = json::parse(input.toStdString());
    QCOMPARE(QString::fromStdString(adcp::seller::compact::canonicalJson(parsed)), canonical);
}

void TestSellerCompact::fullFlowCreatesABuyThatExecutionRuns()
{
    ExecSeller s;
    const json requested = requestProposals(s);
    checkSchema("/schemas/media-buy/request-proposals-response.json", requested);
    QCOMPARE(requested["outcome"].get<std::string>(), std::string("proposed"));
    QVERIFY(!requested["products"].empty());
    const json draft = requested["proposals"][0];
    QCOMPARE(draft["proposal_status"].get<std::string>(), std::string("draft"));
    QCOMPARE(draft["terms_digest"].get<std::string>(), digestOf(draft["commercial_terms"]));
    const double budget = draft["commercial_terms"]["total_budget"]["amount"].get<double>();
    QCOMPARE(budget, 60000.0);

    // Revise: a lower budget ceiling; the successor is a new snapshot naming its parent.
    const auto revised =
        refine(s, {{{"proposal_id", draft["proposal_id"]},
                    {"action", "revise"},
                    {"constraints", {{"total_budget", {{"max", 50000}, {"currency", "USD"}}}}}}});
    QVERIFY2(revised.ok(), code(revised).c_str());
    checkSchema("/schemas/media-buy/refine-proposals-response.json", revised.result);
    const json &result = revised.result["results"][0];
    QCOMPARE(result["outcome"].get<std::string>(), std::string("revised"));
    QCOMPARE(result["source_proposal_id"], draft["proposal_id"]);
    const json successor = result["proposals"][0];
    QVERIFY(successor["proposal_id"] != draft["proposal_id"]);
    QCOMPARE(successor["parent_proposal_id"], draft["proposal_id"]);
    QCOMPARE(successor["commercial_terms"]["total_budget"]["amount"].get<double>(), 50000.0);
    QVERIFY(successor["terms_digest"] != draft["terms_digest"]);
    QCOMPARE(successor["terms_digest"].get<std::string>(), digestOf(successor["commercial_terms"]));

    // Finalize the revision: committed, held, again a new id.
    const auto finalized = refine(s, {{{"proposal_id", successor["proposal_id"]}, {"action", "finalize"}}});
    QVERIFY2(finalized.ok(), code(finalized).c_str());
    checkSchema("/schemas/media-buy/refine-proposals-response.json", finalized.result);
    const json committed = finalized.result["results"][0]["proposal"];
    QCOMPARE(finalized.result["results"][0]["outcome"].get<std::string>(), std::string("finalized"));
    QCOMPARE(committed["proposal_status"].get<std::string>(), std::string("committed"));
    QCOMPARE(committed["parent_proposal_id"], successor["proposal_id"]);
    QVERIFY(committed["proposal_id"] != successor["proposal_id"]);

    // The committed snapshot survives a restart.
    s.restart();
    const auto before = s.allRows();
    const json fixedKey = {{"idempotency_key", "test-key-accept-flow-0001"}};
    const auto accepted = accept(s, committed, fixedKey);
    QVERIFY2(accepted.ok(), code(accepted).c_str());
    checkSchema("/schemas/media-buy/accept-proposal-response.json", accepted.result);
    const json &r = accepted.result;
    QCOMPARE(r["status"].get<std::string>(), std::string("completed"));
    QCOMPARE(r["accepted_proposal"]["proposal_status"].get<std::string>(), std::string("accepted"));
    QCOMPARE(r["accepted_proposal"]["terms_digest"], committed["terms_digest"]);
    const std::string mediaBuyId = r["media_buy_id"].get<std::string>();
    QCOMPARE(r["accepted_proposal"]["media_buy_id"].get<std::string>(), mediaBuyId);
    const auto &purchases = committed["commercial_terms"]["purchases"];
    QCOMPARE(r["purchase_bindings"].size(), purchases.size());
    for (size_t i = 0; i < purchases.size(); ++i) {
        QCOMPARE(r["purchase_bindings"][i]["purchase_index"].get<size_t>(), i);
        QCOMPARE(r["purchase_bindings"][i]["product_id"], purchases[i]["product_id"]);
    }
    QCOMPARE(s.rows(QStringLiteral("media_buys")), before.at(QStringLiteral("media_buys")) + 1);

    // The buy is the proposal's, with one package per purchase and the proposal's budget.
    const json buy = s.mediaBuy(mediaBuyId);
    QCOMPARE(buy["packages"].size(), purchases.size());
    double total = 0;
    for (const auto &p : buy["packages"])
        total += p["budget"].get<double>();
    QCOMPARE(total, 50000.0);

    // Execution runs the order: every package reaches its ad server.
    for (size_t i = 0; i < purchases.size(); ++i) {
        const std::string packageId = r["purchase_bindings"][i]["package_id"].get<std::string>();
        QTRY_VERIFY_WITH_TIMEOUT(
            !s.execution->adapter("exchange")->orderState(mediaBuyId, packageId).empty() ||
                !s.execution->adapter("guaranteed")->orderState(mediaBuyId, packageId).empty(),
            20000);
    }

    // An exact retry replays the success; under a new key the proposal cannot be accepted twice.
    const auto replay = accept(s, committed, fixedKey);
    QVERIFY2(replay.ok(), code(replay).c_str());
    QVERIFY(replay.result.value("replayed", false));
    QCOMPARE(replay.result["media_buy_id"].get<std::string>(), mediaBuyId);
    const auto twice = accept(s, committed);
    QCOMPARE(code(twice), std::string("INVALID_STATE"));
    QCOMPARE(twice.error->field.value_or(""), std::string("proposal_id"));
    QCOMPARE(s.rows(QStringLiteral("media_buys")), before.at(QStringLiteral("media_buys")) + 1);
}

void TestSellerCompact::briefNothingMatchesIsRejected()
{
    ExecSeller s;
    const auto before = s.allRows();
    const json r = requestProposals(s, "zzqx wibble frobnicate");
    checkSchema("/schemas/media-buy/request-proposals-response.json", r);
    QCOMPARE(r["outcome"].get<std::string>(), std::string("rejected"));
    QVERIFY(!r["reason"].get<std::string>().empty());
    QVERIFY(!r.contains("proposals"));
    QCOMPARE(s.rows(QStringLiteral("proposals")), before.at(QStringLiteral("proposals")));
}

void TestSellerCompact::acceptRefusals_data()
{
    QTest::addColumn<QString>("situation");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("field");
    QTest::newRow("draft") << "draft"
                           << "PROPOSAL_NOT_COMMITTED"
                           << "proposal_id";
    QTest::newRow("unknown") << "unknown"
                             << "PROPOSAL_NOT_FOUND"
                             << "proposal_id";
    QTest::newRow("another account's") << "foreign"
                                       << "PROPOSAL_NOT_FOUND"
                                       << "proposal_id";
    QTest::newRow("hold ended") << "expired"
                                << "PROPOSAL_EXPIRED"
                                << "proposal_id";
    QTest::newRow("declined") << "declined"
                              << "INVALID_STATE"
                              << "proposal_id";
    QTest::newRow("already executed") << "executed"
                                      << "INVALID_STATE"
                                      << "proposal_id";
    QTest::newRow("insertion order unsigned") << "io"
                                              << "IO_REQUIRED"
                                              << "io_acceptance";
    QTest::newRow("digest of other terms") << "digest"
                                           << "INVALID_REQUEST"
                                           << "proposal_terms_digest";
}

void TestSellerCompact::acceptRefusals()
{
    QFETCH(QString, situation);
    QFETCH(QString, code);
    QFETCH(QString, field);
    const std::string what = situation.toStdString();
    ExecSeller s;
    json proposal;
    if (what == "draft") {
        proposal = requestProposals(s)["proposals"][0];
    } else if (what == "unknown") {
        proposal = committedProposal(s);
        proposal["proposal_id"] = "cp_doesnotexist";
    } else if (what == "foreign") {
        const json draft = requestProposals(s, kBrief, &s.other)["proposals"][0];
        const auto o =
            s.call(s.other, "refine_proposals",
                   {{"idempotency_key", s.key()},
                    {"refinements", {{{"proposal_id", draft["proposal_id"]}, {"action", "finalize"}}}}});
        QVERIFY(o.ok());
        proposal = o.result["results"][0]["proposal"];
    } else if (what == "expired") {
        proposal = committedProposal(s);
        s.context->clock().advance(s.options.holdSeconds + 60);
    } else if (what == "declined") {
        proposal = committedProposal(s);
        QVERIFY(s.call("decline_proposals",
                       {{"idempotency_key", s.key()},
                        {"declines", {{{"proposal_id", proposal["proposal_id"]}, {"reason", "price"}}}}})
                    .ok());
    } else if (what == "executed") {
        proposal = committedProposal(s);
        QVERIFY(accept(s, proposal).ok());
    } else if (what == "io") {
        proposal = committedProposal(s, "premium CTV primetime and homepage takeover for a national launch");
        QVERIFY(proposal.contains("insertion_order"));
    } else if (what == "digest") {
        proposal = committedProposal(s);
        json other = proposal["commercial_terms"];
        other["total_budget"]["amount"] = other["total_budget"]["amount"].get<double>() + 1000;
        proposal["terms_digest"] = digestOf(other);
    }
    const auto before = s.allRows();
    const auto o = accept(s, proposal, json::object(), what != "io");
    QCOMPARE(QString::fromStdString(::code(o)), code);
    QCOMPARE(QString::fromStdString(o.error->field.value_or("")), field);
    QCOMPARE(std::string(adcp::toString(o.error->recovery)), std::string("correctable"));
    QVERIFY(o.error->suggestion && !o.error->suggestion->empty());
    QVERIFY(s.allRows() == before); // nothing written, the idempotency key released
}

void TestSellerCompact::refineRefusals_data()
{
    QTest::addColumn<QString>("situation");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("field");
    QTest::newRow("unknown proposal") << "unknown"
                                      << "PROPOSAL_NOT_FOUND"
                                      << "refinements[1].proposal_id";
    QTest::newRow("finalize a committed proposal") << "committed"
                                                   << "INVALID_STATE"
                                                   << "refinements[0].proposal_id";
    QTest::newRow("re-finalize while held") << "held"
                                            << "INVALID_STATE"
                                            << "refinements[0].proposal_id";
    QTest::newRow("finalize mixed with revise") << "mixed"
                                                << "INVALID_REQUEST"
                                                << "refinements[1].action";
    QTest::newRow("stale draft") << "stale"
                                 << "PROPOSAL_EXPIRED"
                                 << "refinements[0].proposal_id";
    QTest::newRow("declined") << "declined"
                              << "INVALID_STATE"
                              << "refinements[0].proposal_id";
}

void TestSellerCompact::refineRefusals()
{
    QFETCH(QString, situation);
    QFETCH(QString, code);
    QFETCH(QString, field);
    const std::string what = situation.toStdString();
    ExecSeller s;
    const json drafts = requestProposals(s)["proposals"];
    QVERIFY(drafts.size() >= 2);
    json entries;
    if (what == "unknown") {
        entries = {{{"proposal_id", drafts[0]["proposal_id"]}, {"action", "finalize"}},
                   {{"proposal_id", "cp_doesnotexist"}, {"action", "finalize"}}};
    } else if (what == "committed") {
        const auto o = refine(s, {{{"proposal_id", drafts[0]["proposal_id"]}, {"action", "finalize"}}});
        entries = {
            {{"proposal_id", o.result["results"][0]["proposal"]["proposal_id"]}, {"action", "finalize"}}};
    } else if (what == "held") {
        QVERIFY(refine(s, {{{"proposal_id", drafts[0]["proposal_id"]}, {"action", "finalize"}}}).ok());
        entries = {{{"proposal_id", drafts[0]["proposal_id"]}, {"action", "finalize"}},
                   {{"proposal_id", drafts[1]["proposal_id"]}, {"action", "finalize"}}};
    } else if (what == "mixed") {
        entries = {{{"proposal_id", drafts[0]["proposal_id"]}, {"action", "finalize"}},
                   {{"proposal_id", drafts[1]["proposal_id"]}, {"action", "revise"}, {"ask", "drop video"}}};
    } else if (what == "stale") {
        s.context->clock().advance(s.options.draftLifetimeSeconds + 60);
        entries = {{{"proposal_id", drafts[0]["proposal_id"]}, {"action", "finalize"}}};
    } else if (what == "declined") {
        QVERIFY(s.call("decline_proposals",
                       {{"idempotency_key", s.key()},
                        {"declines", {{{"proposal_id", drafts[0]["proposal_id"]}, {"reason", "timing"}}}}})
                    .ok());
        entries = {
            {{"proposal_id", drafts[0]["proposal_id"]}, {"action", "revise"}, {"ask", "budget $40,000"}}};
    }
    const auto before = s.allRows();
    const auto o = refine(s, entries);
    QCOMPARE(QString::fromStdString(::code(o)), code);
    QCOMPARE(QString::fromStdString(o.error->field.value_or("")), field);
    QCOMPARE(std::string(adcp::toString(o.error->recovery)), std::string("correctable"));
    // All or none: the valid entries of a refused finalize are not committed either.
    QVERIFY(s.allRows() == before);
}

void TestSellerCompact::unsatisfiableConstraintIsUnable()
{
    ExecSeller s;
    const json draft = requestProposals(s)["proposals"][0];
    const auto before = s.allRows();
    const auto o = refine(s, {{{"proposal_id", draft["proposal_id"]},
                               {"action", "revise"},
                               {"constraints", {{"cpm", {{"max", 0.5}, {"currency", "USD"}}}}}}});
    QVERIFY2(o.ok(), code(o).c_str());
    checkSchema("/schemas/media-buy/refine-proposals-response.json", o.result);
    const json &r = o.result["results"][0];
    QCOMPARE(r["outcome"].get<std::string>(), std::string("unable"));
    QCOMPARE(r["reason_code"].get<std::string>(), std::string("constraint_unsatisfiable"));
    QVERIFY(r["unsatisfied_constraints"] == json({"cpm"}));
    QCOMPARE(s.rows(QStringLiteral("proposals")), before.at(QStringLiteral("proposals")));
}

void TestSellerCompact::declineIsIdempotentAndKeepsTheFirstReason()
{
    ExecSeller s;
    const json drafts = requestProposals(s)["proposals"];
    const json executed = committedProposal(s);
    QVERIFY(accept(s, executed).ok());
    const auto first = s.call(
        "decline_proposals",
        {{"idempotency_key", s.key()},
         {"declines",
          {{{"proposal_id", drafts[0]["proposal_id"]}, {"reason", "price"}},
           {{"proposal_id", "cp_unknown"}, {"reason", "timing"}},
           {{"proposal_id", executed["proposal_id"]}, {"reason", "other"}, {"detail", "changed plans"}},
           {{"proposal_id", drafts[1]["proposal_id"]}, {"reason", "other"}, {"detail", "went with TV"}}}}});
    QVERIFY2(first.ok(), code(first).c_str());
    checkSchema("/schemas/media-buy/decline-proposals-response.json", first.result);
    const json &results = first.result["results"];
    QCOMPARE(results.size(), size_t(4));
    const std::vector<std::string> outcomes = {"declined", "unable", "unable", "declined"};
    for (size_t i = 0; i < outcomes.size(); ++i) {
        QCOMPARE(results[i]["outcome"].get<std::string>(), outcomes[i]);
        QCOMPARE(results[i]["proposal_id"], first.result["results"][i]["proposal_id"]);
    }
    QVERIFY(results[2]["reason"].get<std::string>().find("media buy") != std::string::npos);

    // A repeat under a new key is acknowledged again; the first reason stays.
    const auto again =
        s.call("decline_proposals",
               {{"idempotency_key", s.key()},
                {"declines", {{{"proposal_id", drafts[0]["proposal_id"]}, {"reason", "timing"}}}}});
    QVERIFY(again.ok());
    checkSchema("/schemas/media-buy/decline-proposals-response.json", again.result);
    QCOMPARE(again.result["results"][0]["outcome"].get<std::string>(), std::string("declined"));
    QSqlDatabase db = s.context->database();
    QString error;
    const auto stored = adcp::seller::ProposalStore::find(
        db, s.buyer.id, drafts[0]["proposal_id"].get<std::string>(), &error);
    QVERIFY(stored);
    QCOMPARE(stored->declineReason.value_or(""), std::string("price"));

    // reason other without detail is refused by the schema with the member named.
    const auto missing =
        s.call("decline_proposals",
               {{"idempotency_key", s.key()},
                {"declines", {{{"proposal_id", drafts[1]["proposal_id"]}, {"reason", "other"}}}}});
    QCOMPARE(code(missing), std::string("INVALID_REQUEST"));
}

// compact_product_lifecycle_probe: prepare checks a product and changes nothing; expire_proposal makes a
// committed proposal's hold lapse now, after which accept_proposal refuses it as expired. Requests and
// answers against the official controller schemas; refusals in the controller's own error shape.
void TestSellerCompact::productLifecycleProbe()
{
    ExecSeller s;
    const auto probe = [&](const json &params, bool validRequest = true) {
        const json args = {{"scenario", "compact_product_lifecycle_probe"},
                           {"params", params},
                           {"account", {{"sandbox", true}}}};
        if (validRequest)
            checkSchema("/schemas/compliance/comply-test-controller-request.json", args);
        const auto o = s.call("comply_test_controller", args);
        checkSchema("/schemas/compliance/comply-test-controller-response.json", o.result);
        return o.result;
    };
    const auto rowsBefore = s.allRows();
    const json prepared = probe({{"operation", "prepare"}, {"product_id", "podcast_host_read"}});
    QCOMPARE(prepared["success"], json(true));
    QCOMPARE(prepared["simulated"]["operation"], json("prepare"));
    const json tools = prepared["simulated"]["synchronous_tools"];
    QVERIFY(std::find(tools.begin(), tools.end(), json("accept_proposal")) != tools.end());
    QCOMPARE(probe({{"operation", "prepare"}, {"product_id", "nope"}})["error"], json("NOT_FOUND"));
    QVERIFY(s.allRows() == rowsBefore); // preparing changes nothing

    const json proposal = committedProposal(s);
    const std::string id = proposal["proposal_id"].get<std::string>();
    const json lapsed = probe({{"operation", "expire_proposal"}, {"proposal_id", id}});
    QCOMPARE(lapsed["success"], json(true));
    QCOMPARE(lapsed["simulated"]["proposal_status"], json("expired"));
    QCOMPARE(lapsed["simulated"]["hold_deadline_was"], proposal["expires_at"]);
    QVERIFY(lapsed["simulated"]["expires_at"].get<std::string>() < proposal["expires_at"].get<std::string>());
    const auto refused = accept(s, proposal);
    QCOMPARE(QString::fromStdString(::code(refused)), QStringLiteral("PROPOSAL_EXPIRED"));

    // Refusals: already lapsed, a draft, an unknown id, a malformed request; each changes nothing.
    const auto before = s.allRows();
    QCOMPARE(probe({{"operation", "expire_proposal"}, {"proposal_id", id}})["error"], json("INVALID_STATE"));
    const json draft = requestProposals(s)["proposals"][0];
    const auto afterDraft = s.allRows();
    QCOMPARE(probe({{"operation", "expire_proposal"}, {"proposal_id", draft["proposal_id"]}})["error"],
             json("INVALID_STATE"));
    QCOMPARE(probe({{"operation", "expire_proposal"}, {"proposal_id", "cp_doesnotexist"}})["error"],
             json("NOT_FOUND"));
    QCOMPARE(
        probe({{"operation", "expire_proposal"}, {"proposal_id", id}, {"product_id", "podcast_host_read"}},
              false)["error"],
        json("INVALID_PARAMS"));
    QCOMPARE(probe({{"operation", "rewind"}}, false)["error"], json("INVALID_PARAMS"));
    QVERIFY(s.allRows() == afterDraft);
    QVERIFY(before != afterDraft); // the draft request itself wrote
}

QTEST_GUILESS_MAIN(TestSellerCompact)
#include "tst_seller_compact.moc"
