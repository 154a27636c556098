#include "agentmanager.h"
#include "agentprofiles.h"
#include "jobs/execution.h"
#include "labrunnersettings.h"
#include "runnerpackage.h"
#include "secretstore.h"
#include "testlabdialog.h"
#include "testseller.h"
#include "webhooks/webhooksender.h"
#include "workbench.h"
#include "yesmanagent.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QToolButton>
#include <QTreeWidget>

#include <algorithm>
#include <functional>
#include <memory>

using namespace adcp::gui;

// The Test lab in the window, used as a person would: the agent bar's button opens it, a suite is unchecked with
// the keyboard, Run is clicked, the failed step's row is clicked and its exchanges appear.
class tst_TestLabDialog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void runSuitesAndOpenAFailedStep();
    void escapeDuringARunKeepsTheLab();
    void embeddedSellerIsATarget();
    void twoAgentsSideBySide();
    void officialRunnerEngine();
    void runnerSettingsInstallButton();
};

namespace {

QTreeWidgetItem *findStep(QTreeWidget *tree, const QString &title)
{
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        for (int j = 0; j < tree->topLevelItem(i)->childCount(); ++j)
            if (tree->topLevelItem(i)->child(j)->text(0) == title)
                return tree->topLevelItem(i)->child(j);
    return nullptr;
}

// The window's agent bar with the Test lab button, an agent manager holding the "Yes-man" profile (when its
// port is given) with its token, and the lab dialog opened by a click, its history in a temporary folder.
struct LabWindow
{
    void open(quint16 yesManPort, std::function<std::shared_ptr<adcp::seller::Dispatcher>()> seller = {},
              std::function<nlohmann::json()> jwks = {})
    {
        manager.setSecretStore(&store);
        if (yesManPort != 0) {
            AgentProfile profile;
            profile.id = QStringLiteral("yes-man");
            profile.name = QStringLiteral("Yes-man");
            profile.kind = AgentProfile::Kind::Mcp;
            profile.url = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(yesManPort));
            manager.setProfiles({profile});
            bool written = false;
            store.write(profile.secretKey(), "yes-token",
                        [&written](bool ok, const QString &) { written = ok; });
            QTRY_VERIFY(written);
        }
        bar = window.addToolBar(QStringLiteral("Agent"));
        bar->setObjectName(QStringLiteral("agentBar"));
        installTestLabButton(bar, &manager, std::move(seller), std::move(jwks));
        window.resize(800, 200);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *button = bar->findChild<QToolButton *>(QStringLiteral("testLabButton"));
        QVERIFY(button && button->isVisible());
        QCOMPARE(button->text(), QStringLiteral("Test lab…"));
        // The same action is in the window's Tools menu.
        auto *tools = window.menuBar()->findChild<QMenu *>(QStringLiteral("toolsMenu"));
        QVERIFY(tools && tools->actions().contains(button->defaultAction()));
        QTest::mouseClick(button, Qt::LeftButton);
        dialog = window.findChild<TestLabDialog *>();
        QVERIFY(dialog);
        QVERIFY(historyDir.isValid());
        dialog->setHistoryPath(historyDir.filePath(QStringLiteral("history.sqlite")));
        QVERIFY(QTest::qWaitForWindowExposed(dialog));
    }

    // Starts `peer` as the Yes-man profile's agent, then opens the lab.
    void openAgainst(ScriptedPeer &peer,
                     std::function<std::shared_ptr<adcp::seller::Dispatcher>()> seller = {})
    {
        const quint16 port = peer.start();
        QVERIFY(port != 0);
        open(port, std::move(seller));
    }

    Workbench workbench;
    AgentManager manager{&workbench, nullptr, QStringLiteral("buyer-a"), nullptr};
    MemorySecretStore store;
    QTemporaryDir historyDir; // outlives the window, whose dialog writes into it
    QMainWindow window;
    QToolBar *bar = nullptr;
    TestLabDialog *dialog = nullptr;
};

} // namespace

void tst_TestLabDialog::initTestCase()
{
    // The runner settings the lab keeps go to a test folder, not the user's.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("adcp-workbench-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_testlabdialog"));
    QSettings().clear();
}

