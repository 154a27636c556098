#include "backoffice.h"
#include "execfixture.h"

#include "jobs/taskstore.h"
#include "monitoring/lifecycle.h"

#include <QTest>

#include <set>

using namespace exectest;
using sellertest::errorCode;
using sellertest::errorField;
using sellertest::recovery;

namespace {

// Runs one statement on the seller's file as a hand edit would (the tests below bend stored state).
bool runSql(QSqlDatabase &db, const QString &sql, std::initializer_list<QVariant> bindings)
{
    QSqlQuery q(db);
    QString error;
    if (!adcp::seller::storage::execute(q, sql, bindings, &error)) {
        qWarning("%s", qPrintable(error));
        return false;
    }
    return true;
}

// One column of a stored media buy ("" when there is none).
std::string buyColumn(QSqlDatabase &db, const char *column, const std::string &buyId)
{
    QSqlQuery q(db);
    QString error;
    if (!adcp::seller::storage::execute(
            q, QStringLiteral("SELECT %1 FROM media_buys WHERE media_buy_id = ?").arg(QLatin1String(column)),
            {QString::fromStdString(buyId)}, &error) ||
        !q.next())
        return std::string();
    return q.value(0).toString().toStdString();
}

} // namespace

class TestExecLifecycle final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createReturnsAtOnceAndJobsBookBothAdServers();
    void creativesMoveTheBuyToActive();
    void pauseResumeCancelReachTheAdServers();
    void pauseWhilePendingIsAHold();
    void updateErrors_data();
    void updateErrors();
    void flightEndCompletesTheBuy();
    void refreshAllMovesWhatRefreshWould();
    void refreshCrossingsMovesWhatTheClockCrossed();
    void refreshSliceGoesRoundTheOpenBuysInTurn();
    void theTickerSweepFindsAChangeNothingRefreshed();
    void manualApprovalIsASubmittedTask();
    void decliningAnApprovalRejectsTheBuy();
    void stateSurvivesRestart();
    void controllerRespectsTheStateMachine();
    void syncCreativesRejectsBadInput_data();
    void syncCreativesRejectsBadInput();
    void listCreativeFormatsNamesTheCatalogFormats();
};

void TestExecLifecycle::createReturnsAtOnceAndJobsBookBothAdServers()
{
    adcp::seller::ExecutionOptions slow = fastOptions();
    slow.guaranteed.approvalDelayMs = 300;
    ExecSeller s({}, slow);
    const json created = s.createBuy();
    const std::string id = created.at("media_buy_id");
    QCOMPARE(created.at("media_buy_status").get<std::string>(), std::string("pending_creatives"));
    // The ad servers are worked off the request path.
    QTRY_COMPARE_WITH_TIMEOUT(s.openJobs(), 0, 60000);
    auto *guaranteed = s.execution->adapter("guaranteed");
    auto *exchange = s.execution->adapter("exchange");
    QCOMPARE(guaranteed->orderState(id, packageId(created, 0)), std::string("ready"));
    QCOMPARE(exchange->orderState(id, packageId(created, 1)), std::string("active"));
    QCOMPARE(guaranteed->counts().orders, 1);
    QCOMPARE(exchange->counts().orders, 1);
    QSqlDatabase db = s.context->database();
    QCOMPARE(adcp::seller::JobQueue::counts(db).done, 3); // book + approve, book
    QCOMPARE(adcp::seller::JobQueue::counts(db).failed, 0);
}

void TestExecLifecycle::creativesMoveTheBuyToActive()
{
    ExecSeller s;
    const json created = s.createBuy();
    const std::string id = created.at("media_buy_id");
    QTRY_COMPARE_WITH_TIMEOUT(s.openJobs(), 0, 60000);
    QCOMPARE(s.status(id), std::string("pending_creatives"));
    s.syncCreative("cr_audio", packageId(created, 0), "audio_standard_60s");
    // One package still lacks an approved creative.
    QCOMPARE(s.status(id), std::string("pending_creatives"));
    const json synced = s.syncCreative("cr_video", packageId(created, 1), "video_standard_30s");
    QCOMPARE(synced["creatives"][0]["status"].get<std::string>(), std::string("approved"));
    QCOMPARE(s.status(id), std::string("active"));
    const json buy = s.mediaBuy(id);
    QCOMPARE(buy["packages"][0]["creative_approvals"][0]["approval_status"].get<std::string>(),
             std::string("approved"));
    QCOMPARE(buy["health"].get<std::string>(), std::string("ok"));
}

