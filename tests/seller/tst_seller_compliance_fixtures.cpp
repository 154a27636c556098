// The AdCP compliance storyboards' canonical fixture products (test-product, sports_ctv_q2) that the seller
// offers to sandbox accounts from resources/seller/compliance-fixtures.json: sold through the normal buying
// path, invisible and unsellable to other accounts, kept across a restart, and never written over a catalog
// product or over a fixture a test run re-seeded.

#include "execfixture.h"

#include "domain/catalog.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using nlohmann::json;

namespace {

std::optional<json> findProduct(const adcp::ToolOutcome &outcome, const std::string &id)
{
    for (const auto &p : outcome.result.value("products", json::array())) {
        if (p.value("product_id", std::string()) == id)
            return p;
    }
    return std::nullopt;
}

json wholesale()
{
    return {{"buying_mode", "wholesale"}};
}

} // namespace

class TestComplianceFixtures final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sandboxAccountsBuyTheFixtures_data();
    void sandboxAccountsBuyTheFixtures();
    void keptAcrossRestartWithoutOverwritingReseeds();
    void neverOverwritesCatalogProducts();
};

void TestComplianceFixtures::sandboxAccountsBuyTheFixtures_data()
{
    QTest::addColumn<QString>("productId");
    QTest::addColumn<QString>("pricingOptionId");
    QTest::addColumn<double>("price");
    QTest::addColumn<QString>("deliveryType");
    QTest::newRow("test-product default") << "test-product"
                                          << "default" << 10.0 << "non_guaranteed";
    QTest::newRow("test-product test-pricing") << "test-product"
                                               << "test-pricing" << 5.0 << "non_guaranteed";
    QTest::newRow("sports_ctv_q2") << "sports_ctv_q2"
                                   << "cpm_guaranteed" << 25.0 << "guaranteed";
}

void TestComplianceFixtures::sandboxAccountsBuyTheFixtures()
{
    QFETCH(QString, productId);
    QFETCH(QString, pricingOptionId);
    QFETCH(double, price);
    QFETCH(QString, deliveryType);
    const std::string product = productId.toStdString();
    const std::string option = pricingOptionId.toStdString();
    exectest::ExecSeller s;
    QVERIFY(s.buyer.sandbox);

    const auto listed = s.call("get_products", wholesale());
    QVERIFY(listed.ok());
    const auto p = findProduct(listed, product);
    QVERIFY2(p, "the sandbox account does not see the fixture");
    QCOMPARE(QString::fromStdString(p->at("delivery_type").get<std::string>()), deliveryType);
    bool priced = false;
    for (const auto &o : p->at("pricing_options")) {
        if (o.at("pricing_option_id") == option)
            priced = o.at("fixed_price").get<double>() == price;
    }
    QVERIFY(priced);
    // Fixture formats are the storyboards' format ids on the seller's creative agent.
    QVERIFY(!p->at("format_ids").empty());
    for (const auto &f : p->at("format_ids"))
        QVERIFY(f.contains("agent_url"));

    const json order = {
        {"packages", {{{"product_id", product}, {"pricing_option_id", option}, {"budget", 5000}}}}};
    const auto bought = s.call("create_media_buy", s.packageBuy(order));
    QVERIFY2(bought.ok(), bought.ok() ? "" : bought.error->message.c_str());
    QCOMPARE(bought.result["packages"][0]["product_id"].get<std::string>(), product);

    // Other accounts neither see nor buy it.
    QVERIFY(!s.other.sandbox);
    QVERIFY(!findProduct(s.call(s.other, "get_products", wholesale()), product));
    const auto refused = s.call(s.other, "create_media_buy", s.packageBuy(order));
    QCOMPARE(sellertest::errorCode(refused), std::string("PRODUCT_NOT_FOUND"));
    QCOMPARE(sellertest::errorField(refused), std::string("packages[0].product_id"));
}

void TestComplianceFixtures::keptAcrossRestartWithoutOverwritingReseeds()
{
    exectest::ExecSeller s;
    // A test run re-seeds the fixture with its own price; reopening the seller keeps that price.
    const json reseeded =
        s.control("seed_pricing_option", {{"product_id", "test-product"},
                                          {"pricing_option_id", "default"},
                                          {"fixture", {{"pricing_model", "cpm"}, {"fixed_price", 12.5}}}});
    QCOMPARE(reseeded.value("success", false), true);
    s.restart();
    const auto listed = s.call("get_products", wholesale());
    const auto p = findProduct(listed, "test-product");
    QVERIFY(p);
    double price = 0;
    for (const auto &o : p->at("pricing_options")) {
        if (o.at("pricing_option_id") == "default")
            price = o.at("fixed_price").get<double>();
    }
    QCOMPARE(price, 12.5);
    QSqlQuery q(s.context->database());
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM products WHERE product_id = 'test-product'")));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toInt(), 1);
}

void TestComplianceFixtures::neverOverwritesCatalogProducts()
{
    exectest::ExecSeller s;
    QSqlDatabase db = s.context->database();
    QSqlQuery before(db);
    QVERIFY(before.exec(QStringLiteral("SELECT product_json, seller_json FROM products WHERE product_id = "
                                       "'podcast_host_read'")));
    QVERIFY(before.next());
    const QString productBefore = before.value(0).toString();
    const QString sellerBefore = before.value(1).toString();
    before.finish(); // its read snapshot would hide the writes below from this connection

    // A fixture file naming a catalog product id next to a new fixture.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("fixtures.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    const json fixtures = {
        {"products",
         {{{"product",
            {{"product_id", "podcast_host_read"},
             {"name", "Impostor"},
             {"delivery_type", "non_guaranteed"},
             {"pricing_options",
              {{{"pricing_option_id", "x"}, {"pricing_model", "cpm"}, {"fixed_price", 1}}}}}}},
          {{"product",
            {{"product_id", "fixture_extra"},
             {"name", "Extra"},
             {"delivery_type", "non_guaranteed"},
             {"pricing_options",
              {{{"pricing_option_id", "x"}, {"pricing_model", "cpm"}, {"fixed_price", 1}}}}}}}}}};
    file.write(QByteArray::fromStdString(fixtures.dump()));
    file.close();
    QString error;
    QVERIFY2(adcp::seller::Catalog::seedComplianceFixtures(db, path, QStringLiteral("2026-01-01T00:00:00Z"),
                                                           &error),
             qPrintable(error));
    QSqlQuery after(db);
    QVERIFY(after.exec(
        QStringLiteral("SELECT product_id, product_json, seller_json FROM products WHERE product_id IN "
                       "('podcast_host_read', 'fixture_extra') ORDER BY product_id")));
    QVERIFY(after.next());
    QCOMPARE(after.value(0).toString(), QStringLiteral("fixture_extra"));
    QVERIFY(json::parse(after.value(2).toString().toStdString()).value("sandbox_fixture", false));
    QVERIFY(after.next());
    QCOMPARE(after.value(1).toString(), productBefore);
    QCOMPARE(after.value(2).toString(), sellerBefore);

    // A broken fixture file is an error, not a silent skip.
    QVERIFY(!adcp::seller::Catalog::seedComplianceFixtures(db, dir.filePath(QStringLiteral("missing.json")),
                                                           QStringLiteral("2026-01-01T00:00:00Z"), &error));
    QVERIFY(error.contains(QStringLiteral("missing.json")));
}

QTEST_GUILESS_MAIN(TestComplianceFixtures)
#include "tst_seller_compliance_fixtures.moc"
