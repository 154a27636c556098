#include "execfixture.h"
#include "officialschemas.h"

#include "schemaregistry.h"
#include "webhooks/webhookoutbox.h"

#include <QDir>
#include <QTest>

#include <set>

using namespace exectest;

// Every answer of execution's tools, and every webhook body it sends, checked against the official AdCP
// schemas (skipped when the shared folder with them is absent).
class TestExecSchemas final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void responsesMatchTheOfficialSchemas_data();
    void responsesMatchTheOfficialSchemas();

private:
    std::shared_ptr<const adcp::SchemaRegistry> m_schemas;
};

void TestExecSchemas::initTestCase()
{
    // Only an absent shared folder leaves m_schemas empty (and the schema checks skipped); one that does not
    // load fails here.
    if (!adcp::testsupport::officialSchemasAbsent()) {
        QString error;
        m_schemas = adcp::testsupport::officialSchemas(&error);
        QVERIFY2(m_schemas, qPrintable(error));
    }
}

void TestExecSchemas::responsesMatchTheOfficialSchemas_data()
{
    QTest::addColumn<QString>("what");
    QTest::addColumn<QString>("schema");
    QTest::newRow("get_media_buys") << "get_media_buys"
                                    << "/schemas/media-buy/get-media-buys-response.json";
    QTest::newRow("update_media_buy") << "update_media_buy"
                                      << "/schemas/media-buy/update-media-buy-response.json";
    QTest::newRow("update_media_buy error") << "update_media_buy error"
                                            << "/schemas/media-buy/update-media-buy-response.json";
    QTest::newRow("get_media_buy_delivery") << "get_media_buy_delivery"
                                            << "/schemas/media-buy/get-media-buy-delivery-response.json";
    QTest::newRow("sync_creatives") << "sync_creatives"
                                    << "/schemas/creative/sync-creatives-response.json";
    QTest::newRow("list_creative_formats") << "list_creative_formats"
                                           << "/schemas/media-buy/list-creative-formats-response.json";
    QTest::newRow("get_task_status") << "get_task_status"
                                     << "/schemas/protocol/get-task-status-response.json";
    QTest::newRow("list_tasks") << "list_tasks"
                                << "/schemas/protocol/list-tasks-response.json";
    QTest::newRow("controller list") << "controller list"
                                     << "/schemas/compliance/comply-test-controller-response.json";
    QTest::newRow("controller transition") << "controller transition"
                                           << "/schemas/compliance/comply-test-controller-response.json";
    QTest::newRow("controller error") << "controller error"
                                      << "/schemas/compliance/comply-test-controller-response.json";
    QTest::newRow("controller simulation") << "controller simulation"
                                           << "/schemas/compliance/comply-test-controller-response.json";
    QTest::newRow("webhook bodies") << "webhooks"
                                    << "/schemas/core/mcp-webhook-payload.json";
}

