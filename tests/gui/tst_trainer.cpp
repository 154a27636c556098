// Trainer mode: the three bundled scenarios replayed with the narration pane's buttons against a fresh
// embedded seller (what the window shows after the key steps), Previous and Reset, a recorded session saved
// and replayed, malformed scenario files refused with the step and field named, the presenter setting.
#include "guidriver.h"
#include "sellerdriver.h"

#include "jsonvalues.h"

#include "agentclient.h"
#include "approvalmodel.h"
#include "buyeventmodel.h"
#include "buymodel.h"
#include "dispatcher.h"
#include "embeddedprincipal.h"
#include "jobs/execution.h"
#include "mainwindow.h"
#include "pluraltranslator.h"
#include "proposalmodel.h"
#include "scenario.h"
#include "scenarioplayer.h"
#include "scenariorecorder.h"
#include "sellerconsole.h"
#include "sellercontext.h"
#include "server/inprocesstransport.h"
#include "theme.h"
#include "trainerpanel.h"
#include "trainerseller.h"
#include "webhookreceiver.h"
#include "workbench.h"

#include <QAction>
#include <QCheckBox>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

#include <memory>

using namespace adcp::gui;
using adcp::models::BuyEventModel;
using adcp::models::ProposalModel;
using guidriver::click;

namespace {
constexpr int kStepMs = 60000;
}

class TestTrainer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void malformedScenariosRefused_data();
    void malformedScenariosRefused();
    void unreadableFilesRefused();
    void bundledScenariosParse();
    void proposalVersionsAndDecline();
    void buyUnderManualApproval();
    void impairmentSeenByWebhookAndSnapshot();
    void recordSaveLoadReplay();
    void backToMySeller();
    void presenterTypeIsRemembered();

private:
    // `pictures`: each step's picture is saved (the walk of docs/usability.md).
    void open(const QString &name, bool pictures = false);
    void clickNext();
    void saveStep();
    bool timelineHas(const QString &event, int source) const;

    QTemporaryDir m_dir;
    QString m_shots;    // where each step's picture goes
    QString m_scenario; // the one open()ed last
    adcp::models::PluralTranslator m_plurals;
    std::shared_ptr<adcp::seller::SellerContext> m_context;
    std::shared_ptr<adcp::seller::Dispatcher> m_dispatcher;
    std::unique_ptr<adcp::WebhookReceiver> m_receiver;
    std::unique_ptr<adcp::AgentClient> m_client;
    std::unique_ptr<Workbench> m_workbench;
    std::unique_ptr<MainWindow> m_window;
    SellerConsole *m_console = nullptr;
    std::unique_ptr<TrainerSeller> m_seller;
    std::unique_ptr<Trainer> m_trainer;
};

