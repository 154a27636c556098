// The client's text/event-stream parser (protocol/transports/sseparser): any bytes in any chunking. The first
// byte chooses the chunk size; the events must be the same as when the whole stream arrives at once.
#include "transports/sseparser.h"

#include "fuzzinput.h"

#include <cstdlib>

namespace {

QList<adcp::SseParser::Event> parse(const QByteArray &stream, qsizetype chunk)
{
    adcp::SseParser parser;
    QList<adcp::SseParser::Event> events;
    for (qsizetype at = 0; at < stream.size(); at += chunk)
        events += parser.feed(stream.mid(at, chunk));
    events += parser.finish();
    return events;
}

bool sameEvents(const QList<adcp::SseParser::Event> &a, const QList<adcp::SseParser::Event> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].type != b[i].type || a[i].data != b[i].data || a[i].id != b[i].id)
            return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const qsizetype chunk = data[0] % 16 + 1;
    const QByteArray stream(reinterpret_cast<const char *>(data + 1), static_cast<qsizetype>(size - 1));
    if (!sameEvents(parse(stream, chunk), parse(stream, stream.size() + 1)))
        std::abort();
    return 0;
}
