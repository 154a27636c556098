// sync_audiences, sync_event_sources and log_event against a real seller on a fresh database: what each
// stores, what it answers (checked against the official AdCP schemas, requests and answers, success and every
// error), how a synced audience or event source becomes what a buy depends on, and that bad input is refused
// with a field and changes nothing.

#include "datasync/audiences.h"
#include "execfixture.h"
#include "officialcall.h"
#include "officialschemas.h"
#include "tasks/taskcontext.h"

#include <QCryptographicHash>
#include <QtTest>

#include <algorithm>

using exectest::ExecSeller;
using nlohmann::json;

namespace {

std::string sha256(const std::string &text)
{
    return QCryptographicHash::hash(QByteArray::fromStdString(text), QCryptographicHash::Sha256)
        .toHex()
        .toStdString();
}

// `count` members user<first>..: a hashed email each, and every third a hashed phone too.
json members(int first, int count)
{
    json out = json::array();
    for (int i = first; i < first + count; ++i) {
        json m = {{"external_id", "crm-" + std::to_string(i)},
                  {"hashed_email", sha256("user" + std::to_string(i) + "@example.com")}};
        if (i % 3 == 0)
            m["hashed_phone"] = sha256("+1206555" + std::to_string(1000 + i));
        out.push_back(std::move(m));
    }
    return out;
}

// How many of `list` the seller's matching must report matched (any identifier matching).
int expectedMatched(const json &list)
{
    int n = 0;
    for (const auto &m : list) {
        bool hit = adcp::seller::audiences::identifierMatches("hashed_email", m["hashed_email"]);
        if (m.contains("hashed_phone"))
            hit = hit || adcp::seller::audiences::identifierMatches("hashed_phone", m["hashed_phone"]);
        n += hit ? 1 : 0;
    }
    return n;
}

const json kAccount = {{"account_id", "acc-1"}};

} // namespace

class TestSellerDataSync : public QObject
{
    Q_OBJECT

private:
    // Calls a tool with the request and the answer both checked against the official schemas (a refused
    // request is checked only when `requestValid`).
    adcp::ToolOutcome call(ExecSeller &s, const std::string &tool, const json &args, bool requestValid = true,
                           const adcp::seller::Principal *who = nullptr);

private Q_SLOTS:
    void initTestCase();
    void audienceLifecycle();
    void tooSmallAudienceCannotBeTargeted();
    void audienceIsWhatTheBuyDependsOn();
    void badAudienceInputChangesNothing();
    void audiencesAreThePrincipalsOwn();
    void eventSourcesAndLogEvent();
    void eventSourceHealthImpairsAndRestores();
    void largeEventBatch();
    void dataSurvivesRestart();
    void performanceFeedback();
};

void TestSellerDataSync::initTestCase()
{
    if (!adcp::testsupport::officialSchemasAbsent()) {
        QString error;
        QVERIFY2(adcp::testsupport::officialSchemas(&error), qPrintable(error));
    }
}

adcp::ToolOutcome TestSellerDataSync::call(ExecSeller &s, const std::string &tool, const json &args,
                                           bool requestValid, const adcp::seller::Principal *who)
{
    return exectest::officialCall(s, tool, args, requestValid, who);
}

