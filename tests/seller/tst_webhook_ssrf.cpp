// SSRF-safe webhooks: the address policy on literal addresses, refusal at registration (nothing stored), a
// name rebound to loopback after registration refused at send time, the checked address pinned with the
// registered Host, no redirects, capped answers, a per-attempt deadline, and per-host delivery slots.
#include "execfixture.h"
#include "webhooks/webhookoutbox.h"
#include "webhooks/webhookurlpolicy.h"

#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <atomic>
#include <memory>

using namespace adcp::seller;
using exectest::ExecSeller;
using nlohmann::json;

namespace {

// A loopback HTTP receiver that answers each request as its behaviour says.
class RawReceiver final : public QObject
{
public:
    enum class Behaviour {
        Ok,       // 204 at once
        Redirect, // 307 to `location`
        Silent,   // reads, never answers
        Trickle,  // 200 headers, then one body byte every 20 ms (never ends)
        Huge,     // 200 with a 4 MiB body
    };

    explicit RawReceiver(Behaviour behaviour) : m_behaviour(behaviour)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++connections;
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }

    quint16 port() const { return m_server.serverPort(); }

    int connections = 0;
    QList<QByteArray> hosts;        // the Host header of each complete request
    QList<QByteArray> requestLines; // "POST /path HTTP/1.1"
    QByteArray location;

private:
    void read(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        qsizetype length = 0;
        for (const QByteArray &line : buffer.left(end).split('\n')) {
            const QByteArray trimmed = line.trimmed();
            if (trimmed.toLower().startsWith("content-length:"))
                length = trimmed.mid(15).trimmed().toLongLong();
        }
        if (buffer.size() < end + 4 + length)
            return;
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        requestLines << lines.front().trimmed();
        for (const QByteArray &line : lines) {
            if (line.toLower().startsWith("host:"))
                hosts << line.mid(5).trimmed();
        }
        buffer.remove(0, end + 4 + length);
        answer(socket);
    }

    void answer(QTcpSocket *socket)
    {
        switch (m_behaviour) {
        case Behaviour::Ok:
            socket->write("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
            break;
        case Behaviour::Redirect:
            socket->write("HTTP/1.1 307 Temporary Redirect\r\nLocation: " + location +
                          "\r\nContent-Length: 0\r\n\r\n");
            break;
        case Behaviour::Silent:
            break;
        case Behaviour::Trickle: {
            socket->write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
            auto *drip = new QTimer(socket);
            connect(drip, &QTimer::timeout, socket, [socket] { socket->write("x"); });
            drip->start(20);
            break;
        }
        case Behaviour::Huge:
            socket->write("HTTP/1.1 200 OK\r\nContent-Length: 4194304\r\n\r\n");
            socket->write(QByteArray(4 << 20, 'x'));
            break;
        }
    }

    Behaviour m_behaviour;
    QTcpServer m_server;
    std::map<QTcpSocket *, QByteArray> m_buffers;
};

// Resolves every name to `address`.
WebhookResolver resolveTo(const QString &address)
{
    return [address](const QString &, QString *) { return QList<QHostAddress>{QHostAddress(address)}; };
}

SellerOptions withScope(WebhookAddressScope scope, WebhookResolver resolver = {})
{
    SellerOptions options = exectest::sendAtOnce();
    options.webhookAddressScope = scope;
    options.webhookResolver = std::move(resolver);
    return options;
}

OutboxEvent eventTo(const std::string &url, int serial)
{
    OutboxEvent event;
    event.principalId = "buyer-a";
    event.target.url = url;
    event.eventType = "task";
    event.taskId = "task_" + std::to_string(serial);
    event.taskType = "create_media_buy";
    event.status = "completed";
    event.timestamp = QDateTime::currentDateTimeUtc();
    return event;
}

std::string hookUrl(quint16 port, const std::string &host = "127.0.0.1")
{
    return "http://" + host + ":" + std::to_string(port) + "/hooks/adcp";
}

OutboxRow row(ExecSeller &s, qint64 id)
{
    QSqlDatabase db = s.context->database();
    for (const auto &r : WebhookOutbox::rows(db)) {
        if (r.id == id)
            return r;
    }
    return {};
}

QString lastError(ExecSeller &s, qint64 id)
{
    QSqlQuery q(s.context->database());
    q.prepare(QStringLiteral("SELECT last_error FROM wh_outbox WHERE id = ?"));
    q.addBindValue(id);
    return q.exec() && q.next() ? q.value(0).toString() : QString();
}

qint64 enqueue(ExecSeller &s, const std::string &target, int serial)
{
    QSqlDatabase db = s.context->database();
    QString error;
    if (!WebhookOutbox::enqueue(db, eventTo(target, serial), &error))
        qFatal("enqueue failed: %s", qPrintable(error));
    return WebhookOutbox::rows(db).back().id;
}

} // namespace