void TestExecLifecycle::pauseResumeCancelReachTheAdServers()
{
    ExecSeller s;
    const json created = s.activeBuy();
    const std::string id = created.at("media_buy_id");
    QCOMPARE(s.status(id), std::string("active"));
    const qint64 revision = s.mediaBuy(id)["revision"].get<qint64>();

    auto paused = s.call("update_media_buy", {{"idempotency_key", s.key()},
                                              {"account", {{"account_id", "acc-1"}}},
                                              {"media_buy_id", id},
                                              {"revision", revision},
                                              {"paused", true}});
    QVERIFY2(paused.ok(), errorCode(paused).c_str());
    QCOMPARE(paused.result["media_buy_status"].get<std::string>(), std::string("paused"));
    QCOMPARE(paused.result["revision"].get<qint64>(), revision + 1);
    QCOMPARE(s.status(id), std::string("paused"));
    QTRY_COMPARE_WITH_TIMEOUT(s.execution->adapter("exchange")->orderState(id, packageId(created, 1)),
                              std::string("paused"), 60000);
    QTRY_COMPARE_WITH_TIMEOUT(s.execution->adapter("guaranteed")->orderState(id, packageId(created, 0)),
                              std::string("paused"), 60000);
    // The buy now offers resume, not pause.
    const json actions = s.mediaBuy(id)["available_actions"];
    QVERIFY(
        std::any_of(actions.begin(), actions.end(), [](const json &a) { return a["action"] == "resume"; }));
    QVERIFY(
        std::none_of(actions.begin(), actions.end(), [](const json &a) { return a["action"] == "pause"; }));

    auto resumed = s.call("update_media_buy", {{"idempotency_key", s.key()},
                                               {"account", {{"account_id", "acc-1"}}},
                                               {"media_buy_id", id},
                                               {"paused", false}});
    QVERIFY(resumed.ok());
    QCOMPARE(s.status(id), std::string("active"));

    auto canceled = s.call("update_media_buy", {{"idempotency_key", s.key()},
                                                {"account", {{"account_id", "acc-1"}}},
                                                {"media_buy_id", id},
                                                {"canceled", true},
                                                {"cancellation_reason", "campaign pulled"}});
    QVERIFY(canceled.ok());
    const json buy = s.mediaBuy(id);
    QCOMPARE(buy["status"].get<std::string>(), std::string("canceled"));
    QCOMPARE(buy["cancellation"]["canceled_by"].get<std::string>(), std::string("buyer"));
    QCOMPARE(buy["cancellation"]["reason"].get<std::string>(), std::string("campaign pulled"));
    QVERIFY(buy["available_actions"].empty());
    QTRY_COMPARE_WITH_TIMEOUT(s.execution->adapter("exchange")->orderState(id, packageId(created, 1)),
                              std::string("canceled"), 60000);
    QTRY_COMPARE_WITH_TIMEOUT(s.execution->adapter("guaranteed")->orderState(id, packageId(created, 0)),
                              std::string("canceled"), 60000);
}

// A pause before delivery holds the buy: it stays pending_creatives, and enters paused rather than active
// once its creatives arrive; clearing the hold lets it run.
void TestExecLifecycle::pauseWhilePendingIsAHold()
{
    ExecSeller s;
    const json created = s.createBuy();
    const std::string id = created.at("media_buy_id");
    QTRY_COMPARE_WITH_TIMEOUT(s.openJobs(), 0, 60000);
    const auto held = s.call("update_media_buy", {{"idempotency_key", s.key()},
                                                  {"account", {{"account_id", "acc-1"}}},
                                                  {"media_buy_id", id},
                                                  {"paused", true}});
    QVERIFY2(held.ok(), errorCode(held).c_str());
    QCOMPARE(held.result["media_buy_status"].get<std::string>(), std::string("pending_creatives"));
    QCOMPARE(held.result["status"].get<std::string>(), std::string("pending_creatives"));
    QCOMPARE(s.status(id), std::string("pending_creatives"));
    s.syncCreative("cr_audio", packageId(created, 0), "audio_standard_60s");
    s.syncCreative("cr_video", packageId(created, 1), "video_standard_30s");
    QCOMPARE(s.status(id), std::string("paused"));
    QTRY_COMPARE_WITH_TIMEOUT(s.execution->adapter("exchange")->orderState(id, packageId(created, 1)),
                              std::string("paused"), 60000);
    const auto resumed = s.call("update_media_buy", {{"idempotency_key", s.key()},
                                                     {"account", {{"account_id", "acc-1"}}},
                                                     {"media_buy_id", id},
                                                     {"paused", false}});
    QVERIFY2(resumed.ok(), errorCode(resumed).c_str());
    QCOMPARE(s.status(id), std::string("active"));
    QSqlDatabase db = s.context->database();
    QCOMPARE(adcp::seller::JobQueue::counts(db).failed, 0);
}

