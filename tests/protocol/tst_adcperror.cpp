#include "adcperror.h"
#include "schemaregistry.h"

#include <QFile>
#include <QFileInfo>
#include <QtTest/QtTest>

using adcp::AdcpError;
using adcp::Recovery;

Q_DECLARE_METATYPE(Recovery)

namespace {

QString officialSchemaFolder()
{
    return qEnvironmentVariable("ADCP_SHARED_DIR", QStringLiteral(ADCP_SHARED_DIR)) +
           QStringLiteral("/adcp/schemas");
}

// Recovery values are compared by their wire names, which is also what a failure message should show.
QString name(Recovery recovery)
{
    const std::string_view text = adcp::toString(recovery);
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

} // namespace

class TestAdcpError final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recoveryForCode_data();
    void recoveryForCode();
    void recoveryNamesRoundTrip();
    void standardCodesMatchTheOfficialEnum();
    void makeTakesTheCodesClass();
    void jsonRoundTrip();
    void toJsonIsAValidErrorObject();
    void fromJsonIsLenient_data();
    void fromJsonIsLenient();
    void pointerToField_data();
    void pointerToField();
};

void TestAdcpError::recoveryForCode_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<Recovery>("recovery");
    QTest::addColumn<bool>("standard");

    QTest::newRow("CONFLICT is transient") << QStringLiteral("CONFLICT") << Recovery::Transient << true;
    QTest::newRow("INVALID_REQUEST is correctable")
        << QStringLiteral("INVALID_REQUEST") << Recovery::Correctable << true;
    QTest::newRow("AUTH_INVALID is terminal") << QStringLiteral("AUTH_INVALID") << Recovery::Terminal << true;
    QTest::newRow("RATE_LIMITED is transient")
        << QStringLiteral("RATE_LIMITED") << Recovery::Transient << true;
    QTest::newRow("SERVICE_UNAVAILABLE is transient")
        << QStringLiteral("SERVICE_UNAVAILABLE") << Recovery::Transient << true;
    QTest::newRow("ACCOUNT_SUSPENDED is terminal")
        << QStringLiteral("ACCOUNT_SUSPENDED") << Recovery::Terminal << true;
    QTest::newRow("PROPOSAL_EXPIRED is correctable")
        << QStringLiteral("PROPOSAL_EXPIRED") << Recovery::Correctable << true;
    QTest::newRow("IDEMPOTENCY_CONFLICT is correctable")
        << QStringLiteral("IDEMPOTENCY_CONFLICT") << Recovery::Correctable << true;
    QTest::newRow("IDEMPOTENCY_IN_FLIGHT is transient")
        << QStringLiteral("IDEMPOTENCY_IN_FLIGHT") << Recovery::Transient << true;
    QTest::newRow("IMPLEMENTATION_CONFIG_LOOKUP_FAILED is transient")
        << QStringLiteral("IMPLEMENTATION_CONFIG_LOOKUP_FAILED") << Recovery::Transient << true;
    QTest::newRow("unknown code is transient")
        << QStringLiteral("SOMETHING_NEW_IN_4_0") << Recovery::Transient << false;
    QTest::newRow("codes are case-sensitive")
        << QStringLiteral("invalid_request") << Recovery::Transient << false;
    QTest::newRow("empty code is transient") << QString() << Recovery::Transient << false;
}

void TestAdcpError::recoveryForCode()
{
    QFETCH(QString, code);
    QFETCH(Recovery, recovery);
    QFETCH(bool, standard);
    QCOMPARE(name(adcp::recoveryForCode(code.toStdString())), name(recovery));
    QCOMPARE(adcp::isStandardErrorCode(code.toStdString()), standard);
}

void TestAdcpError::recoveryNamesRoundTrip()
{
    for (const Recovery r : {Recovery::Transient, Recovery::Correctable, Recovery::Terminal})
        QVERIFY(adcp::recoveryFromString(adcp::toString(r)) == std::optional<Recovery>(r));
    QCOMPARE(adcp::toString(Recovery::Correctable), std::string_view("correctable"));
    QVERIFY(!adcp::recoveryFromString("Transient").has_value());
    QVERIFY(!adcp::recoveryFromString("").has_value());
}

