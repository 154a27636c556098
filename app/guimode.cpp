#include "modes.h"

#include "agentclient.h"
#include "agentmanager.h"
#include "dispatcher.h"
#include "embeddedprincipal.h"
#include "jobs/execution.h"
#include "mainwindow.h"
#include "pluraltranslator.h"
#include "secretstore.h"
#include "sellerconsole.h"
#include "sellercontext.h"
#include "server/inprocesstransport.h"
#include "theme.h"
#include "trainerpanel.h"
#include "trainerseller.h"
#include "webhookreceiver.h"
#include "workbench.h"
#include "workspacekeeper.h"
#include "workspacestore.h"

#include <QApplication>
#include <QDir>
#include <QLockFile>
#include <QMessageBox>
#include <QRandomGenerator>
#include <QStandardPaths>

#include <cstdio>
#include <cstring>

namespace {

// The planner's account towards the embedded seller (not sandbox: no compliance fixtures in its catalog);
// the seller console reaches the test controller on its own.
const adcp::seller::Principal &kEmbeddedPrincipal = adcp::gui::embeddedPlannerPrincipal();

// --scenario NAME|FILE (or --scenario=NAME|FILE): open a trainer scenario at start.
QString scenarioArgument(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--scenario") == 0 && i + 1 < argc)
            return QString::fromLocal8Bit(argv[i + 1]);
        if (std::strncmp(argv[i], "--scenario=", 11) == 0)
            return QString::fromLocal8Bit(argv[i] + 11);
    }
    return {};
}

} // namespace

