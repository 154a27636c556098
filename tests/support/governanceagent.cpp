#include "governanceagent.h"

#include <QFile>
#include <QMutex>
#include <QSemaphore>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QThread>

#include <atomic>

namespace adcp::testsupport {

using nlohmann::json;

namespace {

QString tlsFile(const char *name)
{
    return QStringLiteral(ADCP_TEST_DATA_DIR "/tls/") + QLatin1String(name);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

struct TestGovernanceAgent::State
{
    std::string token;
    mutable QMutex mutex;
    Mode mode = Mode::Evaluate;
    double budgetLimit = 1e12;
    std::vector<Check> checks;
    int unauthorized = 0;
    int serial = 0;
    QThread thread;
    QObject *anchor = nullptr;
    QSslServer *server = nullptr;
    quint16 port = 0;

    // One HTTP request → the bytes to answer with (empty: never answer).
    QByteArray answer(const QByteArray &head, const QByteArray &body);
    json evaluate(const json &args);
};

json TestGovernanceAgent::State::evaluate(const json &args)
{
    QMutexLocker lock(&mutex);
    const std::string checkId = "chk-" + std::to_string(++serial);
    const bool execution = args.contains("governance_context");
    double amount = 0;
    if (args.contains("planned_delivery"))
        amount = args["planned_delivery"].value("total_budget", 0.0);
    else if (args.contains("payload")) {
        const json &p = args["payload"];
        if (p.contains("total_budget") && p["total_budget"].is_object())
            amount = p["total_budget"].value("amount", 0.0);
        for (const auto &pkg : p.value("packages", json::array()))
            amount += pkg.value("budget", 0.0);
    }
    switch (mode) {
    case Mode::Conditions:
        return {{"check_id", checkId},
                {"verdict", "conditions"},
                {"check_type", "intent"},
                {"explanation", "approvable once the flight ends within the plan"},
                {"conditions",
                 json::array({{{"field", "payload.end_time"}, {"reason", "the plan ends sooner"}}})},
                {"consultation_context", "consult-" + checkId}};
    case Mode::LegacyStatus:
        return {{"check_id", checkId},
                {"status", "approved"},
                {"plan_id", args.value("plan_id", std::string("plan"))},
                {"explanation", "approved (3.0 shape)"},
                {"governance_context", "gc-legacy-" + checkId},
                {"expires_at", "2126-01-01T00:00:00Z"}};
    case Mode::Garbage:
        return {{"hello", "world"}};
    default:
        break;
    }
    if (amount > budgetLimit)
        return {
            {"check_id", checkId},
            {"verdict", "denied"},
            {"check_type", execution ? "execution" : "intent"},
            {"explanation", "the buy exceeds the plan's remaining budget"},
            {"findings", json::array({{{"category_id", "budget_authority"},
                                       {"severity", "critical"},
                                       {"explanation", "requested " + std::to_string(amount) +
                                                           ", remaining " + std::to_string(budgetLimit)}}})}};
    return {{"check_id", checkId},
            {"verdict", "approved"},
            {"check_type", execution ? "execution" : "intent"},
            {"explanation", "within the plan's budget"},
            {"governance_context", "gc-approved-" + checkId},
            {"expires_at", "2126-01-01T00:00:00Z"}};
}

QByteArray TestGovernanceAgent::State::answer(const QByteArray &head, const QByteArray &body)
{
    auto http = [](int status, const char *reason, const QByteArray &payload,
                   const QByteArray &type = "application/json") -> QByteArray {
        return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\nContent-Type: " + type +
               "\r\nContent-Length: " + QByteArray::number(payload.size()) + "\r\nConnection: close\r\n\r\n" +
               payload;
    };
    QByteArray authorization;
    for (const QByteArray &line : head.split('\n')) {
        if (line.toLower().startsWith("authorization:"))
            authorization = line.mid(14).trimmed();
    }
    if (!head.startsWith("POST /mcp "))
        return http(404, "Not Found", "{}");
    if (authorization != "Bearer " + QByteArray::fromStdString(token)) {
        QMutexLocker lock(&mutex);
        ++unauthorized;
        return http(401, "Unauthorized", R"({"error":"invalid bearer token"})");
    }
    const json message = json::parse(body.toStdString(), nullptr, false);
    if (!message.is_object())
        return http(400, "Bad Request", "{}");
    const std::string method = message.value("method", std::string());
    if (method == "notifications/initialized")
        return http(202, "Accepted", QByteArray());
    const json id = message.value("id", json());
    if (method == "initialize") {
        const json result = {{"protocolVersion", message["params"].value("protocolVersion", "2025-06-18")},
                             {"capabilities", {{"tools", json::object()}}},
                             {"serverInfo", {{"name", "test governance agent"}, {"version", "1"}}}};
        return http(
            200, "OK",
            QByteArray::fromStdString(json{{"jsonrpc", "2.0"}, {"id", id}, {"result", result}}.dump()));
    }
    if (method != "tools/call" || message["params"].value("name", std::string()) != "check_governance")
        return http(
            200, "OK",
            QByteArray::fromStdString(json{
                {"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", -32601}, {"message", "no such method"}}}}
                                          .dump()));
    const json args = message["params"].value("arguments", json::object());
    Mode current;
    {
        QMutexLocker lock(&mutex);
        checks.push_back({args, authorization});
        current = mode;
    }
    if (current == Mode::Silent)
        return QByteArray();
    if (current == Mode::Http500)
        return http(500, "Internal Server Error", "{}");
    json result;
    if (current == Mode::ToolError) {
        result = {{"isError", true},
                  {"content", json::array({{{"type", "text"}, {"text", "plan store offline"}}})}};
    } else {
        const json verdict = evaluate(args);
        result = {{"content", json::array({{{"type", "text"}, {"text", verdict.dump()}}})},
                  {"structuredContent", verdict}};
    }
    return http(200, "OK",
                QByteArray::fromStdString(json{{"jsonrpc", "2.0"}, {"id", id}, {"result", result}}.dump()));
}

TestGovernanceAgent::TestGovernanceAgent(std::string token) : d(std::make_shared<State>())
{
    d->token = std::move(token);
    QSemaphore ready;
    d->thread.start();
    auto state = d;
    // The server and its sockets live on the agent's thread, under one anchor object.
    auto *anchor = new QObject;
    anchor->moveToThread(&d->thread);
    d->anchor = anchor;
    QMetaObject::invokeMethod(
        anchor,
        [state, anchor, &ready] {
            QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
            tls.setLocalCertificate(QSslCertificate(readAll(tlsFile("server.pem")), QSsl::Pem));
            tls.setPrivateKey(QSslKey(readAll(tlsFile("server.key")), QSsl::Ec, QSsl::Pem));
            tls.setPeerVerifyMode(QSslSocket::VerifyNone);
            state->server = new QSslServer(anchor);
            state->server->setSslConfiguration(tls);
            QObject::connect(state->server, &QTcpServer::pendingConnectionAvailable, state->server, [state] {
                while (QTcpSocket *socket = state->server->nextPendingConnection()) {
                    auto buffer = std::make_shared<QByteArray>();
                    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                    QObject::connect(socket, &QIODevice::readyRead, socket, [state, socket, buffer] {
                        *buffer += socket->readAll();
                        const qsizetype end = buffer->indexOf("\r\n\r\n");
                        if (end < 0)
                            return;
                        const QByteArray head = buffer->left(end);
                        qsizetype length = 0;
                        for (const QByteArray &line : head.split('\n')) {
                            if (line.toLower().startsWith("content-length:"))
                                length = line.mid(15).trimmed().toLongLong();
                        }
                        if (buffer->size() < end + 4 + length)
                            return;
                        const QByteArray reply = state->answer(head, buffer->mid(end + 4, length));
                        buffer->clear();
                        if (reply.isEmpty())
                            return; // Silent: the connection stays open and unanswered
                        socket->write(reply);
                        socket->disconnectFromHost();
                    });
                }
            });
            if (state->server->listen(QHostAddress::LocalHost, 0))
                state->port = state->server->serverPort();
            ready.release();
        },
        Qt::QueuedConnection);
    ready.acquire();
}

TestGovernanceAgent::~TestGovernanceAgent()
{
    d->thread.quit();
    d->thread.wait();
    delete d->anchor; // the thread has stopped: nothing of it runs any more
}

QString TestGovernanceAgent::url() const
{
    return d->port ? QStringLiteral("https://127.0.0.1:%1/mcp").arg(d->port) : QString();
}

QString TestGovernanceAgent::caFile()
{
    return tlsFile("ca.pem");
}

void TestGovernanceAgent::setMode(Mode mode)
{
    QMutexLocker lock(&d->mutex);
    d->mode = mode;
}

void TestGovernanceAgent::setBudgetLimit(double limit)
{
    QMutexLocker lock(&d->mutex);
    d->budgetLimit = limit;
}

std::vector<TestGovernanceAgent::Check> TestGovernanceAgent::checks() const
{
    QMutexLocker lock(&d->mutex);
    return d->checks;
}

int TestGovernanceAgent::unauthorizedRequests() const
{
    QMutexLocker lock(&d->mutex);
    return d->unauthorized;
}

} // namespace adcp::testsupport
