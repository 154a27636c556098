#include "guidriver.h"
#include "sellerdriver.h"

#include "agentclient.h"
#include "approvalmodel.h"
#include "buyeventmodel.h"
#include "buymodel.h"
#include "catalogpanel.h"
#include "dispatcher.h"
#include "embeddedprincipal.h"
#include "errorbanner.h"
#include "exchangemodel.h"
#include "jobs/execution.h"
#include "jsonvalues.h"
#include "mainwindow.h"
#include "opportunitymodel.h"
#include "pluraltranslator.h"
#include "productmodel.h"
#include "proposaldetailwidget.h"
#include "proposallistwidget.h"
#include "proposalmodel.h"
#include "sellerconsole.h"
#include "sellercontext.h"
#include "server/inprocesstransport.h"
#include "transports/mcptransport.h"
#include "workbench.h"
#include "workspacekeeper.h"
#include "workspacestore.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace adcp::gui;
using adcp::models::ProposalModel;
using guidriver::click;
using guidriver::clickOk;
using guidriver::shown;
using guidriver::signAndCreate;
using guidriver::typeInto;
using nlohmann::json;

namespace {

constexpr int kHangMs = 60000;

// Everything the application builds at start-up (guimode.cpp), over files in one folder: the embedded seller's
// database and the workspace file survive from one instance to the next, as they do across a restart.
struct Application
{
    explicit Application(const QString &dir)
    {
        adcp::seller::SellerOptions options;
        options.databasePath = QDir(dir).filePath(QStringLiteral("embedded-seller.sqlite"));
        QString error;
        context = adcp::seller::SellerContext::open(options, &error);
        QVERIFY2(context, qPrintable(error));
        SellerConsole::restoreSavedOptions(*context);
        dispatcher = std::make_shared<adcp::seller::Dispatcher>(context);
        execution = adcp::seller::Execution::start(context, adcp::seller::ExecutionOptions{}, &error);
        QVERIFY2(execution, qPrintable(error));
        client = guidriver::embeddedPlannerClient(dispatcher);
        workbench = guidriver::plannerWorkbench(client.get(), context, 100);
        store = std::make_unique<WorkspaceStore>(QDir(dir).filePath(QStringLiteral("workspaces.sqlite")));
        keeper = std::make_unique<WorkspaceKeeper>(workbench.get(), store.get());
        restored = std::make_unique<QSignalSpy>(keeper.get(), &WorkspaceKeeper::restored);
        keeper->open(QStringLiteral("embedded"), workbench->principal());
        window = std::make_unique<MainWindow>(workbench.get());
        window->setWorkspaceKeeper(keeper.get(), store->path());
        console = new SellerConsole(dispatcher, embeddedPlannerPrincipal().id);
        console->setAdapterControl(SellerConsole::adapterControl(execution));
        window->attachSellerConsole(console);
        window->resize(1440, 900);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        QTRY_COMPARE_WITH_TIMEOUT(restored->count(), 1, kHangMs);
        workbench->connectAgent();
        guidriver::waitIdle(workbench.get());
    }

    // A brief typed into the composer and sent with the mouse; a second one after "+ New brief" starts
    // another planning cycle.
    void sendBrief(const QString &title, const QString &text, bool newBrief = false)
    {
        if (newBrief)
            click(shown<QPushButton>(window.get(), QStringLiteral("newBriefButton")));
        typeInto(shown<QLineEdit>(window.get(), QStringLiteral("briefTitle")), title);
        typeInto(shown<QPlainTextEdit>(window.get(), QStringLiteral("briefText")), text);
        click(shown<QPushButton>(window.get(), QStringLiteral("sendBriefButton")));
        guidriver::waitIdle(workbench.get());
    }

    // The window closed by the user (Ctrl+Q), then the application's shutdown sequence.
    void quit()
    {
        window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(window.get()));
        QWidget *focus = QApplication::focusWidget();
        QTest::keyClick(focus ? focus : window.get(), Qt::Key_Q, Qt::ControlModifier);
        QVERIFY(!window->isVisible());
        workbench->cancelAll();
        keeper->saveNow();
        store->flush();
        window.reset();
        keeper.reset();
        store.reset();
        workbench.reset();
        client.reset();
        execution->stop();
        execution.reset();
        dispatcher.reset();
        context.reset();
    }

    std::shared_ptr<adcp::seller::SellerContext> context;
    std::shared_ptr<adcp::seller::Dispatcher> dispatcher;
    std::shared_ptr<adcp::seller::Execution> execution;
    std::unique_ptr<adcp::AgentClient> client;
    std::unique_ptr<Workbench> workbench;
    std::unique_ptr<WorkspaceStore> store;
    std::unique_ptr<WorkspaceKeeper> keeper;
    std::unique_ptr<QSignalSpy> restored;
    std::unique_ptr<MainWindow> window;
    QPointer<SellerConsole> console;
};

// Reads `workspace` back and waits for the answer.
WorkspaceSnapshot loadNow(WorkspaceStore &store, const QString &workspace, int exchangeRows,
                          int backgroundRows = 0)
{
    WorkspaceSnapshot snapshot;
    bool loaded = false;
    QObject context;
    store.load(workspace, exchangeRows, backgroundRows, &context, [&](WorkspaceSnapshot s) {
        snapshot = std::move(s);
        loaded = true;
    });
    [&] { QTRY_VERIFY_WITH_TIMEOUT(loaded, kHangMs); }();
    return snapshot;
}

QString draftOf(const ProposalModel *proposals, const QString &except = {})
{
    for (int row = 0; row < proposals->rowCount(); ++row) {
        if (proposals->status(row) == QLatin1String("draft") && proposals->proposalId(row) != except)
            return proposals->proposalId(row);
    }
    return {};
}

} // namespace

class TestWorkspace final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void storeKeepsDocumentsAndExchanges();
    void anotherAgentsExchangesStayOutOfTheWorkspace();
    void pollingDoesNotPushThePlannersExchangesOut();
    void olderFileGainsTheBackgroundColumn();
    void savedSellerOptionsAreCheckedOnRestore();
    void damagedRowsAreLeftOutAndNamed();
    void modelsReadDamagedStateSafely();
    void exchangeIdsAreUniqueAcrossClients();
    void closeMidCycleAndReopen();
    void unansweredBuyIsSentAgainUnchanged();
    void pendingDirectBuySurvivesARestart();