void TestExecLifecycle::updateErrors_data()
{
    QTest::addColumn<QString>("setup");
    QTest::addColumn<QString>("request");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("recoveryClass");
    QTest::newRow("stale revision") << ""
                                    << R"({"revision": 99, "paused": true})"
                                    << "CONFLICT"
                                    << "revision"
                                    << "transient";
    QTest::newRow("pause a canceled buy") << "cancel"
                                          << R"({"paused": true})"
                                          << "INVALID_STATE"
                                          << ""
                                          << "correctable";
    QTest::newRow("resume a canceled buy") << "cancel"
                                           << R"({"paused": false})"
                                           << "INVALID_STATE"
                                           << ""
                                           << "correctable";
    QTest::newRow("cancel twice") << "cancel"
                                  << R"({"canceled": true})"
                                  << "NOT_CANCELLABLE"
                                  << "canceled"
                                  << "correctable";
    QTest::newRow("budget on canceled buy") << "cancel"
                                            << R"({"total_budget": {"amount": 30000, "currency": "USD"}})"
                                            << "INVALID_STATE"
                                            << ""
                                            << "correctable";
    QTest::newRow("unknown package") << ""
                                     << R"({"packages": [{"package_id": "pkg_nope", "budget": 100}]})"
                                     << "PACKAGE_NOT_FOUND"
                                     << "packages[0].package_id"
                                     << "correctable";
    QTest::newRow("end before start") << ""
                                      << R"({"end_time": "2001-01-01T00:00:00Z"})"
                                      << "INVALID_REQUEST"
                                      << "end_time"
                                      << "correctable";
    QTest::newRow("unknown buy") << "foreign"
                                 << R"({"paused": true})"
                                 << "MEDIA_BUY_NOT_FOUND"
                                 << "media_buy_id"
                                 << "correctable";
}

void TestExecLifecycle::updateErrors()
{
    QFETCH(QString, setup);
    QFETCH(QString, request);
    QFETCH(QString, code);
    QFETCH(QString, field);
    QFETCH(QString, recoveryClass);
    ExecSeller s;
    const json created = s.createBuy();
    const std::string id = created.at("media_buy_id");
    if (setup == QStringLiteral("cancel"))
        QVERIFY(s.call("update_media_buy", {{"idempotency_key", s.key()},
                                            {"account", {{"account_id", "acc-1"}}},
                                            {"media_buy_id", id},
                                            {"canceled", true}})
                    .ok());
    const json before = s.mediaBuy(id);
    json args = json::parse(request.toStdString());
    args["idempotency_key"] = s.key();
    args["account"] = {{"account_id", "acc-1"}};
    args["media_buy_id"] = id;
    const auto outcome = setup == QStringLiteral("foreign") ? s.call(s.other, "update_media_buy", args)
                                                            : s.call("update_media_buy", args);
    QCOMPARE(QString::fromStdString(errorCode(outcome)), code);
    QCOMPARE(QString::fromStdString(errorField(outcome)), field);
    QCOMPARE(QString::fromStdString(recovery(outcome)), recoveryClass);
    // Nothing changed.
    const json after = s.mediaBuy(id);
    QVERIFY(after["revision"] == before["revision"]);
    QVERIFY(after["status"] == before["status"]);
    QVERIFY(after["total_budget"] == before["total_budget"]);
}

void TestExecLifecycle::flightEndCompletesTheBuy()
{
    ExecSeller s;
    const json created = s.activeBuy();
    const std::string id = created.at("media_buy_id");
    QCOMPARE(s.status(id), std::string("active"));
    const json advanced = s.control("advance_clock", {{"seconds", 11 * 24 * 3600}});
    QVERIFY(advanced["success"].get<bool>());
    QCOMPARE(s.status(id), std::string("completed"));
    // A finished buy takes no more changes.
    const auto outcome = s.call("update_media_buy", {{"idempotency_key", s.key()},
                                                     {"account", {{"account_id", "acc-1"}}},
                                                     {"media_buy_id", id},
                                                     {"paused", true}});
    QCOMPARE(errorCode(outcome), std::string("INVALID_STATE"));
}

// The ticker's round reads every open buy in one statement and writes only those whose status moves; each
// buy here is bent (with the workers and the ticker stopped) into a state refresh() would move it out of.
void TestExecLifecycle::refreshAllMovesWhatRefreshWould()
{
    using adcp::seller::MediaBuyLifecycle;
    ExecSeller s;
    const std::string flightOver = s.activeBuy().at("media_buy_id");
    const std::string allCanceled = s.activeBuy().at("media_buy_id");
    const std::string pausedHold = s.activeBuy().at("media_buy_id");
    const std::string heldPending = s.activeBuy().at("media_buy_id");
    const json refusedBuy = s.createBuy();
    const std::string refused = refusedBuy.at("media_buy_id");
    const std::string declined = s.createBuy().at("media_buy_id");
    const std::string waiting = s.createBuy().at("media_buy_id");
    QVERIFY(s.waitForJobs());
    s.execution.reset();

    QSqlDatabase db = s.context->database();
    const QDateTime now = s.context->clock().now();
    const auto id = [](const std::string &text) { return QString::fromStdString(text); };
    const auto run = [&](const QString &sql, std::initializer_list<QVariant> bindings) {
        QVERIFY(runSql(db, sql, bindings));
    };
    run(QStringLiteral("UPDATE media_buys SET end_time = ? WHERE media_buy_id = ?"),
        {now.addSecs(-3600).toString(Qt::ISODateWithMs), id(flightOver)});
    run(QStringLiteral("UPDATE exec_packages SET canceled = 1 WHERE media_buy_id = ?"), {id(allCanceled)});
    run(QStringLiteral("UPDATE exec_buys SET paused = 1 WHERE media_buy_id = ?"), {id(pausedHold)});
    run(QStringLiteral("UPDATE media_buys SET status = 'pending_start' WHERE media_buy_id = ?"),
        {id(heldPending)});
    run(QStringLiteral("UPDATE exec_packages SET failure = 'refused' WHERE package_id = ?"),
        {id(packageId(refusedBuy, 0))});
    run(QStringLiteral("UPDATE exec_buys SET approval = 'rejected' WHERE media_buy_id = ?"), {id(declined)});

    const std::map<std::string, std::string> expected = {
        {flightOver, "completed"},     {allCanceled, "completed"}, {pausedHold, "paused"},
        {heldPending, "active"},       {refused, "rejected"},      {declined, "rejected"},
        {waiting, "pending_creatives"}};
    const auto principal = [&](const std::string &buyId) { return buyColumn(db, "principal_id", buyId); };
    for (const auto &[buyId, status] : expected) {
        const auto buy = MediaBuyLifecycle::load(db, principal(buyId), buyId);
        QVERIFY(buy);
        // What refresh() of this one buy would make of it.
        QCOMPARE(MediaBuyLifecycle::computeStatus(db, *buy, now), status);
    }
    QString error;
    QCOMPARE(MediaBuyLifecycle::refreshAll(db, now, &error), 6);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    for (const auto &[buyId, status] : expected)
        QCOMPARE(MediaBuyLifecycle::load(db, principal(buyId), buyId)->status, status);
    // Nothing is left to move.
    QCOMPARE(MediaBuyLifecycle::refreshAll(db, now, &error), 0);
}

