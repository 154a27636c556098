// Seller load benchmark, one run on one machine, every server driven by the same closed-loop keep-alive client
// (loadgen.cpp):
//   - a trivial route on the same HTTP engine answering the bytes of a get_products answer (the ceiling the
//     engine allows),
//   - our seller over MCP: get_products with a brief, get_adcp_capabilities, create_media_buy (with the
//     simulated ad servers taking --ad-server-ms per call, off the request path),
//   - the AdCP SDK's guaranteed example seller (../shared/harness/ref-seller.sh) with the same get_products
//     and get_adcp_capabilities calls, when the harness is installed,
//   - a valid call while --slowloris connections hold half-sent headers open.
// It prints requests/s, p50/p99 and the ratios the acceptance names, with the load average next to them.
//
// usage: bench_seller_load [--seconds 5] [--concurrency 8] [--workers 4] [--ad-server-ms 2000]
//                          [--slowloris 400] [--no-reference] [--shared DIR]
#include "loadgen.h"
#include "serverthread.h"
#include "storage/database.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QUuid>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

using nlohmann::json;

namespace {

const std::string kReferenceToken = "sk_harness_do_not_use_in_prod";
constexpr std::uint16_t kReferencePort = 3004;

std::string loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly))
        return "?";
    const QList<QByteArray> parts = file.readAll().split(' ');
    return parts.size() >= 3 ? QByteArray(parts[0] + ' ' + parts[1] + ' ' + parts[2]).toStdString() : "?";
}

// The one-minute load average per core, or a negative number when it cannot be read.
double loadPerCore()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly))
        return -1.0;
    bool ok = false;
    const double load = file.readAll().split(' ').value(0).toDouble(&ok);
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    return ok ? load / cores : -1.0;
}

std::string httpPost(std::uint16_t port, const std::string &token, const std::string &body)
{
    return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
           "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nAuthorization: "
           "Bearer " +
           token + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string toolCall(const std::string &tool, const json &arguments)
{
    return json{{"jsonrpc", "2.0"},
                {"id", 1},
                {"method", "tools/call"},
                {"params", {{"name", tool}, {"arguments", arguments}}}}
        .dump();
}

// The JSON-RPC message of an answer given as JSON or as one SSE event.
json rpcMessage(const std::string &body)
{
    std::string_view text = body;
    if (const auto data = text.find("data: "); data != std::string_view::npos && text.substr(0, 1) != "{") {
        text = text.substr(data + 6);
        text = text.substr(0, text.find('\n'));
    }
    return json::parse(text.begin(), text.end(), nullptr, false);
}

struct Row
{
    std::string name;
    bool external = false; // another process serves it: this process's CPU time says nothing about it
    int concurrency = 0;
    loadgen::Result result;
};

void printRow(const Row &row, double trivialRps)
{
    const auto &r = row.result;
    std::printf("| %s | %d | %.0f | %.2f | %.2f | %.2f | %llu | %s | %s | %s |\n", row.name.c_str(),
                row.concurrency, r.requestsPerSecond, r.p50Ms, r.p99Ms, r.maxMs,
                static_cast<unsigned long long>(r.errors),
                row.external ? "-" : (std::to_string(int(r.cpuUsPerRequest + 0.5))).c_str(),
                trivialRps > 0 ? (std::to_string(int(100 * r.requestsPerSecond / trivialRps + 0.5)) + " %").c_str()
                               : "-",
                loadAverage().c_str());
    std::fflush(stdout);
}

// Starts the reference seller unless one already listens on its port; stops it again only if started here.
class ReferenceSeller final
{
public:
    explicit ReferenceSeller(QString script) : m_script(std::move(script)) {}
    ~ReferenceSeller()
    {
        if (m_started)
            QProcess::execute(QStringLiteral("bash"), {m_script, QStringLiteral("stop")});
    }
    ReferenceSeller(const ReferenceSeller &) = delete;
    ReferenceSeller &operator=(const ReferenceSeller &) = delete;

    bool up()
    {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, kReferencePort);
        if (probe.waitForConnected(3000))
            return true;
        QProcess start;
        start.setProcessChannelMode(QProcess::MergedChannels);
        m_started = true;
        start.start(QStringLiteral("bash"), {m_script, QStringLiteral("start")});
        const bool ok = start.waitForFinished(300000) && start.exitCode() == 0;
        if (!ok)
            std::fprintf(stderr, "reference seller did not start: %s\n", start.readAll().constData());
        return ok;
    }

private:
    QString m_script;
    bool m_started = false;
};

