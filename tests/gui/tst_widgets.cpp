#include "buydetailwidget.h"
#include "buyeventmodel.h"
#include "buymodel.h"
#include "buysortmodel.h"
#include "closeopportunitydialog.h"
#include "createbuydialog.h"
#include "creativeassets.h"
#include "declinedialog.h"
#include "deliverychart.h"
#include "errorbanner.h"
#include "exchangeinspector.h"
#include "exchangemodel.h"
#include "filterablelistwidget.h"
#include "librarycreativedialogs.h"
#include "pluraltranslator.h"
#include "proposalcomparemodel.h"
#include "proposalmodel.h"
#include "refinedialog.h"
#include "versioncomparedialog.h"

#include <QChart>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QTreeWidget>
#include <QValueAxis>
#include <QXYSeries>

#include <cmath>

using namespace adcp::gui;
using nlohmann::json;

Q_DECLARE_METATYPE(adcp::gui::ErrorBanner::Remedy)

namespace {

const QDateTime kNow = QDateTime(QDate(2026, 3, 1), QTime(12, 0), Qt::UTC);

json proposal(const std::string &status)
{
    return {{"proposal_id", "p-1"},
            {"proposal_version", "v3"},
            {"name", "CTV + OLV mix"},
            {"proposal_status", status},
            {"allocations",
             {{{"product_id", "ctv"}, {"allocation_percentage", 70}},
              {{"product_id", "olv"}, {"allocation_percentage", 30}}}},
            {"total_budget_guidance",
             {{"min", 20000}, {"recommended", 50000}, {"max", 80000}, {"currency", "USD"}}}};
}

} // namespace

class TestWidgets final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void creativeFormatsMatch();
    void newCreativeDialogSaysWhatIsMissing();
    void declineDialog_data();
    void declineDialog();
    void declineDialogOffersTheTenReasons();
    void closeOpportunityDialog_data();
    void closeOpportunityDialog();
    void filterableListFiltersAndSelects();
    void createBuyDialogTakesBackARefusedRequest();
    void createBuyDialog_data();
    void createBuyDialog();
    void refineDialogBuildsEntries();
    void errorBannerRemedies_data();
    void errorBannerRemedies();
    void deliveryChartPlotsDeliveredAgainstPlan();
    void deliveryChartFitsANarrowPane();
    void buyDetailRedrawsOnlyWhatChanged();
    void buyDetailShowsPricingPerPackage();
    void versionCompareHighlightsChanges();
    void exchangeLogFollowsOnlyAtItsEnd();
    void inspectorShowsIssuesAndSavesHistory();
    void inspectorFollowsItsExchangeWhenOldOnesAreTrimmed();
};

void TestWidgets::declineDialog_data()
{
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("detail");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("price, no detail") << QStringLiteral("price") << QString() << true;
    QTest::newRow("other without detail") << QStringLiteral("other") << QString() << false;
    QTest::newRow("other with blank detail") << QStringLiteral("other") << QStringLiteral("   ") << false;
    QTest::newRow("other with detail")
        << QStringLiteral("other") << QStringLiteral("Client paused the launch") << true;
    QTest::newRow("detail too long") << QStringLiteral("timing") << QString(501, QLatin1Char('x')) << false;
    QTest::newRow("detail at limit") << QStringLiteral("timing") << QString(500, QLatin1Char('x')) << true;
}

void TestWidgets::declineDialog()
{
    QFETCH(QString, reason);
    QFETCH(QString, detail);
    QFETCH(bool, accepted);
    DeclineDialog dialog(QStringLiteral("p-1"), QStringLiteral("v3"), QStringLiteral("CTV + OLV mix"));
    dialog.setReason(reason);
    dialog.setDetail(detail);
    QCOMPARE(dialog.reason(), reason);
    QCOMPARE(dialog.canAccept(), accepted);
    auto *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QCOMPARE(ok->isEnabled(), accepted);
}

void TestWidgets::closeOpportunityDialog_data()
{
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("detail");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("not pursued") << QStringLiteral("not_pursued") << QString() << true;
    QTest::newRow("other without detail") << QStringLiteral("other") << QString() << false;
    QTest::newRow("other with detail") << QStringLiteral("other") << QStringLiteral("Brand paused") << true;
    QTest::newRow("detail too long") << QStringLiteral("timing_changed") << QString(501, QLatin1Char('x'))
                                     << false;
}

// The close dialog shares the decline dialog's reason form: same rules, its own reasons and control names.
void TestWidgets::closeOpportunityDialog()
{
    QFETCH(QString, reason);
    QFETCH(QString, detail);
    QFETCH(bool, accepted);
    CloseOpportunityDialog dialog(QStringLiteral("Cold brew launch"));
    QVERIFY(!CloseOpportunityDialog::reasons().contains(QStringLiteral("accepted_with_seller")));
    dialog.setReason(reason);
    dialog.setDetail(detail);
    QCOMPARE(dialog.reason(), reason);
    QCOMPARE(dialog.detail(), detail.trimmed());
    QCOMPARE(dialog.canAccept(), accepted);
    QVERIFY(dialog.findChild<QWidget *>(QStringLiteral("closeReason")));
    QCOMPARE(dialog.findChild<QLabel *>(QStringLiteral("closeProblem"))->text().isEmpty(), accepted);
    auto *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QCOMPARE(ok->isEnabled(), accepted);
}

