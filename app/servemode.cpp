#include "modes.h"

#include "dispatcher.h"
#include "jobs/execution.h"
#include "sellercontext.h"
#include "server/bearerauth.h"
#include "server/jwksfetcher.h"
#include "server/requestsigning.h"
#include "server/sellerhttpserver.h"
#include "tasks/taskcontext.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostInfo>
#include <QSocketNotifier>
#include <QSslCertificate>
#include <QTextStream>
#include <QUrl>
#include <algorithm>

#include <csignal>
#include <cstdio>
#include <set>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int g_signalPipe[2] = {-1, -1};

// Only async-signal-safe work here: the event loop picks the byte up through a socket notifier.
void onSignal(int signal)
{
    const char byte = char(signal);
    [[maybe_unused]] const auto written = ::write(g_signalPipe[1], &byte, 1);
}

void installSignalHandlers(QCoreApplication &app)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [&app, notifier] {
        notifier->setEnabled(false);
        char byte = 0;
        [[maybe_unused]] const auto got = ::read(g_signalPipe[0], &byte, 1);
        QTextStream(stderr) << "adcp-workbench: signal " << int(byte) << ", stopping\n";
        app.quit();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
}

// A whole number option within [min, max]; false with a message naming the option otherwise.
bool serveIntOption(const QCommandLineParser &parser, const QString &name, qint64 min, qint64 max, qint64 *out,
                    QTextStream &err)
{
    bool ok = false;
    const qint64 value = parser.value(name).toLongLong(&ok);
    if (!ok || value < min || value > max) {
        err << "adcp-workbench: --" << name << ": expected a whole number from " << min << " to " << max
            << ", got '" << parser.value(name) << "'\n";
        return false;
    }
    *out = value;
    return true;
}

// --host as typed: an address, or a name resolved now ("localhost" → the loopback address, never 0.0.0.0).
QHostAddress serveListenAddress(const QString &host, QTextStream &err)
{
    const QHostAddress literal(host);
    if (!literal.isNull())
        return literal;
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return QHostAddress(QHostAddress::LocalHost);
    const QHostInfo info = QHostInfo::fromName(host);
    QHostAddress chosen;
    for (const QHostAddress &address : info.addresses()) {
        if (address.protocol() == QAbstractSocket::IPv4Protocol)
            return address;
        if (chosen.isNull())
            chosen = address;
    }
    if (chosen.isNull())
        err << "adcp-workbench: --host: cannot resolve '" << host << "'\n";
    return chosen;
}

// The serve-mode network limits from the command line; false (after a message) when one is out of range.
bool serveLimits(const QCommandLineParser &parser, adcp::seller::SellerServerOptions *options, QTextStream &err)
{
    qint64 workers = 0, maxBody = 0, maxHeader = 0, maxConnections = 0, maxInFlight = 0, headerTimeout = 0,
           idleTimeout = 0;
    if (!serveIntOption(parser, QStringLiteral("workers"), 0, 256, &workers, err) ||
        !serveIntOption(parser, QStringLiteral("max-body"), 1024, qint64(1) << 32, &maxBody, err) ||
        !serveIntOption(parser, QStringLiteral("max-header-bytes"), 1024, 1024 * 1024, &maxHeader, err) ||
        !serveIntOption(parser, QStringLiteral("max-connections"), 1, 1000000, &maxConnections, err) ||
        !serveIntOption(parser, QStringLiteral("max-in-flight"), 1, 100000, &maxInFlight, err) ||
        !serveIntOption(parser, QStringLiteral("header-timeout-ms"), 10, 3600000, &headerTimeout, err) ||
        !serveIntOption(parser, QStringLiteral("idle-timeout-ms"), 10, 3600000, &idleTimeout, err))
        return false;
    options->workerThreads = int(workers);
    options->maxBodyBytes = maxBody;
    options->maxHeaderBytes = maxHeader;
    options->maxConnections = int(maxConnections);
    options->maxInFlightPerPrincipal = int(maxInFlight);
    options->headerTimeout = std::chrono::milliseconds(headerTimeout);
    options->bodyTimeout = std::chrono::milliseconds(std::max<qint64>(headerTimeout, 30000));
    options->idleTimeout = std::chrono::milliseconds(idleTimeout);
    return true;
}

