#include "modes.h"

#include "dispatcher.h"
#include "jobs/execution.h"
#include "sellercontext.h"
#include "server/bearerauth.h"
#include "server/sellerhttpserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTextStream>

#include <csignal>
#include <cstdio>
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
    parser.addOption({QStringLiteral("host"), QStringLiteral("Address to listen on."),
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
         QStringLiteral("Requests without a token act as this principal (loopback tooling only)."),
         QStringLiteral("PRINCIPAL[:sandbox]")});
    parser.addOption(
        {QStringLiteral("allowed-host"),
         QStringLiteral("Extra host name accepted in Host/Origin (repeatable; '*' accepts any)."),
         QStringLiteral("HOST")});
    parser.addOption({QStringLiteral("workers"),
                      QStringLiteral("Threads for tool calls (0 = on the HTTP thread)."), QStringLiteral("N"),
                      QStringLiteral("4")});
    parser.addOption({QStringLiteral("max-body"), QStringLiteral("Largest accepted request body in bytes."),
                      QStringLiteral("BYTES"), QStringLiteral("4194304")});
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

    adcp::seller::SellerOptions options;
    options.databasePath = parser.value(QStringLiteral("db"));
    options.manualApproval = parser.isSet(QStringLiteral("manual-approval"));
    options.manualApprovalAccounts = parser.values(QStringLiteral("manual-approval-account"));
    options.autoCommitOnIssue = parser.isSet(QStringLiteral("auto-commit"));
    options.requireProposalVersion = !parser.isSet(QStringLiteral("proposal-version-optional"));
    options.requireAccounts = parser.isSet(QStringLiteral("require-accounts"));
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

    adcp::seller::SellerServerOptions serverOptions;
    serverOptions.workerThreads = parser.value(QStringLiteral("workers")).toInt();
    serverOptions.maxBodyBytes = parser.value(QStringLiteral("max-body")).toLongLong();
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
    const QHostAddress address(parser.value(QStringLiteral("host")));
    const quint16 port = server.listen(address, quint16(parser.value(QStringLiteral("port")).toUInt()));
    if (port == 0) {
        err << "adcp-workbench: cannot listen on " << parser.value(QStringLiteral("host")) << ':'
            << parser.value(QStringLiteral("port")) << '\n';
        return 1;
    }
    installSignalHandlers(app);
    // Scripts wait for this line (and read the port from it when --port 0 was given).
    std::fprintf(stdout,
                 "adcp-workbench: serving http://%s:%u/mcp (A2A card at /.well-known/agent-card.json)\n",
                 qPrintable(address.toString()), unsigned(port));
    std::fflush(stdout);
    const int rc = QCoreApplication::exec();
    server.waitForWorkers();
    execution->stop();
    return rc;
}
