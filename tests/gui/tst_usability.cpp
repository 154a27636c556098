#include "agentclient.h"
#include "agentmanager.h"
#include "agentprofiles.h"
#include "approvalmodel.h"
#include "briefcomposer.h"
#include "buydetailwidget.h"
#include "buymodel.h"
#include "deliverychart.h"
#include "dispatcher.h"
#include "domain/proposalstore.h"
#include "embeddedprincipal.h"
#include "errorbanner.h"
#include "exchangeinspector.h"
#include "exchangemodel.h"
#include "guidriver.h"
#include "jobs/execution.h"
#include "jsonvalues.h"
#include "mainwindow.h"
#include "modelroles.h"
#include "opportunitymodel.h"
#include "pluraltranslator.h"
#include "productmodel.h"
#include "proposaldetailwidget.h"
#include "proposallistwidget.h"
#include "proposalmodel.h"
#include "secretstore.h"
#include "sellerconsole.h"
#include "sellercontext.h"
#include "sellerdriver.h"
#include "server/bearerauth.h"
#include "server/inprocesstransport.h"
#include "server/sellerhttpserver.h"
#include "theme.h"
#include "webhookreceiver.h"
#include "workbench.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProcess>
#include <QPushButton>
#include <QScopeGuard>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>

#include <functional>

using namespace adcp::gui;
using adcp::models::BuyModel;
using adcp::models::ProposalModel;

using guidriver::buttonWithText;
using guidriver::click;
using guidriver::clickIndex;
using guidriver::clickOk;
using guidriver::signAndCreate;
using guidriver::typeInto;

// How long a QTRY waits before it calls the awaited state a hang. It only bounds a failure: a passing check goes
// on as soon as its state holds, so it is generous for a machine under load (a CI runner building in parallel).
constexpr int kHangMs = 60000;

namespace {

const QByteArray kRemoteToken = "remote-secret-token-0123456789";

} // namespace

// The window as a person uses it: every step is a mouse click or key press on a widget that is visible on
// screen, found by its object name or its text; dialogs are the real modal dialogs, answered the same way.
// Background polling runs fast (every 100 ms) the whole time, as it does in a long session with many buys.
class TestUsability final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void briefByMouseAndKeyboard();
    void newBriefStartsNewOpportunity();
    void declineSpeaksHumanLanguage();
    void refineKeepsTheBudgetCeiling();
    void buyStartsWithTheBriefsFlight();
    void exchangeLogKeepsPollingApart();
    void approveWhilePolling();
    void heldBuyFreesTheWindowAndKeepsCreateBuyOff();
    void rejectWhileTheSellersStoreIsBusy();
    void impairmentSeenByWebhookAndPackage();
    void deliveryFollowsTheSellerClock();
    void sellerConsoleHasRoomDockedAndFloating();
    void splitterKeepsTheWorkspace();
    void everyLifecycleTabInSight();
    void declineTheSellerRefusesStaysOpen();
    void closedOpportunityCannotCloseAgain();
    void opportunityScopesTheLists();
    void closedSellerConsoleComesBackFromTheViewMenu();
    void narrowWindowPutsTheConsoleAway();
    void copyCurlRunsAgainstTheEmbeddedSeller();
    void switchingToARemoteAgent();
    void unreachableAgentIsNamedWhereWorkWouldShow();
    void ctrlLGoesToTheLogThenItsFilter();

private:
    // The visible widget of that name in the window (or under `root`).
    template <typename T> T *shown(const QString &objectName, QWidget *root = nullptr)
    {
        return guidriver::shown<T>(root ? root : m_window.get(), objectName);
    }
    void waitIdle() { guidriver::waitIdle(m_workbench.get()); }
    // The planner moves the agent selector by one with the keyboard (`key`): true once `agentId` is active
    // and the window is idle again.
    bool chooseAgent(Qt::Key key, const QString &agentId);
    void sendBrief(const QString &name, const QString &text);
    QString selectProposal(int row);
    // The first proposal of `opportunity` still a draft (empty when none is).
    QString firstDraftOf(const QString &opportunity) const;
    // Selects the proposal on the Proposals tab and clicks Finalize.
    void finalize(const QString &proposalId);

    QTemporaryDir m_dir;
    std::shared_ptr<adcp::seller::SellerContext> m_context;
    std::shared_ptr<adcp::seller::Dispatcher> m_dispatcher;
    std::shared_ptr<adcp::seller::Execution> m_execution;
    std::unique_ptr<adcp::WebhookReceiver> m_receiver;
    std::unique_ptr<adcp::AgentClient> m_client;
    std::unique_ptr<Workbench> m_workbench;
    std::unique_ptr<AgentManager> m_agents;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<adcp::seller::SellerHttpServer> m_remote;
    QPointer<SellerConsole> m_console;
    adcp::models::PluralTranslator m_plurals;
    QString m_firstBuy;
};