private:
    QTemporaryDir m_dir;
    adcp::models::PluralTranslator m_plurals;
};

void TestWorkspace::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("adcp-workbench-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_workspace"));
    QSettings().clear();
    QCoreApplication::installTranslator(&m_plurals);
    QVERIFY(m_dir.isValid());
}

// The seller console's options a test saved (manual approval, say) do not reach the next test's application.
void TestWorkspace::cleanup()
{
    QSettings().remove(QStringLiteral("embeddedSeller"));
}

// Documents replace by kind, exchanges add by id, pruning keeps the newest; a reload after a new store (a
// restart) reads what was handed over before.
void TestWorkspace::storeKeepsDocumentsAndExchanges()
{
    const QString path = m_dir.filePath(QStringLiteral("store.sqlite"));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    {
        WorkspaceStore store(path);
        store.saveDocument(QStringLiteral("a/p"), QStringLiteral("proposals"), R"([{"proposal_id":"p1"}])");
        store.saveDocument(QStringLiteral("a/p"), QStringLiteral("proposals"), R"([{"proposal_id":"p2"}])");
        store.saveDocument(QStringLiteral("b/p"), QStringLiteral("proposals"), R"([{"proposal_id":"other"}])");
        for (quint64 id = 1; id <= 5; ++id)
            store.saveExchange(QStringLiteral("a/p"), id, now.addSecs(qint64(id)),
                               json{{"id", id}, {"tool", "get_products"}}.dump());
        // Two of them are older than the retention.
        store.saveExchange(QStringLiteral("a/p"), 100, now.addDays(-40), json{{"id", 100}}.dump());
        store.saveExchange(QStringLiteral("a/p"), 101, now.addDays(-31), json{{"id", 101}}.dump());
        store.pruneExchanges(QStringLiteral("a/p"), 30, 4);
        // The store's destructor waits for every write.
    }
    WorkspaceStore store(path);
    WorkspaceSnapshot snapshot = loadNow(store, QStringLiteral("a/p"), 10);
    QVERIFY2(snapshot.problems.isEmpty(), qPrintable(snapshot.problems.join(QLatin1Char('\n'))));
    QVERIFY(snapshot.documents.value(QStringLiteral("proposals")) == json::parse(R"([{"proposal_id":"p2"}])"));
    // The four newest within 30 days, oldest first.
    QCOMPARE(snapshot.exchanges.size(), std::size_t(4));
    QCOMPARE(snapshot.exchanges.front()["id"].get<int>(), 2);
    QCOMPARE(snapshot.exchanges.back()["id"].get<int>(), 5);
    // Asking for fewer rows gives the newest ones.
    snapshot = loadNow(store, QStringLiteral("a/p"), 2);
    QCOMPARE(snapshot.exchanges.size(), std::size_t(2));
    QCOMPARE(snapshot.exchanges.front()["id"].get<int>(), 4);
    // Workspaces are apart; a removed one is empty.
    store.removeWorkspace(QStringLiteral("b/p"));
    snapshot = loadNow(store, QStringLiteral("b/p"), 10);
    QVERIFY(snapshot.documents.isEmpty());
}

// The exchange log shows every agent's exchanges of the session; a workspace keeps only those made while it
// was open: switching from agent A to agent B does not copy A's exchanges into B's workspace.
void TestWorkspace::anotherAgentsExchangesStayOutOfTheWorkspace()
{
    const QString path = m_dir.filePath(QStringLiteral("agents.sqlite"));
    const auto exchangeOf = [](quint64 id, const char *agent) {
        adcp::Exchange exchange;
        exchange.id = id;
        exchange.agent = QString::fromLatin1(agent);
        exchange.tool = QStringLiteral("get_products");
        exchange.startedAt = QDateTime::currentDateTimeUtc();
        exchange.request = json::object();
        exchange.response = json{{"products", json::array()}};
        return exchange;
    };
    const QString a = WorkspaceKeeper::workspaceKey(QStringLiteral("agent-a"), QStringLiteral("p"));
    const QString b = WorkspaceKeeper::workspaceKey(QStringLiteral("agent-b"), QStringLiteral("p"));
    {
        Workbench workbench;
        WorkspaceStore store(path);
        WorkspaceKeeper keeper(&workbench, &store);
        QSignalSpy restored(&keeper, &WorkspaceKeeper::restored);
        keeper.open(QStringLiteral("agent-a"), QStringLiteral("p"));
        QTRY_COMPARE_WITH_TIMEOUT(restored.count(), 1, kHangMs);
        workbench.exchanges()->addExchange(exchangeOf(9001, "Agent A"));
        keeper.open(QStringLiteral("agent-b"), QStringLiteral("p"));
        QTRY_COMPARE_WITH_TIMEOUT(restored.count(), 2, kHangMs);
        workbench.exchanges()->addExchange(exchangeOf(9002, "Agent B"));
        // Both rows are on screen; each was saved once, where it was made.
        QCOMPARE(workbench.exchanges()->rowCount(), 2);
        keeper.saveNow();
    }
    WorkspaceStore store(path);
    const auto ids = [&store](const QString &workspace) {
        QList<quint64> found;
        for (const json &exchange : loadNow(store, workspace, 10).exchanges)
            found << exchange.value("id", quint64(0));
        return found;
    };
    QCOMPARE(ids(a), QList<quint64>{9001});
    QCOMPARE(ids(b), QList<quint64>{9002});
}