// Opens `count` connections that send the start of a request's headers and never the end.
std::vector<std::unique_ptr<QTcpSocket>> openSlowClients(std::uint16_t port, int count)
{
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < count; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, port);
        if (!socket->waitForConnected(5000))
            break;
        socket->write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
        socket->waitForBytesWritten(5000);
        sockets.push_back(std::move(socket));
    }
    return sockets;
}

struct Settings
{
    double seconds = 5;
    double warmup = 1;
    int concurrency = 8;
    int workers = 4;
    int adServerMs = 2000;
    int slowloris = 400;
    bool reference = true;
    QString shared;
    std::string only;
};

Settings parseSettings(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("seconds"), QStringLiteral("Measured seconds per case."), QStringLiteral("S"),
                      QStringLiteral("5")});
    parser.addOption({QStringLiteral("concurrency"), QStringLiteral("Connections per case."), QStringLiteral("N"),
                      QStringLiteral("8")});
    parser.addOption({QStringLiteral("workers"), QStringLiteral("The seller's tool-call threads."),
                      QStringLiteral("N"), QStringLiteral("4")});
    parser.addOption({QStringLiteral("ad-server-ms"), QStringLiteral("Simulated ad-server latency per call."),
                      QStringLiteral("MS"), QStringLiteral("2000")});
    parser.addOption({QStringLiteral("slowloris"), QStringLiteral("Connections that never finish their headers."),
                      QStringLiteral("N"), QStringLiteral("400")});
    parser.addOption({QStringLiteral("only"), QStringLiteral("Run only the cases whose name contains TEXT."),
                      QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("no-reference"), QStringLiteral("Skip the SDK's reference seller.")});
    parser.addOption({QStringLiteral("shared"), QStringLiteral("The shared folder with harness/."),
                      QStringLiteral("DIR"), QStringLiteral(ADCP_SHARED_DIR)});
    parser.process(app);
    Settings s;
    s.seconds = parser.value(QStringLiteral("seconds")).toDouble();
    s.concurrency = parser.value(QStringLiteral("concurrency")).toInt();
    s.workers = parser.value(QStringLiteral("workers")).toInt();
    s.adServerMs = parser.value(QStringLiteral("ad-server-ms")).toInt();
    s.slowloris = parser.value(QStringLiteral("slowloris")).toInt();
    s.reference = !parser.isSet(QStringLiteral("no-reference"));
    s.shared = parser.value(QStringLiteral("shared"));
    s.only = parser.value(QStringLiteral("only")).toStdString();
    return s;
}