void TestTrainer::initTestCase()
{
    guidriver::startApplication(QStringLiteral("tst_trainer"));
    m_shots = qEnvironmentVariableIntValue("ADCP_UPDATE_SCREENSHOTS") == 1
                  ? QStringLiteral(ADCP_SOURCE_DIR "/docs/screenshots/trainer")
                  : QStringLiteral(ADCP_BINARY_DIR "/screenshots/trainer");
    QVERIFY(QDir().mkpath(m_shots));
    QCoreApplication::installTranslator(&m_plurals);
    // The planner's own embedded seller, as the application opens it; the trainer replaces it at each reset.
    adcp::seller::SellerOptions options;
    options.databasePath = m_dir.filePath(QStringLiteral("seller.sqlite"));
    QString error;
    m_context = adcp::seller::SellerContext::open(options, &error);
    QVERIFY2(m_context, qPrintable(error));
    m_dispatcher = std::make_shared<adcp::seller::Dispatcher>(m_context);
    m_receiver = std::make_unique<adcp::WebhookReceiver>(adcp::WebhookReceiverOptions{});
    QVERIFY(m_receiver->start() != 0);
    m_client = guidriver::embeddedPlannerClient(m_dispatcher);
    m_workbench = guidriver::plannerWorkbench(m_client.get(), nullptr, 200);
    m_workbench->setWebhookReceiver(m_receiver.get());
    m_window = std::make_unique<MainWindow>(m_workbench.get());
    m_console = new SellerConsole(m_dispatcher, embeddedPlannerPrincipal().id);
    m_window->attachSellerConsole(m_console);
    m_seller =
        std::make_unique<TrainerSeller>(m_workbench.get(), m_client.get(), m_console, m_receiver.get());
    m_seller->setWebhookPollMs(50);
    m_trainer = std::make_unique<Trainer>(m_window.get(), m_workbench.get(), m_console,
                                          [this](QString *why) { return m_seller->reset(why); });
    m_trainer->player()->setStepTimeout(kStepMs);
    // As the application wires "Back to my seller" (less the workspace, which this fixture does not keep).
    m_seller->setHome(m_dispatcher, nullptr);
    m_trainer->setLeaver([this](QString *why) {
        if (!m_seller->goHome(why))
            return false;
        m_workbench->connectAgent();
        return true;
    });
    m_window->resize(1500, 950);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestTrainer::cleanupTestCase()
{
    m_trainer.reset();
    m_seller.reset();
    m_window.reset();
    m_workbench.reset();
    m_client.reset();
    m_receiver.reset();
    m_dispatcher.reset();
    m_context.reset();
}

void TestTrainer::open(const QString &name, bool pictures)
{
    QString error;
    m_scenario.clear();
    QVERIFY2(m_trainer->open(name, &error), qPrintable(error));
    QVERIFY(m_trainer->dock()->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(!m_trainer->player()->isRunning(), kStepMs);
    QVERIFY2(m_trainer->player()->lastError().isEmpty(), qPrintable(m_trainer->player()->lastError()));
    QCOMPARE(m_trainer->player()->position(), 0);
    QVERIFY(m_workbench->isConnected());
    if (pictures) {
        m_scenario = name;
        saveStep();
    }
}

// One step by the pane's Next button, waited for until the pane offers the next one.
void TestTrainer::clickNext()
{
    const int before = m_trainer->player()->position();
    click(m_trainer->panel()->nextButton());
    QTRY_VERIFY_WITH_TIMEOUT(!m_trainer->player()->isRunning(), kStepMs);
    QVERIFY2(m_trainer->player()->lastError().isEmpty(), qPrintable(m_trainer->player()->lastError()));
    QCOMPARE(m_trainer->player()->position(), before + 1);
    QCOMPARE(m_trainer->panel()->stepLabel()->text(),
             QStringLiteral("Step %1 of %2").arg(before + 1).arg(m_trainer->player()->stepCount()));
    QVERIFY(m_trainer->panel()->narrationView()->toPlainText().contains(
        m_trainer->player()->scenario().steps.at(std::size_t(before)).narration));
    saveStep();
}

// The window as the audience sees it after the step, for docs/usability.md: <scenario>-<step>.png in
// <build>/screenshots/trainer, or in docs/screenshots/trainer with ADCP_UPDATE_SCREENSHOTS=1. Fails when the
// picture cannot be written or nothing was painted.
void TestTrainer::saveStep()
{
    if (m_scenario.isEmpty())
        return;
    // Settled as the audience would see it a moment later: the console's board read again (a buy held for
    // approval keeps its call in flight, so the workbench is not waited for).
    QSignalSpy boardShown(m_console, &SellerConsole::boardShown);
    m_console->refresh();
    QVERIFY(boardShown.wait(kStepMs));
    // Two thirds of the window's size: readable on a page, light in the repository.
    guidriver::savePicture(
        m_window.get(),
        QStringLiteral("%1/%2-%3.png").arg(m_shots, m_scenario).arg(m_trainer->player()->position()),
        2.0 / 3);
}

bool TestTrainer::timelineHas(const QString &event, int source) const
{
    const BuyEventModel *events = m_workbench->events();
    for (int row = 0; row < events->rowCount(); ++row) {
        if (events->index(row, BuyEventModel::EventColumn).data().toString().startsWith(event) &&
            (events->sources(row) & source))
            return true;
    }
    return false;
}

void TestTrainer::malformedScenariosRefused_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QString>("message");
    const QByteArray head = R"({"adcp_workbench_scenario": 1, "title": "T", "steps": [)";
    const QByteArray good = R"({"narration": "n", "kind": "clock", "advance_seconds": 60})";
    QTest::newRow("not json") << QByteArray("{\"title\": ") << QStringLiteral("not a JSON object");
    QTest::newRow("array") << QByteArray("[1, 2]") << QStringLiteral("not a JSON object");
    QTest::newRow("version") << QByteArray(R"({"adcp_workbench_scenario": 2, "title": "T", "steps": []})")
                             << QStringLiteral("\"adcp_workbench_scenario\" must be 1");
    QTest::newRow("title type") << QByteArray(R"({"adcp_workbench_scenario": 1, "title": 5, "steps": []})")
                                << QStringLiteral("\"title\" must be a string");
    QTest::newRow("no steps") << QByteArray(R"({"adcp_workbench_scenario": 1, "title": "T", "steps": []})")
                              << QStringLiteral("\"steps\" must be a non-empty array");
    QTest::newRow("step not object") << head + good + ", 7]}" << QStringLiteral("step 2: must be an object");
    QTest::newRow("kind") << head + good + R"(, {"narration": "n", "kind": "dance"}]})"
                          << QStringLiteral("step 2: \"kind\" must be request, seller_action or clock");
    QTest::newRow("narration type") << head + R"({"narration": ["n"], "kind": "clock"}]})"
                                    << QStringLiteral("step 1: \"narration\" must be a string");
    QTest::newRow("tool")
        << head + R"({"narration": "n", "kind": "request", "tool": "sync_catalogs", "request": {}}]})"
        << QStringLiteral("step 1: \"tool\" must be one of");
    QTest::newRow("request type")
        << head + R"({"narration": "n", "kind": "request", "tool": "get_products", "request": "x"}]})"
        << QStringLiteral("step 1: \"request\" must be an object");
    QTest::newRow("action") << head +
                                   R"({"narration": "n", "kind": "seller_action", "action": "drop_tables"}]})"
                            << QStringLiteral("step 1: \"action\" must be one of");
    QTest::newRow("dependency id")
        << head +
               R"({"narration": "n", "kind": "seller_action", "action": "break_dependency", "resource_type": "property"}]})"
        << QStringLiteral("step 1: \"resource_id\" is missing");
    QTest::newRow("clock") << head + good + "," + good +
                                  R"(, {"narration": "n", "kind": "clock", "advance_seconds": -5}]})"
                           << QStringLiteral("step 3: \"advance_seconds\" must be a whole number");
    QTest::newRow("deep") << head + QByteArray(100, '[') + QByteArray(100, ']') + "]}"
                          << QStringLiteral("nests deeper than");
    QTest::newRow("oversized") << head + good + "]," + R"("description": ")" +
                                      QByteArray(adcp::models::kScenarioMaxBytes, 'x') + "\"}"
                               << QStringLiteral("larger than");
}