// A day of the workbench's polling (thousands of background exchanges) neither prunes the planner's exchanges
// out of the file nor pushes them out of the log that comes back.
void TestWorkspace::pollingDoesNotPushThePlannersExchangesOut()
{
    const QString path = m_dir.filePath(QStringLiteral("polling.sqlite"));
    const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-3600);
    const auto exchangeOf = [&start](quint64 id, const char *tool) {
        adcp::Exchange exchange;
        exchange.id = id;
        exchange.agent = QStringLiteral("Agent");
        exchange.tool = QString::fromLatin1(tool);
        exchange.startedAt = start.addMSecs(qint64(id));
        exchange.request = json::object();
        exchange.response = json::object();
        return exchange;
    };
    {
        Workbench workbench;
        WorkspaceStore store(path);
        WorkspaceKeeper keeper(&workbench, &store);
        keeper.setExchangeRetention(0, 200);
        QSignalSpy restored(&keeper, &WorkspaceKeeper::restored);
        keeper.open(QStringLiteral("agent"), QStringLiteral("p"));
        QTRY_COMPARE_WITH_TIMEOUT(restored.count(), 1, kHangMs);
        adcp::models::ExchangeModel *log = workbench.exchanges();
        log->addExchange(exchangeOf(1, "get_products"));
        log->addExchange(exchangeOf(2, "create_media_buy"));
        for (quint64 id = 3; id < 1203; ++id)
            log->addExchange(exchangeOf(id, "get_media_buys"), true);
        log->addExchange(exchangeOf(1203, "get_media_buy_delivery"));
        keeper.saveNow();
        // Pruning keeps 200 of each kind: the planner's three stay in the file.
        keeper.open(QStringLiteral("agent"), QStringLiteral("p"));
        QTRY_COMPARE_WITH_TIMEOUT(restored.count(), 2, kHangMs);
    }
    WorkspaceStore store(path);
    const WorkspaceSnapshot snapshot = loadNow(store, QStringLiteral("agent/p"), 500, 100);
    QVERIFY2(snapshot.problems.isEmpty(), qPrintable(snapshot.problems.join(QLatin1Char('\n'))));
    QList<quint64> planner;
    int background = 0;
    for (const json &item : snapshot.exchanges) {
        if (item.value("background", false))
            ++background;
        else
            planner << item.value("id", quint64(0));
    }
    QCOMPARE(planner, (QList<quint64>{1, 2, 1203}));
    QCOMPARE(background, 100);
    // Oldest first, the two kinds merged by time.
    QCOMPARE(snapshot.exchanges.front().value("id", quint64(0)), quint64(1));
    QCOMPARE(snapshot.exchanges.back().value("id", quint64(0)), quint64(1203));

    // A new window on the same file shows the planner's three and the newest background rows it has room for.
    Workbench workbench;
    workbench.exchanges()->setLimit(50);
    workbench.exchanges()->setBackgroundLimit(20);
    WorkspaceKeeper keeper(&workbench, &store);
    QSignalSpy restored(&keeper, &WorkspaceKeeper::restored);
    keeper.open(QStringLiteral("agent"), QStringLiteral("p"));
    QTRY_COMPARE_WITH_TIMEOUT(restored.count(), 1, kHangMs);
    adcp::models::ExchangeModel *log = workbench.exchanges();
    QCOMPARE(log->rowCount(), 23);
    QCOMPARE(log->backgroundCount(), 20);
    QCOMPARE(log->exchangeId(0), quint64(1));
    QCOMPARE(log->exchangeId(1), quint64(2));
    QCOMPARE(log->exchangeId(22), quint64(1203));
    QCOMPARE(log->exchangeId(2), quint64(1183));
}

// A file written before the background column existed: opened, the column is added and filled from each
// exchange's own flag, and pruning and loading keep the kinds apart from then on.
void TestWorkspace::olderFileGainsTheBackgroundColumn()
{
    const QString path = m_dir.filePath(QStringLiteral("older.sqlite"));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("older"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(
            q.exec(QStringLiteral("CREATE TABLE workspace_exchanges (workspace TEXT NOT NULL, id INTEGER NOT "
                                  "NULL, started_at TEXT NOT NULL, document TEXT NOT NULL, PRIMARY KEY "
                                  "(workspace, id))")));
        QVERIFY(q.exec(QStringLiteral("CREATE INDEX workspace_exchanges_by_time ON workspace_exchanges "
                                      "(workspace, started_at)")));
        const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-60);
        for (int id = 1; id <= 30; ++id) {
            q.prepare(QStringLiteral("INSERT INTO workspace_exchanges VALUES ('w', ?, ?, ?)"));
            q.addBindValue(id);
            q.addBindValue(start.addSecs(id).toString(Qt::ISODateWithMs));
            // The first is the planner's; the rest polling; one row is not JSON at all.
            q.addBindValue(id == 7 ? QStringLiteral("{not json")
                                   : QString::fromStdString(json{{"id", id}, {"background", id > 1}}.dump()));
            QVERIFY(q.exec());
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("older"));
    WorkspaceStore store(path);
    // The damaged row counts as the planner's (and is named when read); every poll but the newest 5 goes.
    store.pruneExchanges(QStringLiteral("w"), 0, 5);
    const WorkspaceSnapshot snapshot = loadNow(store, QStringLiteral("w"), 5, 5);
    QCOMPARE(snapshot.problems.size(), 1);
    QList<int> ids;
    for (const json &item : snapshot.exchanges)
        ids << item.value("id", 0);
    QCOMPARE(ids, (QList<int>{1, 26, 27, 28, 29, 30}));
}

// The console's saved options are read like any other stored input: values out of range or of the wrong type
// leave the seller's own settings as they are; good ones are applied.
void TestWorkspace::savedSellerOptionsAreCheckedOnRestore()
{
    adcp::seller::SellerOptions options;
    options.databasePath = m_dir.filePath(QStringLiteral("options-seller.sqlite"));
    QString error;
    const auto context = adcp::seller::SellerContext::open(options, &error);
    QVERIFY2(context, qPrintable(error));
    const adcp::seller::SellerOptions before = context->options();
    {
        QSettings settings;
        settings.setValue(QStringLiteral("embeddedSeller/holdHours"), -5);
        settings.setValue(QStringLiteral("embeddedSeller/impairmentWebhookDelaySeconds"),
                          QStringLiteral("soon"));
        settings.setValue(QStringLiteral("embeddedSeller/requireProposalVersion"), true);
    }
    SellerConsole::restoreSavedOptions(*context);
    QCOMPARE(context->options().holdSeconds, before.holdSeconds);
    QVERIFY(context->options().requireProposalVersion);
    QCOMPARE(context->options().manualApproval, before.manualApproval);
    {
        QSettings settings;
        settings.setValue(QStringLiteral("embeddedSeller/holdHours"), 6);
        settings.setValue(QStringLiteral("embeddedSeller/impairmentWebhookDelaySeconds"), 9000);
    }
    SellerConsole::restoreSavedOptions(*context);
    QCOMPARE(context->options().holdSeconds, 6 * 3600);
    // Shown as the console opens on that seller.
    SellerConsole console(std::make_shared<adcp::seller::Dispatcher>(context), embeddedPlannerPrincipal().id);
    QCOMPARE(console.holdHoursBox()->value(), 6);
}