void TestUsability::initTestCase()
{
    guidriver::startApplication(QStringLiteral("tst_usability"));
    QCoreApplication::installTranslator(&m_plurals);
    adcp::seller::SellerOptions options;
    options.databasePath = m_dir.filePath(QStringLiteral("seller.sqlite"));
    QString error;
    m_context = adcp::seller::SellerContext::open(options, &error);
    QVERIFY2(m_context, qPrintable(error));
    // As the application sets the embedded seller up: impairment webhooks go out at once.
    m_context->setWebhookCoalescenceWindow("impairment", 0);
    m_dispatcher = std::make_shared<adcp::seller::Dispatcher>(m_context);
    adcp::seller::ExecutionOptions execution;
    execution.webhooks.pollMs = 50;
    m_execution = adcp::seller::Execution::start(m_context, execution, &error);
    QVERIFY2(m_execution, qPrintable(error));
    m_receiver = std::make_unique<adcp::WebhookReceiver>(adcp::WebhookReceiverOptions{});
    m_receiver->addJwks(m_execution->webhookSender()->jwks());
    QVERIFY(m_receiver->start() != 0);
    // The planner's account exactly as the application sets it up.
    m_client = guidriver::embeddedPlannerClient(m_dispatcher);
    m_workbench = guidriver::plannerWorkbench(m_client.get(), m_context, 100);
    m_workbench->setWebhookReceiver(m_receiver.get());
    m_agents = std::make_unique<AgentManager>(m_workbench.get(), m_client.get(),
                                              QString::fromStdString(embeddedPlannerPrincipal().id),
                                              adcp::SchemaRegistry::bundled());
    m_agents->setSecretStore(new MemorySecretStore(m_agents.get()));
    m_window = std::make_unique<MainWindow>(m_workbench.get());
    m_window->setEmbeddedSeller(m_dispatcher);
    m_window->setAgentManager(m_agents.get());
    m_console = new SellerConsole(m_dispatcher, embeddedPlannerPrincipal().id);
    m_console->setAdapterControl(SellerConsole::adapterControl(m_execution));
    m_window->attachSellerConsole(m_console);
    m_window->resize(1440, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    click(shown<QPushButton>(QStringLiteral("connectButton")));
    waitIdle();
}

void TestUsability::cleanupTestCase()
{
    m_window.reset();
    m_agents.reset();
    m_workbench.reset();
    m_client.reset();
    m_remote.reset();
    m_receiver.reset();
    if (m_execution)
        m_execution->stop();
    m_execution.reset();
    m_dispatcher.reset();
    m_context.reset();
}

void TestUsability::sendBrief(const QString &name, const QString &text)
{
    typeInto(shown<QLineEdit>(QStringLiteral("briefTitle")), name);
    typeInto(shown<QPlainTextEdit>(QStringLiteral("briefText")), text);
    click(shown<QPushButton>(QStringLiteral("sendBriefButton")));
    waitIdle();
}

QString TestUsability::firstDraftOf(const QString &opportunity) const
{
    const ProposalModel *proposals = m_workbench->proposals();
    for (int row = 0; row < proposals->rowCount(); ++row) {
        if (proposals->opportunityId(row) == opportunity && proposals->status(row) == QLatin1String("draft"))
            return proposals->proposalId(row);
    }
    return {};
}

void TestUsability::finalize(const QString &proposalId)
{
    m_window->lifecycleTabs()->setCurrentIndex(int(MainWindow::Tab::Proposals));
    m_window->proposalList()->selectProposal(proposalId);
    click(m_window->proposalDetail()->finalizeButton());
    waitIdle();
}

QString TestUsability::selectProposal(int row)
{
    m_window->lifecycleTabs()->tabBar()->setFocus();
    guidriver::openTab(m_window.get(), MainWindow::Tab::Proposals);
    auto *view = shown<QTreeView>(QStringLiteral("proposalView"));
    if (!view)
        return {};
    const QModelIndex index = view->model()->index(row, ProposalModel::NameColumn);
    clickIndex(view, index);
    return index.data(adcp::models::IdRole).toString();
}

// Items 8 and 9 (channel grid): a brief typed and clicked together; the planner's account sees the catalog
// without the sandbox fixtures.
void TestUsability::briefByMouseAndKeyboard()
{
    auto *ctv = shown<QCheckBox>(QStringLiteral("channel-ctv"));
    auto *olv = shown<QCheckBox>(QStringLiteral("channel-olv"));
    QVERIFY(ctv && olv);
    QCOMPARE(ctv->text(), QStringLiteral("Connected TV"));
    const QPoint olvBefore = olv->mapTo(m_window.get(), QPoint(0, 0));
    click(ctv);
    // The grid does not re-flow: the next box is where it was, and the next click lands on it.
    QCOMPARE(olv->mapTo(m_window.get(), QPoint(0, 0)), olvBefore);
    click(olv);
    QVERIFY(ctv->isChecked() && olv->isChecked());
    click(shown<QCheckBox>(QStringLiteral("channel-streaming_audio")));
    // Every shown channel reads in full, and nothing of the form is out of reach: what the pane cannot show
    // is a scroll away (the form scrolls; Send stays below it). The less common channels open with "More
    // channels", moving nothing above them.
    QWidget *composer = m_window->briefComposer();
    auto *scroll = composer->findChild<QScrollArea *>(QStringLiteral("briefScroll"));
    QVERIFY(scroll);
    for (QCheckBox *box : composer->findChildren<QCheckBox *>()) {
        if (box->isVisible())
            QVERIFY2(box->width() >= box->sizeHint().width(), qPrintable(box->objectName()));
    }
    if (scroll->widget()->width() > scroll->viewport()->width())
        QVERIFY(scroll->horizontalScrollBar()->isVisible());
    if (scroll->widget()->height() > scroll->viewport()->height())
        QVERIFY(scroll->verticalScrollBar()->isVisible());
    QVERIFY(composer->rect().contains(
        QRect(m_window->briefComposer()->sendButton()->mapTo(composer, QPoint(0, 0)),
              m_window->briefComposer()->sendButton()->size())));
    QVERIFY(!composer->findChild<QCheckBox *>(QStringLiteral("channel-dooh"))->isVisible());
    auto *more = shown<QToolButton>(QStringLiteral("moreChannelsButton"));
    QVERIFY(more && more->text().contains(QStringLiteral("12")));
    click(more);
    QCOMPARE(olv->mapTo(m_window.get(), QPoint(0, 0)), olvBefore);
    click(shown<QCheckBox>(QStringLiteral("channel-dooh")));
    click(more);
    QVERIFY(!composer->findChild<QCheckBox *>(QStringLiteral("channel-dooh"))->isVisible());
    QVERIFY2(more->text().contains(QStringLiteral("1 ticked")), qPrintable(more->text()));
    click(more);
    click(shown<QCheckBox>(QStringLiteral("channel-dooh")));
    click(more);
    // Tab walks the form: from the brief's text to the next field, with no tab character typed.
    auto *briefText = shown<QPlainTextEdit>(QStringLiteral("briefText"));
    click(briefText);
    QTRY_VERIFY(briefText->hasFocus());
    QTest::keyClick(briefText, Qt::Key_Tab);
    QVERIFY(!briefText->hasFocus());
    QVERIFY(!briefText->toPlainText().contains(QLatin1Char('\t')));
    sendBrief(QStringLiteral("Coffee Q1"),
              QStringLiteral("Cold brew coffee launch for urban commuters aged 25-44: premium CTV and online "
                             "video, some audio"));
    QVERIFY(m_workbench->proposals()->rowCount() >= 2);
    QCOMPARE(m_window->lifecycleTabs()->currentIndex(), int(MainWindow::Tab::Proposals));
    // The keyboard moves on with the answer: Send brief went off while the brief was out, and the focus did
    // not fall to the exchange log's filter (keystrokes filtered the log away); it is in the proposal list,
    // where Down reaches the next proposal.
    QTreeView *proposalView = m_window->proposalList()->view();
    QCOMPARE(m_window->focusWidget(), static_cast<QWidget *>(proposalView));
    const int before = proposalView->currentIndex().row();
    QTest::keyClick(proposalView, Qt::Key_Down);
    QCOMPARE(proposalView->currentIndex().row(), before + 1);
    const adcp::models::ProductModel *products = m_workbench->products();
    QVERIFY(products->rowCount() > 0);
    for (int row = 0; row < products->rowCount(); ++row) {
        const nlohmann::json &product = products->productJson(row);
        QVERIFY2(!adcp::models::jsonString(product, "name").contains(QStringLiteral("Test Product")),
                 qPrintable(adcp::models::jsonString(product, "product_id")));
    }
}

// Item 2.
void TestUsability::newBriefStartsNewOpportunity()
{
    adcp::models::OpportunityModel *opportunities = m_workbench->opportunities();
    QCOMPARE(opportunities->rowCount(), 1);
    const QString first = opportunities->opportunityId(0);
    // Time moves on the seller (a trainer's day later): the new brief's deadline is from now, not then.
    m_context->clock().advance(2 * 86400 + 3600);
    auto *ctv = m_window->briefComposer()->findChild<QCheckBox *>(QStringLiteral("channel-ctv"));
    QVERIFY(ctv && ctv->isChecked()); // ticked for the first brief (the Brief tab is not on show now)
    click(shown<QPushButton>(QStringLiteral("newBriefButton")));
    QCOMPARE(m_window->lifecycleTabs()->currentIndex(), int(MainWindow::Tab::Brief));
    QVERIFY(shown<QLineEdit>(QStringLiteral("briefTitle"))->text().isEmpty());
    // A new cycle starts with no channel ticked: the last brief's stayed ticked.
    QVERIFY(ctv->isVisible() && !ctv->isChecked());
    const QDateTime deadline = shown<QDateTimeEdit>(QStringLiteral("briefDeadline"))->dateTime();
    QVERIFY(deadline > m_workbench->now());
    // The flight defaults count from the same clock (they used to stay on the wall clock's today).
    QCOMPARE(shown<QDateEdit>(QStringLiteral("briefStart"))->date(),
             m_workbench->now().toLocalTime().date().addDays(7));
    // So does the catalog's flight, shown for the first time after the clock moved (it kept the start-up
    // day).
    guidriver::openTab(m_window.get(), MainWindow::Tab::Catalog);
    QCOMPARE(shown<QDateTimeEdit>(QStringLiteral("catalogStart"))->date(),
             m_workbench->now().toLocalTime().date().addDays(1));
    guidriver::openTab(m_window.get(), MainWindow::Tab::Brief);
    sendBrief(QStringLiteral("Auto launch"), QStringLiteral("Electric SUV launch, families, CTV and online video"));
    QCOMPARE(opportunities->rowCount(), 2);
    const QString second = opportunities->opportunityId(1);
    QVERIFY(second != first);
    QCOMPARE(opportunities->index(1, 0).data().toString(), QStringLiteral("Auto launch"));
    QCOMPARE(opportunities->index(0, 0).data().toString(), QStringLiteral("Coffee Q1"));
    // The new proposals are filed under the new opportunity.
    ProposalModel *proposals = m_workbench->proposals();
    int underSecond = 0;
    for (int row = 0; row < proposals->rowCount(); ++row)
        underSecond += proposals->opportunityId(row) == second ? 1 : 0;
    QVERIFY(underSecond > 0);
    // The proposal shown is the new brief's, though the list holds the first brief's too.
    QCOMPARE(proposals->opportunityId(proposals->rowOf(m_window->proposalDetail()->proposalId())), second);
    // Second New brief: another id again.
    click(shown<QPushButton>(QStringLiteral("newBriefButton")));
    sendBrief(QStringLiteral("Tea"), QStringLiteral("Green tea, display and online video"));
    QCOMPARE(opportunities->rowCount(), 3);
    QVERIFY(opportunities->opportunityId(2) != second);
}

// Items 5 and 9 (declined version row).
void TestUsability::declineSpeaksHumanLanguage()
{
    const QString proposalId = selectProposal(0);
    QVERIFY(!proposalId.isEmpty());
    QCOMPARE(m_window->currentDetail(), MainWindow::Detail::Proposal);
    // The list leads with names: the id column is hidden, the id is in the tooltip.
    auto *view = shown<QTreeView>(QStringLiteral("proposalView"));
    QVERIFY(view->isColumnHidden(ProposalModel::IdColumn));
    QVERIFY(view->model()->index(0, ProposalModel::NameColumn).data(Qt::ToolTipRole).toString().contains(proposalId));
    QStringList reasonsShown;
    guidriver::onNextDialog(this, [&](QDialog *dialog) {
        auto *reason = dialog->findChild<QComboBox *>(QStringLiteral("declineReason"));
        for (int i = 0; i < reason->count(); ++i)
            reasonsShown << reason->itemText(i);
        reason->setFocus(Qt::TabFocusReason);
        QTest::keyClick(reason, Qt::Key_Down); // "Inventory does not fit"
        clickOk(dialog);
    });
    click(m_window->proposalDetail()->declineButton());
    waitIdle();
    QVERIFY2(reasonsShown.contains(QStringLiteral("Inventory does not fit")), qPrintable(reasonsShown.join(QLatin1Char(','))));
    QVERIFY(!reasonsShown.contains(QStringLiteral("inventory_fit")));
    ProposalModel *proposals = m_workbench->proposals();
    const int row = proposals->rowOf(proposalId);
    QCOMPARE(proposals->status(row), QStringLiteral("declined"));
    QVERIFY2(proposals->note(row).contains(QStringLiteral("Inventory does not fit")), qPrintable(proposals->note(row)));
    QVERIFY(m_window->proposalDetail()->statusLabel()->text().contains(QStringLiteral("Declined")));
    // The version the decline was about says so in its history row.
    QCOMPARE(proposals->versions(row).back().status, QStringLiteral("declined"));
    // And the seller has it declined, with the reason picked: the window says "Declined" only after it has.
    QSqlDatabase db = m_context->database();
    QString error;
    const auto stored = adcp::seller::ProposalStore::find(db, embeddedPlannerPrincipal().id,
                                                          proposalId.toStdString(), &error);
    QVERIFY2(stored, qPrintable(error));
    QCOMPARE(int(stored->state), int(adcp::seller::ProposalState::Declined));
    QCOMPARE(stored->declineReason.value_or(std::string()), std::string("inventory_fit"));
}

// Items 9 (budget ceiling) and 5 (product names after a refine).
void TestUsability::refineKeepsTheBudgetCeiling()
{
    ProposalModel *proposals = m_workbench->proposals();
    QString proposalId;
    for (int row = 0; row < 4 && proposalId.isEmpty(); ++row) {
        const QString id = selectProposal(row);
        if (proposals->status(proposals->rowOf(id)) == QLatin1String("draft"))
            proposalId = id;
    }
    QVERIFY(!proposalId.isEmpty());
    guidriver::onNextDialog(this, [](QDialog *dialog) {
        typeInto(dialog->findChild<QLineEdit *>(QStringLiteral("refineProposalAsk")),
                 QStringLiteral("keep the budget under 40,000"));
        clickOk(dialog);
    });
    click(m_window->proposalDetail()->refineButton());
    waitIdle();
    const nlohmann::json &proposal = proposals->proposalJson(proposals->rowOf(proposalId));
    const nlohmann::json guidance = adcp::models::jsonObject(proposal, "total_budget_guidance");
    QVERIFY2(adcp::models::jsonNumber(guidance, "max") <= 40000.0, guidance.dump().c_str());
    for (const auto &allocation : adcp::models::jsonArray(proposal, "allocations")) {
        const QString productId = adcp::models::jsonString(allocation, "product_id");
        QVERIFY2(m_workbench->products()->productName(productId) != productId, qPrintable(productId));
    }
}

// Item 9 (Create buy defaults to the brief's flight) and item 5 (buy title).
void TestUsability::buyStartsWithTheBriefsFlight()
{
    ProposalModel *proposals = m_workbench->proposals();
    // A proposal of the last brief ("Tea"), finalized by a click.
    const QString opportunity = m_workbench->opportunities()->opportunityId(2);
    const QString proposalId = firstDraftOf(opportunity);
    QVERIFY(!proposalId.isEmpty());
    m_window->proposalList()->selectProposal(proposalId);
    click(m_window->proposalDetail()->finalizeButton());
    waitIdle();
    QCOMPARE(proposals->status(proposals->rowOf(proposalId)), QStringLiteral("committed"));
    const QDate briefStart = QDate::currentDate().addDays(7); // the composer's default flight
    QDate dialogStart;
    QSignalSpy created(m_workbench.get(), &Workbench::buyCreated);
    guidriver::onNextDialog(this, [&](QDialog *dialog) {
        dialogStart = dialog->findChild<QDateTimeEdit *>(QStringLiteral("buyStart"))->date();
        signAndCreate(dialog);
    });
    click(m_window->proposalDetail()->createBuyButton());
    waitIdle();
    QCOMPARE(created.count(), 1);
    QVERIFY2(dialogStart >= briefStart || dialogStart == m_workbench->now().toLocalTime().date(),
             qPrintable(dialogStart.toString(Qt::ISODate)));
    QVERIFY(dialogStart != QDate());
    m_firstBuy = created.front().front().toString();
    QCOMPARE(m_window->currentDetail(), MainWindow::Detail::Buy);
    auto *title = shown<QLabel>(QStringLiteral("detailTitle"), m_window->buyDetail());
    QVERIFY(title);
    QVERIFY2(!title->text().contains(m_firstBuy) && !title->text().contains(proposalId), qPrintable(title->text()));
    QCOMPARE(title->text(), adcp::models::jsonString(proposals->proposalJson(proposals->rowOf(proposalId)), "name")
                                .toHtmlEscaped());
    QVERIFY(title->toolTip().contains(m_firstBuy));
}

// Item 6: polling stays out of the planner's log unless asked for, and is counted.
void TestUsability::exchangeLogKeepsPollingApart()
{
    adcp::models::ExchangeModel *exchanges = m_workbench->exchanges();
    // The buy is polled every 100 ms: wait for a few background rows.
    QTRY_VERIFY_WITH_TIMEOUT(exchanges->backgroundCount() >= 3, kHangMs);
    auto *view = shown<QTreeView>(QStringLiteral("exchangeView"));
    QVERIFY(view);
    for (int row = 0; row < view->model()->rowCount(); ++row)
        QVERIFY(!view->model()->index(row, 0).data(adcp::models::BackgroundRole).toBool());
    auto *toggle = shown<QCheckBox>(QStringLiteral("backgroundToggle"));
    QVERIFY(toggle);
    QVERIFY(!toggle->isChecked());
    QVERIFY2(toggle->text().contains(QString::number(exchanges->backgroundTotal()).left(1)),
             qPrintable(toggle->text()));
    click(toggle);
    bool sawBackground = false;
    for (int row = 0; row < view->model()->rowCount() && !sawBackground; ++row)
        sawBackground = view->model()->index(row, 0).data(adcp::models::BackgroundRole).toBool();
    QVERIFY(sawBackground);
    click(toggle);
}

// Item 1: Approve in the seller console works while the buyer polls several times a second.
void TestUsability::approveWhilePolling()
{
    click(shown<QCheckBox>(QStringLiteral("manualApprovalBox"), m_console));
    ProposalModel *proposals = m_workbench->proposals();
    const QString opportunity = m_workbench->opportunities()->opportunityId(1);
    const QString proposalId = firstDraftOf(opportunity);
    QVERIFY(!proposalId.isEmpty());
    finalize(proposalId);
    QSignalSpy created(m_workbench.get(), &Workbench::buyCreated);
    guidriver::onNextDialog(this, signAndCreate);
    click(m_window->proposalDetail()->createBuyButton());
    // The seller holds it: a row with an Approve button appears in the console.
    adcp::models::ApprovalModel *approvals = m_console->approvalModel();
    QTRY_VERIFY_WITH_TIMEOUT(approvals->rowCount() == 1, kHangMs);
    const QString taskId = approvals->taskId(0);
    // The reviewer reads the proposal's name, as the seller issued it, not its id.
    const QString held = approvals->index(0, adcp::models::ApprovalModel::WhatColumn).data().toString();
    QVERIFY2(
        held.contains(
            proposals->index(proposals->rowOf(proposalId), ProposalModel::NameColumn).data().toString()) &&
            !held.contains(proposalId),
        qPrintable(held));
    QPointer<QPushButton> approve = shown<QPushButton>(QStringLiteral("approve-%1").arg(taskId), m_console);
    QVERIFY(approve);
    // Whole and in sight: as wide as its label needs, inside the visible part of the table.
    QVERIFY2(approve->width() >= approve->sizeHint().width(),
             qPrintable(QStringLiteral("%1 of %2").arg(approve->width()).arg(approve->sizeHint().width())));
    QWidget *approvalsShown = m_console->approvalTable()->viewport();
    QVERIFY(approvalsShown->rect().contains(
        QRect(approve->mapTo(approvalsShown, QPoint(0, 0)), approve->size())));
    // Many polls later the very same button is still there, under the pointer.
    const int polls = m_workbench->exchanges()->backgroundTotal();
    QTRY_VERIFY_WITH_TIMEOUT(m_workbench->exchanges()->backgroundTotal() >= polls + 5, kHangMs);
    QVERIFY(approve);
    QCOMPARE(shown<QPushButton>(QStringLiteral("approve-%1").arg(taskId), m_console), approve.data());
    click(approve);
    // The note says what was approved, and when on the seller's clock: it outlives the row.
    QTRY_VERIFY_WITH_TIMEOUT(shown<QLabel>(QStringLiteral("approvalNote"), m_console)
                                 ->text()
                                 .startsWith(QStringLiteral("Approved ")),
                             kHangMs);
    QVERIFY2(
        shown<QLabel>(QStringLiteral("approvalNote"), m_console)->text().contains(QStringLiteral(" UTC.")),
        qPrintable(shown<QLabel>(QStringLiteral("approvalNote"), m_console)->text()));
    QTRY_COMPARE_WITH_TIMEOUT(created.count(), 1, kHangMs);
    waitIdle();
    QCOMPARE(proposals->status(proposals->rowOf(proposalId)), QStringLiteral("consumed"));
    QTRY_COMPARE_WITH_TIMEOUT(approvals->rowCount(), 0, kHangMs);
}

// Item 1: a buy the seller holds for its approval leaves the window free at once; the buy stays pending on
// the seller, so Create buy stays off until the seller answers.
void TestUsability::heldBuyFreesTheWindowAndKeepsCreateBuyOff()
{
    ProposalModel *proposals = m_workbench->proposals();
    const QString opportunity = m_workbench->opportunities()->opportunityId(0);
    const QString proposalId = firstDraftOf(opportunity);
    QVERIFY(!proposalId.isEmpty());
    finalize(proposalId);
    auto *log = m_workbench->exchanges();
    const adcp::Exchange *newest = log->exchange(log->rowCount() - 1);
    const quint64 lastBefore = newest ? newest->id : 0;
    guidriver::onNextDialog(this, signAndCreate);
    click(m_window->proposalDetail()->createBuyButton());
    adcp::models::ApprovalModel *approvals = m_console->approvalModel();
    QTRY_VERIFY_WITH_TIMEOUT(approvals->rowCount() == 1, kHangMs);
    // The seller's `submitted` answer has reached the workbench (the approval row can appear before it).
    QTRY_VERIFY_WITH_TIMEOUT(
        guidriver::answeredSubmitted(log, QStringLiteral("create_media_buy"), lastBefore), kHangMs);
    // The window does not sit busy while the seller reviews (that can take hours): nothing to cancel, the
    // status bar says what happened, and the proposal waits.
    waitIdle();
    QVERIFY(!m_workbench->isBusy());
    QVERIFY(!m_window->findChild<QPushButton *>(QStringLiteral("cancelCallsButton"))->isVisible());
    QVERIFY2(m_window->statusMessage()->text().contains(QStringLiteral("Submitted")),
             qPrintable(m_window->statusMessage()->text()));
    QCOMPARE(proposals->status(proposals->rowOf(proposalId)), QStringLiteral("submitted"));
    QVERIFY(m_workbench->isAwaitingApproval(proposalId));
    QVERIFY(!m_window->proposalDetail()->createBuyButton()->isEnabled());
    QVERIFY(m_window->proposalDetail()->statusLabel()->text().contains(QStringLiteral("Awaiting seller approval")));
    // The seller's task is named once in the detail (the walk saw the waiting message twice, once in large
    // type).
    const QString taskId = approvals->taskId(0);
    int mentions = 0;
    for (const QLabel *label : m_window->proposalDetail()->findChildren<QLabel *>())
        mentions += label->isVisible() && label->text().contains(taskId) ? 1 : 0;
    QCOMPARE(mentions, 1);
    // Polling goes on and nothing re-enables it.
    const int polls = m_workbench->exchanges()->backgroundTotal();
    QTRY_VERIFY_WITH_TIMEOUT(m_workbench->exchanges()->backgroundTotal() >= polls + 5, kHangMs);
    QVERIFY(!m_window->proposalDetail()->createBuyButton()->isEnabled());
    // The trainer approves; the workbench, still following the task, files the buy.
    QSignalSpy created(m_workbench.get(), &Workbench::buyCreated);
    click(shown<QPushButton>(QStringLiteral("approve-%1").arg(approvals->taskId(0)), m_console));
    QTRY_COMPARE_WITH_TIMEOUT(created.count(), 1, kHangMs);
    QCOMPARE(proposals->status(proposals->rowOf(proposalId)), QStringLiteral("consumed"));
    QVERIFY(!m_workbench->isAwaitingApproval(proposalId));
    click(shown<QCheckBox>(QStringLiteral("manualApprovalBox"), m_console));
}

// The console changes the seller off the window's thread: with another writer holding the seller's store, a
// click on Reject returns at once and the window goes on; the rejection lands when the store is free.
void TestUsability::rejectWhileTheSellersStoreIsBusy()
{
    click(shown<QCheckBox>(QStringLiteral("manualApprovalBox"), m_console));
    waitIdle();
    // A brief of its own, so that its proposals are drafts whatever ran before.
    click(shown<QPushButton>(QStringLiteral("newBriefButton")));
    sendBrief(QStringLiteral("Rejected launch"),
              QStringLiteral("Cold brew coffee launch for urban commuters: CTV and online video"));
    ProposalModel *proposals = m_workbench->proposals();
    const QString opportunity =
        m_workbench->opportunities()->opportunityId(m_workbench->opportunities()->rowCount() - 1);
    const QString proposalId = firstDraftOf(opportunity);
    QVERIFY(!proposalId.isEmpty());
    finalize(proposalId);
    guidriver::onNextDialog(this, signAndCreate);
    click(m_window->proposalDetail()->createBuyButton());
    adcp::models::ApprovalModel *approvals = m_console->approvalModel();
    QTRY_VERIFY_WITH_TIMEOUT(approvals->rowCount() == 1, kHangMs);
    const QString taskId = approvals->taskId(0);
    QPointer<QPushButton> reject = shown<QPushButton>(QStringLiteral("reject-%1").arg(taskId), m_console);
    QVERIFY(reject);
    QSignalSpy finished(m_console.data(), &SellerConsole::actionFinished);
    QSignalSpy failed(m_workbench.get(), &Workbench::actionFailed);
    {
        // Another writer (a job, a second program) holds the store's write lock.
        QSqlDatabase holder = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("holder"));
        holder.setDatabaseName(m_dir.filePath(QStringLiteral("seller.sqlite")));
        QVERIFY(holder.open());
        QSqlQuery lock(holder);
        QVERIFY2(lock.exec(QStringLiteral("BEGIN IMMEDIATE")), qPrintable(lock.lastError().text()));
        click(reject);
        // The click came back while the seller cannot be written: the change waits on the console's thread.
        QCOMPARE(m_console->actionsRunning(), 1);
        QCOMPARE(shown<QLabel>(QStringLiteral("approvalNote"), m_console)->text(),
                 QStringLiteral("Rejecting…"));
        QCoreApplication::processEvents();
        QCOMPARE(finished.count(), 0);
        QVERIFY(lock.exec(QStringLiteral("ROLLBACK")));
        lock.finish();
        holder.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("holder"));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kHangMs);
    QCOMPARE(finished.at(0).at(1).toString(), QString());
    QCOMPARE(m_console->actionsRunning(), 0);
    QVERIFY2(shown<QLabel>(QStringLiteral("approvalNote"), m_console)
                 ->text()
                 .startsWith(QStringLiteral("Rejected ")),
             qPrintable(shown<QLabel>(QStringLiteral("approvalNote"), m_console)->text()));
    QTRY_COMPARE_WITH_TIMEOUT(approvals->rowCount(), 0, kHangMs);
    // The workbench, following the task, learns that the seller refused the buy.
    QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), kHangMs);
    QCOMPARE(failed.constLast().at(0).toString(), QStringLiteral("Create buy"));
    QCOMPARE(failed.constLast().at(1).toString(), proposalId);
    waitIdle();
    QVERIFY(proposals->status(proposals->rowOf(proposalId)) != QLatin1String("consumed"));
    QVERIFY(!m_workbench->isAwaitingApproval(proposalId));
    click(shown<QCheckBox>(QStringLiteral("manualApprovalBox"), m_console));
}

