// The Catalog tab and the buy controls (AdCP 3.2 direct buy) as a planner uses them, against the embedded
// seller: every step is a mouse click or key press on a visible widget. The catalog is listed page by page
// and refreshed (unchanged), two products are bought, the buy shows in the monitor, is paused from its detail
// and resumed; a budget raise is refused with REQUOTE_REQUIRED in plain words, a stale revision is read
// again, and a stale feed version offers to reload the catalog. A seller without the 3.2 tools leaves the
// controls off with the reason.

#include "guidriver.h"
#include "sellerdriver.h"

#include "agentclient.h"
#include "buydetailwidget.h"
#include "buymodel.h"
#include "buymonitorwidget.h"
#include "catalogfixture.h"
#include "catalogpanel.h"
#include "dispatcher.h"
#include "domain/catalog.h"
#include "embeddedprincipal.h"
#include "errorbanner.h"
#include "jobs/execution.h"
#include "jsonvalues.h"
#include "mainwindow.h"
#include "modelroles.h"
#include "productmodel.h"
#include "sellercontext.h"
#include "server/inprocesstransport.h"
#include "theme.h"
#include "workbench.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QHash>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QUuid>

#include <functional>

using namespace adcp::gui;
using adcp::models::BuyModel;
using guidriver::click;
using guidriver::typeInto;
using nlohmann::json;

namespace {

constexpr int kHangMs = 60000;
const char *const kPodcast = "podcast_host_read";
const char *const kAudio = "audio_streaming_music";

// The embedded seller with its answers altered on the way back (the seller did the work): `alter` gets the
// tool and the outcome, and may change it.
class AlteredSeller final : public adcp::AgentTransport
{
public:
    using Alter = std::function<void(const QString &tool, adcp::ToolOutcome &outcome)>;
    AlteredSeller(std::shared_ptr<adcp::seller::Dispatcher> seller, const adcp::seller::Principal &principal,
                  Alter alter)
        : m_inner(std::move(seller), principal), m_alter(std::move(alter))
    {
        connect(&m_inner, &adcp::AgentTransport::callFinished, this,
                [this](quint64 id, const adcp::SharedOutcome &outcome, const adcp::TransportMeta &meta) {
                    adcp::ToolOutcome changed = *outcome;
                    m_alter(m_tools.take(id), changed);
                    Q_EMIT callFinished(id, std::make_shared<const adcp::ToolOutcome>(std::move(changed)),
                                        meta);
                });
    }
    QString kind() const override { return m_inner.kind(); }
    quint64 callTool(const QString &tool, const json &arguments) override
    {
        const quint64 id = m_inner.callTool(tool, arguments);
        m_tools.insert(id, tool);
        return id;
    }
    void cancel(quint64 callId) override { m_inner.cancel(callId); }

private:
    adcp::seller::InProcessTransport m_inner;
    Alter m_alter;
    QHash<quint64, QString> m_tools;
};

} // namespace

class TestDirectBuy final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void listPagesAndRefresh();
    void buyAndPause();
    void budgetRaiseNeedsARequote();
    void staleRevisionIsReadAgain();
    void staleFeedOffersAReload();
    void cancelConfirmsFirst();
    void lostAnswerIsSentAgainUnderTheSameKey();
    void refusedPurchaseIsNamedByItsProduct();
    void sellerWithoutTheToolsSaysWhy();

private:
    void waitIdle() { guidriver::waitIdle(m_workbench.get()); }
    void openTab(MainWindow::Tab tab) { guidriver::openTab(m_window.get(), tab); }
    void tickProduct(const QString &productId) { guidriver::tickCatalogProduct(catalog(), productId); }
    QString sellerCall(const std::string &tool, json args);
    CatalogPanel *catalog() const { return m_window->catalogPanel(); }
    QDoubleSpinBox *budgetBox(const char *productId) const
    {
        return guidriver::catalogBudgetBox(catalog(), QLatin1String(productId));
    }

    QTemporaryDir m_dir;
    std::shared_ptr<adcp::seller::SellerContext> m_context;
    std::shared_ptr<adcp::seller::Dispatcher> m_dispatcher;
    std::shared_ptr<adcp::seller::Execution> m_execution;
    std::unique_ptr<adcp::AgentClient> m_client;
    std::unique_ptr<Workbench> m_workbench;
    std::unique_ptr<MainWindow> m_window;
    QString m_buy;
};

