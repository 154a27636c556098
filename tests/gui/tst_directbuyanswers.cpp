// The workbench's reading of the AdCP 3.2 direct-buy answers (list_products, buy_products,
// control_media_buy): a well-formed answer gives what the window keeps; a malformed one (a buggy or hostile
// seller) gives INVALID_RESPONSE naming the member, never an exception. And the refusals the planner reads:
// REQUOTE_REQUIRED and stale versions in plain words.

#include "directbuyanswers.h"

#include <QTest>

using namespace adcp::models;
using nlohmann::json;

class TestDirectBuyAnswers final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void catalogPageListed();
    void catalogPageUnchanged();
    void malformedCatalogPages_data();
    void malformedCatalogPages();
    void directBuyFromTheAcceptedTerms();
    void malformedDirectBuys_data();
    void malformedDirectBuys();
    void controlAnswer();
    void malformedControlAnswers_data();
    void malformedControlAnswers();
    void lifecycleTools();
    void requoteInPlainWords();
    void staleVersionsAskForAReload();
};

void TestDirectBuyAnswers::catalogPageListed()
{
    const json answer = {{"outcome", "listed"},
                         {"feed_version", "f1"},
                         {"pricing_version", "p1"},
                         {"cache_scope", "public"},
                         {"next_cursor", "o25.f1"},
                         {"products", {{{"product_id", "a"}, {"name", "A"}}, {{"product_id", "b"}}}}};
    adcp::AdcpError error;
    const auto page = readCatalogPage(answer, &error);
    QVERIFY(page);
    QVERIFY(!page->unchanged);
    QCOMPARE(page->feedVersion, QStringLiteral("f1"));
    QCOMPARE(page->pricingVersion, QStringLiteral("p1"));
    QCOMPARE(page->nextCursor, QStringLiteral("o25.f1"));
    QCOMPARE(page->products.size(), size_t(2));
    // A seller that does not version its pricing, on its last page.
    json plain = answer;
    plain.erase("pricing_version");
    plain.erase("next_cursor");
    const auto last = readCatalogPage(plain, &error);
    QVERIFY(last && last->pricingVersion.isEmpty() && last->nextCursor.isEmpty());
}

void TestDirectBuyAnswers::catalogPageUnchanged()
{
    adcp::AdcpError error;
    const auto page = readCatalogPage(
        {{"outcome", "unchanged"}, {"feed_version", "f1"}, {"cache_scope", "public"}}, &error);
    QVERIFY(page);
    QVERIFY(page->unchanged);
    QVERIFY(page->products.is_array() && page->products.empty());
}

void TestDirectBuyAnswers::malformedCatalogPages_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<QString>("field");
    QTest::newRow("not an object") << QByteArray(R"([1,2])") << QString();
    QTest::newRow("null") << QByteArray("null") << QString();
    QTest::newRow("no outcome") << QByteArray(R"({"feed_version":"f","products":[]})")
                                << QStringLiteral("outcome");
    QTest::newRow("odd outcome") << QByteArray(R"({"outcome":"maybe","feed_version":"f","products":[]})")
                                 << QStringLiteral("outcome");
    QTest::newRow("no feed version") << QByteArray(R"({"outcome":"listed","products":[]})")
                                     << QStringLiteral("feed_version");
    QTest::newRow("numeric feed version")
        << QByteArray(R"({"outcome":"listed","feed_version":7,"products":[]})")
        << QStringLiteral("feed_version");
    QTest::newRow("pricing version object")
        << QByteArray(R"({"outcome":"listed","feed_version":"f","pricing_version":{},"products":[]})")
        << QStringLiteral("pricing_version");
    QTest::newRow("cursor number")
        << QByteArray(R"({"outcome":"listed","feed_version":"f","next_cursor":3,"products":[]})")
        << QStringLiteral("next_cursor");
    QTest::newRow("listed without products")
        << QByteArray(R"({"outcome":"listed","feed_version":"f"})") << QStringLiteral("products");
    QTest::newRow("products an object")
        << QByteArray(R"({"outcome":"listed","feed_version":"f","products":{}})")
        << QStringLiteral("products");
    QTest::newRow("product without id")
        << QByteArray(
               R"({"outcome":"listed","feed_version":"f","products":[{"product_id":"a"},{"name":"x"}]})")
        << QStringLiteral("products[1]");
    QTest::newRow("product a string")
        << QByteArray(R"({"outcome":"listed","feed_version":"f","products":["a"]})")
        << QStringLiteral("products[0]");
    QTest::newRow("empty product id")
        << QByteArray(R"({"outcome":"listed","feed_version":"f","products":[{"product_id":""}]})")
        << QStringLiteral("products[0]");
}

void TestDirectBuyAnswers::malformedCatalogPages()
{
    QFETCH(QByteArray, answer);
    QFETCH(QString, field);
    adcp::AdcpError error;
    QVERIFY(!readCatalogPage(json::parse(answer.constData()), &error));
    QCOMPARE(QString::fromStdString(error.code), QStringLiteral("INVALID_RESPONSE"));
    QCOMPARE(QString::fromStdString(error.field.value_or(std::string())), field);
    QVERIFY(error.message.find("list_products") != std::string::npos);
    // Without a place for the error it is still refused.
    QVERIFY(!readCatalogPage(json::parse(answer.constData()), nullptr));
}

