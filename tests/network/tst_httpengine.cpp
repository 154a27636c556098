// The Beast engine under the seller over real loopback sockets: keep-alive for answers computed on workers,
// pipelining, Expect: 100-continue, chunked bodies, and every limit enforced while reading (header size, body size,
// authentication before the body, header and idle timeouts, the connection cap), plus file descriptors
// after 10,000 connections.
#include "testseller.h"
#include "dispatcher.h"
#include "httpwire.h"
#include "sellercontext.h"
#include "server/sellerhttpserver.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace adcp::seller;
using nlohmann::json;

#if defined(__SANITIZE_ADDRESS__)
#define ADCP_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ADCP_TEST_UNDER_ASAN 1
#endif
#endif
#ifndef ADCP_TEST_UNDER_ASAN
#define ADCP_TEST_UNDER_ASAN 0
#endif
#if ADCP_TEST_UNDER_ASAN
#include <sanitizer/allocator_interface.h>
#endif

namespace {

const QByteArray kEngineToken = "engine-token-1";

QByteArray rpcBody(const std::string &method, const json &params = json::object(), int id = 1)
{
    return QByteArray::fromStdString(json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump());
}

QByteArray capabilitiesCall(int id)
{
    return rpcBody("tools/call", {{"name", "get_adcp_capabilities"}, {"arguments", json::object()}}, id);
}

int openFileDescriptors()
{
    return int(QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System).size());
}

// This process's resident set (server and client both live in it), in KiB.
// Memory the process holds, in KiB. Under AddressSanitizer freed blocks sit in a quarantine of up to 256 MiB,
// so RSS grows with every allocation whether or not anything leaks: there the live heap counts instead.
qint64 residentKiB()
{
#if ADCP_TEST_UNDER_ASAN
    return qint64(__sanitizer_get_current_allocated_bytes() / 1024);
#endif

    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// Connects `count` sockets that send the start of a request's headers and never finish them.
std::vector<std::unique_ptr<QTcpSocket>> slowClients(quint16 port, int count)
{
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < count; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, port);
        if (!socket->waitForConnected(10000))
            break;
        socket->write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
        socket->waitForBytesWritten(10000);
        sockets.push_back(std::move(socket));
    }
    return sockets;
}

} // namespace

class tst_HttpEngine final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void keepAliveAcrossWorkerAnswers();
    void pipelinedAnswersInOrder();
    void expectContinue();
    void expectContinueRefused_data();
    void expectContinueRefused();
    void chunkedBody();
    void headerTooLarge();
    void bodyTooLargeRefusedAfterHeaders();
    void chunkedBodyTooLarge();
    void unauthenticatedRefusedBeforeBody();
    void headerTimeoutClosesSlowClient();
    void idleTimeoutClosesKeptAliveConnection();
    void connectionCap();
    void malformedRequestLine();
    void mcpGetStream();
    void validRequestAnsweredBeside400SlowClients();
    void hugeUnauthenticatedUploadRefusedAfterHeaders();
    void noDescriptorLeftAfterManyConnections();

private:
    bool connectTo(QTcpSocket &socket, quint16 port = 0) const
    {
        socket.connectToHost(QHostAddress::LocalHost, port ? port : m_port);
        return socket.waitForConnected(10000);
    }
    // A second server on the same seller with other limits; *port is where it listens.
    std::unique_ptr<SellerHttpServer> makeServer(SellerServerOptions options, quint16 *port) const
    {
        BearerAuth auth;
        auth.addToken(kEngineToken, Principal{"buyer-1", true});
        auto server = std::make_unique<SellerHttpServer>(m_dispatcher, std::move(auth), std::move(options));
        *port = server->listen(QHostAddress::LocalHost, 0);
        return server;
    }
    SellerServerOptions shortTimeouts() const
    {
        SellerServerOptions options;
        // Small so that the tests end quickly; they assert the close, not the time it took.
        options.headerTimeout = std::chrono::milliseconds(200);
        options.idleTimeout = std::chrono::milliseconds(200);
        return options;
    }

    QTemporaryDir m_dir;
    std::shared_ptr<Dispatcher> m_dispatcher;
    std::unique_ptr<SellerHttpServer> m_server;
    quint16 m_port = 0;
};

