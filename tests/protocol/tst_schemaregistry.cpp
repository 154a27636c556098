#include "schemaregistry.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QtConcurrent/QtConcurrentMap>
#include <QtTest/QtTest>

#include <algorithm>

using adcp::SchemaRegistry;
using adcp::ValidationIssue;

Q_DECLARE_METATYPE(std::string)

namespace {

const QString kValidatorData = QStringLiteral(ADCP_TEST_DATA_DIR "/validator");
// The environment may point elsewhere (a worktree whose ../shared is not the shared folder).
QString officialSchemaFolder()
{
    return qEnvironmentVariable("ADCP_SHARED_DIR", QStringLiteral(ADCP_SHARED_DIR)) +
           QStringLiteral("/adcp/schemas");
}

// Issues that only say "this combinator/conditional failed"; the concrete issue is reported beside them.
bool isCombinatorKeyword(const std::string &keyword)
{
    return keyword == "oneOf" || keyword == "anyOf" || keyword == "then" || keyword == "else";
}

bool isAncestorOrSelf(const std::string &ancestor, const std::string &pointer)
{
    return pointer == ancestor ||
           (pointer.size() > ancestor.size() && pointer.compare(0, ancestor.size(), ancestor) == 0 &&
            pointer[ancestor.size()] == '/');
}

QByteArray describe(const std::vector<ValidationIssue> &issues)
{
    QByteArray text;
    for (const auto &issue : issues)
        text += "\n  '" + QByteArray::fromStdString(issue.pointer) +
                "': " + QByteArray::fromStdString(issue.message) + " [" +
                QByteArray::fromStdString(issue.keyword) + "]";
    return text.isEmpty() ? QByteArray("(no issues)") : text;
}

QStringList pointers(std::initializer_list<const char *> list)
{
    QStringList out;
    for (const char *p : list)
        out.push_back(QString::fromUtf8(p));
    return out;
}

nlohmann::json parse(const char *text)
{
    return nlohmann::json::parse(text);
}

} // namespace

class TestSchemaRegistry final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void loadsIdsFromIdOrPath();
    void rewritesRefsToAbsoluteIds();
    void validate_data();
    void validate();
    void messagesSayWhatIsAllowed_data();
    void messagesSayWhatIsAllowed();
    void overlayReplacesReferencedFiles();
    void unknownSchemaIsAnIssue();
    void unresolvableRefIsAnIssueNotACrash();
    void missingFolderFailsWithMessage();
    void invalidJsonFileFailsWithMessage();
    void concurrentValidationGivesIdenticalResults();
    void officialSchemas_data();
    void officialSchemas();
    void everyOfficialSchemaCompiles();
    void bundledSchemasCompile();

private:
    SchemaRegistry m_registry;
    std::unique_ptr<SchemaRegistry> m_official;
};

void TestSchemaRegistry::initTestCase()
{
    QString error;
    QVERIFY2(m_registry.loadDirectory(kValidatorData, &error), qPrintable(error));
}

void TestSchemaRegistry::loadsIdsFromIdOrPath()
{
    const std::vector<std::string> expected = {
        "/schemas/core/base.json",    "/schemas/core/budget-alias.json",     "/schemas/core/creative.json",
        "/schemas/core/flight.json",  "/schemas/core/media-buy.json",        "/schemas/core/money.json",
        "/schemas/core/package.json", "/schemas/core/targeting.json",        "/schemas/core/tree.json",
        "/schemas/enums/status.json", "/schemas/pricing/pricing-option.json"};
    auto ids = m_registry.schemaIds();
    std::sort(ids.begin(), ids.end());
    QCOMPARE(ids, expected);
    // package.json has no $id: its id is its path under the loaded folder.
    QVERIFY(m_registry.contains("/schemas/core/package.json"));
    QVERIFY(!m_registry.contains("core/package.json"));
}