// A workspace file damaged on disk (or written by something else): unreadable rows are named and left out, the
// rest comes back, nothing crashes. A file that is not a database at all is reported, not fatal.
void TestWorkspace::damagedRowsAreLeftOutAndNamed()
{
    const QString path = m_dir.filePath(QStringLiteral("damaged.sqlite"));
    {
        WorkspaceStore store(path);
        store.saveDocument(QStringLiteral("w"), QStringLiteral("buys"), R"([])");
        store.saveDocument(QStringLiteral("w"), QStringLiteral("proposals"), R"([])");
        store.saveDocument(QStringLiteral("w"), QStringLiteral("events"), R"({})");
        store.saveExchange(QStringLiteral("w"), 1, QDateTime::currentDateTimeUtc(), R"({"id":1})");
        store.saveExchange(QStringLiteral("w"), 2, QDateTime::currentDateTimeUtc(), R"({"id":2})");
    }
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("damage"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("UPDATE workspace_documents SET document = '[{\"proposal_id\": ' WHERE kind = "
                                      "'proposals'")));
        // Nesting far deeper than the parser's limit: refused without recursion.
        QVERIFY(q.exec(QStringLiteral("UPDATE workspace_documents SET document = '%1' WHERE kind = 'events'")
                           .arg(QString(5000, QLatin1Char('[')))));
        QVERIFY(q.exec(QStringLiteral("UPDATE workspace_exchanges SET document = x'00ff' WHERE id = 2")));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("damage"));
    WorkspaceStore store(path);
    WorkspaceSnapshot snapshot = loadNow(store, QStringLiteral("w"), 10);
    QCOMPARE(snapshot.problems.size(), 3);
    QVERIFY(snapshot.problems.join(QLatin1Char(' ')).contains(QStringLiteral("proposals")));
    QVERIFY(snapshot.problems.join(QLatin1Char(' ')).contains(QStringLiteral("events")));
    QVERIFY(snapshot.documents.contains(QStringLiteral("buys")));
    QCOMPARE(snapshot.exchanges.size(), std::size_t(1));

    // Not a database: the store says so through failed() and every call is a harmless no-op.
    const QString garbage = m_dir.filePath(QStringLiteral("garbage.sqlite"));
    {
        QFile file(garbage);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(8192, 'x'));
    }
    WorkspaceStore broken(garbage);
    QSignalSpy failed(&broken, &WorkspaceStore::failed);
    broken.saveDocument(QStringLiteral("w"), QStringLiteral("buys"), "[]");
    snapshot = loadNow(broken, QStringLiteral("w"), 10);
    QVERIFY(snapshot.documents.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), kHangMs);
    QVERIFY(broken.lastError().contains(QStringLiteral("garbage.sqlite")));
}

// The saved state is untrusted input: wrong types, missing ids, numbers where strings belong and absurd values
// restore what can be read and skip the rest.
void TestWorkspace::modelsReadDamagedStateSafely()
{
    ProposalModel proposals;
    QCOMPARE(proposals.restoreState(json("not an array")), 0);
    const json mixed = json::parse(R"([
        1, null, "x", {"proposal_id": 7}, {"proposal_id": "p-no-versions", "versions": "v"},
        {"proposal_id": "p-wrong-version", "versions": [{"proposal": {"proposal_id": "someone-else"}}]},
        {"proposal_id": "p1", "local_status": 3, "versions": [
            {"version": "v1", "received_at": "yesterday", "status": [], "proposal": {"proposal_id": "p1", "name": "One"}},
            {"version": 2, "proposal": {"proposal_id": "p1", "name": "One, again"}}]},
        {"proposal_id": "p1", "versions": [{"proposal": {"proposal_id": "p1"}}]}
    ])");
    QCOMPARE(proposals.restoreState(mixed), 1);
    QCOMPARE(proposals.versions(0).size(), std::size_t(2));
    QCOMPARE(proposals.index(0, ProposalModel::NameColumn).data().toString(), QStringLiteral("One, again"));
    // Restoring again adds nothing: the live proposal wins.
    QCOMPARE(proposals.restoreState(mixed), 0);

    adcp::models::BuyModel buys;
    QCOMPARE(buys.restoreState(json::parse(R"([{"buy": 5}, {"buy": {"media_buy_id": ["mb9"]}},
        {"buy": {"media_buy_id": "mb1", "status": "active", "total_budget": "lots"}, "delivery": {"media_buy_id": "other"},
         "title": {"x": 1}}])")),
             1);
    QCOMPARE(buys.title(0), QString());

    adcp::models::BuyEventModel events;
    QCOMPARE(events.restoreState(json::parse(R"({"events": [{"key": "k", "sources": 1e300},
        {"key": "k2", "sources": 2, "reemissions": -5, "at": 12}, {"key": "k2", "sources": 1}],
        "last_snapshots": {"mb1": 3, "mb2": {"status": "active"}}})")),
             1);
    QCOMPARE(events.reemissions(0), 0);

    adcp::models::OpportunityModel opportunities;
    QCOMPARE(opportunities.restoreState(json::parse(R"([{"opportunity_id": "o1", "title": 1}, {"title": "no id"},
        {"opportunity_id": "o1"}])")),
             1);

    Workbench workbench;
    workbench.restoreSessionState(json::parse(R"({"flights": [], "awaiting": {"p": {"task_id": [4]}, "": {"task_id": "t"},
        "q": {"task_id": "t-1", "fields": "x"}}, "watched_delivery": 1})"));
    QVERIFY(workbench.isAwaitingApproval(QStringLiteral("q")));
    QVERIFY(!workbench.isAwaitingApproval(QStringLiteral("p")));
    // Known products: entries without an id, or not objects, are left out; the rest name their products again
    // and go back into the next save.
    workbench.restoreSessionState(json::parse(R"({"known_products": [1, {"name": "no id"}, {"product_id": 7},
        {"product_id": "ctv", "name": "CTV primetime"}, "x"]})"));
    QCOMPARE(adcp::models::jsonString(workbench.knownProduct(QStringLiteral("ctv")), "name"),
             QStringLiteral("CTV primetime"));
    QVERIFY(workbench.knownProduct(QStringLiteral("7")).is_null());
    QCOMPARE(adcp::models::jsonArray(workbench.sessionState(), "known_products").size(), std::size_t(1));
    workbench.restoreSessionState(json::parse(R"({"known_products": {"ctv": 1}})"));
    QVERIFY(!workbench.knownProduct(QStringLiteral("ctv")).is_null());

    bool background = true;
    QVERIFY(!adcp::models::exchangeFromJson(json::parse(R"({"id": "1"})"), &background));
    QVERIFY(!adcp::models::exchangeFromJson(json::parse(R"([1])"), &background));
    const auto exchange = adcp::models::exchangeFromJson(
        json::parse(R"({"id": 3, "elapsed_ms": -1, "http_status": 1e300, "request_issues": [1, {"pointer": 2}],
                        "request_headers": [["a", 1], ["b", "c"]], "background": "yes"})"),
        &background);
    QVERIFY(exchange);
    QCOMPARE(exchange->elapsedMs, 0);
    QCOMPARE(exchange->meta.httpStatus, 0);
    QCOMPARE(exchange->requestIssues.size(), std::size_t(1));
    QCOMPARE(exchange->meta.requestHeaders.size(), 1);
    QVERIFY(!background);
}