void TestSellerDataSync::audienceLifecycle()
{
    ExecSeller s;
    // Discovery on an empty account: no audiences, nothing written.
    auto listed = call(s, "sync_audiences", {{"idempotency_key", s.key()}, {"account", kAccount}});
    QVERIFY(listed.ok());
    QCOMPARE(listed.result["audiences"].size(), size_t(0));

    const json first = members(0, 400);
    auto created = call(s, "sync_audiences",
                        {{"idempotency_key", s.key()},
                         {"account", kAccount},
                         {"audiences",
                          {{{"audience_id", "loyal-buyers"},
                            {"name", "Loyal buyers"},
                            {"audience_type", "crm"},
                            {"tags", {"high_ltv"}},
                            {"consent_basis", "consent"},
                            {"add", first}}}}});
    QVERIFY(created.ok());
    json a = created.result["audiences"][0];
    QCOMPARE(a["action"].get<std::string>(), std::string("created"));
    QCOMPARE(a["uploaded_count"].get<int>(), 400);
    QCOMPARE(a["total_uploaded_count"].get<int>(), 400);
    const int matched = expectedMatched(first);
    QVERIFY2(matched >= adcp::seller::audiences::kMinimumSize, "the sample must clear the minimum");
    QCOMPARE(a["matched_count"].get<int>(), matched);
    QCOMPARE(a["status"].get<std::string>(), std::string("ready"));
    QCOMPARE(a["effective_match_rate"].get<double>(), matched / 400.0);
    // The breakdown counts identifiers by type: 400 emails, 134 phones (every third member).
    std::map<std::string, int> submitted;
    for (const auto &b : a["match_breakdown"])
        submitted[b["id_type"]] = b["submitted"];
    QCOMPARE(submitted["hashed_email"], 400);
    QCOMPARE(submitted["hashed_phone"], 134);
    QVERIFY(a["seller_id"].get<std::string>().rfind("aud_", 0) == 0);

    // Remove wins over add for the same member; the total uploaded counts what was added.
    const json more = members(400, 10);
    auto updated = call(
        s, "sync_audiences",
        {{"idempotency_key", s.key()},
         {"account", kAccount},
         {"audiences",
          {{{"audience_id", "loyal-buyers"}, {"add", more}, {"remove", {first[0], first[1], more[0]}}}}}});
    QVERIFY(updated.ok());
    a = updated.result["audiences"][0];
    QCOMPARE(a["action"].get<std::string>(), std::string("updated"));
    QCOMPARE(a["uploaded_count"].get<int>(), 9);
    QCOMPARE(a["total_uploaded_count"].get<int>(), 409);
    json current = json::array();
    for (size_t i = 2; i < first.size(); ++i)
        current.push_back(first[i]);
    for (size_t i = 1; i < more.size(); ++i)
        current.push_back(more[i]);
    QCOMPARE(a["matched_count"].get<int>(), expectedMatched(current));
    QCOMPARE(a["name"].get<std::string>(), std::string("Loyal buyers")); // kept when not sent

    // Nothing new: unchanged. Discovery lists it with the same counts and uploaded_count 0.
    auto same = call(s, "sync_audiences",
                     {{"idempotency_key", s.key()},
                      {"account", kAccount},
                      {"audiences", {{{"audience_id", "loyal-buyers"}, {"name", "Loyal buyers"}}}}});
    QCOMPARE(same.result["audiences"][0]["action"].get<std::string>(), std::string("unchanged"));
    listed = call(s, "sync_audiences", {{"idempotency_key", s.key()}, {"account", kAccount}});
    QCOMPARE(listed.result["audiences"].size(), size_t(1));
    QCOMPARE(listed.result["audiences"][0]["uploaded_count"].get<int>(), 0);
    QCOMPARE(listed.result["audiences"][0]["matched_count"].get<int>(), expectedMatched(current));

    // A replay answers the first answer again and changes nothing.
    const json again = {
        {"idempotency_key", "replay-key-0123456789"},
        {"account", kAccount},
        {"audiences",
         {{{"audience_id", "suppress"}, {"audience_type", "suppression"}, {"add", members(1000, 3)}}}}};
    auto once = call(s, "sync_audiences", again);
    auto twice = call(s, "sync_audiences", again);
    QVERIFY(twice.result.value("replayed", false));
    QCOMPARE(twice.result["audiences"], once.result["audiences"]);
    // A suppression list is ready at any size.
    QCOMPARE(once.result["audiences"][0]["status"].get<std::string>(), std::string("ready"));

    // Per-audience failures beside a success: a duplicate in the request, deleting an unknown audience.
    auto mixed = call(s, "sync_audiences",
                      {{"idempotency_key", s.key()},
                       {"account", kAccount},
                       {"audiences",
                        {{{"audience_id", "suppress"}, {"delete", true}},
                         {{"audience_id", "suppress"}, {"name", "again"}},
                         {{"audience_id", "never-synced"}, {"delete", true}}}}});
    QVERIFY(mixed.ok());
    const json &r = mixed.result["audiences"];
    QCOMPARE(r[0]["action"].get<std::string>(), std::string("deleted"));
    QCOMPARE(r[1]["action"].get<std::string>(), std::string("failed"));
    QCOMPARE(r[1]["errors"][0]["field"].get<std::string>(), std::string("audiences[1].audience_id"));
    QCOMPARE(r[2]["errors"][0]["code"].get<std::string>(), std::string("REFERENCE_NOT_FOUND"));
    QCOMPARE(s.rows(QStringLiteral("data_audience_members WHERE audience_id = 'suppress'")), 0);

    // delete_missing removes the account's other buyer-managed audiences.
    call(s, "sync_audiences",
         {{"idempotency_key", s.key()},
          {"account", kAccount},
          {"audiences", {{{"audience_id", "other"}, {"add", members(2000, 5)}}}}});
    auto replaced = call(s, "sync_audiences",
                         {{"idempotency_key", s.key()},
                          {"account", kAccount},
                          {"delete_missing", true},
                          {"audiences", {{{"audience_id", "other"}}}}});
    QCOMPARE(replaced.result["audiences"].size(), size_t(2));
    QCOMPARE(replaced.result["audiences"][1]["audience_id"].get<std::string>(), std::string("loyal-buyers"));
    QCOMPARE(replaced.result["audiences"][1]["action"].get<std::string>(), std::string("deleted"));
}

