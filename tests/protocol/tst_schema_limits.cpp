#include "schemapattern.h"
#include "schemaregistry.h"

#include <QThread>
#include <QtTest/QtTest>

#include <string>

using adcp::SchemaRegistry;
using adcp::ValidationIssue;
using nlohmann::json;

namespace {

constexpr const char *kListFormats = "/schemas/media-buy/list-creative-formats-request.json";

// Runs `work` on a thread with a deliberately small stack, so that an engine that recurses per character
// fails here rather than passing on the main thread's 8 MiB.
template <typename Work> void onSmallStack(Work work)
{
    std::unique_ptr<QThread> thread(QThread::create(std::move(work)));
    thread->setStackSize(1024 * 1024);
    thread->start();
    QVERIFY(thread->wait(QDeadlineTimer(QDeadlineTimer::Forever)));
}

} // namespace

class TestSchemaLimits final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void longStringAgainstPattern();
    void patternSemanticsFollowEcma_data();
    void patternSemanticsFollowEcma();
    void longPropertyNameIsAnIssue();
    void deepNestingIsAnIssue();
};

void TestSchemaLimits::initTestCase()
{
    QVERIFY2(SchemaRegistry::bundled()->contains(kListFormats), "the bundled schemas must be loaded");
}

void TestSchemaLimits::longStringAgainstPattern()
{
    // list_creative_formats property_id: "^[a-z0-9_]+$". 300,000 characters crashed std::regex.
    std::vector<ValidationIssue> valid;
    std::vector<ValidationIssue> invalid;
    onSmallStack([&] {
        const auto registry = SchemaRegistry::bundled();
        valid = registry->validate(kListFormats, {{"property_id", std::string(300'000, 'a')}});
        invalid = registry->validate(kListFormats, {{"property_id", std::string(300'000, 'a') + '!'}});
    });
    QVERIFY(valid.empty());
    QCOMPARE(invalid.size(), std::size_t(1));
    QCOMPARE(invalid.front().pointer, std::string("/property_id"));
    QCOMPARE(invalid.front().keyword, std::string("pattern"));
    QVERIFY(invalid.front().message.size() < 200); // the value is previewed, not echoed
}

void TestSchemaLimits::patternSemanticsFollowEcma_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("matches");
    QTest::newRow("anchored") << "^[A-Z]{3}$"
                              << "USD" << true;
    QTest::newRow("final newline is not the end") << "^[A-Z]{3}$"
                                                  << "USD\n"
                                                  << false;
    QTest::newRow("dollar in a class") << "^[$]+$"
                                       << "$$" << true;
    QTest::newRow("escaped dollar") << "^a\\$$"
                                    << "a$" << true;
    QTest::newRow("\\u escape") << "^\\u0041$"
                                << "A" << true;
    QTest::newRow("control range allowed") << "^[^\\u0000-\\u001F\\u007F]+$"
                                           << "abc" << true;
    QTest::newRow("control range rejected") << "^[^\\u0000-\\u001F\\u007F]+$"
                                            << "a\tb" << false;
    QTest::newRow("search, not full match") << "\\S"
                                            << "  x " << true;
    QTest::newRow("prefix") << "^https://"
                            << "http://x" << false;
}

void TestSchemaLimits::patternSemanticsFollowEcma()
{
    QFETCH(QString, pattern);
    QFETCH(QString, text);
    QFETCH(bool, matches);
    const auto result = adcp::searchSchemaPattern(pattern.toStdString(), text.toStdString());
    QVERIFY(result.has_value());
    QCOMPARE(*result, matches);
    QVERIFY(!adcp::searchSchemaPattern("([", "x").has_value());
}

void TestSchemaLimits::longPropertyNameIsAnIssue()
{
    std::vector<ValidationIssue> issues;
    onSmallStack([&] {
        json request = {{"ext", json::object()}};
        request["ext"][std::string(300'000, 'k')] = 1;
        issues = SchemaRegistry::bundled()->validate(kListFormats, request);
    });
    QCOMPARE(issues.size(), std::size_t(1));
    QCOMPARE(issues.front().pointer, std::string("/ext"));
    QCOMPARE(issues.front().keyword, std::string("propertyNames"));
    // 256 bytes is still a name.
    json request = {{"ext", json::object()}};
    request["ext"][std::string(256, 'k')] = 1;
    QVERIFY(SchemaRegistry::bundled()->validate(kListFormats, request).empty());
}

void TestSchemaLimits::deepNestingIsAnIssue()
{
    json deep = json::array();
    for (int i = 0; i < 100; ++i)
        deep = json::array({deep});
    const auto issues = SchemaRegistry::bundled()->validate(kListFormats, {{"ext", {{"x", deep}}}});
    QCOMPARE(issues.size(), std::size_t(1));
    QCOMPARE(issues.front().keyword, std::string("maxDepth"));
    json shallow = json::array();
    for (int i = 0; i < 50; ++i)
        shallow = json::array({shallow});
    QVERIFY(SchemaRegistry::bundled()->validate(kListFormats, {{"ext", {{"x", shallow}}}}).empty());
}

QTEST_GUILESS_MAIN(TestSchemaLimits)
#include "tst_schema_limits.moc"