void tst_HttpEngine::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QString error;
    m_dispatcher = openTestSeller(m_dir, &error);
    QVERIFY2(m_dispatcher, qPrintable(error));
    BearerAuth auth;
    auth.addToken(kEngineToken, Principal{"buyer-1", true});
    SellerServerOptions serverOptions;
    serverOptions.maxBodyBytes = 64 * 1024;
    serverOptions.maxHeaderBytes = 4 * 1024;
    m_server = std::make_unique<SellerHttpServer>(m_dispatcher, std::move(auth), serverOptions);
    m_port = m_server->listen(QHostAddress::LocalHost, 0);
    QVERIFY2(m_port != 0, qPrintable(m_server->errorString()));
}

void tst_HttpEngine::cleanupTestCase()
{
    m_server.reset();
    m_dispatcher.reset();
}

void tst_HttpEngine::keepAliveAcrossWorkerAnswers()
{
    QTcpSocket socket;
    QVERIFY(connectTo(socket));
    QByteArray buffer;
    for (int id = 1; id <= 3; ++id) {
        socket.write(postRequest("/mcp", capabilitiesCall(id), kEngineToken));
        const RawAnswer answer = readAnswer(socket, buffer);
        QCOMPARE(answer.status, 200);
        QVERIFY(answer.header("Connection").toLower() != "close");
        QCOMPARE(answer.json()["id"].get<int>(), id);
        QCOMPARE(answer.json()["result"]["isError"].get<bool>(), false);
    }
    QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
}

void tst_HttpEngine::pipelinedAnswersInOrder()
{
    QTcpSocket socket;
    QVERIFY(connectTo(socket));
    // A slow tool call between two pings, all in one write: the answers come back in request order.
    socket.write(postRequest("/mcp", rpcBody("ping", json::object(), 1), kEngineToken) +
                 postRequest("/mcp", capabilitiesCall(2), kEngineToken) +
                 postRequest("/mcp", rpcBody("ping", json::object(), 3), kEngineToken));
    QByteArray buffer;
    for (int id = 1; id <= 3; ++id) {
        const RawAnswer answer = readAnswer(socket, buffer);
        QCOMPARE(answer.status, 200);
        QCOMPARE(answer.json()["id"].get<int>(), id);
    }
}

void tst_HttpEngine::expectContinue()
{
    QTcpSocket socket;
    QVERIFY(connectTo(socket));
    QByteArray buffer;
    // Twice on one connection: the interim answer does not disturb keep-alive.
    for (int id = 1; id <= 2; ++id) {
        const QByteArray body = capabilitiesCall(id);
        QByteArray head = postRequest("/mcp", body, kEngineToken, "Expect: 100-continue\r\n");
        head.chop(body.size());
        socket.write(head);
        // The body is sent only after the interim answer, so the server cannot have answered from the body.
        const RawAnswer interim = readAnswer(socket, buffer);
        QCOMPARE(interim.status, 100);
        QVERIFY(buffer.isEmpty());
        socket.write(body);
        const RawAnswer answer = readAnswer(socket, buffer);
        QCOMPARE(answer.status, 200);
        QCOMPARE(answer.json()["id"].get<int>(), id);
        QCOMPARE(answer.json()["result"]["isError"].get<bool>(), false);
    }
    QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
}

void tst_HttpEngine::expectContinueRefused_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QByteArray>("length");
    QTest::addColumn<int>("status");
    QTest::newRow("no token") << QByteArray() << QByteArray("100") << 401;
    QTest::newRow("wrong token") << QByteArray("not-a-token") << QByteArray("100") << 401;
    QTest::newRow("body over --max-body") << kEngineToken << QByteArray("314572800") << 413;
}