void TestSellerDataSync::tooSmallAudienceCannotBeTargeted()
{
    ExecSeller s;
    auto created = call(s, "sync_audiences",
                        {{"idempotency_key", s.key()},
                         {"account", kAccount},
                         {"audiences", {{{"audience_id", "tiny"}, {"add", members(0, 20)}}}}});
    const json a = created.result["audiences"][0];
    QCOMPARE(a["status"].get<std::string>(), std::string("too_small"));
    QCOMPARE(a["minimum_size"].get<int>(), adcp::seller::audiences::kMinimumSize);

    const auto before = s.allRows();
    json args = s.packageBuy();
    args["packages"][1]["targeting_overlay"] = {{"audience_include", {"tiny"}}};
    const auto refused = s.call("create_media_buy", args);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error->code, std::string("AUDIENCE_TOO_SMALL"));
    QCOMPARE(*refused.error->field, std::string("packages[1].targeting_overlay.audience_include[0]"));
    QCOMPARE(adcp::toString(refused.error->recovery), std::string_view("correctable"));
    QVERIFY(refused.error->message.find("tiny") != std::string::npos);
    QVERIFY(s.allRows() == before); // nothing of the buy was written

    // Grown past the minimum, the same buy goes through.
    call(s, "sync_audiences",
         {{"idempotency_key", s.key()},
          {"account", kAccount},
          {"audiences", {{{"audience_id", "tiny"}, {"add", members(20, 300)}}}}});
    args["idempotency_key"] = s.key();
    QVERIFY(s.call("create_media_buy", args).ok());
}