// The list shape every tab uses: the text filter narrows the proxy, selection reports the row's id, a row
// that is filtered out cannot be selected, and selecting the current row again says so again.
void TestWidgets::filterableListFiltersAndSelects()
{
    adcp::models::BuyModel model;
    adcp::models::BuySortModel proxy;
    for (const char *id : {"mb-alpha", "mb-beta", "mb-gamma"})
        model.upsertBuy({{"media_buy_id", id}, {"status", "active"}, {"health", "ok"}});
    FilterableListWidget list(&model, &proxy, {QStringLiteral("buy"), QStringLiteral("Filter"), 0});
    QCOMPARE(list.view()->model(), &proxy);
    QCOMPARE(list.filterEdit()->objectName(), QStringLiteral("buyFilter"));
    QCOMPARE(list.view()->objectName(), QStringLiteral("buyView"));
    connect(&list, &FilterableListWidget::filterTextChanged, &proxy,
            &adcp::models::BuySortModel::setFilterText);
    QSignalSpy selected(&list, &FilterableListWidget::selected);
    list.select(QStringLiteral("mb-beta"));
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.last().front().toString(), QStringLiteral("mb-beta"));
    list.select(QStringLiteral("mb-beta"));
    QCOMPARE(selected.count(), 2);
    list.filterEdit()->setText(QStringLiteral("gamma"));
    QCOMPARE(proxy.rowCount(), 1);
    // The current row may move to what is left; a hidden row cannot become current.
    const qsizetype afterFilter = selected.count();
    list.select(QStringLiteral("mb-alpha"));
    list.select(QStringLiteral("mb-unknown"));
    QCOMPARE(selected.count(), afterFilter);
    QVERIFY(afterFilter == 2 || selected.last().front().toString() == QLatin1String("mb-gamma"));
}

void TestWidgets::declineDialogOffersTheTenReasons()
{
    DeclineDialog dialog(QStringLiteral("p-1"), QStringLiteral("v3"), QStringLiteral("CTV + OLV mix"));
    QCOMPARE(DeclineDialog::reasons().size(), 10);
    QVERIFY(DeclineDialog::reasons().contains(QStringLiteral("selected_alternative")));
    // The version being declined is shown, so the planner knows which offer the decline applies to.
    const QLabel *what = dialog.findChild<QLabel *>(QStringLiteral("declineWhat"));
    QVERIFY(what->text().contains(QStringLiteral("<b>v3</b>")));
}

void TestWidgets::createBuyDialog_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<double>("budget");
    QTest::addColumn<qint64>("startIn");
    QTest::addColumn<qint64>("endIn");
    QTest::addColumn<bool>("asap");
    QTest::addColumn<QString>("problem"); // empty = can send
    QTest::newRow("ok") << QStringLiteral("committed") << 50000.0 << qint64(3600) << qint64(86400) << false
                        << QString();
    QTest::newRow("asap") << QStringLiteral("committed") << 50000.0 << qint64(-3600) << qint64(86400) << true
                          << QString();
    QTest::newRow("draft") << QStringLiteral("draft") << 50000.0 << qint64(3600) << qint64(86400) << false
                           << QStringLiteral("finalize it first");
    QTest::newRow("zero budget") << QStringLiteral("committed") << 0.0 << qint64(3600) << qint64(86400)
                                 << false << QStringLiteral("above zero");
    QTest::newRow("below minimum") << QStringLiteral("committed") << 1000.0 << qint64(3600) << qint64(86400)
                                   << false << QStringLiteral("below the seller's minimum");
    QTest::newRow("past start") << QStringLiteral("committed") << 50000.0 << qint64(-7200) << qint64(86400)
                                << false << QStringLiteral("in the past");
    QTest::newRow("end before start") << QStringLiteral("committed") << 50000.0 << qint64(7200)
                                      << qint64(3600) << false << QStringLiteral("end must be after");
}

void TestWidgets::createBuyDialog()
{
    QFETCH(QString, status);
    QFETCH(double, budget);
    QFETCH(qint64, startIn);
    QFETCH(qint64, endIn);
    QFETCH(bool, asap);
    QFETCH(QString, problem);
    // The dialog's clock is "now" to the minute; keep it a little ahead so the ok case is not in the past.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    CreateBuyDialog dialog(proposal(status.toStdString()), false, now);
    dialog.setBudget(budget);
    dialog.setFlight(now.addSecs(startIn), now.addSecs(endIn));
    dialog.setAsap(asap);
    dialog.setPoNumber(QStringLiteral("PO-77"));
    const QStringList problems = dialog.problems();
    if (problem.isEmpty()) {
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char(' '))));
        const json request = dialog.request();
        QVERIFY(request["proposal_id"] == "p-1");
        QVERIFY(request["proposal_version"] == "v3");
        QVERIFY(request["total_budget"]["amount"] == budget);
        QVERIFY(request["total_budget"]["currency"] == "USD");
        QVERIFY(request["po_number"] == "PO-77");
        QCOMPARE(request["start_time"] == "asap", asap);
    } else {
        QVERIFY2(problems.join(QLatin1Char(' ')).contains(problem),
                 qPrintable(problems.join(QLatin1Char(' '))));
    }
    QVERIFY(!dialog.webhooksWanted()); // no receiver: no webhooks promised
    // Within the guidance nothing is said; far above its maximum it is said (the seller decides: still
    // sendable).
    QVERIFY(dialog.warnings().isEmpty());
    if (problem.isEmpty()) {
        dialog.setBudget(999999999.0);
        const QString said = dialog.findChild<QLabel *>(QStringLiteral("buyProblems"))->text();
        QVERIFY2(said.contains(QStringLiteral("guidance maximum")) && said.contains(QStringLiteral("12500×")),
                 qPrintable(said));
        QVERIFY(dialog.problems().isEmpty());
        QVERIFY(dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled());
    }
}

