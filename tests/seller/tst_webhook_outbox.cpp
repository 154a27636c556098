#include "execfixture.h"
#include "heldport.h"

#include "webhookreceiver.h"
#include "webhooks/webhookoutbox.h"
#include "webhooksignature.h"

#include <QFile>
#include <QHostAddress>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <map>
#include <set>

using namespace exectest;

class TestWebhookOutbox final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void receiverDownThenUp_data();
    void receiverDownThenUp();
    void retriesKeepTheBodyAndKey();
    void coalescenceWindowsPerSeller_data();
    void coalescenceWindowsPerSeller();
    void deliveryReportsMatchThePull();
    void signingKeyIsOwnerOnly();
};

void TestWebhookOutbox::initTestCase()
{
    qRegisterMetaType<adcp::WebhookEvent>();
}

void TestWebhookOutbox::receiverDownThenUp_data()
{
    QTest::addColumn<bool>("legacyHmac");
    QTest::newRow("RFC 9421 Ed25519") << false;
    QTest::newRow("legacy HMAC-SHA256") << true;
}

// The buyer's receiver is down while a buy goes through creatives, an impairment and its recovery and a
// pause. After it comes back every event arrives, each exactly once after dedupe, with valid signatures; a
// re-emission carries the same notification_id under a new idempotency_key.
void TestWebhookOutbox::receiverDownThenUp()
{
    QFETCH(bool, legacyHmac);
    const QByteArray secret = "a-shared-secret-of-at-least-32-characters";
    // The receiver's port is held from the start, refusing connections while "down", so nothing else on the
    // machine can take it before the receiver comes up on it.
    adcp::testsupport::HeldPort held;
    const quint16 port = held.port();
    QVERIFY(port != 0);
    const QString url = QStringLiteral("http://127.0.0.1:%1/webhooks/adcp").arg(port);

    ExecSeller s(sendAtOnce());
    json push = {
        {"url", url.toStdString()}, {"operation_id", "op-webhook-test"}, {"token", "buyer-token-0123456789"}};
    if (legacyHmac)
        push["authentication"] = {{"schemes", {"HMAC-SHA256"}}, {"credentials", secret.toStdString()}};
    const json created = s.createBuy({{"push_notification_config", push}});
    const std::string id = created["media_buy_id"];
    QTRY_COMPARE_WITH_TIMEOUT(s.openJobs(), 0, 60000);
    s.syncCreative("cr_1", packageId(created, 0), "audio_standard_60s");
    s.syncCreative("cr_2", packageId(created, 1), "video_standard_30s");
    s.control("force_creative_status", {{"creative_id", "cr_1"}, {"status", "suspended"}});
    s.control("force_creative_status", {{"creative_id", "cr_1"}, {"status", "approved"}});
    QVERIFY(s.call("update_media_buy", {{"idempotency_key", s.key()},
                                        {"account", {{"account_id", "acc-1"}}},
                                        {"media_buy_id", id},
                                        {"paused", true}})
                .ok());

    QSqlDatabase db = s.context->database();
    // While the receiver is down the sender keeps retrying.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const auto rows = adcp::seller::WebhookOutbox::rows(db);
            return !rows.empty() &&
                   std::all_of(rows.begin(), rows.end(), [](const auto &r) { return r.attempts >= 2; });
        }(),
        30000);
    const auto pending = adcp::seller::WebhookOutbox::rows(db);
    QVERIFY(std::all_of(pending.begin(), pending.end(), [](const auto &r) { return r.state == "pending"; }));
    std::set<std::string> sentKeys;
    std::set<std::string> types;
    for (const auto &row : pending) {
        sentKeys.insert(row.idempotencyKey);
        types.insert(row.eventType);
        QCOMPARE(row.body["operation_id"].get<std::string>(), std::string("op-webhook-test"));
        QCOMPARE(row.body["token"].get<std::string>(), std::string("buyer-token-0123456789"));
    }
    QVERIFY(types.count("media_buy_status"));
    QVERIFY(types.count("impairment"));
    QCOMPARE(sentKeys.size(), pending.size());

    adcp::WebhookReceiverOptions options;
    if (legacyHmac)
        options.hmacSecret = secret;
    adcp::WebhookReceiver receiver(options);
    QVERIFY(receiver.addJwks(s.execution->webhookSender()->jwks()) == 1);
    QSignalSpy events(&receiver, &adcp::WebhookReceiver::eventReceived);
    QSignalSpy rejected(&receiver, &adcp::WebhookReceiver::deliveryRejected);
    auto *listener = new QTcpServer(&receiver);
    QVERIFY(held.listenWith(listener));
    receiver.bind(listener);

    QTRY_COMPARE_WITH_TIMEOUT(adcp::seller::WebhookOutbox::pendingCount(db), 0, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(events.size(), int(sentKeys.size()), 60000);
    QCOMPARE(rejected.size(), 0);
    std::map<std::string, int> perKey;
    std::map<std::string, std::string> impairmentFires; // key → notification id
    for (const auto &args : events) {
        const auto event = args.at(0).value<adcp::WebhookEvent>();
        ++perKey[event.idempotencyKey.toStdString()];
        QCOMPARE(event.verifiedBy, legacyHmac ? QStringLiteral("hmac-sha256") : QStringLiteral("rfc9421"));
        QCOMPARE(event.operationId, QStringLiteral("op-webhook-test"));
        if (event.payload.contains("result") &&
            event.payload["result"].value("notification_type", "") == "impairment")
            impairmentFires[event.idempotencyKey.toStdString()] = event.notificationId.toStdString();
    }
    QCOMPARE(perKey.size(), sentKeys.size());
    for (const auto &[key, count] : perKey) {
        QVERIFY(sentKeys.count(key));
        QCOMPARE(count, 1);
    }
    // Opening and closing fires of one impairment share its notification id (= impairment_id).
    QCOMPARE(impairmentFires.size(), size_t(2));
    QCOMPARE(impairmentFires.begin()->second, std::next(impairmentFires.begin())->second);
    QVERIFY(QString::fromStdString(impairmentFires.begin()->second).startsWith(QStringLiteral("imp_")));

    // A re-emission of an event: same notification_id, new idempotency_key; the receiver flags it.
    const auto rows = adcp::seller::WebhookOutbox::rows(db);
    const auto status = std::find_if(rows.begin(), rows.end(),
                                     [](const auto &r) { return r.eventType == "media_buy_status"; });
    QVERIFY(status != rows.end());
    QString error;
    QVERIFY2(adcp::seller::WebhookOutbox::reemit(db, status->id, &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(events.size(), int(sentKeys.size()) + 1, 60000);
    const auto reemitted = events.last().at(0).value<adcp::WebhookEvent>();
    QVERIFY(reemitted.reemission);
    QCOMPARE(reemitted.notificationId.toStdString(), status->notificationId);
    QVERIFY(reemitted.idempotencyKey.toStdString() != status->idempotencyKey);
}

// Every attempt of one fire carries the same bytes: the receiver's dedupe by key sees one body.
void TestWebhookOutbox::retriesKeepTheBodyAndKey()
{
    // A held port refuses every attempt (and no other program can answer on it).
    adcp::testsupport::HeldPort held;
    const quint16 port = held.port();
    QVERIFY(port != 0);
    ExecSeller s(sendAtOnce());
    const json created =
        s.createBuy({{"push_notification_config",
                      {{"url", "http://127.0.0.1:" + std::to_string(port) + "/webhooks/adcp"},
                       {"operation_id", "op-retry"}}}});
    // Creatives and the ad servers move the buy: a status event is due.
    s.syncCreative("cr_1", packageId(created, 0), "audio_standard_60s");
    s.syncCreative("cr_2", packageId(created, 1), "video_standard_30s");
    QSqlDatabase db = s.context->database();
    QTRY_VERIFY_WITH_TIMEOUT(!adcp::seller::WebhookOutbox::rows(db).empty(), 60000);
    const auto first = adcp::seller::WebhookOutbox::rows(db).front();
    QTRY_VERIFY_WITH_TIMEOUT(adcp::seller::WebhookOutbox::rows(db).front().attempts >= 3, 30000);
    const auto later = adcp::seller::WebhookOutbox::rows(db).front();
    QCOMPARE(later.idempotencyKey, first.idempotencyKey);
    QVERIFY(later.body == first.body);
    QCOMPARE(later.body["idempotency_key"].get<std::string>(), first.idempotencyKey);
}

namespace {

adcp::seller::OutboxEvent impairmentEvent(const std::string &health)
{
    adcp::seller::OutboxEvent event;
    event.principalId = "buyer-a";
    event.target.url = "http://127.0.0.1:9/never";
    event.target.operationId = "op-coalesce";
    event.eventType = "impairment";
    event.coalesceKey = "impairment:imp_1";
    event.notificationId = "imp_1";
    event.taskId = "task_1";
    event.taskType = "create_media_buy";
    event.status = "completed";
    event.timestamp = QDateTime::currentDateTimeUtc();
    event.result = {{"health", health}};
    return event;
}

} // namespace

void TestWebhookOutbox::coalescenceWindowsPerSeller_data()
{
    QTest::addColumn<qint64>("windowMs"); // this seller's impairment window; -1 = the default
    QTest::addColumn<bool>("viaSetter");  // set through SellerContext on the running seller
    QTest::addColumn<int>("rows");        // outbox rows after two events with one key
    QTest::newRow("default (60 s) merges") << qint64(-1) << false << 1;
    QTest::newRow("zero sends both") << qint64(0) << false << 2;
    QTest::newRow("setter to zero sends both") << qint64(0) << true << 2;
    QTest::newRow("setter to 30 s merges") << qint64(30000) << true << 1;
}

// Each seller has its own windows: two sellers in one process, one merging and one sending at once, do not
// affect each other.
void TestWebhookOutbox::coalescenceWindowsPerSeller()
{
    QFETCH(qint64, windowMs);
    QFETCH(bool, viaSetter);
    QFETCH(int, rows);
    adcp::seller::SellerOptions options;
    if (windowMs >= 0 && !viaSetter)
        options.webhookCoalescenceMs["impairment"] = windowMs;
    if (viaSetter) // start from the opposite behaviour, then change it on the running seller
        options.webhookCoalescenceMs["impairment"] = windowMs == 0 ? 60000 : 0;
    ExecSeller s(options);
    if (viaSetter)
        s.context->setWebhookCoalescenceWindow("impairment", windowMs);
    // Another seller in the same process, with the opposite setting.
    adcp::seller::SellerOptions otherOptions;
    otherOptions.webhookCoalescenceMs["impairment"] = rows == 1 ? 0 : 60000;
    ExecSeller other(otherOptions);

    QString error;
    for (auto *seller : {&s, &other}) {
        QSqlDatabase db = seller->context->database();
        QVERIFY(adcp::seller::WebhookOutbox::enqueue(db, impairmentEvent("impaired"), &error));
        QVERIFY(adcp::seller::WebhookOutbox::enqueue(db, impairmentEvent("ok"), &error));
    }
    QSqlDatabase db = s.context->database();
    const auto mine = adcp::seller::WebhookOutbox::rows(db);
    QCOMPARE(int(mine.size()), rows);
    // The newest state is what the buyer gets, under the stable notification id.
    QCOMPARE(mine.back().body["result"]["health"].get<std::string>(), std::string("ok"));
    QCOMPARE(mine.back().notificationId, std::string("imp_1"));
    QSqlDatabase otherDb = other.context->database();
    QCOMPARE(int(adcp::seller::WebhookOutbox::rows(otherDb).size()), rows == 1 ? 2 : 1);
    QCOMPARE(s.context->options().webhookCoalescenceMs.at("impairment"),
             windowMs < 0 ? adcp::seller::WebhookOutbox::defaultCoalescenceWindows().at("impairment")
                          : windowMs);
}

// Hourly reports numbered from 1 while the buy runs, a window_update for late data, a final report at the
// end; the reported windows add up to what get_media_buy_delivery returns for the same period.
void TestWebhookOutbox::deliveryReportsMatchThePull()
{
    const QByteArray secret = "reporting-secret-of-at-least-32-chars";
    adcp::WebhookReceiverOptions options;
    options.hmacSecret = secret;
    adcp::WebhookReceiver receiver(options);
    QSignalSpy events(&receiver, &adcp::WebhookReceiver::eventReceived);
    const quint16 port = receiver.start();
    QVERIFY(port != 0);
    ExecSeller s(sendAtOnce());
    const json created = s.createBuy(
        {{"reporting_webhook",
          {{"url", "http://127.0.0.1:" + std::to_string(port) + "/webhooks/adcp"},
           {"authentication", {{"schemes", {"HMAC-SHA256"}}, {"credentials", secret.toStdString()}}},
           {"reporting_frequency", "hourly"}}}});
    const std::string id = created["media_buy_id"];
    QTRY_COMPARE_WITH_TIMEOUT(s.openJobs(), 0, 60000);
    s.syncCreative("cr_1", packageId(created, 0), "audio_standard_60s");
    s.syncCreative("cr_2", packageId(created, 1), "video_standard_30s");
    QCOMPARE(s.status(id), std::string("active"));
    s.control("advance_clock", {{"seconds", 2 * 86400 + 600}});
    QTRY_VERIFY_WITH_TIMEOUT(events.size() >= 48, 30000);
    // Late data for yesterday noon, a window already reported; then the end of the buy.
    const QDate yesterday = s.context->clock().now().addDays(-1).date();
    const json late =
        s.control("simulate_delivery", {{"media_buy_id", id},
                                        {"impressions", 700},
                                        {"delivery_date", yesterday.toString(Qt::ISODate).toStdString()}});
    QVERIFY(late["success"].get<bool>());
    QVERIFY(s.call("update_media_buy", {{"idempotency_key", s.key()},
                                        {"account", {{"account_id", "acc-1"}}},
                                        {"media_buy_id", id},
                                        {"canceled", true}})
                .ok());
    QTRY_VERIFY_WITH_TIMEOUT(
        std::any_of(events.begin(), events.end(),
                    [](const QList<QVariant> &e) {
                        return e.at(0).value<adcp::WebhookEvent>().payload["result"]["notification_type"] ==
                               "final";
                    }),
        20000);
    // Webhooks are unordered on the wire; the sequence numbers put them back in order.
    std::vector<json> payloads;
    for (const auto &e : events)
        payloads.push_back(e.at(0).value<adcp::WebhookEvent>().payload);
    std::sort(payloads.begin(), payloads.end(), [](const json &a, const json &b) {
        return a["result"]["sequence_number"].get<int>() < b["result"]["sequence_number"].get<int>();
    });
    std::vector<std::string> types;
    int expectedSequence = 1;
    qint64 scheduledImpressions = 0;
    for (const auto &payload : payloads) {
        const json &result = payload["result"];
        QCOMPARE(payload["task_type"].get<std::string>(), std::string("media_buy_delivery"));
        QVERIFY(!payload.contains("notification_id"));
        QCOMPARE(result["sequence_number"].get<int>(), expectedSequence++);
        const std::string type = result["notification_type"];
        types.push_back(type);
        if (type == "window_update")
            continue;
        scheduledImpressions += result["media_buy_deliveries"][0]["totals"]["impressions"].get<qint64>();
    }
    QVERIFY(std::count(types.begin(), types.end(), "scheduled") >= 48);
    QCOMPARE(std::count(types.begin(), types.end(), "final"), 1L);
    QCOMPARE(types.back(), std::string("final"));
    QVERIFY(std::find(types.begin(), types.end(), "window_update") != types.end());
    // Scheduled and final reports tile the buy's delivery: their sum is the pulled total (late data included,
    // because the reports after it were computed with it).
    const auto pulled = s.call("get_media_buy_delivery", {{"media_buy_ids", {id}}});
    const qint64 total = pulled.result["media_buy_deliveries"][0]["totals"]["impressions"].get<qint64>();
    QVERIFY(total > 700);
    QCOMPARE(scheduledImpressions + 700, total);
}

// The private signing key is a row of the seller database: the database and its WAL siblings are 0600 once
// the sender has loaded the key, even when they were created readable by others; the key survives a restart.
void TestWebhookOutbox::signingKeyIsOwnerOnly()
{
    ExecSeller s(sendAtOnce());
    const json jwks = s.execution->webhookSender()->jwks();
    s.execution.reset();
    const QString path = s.options.databasePath;
    const auto world =
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther;
    const auto othersMay = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                           QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
    QStringList files;
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
        if (QFile::exists(path + suffix)) {
            QVERIFY(QFile::setPermissions(path + suffix, world));
            files << path + suffix;
        }
    }
    QVERIFY(files.contains(path));
    QVERIFY(QFile::permissions(path) & QFileDevice::ReadOther);

    s.startExecution();
    for (const QString &file : files)
        QVERIFY2(!(QFile::permissions(file) & othersMay), qPrintable(file));
    // The same key signs after the restart.
    QVERIFY(s.execution->webhookSender()->jwks() == jwks);
}

QTEST_GUILESS_MAIN(TestWebhookOutbox)
#include "tst_webhook_outbox.moc"