void TestAdcpError::standardCodesMatchTheOfficialEnum()
{
    if (!QFileInfo::exists(officialSchemaFolder()))
        QSKIP("the official AdCP schemas are absent (ADCP_SHARED_DIR/adcp/schemas)");
    // Inside a present folder, a missing error-code enum is a failure.
    QFile file(officialSchemaFolder() + QStringLiteral("/enums/error-code.json"));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const auto schema = nlohmann::json::parse(file.readAll().toStdString());
    const auto &metadata = schema.at("enumMetadata");
    for (const auto &code : schema.at("enum")) {
        const std::string name = code.get<std::string>();
        QVERIFY2(adcp::isStandardErrorCode(name), name.c_str());
        const std::string expected = metadata.at(name).at("recovery").get<std::string>();
        QVERIFY2(adcp::toString(adcp::recoveryForCode(name)) == expected,
                 (name + " should be " + expected).c_str());
    }
}

void TestAdcpError::makeTakesTheCodesClass()
{
    const AdcpError conflict = AdcpError::make("CONFLICT", "proposal version 2 is stale", "proposal_version");
    QCOMPARE(name(conflict.recovery), name(Recovery::Transient));
    QCOMPARE(conflict.field, std::optional<std::string>("proposal_version"));
    QVERIFY(!conflict.suggestion.has_value());
    QCOMPARE(name(AdcpError::make("AUTH_INVALID", "bad token").recovery), name(Recovery::Terminal));
    QCOMPARE(AdcpError::make("BUDGET_TOO_LOW", "too low", "packages[0].budget", "raise to 5000").suggestion,
             std::optional<std::string>("raise to 5000"));
}

void TestAdcpError::jsonRoundTrip()
{
    AdcpError error = AdcpError::make("VALIDATION_ERROR", "2 fields are invalid", "packages[0].budget",
                                      "fix the listed fields");
    error.retryAfter = 30;
    error.issues = {{"/packages/0/budget", "required property 'budget' is missing", "required"},
                    {"/start_time", "'tomorrow' is not an RFC 3339 date-time", "format"}};
    error.details = {{"schema", "/schemas/media-buy/create-media-buy-request.json"}};

    const nlohmann::json json = error.toJson();
    QCOMPARE(json.at("recovery").get<std::string>(), std::string("correctable"));
    QCOMPARE(json.at("issues").size(), size_t(2));
    QCOMPARE(json.at("retry_after").get<int>(), 30);

    const AdcpError back = AdcpError::fromJson(json);
    QCOMPARE(back.code, error.code);
    QCOMPARE(back.message, error.message);
    QCOMPARE(back.field, error.field);
    QCOMPARE(back.suggestion, error.suggestion);
    QCOMPARE(back.retryAfter, error.retryAfter);
    QCOMPARE(name(back.recovery), name(error.recovery));
    QCOMPARE(back.details, error.details);
    QCOMPARE(back.issues.size(), error.issues.size());
    for (size_t i = 0; i < back.issues.size(); ++i) {
        QCOMPARE(back.issues[i].pointer, error.issues[i].pointer);
        QCOMPARE(back.issues[i].message, error.issues[i].message);
        QCOMPARE(back.issues[i].keyword, error.issues[i].keyword);
    }
    QCOMPARE(back.toJson(), json);

    // Absent optional members stay absent on the wire.
    const nlohmann::json minimal = AdcpError::make("CONFLICT", "stale").toJson();
    QCOMPARE(minimal,
             nlohmann::json({{"code", "CONFLICT"}, {"message", "stale"}, {"recovery", "transient"}}));
}

void TestAdcpError::toJsonIsAValidErrorObject()
{
    const QString folder = officialSchemaFolder();
    if (!QFileInfo::exists(folder))
        QSKIP("the official AdCP schemas are not available (ADCP_SHARED_DIR/adcp/schemas)");
    adcp::SchemaRegistry registry;
    QVERIFY(registry.loadDirectory(folder));
    AdcpError error = AdcpError::make("VALIDATION_ERROR", "invalid", "packages[0].budget");
    error.retryAfter = 5;
    error.issues = {{"/packages/0/budget", "missing", "required"}};
    error.details = {{"hint", "x"}};
    const auto issues = registry.validate("/schemas/core/error.json", error.toJson());
    QVERIFY2(issues.empty(), issues.empty() ? "" : (issues[0].pointer + ": " + issues[0].message).c_str());
}

