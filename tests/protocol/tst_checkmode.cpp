#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

// Runs `adcp-workbench --check` as a user would, against the small schema tree of tests/data/validator.
class TestCheckMode final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void check_data();
    void check();
    void bundledSchemas();

private:
    struct Run
    {
        int exitCode = -1;
        QStringList out;
        QString err;
    };
    Run run(const QStringList &arguments) const;
    QString write(const QString &name, const QByteArray &content);

    QString m_program;
    QTemporaryDir m_dir;
};

void TestCheckMode::initTestCase()
{
    m_program = QStringLiteral(ADCP_BINARY_DIR "/app/adcp-workbench");
    // Built before this test (add_dependencies): a missing program is a broken build, not a skip.
    QVERIFY2(QFileInfo(m_program).isExecutable(), qPrintable(m_program));
    QVERIFY(m_dir.isValid());
}

TestCheckMode::Run TestCheckMode::run(const QStringList &arguments) const
{
    QProcess process;
    process.setWorkingDirectory(m_dir.path());
    process.start(m_program, arguments);
    Run result;
    if (!process.waitForFinished(60000))
        return result;
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out =
        QString::fromUtf8(process.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

QString TestCheckMode::write(const QString &name, const QByteArray &content)
{
    QFile file(m_dir.filePath(name));
    if (!file.open(QIODevice::WriteOnly))
        return QString();
    file.write(content);
    return name;
}

void TestCheckMode::check_data()
{
    QTest::addColumn<QString>("schema");
    QTest::addColumn<QStringList>("files");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QStringList>("lines");

    const QString package = QStringLiteral("/schemas/core/package.json");
    const QString valid =
        write(QStringLiteral("valid.json"), R"({"package_id":"p1","budget":{"amount":10,"currency":"USD"}})");
    const QString badCurrency = write(QStringLiteral("bad-currency.json"),
                                      R"({"package_id":"p1","budget":{"amount":10,"currency":"usd"}})");
    const QString twoIssues =
        write(QStringLiteral("two-issues.json"), R"({"budget":{"amount":-1,"currency":"USD"}})");
    const QString notJson = write(QStringLiteral("not-json.json"), "{\"package_id\":");
    const QString notAnObject = write(QStringLiteral("array.json"), "[]");

    QTest::newRow("valid file") << package << QStringList{valid} << 0
                                << QStringList{QStringLiteral("valid.json: OK")};
    QTest::newRow("one issue")
        << package << QStringList{badCurrency} << 1
        << QStringList{
               QStringLiteral("bad-currency.json: /budget/currency: \"usd\" does not match the pattern "
                              "^[A-Z]{3}$ [pattern]")};
    QTest::newRow("two issues")
        << package << QStringList{twoIssues} << 1
        << QStringList{
               QStringLiteral("two-issues.json: /budget/amount: -1 is less than the minimum 0 [minimum]"),
               QStringLiteral("two-issues.json: /package_id: required property 'package_id' is missing "
                              "[required]")};
    QTest::newRow("root issue") << package << QStringList{notAnObject} << 1
                                << QStringList{QStringLiteral(
                                       "array.json: (root): expected object, got array [type]")};
    QTest::newRow("valid and invalid files together")
        << package << QStringList{valid, badCurrency} << 1
        << QStringList{
               QStringLiteral("valid.json: OK"),
               QStringLiteral("bad-currency.json: /budget/currency: \"usd\" does not match the pattern "
                              "^[A-Z]{3}$ [pattern]")};
    QTest::newRow("unparsable file") << package << QStringList{notJson} << 1 << QStringList{};
    QTest::newRow("missing file") << package << QStringList{QStringLiteral("absent.json")} << 1
                                  << QStringList{QStringLiteral(
                                         "absent.json: cannot read: No such file or directory")};
    QTest::newRow("unknown schema") << QStringLiteral("/schemas/core/nope.json") << QStringList{valid} << 2
                                    << QStringList{};
}

void TestCheckMode::check()
{
    QFETCH(QString, schema);
    QFETCH(QStringList, files);
    QFETCH(int, exitCode);
    QFETCH(QStringList, lines);

    const Run result =
        run(QStringList{QStringLiteral("--check"), QStringLiteral("--schema"), schema,
                        QStringLiteral("--schemas"), QStringLiteral(ADCP_TEST_DATA_DIR "/validator")} +
            files);
    QCOMPARE(result.exitCode, exitCode);
    if (!lines.isEmpty())
        QCOMPARE(result.out, lines);
    if (exitCode == 2)
        QVERIFY2(result.err.contains(schema), qPrintable(result.err));
    if (files.contains(QStringLiteral("not-json.json"))) {
        QCOMPARE(result.out.size(), 1);
        QVERIFY2(result.out.front().startsWith(QStringLiteral("not-json.json: not JSON: ")),
                 qPrintable(result.out.front()));
    }
}

void TestCheckMode::bundledSchemas()
{
    const QString request = write(QStringLiteral("get-products.json"), R"({"buying_mode":"refine"})");
    const Run result = run({QStringLiteral("--check"), QStringLiteral("--schema"),
                            QStringLiteral("/schemas/media-buy/get-products-request.json"), request});
    // The schema is bundled, and refine mode without refine[] is invalid (the schema's if/then on
    // buying_mode "refine" requires refine): exit 1 with the missing member named, not a usage error (2).
    QCOMPARE(result.exitCode, 1);
    QVERIFY(!result.out.isEmpty());
    QVERIFY2(result.out.front().startsWith(QStringLiteral("get-products.json: ")),
             qPrintable(result.out.front()));
    QVERIFY2(result.out.join(QLatin1Char('\n')).contains(QStringLiteral("refine")),
             qPrintable(result.out.join(QLatin1Char('\n'))));

    const Run usage = run({QStringLiteral("--check"), request});
    QCOMPARE(usage.exitCode, 2);
    QVERIFY(usage.err.contains(QStringLiteral("usage:")));
}

QTEST_GUILESS_MAIN(TestCheckMode)
#include "tst_checkmode.moc"