// Item 9 (impairment webhooks marked "snapshot"; an impaired package shown as running).
void TestUsability::impairmentSeenByWebhookAndPackage()
{
    m_window->lifecycleTabs()->setCurrentIndex(int(MainWindow::Tab::Buys));
    auto *buys = shown<QTreeView>(QStringLiteral("buyView"));
    QVERIFY(buys);
    QVERIFY(buys->isColumnHidden(BuyModel::IdColumn));
    const QModelIndexList match = buys->model()->match(buys->model()->index(0, 0), adcp::models::IdRole, m_firstBuy,
                                                       1, Qt::MatchExactly);
    QVERIFY(!match.isEmpty());
    clickIndex(buys, buys->model()->index(match.front().row(), BuyModel::ProposalColumn));
    QCOMPARE(m_window->buyDetail()->mediaBuyId(), m_firstBuy);
    waitIdle();
    guidriver::onNextDialog(this, clickOk);
    click(m_window->buyDetail()->creativesButton());
    waitIdle();
    // Break the buy's creative from the dependency board.
    // The board is rebuilt as the buys change: both buttons are taken from the same build of it.
    QPushButton *breakButton = nullptr;
    QPointer<QPushButton> restoreButton;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
            breakButton = nullptr;
            for (QPushButton *b : m_console->findChildren<QPushButton *>())
                if (b->isVisible() && b->objectName().startsWith(QStringLiteral("break-creative-")))
                    breakButton = b;
            restoreButton = breakButton ? shown<QPushButton>(QString(breakButton->objectName())
                                                                  .replace(QStringLiteral("break-"),
                                                                           QStringLiteral("restore-")),
                                                              m_console)
                                        : nullptr;
            return breakButton != nullptr && restoreButton != nullptr;
        }(),
        kHangMs);
    const QString breakName = breakButton->objectName();
    click(breakButton);
    QTabWidget *sections = m_window->buyDetail()->sections();
    QTest::mouseClick(sections->tabBar(), Qt::LeftButton, {}, sections->tabBar()->tabRect(2).center());
    QTreeView *timeline = m_window->buyDetail()->timelineView();
    QVERIFY(timeline->isVisible());
    const auto seenByWebhook = [timeline] {
        for (int row = 0; row < timeline->model()->rowCount(); ++row) {
            const QString event = timeline->model()->index(row, 2).data().toString();
            const QString source = timeline->model()->index(row, 3).data().toString();
            if (event.startsWith(QStringLiteral("Impaired")) && source.contains(QStringLiteral("webhook")))
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(seenByWebhook(), kHangMs);
    // The board updated the status in place: the Restore button next to it is the one that was there.
    QVERIFY(restoreButton);
    // Restore applies once the board shows the creative out of service.
    QTRY_VERIFY_WITH_TIMEOUT(restoreButton && restoreButton->isEnabled(), kHangMs);
    click(restoreButton);
    const auto recoveredByWebhook = [timeline] {
        for (int row = 0; row < timeline->model()->rowCount(); ++row) {
            if (timeline->model()->index(row, 2).data().toString().startsWith(QStringLiteral("Recovered")) &&
                timeline->model()->index(row, 3).data().toString().contains(QStringLiteral("webhook")))
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(recoveredByWebhook(), kHangMs);
}

// Item 3: the delivery panel follows the seller clock without touching Hourly/Daily.
void TestUsability::deliveryFollowsTheSellerClock()
{
    QCOMPARE(m_window->buyDetail()->mediaBuyId(), m_firstBuy);
    QTabWidget *sections = m_window->buyDetail()->sections();
    QTest::mouseClick(sections->tabBar(), Qt::LeftButton, {}, sections->tabBar()->tabRect(0).center());
    DeliveryChart *chart = m_window->buyDetail()->deliveryChart();
    QVERIFY(chart->isVisible());
    auto *summary = chart->findChild<QLabel *>();
    QVERIFY(summary);
    // The buy runs on the brief's flight, which starts days after the seller's now: the trainer moves the
    // seller clock a day at a time until a day of the flight has passed.
    BuyModel *buys = m_workbench->buys();
    const QDateTime start =
        adcp::models::jsonDateTime(buys->buyJson(buys->rowOf(m_firstBuy)), "start_time");
    QVERIFY(start.isValid());
    const qint64 days = std::max<qint64>(0, m_context->clock().now().daysTo(start)) + 2;
    QVERIFY(days <= 30);
    for (qint64 day = 0; day < days; ++day) {
        click(buttonWithText(m_console, QStringLiteral("+1 day")));
        waitIdle();
    }
    QTRY_VERIFY2_WITH_TIMEOUT(!summary->text().startsWith(QStringLiteral("0 impressions")),
                              qPrintable(summary->text()), kHangMs);
    QVERIFY(chart->deliveredPointCount() > 0);
    const QString before = summary->text();
    click(buttonWithText(m_console, QStringLiteral("+1 day")));
    QTRY_VERIFY2_WITH_TIMEOUT(summary->text() != before, qPrintable(summary->text()), kHangMs);
}

// Item 4.
void TestUsability::sellerConsoleHasRoomDockedAndFloating()
{
    QDockWidget *dock = m_window->sellerConsoleDock();
    QVERIFY(dock->isVisible());
    QCOMPARE(m_window->currentDetail(), MainWindow::Detail::Buy);
    QVERIFY2(dock->width() >= 300, qPrintable(QString::number(dock->width())));
    // Nothing of it is scrolled out of sight sideways: the approval and dependency buttons sit at its right
    // edge.
    auto *scroll = m_console->findChild<QScrollArea *>();
    QVERIFY(scroll && scroll->widget());
    QVERIFY2(scroll->widget()->width() <= scroll->viewport()->width(),
             qPrintable(QStringLiteral("content %1, shown %2")
                            .arg(scroll->widget()->width())
                            .arg(scroll->viewport()->width())));
    // Nor inside the dependency board: each row's Restore button is whole in the board's viewport (a long id
    // is elided instead).
    QTableWidget *board = m_console->dependencyTable();
    QVERIFY(board->rowCount() > 0);
    int restores = 0;
    for (QPushButton *restore : board->findChildren<QPushButton *>()) {
        if (!restore->isVisible() || !restore->objectName().startsWith(QStringLiteral("restore-")))
            continue;
        ++restores;
        const QRect at(restore->mapTo(board->viewport(), QPoint(0, 0)), restore->size());
        // Sideways only: rows further down are scrolled to as any table's are.
        QVERIFY2(at.left() >= 0 && at.right() <= board->viewport()->rect().right(),
                 qPrintable(QStringLiteral("%1 at x %2..%3, board %4 wide")
                                .arg(restore->objectName())
                                .arg(at.left())
                                .arg(at.right())
                                .arg(board->viewport()->width())));
    }
    QVERIFY(restores > 0);
    // Floated, it opens at a size its tables can be used at.
    dock->setFloating(true);
    QTRY_VERIFY(dock->isFloating());
    QVERIFY2(dock->width() >= 400 && dock->height() >= 500,
             qPrintable(QStringLiteral("%1×%2").arg(dock->width()).arg(dock->height())));
    dock->setFloating(false);
    QTRY_VERIFY(!dock->isFloating());
    QVERIFY(dock->width() >= 300);
}

// Item 9: the exchange splitter cannot collapse the workspace.
void TestUsability::splitterKeepsTheWorkspace()
{
    auto *splitter = m_window->findChild<QSplitter *>(QStringLiteral("verticalSplitter"));
    QVERIFY(splitter && splitter->isVisible());
    QSplitterHandle *handle = splitter->handle(1);
    QVERIFY(handle->isVisible());
    const QPoint grip = handle->rect().center();
    QTest::mousePress(handle, Qt::LeftButton, {}, grip);
    QTest::mouseMove(handle, QPoint(grip.x(), grip.y() - 2000));
    QTest::mouseRelease(handle, Qt::LeftButton, {}, QPoint(grip.x(), grip.y() - 2000));
    QVERIFY2(splitter->sizes().front() >= 300, qPrintable(QString::number(splitter->sizes().front())));
    QVERIFY(m_window->lifecycleTabs()->isVisible());
}

// At 1440 px beside the docked seller console every lifecycle tab is in sight, however far the planner drags
// the splitter handles: no tab hides behind scroll arrows, and a click on the last one opens it.
void TestUsability::everyLifecycleTabInSight()
{
    QVERIFY(m_window->sellerConsoleDock()->isVisible());
    QVERIFY(!m_window->sellerConsoleDock()->isFloating());
    QTabWidget *tabs = m_window->lifecycleTabs();
    QTabBar *bar = tabs->tabBar();
    auto *splitter = m_window->findChild<QSplitter *>(QStringLiteral("horizontalSplitter"));
    QVERIFY(splitter && splitter->count() == 3);
    const int before = tabs->currentIndex();
    const auto allInSight = [&](const char *when) {
        for (int i = 0; i < bar->count(); ++i) {
            const QRect at = bar->tabRect(i);
            if (at.left() < 0 || at.right() > bar->width() - 1 || bar->width() > tabs->width())
                return QStringLiteral("%1: tab %2 at x %3..%4, bar %5 wide, centre %6 wide")
                    .arg(QLatin1String(when), bar->tabText(i))
                    .arg(at.left())
                    .arg(at.right())
                    .arg(bar->width())
                    .arg(tabs->width());
        }
        for (const QToolButton *arrow : bar->findChildren<QToolButton *>()) {
            if (arrow->isVisible())
                return QStringLiteral("%1: a scroll arrow shows").arg(QLatin1String(when));
        }
        return QString();
    };
    QString problem = allInSight("as opened");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    // Both handles dragged as far towards the centre as they go.
    for (const int side : {1, 2}) {
        QSplitterHandle *handle = splitter->handle(side);
        const QPoint grip = handle->rect().center();
        const int towards = side == 1 ? 2000 : -2000;
        QTest::mousePress(handle, Qt::LeftButton, {}, grip);
        QTest::mouseMove(handle, QPoint(grip.x() + towards, grip.y()));
        QTest::mouseRelease(handle, Qt::LeftButton, {}, QPoint(grip.x() + towards, grip.y()));
    }
    problem = allInSight("handles dragged in");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const int last = bar->count() - 1;
    QCOMPARE(bar->tabText(last), QStringLiteral("Audiences"));
    QTest::mouseClick(bar, Qt::LeftButton, {}, bar->tabRect(last).center());
    QCOMPARE(tabs->currentIndex(), last);
    tabs->setCurrentIndex(before);
}

// A decline the seller refuses (someone bought the proposal meanwhile, outside this window) is an error under
// the action, and the proposal is not shown declined.
void TestUsability::declineTheSellerRefusesStaysOpen()
{
    click(shown<QPushButton>(QStringLiteral("newBriefButton")));
    sendBrief(QStringLiteral("Bought elsewhere"),
              QStringLiteral("Coffee for commuters, online video and audio"));
    adcp::models::OpportunityModel *opportunities = m_workbench->opportunities();
    const QString proposalId = firstDraftOf(opportunities->opportunityId(opportunities->rowCount() - 1));
    QVERIFY(!proposalId.isEmpty());
    finalize(proposalId);
    ProposalModel *proposals = m_workbench->proposals();
    QCOMPARE(proposals->status(proposals->rowOf(proposalId)), QStringLiteral("committed"));
    // The keyboard stayed in the detail pane through the call (Finalize went off under it): what the planner
    // types next does not land in the exchange log's filter.
    QWidget *focus = m_window->focusWidget();
    QVERIFY(focus);
    QVERIFY2(focus == m_window->proposalDetail() || m_window->proposalDetail()->isAncestorOf(focus),
             qPrintable(focus->objectName()));
    QTest::keyClicks(focus, QStringLiteral("zz"));
    QVERIFY(shown<QLineEdit>(QStringLiteral("exchangeFilter"))->text().isEmpty());
    {
        QSqlDatabase db = m_context->database();
        QString error;
        const std::string principal = embeddedPlannerPrincipal().id;
        const auto stored =
            adcp::seller::ProposalStore::find(db, principal, proposalId.toStdString(), &error);
        QVERIFY2(stored, qPrintable(error));
        const QDateTime now = m_context->clock().now();
        QVERIFY2(adcp::seller::ProposalStore::reserve(db, principal, stored->proposalId, stored->version, now,
                                                      &error),
                 qPrintable(error));
        QVERIFY2(adcp::seller::ProposalStore::consume(db, principal, stored->proposalId, "mb_elsewhere", now,
                                                      &error),
                 qPrintable(error));
    }
    m_window->lifecycleTabs()->setCurrentIndex(int(MainWindow::Tab::Proposals));
    m_window->proposalList()->selectProposal(proposalId);
    guidriver::onNextDialog(this, [&](QDialog *dialog) { clickOk(dialog); });
    click(m_window->proposalDetail()->declineButton());
    waitIdle();
    QCOMPARE(proposals->status(proposals->rowOf(proposalId)), QStringLiteral("committed"));
    ErrorBanner *banner = m_window->proposalDetail()->errorBanner();
    QVERIFY(banner->isVisible());
    QVERIFY2(banner->text().contains(QStringLiteral("mb_elsewhere")), qPrintable(banner->text()));
}

// Close opportunity… closes the planning cycle once: afterwards the button is off and says why (it used to
// stay on, and a second close overwrote how the first had ended).
void TestUsability::closedOpportunityCannotCloseAgain()
{
    adcp::models::OpportunityModel *opportunities = m_workbench->opportunities();
    const QString opportunity = opportunities->opportunityId(opportunities->rowCount() - 1);
    QVERIFY(opportunities->closeReason(opportunity).isEmpty());
    ProposalModel *proposals = m_workbench->proposals();
    QString proposalId;
    for (int row = 0; row < proposals->rowCount() && proposalId.isEmpty(); ++row) {
        if (proposals->opportunityId(row) == opportunity)
            proposalId = proposals->proposalId(row);
    }
    QVERIFY(!proposalId.isEmpty());
    m_window->lifecycleTabs()->setCurrentIndex(int(MainWindow::Tab::Proposals));
    m_window->proposalList()->selectProposal(proposalId);
    QPushButton *close = m_window->proposalDetail()->closeOpportunityButton();
    QVERIFY(close->isEnabled());
    guidriver::onNextDialog(this, [&](QDialog *dialog) { clickOk(dialog); });
    click(close);
    waitIdle();
    QVERIFY(!opportunities->closeReason(opportunity).isEmpty());
    QVERIFY(!close->isEnabled());
    QVERIFY(close->toolTip().contains(QStringLiteral("closed already")));
}

// The walk found the Proposals and Buys lists mixing every brief's rows, and a click in the left tree doing
// nothing. An opportunity clicked there now scopes both lists to it; its count rows open their list; "Show
// all" brings every row back; and a brief sent while the lists are scoped moves the scope to the new brief.
void TestUsability::opportunityScopesTheLists()
{
    using adcp::models::OpportunityModel;
    OpportunityModel *opportunities = m_workbench->opportunities();
    const ProposalModel *proposals = m_workbench->proposals();
    const BuyModel *buys = m_workbench->buys();
    QVERIFY(opportunities->rowCount() >= 2);
    const int buyRow = buys->rowOf(m_firstBuy);
    QVERIFY(buyRow >= 0);
    const QString bought = proposals->opportunityId(proposals->rowOf(buys->proposalId(buyRow)));
    QVERIFY(!bought.isEmpty());
    const int boughtRow = opportunities->rowOf(bought);
    const int otherRow = boughtRow == 0 ? 1 : 0;
    const QString other = opportunities->opportunityId(otherRow);
    const auto proposalsOf = [proposals](const QString &opportunity) {
        int n = 0;
        for (int row = 0; row < proposals->rowCount(); ++row)
            n += proposals->opportunityId(row) == opportunity ? 1 : 0;
        return n;
    };
    auto *tree = shown<QTreeView>(QStringLiteral("opportunityView"));
    QVERIFY(tree);
    guidriver::openTab(m_window.get(), MainWindow::Tab::Brief);

    // The opportunity: its proposals only, and the line above the list says so. The detail showed another
    // opportunity's proposal: it follows to one of this opportunity's.
    for (int row = 0; row < proposals->rowCount(); ++row) {
        if (proposals->opportunityId(row) == bought) {
            m_window->showProposal(proposals->proposalId(row));
            break;
        }
    }
    clickIndex(tree, opportunities->index(otherRow, 0));
    QCOMPARE(m_window->lifecycleTabs()->currentIndex(), int(MainWindow::Tab::Proposals));
    QCOMPARE(m_window->currentDetail(), MainWindow::Detail::Proposal);
    QCOMPARE(proposals->opportunityId(proposals->rowOf(m_window->proposalDetail()->proposalId())), other);
    auto *proposalView = shown<QTreeView>(QStringLiteral("proposalView"));
    QVERIFY(proposalView && proposalsOf(other) > 0);
    QCOMPARE(proposalView->model()->rowCount(), proposalsOf(other));
    for (int row = 0; row < proposalView->model()->rowCount(); ++row)
        QCOMPARE(proposalView->model()->index(row, 0).data(adcp::models::OpportunityRole).toString(), other);
    auto *scope = shown<QLabel>(QStringLiteral("proposalScope"));
    QVERIFY(scope);
    QVERIFY2(scope->text().contains(opportunities->title(otherRow)) &&
                 !scope->text().contains(QStringLiteral("closed")),
             qPrintable(scope->text()));
    // Scoped to one brief, the list names no brief.
    QVERIFY(!m_window->findChild<ProposalListWidget *>()->isBriefShown());
    const int oneLine =
        proposalView->visualRect(proposalView->model()->index(0, ProposalModel::NameColumn)).height();

    // Its buys row opens the Buys tab, without the buy made from another opportunity.
    const auto buysRowOf = [opportunities](int row) {
        return opportunities->index(OpportunityModel::BuysRow, 0, opportunities->index(row, 0));
    };
    clickIndex(tree, buysRowOf(otherRow));
    QCOMPARE(m_window->lifecycleTabs()->currentIndex(), int(MainWindow::Tab::Buys));
    auto *buyView = shown<QTreeView>(QStringLiteral("buyView"));
    QVERIFY(buyView);
    const auto listed = [buyView](const QString &mediaBuyId) {
        for (int row = 0; row < buyView->model()->rowCount(); ++row) {
            if (buyView->model()->index(row, 0).data(adcp::models::IdRole).toString() == mediaBuyId)
                return true;
        }
        return false;
    };
    QVERIFY(!listed(m_firstBuy));
    QVERIFY(shown<QLabel>(QStringLiteral("buyScope")));
    clickIndex(tree, buysRowOf(boughtRow));
    QVERIFY(listed(m_firstBuy));
    QVERIFY(buyView->model()->rowCount() < buys->rowCount() || buys->rowCount() == 1);

    // Show all: every buy and every proposal again, nothing chosen in the tree, no scope line.
    click(shown<QPushButton>(QStringLiteral("buyShowAll")));
    QCOMPARE(buyView->model()->rowCount(), buys->rowCount());
    QVERIFY(!tree->selectionModel()->hasSelection());
    QVERIFY(!m_window->findChild<QWidget *>(QStringLiteral("buyScopeBar"))->isVisible());
    guidriver::openTab(m_window.get(), MainWindow::Tab::Proposals);
    QCOMPARE(proposalView->model()->rowCount(), proposals->rowCount());
    QVERIFY(!m_window->findChild<QWidget *>(QStringLiteral("proposalScopeBar"))->isVisible());
    // Unscoped, the proposals of two briefs: each row names its brief under the name (a second line), as the
    // tree titles it; the filter finds proposals by their brief.
    QVERIFY(m_window->findChild<ProposalListWidget *>()->isBriefShown());
    QVERIFY(proposalView->visualRect(proposalView->model()->index(0, ProposalModel::NameColumn)).height() >=
            oneLine + proposalView->fontMetrics().height() / 2);
    for (int row = 0; row < proposalView->model()->rowCount(); ++row) {
        const QModelIndex brief = proposalView->model()->index(row, ProposalModel::BriefColumn);
        const int opportunity = opportunities->rowOf(brief.data(adcp::models::OpportunityRole).toString());
        QVERIFY(opportunity >= 0);
        QCOMPARE(brief.data().toString(), opportunities->title(opportunity));
    }
    auto *filter = shown<QLineEdit>(QStringLiteral("proposalFilter"));
    QVERIFY(filter);
    filter->setFocus();
    QTest::keyClicks(filter, opportunities->title(otherRow));
    QCOMPARE(proposalView->model()->rowCount(), proposalsOf(other));
    filter->selectAll();
    QTest::keyClick(filter, Qt::Key_Delete);
    QCOMPARE(proposalView->model()->rowCount(), proposals->rowCount());

    // Scoped again, a new brief's answer is in sight: the scope moves on to it.
    clickIndex(tree, opportunities->index(otherRow, 0));
    click(shown<QPushButton>(QStringLiteral("newBriefButton")));
    sendBrief(QStringLiteral("Juice"),
              QStringLiteral("Cold-pressed juice for runners, online video and audio"));
    const QString juice = opportunities->opportunityId(opportunities->rowCount() - 1);
    QCOMPARE(opportunities->index(opportunities->rowCount() - 1, 0).data().toString(),
             QStringLiteral("Juice"));
    QCOMPARE(m_window->lifecycleTabs()->currentIndex(), int(MainWindow::Tab::Proposals));
    QVERIFY(proposalsOf(juice) > 0);
    QCOMPARE(proposalView->model()->rowCount(), proposalsOf(juice));
    QVERIFY2(shown<QLabel>(QStringLiteral("proposalScope"))->text().contains(QStringLiteral("Juice")),
             qPrintable(shown<QLabel>(QStringLiteral("proposalScope"))->text()));
    click(shown<QPushButton>(QStringLiteral("proposalShowAll")));
    QCOMPARE(proposalView->model()->rowCount(), proposals->rowCount());
}

// The seller console closed with its title bar's button comes back from View → Seller console (it used to
// come back only from a right click on the menu bar, which nothing told of).
void TestUsability::closedSellerConsoleComesBackFromTheViewMenu()
{
    QDockWidget *dock = m_window->sellerConsoleDock();
    QVERIFY(dock->isVisible());
    auto *closeButton = dock->findChild<QAbstractButton *>(QStringLiteral("qt_dockwidget_closebutton"));
    QVERIFY(closeButton && closeButton->isVisible());
    QTest::mouseClick(closeButton, Qt::LeftButton);
    QTRY_VERIFY(!dock->isVisible());
    QMenuBar *bar = m_window->menuBar();
    auto *view = m_window->findChild<QMenu *>(QStringLiteral("viewMenu"));
    QVERIFY(view);
    QTest::mouseClick(bar, Qt::LeftButton, {}, bar->actionGeometry(view->menuAction()).center());
    QTRY_VERIFY(view->isVisible());
    QAction *console = nullptr;
    for (QAction *action : view->actions()) {
        if (action->text() == QLatin1String("Seller console"))
            console = action;
    }
    QVERIFY(console && console->isCheckable() && !console->isChecked());
    QTest::mouseClick(view, Qt::LeftButton, {}, view->actionGeometry(console).center());
    QTRY_VERIFY(dock->isVisible());
    QVERIFY(console->isChecked());
}

// A window made narrower than the lifecycle and the docked console need together (a tiling window manager,
// an X server without one, a small screen) puts the console away rather than cutting the tabs and the
// detail's buttons, says so, and brings it back once wide enough. A long status message never widens the
// window.
void TestUsability::narrowWindowPutsTheConsoleAway()
{
    QDockWidget *dock = m_window->sellerConsoleDock();
    QVERIFY(dock->isVisible() && !dock->isFloating());
    const QSize before = m_window->size();
    // As such a window manager does: the size is imposed, whatever the window's least size. The window is
    // put back for the tests after this one, whatever happens here.
    const auto restore = qScopeGuard([this, before] {
        m_window->sellerConsoleDock()->setFloating(false);
        m_window->resize(before);
        m_window->setMinimumSize(0, 0);
    });
    m_window->setMinimumSize(1, 1);
    m_window->resize(1100, before.height());
    QTRY_VERIFY(!dock->isVisible());
    QVERIFY(m_window->isSellerConsoleFolded());
    QVERIFY2(m_window->statusMessage()->text().contains(QStringLiteral("seller console is put away")),
             qPrintable(m_window->statusMessage()->text()));
    // Every lifecycle tab is in sight, once the panes are laid out again.
    QTabBar *tabs = m_window->lifecycleTabs()->tabBar();
    const auto tabsInSight = [tabs] {
        for (int i = 0; i < tabs->count(); ++i) {
            if (!tabs->rect().contains(tabs->tabRect(i)) ||
                !tabs->window()->rect().contains(
                    QRect(tabs->mapTo(tabs->window(), tabs->tabRect(i).topLeft()), tabs->tabRect(i).size())))
                return false;
        }
        return true;
    };
    QTRY_VERIFY2(tabsInSight(), qPrintable(QStringLiteral("tab bar %1 px wide at x %2")
                                               .arg(tabs->width())
                                               .arg(tabs->mapTo(m_window.get(), QPoint(0, 0)).x())));
    QVERIFY(m_window->width() <= 1100);
    // Shown again from the View menu while still narrow: on its own, not docked.
    QAction *toggle = dock->toggleViewAction();
    toggle->trigger();
    QTRY_VERIFY(dock->isVisible());
    QVERIFY(dock->isFloating());
    QVERIFY(!m_window->isSellerConsoleFolded());
    // Docked again in the narrow window, it is put away again.
    dock->setFloating(false);
    QTRY_VERIFY(!dock->isVisible());
    QVERIFY(m_window->isSellerConsoleFolded());
    // A 1366 px laptop screen holds both: in a narrow dock the console's options put their labels above their
    // boxes (side by side, they made the console 436 px at least, 1,418 px in all).
    m_window->resize(1366, before.height());
    QTRY_VERIFY(dock->isVisible() && !dock->isFloating());
    QVERIFY(!m_window->isSellerConsoleFolded());
    QTRY_VERIFY(tabsInSight());
    // Wide enough again: docked and shown.
    m_window->resize(before);
    QTRY_VERIFY(dock->isVisible() && !dock->isFloating());
    QCOMPARE(m_window->size(), before);
    // A message far longer than the window is cut, not a reason to widen it.
    m_window->showStatus(QString(400, QLatin1Char('x')));
    QCoreApplication::processEvents();
    QCOMPARE(m_window->width(), before.width());

    // A first start on a screen narrower than that (the offscreen screen is 800 px): the window fits the screen
    // and the console starts put away.
    QSettings().remove(QStringLiteral("MainWindow"));
    MainWindow small(m_workbench.get());
    small.attachSellerConsole(new SellerConsole(m_dispatcher, embeddedPlannerPrincipal().id));
    small.restoreLayout();
    const QSize screen = small.screen()->availableGeometry().size();
    QVERIFY2(screen.width() < 1400, "the offscreen screen is expected to be narrower than the window's default");
    QVERIFY(small.width() <= screen.width() && small.height() <= screen.height());
    QVERIFY(small.isSellerConsoleFolded());
    QVERIFY(small.sellerConsoleDock()->isHidden());
}

// Items 7 (remote) and 9 (heading, error banner, agent test dialog): a remote MCP seller with a token.
bool TestUsability::chooseAgent(Qt::Key key, const QString &agentId)
{
    QComboBox *selector = shown<QComboBox>(QStringLiteral("agentSelector"));
    if (!selector)
        return false;
    selector->setFocus();
    QTest::keyClick(selector, key);
    if (!QTest::qWaitFor([&] { return m_agents->activeId() == agentId; }, kHangMs))
        return false;
    waitIdle();
    return true;
}

void TestUsability::switchingToARemoteAgent()
{
    adcp::seller::BearerAuth auth;
    auth.addToken(kRemoteToken, adcp::seller::Principal{"agency-7", false});
    m_remote = std::make_unique<adcp::seller::SellerHttpServer>(m_dispatcher, std::move(auth));
    const quint16 port = m_remote->listen(QHostAddress::LocalHost, 0);
    QVERIFY(port != 0);
    AgentProfile profile{QStringLiteral("remote-1"), QStringLiteral("Remote seller"), AgentProfile::Kind::Mcp,
                         QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port)), QStringLiteral("agency-7")};
    bool written = false;
    m_agents->secretStore()->write(profile.secretKey(), kRemoteToken,
                                   [&written](bool ok, const QString &) { written = ok; });
    QTRY_VERIFY(written);
    m_agents->setProfiles({profile});
    // An error is on screen for the embedded session…
    m_window->buyDetail()->errorBanner()->showError(adcp::AdcpError::make("CONFLICT", "stale"), QStringLiteral("Pause"));
    QVERIFY(m_window->buyDetail()->errorBanner()->isVisible() || !m_window->buyDetail()->isVisible());
    // …the planner picks the remote agent with the keyboard.
    QVERIFY(chooseAgent(Qt::Key_Down, profile.id));
    QVERIFY(m_window->buyDetail()->errorBanner()->isHidden());
    QVERIFY(!m_window->sellerConsoleDock()->isVisible());
    m_window->lifecycleTabs()->setCurrentIndex(int(MainWindow::Tab::Brief));
    auto *heading = shown<QLabel>(QStringLiteral("detailTitle"), m_window->briefComposer());
    QVERIFY(heading);
    QCOMPARE(heading->text(), QStringLiteral("Write a brief to Remote seller"));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->connectionLabel()->text().contains(QStringLiteral("connected · AdCP")), kHangMs);
    // The capabilities exchange over HTTP: copy masked by default, the real token only on request.
    auto *view = shown<QTreeView>(QStringLiteral("exchangeView"));
    // The remote agent's own capabilities exchange (a late answer of the embedded seller may follow it).
    const auto remoteRow = [view] {
        for (int row = view->model()->rowCount() - 1; row >= 0; --row) {
            if (view->model()->index(row, 5).data().toString() == QLatin1String("Remote seller"))
                return row;
        }
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(remoteRow() >= 0, kHangMs);
    ExchangeInspector *inspector = m_window->exchangeInspector();
    // Late answers of the embedded session can still move rows under the pointer: click the remote row until
    // the command copied is the remote agent's.
    QString masked;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            clickIndex(view, view->model()->index(remoteRow(), 1));
            click(inspector->copyCurlButton());
            masked = QApplication::clipboard()->text();
            return masked.contains(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port));
        }(),
        kHangMs);
    QVERIFY2(masked.contains(QStringLiteral("\"Authorization: Bearer $ADCP_TOKEN\"")), qPrintable(masked));
    QVERIFY(!masked.contains(QStringLiteral("****")));
    QVERIFY(!masked.contains(QString::fromLatin1(kRemoteToken)));
    auto *note = shown<QLabel>(QStringLiteral("curlNote"), inspector);
    QVERIFY(note && note->text().contains(QStringLiteral("ADCP_TOKEN")));
    // Pasted into a shell with the token in ADCP_TOKEN, the command runs against the seller as it is.
    if (!QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty()) {
        QProcess shell;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("ADCP_TOKEN"), QString::fromLatin1(kRemoteToken));
        shell.setProcessEnvironment(env);
        QSignalSpy finished(&shell, &QProcess::finished);
        shell.start(QStringLiteral("sh"), {QStringLiteral("-c"), masked});
        QVERIFY(finished.wait(20000));
        const QByteArray answer = shell.readAllStandardOutput();
        QVERIFY2(answer.contains("\"result\"") && !answer.contains("UNAUTHORIZED") && !answer.contains("\"error\""),
                 answer.constData());
    }
    click(inspector->copySecretButton());
    const QString withSecret = QApplication::clipboard()->text();
    QVERIFY2(withSecret.contains(QStringLiteral("Bearer ") + QString::fromLatin1(kRemoteToken)), qPrintable(withSecret));
    QVERIFY(withSecret.contains(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port)));
    // Back to the embedded seller: its console returns, the heading too.
    QVERIFY(chooseAgent(Qt::Key_Up, QStringLiteral("embedded")));
    QVERIFY(m_window->sellerConsoleDock()->isVisible());
    QCOMPARE(heading->text(), QStringLiteral("Write a brief to the embedded seller"));
}

