#include "adcperror.h"
#include "schemaregistry.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QtTest/QtTest>

#include <algorithm>
#include <iterator>
#include <memory>
#include <vector>

using adcp::SchemaRegistry;
using adcp::ValidationIssue;

// Every case in tests/data/conformance is validated twice: against the schemas this project bundles and
// against the official AdCP schemas. Both must give the verdict the case expects, so the bundled schemas
// accept and reject the same payloads as the spec they were written from.
namespace {

const QString kCaseFolder = QStringLiteral(ADCP_TEST_DATA_DIR "/conformance");
const QString kVersionedDir = QStringLiteral("schemas-versioned");

// The environment may point elsewhere (a worktree whose ../shared is not the shared folder).
QString sharedFolder()
{
    return qEnvironmentVariable("ADCP_SHARED_DIR", QStringLiteral(ADCP_SHARED_DIR));
}

struct ConformanceCase
{
    QString file;
    std::string schema;
    std::string official;
    bool versioned = false;
    bool valid = false;
    bool officialValid = false;
    QString why;
    nlohmann::json payload;
};

// Reads one case file; returns an error text when the file is malformed.
QString readCase(const QString &path, ConformanceCase *out)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot open ") + path;
    const nlohmann::json doc = nlohmann::json::parse(file.readAll().toStdString(), nullptr, false);
    if (!doc.is_object() || !doc.contains("schema") || !doc["schema"].is_string() || !doc.contains("valid") ||
        !doc["valid"].is_boolean() || !doc.contains("payload") || !doc.contains("why") ||
        !doc["why"].is_string())
        return path + QStringLiteral(": a case needs schema (string), valid (boolean), why and payload");
    out->file = QFileInfo(path).fileName();
    out->schema = doc["schema"].get<std::string>();
    out->official = doc.value("official", out->schema);
    const std::string dir = doc.value("official_dir", std::string("schemas"));
    if (dir != "schemas" && dir != kVersionedDir.toStdString())
        return path + QStringLiteral(": official_dir is schemas or schemas-versioned");
    out->versioned = dir == kVersionedDir.toStdString();
    out->valid = doc["valid"].get<bool>();
    // Only for rules the official schema leaves to prose and the bundled schema encodes.
    out->officialValid = doc.value("official_valid", out->valid);
    out->why = QString::fromStdString(doc["why"].get<std::string>());
    out->payload = doc["payload"];
    return QString();
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

// A "$ref" issue means the schema itself could not be used; that is never a verdict on the payload.
bool schemaUnusable(const std::vector<ValidationIssue> &issues)
{
    return std::any_of(issues.begin(), issues.end(),
                       [](const ValidationIssue &issue) { return issue.keyword == "$ref"; });
}

QByteArray verdictMessage(const ConformanceCase &c, bool expected, const std::vector<ValidationIssue> &issues)
{
    return (c.file + QStringLiteral(" (") + c.why + QStringLiteral(") should be ") +
            (expected ? QStringLiteral("valid") : QStringLiteral("invalid")) + QStringLiteral(" but was ") +
            (issues.empty() ? QStringLiteral("accepted") : QStringLiteral("rejected:")))
               .toUtf8() +
           (issues.empty() ? QByteArray() : describe(issues));
}

// The schema of every tool the program calls or serves, plus the error object.
const char *const kToolSchemas[] = {
    "/schemas/protocol/get-adcp-capabilities-request.json",
    "/schemas/protocol/get-adcp-capabilities-response.json",
    "/schemas/media-buy/get-products-request.json",
    "/schemas/media-buy/get-products-response.json",
    "/schemas/media-buy/create-media-buy-request.json",
    "/schemas/media-buy/create-media-buy-response.json",
    "/schemas/media-buy/update-media-buy-request.json",
    "/schemas/media-buy/update-media-buy-response.json",
    "/schemas/media-buy/get-media-buys-request.json",
    "/schemas/media-buy/get-media-buys-response.json",
    "/schemas/media-buy/get-media-buy-delivery-request.json",
    "/schemas/media-buy/get-media-buy-delivery-response.json",
    "/schemas/protocol/get-task-status-request.json",
    "/schemas/protocol/get-task-status-response.json",
    "/schemas/protocol/list-tasks-request.json",
    "/schemas/protocol/list-tasks-response.json",
    "/schemas/creative/sync-creatives-request.json",
    "/schemas/creative/sync-creatives-response.json",
    "/schemas/media-buy/list-creative-formats-request.json",
    "/schemas/media-buy/list-creative-formats-response.json",
    "/schemas/compliance/comply-test-controller-request.json",
    "/schemas/media-buy/list-products-request.json",
    "/schemas/media-buy/request-proposals-request.json",
    "/schemas/media-buy/refine-proposals-request.json",
    "/schemas/media-buy/decline-proposals-request.json",
    "/schemas/media-buy/accept-proposal-request.json",
    "/schemas/media-buy/buy-products-request.json",
    "/schemas/media-buy/control-media-buy-request.json",
    "/schemas/core/error.json",
};

// 3.2 tool responses: closed objects without the facade envelope, covered by cases like the others.
const char *const kCompactResponseSchemas[] = {
    "/schemas/media-buy/list-products-response.json",
    "/schemas/media-buy/request-proposals-response.json",
    "/schemas/media-buy/refine-proposals-response.json",
    "/schemas/media-buy/decline-proposals-response.json",
    "/schemas/media-buy/accept-proposal-response.json",
    "/schemas/media-buy/buy-products-response.json",
    "/schemas/media-buy/control-media-buy-response.json",
};

} // namespace

