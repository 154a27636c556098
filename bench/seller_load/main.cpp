// Seller load benchmark, one run on one machine, every server driven by the same closed-loop keep-alive
// client (loadgen.cpp):
//   - a trivial route on the same HTTP engine answering the bytes of a get_products answer (the ceiling the
//     engine allows),
//   - our seller over MCP: get_products with a brief, get_adcp_capabilities, create_media_buy (with the
//     simulated ad servers taking --ad-server-ms per call, off the request path),
//   - the AdCP SDK's guaranteed example seller (../shared/harness/ref-seller.sh) with the same get_products
//     and get_adcp_capabilities calls, when the harness is installed,
//   - a valid call while --slowloris connections hold half-sent headers open.
// It prints requests/s, p50/p99 and the ratios the acceptance names, with the load average next to them.
// The cases run in turns, --rounds times, each for its share of --seconds: this machine's speed drifts by a
// fifth and more within minutes, and a ratio of two figures taken minutes apart measured that drift as much
// as the servers. Each round's figures are printed, then all rounds pooled, and each ratio with its per-round
// values beside it.
//
// usage: bench_seller_load [--seconds 6] [--rounds 3] [--concurrency 8] [--workers 4] [--ad-server-ms 2000]
//                          [--slowloris 400] [--no-reference] [--only TEXT] [--shared DIR]
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
#include <cstdlib>
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

const std::string kTrivialCase = "trivial route, same engine, same bytes";
const std::string kProductsCase = "ours: get_products (brief)";
const std::string kCreateCase = "ours: create_media_buy (ad server ";
const std::string kReferenceProductsCase = "reference seller: get_products (brief)";
constexpr double kLaterWarmup = 0.25; // seconds, in every round after the first

struct Case
{
    std::string name;
    loadgen::Target target;
    loadgen::MakeRequest make;
    bool external = false; // another process serves it: this process's CPU time says nothing about it
    std::vector<loadgen::Result> runs; // one per round
};