// A request refused on its headers gets the final answer instead of 100 Continue; its body is never asked for
// and the connection closes.
void tst_HttpEngine::expectContinueRefused()
{
    QFETCH(QByteArray, token);
    QFETCH(QByteArray, length);
    QFETCH(int, status);
    QTcpSocket socket;
    QVERIFY(connectTo(socket));
    QByteArray head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      "Expect: 100-continue\r\nContent-Length: " +
                      length + "\r\n";
    if (!token.isEmpty())
        head += "Authorization: Bearer " + token + "\r\n";
    socket.write(head + "\r\n");
    QByteArray buffer;
    const RawAnswer answer = readAnswer(socket, buffer);
    QCOMPARE(answer.status, status);
    QVERIFY(!answer.head.contains(" 100 "));
    QVERIFY(closedByPeer(socket));
    QVERIFY(!buffer.contains("100 Continue"));
}

void tst_HttpEngine::chunkedBody()
{
    QTcpSocket socket;
    QVERIFY(connectTo(socket));
    const QByteArray body = rpcBody("ping", json::object(), 7);
    const QByteArray first = body.left(10);
    const QByteArray rest = body.mid(10);
    socket.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer " +
                 kEngineToken + "\r\nTransfer-Encoding: chunked\r\n\r\n" + QByteArray::number(first.size(), 16) +
                 "\r\n" + first + "\r\n" + QByteArray::number(rest.size(), 16) + "\r\n" + rest + "\r\n0\r\n\r\n");
    QByteArray buffer;
    const RawAnswer answer = readAnswer(socket, buffer);
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.json()["id"].get<int>(), 7);
}

void tst_HttpEngine::headerTooLarge()
{
    QTcpSocket socket;
    QVERIFY(connectTo(socket));
    socket.write("GET /.well-known/agent-card.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " +
                 QByteArray(8 * 1024, 'a') + "\r\n\r\n");
    QByteArray buffer;
    QCOMPARE(readAnswer(socket, buffer).status, 431);
    QVERIFY(closedByPeer(socket));
}

void tst_HttpEngine::bodyTooLargeRefusedAfterHeaders()
{
    QTcpSocket socket;
    QVERIFY(connectTo(socket));
    // 300 MB announced, none of it sent: the refusal comes from the headers alone.
    socket.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer " +
                 kEngineToken + "\r\nContent-Length: 314572800\r\n\r\n");
    QByteArray buffer;
    const RawAnswer answer = readAnswer(socket, buffer);
    QCOMPARE(answer.status, 413);
    QCOMPARE(answer.json()["error"]["code"].get<int>(), -32600);
    QVERIFY(closedByPeer(socket));
}

void tst_HttpEngine::chunkedBodyTooLarge()
{
    QTcpSocket socket;
    QVERIFY(connectTo(socket));
    const QByteArray chunk(40 * 1024, 'x');
    socket.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kEngineToken +
                 "\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 2; ++i)
        socket.write(QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n");
    QByteArray buffer;
    QCOMPARE(readAnswer(socket, buffer).status, 413);
    QVERIFY(closedByPeer(socket));
}

void tst_HttpEngine::unauthenticatedRefusedBeforeBody()
{
    QTcpSocket socket;
    QVERIFY(connectTo(socket));
    socket.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 "Content-Length: 1000\r\n\r\n");
    QByteArray buffer;
    const RawAnswer answer = readAnswer(socket, buffer);
    QCOMPARE(answer.status, 401);
    QVERIFY(answer.header("WWW-Authenticate").startsWith("Bearer"));
    QVERIFY(closedByPeer(socket));

    // The same process still serves a valid call.
    QTcpSocket valid;
    QVERIFY(connectTo(valid));
    valid.write(postRequest("/mcp", capabilitiesCall(1), kEngineToken));
    QByteArray validBuffer;
    QCOMPARE(readAnswer(valid, validBuffer).status, 200);
}