void TestDirectBuy::initTestCase()
{
    guidriver::startApplication(QStringLiteral("tst_directbuy"));
    adcp::seller::SellerOptions options;
    options.databasePath = m_dir.filePath(QStringLiteral("seller.sqlite"));
    QString error;
    m_context = adcp::seller::SellerContext::open(options, &error);
    QVERIFY2(m_context, qPrintable(error));
    m_dispatcher = std::make_shared<adcp::seller::Dispatcher>(m_context);
    m_execution = adcp::seller::Execution::start(m_context, {}, &error);
    QVERIFY2(m_execution, qPrintable(error));
    m_client = guidriver::embeddedPlannerClient(m_dispatcher);
    m_workbench = guidriver::plannerWorkbench(m_client.get(), m_context, 100);
    m_window = std::make_unique<MainWindow>(m_workbench.get());
    m_window->resize(1440, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    // Before the seller's capabilities are known nothing can be listed or bought, and the tooltips say why.
    openTab(MainWindow::Tab::Catalog);
    QVERIFY(!catalog()->loadButton()->isEnabled());
    QVERIFY(catalog()->loadButton()->toolTip().contains(QStringLiteral("Test the connection")));
    QVERIFY(!catalog()->buyButton()->isEnabled());
    click(m_window->connectButton());
    waitIdle();
    QVERIFY(m_workbench->isConnected());
}

void TestDirectBuy::cleanupTestCase()
{
    m_window.reset();
    m_workbench.reset();
    m_client.reset();
    if (m_execution)
        m_execution->stop();
    m_execution.reset();
    m_dispatcher.reset();
    m_context.reset();
}

// A call to the seller behind the window's back (another planner, the seller's own trader).
QString TestDirectBuy::sellerCall(const std::string &tool, json args)
{
    args["adcp_version"] = "3.2";
    args["idempotency_key"] = QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    args["account"] = {{"brand", {{"domain", m_workbench->brandDomain().toStdString()}}},
                       {"operator", m_workbench->operatorDomain().toStdString()}};
    const auto outcome = m_dispatcher->call(embeddedPlannerPrincipal(), tool, args);
    return outcome.ok() ? QString()
                        : QString::fromStdString(outcome.error->code + ": " + outcome.error->message);
}

void TestDirectBuy::listPagesAndRefresh()
{
    openTab(MainWindow::Tab::Catalog);
    m_workbench->setCatalogPageSize(5);
    click(catalog()->loadButton());
    waitIdle();
    const adcp::models::ProductModel *products = m_workbench->catalog();
    QCOMPARE(products->rowCount(), 5);
    QVERIFY(!m_workbench->catalogFeedVersion().isEmpty());
    QVERIFY2(catalog()->versionLabel()->toolTip().contains(m_workbench->catalogFeedVersion()),
             qPrintable(catalog()->versionLabel()->text()));
    QVERIFY(catalog()->versionLabel()->text().contains(QStringLiteral("more available")));
    // Channels and prices read as a planner says them, never as the wire's enum names.
    const QString channels = products->index(0, adcp::models::ProductModel::ChannelsColumn).data().toString();
    QVERIFY2(!channels.isEmpty() && !channels.contains(QLatin1Char('_')), qPrintable(channels));
    QVERIFY(!products->index(0, adcp::models::ProductModel::PriceColumn).data().toString().isEmpty());
    // The next pages, until the seller has no more.
    int pages = 1;
    while (catalog()->moreButton()->isVisible()) {
        click(catalog()->moreButton());
        waitIdle();
        QVERIFY(++pages < 10);
    }
    QCOMPARE(pages, 3);
    QCOMPARE(products->rowCount(), 15);
    QVERIFY(!catalog()->versionLabel()->text().contains(QStringLiteral("more available")));
    // Refresh asks with if_feed_version; the seller says unchanged and the catalog stays.
    click(catalog()->refreshButton());
    waitIdle();
    QCOMPARE(products->rowCount(), 15);
    QVERIFY2(catalog()->versionLabel()->text().contains(QStringLiteral("Catalog unchanged")),
             qPrintable(catalog()->versionLabel()->text()));
    QVERIFY(m_window->statusMessage()->text().contains(QStringLiteral("Catalog unchanged")));
    // The opaque version tokens are for testers: in the tooltip, not in the planner's line.
    QVERIFY(!catalog()->versionLabel()->text().contains(QStringLiteral("version")));
    QVERIFY2(catalog()->versionLabel()->toolTip().startsWith(QStringLiteral("Feed version: ")),
             qPrintable(catalog()->versionLabel()->toolTip()));
    const QList<adcp::Exchange> log = m_client->exchangeLog();
    QVERIFY(!log.isEmpty() && log.back().tool == QLatin1String("list_products"));
    QCOMPARE(log.back().request.value("if_feed_version", std::string()),
             m_workbench->catalogFeedVersion().toStdString());
    QVERIFY(log.back().responseIssues.empty());
}

void TestDirectBuy::buyAndPause()
{
    openTab(MainWindow::Tab::Catalog);
    QVERIFY(!catalog()->buyButton()->isEnabled());
    QVERIFY(catalog()->problemsLabel()->text().contains(QStringLiteral("Click the products to buy")));
    tickProduct(QString::fromLatin1(kPodcast));
    tickProduct(QString::fromLatin1(kAudio));
    QCOMPARE(catalog()->orderTable()->rowCount(), 2);
    // No budget yet: Buy stays off and says what is missing.
    QVERIFY(!catalog()->buyButton()->isEnabled());
    QVERIFY2(catalog()->problemsLabel()->text().contains(QStringLiteral("budget")),
             qPrintable(catalog()->problemsLabel()->text()));
    QTRY_VERIFY_WITH_TIMEOUT(budgetBox(kPodcast) && budgetBox(kAudio), kHangMs);
    QDoubleSpinBox *podcast = budgetBox(kPodcast);
    QDoubleSpinBox *audio = budgetBox(kAudio);
    typeInto(podcast, QStringLiteral("12000"));
    typeInto(audio, QStringLiteral("3000"));
    QCOMPARE(podcast->value(), 12000.0);
    QCOMPARE(audio->value(), 3000.0);
    QVERIFY2(catalog()->buyButton()->isEnabled(), qPrintable(catalog()->problemsLabel()->text()));
    QVERIFY(catalog()
                ->findChild<QLabel *>(QStringLiteral("catalogTotal"))
                ->text()
                .contains(QStringLiteral("15,000")));
    click(catalog()->buyButton());
    // Off while the seller answers: no second click can buy twice.
    QVERIFY(!catalog()->buyButton()->isEnabled());
    waitIdle();
    QCOMPARE(m_workbench->buys()->rowCount(), 1);
    m_buy = m_workbench->buys()->mediaBuyId(0);
    QVERIFY(!m_buy.isEmpty());
    // The buy request named the catalog's versions and a fresh idempotency key.
    adcp::Exchange bought;
    for (const adcp::Exchange &exchange : m_client->exchangeLog())
        if (exchange.tool == QLatin1String("buy_products"))
            bought = exchange;
    QCOMPARE(bought.request.value("feed_version", std::string()),
             m_workbench->catalogFeedVersion().toStdString());
    QVERIFY(!bought.request.value("idempotency_key", std::string()).empty());
    QVERIFY2(bought.requestIssues.empty() && bought.responseIssues.empty(), bought.response.dump().c_str());
    // In the monitor, selected, its detail on the right; the order is cleared.
    QCOMPARE(m_window->lifecycleTabs()->currentIndex(), int(MainWindow::Tab::Buys));
    QCOMPARE(m_window->currentDetail(), MainWindow::Detail::Buy);
    BuyDetailWidget *detail = m_window->buyDetail();
    QCOMPARE(detail->mediaBuyId(), m_buy);
    QVERIFY(m_workbench->buys()->title(0).contains(QStringLiteral("podcast")));
    QCOMPARE(catalog()->orderTable()->rowCount(), 0);
    // Pause from the detail: control_media_buy at the buy's revision, and the status follows.
    QTRY_VERIFY_WITH_TIMEOUT(detail->pauseButton()->isEnabled(), kHangMs);
    click(detail->pauseButton());
    waitIdle();
    QTRY_VERIFY2_WITH_TIMEOUT(detail->statusLabel()->text().contains(QStringLiteral("Paused")),
                              qPrintable(detail->statusLabel()->text()), kHangMs);
    QVERIFY(!detail->errorBanner()->isVisible());
    QVERIFY2(m_window->statusMessage()->text().startsWith(QStringLiteral("Pause: Done")),
             qPrintable(m_window->statusMessage()->text()));
    adcp::Exchange control;
    for (const adcp::Exchange &exchange : m_client->exchangeLog())
        if (exchange.tool == QLatin1String("control_media_buy"))
            control = exchange;
    QCOMPARE(control.request.value("paused", false), true);
    QVERIFY(control.request.contains("revision"));
    QVERIFY(!control.error);
    QTRY_VERIFY_WITH_TIMEOUT(detail->resumeButton()->isEnabled(), kHangMs);
    QVERIFY(!detail->pauseButton()->isEnabled());
}

void TestDirectBuy::budgetRaiseNeedsARequote()
{
    BuyDetailWidget *detail = m_window->buyDetail();
    QCOMPARE(detail->mediaBuyId(), m_buy);
    QVERIFY(detail->budgetButton()->isEnabled());
    const int row = m_workbench->buys()->rowOf(m_buy);
    const QString before = m_workbench->buys()->index(row, BuyModel::BudgetColumn).data().toString();
    guidriver::onNextDialog(this, [](QDialog *dialog) {
        auto *spin = dialog->findChild<QDoubleSpinBox *>();
        QVERIFY(spin && spin->isVisible());
        typeInto(spin, QStringLiteral("90000"));
        auto *buttons = dialog->findChild<QDialogButtonBox *>();
        QVERIFY(buttons);
        click(buttons->button(QDialogButtonBox::Ok));
    });
    click(detail->budgetButton());
    waitIdle();
    ErrorBanner *banner = detail->errorBanner();
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), kHangMs);
    QCOMPARE(banner->code(), QStringLiteral("REQUOTE_REQUIRED"));
    QVERIFY2(banner->text().contains(QStringLiteral("the buy&#x27;s total budget")) ||
                 banner->text().contains(QStringLiteral("the buy's total budget")),
             qPrintable(banner->text()));
    QVERIFY(banner->text().contains(QStringLiteral("total_budget.amount")));
    QVERIFY(banner->text().contains(QStringLiteral("new quote")));
    QCOMPARE(m_workbench->buys()->index(row, BuyModel::BudgetColumn).data().toString(), before);
    // Lowering it is inside what was accepted: it goes through.
    guidriver::onNextDialog(this, [](QDialog *dialog) {
        typeInto(dialog->findChild<QDoubleSpinBox *>(), QStringLiteral("14000"));
        click(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok));
    });
    click(detail->budgetButton());
    waitIdle();
    QVERIFY2(!banner->isVisible(), qPrintable(banner->text()));
    QTRY_VERIFY_WITH_TIMEOUT(m_workbench->buys()
                                 ->index(row, BuyModel::BudgetColumn)
                                 .data()
                                 .toString()
                                 .contains(QStringLiteral("14,000")),
                             kHangMs);
}