// Two clients (a remote agent's client is made anew on every switch) never hand out the same exchange id, so
// the log and the saved workspace never confuse two exchanges.
void TestWorkspace::exchangeIdsAreUniqueAcrossClients()
{
    const QString dir = m_dir.filePath(QStringLiteral("ids"));
    QVERIFY(QDir().mkpath(dir));
    adcp::seller::SellerOptions options;
    options.databasePath = QDir(dir).filePath(QStringLiteral("seller.sqlite"));
    QString error;
    const auto context = adcp::seller::SellerContext::open(options, &error);
    QVERIFY2(context, qPrintable(error));
    const auto dispatcher = std::make_shared<adcp::seller::Dispatcher>(context);
    QSet<quint64> ids;
    for (int round = 0; round < 3; ++round) {
        adcp::AgentClient client(
            QStringLiteral("c"),
            std::make_unique<adcp::seller::InProcessTransport>(dispatcher, embeddedPlannerPrincipal()),
            adcp::SchemaRegistry::bundled());
        for (int call = 0; call < 2; ++call) {
            adcp::PendingCall *pending = client.getAdcpCapabilities();
            QVERIFY(!ids.contains(pending->exchangeId()));
            ids.insert(pending->exchangeId());
            // The client deletes the call once finished() has been delivered.
            QSignalSpy finished(pending, &adcp::PendingCall::finished);
            QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kHangMs);
        }
    }
    QCOMPARE(ids.size(), 6);
}