class TestWebhookSsrf final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addressPolicy_data();
    void addressPolicy();
    void urlShape_data();
    void urlShape();
    void registrationRefusedNothingStored_data();
    void registrationRefusedNothingStored();
    void updateRefused();
    void reboundNameRefusedAtSendTime();
    void pinnedAddressKeepsTheHost();
    void redirectNotFollowed();
    void answerCapped();
    void attemptDeadline();
    void tricklingHostHoldsOnlyItsSlots();
};

void TestWebhookSsrf::addressPolicy_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("publicOnly");
    QTest::addColumn<bool>("loopback");
    QTest::addColumn<bool>("anyPrivate");
    // Allowed under PublicOnly / AllowLoopback / AllowPrivate.
    QTest::newRow("global v4") << "93.184.216.34" << true << true << true;
    QTest::newRow("loopback") << "127.0.0.1" << false << true << true;
    QTest::newRow("loopback /8") << "127.45.6.7" << false << true << true;
    QTest::newRow("10/8") << "10.1.2.3" << false << false << true;
    QTest::newRow("172.16/12") << "172.31.255.1" << false << false << true;
    QTest::newRow("172.32 is global") << "172.32.0.1" << true << true << true;
    QTest::newRow("192.168/16") << "192.168.1.1" << false << false << true;
    QTest::newRow("link-local metadata") << "169.254.169.254" << false << false << true;
    QTest::newRow("CGNAT") << "100.64.0.1" << false << false << true;
    QTest::newRow("CGNAT top") << "100.127.255.254" << false << false << true;
    QTest::newRow("100.128 is global") << "100.128.0.1" << true << true << true;
    QTest::newRow("unspecified") << "0.0.0.0" << false << false << false;
    QTest::newRow("multicast") << "224.0.0.1" << false << false << false;
    QTest::newRow("broadcast") << "255.255.255.255" << false << false << false;
    QTest::newRow("v6 global") << "2606:4700::1111" << true << true << true;
    QTest::newRow("v6 loopback") << "::1" << false << true << true;
    QTest::newRow("v6 unspecified") << "::" << false << false << false;
    QTest::newRow("v6 link-local") << "fe80::1" << false << false << true;
    QTest::newRow("v6 unique local fc") << "fc00::1" << false << false << true;
    QTest::newRow("v6 unique local fd") << "fd12:3456::1" << false << false << true;
    QTest::newRow("v6 multicast") << "ff02::1" << false << false << false;
    QTest::newRow("mapped loopback") << "::ffff:127.0.0.1" << false << true << true;
    QTest::newRow("mapped private") << "::ffff:10.0.0.1" << false << false << true;
    QTest::newRow("mapped global") << "::ffff:93.184.216.34" << true << true << true;
    QTest::newRow("compatible private") << "::192.168.0.1" << false << false << true;
    QTest::newRow("NAT64 private") << "64:ff9b::a00:1" << false << false << true;
    QTest::newRow("6to4 loopback") << "2002:7f00:1::" << false << true << true;
}

void TestWebhookSsrf::addressPolicy()
{
    QFETCH(QString, address);
    QFETCH(bool, publicOnly);
    QFETCH(bool, loopback);
    QFETCH(bool, anyPrivate);
    const QHostAddress parsed(address);
    QVERIFY(!parsed.isNull());
    QCOMPARE(webhookpolicy::refusal(parsed, WebhookAddressScope::PublicOnly).isEmpty(), publicOnly);
    QCOMPARE(webhookpolicy::refusal(parsed, WebhookAddressScope::AllowLoopback).isEmpty(), loopback);
    QCOMPARE(webhookpolicy::refusal(parsed, WebhookAddressScope::AllowPrivate).isEmpty(), anyPrivate);
}

void TestWebhookSsrf::urlShape_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("refused");
    QTest::newRow("https name") << "https://hooks.buyer.test/adcp" << false;
    QTest::newRow("literal v6 loopback") << "http://[::1]:8080/x" << true;
    QTest::newRow("decimal loopback") << "http://2130706433/x" << true;
    QTest::newRow("ftp") << "ftp://hooks.buyer.test/x" << true;
    QTest::newRow("no host") << "http:///x" << true;
    QTest::newRow("relative") << "/hooks" << true;
    QTest::newRow("user info") << "https://user:pw@hooks.buyer.test/x" << true;
}

void TestWebhookSsrf::urlShape()
{
    QFETCH(QString, url);
    QFETCH(bool, refused);
    // The resolver answers a public address for every name: only the URL's shape or literal host decides.
    const auto check = webhookpolicy::checkUrl(url, WebhookAddressScope::PublicOnly,
                                               resolveTo(QStringLiteral("93.184.216.34")));
    QCOMPARE(check.refused, refused);
    QCOMPARE(check.reason.isEmpty(), !refused);
}