void TestSchemaRegistry::rewritesRefsToAbsoluteIds()
{
    const nlohmann::json package = m_registry.schemaDocument("/schemas/core/package.json");
    QCOMPARE(package["properties"]["budget"]["$ref"].get<std::string>(),
             std::string("/schemas/core/money.json#"));
    QCOMPARE(package["properties"]["status"]["$ref"].get<std::string>(),
             std::string("/schemas/enums/status.json#"));
    QCOMPARE(package["properties"]["pacing"]["$ref"].get<std::string>(),
             std::string("/schemas/core/package.json#/definitions/pacing"));
    const nlohmann::json pricing = m_registry.schemaDocument("/schemas/pricing/pricing-option.json");
    QCOMPARE(pricing["definitions"]["flat_rate"]["properties"]["price"]["$ref"].get<std::string>(),
             std::string("/schemas/core/money.json#"));
    // Nothing else changes: the formats and enums valijson does not check itself are still in the document.
    const nlohmann::json flight = m_registry.schemaDocument("/schemas/core/flight.json");
    QCOMPARE(flight["properties"]["start_time"]["format"], nlohmann::json("date-time"));
    QCOMPARE(package["definitions"]["pacing"]["enum"], nlohmann::json({"even", "asap"}));
    QVERIFY(m_registry.schemaDocument("/schemas/nope.json").is_null());
}