void TestSellerDataSync::audienceIsWhatTheBuyDependsOn()
{
    ExecSeller s;
    call(s, "sync_audiences",
         {{"idempotency_key", s.key()},
          {"account", kAccount},
          {"audiences", {{{"audience_id", "loyal"}, {"add", members(0, 300)}}}}});
    json extra = s.packageBuy();
    const json packages = [&] {
        json p = extra["packages"];
        p[1]["targeting_overlay"] = {{"audience_include", {"loyal"}}};
        return p;
    }();
    const json buy = s.activeBuy({{"packages", packages}});
    const std::string id = buy["media_buy_id"];
    QTRY_COMPARE(s.status(id), std::string("active"));
    QCOMPARE(s.mediaBuy(id)["health"].get<std::string>(), std::string("ok"));

    // The seller suspends the audience: the buy's targeting package is impaired.
    s.control("force_audience_status", {{"audience_id", "loyal"}, {"status", "suspended"}});
    json b = s.mediaBuy(id);
    QCOMPARE(b["health"].get<std::string>(), std::string("impaired"));
    QCOMPARE(b["impairments"].size(), size_t(1));
    QCOMPARE(b["impairments"][0]["resource_type"].get<std::string>(), std::string("audience"));
    QCOMPARE(b["impairments"][0]["resource_id"].get<std::string>(), std::string("loyal"));
    QCOMPARE(b["impairments"][0]["package_ids"], json::array({exectest::packageId(buy, 1)}));
    // sync_audiences reports the suspension; a re-sync does not lift it.
    auto resynced = call(s, "sync_audiences",
                         {{"idempotency_key", s.key()},
                          {"account", kAccount},
                          {"audiences", {{{"audience_id", "loyal"}, {"add", members(300, 5)}}}}});
    QCOMPARE(resynced.result["audiences"][0]["status"].get<std::string>(), std::string("suspended"));
    // A targeted audience cannot be deleted from under the buy.
    auto kept = call(s, "sync_audiences",
                     {{"idempotency_key", s.key()},
                      {"account", kAccount},
                      {"audiences", {{{"audience_id", "loyal"}, {"delete", true}}}}});
    QCOMPARE(kept.result["audiences"][0]["errors"][0]["code"].get<std::string>(),
             std::string("INVALID_STATE"));

    // Restored: healthy again.
    s.control("force_audience_status", {{"audience_id", "loyal"}, {"status", "ready"}});
    b = s.mediaBuy(id);
    QCOMPARE(b["health"].get<std::string>(), std::string("ok"));
    QCOMPARE(b["impairments"].size(), size_t(0));

    // update_media_buy moves the dependency with the targeting: off this audience, then onto a too-small one
    // (refused, nothing changed).
    call(s, "sync_audiences",
         {{"idempotency_key", s.key()},
          {"account", kAccount},
          {"audiences", {{{"audience_id", "small"}, {"add", members(5000, 10)}}}}});
    const auto refused =
        s.call("update_media_buy", {{"idempotency_key", s.key()},
                                    {"account", kAccount},
                                    {"media_buy_id", id},
                                    {"packages",
                                     {{{"package_id", exectest::packageId(buy, 1)},
                                       {"targeting_overlay", {{"audience_include", {"small"}}}}}}}});
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error->code, std::string("AUDIENCE_TOO_SMALL"));
    QCOMPARE(*refused.error->field, std::string("packages[0].targeting_overlay.audience_include[0]"));
    QVERIFY(s.call("update_media_buy", {{"idempotency_key", s.key()},
                                        {"account", kAccount},
                                        {"media_buy_id", id},
                                        {"packages",
                                         {{{"package_id", exectest::packageId(buy, 1)},
                                           {"targeting_overlay", {{"audience_include", json::array()}}}}}}})
                .ok());
    s.control("force_audience_status", {{"audience_id", "loyal"}, {"status", "suspended"}});
    QCOMPARE(s.mediaBuy(id)["health"].get<std::string>(), std::string("ok"));
}

void TestSellerDataSync::badAudienceInputChangesNothing()
{
    ExecSeller s;
    const auto before = s.rows(QStringLiteral("mon_resources"));
    struct Case
    {
        const char *why;
        json args;
        const char *field; // a prefix of the error's field
    };
    const std::vector<Case> cases = {
        {"no account", {{"idempotency_key", s.key()}, {"audiences", {{{"audience_id", "x"}}}}}, ""},
        {"member without an identifier",
         {{"idempotency_key", s.key()},
          {"account", kAccount},
          {"audiences", {{{"audience_id", "x"}, {"add", {{{"external_id", "1"}}}}}}}},
         "audiences[0].add[0]"},
        {"email not a SHA-256",
         {{"idempotency_key", s.key()},
          {"account", kAccount},
          {"audiences",
           {{{"audience_id", "x"}, {"add", {{{"external_id", "1"}, {"hashed_email", "a@b.c"}}}}}}}},
         "audiences[0].add[0]"},
        {"delete_missing without audiences",
         {{"idempotency_key", s.key()}, {"account", kAccount}, {"delete_missing", true}},
         ""},
        {"audiences not an array",
         {{"idempotency_key", s.key()}, {"account", kAccount}, {"audiences", "all"}},
         "audiences"},
    };
    for (const auto &c : cases) {
        const auto outcome = call(s, "sync_audiences", c.args, false);
        QVERIFY2(!outcome.ok(), c.why);
        QCOMPARE(outcome.error->code, std::string("INVALID_REQUEST"));
        QVERIFY2(outcome.error->field && outcome.error->field->rfind(c.field, 0) == 0,
                 (std::string(c.why) + ": field " + outcome.error->field.value_or("none")).c_str());
    }
    QCOMPARE(s.rows(QStringLiteral("mon_resources")), before);
    QCOMPARE(s.rows(QStringLiteral("data_audience_members")), 0);
}

