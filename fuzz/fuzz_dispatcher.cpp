// The seller's transport-free core (embedded-seller/dispatcher): Dispatcher::call with any arguments for
// every tool. Input: "<tool>[ sandbox]\n<arguments as JSON>"; a first line that names no tool picks one, so
// mutated names still reach handlers. Every input runs against a fresh copy of one freshly seeded database,
// so no input sees what an earlier one stored.
#include "dispatcher.h"
#include "sellercontext.h"

#include "fuzzinput.h"

#include <QFile>
#include <QTemporaryDir>

#include <cstdlib>

namespace {

using adcp::seller::Dispatcher;
using adcp::seller::Principal;
using adcp::seller::SellerContext;

struct Databases
{
    QTemporaryDir dir;
    QString seeded = dir.filePath(QStringLiteral("seeded.db"));
    QString work = dir.filePath(QStringLiteral("work.db"));
    std::vector<std::string> tools;
};

std::shared_ptr<SellerContext> openSeller(const QString &path)
{
    adcp::seller::SellerOptions options;
    options.databasePath = path;
    // Webhook URLs in generated requests are checked without DNS: a name resolves to nothing here.
    options.webhookResolver = [](const QString &, QString *) { return QList<QHostAddress>(); };
    QString error;
    auto context = SellerContext::open(options, &error);
    if (!context) {
        qCritical("fuzz_dispatcher: the seller did not open: %s", qPrintable(error));
        std::abort();
    }
    return context;
}

Databases &databases()
{
    static Databases *const instance = [] {
        adcp::fuzz::ensureCoreApplication();
        auto *d = new Databases;
        // Opening creates, migrates and seeds the database; closing it leaves a file to copy per input.
        Dispatcher dispatcher(openSeller(d->seeded));
        for (const auto &tool : dispatcher.tools(Principal{"fuzz-buyer", true}))
            d->tools.push_back(tool.name);
        return d;
    }();
    return *instance;
}

void freshWorkCopy(const Databases &d)
{
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(d.work + suffix);
    if (!QFile::copy(d.seeded, d.work))
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    databases();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto input = adcp::fuzz::splitFirstLine(adcp::fuzz::asText(data, size));
    const nlohmann::json arguments = nlohmann::json::parse(input.rest, nullptr, false);
    if (arguments.is_discarded())
        return 0;
    std::string_view head = input.head;
    const bool sandbox = head.size() > 8 && head.substr(head.size() - 8) == " sandbox";
    if (sandbox)
        head.remove_suffix(8);

    Databases &d = databases();
    freshWorkCopy(d);
    Dispatcher dispatcher(openSeller(d.work));
    const std::string tool =
        dispatcher.hasTool(head) ? std::string(head) : adcp::fuzz::pickBySelector(head, d.tools);
    dispatcher.call(Principal{"fuzz-buyer", sandbox}, tool, arguments);
    return 0;
}
