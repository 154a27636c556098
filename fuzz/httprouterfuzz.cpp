#include "httprouterfuzz.h"

#include "fuzzinput.h"

#include "dispatcher.h"
#include "sellercontext.h"
#include "server/sellerrouter.h"

#include <QFile>
#include <QTemporaryDir>

#include <cstdlib>
#include <memory>
#include <string>

namespace adcp::fuzz {
namespace {

using seller::BearerAuth;
using seller::Dispatcher;
using seller::HttpRequest;
using seller::Principal;
using seller::SellerContext;
using seller::SellerRouter;

struct RouterDatabases
{
    QTemporaryDir dir;
    QString seeded = dir.filePath(QStringLiteral("seeded.db"));
    QString work = dir.filePath(QStringLiteral("work.db"));
};

std::shared_ptr<SellerContext> openRouterSeller(const QString &path)
{
    seller::SellerOptions options;
    options.databasePath = path;
    // Webhook URLs in generated requests are checked without DNS: a name resolves to nothing here.
    options.webhookResolver = [](const QString &, QString *) { return QList<QHostAddress>(); };
    QString error;
    auto context = SellerContext::open(options, &error);
    if (!context) {
        qCritical("http router harness: the seller did not open: %s", qPrintable(error));
        std::abort();
    }
    return context;
}

RouterDatabases &routerDatabases()
{
    static RouterDatabases *const instance = [] {
        ensureCoreApplication();
        auto *d = new RouterDatabases;
        openRouterSeller(d->seeded); // creates, migrates and seeds the file each input starts from
        return d;
    }();
    return *instance;
}

void freshRouterCopy(const RouterDatabases &d)
{
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(d.work + suffix);
    if (!QFile::copy(d.seeded, d.work))
        std::abort();
}

// "METHOD TARGET" then header lines up to a blank line; the rest is the body.
HttpRequest parseRequestText(std::string_view text, std::string_view defaultPath)
{
    HttpRequest request;
    request.peer = "127.0.0.1";
    SplitInput line = splitFirstLine(text);
    const size_t space = line.head.find(' ');
    request.method = std::string(line.head.substr(0, space));
    if (space != std::string_view::npos)
        request.target = std::string(line.head.substr(space + 1));
    const bool knownRoute = request.target.rfind("/mcp", 0) == 0 || request.target.rfind("/a2a", 0) == 0 ||
                            request.target.rfind("/.well-known/", 0) == 0;
    if (!knownRoute)
        request.target = std::string(defaultPath);
    std::string_view rest = line.rest;
    while (!rest.empty()) {
        line = splitFirstLine(rest);
        rest = line.rest;
        if (line.head.empty() || line.head == "\r")
            break;
        const size_t colon = line.head.find(':');
        if (colon == std::string_view::npos)
            continue;
        std::string_view value = line.head.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
        request.headers.emplace_back(std::string(line.head.substr(0, colon)), std::string(value));
    }
    request.body = std::string(rest);
    return request;
}

} // namespace

int runHttpRouterInput(const uint8_t *data, size_t size, std::string_view defaultPath)
{
    RouterDatabases &d = routerDatabases();
    freshRouterCopy(d);
    auto dispatcher = std::make_shared<Dispatcher>(openRouterSeller(d.work));
    BearerAuth auth;
    auth.addToken(QByteArrayLiteral("fuzz-token"), Principal{"fuzz-buyer", true});
    auth.addToken(QByteArrayLiteral("fuzz-token-b"), Principal{"fuzz-buyer-b", false});
    SellerRouter router(dispatcher, std::move(auth), seller::SellerServerOptions{});
    HttpRequest request = parseRequestText(asText(data, size), defaultPath);
    const auto refusal = router.preflight(request, request.body.size());
    if (!refusal)
        router.handleNow(std::move(request));
    return 0;
}

} // namespace adcp::fuzz