void TestDirectBuy::staleRevisionIsReadAgain()
{
    BuyDetailWidget *detail = m_window->buyDetail();
    // The monitor polls the buy: stop it, so that the window still holds the old revision when another party
    // renames the buy on the seller.
    m_workbench->setMonitoringInterval(0);
    waitIdle();
    const int row = m_workbench->buys()->rowOf(m_buy);
    QVERIFY(row >= 0);
    const qint64 seen = m_workbench->buys()->buyJson(row).value("revision", qint64(0));
    QVERIFY(seen > 0);
    QCOMPARE(sellerCall("control_media_buy", {{"media_buy_id", m_buy.toStdString()},
                                              {"revision", seen},
                                              {"name", "Renamed by the trader"}}),
             QString());
    QVERIFY(detail->resumeButton()->isEnabled());
    click(detail->resumeButton());
    waitIdle();
    ErrorBanner *banner = detail->errorBanner();
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), kHangMs);
    QCOMPARE(banner->code(), QStringLiteral("CONFLICT"));
    QVERIFY2(banner->text().contains(QStringLiteral("read again")), qPrintable(banner->text()));
    // The buy was read again: the next click names the current revision and goes through.
    QTRY_VERIFY_WITH_TIMEOUT(m_workbench->buys()->buyJson(row).value("revision", qint64(0)) > seen, kHangMs);
    click(detail->resumeButton());
    waitIdle();
    QVERIFY2(!banner->isVisible(), qPrintable(banner->text()));
    QTRY_VERIFY2_WITH_TIMEOUT(!detail->statusLabel()->text().contains(QStringLiteral("Paused")),
                              qPrintable(detail->statusLabel()->text()), kHangMs);
    m_workbench->setMonitoringInterval(100);
}