// Item 7 (embedded seller): Copy as cURL of an embedded exchange runs as pasted: the window serves the seller on
// loopback for the session, to a token of its own, as the planner.
void TestUsability::copyCurlRunsAgainstTheEmbeddedSeller()
{
    auto *view = shown<QTreeView>(QStringLiteral("exchangeView"));
    QVERIFY(view);
    const auto briefRow = [view] {
        for (int row = view->model()->rowCount() - 1; row >= 0; --row) {
            if (view->model()->index(row, 1).data().toString() == QLatin1String("get_products"))
                return row;
        }
        return -1;
    };
    QVERIFY(briefRow() >= 0);
    ExchangeInspector *inspector = m_window->exchangeInspector();
    QString command;
    // Background rows can still arrive under the pointer: click until the command copied is the brief's.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            clickIndex(view, view->model()->index(briefRow(), 1));
            click(inspector->copyCurlButton());
            command = QApplication::clipboard()->text();
            return command.contains(QStringLiteral("get_products"));
        }(),
        kHangMs);
    QVERIFY2(command.contains(QStringLiteral("http://127.0.0.1:")) && !command.contains(QStringLiteral(":8765")),
             qPrintable(command));
    QVERIFY2(command.contains(QStringLiteral("Authorization: Bearer ")), qPrintable(command));
    auto *note = shown<QLabel>(QStringLiteral("curlNote"), inspector);
    QVERIFY(note && note->text().contains(QStringLiteral("embedded seller")));
    if (QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty())
        QSKIP("curl is not installed");
    QProcess shell;
    QSignalSpy finished(&shell, &QProcess::finished);
    shell.start(QStringLiteral("sh"), {QStringLiteral("-c"), command});
    QVERIFY(finished.wait(20000));
    const QByteArray answer = shell.readAllStandardOutput();
    QVERIFY2(answer.contains("\"result\"") && answer.contains("products") && !answer.contains("UNAUTHORIZED"),
             answer.constData());
}

