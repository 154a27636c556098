#include <QFileInfo>
#include <QProcess>
#include <QtTest/QtTest>

#include <dlfcn.h>

#include <cstdlib>
#include <memory>

// The process allocator cmake/AdcpAllocator.cmake chose is the one the dynamic linker binds: malloc and
// operator new of this test, and of the adcp-workbench executable, resolve to mimalloc when the build links
// it (Release) and to the C library or the sanitizer's allocator when it does not.
class TestAllocator final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mallocOfThisProcess();
    void newAndFreeOfThisProcess();
    void theWorkbenchStartsOnIt();
};

namespace {

QString libraryOf(const char *symbol)
{
    void *address = dlsym(RTLD_DEFAULT, symbol);
    Dl_info info{};
    if (!address || !dladdr(address, &info) || !info.dli_fname)
        return {};
    return QFileInfo(QString::fromLocal8Bit(info.dli_fname)).fileName();
}

} // namespace

void TestAllocator::mallocOfThisProcess()
{
    for (const char *symbol : {"malloc", "free", "calloc", "realloc", "posix_memalign"}) {
        const QString library = libraryOf(symbol);
        QVERIFY2(!library.isEmpty(), symbol);
        if (ADCP_EXPECT_MIMALLOC)
            QVERIFY2(library.startsWith(QStringLiteral("libmimalloc")),
                     qPrintable(library + u' ' + QLatin1StringView(symbol)));
        else
            QVERIFY2(!library.contains(QStringLiteral("mimalloc")),
                     qPrintable(library + u' ' + QLatin1StringView(symbol)));
    }
}

// Memory taken by one allocator and given back to the other would corrupt the heap: both paths work, across
// sizes the allocators treat differently (small bins, large blocks, over-aligned).
void TestAllocator::newAndFreeOfThisProcess()
{
    for (std::size_t size :
         {std::size_t(8), std::size_t(4096), std::size_t(1) << 20, std::size_t(64) << 20}) {
        auto block = std::make_unique<char[]>(size);
        block[0] = 'a';
        block[size - 1] = 'z';
        QCOMPARE(block[0] + block[size - 1], 'a' + 'z');
        void *raw = std::malloc(size);
        QVERIFY(raw);
        raw = std::realloc(raw, size * 2);
        QVERIFY(raw);
        std::free(raw);
        void *aligned = nullptr;
        QCOMPARE(posix_memalign(&aligned, 256, size), 0);
        QCOMPARE(reinterpret_cast<std::uintptr_t>(aligned) % 256, std::uintptr_t(0));
        std::free(aligned);
    }
}

// mimalloc announces itself on stderr when MIMALLOC_VERBOSE is set; the C library's malloc says nothing.
void TestAllocator::theWorkbenchStartsOnIt()
{
    const QString program = QStringLiteral(ADCP_BINARY_DIR "/app/adcp-workbench");
    QVERIFY2(QFileInfo(program).isExecutable(), qPrintable(program));
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("MIMALLOC_VERBOSE"), QStringLiteral("1"));
    process.setProcessEnvironment(environment);
    process.start(program, {QStringLiteral("--help")});
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    const QByteArray err = process.readAllStandardError();
    QCOMPARE(err.contains("mimalloc: process init"), bool(ADCP_EXPECT_MIMALLOC));
}

QTEST_GUILESS_MAIN(TestAllocator)
#include "tst_allocator.moc"
