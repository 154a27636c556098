#include "hostilepeer.h"

#include <QUrl>

#include <memory>

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 302:
        return "Found";
    case 307:
        return "Temporary Redirect";
    default:
        return "Status";
    }
}

QByteArray head(int status, const QByteArray &contentType, const QList<QPair<QByteArray, QByteArray>> &extra)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    if (!contentType.isEmpty())
        out += "Content-Type: " + contentType + "\r\n";
    for (const auto &[name, value] : extra)
        out += name + ": " + value + "\r\n";
    return out;
}

} // namespace

QByteArray HostilePeer::Exchange::header(const QByteArray &name) const
{
    for (const auto &[k, v] : headers) {
        if (k.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

std::string HostilePeer::Exchange::rpcMethod() const
{
    const auto it = body.is_object() ? body.find("method") : body.end();
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void HostilePeer::Exchange::respond(int status, const QByteArray &contentType, const QByteArray &body,
                                    const QList<QPair<QByteArray, QByteArray>> &extraHeaders) const
{
    if (!socket)
        return;
    socket->write(head(status, contentType, extraHeaders) +
                  "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
}

void HostilePeer::Exchange::respondJson(const nlohmann::json &json) const
{
    respond(200, "application/json", QByteArray::fromStdString(json.dump()));
}

void HostilePeer::Exchange::startStream(const QByteArray &contentType,
                                        const QList<QPair<QByteArray, QByteArray>> &extraHeaders,
                                        int status) const
{
    if (socket)
        socket->write(head(status, contentType, extraHeaders) + "Connection: close\r\n\r\n");
}

void HostilePeer::Exchange::write(const QByteArray &bytes) const
{
    if (socket)
        socket->write(bytes);
}

HostilePeer::HostilePeer(Script script, QObject *parent) : QTcpServer(parent), m_script(std::move(script)) {}

quint16 HostilePeer::start()
{
    return listen(QHostAddress::LocalHost, 0) ? serverPort() : 0;
}

QUrl HostilePeer::url(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(serverPort()).arg(path));
}

void HostilePeer::incomingConnection(qintptr descriptor)
{
    auto *socket = new QTcpSocket(this);
    socket->setSocketDescriptor(descriptor);
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
        m_buffers.remove(socket);
        socket->deleteLater();
    });
}

void HostilePeer::onReadyRead(QTcpSocket *socket)
{
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    for (;;) {
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        Exchange exchange;
        exchange.socket = socket;
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        exchange.method = requestLine.value(0);
        exchange.path = requestLine.value(1);
        qsizetype length = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = lines[i].left(colon).trimmed();
            const QByteArray value = lines[i].mid(colon + 1).trimmed();
            exchange.headers.append({name, value});
            if (name.compare("content-length", Qt::CaseInsensitive) == 0)
                length = value.toLongLong();
        }
        if (buffer.size() < end + 4 + length)
            return;
        exchange.rawBody = buffer.mid(end + 4, length);
        buffer.remove(0, end + 4 + length);
        exchange.body =
            nlohmann::json::parse(exchange.rawBody.constBegin(), exchange.rawBody.constEnd(), nullptr, false);
        exchange.index = int(seen.size());
        seen.append(exchange);
        m_script(exchange);
        if (!socket->isOpen())
            return;
    }
}

void HostilePeer::streamForever(QTcpSocket *socket, const QByteArray &chunk, qint64 upTo)
{
    auto written = std::make_shared<qint64>(0);
    const auto more = [this, socket, chunk, upTo, written] {
        if (socket->state() != QAbstractSocket::ConnectedState || socket->bytesToWrite() > 0 || *written >= upTo)
            return;
        socket->write(chunk);
        *written += chunk.size();
        streamed += chunk.size();
    };
    connect(socket, &QTcpSocket::bytesWritten, socket, more);
    more();
}

void HostilePeer::dripInto(QTcpSocket *socket, const QByteArray &pending)
{
    m_drips.append({socket, pending});
}

void HostilePeer::drip()
{
    for (auto &[socket, pending] : m_drips) {
        if (!socket || pending.isEmpty() || socket->state() != QAbstractSocket::ConnectedState)
            continue;
        socket->write(pending.left(1));
        pending.remove(0, 1);
        ++streamed;
    }
}

bool answerMcpHandshake(const HostilePeer::Exchange &exchange)
{
    const std::string method = exchange.rpcMethod();
    if (method == "initialize") {
        exchange.respondJson({{"jsonrpc", "2.0"},
                              {"id", exchange.body["id"]},
                              {"result",
                               {{"protocolVersion", "2025-06-18"},
                                {"capabilities", {{"tools", nlohmann::json::object()}}},
                                {"serverInfo", {{"name", "hostile"}, {"version", "1"}}}}}});
        return true;
    }
    if (method == "notifications/initialized") {
        exchange.respond(202, "application/json", {});
        return true;
    }
    return false;
}

nlohmann::json mcpToolResult(const nlohmann::json &id, const nlohmann::json &structured)
{
    return {{"jsonrpc", "2.0"},
            {"id", id},
            {"result",
             {{"content", nlohmann::json::array({{{"type", "text"}, {"text", structured.dump()}}})},
              {"structuredContent", structured}}}};
}