void TestWebhookSsrf::registrationRefusedNothingStored_data()
{
    QTest::addColumn<QString>("member");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("resolvesTo");
    QTest::newRow("push literal loopback") << "push_notification_config"
                                           << "http://127.0.0.1:9/hook"
                                           << "";
    QTest::newRow("push name → private") << "push_notification_config"
                                         << "https://hooks.buyer.test/x"
                                         << "10.0.0.7";
    QTest::newRow("reporting mapped private") << "reporting_webhook"
                                              << "http://[::ffff:192.168.1.5]/r"
                                              << "";
    QTest::newRow("reporting name → metadata") << "reporting_webhook"
                                               << "https://report.buyer.test/r"
                                               << "169.254.169.254";
}

void TestWebhookSsrf::registrationRefusedNothingStored()
{
    QFETCH(QString, member);
    QFETCH(QString, url);
    QFETCH(QString, resolvesTo);
    // No sender runs here: nothing is ever sent, the test is about what the Dispatcher stores.
    sellertest::Seller s(withScope(WebhookAddressScope::PublicOnly,
                                   resolvesTo.isEmpty() ? WebhookResolver{} : resolveTo(resolvesTo)));
    json config = {{"url", url.toStdString()}};
    if (member == QLatin1String("push_notification_config"))
        config["operation_id"] = "op-1";
    else
        config = {{"url", url.toStdString()},
                  {"reporting_frequency", "daily"},
                  {"authentication", {{"schemes", {"Bearer"}}, {"credentials", std::string(32, 'k')}}}};
    json args = s.explicitBuyArgs();
    args[member.toStdString()] = config;
    const auto before = s.allRows();
    const auto refused = s.call("create_media_buy", args);
    QVERIFY(!refused.ok());
    QCOMPARE(sellertest::errorCode(refused), std::string("INVALID_REQUEST"));
    QCOMPARE(sellertest::errorField(refused), member.toStdString() + ".url");
    // No address is echoed back to the buyer.
    QVERIFY(refused.error->message.find("127.0.0.1") == std::string::npos);
    QVERIFY(refused.error->message.find("10.0.0.7") == std::string::npos);
    QVERIFY(s.allRows() == before);
    QCOMPARE(s.rows(QStringLiteral("media_buys")), 0);
    QCOMPARE(s.rows(QStringLiteral("idempotency")), 0);

    // The same key with a public URL then runs once: the refusal left no idempotency record behind.
    args[member.toStdString()]["url"] = "https://hooks.buyer.test/adcp";
    s.options.webhookResolver = resolveTo(QStringLiteral("93.184.216.34"));
    s.context->setOptions(s.options);
    const auto accepted = s.call("create_media_buy", args);
    QVERIFY2(accepted.ok(), accepted.ok() ? "" : accepted.error->message.c_str());
    QVERIFY(!accepted.result.contains("replayed"));
    QCOMPARE(s.rows(QStringLiteral("media_buys")), 1);
}

void TestWebhookSsrf::updateRefused()
{
    sellertest::Seller s(withScope(WebhookAddressScope::PublicOnly));
    const auto created = s.call("create_media_buy", s.explicitBuyArgs());
    QVERIFY2(created.ok(), created.ok() ? "" : created.error->message.c_str());
    const auto before = s.allRows();
    const auto refused =
        s.call("update_media_buy", {{"media_buy_id", created.result["media_buy_id"]},
                                    {"account", {{"account_id", "acc-1"}}},
                                    {"idempotency_key", s.key()},
                                    {"push_notification_config", {{"url", "http://10.0.0.1/hook"}}}});
    QVERIFY(!refused.ok());
    QCOMPARE(sellertest::errorCode(refused), std::string("INVALID_REQUEST"));
    QCOMPARE(sellertest::errorField(refused), std::string("push_notification_config.url"));
    QVERIFY(s.allRows() == before);
}

void TestWebhookSsrf::reboundNameRefusedAtSendTime()
{
    RawReceiver receiver(RawReceiver::Behaviour::Ok);
    // Public when the buyer registers, loopback when the seller is about to connect.
    auto calls = std::make_shared<std::atomic<int>>(0);
    ExecSeller s(withScope(WebhookAddressScope::PublicOnly, [calls](const QString &, QString *) {
        return QList<QHostAddress>{QHostAddress(calls->fetch_add(1) == 0 ? QStringLiteral("93.184.216.34")
                                                                         : QStringLiteral("127.0.0.1"))};
    }));
    const std::string target = hookUrl(receiver.port(), "rebind.buyer.test");
    const auto created =
        s.call("create_media_buy",
               s.packageBuy({{"push_notification_config", {{"url", target}, {"operation_id", "op"}}}}));
    QVERIFY2(created.ok(), created.ok() ? "" : created.error->message.c_str());
    QSqlDatabase db = s.context->database();
    QTRY_VERIFY_WITH_TIMEOUT(
        !WebhookOutbox::rows(db).empty() && WebhookOutbox::rows(db).front().state == "abandoned", 60000);
    const qint64 id = WebhookOutbox::rows(db).front().id;
    QVERIFY2(lastError(s, id).contains(QLatin1String("loopback")), qPrintable(lastError(s, id)));
    QCOMPARE(receiver.connections, 0);
}