void TestTrainer::malformedScenariosRefused()
{
    QFETCH(QByteArray, file);
    QFETCH(QString, message);
    QString error;
    QVERIFY(!adcp::models::parseScenario(file, &error));
    QVERIFY2(error.contains(message), qPrintable(error));
    // The same file through the Trainer menu's path names the file and leaves the player as it was.
    const QString path = m_dir.filePath(QStringLiteral("bad.json"));
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(file);
    out.close();
    const bool wasLoaded = m_trainer->player()->isLoaded();
    QVERIFY(!m_trainer->open(path, &error));
    QVERIFY2(error.startsWith(path) && error.contains(message), qPrintable(error));
    QCOMPARE(m_trainer->player()->isLoaded(), wasLoaded);
}

void TestTrainer::unreadableFilesRefused()
{
    QString error;
    QVERIFY(!Trainer::loadScenario(m_dir.filePath(QStringLiteral("missing.json")), &error));
    QVERIFY2(error.contains(QStringLiteral("missing.json")) &&
                 error.contains(QStringLiteral("proposal-versions")),
             qPrintable(error));
}

void TestTrainer::bundledScenariosParse()
{
    const QStringList names = Trainer::bundledScenarios();
    QCOMPARE(names.size(), 3);
    for (const QString &name : names) {
        QString error;
        const auto scenario = Trainer::loadScenario(name, &error);
        QVERIFY2(scenario, qPrintable(error));
        QVERIFY(!scenario->title.isEmpty());
        QAction *action = m_trainer->menu()->findChild<QAction *>(QStringLiteral("scenario-%1").arg(name));
        QVERIFY(action);
        QCOMPARE(action->text(), scenario->title);
    }
    // By name without the number, as --scenario takes it.
    QString error;
    QVERIFY2(Trainer::loadScenario(QStringLiteral("impairment-recovery"), &error), qPrintable(error));
}

