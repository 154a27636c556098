// Our seller's A2A face as each AdCP release speaks it, over real loopback HTTP: the 3.0/3.1 data part
// {skill, parameters}, the 3.2 profile v3 {skill, input} activated per request by A2A-Extensions (which then
// refuses parameters), and the agent card that advertises the profile.
#include "testseller.h"
#include "dispatcher.h"
#include "sellercontext.h"
#include "server/sellerhttpserver.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace adcp;
using namespace adcp::seller;
using nlohmann::json;

namespace {

const QByteArray kToken = "test-token-a2a-profile";
const QByteArray kProfile = "https://adcontextprotocol.org/extensions/adcp/v3";

struct Answer
{
    int status = 0;
    QByteArray extensions; // the A2A-Extensions response header
    json body;
};

json briefArguments()
{
    return {{"buying_mode", "brief"},
            {"brief", "Video for outdoor gear in the US"},
            {"brand", {{"domain", "acmeoutdoor.example"}}}};
}

json dataPart(const json &data)
{
    return {{"kind", "data"}, {"data", data}};
}

} // namespace

class tst_A2aProfile final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void agentCardAdvertisesTheProfile();
    void invocation_data();
    void invocation();
    void refusedInvocationWritesNothing();

private:
    Answer post(const json &parts, const QByteArray &extensionsHeader, const QByteArray &headerName,
                const std::string &method = "message/send");

    QTemporaryDir m_dir;
    std::shared_ptr<Dispatcher> m_dispatcher;
    std::unique_ptr<SellerHttpServer> m_server;
    quint16 m_port = 0;
    QNetworkAccessManager m_network;
};

void tst_A2aProfile::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QString error;
    m_dispatcher = openTestSeller(m_dir, &error);
    QVERIFY2(m_dispatcher, qPrintable(error));
    BearerAuth auth;
    auth.addToken(kToken, Principal{"buyer-a2a", true});
    m_server = std::make_unique<SellerHttpServer>(m_dispatcher, std::move(auth), SellerServerOptions{});
    m_port = m_server->listen(QHostAddress::LocalHost, 0);
    QVERIFY(m_port != 0);
}

void tst_A2aProfile::cleanupTestCase()
{
    m_server.reset();
    m_dispatcher.reset();
}

Answer tst_A2aProfile::post(const json &parts, const QByteArray &extensionsHeader,
                            const QByteArray &headerName, const std::string &method)
{
    QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1/a2a").arg(m_port)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Authorization", "Bearer " + kToken);
    if (!extensionsHeader.isEmpty())
        request.setRawHeader(headerName, extensionsHeader);
    const json message = {{"messageId", "msg-1"}, {"role", "user"}, {"parts", parts}};
    const json rpc = {{"jsonrpc", "2.0"}, {"id", 7}, {"method", method}, {"params", {{"message", message}}}};
    QNetworkReply *reply = m_network.post(request, QByteArray::fromStdString(rpc.dump()));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    Answer answer;
    if (!reply->isFinished() && !finished.wait(30000))
        return answer;
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    answer.extensions = reply->rawHeader("A2A-Extensions");
    const QByteArray body = reply->readAll();
    answer.body = json::parse(body.constBegin(), body.constEnd(), nullptr, false);
    reply->deleteLater();
    return answer;
}