Q_DECLARE_METATYPE(ConformanceCase)

class TestConformance final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void bundledSchemasDeclareDraft7AndTheirPath();
    void toolSchemasExtendTheEnvelope();
    void casesCoverEveryTool();
    void errorCodesMatchTheProgramsRecoveryTable();
    void bundled_data();
    void bundled();
    void official_data();
    void official();

private:
    void addRows();

    std::vector<ConformanceCase> m_cases;
    std::unique_ptr<SchemaRegistry> m_official;
    std::unique_ptr<SchemaRegistry> m_versioned; // official folder with the versioned dialect laid over it
};

void TestConformance::initTestCase()
{
    QDirIterator it(kCaseFolder, {QStringLiteral("*.json")}, QDir::Files);
    QStringList files;
    while (it.hasNext())
        files.push_back(it.next());
    files.sort();
    for (const QString &path : files) {
        ConformanceCase c;
        const QString error = readCase(path, &c);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_cases.push_back(std::move(c));
    }
    QVERIFY2(m_cases.size() >= 40, "the conformance folder holds fewer than 40 cases");
}

void TestConformance::bundledSchemasDeclareDraft7AndTheirPath()
{
    const auto registry = SchemaRegistry::bundled();
    const auto ids = registry->schemaIds();
    QVERIFY(!ids.empty());
    for (const std::string &id : ids) {
        const QString resource = QStringLiteral(":") + QString::fromStdString(id);
        QFile file(resource);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(QStringLiteral("no resource for ") + resource));
        const nlohmann::json doc = nlohmann::json::parse(file.readAll().toStdString(), nullptr, false);
        QVERIFY2(doc.is_object(), qPrintable(resource));
        QCOMPARE(doc.value("$schema", std::string()), std::string("http://json-schema.org/draft-07/schema#"));
        QCOMPARE(doc.value("$id", std::string()), id);
    }
}

// Each tool schema starts from the shared envelope: requests accept idempotency_key, context, context_id,
// adcp_version, push_notification_config and governance_context; responses require the task status.
void TestConformance::toolSchemasExtendTheEnvelope()
{
    const auto registry = SchemaRegistry::bundled();
    for (const std::string id : kToolSchemas) {
        const bool request = id.size() > 13 && id.compare(id.size() - 13, 13, "-request.json") == 0;
        const bool response = id.size() > 14 && id.compare(id.size() - 14, 14, "-response.json") == 0;
        if (!request && !response)
            continue;
        const std::string envelope =
            request ? "/schemas/core/request-envelope.json" : "/schemas/core/response-envelope.json";
        const nlohmann::json doc = registry->schemaDocument(id);
        const nlohmann::json allOf = doc.value("allOf", nlohmann::json::array());
        const bool extends = std::any_of(allOf.begin(), allOf.end(), [&](const nlohmann::json &part) {
            return part.is_object() && part.contains("$ref") && part["$ref"].is_string() &&
                   part["$ref"].get<std::string>().rfind(envelope, 0) == 0;
        });
        QVERIFY2(extends, qPrintable(QString::fromStdString(id + " does not extend " + envelope)));
    }
}