void TestSellerDataSync::audiencesAreThePrincipalsOwn()
{
    ExecSeller s;
    call(s, "sync_audiences",
         {{"idempotency_key", s.key()},
          {"account", kAccount},
          {"audiences", {{{"audience_id", "mine"}, {"add", members(0, 5)}}}}});
    // Another principal sees nothing, and its own audience of the same id is its own.
    auto theirs =
        call(s, "sync_audiences", {{"idempotency_key", s.key()}, {"account", kAccount}}, true, &s.other);
    QCOMPARE(theirs.result["audiences"].size(), size_t(0));
    auto own = call(s, "sync_audiences",
                    {{"idempotency_key", s.key()},
                     {"account", kAccount},
                     {"audiences", {{{"audience_id", "mine"}, {"add", members(100, 2)}}}}},
                    true, &s.other);
    QCOMPARE(own.result["audiences"][0]["action"].get<std::string>(), std::string("created"));
    QCOMPARE(own.result["audiences"][0]["total_uploaded_count"].get<int>(), 2);
    // The log_event answer for another principal's source is the answer for an unknown one.
    call(s, "sync_event_sources",
         {{"idempotency_key", s.key()},
          {"account", kAccount},
          {"event_sources", {{{"event_source_id", "web"}, {"event_types", {"purchase"}}}}}});
    const json event = {{"event_id", "e1"},
                        {"event_type", "purchase"},
                        {"event_time", adcp::seller::isoTime(s.context->clock().now()).toStdString()}};
    auto otherLog =
        call(s, "log_event", {{"idempotency_key", s.key()}, {"event_source_id", "web"}, {"events", {event}}},
             true, &s.other);
    auto unknownLog =
        call(s, "log_event", {{"idempotency_key", s.key()}, {"event_source_id", "nope"}, {"events", {event}}},
             true, &s.other);
    QVERIFY(!otherLog.ok());
    QCOMPARE(otherLog.error->code, std::string("REFERENCE_NOT_FOUND"));
    QCOMPARE(otherLog.error->message, unknownLog.error->message);
    QCOMPARE(*otherLog.error->field, *unknownLog.error->field);
}