void printHeader()
{
    std::printf(
        "| case | connections | requests/s | p50 ms | p99 ms | max ms | errors | CPU µs/request | of trivial "
        "| load avg |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
}

void printRow(const Case &row, const loadgen::Result &r, double trivialRps, int concurrency)
{
    std::printf(
        "| %s | %d | %.0f | %.2f | %.2f | %.2f | %llu | %s | %s | %s |\n", row.name.c_str(), concurrency,
        r.requestsPerSecond, r.p50Ms, r.p99Ms, r.maxMs, static_cast<unsigned long long>(r.errors),
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
    double seconds = 6;
    double warmup = 1;
    int rounds = 3;
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
    parser.addOption({QStringLiteral("seconds"),
                      QStringLiteral("Measured seconds per case, over all rounds."), QStringLiteral("S"),
                      QStringLiteral("6")});
    parser.addOption(
        {QStringLiteral("rounds"),
         QStringLiteral("Rounds of every case in turn (each case's seconds split between them)."),
         QStringLiteral("N"), QStringLiteral("3")});
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
    s.rounds = parser.value(QStringLiteral("rounds")).toInt();
    if (!(s.seconds > 0) || s.rounds < 1 || s.concurrency < 1) {
        std::fprintf(stderr, "--seconds must be above 0, --rounds and --concurrency at least 1\n");
        std::exit(2);
    }
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

    // Every case, in the order each round runs them. The reference seller's, when it is installed, run in
    // the rounds too (it idles meanwhile): every ratio compares figures taken in the same stretches of time.
    std::vector<Case> cases;
    const auto add = [&](std::string name, const loadgen::Target &target, loadgen::MakeRequest make) {
        if (settings.only.empty() || name.find(settings.only) != std::string::npos)
            cases.push_back({std::move(name), target, std::move(make), target.port == kReferencePort, {}});
    };
    add(kTrivialCase, {"127.0.0.1", ports.trivial}, fixed(trivialRequest));
    add(kProductsCase, seller, fixed(productsRequest));
    add("ours: get_adcp_capabilities", seller, fixed(capabilitiesRequest));
    add(kCreateCase + std::to_string(settings.adServerMs) + " ms)", seller, create);
    std::unique_ptr<ReferenceSeller> referenceSeller;
    const QString script = settings.shared + QStringLiteral("/harness/ref-seller.sh");
    if (settings.reference && QFile::exists(script)) {
        referenceSeller = std::make_unique<ReferenceSeller>(script);
        if (referenceSeller->up()) {
            const loadgen::Target target{"127.0.0.1", kReferencePort};
            add(kReferenceProductsCase, target,
                fixed(httpPost(kReferencePort, kReferenceToken, toolCall("get_products", productsArgs))));
            add("reference seller: get_adcp_capabilities", target,
                fixed(httpPost(kReferencePort, kReferenceToken,
                               toolCall("get_adcp_capabilities", json::object()))));
        }
    }

    // How many briefs shared each commit of their proposals (storage::groupWrite) and how many orders handed
    // their commit on (commit chaining), read through a connection of this thread to the seller's file.
    QString statsError;
    const QString statsConnection = QStringLiteral("bench-group-stats");
    adcp::seller::storage::openSqliteConnection(statsConnection, dir.filePath(QStringLiteral("bench.sqlite")),
                                                &statsError);
    const auto groupStats = [&] {
        return adcp::seller::storage::groupCommitStats(QSqlDatabase::database(statsConnection, false));
    };
    int briefCommits = 0;
    int briefWorks = 0;
    int handedOn = 0;

    const int rounds = settings.rounds;
    const double slice = settings.seconds / rounds;
    std::printf("seller_load: %d rounds of every case, %.2f s each (%.1f s per case in all) after a %.1f s "
                "warm-up in the first round and %.2f s in the others, %d seller workers, ad server %d ms per "
                "call, get_products answer %zu bytes, %s UTC\n",
                rounds, slice, settings.seconds, settings.warmup, kLaterWarmup, settings.workers,
                settings.adServerMs, productsBody.size(),
                QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toUtf8().constData());
    for (int round = 0; round < rounds; ++round) {
        std::printf("\nround %d of %d\n\n", round + 1, rounds);
        printHeader();
        double roundTrivial = 0;
        for (Case &entry : cases) {
            const auto before = groupStats();
            auto result = loadgen::run(entry.target, c, slice, round == 0 ? settings.warmup : kLaterWarmup,
                                       entry.make, loadgen::servedOk);
            const auto after = groupStats();
            if (entry.name == kProductsCase) {
                briefCommits += after.commits - before.commits;
                briefWorks += after.works - before.works;
            } else if (entry.name.rfind(kCreateCase, 0) == 0) {
                handedOn += after.handedOn - before.handedOn;
            }
            if (entry.name == kTrivialCase)
                roundTrivial = result.requestsPerSecond;
            printRow(entry, result, roundTrivial, c);
            if (!result.firstError.empty())
                std::fprintf(stderr, "%s: first error: %s\n", entry.name.c_str(), result.firstError.c_str());
            entry.runs.push_back(std::move(result));
        }
    }
    adcp::seller::storage::forgetStatements(statsConnection);
    QSqlDatabase::removeDatabase(statsConnection);

    const auto find = [&](const std::string &prefix) -> const Case * {
        const auto it = std::find_if(cases.begin(), cases.end(),
                                     [&](const Case &entry) { return entry.name.rfind(prefix, 0) == 0; });
        return it == cases.end() ? nullptr : &*it;
    };
    const Case *trivialCase = find(kTrivialCase);
    const double trivialRps = trivialCase ? loadgen::pooled(trivialCase->runs).requestsPerSecond : 0;
    std::printf(
        "\nall %d rounds pooled (requests/s over the summed seconds, percentiles over every latency)\n\n",
        rounds);
    printHeader();
    for (const Case &entry : cases)
        printRow(entry, loadgen::pooled(entry.runs), trivialRps, c);

    // One ratio per round, and the pooled one: the spread says how far the machine moved during the run.
    const auto ratioText = [&](const Case *top, const Case *bottom, auto figure, double scale,
                               const char *format) {
        std::string text;
        if (!top || !bottom)
            return text;
        for (std::size_t i = 0; i < top->runs.size() && i < bottom->runs.size(); ++i) {
            const double below = figure(bottom->runs[i]);
            char cell[32];
            std::snprintf(cell, sizeof cell, format, below > 0 ? scale * figure(top->runs[i]) / below : 0.0);
            text += (text.empty() ? "" : " / ") + std::string(cell);
        }
        return "  (rounds: " + text + ")";
    };
    const auto rps = [](const loadgen::Result &r) { return r.requestsPerSecond; };
    const auto p99 = [](const loadgen::Result &r) { return r.p99Ms; };
    const Case *oursCase = find(kProductsCase);
    const Case *createCase = find(kCreateCase);
    const Case *referenceCase = find(kReferenceProductsCase);
    const auto ours = oursCase ? loadgen::pooled(oursCase->runs) : loadgen::Result{};
    const auto buys = createCase ? loadgen::pooled(createCase->runs) : loadgen::Result{};
    const auto reference = referenceCase ? loadgen::pooled(referenceCase->runs) : loadgen::Result{};

    std::printf("\nget_products (brief) at %d connections, pooled over the rounds:\n", c);
    if (reference.requestsPerSecond > 0)
        std::printf("  ours / reference seller  = %.1fx  (target >= 10x)%s\n",
                    ours.requestsPerSecond / reference.requestsPerSecond,
                    ratioText(oursCase, referenceCase, rps, 1, "%.1fx").c_str());
    else
        std::printf("  ours / reference seller  = not measured (harness not installed or --no-reference)\n");
    std::printf("  ours / trivial route     = %.1f %%  (target >= 25 %%)%s\n",
                trivialRps > 0 ? 100 * ours.requestsPerSecond / trivialRps : 0.0,
                ratioText(oursCase, trivialCase, rps, 100, "%.1f %%").c_str());
    std::printf("  p99                      = %.2f ms  (target <= 5 ms)\n", ours.p99Ms);
    if (briefCommits > 0)
        std::printf("  briefs per proposal commit = %.2f  (%d commits)\n", double(briefWorks) / briefCommits,
                    briefCommits);
    if (buys.served > 0)
        std::printf(
            "  create_media_buy: %d commits handed on to the next writer (commit chaining), %llu orders "
            "measured\n",
            handedOn, static_cast<unsigned long long>(buys.served));
    std::printf("  create_media_buy p99 / get_products p99 = %.2f  (target <= 2)%s\n",
                ours.p99Ms > 0 ? buys.p99Ms / ours.p99Ms : 0.0,
                ratioText(createCase, oursCase, p99, 1, "%.2f").c_str());

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