void tst_A2aProfile::agentCardAdvertisesTheProfile()
{
    QNetworkReply *reply = m_network.get(
        QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/.well-known/agent-card.json").arg(m_port))));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(reply->isFinished() || finished.wait(30000));
    const QByteArray body = reply->readAll();
    reply->deleteLater();
    const json card = json::parse(body.constBegin(), body.constEnd(), nullptr, false);
    QVERIFY(card.is_object());
    // Under capabilities (not top level), required, and without params: the capabilities live in the skill.
    QVERIFY(!card.contains("extensions"));
    int profiles = 0;
    for (const auto &extension : card["capabilities"]["extensions"]) {
        if (extension.value("uri", std::string()) != kProfile.toStdString())
            continue;
        ++profiles;
        QCOMPARE(extension.value("required", false), true);
        QVERIFY(!extension.contains("params"));
    }
    QCOMPARE(profiles, 1);
    bool capabilitiesSkill = false;
    for (const auto &skill : card["skills"])
        capabilitiesSkill |= skill.value("id", std::string()) == "get_adcp_capabilities";
    QVERIFY(capabilitiesSkill);
    bool a2a1 = false;
    for (const auto &entry : card["supportedInterfaces"]) {
        a2a1 |= entry.value("protocolVersion", std::string()) == "1.0" &&
                entry.value("protocolBinding", std::string()) == "JSONRPC" &&
                entry.value("url", std::string()).ends_with("/a2a");
    }
    QVERIFY(a2a1);
}

void tst_A2aProfile::invocation_data()
{
    QTest::addColumn<QByteArray>("header");     // A2A-Extensions value, empty = not sent
    QTest::addColumn<QByteArray>("headerName"); // A2A-Extensions, or the pre-1.0 X-A2A-Extensions
    QTest::addColumn<QString>("method");
    QTest::addColumn<QByteArray>("parts"); // JSON array of parts
    QTest::addColumn<bool>("answered");    // true = a completed task with products; false = -32602

    const auto parts = [](const json &value) { return QByteArray::fromStdString(value.dump()); };
    const QByteArray legacy =
        parts(json::array({dataPart({{"skill", "get_products"}, {"parameters", briefArguments()}})}));
    const QByteArray profile =
        parts(json::array({dataPart({{"skill", "get_products"}, {"input", briefArguments()}})}));
    const QByteArray both = parts(json::array({dataPart(
        {{"skill", "get_products"}, {"input", briefArguments()}, {"parameters", briefArguments()}})}));
    const QByteArray withText =
        parts(json::array({{{"text", "AdCP task: get_products"}},
                           {{"data", {{"skill", "get_products"}, {"input", briefArguments()}}}}}));
    const QByteArray withFile =
        parts(json::array({{{"data", {{"skill", "get_products"}, {"input", briefArguments()}}}},
                           {{"url", "https://cdn.example/a.mp4"}, {"mediaType", "video/mp4"}}}));
    const QByteArray twoData =
        parts(json::array({dataPart({{"skill", "get_products"}, {"input", briefArguments()}}),
                           dataPart({{"skill", "get_products"}, {"input", briefArguments()}})}));
    const QByteArray h("A2A-Extensions");
    const QByteArray oldName("X-A2A-Extensions");
    const QString send = QStringLiteral("message/send");
    const QString send1 = QStringLiteral("SendMessage");

    QTest::newRow("3.0/3.1 parameters, not activated") << QByteArray() << h << send << legacy << true;
    QTest::newRow("input, not activated") << QByteArray() << h << send << profile << true;
    QTest::newRow("both forms, not activated") << QByteArray() << h << send << both << false;
    QTest::newRow("profile v3 input") << kProfile << h << send1 << profile << true;
    QTest::newRow("profile v3 among other extensions")
        << QByteArray("https://example.com/trace/v1, " + kProfile) << h << send1 << profile << true;
    QTest::newRow("profile v3 by the pre-1.0 header name") << kProfile << oldName << send << profile << true;
    QTest::newRow("profile v3 with display text") << kProfile << h << send1 << withText << true;
    QTest::newRow("profile v3 refuses parameters") << kProfile << h << send1 << legacy << false;
    QTest::newRow("profile v3 refuses parameters (0.3 method)") << kProfile << h << send << legacy << false;
    QTest::newRow("profile v3 refuses parameters beside input") << kProfile << h << send1 << both << false;
    QTest::newRow("profile v3 refuses a file part") << kProfile << h << send1 << withFile << false;
    QTest::newRow("two data parts") << kProfile << h << send1 << twoData << false;
    QTest::newRow("another extension only: 3.0 form")
        << QByteArray("https://example.com/trace/v1") << h << send << legacy << true;
}

void tst_A2aProfile::invocation()
{
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, headerName);
    QFETCH(QString, method);
    QFETCH(QByteArray, parts);
    QFETCH(bool, answered);

    const Answer answer = post(json::parse(parts.toStdString()), header, headerName, method.toStdString());
    QCOMPARE(answer.status, 200);
    QVERIFY2(answer.body.is_object(), answer.body.dump().c_str());
    if (!answered) {
        QCOMPARE(answer.body["error"]["code"].get<int>(), -32602);
        QCOMPARE(answer.body["error"]["data"]["adcp_error"]["code"].get<std::string>(),
                 std::string("INVALID_REQUEST"));
        return;
    }
    const bool v1 = method == QLatin1String("SendMessage");
    const json &task = v1 ? answer.body["result"]["task"] : answer.body["result"];
    QCOMPARE(task["status"]["state"].get<std::string>(),
             std::string(v1 ? "TASK_STATE_COMPLETED" : "completed"));
    const json &data = task["artifacts"][0]["parts"][0]["data"];
    QVERIFY2(data.contains("products") && !data["products"].empty(), data.dump().c_str());
    // The agent names the extension back only when the request activated it.
    const bool activated = header.contains(kProfile);
    QCOMPARE(answer.extensions, activated ? kProfile : QByteArray());
}

// A create_media_buy refused for its shape under the profile never reaches the seller: no buy exists after.
void tst_A2aProfile::refusedInvocationWritesNothing()
{
    const json create = {
        {"idempotency_key", "a2a-profile-refused-0001"},
        {"brand", {{"domain", "acmeoutdoor.example"}}},
        {"account", {{"brand", {{"domain", "acmeoutdoor.example"}}}, {"operator", "acmeoutdoor.example"}}},
        {"start_time", "asap"},
        {"end_time", "2099-01-01T00:00:00Z"},
        {"packages", json::array()}};
    const Answer refused =
        post(json::array({dataPart({{"skill", "create_media_buy"}, {"parameters", create}})}), kProfile,
             "A2A-Extensions", "SendMessage");
    QCOMPARE(refused.body["error"]["code"].get<int>(), -32602);
    const Answer buys =
        post(json::array({dataPart({{"skill", "get_media_buys"}, {"input", json::object()}})}), kProfile,
             "A2A-Extensions", "SendMessage");
    const json &data = buys.body["result"]["task"]["artifacts"][0]["parts"][0]["data"];
    QVERIFY2(data.contains("media_buys"), data.dump().c_str());
    QCOMPARE(data["media_buys"].size(), size_t(0));
}

QTEST_GUILESS_MAIN(tst_A2aProfile)
#include "tst_a2aprofile.moc"
