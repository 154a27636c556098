#include "agentclient.h"
#include "audiencespanel.h"
#include "briefcomposer.h"
#include "buydetailwidget.h"
#include "buyeventmodel.h"
#include "buymodel.h"
#include "createbuydialog.h"
#include "creativeassets.h"
#include "creativelibrary.h"
#include "creativemodel.h"
#include "creativesdialog.h"
#include "declinedialog.h"
#include "deliverychart.h"
#include "dispatcher.h"
#include "displaynames.h"
#include "errorbanner.h"
#include "exchangemodel.h"
#include "impairmentmodel.h"
#include "jobs/execution.h"
#include "jsonvalues.h"
#include "librarycreativedialogs.h"
#include "mainwindow.h"
#include "modelroles.h"
#include "opportunitymodel.h"
#include "productmodel.h"
#include "proposaldetailwidget.h"
#include "proposallistwidget.h"
#include "proposalmodel.h"
#include "refinedialog.h"
#include "sellerconsole.h"
#include "sellercontext.h"
#include "server/inprocesstransport.h"
#include "webhookreceiver.h"
#include "webhooks/webhookoutbox.h"
#include "workbench.h"

#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSqlDatabase>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QTreeWidget>

using namespace adcp::gui;
using namespace adcp::models;

namespace {

const adcp::seller::Principal kPrincipal{"buyer-a", true};

} // namespace

// The planner's whole lifecycle through the window, against the embedded seller (real SQLite, real
// Dispatcher, the in-process transport, the AgentClient with schema validation).
class TestLifecycle final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void briefDeclineRefineFinalizeBuy();
    void draftBuyOffersFinalizeAndRetry();
    void sellerConsoleOptionsAndClock();
    void brokenCreativeImpairsTheBuy();
    void webhooksLandInTheTimeline_data();
    void webhooksLandInTheTimeline();
    void adapterSlidersDriveTheAdServers();
    void failingAdServerStepsShowInTheConsole();
    void creativeLibraryUploadsAndAssigns();
    void dependencyBoardBreaksAndRestores_data();
    void dependencyBoardBreaksAndRestores();
    void dependencyBoardKeepsItsRowsAsBuysArrive();
    void audienceSyncedTargetedSuspendedRestored();

private:
    void breakFirstCreative(const QString &buyId, QString *creative);
    void sendBrief();
    void waitIdle();
    QString proposalWithStatus(const QString &status, const QString &except = {}) const;

    QTemporaryDir m_dir;
    std::shared_ptr<adcp::seller::SellerContext> m_context;
    std::shared_ptr<adcp::seller::Dispatcher> m_dispatcher;
    std::unique_ptr<adcp::AgentClient> m_client;
    std::unique_ptr<Workbench> m_workbench;
    std::unique_ptr<MainWindow> m_window;
    std::function<void(QDialog *)> m_fillDialog;
    SellerConsole *m_console = nullptr;
    QString buyFromCommittedProposal();
};

void TestLifecycle::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("adcp-workbench-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_lifecycle"));
    QSettings().clear();
    QVERIFY(m_dir.isValid());
}

void TestLifecycle::init()
{
    static int run = 0;
    adcp::seller::SellerOptions options;
    options.databasePath = m_dir.filePath(QStringLiteral("seller-%1.sqlite").arg(++run));
    QString error;
    m_context = adcp::seller::SellerContext::open(options, &error);
    QVERIFY2(m_context, qPrintable(error));
    m_dispatcher = std::make_shared<adcp::seller::Dispatcher>(m_context);
    m_client = std::make_unique<adcp::AgentClient>(
        QStringLiteral("Embedded seller"),
        std::make_unique<adcp::seller::InProcessTransport>(m_dispatcher, kPrincipal),
        adcp::SchemaRegistry::bundled());
    m_client->setTaskPolling(true, 50);
    m_workbench = std::make_unique<Workbench>();
    m_workbench->setClient(m_client.get(), QStringLiteral("buyer-a"));
    m_workbench->setMonitoringInterval(0);
    m_window = std::make_unique<MainWindow>(m_workbench.get());
    m_window->setDialogRunner([this](QDialog *dialog) {
        if (!m_fillDialog)
            return int(QDialog::Rejected);
        m_fillDialog(dialog);
        return int(QDialog::Accepted);
    });
    m_console = new SellerConsole(m_dispatcher, kPrincipal.id);
    m_window->attachSellerConsole(m_console);
    m_window->show();
    m_workbench->connectAgent();
    waitIdle();
    QVERIFY2(m_window->connectionLabel()->text().contains(QStringLiteral("connected · AdCP")),
             qPrintable(m_window->connectionLabel()->text()));
}

void TestLifecycle::cleanup()
{
    m_window.reset();
    m_workbench.reset();
    m_client.reset();
    m_dispatcher.reset();
    m_context.reset();
    m_fillDialog = {};
}

void TestLifecycle::waitIdle()
{
    QTRY_VERIFY_WITH_TIMEOUT(!m_workbench->isBusy(), 30000);
}

QString TestLifecycle::proposalWithStatus(const QString &status, const QString &except) const
{
    const ProposalModel *proposals = m_workbench->proposals();
    for (int row = 0; row < proposals->rowCount(); ++row) {
        if (proposals->status(row) == status && proposals->proposalId(row) != except)
            return proposals->proposalId(row);
    }
    return {};
}

