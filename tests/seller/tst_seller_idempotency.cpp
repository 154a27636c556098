// Idempotency of mutating calls, per principal: replay, conflict, expiry, in-flight, released keys.

#include "sellertestfixture.h"

#include "domain/productconfigstore.h"
#include "idempotency/idempotencystore.h"

#include <QSemaphore>

#include <thread>

using namespace sellertest;

namespace {

// Holds create_media_buy inside its config lookup until released, so a second call can meet the first in
// flight.
class BlockingConfigStore final : public adcp::seller::ProductConfigStore
{
public:
    QSemaphore entered;
    QSemaphore release;
    adcp::seller::ProductConfigLookup lookup(const std::vector<std::string> &) override
    {
        entered.release();
        release.acquire();
        return {};
    }
};

json buyArgs(Seller &s, const std::string &key, double budget = 5000)
{
    return {{"idempotency_key", key},
            {"account", {{"account_id", "acc-1"}}},
            {"brand", {{"domain", "acme.example"}}},
            {"start_time", "asap"},
            {"end_time", s.context->clock().now().addDays(10).toString(Qt::ISODate).toStdString()},
            {"packages",
             {{{"product_id", "news_run_of_site_display"},
               {"pricing_option_id", "ros_auction_usd"},
               {"budget", budget}}}}};
}

} // namespace