// After a refusal the dialog starts from what the planner sent: as soon as possible, the PO number, the
// insertion order accepted by the same signatory and its terms in words; an IO of another proposal is not
// taken as accepted.
void TestWidgets::createBuyDialogTakesBackARefusedRequest()
{
    json withIo = proposal("committed");
    withIo["insertion_order"] = {{"io_id", "io-9"},
                                 {"terms",
                                  {{"publisher", "Daily Courier"},
                                   {"total_budget", {{"amount", 50000}, {"currency", "USD"}}},
                                   {"payment_terms", "net_30"}}}};
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const json sent = {{"total_budget", {{"amount", 61000}, {"currency", "USD"}}},
                       {"start_time", "asap"},
                       {"end_time", now.addDays(3).toString(Qt::ISODate).toStdString()},
                       {"po_number", "PO-9"},
                       {"io_acceptance", {{"io_id", "io-9"}, {"signatory", "Dana Planner"}}}};
    CreateBuyDialog dialog(withIo, false, now);
    auto *accept = dialog.findChild<QCheckBox *>(QStringLiteral("buyIoAccept"));
    QVERIFY(accept);
    QVERIFY2(accept->text().contains(QStringLiteral("Net 30 days")), qPrintable(accept->text()));
    QVERIFY(!accept->isChecked());
    dialog.prefill(sent);
    QVERIFY(accept->isChecked());
    const json again = dialog.request();
    QVERIFY2(again["start_time"] == "asap", again.dump().c_str());
    QVERIFY(again["po_number"] == "PO-9");
    QVERIFY(again["total_budget"]["amount"] == 61000);
    QVERIFY(again["io_acceptance"]["signatory"] == "Dana Planner");
    // The person signing is told that the buy's budget is not the insertion order's; still sendable.
    const auto *said = dialog.findChild<QLabel *>(QStringLiteral("buyProblems"));
    QVERIFY2(said->text().contains(QStringLiteral("io-9 is for $50,000")) &&
                 said->text().contains(QStringLiteral("$61,000")),
             qPrintable(said->text()));
    QVERIFY(dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled());
    dialog.setBudget(50000);
    QVERIFY2(!said->text().contains(QStringLiteral("io-9")), qPrintable(said->text()));

    json otherIo = sent;
    otherIo["io_acceptance"]["io_id"] = "io-other";
    CreateBuyDialog fresh(withIo, false, now);
    fresh.prefill(otherIo);
    QVERIFY(!fresh.findChild<QCheckBox *>(QStringLiteral("buyIoAccept"))->isChecked());
}

void TestWidgets::refineDialogBuildsEntries()
{
    RefineDialog dialog(proposal("draft"), [](const QString &id) { return id.toUpper(); });
    // Nothing asked yet: the button says that the seller is asked for fresh terms, not a change.
    QPushButton *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QCOMPARE(ok->text(), QStringLiteral("Ask for fresh terms"));
    QVERIFY(ok->isEnabled());
    dialog.setProposalAsk(QStringLiteral("Keep it under 40k"));
    dialog.setRequestAsk(QStringLiteral("More video"));
    dialog.setProductAction(QStringLiteral("olv"), QStringLiteral("omit"));
    dialog.setProductAction(QStringLiteral("ctv"), QStringLiteral("more_like_this"));
    QCOMPARE(ok->text(), QStringLiteral("Send refinement"));
    const json entries = dialog.refineEntries();
    QCOMPARE(entries.size(), size_t(4));
    QVERIFY(entries[0] == json({{"scope", "proposal"},
                                {"proposal_id", "p-1"},
                                {"proposal_version", "v3"},
                                {"action", "include"},
                                {"ask", "Keep it under 40k"}}));
    QVERIFY(entries[1] == json({{"scope", "request"}, {"ask", "More video"}}));
    QVERIFY(entries[2] == json({{"scope", "product"}, {"product_id", "ctv"}, {"action", "more_like_this"}}));
    QVERIFY(entries[3] == json({{"scope", "product"}, {"product_id", "olv"}, {"action", "omit"}}));
}