// The ticker's usual round reads only the buys whose flight started or ended since its last round: a crossing
// inside the window moves its buy, one before it (or a change that is not the clock's) waits for the sweep.
void TestExecLifecycle::refreshCrossingsMovesWhatTheClockCrossed()
{
    using adcp::seller::MediaBuyLifecycle;
    using adcp::seller::storage::isoTime;
    ExecSeller s;
    const std::string endsInWindow = s.activeBuy().at("media_buy_id");
    const std::string endedBefore = s.activeBuy().at("media_buy_id");
    const std::string startsInWindow = s.activeBuy().at("media_buy_id");
    const std::string startedBefore = s.activeBuy().at("media_buy_id");
    const std::string pausedHold = s.activeBuy().at("media_buy_id");
    QVERIFY(s.waitForJobs());
    s.execution.reset();

    QSqlDatabase db = s.context->database();
    const QDateTime now = s.context->clock().now();
    const QDateTime since = now.addSecs(-60);
    const auto id = [](const std::string &text) { return QString::fromStdString(text); };
    const auto run = [&](const QString &sql, std::initializer_list<QVariant> bindings) {
        QVERIFY(runSql(db, sql, bindings));
    };
    // Every flight started long before the window, but where a case says otherwise.
    run(QStringLiteral("UPDATE media_buys SET start_time = ?"), {isoTime(now.addDays(-2))});
    const QString setEnd = QStringLiteral("UPDATE media_buys SET end_time = ? WHERE media_buy_id = ?");
    const QString setPendingStart = QStringLiteral(
        "UPDATE media_buys SET status = 'pending_start', start_time = ? WHERE media_buy_id = ?");
    run(setEnd, {isoTime(now.addSecs(-30)), id(endsInWindow)});
    run(setEnd, {isoTime(now.addSecs(-3600)), id(endedBefore)});
    run(setPendingStart, {isoTime(now.addSecs(-10)), id(startsInWindow)});
    run(setPendingStart, {isoTime(now.addSecs(-7200)), id(startedBefore)});
    run(QStringLiteral("UPDATE exec_buys SET paused = 1 WHERE media_buy_id = ?"), {id(pausedHold)});

    const auto status = [&](const std::string &buyId) { return buyColumn(db, "status", buyId); };
    QString error;
    // An empty window (the clock did not move) reads nothing.
    QCOMPARE(MediaBuyLifecycle::refreshCrossings(db, now, now, &error), 0);
    QCOMPARE(MediaBuyLifecycle::refreshCrossings(db, since, now, &error), 2);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(status(endsInWindow), std::string("completed"));
    QCOMPARE(status(startsInWindow), std::string("active"));
    QCOMPARE(status(endedBefore), std::string("active"));
    QCOMPARE(status(startedBefore), std::string("pending_start"));
    QCOMPARE(status(pausedHold), std::string("active"));
    // The same window again moves nothing; the sweep moves the rest.
    QCOMPARE(MediaBuyLifecycle::refreshCrossings(db, since, now, &error), 0);
    QCOMPARE(MediaBuyLifecycle::refreshAll(db, now, &error), 3);
    QCOMPARE(status(endedBefore), std::string("completed"));
    QCOMPARE(status(startedBefore), std::string("active"));
    QCOMPARE(status(pausedHold), std::string("paused"));

    // The round's candidates (refreshCrossings' condition) come from the flight indexes, not a walk of every
    // buy.
    QSqlQuery plan(db);
    QVERIFY(plan.exec(QStringLiteral(
        "EXPLAIN QUERY PLAN SELECT b.media_buy_id FROM media_buys b WHERE b.status NOT IN ('completed', "
        "'rejected', 'canceled') AND b.rowid IN (SELECT rowid FROM media_buys WHERE start_time > 'a' AND "
        "start_time <= 'b' UNION ALL SELECT rowid FROM media_buys WHERE end_time > 'a' AND end_time <= 'b') "
        "GROUP BY b.principal_id, b.media_buy_id")));
    QString steps;
    while (plan.next())
        steps += plan.value(3).toString() + QLatin1Char('\n');
    QVERIFY2(steps.contains(QStringLiteral("media_buys_by_start")) &&
                 steps.contains(QStringLiteral("media_buys_by_end")),
             qPrintable(steps));
}

