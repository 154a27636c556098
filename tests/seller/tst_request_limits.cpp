// Sizes the request schemas leave open: every string, free-text field, array and object of a request is
// bounded before schema validation; the refusal names the field, changes nothing, and the same seller then
// serves a valid call.
#include "sellertestfixture.h"

using nlohmann::json;
using sellertest::Seller;

class TestRequestLimits final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oversizeRefused_data();
    void oversizeRefused();
    void atTheLimitAccepted();
};

void TestRequestLimits::oversizeRefused_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QByteArray>("argsJson");
    QTest::addColumn<QString>("field");
    const auto text = [](std::size_t n) { return json(std::string(n, 'a')); };
    json brief = {{"buying_mode", "brief"}, {"brief", text(32 * 1024 + 1)}};
    QTest::newRow("brief") << "get_products" << QByteArray::fromStdString(brief.dump()) << "brief";
    json contextString = {{"buying_mode", "wholesale"}, {"context", {{"note", text((1u << 20) + 1)}}}};
    QTest::newRow("any string") << "get_products" << QByteArray::fromStdString(contextString.dump())
                                << "context.note";
    json manyItems = {{"buying_mode", "wholesale"}, {"context", {{"items", json::array()}}}};
    for (int i = 0; i < 10001; ++i)
        manyItems["context"]["items"].push_back(i);
    QTest::newRow("array") << "get_products" << QByteArray::fromStdString(manyItems.dump())
                           << "context.items";
    json manyMembers = {{"buying_mode", "wholesale"}, {"context", json::object()}};
    for (int i = 0; i < 10001; ++i)
        manyMembers["context"][std::to_string(i) + "_k"] = i;
    QTest::newRow("object") << "get_products" << QByteArray::fromStdString(manyMembers.dump()) << "context";
    Seller s;
    json buy = s.explicitBuyArgs();
    const json package = buy["packages"][0];
    buy["packages"] = json::array();
    for (int i = 0; i < 10001; ++i)
        buy["packages"].push_back(package);
    QTest::newRow("packages") << "create_media_buy" << QByteArray::fromStdString(buy.dump()) << "packages";
}

void TestRequestLimits::oversizeRefused()
{
    QFETCH(QString, tool);
    QFETCH(QByteArray, argsJson);
    QFETCH(QString, field);
    Seller s;
    const auto before = s.allRows();
    const auto outcome = s.call(tool.toStdString(), json::parse(argsJson.toStdString()));
    QVERIFY(!outcome.ok());
    QCOMPARE(sellertest::errorCode(outcome), std::string("INVALID_REQUEST"));
    QCOMPARE(sellertest::errorField(outcome), field.toStdString());
    QVERIFY(outcome.error->message.size() < 200);
    QVERIFY(s.allRows() == before);
    QVERIFY(s.call("get_products", {{"buying_mode", "wholesale"}}).ok());
}

void TestRequestLimits::atTheLimitAccepted()
{
    Seller s;
    const auto outcome =
        s.call("get_products", {{"buying_mode", "brief"}, {"brief", std::string(32 * 1024, 'a')}});
    QVERIFY2(outcome.ok(), outcome.ok() ? "" : outcome.error->message.c_str());
}

QTEST_GUILESS_MAIN(TestRequestLimits)
#include "tst_request_limits.moc"
