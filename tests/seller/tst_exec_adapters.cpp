#include "jobs/simulatedadserver.h"

#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <vector>

using namespace adcp::seller;

class TestExecAdapters final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keyIsDeterministicAndDistinct();
    void bookTwiceCreatesOneOrder_data();
    void bookTwiceCreatesOneOrder();
    void guaranteedApprovalWaitsThenCompletes();
    void lostResponsesNeverDuplicateOrders_data();
    void lostResponsesNeverDuplicateOrders();
    void ordersSurviveReopen();
    void stateStepsFollowTheOrder_data();
    void stateStepsFollowTheOrder();
    void unknownPackageFails();

private:
    std::unique_ptr<SimulatedAdServer> make(const QString &kind, SimulatedAdServerOptions options);
    QTemporaryDir m_dir;
    int m_files = 0;
    QString freshPath() { return m_dir.filePath(QStringLiteral("adserver%1.sqlite").arg(++m_files)); }
};

std::unique_ptr<SimulatedAdServer> TestExecAdapters::make(const QString &kind,
                                                          SimulatedAdServerOptions options)
{
    if (kind == QStringLiteral("guaranteed"))
        return std::make_unique<GuaranteedAdServer>(std::move(options));
    return std::make_unique<AuctionExchange>(std::move(options));
}

void TestExecAdapters::keyIsDeterministicAndDistinct()
{
    const AdapterRequest a{"mb_1", "pkg_1", "book", {}};
    const AdapterRequest same{"mb_1", "pkg_1", "book", {{"budget", 5}}};
    const AdapterRequest otherStep{"mb_1", "pkg_1", "approve", {}};
    const AdapterRequest shifted{"mb_1p", "kg_1", "book", {}};
    QCOMPARE(a.idempotencyKey(), same.idempotencyKey());
    QVERIFY(a.idempotencyKey() != otherStep.idempotencyKey());
    QVERIFY(a.idempotencyKey() != shifted.idempotencyKey());
    QVERIFY(a.idempotencyKey().size() >= 16);
}

void TestExecAdapters::bookTwiceCreatesOneOrder_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("firstState");
    QTest::newRow("guaranteed") << QStringLiteral("guaranteed") << QStringLiteral("pending_approval");
    QTest::newRow("exchange") << QStringLiteral("exchange") << QStringLiteral("active");
}

void TestExecAdapters::bookTwiceCreatesOneOrder()
{
    QFETCH(QString, kind);
    QFETCH(QString, firstState);
    auto server = make(kind, {freshPath()});
    const AdapterRequest request{"mb_a", "pkg_a", "book", {{"budget", 1000}}};
    const AdapterResult first = server->execute(request);
    QCOMPARE(int(first.status), int(AdapterStatus::Done));
    QCOMPARE(QString::fromStdString(first.state), firstState);
    QVERIFY(!first.replayed);
    const AdapterResult second = server->execute(request);
    QCOMPARE(int(second.status), int(AdapterStatus::Done));
    QVERIFY(second.replayed);
    QCOMPARE(second.externalId, first.externalId);
    const AdServerCounts counts = server->counts();
    QCOMPARE(counts.orders, 1);
    QCOMPARE(counts.bookRequests, 2);
    QCOMPARE(counts.replayedBooks, 1);
}

void TestExecAdapters::guaranteedApprovalWaitsThenCompletes()
{
    // The trafficker takes 400 ms on the ad server's clock, pinned here: how long the calls themselves take
    // on a loaded machine must not decide whether "approve" comes early.
    std::atomic<qint64> nowMs{1'000'000};
    SimulatedAdServerOptions options{freshPath(), 0, 0, 400};
    options.clockMs = [&nowMs] { return nowMs.load(); };
    GuaranteedAdServer server(std::move(options));
    QCOMPARE(int(server.execute({"mb_g", "pkg_1", "book", {}}).status), int(AdapterStatus::Done));
    const AdapterResult early = server.execute({"mb_g", "pkg_1", "approve", {}});
    QCOMPARE(int(early.status), int(AdapterStatus::RetryLater));
    QCOMPARE(early.retryAfterSeconds, 1);
    QCOMPARE(server.orderState("mb_g", "pkg_1"), std::string("pending_approval"));
    nowMs += 399;
    QCOMPARE(int(server.execute({"mb_g", "pkg_1", "approve", {}}).status), int(AdapterStatus::RetryLater));
    QCOMPARE(server.orderState("mb_g", "pkg_1"), std::string("pending_approval"));
    nowMs += 1;
    QCOMPARE(int(server.execute({"mb_g", "pkg_1", "approve", {}}).status), int(AdapterStatus::Done));
    QCOMPARE(server.orderState("mb_g", "pkg_1"), std::string("ready"));
    // Approving again is harmless.
    QCOMPARE(int(server.execute({"mb_g", "pkg_1", "approve", {}}).status), int(AdapterStatus::Done));
}