// The --request-signing* options; false (after a message) when one is malformed. A disabled result leaves
// the seller on bearer tokens alone.
bool serveRequestSigning(const QCommandLineParser &parser, adcp::seller::RequestSigningConfig *config,
                         QTextStream &err)
{
    using namespace adcp::seller;
    const auto mode = signingModeFromString(parser.value(QStringLiteral("request-signing")).toStdString());
    const auto digest =
        digestPolicyFromString(parser.value(QStringLiteral("request-signing-content-digest")).toStdString());
    if (!mode || !digest) {
        err << "adcp-workbench: --request-signing takes off, optional or required; "
               "--request-signing-content-digest takes either, required or forbidden\n";
        return false;
    }
    config->mode = *mode;
    config->contentDigest = *digest;
    for (const QString &spec : parser.values(QStringLiteral("request-signing-principal"))) {
        const qsizetype eq = spec.lastIndexOf(QLatin1Char('='));
        const auto principalMode = signingModeFromString(spec.mid(eq + 1).toStdString());
        if (eq <= 0 || !principalMode) {
            err << "adcp-workbench: --request-signing-principal: expected PRINCIPAL=off|optional|required, "
                   "got '"
                << spec << "'\n";
            return false;
        }
        config->principalModes[spec.left(eq).toStdString()] = *principalMode;
    }
    qint64 cap = 0;
    if (!serveIntOption(parser, QStringLiteral("request-signing-replay-cap"), 1, 100000000, &cap, err))
        return false;
    config->replayCapPerKey = std::size_t(cap);
    config->scheme = parser.value(QStringLiteral("request-signing-scheme")).toStdString();
    if (config->scheme != "http" && config->scheme != "https") {
        err << "adcp-workbench: --request-signing-scheme takes http or https\n";
        return false;
    }
    if (!config->enabled() && (parser.isSet(QStringLiteral("request-signing-jwks")) ||
                               parser.isSet(QStringLiteral("request-signing-jwks-url")) ||
                               parser.isSet(QStringLiteral("request-signing-replay-file")) ||
                               parser.isSet(QStringLiteral("request-signing-revoked")))) {
        err << "adcp-workbench: --request-signing-jwks/--request-signing-jwks-url/--request-signing-revoked/"
               "--request-signing-replay-file need --request-signing optional|required (or a "
               "--request-signing-principal that is not off)\n";
        return false;
    }
    for (const QString &spec : parser.values(QStringLiteral("request-signing-jwks-url"))) {
        // The principal follows the last '=' (a URL's query may hold '=' itself).
        const qsizetype eq = spec.lastIndexOf(QLatin1Char('='));
        QByteArray ignored;
        Principal principal;
        QString error;
        const QUrl url(spec.left(eq), QUrl::StrictMode);
        if (eq <= 0 || !BearerAuth::parseTokenSpec(QStringLiteral("url=") + spec.mid(eq + 1), &ignored,
                                                   &principal, &error)) {
            err << "adcp-workbench: --request-signing-jwks-url: expected URL=PRINCIPAL[:sandbox], got '"
                << spec << "'\n";
            return false;
        }
        if (!JwksFetcher::urlAllowed(url, &error)) {
            err << "adcp-workbench: --request-signing-jwks-url: " << error << ", got '" << spec.left(eq)
                << "'\n";
            return false;
        }
        config->jwksUrls.push_back({url.toString().toStdString(), principal});
    }
    for (const QString &spec : parser.values(QStringLiteral("request-signing-jwks"))) {
        QByteArray path;
        Principal principal;
        QString error;
        if (!BearerAuth::parseTokenSpec(spec, &path, &principal, &error) ||
            !config->addJwksFile(QString::fromUtf8(path), principal, &error)) {
            err << "adcp-workbench: --request-signing-jwks: " << error << '\n';
            return false;
        }
    }
    for (const QString &kid : parser.values(QStringLiteral("request-signing-revoked")))
        config->revokedKeyIds.insert(kid.toStdString());
    // required_for: the state-changing tasks except discovery (get_products and the proposal requests, which
    // buyers call before any commitment); supported_for: every task served.
    const std::set<std::string_view> discovery = {"get_products", "request_proposals", "refine_proposals"};
    for (const auto &spec : toolSpecs()) {
        config->supportedFor.emplace_back(spec.name);
        if (spec.mutating && !discovery.count(spec.name))
            config->requiredFor.emplace_back(spec.name);
    }
    return true;
}

} // namespace