// The ticker's rolling sweep: each slice refreshes the next `limit` open buys in rowid order (closed ones
// neither counted nor read), says where to go on, and wraps to the start after the last.
void TestExecLifecycle::refreshSliceGoesRoundTheOpenBuysInTurn()
{
    using adcp::seller::MediaBuyLifecycle;
    ExecSeller s;
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i)
        ids.push_back(s.activeBuy().at("media_buy_id"));
    QVERIFY(s.waitForJobs());
    s.execution.reset();

    QSqlDatabase db = s.context->database();
    const QDateTime now = s.context->clock().now();
    const auto id = [&ids](size_t i) { return QString::fromStdString(ids[i]); };
    const auto rowid = [&](size_t i) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("SELECT rowid FROM media_buys WHERE media_buy_id = ?"));
        q.addBindValue(id(i));
        return q.exec() && q.next() ? q.value(0).toLongLong() : qint64(-1);
    };
    // A change that refreshed nothing (as another process or a hand edit would make it): every buy is held
    // paused, and the second one is closed already.
    QVERIFY(runSql(db, QStringLiteral("UPDATE exec_buys SET paused = 1"), {}));
    QVERIFY(runSql(db, QStringLiteral("UPDATE media_buys SET status = 'completed' WHERE media_buy_id = ?"),
                   {id(1)}));
    const auto status = [&](size_t i) { return buyColumn(db, "status", ids[i]); };

    QString error;
    qint64 next = -1;
    // Open buys 0, 2, 3, 4 in rowid order: the first slice of two is 0 and 2.
    QCOMPARE(MediaBuyLifecycle::refreshSlice(db, 0, 2, now, &next, &error), 2);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(next, rowid(2));
    QCOMPARE(status(0), std::string("paused"));
    QCOMPARE(status(2), std::string("paused"));
    QCOMPARE(status(3), std::string("active"));
    QCOMPARE(status(1), std::string("completed"));
    // Then 3 and 4, which end exactly at the last open buy: the next slice finds none and wraps.
    QCOMPARE(MediaBuyLifecycle::refreshSlice(db, next, 2, now, &next, &error), 2);
    QCOMPARE(next, rowid(4));
    QCOMPARE(status(3), std::string("paused"));
    QCOMPARE(status(4), std::string("paused"));
    QCOMPARE(MediaBuyLifecycle::refreshSlice(db, next, 2, now, &next, &error), 0);
    QCOMPARE(next, qint64(0));
    // A slice larger than what is left takes the rest and wraps at once; nothing is left to move.
    QCOMPARE(MediaBuyLifecycle::refreshSlice(db, 0, 100, now, &next, &error), 0);
    QCOMPARE(next, qint64(0));
    QCOMPARE(status(1), std::string("completed"));

    // A slice reads its buys by a rowid range, not a walk of every buy.
    QSqlQuery plan(db);
    QVERIFY(plan.exec(QStringLiteral(
        "EXPLAIN QUERY PLAN SELECT b.media_buy_id FROM media_buys b WHERE b.status NOT IN ('completed', "
        "'rejected', 'canceled') AND b.rowid > 1 AND b.rowid <= 9 GROUP BY b.principal_id, b.media_buy_id")));
    QString steps;
    while (plan.next())
        steps += plan.value(3).toString() + QLatin1Char('\n');
    QVERIFY2(steps.contains(QStringLiteral("rowid>? AND rowid<?")), qPrintable(steps));
}

// The running ticker finds a change that refreshed no buy: a round's slice reaches it (one buy per round
// here, so it takes as many rounds as there are open buys before it).
void TestExecLifecycle::theTickerSweepFindsAChangeNothingRefreshed()
{
    auto options = fastOptions();
    options.sweepSlice = 1;
    ExecSeller s({}, options);
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i)
        ids.push_back(s.activeBuy().at("media_buy_id"));
    QVERIFY(s.waitForJobs());
    QSqlDatabase db = s.context->database();
    QCOMPARE(buyColumn(db, "status", ids[2]), std::string("active"));
    QVERIFY(runSql(db, QStringLiteral("UPDATE exec_buys SET paused = 1 WHERE media_buy_id = ?"),
                   {QString::fromStdString(ids[2])}));
    QTRY_COMPARE_WITH_TIMEOUT(buyColumn(db, "status", ids[2]), std::string("paused"), 60000);
    QCOMPARE(buyColumn(db, "status", ids[0]), std::string("active"));
}