void TestAdcpError::fromJsonIsLenient_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("code");
    QTest::addColumn<Recovery>("recovery");
    QTest::addColumn<int>("retryAfter"); // -1: absent

    QTest::newRow("missing recovery of a standard code")
        << QByteArray(R"({"code":"AUTH_INVALID","message":"m"})") << QStringLiteral("AUTH_INVALID")
        << Recovery::Terminal << -1;
    QTest::newRow("missing recovery of an unknown code")
        << QByteArray(R"({"code":"NEW_THING","message":"m"})") << QStringLiteral("NEW_THING")
        << Recovery::Transient << -1;
    QTest::newRow("explicit recovery wins")
        << QByteArray(R"({"code":"CONFLICT","message":"m","recovery":"terminal"})")
        << QStringLiteral("CONFLICT") << Recovery::Terminal << -1;
    QTest::newRow("unknown recovery falls back to the code")
        << QByteArray(R"({"code":"INVALID_REQUEST","message":"m","recovery":"sometimes"})")
        << QStringLiteral("INVALID_REQUEST") << Recovery::Correctable << -1;
    QTest::newRow("fractional retry_after rounds up")
        << QByteArray(R"({"code":"RATE_LIMITED","message":"m","retry_after":2.5})")
        << QStringLiteral("RATE_LIMITED") << Recovery::Transient << 3;
    QTest::newRow("retry_after below 1 is 1")
        << QByteArray(R"({"code":"RATE_LIMITED","message":"m","retry_after":0})")
        << QStringLiteral("RATE_LIMITED") << Recovery::Transient << 1;
    QTest::newRow("retry_after above an hour is an hour")
        << QByteArray(R"({"code":"RATE_LIMITED","message":"m","retry_after":86400})")
        << QStringLiteral("RATE_LIMITED") << Recovery::Transient << 3600;
    QTest::newRow("missing code") << QByteArray(R"({"message":"m"})") << QStringLiteral("UNKNOWN")
                                  << Recovery::Transient << -1;
    QTest::newRow("not an object") << QByteArray(R"("boom")") << QStringLiteral("INVALID_RESPONSE")
                                   << Recovery::Transient << -1;
}

void TestAdcpError::fromJsonIsLenient()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, code);
    QFETCH(Recovery, recovery);
    QFETCH(int, retryAfter);
    const AdcpError error = AdcpError::fromJson(nlohmann::json::parse(json.toStdString()));
    QCOMPARE(QString::fromStdString(error.code), code);
    QCOMPARE(name(error.recovery), name(recovery));
    QCOMPARE(error.retryAfter, retryAfter < 0 ? std::optional<int>() : std::optional<int>(retryAfter));
}

void TestAdcpError::pointerToField_data()
{
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QString>("field");

    QTest::newRow("root") << QString() << QString();
    QTest::newRow("top-level property") << QStringLiteral("/buying_mode") << QStringLiteral("buying_mode");
    QTest::newRow("array element property")
        << QStringLiteral("/packages/0/budget") << QStringLiteral("packages[0].budget");
    QTest::newRow("nested arrays") << QStringLiteral("/packages/12/targeting_overlay/geo_countries/3")
                                   << QStringLiteral("packages[12].targeting_overlay.geo_countries[3]");
    QTest::newRow("array at the root") << QStringLiteral("/0/name") << QStringLiteral("[0].name");
    QTest::newRow("escaped slash and tilde")
        << QStringLiteral("/ext/a~1b/c~0d") << QStringLiteral("ext.a/b.c~d");
    QTest::newRow("escape order ~01") << QStringLiteral("/x/~01") << QStringLiteral("x.~1");
}

void TestAdcpError::pointerToField()
{
    QFETCH(QString, pointer);
    QFETCH(QString, field);
    QCOMPARE(QString::fromStdString(adcp::pointerToField(pointer.toStdString())), field);
}

QTEST_GUILESS_MAIN(TestAdcpError)
#include "tst_adcperror.moc"