void TestSchemaRegistry::validate_data()
{
    QTest::addColumn<QString>("schemaId");
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QStringList>("pointers"); // exactly the pointers of the concrete issues
    QTest::addColumn<QString>("keyword");      // the keyword of every concrete issue

    const QString package = QStringLiteral("/schemas/core/package.json");
    const QString pricing = QStringLiteral("/schemas/pricing/pricing-option.json");
    const QString targeting = QStringLiteral("/schemas/core/targeting.json");
    const QString creative = QStringLiteral("/schemas/core/creative.json");
    const QString flight = QStringLiteral("/schemas/core/flight.json");
    const QString buy = QStringLiteral("/schemas/core/media-buy.json");
    const QStringList none;
    const auto row = [](const char *name) -> QTestData & { return QTest::newRow(name); };

    // required, $ref across files (relative), $ref to an internal definition, enum, pattern, min/max, arrays
    row("package valid, all fields")
        << package
        << QByteArray(R"({"package_id":"p1","budget":{"amount":1500.5,"currency":"USD"},"status":"active",
                         "pacing":"even","tags":["a","b"],"impressions":1000,
                         "pricing":{"pricing_model":"cpm","rate":12.5,"currency":"EUR"}})")
        << true << none << QString();
    row("package required missing") << package << QByteArray(R"({"package_id":"p1"})") << false
                                    << pointers({"/budget"}) << "required";
    row("package cross-file pattern")
        << package << QByteArray(R"({"package_id":"p1","budget":{"amount":1,"currency":"usd"}})") << false
        << pointers({"/budget/currency"}) << "pattern";
    row("package cross-file additionalProperties false")
        << package << QByteArray(R"({"package_id":"p1","budget":{"amount":1,"currency":"USD","note":"x"}})")
        << false << pointers({"/budget/note"}) << "additionalProperties";
    row("package cross-file minimum")
        << package << QByteArray(R"({"package_id":"p1","budget":{"amount":-1,"currency":"USD"}})") << false
        << pointers({"/budget/amount"}) << "minimum";
    row("package enum in other folder")
        << package
        << QByteArray(R"({"package_id":"p1","budget":{"amount":1,"currency":"USD"},"status":"running"})")
        << false << pointers({"/status"}) << "enum";
    row("package internal definitions ref")
        << package
        << QByteArray(R"({"package_id":"p1","budget":{"amount":1,"currency":"USD"},"pacing":"fast"})")
        << false << pointers({"/pacing"}) << "enum";
    row("package minItems") << package
                            << QByteArray(
                                   R"({"package_id":"p1","budget":{"amount":1,"currency":"USD"},"tags":[]})")
                            << false << pointers({"/tags"}) << "minItems";
    row("package maxItems")
        << package
        << QByteArray(
               R"({"package_id":"p1","budget":{"amount":1,"currency":"USD"},"tags":["a","b","c","d"]})")
        << false << pointers({"/tags"}) << "maxItems";
    row("package items type")
        << package
        << QByteArray(R"({"package_id":"p1","budget":{"amount":1,"currency":"USD"},"tags":["a",5]})") << false
        << pointers({"/tags/1"}) << "type";
    row("package integer type")
        << package
        << QByteArray(R"({"package_id":"p1","budget":{"amount":1,"currency":"USD"},"impressions":1.5})")
        << false << pointers({"/impressions"}) << "type";
    row("package maximum")
        << package
        << QByteArray(R"({"package_id":"p1","budget":{"amount":1,"currency":"USD"},"impressions":2000000})")
        << false << pointers({"/impressions"}) << "maximum";
    row("package minLength") << package
                             << QByteArray(R"({"package_id":"","budget":{"amount":1,"currency":"USD"}})")
                             << false << pointers({"/package_id"}) << "minLength";
    row("package several issues") << package << QByteArray(R"({"budget":{"amount":"1","currency":"USD"}})")
                                  << false << pointers({"/package_id", "/budget/amount"}) << QString();

    // oneOf told apart by a const discriminator, with internal refs and a nested cross-file ref
    row("pricing cpm valid") << pricing << QByteArray(R"({"pricing_model":"cpm","rate":10,"currency":"USD"})")
                             << true << none << QString();
    row("pricing cpc valid") << pricing
                             << QByteArray(
                                    R"({"pricing_model":"cpc","rate":0.5,"currency":"USD","max_clicks":100})")
                             << true << none << QString();
    row("pricing flat valid")
        << pricing << QByteArray(R"({"pricing_model":"flat_rate","price":{"amount":5000,"currency":"GBP"}})")
        << true << none << QString();
    row("pricing oneOf missing required")
        << pricing << QByteArray(R"({"pricing_model":"cpm","currency":"USD"})") << false
        << pointers({"/rate"}) << "required";
    row("pricing oneOf exclusiveMinimum")
        << pricing << QByteArray(R"({"pricing_model":"cpm","rate":0,"currency":"USD"})") << false
        << pointers({"/rate"}) << "exclusiveMinimum";
    row("pricing oneOf wrong type in the matching branch")
        << pricing << QByteArray(R"({"pricing_model":"cpc","rate":1,"currency":"USD","max_clicks":"10"})")
        << false << pointers({"/max_clicks"}) << "type";
    row("pricing oneOf unknown discriminator")
        << pricing << QByteArray(R"({"pricing_model":"cpx","rate":1,"currency":"USD"})") << false
        << pointers({"/pricing_model"}) << "const";
    row("pricing oneOf nested cross-file ref")
        << pricing << QByteArray(R"({"pricing_model":"flat_rate","price":{"amount":-5,"currency":"GBP"}})")
        << false << pointers({"/price/amount"}) << "minimum";
    row("pricing oneOf not an object")
        << pricing << QByteArray(R"("cpm")") << false << pointers({""}) << "type";

    // anyOf
    row("targeting anyOf first") << targeting << QByteArray(R"({"geo_countries":["US","FR"]})") << true
                                 << none << QString();
    row("targeting anyOf second") << targeting << QByteArray(R"({"audience":"sports fans"})") << true << none
                                  << QString();
    row("targeting anyOf none") << targeting << QByteArray(R"({})") << false
                                << pointers({"/geo_countries", "/audience"}) << "required";
    row("targeting pattern in array") << targeting << QByteArray(R"({"geo_countries":["US","usa"]})") << false
                                      << pointers({"/geo_countries/1"}) << "pattern";

    // if/then/else and both forms of dependencies
    row("creative then satisfied") << creative << QByteArray(R"({"kind":"video","duration_ms":15000})")
                                   << true << none << QString();
    row("creative then violated") << creative << QByteArray(R"({"kind":"video"})") << false
                                  << pointers({"/duration_ms"}) << "required";
    row("creative else satisfied") << creative << QByteArray(R"({"kind":"display","width":300,"height":250})")
                                   << true << none << QString();
    row("creative else violated") << creative << QByteArray(R"({"kind":"display","height":250})") << false
                                  << pointers({"/width"}) << "required";
    row("creative property dependency") << creative << QByteArray(R"({"kind":"display","width":300})")
                                        << false << pointers({"/height"}) << "dependencies";
    row("creative schema dependency")
        << creative << QByteArray(R"({"kind":"video","duration_ms":6000,"click_url":"https://x.example"})")
        << false << pointers({"/landing_domain"}) << "required";

    // date-time (RFC 3339) and date
    row("date-time Z") << flight << QByteArray(R"({"start_time":"2026-03-01T12:00:00Z"})") << true << none
                       << QString();
    row("date-time offset") << flight << QByteArray(R"({"start_time":"2026-03-01T12:00:00+05:30"})") << true
                            << none << QString();
    row("date-time negative offset") << flight << QByteArray(R"({"start_time":"2026-03-01T23:59:59-08:00"})")
                                     << true << none << QString();
    row("date-time fractional seconds")
        << flight << QByteArray(R"({"start_time":"2026-03-01T12:00:00.123456Z"})") << true << none
        << QString();
    row("date-time leap day") << flight << QByteArray(R"({"start_time":"2028-02-29T00:00:00Z"})") << true
                              << none << QString();
    row("date-time bad month") << flight << QByteArray(R"({"start_time":"2026-13-01T00:00:00Z"})") << false
                               << pointers({"/start_time"}) << "format";
    row("date-time February 30") << flight << QByteArray(R"({"start_time":"2026-02-30T00:00:00Z"})") << false
                                 << pointers({"/start_time"}) << "format";
    row("date-time missing time zone") << flight << QByteArray(R"({"start_time":"2026-03-01T12:00:00"})")
                                       << false << pointers({"/start_time"}) << "format";
    row("date-time space separator") << flight << QByteArray(R"({"start_time":"2026-03-01 12:00:00Z"})")
                                     << false << pointers({"/start_time"}) << "format";
    row("date-time empty fraction") << flight << QByteArray(R"({"start_time":"2026-03-01T12:00:00.Z"})")
                                    << false << pointers({"/start_time"}) << "format";
    row("date-time hour 24") << flight << QByteArray(R"({"start_time":"2026-03-01T24:00:00Z"})") << false
                             << pointers({"/start_time"}) << "format";
    row("date valid") << flight
                      << QByteArray(R"({"start_time":"2026-03-01T00:00:00Z","report_date":"2026-03-01"})")
                      << true << none << QString();
    row("date without padding") << flight
                                << QByteArray(
                                       R"({"start_time":"2026-03-01T00:00:00Z","report_date":"2026-3-1"})")
                                << false << pointers({"/report_date"}) << "format";
    row("date with a time")
        << flight
        << QByteArray(R"({"start_time":"2026-03-01T00:00:00Z","report_date":"2026-03-01T00:00:00Z"})")
        << false << pointers({"/report_date"}) << "format";

    // a file that is only a $ref, and a recursive $ref to the file's own root
    row("root ref valid") << QStringLiteral("/schemas/core/budget-alias.json")
                          << QByteArray(R"({"amount":10,"currency":"USD"})") << true << none << QString();
    row("root ref invalid") << QStringLiteral("/schemas/core/budget-alias.json")
                            << QByteArray(R"({"amount":-10,"currency":"USD"})") << false
                            << pointers({"/amount"}) << "minimum";
    row("recursive ref valid") << QStringLiteral("/schemas/core/tree.json")
                               << QByteArray(
                                      R"({"name":"a","children":[{"name":"b","children":[{"name":"c"}]}]})")
                               << true << none << QString();
    row("recursive ref invalid deep")
        << QStringLiteral("/schemas/core/tree.json")
        << QByteArray(R"({"name":"a","children":[{"name":"b","children":[{}]}]})") << false
        << pointers({"/children/0/children/0/name"}) << "required";

    // allOf over a base file, arrays of cross-file refs whose files use internal refs and oneOf
    const QByteArray validBuy = R"({"buy_id":"mb1","version":2,
        "packages":[{"package_id":"p1","budget":{"amount":100,"currency":"USD"},"pacing":"asap"},
                    {"package_id":"p2","budget":{"amount":50,"currency":"USD"},
                     "pricing":{"pricing_model":"cpc","rate":0.4,"currency":"USD"}}],
        "flight":{"start_time":"2026-04-01T00:00:00Z","end_time":"2026-04-30T23:59:59Z"},
        "targeting":{"audience":"runners"},
        "creatives":[{"kind":"video","duration_ms":30000}]})";
    row("media buy valid") << buy << validBuy << true << none << QString();
    const auto broken = [&](const char *pointer, nlohmann::json value) {
        nlohmann::json doc = nlohmann::json::parse(validBuy.toStdString());
        if (value.is_discarded())
            doc.erase(doc.find(std::string(pointer).substr(1)));
        else
            doc[nlohmann::json::json_pointer(pointer)] = std::move(value);
        return QByteArray::fromStdString(doc.dump());
    };
    const nlohmann::json erase = nlohmann::json::value_t::discarded;
    row("media buy allOf base required")
        << buy << broken("/buy_id", erase) << false << pointers({"/buy_id"}) << "required";
    row("media buy allOf base const")
        << buy << broken("/version", 3) << false << pointers({"/version"}) << "const";
    row("media buy nested cross-file pattern") << buy << broken("/packages/0/budget/currency", "us") << false
                                               << pointers({"/packages/0/budget/currency"}) << "pattern";
    row("media buy nested internal ref of referenced file")
        << buy << broken("/packages/0/pacing", "slow") << false << pointers({"/packages/0/pacing"}) << "enum";
    row("media buy nested oneOf") << buy
                                  << broken("/packages/1/pricing",
                                            parse(R"({"pricing_model":"cpc","rate":0.4})"))
                                  << false << pointers({"/packages/1/pricing/currency"}) << "required";
    row("media buy definitions ref to another file") << buy << broken("/targeting/audience", "ab") << false
                                                     << pointers({"/targeting/audience"}) << "minLength";
    row("media buy nested then") << buy << broken("/creatives/0", parse(R"({"kind":"video"})")) << false
                                 << pointers({"/creatives/0/duration_ms"}) << "required";
    row("media buy empty packages") << buy << broken("/packages", nlohmann::json::array()) << false
                                    << pointers({"/packages"}) << "minItems";
    row("media buy nested date-time") << buy << broken("/flight/end_time", "end of April") << false
                                      << pointers({"/flight/end_time"}) << "format";
    row("media buy escaped pointer token")
        << buy << broken("/packages/0/budget", parse(R"({"amount":1,"currency":"USD","a/b~c":1})")) << false
        << pointers({"/packages/0/budget/a~1b~0c"}) << "additionalProperties";
}

