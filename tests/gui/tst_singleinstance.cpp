// The built adcp-workbench started twice on one data folder, as a user double-clicking its icon would: the
// second window is refused with a message naming the first, and a lock left by a process that died is taken
// over.
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kBinary = QStringLiteral(ADCP_BINARY_DIR "/app/adcp-workbench");
constexpr int kStartMs = 60000;

} // namespace

class TestSingleInstance final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void secondWindowIsRefusedAndADeadOnesLockIsTakenOver();

private:
    void start(QProcess &process);
    QString lockFile() const;
    qint64 lockOwner() const;

    QTemporaryDir m_dir;
};

void TestSingleInstance::initTestCase()
{
    if (!QFile::exists(kBinary))
        QSKIP("adcp-workbench is not built");
    QVERIFY(m_dir.isValid());
}

void TestSingleInstance::start(QProcess &process)
{
    // A user of its own: data, settings and runtime folders in the test's folder; no display needed.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("HOME"), m_dir.path());
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
    const QString runtime = m_dir.filePath(QStringLiteral("runtime"));
    QDir().mkpath(runtime);
    QFile::setPermissions(runtime, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime);
    env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
    process.setProcessEnvironment(env);
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start(kBinary, QStringList());
    QVERIFY2(process.waitForStarted(kStartMs), qPrintable(process.errorString()));
}

QString TestSingleInstance::lockFile() const
{
    QDirIterator it(m_dir.filePath(QStringLiteral("data")), {QStringLiteral("workbench.lock")}, QDir::Files,
                    QDirIterator::Subdirectories);
    return it.hasNext() ? it.next() : QString();
}

qint64 TestSingleInstance::lockOwner() const
{
    const QString path = lockFile();
    if (path.isEmpty())
        return 0;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    return file.readLine().trimmed().toLongLong();
}

void TestSingleInstance::secondWindowIsRefusedAndADeadOnesLockIsTakenOver()
{
    QProcess first;
    start(first);
    QTRY_COMPARE_WITH_TIMEOUT(lockOwner(), first.processId(), kStartMs);

    // The second start says why it does not open (on standard error and in a message box) and opens nothing.
    QProcess second;
    start(second);
    QByteArray said;
    QTRY_VERIFY_WITH_TIMEOUT((said += second.readAllStandardError()).contains("already running"), kStartMs);
    QVERIFY2(said.contains(QByteArray::number(first.processId())), said.constData());
    QCOMPARE(lockOwner(), first.processId());
    QVERIFY(first.state() == QProcess::Running);
    second.kill();
    QVERIFY(second.waitForFinished(kStartMs));

    // The first one dies without a chance to clean up: its lock is stale and the next start takes it.
    first.kill();
    QVERIFY(first.waitForFinished(kStartMs));
    QVERIFY(QFile::exists(lockFile()));
    QProcess third;
    start(third);
    QTRY_COMPARE_WITH_TIMEOUT(lockOwner(), third.processId(), kStartMs);
    QVERIFY(third.state() == QProcess::Running);
    third.kill();
    QVERIFY(third.waitForFinished(kStartMs));
}

QTEST_GUILESS_MAIN(TestSingleInstance)
#include "tst_singleinstance.moc"
