#pragma once

#include <QByteArray>
#include <QList>

namespace adcp {

// Incremental text/event-stream parser (WHATWG rules that matter for MCP: `data:` lines joined by "\n",
// `event:`/`id:` fields, comment lines, CR/LF/CRLF line ends). Bytes may arrive in any chunking; every byte
// is looked at once, so the cost is linear in the stream's length however it is cut. One event (its pending
// line plus its data) may hold at most `maxEventBytes`: past that the parser fails and ignores the rest, so a
// peer cannot grow it without bound.
class SseParser final
{
public:
    struct Event
    {
        QByteArray type; // "message" unless an `event:` field said otherwise
        QByteArray data;
        QByteArray id;
    };

    static constexpr qsizetype kDefaultMaxEventBytes = 32 * 1024 * 1024;
    explicit SseParser(qsizetype maxEventBytes = kDefaultMaxEventBytes);

    // Feeds bytes and returns the events completed by them.
    QList<Event> feed(const QByteArray &bytes);
    // Completes a last event that the stream ended without a blank line after.
    QList<Event> finish();
    // True once an event outgrew maxEventBytes; nothing more is parsed.
    bool failed() const;

private:
    void processLine(const QByteArray &line, QList<Event> &out);
    bool appendToLine(const char *begin, qsizetype length);

    qsizetype m_maxEventBytes;
    QByteArray m_line;
    bool m_afterCr = false; // the last line ended with CR: a LF that follows belongs to it
    bool m_failed = false;
    QByteArray m_type;
    QByteArray m_data;
    QByteArray m_id;
    bool m_hasData = false;
};

} // namespace adcp