void TestExecSchemas::responsesMatchTheOfficialSchemas()
{
    QFETCH(QString, what);
    QFETCH(QString, schema);
    if (!m_schemas)
        QSKIP("the official AdCP schemas (ADCP_SHARED_DIR) are absent");
    ExecSeller s(sendAtOnce());
    const json created = s.createBuy(
        {{"push_notification_config", {{"url", "http://127.0.0.1:9/hooks"}, {"operation_id", "op-schema"}}},
         {"reporting_webhook",
          {{"url", "http://127.0.0.1:9/reports"},
           {"authentication", {{"schemes", {"HMAC-SHA256"}}, {"credentials", std::string(40, 'k')}}},
           {"reporting_frequency", "hourly"}}}});
    const std::string id = created["media_buy_id"];
    QTRY_COMPARE_WITH_TIMEOUT(s.openJobs(), 0, 60000);
    const json synced = s.syncCreative("cr_1", created["packages"][0]["package_id"], "audio_standard_60s");
    s.syncCreative("cr_2", created["packages"][1]["package_id"], "video_standard_30s");
    s.control("advance_clock", {{"seconds", 7200}});
    s.control("force_creative_status", {{"creative_id", "cr_1"}, {"status", "suspended"}});
    const auto key = [&s] { return s.key(); };
    const json account = {{"account_id", "acc-1"}};

    std::vector<json> documents;
    if (what == QStringLiteral("get_media_buys"))
        documents.push_back(
            s.call("get_media_buys",
                   {{"media_buy_ids", {id}}, {"include_snapshot", true}, {"include_history", 10}})
                .result);
    else if (what == QStringLiteral("update_media_buy"))
        documents.push_back(s.call("update_media_buy",
                                   // The official schemas here are 3.2, where `status` is the task status.
                                   {{"idempotency_key", key()},
                                    {"account", account},
                                    {"media_buy_id", id},
                                    {"paused", true},
                                    {"adcp_version", "3.2"}})
                                .result);
    else if (what == QStringLiteral("update_media_buy error")) {
        json failed = s.call("update_media_buy", {{"idempotency_key", key()},
                                                  {"account", account},
                                                  {"media_buy_id", id},
                                                  {"revision", 77},
                                                  {"paused", true}})
                          .result;
        // The Dispatcher leaves the envelope status of a failed call to the transport; the wire says failed.
        failed["status"] = "failed";
        documents.push_back(failed);
    } else if (what == QStringLiteral("get_media_buy_delivery"))
        documents.push_back(s.call("get_media_buy_delivery", {{"media_buy_ids", {id}},
                                                              {"time_granularity", "hourly"},
                                                              {"include_window_breakdown", true},
                                                              {"include_package_daily_breakdown", true}})
                                .result);
    else if (what == QStringLiteral("sync_creatives"))
        documents.push_back(synced);
    else if (what == QStringLiteral("list_creative_formats"))
        documents.push_back(s.call("list_creative_formats", json::object()).result);
    else if (what == QStringLiteral("get_task_status") || what == QStringLiteral("list_tasks")) {
        ExecSeller m(manualApprovalOptions(sendAtOnce()));
        const std::string taskId = m.call("create_media_buy", m.packageBuy()).result["task_id"];
        if (what == QStringLiteral("list_tasks"))
            documents.push_back(m.call("list_tasks", {{"include_history", true}}).result);
        else {
            documents.push_back(
                m.call("get_task_status", {{"task_id", taskId}, {"include_history", true}}).result);
            m.control("force_task_completion", {{"task_id", taskId}, {"result", json::object()}});
            documents.push_back(
                m.call("get_task_status", {{"task_id", taskId}, {"include_result", true}}).result);
        }
    } else if (what == QStringLiteral("controller list"))
        documents.push_back(s.control("list_scenarios", json::object()));
    else if (what == QStringLiteral("controller transition"))
        documents.push_back(
            s.control("force_creative_status", {{"creative_id", "cr_2"}, {"status", "rejected"}}));
    else if (what == QStringLiteral("controller error"))
        documents.push_back(
            s.control("force_media_buy_status", {{"media_buy_id", id}, {"status", "pending_creatives"}}));
    else if (what == QStringLiteral("controller simulation"))
        documents.push_back(s.control("simulate_delivery", {{"media_buy_id", id}, {"impressions", 10}}));
    else if (what == QStringLiteral("webhooks")) {
        s.control("force_creative_status", {{"creative_id", "cr_1"}, {"status", "approved"}});
        QSqlDatabase db = s.context->database();
        // The create's completion (a task event) is queued with the buy; the others follow the execution.
        const auto types = [&db] {
            std::set<std::string> seen;
            for (const auto &row : adcp::seller::WebhookOutbox::rows(db))
                seen.insert(row.eventType);
            return seen;
        };
        QTRY_VERIFY_WITH_TIMEOUT(
            types() == std::set<std::string>({"task", "impairment", "media_buy_status", "delivery"}), 60000);
        for (const auto &row : adcp::seller::WebhookOutbox::rows(db))
            documents.push_back(row.body);
    }
    QVERIFY(!documents.empty());
    for (const auto &document : documents) {
        const auto issues = m_schemas->validate(schema.toStdString(), document);
        QVERIFY2(issues.empty(), issues.empty() ? ""
                                                : (issues[0].pointer + ": " + issues[0].message + "\n" +
                                                   document.dump().substr(0, 600))
                                                      .c_str());
    }
}

QTEST_GUILESS_MAIN(TestExecSchemas)
#include "tst_exec_schemas.moc"