int runServeMode(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("adcp-workbench"));
    QCoreApplication::setApplicationVersion(QStringLiteral("0.1.0"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Runs only the embedded AdCP seller, over MCP (/mcp) and A2A."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("serve"), QStringLiteral("Run the seller without a window.")});
    parser.addOption({QStringLiteral("port"), QStringLiteral("TCP port (0 = any free port)."),
                      QStringLiteral("N"), QStringLiteral("3000")});
    parser.addOption({QStringLiteral("host"), QStringLiteral("Address or host name to listen on."),
                      QStringLiteral("ADDRESS"), QStringLiteral("127.0.0.1")});
    parser.addOption({QStringLiteral("db"), QStringLiteral("SQLite database file of the seller."),
                      QStringLiteral("PATH"), QStringLiteral("adcp-seller.sqlite")});
    parser.addOption(
        {QStringLiteral("token"),
         QStringLiteral("Bearer token and the principal it authenticates (repeatable); ':sandbox' allows "
                        "comply_test_controller."),
         QStringLiteral("TOKEN=PRINCIPAL[:sandbox]")});
    parser.addOption(
        {QStringLiteral("allow-anonymous"),
         QStringLiteral("Requests without a token act as this principal (only when listening on loopback)."),
         QStringLiteral("PRINCIPAL[:sandbox]")});
    parser.addOption({QStringLiteral("allow-anonymous-public"),
                      QStringLiteral("Allow --allow-anonymous on a non-loopback address too.")});
    parser.addOption(
        {QStringLiteral("allowed-host"),
         QStringLiteral("Extra host name accepted in Host/Origin (repeatable; '*' accepts any)."),
         QStringLiteral("HOST")});
    parser.addOption({QStringLiteral("workers"),
                      QStringLiteral("Threads for tool calls (0 = on the HTTP thread)."), QStringLiteral("N"),
                      QStringLiteral("4")});
    parser.addOption({QStringLiteral("max-body"), QStringLiteral("Largest accepted request body in bytes."),
                      QStringLiteral("BYTES"), QStringLiteral("4194304")});
    parser.addOption({QStringLiteral("max-header-bytes"),
                      QStringLiteral("Largest accepted request line and headers in bytes."), QStringLiteral("BYTES"),
                      QStringLiteral("16384")});
    parser.addOption({QStringLiteral("max-connections"),
                      QStringLiteral("Open connections served at once (more are answered 503)."), QStringLiteral("N"),
                      QStringLiteral("1024")});
    parser.addOption({QStringLiteral("max-in-flight"),
                      QStringLiteral("Requests of one principal handled at once (more are answered 429)."),
                      QStringLiteral("N"), QStringLiteral("64")});
    parser.addOption({QStringLiteral("header-timeout-ms"),
                      QStringLiteral("Time a client has to send a request's headers."), QStringLiteral("MS"),
                      QStringLiteral("10000")});
    parser.addOption({QStringLiteral("idle-timeout-ms"),
                      QStringLiteral("A kept-alive connection without a new request is closed after this."),
                      QStringLiteral("MS"), QStringLiteral("30000")});
    parser.addOption({QStringLiteral("manual-approval"),
                      QStringLiteral("create_media_buy answers 'submitted' and waits for approval.")});
    parser.addOption(
        {QStringLiteral("manual-approval-account"),
         QStringLiteral("Only this account's buys wait for approval (repeatable): an account_id, or "
                        "BRAND_DOMAIN/OPERATOR."),
         QStringLiteral("ACCOUNT")});
    parser.addOption(
        {QStringLiteral("auto-commit"),
         QStringLiteral("Brief-mode proposals are issued already committed (no finalize step).")});
    parser.addOption(
        {QStringLiteral("proposal-version-optional"),
         QStringLiteral("create_media_buy from a proposal needs proposal_version only once the buyer "
                        "has used the versioned dialect on it (for AdCP 3.0/3.1 buyers).")});
    parser.addOption(
        {QStringLiteral("require-accounts"),
         QStringLiteral("Account-scoped tasks need an account registered with sync_accounts (otherwise "
                        "ACCOUNT_NOT_FOUND), as AdCP 3.0 sellers with explicit accounts answer.")});
    {
        QString rules;
        for (const auto &[name, what] : adcp::seller::brokenRuleNames())
            rules += QStringLiteral("\n  %1: %2").arg(QString::fromStdString(name), QString::fromStdString(what));
        parser.addOption({QStringLiteral("broken-rule"),
                          QStringLiteral("For testing buyer tools only: break this AdCP rule on purpose (repeatable), "
                                         "so that a buyer's checks can be shown to fail. Rules:") +
                              rules,
                          QStringLiteral("RULE")});
    }
    parser.addOption(
        {QStringLiteral("allow-private-webhooks"),
         QStringLiteral("Let buyers register webhook URLs on loopback, private, link-local and CGNAT addresses "
                        "(a local test receiver); by default only publicly routable addresses are called.")});
    parser.addOption(
        {QStringLiteral("request-signing"),
         QStringLiteral(
             "RFC 9421 request signing for principals not named by --request-signing-principal: off "
             "(bearer only), optional (signatures verified when sent) or required (state-changing "
             "tasks must be signed)."),
         QStringLiteral("MODE"), QStringLiteral("off")});
    parser.addOption({QStringLiteral("request-signing-principal"),
                      QStringLiteral("Request signing mode of one principal (repeatable)."),
                      QStringLiteral("PRINCIPAL=MODE")});
    parser.addOption(
        {QStringLiteral("request-signing-jwks"),
         QStringLiteral("A signer's JWKS file; its request-signing keys authenticate as this principal "
                        "(repeatable)."),
         QStringLiteral("FILE=PRINCIPAL[:sandbox]")});
    parser.addOption(
        {QStringLiteral("request-signing-jwks-url"),
         QStringLiteral(
             "A signer's JWKS URL (https; http only on loopback), fetched at start-up and refreshed; "
             "its request-signing keys authenticate as this principal, a key it stops listing is "
             "revoked (repeatable)."),
         QStringLiteral("URL=PRINCIPAL[:sandbox]")});
    parser.addOption(
        {QStringLiteral("request-signing-jwks-refresh-s"),
         QStringLiteral("Seconds between two fetches of a JWKS URL (a shorter Cache-Control max-age is "
                        "honoured down to 60)."),
         QStringLiteral("S"), QStringLiteral("300")});
    parser.addOption({QStringLiteral("request-signing-revoked"),
                      QStringLiteral("A revoked signing key id, whatever a JWKS says (repeatable)."),
                      QStringLiteral("KEYID")});
    parser.addOption(
        {QStringLiteral("request-signing-content-digest"),
         QStringLiteral("Whether signatures on requests with a body must cover content-digest: required (the "
                        "AdCP 3.2 posture), or either / forbidden (3.0/3.1 postures: the seller then does not "
                        "claim 3.2)."),
         QStringLiteral("POLICY"), QStringLiteral("required")});
    parser.addOption({QStringLiteral("request-signing-replay-cap"),
                      QStringLiteral("Live signatures remembered per key; beyond it a key is refused "
                                     "(request_signature_rate_abuse)."),
                      QStringLiteral("N"), QStringLiteral("1000000")});
    parser.addOption(
        {QStringLiteral("request-signing-replay-file"),
         QStringLiteral("Append-only file of the signatures seen, read back at start-up so that a restart "
                        "still refuses their replays (default: the --db file with .replay appended)."),
         QStringLiteral("PATH")});
    parser.addOption(
        {QStringLiteral("request-signing-scheme"),
         QStringLiteral("Scheme of the URL signers sign (https behind a TLS-terminating proxy)."),
         QStringLiteral("SCHEME"), QStringLiteral("http")});
    parser.addOption(
        {QStringLiteral("governance-ca"),
         QStringLiteral("PEM file of certificate authorities trusted, besides the system's, when calling the "
                        "governance agents buyers register with sync_governance (repeatable)."),
         QStringLiteral("FILE")});
    parser.addOption(
        {QStringLiteral("governance-timeout-ms"),
         QStringLiteral("How long one check_governance request may take before the buy is refused "
                        "with GOVERNANCE_UNAVAILABLE."),
         QStringLiteral("MS"), QStringLiteral("10000")});
    parser.addOption(
        {QStringLiteral("public-url"),
         QStringLiteral("This seller's MCP URL as buyers and governance agents know it (the caller "
                        "of its check_governance calls); default: the URL it listens on."),
         QStringLiteral("URL")});
    parser.addOption({QStringLiteral("quiet"), QStringLiteral("Do not log each request.")});
    parser.process(app);

    QTextStream err(stderr);
    adcp::seller::BearerAuth auth;
    for (const QString &spec : parser.values(QStringLiteral("token"))) {
        QByteArray token;
        adcp::seller::Principal principal;
        QString error;
        if (!adcp::seller::BearerAuth::parseTokenSpec(spec, &token, &principal, &error)) {
            err << "adcp-workbench: --token: " << error << '\n';
            return 2;
        }
        auth.addToken(token, principal);
    }
    if (parser.isSet(QStringLiteral("allow-anonymous"))) {
        QByteArray ignored;
        adcp::seller::Principal principal;
        QString error;
        if (!adcp::seller::BearerAuth::parseTokenSpec(QStringLiteral("-=") +
                                                          parser.value(QStringLiteral("allow-anonymous")),
                                                      &ignored, &principal, &error)) {
            err << "adcp-workbench: --allow-anonymous: " << error << '\n';
            return 2;
        }
        auth.setAnonymousPrincipal(principal);
    }
    if (!auth.hasTokens() && !parser.isSet(QStringLiteral("allow-anonymous"))) {
        err << "adcp-workbench: give at least one --token TOKEN=PRINCIPAL (or --allow-anonymous PRINCIPAL)\n";
        return 2;
    }

    adcp::seller::SellerServerOptions serverOptions;
    qint64 requestedPort = 0;
    if (!serveLimits(parser, &serverOptions, err) ||
        !serveIntOption(parser, QStringLiteral("port"), 0, 65535, &requestedPort, err))
        return 2;
    const QHostAddress address = serveListenAddress(parser.value(QStringLiteral("host")), err);
    if (address.isNull())
        return 2;
    if (parser.isSet(QStringLiteral("allow-anonymous")) && !address.isLoopback() &&
        !parser.isSet(QStringLiteral("allow-anonymous-public"))) {
        err << "adcp-workbench: --allow-anonymous serves unauthenticated callers; it is only allowed on a "
               "loopback --host (add --allow-anonymous-public to allow it on "
            << address.toString() << ")\n";
        return 2;
    }

    adcp::seller::RequestSigningConfig signing;
    qint64 jwksRefresh = 0;
    if (!serveRequestSigning(parser, &signing, err) ||
        !serveIntOption(parser, QStringLiteral("request-signing-jwks-refresh-s"), 60, 86400, &jwksRefresh,
                        err))
        return 2;
    const QString replayFile = parser.isSet(QStringLiteral("request-signing-replay-file"))
                                   ? parser.value(QStringLiteral("request-signing-replay-file"))
                                   : parser.value(QStringLiteral("db")) + QStringLiteral(".replay");
    std::shared_ptr<adcp::seller::RequestVerifier> verifier;
    std::unique_ptr<adcp::seller::JwksFetcher> jwksFetcher;
    if (signing.enabled()) {
        verifier = std::make_shared<adcp::seller::RequestVerifier>(std::move(signing));
        QString replayError;
        if (!verifier->persistReplayTo(replayFile, &replayError)) {
            err << "adcp-workbench: --request-signing-replay-file: " << replayError << '\n';
            return 2;
        }
        if (!verifier->config().jwksUrls.empty()) {
            adcp::seller::JwksFetcherOptions fetchOptions;
            fetchOptions.refreshSeconds = int(jwksRefresh);
            // Lives on this (the event loop's) thread: fetches never hold an HTTP worker.
            jwksFetcher = std::make_unique<adcp::seller::JwksFetcher>(verifier, fetchOptions);
        }
        serverOptions.requestVerifier = verifier;
    }

    adcp::seller::SellerOptions options;
    if (serverOptions.requestVerifier) {
        options.requestSigningCapability = [verifier =
                                                serverOptions.requestVerifier](const std::string &principal) {
            return verifier->config().capabilityFor(principal);
        };
    }
    options.databasePath = parser.value(QStringLiteral("db"));
    options.manualApproval = parser.isSet(QStringLiteral("manual-approval"));
    options.manualApprovalAccounts = parser.values(QStringLiteral("manual-approval-account"));
    options.autoCommitOnIssue = parser.isSet(QStringLiteral("auto-commit"));
    options.requireProposalVersion = !parser.isSet(QStringLiteral("proposal-version-optional"));
    options.requireAccounts = parser.isSet(QStringLiteral("require-accounts"));
    for (const QString &rule : parser.values(QStringLiteral("broken-rule"))) {
        const auto &known = adcp::seller::brokenRuleNames();
        if (std::none_of(known.cbegin(), known.cend(),
                         [&rule](const auto &entry) { return QString::fromStdString(entry.first) == rule; })) {
            err << "adcp-workbench: --broken-rule: unknown rule '" << rule << "' (see --help)\n";
            return 2;
        }
        options.brokenRules.insert(rule.toStdString());
        err << "adcp-workbench: this seller breaks the AdCP rule '" << rule << "' on purpose (--broken-rule)\n";
    }
    options.webhookAddressScope = parser.isSet(QStringLiteral("allow-private-webhooks"))
                                      ? adcp::seller::WebhookAddressScope::AllowPrivate
                                      : adcp::seller::WebhookAddressScope::PublicOnly;
    for (const QString &file : parser.values(QStringLiteral("governance-ca"))) {
        const auto certificates = QSslCertificate::fromPath(file, QSsl::Pem);
        if (certificates.isEmpty()) {
            err << "adcp-workbench: --governance-ca: no PEM certificate could be read from '" << file
                << "'\n";
            return 2;
        }
        options.governanceCaCertificates += certificates;
    }
    {
        qint64 timeout = 0;
        if (!serveIntOption(parser, QStringLiteral("governance-timeout-ms"), 100, 600000, &timeout, err))
            return 2;
        options.governanceTimeoutMs = int(timeout);
    }
    if (parser.isSet(QStringLiteral("public-url"))) {
        const QUrl url(parser.value(QStringLiteral("public-url")), QUrl::StrictMode);
        if (!url.isValid() ||
            (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) ||
            url.host().isEmpty()) {
            err << "adcp-workbench: --public-url: expected an http(s) URL, got '"
                << parser.value(QStringLiteral("public-url")) << "'\n";
            return 2;
        }
        options.agentUrl = url.toString();
    }
    QString error;
    auto context = adcp::seller::SellerContext::open(options, &error);
    if (!context) {
        err << "adcp-workbench: cannot open the seller database " << options.databasePath << ": " << error
            << '\n';
        return 1;
    }
    auto dispatcher = std::make_shared<adcp::seller::Dispatcher>(context);
    // Execution moves buys along (ad-server jobs, the seller clock) and delivers the webhook outbox; whatever
    // a previous run left in flight is picked up here.
    auto execution = adcp::seller::Execution::start(context, adcp::seller::ExecutionOptions{}, &error);
    if (!execution) {
        err << "adcp-workbench: cannot start the seller's execution: " << error << '\n';
        return 1;
    }

    const QStringList extraHosts = parser.values(QStringLiteral("allowed-host"));
    if (extraHosts.contains(QStringLiteral("*")))
        serverOptions.allowedHosts.clear();
    else
        serverOptions.allowedHosts += extraHosts;
    if (auto *sender = execution->webhookSender())
        serverOptions.jwks = sender->jwks();
    adcp::seller::SellerHttpServer server(dispatcher, std::move(auth), serverOptions);
    if (!parser.isSet(QStringLiteral("quiet"))) {
        QObject::connect(&server, &adcp::seller::SellerHttpServer::requestLogged, &app,
                         [](const QString &line) {
                             std::fprintf(stdout, "%s\n", qPrintable(line));
                             std::fflush(stdout);
                         });
    }
    const quint16 port = server.listen(address, quint16(requestedPort));
    if (port == 0) {
        err << "adcp-workbench: cannot listen on " << address.toString() << ':'
            << parser.value(QStringLiteral("port")) << ": " << server.errorString() << '\n';
        return 1;
    }
    if (options.agentUrl.isEmpty()) {
        // Governance agents see this seller as the URL it listens on.
        auto current = context->options();
        current.agentUrl = QStringLiteral("http://%1:%2/mcp")
                               .arg(address.protocol() == QAbstractSocket::IPv6Protocol
                                        ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
                                        : address.toString())
                               .arg(port);
        context->setOptions(current);
    }
    if (jwksFetcher)
        jwksFetcher->start();
    installSignalHandlers(app);
    // Scripts wait for this line (and read the port from it when --port 0 was given).
    std::fprintf(stdout,
                 "adcp-workbench: serving http://%s:%u/mcp (A2A card at /.well-known/agent-card.json)\n",
                 qPrintable(address.toString()), unsigned(port));
    std::fflush(stdout);
    const int rc = QCoreApplication::exec();
    jwksFetcher.reset();
    server.stop();
    execution->stop();
    return rc;
}