// The acceptance walk: a planner closes the window mid-cycle (drafts, a declined proposal with its reason, a
// committed proposal, a live buy and a buy the seller still reviews) and opens it again: everything is back,
// the live buy keeps following the seller, and the buy approved while the window was closed is filed.
void TestWorkspace::closeMidCycleAndReopen()
{
    const QString dir = m_dir.filePath(QStringLiteral("app"));
    QVERIFY(QDir().mkpath(dir));
    QString declined;
    QString committed;
    QString awaited;
    QString liveBuy;
    QString liveTitle;
    int opportunities = 0;
    int proposalCount = 0;
    int declinedVersions = 0;
    int products = 0;
    {
        Application app(dir);
        if (QTest::currentTestFailed())
            return;
        MainWindow *window = app.window.get();
        Workbench *workbench = app.workbench.get();
        ProposalModel *proposals = workbench->proposals();
        // Two planning cycles, each with its brief.
        app.sendBrief(
            QStringLiteral("Coffee Q1"),
            QStringLiteral("Cold brew coffee launch for urban commuters: premium CTV and online video"));
        app.sendBrief(QStringLiteral("Tea"), QStringLiteral("Green tea, display and online video"), true);
        QCOMPARE(workbench->opportunities()->rowCount(), 2);
        QVERIFY2(proposals->rowCount() >= 4, qPrintable(QString::number(proposals->rowCount())));

        // Decline one with a reason.
        declined = draftOf(proposals);
        window->proposalList()->selectProposal(declined);
        guidriver::onNextDialog(this, [](QDialog *dialog) {
            auto *reason = dialog->findChild<QComboBox *>(QStringLiteral("declineReason"));
            reason->setFocus(Qt::TabFocusReason);
            QTest::keyClick(reason, Qt::Key_Down);
            clickOk(dialog);
        });
        click(window->proposalDetail()->declineButton());
        guidriver::waitIdle(workbench);
        QCOMPARE(proposals->status(proposals->rowOf(declined)), QStringLiteral("declined"));
        declinedVersions = int(proposals->versions(proposals->rowOf(declined)).size());

        // Finalize one and leave it committed.
        committed = draftOf(proposals);
        window->proposalList()->selectProposal(committed);
        click(window->proposalDetail()->finalizeButton());
        guidriver::waitIdle(workbench);
        QCOMPARE(proposals->status(proposals->rowOf(committed)), QStringLiteral("committed"));

        // Finalize another and buy it: a live buy.
        const QString bought = draftOf(proposals);
        window->proposalList()->selectProposal(bought);
        click(window->proposalDetail()->finalizeButton());
        guidriver::waitIdle(workbench);
        QSignalSpy created(workbench, &Workbench::buyCreated);
        guidriver::onNextDialog(this, [](QDialog *dialog) { signAndCreate(dialog); });
        click(window->proposalDetail()->createBuyButton());
        guidriver::waitIdle(workbench);
        QCOMPARE(created.count(), 1);
        liveBuy = created.front().front().toString();
        liveTitle = workbench->buys()->title(workbench->buys()->rowOf(liveBuy));
        QVERIFY(!liveTitle.isEmpty());

        // And one the seller holds for approval when the window closes.
        click(shown<QCheckBox>(app.console, QStringLiteral("manualApprovalBox")));
        awaited = draftOf(proposals);
        QVERIFY(!awaited.isEmpty());
        window->proposalList()->selectProposal(awaited);
        click(window->proposalDetail()->finalizeButton());
        guidriver::waitIdle(workbench);
        guidriver::onNextDialog(this, [](QDialog *dialog) { signAndCreate(dialog); });
        click(window->proposalDetail()->createBuyButton());
        QTRY_VERIFY_WITH_TIMEOUT(
            guidriver::answeredSubmitted(workbench->exchanges(), QStringLiteral("create_media_buy")),
            kHangMs);

        opportunities = workbench->opportunities()->rowCount();
        proposalCount = proposals->rowCount();
        products = workbench->products()->rowCount();
        QVERIFY(products > 0);
        app.quit();
    }
    // The seller approves the held buy while the workbench is closed.
    {
        adcp::seller::SellerOptions options;
        options.databasePath = QDir(dir).filePath(QStringLiteral("embedded-seller.sqlite"));
        QString error;
        const auto context = adcp::seller::SellerContext::open(options, &error);
        QVERIFY2(context, qPrintable(error));
        SellerConsole console(std::make_shared<adcp::seller::Dispatcher>(context), embeddedPlannerPrincipal().id);
        console.show();
        QTRY_COMPARE_WITH_TIMEOUT(console.approvalModel()->rowCount(), 1, kHangMs);
        click(shown<QPushButton>(&console, QStringLiteral("approve-%1").arg(console.approvalModel()->taskId(0))));
        QTRY_COMPARE_WITH_TIMEOUT(console.approvalModel()->rowCount(), 0, kHangMs);
    }

    Application app(dir);
    if (QTest::currentTestFailed())
        return;
    Workbench *workbench = app.workbench.get();
    ProposalModel *proposals = workbench->proposals();
    const QList<QVariant> counts = app.restored->front();
    QCOMPARE(counts.at(1).toInt(), opportunities);
    QCOMPARE(counts.at(2).toInt(), proposalCount);
    QCOMPARE(counts.at(3).toInt(), 1);
    QVERIFY(counts.at(4).toInt() > 5);
    QVERIFY2(counts.at(5).toStringList().isEmpty(), qPrintable(counts.at(5).toStringList().join(QLatin1Char('\n'))));
    QCOMPARE(workbench->opportunities()->rowCount(), opportunities);
    // Each restored opportunity opens on its counts, as a new one does (only the first did).
    for (int row = 0; row < opportunities; ++row)
        QVERIFY(app.window->opportunityView()->isExpanded(workbench->opportunities()->index(row, 0)));
    QCOMPARE(workbench->products()->rowCount(), products);
    // The decision and its reason, the versions, the committed proposal.
    const int declinedRow = proposals->rowOf(declined);
    QCOMPARE(proposals->status(declinedRow), QStringLiteral("declined"));
    QVERIFY2(proposals->note(declinedRow).contains(QStringLiteral("Inventory does not fit")),
             qPrintable(proposals->note(declinedRow)));
    QCOMPARE(int(proposals->versions(declinedRow).size()), declinedVersions);
    QCOMPARE(proposals->status(proposals->rowOf(committed)), QStringLiteral("committed"));
    // The window shows them: the proposal list and the detail of the declined one.
    MainWindow *window = app.window.get();
    guidriver::openTab(window, MainWindow::Tab::Proposals);
    auto *view = shown<QTreeView>(window, QStringLiteral("proposalView"));
    QVERIFY(view);
    QCOMPARE(view->model()->rowCount(), proposalCount);
    window->proposalList()->selectProposal(declined);
    QVERIFY(window->proposalDetail()->statusLabel()->text().contains(QStringLiteral("Declined")));
    // The exchange log has the earlier session's exchanges.
    QVERIFY(workbench->exchanges()->rowCount() > 5);
    // The trainer's choice in the console came back with the seller.
    QVERIFY(app.context->options().manualApproval);
    QVERIFY(shown<QCheckBox>(app.console, QStringLiteral("manualApprovalBox"))->isChecked());
    // The buy approved while the window was closed: the followed task files it.
    QTRY_VERIFY_WITH_TIMEOUT(workbench->buys()->rowCount() == 2, kHangMs);
    QTRY_COMPARE_WITH_TIMEOUT(proposals->status(proposals->rowOf(awaited)), QStringLiteral("consumed"), kHangMs);
    QVERIFY(!workbench->isAwaitingApproval(awaited));
    // The live buy keeps its name and keeps following the seller: the seller activates it, the polling sees it.
    adcp::models::BuyModel *buys = workbench->buys();
    QCOMPARE(buys->title(buys->rowOf(liveBuy)), liveTitle);
    const adcp::ToolOutcome forced = app.dispatcher->call(
        adcp::seller::Principal{embeddedPlannerPrincipal().id, true}, "comply_test_controller",
        {{"scenario", "force_media_buy_status"},
         {"params", {{"media_buy_id", liveBuy.toStdString()}, {"status", "active"}}},
         {"account", {{"sandbox", true}}}});
    QVERIFY(forced.ok());
    QVERIFY2(forced.result.value("success", false), forced.result.dump().c_str());
    QTRY_COMPARE_WITH_TIMEOUT(adcp::models::jsonString(buys->buyJson(buys->rowOf(liveBuy)), "status"),
                              QStringLiteral("active"), kHangMs);
    app.quit();
}

