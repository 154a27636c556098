// Manual approval per account: SellerOptions::manualApprovalAccounts (account_id or brand domain + operator)
// makes the buys of those accounts wait for the seller's approval, other accounts' buys go straight to the ad
// servers; SellerContext::setManualApprovalAccounts changes the list on a running seller.

#include "execfixture.h"

#include <QTest>

using namespace exectest;

class TestExecApprovalAccounts final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void accountMatching_data();
    void accountMatching();
    void setterAppliesToNextOrders();
};

void TestExecApprovalAccounts::accountMatching_data()
{
    QTest::addColumn<QStringList>("accounts"); // the seller option
    QTest::addColumn<QString>("account");      // the create_media_buy account (JSON)
    QTest::addColumn<bool>("waits");
    const QString byId = QStringLiteral(R"({"account_id":"acc-7"})");
    const QString byKey =
        QStringLiteral(R"({"brand":{"domain":"acme.example"},"operator":"pinnacle.example"})");
    QTest::newRow("empty list") << QStringList() << byId << false;
    QTest::newRow("listed account_id") << QStringList{QStringLiteral("acc-7")} << byId << true;
    QTest::newRow("other account_id") << QStringList{QStringLiteral("acc-8")} << byId << false;
    QTest::newRow("account_id is exact") << QStringList{QStringLiteral("ACC-7")} << byId << false;
    QTest::newRow("listed natural key")
        << QStringList{QStringLiteral("acme.example/pinnacle.example")} << byKey << true;
    QTest::newRow("natural key ignores case")
        << QStringList{QStringLiteral("ACME.example/Pinnacle.example")} << byKey << true;
    QTest::newRow("same brand, other operator")
        << QStringList{QStringLiteral("acme.example/other.example")} << byKey << false;
    QTest::newRow("brand alone is not a key")
        << QStringList{QStringLiteral("acme.example")} << byKey << false;
    QTest::newRow("natural key entry vs account_id")
        << QStringList{QStringLiteral("acme.example/pinnacle.example")} << byId << false;
    QTest::newRow("one of several") << QStringList{QStringLiteral("acc-1"), QStringLiteral("acc-7")} << byId
                                    << true;
}

void TestExecApprovalAccounts::accountMatching()
{
    QFETCH(QStringList, accounts);
    QFETCH(QString, account);
    QFETCH(bool, waits);
    adcp::seller::SellerOptions options;
    options.manualApprovalAccounts = accounts;
    ExecSeller s(options);
    const auto outcome =
        s.call("create_media_buy", s.packageBuy({{"account", json::parse(account.toStdString())}}));
    QVERIFY2(outcome.ok(), outcome.ok() ? "" : outcome.error->message.c_str());
    if (!waits) {
        QVERIFY(outcome.result.contains("media_buy_id"));
        QVERIFY(outcome.result.value("status", std::string()) != "submitted");
        return;
    }
    QCOMPARE(outcome.result.value("status", std::string()), std::string("submitted"));
    const std::string taskId = outcome.result.at("task_id");
    QCOMPARE(s.call("get_task_status", {{"task_id", taskId}}).result.value("status", std::string()),
             std::string("submitted"));
    // The seller's approval books it.
    const json approved =
        s.control("force_task_completion", {{"task_id", taskId}, {"result", json::object()}});
    QVERIFY2(approved.value("success", false), approved.dump().c_str());
    const auto done = s.call("get_task_status", {{"task_id", taskId}, {"include_result", true}});
    QCOMPARE(done.result.value("status", std::string()), std::string("completed"));
    QVERIFY(!done.result["result"].value("media_buy_id", std::string()).empty());
    QTRY_COMPARE_WITH_TIMEOUT(s.execution->adapter("exchange")->counts().orders, 1, 60000);
}

void TestExecApprovalAccounts::setterAppliesToNextOrders()
{
    ExecSeller s;
    const json vip = {{"account_id", "acc-vip"}};
    const auto before = s.call("create_media_buy", s.packageBuy({{"account", vip}}));
    QVERIFY(before.ok());
    QVERIFY(before.result.contains("media_buy_id"));

    // What the seller console calls.
    s.context->setManualApprovalAccounts({QStringLiteral("acc-vip")});
    QCOMPARE(s.context->options().manualApprovalAccounts, QStringList{QStringLiteral("acc-vip")});
    const auto waiting = s.call("create_media_buy", s.packageBuy({{"account", vip}}));
    QCOMPARE(waiting.result.value("status", std::string()), std::string("submitted"));
    const auto other = s.call("create_media_buy", s.packageBuy({{"account", {{"account_id", "acc-1"}}}}));
    QVERIFY(other.result.contains("media_buy_id"));

    // The buy made before the change is not touched; the waiting one stays waiting across a restart.
    const std::string earlier = before.result.at("media_buy_id");
    QVERIFY(s.status(earlier) != "rejected");
    s.restart();
    QCOMPARE(s.call("get_task_status", {{"task_id", waiting.result.at("task_id")}})
                 .result.value("status", std::string()),
             std::string("submitted"));

    s.context->setManualApprovalAccounts({});
    const auto after = s.call("create_media_buy", s.packageBuy({{"account", vip}}));
    QVERIFY(after.result.contains("media_buy_id"));
}

QTEST_GUILESS_MAIN(TestExecApprovalAccounts)
#include "tst_exec_approval_accounts.moc"
