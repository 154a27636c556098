// The text/event-stream parser the MCP transport reads answers with: the same events however the bytes are
// cut, the bound on one event, and long input read in small pieces (which a rescanning parser would take
// minutes for; the test's timeout catches that).
#include "transports/sseparser.h"

#include <QTest>

using adcp::SseParser;

namespace {

QList<QByteArray> parseAll(const QList<QByteArray> &chunks,
                           qsizetype maxEventBytes = SseParser::kDefaultMaxEventBytes, bool *failed = nullptr)
{
    SseParser parser(maxEventBytes);
    QList<QByteArray> out;
    for (const QByteArray &chunk : chunks) {
        for (const auto &event : parser.feed(chunk))
            out.append(event.type + '|' + event.id + '|' + event.data);
    }
    for (const auto &event : parser.finish())
        out.append(event.type + '|' + event.id + '|' + event.data);
    if (failed)
        *failed = parser.failed();
    return out;
}

const QByteArray kStream = ": comment\r\n\r\nevent: progress\rid: 1\rdata: a\r\rdata: b\r\ndata:c\r\n\r\n"
                           "data\n\nid: 9\ndata: {\"x\": 1}\n\ndata: last";

} // namespace

class TestSseParser final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sameEventsForEverySplit();
    void eventOverTheBoundFails();
    void longLineInSmallPieces();
    void manyEventsInOnePiece();
};

void TestSseParser::sameEventsForEverySplit()
{
    const QList<QByteArray> whole = parseAll({kStream});
    const QList<QByteArray> expected = {"progress|1|a", "message|1|b\nc", "message|1|",
                                        "message|9|{\"x\": 1}", "message|9|last"};
    QCOMPARE(whole, expected);
    for (qsizetype cut = 0; cut <= kStream.size(); ++cut)
        QCOMPARE(parseAll({kStream.left(cut), kStream.mid(cut)}), expected);
    QList<QByteArray> bytes;
    for (char c : kStream)
        bytes.append(QByteArray(1, c));
    QCOMPARE(parseAll(bytes), expected);
}

void TestSseParser::eventOverTheBoundFails()
{
    bool failed = false;
    QCOMPARE(parseAll({"data: " + QByteArray(90, 'x') + "\n\n"}, 100, &failed).size(), 1);
    QVERIFY(!failed);
    // One line over the bound, arriving in pieces.
    QVERIFY(parseAll({"data: ", QByteArray(60, 'x'), QByteArray(60, 'x')}, 100, &failed).isEmpty());
    QVERIFY(failed);
    // Short lines that add up to an event over the bound; what follows is not parsed either.
    QByteArray lines;
    for (int i = 0; i < 30; ++i)
        lines += "data: 12345\n";
    QVERIFY(parseAll({lines + "\ndata: after\n\n"}, 100, &failed).isEmpty());
    QVERIFY(failed);
}

void TestSseParser::longLineInSmallPieces()
{
    const QByteArray payload(8 * 1024 * 1024, 'y');
    SseParser parser;
    QList<SseParser::Event> events;
    events += parser.feed("data: ");
    for (qsizetype at = 0; at < payload.size(); at += 256)
        events += parser.feed(payload.mid(at, 256));
    QVERIFY(events.isEmpty());
    events += parser.feed("\n\n");
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.front().data.size(), payload.size());
}

void TestSseParser::manyEventsInOnePiece()
{
    QByteArray stream;
    for (int i = 0; i < 200000; ++i)
        stream += "data: " + QByteArray::number(i) + "\r\n\r\n";
    SseParser parser;
    const auto events = parser.feed(stream);
    QCOMPARE(events.size(), 200000);
    QCOMPARE(events.back().data, QByteArray("199999"));
}

QTEST_APPLESS_MAIN(TestSseParser)
#include "tst_sseparser.moc"
