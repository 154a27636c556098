#include "guidriver.h"

#include "agentclient.h"
#include "agentmanager.h"
#include "agentprofilesdialog.h"
#include "briefcomposer.h"
#include "buydetailwidget.h"
#include "buyeventmodel.h"
#include "buymodel.h"
#include "createbuydialog.h"
#include "creativesdialog.h"
#include "declinedialog.h"
#include "dispatcher.h"
#include "errorbanner.h"
#include "exchangeinspector.h"
#include "exchangemodel.h"
#include "impairmentmodel.h"
#include "jobs/execution.h"
#include "mainwindow.h"
#include "pluraltranslator.h"
#include "proposaldetailwidget.h"
#include "proposallistwidget.h"
#include "proposalmodel.h"
#include "refinedialog.h"
#include "secretstore.h"
#include "sellerconsole.h"
#include "sellercontext.h"
#include "server/inprocesstransport.h"
#include "theme.h"
#include "versioncomparedialog.h"
#include "webhookreceiver.h"
#include "workbench.h"

#include <QApplication>
#include <QDir>
#include <QListView>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace adcp::gui;
using adcp::models::ProposalModel;

// Saves pictures of the main views, driven against the embedded seller, into <build>/screenshots/, or into
// docs/screenshots/ (README shows them) when ADCP_UPDATE_SCREENSHOTS=1, so that running the suite leaves the
// source tree untouched. Fails when a picture cannot be written or comes out blank.
class TestScreenshots final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void firstRun();
    void proposals();
    void versionComparison();
    void buy();
    void inspector();
    void agents();
    void timeline();

private:
    void save(QWidget *widget, const QString &name);
    void waitIdle();

    QTemporaryDir m_dir;
    QString m_out;
    std::shared_ptr<adcp::seller::SellerContext> m_context;
    std::shared_ptr<adcp::seller::Dispatcher> m_dispatcher;
    std::shared_ptr<adcp::seller::Execution> m_execution;
    std::unique_ptr<adcp::WebhookReceiver> m_receiver;
    std::unique_ptr<adcp::AgentClient> m_client;
    std::unique_ptr<Workbench> m_workbench;
    std::unique_ptr<MainWindow> m_window;
    std::function<void(QDialog *)> m_fillDialog;
    adcp::models::PluralTranslator m_plurals;
};

void TestScreenshots::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("adcp-workbench-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_screenshots"));
    QSettings().clear();
    applyTheme(*qApp);
    QCoreApplication::installTranslator(&m_plurals); // as the application does
    m_out = qEnvironmentVariableIntValue("ADCP_UPDATE_SCREENSHOTS") == 1
                ? QStringLiteral(ADCP_SOURCE_DIR "/docs/screenshots")
                : QStringLiteral(ADCP_BINARY_DIR "/screenshots");
    QVERIFY(QDir().mkpath(m_out));
    adcp::seller::SellerOptions options;
    options.databasePath = m_dir.filePath(QStringLiteral("seller.sqlite"));
    QString error;
    m_context = adcp::seller::SellerContext::open(options, &error);
    QVERIFY2(m_context, qPrintable(error));
    auto dispatcher = std::make_shared<adcp::seller::Dispatcher>(m_context);
    m_dispatcher = dispatcher;
    // As the GUI mode runs it: execution threads and webhooks back to a loopback receiver, sent at once.
    m_context->setWebhookCoalescenceWindow("impairment", 0);
    adcp::seller::ExecutionOptions execution;
    execution.webhooks.pollMs = 50;
    m_execution = adcp::seller::Execution::start(m_context, execution, &error);
    QVERIFY2(m_execution, qPrintable(error));
    m_receiver = std::make_unique<adcp::WebhookReceiver>(adcp::WebhookReceiverOptions{});
    m_receiver->addJwks(m_execution->webhookSender()->jwks());
    QVERIFY(m_receiver->start() != 0);
    m_client = std::make_unique<adcp::AgentClient>(QStringLiteral("Embedded seller"),
                                                   std::make_unique<adcp::seller::InProcessTransport>(
                                                       dispatcher, adcp::seller::Principal{"buyer-a", true}),
                                                   adcp::SchemaRegistry::bundled());
    m_workbench = std::make_unique<Workbench>();
    m_workbench->setClient(m_client.get(), QStringLiteral("buyer-a"));
    m_workbench->setMonitoringInterval(0);
    m_workbench->setWebhookReceiver(m_receiver.get());
    m_window = std::make_unique<MainWindow>(m_workbench.get());
    m_window->setDialogRunner([this](QDialog *dialog) {
        if (!m_fillDialog)
            return int(QDialog::Rejected);
        m_fillDialog(dialog);
        return int(QDialog::Accepted);
    });
    m_window->resize(1480, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_workbench->connectAgent();
    waitIdle();
}