// A create_media_buy that got no answer may have reached the seller: the next Create buy sends the very same
// request under the same idempotency key (whatever the dialog holds), so the seller books it at most once; the
// attempt survives a restart.
void TestWorkspace::unansweredBuyIsSentAgainUnchanged()
{
    // An agent where nothing listens: the connection is refused (transient), no answer.
    {
        adcp::McpTransportOptions options;
        options.endpoint = QUrl(QStringLiteral("http://127.0.0.1:9/mcp"));
        options.maxRetries = 0;
        adcp::AgentClient client(QStringLiteral("unreachable"), std::make_unique<adcp::McpTransport>(options),
                                 adcp::SchemaRegistry::bundled());
        Workbench workbench;
        workbench.setClient(&client, QStringLiteral("planner"));
        workbench.setMonitoringInterval(0);
        workbench.proposals()->upsertProposal(
            {{"proposal_id", "prop-1"}, {"name", "Plan"}, {"proposal_status", "committed"}},
            QDateTime::currentDateTimeUtc());
        QSignalSpy failed(&workbench, &Workbench::actionFailed);
        workbench.createBuy(QStringLiteral("prop-1"),
                            {{"total_budget", {{"amount", 1000}, {"currency", "USD"}}}, {"start_time", "asap"}, {"end_time", "2027-01-31T00:00:00Z"}}, false);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kHangMs);
        const auto error = failed.front().at(2).value<adcp::AdcpError>();
        QVERIFY2(QString::fromStdString(error.message).contains(QStringLiteral("at most once")), error.message.c_str());
        const json first = workbench.unconfirmedBuy(QStringLiteral("prop-1"));
        QVERIFY(first.is_object());
        const std::string key = first.value("idempotency_key", std::string());
        QVERIFY(!key.empty());
        // The planner tries again with other numbers: the earlier request goes, unchanged.
        workbench.createBuy(QStringLiteral("prop-1"),
                            {{"total_budget", {{"amount", 5}, {"currency", "USD"}}}, {"start_time", "asap"}}, false);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, kHangMs);
        int attempts = 0;
        for (int row = 0; row < workbench.exchanges()->rowCount(); ++row) {
            const adcp::Exchange *e = workbench.exchanges()->exchange(row);
            if (!e || e->tool != QLatin1String("create_media_buy"))
                continue;
            ++attempts;
            QCOMPARE(e->request.value("idempotency_key", std::string()), key);
            QCOMPARE(adcp::models::jsonAmount(e->request.value("total_budget", json())), 1000.0);
        }
        QCOMPARE(attempts, 2);
        // Across a restart: the saved session brings it back.
        Workbench restarted;
        restarted.restoreSessionState(workbench.sessionState());
        QVERIFY(restarted.unconfirmedBuy(QStringLiteral("prop-1")) == first);
        // A damaged entry (no key, or another proposal's request) is not taken.
        Workbench other;
        other.restoreSessionState(json::parse(R"({"unconfirmed_buys": {"a": {"proposal_id": "a"},
            "b": {"proposal_id": "c", "idempotency_key": "k"}, "d": 5}})"));
        QVERIFY(other.unconfirmedBuy(QStringLiteral("a")).is_null());
        QVERIFY(other.unconfirmedBuy(QStringLiteral("b")).is_null());
    }

    // The embedded seller got the request but its answer was lost: Create buy replays it, no second buy.
    const QString dir = m_dir.filePath(QStringLiteral("replay"));
    QVERIFY(QDir().mkpath(dir));
    Application app(dir);
    if (QTest::currentTestFailed())
        return;
    MainWindow *window = app.window.get();
    Workbench *workbench = app.workbench.get();
    ProposalModel *proposals = workbench->proposals();
    app.sendBrief(QStringLiteral("Coffee"),
                  QStringLiteral("Cold brew coffee launch: premium CTV and online video"));
    app.sendBrief(QStringLiteral("Tea"), QStringLiteral("Green tea, display and online video"), true);
    // One buy the normal way: its request is the template of the lost one.
    const QString bought = draftOf(proposals);
    const QString lost = draftOf(proposals, bought);
    QVERIFY(!bought.isEmpty() && !lost.isEmpty());
    for (const QString &id : {bought, lost}) {
        window->proposalList()->selectProposal(id);
        click(window->proposalDetail()->finalizeButton());
        guidriver::waitIdle(workbench);
    }
    window->proposalList()->selectProposal(bought);
    guidriver::onNextDialog(this, [](QDialog *dialog) { signAndCreate(dialog); });
    click(window->proposalDetail()->createBuyButton());
    guidriver::waitIdle(workbench);
    QCOMPARE(workbench->buys()->rowCount(), 1);
    json request;
    for (int row = 0; row < workbench->exchanges()->rowCount(); ++row) {
        const adcp::Exchange *e = workbench->exchanges()->exchange(row);
        if (e && e->tool == QLatin1String("create_media_buy"))
            request = e->request;
    }
    QVERIFY(request.is_object());
    const json lostProposal = proposals->proposalJson(proposals->rowOf(lost));
    request["proposal_id"] = lost.toStdString();
    if (lostProposal.contains("proposal_version"))
        request["proposal_version"] = lostProposal["proposal_version"];
    if (lostProposal.contains("opportunity_id") || request.contains("opportunity"))
        request["opportunity"] = {{"opportunity_id", proposals->opportunityId(proposals->rowOf(lost)).toStdString()}};
    request["idempotency_key"] = "lost-answer-0123456789abcdef";
    const adcp::ToolOutcome reached = app.dispatcher->call(embeddedPlannerPrincipal(), "create_media_buy", request);
    QVERIFY2(reached.ok(), reached.ok() ? "" : reached.error->message.c_str());
    const std::string sellerBuy = reached.result.value("media_buy_id", std::string());
    QVERIFY(!sellerBuy.empty());
    workbench->restoreSessionState({{"unconfirmed_buys", {{lost.toStdString(), request}}}});

    window->proposalList()->selectProposal(lost);
    QSignalSpy created(workbench, &Workbench::buyCreated);
    guidriver::onNextDialog(this, [](QDialog *dialog) { signAndCreate(dialog); });
    click(window->proposalDetail()->createBuyButton());
    guidriver::waitIdle(workbench);
    QCOMPARE(created.count(), 1);
    QCOMPARE(created.front().front().toString().toStdString(), sellerBuy);
    QVERIFY(workbench->unconfirmedBuy(lost).is_null());
    // The seller holds one buy for that proposal, not two.
    const adcp::ToolOutcome listed = app.dispatcher->call(embeddedPlannerPrincipal(), "get_media_buys", json::object());
    QVERIFY(listed.ok());
    int forLost = 0;
    for (const json &buy : listed.result.value("media_buys", json::array()))
        forLost += buy.value("proposal_id", std::string()) == lost.toStdString() ? 1 : 0;
    QVERIFY2(forLost <= 1, listed.result.dump().c_str());
    QCOMPARE(workbench->buys()->rowCount(), 2);
    app.quit();
}