void TestExecAdapters::lostResponsesNeverDuplicateOrders_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("guaranteed") << QStringLiteral("guaranteed");
    QTest::newRow("exchange") << QStringLiteral("exchange");
}

// Four threads retry every package until the ad server answers Done, with half the calls failing (half of
// those after the write). Exactly one order per package must exist afterwards.
void TestExecAdapters::lostResponsesNeverDuplicateOrders()
{
    QFETCH(QString, kind);
    auto server = make(kind, {freshPath(), 0, 0.5, 0, 42});
    constexpr int packages = 40;
    std::atomic<int> lostAfterWrite{0};
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back(QThread::create([&server, &lostAfterWrite] {
            for (int p = 0; p < packages; ++p) {
                const AdapterRequest request{
                    "mb_" + std::to_string(p % 7), "pkg_" + std::to_string(p), "book", {}};
                for (;;) {
                    const AdapterResult result = server->execute(request);
                    if (result.status == AdapterStatus::Done)
                        break;
                    if (result.message.find("after the request") != std::string::npos)
                        ++lostAfterWrite;
                }
            }
        }));
        threads.back()->start();
    }
    for (auto &thread : threads)
        QVERIFY(thread->wait(60000));
    const AdServerCounts counts = server->counts();
    QCOMPARE(counts.orders, packages);
    QVERIFY2(lostAfterWrite.load() > 0, "fault injection never lost a response; the test proves nothing");
    QVERIFY(counts.replayedBooks >= 3 * packages);
}

void TestExecAdapters::ordersSurviveReopen()
{
    const QString path = freshPath();
    std::string externalId;
    {
        AuctionExchange server({path});
        externalId = server.execute({"mb_r", "pkg_r", "book", {}}).externalId;
    }
    // A new instance (another process after a crash, in effect) knows the key.
    AuctionExchange again({path});
    const AdapterResult replay = again.execute({"mb_r", "pkg_r", "book", {}});
    QVERIFY(replay.replayed);
    QCOMPARE(replay.externalId, externalId);
    QCOMPARE(again.counts().orders, 1);
}

void TestExecAdapters::stateStepsFollowTheOrder_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("resumed");
    QTest::newRow("guaranteed") << QStringLiteral("guaranteed") << QStringLiteral("ready");
    QTest::newRow("exchange") << QStringLiteral("exchange") << QStringLiteral("active");
}

void TestExecAdapters::stateStepsFollowTheOrder()
{
    QFETCH(QString, kind);
    QFETCH(QString, resumed);
    auto server = make(kind, {freshPath()});
    QCOMPARE(int(server->execute({"mb_s", "p", "book", {}}).status), int(AdapterStatus::Done));
    QCOMPARE(int(server->execute({"mb_s", "p", "pause", {}}).status), int(AdapterStatus::Done));
    QCOMPARE(server->orderState("mb_s", "p"), std::string("paused"));
    QCOMPARE(int(server->execute({"mb_s", "p", "resume", {}}).status), int(AdapterStatus::Done));
    QCOMPARE(QString::fromStdString(server->orderState("mb_s", "p")), resumed);
    QCOMPARE(int(server->execute({"mb_s", "p", "cancel", {}}).status), int(AdapterStatus::Done));
    QCOMPARE(server->orderState("mb_s", "p"), std::string("canceled"));
}

void TestExecAdapters::unknownPackageFails()
{
    GuaranteedAdServer server({freshPath()});
    const AdapterResult result = server.execute({"mb_x", "nope", "approve", {}});
    QCOMPARE(int(result.status), int(AdapterStatus::Failed));
    QVERIFY(!result.message.empty());
    QCOMPARE(int(server.execute({"mb_x", "nope", "pause", {}}).status), int(AdapterStatus::Failed));
}

QTEST_GUILESS_MAIN(TestExecAdapters)
#include "tst_exec_adapters.moc"