class TestSellerIdempotency : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void replayReturnsTheStoredResponse()
    {
        Seller s;
        const std::string key = s.key();
        json args = buyArgs(s, key);
        args["context"] = {{"attempt", 1}};
        const auto first = s.call("create_media_buy", args);
        QVERIFY(first.ok());
        QVERIFY(!first.result.contains("replayed"));
        args["context"] = {{"attempt", 2}}; // context is not part of the request's identity
        const auto second = s.call("create_media_buy", args);
        QVERIFY(second.ok());
        QVERIFY(second.result["replayed"].get<bool>());
        QVERIFY(second.result["media_buy_id"] == first.result["media_buy_id"]);
        QVERIFY(second.result["packages"] == first.result["packages"]);
        QCOMPARE(second.result["context"]["attempt"].get<int>(), 2);
        QCOMPARE(s.rows(QStringLiteral("media_buys")), 1);
    }

    void conflicts_data()
    {
        QTest::addColumn<QString>("tool");
        QTest::addColumn<double>("budget");
        QTest::newRow("other payload") << "create_media_buy" << 6000.0;
        QTest::newRow("other tool") << "get_products" << 5000.0;
    }

    void conflicts()
    {
        QFETCH(QString, tool);
        QFETCH(double, budget);
        Seller s;
        const std::string key = s.key();
        QVERIFY(s.call("create_media_buy", buyArgs(s, key)).ok());
        const auto before = s.allRows();
        const json args = tool == QLatin1String("get_products")
                              ? json{{"buying_mode", "wholesale"}, {"idempotency_key", key}}
                              : buyArgs(s, key, budget);
        const auto outcome = s.call(tool.toStdString(), args);
        QCOMPARE(errorCode(outcome), std::string("IDEMPOTENCY_CONFLICT"));
        QCOMPARE(errorField(outcome), std::string("idempotency_key"));
        QCOMPARE(recovery(outcome), std::string("correctable"));
        QVERIFY(s.allRows() == before);
    }

    void expiredKey()
    {
        adcp::seller::SellerOptions o;
        o.idempotencyTtlSeconds = 3600;
        Seller s(o);
        const std::string key = s.key();
        QVERIFY(s.call("create_media_buy", buyArgs(s, key)).ok());
        s.context->clock().advance(3601);
        const auto outcome = s.call("create_media_buy", buyArgs(s, key));
        QCOMPARE(errorCode(outcome), std::string("IDEMPOTENCY_EXPIRED"));
        QCOMPARE(errorField(outcome), std::string("idempotency_key"));
        QCOMPARE(recovery(outcome), std::string("correctable"));
        QCOMPARE(s.rows(QStringLiteral("media_buys")), 1);
    }

    void inFlight()
    {
        Seller s;
        auto store = std::make_shared<BlockingConfigStore>();
        s.context->setProductConfigStore(store);
        const std::string key = s.key();
        const json args = buyArgs(s, key);
        adcp::ToolOutcome first;
        std::thread worker([&] { first = s.call("create_media_buy", args); });
        store->entered.acquire(); // the first call now holds the key
        // The claim is the process's, not a row: nothing is written before the call's own transaction.
        QCOMPARE(s.rows(QStringLiteral("idempotency")), 0);
        QCOMPARE(s.context->inFlightKeys().size(), 1);
        const auto second = s.call("create_media_buy", args);
        store->release.release();
        worker.join();
        QCOMPARE(errorCode(second), std::string("IDEMPOTENCY_IN_FLIGHT"));
        QCOMPARE(recovery(second), std::string("transient"));
        QVERIFY(second.error->retryAfter.has_value());
        QVERIFY(first.ok());
        store->release.release(); // the replay below does not look configs up; keep the store open anyway
        const auto third = s.call("create_media_buy", args);
        QVERIFY(third.ok());
        QVERIFY(third.result["replayed"].get<bool>());
        QVERIFY(third.result["media_buy_id"] == first.result["media_buy_id"]);
        QCOMPARE(s.context->inFlightKeys().size(), 0);
    }

    // Two processes on one database (here two seller contexts on one file, each with its own running keys):
    // the second runs the same keyed call while the first is held inside it and commits first; the first then
    // finds the record at its commit, rolls its order back and replays the second's answer. One order.
    void aDuplicateInAnotherProcessReplaysTheFirst()
    {
        Seller s;
        auto store = std::make_shared<BlockingConfigStore>();
        s.context->setProductConfigStore(store);
        QString error;
        auto otherProcess = adcp::seller::SellerContext::open(s.options, &error);
        QVERIFY2(otherProcess, qPrintable(error));
        adcp::seller::Dispatcher other(otherProcess);
        const json args = buyArgs(s, s.key());
        adcp::ToolOutcome first;
        std::thread worker([&] { first = s.call("create_media_buy", args); });
        store->entered.acquire();
        const auto second = other.call(s.buyer, "create_media_buy", args);
        store->release.release();
        worker.join();
        QVERIFY2(second.ok(), second.ok() ? "" : second.error->message.c_str());
        QVERIFY(!second.result.contains("replayed"));
        QVERIFY2(first.ok(), first.ok() ? "" : first.error->message.c_str());
        QCOMPARE(first.result.value("replayed", false), true);
        QVERIFY(first.result["media_buy_id"] == second.result["media_buy_id"]);
        QCOMPARE(s.rows(QStringLiteral("media_buys")), 1);
        QCOMPARE(s.rows(QStringLiteral("idempotency")), 1);
    }

    void failedCallsReleaseTheKey()
    {
        Seller s;
        const std::string key = s.key();
        const auto rejected = s.call("create_media_buy", buyArgs(s, key, 10)); // below the minimum spend
        QCOMPARE(errorCode(rejected), std::string("BUDGET_TOO_LOW"));
        QCOMPARE(s.rows(QStringLiteral("idempotency")), 0);
        const auto corrected = s.call("create_media_buy", buyArgs(s, key, 5000));
        QVERIFY(corrected.ok());
        QVERIFY(!corrected.result.contains("replayed"));
    }

    void keysBelongToOnePrincipal()
    {
        Seller s;
        const std::string key = s.key();
        const auto mine = s.call("create_media_buy", buyArgs(s, key));
        const auto theirs = s.call(s.other, "create_media_buy", buyArgs(s, key));
        QVERIFY(mine.ok() && theirs.ok());
        QVERIFY(!theirs.result.contains("replayed"));
        QVERIFY(mine.result["media_buy_id"] != theirs.result["media_buy_id"]);
        QCOMPARE(s.rows(QStringLiteral("media_buys")), 2);
    }

    void refineReplayDoesNotReviseTwice()
    {
        Seller s;
        const json draft = s.briefProposal("CTV and online video, budget $300k");
        const json args = {{"buying_mode", "refine"},
                           {"idempotency_key", s.key()},
                           {"refine", {{{"scope", "request"}, {"ask", "budget $400,000"}}}}};
        const auto first = s.call("get_products", args);
        const auto second = s.call("get_products", args);
        QVERIFY(first.ok() && second.ok());
        QVERIFY(second.result["replayed"].get<bool>());
        QSqlQuery q(s.context->database());
        QVERIFY(q.exec(QStringLiteral("SELECT current_version FROM proposals WHERE proposal_id = '") +
                       QString::fromStdString(draft["proposal_id"]) + QLatin1Char('\'')));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 2);
    }
};

QTEST_GUILESS_MAIN(TestSellerIdempotency)
#include "tst_seller_idempotency.moc"