void TestExecLifecycle::manualApprovalIsASubmittedTask()
{
    ExecSeller s(manualApprovalOptions());
    const auto outcome = s.call("create_media_buy", s.packageBuy());
    QVERIFY(outcome.ok());
    QCOMPARE(outcome.result["status"].get<std::string>(), std::string("submitted"));
    const std::string taskId = outcome.result["task_id"];
    auto status = s.call("get_task_status", {{"task_id", taskId}});
    QVERIFY(status.ok());
    QCOMPARE(status.result["status"].get<std::string>(), std::string("submitted"));
    QCOMPARE(status.result["task_type"].get<std::string>(), std::string("create_media_buy"));
    // Nothing reaches an ad server before the seller approves: no job exists that could (a state, not a wait
    // for something that should not happen).
    {
        QSqlDatabase db = s.context->database();
        const auto jobs = adcp::seller::JobQueue::counts(db);
        QCOMPARE(jobs.pending + jobs.running + jobs.done + jobs.failed, qint64(0));
    }
    QCOMPARE(s.execution->adapter("exchange")->counts().orders, 0);
    const auto listed = s.call("list_tasks", {{"filters", {{"statuses", {"submitted"}}}}});
    QVERIFY(listed.ok());
    QCOMPARE(listed.result["tasks"].size(), size_t(1));
    // Another principal cannot see the task.
    QCOMPARE(errorCode(s.call(s.other, "get_task_status", {{"task_id", taskId}})),
             std::string("REFERENCE_NOT_FOUND"));

    const json forced = s.control("force_task_completion", {{"task_id", taskId}, {"result", json::object()}});
    QVERIFY2(forced["success"].get<bool>(), forced.dump().c_str());
    status = s.call("get_task_status", {{"task_id", taskId}, {"include_result", true}});
    QCOMPARE(status.result["status"].get<std::string>(), std::string("completed"));
    const std::string id = status.result["result"]["media_buy_id"];
    QVERIFY(!id.empty());
    QTRY_COMPARE_WITH_TIMEOUT(s.execution->adapter("exchange")->counts().orders, 1, 60000);
    QVERIFY(!s.mediaBuy(id)["confirmed_at"].is_null());
    // Completing it again is an invalid transition.
    const json again = s.control("force_task_completion", {{"task_id", taskId}, {"result", json::object()}});
    QCOMPARE(again["error"].get<std::string>(), std::string("INVALID_TRANSITION"));
}

void TestExecLifecycle::decliningAnApprovalRejectsTheBuy()
{
    ExecSeller s(manualApprovalOptions());
    const auto outcome = s.call("create_media_buy", s.packageBuy());
    const std::string taskId = outcome.result["task_id"];
    // Through the seller console's API. Another principal's reviewer cannot reach the task: nothing changes.
    QString error;
    QVERIFY(!adcp::seller::backoffice::rejectHeldBuy(*s.context, "buyer-b", taskId, "not yours", &error));
    QVERIFY(!error.isEmpty());
    QCOMPARE(s.call("get_task_status", {{"task_id", taskId}}).result["status"].get<std::string>(),
             std::string("submitted"));
    error.clear();
    QVERIFY2(
        adcp::seller::backoffice::rejectHeldBuy(*s.context, "buyer-a", taskId, "inventory sold out", &error),
        qPrintable(error));
    // Decided once: a second refusal is refused.
    QVERIFY(!adcp::seller::backoffice::rejectHeldBuy(*s.context, "buyer-a", taskId, "again", &error));
    const auto status = s.call("get_task_status", {{"task_id", taskId}, {"include_result", true}});
    QCOMPARE(status.result["status"].get<std::string>(), std::string("rejected"));
    const auto buys = s.call("get_media_buys", {{"status_filter", {"rejected"}}});
    QCOMPARE(buys.result["media_buys"].size(), size_t(1));
    QCOMPARE(buys.result["media_buys"][0]["rejection_reason"].get<std::string>(),
             std::string("inventory sold out"));
}

void TestExecLifecycle::stateSurvivesRestart()
{
    ExecSeller s;
    const json created = s.activeBuy();
    const std::string id = created.at("media_buy_id");
    QVERIFY(s.call("update_media_buy", {{"idempotency_key", s.key()},
                                        {"account", {{"account_id", "acc-1"}}},
                                        {"media_buy_id", id},
                                        {"paused", true}})
                .ok());
    s.restart();
    const json buy = s.mediaBuy(id);
    QCOMPARE(buy["status"].get<std::string>(), std::string("paused"));
    QCOMPARE(buy["revision"].get<int>(), 2);
    QCOMPARE(buy["packages"][1]["creative_approvals"][0]["creative_id"].get<std::string>(),
             std::string("cr_v"));
    QCOMPARE(s.execution->adapter("exchange")->counts().orders, 1);
}

