// The comply_test_controller scenarios AdCP 3.2 flows use beyond 3.0's: seed_account (an account under a
// fixed id, from an account-shaped fixture) and force_get_products_arm (the next brief answers `rejected`
// with the reason and suggestions given, or `submitted` under the task id given, completing with the products
// found). Every controller answer and every tool answer is checked against the official 3.2 schemas.

#include "execfixture.h"
#include "officialschemas.h"

#include <QTest>

using nlohmann::json;

namespace {

const json kSandboxAccount = {{"account_id", "acc-seeded-1"}};

json brief(exectest::ExecSeller &s, const adcp::seller::Principal *who = nullptr)
{
    const json args = {{"buying_mode", "brief"},
                       {"brief", "Sports video for a spring running-shoe launch"},
                       {"account", {{"account_id", "acc-1"}}}};
    const auto outcome = who ? s.call(*who, "get_products", args) : s.call("get_products", args);
    if (!outcome.ok())
        qFatal("get_products failed: %s", outcome.error->message.c_str());
    return outcome.result;
}

} // namespace

class TestSellerController32 final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void seededAccountIsListedAndUsable();
    void seedAccountReseedRules();
    void seedAccountRefusesBadFixtures_data();
    void seedAccountRefusesBadFixtures();
    void rejectedArmAnswersOnce();
    void submittedArmCompletesWithProducts();
    void productsArmSurvivesRestart();
    void productsArmRefusesBadParams_data();
    void productsArmRefusesBadParams();
    void answersMatchOfficialSchemas();
};

void TestSellerController32::seededAccountIsListedAndUsable()
{
    exectest::ExecSeller s;
    const json answer = s.control("seed_account", {{"account_id", "acc-seeded-1"},
                                                   {"fixture",
                                                    {{"name", "Acme c/o Pinnacle"},
                                                     {"brand", {{"domain", "acme-corp.example"}}},
                                                     {"operator", "pinnacle-agency.example"},
                                                     {"billing", "operator"},
                                                     {"payment_terms", "net_30"}}}});
    QVERIFY2(answer.value("success", false), answer.dump().c_str());

    const auto listed = s.call("list_accounts", json::object());
    QVERIFY(listed.ok());
    json found;
    for (const auto &a : listed.result["accounts"])
        if (a["account_id"] == "acc-seeded-1")
            found = a;
    QVERIFY2(found.is_object(), listed.result.dump().c_str());
    QCOMPARE(found["name"].get<std::string>(), std::string("Acme c/o Pinnacle"));
    QCOMPARE(found["status"].get<std::string>(), std::string("active"));
    QCOMPARE(found["sandbox"].get<bool>(), true);
    QCOMPARE(found["billing"].get<std::string>(), std::string("operator"));
    QCOMPARE(found["operator"].get<std::string>(), std::string("pinnacle-agency.example"));

    // A buy can name it by id.
    const auto bought = s.call("create_media_buy", s.packageBuy({{"account", kSandboxAccount}}));
    QVERIFY2(bought.ok(), bought.ok() ? "" : bought.error->message.c_str());

    // Stored: after a restart it is still there, and so is the seed record (a re-seed is still a no-op).
    s.restart();
    QVERIFY(s.call("list_accounts", json::object()).result.dump().find("acc-seeded-1") != std::string::npos);

    // Another principal does not see it.
    const auto foreign = s.call(s.other, "list_accounts", json::object());
    QVERIFY(foreign.result.dump().find("acc-seeded-1") == std::string::npos);
}

void TestSellerController32::seedAccountReseedRules()
{
    exectest::ExecSeller s;
    const json fixture = {{"name", "Nova"}, {"status", "suspended"}};
    QVERIFY(s.control("seed_account", {{"account_id", "acc-nova"}, {"fixture", fixture}})
                .value("success", false));
    // The same fixture again: a no-op.
    const json again = s.control("seed_account", {{"account_id", "acc-nova"}, {"fixture", fixture}});
    QVERIFY2(again.value("success", false), again.dump().c_str());
    // Another fixture for the same id: refused, and the account keeps its first state.
    const json other =
        s.control("seed_account", {{"account_id", "acc-nova"}, {"fixture", {{"name", "Nova 2"}}}});
    QCOMPARE(other.value("success", true), false);
    QCOMPARE(other.value("error", std::string()), std::string("INVALID_PARAMS"));
    const auto listed = s.call("list_accounts", json::object()).result.dump();
    QVERIFY(listed.find("Nova 2") == std::string::npos);
    QVERIFY(listed.find("suspended") != std::string::npos);

    // An id the principal already holds without seeding it (a first buy made acc-1) is refused.
    const auto bought = s.call("create_media_buy", s.packageBuy());
    QVERIFY2(bought.ok(), bought.ok() ? "" : bought.error->message.c_str());
    QVERIFY(s.call("list_accounts", json::object()).result.dump().find("\"acc-1\"") != std::string::npos);
    const json taken = s.control("seed_account", {{"account_id", "acc-1"}, {"fixture", {{"name", "X"}}}});
    QCOMPARE(taken.value("error", std::string()), std::string("INVALID_PARAMS"));
}