void TestSchemaRegistry::validate()
{
    QFETCH(QString, schemaId);
    QFETCH(QByteArray, document);
    QFETCH(bool, valid);
    QFETCH(QStringList, pointers);
    QFETCH(QString, keyword);

    const auto issues =
        m_registry.validate(schemaId.toStdString(), nlohmann::json::parse(document.toStdString()));
    if (valid) {
        QVERIFY2(issues.empty(), describe(issues).constData());
        return;
    }
    QVERIFY2(!issues.empty(), "an invalid document was accepted");

    QSet<QString> concrete;
    for (const auto &issue : issues) {
        QVERIFY2(!issue.message.empty(), describe(issues).constData());
        if (isCombinatorKeyword(issue.keyword)) {
            // Allowed beside the concrete issue, but only on an enclosing value.
            const bool encloses = std::any_of(pointers.begin(), pointers.end(), [&](const QString &p) {
                return isAncestorOrSelf(issue.pointer, p.toStdString());
            });
            QVERIFY2(encloses,
                     QByteArray("combinator issue outside the broken field:" + describe(issues)).constData());
            continue;
        }
        concrete.insert(QString::fromStdString(issue.pointer));
        if (!keyword.isEmpty())
            QVERIFY2(issue.keyword == keyword.toStdString(), describe(issues).constData());
    }
    QVERIFY2(concrete == QSet<QString>(pointers.begin(), pointers.end()), describe(issues).constData());

    // The deepest pointer reported is one of the broken fields.
    const auto deepest = std::max_element(issues.begin(), issues.end(), [](const auto &a, const auto &b) {
        return std::count(a.pointer.begin(), a.pointer.end(), '/') <
               std::count(b.pointer.begin(), b.pointer.end(), '/');
    });
    QVERIFY(pointers.contains(QString::fromStdString(deepest->pointer)));
}