void TestExecLifecycle::controllerRespectsTheStateMachine()
{
    ExecSeller s;
    const json created = s.createBuy();
    const std::string id = created.at("media_buy_id");
    const json bad = s.control("force_media_buy_status", {{"media_buy_id", id}, {"status", "completed"}});
    QCOMPARE(bad["success"].get<bool>(), false);
    QCOMPARE(bad["error"].get<std::string>(), std::string("INVALID_TRANSITION"));
    QCOMPARE(bad["current_state"].get<std::string>(), std::string("pending_creatives"));
    const json ok = s.control("force_media_buy_status", {{"media_buy_id", id}, {"status", "rejected"}});
    QVERIFY(ok["success"].get<bool>());
    QCOMPARE(ok["previous_state"].get<std::string>(), std::string("pending_creatives"));
    QCOMPARE(s.status(id), std::string("rejected"));
    // The controller may stand in for creatives and the flight start: pending_creatives straight to active.
    const json other = s.createBuy();
    const json activated = s.control("force_media_buy_status",
                                     {{"media_buy_id", other.at("media_buy_id")}, {"status", "active"}});
    QVERIFY(activated["success"].get<bool>());
    QCOMPARE(s.status(other.at("media_buy_id")), std::string("active"));
    QCOMPARE(s.control("force_media_buy_status", {{"media_buy_id", "mb_nope"}, {"status", "active"}})["error"]
                 .get<std::string>(),
             std::string("NOT_FOUND"));
    QCOMPARE(s.control("no_such_scenario", json::object())["error"].get<std::string>(),
             std::string("UNKNOWN_SCENARIO"));
    const json scenarios = s.control("list_scenarios", json::object())["scenarios"];
    QVERIFY(std::find(scenarios.begin(), scenarios.end(), "force_property_status") != scenarios.end());
    // Non-sandbox principals are refused.
    const auto refused = s.call(s.other, "comply_test_controller",
                                {{"scenario", "list_scenarios"}, {"account", {{"sandbox", true}}}});
    QCOMPARE(refused.result["error"].get<std::string>(), std::string("FORBIDDEN"));
}