void tst_TestLabDialog::runSuitesAndOpenAFailedStep()
{
    ScriptedPeer peer(acceptEverything);
    LabWindow lab;
    lab.openAgainst(peer);
    if (QTest::currentTestFailed())
        return;
    TestLabDialog *dialog = lab.dialog;

    // Uncheck the isolation suite with the keyboard: select its row, press Space.
    auto *suites = dialog->findChild<QListWidget *>(QStringLiteral("labSuites"));
    QListWidgetItem *isolation = nullptr;
    for (int row = 0; row < suites->count(); ++row)
        if (suites->item(row)->data(Qt::UserRole).toString() == QLatin1String("isolation"))
            isolation = suites->item(row);
    QVERIFY(isolation);
    QTest::mouseClick(suites->viewport(), Qt::LeftButton, {}, suites->visualItemRect(isolation).center());
    QTest::keyClick(suites, Qt::Key_Space);
    QCOMPARE(isolation->checkState(), Qt::Unchecked);

    auto *run = dialog->findChild<QPushButton *>(QStringLiteral("labRun"));
    auto *status = dialog->findChild<QLabel *>(QStringLiteral("labStatus"));
    QVERIFY(run->isEnabled());
    QTest::mouseClick(run, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QLatin1String("failed")), 120000);
    QVERIFY(run->isEnabled());
    QVERIFY(!dialog->lastRun().steps.empty());
    for (const auto &step : dialog->lastRun().steps)
        QVERIFY2(step.suite != QLatin1String("isolation"), "an unchecked suite ran");

    // Click the failed step's row: its verdict, reason and the exchange behind it are shown.
    auto *tree = dialog->findChild<QTreeWidget *>(QStringLiteral("labResults"));
    QTreeWidgetItem *failed = findStep(tree, QStringLiteral("A malformed request is refused naming the field"));
    QVERIFY(failed);
    QVERIFY(failed->text(1).contains(QLatin1String("failed")));
    tree->scrollToItem(failed);
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, tree->visualItemRect(failed).center());
    auto *exchanges = dialog->findChild<QPlainTextEdit *>(QStringLiteral("labExchanges"));
    QVERIFY(exchanges->toPlainText().contains(QLatin1String("get_products")));
    QVERIFY(exchanges->toPlainText().contains(QLatin1String("lab_not_a_mode")));
    // The verdicts take most of the height; the details pane keeps enough for a request.
    QVERIFY2(
        tree->height() > 2 * exchanges->height() && exchanges->height() >= 100,
        qPrintable(
            QStringLiteral("results %1 px, details %2 px").arg(tree->height()).arg(exchanges->height())));
    QVERIFY(!exchanges->toPlainText().contains(QLatin1String("yes-token")));

    // Run again with isolation checked and a second token typed in, then compare with the first run: the
    // isolation steps were not in it, so they are marked as changed.
    QTest::mouseClick(suites->viewport(), Qt::LeftButton, {}, suites->visualItemRect(isolation).center());
    QTest::keyClick(suites, Qt::Key_Space);
    QCOMPARE(isolation->checkState(), Qt::Checked);
    auto *tokenB = dialog->findChild<QLineEdit *>(QStringLiteral("labTokenB"));
    QTest::mouseClick(tokenB, Qt::LeftButton);
    QTest::keyClicks(tokenB, QStringLiteral("second-token"));
    const qint64 firstRun = dialog->lastRun().historyId;
    QVERIFY(firstRun > 0);
    QTest::mouseClick(run, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->lastRun().historyId > firstRun && run->isEnabled(), 120000);
    auto *compare = dialog->findChild<QComboBox *>(QStringLiteral("labCompare"));
    QCOMPARE(compare->count(), 2); // "(no comparison)" and the first run
    compare->setFocus();
    QTest::keyClick(compare, Qt::Key_Down);
    QCOMPARE(compare->currentData().toLongLong(), firstRun);
    QVERIFY2(status->text().contains(QLatin1String("3 step(s) changed")), qPrintable(status->text()));
    QTreeWidgetItem *isolated = findStep(tree, QStringLiteral("B does not see A's buy"));
    QVERIFY(isolated);
    QCOMPARE(isolated->text(4), QStringLiteral("(not run)"));
    QVERIFY(isolated->font(0).bold());
    QVERIFY(dialog->grab().save(QStringLiteral(ADCP_BINARY_DIR "/testlab-dialog.png")));
}