void TestSchemaRegistry::messagesSayWhatIsAllowed_data()
{
    QTest::addColumn<QString>("schemaId");
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("message");

    QTest::newRow("enum")
        << QStringLiteral("/schemas/core/package.json")
        << QByteArray(R"({"package_id":"p","budget":{"amount":1,"currency":"USD"},"pacing":"fast"})")
        << QStringLiteral("\"fast\" is not one of: \"even\", \"asap\"");
    QTest::newRow("const") << QStringLiteral("/schemas/core/base.json")
                           << QByteArray(R"({"buy_id":"b","version":3})") << QStringLiteral("3 must be 2");
    QTest::newRow("type")
        << QStringLiteral("/schemas/core/package.json")
        << QByteArray(R"({"package_id":"p","budget":{"amount":1,"currency":"USD"},"impressions":"1"})")
        << QStringLiteral("expected integer, got string");
    QTest::newRow("pattern") << QStringLiteral("/schemas/core/money.json")
                             << QByteArray(R"({"amount":1,"currency":"dollars"})")
                             << QStringLiteral("\"dollars\" does not match the pattern ^[A-Z]{3}$");
    QTest::newRow("minimum") << QStringLiteral("/schemas/core/money.json")
                             << QByteArray(R"({"amount":-0.5,"currency":"USD"})")
                             << QStringLiteral("-0.5 is less than the minimum 0");
    QTest::newRow("exclusiveMinimum") << QStringLiteral("/schemas/pricing/pricing-option.json")
                                      << QByteArray(R"({"pricing_model":"cpc","rate":0,"currency":"USD"})")
                                      << QStringLiteral("0 must be greater than 0");
    QTest::newRow("maxItems") << QStringLiteral("/schemas/core/package.json")
                              << QByteArray(R"({"package_id":"p","budget":{"amount":1,"currency":"USD"},
                                               "tags":["a","b","c","d"]})")
                              << QStringLiteral("the array has 4 items, more than the maximum of 3");
    QTest::newRow("minLength") << QStringLiteral("/schemas/core/package.json")
                               << QByteArray(R"({"package_id":"","budget":{"amount":1,"currency":"USD"}})")
                               << QStringLiteral("\"\" is shorter than 1 characters");
    QTest::newRow("date-time") << QStringLiteral("/schemas/core/flight.json")
                               << QByteArray(R"({"start_time":"next Monday"})")
                               << QStringLiteral("'next Monday' is not an RFC 3339 date-time");
}

