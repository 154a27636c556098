#include "accountmodel.h"
#include "accountspanel.h"
#include "agentclient.h"
#include "agentmanager.h"
#include "agentprofiles.h"
#include "approvalmodel.h"
#include "briefcomposer.h"
#include "buydetailwidget.h"
#include "buymodel.h"
#include "creativelibrary.h"
#include "creativemodel.h"
#include "deliverychart.h"
#include "dispatcher.h"
#include "displaynames.h"
#include "domain/accountstore.h"
#include "embeddedprincipal.h"
#include "errorbanner.h"
#include "exchangemodel.h"
#include "guidriver.h"
#include "jobs/execution.h"
#include "jsonvalues.h"
#include "mainwindow.h"
#include "modelroles.h"
#include "pluraltranslator.h"
#include "proposaldetailwidget.h"
#include "proposalmodel.h"
#include "secretstore.h"
#include "sellerconsole.h"
#include "sellercontext.h"
#include "server/bearerauth.h"
#include "server/inprocesstransport.h"
#include "server/sellerhttpserver.h"
#include "theme.h"
#include "workbench.h"
#include "workspacekeeper.h"
#include "workspacestore.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDesktopServices>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>

#include <functional>

using namespace adcp::gui;
using adcp::models::AccountModel;
using adcp::models::CreativeModel;
using nlohmann::json;

using guidriver::click;
using guidriver::shown;
using guidriver::typeInto;

namespace {

const QByteArray kToken = "accounts-remote-token-0123456789";

json account(const std::string &id, const std::string &brand, const std::string &status)
{
    return {{"account_id", id},
            {"name", brand + " account"},
            {"brand", {{"domain", brand}}},
            {"operator", "buyer-agency.example"},
            {"billing", "operator"},
            {"status", status}};
}

// How many exchanges of `tool` the workbench's log holds.
int callsOf(Workbench &workbench, const char *tool)
{
    int n = 0;
    for (int row = 0; row < workbench.exchanges()->rowCount(); ++row) {
        const adcp::Exchange *e = workbench.exchanges()->exchange(row);
        n += e && e->tool == QLatin1String(tool) ? 1 : 0;
    }
    return n;
}

// A vector, not a json: `json{x}` with one element is a copy of x for Clang and an array for GCC.
json page(const std::vector<json> &accounts, bool hasMore, const std::string &cursor)
{
    json pagination = {{"has_more", hasMore}};
    if (!cursor.empty())
        pagination["cursor"] = cursor;
    return {{"accounts", json(accounts)}, {"pagination", pagination}};
}

// A seller (database, dispatcher, job worker) and its address on loopback.
struct Seller
{
    QTemporaryDir dir;
    std::shared_ptr<adcp::seller::SellerContext> context;
    std::shared_ptr<adcp::seller::Dispatcher> dispatcher;
    std::shared_ptr<adcp::seller::Execution> execution;

    bool open(adcp::seller::SellerOptions options)
    {
        options.databasePath = dir.filePath(QStringLiteral("seller.sqlite"));
        QString error;
        context = adcp::seller::SellerContext::open(options, &error);
        if (!context)
            return false;
        dispatcher = std::make_shared<adcp::seller::Dispatcher>(context);
        execution = adcp::seller::Execution::start(context, adcp::seller::ExecutionOptions{}, &error);
        return execution != nullptr;
    }
    ~Seller()
    {
        if (execution)
            execution->stop();
    }
};

// A planner's workbench on a seller's in-process transport, as the window has it for the embedded seller.
struct Planner
{
    adcp::AgentClient client;
    Workbench workbench;

    explicit Planner(const Seller &seller,
                     const adcp::seller::Principal &principal = embeddedPlannerPrincipal())
        : client(QStringLiteral("Embedded seller"),
                 std::make_unique<adcp::seller::InProcessTransport>(seller.dispatcher, principal),
                 adcp::SchemaRegistry::bundled())
    {
        workbench.setClient(&client, QString::fromStdString(principal.id));
    }
};

} // namespace

// The Accounts panel: its model's paging and status names, the error banner's account remedies, and a
// planner who meets a seller that requires accounts, told with mouse and keyboard on visible widgets.
class TestAccounts final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();
    void modelPages();
    void modelKeepsSyncOutcomes();
    void statusLabels_data();
    void statusLabels();
    void referencesAndSetupLinks_data();
    void referencesAndSetupLinks();
    void bannerOffersTheAccountRemedy();
    void panelPagesARealSeller();
    void pickSurvivesARestart();
    void plannerAgainstASellerRequiringAccounts();
    void accountStatusFollowsTheSeller();
    void creativeLibraryFollowsTheAccount();
    void pollingReadsOpenBuysAPageAtATime();

public Q_SLOTS:
    // QDesktopServices hands the links the window opens here instead of to a browser.
    void openUrl(const QUrl &url);

private:
    QList<QUrl> m_opened;
    adcp::models::PluralTranslator m_plurals;
};

void TestAccounts::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("adcp-workbench-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_accounts"));
    QSettings().clear();
    QCoreApplication::installTranslator(&m_plurals);
    applyTheme(*qApp);
    QDesktopServices::setUrlHandler(QStringLiteral("https"), this, "openUrl");
    QDesktopServices::setUrlHandler(QStringLiteral("http"), this, "openUrl");
}

void TestAccounts::cleanupTestCase()
{
    QDesktopServices::unsetUrlHandler(QStringLiteral("https"));
    QDesktopServices::unsetUrlHandler(QStringLiteral("http"));
}

void TestAccounts::cleanup()
{
    m_opened.clear();
}

void TestAccounts::openUrl(const QUrl &url)
{
    m_opened << url;
}

void TestAccounts::modelPages()
{
    AccountModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.addPage(
        page({account("acc_1", "a.example", "active"), account("acc_2", "b.example", "pending_approval")},
             true, "c1"),
        true);
    QCOMPARE(model.rowCount(), 2);
    QVERIFY(model.hasMore());
    QCOMPARE(model.cursor(), QStringLiteral("c1"));
    // The next page appends; an account seen again is updated where it is, not doubled.
    json again = account("acc_2", "b.example", "active");
    model.addPage(page({again, account("acc_3", "c.example", "suspended")}, false, ""), false);
    QCOMPARE(model.rowCount(), 3);
    QVERIFY(!model.hasMore());
    QVERIFY(model.cursor().isEmpty());
    QCOMPARE(model.status(model.rowOf(QStringLiteral("acc_2"))), QStringLiteral("active"));
    QCOMPARE(model.index(2, AccountModel::StatusColumn).data().toString(), QStringLiteral("Suspended"));
    QCOMPARE(model.index(2, AccountModel::StatusColumn).data(adcp::models::StatusRole).toString(),
             QStringLiteral("suspended"));
    // "More" without a cursor to ask for it ends the walk instead of asking for page one forever.
    model.addPage(page({}, true, ""), false);
    QVERIFY(!model.hasMore());
    // A first page replaces what was there.
    model.addPage(page({account("acc_9", "z.example", "closed")}, false, ""), true);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.key(0), QStringLiteral("acc_9"));
    // Hostile pages: not objects, entries without any key, wrong types. Nothing crashes, nothing is added.
    model.addPage(json::array({1, 2}), false);
    model.addPage({{"accounts", json::array({42, "x", json::object(), {{"account_id", 7}}})}}, false);
    model.addPage({{"accounts", "no"}, {"pagination", {{"has_more", "yes"}, {"cursor", 5}}}}, false);
    QCOMPARE(model.rowCount(), 1);
    QVERIFY(!model.hasMore());
}

