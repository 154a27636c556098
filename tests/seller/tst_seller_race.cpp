// 50 threads race create_media_buy on one committed proposal: exactly one buy, 49 clean errors. 20 threads
// name one new natural key at once: exactly one account is provisioned and every call succeeds.

#include "sellertestfixture.h"

#include "domain/proposalstore.h"

#include <barrier>
#include <thread>
#include <vector>

using namespace sellertest;

class TestSellerRace : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneProposalOneBuy()
    {
        Seller s;
        const json committed = s.committedProposal();
        constexpr int kThreads = 50;
        std::vector<json> requests;
        for (int i = 0; i < kThreads; ++i)
            requests.push_back(s.buyArgs(committed)); // distinct idempotency keys: 50 separate attempts
        std::vector<adcp::ToolOutcome> outcomes(kThreads);
        std::barrier start(kThreads);
        std::vector<std::thread> threads;
        for (int i = 0; i < kThreads; ++i) {
            threads.emplace_back([&, i] {
                start.arrive_and_wait();
                outcomes[i] = s.call("create_media_buy", requests[i]);
            });
        }
        for (auto &t : threads)
            t.join();

        int wins = 0;
        std::string winner;
        std::map<std::string, int> codes;
        for (const auto &o : outcomes) {
            if (o.ok()) {
                ++wins;
                winner = o.result["media_buy_id"];
                continue;
            }
            ++codes[o.error->code];
            QVERIFY2(
                o.error->field.value_or("") == "proposal_id",
                (o.error->code + " on '" + o.error->field.value_or("") + "': " + o.error->message).c_str());
            QCOMPARE(std::string(adcp::toString(o.error->recovery)), std::string("correctable"));
        }
        QCOMPARE(wins, 1);
        QCOMPARE(codes.size(), size_t(1));
        QCOMPARE(codes.begin()->first, std::string("INVALID_STATE"));
        QCOMPARE(codes.begin()->second, kThreads - 1);
        QCOMPARE(s.rows(QStringLiteral("media_buys")), 1);
        auto db = s.context->database();
        const auto p = adcp::seller::ProposalStore::find(db, s.buyer.id, committed["proposal_id"], nullptr);
        QVERIFY(p);
        QCOMPARE(adcp::seller::toString(p->state), std::string("consumed"));
        QCOMPARE(p->mediaBuyId.value_or(""), winner);
        // Only the winner's key holds a response; the losers' keys were released.
        QCOMPARE(s.rows(QStringLiteral("idempotency")), 1);
    }

    void oneNewAccountForConcurrentFirstUse()
    {
        Seller s;
        constexpr int kThreads = 20;
        const json account = {{"brand", {{"domain", "race.example"}}}, {"operator", "agency.example"}};
        std::vector<adcp::ToolOutcome> outcomes(kThreads);
        std::vector<std::string> keys;
        for (int i = 0; i < kThreads; ++i)
            keys.push_back(s.key());
        std::barrier start(kThreads);
        std::vector<std::thread> threads;
        for (int i = 0; i < kThreads; ++i) {
            threads.emplace_back([&, i] {
                start.arrive_and_wait();
                // Alternating tools, as a window reading audiences and event sources together does.
                outcomes[i] = s.call(i % 2 ? "sync_event_sources" : "sync_audiences",
                                     {{"idempotency_key", keys[i]}, {"account", account}});
            });
        }
        for (auto &t : threads)
            t.join();
        for (const auto &o : outcomes)
            QVERIFY2(o.ok(), o.ok() ? "" : (o.error->code + ": " + o.error->message).c_str());
        QCOMPARE(s.rows(QStringLiteral("accounts")), 1);
    }
};

QTEST_GUILESS_MAIN(TestSellerRace)
#include "tst_seller_race.moc"