void TestWidgets::errorBannerRemedies_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<ErrorBanner::Remedy>("remedy");
    QTest::addColumn<QString>("button");
    QTest::addColumn<QString>("recovery");
    QTest::newRow("not committed") << QStringLiteral("PROPOSAL_NOT_COMMITTED")
                                   << ErrorBanner::Remedy::FinalizeAndRetry
                                   << QStringLiteral("Finalize and retry")
                                   << QStringLiteral("change the request and send it again");
    QTest::newRow("conflict") << QStringLiteral("CONFLICT") << ErrorBanner::Remedy::ReloadLatest
                              << QStringLiteral("Reload latest version") << QStringLiteral("try again later");
    QTest::newRow("transient") << QStringLiteral("SERVICE_UNAVAILABLE") << ErrorBanner::Remedy::Retry
                               << QStringLiteral("Retry") << QStringLiteral("try again later");
    QTest::newRow("correctable") << QStringLiteral("INVALID_REQUEST") << ErrorBanner::Remedy::None
                                 << QString() << QStringLiteral("change the request and send it again");
    QTest::newRow("terminal") << QStringLiteral("ACCOUNT_SUSPENDED") << ErrorBanner::Remedy::None << QString()
                              << QStringLiteral("cannot succeed as sent");
}

void TestWidgets::errorBannerRemedies()
{
    QFETCH(QString, code);
    QFETCH(ErrorBanner::Remedy, remedy);
    QFETCH(QString, button);
    QFETCH(QString, recovery);
    ErrorBanner banner;
    QSignalSpy requested(&banner, &ErrorBanner::remedyRequested);
    adcp::AdcpError error =
        adcp::AdcpError::make(code.toStdString(), "The proposal is still a draft", "proposal_id",
                              "Finalize the proposal, then create the buy");
    banner.showError(error, QStringLiteral("Create buy"));
    QVERIFY(!banner.isHidden());
    QCOMPARE(banner.code(), code);
    QCOMPARE(banner.remedy(), remedy);
    // What a user reads: code, field, message and suggestion, plus the recovery class in plain words.
    QVERIFY(banner.text().contains(code));
    QVERIFY2(banner.text().contains(recovery), qPrintable(banner.text()));
    // The field in words, the path as sent beside it.
    QVERIFY2(banner.text().contains(QStringLiteral("Field: proposal id <code>(proposal_id)</code>")),
             qPrintable(banner.text()));
    QVERIFY(banner.text().contains(QStringLiteral("The proposal is still a draft")));
    QVERIFY(banner.text().contains(QStringLiteral("Finalize the proposal, then create the buy")));
    QCOMPARE(!banner.remedyButton()->isHidden(), !button.isEmpty());
    if (!button.isEmpty()) {
        QCOMPARE(banner.remedyButton()->text(), button);
        QTest::mouseClick(banner.remedyButton(), Qt::LeftButton);
        QCOMPARE(requested.count(), 1);
        QCOMPARE(requested.front().front().value<ErrorBanner::Remedy>(), remedy);
    }
}