void TestAccounts::modelKeepsSyncOutcomes()
{
    AccountModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.addPage(page({account("acc_1", "a.example", "active")}, false, ""), true);
    json created = account("acc_2", "b.example", "pending_approval");
    created["action"] = "created";
    created["setup"] = {{"message", "Sign the agreement"}, {"url", "https://seller.example/setup/acc_2"}};
    json failed = {
        {"brand", {{"domain", "c.example"}}},
        {"operator", "buyer-agency.example"},
        {"action", "failed"},
        {"status", "rejected"},
        {"errors", json::array({{{"code", "BILLING_NOT_SUPPORTED"}, {"message", "billing is fixed"}}})}};
    json unchanged = account("acc_1", "a.example", "active");
    unchanged["action"] = "unchanged";
    const QList<int> rows = model.applySyncResults({{"accounts", json::array({created, failed, unchanged})}});
    QCOMPARE(rows.size(), 3);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(rows.at(2), 0);
    QCOMPARE(model.index(rows.at(0), AccountModel::ResultColumn).data().toString(),
             QStringLiteral("Created"));
    QCOMPARE(model.index(rows.at(0), AccountModel::StatusColumn).data().toString(),
             QStringLiteral("Awaiting seller approval"));
    QCOMPARE(model.setupMessage(rows.at(0)), QStringLiteral("Sign the agreement"));
    QCOMPARE(model.setupUrl(rows.at(0)), QStringLiteral("https://seller.example/setup/acc_2"));
    QCOMPARE(model.index(rows.at(1), AccountModel::ResultColumn).data().toString(),
             QStringLiteral("Failed: billing is fixed"));
    QCOMPARE(model.index(0, AccountModel::ResultColumn).data().toString(),
             QStringLiteral("Already up to date"));
    QCOMPARE(model.index(0, AccountModel::BillingColumn).data().toString(),
             QStringLiteral("Operator (agency or brand direct)"));

    // The listing read again (the seller approved acc_2) keeps what the syncs said, with the new status.
    model.addPage(
        page({account("acc_1", "a.example", "active"), account("acc_2", "b.example", "active")}, false, ""),
        true);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(model.rowOf(QStringLiteral("acc_2")), AccountModel::ResultColumn).data().toString(),
             QStringLiteral("Created"));
    QCOMPARE(model.index(model.rowOf(QStringLiteral("acc_2")), AccountModel::StatusColumn).data().toString(),
             QStringLiteral("Ready to buy"));
    QCOMPARE(model.index(model.rowOf(QStringLiteral("acc_1")), AccountModel::ResultColumn).data().toString(),
             QStringLiteral("Already up to date"));
}

void TestAccounts::statusLabels_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("label");
    QTest::newRow("active") << "active"
                            << "Ready to buy";
    QTest::newRow("pending") << "pending_approval"
                             << "Awaiting seller approval";
    QTest::newRow("payment") << "payment_required"
                             << "Payment required";
    QTest::newRow("suspended") << "suspended"
                               << "Suspended";
    QTest::newRow("rejected") << "rejected"
                              << "Refused by the seller";
    QTest::newRow("closed") << "closed"
                            << "Closed";
    // A status of a newer spec is shown readable, never dropped.
    QTest::newRow("unknown") << "under_review"
                             << "Under review";
}

void TestAccounts::statusLabels()
{
    QFETCH(QString, status);
    QFETCH(QString, label);
    AccountModel model;
    model.addPage(page({account("acc_1", "a.example", status.toStdString())}, false, ""), true);
    QCOMPARE(model.index(0, AccountModel::StatusColumn).data().toString(), label);
    // Sorting is on the id, not on the words.
    QCOMPARE(model.index(0, AccountModel::StatusColumn).data(adcp::models::SortRole).toString(), status);
}

