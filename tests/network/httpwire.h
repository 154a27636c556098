#pragma once

// A minimal raw HTTP/1.1 client for the engine tests: exact bytes out, one Content-Length framed answer in,
// so keep-alive, pipelining, 100-continue and early refusals can be observed on one socket.
#include <QByteArray>
#include <QTcpSocket>

#include <nlohmann/json.hpp>

struct RawAnswer
{
    int status = 0; // 0 = the connection closed (or stayed silent) before a whole answer
    QByteArray head;
    QByteArray body;

    QByteArray header(const QByteArray &name) const
    {
        for (const QByteArray &line : head.split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }
    nlohmann::json json() const { return nlohmann::json::parse(body.constBegin(), body.constEnd(), nullptr, false); }
};

inline bool waitMore(QTcpSocket &socket, QByteArray &buffer)
{
    if (socket.bytesAvailable() == 0 && !socket.waitForReadyRead(20000))
        return false;
    buffer += socket.readAll();
    return true;
}

// One answer from the socket; `buffer` keeps what belongs to the next one.
inline RawAnswer readAnswer(QTcpSocket &socket, QByteArray &buffer)
{
    RawAnswer answer;
    qsizetype end = -1;
    while ((end = buffer.indexOf("\r\n\r\n")) < 0) {
        if (!waitMore(socket, buffer))
            return answer;
    }
    answer.head = buffer.left(end);
    // An interim answer (100 Continue) is a status line alone, without a CRLF before the blank line.
    const qsizetype lineEnd = answer.head.indexOf('\r');
    const QList<QByteArray> statusLine = (lineEnd < 0 ? answer.head : answer.head.left(lineEnd)).split(' ');
    const qsizetype length = answer.header("Content-Length").toLongLong();
    while (buffer.size() < end + 4 + length) {
        if (!waitMore(socket, buffer))
            return answer;
    }
    answer.body = buffer.mid(end + 4, length);
    buffer.remove(0, end + 4 + length);
    answer.status = statusLine.size() > 1 ? statusLine[1].toInt() : 0;
    return answer;
}

// True when the peer closes the connection (waits up to 20 s as a safety net, not as the assertion).
inline bool closedByPeer(QTcpSocket &socket)
{
    while (socket.state() == QAbstractSocket::ConnectedState) {
        if (!socket.waitForReadyRead(20000) && socket.state() == QAbstractSocket::ConnectedState)
            return false;
        socket.readAll();
    }
    return true;
}

inline QByteArray postRequest(const QByteArray &path, const QByteArray &body, const QByteArray &token,
                              const QByteArray &extraHeaders = {})
{
    QByteArray r = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                    "Accept: application/json, text/event-stream\r\n";
    if (!token.isEmpty())
        r += "Authorization: Bearer " + token + "\r\n";
    r += extraHeaders;
    r += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    return r;
}