void TestWebhookSsrf::pinnedAddressKeepsTheHost()
{
    RawReceiver receiver(RawReceiver::Behaviour::Ok);
    ExecSeller s(withScope(WebhookAddressScope::AllowLoopback, resolveTo(QStringLiteral("127.0.0.1"))));
    const qint64 id = enqueue(s, hookUrl(receiver.port(), "hooks.buyer.test"), 1);
    QTRY_COMPARE_WITH_TIMEOUT(row(s, id).state, std::string("delivered"), 60000);
    QCOMPARE(receiver.requestLines.size(), 1);
    QCOMPARE(receiver.requestLines.front(), QByteArray("POST /hooks/adcp HTTP/1.1"));
    QCOMPARE(receiver.hosts.front(), "hooks.buyer.test:" + QByteArray::number(receiver.port()));
}

void TestWebhookSsrf::redirectNotFollowed()
{
    RawReceiver elsewhere(RawReceiver::Behaviour::Ok);
    RawReceiver redirecting(RawReceiver::Behaviour::Redirect);
    redirecting.location = QByteArray::fromStdString(hookUrl(elsewhere.port()));
    ExecSeller s(withScope(WebhookAddressScope::AllowLoopback));
    const qint64 id = enqueue(s, hookUrl(redirecting.port()), 1);
    QTRY_COMPARE_WITH_TIMEOUT(row(s, id).lastStatus, 307, 60000);
    QCOMPARE(row(s, id).state, std::string("pending"));
    QCOMPARE(elsewhere.connections, 0);
}

void TestWebhookSsrf::answerCapped()
{
    RawReceiver huge(RawReceiver::Behaviour::Huge);
    auto exec = exectest::fastOptions();
    exec.webhooks.maxResponseBytes = 8192;
    ExecSeller s(withScope(WebhookAddressScope::AllowLoopback), exec);
    const qint64 id = enqueue(s, hookUrl(huge.port()), 1);
    QTRY_VERIFY_WITH_TIMEOUT(lastError(s, id).contains(QLatin1String("answer larger than 8192 bytes")),
                             60000);
    QCOMPARE(row(s, id).state, std::string("pending"));
}

void TestWebhookSsrf::attemptDeadline()
{
    // One byte every 20 ms keeps an inactivity timeout from firing: only the attempt's total deadline ends
    // it.
    RawReceiver trickle(RawReceiver::Behaviour::Trickle);
    auto exec = exectest::fastOptions();
    exec.webhooks.timeoutMs = 400;
    ExecSeller s(withScope(WebhookAddressScope::AllowLoopback), exec);
    const qint64 id = enqueue(s, hookUrl(trickle.port()), 1);
    QTRY_VERIFY_WITH_TIMEOUT(lastError(s, id).contains(QLatin1String("no complete answer within 400 ms")),
                             60000);
    QCOMPARE(row(s, id).state, std::string("pending"));
}

void TestWebhookSsrf::tricklingHostHoldsOnlyItsSlots()
{
    RawReceiver silent(RawReceiver::Behaviour::Silent);
    RawReceiver healthy(RawReceiver::Behaviour::Ok);
    auto exec = exectest::fastOptions();
    exec.webhooks.timeoutMs = 600000;
    exec.webhooks.maxInFlight = 8;
    exec.webhooks.maxInFlightPerHost = 2;
    ExecSeller s(withScope(WebhookAddressScope::AllowLoopback), exec);
    s.execution.reset(); // everything is queued before the sender polls once
    std::vector<qint64> stuck;
    for (int i = 0; i < 5; ++i)
        stuck.push_back(enqueue(s, hookUrl(silent.port()), i));
    const qint64 other = enqueue(s, hookUrl(healthy.port()), 99);
    s.startExecution();
    QTRY_COMPARE_WITH_TIMEOUT(row(s, other).state, std::string("delivered"), 60000);
    QTRY_COMPARE_WITH_TIMEOUT(silent.connections, 2, 60000);
    int attempted = 0;
    for (qint64 id : stuck)
        attempted += row(s, id).attempts > 0 ? 1 : 0;
    QCOMPARE(attempted, 2);
}

QTEST_GUILESS_MAIN(TestWebhookSsrf)
#include "tst_webhook_ssrf.moc"
