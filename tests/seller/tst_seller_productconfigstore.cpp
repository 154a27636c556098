// ProductConfigStore: asked exactly once per create_media_buy with the deduplicated product ids; all found,
// partial answer passed on as is, failing lookup rejects with nothing written.

#include "sellertestfixture.h"

#include "domain/acceptedorder.h"
#include "domain/productconfigstore.h"
#include "domain/proposalstore.h"

#include <mutex>

using namespace sellertest;

namespace {

class CountingConfigStore final : public adcp::seller::ProductConfigStore
{
public:
    enum class Mode { All, Partial, Fail };
    explicit CountingConfigStore(Mode mode) : m_mode(mode) {}

    adcp::seller::ProductConfigLookup lookup(const std::vector<std::string> &productIds) override
    {
        std::lock_guard lock(m_mutex);
        calls.push_back(productIds);
        adcp::seller::ProductConfigLookup result;
        if (m_mode == Mode::Fail) {
            result.ok = false;
            result.error = "product system timed out";
            return result;
        }
        for (size_t i = 0; i < productIds.size(); ++i) {
            if (m_mode == Mode::Partial && i % 2 == 1)
                continue; // every second product has no config
            result.configs[productIds[i]] = {{"template", "T_" + productIds[i]}, {"placements", {"p1"}}};
        }
        return result;
    }

    std::vector<std::vector<std::string>> calls;

private:
    Mode m_mode;
    std::mutex m_mutex;
};

json packagesArgs(Seller &s)
{
    // Three packages over two products: the lookup must see each product once, in order of appearance.
    return {{"idempotency_key", s.key()},
            {"account", {{"account_id", "acc-1"}}},
            {"brand", {{"domain", "acme.example"}}},
            {"start_time", "asap"},
            {"end_time", s.context->clock().now().addDays(10).toString(Qt::ISODate).toStdString()},
            {"packages",
             {{{"product_id", "social_vertical_video"},
               {"pricing_option_id", "social_feed_auction_usd"},
               {"budget", 2000}},
              {{"product_id", "news_run_of_site_display"},
               {"pricing_option_id", "ros_auction_usd"},
               {"budget", 3000}},
              {{"product_id", "social_vertical_video"},
               {"pricing_option_id", "social_feed_auction_usd"},
               {"budget", 2500}}}}};
}

} // namespace

class TestSellerProductConfigStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void allFound()
    {
        Seller s;
        auto store = std::make_shared<CountingConfigStore>(CountingConfigStore::Mode::All);
        s.context->setProductConfigStore(store);
        std::vector<adcp::seller::AcceptedOrder> orders;
        s.context->setOrderAcceptedHook([&](QSqlDatabase &, const adcp::seller::AcceptedOrder &o, QString *) {
            orders.push_back(o);
            return true;
        });
        const auto outcome = s.call("create_media_buy", packagesArgs(s));
        QVERIFY2(outcome.ok(), outcome.ok() ? "" : outcome.error->message.c_str());
        QCOMPARE(store->calls.size(), size_t(1));
        QVERIFY(store->calls[0] ==
                (std::vector<std::string>{"social_vertical_video", "news_run_of_site_display"}));
        QCOMPARE(orders.size(), size_t(1));
        QCOMPARE(orders[0].packages.size(), size_t(3));
        for (const auto &p : orders[0].packages)
            QCOMPARE(p.implementationConfig["template"].get<std::string>(), "T_" + p.productId);
        QSqlQuery q(s.context->database());
        QVERIFY(
            q.exec(QStringLiteral("SELECT COUNT(*) FROM packages WHERE implementation_config LIKE '%T_%'")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 3);
        // ... and never in the answer.
        QVERIFY(outcome.result.dump().find("T_social") == std::string::npos);
    }

    void partialAnswerIsPassedOn()
    {
        Seller s;
        auto store = std::make_shared<CountingConfigStore>(CountingConfigStore::Mode::Partial);
        s.context->setProductConfigStore(store);
        std::vector<adcp::seller::AcceptedOrder> orders;
        s.context->setOrderAcceptedHook([&](QSqlDatabase &, const adcp::seller::AcceptedOrder &o, QString *) {
            orders.push_back(o);
            return true;
        });
        const auto outcome = s.call("create_media_buy", packagesArgs(s));
        QVERIFY(outcome.ok());
        QCOMPARE(store->calls.size(), size_t(1));
        QCOMPARE(orders.size(), size_t(1));
        const auto &packages = orders[0].packages;
        QVERIFY(packages[0].implementationConfig.is_object());
        QVERIFY(
            packages[1].implementationConfig.is_null()); // news_run_of_site_display: no config, as answered
        QVERIFY(packages[2].implementationConfig.is_object());
        QSqlQuery q(s.context->database());
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM packages WHERE implementation_config IS NULL")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 1);
    }

    void lookupFails_data()
    {
        QTest::addColumn<bool>("fromProposal");
        QTest::newRow("explicit packages") << false;
        QTest::newRow("committed proposal") << true;
    }

    void lookupFails()
    {
        QFETCH(bool, fromProposal);
        Seller s;
        json args = fromProposal ? s.buyArgs(s.committedProposal()) : packagesArgs(s);
        auto store = std::make_shared<CountingConfigStore>(CountingConfigStore::Mode::Fail);
        s.context->setProductConfigStore(store);
        const auto before = s.allRows();
        const auto outcome = s.call("create_media_buy", args);
        QCOMPARE(errorCode(outcome), std::string("IMPLEMENTATION_CONFIG_LOOKUP_FAILED"));
        QCOMPARE(recovery(outcome), std::string("transient"));
        QCOMPARE(store->calls.size(), size_t(1));
        QVERIFY(s.allRows() == before);
        if (fromProposal) {
            auto db = s.context->database();
            const auto p = adcp::seller::ProposalStore::find(db, s.buyer.id, args["proposal_id"], nullptr);
            QCOMPARE(adcp::seller::toString(p->state), std::string("committed"));
        }
        // The same request succeeds once the lookup works again (the key was not consumed).
        s.context->setProductConfigStore(
            std::make_shared<CountingConfigStore>(CountingConfigStore::Mode::All));
        QVERIFY(s.call("create_media_buy", args).ok());
    }

    void databaseStoreReadsTheCatalogConfigs()
    {
        Seller s;
        auto store = s.context->productConfigStore();
        const auto result =
            store->lookup({"news_homepage_takeover", "no_such_product", "dooh_transit_screens"});
        QVERIFY(result.ok);
        QCOMPARE(result.configs.size(), size_t(2));
        QCOMPARE(result.configs.at("news_homepage_takeover")["order_template"].get<std::string>(),
                 std::string("HP_TAKEOVER_v3"));
        QVERIFY(!result.configs.contains("no_such_product"));
    }
};

QTEST_GUILESS_MAIN(TestSellerProductConfigStore)
#include "tst_seller_productconfigstore.moc"