void TestDirectBuy::staleFeedOffersAReload()
{
    openTab(MainWindow::Tab::Catalog);
    const QString listed = m_workbench->catalogFeedVersion();
    guidriver::orderFromCatalog(catalog(), QString::fromLatin1(kAudio), QStringLiteral("2500"));
    QVERIFY(catalog()->buyButton()->isEnabled());
    // The seller's trader publishes a new product meanwhile: the feed the window listed is no longer current.
    const json product = catalogfixture::publishedProduct(
        "late_display", "Late display", "A product published after the planner listed the catalog.",
        "late.example");
    auto db = m_context->database();
    QString error;
    QVERIFY2(adcp::seller::Catalog::upsertProduct(db, product, json::object(), {{"order_template", "FIX"}},
                                                  QStringLiteral("2030-01-01T00:00:00Z"), &error),
             qPrintable(error));
    QVERIFY2(m_context->reloadCatalog(&error), qPrintable(error));
    const int buysBefore = m_workbench->buys()->rowCount();
    click(catalog()->buyButton());
    waitIdle();
    // Refused, nothing bought, and the banner says why in words with the one remedy: load the catalog again.
    QCOMPARE(m_workbench->buys()->rowCount(), buysBefore);
    QCOMPARE(m_window->lifecycleTabs()->currentIndex(), int(MainWindow::Tab::Catalog));
    ErrorBanner *banner = catalog()->errorBanner();
    QVERIFY(banner->isVisible());
    QCOMPARE(banner->code(), QStringLiteral("CONFLICT"));
    QVERIFY2(banner->text().contains(QStringLiteral("catalog changed")), qPrintable(banner->text()));
    QVERIFY(banner->text().contains(QStringLiteral("feed_version")));
    QCOMPARE(banner->remedyButton()->text(), QStringLiteral("Reload catalog"));
    click(banner->remedyButton());
    waitIdle();
    QVERIFY(!banner->isVisible());
    QVERIFY(!m_workbench->catalogFeedVersion().isEmpty());
    QVERIFY(m_workbench->catalogFeedVersion() != listed);
    QCOMPARE(m_workbench->catalog()->rowCount(), 5);
    QVERIFY(catalog()->moreButton()->isVisible());
    QCOMPARE(catalog()->orderTable()->rowCount(), 0);
}

