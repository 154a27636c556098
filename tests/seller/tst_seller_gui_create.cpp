// create_media_buy as the workbench sends it: from a committed proposal with its proposal_version, the
// account given as brand + operator, with and without push_notification_config, from an AdCP 3.2 caller
// (adcp_version "3.2") and from a 3.0 caller (no version pin). Every answer must pass the bundled schemas
// the client validates with and the official AdCP schemas; a synchronous create with a webhook registration
// queues exactly one completion webhook, and an idempotent replay queues none.

#include "officialschemas.h"
#include "sellertestfixture.h"

#include "schemaregistry.h"
#include "webhooks/webhookoutbox.h"

#include <QDir>

using namespace sellertest;

namespace {

std::string describe(const std::vector<adcp::ValidationIssue> &issues)
{
    std::string text;
    for (const auto &issue : issues)
        text += (issue.pointer.empty() ? std::string("(root)") : issue.pointer) + ": " + issue.message + "; ";
    return text;
}

json guiArgs(Seller &s, const json &proposal, bool webhook, const QString &version)
{
    json args = s.buyArgs(proposal);
    args["account"] = {{"brand", {{"domain", "acme.example"}}}, {"operator", "agency.example"}};
    if (webhook)
        args["push_notification_config"] = {{"url", "http://127.0.0.1:9/hooks"},
                                            {"operation_id", "create_media_buy.gui-test"}};
    if (!version.isEmpty())
        args["adcp_version"] = version.toStdString();
    return args;
}

std::vector<adcp::seller::OutboxRow> outbox(Seller &s)
{
    QSqlDatabase db = s.context->database();
    return adcp::seller::WebhookOutbox::rows(db, s.buyer.id);
}

} // namespace

class TestSellerGuiCreate final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void answersMatchBothSchemaSets_data();
    void answersMatchBothSchemaSets();
    void webhookOnSynchronousCreate_data();
    void webhookOnSynchronousCreate();
    void noWebhookWithoutRegistration();

private:
    std::shared_ptr<const adcp::SchemaRegistry> m_official;
};

void TestSellerGuiCreate::initTestCase()
{
    // Only an absent shared folder leaves m_official empty (and the schema checks skipped); one that does not
    // load fails here.
    if (!adcp::testsupport::officialSchemasAbsent()) {
        QString error;
        m_official = adcp::testsupport::officialSchemas(&error);
        QVERIFY2(m_official, qPrintable(error));
    }
}

void TestSellerGuiCreate::answersMatchBothSchemaSets_data()
{
    QTest::addColumn<bool>("webhook");
    QTest::addColumn<QString>("version");
    QTest::newRow("3.0 caller") << false << QString();
    QTest::newRow("3.0 caller, webhook") << true << QString();
    QTest::newRow("3.2 caller") << false << QStringLiteral("3.2");
    QTest::newRow("3.2 caller, webhook") << true << QStringLiteral("3.2");
}