json createArguments(const json &product, const json &brand)
{
    const QDateTime start = QDateTime::currentDateTimeUtc().addDays(2);
    return {{"brand", brand},
            {"account", {{"brand", brand}, {"operator", "acmeoutdoor.example"}}},
            {"start_time", start.toString(Qt::ISODate).toStdString()},
            {"end_time", start.addDays(30).toString(Qt::ISODate).toStdString()},
            {"packages", json::array({{{"product_id", product["product_id"]},
                                       {"pricing_option_id", product["pricing_options"][0]["pricing_option_id"]},
                                       {"budget", 50000}}})}};
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const Settings settings = parseSettings(app);
    QTemporaryDir dir;
    const json brand = {{"domain", "acmeoutdoor.example"}};
    const json productsArgs = {
        {"buying_mode", "brief"}, {"brief", "Video for outdoor gear in the US"}, {"brand", brand}};

    // The trivial route answers with exactly the bytes of a get_products answer, captured from a first seller.
    std::string productsBody;
    {
        ServerThread probe(dir.filePath(QStringLiteral("probe.sqlite")), settings.workers, 0, {});
        const auto ports = probe.startAndWait();
        productsBody = loadgen::once({"127.0.0.1", ports.seller},
                                     httpPost(ports.seller, kBenchToken, toolCall("get_products", productsArgs)))
                           .second;
    }
    ServerThread server(dir.filePath(QStringLiteral("bench.sqlite")), settings.workers, settings.adServerMs,
                        productsBody);
    const auto ports = server.startAndWait();
    if (ports.seller == 0 || ports.trivial == 0)
        return 1;
    const loadgen::Target seller{"127.0.0.1", ports.seller};
    const json products = rpcMessage(
        loadgen::once(seller, httpPost(ports.seller, kBenchToken, toolCall("get_products", productsArgs))).second);
    const json &structured = products["result"]["structuredContent"];
    if (!structured.contains("products") || structured["products"].empty()) {
        std::fprintf(stderr, "get_products returned no products: %s\n", products.dump().c_str());
        return 1;
    }
    const json createArgs = createArguments(structured["products"][0], brand);
    {
        json args = createArgs;
        args["idempotency_key"] = QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
        const auto [status, body] =
            loadgen::once(seller, httpPost(ports.seller, kBenchToken, toolCall("create_media_buy", args)));
        if (!loadgen::servedOk(status, body)) {
            std::fprintf(stderr, "create_media_buy failed (%u): %s\n", status, body.c_str());
            return 1;
        }
    }

    const std::string productsRequest = httpPost(ports.seller, kBenchToken, toolCall("get_products", productsArgs));
    const std::string capabilitiesRequest =
        httpPost(ports.seller, kBenchToken, toolCall("get_adcp_capabilities", json::object()));
    const std::string trivialRequest =
        "GET /trivial HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(ports.trivial) + "\r\n\r\n";
    const auto create = [&] {
        json args = createArgs;
        args["idempotency_key"] = QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
        return httpPost(ports.seller, kBenchToken, toolCall("create_media_buy", args));
    };
    const auto fixed = [](const std::string &request) { return [request] { return request; }; };

    const int c = settings.concurrency;
    // The ratios compare servers that use the cores differently (the reference seller runs on one thread):
    // other work on the machine moves them several-fold, so a busy machine is said before any figure.
    const double busy = loadPerCore();
    if (busy > 0.75)
        std::printf(
            "WARNING: load average %.2f per core at the start: other work shares the cores, and the ratios "
            "below (against the reference seller above all) are not comparable with a quiet run.\n\n",
            busy);
    std::printf("seller_load: %.1f s per case after %.1f s warm-up, %d seller workers, ad server %d ms per call, "
                "get_products answer %zu bytes, %s UTC\n\n",
                settings.seconds, settings.warmup, settings.workers, settings.adServerMs, productsBody.size(),
                QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toUtf8().constData());
    std::printf("| case | connections | requests/s | p50 ms | p99 ms | max ms | errors | CPU µs/request | of trivial "
                "| load avg |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    auto measure = [&](const std::string &name, const loadgen::Target &target, const loadgen::MakeRequest &make,
                       double trivialRps) {
        if (!settings.only.empty() && name.find(settings.only) == std::string::npos)
            return loadgen::Result{};
        Row row{name, target.port == kReferencePort, c,
                loadgen::run(target, c, settings.seconds, settings.warmup, make, loadgen::servedOk)};
        printRow(row, trivialRps);
        if (!row.result.firstError.empty())
            std::fprintf(stderr, "%s: first error: %s\n", name.c_str(), row.result.firstError.c_str());
        return row.result;
    };
    const auto trivial = measure("trivial route, same engine, same bytes", {"127.0.0.1", ports.trivial},
                                 fixed(trivialRequest), 0);
    // How many briefs shared each commit of their proposals (storage::groupWrite), read through a connection
    // of this thread to the seller's file.
    QString statsError;
    const QString statsConnection = QStringLiteral("bench-group-stats");
    adcp::seller::storage::openSqliteConnection(statsConnection, dir.filePath(QStringLiteral("bench.sqlite")),
                                                &statsError);
    const auto groupsBefore =
        adcp::seller::storage::groupCommitStats(QSqlDatabase::database(statsConnection, false));
    const auto ours = measure("ours: get_products (brief)", seller, fixed(productsRequest), trivial.requestsPerSecond);
    const auto groupsAfter =
        adcp::seller::storage::groupCommitStats(QSqlDatabase::database(statsConnection, false));
    measure("ours: get_adcp_capabilities", seller, fixed(capabilitiesRequest), trivial.requestsPerSecond);
    const auto chainsBefore =
        adcp::seller::storage::groupCommitStats(QSqlDatabase::database(statsConnection, false));
    const auto buys = measure("ours: create_media_buy (ad server " + std::to_string(settings.adServerMs) + " ms)",
                              seller, create, trivial.requestsPerSecond);
    const auto chainsAfter =
        adcp::seller::storage::groupCommitStats(QSqlDatabase::database(statsConnection, false));
    adcp::seller::storage::forgetStatements(statsConnection);
    QSqlDatabase::removeDatabase(statsConnection);

    std::optional<loadgen::Result> reference;
    std::unique_ptr<ReferenceSeller> referenceSeller;
    const QString script = settings.shared + QStringLiteral("/harness/ref-seller.sh");
    if (settings.reference && QFile::exists(script)) {
        referenceSeller = std::make_unique<ReferenceSeller>(script);
        if (referenceSeller->up()) {
            const loadgen::Target target{"127.0.0.1", kReferencePort};
            reference = measure("reference seller: get_products (brief)", target,
                                fixed(httpPost(kReferencePort, kReferenceToken, toolCall("get_products", productsArgs))),
                                trivial.requestsPerSecond);
            measure("reference seller: get_adcp_capabilities", target,
                    fixed(httpPost(kReferencePort, kReferenceToken, toolCall("get_adcp_capabilities", json::object()))),
                    trivial.requestsPerSecond);
        }
    }

    std::printf("\nget_products (brief) at %d connections:\n", c);
    if (reference && reference->requestsPerSecond > 0)
        std::printf("  ours / reference seller  = %.1fx  (target >= 10x)\n",
                    ours.requestsPerSecond / reference->requestsPerSecond);
    else
        std::printf("  ours / reference seller  = not measured (harness not installed or --no-reference)\n");
    std::printf("  ours / trivial route     = %.1f %%  (target >= 25 %%)\n",
                trivial.requestsPerSecond > 0 ? 100 * ours.requestsPerSecond / trivial.requestsPerSecond : 0.0);
    std::printf("  p99                      = %.2f ms  (target <= 5 ms)\n", ours.p99Ms);
    if (groupsAfter.commits > groupsBefore.commits)
        std::printf("  briefs per proposal commit = %.2f  (%d commits)\n",
                    double(groupsAfter.works - groupsBefore.works) /
                        (groupsAfter.commits - groupsBefore.commits),
                    groupsAfter.commits - groupsBefore.commits);
    if (buys.served > 0)
        std::printf(
            "  create_media_buy: %d commits handed on to the next writer (commit chaining), %llu orders "
            "measured (the count includes the warm-up)\n",
            chainsAfter.handedOn - chainsBefore.handedOn, static_cast<unsigned long long>(buys.served));
    std::printf("  create_media_buy p99 / get_products p99 = %.2f  (target <= 2)\n",
                ours.p99Ms > 0 ? buys.p99Ms / ours.p99Ms : 0.0);

    if (settings.slowloris > 0) {
        const auto slow = openSlowClients(ports.seller, settings.slowloris);
        const auto result = loadgen::run(seller, 1, 1.0, 0.2, fixed(capabilitiesRequest), loadgen::servedOk);
        std::printf("\nget_adcp_capabilities on 1 connection while %zu connections hold unfinished headers: "
                    "p50 %.2f ms, p99 %.2f ms, max %.2f ms, %llu errors (target: delay <= 100 ms); load avg %s\n",
                    slow.size(), result.p50Ms, result.p99Ms, result.maxMs,
                    static_cast<unsigned long long>(result.errors), loadAverage().c_str());
    }
    return 0;
}