void TestSellerDataSync::eventSourcesAndLogEvent()
{
    ExecSeller s;
    // Discovery: the seller's own source is always there.
    auto listed = call(s, "sync_event_sources", {{"idempotency_key", s.key()}, {"account", kAccount}});
    QVERIFY(listed.ok());
    QCOMPARE(listed.result["event_sources"].size(), size_t(1));
    QCOMPARE(listed.result["event_sources"][0]["managed_by"].get<std::string>(), std::string("seller"));

    auto created = call(s, "sync_event_sources",
                        {{"idempotency_key", s.key()},
                         {"account", kAccount},
                         {"event_sources",
                          {{{"event_source_id", "web-pixel"},
                            {"name", "Web pixel"},
                            {"event_types", {"purchase", "add_to_cart"}},
                            {"value_currencies", {"USD"}},
                            {"action_source", "website"}},
                           {{"event_source_id", "seller_in_store_purchases"}, {"name", "mine now"}}}}});
    QVERIFY(created.ok());
    const json &r = created.result["event_sources"];
    QCOMPARE(r.size(), size_t(2));
    QCOMPARE(r[0]["action"].get<std::string>(), std::string("created"));
    QCOMPARE(r[0]["health"]["status"].get<std::string>(), std::string("minimum"));
    QCOMPARE(r[1]["action"].get<std::string>(), std::string("failed")); // the seller's own cannot be changed
    QCOMPARE(r[1]["errors"][0]["field"].get<std::string>(), std::string("event_sources[1].event_source_id"));

    const QDateTime now = s.context->clock().now();
    const auto at = [&](qint64 secs) { return adcp::seller::isoTime(now.addSecs(secs)).toStdString(); };
    json events = json::array();
    for (int i = 0; i < 4; ++i)
        events.push_back(
            {{"event_id", "order-" + std::to_string(i)},
             {"event_type", "purchase"},
             {"event_time", at(-60 * i)},
             {"user_match", {{"hashed_email", sha256("buyer" + std::to_string(i) + "@example.com")}}},
             {"custom_data", {{"value", 20.5}, {"currency", "USD"}}}});
    events.push_back(events[0]); // a duplicate
    events.push_back({{"event_id", "late"}, {"event_type", "purchase"}, {"event_time", at(3600)}}); // future
    events.push_back({{"event_id", "lead-1"}, {"event_type", "lead"}, {"event_time", at(-5)}}); // not tracked
    auto logged = call(s, "log_event",
                       {{"idempotency_key", s.key()}, {"event_source_id", "web-pixel"}, {"events", events}});
    QVERIFY(logged.ok());
    QCOMPARE(logged.result["events_received"].get<int>(), 7);
    QCOMPARE(logged.result["events_processed"].get<int>(), 4);
    QCOMPARE(logged.result["partial_failures"].size(), size_t(2));
    QCOMPARE(logged.result["partial_failures"][0]["event_id"].get<std::string>(), std::string("late"));
    QCOMPARE(logged.result["partial_failures"][1]["event_id"].get<std::string>(), std::string("lead-1"));
    QVERIFY(logged.result["warnings"][0].get<std::string>().find("1 event") == 0);
    QCOMPARE(s.rows(QStringLiteral("data_events")), 4);

    // The same events again, under a new key: all duplicates, nothing stored twice.
    auto again = call(s, "log_event",
                      {{"idempotency_key", s.key()}, {"event_source_id", "web-pixel"}, {"events", events}});
    QCOMPARE(again.result["events_processed"].get<int>(), 0);
    QCOMPARE(s.rows(QStringLiteral("data_events")), 4);

    // Test events are kept apart and do not count toward health.
    auto test = call(s, "log_event",
                     {{"idempotency_key", s.key()},
                      {"event_source_id", "web-pixel"},
                      {"test_event_code", "TEST123"},
                      {"events", {{{"event_id", "t1"}, {"event_type", "purchase"}, {"event_time", at(0)}}}}});
    QCOMPARE(test.result["events_processed"].get<int>(), 1);

    listed = call(s, "sync_event_sources", {{"idempotency_key", s.key()}, {"account", kAccount}});
    const json web = listed.result["event_sources"][1];
    QCOMPARE(web["event_source_id"].get<std::string>(), std::string("web-pixel"));
    QCOMPARE(web["health"]["status"].get<std::string>(), std::string("good"));
    QCOMPARE(web["health"]["events_received_24h"].get<int>(), 4);
    QCOMPARE(web["health"]["last_event_at"].get<std::string>(), at(0));

    // Whole-call refusals: unknown source, a batch over 10,000, an event without a time. Nothing kept.
    const auto bad = [&](json args, const char *code, const std::string &fieldPrefix) {
        args["idempotency_key"] = s.key();
        const auto outcome = call(s, "log_event", args, false);
        QVERIFY(!outcome.ok());
        QCOMPARE(outcome.error->code, std::string(code));
        QVERIFY2(outcome.error->field && outcome.error->field->rfind(fieldPrefix, 0) == 0,
                 outcome.error->field.value_or("none").c_str());
    };
    bad({{"event_source_id", "nope"}, {"events", {events[0]}}}, "REFERENCE_NOT_FOUND", "event_source_id");
    json tooMany = json::array();
    for (int i = 0; i < 10001; ++i)
        tooMany.push_back({{"event_id", std::string("x").append(std::to_string(i))},
                           {"event_type", "purchase"},
                           {"event_time", at(0)}});
    bad({{"event_source_id", "web-pixel"}, {"events", tooMany}}, "INVALID_REQUEST", "events");
    bad({{"event_source_id", "web-pixel"}, {"events", {{{"event_id", "y"}, {"event_type", "purchase"}}}}},
        "INVALID_REQUEST", "events[0]");
    QCOMPARE(s.rows(QStringLiteral("data_events")), 5);
}

