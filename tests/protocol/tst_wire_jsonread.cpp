#include "wire/jsonread.h"

#include <QtTest/QtTest>

#include <string>

using adcp::wire::JsonRef;
using adcp::wire::ParseLimits;
using nlohmann::json;

class TestJsonRead final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesWellFormedDocuments();
    void rejectsBadDocuments_data();
    void rejectsBadDocuments();
    void depthLimitIsExact();
    void depthBombIsRejectedBeforeBuilding();
    void typedReads_data();
    void typedReads();
    void pointersAreEscaped();
    void errorBecomesAdcpError();
    void checkDepthOfBuiltDocuments();
    void dumpNeverThrows();
};

namespace {

std::string nested(int depth)
{
    return std::string(static_cast<std::size_t>(depth), '[') +
           std::string(static_cast<std::size_t>(depth), ']');
}

} // namespace

void TestJsonRead::parsesWellFormedDocuments()
{
    const auto doc = adcp::wire::parse(R"({"a": [1, "x\"[[[", {"b": null}], "c": "\u00e9"})");
    QVERIFY(doc.ok());
    QCOMPARE((*doc)["a"][1].get<std::string>(), std::string("x\"[[["));
    QCOMPARE((*doc)["c"].get<std::string>(), std::string("\xc3\xa9"));
}

void TestJsonRead::rejectsBadDocuments_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("found");
    QTest::newRow("syntax") << QByteArray("{\"a\": }") << QStringLiteral("a syntax error at byte 7");
    QTest::newRow("trailing garbage") << QByteArray("{} x") << QStringLiteral("a syntax error at byte 4");
    QTest::newRow("invalid UTF-8") << QByteArray("\"\xff\xfe\"")
                                   << QStringLiteral("a syntax error at byte 2");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("a syntax error at byte 1");
    QTest::newRow("too big") << QByteArray(2000, ' ') << QStringLiteral("2000 bytes");
    QTest::newRow("too deep") << QByteArray::fromStdString(nested(65))
                              << QStringLiteral("deeper nesting at byte 64");
}

void TestJsonRead::rejectsBadDocuments()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, found);
    ParseLimits limits;
    limits.maxBytes = 1000;
    const auto doc = adcp::wire::parse(std::string_view(text.constData(), size_t(text.size())), limits);
    QVERIFY(!doc.ok());
    QVERIFY(doc.invalid());
    QCOMPARE(QString::fromStdString(doc.error().found), found);
    QCOMPARE(doc.error().pointer, std::string());
}

