#pragma once

#include <QAbstractHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QList>
#include <QTcpServer>

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>

// A loopback HTTP peer for transport tests: real sockets, answers decided per request by the test.
class ScriptedPeer final : public QAbstractHttpServer
{
public:
    struct Seen
    {
        QByteArray method;
        QByteArray path;
        QList<QPair<QByteArray, QByteArray>> headers;
        nlohmann::json body;
        QByteArray header(const QByteArray &name) const
        {
            for (const auto &[k, v] : headers) {
                if (k.compare(name, Qt::CaseInsensitive) == 0)
                    return v;
            }
            return {};
        }
    };
    struct Answer
    {
        int status = 200;
        QByteArray contentType = "application/json";
        QByteArray body;
        QList<QPair<QByteArray, QByteArray>> headers;
        bool hold = false; // never answer (timeouts)
    };
    using Script = std::function<Answer(const Seen &seen, int index)>;

    explicit ScriptedPeer(Script script) : m_script(std::move(script)) {}
    quint16 start() { return listen(QHostAddress::LocalHost, 0); }
    QList<Seen> seen;

    static Answer json(const nlohmann::json &body, QList<QPair<QByteArray, QByteArray>> headers = {})
    {
        return Answer{200, "application/json", QByteArray::fromStdString(body.dump()), std::move(headers),
                      false};
    }
    static Answer sse(const nlohmann::json &body)
    {
        // A progress notification first, as real servers send, then the response spread over several data
        // lines (SSE joins them with newlines, which JSON reads as whitespace).
        QByteArray payload =
            ": keep-alive\n\nevent: message\ndata: " +
            QByteArray::fromStdString(
                nlohmann::json{{"jsonrpc", "2.0"}, {"method", "notifications/progress"}}.dump()) +
            "\n\nevent: message\r\n";
        for (const QByteArray &line : QByteArray::fromStdString(body.dump(1)).split('\n'))
            payload += "data: " + line + "\r\n";
        payload += "\r\n";
        return Answer{200, "text/event-stream", payload, {}, false};
    }

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        Seen s;
        s.method = request.method() == QHttpServerRequest::Method::Post  ? "POST"
                   : request.method() == QHttpServerRequest::Method::Get ? "GET"
                                                                         : "OTHER";
        s.path = request.url().path().toLatin1();
        s.headers = request.headers();
        const QByteArray body = request.body();
        s.body = nlohmann::json::parse(body.constBegin(), body.constEnd(), nullptr, false);
        seen.append(s);
        const Answer a = m_script(s, int(seen.size()) - 1);
        if (a.hold)
            return true;
        QHttpServerResponder responder = makeResponder(request, socket);
        responder.writeStatusLine(QHttpServerResponder::StatusCode(a.status));
        responder.writeHeader("Content-Type", a.contentType);
        for (const auto &[k, v] : a.headers)
            responder.writeHeader(k, v);
        responder.writeHeader("Content-Length", QByteArray::number(a.body.size()));
        responder.writeBody(a.body);
        return true;
    }
    void missingHandler(const QHttpServerRequest &, QTcpSocket *) override {}

private:
    Script m_script;
};