void TestSellerDataSync::eventSourceHealthImpairsAndRestores()
{
    ExecSeller s;
    call(s, "sync_event_sources",
         {{"idempotency_key", s.key()},
          {"account", kAccount},
          {"event_sources", {{{"event_source_id", "app-sdk"}, {"event_types", {"app_install"}}}}}});
    json packages = s.packageBuy()["packages"];
    packages[1]["optimization_goals"] = {
        {{"kind", "event"},
         {"event_sources", {{{"event_source_id", "app-sdk"}, {"event_type", "app_install"}}}}}};
    const json buy = s.activeBuy({{"packages", packages}});
    const std::string id = buy["media_buy_id"];
    QCOMPARE(s.mediaBuy(id)["health"].get<std::string>(), std::string("ok"));
    s.control("force_event_source_status", {{"event_source_id", "app-sdk"}, {"status", "insufficient"}});
    json b = s.mediaBuy(id);
    QCOMPARE(b["health"].get<std::string>(), std::string("impaired"));
    QCOMPARE(b["impairments"][0]["resource_type"].get<std::string>(), std::string("event_source"));
    // Events flowing again lift it.
    call(s, "log_event",
         {{"idempotency_key", s.key()},
          {"event_source_id", "app-sdk"},
          {"events",
           {{{"event_id", "i1"},
             {"event_type", "app_install"},
             {"event_time", adcp::seller::isoTime(s.context->clock().now()).toStdString()}}}}});
    b = s.mediaBuy(id);
    QCOMPARE(b["health"].get<std::string>(), std::string("ok"));
    // delete_missing keeps a source a live buy optimizes toward.
    auto kept = call(s, "sync_event_sources",
                     {{"idempotency_key", s.key()},
                      {"account", kAccount},
                      {"delete_missing", true},
                      {"event_sources", {{{"event_source_id", "web"}}}}});
    bool refused = false;
    for (const auto &r : kept.result["event_sources"])
        refused = refused || (r["event_source_id"] == "app-sdk" && r["action"] == "failed");
    QVERIFY(refused);
}

void TestSellerDataSync::largeEventBatch()
{
    ExecSeller s;
    call(s, "sync_event_sources",
         {{"idempotency_key", s.key()},
          {"account", kAccount},
          {"event_sources", {{{"event_source_id", "crm-offline"}}}}});
    const std::string now = adcp::seller::isoTime(s.context->clock().now()).toStdString();
    json events = json::array();
    for (int i = 0; i < 10000; ++i)
        events.push_back({{"event_id", std::string("o").append(std::to_string(i))},
                          {"event_type", "purchase"},
                          {"event_time", now},
                          {"user_match", {{"hashed_email", sha256(std::to_string(i))}}}});
    auto logged =
        call(s, "log_event",
             {{"idempotency_key", s.key()}, {"event_source_id", "crm-offline"}, {"events", events}});
    QVERIFY(logged.ok());
    QCOMPARE(logged.result["events_processed"].get<int>(), 10000);
    const double quality = logged.result["match_quality"];
    QVERIFY2(quality > 0.65 && quality < 0.8, std::to_string(quality).c_str()); // ~72 % of hashed emails
    auto listed = call(s, "sync_event_sources", {{"idempotency_key", s.key()}, {"account", kAccount}});
    QCOMPARE(listed.result["event_sources"][1]["health"]["status"].get<std::string>(),
             std::string("excellent"));
}

void TestSellerDataSync::dataSurvivesRestart()
{
    ExecSeller s;
    auto created = call(s, "sync_audiences",
                        {{"idempotency_key", s.key()},
                         {"account", kAccount},
                         {"audiences", {{{"audience_id", "kept"}, {"add", members(0, 250)}}}}});
    call(s, "sync_event_sources",
         {{"idempotency_key", s.key()},
          {"account", kAccount},
          {"event_sources", {{{"event_source_id", "kept-src"}}}}});
    s.restart();
    auto listed = call(s, "sync_audiences", {{"idempotency_key", s.key()}, {"account", kAccount}});
    QCOMPARE(listed.result["audiences"][0]["matched_count"], created.result["audiences"][0]["matched_count"]);
    QCOMPARE(listed.result["audiences"][0]["status"], created.result["audiences"][0]["status"]);
    auto sources = call(s, "sync_event_sources", {{"idempotency_key", s.key()}, {"account", kAccount}});
    QCOMPARE(sources.result["event_sources"].size(), size_t(2));
}