void TestJsonRead::depthLimitIsExact()
{
    QVERIFY(adcp::wire::parse(nested(64)).ok());
    QVERIFY(!adcp::wire::parse(nested(65)).ok());
    ParseLimits shallow;
    shallow.maxDepth = 2;
    QVERIFY(adcp::wire::parse(R"({"a": [1]})", shallow).ok());
    const auto deep = adcp::wire::parse(R"({"a": [{}]})", shallow);
    QVERIFY(!deep.ok());
    QCOMPARE(deep.error().expected, std::string("nesting at most 2 levels deep"));
    // Brackets inside strings, escaped quotes included, are not nesting.
    QVERIFY(adcp::wire::parse(R"(["[[[[", "\"[[[[\\"])", shallow).ok());
}

void TestJsonRead::depthBombIsRejectedBeforeBuilding()
{
    // Ten million opening brackets: rejected at the 65th byte, nothing is built.
    const std::string bomb(10'000'000, '[');
    ParseLimits limits;
    limits.maxBytes = bomb.size();
    const auto doc = adcp::wire::parse(bomb, limits);
    QVERIFY(doc.invalid());
    QCOMPARE(doc.error().found, std::string("deeper nesting at byte 64"));
}

void TestJsonRead::typedReads_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("state"); // ok | absent | invalid
    QTest::addColumn<QString>("message");

    const QByteArray doc = R"({"s": "abc", "n": 2, "f": 2.5, "i2": 2.0, "b": true, "o": {}, "a": [1, 2, 3],
        "null": null, "neg": -1, "huge": 99999999999999999999, "big": 18446744073709551615})";
    QTest::newRow("string ok") << "string:s" << doc << "ok"
                               << "";
    QTest::newRow("string absent") << "string:zz" << doc << "absent"
                                   << "zz: expected a string, found nothing";
    QTest::newRow("string null") << "string:null" << doc << "absent"
                                 << "null: expected a string, found null";
    QTest::newRow("string from number") << "string:n" << doc << "invalid"
                                        << "n: expected a string, found an integer";
    QTest::newRow("string too long") << "string2:s" << doc << "invalid"
                                     << "s: expected a string of at most 2 bytes, found a string of 3 bytes";
    QTest::newRow("integer ok") << "integer:n" << doc << "ok"
                                << "";
    QTest::newRow("integral float") << "integer:i2" << doc << "ok"
                                    << "";
    QTest::newRow("fractional")
        << "integer:f" << doc << "invalid"
        << "f: expected an integer between 0 and 100, found a number out of that range";
    QTest::newRow("negative")
        << "integer:neg" << doc << "invalid"
        << "neg: expected an integer between 0 and 100, found a number out of that range";
    QTest::newRow("huge") << "integer:huge" << doc << "invalid"
                          << "huge: expected an integer between 0 and 100, found a number out of that range";
    QTest::newRow("uint64 max")
        << "integer:big" << doc << "invalid"
        << "big: expected an integer between 0 and 100, found a number out of that range";
    QTest::newRow("integer from string") << "integer:s" << doc << "invalid"
                                         << "s: expected an integer between 0 and 100, found a string";
    QTest::newRow("number ok") << "number:f" << doc << "ok"
                               << "";
    QTest::newRow("number from bool") << "number:b" << doc << "invalid"
                                      << "b: expected a number, found a boolean";
    QTest::newRow("boolean ok") << "boolean:b" << doc << "ok"
                                << "";
    QTest::newRow("boolean from object") << "boolean:o" << doc << "invalid"
                                         << "o: expected a boolean, found an object";
    QTest::newRow("object ok") << "object:o" << doc << "ok"
                               << "";
    QTest::newRow("object from array") << "object:a" << doc << "invalid"
                                       << "a: expected an object, found an array";
    QTest::newRow("array ok") << "array:a" << doc << "ok"
                              << "";
    QTest::newRow("array too long") << "array2:a" << doc << "invalid"
                                    << "a: expected an array of at most 2 items, found an array of 3 items";
    QTest::newRow("under a scalar") << "string:s/x" << doc << "absent"
                                    << "s.x: expected a string, found nothing";
    QTest::newRow("array element") << "integer:a/1" << doc << "ok"
                                   << "";
    QTest::newRow("array out of range") << "integer:a/7" << doc << "absent"
                                        << "a[7]: expected an integer between 0 and 100, found nothing";
}

namespace {

// "kind:path" with '/'-separated path tokens; numeric tokens index arrays.
template <typename R> void describeRead(const R &read, QString *state, QString *message)
{
    *state = read.ok()        ? QStringLiteral("ok")
             : read.invalid() ? QStringLiteral("invalid")
                              : QStringLiteral("absent");
    *message = read.ok() ? QString() : QString::fromStdString(read.error().message());
}

} // namespace

void TestJsonRead::typedReads()
{
    QFETCH(QString, kind);
    QFETCH(QByteArray, document);
    QFETCH(QString, state);
    QFETCH(QString, message);

    const auto doc = adcp::wire::parse(document.toStdString());
    QVERIFY(doc.ok());
    JsonRef ref(*doc);
    const QStringList parts = kind.split(QLatin1Char(':'));
    for (const QString &token : parts.at(1).split(QLatin1Char('/'))) {
        bool isIndex = false;
        const uint index = token.toUInt(&isIndex);
        ref = isIndex ? ref[std::size_t(index)] : ref[token.toStdString()];
    }
    QString gotState;
    QString gotMessage;
    const QString what = parts.at(0);
    if (what == QLatin1String("string"))
        describeRead(ref.string(), &gotState, &gotMessage);
    else if (what == QLatin1String("string2"))
        describeRead(ref.string(2), &gotState, &gotMessage);
    else if (what == QLatin1String("integer"))
        describeRead(ref.integer(0, 100), &gotState, &gotMessage);
    else if (what == QLatin1String("number"))
        describeRead(ref.number(), &gotState, &gotMessage);
    else if (what == QLatin1String("boolean"))
        describeRead(ref.boolean(), &gotState, &gotMessage);
    else if (what == QLatin1String("object"))
        describeRead(ref.object(), &gotState, &gotMessage);
    else if (what == QLatin1String("array"))
        describeRead(ref.array(), &gotState, &gotMessage);
    else if (what == QLatin1String("array2"))
        describeRead(ref.array(2), &gotState, &gotMessage);
    else
        QFAIL("unknown kind");
    QCOMPARE(gotState, state);
    QCOMPARE(gotMessage, message);
}

void TestJsonRead::pointersAreEscaped()
{
    const json doc = {{"a/b", {{"c~d", json::array({json::object({{"e", 1}})})}}}};
    const JsonRef ref = JsonRef(doc)["a/b"]["c~d"][std::size_t(0)]["e"];
    QCOMPARE(ref.pointer(), std::string("/a~1b/c~0d/0/e"));
    QCOMPARE(*ref.integer(), std::int64_t(1));
    const auto members = JsonRef(doc)["a/b"].members();
    QCOMPARE(members.size(), std::size_t(1));
    QCOMPARE(members.front().second.pointer(), std::string("/a~1b/c~0d"));
    const auto items = JsonRef(doc)["a/b"]["c~d"].items();
    QCOMPARE(items.size(), std::size_t(1));
    QCOMPARE(items.front().pointer(), std::string("/a~1b/c~0d/0"));
    QCOMPARE(JsonRef(doc)["zz"].raw(), json());
}

void TestJsonRead::errorBecomesAdcpError()
{
    const json doc = {{"pagination", {{"cursor", 5}}}};
    const auto cursor = JsonRef(doc)["pagination"]["cursor"].string(64);
    QVERIFY(cursor.invalid());
    const auto error = cursor.error().toAdcpError();
    QCOMPARE(error.code, std::string("INVALID_REQUEST"));
    QCOMPARE(error.field.value_or(""), std::string("pagination.cursor"));
    QCOMPARE(error.message, std::string("pagination.cursor: expected a string, found an integer"));
    QVERIFY(error.recovery == adcp::Recovery::Correctable);
}

void TestJsonRead::checkDepthOfBuiltDocuments()
{
    json deep = json::array();
    for (int i = 0; i < 70; ++i)
        deep = json::array({deep});
    QVERIFY(adcp::wire::checkDepth(deep).has_value());
    QVERIFY(!adcp::wire::checkDepth(deep, 71).has_value());
    QVERIFY(!adcp::wire::checkDepth(json::object()).has_value());
}

void TestJsonRead::dumpNeverThrows()
{
    const json withBadUtf8 = {{"header", std::string("\xff\xfe")}};
    QCOMPARE(adcp::wire::dump(withBadUtf8), std::string("{\"header\":\"\xef\xbf\xbd\xef\xbf\xbd\"}"));
}

QTEST_GUILESS_MAIN(TestJsonRead)
#include "tst_wire_jsonread.moc"