void TestSchemaRegistry::messagesSayWhatIsAllowed()
{
    QFETCH(QString, schemaId);
    QFETCH(QByteArray, document);
    QFETCH(QString, message);
    std::vector<ValidationIssue> concrete;
    for (auto &issue :
         m_registry.validate(schemaId.toStdString(), nlohmann::json::parse(document.toStdString()))) {
        if (!isCombinatorKeyword(issue.keyword))
            concrete.push_back(std::move(issue));
    }
    QCOMPARE(concrete.size(), size_t(1));
    QCOMPARE(QString::fromStdString(concrete.front().message), message);
}

void TestSchemaRegistry::overlayReplacesReferencedFiles()
{
    SchemaRegistry registry;
    QVERIFY(registry.loadDirectory(kValidatorData));
    const nlohmann::json package = parse(R"({"package_id":"p","budget":{"amount":5,"currency":"USD"}})");
    QVERIFY(registry.validate("/schemas/core/package.json", package).empty()); // compiles package + money

    // An overlay folder replaces money.json with a stricter one (the way schemas-versioned overlays schemas).
    QTemporaryDir overlay;
    QVERIFY(overlay.isValid());
    QVERIFY(QDir(overlay.path()).mkpath(QStringLiteral("core")));
    QFile money(overlay.filePath(QStringLiteral("core/money.json")));
    QVERIFY(money.open(QIODevice::WriteOnly));
    money.write(
        R"({"$id":"/schemas/core/money.json","type":"object","properties":{"amount":{"minimum":10}}})");
    money.close();
    QVERIFY(registry.loadDirectory(overlay.path()));

    const auto issues = registry.validate("/schemas/core/package.json", package);
    QCOMPARE(issues.size(), size_t(1));
    QCOMPARE(issues.front().pointer, std::string("/budget/amount"));
    QCOMPARE(issues.front().keyword, std::string("minimum"));
    QVERIFY(registry.contains("/schemas/core/tree.json")); // the rest of the first folder stays
}

