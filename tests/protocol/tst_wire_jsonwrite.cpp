#include "adcperror.h"
#include "wire/jsonread.h"
#include "wire/jsonwrite.h"

#include <QtTest/QtTest>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>

using nlohmann::json;

// wire::dump must write exactly what nlohmann's own writer writes in its non-throwing mode, for every
// document: the seller's answers and stored rows switched to it, and buyers (and our tests) compare bytes.
class TestJsonWrite final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writesWhatNlohmannWrites_data();
    void writesWhatNlohmannWrites();
    void randomDocumentsMatch();
    void stringLiteralMatchesForValidText();
    void appendsAfterExistingText();
    void preparedMembersSpliceAsTheWholeDocument();
    void materializeParsesPreparedMembersIn();
};

namespace {

std::string reference(const json &value)
{
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string bytes(std::initializer_list<int> values)
{
    std::string s;
    for (int v : values)
        s += static_cast<char>(v);
    return s;
}

// Random documents: strings made of pieces that include every escape and broken UTF-8.
class RandomJson
{
public:
    explicit RandomJson(std::uint64_t seed) : m_rng(seed) {}

    std::uint64_t next() { return m_rng(); }

    std::string string()
    {
        static const std::string pieces[] = {
            "a",        "\"",   "\\",   "\n",           "\x01", "\x1f", " ",        "\x7f", "\xc3",    "\xa9",
            "\xe2\x82", "\xac", "\xf0", "\x9f\x8e\xac", "\xed", "\xa0", "\xc3\xa9", "\xff", "abcdefgh"};
        std::string s;
        const int parts = int(m_rng() % 24);
        for (int i = 0; i < parts; ++i)
            s += pieces[m_rng() % std::size(pieces)];
        return s;
    }

    json object(int depth)
    {
        json object = json::object();
        for (int i = int(m_rng() % 5); i > 0; --i)
            object[string()] = value(depth + 1);
        return object;
    }

    json value(int depth)
    {
        switch (m_rng() % (depth > 3 ? 5 : 7)) {
        case 0:
            return string();
        case 1:
            return static_cast<std::int64_t>(m_rng());
        case 2:
            return static_cast<std::uint64_t>(m_rng());
        case 3:
            return std::ldexp(static_cast<double>(m_rng() % 1000000), int(m_rng() % 80) - 40);
        case 4:
            return m_rng() % 2 == 0 ? json(nullptr) : json(m_rng() % 2 == 0);
        case 5:
            return object(depth);
        default: {
            json array = json::array();
            for (int i = int(m_rng() % 5); i > 0; --i)
                array.push_back(value(depth + 1));
            return array;
        }
        }
    }

private:
    std::mt19937_64 m_rng;
};

// The text copy of `text` as a JSON string's content, written by nlohmann.
std::string escapedByNlohmann(const std::string &text)
{
    const std::string literal = json(text).dump();
    return literal.substr(1, literal.size() - 2);
}

} // namespace

void TestJsonWrite::writesWhatNlohmannWrites_data()
{
    QTest::addColumn<QByteArray>("document"); // CBOR, so that invalid UTF-8 and every number kind survive

    const auto row = [](const char *name, const json &value) {
        const auto cbor = json::to_cbor(value);
        QTest::newRow(name) << QByteArray(reinterpret_cast<const char *>(cbor.data()),
                                          qsizetype(cbor.size()));
    };
    row("empty object", json::object());
    row("empty array", json::array());
    row("null, booleans", json::array({nullptr, true, false}));
    row("integers",
        json::array({0, -1, 1, std::numeric_limits<std::int64_t>::min(),
                     std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::uint64_t>::max()}));
    row("floats", json::array({0.1, -0.0, 100.0, 1e300, 1e-7, 12000.5, std::nan(""),
                               std::numeric_limits<double>::infinity()}));
    std::string controls;
    for (int c = 0; c < 0x20; ++c)
        controls += static_cast<char>(c);
    row("control characters", json::array({controls, "tab\there", bytes({0x7f})}));
    row("quotes and backslashes", json{{"a\"b", "c\\d\"e\\"}, {"\\", "\""}});
    row("long plain run", std::string(1000, 'x') + "\"" + std::string(17, 'y'));
    row("valid UTF-8 across word edges",
        json::array({"1234567\xc3\xa9", "123456\xe2\x82\xac", "12345\xf0\x9f\x8e\xac", "\xef\xbf\xbf",
                     "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf", "\xe0\xa0\x80", "\xf0\x90\x80\x80"}));
    row("lone continuation byte", bytes({'a', 0x80, 'b'}));
    row("truncated sequence at the end", bytes({'a', 'b', 0xe2, 0x82}));
    row("overlong", json::array({bytes({0xc0, 0x80}), bytes({0xc1, 0xbf}), bytes({0xe0, 0x80, 0x80}),
                                 bytes({0xf0, 0x80, 0x80, 0x80})}));
    row("surrogate", bytes({0xed, 0xa0, 0x80, 'x'}));
    row("above U+10FFFF",
        json::array({bytes({0xf4, 0x90, 0x80, 0x80}), bytes({0xf5, 0x80, 0x80, 0x80}), bytes({0xff})}));
    row("invalid key", json{{bytes({'k', 0xff}), 1}, {"ok", bytes({0xc3})}});
    row("nested", json{{"a", {{"b", json::array({1, json::object(), json::array({"c"})})}}}});
    row("binary", json::binary({1, 2, 3}));
}

void TestJsonWrite::writesWhatNlohmannWrites()
{
    QFETCH(QByteArray, document);
    const json value = json::from_cbor(document.begin(), document.end());
    QCOMPARE(QByteArray::fromStdString(adcp::wire::dump(value)), QByteArray::fromStdString(reference(value)));
}

// Random documents from a fixed seed: strings drawn from bytes that matter to the writer (controls, quotes,
// backslashes, high bytes, parts of valid sequences) at random lengths, numbers of every kind, nesting.
void TestJsonWrite::randomDocumentsMatch()
{
    RandomJson random(20261206);
    for (int i = 0; i < 20000; ++i) {
        const json value = random.value(0);
        const std::string ours = adcp::wire::dump(value);
        const std::string theirs = reference(value);
        if (ours != theirs)
            QFAIL(qPrintable(QStringLiteral("document %1 differs:\n ours   %2\n theirs %3")
                                 .arg(i)
                                 .arg(QString::fromStdString(
                                     json(ours).dump(-1, ' ', true, json::error_handler_t::replace)))
                                 .arg(QString::fromStdString(
                                     json(theirs).dump(-1, ' ', true, json::error_handler_t::replace)))));
    }
}

// The MCP text copy escapes already-written JSON text: for valid UTF-8 it equals the serializer's string.
void TestJsonWrite::stringLiteralMatchesForValidText()
{
    std::mt19937_64 rng(7);
    const std::string pieces[] = {"a",
                                  "\"",
                                  "\\",
                                  "\n",
                                  "\t",
                                  "\x01",
                                  "\x1f",
                                  "\x7f",
                                  "\xc3\xa9",
                                  "\xe2\x82\xac",
                                  "\xf0\x9f\x8e\xac",
                                  "{\"k\":[1,2]}",
                                  "12345678"};
    for (int i = 0; i < 5000; ++i) {
        std::string s;
        for (int k = int(rng() % 40); k > 0; --k)
            s += pieces[rng() % std::size(pieces)];
        std::string out;
        adcp::wire::appendJsonString(out, s);
        QCOMPARE(QByteArray::fromStdString(out), QByteArray::fromStdString(json(s).dump()));
    }
}

void TestJsonWrite::appendsAfterExistingText()
{
    std::string out = "prefix:";
    adcp::wire::appendDump(out, json{{"x", 1.5}, {"y", "\xff"}});
    QCOMPARE(QByteArray::fromStdString(out), QByteArray("prefix:{\"x\":1.5,\"y\":\"\xef\xbf\xbd\"}"));
}

// A seller's answer assembled from prepared members (get_products' products) must be the bytes of the whole
// document written at once, and its escaped twin the text nlohmann would escape.
void TestJsonWrite::preparedMembersSpliceAsTheWholeDocument()
{
    RandomJson random(20261207);
    for (int i = 0; i < 5000; ++i) {
        const json base = random.object(1);
        json overriding = random.object(1);
        // Some overrides replace a member of the base.
        for (const auto &[key, value] : base.items()) {
            if (random.next() % 3 == 0)
                overriding[key] = random.value(2);
        }
        json whole = base;
        for (const auto &[key, value] : overriding.items())
            whole[key] = value;
        const std::string expected = reference(whole);
        const auto members = adcp::wire::prepareMembers(base);
        const auto overrides = adcp::wire::prepareMembers(overriding);

        adcp::wire::TwinText fromMembers;
        fromMembers.append("[");
        adcp::wire::appendObject(fromMembers, members, overrides);
        fromMembers.append("]");
        QCOMPARE(QByteArray::fromStdString(fromMembers.text),
                 QByteArray::fromStdString("[" + expected + "]"));
        QCOMPARE(QByteArray::fromStdString(fromMembers.escaped),
                 QByteArray::fromStdString(escapedByNlohmann("[" + expected + "]")));

        adcp::wire::TwinText fromValue;
        adcp::wire::appendObject(fromValue, base, overrides);
        QCOMPARE(QByteArray::fromStdString(fromValue.text), QByteArray::fromStdString(expected));
        QCOMPARE(QByteArray::fromStdString(fromValue.escaped),
                 QByteArray::fromStdString(escapedByNlohmann(expected)));
    }
    // Nothing at all.
    adcp::wire::TwinText empty;
    adcp::wire::appendObject(empty, json::object(), {});
    QCOMPARE(QByteArray::fromStdString(empty.text), QByteArray("{}"));
    QCOMPARE(QByteArray::fromStdString(empty.escaped), QByteArray("{}"));
}

void TestJsonWrite::materializeParsesPreparedMembersIn()
{
    const json product = {{"product_id", "p1"}, {"name", "Quote \" and \xc3\xa9"}, {"n", 3}};
    adcp::ToolOutcome outcome = adcp::ToolOutcome::success({{"status", "completed"}});
    adcp::wire::PreparedMember products{"products", {}};
    products.piece.append(R"("products":[)");
    const std::vector<adcp::wire::PreparedMember> relevance = {
        adcp::wire::prepareMember("brief_relevance", "why")};
    adcp::wire::appendObject(products.piece, adcp::wire::prepareMembers(product), relevance);
    products.piece.append("]");
    outcome.prepared.push_back(std::move(products));
    outcome.materialize();
    QVERIFY(outcome.prepared.empty());
    json expected = product;
    expected["brief_relevance"] = "why";
    QVERIFY2(outcome.result == (json{{"status", "completed"}, {"products", json::array({expected})}}),
             outcome.result.dump().c_str());
}

QTEST_GUILESS_MAIN(TestJsonWrite)
#include "tst_wire_jsonwrite.moc"