void TestScreenshots::cleanupTestCase()
{
    m_window.reset();
    m_workbench.reset();
    m_client.reset();
    m_receiver.reset();
    if (m_execution)
        m_execution->stop();
    m_execution.reset();
    m_dispatcher.reset();
    m_context.reset();
}

void TestScreenshots::waitIdle()
{
    QTRY_VERIFY_WITH_TIMEOUT(!m_workbench->isBusy(), 30000);
    QTest::qWait(50);
}

void TestScreenshots::save(QWidget *widget, const QString &name)
{
    guidriver::savePicture(widget, m_out + QLatin1Char('/') + name + QStringLiteral(".png"));
}

void TestScreenshots::firstRun()
{
    save(m_window.get(), QStringLiteral("01-first-run"));
}

void TestScreenshots::proposals()
{
    BriefComposer *brief = m_window->briefComposer();
    brief->setBrief(
        QStringLiteral("Launch of a cold brew coffee for urban commuters aged 25-44: premium CTV and "
                       "online video, some audio and display retargeting"));
    brief->setBudget(60000, QStringLiteral("USD"));
    brief->setFlight(QDate::currentDate().addDays(7), QDate::currentDate().addDays(37));
    brief->setChannels({QStringLiteral("ctv"), QStringLiteral("olv"), QStringLiteral("streaming_audio"),
                        QStringLiteral("display")});
    brief->setBrandDomain(QStringLiteral("acme-coffee.example"));
    save(m_window.get(), QStringLiteral("02-brief"));
    QTest::mouseClick(brief->sendButton(), Qt::LeftButton);
    waitIdle();
    ProposalModel *proposals = m_workbench->proposals();
    QVERIFY2(proposals->rowCount() >= 2, qPrintable(brief->errorBanner()->text()));
    // Decline the second, refine and finalize the first.
    m_window->showProposal(proposals->proposalId(1));
    m_fillDialog = [](QDialog *dialog) {
        auto *decline = qobject_cast<DeclineDialog *>(dialog);
        decline->setReason(QStringLiteral("price"));
    };
    QTest::mouseClick(m_window->proposalDetail()->declineButton(), Qt::LeftButton);
    waitIdle();
    const QString chosen = proposals->proposalId(0);
    m_window->proposalList()->selectProposal(chosen);
    m_fillDialog = [](QDialog *dialog) {
        qobject_cast<RefineDialog *>(dialog)->setProposalAsk(QStringLiteral("Keep the budget under 45000"));
    };
    QTest::mouseClick(m_window->proposalDetail()->refineButton(), Qt::LeftButton);
    waitIdle();
    QTest::mouseClick(m_window->proposalDetail()->finalizeButton(), Qt::LeftButton);
    waitIdle();
    QVERIFY2(proposals->status(proposals->rowOf(chosen)) == QLatin1String("committed"),
             qPrintable(m_window->proposalDetail()->errorBanner()->text()));
    m_window->exchangeInspector()->showRow(m_workbench->exchanges()->rowCount() - 1);
    save(m_window.get(), QStringLiteral("03-proposals"));
}

void TestScreenshots::versionComparison()
{
    ProposalModel *proposals = m_workbench->proposals();
    const int row = proposals->rowOf(m_window->proposalDetail()->proposalId());
    const auto &versions = proposals->versions(row);
    QVERIFY(versions.size() >= 2);
    VersionCompareDialog dialog(versions, 0, int(versions.size()) - 1);
    dialog.resize(820, 480);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    save(&dialog, QStringLiteral("04-version-comparison"));
}

void TestScreenshots::buy()
{
    m_fillDialog = [](QDialog *dialog) {
        auto *create = qobject_cast<CreateBuyDialog *>(dialog);
        create->setAsap(true);
        create->setPoNumber(QStringLiteral("PO-2026-001"));
        create->acceptInsertionOrder(QStringLiteral("Dana Planner"));
    };
    QTest::mouseClick(m_window->proposalDetail()->createBuyButton(), Qt::LeftButton);
    waitIdle();
    QCOMPARE(m_window->currentDetail(), MainWindow::Detail::Buy);
    m_workbench->refreshBuys();
    waitIdle();
    save(m_window.get(), QStringLiteral("05-buy-monitor"));
}

