#include "sseparser.h"

#include <algorithm>

namespace adcp {

SseParser::SseParser(qsizetype maxEventBytes) : m_maxEventBytes(maxEventBytes) {}

bool SseParser::failed() const
{
    return m_failed;
}

bool SseParser::appendToLine(const char *begin, qsizetype length)
{
    if (m_line.size() + m_data.size() + length > m_maxEventBytes) {
        m_failed = true;
        m_line.clear();
        m_data.clear();
        return false;
    }
    m_line.append(begin, length);
    return true;
}

QList<SseParser::Event> SseParser::feed(const QByteArray &bytes)
{
    QList<Event> out;
    const char *pos = bytes.constBegin();
    const char *const end = bytes.constEnd();
    while (pos != end && !m_failed) {
        if (m_afterCr) {
            m_afterCr = false;
            if (*pos == '\n') {
                ++pos;
                continue;
            }
        }
        const char *eol = std::find_if(pos, end, [](char c) { return c == '\r' || c == '\n'; });
        if (!appendToLine(pos, eol - pos))
            break;
        if (eol == end)
            break;
        m_afterCr = *eol == '\r';
        processLine(m_line, out);
        m_line.clear();
        pos = eol + 1;
    }
    return out;
}

QList<SseParser::Event> SseParser::finish()
{
    QList<Event> out;
    if (m_failed)
        return out;
    if (!m_line.isEmpty()) {
        processLine(m_line, out);
        m_line.clear();
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