void TestLifecycle::sendBrief()
{
    BriefComposer *brief = m_window->briefComposer();
    brief->setBrief(
        QStringLiteral("Launch of a cold brew coffee for urban commuters aged 25-44: premium CTV and "
                       "online video, some audio and display retargeting"));
    brief->setBudget(60000, QStringLiteral("USD"));
    brief->setFlight(QDate::currentDate().addDays(7), QDate::currentDate().addDays(37));
    brief->setBrandDomain(QStringLiteral("acme-coffee.example"));
    QVERIFY(brief->sendButton()->isEnabled());
    QSignalSpy answered(m_workbench.get(), &Workbench::briefAnswered);
    // Ctrl+Enter sends the brief.
    QTest::keyClick(m_window.get(), Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(answered.wait(30000));
    waitIdle();
    QVERIFY2(brief->errorBanner()->isHidden(), qPrintable(brief->errorBanner()->text()));
}

void TestLifecycle::briefDeclineRefineFinalizeBuy()
{
    sendBrief();
    ProposalModel *proposals = m_workbench->proposals();
    QVERIFY2(proposals->rowCount() >= 2, "the seller answers the brief with at least two proposals");
    QCOMPARE(m_window->lifecycleTabs()->currentIndex(), int(MainWindow::Tab::Proposals));
    QCOMPARE(m_workbench->opportunities()->rowCount(), 1);
    QVERIFY(m_workbench->products()->rowCount() > 0);

    // Decline one, with a reason; the dialog shows the version being declined.
    const QString declined = proposals->proposalId(1);
    const QString declinedVersion = proposals->index(1, ProposalModel::VersionColumn).data().toString();
    m_window->proposalList()->selectProposal(declined);
    QCOMPARE(m_window->proposalDetail()->proposalId(), declined);
    m_fillDialog = [&](QDialog *dialog) {
        auto *decline = qobject_cast<DeclineDialog *>(dialog);
        QVERIFY(decline);
        QVERIFY(
            decline->findChild<QLabel *>(QStringLiteral("declineWhat"))->text().contains(declinedVersion));
        decline->setReason(QStringLiteral("audience_fit"));
        decline->setDetail(QStringLiteral("Skews older than the target"));
    };
    QTest::mouseClick(m_window->proposalDetail()->declineButton(), Qt::LeftButton);
    waitIdle();
    QVERIFY2(m_window->proposalDetail()->errorBanner()->isHidden(),
             qPrintable(m_window->proposalDetail()->errorBanner()->text()));
    QCOMPARE(proposals->status(proposals->rowOf(declined)), QStringLiteral("declined"));
    QVERIFY(!m_window->proposalDetail()->declineButton()->isEnabled());
    QVERIFY(!m_window->proposalDetail()->finalizeButton()->isEnabled());

    // Refine another: its version moves on and both versions stay comparable.
    const QString chosen = proposals->proposalId(0);
    m_window->proposalList()->selectProposal(chosen);
    const size_t versionsBefore = proposals->versions(proposals->rowOf(chosen)).size();
    m_fillDialog = [&](QDialog *dialog) {
        auto *refine = qobject_cast<RefineDialog *>(dialog);
        QVERIFY(refine);
        refine->setProposalAsk(QStringLiteral("Keep the budget under 45000"));
    };
    QTest::mouseClick(m_window->proposalDetail()->refineButton(), Qt::LeftButton);
    waitIdle();
    QVERIFY2(m_window->proposalDetail()->errorBanner()->isHidden(),
             qPrintable(m_window->proposalDetail()->errorBanner()->text()));
    QCOMPARE(proposals->versions(proposals->rowOf(chosen)).size(), versionsBefore + 1);
    QVERIFY(m_window->proposalDetail()->compareButton()->isEnabled());

    // Finalize: committed, with a live countdown.
    QTest::mouseClick(m_window->proposalDetail()->finalizeButton(), Qt::LeftButton);
    waitIdle();
    QVERIFY2(m_window->proposalDetail()->errorBanner()->isHidden(),
             qPrintable(m_window->proposalDetail()->errorBanner()->text()));
    QCOMPARE(proposals->status(proposals->rowOf(chosen)), QStringLiteral("committed"));
    QVERIFY(m_window->proposalDetail()->countdownLabel()->text().startsWith(QStringLiteral("expires in ")));
    // The countdown follows the workbench clock, pinned here to fixed instants before the hold ends (a wait
    // on the real clock would let a loaded machine decide the result).
    const QDateTime expiresAt =
        proposals->index(proposals->rowOf(chosen), 0).data(ExpiresAtRole).toDateTime();
    QVERIFY(expiresAt.isValid());
    m_workbench->setClock([expiresAt] { return expiresAt.addSecs(-100); });
    QCOMPARE(m_window->proposalDetail()->countdownLabel()->text(), QStringLiteral("expires in 00:01:40"));
    m_workbench->setClock([expiresAt] { return expiresAt.addSecs(-97); });
    QCOMPARE(m_window->proposalDetail()->countdownLabel()->text(), QStringLiteral("expires in 00:01:37"));
    m_workbench->setClock([] { return QDateTime::currentDateTimeUtc(); });

    // Create the buy.
    QVERIFY(m_window->proposalDetail()->createBuyButton()->isEnabled());
    m_fillDialog = [&](QDialog *dialog) {
        auto *create = qobject_cast<CreateBuyDialog *>(dialog);
        QVERIFY(create);
        create->setAsap(true);
        create->setPoNumber(QStringLiteral("PO-2026-001"));
        if (create->requiresInsertionOrder()) {
            QVERIFY(!create->problems().isEmpty()); // unsigned IO: not sendable
            create->acceptInsertionOrder(QStringLiteral("Dana Planner"));
        }
        QVERIFY2(create->problems().isEmpty(), qPrintable(create->problems().join(QLatin1Char(' '))));
    };
    QSignalSpy created(m_workbench.get(), &Workbench::buyCreated);
    QTest::mouseClick(m_window->proposalDetail()->createBuyButton(), Qt::LeftButton);
    waitIdle();
    QVERIFY2(m_window->proposalDetail()->errorBanner()->isHidden(),
             qPrintable(m_window->proposalDetail()->errorBanner()->text()));
    QCOMPARE(created.count(), 1);
    const QString buyId = created.front().front().toString();
    QCOMPARE(m_window->lifecycleTabs()->currentIndex(), int(MainWindow::Tab::Buys));
    QCOMPARE(m_window->currentDetail(), MainWindow::Detail::Buy);
    QCOMPARE(m_window->buyDetail()->mediaBuyId(), buyId);
    QCOMPARE(proposals->status(proposals->rowOf(chosen)), QStringLiteral("consumed"));
    BuyModel *buys = m_workbench->buys();
    QCOMPARE(buys->rowCount(), 1);
    QVERIFY(!buys->index(0, BuyModel::StatusColumn).data().toString().isEmpty());

    // The snapshot confirms the buy.
    m_workbench->refreshBuys();
    waitIdle();
    QVERIFY(!buys->index(0, BuyModel::StatusColumn).data().toString().isEmpty());
    // Every exchange was recorded, none failed.
    const ExchangeModel *exchanges = m_workbench->exchanges();
    QVERIFY(exchanges->rowCount() >= 6);
    for (int row = 0; row < exchanges->rowCount(); ++row)
        QVERIFY2(!exchanges->isFailure(row),
                 qPrintable(exchanges->exchange(row)->tool + QLatin1Char(' ') +
                            QString::fromStdString(exchanges->exchange(row)->error
                                                       ? exchanges->exchange(row)->error->code
                                                       : std::string())));
}

void TestLifecycle::draftBuyOffersFinalizeAndRetry()
{
    sendBrief();
    ProposalModel *proposals = m_workbench->proposals();
    const QString draft = proposalWithStatus(QStringLiteral("draft"));
    QVERIFY(!draft.isEmpty());
    m_window->showProposal(draft);
    // The dialog refuses a draft, so go through the workbench as a script would: the seller answers
    // PROPOSAL_NOT_COMMITTED and the banner offers the remedy.
    const nlohmann::json &draftJson = proposals->proposalJson(proposals->rowOf(draft));
    const double recommended = draftJson["total_budget_guidance"].value("recommended", 0.0);
    QVERIFY(recommended > 0);
    const nlohmann::json fields = {
        {"total_budget", {{"amount", recommended}, {"currency", "USD"}}},
        {"start_time", "asap"},
        {"end_time", QDateTime::currentDateTimeUtc().addDays(20).toString(Qt::ISODate).toStdString()},
        {"proposal_version",
         proposals->proposalJson(proposals->rowOf(draft)).value("proposal_version", std::string())}};
    m_workbench->createBuy(draft, fields, false);
    waitIdle();
    ErrorBanner *banner = m_window->proposalDetail()->errorBanner();
    QVERIFY(!banner->isHidden());
    QCOMPARE(banner->code(), QStringLiteral("PROPOSAL_NOT_COMMITTED"));
    QCOMPARE(banner->remedyButton()->text(), QStringLiteral("Finalize and retry"));
    QSignalSpy created(m_workbench.get(), &Workbench::buyCreated);
    bool dialogShown = false;
    m_fillDialog = [&](QDialog *dialog) {
        auto *create = qobject_cast<CreateBuyDialog *>(dialog);
        QVERIFY(create);
        dialogShown = true;
        create->acceptInsertionOrder(QStringLiteral("Dana Planner"));
        QVERIFY2(create->problems().isEmpty(), qPrintable(create->problems().join(QLatin1Char(' '))));
        QVERIFY(create->request()["total_budget"]["amount"] == recommended);
    };
    QTest::mouseClick(banner->remedyButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(created.count(), 1, 30000);
    waitIdle();
    QCOMPARE(proposals->status(proposals->rowOf(draft)), QStringLiteral("consumed"));
    QVERIFY(banner->isHidden());
    // With an insertion order the retry comes back to the planner to sign; without one it goes straight out.
    QCOMPARE(dialogShown, proposals->proposalJson(proposals->rowOf(draft)).contains("insertion_order"));
}

QString TestLifecycle::buyFromCommittedProposal()
{
    ProposalModel *proposals = m_workbench->proposals();
    const QString committed = proposalWithStatus(QStringLiteral("committed"));
    if (committed.isEmpty())
        return {};
    m_window->proposalList()->selectProposal(committed);
    m_window->showProposal(committed);
    m_fillDialog = [](QDialog *dialog) {
        auto *create = qobject_cast<CreateBuyDialog *>(dialog);
        create->setAsap(true);
        create->acceptInsertionOrder(QStringLiteral("Dana Planner"));
    };
    QSignalSpy created(m_workbench.get(), &Workbench::buyCreated);
    QTest::mouseClick(m_window->proposalDetail()->createBuyButton(), Qt::LeftButton);
    waitIdle();
    Q_UNUSED(proposals);
    return created.isEmpty() ? QString() : created.front().front().toString();
}

void TestLifecycle::sellerConsoleOptionsAndClock()
{
    QVERIFY(m_window->sellerConsoleDock());
    // Auto-commit on: the seller issues brief proposals already committed, and the window counts down.
    m_console->autoCommitBox()->setChecked(true);
    QVERIFY(m_context->options().autoCommitOnIssue);
    m_console->holdHoursBox()->setValue(2);
    QCOMPARE(m_context->options().holdSeconds, 2 * 3600);
    const QDateTime before = m_context->clock().now();
    sendBrief();
    const QDateTime after = m_context->clock().now();
    const QString committed = proposalWithStatus(QStringLiteral("committed"));
    QVERIFY2(!committed.isEmpty(), "auto-commit issues committed proposals");
    const ProposalModel *proposals = m_workbench->proposals();
    const QDateTime expiresAt =
        proposals->index(proposals->rowOf(committed), 0).data(ExpiresAtRole).toDateTime();
    // The hold is two hours of the seller's clock from the moment of issue (expires_at is carried to the
    // second, hence the second of slack before).
    QVERIFY2(expiresAt >= before.addSecs(2 * 3600 - 1) && expiresAt <= after.addSecs(2 * 3600),
             qPrintable(expiresAt.toString(Qt::ISODateWithMs)));
    // The window counts down on its own clock, pinned one minute and one second into the hold: a clock read
    // at whatever moment the last tick happened would decide the digits otherwise.
    m_workbench->setClock([expiresAt] { return expiresAt.addSecs(-2 * 3600 + 61); });
    m_window->showProposal(committed);
    QCOMPARE(m_window->proposalDetail()->countdownLabel()->text(), QStringLiteral("expires in 01:58:59"));
    QCOMPARE(proposals->status(proposals->rowOf(committed)), QStringLiteral("committed"));

    // The seller clock at 3600× (an hour per second) is the console's button.
    auto *fast = m_console->findChild<QPushButton *>(QStringLiteral("clockRate3600"));
    QVERIFY(fast);
    QTest::mouseClick(fast, Qt::LeftButton);
    QCOMPARE(m_context->clock().rate(), 3600.0);
    QVERIFY(m_console->clockLabel()->text().endsWith(QStringLiteral("3600×")));
    auto *normal = m_console->findChild<QPushButton *>(QStringLiteral("clockRate1"));
    QVERIFY(normal);
    QTest::mouseClick(normal, Qt::LeftButton);
    QCOMPARE(m_context->clock().rate(), 1.0);
    // The countdown follows the seller's clock; the two hours then pass by advancing that clock, not by
    // waiting on the real one (however long the 3600× moment lasted, this lands after the hold).
    m_context->clock().advance(2 * 3600 + 60);
    m_workbench->setClock([this] { return m_context->clock().now(); }); // the next tick, now
    QCOMPARE(proposals->status(proposals->rowOf(committed)), QStringLiteral("expired"));
    QVERIFY(m_window->proposalDetail()->countdownLabel()->text().startsWith(QStringLiteral("hold expired")));
    QVERIFY(!m_window->proposalDetail()->createBuyButton()->isEnabled());
}

void TestLifecycle::brokenCreativeImpairsTheBuy()
{
    // The embedded seller always ships comply_test_controller; without it the console cannot break anything.
    QVERIFY(m_console->controllerAvailable());
    m_console->autoCommitBox()->setChecked(true);
    sendBrief();
    const QString buyId = buyFromCommittedProposal();
    QVERIFY(!buyId.isEmpty());
    m_workbench->refreshBuys();
    waitIdle();
    // Upload creatives for its packages through the buy detail, then break one in the seller console.
    QString creative;
    breakFirstCreative(buyId, &creative);
    if (QTest::currentTestFailed())
        return;
    BuyModel *buys = m_workbench->buys();
    const int row = buys->rowOf(buyId);
    QTRY_VERIFY_WITH_TIMEOUT(
        buys->index(row, BuyModel::HealthColumn).data().toString().startsWith(QStringLiteral("impaired")),
        15000);
    m_window->showBuy(buyId);
    QVERIFY(m_window->buyDetail()->impairmentModel()->rowCount() >= 1);
    QVERIFY(m_window->buyDetail()
                ->impairmentModel()
                ->index(0, ImpairmentModel::ResourceColumn)
                .data()
                .toString()
                .contains(creative));
    auto *restore = m_console->findChild<QPushButton *>(QStringLiteral("restore-creative-") + creative);
    QVERIFY(restore);
    QTRY_VERIFY_WITH_TIMEOUT(restore->isEnabled(), 15000);
    QTest::mouseClick(restore, Qt::LeftButton);
    waitIdle();
    QTRY_COMPARE_WITH_TIMEOUT(buys->index(row, BuyModel::HealthColumn).data().toString(),
                              QStringLiteral("ok"), 60000);
    QCOMPARE(m_window->buyDetail()->impairmentModel()->rowCount(), 0);
    // Delivery: let the seller clock run, then the chart has points.
    m_context->clock().advance(2 * 86400);
    m_workbench->refreshDelivery(buyId, QStringLiteral("daily"));
    waitIdle();
    QVERIFY(m_window->buyDetail()->deliveryChart()->deliveredPointCount() > 0);
}

// Uploads creatives to the buy through its detail and breaks the first one the seller console lists.
void TestLifecycle::breakFirstCreative(const QString &buyId, QString *creative)
{
    m_window->showBuy(buyId);
    waitIdle();
    QVERIFY(m_window->buyDetail()->creativesButton()->isEnabled());
    const QString title = m_workbench->buys()->title(m_workbench->buys()->rowOf(buyId));
    m_fillDialog = [title](QDialog *dialog) {
        auto *creatives = qobject_cast<CreativesDialog *>(dialog);
        QVERIFY(creatives);
        QVERIFY(creatives->packageCount() > 0);
        // The buy and its packages by name (the products the planner bought), the ids in tooltips.
        QVERIFY2(creatives->windowTitle().contains(title), qPrintable(creatives->windowTitle()));
        const QTableWidgetItem *first = creatives->table()->item(0, 0);
        QVERIFY(first && !first->text().startsWith(QStringLiteral("pkg")));
        QVERIFY(first->toolTip().contains(QStringLiteral("pkg")));
    };
    QTest::mouseClick(m_window->buyDetail()->creativesButton(), Qt::LeftButton);
    waitIdle();
    QTableWidget *board = m_console->dependencyTable();
    const auto firstCreative = [board] {
        for (int row = 0; row < board->rowCount(); ++row) {
            if (board->item(row, 0)->data(Qt::UserRole).toString() == QLatin1String("creative"))
                return board->item(row, 1)->data(Qt::UserRole).toString();
        }
        return QString();
    };
    QVERIFY2(m_window->buyDetail()->errorBanner()->isHidden(),
             qPrintable(m_window->buyDetail()->errorBanner()->text()));
    // The board is fed from the buys once the refresh that followed the upload has landed.
    QTRY_VERIFY2_WITH_TIMEOUT(!firstCreative().isEmpty(),
                              m_workbench->buys()->buyJson(m_workbench->buys()->rowOf(buyId)).dump().c_str(),
                              15000);
    *creative = firstCreative();
    auto *breakButton = m_console->findChild<QPushButton *>(QStringLiteral("break-creative-") + *creative);
    QVERIFY(breakButton);
    QTest::mouseClick(breakButton, Qt::LeftButton);
}

// The window's webhook path end to end: the receiver on loopback, the create-buy dialog's "webhooks on"
// putting its URL in push_notification_config, the embedded seller's outbox signing (RFC 9421, verified
// against the seller's JWKS), the event in the timeline marked "webhook", a re-emission shown as such and not
// duplicated.
void TestLifecycle::webhooksLandInTheTimeline_data()
{
    QTest::addColumn<bool>("hmac");
    QTest::addColumn<QString>("verifiedBy");
    // The embedded seller: RFC 9421, verified against its JWKS.
    QTest::newRow("rfc9421") << false << "rfc9421";
    // What the window asks of remote agents: the legacy HMAC-SHA256 under the session's secret.
    QTest::newRow("hmac-sha256") << true << "hmac-sha256";
}

void TestLifecycle::webhooksLandInTheTimeline()
{
    QFETCH(bool, hmac);
    QFETCH(QString, verifiedBy);
    QVERIFY(m_console->controllerAvailable());
    m_context->setWebhookCoalescenceWindow("impairment", 0);
    adcp::seller::ExecutionOptions executionOptions;
    executionOptions.workers = 1;
    executionOptions.webhooks.pollMs = 50;
    QString error;
    const std::shared_ptr<adcp::seller::Execution> execution =
        adcp::seller::Execution::start(m_context, executionOptions, &error);
    QVERIFY2(execution, qPrintable(error));
    QVERIFY(execution->webhookSender());
    const QByteArray secret = QByteArrayLiteral("0123456789abcdef0123456789abcdef-session");
    adcp::WebhookReceiverOptions receiverOptions;
    receiverOptions.hmacSecret = secret;
    adcp::WebhookReceiver receiver(receiverOptions);
    QCOMPARE(receiver.addJwks(execution->webhookSender()->jwks()), 1);
    QVERIFY(receiver.start() != 0);
    QSignalSpy received(&receiver, &adcp::WebhookReceiver::eventReceived);
    m_workbench->setWebhookReceiver(&receiver);
    m_workbench->setWebhookSecret(hmac ? secret : QByteArray());
    QCOMPARE(m_workbench->webhookUrl(), receiver.url());
    // With execution on, the seller works creatives and statuses in the background: monitor as the window
    // does.
    m_workbench->setMonitoringInterval(500);

    m_console->autoCommitBox()->setChecked(true);
    sendBrief();
    const QString committed = proposalWithStatus(QStringLiteral("committed"));
    QVERIFY(!committed.isEmpty());
    m_window->showProposal(committed);
    bool webhooksOffered = false;
    m_fillDialog = [&](QDialog *dialog) {
        auto *create = qobject_cast<CreateBuyDialog *>(dialog);
        QVERIFY(create);
        // With a receiver running, "webhooks on" is available and on by default.
        webhooksOffered = create->webhooksWanted();
        create->setAsap(true);
        create->acceptInsertionOrder(QStringLiteral("Dana Planner"));
    };
    QSignalSpy created(m_workbench.get(), &Workbench::buyCreated);
    QTest::mouseClick(m_window->proposalDetail()->createBuyButton(), Qt::LeftButton);
    waitIdle();
    QVERIFY(webhooksOffered);
    QCOMPARE(created.count(), 1);
    const QString buyId = created.front().front().toString();
    const ExchangeModel *exchanges = m_workbench->exchanges();
    bool registered = false;
    for (int row = 0; row < exchanges->rowCount(); ++row) {
        const adcp::Exchange *exchange = exchanges->exchange(row);
        if (exchange->tool == QLatin1String("create_media_buy") &&
            exchange->request.contains("push_notification_config")) {
            const nlohmann::json &config = exchange->request["push_notification_config"];
            QCOMPARE(QString::fromStdString(config.value("url", std::string())), receiver.url().toString());
            QVERIFY(!config.value("operation_id", std::string()).empty());
            QCOMPARE(config.contains("authentication"), hmac);
            // The scheme is asked for; the secret itself never shows in the exchange log.
            if (hmac) {
                QVERIFY(config["authentication"]["schemes"] == nlohmann::json::array({"HMAC-SHA256"}));
                QVERIFY(config["authentication"].dump().find(secret.toStdString()) == std::string::npos);
            }
            registered = true;
        }
    }
    QVERIFY2(registered, "create_media_buy carried no push_notification_config");

    m_workbench->refreshBuys();
    waitIdle();
    QString creative;
    breakFirstCreative(buyId, &creative);
    if (QTest::currentTestFailed())
        return;

    // The impairment arrives by webhook (and the snapshot it triggers confirms it): one row, marked webhook.
    BuyEventModel *events = m_workbench->events();
    const auto impairmentRow = [events, buyId, creative] {
        for (int row = 0; row < events->rowCount(); ++row) {
            const QString text = events->index(row, BuyEventModel::EventColumn).data().toString();
            if (events->index(row, BuyEventModel::BuyColumn).data().toString() == buyId &&
                text.startsWith(QStringLiteral("Impaired")) && text.contains(creative))
                return row;
        }
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(
        impairmentRow() >= 0 && (events->sources(impairmentRow()) & BuyEventModel::Webhook), 30000);
    const int row = impairmentRow();
    QVERIFY(events->index(row, BuyEventModel::SourceColumn)
                .data()
                .toString()
                .contains(QStringLiteral("webhook")));
    QCOMPARE(events->reemissions(row), 0);
    QVERIFY(!received.isEmpty());
    QCOMPARE(received.last().front().value<adcp::WebhookEvent>().verifiedBy, verifiedBy);
    QTRY_VERIFY_WITH_TIMEOUT(m_workbench->buys()
                                 ->index(m_workbench->buys()->rowOf(buyId), BuyModel::HealthColumn)
                                 .data()
                                 .toString()
                                 .startsWith(QStringLiteral("impaired")),
                             15000);

    // The seller sends the same notification again under a new idempotency_key: still one row, now marked
    // as a re-emission.
    const int rowsBefore = events->rowCount();
    QSqlDatabase db = m_context->database();
    const auto deliveredImpairment = [&db] {
        qint64 id = 0;
        for (const adcp::seller::OutboxRow &entry : adcp::seller::WebhookOutbox::rows(db, kPrincipal.id)) {
            if (entry.eventType == "impairment" && entry.state == "delivered")
                id = entry.id;
        }
        return id;
    };
    // The sender marks the row delivered once the receiver's answer is back, after the event was recorded.
    QTRY_VERIFY_WITH_TIMEOUT(deliveredImpairment() > 0, 60000);
    const qint64 outboxRow = deliveredImpairment();
    QVERIFY2(adcp::seller::WebhookOutbox::reemit(db, outboxRow, &error), qPrintable(error));
    execution->wake();
    QTRY_COMPARE_WITH_TIMEOUT(events->reemissions(impairmentRow()), 1, 30000);
    QVERIFY(events->index(impairmentRow(), BuyEventModel::SourceColumn)
                .data()
                .toString()
                .contains(QStringLiteral("re-emitted")));
    QCOMPARE(events->rowCount(), rowsBefore);
    m_workbench->setWebhookReceiver(nullptr);
    execution->stop();
}

// The adapter sliders as the GUI mode wires them (SellerConsole::adapterControl over the running execution):
// without execution they are greyed and say why; with it both simulated ad servers follow them.
void TestLifecycle::adapterSlidersDriveTheAdServers()
{
    QVERIFY(!m_console->latencySlider()->isEnabled());
    QVERIFY(!m_console->failureSlider()->isEnabled());
    QVERIFY(m_console->adapterNote()->text().contains(QStringLiteral("without")));

    QString error;
    const std::shared_ptr<adcp::seller::Execution> execution =
        adcp::seller::Execution::start(m_context, adcp::seller::ExecutionOptions{}, &error);
    QVERIFY2(execution, qPrintable(error));
    m_console->setAdapterControl(SellerConsole::adapterControl(execution));
    QVERIFY(m_console->latencySlider()->isEnabled());
    QVERIFY(m_console->failureSlider()->isEnabled());
    QVERIFY(!m_console->adapterNote()->text().contains(QStringLiteral("without")));
    m_console->latencySlider()->setValue(1200);
    m_console->failureSlider()->setValue(25);
    for (const char *name : {"guaranteed", "exchange"}) {
        const adcp::seller::SimulatedAdServer *adapter = execution->adapter(name);
        QVERIFY2(adapter, name);
        QCOMPARE(adapter->options().latencyMs, 1200);
        QCOMPARE(adapter->options().failureRate, 0.25);
    }
    // Back to a healthy ad server, as a trainer ends the demonstration.
    m_console->latencySlider()->setValue(0);
    m_console->failureSlider()->setValue(0);
    QCOMPARE(execution->adapter("exchange")->options().failureRate, 0.0);
    m_console->setAdapterControl({});
    QVERIFY(!m_console->latencySlider()->isEnabled());
    execution->stop();
}

// A failing ad server is in sight in the console: bookings that failed wait to be tried again, with their
// tries and the ad server's error, until the ad server recovers; a booking given up says so.
void TestLifecycle::failingAdServerStepsShowInTheConsole()
{
    QCOMPARE(m_console->adServerStepSummary()->text(), QStringLiteral("No ad-server step is failing."));
    QVERIFY(m_console->adServerStepTable()->isHidden());
    m_console->autoCommitBox()->setChecked(true);
    QSlider *failure = m_console->failureSlider();

    // One try only: the first failure gives a booking up.
    adcp::seller::ExecutionOptions once;
    once.maxAttempts = 1;
    QString error;
    std::shared_ptr<adcp::seller::Execution> execution =
        adcp::seller::Execution::start(m_context, once, &error);
    QVERIFY2(execution, qPrintable(error));
    m_console->setAdapterControl(SellerConsole::adapterControl(execution));
    // Every call to the ad server fails, as a trainer sets it with the keyboard.
    QTest::keyClick(failure, Qt::Key_End);
    QCOMPARE(failure->value(), 100);
    QCOMPARE(execution->adapter("guaranteed")->options().failureRate, 1.0);
    sendBrief();
    QVERIFY(!buyFromCommittedProposal().isEmpty());
    QTableWidget *table = m_console->adServerStepTable();
    QTRY_VERIFY_WITH_TIMEOUT(m_console->adServerStepSummary()->text().contains(QStringLiteral("given up")),
                             30000);
    QTRY_VERIFY_WITH_TIMEOUT(table->isVisible() && table->rowCount() > 0, 30000);
    QVERIFY2(!m_console->adServerStepSummary()->text().contains(QStringLiteral("tried again")),
             qPrintable(m_console->adServerStepSummary()->text()));
    const auto cell = [table](int row, int column) {
        const QTableWidgetItem *item = table->item(row, column);
        return item ? item->text() : QString();
    };
    for (int row = 0; row < table->rowCount(); ++row) {
        // Named by the package's product, not its id; the error is the ad server's own.
        QVERIFY2(!cell(row, 0).isEmpty() && !cell(row, 0).startsWith(QStringLiteral("pkg")),
                 qPrintable(cell(row, 0)));
        QCOMPARE(cell(row, 1), QStringLiteral("booking"));
        QCOMPARE(cell(row, 2), QStringLiteral("gave up after 1"));
        QVERIFY2(cell(row, 3).contains(QStringLiteral("timed out")) ||
                     cell(row, 3).contains(QStringLiteral("connection reset")),
                 qPrintable(cell(row, 3)));
        QVERIFY(table->item(row, 0)->toolTip().contains(QStringLiteral("ad server")));
    }
    const int givenUp = table->rowCount();
    execution->stop();
    execution.reset();

    // The seller as it runs by default (40 tries). A new seller starts with healthy ad servers, and the
    // sliders say so (they showed the last seller's 100 %); failing again, the next booking waits to be tried
    // again.
    execution = adcp::seller::Execution::start(m_context, adcp::seller::ExecutionOptions{}, &error);
    QVERIFY2(execution, qPrintable(error));
    m_console->setAdapterControl(SellerConsole::adapterControl(execution));
    QCOMPARE(failure->value(), 0);
    QCOMPARE(execution->adapter("exchange")->options().failureRate, 0.0);
    QTest::keyClick(failure, Qt::Key_End);
    QCOMPARE(execution->adapter("exchange")->options().failureRate, 1.0);
    QTest::keyClick(m_window.get(), Qt::Key_1, Qt::AltModifier); // back to the Brief tab
    sendBrief();
    QVERIFY(!buyFromCommittedProposal().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(m_console->adServerStepSummary()->text().contains(QStringLiteral("tried again")),
                             30000);
    QTRY_VERIFY_WITH_TIMEOUT(table->rowCount() > givenUp, 30000);
    // Retrying steps come first, with their tries of the seller's 40.
    QVERIFY2(cell(0, 2).endsWith(QStringLiteral(" of 40")), qPrintable(cell(0, 2)));
    QVERIFY(!cell(0, 3).isEmpty());
    QVERIFY(m_console->adServerStepSummary()->text().contains(QStringLiteral("given up")));

    // The ad server recovers: the next tries book the packages, and only the given-up ones stay listed.
    QTest::keyClick(failure, Qt::Key_Home);
    QCOMPARE(execution->adapter("guaranteed")->options().failureRate, 0.0);
    QTRY_VERIFY_WITH_TIMEOUT(
        !m_console->adServerStepSummary()->text().contains(QStringLiteral("tried again")), 30000);
    QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), givenUp, 30000);
    execution->stop();
    m_console->setAdapterControl({});
}

// The creative library as a place to work: New creative… uploads a creative to the library (typed into the
// dialog, a format the seller's products ask for); Assign to buys… runs it in a package of a buy whose
// product takes that format. Packages of other formats cannot be ticked, nor one that runs it already.
void TestLifecycle::creativeLibraryUploadsAndAssigns()
{
    m_console->autoCommitBox()->setChecked(true);
    sendBrief();
    const QString buyId = buyFromCommittedProposal();
    QVERIFY(!buyId.isEmpty());
    const BuyModel *buys = m_workbench->buys();
    const nlohmann::json buy = buys->buyJson(buys->rowOf(buyId));
    const nlohmann::json firstPackage = jsonArray(buy, "packages").at(0);
    const QString packageId = jsonString(firstPackage, "package_id");
    const nlohmann::json accepted =
        jsonArray(m_workbench->knownProduct(jsonString(firstPackage, "product_id")), "format_ids");
    QVERIFY(!accepted.empty());
    const QString wanted = formatLabel(accepted.at(0));

    QTest::keyClick(m_window.get(), Qt::Key_6, Qt::AltModifier); // the Creatives tab
    CreativeLibraryWidget *library = m_window->creativeLibrary();
    QTRY_VERIFY(library->isVisible());
    waitIdle();
    QVERIFY(!library->assignButton()->isEnabled()); // nothing selected
    QString seen;
    m_fillDialog = [&](QDialog *dialog) {
        auto *create = qobject_cast<NewCreativeDialog *>(dialog);
        QVERIFY(create);
        QVERIFY(!create->okButton()->isEnabled());
        QTest::keyClicks(create->nameEdit(), QStringLiteral("Cold brew launch"));
        const int format = create->formatCombo()->findText(wanted);
        QVERIFY2(format >= 0, qPrintable(wanted));
        create->formatCombo()->setCurrentIndex(format);
        QTest::keyClicks(create->urlEdit(), QStringLiteral("ftp://cdn.example/cold-brew"));
        QVERIFY(!create->okButton()->isEnabled()); // not an address the seller can fetch
        QVERIFY(create->problem().contains(QStringLiteral("http")));
        create->urlEdit()->clear();
        QTest::keyClicks(create->urlEdit(), QStringLiteral("https://cdn.example/cold-brew.mp4"));
        QVERIFY(create->okButton()->isEnabled());
        seen = QString::fromStdString(create->creative().value("creative_id", std::string()));
    };
    QTest::mouseClick(library->newCreativeButton(), Qt::LeftButton);
    waitIdle();
    QVERIFY(seen.startsWith(QStringLiteral("cr-cold-brew-launch-")));
    const CreativeModel *creatives = m_workbench->creatives();
    const auto rowOf = [creatives, &seen] {
        for (int row = 0; row < creatives->rowCount(); ++row)
            if (jsonString(creatives->creativeJson(row), "creative_id") == seen)
                return row;
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(rowOf() >= 0, 30000);
    QCOMPARE(jsonString(creatives->creativeJson(rowOf()), "name"), QStringLiteral("Cold brew launch"));
    waitIdle();

    // Selected with the mouse, then assigned to the first package by ticking it with the keyboard.
    QTreeView *view = library->view();
    const auto shownRow = [view] {
        for (int row = 0; row < view->model()->rowCount(); ++row) {
            const QModelIndex index = view->model()->index(row, CreativeModel::NameColumn);
            if (index.data().toString() == QLatin1String("Cold brew launch"))
                return index;
        }
        return QModelIndex();
    };
    QVERIFY(shownRow().isValid());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(shownRow()).center());
    QVERIFY(library->assignButton()->isEnabled());
    m_fillDialog = [&](QDialog *dialog) {
        auto *assign = qobject_cast<AssignCreativeDialog *>(dialog);
        QVERIFY(assign);
        QVERIFY(!assign->okButton()->isEnabled());
        QTreeWidget *tree = assign->tree();
        QTreeWidgetItem *target = nullptr;
        for (int b = 0; b < tree->topLevelItemCount(); ++b) {
            for (int p = 0; p < tree->topLevelItem(b)->childCount(); ++p) {
                QTreeWidgetItem *item = tree->topLevelItem(b)->child(p);
                if (item->data(0, Qt::UserRole).toString() == packageId)
                    target = item;
            }
        }
        QVERIFY(target);
        QVERIFY(target->flags() & Qt::ItemIsEnabled);
        tree->setCurrentItem(target);
        QTest::keyClick(tree, Qt::Key_Space);
        QCOMPARE(target->checkState(0), Qt::Checked);
        QVERIFY(assign->okButton()->isEnabled());
        QCOMPARE(assign->operations().size(), size_t(1));
    };
    QTest::mouseClick(library->assignButton(), Qt::LeftButton);
    waitIdle();
    // The seller runs it in that package: the buy says so, and so does the library.
    const auto assigned = [&] {
        const nlohmann::json now = buys->buyJson(buys->rowOf(buyId));
        for (const auto &package : jsonArray(now, "packages")) {
            if (jsonString(package, "package_id") != packageId)
                continue;
            for (const auto &approval : jsonArray(package, "creative_approvals"))
                if (jsonString(approval, "creative_id") == seen)
                    return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(assigned(), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(rowOf() >= 0 && creatives->index(rowOf(), CreativeModel::InUseColumn)
                                                 .data()
                                                 .toString()
                                                 .contains(QLatin1Char('1')),
                             30000);
    QVERIFY(library->errorBanner()->isHidden());

    // Asked again: the package that runs it already cannot be ticked a second time.
    bool alreadyShown = false;
    m_fillDialog = [&](QDialog *dialog) {
        auto *assign = qobject_cast<AssignCreativeDialog *>(dialog);
        QVERIFY(assign);
        QTreeWidget *tree = assign->tree();
        for (int b = 0; b < tree->topLevelItemCount(); ++b)
            for (int p = 0; p < tree->topLevelItem(b)->childCount(); ++p) {
                QTreeWidgetItem *item = tree->topLevelItem(b)->child(p);
                if (item->data(0, Qt::UserRole).toString() == packageId)
                    alreadyShown =
                        !(item->flags() & Qt::ItemIsEnabled) && item->text(1) == QLatin1String("assigned");
            }
        QVERIFY(!assign->okButton()->isEnabled());
    };
    waitIdle();
    QTRY_VERIFY(shownRow().isValid());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(shownRow()).center());
    QVERIFY(library->assignButton()->isEnabled());
    QTest::mouseClick(library->assignButton(), Qt::LeftButton);
    QVERIFY(alreadyShown);
}

void TestLifecycle::dependencyBoardBreaksAndRestores_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("offline"); // the status Break moves the resource to
    QTest::addColumn<QString>("online");  // the status Restore moves it back to
    QTest::newRow("audience") << "audience"
                              << "suspended"
                              << "ready";
    QTest::newRow("creative") << "creative"
                              << "suspended"
                              << "approved";
    QTest::newRow("catalog item") << "catalog_item"
                                  << "withdrawn"
                                  << "approved";
    QTest::newRow("event source") << "event_source"
                                  << "insufficient"
                                  << "good";
    QTest::newRow("property") << "property"
                              << "depublished"
                              << "published";
}

// Every kind of resource the board lists can be broken (the buy shows impaired with the impairment row) and
// restored (ok again), through the board's own buttons. The buy depends on all five: an audience in its
// targeting, a catalog item, an event source in its optimization goal, creatives uploaded through the buy
// detail and the properties its products sell.
void TestLifecycle::dependencyBoardBreaksAndRestores()
{
    QFETCH(QString, type);
    QFETCH(QString, offline);
    QFETCH(QString, online);
    QVERIFY(m_console->controllerAvailable());
    QString error;
    const std::shared_ptr<adcp::seller::Execution> execution =
        adcp::seller::Execution::start(m_context, adcp::seller::ExecutionOptions{}, &error);
    QVERIFY2(execution, qPrintable(error));

    // A package buy placed by another tool of the same buyer; the workbench follows it from here.
    const nlohmann::json account = {{"brand", {{"domain", "acme-coffee.example"}}},
                                    {"operator", "buyer-agency.example"}};
    const nlohmann::json goal = {
        {"kind", "event"},
        {"event_sources", {{{"event_source_id", "es_checkout"}, {"event_type", "purchase"}}}}};
    const nlohmann::json request = {
        {"account", account},
        {"brand", {{"domain", "acme-coffee.example"}}},
        {"start_time", "asap"},
        {"end_time", m_context->clock().now().addDays(10).toString(Qt::ISODate).toStdString()},
        {"packages",
         {{{"product_id", "podcast_host_read"},
           {"pricing_option_id", "podcast_hostread_usd"},
           {"budget", 12000},
           {"targeting_overlay", {{"audience_include", {"aud_loyal"}}}},
           {"optimization_goals", {goal}}},
          {{"product_id", "sports_olv_preroll"},
           {"pricing_option_id", "preroll_auction_usd"},
           {"budget", 6000},
           {"bid_price", 14},
           {"catalogs", {{{"type", "product"}, {"ids", {"sku_123"}}}}}}}}};
    adcp::PendingCall *call = m_client->createMediaBuy(request);
    QSignalSpy finished(call, &adcp::PendingCall::finished);
    QVERIFY(finished.wait(30000));
    QVERIFY2(call->outcome().ok(), call->outcome().ok() ? "" : call->outcome().error->message.c_str());
    const QString buyId = QString::fromStdString(call->outcome().result.value("media_buy_id", std::string()));
    QVERIFY(!buyId.isEmpty());
    BuyModel *buys = m_workbench->buys();
    buys->upsertBuy(call->outcome().result);
    m_workbench->refreshBuys();
    waitIdle();
    m_window->showBuy(buyId);
    waitIdle();
    if (type == QLatin1String("creative")) {
        QVERIFY(m_window->buyDetail()->creativesButton()->isEnabled());
        m_fillDialog = [](QDialog *dialog) {
            auto *creatives = qobject_cast<CreativesDialog *>(dialog);
            QVERIFY(creatives);
            QCOMPARE(creatives->packageCount(), 2);
        };
        QTest::mouseClick(m_window->buyDetail()->creativesButton(), Qt::LeftButton);
        waitIdle();
        QVERIFY2(m_window->buyDetail()->errorBanner()->isHidden(),
                 qPrintable(m_window->buyDetail()->errorBanner()->text()));
    }

    QTableWidget *board = m_console->dependencyTable();
    const auto boardRow = [board, &type](const QString &id = {}) {
        for (int row = 0; row < board->rowCount(); ++row) {
            if (board->item(row, 0)->data(Qt::UserRole).toString() == type &&
                (id.isEmpty() || board->item(row, 1)->data(Qt::UserRole).toString() == id))
                return row;
        }
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(boardRow() >= 0, 60000);
    const QString id = board->item(boardRow(), 1)->data(Qt::UserRole).toString();
    QCOMPARE(board->item(boardRow(id), 2)->data(Qt::UserRole).toString(), online);

    const int buyRow = buys->rowOf(buyId);
    const auto health = [buys, buyRow] {
        return buys->index(buyRow, BuyModel::HealthColumn).data().toString();
    };
    QCOMPARE(health(), QStringLiteral("ok"));
    // People read display names, not the protocol's ids.
    QCOMPARE(board->item(boardRow(id), 0)->text(),
             adcp::models::displayName(adcp::models::Vocabulary::ResourceType, type));
    QCOMPARE(board->item(boardRow(id), 2)->text(),
             adcp::models::displayName(adcp::models::Vocabulary::ResourceStatus, online));
    QVERIFY(board->item(boardRow(id), 2)->text() != online);
    auto *breakButton = m_console->findChild<QPushButton *>(QStringLiteral("break-%1-%2").arg(type, id));
    auto *restore = m_console->findChild<QPushButton *>(QStringLiteral("restore-%1-%2").arg(type, id));
    QVERIFY(breakButton);
    QVERIFY(restore);
    // In service: only Break applies.
    QVERIFY(breakButton->isEnabled());
    QVERIFY(!restore->isEnabled());
    QTest::mouseClick(breakButton, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(health().startsWith(QStringLiteral("impaired")), 60000);
    QTRY_COMPARE_WITH_TIMEOUT(board->item(boardRow(id), 2)->data(Qt::UserRole).toString(), offline, 60000);
    // Out of service: only Restore applies.
    QVERIFY(!breakButton->isEnabled());
    QVERIFY(restore->isEnabled());
    m_window->showBuy(buyId);
    ImpairmentModel *impairments = m_window->buyDetail()->impairmentModel();
    QVERIFY(impairments->rowCount() >= 1);
    bool shown = false;
    for (int row = 0; row < impairments->rowCount(); ++row)
        shown =
            shown || impairments->index(row, ImpairmentModel::ResourceColumn).data().toString().contains(id);
    QVERIFY2(shown, qPrintable(id));

    QTest::mouseClick(restore, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(health(), QStringLiteral("ok"), 60000);
    QTRY_COMPARE_WITH_TIMEOUT(board->item(boardRow(id), 2)->data(Qt::UserRole).toString(), online, 60000);
    QVERIFY(breakButton->isEnabled());
    QVERIFY(!restore->isEnabled());
    QCOMPARE(m_window->buyDetail()->impairmentModel()->rowCount(), 0);
    execution->stop();
}

// The board is read off the window's thread and shown when the read is back. A buy that arrives adds its
// resources' rows; the rows already shown keep their Break/Restore buttons (one may be under the pointer),
// and a buy that leaves takes its rows with it.
void TestLifecycle::dependencyBoardKeepsItsRowsAsBuysArrive()
{
    const auto buyWith = [](const char *buyId, const char *creativeId) {
        return nlohmann::json{
            {"media_buy_id", buyId},
            {"packages",
             {{{"package_id", "pkg-1"},
               {"creative_approvals", {{{"creative_id", creativeId}, {"approval_status", "approved"}}}}}}}};
    };
    QSignalSpy shown(m_console, &SellerConsole::boardShown);
    const auto showBuys = [&](nlohmann::json buys) {
        shown.clear();
        m_console->setBuys(std::move(buys));
        QVERIFY(shown.wait(30000));
        // A replaced row's buttons are deleted later: now, so that a rebuilt row could not pass for a kept
        // one.
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    };
    QTableWidget *board = m_console->dependencyTable();
    showBuys(nlohmann::json::array({buyWith("mb-board-1", "cr-board-a")}));
    QCOMPARE(m_console->dependencyKeys(), QStringList{QStringLiteral("creative/cr-board-a")});
    const QPointer<QPushButton> breakA =
        m_console->findChild<QPushButton *>(QStringLiteral("break-creative-cr-board-a"));
    QVERIFY(breakA);

    showBuys(
        nlohmann::json::array({buyWith("mb-board-1", "cr-board-a"), buyWith("mb-board-2", "cr-board-b")}));
    QCOMPARE(m_console->dependencyKeys(),
             (QStringList{QStringLiteral("creative/cr-board-a"), QStringLiteral("creative/cr-board-b")}));
    QCOMPARE(board->rowCount(), 2);
    QVERIFY(breakA);
    QCOMPARE(m_console->findChild<QPushButton *>(QStringLiteral("break-creative-cr-board-a")), breakA.data());
    QVERIFY(m_console->findChild<QPushButton *>(QStringLiteral("break-creative-cr-board-b")));
    QCOMPARE(board->item(1, 2)->data(Qt::UserRole).toString(), QStringLiteral("approved"));
    const QPointer<QPushButton> restoreB =
        m_console->findChild<QPushButton *>(QStringLiteral("restore-creative-cr-board-b"));
    QVERIFY(restoreB);

    // The buys come back in another order (and one creative's status changed): no row moves or is rebuilt.
    auto reordered =
        nlohmann::json::array({buyWith("mb-board-2", "cr-board-b"), buyWith("mb-board-1", "cr-board-a")});
    reordered[1]["packages"][0]["creative_approvals"][0]["approval_status"] = "rejected";
    showBuys(reordered);
    QCOMPARE(m_console->dependencyKeys(),
             (QStringList{QStringLiteral("creative/cr-board-a"), QStringLiteral("creative/cr-board-b")}));
    QVERIFY(breakA);
    QVERIFY(restoreB);
    QCOMPARE(board->item(0, 2)->data(Qt::UserRole).toString(), QStringLiteral("rejected"));
    QCOMPARE(board->item(1, 2)->data(Qt::UserRole).toString(), QStringLiteral("approved"));

    showBuys(nlohmann::json::array({buyWith("mb-board-2", "cr-board-b")}));
    QCOMPARE(m_console->dependencyKeys(), QStringList{QStringLiteral("creative/cr-board-b")});
    QCOMPARE(board->rowCount(), 1);
    QCOMPARE(board->item(0, 1)->data(Qt::UserRole).toString(), QStringLiteral("cr-board-b"));
    QVERIFY(!breakA);
    QVERIFY(restoreB);
    QCOMPARE(qobject_cast<QWidget *>(restoreB->parent()), board->cellWidget(0, 3));
}

QTEST_MAIN(TestLifecycle)
#include "tst_lifecycle.moc"

// The planner's audience flow, by mouse and keyboard on the window: an audience is created from pasted email
// addresses in the Audiences tab (hashed in the workbench), a buy made from a committed proposal is set to
// target it with the buy's Audiences… button (update_media_buy), the seller suspends the audience from the
// console's dependency board and the buy shows impaired with the audience named, and Restore makes it healthy
// again.
void TestLifecycle::audienceSyncedTargetedSuspendedRestored()
{
    QString error;
    const std::shared_ptr<adcp::seller::Execution> execution =
        adcp::seller::Execution::start(m_context, adcp::seller::ExecutionOptions{}, &error);
    QVERIFY2(execution, qPrintable(error));

    // The Audiences tab, clicked: it reads the account's (empty) audiences and the seller's own event source.
    QTabWidget *tabs = m_window->lifecycleTabs();
    const int audiencesTab = int(MainWindow::Tab::Audiences);
    QCOMPARE(tabs->tabText(audiencesTab), QStringLiteral("Audiences"));
    QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {}, tabs->tabBar()->tabRect(audiencesTab).center());
    AudiencesWidget *panel = m_window->audiencesPanel();
    QVERIFY(panel->isVisible());
    waitIdle();
    QCOMPARE(panel->audienceView()->topLevelItemCount(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(panel->eventSourceView()->topLevelItemCount(), 1, 30000);

    // New audience…: a name typed, 300 addresses pasted (after a CSV header, which is no member and no
    // mistake, and with one line that is neither an address nor a phone number, which is named).
    QStringList lines{QStringLiteral("email")};
    for (int i = 0; i < 300; ++i)
        lines << QStringLiteral("  Commuter%1@Example.com ").arg(i);
    lines << QStringLiteral("not-an-email");
    bool filled = false;
    m_fillDialog = [&](QDialog *dialog) {
        auto *audience = qobject_cast<AudienceDialog *>(dialog);
        QVERIFY(audience);
        QTest::keyClicks(audience->nameEdit(), QStringLiteral("Urban commuters"));
        QCOMPARE(audience->idEdit()->text(), QStringLiteral("urban-commuters"));
        QGuiApplication::clipboard()->setText(lines.join(QLatin1Char('\n')));
        audience->membersEdit()->setFocus();
        QTest::keyClick(audience->membersEdit(), Qt::Key_V, Qt::ControlModifier);
        QTRY_VERIFY(audience->summaryLabel()->text().startsWith(QStringLiteral("300 member")));
        QVERIFY2(audience->summaryLabel()->text().contains(QStringLiteral("1 line skipped")),
                 qPrintable(audience->summaryLabel()->text()));
        QVERIFY(audience->summaryLabel()->text().contains(QStringLiteral("line 302: “not-an-email”")));
        QVERIFY(audience->okButton()->isEnabled());
        // Only hashes leave the workbench, of the trimmed, lower-cased address.
        const nlohmann::json entry = audience->audience();
        QCOMPARE(entry["add"].size(), size_t(300));
        QCOMPARE(QString::fromStdString(entry["add"][0]["hashed_email"].get<std::string>()),
                 QString::fromLatin1(
                     QCryptographicHash::hash("commuter0@example.com", QCryptographicHash::Sha256).toHex()));
        filled = true;
    };
    m_window->setStatusTimeout(0); // the status bar keeps its message until the next one
    QTest::mouseClick(panel->newAudienceButton(), Qt::LeftButton);
    QVERIFY(filled);
    waitIdle();
    QVERIFY2(panel->errorBanner()->isHidden(), qPrintable(panel->errorBanner()->text()));
    QTRY_COMPARE_WITH_TIMEOUT(panel->audienceView()->topLevelItemCount(), 1, 30000);
    QTreeWidgetItem *row = panel->audienceView()->topLevelItem(0);
    QCOMPARE(row->text(0), QStringLiteral("Urban commuters"));
    QCOMPARE(row->text(1), QStringLiteral("Ready"));
    QVERIFY2(row->text(2).remove(QLatin1Char(',')).toInt() >= 100, qPrintable(row->text(2)));
    // The status bar says what changed, and the list read again after it does not wipe that out.
    QVERIFY2(m_window->statusMessage()->text().contains(QStringLiteral("Audience “Urban commuters” created")),
             qPrintable(m_window->statusMessage()->text()));
    // The same name again would silently add to it: the dialog refuses the taken id and says what to do.
    filled = false;
    m_fillDialog = [&](QDialog *dialog) {
        auto *audience = qobject_cast<AudienceDialog *>(dialog);
        QVERIFY(audience);
        QTest::keyClicks(audience->nameEdit(), QStringLiteral("Urban commuters"));
        QTest::keyClicks(audience->membersEdit(), QStringLiteral("someone@example.com"));
        QTRY_VERIFY(audience->summaryLabel()->text().contains(QStringLiteral("exists already")));
        QVERIFY(!audience->okButton()->isEnabled());
        filled = true;
    };
    QTest::mouseClick(panel->newAudienceButton(), Qt::LeftButton);
    QVERIFY(filled);
    waitIdle();
    QCOMPARE(panel->audienceView()->topLevelItemCount(), 1);
    QCOMPARE(panel->audienceView()->topLevelItem(0)->text(4), QStringLiteral("300")); // nothing was added

    // A buy from a committed proposal (auto-commit on), then Audiences… on the buy: the audience checked.
    m_console->autoCommitBox()->setChecked(true);
    QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {},
                      tabs->tabBar()->tabRect(int(MainWindow::Tab::Brief)).center());
    sendBrief();
    const QString buyId = buyFromCommittedProposal();
    QVERIFY(!buyId.isEmpty());
    m_window->showBuy(buyId);
    waitIdle();
    QVERIFY(m_window->buyDetail()->audiencesButton()->isEnabled());
    m_fillDialog = [](QDialog *dialog) {
        auto *choose = qobject_cast<BuyAudiencesDialog *>(dialog);
        QVERIFY(choose);
        QListWidget *list = choose->list();
        QCOMPARE(list->count(), 1);
        QCOMPARE(list->item(0)->checkState(), Qt::Unchecked);
        // Nothing changed yet: nothing to apply.
        QPushButton *apply = choose->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
        QVERIFY(!apply->isEnabled());
        list->setFocus();
        list->setCurrentRow(0);
        QTest::keyClick(list, Qt::Key_Space);
        QCOMPARE(choose->audienceIds(), QStringList{QStringLiteral("urban-commuters")});
        QVERIFY(apply->isEnabled());
    };
    QTest::mouseClick(m_window->buyDetail()->audiencesButton(), Qt::LeftButton);
    waitIdle();
    QVERIFY2(m_window->buyDetail()->errorBanner()->isHidden(),
             qPrintable(m_window->buyDetail()->errorBanner()->text()));
    // The buy says what it targets, on the button that changes it.
    QTRY_COMPARE_WITH_TIMEOUT(m_window->buyDetail()->audiencesButton()->text(),
                              QStringLiteral("Audiences (1)…"), 30000);
    QVERIFY(m_window->buyDetail()->audiencesButton()->toolTip().contains(QStringLiteral("urban-commuters")));

    // The seller's console: the audience is on the board; Break suspends it and the buy is impaired.
    QTableWidget *board = m_console->dependencyTable();
    const auto boardRow = [board] {
        for (int r = 0; r < board->rowCount(); ++r)
            if (board->item(r, 0)->data(Qt::UserRole).toString() == QLatin1String("audience") &&
                board->item(r, 1)->data(Qt::UserRole).toString() == QLatin1String("urban-commuters"))
                return r;
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(boardRow() >= 0, 60000);
    // The board names the audience as the planner did, the id in the tooltip.
    QCOMPARE(board->item(boardRow(), 1)->text(), QStringLiteral("Urban commuters"));
    QVERIFY(board->item(boardRow(), 1)->toolTip().contains(QStringLiteral("urban-commuters")));
    BuyModel *buys = m_workbench->buys();
    const auto health = [buys, buyId] {
        return buys->index(buys->rowOf(buyId), BuyModel::HealthColumn).data().toString();
    };
    QCOMPARE(health(), QStringLiteral("ok"));
    auto *breakButton = m_console->findChild<QPushButton *>(QStringLiteral("break-audience-urban-commuters"));
    QVERIFY(breakButton);
    QTest::mouseClick(breakButton, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(health().startsWith(QStringLiteral("impaired")), 60000);
    m_window->showBuy(buyId);
    ImpairmentModel *impairments = m_window->buyDetail()->impairmentModel();
    QTRY_VERIFY_WITH_TIMEOUT(impairments->rowCount() == 1, 30000);
    QVERIFY(impairments->index(0, ImpairmentModel::ResourceColumn)
                .data()
                .toString()
                .contains(QStringLiteral("urban-commuters")));
    // The Audiences tab, read again, says so.
    QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {}, tabs->tabBar()->tabRect(audiencesTab).center());
    waitIdle();
    QTRY_VERIFY(panel->refreshButton()->isEnabled());
    QTest::mouseClick(panel->refreshButton(), Qt::LeftButton);
    waitIdle();
    QTRY_COMPARE_WITH_TIMEOUT(panel->audienceView()->topLevelItem(0)->text(1), QStringLiteral("Suspended"),
                              30000);

    auto *restore = m_console->findChild<QPushButton *>(QStringLiteral("restore-audience-urban-commuters"));
    QVERIFY(restore);
    QTRY_VERIFY_WITH_TIMEOUT(restore->isEnabled(), 30000);
    QVERIFY(!breakButton->isEnabled());
    QTest::mouseClick(restore, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(health(), QStringLiteral("ok"), 60000);
    QCOMPARE(m_window->buyDetail()->impairmentModel()->rowCount(), 0);
    execution->stop();
}
