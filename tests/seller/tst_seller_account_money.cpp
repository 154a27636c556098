#include "sellertestfixture.h"

#include "officialschemas.h"

#include <QDir>
#include <QFloat16>
#include <QTest>

using namespace sellertest;

// The money side of accounts: get_account_financials (spend as delivery reports it, payment standing) and
// report_usage (all-or-nothing batches, each bad record named). Requests and answers are checked against the
// official schemas when the shared folder with them is present.
class TestSellerAccountMoney final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void capabilitiesDeclareFinancials();
    void financialsMatchDelivery();
    void financialsRefusals_data();
    void financialsRefusals();
    void usageIsRecordedPerAccount();
    void badUsageRecordWritesNothing_data();
    void badUsageRecordWritesNothing();

private:
    void checkSchema(const char *schemaId, const json &document);
};

namespace {

const adcp::seller::Principal kSandbox{"buyer-sandbox", true};

std::string syncAccount(Seller &s, const adcp::seller::Principal &who, const std::string &brand,
                        const std::string &billing = "operator")
{
    const json entry = {
        {"brand", {{"domain", brand}}}, {"operator", "pinnacle-media.example"}, {"billing", billing}};
    const auto synced =
        s.call(who, "sync_accounts", {{"idempotency_key", s.key()}, {"accounts", json::array({entry})}});
    if (!synced.ok())
        qFatal("sync_accounts failed: %s", synced.error->message.c_str());
    return synced.result.at("accounts").at(0).at("account_id").get<std::string>();
}

json usageRecord(const std::string &accountId, double cost = 120.5)
{
    return {{"account", {{"account_id", accountId}}},
            {"vendor_cost", cost},
            {"currency", "USD"},
            {"impressions", 1000}};
}

json usageArgs(Seller &s, const json &records)
{
    return {{"idempotency_key", s.key()},
            {"reporting_period", {{"start", "2026-11-01T00:00:00Z"}, {"end", "2026-11-30T23:59:59Z"}}},
            {"usage", records}};
}

} // namespace

void TestSellerAccountMoney::checkSchema(const char *schemaId, const json &document)
{
    const QString problems = adcp::testsupport::officialSchemaProblems(schemaId, document);
    QVERIFY2(problems.isEmpty(), qPrintable(problems));
}

void TestSellerAccountMoney::capabilitiesDeclareFinancials()
{
    Seller s;
    const auto caps = s.call("get_adcp_capabilities", json::object());
    QVERIFY(caps.ok());
    QCOMPARE(caps.result["account"]["account_financials"].get<bool>(), true);
    QVERIFY(s.dispatcher->hasTool("get_account_financials"));
    QVERIFY(s.dispatcher->hasTool("report_usage"));
}