void TestSellerController32::seedAccountRefusesBadFixtures_data()
{
    QTest::addColumn<QByteArray>("params");
    QTest::newRow("no id") << QByteArray(R"({"fixture":{}})");
    QTest::newRow("fixture not an object") << QByteArray(R"({"account_id":"acc-x","fixture":[1]})");
    QTest::newRow("unknown status") << QByteArray(R"({"account_id":"acc-x","fixture":{"status":"open"}})");
    QTest::newRow("unknown billing") << QByteArray(R"({"account_id":"acc-x","fixture":{"billing":"me"}})");
    QTest::newRow("bad terms") << QByteArray(R"({"account_id":"acc-x","fixture":{"payment_terms":"net_7"}})");
    QTest::newRow("brand without domain") << QByteArray(R"({"account_id":"acc-x","fixture":{"brand":{}}})");
    QTest::newRow("empty name") << QByteArray(R"({"account_id":"acc-x","fixture":{"name":""}})");
    QTest::newRow("operator not text") << QByteArray(R"({"account_id":"acc-x","fixture":{"operator":7}})");
}

void TestSellerController32::seedAccountRefusesBadFixtures()
{
    QFETCH(QByteArray, params);
    exectest::ExecSeller s;
    const json answer = s.control("seed_account", json::parse(params.toStdString()));
    QCOMPARE(answer.value("success", true), false);
    QCOMPARE(answer.value("error", std::string()), std::string("INVALID_PARAMS"));
    QVERIFY(!answer.value("error_detail", std::string()).empty());
    // Nothing was stored.
    QVERIFY(s.call("list_accounts", json::object()).result.dump().find("acc-x") == std::string::npos);
}

void TestSellerController32::rejectedArmAnswersOnce()
{
    exectest::ExecSeller s;
    const json forced =
        s.control("force_get_products_arm",
                  {{"arm", "rejected"},
                   {"reason", "The requested budget is below this inventory's minimum"},
                   {"suggestions", {"Raise the budget to 25,000 USD", "Drop premium sports"}}});
    QVERIFY2(forced.value("success", false), forced.dump().c_str());
    // A wholesale read is not a brief: it is answered as always and leaves the directive in place.
    const auto wholesale = s.call("get_products", {{"buying_mode", "wholesale"}});
    QVERIFY(wholesale.ok());
    QVERIFY(!wholesale.result["products"].empty());

    const json rejected = brief(s);
    QCOMPARE(rejected.value("status", std::string()), std::string("rejected"));
    QCOMPARE(rejected["reason"].get<std::string>(),
             std::string("The requested budget is below this inventory's minimum"));
    QCOMPARE(rejected["suggestions"].size(), size_t(2));
    QVERIFY(!rejected.contains("products"));
    // One-shot: the next brief is searched.
    const json next = brief(s);
    QVERIFY2(!next.value("products", json::array()).empty(), next.dump().c_str());
    QVERIFY(!next.contains("reason"));
}

void TestSellerController32::submittedArmCompletesWithProducts()
{
    exectest::ExecSeller s;
    QVERIFY(s.control("force_get_products_arm",
                      {{"arm", "submitted"}, {"task_id", "task-curation-1"}, {"message", "Curation queued"}})
                .value("success", false));
    // The directive is the caller's own: another principal's brief is answered as usual.
    QVERIFY(!brief(s, &s.other).value("products", json::array()).empty());

    const json submitted = brief(s);
    QCOMPARE(submitted.value("status", std::string()), std::string("submitted"));
    QCOMPARE(submitted.value("task_id", std::string()), std::string("task-curation-1"));
    QCOMPARE(submitted.value("message", std::string()), std::string("Curation queued"));
    QVERIFY(!submitted.contains("products"));

    auto status = s.call("get_task_status", {{"task_id", "task-curation-1"}});
    QVERIFY2(status.ok(), status.ok() ? "" : status.error->message.c_str());
    QCOMPARE(status.result.value("status", std::string()), std::string("submitted"));
    QCOMPARE(status.result.value("task_type", std::string()), std::string("get_products"));
    // Another principal cannot see the task.
    const auto foreign = s.call(s.other, "get_task_status", {{"task_id", "task-curation-1"}});
    QVERIFY(!foreign.ok());
    QCOMPARE(foreign.error->code, std::string("REFERENCE_NOT_FOUND"));

    // A completion that is no get_products answer is refused and the task stays submitted.
    const json wrong = s.control("force_task_completion",
                                 {{"task_id", "task-curation-1"}, {"result", {{"media_buy_id", "mb_1"}}}});
    QCOMPARE(wrong.value("error", std::string()), std::string("INVALID_PARAMS"));
    QCOMPARE(
        s.call("get_task_status", {{"task_id", "task-curation-1"}}).result.value("status", std::string()),
        std::string("submitted"));
    // Completing it delivers the result given, verbatim.
    json products = s.call("get_products", {{"buying_mode", "wholesale"}}).result["products"];
    products.erase(products.begin() + 1, products.end());
    const json given = {{"status", "completed"}, {"products", products}, {"cache_scope", "account"}};
    const json completed =
        s.control("force_task_completion", {{"task_id", "task-curation-1"}, {"result", given}});
    QVERIFY2(completed.value("success", false), completed.dump().c_str());
    status = s.call("get_task_status", {{"task_id", "task-curation-1"}, {"include_result", true}});
    QVERIFY(status.ok());
    QCOMPARE(status.result.value("status", std::string()), std::string("completed"));
    QVERIFY2(status.result.value("result", json::object()) == given, status.result.dump().c_str());
    // A task id in use cannot be forced again.
    const json reused =
        s.control("force_get_products_arm", {{"arm", "submitted"}, {"task_id", "task-curation-1"}});
    QCOMPARE(reused.value("error", std::string()), std::string("INVALID_PARAMS"));
}