void TestSellerDataSync::performanceFeedback()
{
    ExecSeller s;
    const json buy = s.createBuy();
    const std::string id = buy["media_buy_id"];
    const QDateTime now = s.context->clock().now();
    const json period = {{"start", adcp::seller::isoTime(now.addDays(-7)).toStdString()},
                         {"end", adcp::seller::isoTime(now).toStdString()}};
    const json assertion = {{"media_buy_id", id},
                            {"package_id", exectest::packageId(buy, 0)},
                            {"measurement_period", period},
                            {"performance_index", 1.18},
                            {"baseline", "campaign_target"},
                            {"metric", {{"scope", "standard"}, {"metric_id", "conversions"}}},
                            {"producer", {{"domain", "measure.example"}}},
                            {"methodology", "geo_incrementality"},
                            {"evidence",
                             {{"sample_size", 12000},
                              {"confidence_interval", {{"lower", 1.05}, {"upper", 1.31}, {"level", 0.9}}}}}};
    json args = assertion;
    args["idempotency_key"] = s.key();
    auto first = call(s, "provide_performance_feedback", args);
    QVERIFY(first.ok());
    QCOMPARE(first.result["application_status"].get<std::string>(), std::string("accepted"));
    const std::string firstId = first.result["feedback_id"];
    json shown = s.mediaBuy(id)["ext"]["workbench"]["performance_feedback"];
    QCOMPARE(shown.size(), size_t(1));
    QCOMPARE(shown[0]["performance_index"].get<double>(), 1.18);

    // A correction replaces it; the replaced one cannot be superseded twice.
    args = assertion;
    args["idempotency_key"] = s.key();
    args["performance_index"] = 1.12;
    args["final"] = true;
    args["supersedes_feedback_id"] = firstId;
    auto corrected = call(s, "provide_performance_feedback", args);
    QVERIFY(corrected.ok());
    shown = s.mediaBuy(id)["ext"]["workbench"]["performance_feedback"];
    QCOMPARE(shown.size(), size_t(1));
    QCOMPARE(shown[0]["feedback_id"], corrected.result["feedback_id"]);

    const int stored = s.rows(QStringLiteral("data_feedback"));
    std::string message; // the last refusal's message
    const auto refused = [&](json change, const char *code, const char *field, bool requestValid = true,
                             const adcp::seller::Principal *who = nullptr) {
        json a = assertion;
        a.update(change);
        a["idempotency_key"] = s.key();
        const auto outcome = call(s, "provide_performance_feedback", a, requestValid, who);
        QVERIFY(!outcome.ok());
        QCOMPARE(outcome.error->code, std::string(code));
        QCOMPARE(outcome.error->field.value_or(""), std::string(field));
        message = outcome.error->message;
    };
    refused({{"supersedes_feedback_id", firstId}}, "INVALID_STATE", "supersedes_feedback_id");
    refused({{"supersedes_feedback_id", "fb_nope"}}, "REFERENCE_NOT_FOUND", "supersedes_feedback_id");
    refused({{"package_id", "pkg_nope"}}, "PACKAGE_NOT_FOUND", "package_id");
    refused({{"measurement_period", {{"start", period["end"]}, {"end", period["start"]}}}}, "INVALID_REQUEST",
            "measurement_period.end");
    refused({{"measurement_period",
              {{"start", adcp::seller::isoTime(now.addDays(1)).toStdString()},
               {"end", adcp::seller::isoTime(now.addDays(2)).toStdString()}}}},
            "INVALID_REQUEST", "measurement_period.start");
    refused({{"performance_index", -1}}, "INVALID_REQUEST", "performance_index", false);
    // Another principal's buy answers as an unknown one.
    refused(json::object(), "MEDIA_BUY_NOT_FOUND", "media_buy_id", true, &s.other);
    const std::string foreign = message;
    refused({{"media_buy_id", "mb_nope"}}, "MEDIA_BUY_NOT_FOUND", "media_buy_id");
    QCOMPARE(foreign, message);
    QCOMPARE(s.rows(QStringLiteral("data_feedback")), stored);
}

QTEST_GUILESS_MAIN(TestSellerDataSync)
#include "tst_seller_datasync.moc"