// Spend is what the account's buys delivered in the period; another account's buy is not counted.
void TestSellerAccountMoney::financialsMatchDelivery()
{
    Seller s;
    const std::string mine = syncAccount(s, kSandbox, "acme.example");
    const std::string other = syncAccount(s, kSandbox, "other.example");
    json args = s.explicitBuyArgs();
    args["account"] = {{"account_id", mine}};
    const auto buy = s.call(kSandbox, "create_media_buy", args);
    QVERIFY2(buy.ok(), buy.ok() ? "" : buy.error->message.c_str());
    args = s.explicitBuyArgs();
    args["account"] = {{"account_id", other}};
    QVERIFY(s.call(kSandbox, "create_media_buy", args).ok());
    const auto spent =
        s.call(kSandbox, "comply_test_controller",
               {{"scenario", "simulate_budget_spend"},
                {"params", {{"media_buy_id", buy.result["media_buy_id"]}, {"spend_percentage", 40}}}});
    QVERIFY(spent.ok() && spent.result.value("success", false));

    const QDate today = s.context->clock().now().toUTC().date();
    const json period = {{"start", today.addDays(-1).toString(Qt::ISODate).toStdString()},
                         {"end", today.addDays(30).toString(Qt::ISODate).toStdString()}};
    const json request = {{"account", {{"account_id", mine}}}, {"period", period}};
    checkSchema("/schemas/account/get-account-financials-request.json", request);
    const auto financials = s.call(kSandbox, "get_account_financials", request);
    QVERIFY2(financials.ok(), financials.ok() ? "" : financials.error->message.c_str());
    checkSchema("/schemas/account/get-account-financials-response.json", financials.result);
    QCOMPARE(financials.result["account"]["account_id"].get<std::string>(), mine);
    QCOMPARE(financials.result["period"], period);
    QCOMPARE(financials.result["timezone"].get<std::string>(), std::string("UTC"));
    QCOMPARE(financials.result["payment_status"].get<std::string>(), std::string("current"));
    QCOMPARE(financials.result["spend"]["media_buy_count"].get<int>(), 1);

    const auto delivery = s.call(kSandbox, "get_media_buy_delivery",
                                 {{"media_buy_ids", {buy.result["media_buy_id"]}},
                                  {"start_date", period["start"]},
                                  {"end_date", today.addDays(31).toString(Qt::ISODate).toStdString()}});
    QVERIFY(delivery.ok());
    const double delivered = delivery.result["aggregated_totals"]["spend"].get<double>();
    QVERIFY2(delivered > 0, delivery.result.dump().c_str());
    QCOMPARE(financials.result["spend"]["total_spend"].get<double>(), delivered);

    // The default period is the current calendar month.
    const auto month = s.call(kSandbox, "get_account_financials", {{"account", {{"account_id", mine}}}});
    QVERIFY(month.ok());
    QCOMPARE(month.result["period"]["start"].get<std::string>(),
             QDate(today.year(), today.month(), 1).toString(Qt::ISODate).toStdString());
}

void TestSellerAccountMoney::financialsRefusals_data()
{
    QTest::addColumn<QString>("setup"); // which account the request names
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("field");
    QTest::newRow("unknown account id") << "unknown"
                                        << "ACCOUNT_NOT_FOUND"
                                        << "account";
    QTest::newRow("unknown natural key") << "unknown-key"
                                         << "ACCOUNT_NOT_FOUND"
                                         << "account";
    QTest::newRow("another principal's account") << "foreign"
                                                 << "ACCOUNT_NOT_FOUND"
                                                 << "account";
    QTest::newRow("advertiser-billed account") << "advertiser"
                                               << "INVALID_REQUEST"
                                               << "account";
    QTest::newRow("period ends before it starts") << "reversed"
                                                  << "INVALID_REQUEST"
                                                  << "period.end";
}

void TestSellerAccountMoney::financialsRefusals()
{
    QFETCH(QString, setup);
    QFETCH(QString, code);
    QFETCH(QString, field);
    Seller s;
    const std::string mine = syncAccount(s, s.buyer, "acme.example");
    json request = {{"account", {{"account_id", mine}}}};
    if (setup == QLatin1String("unknown"))
        request["account"] = {{"account_id", "acc_nope"}};
    else if (setup == QLatin1String("unknown-key"))
        request["account"] = {{"brand", {{"domain", "never.example"}}},
                              {"operator", "pinnacle-media.example"}};
    else if (setup == QLatin1String("foreign"))
        request["account"] = {{"account_id", syncAccount(s, s.other, "acme.example")}};
    else if (setup == QLatin1String("advertiser"))
        request["account"] = {{"account_id", syncAccount(s, s.buyer, "direct.example", "advertiser")}};
    else
        request["period"] = {{"start", "2026-05-31"}, {"end", "2026-05-01"}};
    const int accounts = s.rows(QStringLiteral("accounts"));
    const auto refused = s.call("get_account_financials", request);
    QVERIFY(!refused.ok());
    QCOMPARE(QString::fromStdString(refused.error->code), code);
    QCOMPARE(QString::fromStdString(refused.error->field.value_or("")), field);
    checkSchema("/schemas/account/get-account-financials-response.json", refused.result);
    // Reading about an account never provisions one.
    QCOMPARE(s.rows(QStringLiteral("accounts")), accounts);
}