QTEST_MAIN(TestUsability)
#include "tst_usability.moc"

// A remote agent that does not answer: the empty lists say so (not "finalize a proposal"), and the catalog
// line no longer says when the previous agent's catalog was read. Back on the embedded seller, all reads as
// usual.
void TestUsability::unreachableAgentIsNamedWhereWorkWouldShow()
{
    m_window->lifecycleTabs()->setCurrentIndex(int(MainWindow::Tab::Catalog));
    auto *version = shown<QLabel>(QStringLiteral("catalogVersion"));
    QVERIFY(version);
    click(shown<QPushButton>(QStringLiteral("catalogLoadButton")));
    QTRY_VERIFY_WITH_TIMEOUT(version->text().contains(QStringLiteral("read at")), kHangMs);
    waitIdle();

    // A port that was just free: nothing listens there.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 port = probe.serverPort();
    probe.close();
    AgentProfile profile{QStringLiteral("dead-1"), QStringLiteral("Silent seller"), AgentProfile::Kind::Mcp,
                         QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port)),
                         QStringLiteral("agency-7")};
    m_agents->setProfiles({profile});
    QVERIFY(chooseAgent(Qt::Key_Down, profile.id));
    QVERIFY2(version->text().startsWith(QStringLiteral("Load the seller's published catalog")),
             qPrintable(version->text()));
    QVERIFY(version->toolTip().isEmpty());
    m_window->lifecycleTabs()->setCurrentIndex(int(MainWindow::Tab::Buys));
    auto *hint = shown<QLabel>(QStringLiteral("emptyStateHint"), m_window->lifecycleTabs()->currentWidget());
    QVERIFY(hint);
    QTRY_VERIFY_WITH_TIMEOUT(hint->text().startsWith(QStringLiteral("Silent seller did not answer (")),
                             kHangMs);
    QVERIFY2(hint->text().contains(QStringLiteral("Agents…")), qPrintable(hint->text()));

    QVERIFY(chooseAgent(Qt::Key_Up, QStringLiteral("embedded")));
    m_window->lifecycleTabs()->setCurrentIndex(int(MainWindow::Tab::Buys));
    if (auto *usual =
            shown<QLabel>(QStringLiteral("emptyStateHint"), m_window->lifecycleTabs()->currentWidget()))
        QCOMPARE(usual->text(),
                 QStringLiteral("Finalize a proposal and create a buy from it, or buy from the Catalog."));
    QCOMPARE(hint->text(),
             QStringLiteral("Finalize a proposal and create a buy from it, or buy from the Catalog."));
    m_agents->setProfiles({});
}

// Ctrl+L takes the keyboard to the exchange log; pressed again there, to its filter.
void TestUsability::ctrlLGoesToTheLogThenItsFilter()
{
    // Shortcuts reach the active window only (an earlier test may have left another one active).
    m_window->raise();
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_window->lifecycleTabs()->setCurrentIndex(int(MainWindow::Tab::Brief));
    m_window->briefComposer()->setFocus();
    auto *view = shown<QTreeView>(QStringLiteral("exchangeView"));
    QVERIFY(view);
    QLineEdit *filter = m_window->exchangeInspector()->filterEdit();
    QTest::keyClick(m_window.get(), Qt::Key_L, Qt::ControlModifier);
    QTRY_VERIFY(view->hasFocus());
    QTest::keyClick(view, Qt::Key_L, Qt::ControlModifier);
    QTRY_VERIFY(filter->hasFocus());
    QTest::keyClicks(filter, QStringLiteral("capab"));
    QCOMPARE(filter->text(), QStringLiteral("capab"));
    filter->clear();
}