void TestDirectBuy::cancelConfirmsFirst()
{
    openTab(MainWindow::Tab::Buys);
    BuyDetailWidget *detail = m_window->buyDetail();
    QCOMPARE(detail->mediaBuyId(), m_buy);
    // "No" keeps the buy.
    guidriver::onNextDialog(this, [](QDialog *dialog) {
        auto *box = qobject_cast<QMessageBox *>(dialog);
        QVERIFY(box);
        click(box->button(QMessageBox::No));
    });
    click(detail->cancelButton());
    waitIdle();
    QVERIFY(!detail->statusLabel()->text().contains(QStringLiteral("Canceled")));
    guidriver::onNextDialog(
        this, [](QDialog *dialog) { click(qobject_cast<QMessageBox *>(dialog)->button(QMessageBox::Yes)); });
    click(detail->cancelButton());
    waitIdle();
    QTRY_VERIFY2_WITH_TIMEOUT(detail->statusLabel()->text().contains(QStringLiteral("Canceled")),
                              qPrintable(detail->statusLabel()->text()), kHangMs);
    QVERIFY(!detail->pauseButton()->isEnabled() && !detail->budgetButton()->isEnabled());
}

void TestDirectBuy::lostAnswerIsSentAgainUnderTheSameKey()
{
    // The seller books the order but its answer is lost on the way (a dropped connection): the window cannot
    // know whether it bought. Buy again sends the very same order under the same key, and the seller's replay
    // gives the one buy it made.
    bool lose = true;
    adcp::AgentClient flaky(
        QStringLiteral("Embedded seller"),
        std::make_unique<AlteredSeller>(m_dispatcher, embeddedPlannerPrincipal(),
                                        [&lose](const QString &tool, adcp::ToolOutcome &outcome) {
                                            if (tool != QLatin1String("buy_products") || !lose)
                                                return;
                                            lose = false;
                                            outcome = adcp::ToolOutcome::failure(adcp::AdcpError::make(
                                                "SERVICE_UNAVAILABLE", "the connection dropped"));
                                        }),
        adcp::SchemaRegistry::bundled());
    m_workbench->setClient(&flaky, QString::fromStdString(embeddedPlannerPrincipal().id));
    click(m_window->connectButton());
    waitIdle();
    openTab(MainWindow::Tab::Catalog);
    m_workbench->setCatalogPageSize(25);
    click(catalog()->loadButton());
    waitIdle();
    guidriver::orderFromCatalog(catalog(), QString::fromLatin1(kAudio), QStringLiteral("2600"));
    click(catalog()->buyButton());
    waitIdle();
    ErrorBanner *banner = catalog()->errorBanner();
    QVERIFY(banner->isVisible());
    QVERIFY2(banner->text().contains(QStringLiteral("same idempotency key")), qPrintable(banner->text()));
    QCOMPARE(m_workbench->buys()->rowCount(), 0);
    click(catalog()->buyButton());
    waitIdle();
    QVERIFY2(!banner->isVisible(), qPrintable(banner->text()));
    QCOMPARE(m_workbench->buys()->rowCount(), 1);
    std::vector<std::string> keys;
    for (const adcp::Exchange &exchange : flaky.exchangeLog())
        if (exchange.tool == QLatin1String("buy_products"))
            keys.push_back(exchange.request.value("idempotency_key", std::string()));
    QCOMPARE(keys.size(), size_t(2));
    QCOMPARE(keys[0], keys[1]);
    // The seller's replay of that key is its one buy (tst_seller_directbuys checks that a key books once).
    m_workbench->setClient(m_client.get(), QString::fromStdString(embeddedPlannerPrincipal().id));
}