void TestDirectBuyAnswers::directBuyFromTheAcceptedTerms()
{
    const json answer = {
        {"status", "completed"},
        {"media_buy_id", "mb-9"},
        {"revision", 1},
        {"media_buy_status", "pending_creatives"},
        {"confirmed_at", "2026-03-01T12:00:00Z"},
        {"accepted_proposal",
         {{"proposal_id", "prop-1"},
          {"commercial_terms",
           {{"purchases", {{{"product_id", "a"}, {"budget", 1200}}, {{"product_id", "b"}, {"budget", 300}}}},
            {"start_time", "2026-03-02T00:00:00Z"},
            {"end_time", "2026-04-01T00:00:00Z"},
            {"total_budget", {{"amount", 1500}, {"currency", "EUR"}}}}}}},
        {"purchase_bindings",
         {{{"purchase_index", 1}, {"product_id", "b"}, {"package_id", "pkg-2"}},
          {{"purchase_index", 0}, {"product_id", "a"}, {"package_id", "pkg-1"}}}}};
    adcp::AdcpError error;
    const auto buy = readDirectBuy(answer, &error);
    QVERIFY(buy);
    QVERIFY((*buy)["media_buy_id"] == json("mb-9"));
    QVERIFY((*buy)["media_buy_status"] == json("pending_creatives"));
    QVERIFY(!buy->contains("status")); // the task's status is not the buy's
    QVERIFY((*buy)["revision"] == json(1));
    QVERIFY((*buy)["proposal_id"] == json("prop-1"));
    QVERIFY((*buy)["total_budget"] == json({{"amount", 1500}, {"currency", "EUR"}}));
    QVERIFY((*buy)["start_time"] == json("2026-03-02T00:00:00Z"));
    QVERIFY((*buy)["packages"] == json({{{"package_id", "pkg-2"}, {"product_id", "b"}, {"budget", 300}},
                                        {{"package_id", "pkg-1"}, {"product_id", "a"}, {"budget", 1200}}}));
    // The bare minimum a seller may answer still makes a buy.
    const auto bare = readDirectBuy({{"media_buy_id", "mb-1"}}, &error);
    QVERIFY(bare && (*bare)["media_buy_id"] == "mb-1" && !bare->contains("packages"));
}

void TestDirectBuyAnswers::malformedDirectBuys_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<QString>("field");
    QTest::newRow("string") << QByteArray(R"("ok")") << QString();
    QTest::newRow("no id") << QByteArray(R"({"status":"completed","revision":1})")
                           << QStringLiteral("media_buy_id");
    QTest::newRow("numeric id") << QByteArray(R"({"media_buy_id":12})") << QStringLiteral("media_buy_id");
    QTest::newRow("revision text") << QByteArray(R"({"media_buy_id":"m","revision":"1"})")
                                   << QStringLiteral("revision");
    QTest::newRow("status number") << QByteArray(R"({"media_buy_id":"m","media_buy_status":3})")
                                   << QStringLiteral("media_buy_status");
}

void TestDirectBuyAnswers::malformedDirectBuys()
{
    QFETCH(QByteArray, answer);
    QFETCH(QString, field);
    adcp::AdcpError error;
    QVERIFY(!readDirectBuy(json::parse(answer.constData()), &error));
    QCOMPARE(QString::fromStdString(error.code), QStringLiteral("INVALID_RESPONSE"));
    QCOMPARE(QString::fromStdString(error.field.value_or(std::string())), field);
}

void TestDirectBuyAnswers::controlAnswer()
{
    adcp::AdcpError error;
    const auto update = readControlledBuy(
        {{"status", "completed"}, {"media_buy_id", "mb-1"}, {"revision", 4}, {"media_buy_status", "paused"}},
        QStringLiteral("mb-1"), &error);
    QVERIFY(update);
    QVERIFY(*update == json({{"media_buy_id", "mb-1"}, {"revision", 4}, {"media_buy_status", "paused"}}));
    // Junk in a member the window does not read (bindings, a malformed available_actions) is ignored, not
    // trusted.
    const auto odd = readControlledBuy({{"media_buy_id", "mb-1"}, {"revision", 5}, {"available_actions", 7}},
                                       QStringLiteral("mb-1"), &error);
    QVERIFY(odd && !odd->contains("media_buy_status"));
}

void TestDirectBuyAnswers::malformedControlAnswers_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<QString>("field");
    QTest::newRow("array") << QByteArray("[]") << QString();
    QTest::newRow("no id") << QByteArray(R"({"revision":2})") << QStringLiteral("media_buy_id");
    QTest::newRow("another buy") << QByteArray(R"({"media_buy_id":"mb-2","revision":2})")
                                 << QStringLiteral("media_buy_id");
    QTest::newRow("no revision") << QByteArray(R"({"media_buy_id":"mb-1"})") << QStringLiteral("revision");
    QTest::newRow("fractional revision")
        << QByteArray(R"({"media_buy_id":"mb-1","revision":2.5})") << QStringLiteral("revision");
    QTest::newRow("status array") << QByteArray(
                                         R"({"media_buy_id":"mb-1","revision":2,"media_buy_status":[]})")
                                  << QStringLiteral("media_buy_status");
}