void TestSchemaRegistry::unknownSchemaIsAnIssue()
{
    const auto issues = m_registry.validate("/schemas/core/nope.json", nlohmann::json::object());
    QCOMPARE(issues.size(), size_t(1));
    QCOMPARE(issues.front().keyword, std::string("$ref"));
    QCOMPARE(issues.front().pointer, std::string());
}

void TestSchemaRegistry::unresolvableRefIsAnIssueNotACrash()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile file(dir.filePath(QStringLiteral("broken.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"type":"object","properties":{"a":{"$ref":"missing.json"}}})");
    file.close();

    SchemaRegistry registry;
    QVERIFY(registry.loadDirectory(dir.path()));
    QVERIFY(registry.contains("/schemas/broken.json"));
    const auto issues = registry.validate("/schemas/broken.json", parse(R"({"a":1})"));
    QCOMPARE(issues.size(), size_t(1));
    QCOMPARE(issues.front().keyword, std::string("$ref"));
    QVERIFY2(issues.front().message.find("/schemas/missing.json") != std::string::npos,
             describe(issues).constData());
}

void TestSchemaRegistry::missingFolderFailsWithMessage()
{
    SchemaRegistry registry;
    QString error;
    QVERIFY(!registry.loadDirectory(QStringLiteral("/nonexistent/schemas"), &error));
    QVERIFY(error.contains(QStringLiteral("/nonexistent/schemas")));
    QVERIFY(registry.schemaIds().empty());
}

void TestSchemaRegistry::invalidJsonFileFailsWithMessage()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto write = [&](const QString &name, const QByteArray &content) {
        QFile file(dir.filePath(name));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
    };
    write(QStringLiteral("a.json"), R"({"type":"string"})");
    write(QStringLiteral("b.json"), "{not json");

    SchemaRegistry registry;
    QString error;
    QVERIFY(!registry.loadDirectory(dir.path(), &error));
    QVERIFY2(error.contains(QStringLiteral("b.json")), qPrintable(error));
    // Files loaded before the failure stay loaded.
    QVERIFY(registry.contains("/schemas/a.json"));
}

void TestSchemaRegistry::concurrentValidationGivesIdenticalResults()
{
    // A fresh registry, so that the lazy compilation of the schemas also races.
    SchemaRegistry registry;
    QVERIFY(registry.loadDirectory(kValidatorData));
    const std::vector<std::pair<std::string, nlohmann::json>> inputs = {
        {"/schemas/core/media-buy.json",
         parse(R"({"buy_id":"b","packages":[{"package_id":"p","budget":{"amount":1,
            "currency":"usd"},"pricing":{"pricing_model":"cpm","rate":1}}],"flight":{"start_time":"2026-01-01"}})")},
        {"/schemas/pricing/pricing-option.json",
         parse(R"({"pricing_model":"cpc","rate":1,"currency":"USD"})")},
        {"/schemas/core/targeting.json", parse(R"({"geo_countries":["us"]})")},
        {"/schemas/core/creative.json", parse(R"({"kind":"display","width":1})")},
    };
    using Outcome = std::vector<std::vector<std::string>>;
    const auto runAll = [&](int) {
        Outcome outcome;
        for (int round = 0; round < 25; ++round) {
            for (const auto &[id, doc] : inputs) {
                std::vector<std::string> flat;
                for (const auto &issue : registry.validate(id, doc))
                    flat.push_back(issue.pointer + '|' + issue.keyword + '|' + issue.message);
                outcome.push_back(std::move(flat));
            }
        }
        return outcome;
    };
    QThreadPool pool;
    pool.setMaxThreadCount(8);
    const QList<int> workers = {0, 1, 2, 3, 4, 5, 6, 7};
    const QList<Outcome> outcomes =
        QtConcurrent::blockingMapped(&pool, workers, std::function<Outcome(int)>(runAll));
    QCOMPARE(outcomes.size(), 8);
    const Outcome reference = runAll(0);
    QVERIFY(!reference.front().empty()); // the media buy is invalid: the comparison is not of empty lists
    QVERIFY(reference[1].empty());
    for (const Outcome &outcome : outcomes)
        QVERIFY(outcome == reference);
}