void TestSellerGuiCreate::answersMatchBothSchemaSets()
{
    QFETCH(bool, webhook);
    QFETCH(QString, version);
    Seller s;
    const json proposal = s.committedProposal();
    const json args = guiArgs(s, proposal, webhook, version);
    const auto created = s.call("create_media_buy", args);
    QVERIFY2(created.ok(), created.ok() ? "" : created.error->message.c_str());
    QVERIFY(created.result.contains("media_buy_id"));
    QCOMPARE(created.result.value("proposal_version", std::string()),
             proposal.at("proposal_version").get<std::string>());
    // The replay is what a retrying client reads; it must be as valid as the first answer.
    const auto replayed = s.call("create_media_buy", args);
    QVERIFY(replayed.ok());
    QCOMPARE(replayed.result.value("replayed", false), true);

    // A caller without a version pin is served the seller's default release (3.0/3.1), where top-level
    // `status` is the media buy's status — the 3.0 storyboards require `pending_creatives` there. The 3.2
    // schemas (bundled and official alike) read `status` as the task status, so that one member can only
    // match them for a caller that pins adcp_version 3.2; everything else must match for every caller.
    std::vector<json> answers = {created.result, replayed.result};
    if (version.isEmpty()) {
        for (auto &answer : answers) {
            QCOMPARE(answer.value("status", std::string()), answer.value("media_buy_status", std::string()));
            answer["status"] = "completed";
        }
    } else {
        QCOMPARE(created.result.value("status", std::string()), std::string("completed"));
    }

    const std::string schema = "/schemas/media-buy/create-media-buy-response.json";
    const auto bundled = adcp::SchemaRegistry::bundled();
    QVERIFY(bundled->contains(schema));
    for (const json *answer : {&answers[0], &answers[1]}) {
        const auto issues = bundled->validate(schema, *answer);
        QVERIFY2(issues.empty(), ("bundled: " + describe(issues) + answer->dump()).c_str());
    }
    if (!m_official)
        QSKIP("the official AdCP schemas (ADCP_SHARED_DIR) are absent");
    for (const json *answer : {&answers[0], &answers[1]}) {
        const auto issues = m_official->validate(schema, *answer);
        QVERIFY2(issues.empty(), ("official: " + describe(issues) + answer->dump()).c_str());
    }
}

void TestSellerGuiCreate::webhookOnSynchronousCreate_data()
{
    QTest::addColumn<QString>("version");
    QTest::newRow("3.0 caller") << QString();
    QTest::newRow("3.2 caller") << QStringLiteral("3.2");
}

void TestSellerGuiCreate::webhookOnSynchronousCreate()
{
    QFETCH(QString, version);
    Seller s;
    const json args = guiArgs(s, s.committedProposal(), true, version);
    const auto created = s.call("create_media_buy", args);
    QVERIFY2(created.ok(), created.ok() ? "" : created.error->message.c_str());
    const std::string mediaBuyId = created.result.at("media_buy_id");

    auto rows = outbox(s);
    QCOMPARE(int(rows.size()), 1);
    const json body = rows.front().body;
    QCOMPARE(body.value("task_type", std::string()), std::string("create_media_buy"));
    QCOMPARE(body.value("status", std::string()), std::string("completed"));
    QCOMPARE(body.value("operation_id", std::string()), std::string("create_media_buy.gui-test"));
    QCOMPARE(body["result"].value("media_buy_id", std::string()), mediaBuyId);
    QVERIFY(!body.value("idempotency_key", std::string()).empty());
    QVERIFY(!rows.front().notificationId.empty());

    // The idempotent replay answers from the stored response: no second logical event.
    const auto replayed = s.call("create_media_buy", args);
    QVERIFY(replayed.ok());
    QCOMPARE(replayed.result.at("media_buy_id").get<std::string>(), mediaBuyId);
    rows = outbox(s);
    QCOMPARE(int(rows.size()), 1);

    // Nor after a restart: the replay record and the outbox are both on disk.
    s.open();
    QVERIFY(s.call("create_media_buy", args).ok());
    QCOMPARE(int(outbox(s).size()), 1);

    const std::string schema = "/schemas/core/mcp-webhook-payload.json";
    const auto bundled = adcp::SchemaRegistry::bundled();
    if (bundled->contains(schema)) {
        const auto issues = bundled->validate(schema, body);
        QVERIFY2(issues.empty(), ("bundled: " + describe(issues) + body.dump()).c_str());
    }
    if (!m_official)
        QSKIP("the official AdCP schemas (ADCP_SHARED_DIR) are absent");
    const auto issues = m_official->validate(schema, body);
    QVERIFY2(issues.empty(), ("official: " + describe(issues) + body.dump()).c_str());
}

void TestSellerGuiCreate::noWebhookWithoutRegistration()
{
    Seller s;
    const auto created = s.call("create_media_buy", guiArgs(s, s.committedProposal(), false, QString()));
    QVERIFY(created.ok());
    QCOMPARE(int(outbox(s).size()), 0);
}

QTEST_GUILESS_MAIN(TestSellerGuiCreate)
#include "tst_seller_gui_create.moc"