int runGuiMode(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("adcp-workbench"));
    QApplication::setApplicationName(QStringLiteral("AdCP Buyer Workbench"));
    adcp::gui::applyTheme(app);
    adcp::models::PluralTranslator plurals;
    QApplication::installTranslator(&plurals);

    // The embedded seller keeps its database with the user's application data, so it survives restarts.
    const QString dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(dataDir);
    // One window per data folder: a second one would run the embedded seller's jobs, webhook outbox and clock
    // on the same database as the first (every webhook sent twice) and write the same workspace. The lock is
    // released with the process, even by a crash (a dead owner's lock is taken over).
    QLockFile instance(QDir(dataDir).filePath(QStringLiteral("workbench.lock")));
    instance.setStaleLockTime(0);
    if (!instance.tryLock(0)) {
        qint64 pid = 0;
        QString host;
        QString name;
        instance.getLockInfo(&pid, &host, &name);
        const QString message =
            instance.error() == QLockFile::LockFailedError
                ? QObject::tr("The AdCP Buyer Workbench is already running (process %1) with the data in %2. "
                              "Switch to that window, or close it before starting another.")
                      .arg(pid)
                      .arg(dataDir)
                : QObject::tr("The AdCP Buyer Workbench could not lock its data folder %1 (check its "
                              "permissions).")
                      .arg(dataDir);
        std::fprintf(stderr, "%s\n", qPrintable(message));
        std::fflush(stderr);
        QMessageBox::critical(nullptr, QObject::tr("AdCP Buyer Workbench"), message);
        return 1;
    }
    adcp::seller::SellerOptions options;
    options.databasePath = QDir(dataDir).filePath(QStringLiteral("embedded-seller.sqlite"));
    QString error;
    const std::shared_ptr<adcp::seller::SellerContext> context =
        adcp::seller::SellerContext::open(options, &error);
    if (!context) {
        QMessageBox::critical(nullptr, QObject::tr("AdCP Buyer Workbench"),
                              QObject::tr("The embedded seller could not open its database %1:\n%2")
                                  .arg(options.databasePath, error));
        return 1;
    }
    // A trainer breaks a dependency to show the webhook and the snapshot side by side: the embedded seller
    // sends impairment webhooks at once (the console can set a coalescence window again).
    context->setWebhookCoalescenceWindow("impairment", 0);
    // What the trainer last set in the seller console comes back with the seller.
    adcp::gui::SellerConsole::restoreSavedOptions(*context);
    const auto dispatcher = std::make_shared<adcp::seller::Dispatcher>(context);
    // Ad-server jobs, the seller clock's status transitions and the webhook outbox run on their own threads.
    const std::shared_ptr<adcp::seller::Execution> execution =
        adcp::seller::Execution::start(context, adcp::seller::ExecutionOptions{}, &error);
    if (!execution) {
        QMessageBox::critical(
            nullptr, QObject::tr("AdCP Buyer Workbench"),
            QObject::tr("The embedded seller could not start its execution:\n%1").arg(error));
        return 1;
    }
    adcp::AgentClient client(
        QObject::tr("Embedded seller"),
        std::make_unique<adcp::seller::InProcessTransport>(dispatcher, kEmbeddedPrincipal),
        adcp::SchemaRegistry::bundled());

    // The window keeps its own exchange log (ExchangeModel, fed by exchangeFinished); the client keeps none,
    // so no answer body is held twice.
    client.setLogLimit(0);
    adcp::gui::Workbench workbench;
    workbench.setClient(&client, QString::fromStdString(kEmbeddedPrincipal.id));
    workbench.setClock([context] { return context->clock().now(); });

    // Webhooks come back to a receiver on loopback. The embedded seller signs them with RFC 9421 under the
    // key its JWKS publishes; remote agents, whose keys the workbench does not know, are asked for the legacy
    // HMAC-SHA256 under a secret made fresh for this session.
    adcp::WebhookReceiverOptions webhookOptions;
    webhookOptions.journalPath = QDir(dataDir).filePath(QStringLiteral("webhook-journal.log"));
    QByteArray secret(32, Qt::Uninitialized);
    QRandomGenerator::system()->generate(secret.begin(), secret.end());
    webhookOptions.hmacSecret = secret.toHex();
    adcp::WebhookReceiver receiver(webhookOptions);
    if (auto *sender = execution->webhookSender())
        receiver.addJwks(sender->jwks());
    if (receiver.start() != 0)
        workbench.setWebhookReceiver(&receiver);

    adcp::gui::AgentManager agents(&workbench, &client, QString::fromStdString(kEmbeddedPrincipal.id),
                                   adcp::SchemaRegistry::bundled());
    QObject::connect(&agents, &adcp::gui::AgentManager::activated, &workbench,
                     [&workbench, secret = webhookOptions.hmacSecret](const QString &id) {
                         workbench.setWebhookSecret(id == QLatin1String("embedded") ? QByteArray() : secret);
                     });
    // Tokens go to the system keychain; without one, to a 0600 file that the agents dialog marks as such.
    adcp::gui::chooseSecretStore(QStringLiteral("adcp-workbench"),
                                 QDir(dataDir).filePath(QStringLiteral("agent-tokens.json")),
                                 [&agents](std::unique_ptr<adcp::gui::SecretStore> store, const QString &) {
                                     store->setParent(&agents);
                                     agents.setSecretStore(store.release());
                                 });

    // The planner's workspace per agent (opportunities, proposal versions, decisions, buys, exchanges) lives in
    // its own SQLite file and comes back on the next start; the embedded seller keeps its own side.
    adcp::gui::WorkspaceStore workspaces(QDir(dataDir).filePath(QStringLiteral("workspaces.sqlite")));
    adcp::gui::WorkspaceKeeper keeper(&workbench, &workspaces);
    keeper.setExchangeRetention(adcp::gui::savedExchangeRetentionDays(), keeper.retentionRows());
    QObject::connect(&agents, &adcp::gui::AgentManager::activated, &keeper,
                     [&keeper, &workbench](const QString &id) { keeper.open(id, workbench.principal()); });
    keeper.open(QStringLiteral("embedded"), workbench.principal());

    adcp::gui::MainWindow window(&workbench);
    window.setEmbeddedSeller(dispatcher, execution->webhookSender() ? execution->webhookSender()->jwks()
                                                                    : nlohmann::json());
    window.setAgentManager(&agents);
    auto *console = new adcp::gui::SellerConsole(dispatcher, kEmbeddedPrincipal.id);
    console->setAdapterControl(adcp::gui::SellerConsole::adapterControl(execution));
    window.attachSellerConsole(console);
    window.setWorkspaceKeeper(&keeper, workspaces.path());
    QObject::connect(&workspaces, &adcp::gui::WorkspaceStore::failed, &window,
                     [&window](const QString &message) { window.showStatus(message, 20000); });
    // Trainer mode: scenarios replay against a seller of their own, fresh at every reset.
    adcp::gui::TrainerSeller trainerSeller(&workbench, &client, console, &receiver);
    trainerSeller.setHome(dispatcher, execution);
    QObject::connect(&trainerSeller, &adcp::gui::TrainerSeller::replaced, &window, [&window, &trainerSeller] {
        window.setEmbeddedSeller(trainerSeller.dispatcher(), trainerSeller.webhookJwks());
    });
    adcp::gui::Trainer trainer(&window, &workbench, console, [&trainerSeller, &keeper](QString *why) {
        // The scenario's session is not the planner's: it is not kept.
        keeper.close();
        return trainerSeller.reset(why);
    });
    // "Back to my seller": the planner's own seller, workspace and connection again.
    trainer.setLeaver([&trainerSeller, &keeper, &workbench](QString *why) {
        if (!trainerSeller.goHome(why))
            return false;
        keeper.open(QStringLiteral("embedded"), workbench.principal());
        workbench.connectAgent();
        return true;
    });
    window.restoreLayout();
    window.show();
    workbench.connectAgent();
    if (const QString scenario = scenarioArgument(argc, argv); !scenario.isEmpty()) {
        QString why;
        if (!trainer.open(scenario, &why)) {
            QMessageBox::critical(&window, QObject::tr("AdCP Buyer Workbench"), why);
            return 2;
        }
    }
    const int status = QApplication::exec();
    // A buy still awaiting the seller's approval is remembered as such (cancelling the wait records its task),
    // then everything goes to the workspace file before it closes.
    workbench.cancelAll();
    keeper.saveNow();
    workspaces.flush();
    return status;
}
