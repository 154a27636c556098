// Hostile arguments straight into the Dispatcher: each is answered with an AdCP error naming its field,
// nothing is written, and the same seller then serves a valid call.

#include "sellertestfixture.h"

#include <QtTest/QtTest>

using namespace sellertest;

class TestSellerHostile final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listTasksCursor_data();
    void listTasksCursor();
    void getMediaBuysCursor();
    void longStringAgainstPattern();
    void advanceClockIsBounded_data();
    void advanceClockIsBounded();
    void unknownAndForeignIdsLookAlike();
};

namespace {

void verifyRefused(const adcp::ToolOutcome &outcome, const char *field)
{
    QVERIFY(!outcome.ok());
    QCOMPARE(outcome.error->code, std::string("INVALID_REQUEST"));
    QCOMPARE(outcome.error->field.value_or(std::string()), std::string(field));
}

} // namespace

void TestSellerHostile::listTasksCursor_data()
{
    QTest::addColumn<QString>("cursor");
    QTest::newRow("negative") << "-1";
    QTest::newRow("beyond 64 bits") << "99999999999999999999";
    QTest::newRow("beyond the limit") << "1000000001";
    QTest::newRow("not a number") << "abc";
    QTest::newRow("empty") << "";
    QTest::newRow("exponent") << "1e3";
    QTest::newRow("long") << QString(300, QLatin1Char('7'));
}

void TestSellerHostile::listTasksCursor()
{
    QFETCH(QString, cursor);
    Seller seller;
    const auto before = seller.allRows();
    verifyRefused(seller.call("list_tasks", {{"pagination", {{"cursor", cursor.toStdString()}}}}),
                  "pagination.cursor");
    QCOMPARE(seller.allRows(), before);
    const auto valid = seller.call("list_tasks", {{"pagination", {{"cursor", "0"}, {"max_results", 5}}}});
    QVERIFY(valid.ok());
    QVERIFY(valid.result.at("tasks").is_array());
}

void TestSellerHostile::getMediaBuysCursor()
{
    Seller seller;
    for (const char *cursor : {"-1", "!!!", "", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA"}) {
        const auto outcome = seller.call("get_media_buys", {{"pagination", {{"cursor", cursor}}}});
        verifyRefused(outcome, "pagination.cursor");
    }
    verifyRefused(seller.call("get_media_buys", {{"pagination", {{"cursor", std::string(5000, 'A')}}}}),
                  "pagination.cursor");
    QVERIFY(seller.call("get_media_buys", json::object()).ok());
}

void TestSellerHostile::longStringAgainstPattern()
{
    Seller seller;
    const auto outcome =
        seller.call("list_creative_formats", {{"property_id", std::string(300'000, 'a') + '!'}});
    verifyRefused(outcome, "property_id");
    QVERIFY(outcome.error->message.size() < 300);
    QVERIFY(seller.call("list_creative_formats", {{"property_id", std::string(300'000, 'a')}}).ok());
    QVERIFY(seller.call("list_creative_formats", json::object()).ok());
}

void TestSellerHostile::advanceClockIsBounded_data()
{
    QTest::addColumn<QByteArray>("seconds");
    QTest::newRow("zero") << QByteArray("0");
    QTest::newRow("negative") << QByteArray("-60");
    QTest::newRow("beyond ten years") << QByteArray("316300000");
    QTest::newRow("beyond 64 bits") << QByteArray("99999999999999999999");
    QTest::newRow("fraction") << QByteArray("1.5");
    QTest::newRow("string") << QByteArray("\"60\"");
}

void TestSellerHostile::advanceClockIsBounded()
{
    QFETCH(QByteArray, seconds);
    Seller seller;
    const adcp::seller::Principal sandbox{"buyer-s", true};
    const QDateTime before = seller.context->clock().now();
    const json args = {{"scenario", "advance_clock"},
                       {"params", {{"seconds", json::parse(seconds.toStdString())}}},
                       {"account", {{"sandbox", true}}}};
    const auto outcome = seller.call(sandbox, "comply_test_controller", args);
    // Either the request schema or the controller refuses it; the clock does not move.
    if (outcome.ok()) {
        QCOMPARE(outcome.result.value("success", true), false);
        QCOMPARE(outcome.result.value("error", std::string()), std::string("INVALID_PARAMS"));
    } else {
        QCOMPARE(outcome.error->code, std::string("INVALID_REQUEST"));
    }
    QVERIFY(seller.context->clock().now() < before.addSecs(3600));
    const auto valid = seller.call(
        sandbox, "comply_test_controller",
        {{"scenario", "advance_clock"}, {"params", {{"seconds", 7200}}}, {"account", {{"sandbox", true}}}});
    QVERIFY2(valid.ok(), valid.ok() ? "" : valid.error->message.c_str());
    QVERIFY2(valid.result.value("success", false), valid.result.dump().c_str());
    QVERIFY(seller.context->clock().now() >= before.addSecs(7200));
}

void TestSellerHostile::unknownAndForeignIdsLookAlike()
{
    Seller seller;
    const auto created = seller.call(seller.other, "create_media_buy", seller.explicitBuyArgs());
    QVERIFY2(created.ok(), created.ok() ? "" : created.error->message.c_str());
    const std::string foreign = created.result.at("media_buy_id").get<std::string>();
    const std::string unknown = "mb_" + std::string(foreign.size() - 3, '0');

    const auto answer = [&](const std::string &tool, const json &args) {
        const auto outcome = seller.call(tool, args);
        return outcome.ok() ? outcome.result.dump() : outcome.error->toJson().dump();
    };
    for (const auto &[tool, field] : std::vector<std::pair<std::string, std::string>>{
             {"get_media_buys", "media_buy_ids"}, {"get_media_buy_delivery", "media_buy_ids"}}) {
        const std::string foreignAnswer = answer(tool, {{field, {foreign}}});
        QCOMPARE(foreignAnswer, answer(tool, {{field, {unknown}}}));
        QVERIFY2(foreignAnswer.find(foreign) == std::string::npos, foreignAnswer.c_str());
    }
    const json update = {{"idempotency_key", seller.key()}, {"paused", true}};
    json foreignUpdate = update;
    foreignUpdate["media_buy_id"] = foreign;
    json unknownUpdate = update;
    unknownUpdate["media_buy_id"] = unknown;
    const std::string foreignAnswer = answer("update_media_buy", foreignUpdate);
    unknownUpdate["idempotency_key"] = seller.key();
    QCOMPARE(foreignAnswer, answer("update_media_buy", unknownUpdate));
    QVERIFY2(foreignAnswer.find(foreign) == std::string::npos, foreignAnswer.c_str());
    const std::string taskAnswer = answer("get_task_status", {{"task_id", "task_0123456789abcdef0123"}});
    QVERIFY2(taskAnswer.find("task_0123456789abcdef0123") == std::string::npos, taskAnswer.c_str());
}

QTEST_GUILESS_MAIN(TestSellerHostile)
#include "tst_seller_hostile.moc"
