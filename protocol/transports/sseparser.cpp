#include "sseparser.h"

namespace adcp {

QList<SseParser::Event> SseParser::feed(const QByteArray &bytes)
{
    QList<Event> out;
    m_buffer += bytes;
    qsizetype start = 0;
    for (;;) {
        const qsizetype cr = m_buffer.indexOf('\r', start);
        const qsizetype lf = m_buffer.indexOf('\n', start);
        if (cr < 0 && lf < 0)
            break;
        qsizetype end = 0;
        qsizetype next = 0;
        if (cr >= 0 && (lf < 0 || cr < lf)) {
            // A CR at the very end may be the first half of CRLF: wait for more bytes.
            if (cr + 1 >= m_buffer.size())
                break;
            end = cr;
            next = m_buffer.at(cr + 1) == '\n' ? cr + 2 : cr + 1;
        } else {
            end = lf;
            next = lf + 1;
        }
        processLine(m_buffer.mid(start, end - start), out);
        start = next;
    }
    m_buffer.remove(0, start);
    return out;
}

QList<SseParser::Event> SseParser::finish()
{
    QList<Event> out;
    if (!m_buffer.isEmpty()) {
        QByteArray rest = m_buffer;
        m_buffer.clear();
        if (rest.endsWith('\r'))
            rest.chop(1);
        processLine(rest, out);
    }
    processLine(QByteArray(), out);
    return out;
}

void SseParser::processLine(const QByteArray &line, QList<Event> &out)
{
    if (line.isEmpty()) {
        if (m_hasData)
            out.append({m_type.isEmpty() ? QByteArrayLiteral("message") : m_type, m_data, m_id});
        m_type.clear();
        m_data.clear();
        m_hasData = false;
        return;
    }
    if (line.startsWith(':'))
        return;
    const qsizetype colon = line.indexOf(':');
    const QByteArray field = colon < 0 ? line : line.left(colon);
    QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
    if (value.startsWith(' '))
        value.remove(0, 1);
    if (field == "data") {
        if (m_hasData)
            m_data += '\n';
        m_data += value;
        m_hasData = true;
    } else if (field == "event") {
        m_type = value;
    } else if (field == "id") {
        m_id = value;
    }
}

} // namespace adcp