void TestWidgets::deliveryChartPlotsDeliveredAgainstPlan()
{
    DeliveryChart chart;
    const json buy = {{"media_buy_id", "mb-1"},
                      {"total_budget", {{"amount", 3000}, {"currency", "USD"}}},
                      {"start_time", "2026-03-01T00:00:00Z"},
                      {"end_time", "2026-03-04T00:00:00Z"}};
    const json delivery = {{"media_buy_id", "mb-1"},
                           {"currency", "USD"},
                           {"totals", {{"spend", 1500}, {"impressions", 100000}}},
                           {"daily_breakdown",
                            {{{"date", "2026-03-01"}, {"spend", 900}, {"impressions", 60000}},
                             {{"date", "2026-03-02"}, {"spend", 600}, {"impressions", 40000}}}}};
    chart.setDelivery(buy, delivery);
    QCOMPARE(chart.deliveredPointCount(), 2);
    // The delivered line starts from nothing at the flight's start, as the hourly one does.
    const auto *deliveredLine = qobject_cast<QXYSeries *>(chart.chart()->series().at(1));
    QVERIFY(deliveredLine && deliveredLine->count() == 3);
    QCOMPARE(deliveredLine->at(0),
             QPointF(double(QDateTime(QDate(2026, 3, 1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch()), 0.0));
    QVERIFY(chart.plannedPointCount() >= 3);
    QSignalSpy changed(&chart, &DeliveryChart::granularityChanged);
    chart.setGranularity(QStringLiteral("hourly"));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.front().front().toString(), QStringLiteral("hourly"));
    const json hourly = {{"media_buy_id", "mb-1"},
                         {"totals", {{"spend", 30}}},
                         {"windows",
                          {{{"window_start", "2026-03-01T00:00:00Z"},
                            {"window_end", "2026-03-01T01:00:00Z"},
                            {"totals", {{"spend", 10}}}},
                           {{"window_start", "2026-03-01T01:00:00Z"},
                            {"window_end", "2026-03-01T02:00:00Z"},
                            {"totals", {{"spend", 12}}}},
                           {{"window_start", "2026-03-01T02:00:00Z"},
                            {"window_end", "2026-03-01T03:00:00Z"},
                            {"totals", {{"spend", 8}}}}}}};
    chart.setDelivery(buy, hourly);
    QCOMPARE(chart.deliveredPointCount(), 3);
    chart.setDelivery(buy, json::object());
    QCOMPARE(chart.deliveredPointCount(), 0);

    // Nothing is drawn after the seller's now: a window that starts later is left out, the one under way ends
    // at now (the delivered line is not drawn flat into the future).
    DeliveryChart clocked;
    clocked.setClock([] { return QDateTime(QDate(2026, 3, 1), QTime(1, 30), Qt::UTC); });
    clocked.setGranularity(QStringLiteral("hourly"));
    clocked.setDelivery(buy, hourly);
    QCOMPARE(clocked.deliveredPointCount(), 2);
    clocked.setGranularity(QStringLiteral("daily"));
    clocked.setDelivery(buy, delivery);
    QCOMPARE(clocked.deliveredPointCount(), 1);
}

// In the ~300 px pane beside the console the chart's labels were cut: the date ticks are as many as fit, a
// short range shows times (it said "Dec 6, Dec 6, Dec 7"), the value axis steps round, the legend is short.
void TestWidgets::deliveryChartFitsANarrowPane()
{
    DeliveryChart chart;
    const json buy = {{"media_buy_id", "mb-1"},
                      {"total_budget", {{"amount", 1324}, {"currency", "USD"}}},
                      {"start_time", "2026-03-01T00:00:00Z"},
                      {"end_time", "2026-03-02T12:00:00Z"}};
    chart.resize(300, 320);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.setDelivery(buy, json::object());
    auto *x = qobject_cast<QDateTimeAxis *>(chart.chart()->axes(Qt::Horizontal).front());
    auto *y = qobject_cast<QValueAxis *>(chart.chart()->axes(Qt::Vertical).front());
    QVERIFY(x && y);
    QVERIFY2(x->format().contains(QStringLiteral("HH:mm")), qPrintable(x->format()));
    const int narrowTicks = x->tickCount();
    QVERIFY2(narrowTicks >= 2 && narrowTicks <= 3, qPrintable(QString::number(narrowTicks)));
    // Round steps: every label a whole multiple of the step.
    const double step = (y->max() - y->min()) / (y->tickCount() - 1);
    QVERIFY2(std::fmod(step, std::pow(10.0, std::floor(std::log10(step)))) == 0.0,
             qPrintable(QString::number(step)));
    for (QAbstractSeries *series : chart.chart()->series())
        QVERIFY2(series->name().size() <= 10, qPrintable(series->name()));
    // Wide, with a flight of weeks: dates only, more ticks, the full legend.
    chart.resize(900, 320);
    chart.setDelivery({{"media_buy_id", "mb-1"},
                       {"total_budget", {{"amount", 3000}, {"currency", "USD"}}},
                       {"start_time", "2026-03-01T00:00:00Z"},
                       {"end_time", "2026-03-29T00:00:00Z"}},
                      json::object());
    QCOMPARE(x->format(), QStringLiteral("MMM d"));
    QVERIFY(x->tickCount() > narrowTicks);
    QVERIFY(chart.chart()->series().front()->name().size() > 10);
}

void TestWidgets::versionCompareHighlightsChanges()
{
    adcp::models::ProposalModel proposals;
    proposals.upsertProposal(proposal("draft"), kNow);
    json v4 = proposal("committed");
    v4["proposal_version"] = "v4";
    v4["allocations"][0]["allocation_percentage"] = 60;
    v4["allocations"][1]["allocation_percentage"] = 40;
    proposals.upsertProposal(v4, kNow.addSecs(60));
    VersionCompareDialog dialog(proposals.versions(0), 0, 1);
    QCOMPARE(dialog.model()->changedCount(), 3); // status, ctv share, olv share
    QCOMPARE(dialog.model()->headerData(1, Qt::Horizontal).toString(), QStringLiteral("v3"));
    QCOMPARE(dialog.model()->headerData(2, Qt::Horizontal).toString(), QStringLiteral("v4"));
    dialog.setVersions(1, 1);
    QCOMPARE(dialog.model()->changedCount(), 0);
}

// The log keeps its newest exchanges: trimming the oldest moves every row up. The inspector (and Copy as cURL)
// stays on the exchange the user picked until that one is trimmed away.
void TestWidgets::inspectorFollowsItsExchangeWhenOldOnesAreTrimmed()
{
    adcp::models::ExchangeModel model;
    model.setLimit(3);
    ExchangeInspector inspector(&model);
    const auto add = [&model](quint64 id, const char *tool) {
        adcp::Exchange exchange;
        exchange.id = id;
        exchange.agent = QStringLiteral("Remote seller");
        exchange.tool = QString::fromLatin1(tool);
        exchange.startedAt = kNow.addSecs(qint64(id));
        exchange.meta.url = QUrl(QStringLiteral("http://127.0.0.1:9/mcp"));
        exchange.meta.transport = QStringLiteral("mcp");
        exchange.request = {{"marker", tool}};
        model.addExchange(exchange);
    };
    add(1, "get_adcp_capabilities");
    add(2, "get_products");
    add(3, "create_media_buy");
    inspector.showRow(1); // get_products
    QVERIFY(inspector.curlForCurrent().contains(QStringLiteral("get_products")));
    add(4, "get_media_buys"); // trims get_adcp_capabilities: get_products moves to row 0
    QVERIFY2(inspector.curlForCurrent().contains(QStringLiteral("get_products")), qPrintable(inspector.curlForCurrent()));
    QVERIFY(inspector.requestView()->toPlainText().contains(QStringLiteral("get_products")));
    add(5, "get_media_buys");
    add(6, "get_media_buys"); // get_products itself is trimmed: what is shown and copied is never it
    QVERIFY(!inspector.curlForCurrent().contains(QStringLiteral("get_products")));
    QVERIFY(!inspector.requestView()->toPlainText().contains(QStringLiteral("get_products")));
}

// The walk saw the log not following new exchanges once one had been clicked, and polling rows moving under
// the pointer. At its end the log follows the newest; scrolled up, the row at its top stays there while new
// exchanges come and old ones are trimmed.
void TestWidgets::exchangeLogFollowsOnlyAtItsEnd()
{
    adcp::models::ExchangeModel model;
    model.setLimit(40);
    ExchangeInspector inspector(&model);
    inspector.resize(900, 260);
    inspector.show();
    QVERIFY(QTest::qWaitForWindowExposed(&inspector));
    quint64 next = 1;
    const auto add = [&model, &next] {
        adcp::Exchange exchange;
        exchange.id = next;
        exchange.tool = QStringLiteral("tool_%1").arg(next);
        exchange.startedAt = kNow.addSecs(qint64(next));
        model.addExchange(exchange);
        ++next;
    };
    for (int i = 0; i < 30; ++i)
        add();
    auto *view = inspector.findChild<QTreeView *>(QStringLiteral("exchangeView"));
    QVERIFY(view);
    const auto toolAt = [view](const QPoint &point) {
        const QModelIndex index = view->indexAt(point);
        return index.sibling(index.row(), adcp::models::ExchangeModel::ToolColumn).data().toString();
    };
    const auto lastShown = [view, &toolAt] {
        return toolAt(QPoint(1, view->viewport()->height() - view->sizeHintForRow(0) / 2));
    };
    view->scrollToBottom();
    QCOMPARE(lastShown(), QStringLiteral("tool_30"));
    // A row picked to inspect does not stop the log following while it is at its end.
    view->setCurrentIndex(view->model()->index(view->model()->rowCount() - 1, 0));
    add();
    QCOMPARE(lastShown(), QStringLiteral("tool_31"));

    view->scrollTo(view->model()->index(10, 0), QAbstractItemView::PositionAtTop);
    const QString top = toolAt(QPoint(1, 1));
    QCOMPARE(top, QStringLiteral("tool_11"));
    for (int i = 0; i < 15; ++i)
        add(); // 46 exchanges, the oldest six trimmed
    QCOMPARE(model.rowCount(), 40);
    QCOMPARE(toolAt(QPoint(1, 1)), top);
}

void TestWidgets::inspectorShowsIssuesAndSavesHistory()
{
    adcp::models::ExchangeModel model;
    ExchangeInspector inspector(&model);
    adcp::Exchange exchange;
    exchange.id = 7;
    exchange.agent = QStringLiteral("Embedded seller");
    exchange.tool = QStringLiteral("create_media_buy");
    exchange.startedAt = kNow;
    exchange.elapsedMs = 12;
    exchange.request = {{"proposal_id", "p-1"}};
    exchange.error = adcp::AdcpError::make("VALIDATION_ERROR", "request invalid");
    exchange.requestIssues.push_back({"/total_budget", "required property missing", "required"});
    exchange.meta.requestHeaders = {{"Authorization", "Bearer ****"}};
    model.addExchange(exchange);
    inspector.showRow(0);
    QVERIFY(inspector.requestView()->toPlainText().contains(QStringLiteral("\"proposal_id\": \"p-1\"")));
    QVERIFY(inspector.responseView()->toPlainText().contains(QStringLiteral("VALIDATION_ERROR")));
    QCOMPARE(inspector.issueView()->topLevelItemCount(), 1);
    QCOMPARE(inspector.issueView()->topLevelItem(0)->text(1), QStringLiteral("/total_budget"));
    QVERIFY(inspector.curlForCurrent().contains(QStringLiteral("create_media_buy")));
    QVERIFY(inspector.curlForCurrent().contains(QStringLiteral("Bearer $ADCP_TOKEN")));

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.json"));
    QString error;
    QVERIFY2(inspector.saveHistory(path, &error), qPrintable(error));
    adcp::models::ExchangeModel reloadedModel;
    ExchangeInspector reloaded(&reloadedModel);
    QVERIFY2(reloaded.loadHistory(path, &error), qPrintable(error));
    QCOMPARE(reloadedModel.rowCount(), 1);
    reloaded.showRow(0);
    QCOMPARE(reloaded.issueView()->topLevelItem(0)->text(1), QStringLiteral("/total_budget"));
    QVERIFY(!reloaded.loadHistory(dir.filePath(QStringLiteral("missing.json")), &error));
    QCOMPARE(reloadedModel.rowCount(), 1);
}

// The buy's panel is drawn again when its buy changes, and not when a poll brings it back as it was (the
// package table's items are made anew by each drawing).
void TestWidgets::buyDetailRedrawsOnlyWhatChanged()
{
    adcp::models::BuyModel buys;
    adcp::models::BuyEventModel events;
    BuyDetailWidget detail(&buys, &events);
    const nlohmann::json buy = {{"media_buy_id", "mb-1"},
                                {"status", "active"},
                                {"currency", "USD"},
                                {"packages", {{{"package_id", "pkg-1"}, {"product_id", "ctv"}}}}};
    buys.upsertBuy(buy);
    detail.showBuy(QStringLiteral("mb-1"));
    QCOMPARE(detail.packageTable()->rowCount(), 1);
    const QTableWidgetItem *drawn = detail.packageTable()->item(0, 5);
    QVERIFY(drawn);
    QCOMPARE(drawn->text(), QStringLiteral("Running"));

    buys.upsertBuy(buy);
    QCOMPARE(detail.packageTable()->item(0, 5), drawn);

    nlohmann::json paused = buy;
    paused["packages"][0]["paused"] = true;
    buys.upsertBuy(paused);
    QCOMPARE(detail.packageTable()->item(0, 5)->text(), QStringLiteral("Paused"));

    // Another buy changing does not redraw this one.
    const QTableWidgetItem *now = detail.packageTable()->item(0, 5);
    buys.upsertBuy({{"media_buy_id", "mb-2"}, {"status", "active"}});
    buys.upsertBuy({{"media_buy_id", "mb-2"}, {"status", "paused"}});
    QCOMPARE(detail.packageTable()->item(0, 5), now);

    // Products by name where the window knows them, the id in the tooltip; an unknown one by its id.
    QCOMPARE(detail.packageTable()->item(0, 1)->text(), QStringLiteral("ctv"));
    detail.setProductLookup([](const QString &productId) {
        return productId == QLatin1String("ctv")
                   ? nlohmann::json{{"product_id", "ctv"}, {"name", "Premium CTV"}}
                   : nlohmann::json();
    });
    buys.upsertBuy(buy);
    detail.showBuy(QStringLiteral("mb-1"));
    QCOMPARE(detail.packageTable()->item(0, 1)->text(), QStringLiteral("Premium CTV"));
    QVERIFY(detail.packageTable()->item(0, 1)->toolTip().contains(QStringLiteral("ctv")));
}

// Each package says how it is priced and what it was billed on, from the delivery report; a report from a
// seller that says less (no model, no units, a string where a number belongs) leaves those cells short.
void TestWidgets::buyDetailShowsPricingPerPackage()
{
    adcp::models::PluralTranslator translator; // as the application installs it
    QVERIFY(QCoreApplication::installTranslator(&translator));
    adcp::models::BuyModel buys;
    adcp::models::BuyEventModel events;
    BuyDetailWidget detail(&buys, &events);
    buys.upsertBuy({{"media_buy_id", "mb-p"},
                    {"status", "active"},
                    {"currency", "USD"},
                    {"packages",
                     {{{"package_id", "pkg-cpc"}, {"product_id", "retail"}},
                      {{"package_id", "pkg-cpcv"}, {"product_id", "olv"}},
                      {{"package_id", "pkg-day"}, {"product_id", "homepage"}},
                      {{"package_id", "pkg-odd"}, {"product_id", "odd"}}}}});
    buys.setDelivery(
        {{"media_buy_id", "mb-p"},
         {"status", "active"},
         {"totals", {{"impressions", 300000}, {"spend", 900}}},
         {"by_package",
          {{{"package_id", "pkg-cpc"},
            {"pricing_model", "cpc"},
            {"rate", 0.9},
            {"impressions", 120000},
            {"clicks", 1234},
            {"spend", 1110.6},
            {"currency", "USD"}},
           {{"package_id", "pkg-cpcv"},
            {"pricing_model", "cpcv"},
            {"rate", 0.022},
            {"impressions", 50000},
            {"completed_views", 36000},
            {"views", 40000},
            {"spend", 792},
            {"currency", "USD"}},
           {{"package_id", "pkg-day"},
            {"pricing_model", "time"},
            {"rate", 18000},
            {"impressions", 130000},
            {"spend", 54000},
            {"currency", "USD"}},
           {{"package_id", "pkg-odd"}, {"impressions", 10}, {"clicks", "many"}, {"spend", "lots"}}}}});
    detail.showBuy(QStringLiteral("mb-p"));
    QTableWidget *table = detail.packageTable();
    QCOMPARE(table->rowCount(), 4);
    QCOMPARE(table->horizontalHeaderItem(3)->text(), QStringLiteral("Pricing"));
    QCOMPARE(table->item(0, 3)->text(), QStringLiteral("CPC $0.90"));
    QCOMPARE(table->item(0, 3)->toolTip(), QStringLiteral("CPC (per click): CPC $0.90"));
    QVERIFY2(table->item(0, 4)->text().contains(QStringLiteral("1,234 clicks")),
             qPrintable(table->item(0, 4)->text()));
    QVERIFY(table->item(0, 4)->text().contains(QStringLiteral("$1,110.60")));
    QCOMPARE(table->item(1, 3)->text(), QStringLiteral("CPCV $0.022"));
    QVERIFY(table->item(1, 4)->text().contains(QStringLiteral("36,000 completed views")));
    QVERIFY2(table->item(2, 3)->text().contains(QStringLiteral("per period")),
             qPrintable(table->item(2, 3)->text()));
    QVERIFY(!table->item(2, 4)->text().contains(QStringLiteral("click")));
    QCOMPARE(table->item(3, 3)->text(), QString());
    QCOMPARE(table->item(3, 4)->text(), QStringLiteral("10 imp."));

    // New delivery changes the cells in place: the planner's current cell and scroll position stay (a poll
    // every second used to bring the table back to its first column).
    table->setCurrentCell(1, 5);
    QTableWidgetItem *cell = table->item(0, 4);
    buys.setDelivery({{"media_buy_id", "mb-p"},
                      {"status", "active"},
                      {"totals", {{"impressions", 400000}, {"spend", 1200}}},
                      {"by_package",
                       {{{"package_id", "pkg-cpc"},
                         {"pricing_model", "cpc"},
                         {"rate", 0.9},
                         {"impressions", 130000},
                         {"clicks", 1300},
                         {"spend", 1170},
                         {"currency", "USD"}}}}});
    QTRY_VERIFY(table->item(0, 4)->text().contains(QStringLiteral("1,300 clicks")));
    QCOMPARE(table->item(0, 4), cell);
    QCOMPARE(table->currentRow(), 1);
    QCOMPARE(table->currentColumn(), 5);
}

QTEST_MAIN(TestWidgets)
#include "tst_widgets.moc"

// A creative serves where its format is asked for: the same id, the same agent when both name one, the same
// size when both give one.
void TestWidgets::creativeFormatsMatch()
{
    const json banner = {
        {"agent_url", "https://creative.example"}, {"id", "display_image"}, {"width", 300}, {"height", 250}};
    QVERIFY(formatServes(banner, banner));
    QVERIFY(formatServes(banner, {{"id", "display_image"}}));
    QVERIFY(!formatServes(banner, {{"id", "display_image"}, {"width", 728}, {"height", 90}}));
    QVERIFY(!formatServes(banner, {{"agent_url", "https://other.example"}, {"id", "display_image"}}));
    QVERIFY(!formatServes(banner, {{"id", "video_standard"}}));
    QCOMPARE(formatLabel(banner), QStringLiteral("display_image 300×250"));
    QCOMPARE(formatLabel({{"id", "audio_spot"}, {"duration_ms", 30000}}), QStringLiteral("audio_spot 30 s"));
    QVERIFY(creativeFormatId({{"id", "x"}, {"width", 1}, {"height", 2}, {"extra", true}}) ==
            json({{"agent_url", ""}, {"id", "x"}, {"width", 1}, {"height", 2}}));
    QVERIFY(creativeAsset({{"id", "video_standard"}},
                          QStringLiteral("https://a.example/v.mp4"))["asset_type"] == "video");
}

// New creative… names what stops it, typed into as a planner would; the creative it makes keeps one id.
void TestWidgets::newCreativeDialogSaysWhatIsMissing()
{
    {
        NewCreativeDialog none(json::array());
        QVERIFY(none.problem().contains(QStringLiteral("No format known yet")));
        QVERIFY(!none.okButton()->isEnabled());
    }
    const json formats = json::array({{{"id", "display_image"}, {"width", 300}, {"height", 250}},
                                      {{"id", "video_standard"}, {"duration_ms", 15000}}});
    NewCreativeDialog dialog(formats);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QCOMPARE(dialog.formatCombo()->count(), 2);
    QCOMPARE(dialog.problem(), QStringLiteral("Name the creative."));
    QTest::keyClicks(dialog.nameEdit(), QStringLiteral("Spring sale: 15 s!"));
    QVERIFY(dialog.problem().contains(QStringLiteral("address")));
    QTest::keyClicks(dialog.urlEdit(), QStringLiteral("cdn.example/sale.mp4"));
    QVERIFY(dialog.problem().contains(QStringLiteral("http or https")));
    QVERIFY(!dialog.okButton()->isEnabled());
    dialog.urlEdit()->clear();
    QTest::keyClicks(dialog.urlEdit(), QStringLiteral("https://cdn.example/sale.mp4"));
    QVERIFY(dialog.problem().isEmpty());
    QVERIFY(dialog.okButton()->isEnabled());
    dialog.formatCombo()->setCurrentIndex(1);
    const json creative = dialog.creative();
    const std::string id = creative.value("creative_id", std::string());
    QVERIFY2(QString::fromStdString(id).startsWith(QStringLiteral("cr-spring-sale-15-s-")), id.c_str());
    QCOMPARE(dialog.creative().value("creative_id", std::string()), id);
    QVERIFY(creative["format_id"]["id"] == "video_standard");
    QVERIFY(creative["assets"]["main"]["url"] == "https://cdn.example/sale.mp4");
    QVERIFY(creative["name"] == "Spring sale: 15 s!");
}