void TestConformance::casesCoverEveryTool()
{
    const auto registry = SchemaRegistry::bundled();

    std::vector<const char *> all(std::begin(kToolSchemas), std::end(kToolSchemas));
    all.insert(all.end(), std::begin(kCompactResponseSchemas), std::end(kCompactResponseSchemas));
    for (const char *tool : all) {
        QVERIFY2(registry->contains(tool), tool);
        const bool hasValid = std::any_of(m_cases.begin(), m_cases.end(), [&](const ConformanceCase &c) {
            return c.schema == tool && c.valid;
        });
        const bool hasInvalid = std::any_of(m_cases.begin(), m_cases.end(), [&](const ConformanceCase &c) {
            return c.schema == tool && !c.valid;
        });
        QVERIFY2(hasValid && hasInvalid,
                 qPrintable(QStringLiteral("no valid and invalid case for ") + QString::fromUtf8(tool)));
    }
}

// enums/error-code.json lists each code's recovery class; the program's own table must say the same.
void TestConformance::errorCodesMatchTheProgramsRecoveryTable()
{
    const auto registry = SchemaRegistry::bundled();
    const nlohmann::json doc = registry->schemaDocument("/schemas/enums/error-code.json");
    QVERIFY(doc.contains("enum") && doc.contains("x-recovery"));
    const nlohmann::json &codes = doc["enum"];
    const nlohmann::json &recovery = doc["x-recovery"];
    QVERIFY(codes.size() >= 40);
    QCOMPARE(recovery.size(), codes.size());
    for (const auto &code : codes) {
        const std::string name = code.get<std::string>();
        QVERIFY2(recovery.contains(name), name.c_str());
        QCOMPARE(std::string(adcp::toString(adcp::recoveryForCode(name))), recovery[name].get<std::string>());
        QCOMPARE(registry->validate("/schemas/enums/error-code.json", code).size(), size_t(0));
    }
    QVERIFY(!registry->validate("/schemas/enums/error-code.json", "NOT_A_CODE").empty());
}

void TestConformance::addRows()
{
    QTest::addColumn<ConformanceCase>("testCase");
    for (const ConformanceCase &c : m_cases)
        QTest::newRow(qPrintable(c.file)) << c;
}

void TestConformance::bundled_data()
{
    addRows();
}

void TestConformance::bundled()
{
    QFETCH(ConformanceCase, testCase);
    const auto registry = SchemaRegistry::bundled();
    QVERIFY2(registry->contains(testCase.schema), testCase.schema.c_str());
    const auto issues = registry->validate(testCase.schema, testCase.payload);
    QVERIFY2(!schemaUnusable(issues), describe(issues).constData());
    QVERIFY2(issues.empty() == testCase.valid, verdictMessage(testCase, testCase.valid, issues).constData());
}

void TestConformance::official_data()
{
    const QString base = sharedFolder() + QStringLiteral("/adcp/schemas");
    const QString versioned = sharedFolder() + QStringLiteral("/adcp/") + kVersionedDir;
    if (!QFileInfo::exists(base) || !QFileInfo::exists(versioned))
        QSKIP(qPrintable(QStringLiteral("the shared folder with the official schemas is absent (") + base +
                         QStringLiteral("); only the bundled verdicts were checked")));
    if (!m_official) {
        QString error;
        auto official = std::make_unique<SchemaRegistry>();
        QVERIFY2(official->loadDirectory(base, &error), qPrintable(error));
        // Later loads replace files with the same id: the versioned dialect on top of the base folder.
        auto overlaid = std::make_unique<SchemaRegistry>();
        QVERIFY2(overlaid->loadDirectory(base, &error), qPrintable(error));
        QVERIFY2(overlaid->loadDirectory(versioned, &error), qPrintable(error));
        m_official = std::move(official);
        m_versioned = std::move(overlaid);
    }
    addRows();
}

void TestConformance::official()
{
    QFETCH(ConformanceCase, testCase);
    const SchemaRegistry &registry = testCase.versioned ? *m_versioned : *m_official;
    QVERIFY2(registry.contains(testCase.official), testCase.official.c_str());
    const auto issues = registry.validate(testCase.official, testCase.payload);
    QVERIFY2(!schemaUnusable(issues), describe(issues).constData());
    QVERIFY2(issues.empty() == testCase.officialValid,
             verdictMessage(testCase, testCase.officialValid, issues).constData());
}

QTEST_GUILESS_MAIN(TestConformance)
#include "tst_conformance.moc"
