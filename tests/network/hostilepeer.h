#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

#include <nlohmann/json.hpp>

#include <functional>

// A loopback HTTP peer that can misbehave in ways a well-mannered HTTP server library would not let it:
// answers without a length that never end, bytes written one at a time when the test says so, headers that
// lie about the body's size. Requests are parsed just enough (request line, headers, Content-Length body) to
// hand them to the test's script, which answers through the Exchange.
class HostilePeer final : public QTcpServer
{
public:
    struct Exchange
    {
        QPointer<QTcpSocket> socket;
        QByteArray method;
        QByteArray path;
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray rawBody;
        nlohmann::json body; // discarded when the body is not JSON
        int index = 0;       // the how-many-th request this peer saw (from 0)

        QByteArray header(const QByteArray &name) const;
        std::string rpcMethod() const;
        // A complete answer with Content-Length.
        void respond(int status, const QByteArray &contentType, const QByteArray &body,
                     const QList<QPair<QByteArray, QByteArray>> &extraHeaders = {}) const;
        void respondJson(const nlohmann::json &body) const;
        // Status line and headers of an answer that has no length: it ends when the connection closes.
        void startStream(const QByteArray &contentType,
                         const QList<QPair<QByteArray, QByteArray>> &extraHeaders = {},
                         int status = 200) const;
        void write(const QByteArray &bytes) const;
    };
    using Script = std::function<void(const Exchange &exchange)>;

    explicit HostilePeer(Script script, QObject *parent = nullptr);
    quint16 start();
    QUrl url(const QString &path = {}) const;

    QList<Exchange> seen;
    // Bytes written through streaming helpers (the endless stream below, drip()).
    qint64 streamed = 0;

    // Keeps writing `chunk` to the socket each time the previous write has drained, paced by the client's
    // reading rather than by a clock, and never closes the connection: endless as far as a client with a
    // smaller cap can tell. Writing stops after `upTo` bytes only so that a peer sharing the client's thread
    // cannot starve it.
    void streamForever(QTcpSocket *socket, const QByteArray &chunk, qint64 upTo = 16 * 1024 * 1024);
    // Writes one more byte of `pending` to every socket given to dripInto(); the test calls it.
    void dripInto(QTcpSocket *socket, const QByteArray &pending);
    void drip();

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void onReadyRead(QTcpSocket *socket);

    Script m_script;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<QPair<QPointer<QTcpSocket>, QByteArray>> m_drips;
};

// The MCP handshake answers (initialize, notifications/initialized), so scripts only decide tool calls.
bool answerMcpHandshake(const HostilePeer::Exchange &exchange);
// A tools/call answer with `structured` as its AdCP result, for the request with JSON-RPC id `id`.
nlohmann::json mcpToolResult(const nlohmann::json &id, const nlohmann::json &structured);