void TestScreenshots::inspector()
{
    ExchangeInspector *inspector = m_window->exchangeInspector();
    inspector->showRow(2);
    inspector->resize(1200, 420);
    save(inspector, QStringLiteral("06-exchange-inspector"));
}

void TestScreenshots::agents()
{
    AgentManager manager(m_workbench.get(), m_client.get(), QStringLiteral("buyer-a"),
                         adcp::SchemaRegistry::bundled());
    FileSecretStore store(m_dir.filePath(QStringLiteral("tokens.json")));
    manager.setSecretStore(&store);
    AgentProfilesDialog dialog(&manager);
    dialog.newProfile();
    dialog.resize(820, 500);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    save(&dialog, QStringLiteral("07-agents"));
}

// The buy's timeline after a creative broke and came back: each event marked by how it was learnt, webhook
// and snapshot side by side.
void TestScreenshots::timeline()
{
    const QString buyId = m_window->buyDetail()->mediaBuyId();
    QVERIFY(!buyId.isEmpty());
    m_window->showBuy(buyId);
    waitIdle();
    m_fillDialog = [](QDialog *dialog) { QVERIFY(qobject_cast<CreativesDialog *>(dialog)); };
    QTest::mouseClick(m_window->buyDetail()->creativesButton(), Qt::LeftButton);
    waitIdle();
    const adcp::models::BuyModel *buys = m_workbench->buys();
    const nlohmann::json packages =
        buys->buyJson(buys->rowOf(buyId)).value("packages", nlohmann::json::array());
    QVERIFY(!packages.empty());
    // The creatives dialog names each package's creative after the package.
    const QString creative =
        QStringLiteral("cr-") + QString::fromStdString(packages.front().value("package_id", std::string()));
    SellerConsole console(m_dispatcher, "buyer-a");
    const adcp::models::BuyEventModel *events = m_workbench->events();
    const auto bothSources = [events](const QString &prefix) {
        for (int row = 0; row < events->rowCount(); ++row) {
            if (events->index(row, adcp::models::BuyEventModel::EventColumn)
                    .data()
                    .toString()
                    .startsWith(prefix) &&
                events->sources(row) ==
                    (adcp::models::BuyEventModel::Webhook | adcp::models::BuyEventModel::Snapshot))
                return true;
        }
        return false;
    };
    // The console changes the seller on its own thread and reports with the ticket it gave.
    QSignalSpy finished(&console, &SellerConsole::actionFinished);
    const quint64 broken = console.setDependency(QStringLiteral("creative"), creative, true);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QCOMPARE(finished.at(0).at(0).value<quint64>(), broken);
    QCOMPARE(finished.at(0).at(1).toString(), QString());
    QTRY_VERIFY_WITH_TIMEOUT(bothSources(QStringLiteral("Impaired")), 30000);
    waitIdle();
    // The impairment as a card: what broke, why, the remedy, when; wrapped in the pane, nothing sideways.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->buyDetail()->impairmentModel()->rowCount() == 1, 30000);
    m_window->buyDetail()->sections()->setCurrentIndex(1);
    QListView *cards = m_window->buyDetail()->impairmentView();
    QVERIFY(cards->isVisible());
    QVERIFY(!cards->horizontalScrollBar()->isVisible());
    QVERIFY(cards->visualRect(cards->model()->index(0, 0)).height() > 3 * cards->fontMetrics().height());
    save(m_window.get(), QStringLiteral("09-buy-impairments"));
    const quint64 restored = console.setDependency(QStringLiteral("creative"), creative, false);
    QVERIFY(restored != broken);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 30000);
    QCOMPARE(finished.at(1).at(1).toString(), QString());
    QTRY_VERIFY_WITH_TIMEOUT(bothSources(QStringLiteral("Recovered")), 30000);
    waitIdle();
    m_window->buyDetail()->sections()->setCurrentIndex(2);
    save(m_window.get(), QStringLiteral("08-buy-timeline"));
}

QTEST_MAIN(TestScreenshots)
#include "tst_screenshots.moc"