void TestTrainer::proposalVersionsAndDecline()
{
    open(QStringLiteral("proposal-versions"), true);
    ProposalModel *proposals = m_workbench->proposals();
    QCOMPARE(proposals->rowCount(), 0);
    QVERIFY(!m_trainer->panel()->previousButton()->isEnabled());
    clickNext();
    QVERIFY(proposals->rowCount() >= 2);
    QCOMPARE(proposals->versions(0).size(), std::size_t(1));
    clickNext();
    QCOMPARE(proposals->versions(0).size(), std::size_t(2));
    clickNext();
    QCOMPARE(proposals->versions(0).size(), std::size_t(3));
    clickNext();
    QCOMPARE(proposals->status(1), QStringLiteral("declined"));
    QVERIFY2(proposals->note(1).contains(QStringLiteral("Price too high")), qPrintable(proposals->note(1)));
    QVERIFY(m_trainer->panel()->narrationView()->toPlainText().contains(
        QStringLiteral("The end of the scenario.")));
    QVERIFY(!m_trainer->panel()->nextButton()->isEnabled());

    // Previous: a fresh seller and the first three steps again — three versions, nothing declined.
    click(m_trainer->panel()->previousButton());
    QTRY_VERIFY_WITH_TIMEOUT(!m_trainer->player()->isRunning(), 3 * kStepMs);
    QVERIFY2(m_trainer->player()->lastError().isEmpty(), qPrintable(m_trainer->player()->lastError()));
    QCOMPARE(m_trainer->player()->position(), 3);
    QCOMPARE(m_trainer->panel()->stepLabel()->text(), QStringLiteral("Step 3 of 4"));
    QCOMPARE(proposals->versions(0).size(), std::size_t(3));
    QVERIFY(proposals->status(1) != QLatin1String("declined"));

    click(m_trainer->panel()->resetButton());
    QTRY_VERIFY_WITH_TIMEOUT(!m_trainer->player()->isRunning(), kStepMs);
    QCOMPARE(m_trainer->player()->position(), 0);
    QCOMPARE(proposals->rowCount(), 0);
    QVERIFY(m_trainer->panel()->stepLabel()->text().startsWith(QStringLiteral("At the start")));
    // The seller is fresh as well: the same brief again gives version 1.
    clickNext();
    QCOMPARE(proposals->versions(0).size(), std::size_t(1));
}

void TestTrainer::buyUnderManualApproval()
{
    open(QStringLiteral("buy-under-approval"), true);
    clickNext();
    QVERIFY(m_console->manualApprovalBox()->isChecked());
    QVERIFY(m_seller->dispatcher()->context().options().manualApproval);
    // The scenario's seller is not the trainer's own: its options are not saved for the next start.
    QVERIFY(!QSettings().contains(QStringLiteral("embeddedSeller/manualApproval")));
    clickNext();
    clickNext();
    QCOMPARE(m_workbench->proposals()->status(0), QStringLiteral("committed"));
    clickNext();
    // The seller holds the buy: it waits in the console, not on the Buys tab.
    QCOMPARE(m_console->approvalModel()->rowCount(), 1);
    QCOMPARE(m_workbench->buys()->rowCount(), 0);
    clickNext();
    QCOMPARE(m_workbench->buys()->rowCount(), 1);
    QCOMPARE(m_workbench->proposals()->status(0), QStringLiteral("consumed"));
    QTRY_COMPARE_WITH_TIMEOUT(m_console->approvalModel()->rowCount(), 0, kStepMs);
    clickNext();
    const QString status = adcp::models::jsonString(m_workbench->buys()->buyJson(0), "status");
    QVERIFY2(status == QLatin1String("active") || status == QLatin1String("pending_start") ||
                 status == QLatin1String("pending_creatives"),
             qPrintable(status));
    QVERIFY(!m_trainer->panel()->nextButton()->isEnabled());
    // Reset puts manual approval back off: the new seller starts from its defaults.
    click(m_trainer->panel()->resetButton());
    QTRY_VERIFY_WITH_TIMEOUT(!m_trainer->player()->isRunning(), kStepMs);
    QVERIFY(!m_console->manualApprovalBox()->isChecked());
    QCOMPARE(m_workbench->buys()->rowCount(), 0);
}