void tst_HttpEngine::headerTimeoutClosesSlowClient()
{
    quint16 port = 0;
    const auto server = makeServer(shortTimeouts(), &port);
    QVERIFY(port != 0);
    QTcpSocket socket;
    QVERIFY(connectTo(socket, port));
    socket.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    QVERIFY(socket.waitForBytesWritten(10000));
    QVERIFY(closedByPeer(socket));
}

void tst_HttpEngine::idleTimeoutClosesKeptAliveConnection()
{
    quint16 port = 0;
    const auto server = makeServer(shortTimeouts(), &port);
    QVERIFY(port != 0);
    QTcpSocket socket;
    QVERIFY(connectTo(socket, port));
    socket.write(postRequest("/mcp", rpcBody("ping"), kEngineToken));
    QByteArray buffer;
    QCOMPARE(readAnswer(socket, buffer).status, 200);
    QVERIFY(closedByPeer(socket));
}

void tst_HttpEngine::connectionCap()
{
    SellerServerOptions options;
    options.maxConnections = 8;
    quint16 port = 0;
    const auto server = makeServer(options, &port);
    QVERIFY(port != 0);
    // Eight connections each served once (so the server has accepted them) fill the cap of eight.
    std::vector<std::unique_ptr<QTcpSocket>> open;
    for (int i = 0; i < 8; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        QVERIFY(connectTo(*socket, port));
        socket->write("GET /.well-known/agent-card.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QByteArray buffer;
        QCOMPARE(readAnswer(*socket, buffer).status, 200);
        open.push_back(std::move(socket));
    }
    QTcpSocket extra;
    QVERIFY(connectTo(extra, port));
    QByteArray buffer;
    const RawAnswer refused = readAnswer(extra, buffer);
    QCOMPARE(refused.status, 503);
    QVERIFY(!refused.header("Retry-After").isEmpty());
    QVERIFY(closedByPeer(extra));
    open.clear();
    QTRY_COMPARE_WITH_TIMEOUT(server->connectionCount(), 0, 20000);
}

void tst_HttpEngine::malformedRequestLine()
{
    QTcpSocket socket;
    QVERIFY(connectTo(socket));
    socket.write("THIS IS NOT HTTP\r\n\r\n");
    QByteArray buffer;
    QCOMPARE(readAnswer(socket, buffer).status, 400);
    QVERIFY(closedByPeer(socket));
}

void tst_HttpEngine::mcpGetStream()
{
    QTcpSocket socket;
    QVERIFY(connectTo(socket));
    socket.write(postRequest("/mcp", rpcBody("initialize", {{"protocolVersion", "2025-06-18"}}), kEngineToken));
    QByteArray buffer;
    const RawAnswer opened = readAnswer(socket, buffer);
    QCOMPARE(opened.status, 200);
    const QByteArray session = opened.header("Mcp-Session-Id");
    QVERIFY(!session.isEmpty());
    socket.write("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: Bearer " +
                 kEngineToken + "\r\nMcp-Session-Id: " + session + "\r\n\r\n");
    while (!buffer.contains(": stream open"))
        QVERIFY(waitMore(socket, buffer));
    QVERIFY(buffer.startsWith("HTTP/1.1 200"));
    QVERIFY(buffer.toLower().contains("content-type: text/event-stream"));
    QVERIFY(buffer.toLower().contains("transfer-encoding: chunked"));
    // The stream stays open until the client leaves; the server then lets the connection go.
    QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
    socket.disconnectFromHost();
}

void tst_HttpEngine::validRequestAnsweredBeside400SlowClients()
{
    SellerServerOptions options;
    // Long enough that the slow clients are certainly still open when the valid request comes.
    options.headerTimeout = std::chrono::minutes(5);
    quint16 port = 0;
    const auto server = makeServer(options, &port);
    QVERIFY(port != 0);
    const auto slow = slowClients(port, 400);
    QCOMPARE(int(slow.size()), 400);
    QTRY_COMPARE_WITH_TIMEOUT(server->connectionCount(), 400, 20000);

    QTcpSocket valid;
    QVERIFY(connectTo(valid, port));
    valid.write(postRequest("/mcp", capabilitiesCall(1), kEngineToken));
    QByteArray buffer;
    const RawAnswer answer = readAnswer(valid, buffer);
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.json()["result"]["isError"].get<bool>(), false);
    // Answered while every slow client still holds its connection.
    QCOMPARE(server->connectionCount(), 401);
    for (const auto &socket : slow)
        QCOMPARE(socket->state(), QAbstractSocket::ConnectedState);
}