// Escape during a run (an agent that never answers) keeps the lab open and says how to stop or leave the run;
// Cancel run ends it, and Escape then closes the lab as in any dialog.
void tst_TestLabDialog::escapeDuringARunKeepsTheLab()
{
    ScriptedPeer peer([](const ScriptedPeer::Seen &, int) {
        ScriptedPeer::Answer hold;
        hold.hold = true;
        return hold;
    });
    LabWindow lab;
    lab.openAgainst(peer);
    if (QTest::currentTestFailed())
        return;
    TestLabDialog *dialog = lab.dialog;
    auto *run = dialog->findChild<QPushButton *>(QStringLiteral("labRun"));
    auto *cancel = dialog->findChild<QPushButton *>(QStringLiteral("labCancel"));
    auto *status = dialog->findChild<QLabel *>(QStringLiteral("labStatus"));
    QTest::mouseClick(run, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(cancel->isEnabled() && !peer.seen.isEmpty(), 60000);

    const auto pressEscape = [dialog] {
        QWidget *focus = dialog->focusWidget();
        QTest::keyClick(focus ? focus : dialog, Qt::Key_Escape);
    };
    pressEscape();
    QVERIFY(dialog->isVisible());
    QVERIFY2(status->text().contains(QStringLiteral("Cancel run")), qPrintable(status->text()));

    QTest::mouseClick(cancel, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(run->isEnabled() && !cancel->isEnabled(), 120000);
    pressEscape();
    QTRY_VERIFY(!dialog->isVisible());
}

// The embedded seller is offered first; chosen with the keyboard and run, every suite passes against it, served
// on loopback under the lab's own two principals (so the isolation suite runs too).
void tst_TestLabDialog::embeddedSellerIsATarget()
{
    QTemporaryDir sellerDir;
    QVERIFY(sellerDir.isValid());
    QString error;
    // As the window has it: the seller with its execution running, whose webhook sender signs with the keys
    // the lab is given (so the webhooks suite runs too).
    adcp::seller::SellerOptions options;
    options.databasePath = sellerDir.filePath(QStringLiteral("seller.sqlite"));
    const auto context = adcp::seller::SellerContext::open(options, &error);
    QVERIFY2(context, qPrintable(error));
    const auto seller = std::make_shared<adcp::seller::Dispatcher>(context);
    const auto execution = adcp::seller::Execution::start(context, adcp::seller::ExecutionOptions{}, &error);
    QVERIFY2(execution && execution->webhookSender(), qPrintable(error));
    const nlohmann::json jwks = execution->webhookSender()->jwks();

    LabWindow lab;
    lab.open(
        0, [seller] { return seller; }, [jwks] { return jwks; });
    if (QTest::currentTestFailed())
        return;
    TestLabDialog *dialog = lab.dialog;

    auto *agent = dialog->findChild<QComboBox *>(QStringLiteral("labAgent"));
    QVERIFY(agent);
    QCOMPARE(agent->itemData(0).toString(), QStringLiteral("embedded")); // first, before the remote agents
    agent->setFocus();
    QTest::keyClick(agent, Qt::Key_Home);
    QCOMPARE(agent->currentData().toString(), QStringLiteral("embedded"));
    auto *run = dialog->findChild<QPushButton *>(QStringLiteral("labRun"));
    auto *status = dialog->findChild<QLabel *>(QStringLiteral("labStatus"));
    QVERIFY(run->isEnabled());
    QTest::mouseClick(run, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(run->isEnabled() && dialog->lastRun().historyId > 0, 300000);
    QVERIFY(dialog->servedEmbeddedUrl().host() == QLatin1String("127.0.0.1"));
    int passed = 0;
    bool isolationRan = false;
    bool controllerRan = false;
    for (const auto &step : dialog->lastRun().steps) {
        QVERIFY2(step.verdict != adcp::lab::Verdict::Failed,
                 qPrintable(step.suite + QStringLiteral("/") + step.title + QStringLiteral(": ") + step.reason));
        passed += step.verdict == adcp::lab::Verdict::Passed ? 1 : 0;
        isolationRan = isolationRan || (step.suite == QLatin1String("isolation") &&
                                        step.verdict == adcp::lab::Verdict::Passed);
        // The lab's principal A on the embedded seller is a sandbox one: the controller suite runs.
        controllerRan = controllerRan || (step.suite == QLatin1String("controller") &&
                                          step.verdict == adcp::lab::Verdict::Passed);
    }
    QVERIFY2(
        passed == int(dialog->lastRun().steps.size()),
        qPrintable(QStringLiteral("%1 of %2 steps passed").arg(passed).arg(dialog->lastRun().steps.size())));
    QVERIFY(isolationRan);
    QVERIFY(controllerRan);
    // The webhooks suite ran too: the served seller publishes the keys its execution signs with.
    QVERIFY(std::any_of(dialog->lastRun().steps.begin(), dialog->lastRun().steps.end(), [](const auto &step) {
        return step.suite == QLatin1String("webhooks") &&
               step.step == QLatin1String("retried_with_same_key") &&
               step.verdict == adcp::lab::Verdict::Passed;
    }));
    QVERIFY2(status->text().contains(QLatin1String(" 0 failed")), qPrintable(status->text()));

    // Manual approval turned on in the console while the lab is open: the lab says, under the agent, that
    // account and buying steps will fail because of it (a walk saw 26 ACCOUNT_SETUP_REQUIRED and no hint).
    auto *warning = dialog->findChild<QLabel *>(QStringLiteral("labTargetWarning"));
    QVERIFY(warning && !warning->isVisible());
    context->setManualApproval(true);
    QTRY_VERIFY(warning->isVisible());
    QVERIFY2(warning->text().contains(QLatin1String("Manual approval")), qPrintable(warning->text()));
    context->setManualApproval(false);
    QTRY_VERIFY(!warning->isVisible());
    execution->stop();
}

// Two agents on the same suites: the embedded seller's run, then a remote agent's, and "Compare with" offers
// the other agent's latest run; picked with the keyboard, its verdicts fill the column named after it and the
// steps where the two disagree are bold.
void tst_TestLabDialog::twoAgentsSideBySide()
{
    QTemporaryDir sellerDir;
    QVERIFY(sellerDir.isValid());
    QString error;
    const auto seller = openTestSeller(sellerDir, &error);
    QVERIFY2(seller, qPrintable(error));
    ScriptedPeer peer(acceptEverything);
    LabWindow lab;
    lab.openAgainst(peer, [seller] { return seller; });
    if (QTest::currentTestFailed())
        return;
    TestLabDialog *dialog = lab.dialog;

    auto *agent = dialog->findChild<QComboBox *>(QStringLiteral("labAgent"));
    auto *run = dialog->findChild<QPushButton *>(QStringLiteral("labRun"));
    auto *status = dialog->findChild<QLabel *>(QStringLiteral("labStatus"));
    agent->setFocus();
    QTest::keyClick(agent, Qt::Key_Home);
    QCOMPARE(agent->currentData().toString(), QStringLiteral("embedded"));
    QTest::mouseClick(run, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(run->isEnabled() && dialog->lastRun().historyId > 0, 300000);
    const qint64 embeddedRun = dialog->lastRun().historyId;
    const QString embeddedName = dialog->lastRun().agentName;
    // Kept under its name, not the loopback address of this one run.
    QCOMPARE(embeddedName, QStringLiteral("Embedded seller"));

    agent->setFocus();
    QTest::keyClick(agent, Qt::Key_End);
    QCOMPARE(agent->currentData().toString(), QStringLiteral("yes-man"));
    QTest::mouseClick(run, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(run->isEnabled() && dialog->lastRun().historyId > embeddedRun, 300000);

    auto *compare = dialog->findChild<QComboBox *>(QStringLiteral("labCompare"));
    int offered = -1;
    for (int i = 0; i < compare->count(); ++i)
        if (compare->itemData(i).toLongLong() == embeddedRun)
            offered = i;
    QVERIFY2(offered > 0, "the other agent's run is not offered");
    compare->setFocus();
    while (compare->currentIndex() != offered) {
        const int before = compare->currentIndex();
        QTest::keyClick(compare, Qt::Key_Down);
        QVERIFY(compare->currentIndex() != before);
    }
    auto *tree = dialog->findChild<QTreeWidget *>(QStringLiteral("labResults"));
    QCOMPARE(tree->headerItem()->text(4), embeddedName);
    QVERIFY2(status->text().contains(embeddedName), qPrintable(status->text()));
    // The embedded seller refuses a malformed request; the yes-man does not: side by side, in bold.
    QTreeWidgetItem *malformed =
        findStep(tree, QStringLiteral("A malformed request is refused naming the field"));
    QVERIFY(malformed);
    QVERIFY(malformed->text(1).contains(QLatin1String("failed")));
    QCOMPARE(malformed->text(4), QStringLiteral("passed"));
    QVERIFY(malformed->font(0).bold());
    // Back to no comparison: the column is "Before" again and the status shows the run's own counts.
    QTest::keyClick(compare, Qt::Key_Home);
    QCOMPARE(tree->headerItem()->text(4), QStringLiteral("Before"));
    QVERIFY2(status->text().contains(QLatin1String(" passed, ")) &&
                 !status->text().contains(QLatin1String("differ")),
             qPrintable(status->text()));
}

namespace {

QString harnessSdk()
{
    const QByteArray env = qgetenv("ADCP_HARNESS_DIR");
    const QString sdk = (env.isEmpty() ? QDir::homePath() + QStringLiteral("/.cache/adcp-harness")
                                       : QString::fromLocal8Bit(env)) +
                        QStringLiteral("/sdk");
    return QFile::exists(sdk + QStringLiteral("/node_modules/@adcp/sdk/bin/adcp.js")) ? sdk : QString();
}

// Ticks an item of a list with the keyboard: moved to, then Space. (A synthetic click on its check box left
// it unticked once in the sanitizer suite of a CI run; a click the view reads as part of a double click does
// not toggle. The keyboard has no pointer timing.)
void tickWithSpace(QListWidget *list, QListWidgetItem *item)
{
    list->setFocus(Qt::TabFocusReason);
    list->setCurrentItem(item, QItemSelectionModel::NoUpdate);
    list->scrollToItem(item);
    QTest::keyClick(list, Qt::Key_Space);
}

LabRunnerSettingsDialog *openRunnerSettings(TestLabDialog *dialog)
{
    auto *button = dialog->findChild<QPushButton *>(QStringLiteral("labRunnerSettings"));
    if (!button || !button->isVisible())
        return nullptr;
    QTest::mouseClick(button, Qt::LeftButton);
    auto *settings = dialog->findChild<LabRunnerSettingsDialog *>();
    return settings && QTest::qWaitForWindowExposed(settings) ? settings : nullptr;
}

} // namespace

// The official runner as the second engine, as a person uses it: the engine picked with the keyboard, the
// runner's path typed into Runner settings (checked as typed), two storyboards from the runner's own list,
// Run against the embedded seller; its steps fill the same tree with its verdicts and a step's answer is
// shown.
void tst_TestLabDialog::officialRunnerEngine()
{
    const QString sdk = harnessSdk();
    if (sdk.isEmpty())
        QSKIP("the AdCP harness is not installed (../shared/harness/install.sh)");
    QSettings().remove(QStringLiteral("testLab"));
    QTemporaryDir sellerDir;
    QVERIFY(sellerDir.isValid());
    QString error;
    const auto seller = openTestSeller(sellerDir, &error);
    QVERIFY2(seller, qPrintable(error));
    LabWindow lab;
    lab.open(0, [seller] { return seller; });
    if (QTest::currentTestFailed())
        return;
    TestLabDialog *dialog = lab.dialog;

    auto *engine = dialog->findChild<QComboBox *>(QStringLiteral("labEngine"));
    engine->setFocus();
    QTest::keyClick(engine, Qt::Key_Down);
    QCOMPARE(engine->currentIndex(), 1);
    auto *runnerStatus = dialog->findChild<QLabel *>(QStringLiteral("labRunnerStatus"));
    QVERIFY(runnerStatus->isVisible());
    QVERIFY2(runnerStatus->text().contains(QLatin1String("not installed")), qPrintable(runnerStatus->text()));
    auto *run = dialog->findChild<QPushButton *>(QStringLiteral("labRun"));
    QVERIFY(!run->isEnabled()); // no runner yet

    LabRunnerSettingsDialog *settings = openRunnerSettings(dialog);
    QVERIFY(settings);
    auto *path = settings->findChild<QLineEdit *>(QStringLiteral("runnerPath"));
    auto *found = settings->findChild<QLabel *>(QStringLiteral("runnerFound"));
    QTest::keyClicks(path, QStringLiteral("/nowhere"));
    QVERIFY2(found->text().startsWith(QString::fromUtf8("✗")), qPrintable(found->text()));
    path->selectAll();
    QTest::keyClicks(path, sdk);
    QVERIFY2(found->text().contains(QLatin1String("@adcp/sdk 6.11.0")), qPrintable(found->text()));
    QTest::mouseClick(settings->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok),
                      Qt::LeftButton);
    QVERIFY(runnerStatus->text().contains(QLatin1String("6.11.0")));

    // The runner's list arrives (a child process; the window keeps answering meanwhile).
    auto *storyboards = dialog->findChild<QListWidget *>(QStringLiteral("labStoryboards"));
    QTRY_VERIFY_WITH_TIMEOUT(storyboards->count() > 20, 120000);
    QListWidgetItem *discovery = nullptr;
    QListWidgetItem *errors = nullptr;
    for (int row = 0; row < storyboards->count(); ++row) {
        const QString id = storyboards->item(row)->data(Qt::UserRole).toString();
        if (id == QLatin1String("capability-discovery"))
            discovery = storyboards->item(row);
        if (id == QLatin1String("error-compliance"))
            errors = storyboards->item(row);
    }
    QVERIFY(discovery && errors);
    QCOMPARE(discovery->checkState(), Qt::Checked); // the default pick
    tickWithSpace(storyboards, errors);
    QCOMPARE(errors->checkState(), Qt::Checked);
    QVERIFY(run->isEnabled());

    auto *agent = dialog->findChild<QComboBox *>(QStringLiteral("labAgent"));
    QCOMPARE(agent->currentData().toString(), QStringLiteral("embedded"));
    auto *status = dialog->findChild<QLabel *>(QStringLiteral("labStatus"));
    QTest::mouseClick(run, Qt::LeftButton);
    QVERIFY(!run->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(run->isEnabled() && dialog->lastRun().historyId > 0, 300000);
    const adcp::lab::LabRun first = dialog->lastRun();
    QVERIFY(first.engine.contains(QLatin1String("6.11.0")));
    QVERIFY2(first.fatal.isEmpty(), qPrintable(first.fatal));
    QVERIFY(first.steps.size() >= 10);
    for (const auto &step : first.steps)
        QVERIFY2(step.verdict == adcp::lab::Verdict::Passed,
                 qPrintable(step.suite + u'/' + step.step + QStringLiteral(": ") + step.reason));
    QVERIFY2(status->text().contains(QLatin1String(" 0 failed")) &&
                 status->text().contains(QLatin1String("6.11.0")),
             qPrintable(status->text()));
    auto *tree = dialog->findChild<QTreeWidget *>(QStringLiteral("labResults"));
    QTreeWidgetItem *suite = nullptr;
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        if (tree->topLevelItem(i)->text(0) == QLatin1String("official/capability_discovery"))
            suite = tree->topLevelItem(i);
    QVERIFY(suite && suite->childCount() == 2);
    QTreeWidgetItem *step = suite->child(0);
    QVERIFY(step->text(1).contains(QLatin1String("passed")));
    tree->scrollToItem(step);
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, tree->visualItemRect(step).center());
    auto *exchanges = dialog->findChild<QPlainTextEdit *>(QStringLiteral("labExchanges"));
    QVERIFY(exchanges->toPlainText().contains(QLatin1String("get_adcp_capabilities")));
    QVERIFY(exchanges->toPlainText().contains(QLatin1String("does not report what it sent")));
    QVERIFY(exchanges->toPlainText().contains(QLatin1String("supported_versions"))); // the agent's answer
    QVERIFY(dialog->grab().save(QStringLiteral(ADCP_BINARY_DIR "/testlab-official.png")));

    // Again: a principal of its own per run, so the runner's fixed keys never meet the first run's.
    QTest::mouseClick(run, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(run->isEnabled() && dialog->lastRun().historyId > first.historyId, 300000);
    QCOMPARE(dialog->lastRun().count(adcp::lab::Verdict::Failed), 0);

    // Closed and opened again from the agent bar: the run is still on show.
    dialog->close();
    QTest::mouseClick(lab.bar->findChild<QToolButton *>(QStringLiteral("testLabButton")), Qt::LeftButton);
    QCOMPARE(lab.window.findChild<TestLabDialog *>(), dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QVERIFY(tree->topLevelItemCount() > 0);
}

// Runner settings' Install runs npm (here on a package tarball, so no registry is needed): its output streams
// into the log and the runner it installed is found and offered.
void tst_TestLabDialog::runnerSettingsInstallButton()
{
    QTemporaryDir work;
    QVERIFY(work.isValid());
    QString error;
    const QString tarball = makeRunnerTarball(work.path(), &error);
    if (tarball.isEmpty())
        QSKIP(qPrintable(error));
    qputenv("npm_config_offline", "true");
    LabWindow lab;
    lab.open(0);
    if (QTest::currentTestFailed())
        return;
    auto *engine = lab.dialog->findChild<QComboBox *>(QStringLiteral("labEngine"));
    engine->setFocus();
    QTest::keyClick(engine, Qt::Key_End);
    LabRunnerSettingsDialog *settings = openRunnerSettings(lab.dialog);
    QVERIFY(settings);
    const QString folder = work.filePath(QStringLiteral("installed"));
    settings->setInstallFolder(folder);
    auto *packages = settings->findChild<QLineEdit *>(QStringLiteral("runnerPackages"));
    packages->selectAll();
    QTest::keyClicks(packages, tarball);
    auto *install = settings->findChild<QPushButton *>(QStringLiteral("runnerInstall"));
    QTest::mouseClick(install, Qt::LeftButton);
    QVERIFY(!install->isEnabled());
    auto *found = settings->findChild<QLabel *>(QStringLiteral("runnerFound"));
    QTRY_VERIFY_WITH_TIMEOUT(install->isEnabled(), 300000);
    auto *log = settings->findChild<QPlainTextEdit *>(QStringLiteral("runnerInstallLog"));
    QVERIFY2(log->toPlainText().contains(QLatin1String("Installed @adcp/sdk 0.0.0-labtest")),
             qPrintable(log->toPlainText()));
    QVERIFY2(found->text().contains(QLatin1String("0.0.0-labtest")), qPrintable(found->text()));
    QCOMPARE(settings->findChild<QLineEdit *>(QStringLiteral("runnerPath"))->text(), folder);
    QTest::mouseClick(settings->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok),
                      Qt::LeftButton);
    QCOMPARE(LabRunnerSettings::load().runnerPath, folder);
    auto *runnerStatus = lab.dialog->findChild<QLabel *>(QStringLiteral("labRunnerStatus"));
    QVERIFY2(runnerStatus->text().contains(QLatin1String("0.0.0-labtest")), qPrintable(runnerStatus->text()));
    qunsetenv("npm_config_offline");
    QSettings().remove(QStringLiteral("testLab"));
}

QTEST_MAIN(tst_TestLabDialog)
#include "tst_testlabdialog.moc"