void TestTrainer::impairmentSeenByWebhookAndSnapshot()
{
    open(QStringLiteral("impairment-recovery"), true);
    clickNext();
    clickNext();
    clickNext();
    QCOMPARE(m_workbench->buys()->rowCount(), 1);
    clickNext(); // a property goes offline
    QTRY_VERIFY_WITH_TIMEOUT(timelineHas(QStringLiteral("Impaired"), BuyEventModel::Webhook), kStepMs);
    clickNext(); // get_media_buys
    QTRY_VERIFY_WITH_TIMEOUT(timelineHas(QStringLiteral("Impaired"), BuyEventModel::Snapshot), kStepMs);
    QCOMPARE(adcp::models::jsonString(m_workbench->buys()->buyJson(0), "health"), QStringLiteral("impaired"));
    clickNext(); // restored
    QTRY_VERIFY_WITH_TIMEOUT(timelineHas(QStringLiteral("Recovered"), BuyEventModel::Webhook), kStepMs);
    clickNext();
    QTRY_COMPARE_WITH_TIMEOUT(adcp::models::jsonString(m_workbench->buys()->buyJson(0), "health"),
                              QStringLiteral("ok"), kStepMs);
}

// A session recorded from the window's own actions, saved, read back and replayed to the same state.
void TestTrainer::recordSaveLoadReplay()
{
    open(QStringLiteral("proposal-versions"));
    ScenarioRecorder *recorder = m_trainer->recorder();
    recorder->start(QStringLiteral("Recorded in a test"));
    QString error;
    const auto source = Trainer::loadScenario(QStringLiteral("proposal-versions"), &error);
    QVERIFY(source);
    // The planner's actions as the window performs them, then the console's.
    m_workbench->sendBrief(source->steps.at(0).request, QStringLiteral("Coffee"));
    guidriver::waitIdle(m_workbench.get());
    const QString first = m_workbench->proposals()->proposalId(0);
    m_workbench->finalize(first);
    guidriver::waitIdle(m_workbench.get());
    m_workbench->decline(m_workbench->proposals()->proposalId(1), QStringLiteral("audience_fit"), QString());
    guidriver::waitIdle(m_workbench.get());
    m_console->advanceClock(3600);
    guidriver::waitIdle(m_workbench.get());
    recorder->stop();
    const adcp::models::Scenario &recorded = recorder->scenario();
    QCOMPARE(recorded.steps.size(), std::size_t(4));
    QCOMPARE(recorded.steps.at(0).tool, QStringLiteral("get_products"));
    const nlohmann::json refine = adcp::models::jsonArray(recorded.steps.at(1).request, "refine");
    QVERIFY(!refine.empty());
    QCOMPARE(adcp::models::jsonString(refine[0], "proposal_id"), QStringLiteral("$proposal:0"));
    QVERIFY(recorded.steps.at(1).request.dump().find(first.toStdString()) == std::string::npos);
    QVERIFY(recorded.steps.at(2).request.dump().find("$proposal:1") != std::string::npos);
    QCOMPARE(recorded.steps.at(3).kind, adcp::models::ScenarioStep::Kind::Clock);
    QCOMPARE(recorded.steps.at(3).advanceSeconds, qint64(3600));

    const QString path = m_dir.filePath(QStringLiteral("recorded.json"));
    QVERIFY2(m_trainer->save(path, &error), qPrintable(error));
    const auto loaded = Trainer::loadScenario(path, &error);
    QVERIFY2(loaded, qPrintable(error));
    QVERIFY(adcp::models::scenarioToJson(*loaded) == adcp::models::scenarioToJson(recorded));

    QVERIFY2(m_trainer->open(path, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(!m_trainer->player()->isRunning(), kStepMs);
    QCOMPARE(m_trainer->panel()->titleLabel()->text(), QStringLiteral("Recorded in a test"));
    const QDateTime before = m_workbench->now();
    clickNext();
    clickNext();
    QCOMPARE(m_workbench->proposals()->status(0), QStringLiteral("committed"));
    QVERIFY(m_workbench->proposals()->proposalId(0) != first);
    clickNext();
    QCOMPARE(m_workbench->proposals()->status(1), QStringLiteral("declined"));
    clickNext();
    QVERIFY(m_workbench->now() >= before.addSecs(3600));
}

// A trainer ends the scenario with the pane's button: the planner's own seller answers again, the
// scenario's proposals are not on it, and the pane is gone until a scenario is opened again.
void TestTrainer::backToMySeller()
{
    open(QStringLiteral("proposal-versions"));
    clickNext();
    QVERIFY(m_seller->isActive());
    const QString scenarioProposal = m_workbench->proposals()->proposalId(0);
    QVERIFY(!scenarioProposal.isEmpty());
    QVERIFY(m_trainer->leaveAction()->isEnabled());
    // The scenario's seller signs its webhooks with keys of its own, offered with it to the test lab.
    const nlohmann::json scenarioKeys = m_seller->webhookJwks();
    QVERIFY2(scenarioKeys.contains("keys") && !scenarioKeys["keys"].empty(), scenarioKeys.dump().c_str());

    click(m_trainer->panel()->leaveButton());
    QVERIFY(!m_seller->isActive());
    QVERIFY(m_seller->dispatcher() == m_dispatcher);
    QVERIFY(m_seller->webhookJwks().is_null()); // this fixture's home seller runs no execution
    QVERIFY(!m_trainer->player()->isLoaded());
    QVERIFY(!m_trainer->dock()->isVisible());
    QVERIFY(!m_trainer->leaveAction()->isEnabled());
    QCOMPARE(m_workbench->proposals()->rowCount(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(m_workbench->isConnected(), kStepMs);

    // A brief now goes to the planner's seller, which knows nothing of the scenario's proposals.
    m_workbench->sendBrief({{"buying_mode", "brief"}, {"brief", "Back home: CTV for coffee drinkers"}},
                           QStringLiteral("Home"));
    guidriver::waitIdle(m_workbench.get());
    QVERIFY(m_workbench->proposals()->rowCount() > 0);
    const auto include = [this](const QString &proposalId) {
        return m_dispatcher->call(
            embeddedPlannerPrincipal(), "get_products",
            {{"buying_mode", "refine"},
             {"refine",
              {{{"scope", "proposal"}, {"proposal_id", proposalId.toStdString()}, {"action", "include"}}}}});
    };
    // (Asked for a proposal it does not hold, the seller answers "unable" for that entry, not an error.)
    const adcp::ToolOutcome home = include(m_workbench->proposals()->proposalId(0));
    QVERIFY2(home.ok(), home.ok() ? "" : home.error->message.c_str());
    QCOMPARE(adcp::models::jsonArray(home.result, "proposals").size(), std::size_t(1));
    const adcp::ToolOutcome scenario = include(scenarioProposal);
    QVERIFY(scenario.ok());
    QVERIFY(adcp::models::jsonArray(scenario.result, "proposals").empty());
    const nlohmann::json applied = adcp::models::jsonArray(scenario.result, "refinement_applied");
    QCOMPARE(applied.size(), std::size_t(1));
    QCOMPARE(adcp::models::jsonString(applied[0], "status"), QStringLiteral("unable"));

    // A scenario opened again takes the window over as before.
    open(QStringLiteral("proposal-versions"));
    QVERIFY(m_seller->isActive());
}

void TestTrainer::presenterTypeIsRemembered()
{
    const qreal normal = m_window->font().pointSizeF();
    QVERIFY(!m_trainer->isPresenter());
    m_trainer->presenterAction()->trigger();
    QVERIFY(m_trainer->isPresenter());
    QVERIFY(m_window->font().pointSizeF() > normal * 1.4);
    QCOMPARE(QSettings().value(QStringLiteral("Trainer/presenter")).toBool(), true);
    // A new window's trainer comes up in presenter type.
    MainWindow other(m_workbench.get());
    Trainer again(&other, m_workbench.get(), nullptr, {});
    QVERIFY(again.isPresenter());
    m_trainer->presenterAction()->trigger();
    QCOMPARE(QSettings().value(QStringLiteral("Trainer/presenter")).toBool(), false);
    QCOMPARE(m_window->font().pointSizeF(), normal);
}

QTEST_MAIN(TestTrainer)
#include "tst_trainer.moc"