// A seller refusing one purchase points at it as `purchases[0].budget`: the banner names the product the
// planner ticked and says the field in words, the path as sent beside it.
void TestDirectBuy::refusedPurchaseIsNamedByItsProduct()
{
    adcp::AgentClient strict(
        QStringLiteral("Embedded seller"),
        std::make_unique<AlteredSeller>(m_dispatcher, embeddedPlannerPrincipal(),
                                        [](const QString &tool, adcp::ToolOutcome &outcome) {
                                            if (tool != QLatin1String("buy_products"))
                                                return;
                                            adcp::AdcpError error = adcp::AdcpError::make(
                                                "BUDGET_TOO_LOW", "below this product's minimum spend");
                                            error.field = "purchases[0].budget";
                                            outcome = adcp::ToolOutcome::failure(std::move(error));
                                        }),
        adcp::SchemaRegistry::bundled());
    m_workbench->setClient(&strict, QString::fromStdString(embeddedPlannerPrincipal().id));
    click(m_window->connectButton());
    waitIdle();
    openTab(MainWindow::Tab::Catalog);
    click(catalog()->loadButton());
    waitIdle();
    const QString product = m_workbench->catalog()->productName(QString::fromLatin1(kAudio));
    QVERIFY(!product.isEmpty() && product != QLatin1String(kAudio));
    guidriver::orderFromCatalog(catalog(), QString::fromLatin1(kAudio), QStringLiteral("2600"));
    click(catalog()->buyButton());
    waitIdle();
    ErrorBanner *banner = catalog()->errorBanner();
    QVERIFY(banner->isVisible());
    QCOMPARE(banner->code(), QStringLiteral("BUDGET_TOO_LOW"));
    QVERIFY2(banner->text().contains(product + QStringLiteral(": below")), qPrintable(banner->text()));
    QVERIFY2(banner->text().contains(QStringLiteral("purchase 1 › budget")), qPrintable(banner->text()));
    QVERIFY(banner->text().contains(QStringLiteral("purchases[0].budget")));
    // A changed order is a new one: the refusal goes. Below the price's minimum spend the window says so
    // before anything is sent.
    typeInto(guidriver::catalogBudgetBox(catalog(), QString::fromLatin1(kAudio)), QStringLiteral("1500"));
    QVERIFY(!banner->isVisible());
    QVERIFY(!catalog()->buyButton()->isEnabled());
    QVERIFY2(catalog()->problemsLabel()->text().contains(product + QStringLiteral(" needs at least $2,000")),
             qPrintable(catalog()->problemsLabel()->text()));
    typeInto(guidriver::catalogBudgetBox(catalog(), QString::fromLatin1(kAudio)), QStringLiteral("2600"));
    QCOMPARE(catalog()->problemsLabel()->text(), QStringLiteral("Ready to buy."));
    banner->clearError();
    m_workbench->setClient(m_client.get(), QString::fromStdString(embeddedPlannerPrincipal().id));
}