void TestSellerController32::productsArmSurvivesRestart()
{
    exectest::ExecSeller s;
    QVERIFY(s.control("force_get_products_arm", {{"arm", "rejected"}, {"reason", "Sold out for spring"}})
                .value("success", false));
    s.restart();
    QCOMPARE(brief(s).value("status", std::string()), std::string("rejected"));
}

void TestSellerController32::productsArmRefusesBadParams_data()
{
    QTest::addColumn<QByteArray>("params");
    QTest::newRow("unknown arm") << QByteArray(R"({"arm":"working"})");
    QTest::newRow("input-required arm") << QByteArray(R"({"arm":"input-required"})");
    QTest::newRow("submitted without task") << QByteArray(R"({"arm":"submitted"})");
    QTest::newRow("rejected without reason") << QByteArray(R"({"arm":"rejected"})");
    QTest::newRow("rejected with task") << QByteArray(R"({"arm":"rejected","reason":"r","task_id":"t"})");
    QTest::newRow("submitted with reason") << QByteArray(R"({"arm":"submitted","task_id":"t","reason":"r"})");
}

void TestSellerController32::productsArmRefusesBadParams()
{
    QFETCH(QByteArray, params);
    exectest::ExecSeller s;
    const json answer = s.control("force_get_products_arm", json::parse(params.toStdString()));
    QCOMPARE(answer.value("success", true), false);
    QCOMPARE(answer.value("error", std::string()), std::string("INVALID_PARAMS"));
    // No directive was stored: the next brief is searched.
    QVERIFY(!brief(s).value("products", json::array()).empty());
}

void TestSellerController32::answersMatchOfficialSchemas()
{
    if (adcp::testsupport::officialSchemasAbsent())
        QSKIP("the official AdCP schemas (ADCP_SHARED_DIR) are absent");
    exectest::ExecSeller s;
    std::vector<std::pair<std::string, json>> documents;
    const std::string controller = "/schemas/compliance/comply-test-controller-response.json";
    const auto control = [&](const std::string &scenario, const json &params) {
        const json request = {{"scenario", scenario}, {"params", params}, {"account", {{"sandbox", true}}}};
        documents.emplace_back("/schemas/compliance/comply-test-controller-request.json", request);
        documents.emplace_back(controller, s.call("comply_test_controller", request).result);
    };
    control("seed_account", {{"account_id", "acc-a"}, {"fixture", {{"name", "A"}, {"billing", "agent"}}}});
    control("seed_account", {{"account_id", "acc-a"}, {"fixture", {{"name", "B"}}}});      // refused
    control("seed_account", {{"account_id", "acc-b"}, {"fixture", {{"status", "nope"}}}}); // refused
    documents.emplace_back("/schemas/account/list-accounts-response.json",
                           s.call("list_accounts", json::object()).result);
    control("force_get_products_arm", {{"arm", "rejected"}, {"reason", "Not this quarter"}});
    documents.emplace_back("/schemas/media-buy/get-products-response.json", brief(s));
    control("force_get_products_arm", {{"arm", "submitted"}, {"task_id", "task-x"}});
    control("force_get_products_arm", {{"arm", "submitted"}, {"task_id", "task-x"}}); // replaces, same id
    const json submitted = brief(s);
    // The submitted envelope has its own schema (the get_products response schema is the completed shape).
    documents.emplace_back("/schemas/media-buy/get-products-async-response-submitted.json", submitted);
    json products = s.call("get_products", {{"buying_mode", "wholesale"}}).result["products"];
    products.erase(products.begin() + 1, products.end());
    control("force_task_completion",
            {{"task_id", "task-x"},
             {"result", {{"status", "completed"}, {"products", products}, {"cache_scope", "account"}}}});
    documents.emplace_back(
        "/schemas/protocol/get-task-status-response.json",
        s.call("get_task_status", {{"task_id", "task-x"}, {"include_result", true}}).result);
    for (const auto &[schema, document] : documents) {
        const QString problems = adcp::testsupport::officialSchemaProblems(schema.c_str(), document);
        QVERIFY2(problems.isEmpty(),
                 qPrintable(QString::fromStdString(schema) + QStringLiteral(": ") + problems));
    }
}

QTEST_GUILESS_MAIN(TestSellerController32)
#include "tst_seller_controller32.moc"