void TestSellerAccountMoney::usageIsRecordedPerAccount()
{
    Seller s;
    const std::string a = syncAccount(s, s.buyer, "a.example");
    const std::string b = syncAccount(s, s.buyer, "b.example");
    json args = s.explicitBuyArgs();
    args["account"] = {{"account_id", a}};
    const auto buy = s.call("create_media_buy", args);
    QVERIFY(buy.ok());
    json first = usageRecord(a);
    first["media_buy_id"] = buy.result["media_buy_id"];
    const json request = usageArgs(s, json::array({first, usageRecord(b, 80)}));
    checkSchema("/schemas/account/report-usage-request.json", request);
    const auto reported = s.call("report_usage", request);
    QVERIFY2(reported.ok(), reported.ok() ? "" : reported.error->message.c_str());
    checkSchema("/schemas/account/report-usage-response.json", reported.result);
    QCOMPARE(reported.result["accepted"].get<int>(), 2);
    QVERIFY(!reported.result.contains("sandbox"));
    QCOMPARE(s.rows(QStringLiteral("account_usage")), 2);
    // A retry with the same key is a replay, not a second report.
    const auto replay = s.call("report_usage", request);
    QVERIFY(replay.ok());
    QCOMPARE(s.rows(QStringLiteral("account_usage")), 2);
}

void TestSellerAccountMoney::badUsageRecordWritesNothing_data()
{
    QTest::addColumn<QString>("bad");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("field");
    QTest::newRow("unknown account") << "unknown"
                                     << "ACCOUNT_NOT_FOUND"
                                     << "usage[1].account";
    QTest::newRow("another principal's account") << "foreign"
                                                 << "ACCOUNT_NOT_FOUND"
                                                 << "usage[1].account";
    QTest::newRow("another account's media buy") << "buy"
                                                 << "MEDIA_BUY_NOT_FOUND"
                                                 << "usage[1].media_buy_id";
    QTest::newRow("reversed period") << "period"
                                     << "INVALID_REQUEST"
                                     << "reporting_period.end";
}

void TestSellerAccountMoney::badUsageRecordWritesNothing()
{
    QFETCH(QString, bad);
    QFETCH(QString, code);
    QFETCH(QString, field);
    Seller s;
    const std::string a = syncAccount(s, s.buyer, "a.example");
    const std::string b = syncAccount(s, s.buyer, "b.example");
    json second = usageRecord(a);
    if (bad == QLatin1String("unknown")) {
        second = usageRecord("acc_nope");
    } else if (bad == QLatin1String("foreign")) {
        second = usageRecord(syncAccount(s, s.other, "a.example"));
    } else if (bad == QLatin1String("buy")) {
        json args = s.explicitBuyArgs();
        args["account"] = {{"account_id", b}};
        second["media_buy_id"] = s.call("create_media_buy", args).result["media_buy_id"];
    }
    json request = usageArgs(s, json::array({usageRecord(a), second}));
    if (bad == QLatin1String("period"))
        request["reporting_period"] = {{"start", "2026-11-30T00:00:00Z"}, {"end", "2026-11-01T00:00:00Z"}};
    const auto refused = s.call("report_usage", request);
    QVERIFY(!refused.ok());
    QCOMPARE(QString::fromStdString(refused.error->code), code);
    QCOMPARE(QString::fromStdString(refused.error->field.value_or("")), field);
    checkSchema("/schemas/account/report-usage-response.json", refused.result);
    QCOMPARE(s.rows(QStringLiteral("account_usage")), 0);
}

QTEST_GUILESS_MAIN(TestSellerAccountMoney)
#include "tst_seller_account_money.moc"