void TestDirectBuy::sellerWithoutTheToolsSaysWhy()
{
    // The same seller seen through capabilities without the 3.2 lifecycle tools (an older or smaller remote
    // seller): nothing to list or buy, no budget control, each saying why; pause and cancel stay (they fall
    // back to update_media_buy).
    m_window->buyDetail()->errorBanner()->clearError();
    adcp::AgentClient older(
        QStringLiteral("Older seller"),
        std::make_unique<AlteredSeller>(m_dispatcher, embeddedPlannerPrincipal(),
                                        [](const QString &, adcp::ToolOutcome &outcome) {
                                            if (outcome.ok() && outcome.result.contains("media_buy"))
                                                outcome.result["media_buy"].erase("lifecycle_tools");
                                        }),
        adcp::SchemaRegistry::bundled());
    m_workbench->setClient(&older, QStringLiteral("planner"));
    click(m_window->connectButton());
    waitIdle();
    QVERIFY(m_workbench->isConnected());
    QVERIFY(!m_workbench->offersTool(QStringLiteral("list_products")));
    openTab(MainWindow::Tab::Catalog);
    QVERIFY(!catalog()->loadButton()->isEnabled());
    QVERIFY2(catalog()->loadButton()->toolTip().contains(QStringLiteral("does not publish a catalog")),
             qPrintable(catalog()->loadButton()->toolTip()));
    QVERIFY(!catalog()->buyButton()->isEnabled());
    QVERIFY(!m_window->buyDetail()->budgetButton()->isEnabled());
    QVERIFY(m_window->buyDetail()->budgetButton()->toolTip().contains(QStringLiteral("does not offer")));
    m_workbench->setClient(m_client.get(), QString::fromStdString(embeddedPlannerPrincipal().id));
}

QTEST_MAIN(TestDirectBuy)
#include "tst_directbuy.moc"