// 300 MB announced without a token: 401 from the headers alone, the body is read only as far as the lingering
// close drains it, and memory stays flat. The client writes a chunk only when the previous one has left, so
// what it sends is what the server (or the kernel for it) took.
void tst_HttpEngine::hugeUnauthenticatedUploadRefusedAfterHeaders()
{
    constexpr qint64 kAnnounced = 300LL * 1024 * 1024;
    const qint64 before = residentKiB();
    QVERIFY(before > 0);
    QTcpSocket socket;
    QVERIFY(connectTo(socket));
    socket.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
                 QByteArray::number(kAnnounced) + "\r\n\r\n");
    const QByteArray chunk(64 * 1024, 'x');
    qint64 sent = 0;
    QByteArray buffer;
    // Like a careful client, it stops sending once a final answer is there.
    while (sent < kAnnounced && socket.state() == QAbstractSocket::ConnectedState && !buffer.contains("\r\n\r\n")) {
        if (socket.bytesToWrite() == 0) {
            socket.write(chunk);
            sent += chunk.size();
        }
        socket.waitForBytesWritten(1000);
        socket.waitForReadyRead(0);
        buffer += socket.readAll();
    }
    const RawAnswer answer = readAnswer(socket, buffer);
    QCOMPARE(answer.status, 401);
    QVERIFY(closedByPeer(socket));
    QVERIFY2(sent < 64LL * 1024 * 1024, qPrintable(QStringLiteral("%1 bytes of the body were taken").arg(sent)));
    const qint64 grownKiB = residentKiB() - before;
    QVERIFY2(grownKiB < 20 * 1024, qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(grownKiB)));
}

void tst_HttpEngine::noDescriptorLeftAfterManyConnections()
{
    const QByteArray request = "GET /.well-known/agent-card.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    const auto connectServeClose = [&](int count) {
        for (int i = 0; i < count; ++i) {
            QTcpSocket socket;
            if (!connectTo(socket))
                return false;
            socket.write(request);
            QByteArray buffer;
            if (readAnswer(socket, buffer).status != 200 || !closedByPeer(socket))
                return false;
        }
        return true;
    };
    // A first round lets the allocator and the sockets' first-use state settle before the counts.
    QVERIFY(connectServeClose(500));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, 20000);
    const int before = openFileDescriptors();
    const qint64 residentBefore = residentKiB();
    QVERIFY(connectServeClose(10000));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, 20000);
    // 4 MiB over 10,000 connections: a leak of 400 bytes per connection would show.
    const qint64 grownKiB = residentKiB() - residentBefore;
    QVERIFY2(grownKiB < 4 * 1024, qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(grownKiB)));
    // Connections of earlier tests may still have been closing at the first count, never opening.
    const int after = openFileDescriptors();
    QVERIFY2(after <= before, qPrintable(QStringLiteral("%1 descriptors before, %2 after").arg(before).arg(after)));
}

QTEST_GUILESS_MAIN(tst_HttpEngine)
#include "tst_httpengine.moc"
