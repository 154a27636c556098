#pragma once

#include <QByteArray>
#include <QList>

namespace adcp {

// Incremental text/event-stream parser (WHATWG rules that matter for MCP: `data:` lines joined by "\n",
// `event:`/`id:` fields, comment lines, CR/LF/CRLF line ends). Bytes may arrive in any chunking.
class SseParser final
{
public:
    struct Event
    {
        QByteArray type; // "message" unless an `event:` field said otherwise
        QByteArray data;
        QByteArray id;
    };

    // Feeds bytes and returns the events completed by them.
    QList<Event> feed(const QByteArray &bytes);
    // Completes a last event that the stream ended without a blank line after.
    QList<Event> finish();

private:
    void processLine(const QByteArray &line, QList<Event> &out);
    QByteArray m_buffer;
    QByteArray m_type;
    QByteArray m_data;
    QByteArray m_id;
    bool m_hasData = false;
};

} // namespace adcp