void TestAccounts::referencesAndSetupLinks_data()
{
    QTest::addColumn<QByteArray>("account");
    QTest::addColumn<QByteArray>("reference");
    QTest::addColumn<QString>("setupUrl");
    QTest::newRow("id wins")
        << QByteArray(R"({"account_id":"acc_1","brand":{"domain":"a.example"},"operator":"o.example"})")
        << QByteArray(R"({"account_id":"acc_1"})") << QString();
    QTest::newRow("natural key, extras dropped")
        << QByteArray(
               R"({"brand":{"domain":"a.example","brand_id":"b1","evil":1},"operator":"o.example","operator_unit":{"id":"east"}})")
        << QByteArray(
               R"({"brand":{"brand_id":"b1","domain":"a.example"},"operator":"o.example","operator_unit":{"id":"east"}})")
        << QString();
    QTest::newRow("no operator") << QByteArray(R"({"brand":{"domain":"a.example"}})") << QByteArray("null")
                                 << QString();
    QTest::newRow("not an object") << QByteArray("[1]") << QByteArray("null") << QString();
    QTest::newRow("setup link")
        << QByteArray(R"({"account_id":"a","setup":{"message":"m","url":"https://s.example/x"}})")
        << QByteArray(R"({"account_id":"a"})") << QStringLiteral("https://s.example/x");
    QTest::newRow("error details link") << QByteArray(R"({"setup_url":"http://s.example/y"})")
                                        << QByteArray("null") << QStringLiteral("http://s.example/y");
    QTest::newRow("script link") << QByteArray(R"j({"setup":{"url":"javascript:alert(1)"}})j")
                                 << QByteArray("null") << QString();
    QTest::newRow("file link") << QByteArray(R"({"setup_url":"file:///etc/passwd"})") << QByteArray("null")
                               << QString();
    QTest::newRow("link not a string")
        << QByteArray(R"({"setup":{"url":17}})") << QByteArray("null") << QString();
}

void TestAccounts::referencesAndSetupLinks()
{
    QFETCH(QByteArray, account);
    QFETCH(QByteArray, reference);
    QFETCH(QString, setupUrl);
    const json value = json::parse(account.toStdString());
    QCOMPARE(QString::fromStdString(AccountModel::referenceOf(value).dump()), QString::fromLatin1(reference));
    QCOMPARE(AccountModel::setupUrlOf(value), setupUrl);
}

void TestAccounts::bannerOffersTheAccountRemedy()
{
    ErrorBanner banner;
    banner.resize(700, 120);
    banner.show();
    QSignalSpy remedies(&banner, &ErrorBanner::remedyRequested);
    adcp::AdcpError notFound = adcp::AdcpError::make("ACCOUNT_NOT_FOUND", "unknown account", "account");
    QVERIFY(notFound.recovery == adcp::Recovery::Terminal);
    banner.showError(notFound, QStringLiteral("Send brief"));
    QVERIFY(banner.remedyButton()->isVisible());
    QCOMPARE(banner.remedyButton()->text(), QStringLiteral("Set up account…"));
    click(banner.remedyButton());
    QCOMPARE(remedies.count(), 1);
    QCOMPARE(remedies.front().front().value<ErrorBanner::Remedy>(), ErrorBanner::Remedy::OpenAccounts);
    QVERIFY(m_opened.isEmpty());

    // A pending account with a link: the banner opens it.
    adcp::AdcpError setup = adcp::AdcpError::make("ACCOUNT_SETUP_REQUIRED", "awaits approval", "account");
    setup.details = {{"setup_url", "https://seller.example/onboard?acc=acc_7"}};
    banner.showError(setup, QStringLiteral("Create buy"));
    QCOMPARE(banner.remedyButton()->text(), QStringLiteral("Open setup link"));
    click(banner.remedyButton());
    QCOMPARE(m_opened, QList<QUrl>{QUrl(QStringLiteral("https://seller.example/onboard?acc=acc_7"))});

    // Without a usable link (none, or not a web page) the panel is the remedy, and nothing is opened.
    setup.details = {{"setup_url", "file:///home/planner/.ssh/id_rsa"}};
    banner.showError(setup, QStringLiteral("Create buy"));
    QCOMPARE(banner.remedyButton()->text(), QStringLiteral("Check account…"));
    click(banner.remedyButton());
    QCOMPARE(m_opened.size(), 1);
    QCOMPARE(remedies.back().front().value<ErrorBanner::Remedy>(), ErrorBanner::Remedy::OpenAccounts);
}

// list_accounts paging and the status filter, against the embedded seller's real handler; each account is
// registered by sync_accounts first (manual approval on: new accounts wait for the seller).
void TestAccounts::panelPagesARealSeller()
{
    Seller seller;
    adcp::seller::SellerOptions options;
    options.manualApproval = true;
    QVERIFY(seller.open(options));
    const adcp::seller::Principal &principal = embeddedPlannerPrincipal();
    for (int chunk = 0; chunk < 3; ++chunk) {
        json entries = json::array();
        for (int i = 0; i < 20; ++i)
            entries.push_back({{"brand", {{"domain", "brand" + std::to_string(chunk * 20 + i) + ".example"}}},
                               {"operator", "buyer-agency.example"},
                               {"billing", "operator"}});
        const adcp::ToolOutcome synced = seller.dispatcher->call(
            principal, "sync_accounts",
            {{"idempotency_key", "seed-accounts-" + std::to_string(chunk) + "-0123"}, {"accounts", entries}});
        QVERIFY2(synced.ok(), synced.error ? synced.error->message.c_str() : "");
    }
    Planner planner(seller, principal);
    Workbench &workbench = planner.workbench;
    AccountsPanel panel(&workbench);
    QAbstractItemModelTester tester(workbench.accounts(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    panel.resize(900, 700);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QVERIFY(!shown<QPushButton>(&panel, QStringLiteral("accountsMoreButton")));
    click(shown<QPushButton>(&panel, QStringLiteral("accountsRefreshButton")));
    guidriver::waitIdle(&workbench);
    QTreeView *view = panel.view();
    QCOMPARE(view->model()->rowCount(), 50);
    QCOMPARE(view->model()->index(0, AccountModel::StatusColumn).data().toString(),
             QStringLiteral("Awaiting seller approval"));
    click(shown<QPushButton>(&panel, QStringLiteral("accountsMoreButton")));
    guidriver::waitIdle(&workbench);
    QCOMPARE(view->model()->rowCount(), 60);
    QVERIFY(!shown<QPushButton>(&panel, QStringLiteral("accountsMoreButton")));
    // Every account once, in the seller's order.
    QSet<QString> ids;
    for (int row = 0; row < 60; ++row)
        ids.insert(workbench.accounts()->key(row));
    QCOMPARE(ids.size(), 60);
    QCOMPARE(workbench.accounts()->index(59, AccountModel::BrandColumn).data().toString(),
             QStringLiteral("brand59.example"));

    // A pending account, selected: the seller's word on what is missing.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                      view->visualRect(view->model()->index(3, AccountModel::NameColumn)).center());
    auto *setup = shown<QLabel>(&panel, QStringLiteral("accountsSetupLabel"));
    QVERIFY(setup);
    QVERIFY2(setup->text().contains(QStringLiteral("review")), qPrintable(setup->text()));
    QVERIFY(!shown<QPushButton>(&panel, QStringLiteral("accountsSetupLinkButton")));

    // Filtered to active accounts (the keyboard on the filter): none yet.
    auto *filter = shown<QComboBox>(&panel, QStringLiteral("accountsStatusFilter"));
    QVERIFY(filter);
    filter->setFocus();
    QTest::keyClick(filter, Qt::Key_Down);
    QCOMPARE(filter->currentData().toString(), QStringLiteral("active"));
    guidriver::waitIdle(&workbench);
    QCOMPARE(view->model()->rowCount(), 0);
    QVERIFY(shown<QLabel>(&panel, QStringLiteral("accountsListState"))
                ->text()
                .contains(QStringLiteral("No accounts")));
    QTest::keyClick(filter, Qt::Key_Down);
    QCOMPARE(filter->currentData().toString(), QStringLiteral("pending_approval"));
    guidriver::waitIdle(&workbench);
    QCOMPARE(view->model()->rowCount(), 50);
    QVERIFY(shown<QPushButton>(&panel, QStringLiteral("accountsMoreButton")));
}

// The window starts on the embedded seller: a new AgentManager (a restart) brings back the account picked for
// it; removing a remote profile forgets that profile's pick.
void TestAccounts::pickSurvivesARestart()
{
    Seller seller;
    QVERIFY(seller.open({}));
    const json picked = account("acc_kept", "kept.example", "active");
    saveActiveAccount(QStringLiteral("embedded"), picked);
    saveActiveAccount(QStringLiteral("gone-1"), account("acc_gone", "gone.example", "active"));
    Planner planner(seller);
    Workbench &workbench = planner.workbench;
    adcp::AgentClient &client = planner.client;
    QVERIFY(workbench.activeAccount().is_null());
    AgentManager agents(&workbench, &client, QString::fromStdString(embeddedPlannerPrincipal().id),
                        adcp::SchemaRegistry::bundled());
    QCOMPARE(QString::fromStdString(workbench.activeAccount().dump()), QString::fromStdString(picked.dump()));
    agents.setProfiles({});
    QVERIFY(loadActiveAccount(QStringLiteral("gone-1")).is_null());
    QCOMPARE(QString::fromStdString(loadActiveAccount(QStringLiteral("embedded")).dump()),
             QString::fromStdString(picked.dump()));
    // A settings file edited by hand into something else reads as "none picked".
    QSettings().setValue(QStringLiteral("agentAccounts/embedded"), QStringLiteral("{not json"));
    QVERIFY(loadActiveAccount(QStringLiteral("embedded")).is_null());
    saveActiveAccount(QStringLiteral("embedded"), json());
    QVERIFY(!QSettings().contains(QStringLiteral("agentAccounts/embedded")));
}

// A remote seller over MCP on loopback that answers ACCOUNT_NOT_FOUND until the buyer registers an account.
void TestAccounts::plannerAgainstASellerRequiringAccounts()
{
    Seller seller;
    adcp::seller::SellerOptions options;
    options.requireAccounts = true;
    QVERIFY(seller.open(options));
    adcp::seller::BearerAuth auth;
    auth.addToken(kToken, adcp::seller::Principal{"agency-7", false});
    adcp::seller::SellerHttpServer server(seller.dispatcher, std::move(auth));
    const quint16 port = server.listen(QHostAddress::LocalHost, 0);
    QVERIFY(port != 0);

    Planner planner(seller);
    Workbench &workbench = planner.workbench;
    adcp::AgentClient &embedded = planner.client;
    workbench.setClock([context = seller.context] { return context->clock().now(); });
    workbench.setMonitoringInterval(100);
    AgentManager agents(&workbench, &embedded, QString::fromStdString(embeddedPlannerPrincipal().id),
                        adcp::SchemaRegistry::bundled());
    agents.setSecretStore(new MemorySecretStore(&agents));
    const AgentProfile profile{
        QStringLiteral("strict-1"), QStringLiteral("Strict seller"), AgentProfile::Kind::Mcp,
        QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port)), QStringLiteral("agency-7")};
    bool written = false;
    agents.secretStore()->write(profile.secretKey(), kToken,
                                [&written](bool ok, const QString &) { written = ok; });
    QTRY_VERIFY(written);
    agents.setProfiles({profile});
    MainWindow window(&workbench);
    window.setAgentManager(&agents);
    // The planner's workspace is kept per agent and account, as the application keeps it.
    WorkspaceStore workspaces(seller.dir.filePath(QStringLiteral("workspaces.sqlite")));
    WorkspaceKeeper keeper(&workbench, &workspaces);
    QSignalSpy restored(&keeper, &WorkspaceKeeper::restored);
    QObject::connect(&agents, &AgentManager::activated, &keeper,
                     [&keeper, &workbench](const QString &id) { keeper.open(id, workbench.principal()); });
    keeper.open(QStringLiteral("embedded"), workbench.principal());
    window.setWorkspaceKeeper(&keeper, workspaces.path());
    window.resize(1440, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    // The planner switches to the strict seller with the keyboard.
    auto *selector = shown<QComboBox>(&window, QStringLiteral("agentSelector"));
    QVERIFY(selector);
    selector->setFocus();
    QTest::keyClick(selector, Qt::Key_Down);
    QTRY_COMPARE_WITH_TIMEOUT(agents.activeId(), profile.id, 10000);
    guidriver::waitIdle(&workbench);
    auto *accountButton = shown<QToolButton>(&window, QStringLiteral("accountsButton"));
    QVERIFY(accountButton);
    // No account picked: the bar names the brand account that requests carry (it said "none" while they did).
    QCOMPARE(accountButton->text(), QStringLiteral("Account: %1 (brand)").arg(workbench.brandDomain()));
    QVERIFY(accountButton->toolTip().contains(workbench.operatorDomain()));

    // 1. The brief fails: the seller does not know the buyer's account.
    const auto sendBrief = [&] {
        window.lifecycleTabs()->setCurrentIndex(int(MainWindow::Tab::Brief));
        typeInto(shown<QLineEdit>(&window, QStringLiteral("briefTitle")), QStringLiteral("Coffee Q1"));
        typeInto(shown<QPlainTextEdit>(&window, QStringLiteral("briefText")),
                 QStringLiteral("Cold brew coffee launch for urban commuters: CTV and online video"));
        click(shown<QPushButton>(&window, QStringLiteral("sendBriefButton")));
        guidriver::waitIdle(&workbench);
    };
    sendBrief();
    ErrorBanner *banner = window.briefComposer()->errorBanner();
    QVERIFY(banner->isVisible());
    QCOMPARE(banner->code(), QStringLiteral("ACCOUNT_NOT_FOUND"));
    QCOMPARE(workbench.proposals()->rowCount(), 0);

    // 2. The banner's remedy opens the Accounts panel with the sync filled in for the brand.
    QCOMPARE(banner->remedyButton()->text(), QStringLiteral("Set up account…"));
    click(banner->remedyButton());
    auto *dock = window.findChild<QDockWidget *>(QStringLiteral("accountsPanelDock"));
    QVERIFY(dock);
    QTRY_VERIFY(dock->isVisible());
    guidriver::waitIdle(&workbench);
    auto *panel = window.findChild<AccountsPanel *>();
    QCOMPARE(shown<QLineEdit>(panel, QStringLiteral("accountsBrand"))->text(), workbench.brandDomain());
    QCOMPARE(shown<QLineEdit>(panel, QStringLiteral("accountsOperator"))->text(), workbench.operatorDomain());
    QCOMPARE(panel->view()->model()->rowCount(), 0);

    // 3. Sync: the seller provisions the account; its outcome and status are on the row.
    auto *billing = shown<QComboBox>(panel, QStringLiteral("accountsBilling"));
    QCOMPARE(billing->currentData().toString(), QStringLiteral("operator"));
    click(shown<QPushButton>(panel, QStringLiteral("accountsSyncButton")));
    guidriver::waitIdle(&workbench);
    QVERIFY(!panel->errorBanner()->isVisible());
    QCOMPARE(panel->view()->model()->rowCount(), 1);
    const QModelIndex first = panel->view()->model()->index(0, AccountModel::StatusColumn);
    QCOMPARE(first.data().toString(), QStringLiteral("Ready to buy"));
    QCOMPARE(panel->view()->model()->index(0, AccountModel::ResultColumn).data().toString(),
             QStringLiteral("Created"));
    QVERIFY(shown<QLabel>(panel, QStringLiteral("accountsSyncResult"))
                ->text()
                .contains(QStringLiteral("Created")));
    const QString accountId = workbench.accounts()->key(0);
    QVERIFY(accountId.startsWith(QStringLiteral("acc")));

    // 4. Pick it (the synced row is already selected).
    click(shown<QPushButton>(panel, QStringLiteral("accountsUseButton")));
    QCOMPARE(adcp::models::jsonString(workbench.activeAccount(), "account_id"), accountId);
    QVERIFY2(accountButton->text().startsWith(QStringLiteral("Account: acme-coffee.example")),
             qPrintable(accountButton->text()));
    QVERIFY2(accountButton->toolTip().contains(accountId), qPrintable(accountButton->toolTip()));
    QVERIFY(shown<QLabel>(panel, QStringLiteral("accountsActiveLabel"))->text().contains(accountId));
    QVERIFY(!shown<QPushButton>(panel, QStringLiteral("accountsUseButton"))->isEnabled());
    QCOMPARE(adcp::models::jsonString(loadActiveAccount(profile.id), "account_id"), accountId);

    // 5. The brief again: it names the account and the seller answers.
    sendBrief();
    QVERIFY(!banner->isVisible());
    QVERIFY(workbench.proposals()->rowCount() > 0);
    const adcp::models::ExchangeModel *exchanges = workbench.exchanges();
    const auto lastRequestOf = [exchanges](const QString &tool) {
        for (int row = exchanges->rowCount() - 1; row >= 0; --row) {
            const adcp::Exchange *exchange = exchanges->exchange(row);
            if (exchange && exchange->tool == tool && exchange->response.is_object())
                return exchange->request;
        }
        return json();
    };
    QCOMPARE(QString::fromStdString(lastRequestOf(QStringLiteral("get_products"))["account"].dump()),
             QStringLiteral("{\"account_id\":\"%1\"}").arg(accountId));

    // 6. Finalize and buy, by clicks.
    QCOMPARE(window.lifecycleTabs()->currentIndex(), int(MainWindow::Tab::Proposals));
    const QString proposalId = window.proposalDetail()->proposalId();
    QVERIFY(!proposalId.isEmpty());
    click(window.proposalDetail()->finalizeButton());
    guidriver::waitIdle(&workbench);
    adcp::models::ProposalModel *proposals = workbench.proposals();
    QCOMPARE(proposals->status(proposals->rowOf(proposalId)), QStringLiteral("committed"));
    QSignalSpy created(&workbench, &Workbench::buyCreated);
    guidriver::onNextDialog(this, [](QDialog *dialog) {
        if (auto *accept = dialog->findChild<QCheckBox *>(QStringLiteral("buyIoAccept"))) {
            click(accept);
            typeInto(dialog->findChild<QLineEdit *>(QStringLiteral("buyIoSignatory")),
                     QStringLiteral("Dana Planner"));
        }
        QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
        click(ok);
    });
    click(window.proposalDetail()->createBuyButton());
    guidriver::waitIdle(&workbench);
    QVERIFY2(created.count() == 1, qPrintable(window.proposalDetail()->errorBanner()->text()));
    const QString mediaBuyId = created.front().front().toString();
    QCOMPARE(QString::fromStdString(lastRequestOf(QStringLiteral("create_media_buy"))["account"].dump()),
             QStringLiteral("{\"account_id\":\"%1\"}").arg(accountId));

    // 7. Delivery: the seller's clock moves past the flight's first day and the report fills in.
    QCOMPARE(window.currentDetail(), MainWindow::Detail::Buy);
    QTabWidget *sections = window.buyDetail()->sections();
    QTest::mouseClick(sections->tabBar(), Qt::LeftButton, {}, sections->tabBar()->tabRect(0).center());
    DeliveryChart *chart = window.buyDetail()->deliveryChart();
    QVERIFY(chart->isVisible());
    const QDateTime start = adcp::models::jsonDateTime(
        workbench.buys()->buyJson(workbench.buys()->rowOf(mediaBuyId)), "start_time");
    QVERIFY(start.isValid());
    seller.context->clock().advance(std::max<qint64>(0, seller.context->clock().now().secsTo(start)) +
                                    2 * 86400);
    QTRY_VERIFY_WITH_TIMEOUT(chart->deliveredPointCount() > 0, 20000);
    QVERIFY(!lastRequestOf(QStringLiteral("get_media_buy_delivery"))["account"].is_null());

    // 8. A second advertiser's account at the same seller: picking it opens its own, empty workspace; picking
    // the first again brings its proposals and its buy back.
    QTRY_VERIFY_WITH_TIMEOUT(keeper.isRestored(), 10000);
    const int restoredBefore = int(restored.count());
    typeInto(shown<QLineEdit>(panel, QStringLiteral("accountsBrand")), QStringLiteral("acme-tea.example"));
    click(shown<QPushButton>(panel, QStringLiteral("accountsSyncButton")));
    guidriver::waitIdle(&workbench);
    const auto rowOfBrand = [panel](const QString &brand) {
        QAbstractItemModel *model = panel->view()->model();
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->index(row, AccountModel::BrandColumn).data().toString() == brand)
                return model->index(row, AccountModel::NameColumn);
        }
        return QModelIndex();
    };
    const auto useAccountOf = [&](const QString &brand) {
        const QModelIndex index = rowOfBrand(brand);
        QVERIFY2(index.isValid(), qPrintable(brand));
        panel->view()->scrollTo(index);
        QTest::mouseClick(panel->view()->viewport(), Qt::LeftButton, {},
                          panel->view()->visualRect(index).center());
        click(shown<QPushButton>(panel, QStringLiteral("accountsUseButton")));
    };
    useAccountOf(QStringLiteral("acme-tea.example"));
    const QString teaAccount = adcp::models::jsonString(workbench.activeAccount(), "account_id");
    QVERIFY(!teaAccount.isEmpty() && teaAccount != accountId);
    QTRY_COMPARE_WITH_TIMEOUT(int(restored.count()), restoredBefore + 1, 10000);
    QVERIFY2(keeper.workspace().contains(teaAccount), qPrintable(keeper.workspace()));
    QCOMPARE(workbench.proposals()->rowCount(), 0);
    QCOMPARE(workbench.buys()->rowCount(), 0);
    useAccountOf(QStringLiteral("acme-coffee.example"));
    QTRY_COMPARE_WITH_TIMEOUT(int(restored.count()), restoredBefore + 2, 10000);
    QVERIFY2(keeper.workspace().contains(accountId), qPrintable(keeper.workspace()));
    QVERIFY(proposals->rowOf(proposalId) >= 0);
    QVERIFY(workbench.buys()->rowOf(mediaBuyId) >= 0);

    // 9. The pick is the agent's: back on the embedded seller there is none, on the strict seller it returns
    // with its workspace.
    QTest::keyClick(selector, Qt::Key_Up);
    QTRY_COMPARE_WITH_TIMEOUT(agents.activeId(), QStringLiteral("embedded"), 10000);
    QVERIFY(workbench.activeAccount().is_null());
    QCOMPARE(accountButton->text(), QStringLiteral("Account: %1 (brand)").arg(workbench.brandDomain()));
    QTest::keyClick(selector, Qt::Key_Down);
    QTRY_COMPARE_WITH_TIMEOUT(agents.activeId(), profile.id, 10000);
    QCOMPARE(adcp::models::jsonString(workbench.activeAccount(), "account_id"), accountId);
    QTRY_VERIFY_WITH_TIMEOUT(keeper.isRestored(), 10000);
    QVERIFY(workbench.buys()->rowOf(mediaBuyId) >= 0);
    guidriver::waitIdle(&workbench);
    window.close();
}

// The account in use shows what the seller says of it now: an account awaiting approval is read again until
// the seller approves it (no Refresh pressed), and a refusal because it was suspended brings the new status
// to the agent bar and the panel.
void TestAccounts::accountStatusFollowsTheSeller()
{
    Seller seller;
    adcp::seller::SellerOptions options;
    options.manualApproval = true; // sync_accounts provisions accounts awaiting the seller's approval
    QVERIFY(seller.open(options));
    const auto control = [&seller](const json &params) {
        const adcp::ToolOutcome outcome = seller.dispatcher->call(
            adcp::seller::Principal{embeddedPlannerPrincipal().id, true}, "comply_test_controller",
            {{"scenario", "force_account_status"}, {"params", params}, {"account", {{"sandbox", true}}}});
        return outcome.ok() && outcome.result.value("success", false);
    };
    Planner planner(seller);
    Workbench &workbench = planner.workbench;
    workbench.setMonitoringInterval(0);
    workbench.setAccountWatchInterval(50);
    AgentManager agents(&workbench, &planner.client, QString::fromStdString(embeddedPlannerPrincipal().id),
                        adcp::SchemaRegistry::bundled());
    agents.setSecretStore(new MemorySecretStore(&agents));
    MainWindow window(&workbench);
    window.setAgentManager(&agents);
    auto *console = new SellerConsole(seller.dispatcher, embeddedPlannerPrincipal().id);
    window.attachSellerConsole(console);
    window.resize(1440, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    workbench.connectAgent();
    guidriver::waitIdle(&workbench);
    const auto listings = [&workbench] { return callsOf(workbench, "list_accounts"); };

    // Register the advertiser in the panel and use the account while the seller reviews it.
    auto *accountButton = shown<QToolButton>(&window, QStringLiteral("accountsButton"));
    QVERIFY(accountButton);
    click(accountButton);
    auto *panel = window.findChild<AccountsPanel *>();
    QVERIFY(panel);
    QTRY_VERIFY(panel->isVisible());
    guidriver::waitIdle(&workbench);
    typeInto(shown<QLineEdit>(panel, QStringLiteral("accountsBrand")), QStringLiteral("acme-coffee.example"));
    typeInto(shown<QLineEdit>(panel, QStringLiteral("accountsOperator")),
             QStringLiteral("buyer-agency.example"));
    click(shown<QPushButton>(panel, QStringLiteral("accountsSyncButton")));
    guidriver::waitIdle(&workbench);
    QCOMPARE(panel->view()->model()->index(0, AccountModel::StatusColumn).data().toString(),
             QStringLiteral("Awaiting seller approval"));
    click(shown<QPushButton>(panel, QStringLiteral("accountsUseButton")));
    const QString accountId = adcp::models::jsonString(workbench.activeAccount(), "account_id");
    QVERIFY(!accountId.isEmpty());
    QVERIFY2(accountButton->text().endsWith(QStringLiteral("· Awaiting seller approval")),
             qPrintable(accountButton->text()));

    // Another buyer (the test lab's principal) asks for an account too: the seller's console lists both,
    // whoever asked, by name and brand.
    const adcp::ToolOutcome other =
        seller.dispatcher->call(adcp::seller::Principal{"test-lab-a", true}, "sync_accounts",
                                {{"idempotency_key", "lab-account-0123456789"},
                                 {"accounts", json::array({{{"brand", {{"domain", "lab.example"}}},
                                                            {"operator", "lab.example"},
                                                            {"billing", "operator"}}})}});
    QVERIFY2(other.ok(), other.error ? other.error->message.c_str() : "");
    adcp::models::ApprovalModel *approvals = console->approvalModel();
    console->refresh();
    QTRY_COMPARE_WITH_TIMEOUT(approvals->rowCount(), 2, 30000);
    const auto rowOfAccount = [approvals](const QString &account) {
        for (int row = 0; row < approvals->rowCount(); ++row) {
            if (approvals->accountId(row) == account)
                return row;
        }
        return -1;
    };
    const int mine = rowOfAccount(accountId);
    QVERIFY(mine >= 0);
    QCOMPARE(approvals->firstBuyRow(), -1);
    const QString what = approvals->index(mine, adcp::models::ApprovalModel::WhatColumn).data().toString();
    QVERIFY2(what.startsWith(QStringLiteral("New account")) &&
                 what.contains(QStringLiteral("acme-coffee.example")),
             qPrintable(what));
    const int labRow = mine == 0 ? 1 : 0;
    QVERIFY2(approvals->index(labRow, adcp::models::ApprovalModel::WhatColumn)
                 .data()
                 .toString()
                 .contains(QStringLiteral("asked by test-lab-a")),
             qPrintable(approvals->index(labRow, adcp::models::ApprovalModel::WhatColumn).data().toString()));
    const QString labAccount = approvals->accountId(labRow);

    // The seller's reviewer rejects the lab's and approves the planner's, with the console's buttons: the
    // window reads the accounts again by itself and says so.
    const int before = listings();
    click(shown<QPushButton>(console, QStringLiteral("reject-%1").arg(approvals->taskId(labRow))));
    QTRY_COMPARE_WITH_TIMEOUT(approvals->rowCount(), 1, 30000);
    click(shown<QPushButton>(console, QStringLiteral("approve-%1").arg(approvals->taskId(0))));
    QTRY_COMPARE_WITH_TIMEOUT(approvals->rowCount(), 0, 30000);
    {
        QSqlDatabase db = seller.context->database();
        QString error;
        const auto lab = adcp::seller::AccountStore::find(db, "test-lab-a", labAccount.toStdString(), &error);
        QVERIFY2(lab, qPrintable(error));
        QCOMPARE(lab->status, std::string("rejected"));
    }
    QTRY_VERIFY_WITH_TIMEOUT(!accountButton->text().contains(QStringLiteral("Awaiting")), 30000);
    QVERIFY(listings() > before);
    QVERIFY2(shown<QLabel>(panel, QStringLiteral("accountsActiveLabel"))
                 ->text()
                 .contains(QStringLiteral("Ready to buy")),
             qPrintable(shown<QLabel>(panel, QStringLiteral("accountsActiveLabel"))->text()));
    QCOMPARE(panel->view()->model()->index(0, AccountModel::StatusColumn).data().toString(),
             QStringLiteral("Ready to buy"));
    // Nothing is pending any more: the watch has stopped (same account, same workspace: nothing was cleared).
    QCOMPARE(adcp::models::jsonString(workbench.activeAccount(), "account_id"), accountId);

    // A brief still works; the seller suspends the account before the buy, which is refused, and the bar
    // and the panel show why.
    window.lifecycleTabs()->setCurrentIndex(int(MainWindow::Tab::Brief));
    typeInto(shown<QLineEdit>(&window, QStringLiteral("briefTitle")), QStringLiteral("Coffee Q2"));
    typeInto(shown<QPlainTextEdit>(&window, QStringLiteral("briefText")),
             QStringLiteral("Cold brew coffee for commuters: online video"));
    click(shown<QPushButton>(&window, QStringLiteral("sendBriefButton")));
    guidriver::waitIdle(&workbench);
    QVERIFY(workbench.proposals()->rowCount() > 0);
    click(window.proposalDetail()->finalizeButton());
    guidriver::waitIdle(&workbench);
    QVERIFY(control({{"account_id", accountId.toStdString()}, {"status", "suspended"}}));
    guidriver::onNextDialog(this, [](QDialog *dialog) {
        if (auto *accept = dialog->findChild<QCheckBox *>(QStringLiteral("buyIoAccept"))) {
            click(accept);
            typeInto(dialog->findChild<QLineEdit *>(QStringLiteral("buyIoSignatory")),
                     QStringLiteral("Dana Planner"));
        }
        click(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok));
    });
    click(window.proposalDetail()->createBuyButton());
    guidriver::waitIdle(&workbench);
    QCOMPARE(window.proposalDetail()->errorBanner()->code(), QStringLiteral("ACCOUNT_SUSPENDED"));
    QTRY_VERIFY2(accountButton->text().endsWith(QStringLiteral("· Suspended")),
                 qPrintable(accountButton->text()));
    QVERIFY(shown<QLabel>(panel, QStringLiteral("accountsActiveLabel"))
                ->text()
                .contains(QStringLiteral("Suspended")));
    window.close();
}

// The Creatives tab: the library of the account in use, read when the tab is first opened, paged with Load
// more, filtered by status and by name, and read again for another account; names and human statuses shown.
void TestAccounts::creativeLibraryFollowsTheAccount()
{
    Seller seller;
    QVERIFY(seller.open({}));
    const auto call = [&seller](const char *tool, const json &args) {
        return seller.dispatcher->call(embeddedPlannerPrincipal(), tool, args);
    };
    const auto entry = [](const char *brand) {
        return json{
            {"brand", {{"domain", brand}}}, {"operator", "buyer-agency.example"}, {"billing", "operator"}};
    };
    const adcp::ToolOutcome synced =
        call("sync_accounts",
             {{"idempotency_key", "library-accounts-0001"},
              {"accounts", json::array({entry("acme-coffee.example"), entry("acme-tea.example")})}});
    QVERIFY2(synced.ok(), synced.ok() ? "" : synced.error->message.c_str());
    QCOMPARE(synced.result["accounts"].size(), std::size_t(2));
    const json coffee = synced.result["accounts"][0];
    const json tea = synced.result["accounts"][1];
    int key = 0;
    const auto upload = [&](const json &account, const std::vector<std::string> &names) {
        json creatives = json::array();
        for (const std::string &name : names)
            creatives.push_back(
                {{"creative_id", "cr-" + std::to_string(++key)},
                 {"name", name},
                 {"format_id",
                  {{"agent_url", "https://creative.adcontextprotocol.org"}, {"id", "display_image"}}},
                 {"assets", {{"main", {{"asset_type", "url"}, {"url", "https://cdn.example/banner.png"}}}}}});
        const adcp::ToolOutcome outcome =
            call("sync_creatives", {{"idempotency_key", "library-upload-" + std::to_string(key)},
                                    {"account", {{"account_id", account["account_id"]}}},
                                    {"creatives", creatives}});
        QVERIFY2(outcome.ok(), outcome.ok() ? "" : outcome.error->message.c_str());
    };
    upload(coffee,
           {"Coffee banner 1", "Coffee banner 2", "Coffee banner 3", "Coffee banner 4", "Coffee banner 5"});
    upload(tea, {"Tea banner"});
    // The seller's review rejects one of them.
    const adcp::ToolOutcome rejected = seller.dispatcher->call(
        adcp::seller::Principal{embeddedPlannerPrincipal().id, true}, "comply_test_controller",
        {{"scenario", "force_creative_status"},
         {"params", {{"creative_id", "cr-2"}, {"status", "rejected"}}},
         {"account", {{"sandbox", true}}}});
    QVERIFY2(rejected.ok() && rejected.result.value("success", false), rejected.result.dump().c_str());

    Planner planner(seller);
    Workbench &workbench = planner.workbench;
    workbench.setMonitoringInterval(0);
    workbench.setActiveAccount(coffee);
    MainWindow window(&workbench);
    window.resize(1440, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    workbench.connectAgent();
    guidriver::waitIdle(&workbench);
    const auto listings = [&workbench] { return callsOf(workbench, "list_creatives"); };
    // Nothing is read before the planner opens the tab.
    QCOMPARE(listings(), 0);
    CreativeLibraryWidget *library = window.creativeLibrary();
    library->setPageSize(2);
    QTabBar *tabs = window.lifecycleTabs()->tabBar();
    QTest::mouseClick(tabs, Qt::LeftButton, {}, tabs->tabRect(int(MainWindow::Tab::Creatives)).center());
    QVERIFY(library->isVisible());
    guidriver::waitIdle(&workbench);
    QTreeView *view = shown<QTreeView>(library, QStringLiteral("creativeView"));
    QVERIFY(view);
    QCOMPARE(view->model()->rowCount(), 2);
    auto *state = shown<QLabel>(library, QStringLiteral("creativeListState"));
    QCOMPARE(state->text(), QStringLiteral("2 of 5 creatives shown"));
    // Names and human statuses, not ids and enum names.
    QStringList names;
    const auto readNames = [&] {
        names.clear();
        for (int row = 0; row < view->model()->rowCount(); ++row) {
            names << view->model()->index(row, CreativeModel::NameColumn).data().toString();
            QVERIFY(!view->model()
                         ->index(row, CreativeModel::StatusColumn)
                         .data()
                         .toString()
                         .contains(QLatin1Char('_')));
        }
        names.sort();
    };
    for (int page = 0; page < 2; ++page) {
        click(shown<QPushButton>(library, QStringLiteral("creativeMoreButton")));
        guidriver::waitIdle(&workbench);
    }
    QCOMPARE(view->model()->rowCount(), 5);
    QVERIFY(!shown<QPushButton>(library, QStringLiteral("creativeMoreButton")));
    QCOMPARE(state->text(), QStringLiteral("5 creatives"));
    readNames();
    QCOMPARE(names, (QStringList{QStringLiteral("Coffee banner 1"), QStringLiteral("Coffee banner 2"),
                                 QStringLiteral("Coffee banner 3"), QStringLiteral("Coffee banner 4"),
                                 QStringLiteral("Coffee banner 5")}));

    // Only the rejected ones, picked with the keyboard from the status list.
    auto *status = shown<QComboBox>(library, QStringLiteral("creativeStatusFilter"));
    status->setFocus();
    const int rejectedAt = status->findData(QStringLiteral("rejected"));
    QVERIFY(rejectedAt > 0);
    for (int i = 0; i < rejectedAt; ++i)
        QTest::keyClick(status, Qt::Key_Down);
    guidriver::waitIdle(&workbench);
    QCOMPARE(view->model()->rowCount(), 1);
    QCOMPARE(view->model()->index(0, CreativeModel::NameColumn).data().toString(),
             QStringLiteral("Coffee banner 2"));
    QCOMPARE(view->model()->index(0, CreativeModel::StatusColumn).data().toString(),
             QStringLiteral("Rejected"));
    QVERIFY(view->model()
                ->index(0, CreativeModel::NameColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("cr-2")));
    QTest::keyClick(status, Qt::Key_Home);
    guidriver::waitIdle(&workbench);

    // Ctrl+F goes to the name filter; a part of a name and Enter.
    QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
    auto *name = shown<QLineEdit>(library, QStringLiteral("creativeNameFilter"));
    QCOMPARE(QApplication::focusWidget(), name);
    QTest::keyClicks(name, QStringLiteral("BANNER 4"));
    QTest::keyClick(name, Qt::Key_Return);
    guidriver::waitIdle(&workbench);
    QCOMPARE(view->model()->rowCount(), 1);
    QCOMPARE(view->model()->index(0, CreativeModel::NameColumn).data().toString(),
             QStringLiteral("Coffee banner 4"));
    // A filter that matches nothing says so.
    typeInto(name, QStringLiteral("espresso"));
    QTest::keyClick(name, Qt::Key_Return);
    guidriver::waitIdle(&workbench);
    QCOMPARE(view->model()->rowCount(), 0);
    QVERIFY(shown<QLabel>(library, QStringLiteral("creativeLibraryEmpty"))
                ->text()
                .contains(QStringLiteral("filters")));
    // Emptied, the whole library again.
    QTest::keyClick(name, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClick(name, Qt::Key_Backspace);
    guidriver::waitIdle(&workbench);
    QCOMPARE(view->model()->rowCount(), 2);

    // Another account: its own library, read at once because the tab is in sight.
    workbench.setActiveAccount(tea);
    QTRY_VERIFY_WITH_TIMEOUT(view->model()->rowCount() == 1 &&
                                 view->model()->index(0, CreativeModel::NameColumn).data().toString() ==
                                     QStringLiteral("Tea banner"),
                             10000);
    guidriver::waitIdle(&workbench);
    QVERIFY(shown<QLabel>(library, QStringLiteral("creativeLibraryTitle"))
                ->text()
                .contains(QStringLiteral("tea")));
    window.close();
}

// Not about accounts, but on this file's planner fixture: background polling asks the seller only for the
// buys that can still change, at most a page of 100 ids per get_media_buys, one page after the other.
void TestAccounts::pollingReadsOpenBuysAPageAtATime()
{
    Seller seller;
    QVERIFY(seller.open({}));
    Planner planner(seller);
    Workbench &workbench = planner.workbench;
    json buys = json::array();
    QSet<QString> open;
    for (int i = 0; i < 240; ++i) {
        const std::string id = "mb_page_" + std::to_string(i);
        const bool ended = i % 3 == 0;
        buys.push_back({{"buy", {{"media_buy_id", id}, {"status", ended ? "completed" : "active"}}}});
        if (!ended)
            open.insert(QString::fromStdString(id));
    }
    QCOMPARE(workbench.buys()->restoreState(buys), 240);
    QCOMPARE(open.size(), 160);
    adcp::models::ExchangeModel *log = workbench.exchanges();
    const auto requested = [log] {
        QList<QStringList> pages;
        for (int row = 0; row < log->rowCount(); ++row) {
            const adcp::Exchange *e = log->exchange(row);
            if (!e || e->tool != QLatin1String("get_media_buys") || !log->isBackground(row))
                continue;
            QStringList ids;
            for (const auto &id : e->request.value("media_buy_ids", json::array()))
                ids << QString::fromStdString(id.get<std::string>());
            pages << ids;
        }
        return pages;
    };
    workbench.setMonitoringInterval(20);
    QTRY_VERIFY_WITH_TIMEOUT(requested().size() >= 2, 30000);
    workbench.setMonitoringInterval(0);
    guidriver::waitIdle(&workbench);
    const QList<QStringList> pages = requested();
    QCOMPARE(pages.at(0).size(), 100);
    QCOMPARE(pages.at(1).size(), 60);
    QSet<QString> asked;
    for (const QStringList &page : pages.mid(0, 2)) {
        QVERIFY(page.size() <= 100);
        for (const QString &id : page)
            asked.insert(id);
    }
    // Every open buy once, no ended one.
    QCOMPARE(asked, open);
    // The planner's own refresh reads every buy, still a page at a time.
    const int before = log->rowCount();
    const auto refreshed = [log, before] {
        QList<int> sizes;
        for (int row = before; row < log->rowCount(); ++row) {
            const adcp::Exchange *e = log->exchange(row);
            if (e && e->tool == QLatin1String("get_media_buys") && !log->isBackground(row))
                sizes << int(e->request.value("media_buy_ids", json::array()).size());
        }
        return sizes;
    };
    workbench.refreshBuys();
    QTRY_COMPARE_WITH_TIMEOUT(refreshed().size(), 3, 30000);
    QCOMPARE(refreshed(), (QList<int>{100, 100, 40}));
}

QTEST_MAIN(TestAccounts)
#include "tst_accounts.moc"