void TestDirectBuyAnswers::malformedControlAnswers()
{
    QFETCH(QByteArray, answer);
    QFETCH(QString, field);
    adcp::AdcpError error;
    QVERIFY(!readControlledBuy(json::parse(answer.constData()), QStringLiteral("mb-1"), &error));
    QCOMPARE(QString::fromStdString(error.code), QStringLiteral("INVALID_RESPONSE"));
    QCOMPARE(QString::fromStdString(error.field.value_or(std::string())), field);
}

void TestDirectBuyAnswers::lifecycleTools()
{
    const json caps = {{"media_buy", {{"lifecycle_tools", {"list_products", "control_media_buy"}}}}};
    QVERIFY(offersLifecycleTool(caps, QStringLiteral("list_products")));
    QVERIFY(!offersLifecycleTool(caps, QStringLiteral("buy_products")));
    QVERIFY(!offersLifecycleTool(json(), QStringLiteral("list_products")));
    QVERIFY(!offersLifecycleTool({{"media_buy", {{"lifecycle_tools", "list_products"}}}},
                                 QStringLiteral("list_products")));
    QVERIFY(!offersLifecycleTool({{"media_buy", 3}}, QStringLiteral("list_products")));
}

void TestDirectBuyAnswers::requoteInPlainWords()
{
    adcp::AdcpError requote =
        adcp::AdcpError::make("REQUOTE_REQUIRED", "total_budget $9,000 exceeds the accepted $5,000",
                              std::string("total_budget.amount"));
    requote.details = {{"envelope_field", "total_budget.amount"}};
    const adcp::AdcpError explained = explainControlError(requote);
    QCOMPARE(explained.code, std::string("REQUOTE_REQUIRED"));
    const QString message = QString::fromStdString(explained.message);
    QVERIFY2(message.contains(QStringLiteral("total budget")), qPrintable(message));
    QVERIFY(message.contains(QStringLiteral("total_budget.amount")));
    QVERIFY(message.contains(QStringLiteral("new quote")));
    QVERIFY(message.contains(QStringLiteral("exceeds the accepted $5,000"))); // the seller's own words stay
    QVERIFY(explained.suggestion);
    // The envelope field from the details when the error names no field; a package budget in words.
    adcp::AdcpError package = adcp::AdcpError::make("REQUOTE_REQUIRED", "over");
    package.details = {{"envelope_field", "packages[0].budget"}};
    const adcp::AdcpError byPackage = explainControlError(package);
    QVERIFY(QString::fromStdString(byPackage.message).contains(QStringLiteral("a package's budget")));
    QCOMPARE(byPackage.field.value_or(std::string()), std::string("packages[0].budget"));
    // Malformed details change nothing but the wording.
    adcp::AdcpError odd = adcp::AdcpError::make("REQUOTE_REQUIRED", "over");
    odd.details = json::array({1, 2});
    QVERIFY(!explainControlError(odd).message.empty());
    // A stale revision says the buy was read again; other errors pass unchanged.
    const adcp::AdcpError stale = explainControlError(
        adcp::AdcpError::make("CONFLICT", "revision 7 is not current", std::string("revision")));
    QVERIFY(QString::fromStdString(stale.message).contains(QStringLiteral("read again")));
    const adcp::AdcpError other = adcp::AdcpError::make("MEDIA_BUY_NOT_FOUND", "no such buy");
    QCOMPARE(explainControlError(other).message, other.message);
}

void TestDirectBuyAnswers::staleVersionsAskForAReload()
{
    for (const char *field : {"feed_version", "pricing_version", "cursor", "purchases[0].pricing"}) {
        const adcp::AdcpError error = adcp::AdcpError::make("CONFLICT", "stale", std::string(field));
        QVERIFY2(isStaleCatalog(error), field);
        QVERIFY(QString::fromStdString(explainBuyError(error).message)
                    .contains(QStringLiteral("Reload the catalog")));
    }
    QVERIFY(!isStaleCatalog(adcp::AdcpError::make("CONFLICT", "x", std::string("revision"))));
    QVERIFY(!isStaleCatalog(adcp::AdcpError::make("CONFLICT", "x")));
    QVERIFY(!isStaleCatalog(adcp::AdcpError::make("INVALID_REQUEST", "x", std::string("feed_version"))));
    const adcp::AdcpError budget =
        adcp::AdcpError::make("BUDGET_TOO_LOW", "too low", std::string("purchases[0].budget"));
    QCOMPARE(explainBuyError(budget).message, budget.message);
}

QTEST_MAIN(TestDirectBuyAnswers)
#include "tst_directbuyanswers.moc"