void TestExecLifecycle::syncCreativesRejectsBadInput_data()
{
    // $PKG_AUDIO / $PKG_VIDEO name the audio and video packages of a fresh buy.
    QTest::addColumn<QString>("request");
    QTest::addColumn<QString>("code");            // call error, empty = the call succeeds
    QTest::addColumn<QString>("itemAction");      // per-creative action when the call succeeds
    QTest::addColumn<QString>("assignmentError"); // start of assignment_errors[package], empty = assigned
    QTest::addColumn<bool>("stored");             // whether cr_new exists afterwards
    QTest::addColumn<int>("dependencies");        // creative assignments stored afterwards
    const QString audio = QString::fromUtf8(
        R"({"creative_id": "cr_new", "name": "n", "format_id": {"agent_url": "https://creative.adcontextprotocol.org", "id": "audio_standard_60s"}, "assets": {"main": {"asset_type": "url", "url": "https://cdn.example/x"}}})");
    QTest::newRow("format not accepted")
        << R"({"creatives": [{"creative_id": "cr_new", "name": "n", "format_id": {"agent_url": "https://creative.adcontextprotocol.org", "id": "banner_999"}, "assets": {"main": {"asset_type": "url", "url": "https://cdn.example/x"}}}], "assignments": [{"creative_id": "cr_new", "package_id": "$PKG_AUDIO"}]})"
        << ""
        << "failed"
        << "CREATIVE_REJECTED at assignments[0].creative_id" << false << 0;
    QTest::newRow("strict assignment to unknown package")
        << QString::fromUtf8(
               R"({"creatives": [%1], "assignments": [{"creative_id": "cr_new", "package_id": "pkg_unknown"}]})")
               .arg(audio)
        << ""
        << "created"
        << "PACKAGE_NOT_FOUND at assignments[0].package_id" << true << 0;
    QTest::newRow("lenient assignment to unknown package")
        << QString::fromUtf8(
               R"({"validation_mode": "lenient", "creatives": [%1], "assignments": [{"creative_id": "cr_new", "package_id": "pkg_unknown"}]})")
               .arg(audio)
        << ""
        << "created"
        << "PACKAGE_NOT_FOUND at assignments[0].package_id" << true << 0;
    QTest::newRow("format does not fit the product")
        << QString::fromUtf8(
               R"({"creatives": [%1], "assignments": [{"creative_id": "cr_new", "package_id": "$PKG_VIDEO"}]})")
               .arg(audio)
        << ""
        << "created"
        << "INVALID_REQUEST at assignments[0].creative_id" << true << 0;
    QTest::newRow("one assignment fits, one does not")
        << QString::fromUtf8(
               R"({"creatives": [%1], "assignments": [{"creative_id": "cr_new", "package_id": "$PKG_VIDEO"}, {"creative_id": "cr_new", "package_id": "$PKG_AUDIO"}]})")
               .arg(audio)
        << ""
        << "created"
        << "INVALID_REQUEST at assignments[0].creative_id" << true << 1;
    QTest::newRow("unknown creative")
        << R"({"assignments": [{"creative_id": "cr_new", "package_id": "$PKG_AUDIO"}]})"
        << ""
        << "unchanged"
        << "CREATIVE_NOT_FOUND at assignments[0].creative_id" << false << 0;
    QTest::newRow("atomic operations: one bad, none applied")
        << QString::fromUtf8(
               R"({"creatives": [%1], "assignment_operations": [{"operation": "assign", "creative_id": "cr_new", "package_id": "$PKG_AUDIO"}, {"operation": "assign", "creative_id": "cr_new", "package_id": "$PKG_VIDEO"}]})")
               .arg(audio)
        << "INVALID_REQUEST"
        << ""
        << "" << false << 0;
    QTest::newRow("atomic operations applied")
        << QString::fromUtf8(
               R"({"creatives": [%1], "assignment_operations": [{"operation": "assign", "creative_id": "cr_new", "package_id": "$PKG_AUDIO"}]})")
               .arg(audio)
        << ""
        << "created"
        << "" << true << 1;
    QTest::newRow("dry run")
        << QString::fromUtf8(
               R"({"dry_run": true, "creatives": [%1], "assignments": [{"creative_id": "cr_new", "package_id": "$PKG_AUDIO"}]})")
               .arg(audio)
        << ""
        << "created"
        << "" << false << 0;
}

void TestExecLifecycle::syncCreativesRejectsBadInput()
{
    QFETCH(QString, request);
    QFETCH(QString, code);
    QFETCH(QString, itemAction);
    QFETCH(QString, assignmentError);
    QFETCH(bool, stored);
    QFETCH(int, dependencies);
    ExecSeller s;
    const json created = s.createBuy();
    request.replace(QStringLiteral("$PKG_AUDIO"), QString::fromStdString(packageId(created, 0)));
    request.replace(QStringLiteral("$PKG_VIDEO"), QString::fromStdString(packageId(created, 1)));
    json args = json::parse(request.toStdString());
    args["idempotency_key"] = s.key();
    args["account"] = {{"account_id", "acc-1"}};
    const auto outcome = s.call("sync_creatives", args);
    QCOMPARE(QString::fromStdString(errorCode(outcome)), code.isEmpty() ? QStringLiteral("(ok)") : code);
    if (!code.isEmpty()) {
        // All-or-none: the error names the failing operation.
        QCOMPARE(QString::fromStdString(errorField(outcome)),
                 QStringLiteral("assignment_operations[1].creative_id"));
        QCOMPARE(QString::fromStdString(recovery(outcome)), QStringLiteral("correctable"));
    } else {
        const json &item = outcome.result["creatives"][0];
        QCOMPARE(QString::fromStdString(item["action"].get<std::string>()), itemAction);
        if (itemAction == QStringLiteral("failed")) {
            QCOMPARE(item["errors"][0]["code"].get<std::string>(), std::string("CREATIVE_REJECTED"));
            QCOMPARE(item["errors"][0]["field"].get<std::string>(), std::string("creatives[0].format_id"));
            QVERIFY(!item.contains("status"));
        }
        if (assignmentError.isEmpty()) {
            QVERIFY(!item.contains("assignment_errors"));
        } else {
            QCOMPARE(item["assignment_errors"].size(), size_t(1));
            const QString message =
                QString::fromStdString(item["assignment_errors"].begin().value().get<std::string>());
            QVERIFY2(message.startsWith(assignmentError), qPrintable(message));
            QVERIFY2(message.contains(QStringLiteral("(recovery: correctable")), qPrintable(message));
        }
        QCOMPARE(item.contains("assigned_to") ? int(item["assigned_to"].size()) : 0,
                 dependencies + (request.contains(QStringLiteral("dry_run")) ? 1 : 0));
    }
    // A later creative_assignments update can only name stored creatives.
    QSqlQuery q(s.context->database());
    q.exec(QStringLiteral(
        "SELECT COUNT(*) FROM mon_resources WHERE resource_type = 'creative' AND resource_id = 'cr_new'"));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toInt() == 1, stored);
    // The buy shows exactly the assignments that succeeded.
    const json buy = s.mediaBuy(created.at("media_buy_id"));
    int assigned = 0;
    for (const auto &p : buy["packages"])
        assigned += int(p.value("creative_approvals", json::array()).size());
    QCOMPARE(assigned, dependencies);
}

void TestExecLifecycle::listCreativeFormatsNamesTheCatalogFormats()
{
    ExecSeller s;
    const auto outcome = s.call("list_creative_formats", json::object());
    QVERIFY(outcome.ok());
    std::set<std::string> ids;
    for (const auto &f : outcome.result["formats"])
        ids.insert(f["format_id"]["id"].get<std::string>());
    for (const char *id : {"audio_standard_60s", "video_standard_30s", "display_image", "dooh_landscape"})
        QVERIFY2(ids.count(id), id);
    const auto filtered = s.call("list_creative_formats", {{"name_search", "audio"}});
    for (const auto &f : filtered.result["formats"])
        QVERIFY(f["format_id"]["id"].get<std::string>().find("audio") != std::string::npos);
    QVERIFY(!filtered.result["formats"].empty());
}

QTEST_GUILESS_MAIN(TestExecLifecycle)
#include "tst_exec_lifecycle.moc"