// A direct buy (Catalog tab, buy_products) the seller holds for its approval when the window closes: after a
// restart the Catalog tab still shows it waiting, the window follows its task (get_task_status, as for a
// submitted create_media_buy) and files the buy once the seller approves. A second one the planner stops
// waiting for (Cancel) and the seller rejects says so on the Catalog tab.
void TestWorkspace::pendingDirectBuySurvivesARestart()
{
    const QString dir = m_dir.filePath(QStringLiteral("direct"));
    QVERIFY(QDir().mkpath(dir));
    const QString podcast = QStringLiteral("podcast_host_read");
    const QString audio = QStringLiteral("audio_streaming_music");
    QString title;
    {
        Application app(dir);
        if (QTest::currentTestFailed())
            return;
        Workbench *workbench = app.workbench.get();
        CatalogPanel *catalog = app.window->catalogPanel();
        click(shown<QCheckBox>(app.console, QStringLiteral("manualApprovalBox")));
        guidriver::openTab(app.window.get(), MainWindow::Tab::Catalog);
        click(catalog->loadButton());
        guidriver::waitIdle(workbench);
        guidriver::orderFromCatalog(catalog, podcast, QStringLiteral("12000"));
        click(catalog->buyButton());
        QTRY_VERIFY_WITH_TIMEOUT(
            guidriver::answeredSubmitted(workbench->exchanges(), QStringLiteral("buy_products")), kHangMs);
        QCOMPARE(workbench->buys()->rowCount(), 0);
        title = workbench->catalog()->productName(podcast);
        QVERIFY(!title.isEmpty());
        app.quit();
    }

    Application app(dir);
    if (QTest::currentTestFailed())
        return;
    Workbench *workbench = app.workbench.get();
    MainWindow *window = app.window.get();
    CatalogPanel *catalog = window->catalogPanel();
    // The planner sees the buy still waiting, named as it was bought.
    const QList<Workbench::AwaitingDirectBuy> awaiting = workbench->awaitingDirectBuys();
    QCOMPARE(awaiting.size(), 1);
    const QString taskId = awaiting.front().taskId;
    QCOMPARE(awaiting.front().title, title);
    guidriver::openTab(window, MainWindow::Tab::Catalog);
    QLabel *waiting = catalog->awaitingLabel();
    QVERIFY(waiting->isVisible());
    QVERIFY2(waiting->text().contains(title) && waiting->text().contains(taskId),
             qPrintable(waiting->text()));
    // The seller approves: the followed task files the buy under that name.
    adcp::models::ApprovalModel *approvals = app.console->approvalModel();
    QTRY_COMPARE_WITH_TIMEOUT(approvals->rowCount(), 1, kHangMs);
    QCOMPARE(approvals->taskId(0), taskId);
    // The reviewer sees which buy waits (the product it buys, by its catalog name; list_tasks alone said
    // only "New media buy"), and the buy's id in the tooltip.
    const QModelIndex what = approvals->index(0, adcp::models::ApprovalModel::WhatColumn);
    QVERIFY(title != podcast); // the catalog's name, read before the restart
    QVERIFY2(what.data().toString().contains(title), qPrintable(what.data().toString()));
    QVERIFY2(what.data(Qt::ToolTipRole).toString().contains(QStringLiteral("media buy")),
             qPrintable(what.data(Qt::ToolTipRole).toString()));
    QSignalSpy created(workbench, &Workbench::buyCreated);
    click(shown<QPushButton>(app.console, QStringLiteral("approve-%1").arg(taskId)));
    QTRY_COMPARE_WITH_TIMEOUT(created.count(), 1, kHangMs);
    const QString buyId = created.front().front().toString();
    adcp::models::BuyModel *buys = workbench->buys();
    QCOMPARE(buys->rowCount(), 1);
    QCOMPARE(buys->title(buys->rowOf(buyId)), title);
    QCOMPARE(window->lifecycleTabs()->currentIndex(), int(MainWindow::Tab::Buys));
    QVERIFY(workbench->awaitingDirectBuys().isEmpty());
    QVERIFY(!adcp::models::jsonObject(workbench->sessionState(), "awaiting").contains(taskId.toStdString()));
    bool followed = false;
    for (int row = 0; row < workbench->exchanges()->rowCount(); ++row) {
        const adcp::Exchange *e = workbench->exchanges()->exchange(row);
        followed = followed || (e && e->tool == QLatin1String("get_task_status") &&
                                adcp::models::jsonString(e->request, "task_id") == taskId);
    }
    QVERIFY(followed);
    guidriver::waitIdle(workbench); // the buy's first delivery report
    guidriver::openTab(window, MainWindow::Tab::Catalog);
    QVERIFY(!waiting->isVisible());

    // Another held buy: the window does not sit busy on it, it shows as waiting, the seller rejects it.
    const int held = approvals->rowCount();
    adcp::models::ExchangeModel *log = workbench->exchanges();
    const adcp::Exchange *newest = log->rowCount() > 0 ? log->exchange(log->rowCount() - 1) : nullptr;
    const quint64 before = newest ? newest->id : 0;
    click(catalog->loadButton()); // the catalog is read anew each session
    guidriver::waitIdle(workbench);
    guidriver::orderFromCatalog(catalog, audio, QStringLiteral("3000"));
    click(catalog->buyButton());
    QTRY_COMPARE_WITH_TIMEOUT(approvals->rowCount(), held + 1, kHangMs);
    QTRY_VERIFY_WITH_TIMEOUT(guidriver::answeredSubmitted(log, QStringLiteral("buy_products"), before),
                             kHangMs);
    guidriver::waitIdle(workbench);
    QVERIFY(!workbench->isBusy());
    QVERIFY2(window->statusMessage()->text().contains(QStringLiteral("Submitted")),
             qPrintable(window->statusMessage()->text()));
    QCOMPARE(workbench->awaitingDirectBuys().size(), 1);
    const QString rejectedTask = workbench->awaitingDirectBuys().front().taskId;
    QVERIFY(waiting->isVisible());
    QVERIFY(waiting->text().contains(workbench->catalog()->productName(audio)));
    click(shown<QPushButton>(app.console, QStringLiteral("reject-%1").arg(rejectedTask)));
    ErrorBanner *banner = catalog->errorBanner();
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), kHangMs);
    QCOMPARE(banner->code(), QStringLiteral("TERMS_REJECTED"));
    QVERIFY2(banner->text().contains(workbench->catalog()->productName(audio)), qPrintable(banner->text()));
    QVERIFY(!waiting->isVisible());
    QVERIFY(workbench->awaitingDirectBuys().isEmpty());
    QCOMPARE(buys->rowCount(), 1);
    click(shown<QCheckBox>(app.console, QStringLiteral("manualApprovalBox")));
    app.quit();
}

QTEST_MAIN(TestWorkspace)
#include "tst_workspace.moc"