void TestSchemaRegistry::officialSchemas_data()
{
    QTest::addColumn<QString>("schemaId");
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("pointer"); // empty: valid

    const QString error = QStringLiteral("/schemas/core/error.json");
    const QString products = QStringLiteral("/schemas/media-buy/get-products-request.json");
    QTest::newRow("error valid") << error
                                 << QByteArray(R"({"code":"INVALID_REQUEST","message":"budget too low",
                                                  "field":"packages[0].budget","recovery":"correctable"})")
                                 << QString();
    QTest::newRow("error missing message")
        << error << QByteArray(R"({"code":"INVALID_REQUEST"})") << QStringLiteral("/message");
    QTest::newRow("error bad recovery")
        << error << QByteArray(R"({"code":"CONFLICT","message":"m","recovery":"later"})")
        << QStringLiteral("/recovery");
    QTest::newRow("get_products brief valid")
        << products << QByteArray(R"({"buying_mode":"brief","brief":"Sports fans in France, video, April"})")
        << QString();
    QTest::newRow("get_products wholesale valid")
        << products << QByteArray(R"({"buying_mode":"wholesale"})") << QString();
    QTest::newRow("get_products bad buying_mode")
        << products << QByteArray(R"({"buying_mode":"auction"})") << QStringLiteral("/buying_mode");
    QTest::newRow("get_products missing buying_mode")
        << products << QByteArray(R"({"brief":"x"})") << QStringLiteral("/buying_mode");
}

void TestSchemaRegistry::officialSchemas()
{
    const QString folder = officialSchemaFolder();
    if (!QFileInfo::exists(folder))
        QSKIP("the official AdCP schemas are not available (ADCP_SHARED_DIR/adcp/schemas)");
    if (!m_official) {
        m_official = std::make_unique<SchemaRegistry>();
        QString error;
        QVERIFY2(m_official->loadDirectory(folder, &error), qPrintable(error));
        QVERIFY(m_official->schemaIds().size() > 800);
    }
    QFETCH(QString, schemaId);
    QFETCH(QByteArray, document);
    QFETCH(QString, pointer);

    const auto issues =
        m_official->validate(schemaId.toStdString(), nlohmann::json::parse(document.toStdString()));
    if (pointer.isEmpty()) {
        QVERIFY2(issues.empty(), describe(issues).constData());
        return;
    }
    QVERIFY2(!issues.empty(), "an invalid document was accepted");
    const bool found = std::any_of(issues.begin(), issues.end(), [&](const ValidationIssue &issue) {
        return issue.pointer == pointer.toStdString() && !isCombinatorKeyword(issue.keyword);
    });
    QVERIFY2(found, describe(issues).constData());
    for (const auto &issue : issues)
        QVERIFY2(isAncestorOrSelf(issue.pointer, pointer.toStdString()), describe(issues).constData());
}

void TestSchemaRegistry::everyOfficialSchemaCompiles()
{
    const QString folder = officialSchemaFolder();
    if (!QFileInfo::exists(folder))
        QSKIP("the official AdCP schemas are not available (ADCP_SHARED_DIR/adcp/schemas)");
    SchemaRegistry registry;
    QString error;
    QVERIFY2(registry.loadDirectory(folder, &error), qPrintable(error));
    QStringList broken;
    for (const auto &id : registry.schemaIds()) {
        // Compilation problems (an unresolvable $ref, a malformed keyword) are reported with keyword "$ref".
        for (const auto &issue : registry.validate(id, nlohmann::json::object())) {
            if (issue.keyword == "$ref")
                broken.push_back(QString::fromStdString(id + ": " + issue.message));
        }
    }
    QVERIFY2(broken.isEmpty(), qPrintable(broken.join(QLatin1Char('\n'))));
}

void TestSchemaRegistry::bundledSchemasCompile()
{
    const auto bundled = SchemaRegistry::bundled();
    QVERIFY(bundled);
    QCOMPARE(SchemaRegistry::bundled().get(), bundled.get()); // loaded once, shared
    // The bundled schemas are part of this build: none at all is a failure.
    QVERIFY(!bundled->schemaIds().empty());
    for (const auto &id : bundled->schemaIds()) {
        for (const auto &issue : bundled->validate(id, nlohmann::json::object()))
            QVERIFY2(issue.keyword != "$ref", (id + ": " + issue.message).c_str());
    }
}

QTEST_GUILESS_MAIN(TestSchemaRegistry)
#include "tst_schemaregistry.moc"
