#include "allocationmodel.h"
#include "approvalmodel.h"
#include "buyeventmodel.h"
#include "buymodel.h"
#include "buysortmodel.h"
#include "creativemodel.h"
#include "displaynames.h"
#include "exchangemodel.h"
#include "exchangesortmodel.h"
#include "impairmentmodel.h"
#include "jsonvalues.h"
#include "modelroles.h"
#include "opportunitymodel.h"
#include "pluraltranslator.h"
#include "pricingtext.h"
#include "productmodel.h"
#include "productsortmodel.h"
#include "proposalcomparemodel.h"
#include "proposalmodel.h"
#include "proposalsortmodel.h"
#include "proposalversionmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace adcp::models;
using nlohmann::json;

namespace {

const QDateTime kNow = QDateTime(QDate(2026, 3, 1), QTime(12, 0), Qt::UTC);

json product(const std::string &id, const std::string &name, double cpm, const std::string &channel)
{
    return {{"product_id", id},
            {"name", name},
            {"description", name + " inventory"},
            {"channels", {channel}},
            {"delivery_type", "guaranteed"},
            {"pricing_options",
             {{{"pricing_option_id", id + "-cpm"},
               {"pricing_model", "cpm"},
               {"currency", "USD"},
               {"fixed_price", cpm}}}}};
}

json proposal(const std::string &id, const std::string &version, const std::string &status, double budget,
              const QDateTime &expires = {})
{
    json p = {{"proposal_id", id},
              {"proposal_version", version},
              {"name", "Plan " + id},
              {"proposal_status", status},
              {"allocations",
               {{{"product_id", "ctv"}, {"allocation_percentage", 60}, {"pricing_option_id", "ctv-cpm"}},
                {{"product_id", "olv"}, {"allocation_percentage", 40}, {"pricing_option_id", "olv-cpm"}}}},
              {"total_budget_guidance", {{"min", budget / 2}, {"recommended", budget}, {"currency", "USD"}}}};
    if (expires.isValid())
        p["expires_at"] = expires.toString(Qt::ISODate).toStdString();
    return p;
}

json impairment(const std::string &id, const std::string &resource, const QDateTime &observed)
{
    return {{"impairment_id", id},
            {"resource_type", "creative"},
            {"resource_id", resource},
            {"package_ids", {"pkg-1"}},
            {"transition", {{"from", "approved"}, {"to", "suspended"}}},
            {"reason_code", "policy_violation"},
            {"remediation", "Replace the creative"},
            {"observed_at", observed.toString(Qt::ISODate).toStdString()}};
}

QStringList column(const QAbstractItemModel &model, int col, int role = Qt::DisplayRole)
{
    QStringList values;
    for (int r = 0; r < model.rowCount(); ++r)
        values << model.index(r, col).data(role).toString();
    return values;
}

} // namespace

class TestModels final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void pricingTexts_data();
    void pricingTexts();
    void exchangeHistoryKeepsTheLatest();
    void backgroundPollingKeepsOnlyItsLatestRows();
    void snapshotStatusReplacesCreateStatus();
    void pluralTexts_data();
    void pluralTexts();
    void formatCountdown_data();
    void formatCountdown();
    void formatMoney_data();
    void formatMoney();

    void productsSortNumericallyAndFilter();
    void proposalHistoryKeepsEveryVersion();
    void proposalStatus_data();
    void proposalStatus();
    void proposalCountdownFollowsTheClock();
    void proposalProxyFiltersByStatus();
    void briefColumnsNameTheOpportunity();
    void versionModelAndCompare();
    void allocationsShowAmounts();
    void buysMergeSnapshotsAndDelivery();
    void deliveryReportsKeptCompact();
    void quietPollChangesNothing();
    void buySnapshotsMergeByTheirRules();
    void impairmentsOldestFirst();
    void timelineMarksWebhookAndSnapshotParity();
    void timelineMarksReemissions();
    void exchangesSaveAndReload();
    void exchangesKeptCompactComeBackWhole();
    void exchangeProxyShowsFailures();
    void opportunitiesTree();
    void creativeLibraryReadsPagesSafely();
    void creativeLibraryShowsAssignments();
    void errorFieldsInWords();
    void heldBuysSayWhatTheyBuy();
};

void TestModels::formatCountdown_data()
{
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<QString>("text");
    QTest::newRow("expired") << qint64(0) << QStringLiteral("expired");
    QTest::newRow("negative") << qint64(-5) << QStringLiteral("expired");
    QTest::newRow("seconds") << qint64(59) << QStringLiteral("00:00:59");
    QTest::newRow("hours") << qint64(23 * 3600 + 41 * 60 + 5) << QStringLiteral("23:41:05");
    QTest::newRow("days") << qint64(2 * 86400 + 3600) << QStringLiteral("2d 01:00:00");
}

void TestModels::formatCountdown()
{
    QFETCH(qint64, seconds);
    QFETCH(QString, text);
    QCOMPARE(adcp::models::formatCountdown(seconds), text);
}

void TestModels::formatMoney_data()
{
    QTest::addColumn<double>("amount");
    QTest::addColumn<QString>("currency");
    QTest::addColumn<QString>("text");
    QTest::newRow("usd") << 50000.0 << QStringLiteral("USD") << QStringLiteral("$50,000");
    QTest::newRow("eur cents") << 1234.5 << QStringLiteral("EUR") << QStringLiteral("€1,234.50");
    QTest::newRow("other") << 999.0 << QStringLiteral("SEK") << QStringLiteral("999 SEK");
    QTest::newRow("millions") << 1250000.0 << QStringLiteral("GBP") << QStringLiteral("£1,250,000");
}

void TestModels::formatMoney()
{
    QFETCH(double, amount);
    QFETCH(QString, currency);
    QFETCH(QString, text);
    QCOMPARE(adcp::models::formatMoney(amount, currency), text);
}

void TestModels::productsSortNumericallyAndFilter()
{
    ProductModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ProductSortModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

    model.setProducts(
        json::array({product("a", "Audio reach", 9.5, "audio"), product("b", "CTV premium", 42, "ctv"),
                     product("c", "DOOH city", 120, "dooh")}));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(1, ProductModel::PriceColumn).data().toString(), QStringLiteral("$42 CPM"));

    // 120 sorts after 42 (a text sort would put "$120" first).
    proxy.sort(ProductModel::PriceColumn, Qt::AscendingOrder);
    QCOMPARE(column(proxy, ProductModel::NameColumn),
             QStringList({QStringLiteral("Audio reach"), QStringLiteral("CTV premium"),
                          QStringLiteral("DOOH city")}));
    proxy.sort(ProductModel::PriceColumn, Qt::DescendingOrder);
    QCOMPARE(proxy.index(0, ProductModel::NameColumn).data().toString(), QStringLiteral("DOOH city"));

    proxy.setFilterText(QStringLiteral("ctv"));
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setFilterText({});
    proxy.setChannel(QStringLiteral("audio"));
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, 0).data(IdRole).toString(), QStringLiteral("a"));
    QCOMPARE(model.productName(QStringLiteral("c")), QStringLiteral("DOOH city"));
}

void TestModels::proposalHistoryKeepsEveryVersion()
{
    ProposalModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy added(&model, &ProposalModel::versionAdded);

    model.upsertProposal(proposal("p1", "v1", "draft", 50000), kNow, QStringLiteral("opp-1"));
    model.upsertProposal(proposal("p2", "v1", "draft", 20000), kNow);
    json refined = proposal("p1", "v2", "draft", 45000);
    model.upsertProposal(refined, kNow.addSecs(60));
    model.upsertProposal(refined, kNow.addSecs(90)); // a re-read of v2 is not a new version
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(added.count(), 3);
    const int row = model.rowOf(QStringLiteral("p1"));
    QCOMPARE(model.versions(row).size(), size_t(2));
    QCOMPARE(model.versions(row).front().version, QStringLiteral("v1"));
    QCOMPARE(model.index(row, ProposalModel::VersionColumn).data().toString(), QStringLiteral("v2"));
    QCOMPARE(model.index(row, ProposalModel::BudgetColumn).data().toString(), QStringLiteral("$45,000"));
    QCOMPARE(model.opportunityId(row), QStringLiteral("opp-1"));

    // Sellers without proposal_version: versions are numbered by arrival, and only real changes count.
    json unversioned = proposal("p3", "x", "draft", 1000);
    unversioned.erase("proposal_version");
    model.upsertProposal(unversioned, kNow);
    model.upsertProposal(unversioned, kNow);
    unversioned["name"] = "Renamed";
    model.upsertProposal(unversioned, kNow);
    const int row3 = model.rowOf(QStringLiteral("p3"));
    QCOMPARE(model.versions(row3).size(), size_t(2));
    QCOMPARE(model.versions(row3).back().version, QStringLiteral("#2"));
}

void TestModels::proposalStatus_data()
{
    QTest::addColumn<QString>("sellerStatus");
    QTest::addColumn<qint64>("expiresIn");
    QTest::addColumn<QString>("localStatus");
    QTest::addColumn<QString>("shown");
    QTest::addColumn<QString>("expiresText");
    QTest::newRow("draft") << QStringLiteral("draft") << qint64(3600) << QString() << QStringLiteral("draft")
                           << QStringLiteral("—");
    QTest::newRow("committed") << QStringLiteral("committed") << qint64(3600) << QString()
                               << QStringLiteral("committed") << QStringLiteral("01:00:00");
    QTest::newRow("committed expired") << QStringLiteral("committed") << qint64(-1) << QString()
                                       << QStringLiteral("expired") << QStringLiteral("—");
    QTest::newRow("draft gone stale") << QStringLiteral("draft") << qint64(-1) << QString()
                                      << QStringLiteral("expired") << QStringLiteral("—");
    QTest::newRow("declined locally") << QStringLiteral("draft") << qint64(3600) << QStringLiteral("declined")
                                      << QStringLiteral("declined") << QStringLiteral("—");
    QTest::newRow("consumed") << QStringLiteral("committed") << qint64(3600) << QStringLiteral("consumed")
                              << QStringLiteral("consumed") << QStringLiteral("—");
    QTest::newRow("no status = ready")
        << QString() << qint64(3600) << QString() << QStringLiteral("ready") << QStringLiteral("—");
}

void TestModels::proposalStatus()
{
    QFETCH(QString, sellerStatus);
    QFETCH(qint64, expiresIn);
    QFETCH(QString, localStatus);
    QFETCH(QString, shown);
    QFETCH(QString, expiresText);
    ProposalModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    json p = proposal("p1", "v1", sellerStatus.toStdString(), 1000, kNow.addSecs(expiresIn));
    if (sellerStatus.isEmpty())
        p.erase("proposal_status");
    model.tick(kNow);
    model.upsertProposal(p, kNow);
    if (!localStatus.isEmpty())
        model.setLocalStatus(QStringLiteral("p1"), localStatus);
    QCOMPARE(model.index(0, ProposalModel::StatusColumn).data().toString(), shown);
    QCOMPARE(model.index(0, 0).data(StatusRole).toString(), shown);
    QCOMPARE(model.index(0, ProposalModel::ExpiresColumn).data().toString(), expiresText);
}

void TestModels::proposalCountdownFollowsTheClock()
{
    ProposalModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.tick(kNow);
    model.upsertProposal(proposal("p1", "v1", "committed", 1000, kNow.addSecs(3600)), kNow);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.tick(kNow.addSecs(1));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.index(0, ProposalModel::ExpiresColumn).data().toString(), QStringLiteral("00:59:59"));
    QCOMPARE(model.index(0, 0).data(SecondsLeftRole).toLongLong(), qint64(3599));
    model.tick(kNow.addSecs(3600));
    QCOMPARE(model.index(0, 0).data(StatusRole).toString(), QStringLiteral("expired"));
}

void TestModels::proposalProxyFiltersByStatus()
{
    ProposalModel model;
    ProposalSortModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.tick(kNow);
    model.upsertProposal(proposal("p1", "v1", "committed", 50000, kNow.addSecs(7200)), kNow);
    model.upsertProposal(proposal("p2", "v1", "draft", 9000), kNow);
    model.upsertProposal(proposal("p3", "v1", "draft", 100000), kNow);
    model.setLocalStatus(QStringLiteral("p3"), QStringLiteral("declined"));

    proxy.sort(ProposalModel::BudgetColumn, Qt::DescendingOrder);
    QCOMPARE(column(proxy, ProposalModel::IdColumn),
             QStringList({QStringLiteral("p3"), QStringLiteral("p1"), QStringLiteral("p2")}));
    proxy.setStatuses({QStringLiteral("draft"), QStringLiteral("committed")});
    QCOMPARE(column(proxy, ProposalModel::IdColumn),
             QStringList({QStringLiteral("p1"), QStringLiteral("p2")}));
    proxy.setFilterText(QStringLiteral("plan p2"));
    QCOMPARE(proxy.rowCount(), 1);
}

// Proposals and buys of different briefs read alike ("Balanced plan"): the Brief column names the brief
// through the lookup, follows a renamed brief, and the filters find rows by it.
void TestModels::briefColumnsNameTheOpportunity()
{
    ProposalModel proposals;
    ProposalSortModel proposalProxy;
    proposalProxy.setSourceModel(&proposals);
    BuyModel buys;
    BuySortModel buyProxy;
    buyProxy.setSourceModel(&buys);
    QAbstractItemModelTester proposalTester(&proposalProxy,
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester buyTester(&buyProxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QHash<QString, QString> titles{{QStringLiteral("opp-1"), QStringLiteral("Cold brew launch")},
                                   {QStringLiteral("opp-2"), QStringLiteral("Juice for runners")}};
    proposals.upsertProposal(proposal("p1", "v1", "committed", 50000, kNow.addSecs(7200)), kNow,
                             QStringLiteral("opp-1"));
    proposals.upsertProposal(proposal("p2", "v1", "draft", 9000), kNow, QStringLiteral("opp-2"));
    proposals.upsertProposal(proposal("p3", "v1", "draft", 9000), kNow);
    QCOMPARE(proposals.opportunityCount(), 2);
    // Without a lookup the column shows the opportunity id.
    QCOMPARE(proposals.index(0, ProposalModel::BriefColumn).data().toString(), QStringLiteral("opp-1"));
    QSignalSpy changed(&proposals, &QAbstractItemModel::dataChanged);
    proposals.setBriefTitles([&titles](const QString &id) { return titles.value(id); });
    QCOMPARE(changed.count(), 1);
    QCOMPARE(proposals.index(0, ProposalModel::BriefColumn).data().toString(),
             QStringLiteral("Cold brew launch"));
    QCOMPARE(proposals.index(1, ProposalModel::BriefColumn).data(Qt::ToolTipRole).toString(),
             QStringLiteral("Juice for runners"));
    QVERIFY(proposals.index(2, ProposalModel::BriefColumn).data().toString().isEmpty());
    proposalProxy.setFilterText(QStringLiteral("juice"));
    QCOMPARE(column(proposalProxy, ProposalModel::IdColumn), QStringList{QStringLiteral("p2")});
    proposalProxy.setFilterText({});

    buys.setBriefTitles([&titles, &proposals](const QString &proposalId) {
        return titles.value(proposals.opportunityId(proposals.rowOf(proposalId)));
    });
    buys.upsertBuy({{"media_buy_id", "mb-1"}, {"proposal_id", "p1"}, {"status", "active"}});
    buys.upsertBuy({{"media_buy_id", "mb-2"}, {"proposal_id", "p2"}, {"status", "active"}});
    buys.upsertBuy({{"media_buy_id", "mb-3"}, {"status", "active"}}); // a direct buy: no brief
    QCOMPARE(buys.briefCount(), 2);
    QCOMPARE(buys.index(buys.rowOf(QStringLiteral("mb-2")), BuyModel::BriefColumn).data().toString(),
             QStringLiteral("Juice for runners"));
    QVERIFY(
        buys.index(buys.rowOf(QStringLiteral("mb-3")), BuyModel::BriefColumn).data().toString().isEmpty());
    buyProxy.setFilterText(QStringLiteral("cold brew"));
    QCOMPARE(buyProxy.rowCount(), 1);
    QCOMPARE(buyProxy.index(0, 0).data(IdRole).toString(), QStringLiteral("mb-1"));

    // A renamed brief: both columns, and the filter, follow once told.
    buyProxy.setFilterText(QStringLiteral("spring"));
    QCOMPARE(buyProxy.rowCount(), 0);
    titles[QStringLiteral("opp-1")] = QStringLiteral("Cold brew, spring");
    changed.clear();
    proposals.briefTitlesChanged();
    buys.briefTitlesChanged();
    QCOMPARE(changed.count(), 1);
    QCOMPARE(proposals.index(0, ProposalModel::BriefColumn).data().toString(),
             QStringLiteral("Cold brew, spring"));
    QCOMPARE(buys.index(buys.rowOf(QStringLiteral("mb-1")), BuyModel::BriefColumn).data().toString(),
             QStringLiteral("Cold brew, spring"));
    QCOMPARE(buyProxy.rowCount(), 1);
}

void TestModels::versionModelAndCompare()
{
    ProposalModel proposals;
    proposals.upsertProposal(proposal("p1", "v1", "draft", 50000), kNow);
    json v2 = proposal("p1", "v2", "committed", 40000, kNow.addDays(1));
    v2["allocations"][1]["allocation_percentage"] = 30;
    v2["allocations"].push_back({{"product_id", "audio"}, {"allocation_percentage", 10}});
    proposals.upsertProposal(v2, kNow.addSecs(30));

    ProposalVersionModel versions;
    QAbstractItemModelTester tester(&versions, QAbstractItemModelTester::FailureReportingMode::QtTest);
    versions.setVersions(proposals.versions(0));
    QCOMPARE(versions.rowCount(), 2);
    QCOMPARE(versions.index(1, ProposalVersionModel::StatusColumn).data().toString(),
             QStringLiteral("committed"));
    QCOMPARE(versions.index(1, ProposalVersionModel::AllocationsColumn).data().toString(),
             QStringLiteral("3 product(s)"));

    ProposalCompareModel compare;
    QAbstractItemModelTester compareTester(&compare, QAbstractItemModelTester::FailureReportingMode::QtTest);
    compare.compare(QStringLiteral("v1"), versions.version(0)->json, QStringLiteral("v2"),
                    versions.version(1)->json);
    QCOMPARE(compare.headerData(ProposalCompareModel::LeftColumn, Qt::Horizontal).toString(),
             QStringLiteral("v1"));
    QStringList changed;
    for (int r = 0; r < compare.rowCount(); ++r) {
        if (compare.index(r, 0).data(ChangedRole).toBool())
            changed << compare.index(r, 0).data().toString();
    }
    QCOMPARE(changed, QStringList({QStringLiteral("Status"), QStringLiteral("Expires at"),
                                   QStringLiteral("Budget min"), QStringLiteral("Budget recommended"),
                                   QStringLiteral("Allocation olv"), QStringLiteral("Allocation audio")}));
    QCOMPARE(compare.changedCount(), 6);
}

void TestModels::allocationsShowAmounts()
{
    AllocationModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setProposal(proposal("p1", "v1", "draft", 50000));
    model.setProductNamer([](const QString &id) { return id.toUpper(); });
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, AllocationModel::ProductColumn).data().toString(), QStringLiteral("CTV"));
    QCOMPARE(model.index(0, AllocationModel::AmountColumn).data().toString(), QStringLiteral("$30,000"));
    QCOMPARE(model.index(1, AllocationModel::ShareColumn).data(FractionRole).toDouble(), 0.4);
    // The pricing option reads as its price when the product is known; its id stays in the tooltip.
    const QString optionId = model.index(0, AllocationModel::PricingColumn).data().toString();
    model.setPricingDescriber([](const QString &product, const QString &option) {
        return product == QLatin1String("ctv") ? QStringLiteral("CPP $450 for ") + option : QString();
    });
    QCOMPARE(model.index(0, AllocationModel::PricingColumn).data().toString(),
             QStringLiteral("CPP $450 for ") + optionId);
    QCOMPARE(model.index(0, AllocationModel::PricingColumn).data(Qt::ToolTipRole).toString(), optionId);
    // Unknown to the describer: the id.
    QCOMPARE(model.index(1, AllocationModel::PricingColumn).data().toString(),
             model.index(1, AllocationModel::PricingColumn).data(Qt::ToolTipRole).toString());
    QCOMPARE(adcp::models::optionSummaryText(
                 {{"pricing_model", "cpc"}, {"currency", "USD"}, {"floor_price", 0.6}}),
             QStringLiteral("CPC floor $0.60"));
}

// A background poll that brings a buy back as it was (most polls of a quiet buy) neither repaints the row nor
// moves its revision, by which the buy's detail panel decides whether to draw again.
// What a get_media_buys entry does to what is known of a buy (BuyModel and the timeline both keep it so).
void TestModels::buySnapshotsMergeByTheirRules()
{
    using adcp::models::mergeBuySnapshot;
    nlohmann::json stored;
    // Nothing known yet: the snapshot is all there is.
    QVERIFY(mergeBuySnapshot(stored, {{"media_buy_id", "mb-1"}, {"media_buy_status", "pending_creatives"}}));
    QVERIFY(stored["media_buy_status"] == "pending_creatives");
    // The same members again change nothing.
    QVERIFY(!mergeBuySnapshot(stored, {{"media_buy_id", "mb-1"}}));
    // A snapshot's status replaces the create answer's media_buy_status.
    QVERIFY(mergeBuySnapshot(stored, {{"media_buy_id", "mb-1"}, {"status", "active"}}));
    QVERIFY(!stored.contains("media_buy_status"));
    QVERIFY(stored["status"] == "active");
    QVERIFY(!mergeBuySnapshot(stored, {{"status", "active"}}));
    // Impairments come with health; health without them means none are left.
    const nlohmann::json impaired = {{"health", "impaired"},
                                     {"impairments", {{{"impairment_id", "imp-1"}, {"reason", "x"}}}}};
    QVERIFY(mergeBuySnapshot(stored, impaired));
    QCOMPARE(stored["impairments"].size(), size_t(1));
    QVERIFY(!mergeBuySnapshot(stored, impaired));
    QVERIFY(mergeBuySnapshot(stored, {{"health", "ok"}}));
    QVERIFY(!stored.contains("impairments"));
    QVERIFY(!mergeBuySnapshot(stored, {{"health", "ok"}}));
    // A member that changes value is replaced; members the snapshot leaves out stay.
    QVERIFY(mergeBuySnapshot(stored, {{"status", "paused"}}));
    QVERIFY(stored["status"] == "paused");
    QVERIFY(stored["media_buy_id"] == "mb-1");
    // A snapshot that is not an object changes nothing; a stored value that is not one starts empty.
    QVERIFY(!mergeBuySnapshot(stored, nlohmann::json::array()));
    nlohmann::json odd = 42;
    QVERIFY(mergeBuySnapshot(odd, {{"media_buy_id", "mb-2"}}));
    QVERIFY(odd == (nlohmann::json{{"media_buy_id", "mb-2"}}));
}

void TestModels::quietPollChangesNothing()
{
    BuyModel model;
    const nlohmann::json snapshot = {{"media_buy_id", "mb-1"}, {"status", "active"}, {"health", "ok"}};
    model.upsertBuy(snapshot);
    const quint64 first = model.revision(0);
    QVERIFY(first != 0);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QCOMPARE(model.upsertBuy(snapshot), 0);
    QCOMPARE(changed.size(), 0);
    QCOMPARE(model.revision(0), first);

    const nlohmann::json delivery = {{"media_buy_id", "mb-1"},
                                     {"totals", {{"spend", 10}, {"impressions", 400}}}};
    model.setDelivery(delivery);
    QCOMPARE(changed.size(), 1);
    const quint64 delivered = model.revision(0);
    QVERIFY(delivered > first);
    model.setDelivery(delivery);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(model.revision(0), delivered);

    // Any change moves it: a status, the title.
    model.upsertBuy({{"media_buy_id", "mb-1"}, {"status", "paused"}});
    QCOMPARE(changed.size(), 2);
    QVERIFY(model.revision(0) > delivered);
    const quint64 paused = model.revision(0);
    model.setTitle(QStringLiteral("mb-1"), QStringLiteral("Coffee CTV"));
    QVERIFY(model.revision(0) > paused);
    QCOMPARE(model.revision(-1), quint64(0));
}

// Reports are kept encoded and expanded on demand: each row gives back its own report whichever was asked
// for before, a restart's saved state carries them whole, and a report the model cannot decode is no report.
void TestModels::deliveryReportsKeptCompact()
{
    BuyModel model;
    const auto report = [](const char *id, int hours) {
        nlohmann::json windows = nlohmann::json::array();
        for (int hour = 0; hour < hours; ++hour)
            windows.push_back({{"start", "2026-12-01T" + std::to_string(10 + hour % 10) + ":00:00Z"},
                               {"spend", hour * 0.5},
                               {"impressions", hour * 100},
                               {"note", "ünïcode ✓"}});
        return nlohmann::json{{"media_buy_id", id},
                              {"pacing_index", 0.9},
                              {"totals", {{"spend", hours * 1.5}, {"impressions", hours * 100}}},
                              {"by_window", windows}};
    };
    model.upsertBuy({{"media_buy_id", "mb-1"}, {"status", "active"}, {"total_budget", 1000}});
    model.upsertBuy({{"media_buy_id", "mb-2"}, {"status", "active"}, {"total_budget", 1000}});
    QVERIFY(model.deliveryJson(0).is_null());
    const nlohmann::json first = report("mb-1", 48);
    const nlohmann::json second = report("mb-2", 24);
    model.setDelivery(first);
    model.setDelivery(second);
    // Asked for in turn, each row's report comes back whole (decoded, not the last one set).
    QVERIFY(model.deliveryJson(0) == first);
    QVERIFY(model.deliveryJson(1) == second);
    QVERIFY(model.deliveryJson(0) == first);
    QVERIFY(model.deliveryJson(5).is_null());
    QCOMPARE(model.index(0, BuyModel::PacingColumn).data(adcp::models::SortRole).toDouble(), 72.0 / 1000.0);
    // The same report again changes nothing; another one replaces it and is what the row gives.
    const quint64 revision = model.revision(0);
    model.setDelivery(first);
    QCOMPARE(model.revision(0), revision);
    const nlohmann::json later = report("mb-1", 49);
    model.setDelivery(later);
    QVERIFY(model.revision(0) > revision);
    QVERIFY(model.deliveryJson(1) == second);
    QVERIFY(model.deliveryJson(0) == later);

    // A restart: saved whole, read back into another model.
    const nlohmann::json saved = model.saveState();
    QVERIFY(saved[0]["delivery"] == later);
    BuyModel restored;
    QCOMPARE(restored.restoreState(saved), 2);
    QVERIFY(restored.deliveryJson(1) == second);
    QVERIFY(restored.deliveryJson(0) == later);
    model.clear();
    QVERIFY(model.deliveryJson(0).is_null());

    // What cannot be decoded reads as nothing and never throws.
    QVERIFY(expandJson({0xff, 0x00, 0x13}).is_null());
    QVERIFY(expandJson({}).is_null());
    QVERIFY(compactJson(nullptr).empty());
}

void TestModels::buysMergeSnapshotsAndDelivery()
{
    BuyModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    BuySortModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

    model.upsertBuy({{"media_buy_id", "mb-1"},
                     {"proposal_id", "p1"},
                     {"media_buy_status", "pending_start"},
                     {"total_budget", {{"amount", 40000}, {"currency", "USD"}}}});
    model.upsertBuy({{"media_buy_id", "mb-2"},
                     {"status", "active"},
                     {"currency", "USD"},
                     {"total_budget", 5000},
                     {"health", "ok"}});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, BuyModel::BudgetColumn).data().toString(), QStringLiteral("$40,000"));

    // A snapshot keeps what it does not mention (the proposal id) and brings health and impairments.
    model.upsertBuy({{"media_buy_id", "mb-1"},
                     {"status", "active"},
                     {"health", "impaired"},
                     {"impairments", {impairment("imp-1", "cr-1", kNow)}}});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, BuyModel::ProposalColumn).data().toString(), QStringLiteral("p1"));
    QCOMPARE(model.index(0, BuyModel::HealthColumn).data().toString(), QStringLiteral("impaired (1)"));
    // The column names what a buy came from: a proposal, or (mb-2, no proposal) the catalog.
    QCOMPARE(model.headerData(BuyModel::ProposalColumn, Qt::Horizontal).toString(),
             QStringLiteral("Bought from"));
    QCOMPARE(model.index(0, BuyModel::IdColumn).data(Qt::ToolTipRole).toString(),
             QStringLiteral("Media buy mb-1 · proposal p1"));
    QCOMPARE(model.index(1, BuyModel::IdColumn).data(Qt::ToolTipRole).toString(),
             QStringLiteral("Media buy mb-2 · bought from the catalog"));
    proxy.setImpairedOnly(true);
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setImpairedOnly(false);

    // Recovery: a snapshot with health ok and no impairments clears them.
    model.upsertBuy({{"media_buy_id", "mb-1"}, {"status", "active"}, {"health", "ok"}});
    QCOMPARE(model.index(0, BuyModel::HealthColumn).data().toString(), QStringLiteral("ok"));
    QVERIFY(!model.buyJson(0).contains("impairments"));

    model.setDelivery({{"media_buy_id", "mb-1"}, {"totals", {{"spend", 10000}, {"impressions", 400000}}}});
    QCOMPARE(model.index(0, BuyModel::PacingColumn).data(FractionRole).toDouble(), 0.25);
    proxy.sort(BuyModel::BudgetColumn, Qt::AscendingOrder);
    QCOMPARE(proxy.index(0, BuyModel::IdColumn).data().toString(), QStringLiteral("mb-2"));
}

void TestModels::impairmentsOldestFirst()
{
    ImpairmentModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setImpairments(
        json::array({impairment("i2", "cr-2", kNow.addSecs(60)), impairment("i1", "cr-1", kNow)}));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, ImpairmentModel::ResourceColumn).data().toString(),
             QStringLiteral("creative cr-1"));
    QCOMPARE(model.index(0, ImpairmentModel::TransitionColumn).data().toString(),
             QStringLiteral("Approved → Suspended"));
    QCOMPARE(model.index(0, ImpairmentModel::ReasonColumn).data().toString(),
             QStringLiteral("Policy violation"));
    QCOMPARE(model.index(0, ImpairmentModel::RemediationColumn).data().toString(),
             QStringLiteral("Replace the creative"));
    model.setImpairments(json::array());
    QCOMPARE(model.rowCount(), 0);
}

// The embedded seller's impairment notification nests the impairment and says `resolved`; a re-emission (same
// notification, new idempotency key) keeps one row and says how often it came.
void TestModels::timelineMarksReemissions()
{
    BuyEventModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const json notification = {{"notification_type", "impairment"},
                               {"media_buy_id", "mb-1"},
                               {"health", "impaired"},
                               {"impairment", impairment("imp-1", "cr-1", kNow)},
                               {"resolved", false}};
    model.applyWebhook({{"notification_id", "imp-1"}, {"result", notification}}, kNow);
    QCOMPARE(model.rowCount(), 1);
    QVERIFY(
        model.index(0, BuyEventModel::EventColumn).data().toString().startsWith(QStringLiteral("Impaired")));
    QCOMPARE(model.index(0, BuyEventModel::SourceColumn).data().toString(), QStringLiteral("webhook"));
    QCOMPARE(model.reemissions(0), 0);
    // A duplicate delivery that slipped past the receiver changes nothing.
    model.applyWebhook({{"notification_id", "imp-1"}, {"result", notification}}, kNow.addSecs(1));
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.reemissions(0), 0);
    model.applyWebhook({{"notification_id", "imp-1"}, {"result", notification}}, kNow.addSecs(2), true);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.reemissions(0), 1);
    QCOMPARE(model.index(0, BuyEventModel::SourceColumn).data().toString(),
             QStringLiteral("webhook (re-emitted ×2)"));
    QVERIFY(!model.index(0, BuyEventModel::SourceColumn).data(Qt::ToolTipRole).toString().isEmpty());

    json resolved = notification;
    resolved["resolved"] = true;
    resolved["health"] = "ok";
    model.applyWebhook({{"notification_id", "imp-1"}, {"result", resolved}}, kNow.addSecs(3));
    QCOMPARE(model.rowCount(), 2);
    QVERIFY(
        model.index(1, BuyEventModel::EventColumn).data().toString().startsWith(QStringLiteral("Recovered")));
    // A notification id reused for another fact (the seller resolving what it opened under the same id) is
    // a new row, not a repeat.
    model.applyWebhook({{"result", {{"media_buy_id", "mb-1"}, {"media_buy_status", "active"}}}},
                       kNow.addSecs(4), true);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.reemissions(2), 0);
    QCOMPARE(model.index(2, BuyEventModel::SourceColumn).data().toString(), QStringLiteral("webhook"));
}

void TestModels::timelineMarksWebhookAndSnapshotParity()
{
    BuyEventModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const json imp = impairment("imp-1", "cr-1", kNow);
    model.applySnapshot({{"media_buy_id", "mb-1"}, {"status", "active"}, {"health", "ok"}}, kNow);
    QCOMPARE(model.rowCount(), 1);
    // People read the vocabularies' display names, and the date with the time.
    QCOMPARE(model.index(0, BuyEventModel::EventColumn).data().toString(), QStringLiteral("Status: Running"));
    QCOMPARE(model.index(0, BuyEventModel::TimeColumn).data().toString(), adcp::models::formatDateTime(kNow));

    // The impairment arrives by webhook first, then the snapshot confirms it: one row, both sources.
    json webhook = imp;
    webhook["media_buy_id"] = "mb-1";
    webhook["notification_type"] = "impairment";
    model.applyWebhook({{"notification_id", "imp-1"}, {"result", webhook}}, kNow.addSecs(1));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.sources(1), int(BuyEventModel::Webhook));
    QCOMPARE(model.index(1, BuyEventModel::EventColumn).data().toString(),
             QStringLiteral("Impaired: creative cr-1 is now Suspended — Policy violation"));
    model.applySnapshot(
        {{"media_buy_id", "mb-1"}, {"status", "active"}, {"health", "impaired"}, {"impairments", {imp}}},
        kNow.addSecs(2));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.sources(1), BuyEventModel::Webhook | BuyEventModel::Snapshot);
    QCOMPARE(model.index(1, BuyEventModel::SourceColumn).data().toString(),
             QStringLiteral("webhook + snapshot"));

    // Recovery seen only by snapshot.
    model.applySnapshot({{"media_buy_id", "mb-1"}, {"status", "active"}, {"health", "ok"}}, kNow.addSecs(3));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(2, BuyEventModel::EventColumn).data().toString(),
             QStringLiteral("Recovered: creative cr-1 is back (was Suspended — Policy violation)"));
    QCOMPARE(model.index(2, BuyEventModel::SourceColumn).data().toString(), QStringLiteral("snapshot"));
}

// A long session keeps the most recent exchanges only; a started exchange still finishes in place.
// create_media_buy answers media_buy_status; get_media_buys says status. The later snapshot is what shows.
void TestModels::snapshotStatusReplacesCreateStatus()
{
    BuyModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.upsertBuy({{"media_buy_id", "mb-1"}, {"media_buy_status", "pending_creatives"}});
    QCOMPARE(model.index(0, BuyModel::StatusColumn).data().toString(), QStringLiteral("pending_creatives"));
    model.upsertBuy({{"media_buy_id", "mb-1"}, {"status", "active"}, {"health", "ok"}});
    QCOMPARE(model.index(0, BuyModel::StatusColumn).data().toString(), QStringLiteral("active"));
    BuyEventModel events;
    events.applySnapshot({{"media_buy_id", "mb-1"}, {"media_buy_status", "pending_creatives"}}, kNow);
    events.applySnapshot({{"media_buy_id", "mb-1"}, {"status", "active"}}, kNow.addSecs(1));
    events.applySnapshot({{"media_buy_id", "mb-1"}, {"status", "active"}}, kNow.addSecs(2));
    QCOMPARE(events.rowCount(), 2);
}

void TestModels::exchangeHistoryKeepsTheLatest()
{
    ExchangeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setLimit(3);
    for (quint64 id = 1; id <= 5; ++id) {
        adcp::Exchange exchange;
        exchange.id = id;
        exchange.tool = QStringLiteral("get_products");
        exchange.startedAt = QDateTime::currentDateTimeUtc();
        model.addExchange(exchange);
    }
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.exchange(0)->id, quint64(3));
    QCOMPARE(model.rowOfId(1), -1);
    adcp::Exchange finished = *model.exchange(2);
    finished.elapsedMs = 12;
    model.addExchange(finished);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.exchange(2)->elapsedMs, qint64(12));
    model.setLimit(1);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.exchange(0)->id, quint64(5));
}

// A long session polls every few seconds: only the latest background rows are kept (their bodies can be large
// delivery reports), the planner's own exchanges all stay, and the total is still counted.
void TestModels::backgroundPollingKeepsOnlyItsLatestRows()
{
    ExchangeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setBackgroundLimit(2);
    quint64 id = 0;
    const auto add = [&](const char *tool, bool background) {
        adcp::Exchange exchange;
        exchange.id = ++id;
        exchange.tool = QString::fromLatin1(tool);
        exchange.startedAt = QDateTime::currentDateTimeUtc();
        model.addExchange(exchange, background);
    };
    add("get_products", false);
    add("get_media_buys", true);
    add("get_media_buys", true);
    add("create_media_buy", false);
    add("get_media_buys", true);
    add("get_media_buy_delivery", true);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.backgroundCount(), 2);
    QCOMPARE(model.backgroundTotal(), 4);
    QCOMPARE(model.exchange(0)->tool, QStringLiteral("get_products"));
    QCOMPARE(model.exchange(1)->tool, QStringLiteral("create_media_buy"));
    QCOMPARE(model.exchange(2)->id, quint64(5));
    QCOMPARE(model.exchange(3)->id, quint64(6));
    QCOMPARE(model.rowOfId(2), -1);
    model.clear();
    QCOMPARE(model.backgroundTotal(), 0);
}

void TestModels::exchangesSaveAndReload()
{
    ExchangeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    adcp::Exchange ok;
    ok.id = 1;
    ok.agent = QStringLiteral("Embedded seller");
    ok.tool = QStringLiteral("get_products");
    ok.startedAt = kNow;
    ok.elapsedMs = 84;
    ok.request = {{"buying_mode", "brief"}, {"brief", "coffee"}};
    ok.response = {{"products", json::array()}};
    ok.meta.transport = QStringLiteral("mcp");
    ok.meta.url = QUrl(QStringLiteral("http://127.0.0.1:9000/mcp"));
    ok.meta.httpStatus = 200;
    ok.meta.requestHeaders = {{"Authorization", "Bearer ****"}};
    ok.responseIssues.push_back({"/products/0/name", "required property missing", "required"});
    adcp::Exchange failed = ok;
    failed.id = 2;
    failed.tool = QStringLiteral("create_media_buy");
    failed.response = {{"adcp_error", {{"code", "CONFLICT"}}}};
    failed.error = adcp::AdcpError::make("CONFLICT", "stale proposal_version", "proposal_version");
    failed.meta.httpStatus = 200;

    adcp::Exchange started = ok;
    started.response = json();
    started.elapsedMs = 0;
    model.addExchange(started);
    QCOMPARE(model.index(0, ExchangeModel::ResultColumn).data().toString(), QStringLiteral("… ◷"));
    model.addExchange(ok); // finishing replaces the started row
    model.addExchange(failed);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, ExchangeModel::ResultColumn).data().toString(), QStringLiteral("200 ✓"));
    QCOMPARE(model.index(1, ExchangeModel::ResultColumn).data().toString(), QStringLiteral("CONFLICT ✗"));
    QCOMPARE(model.index(0, ExchangeModel::IssuesColumn).data().toString(), QStringLiteral("1 issue(s)"));

    const json saved = model.toJson();
    ExchangeModel reloaded;
    QAbstractItemModelTester reloadedTester(&reloaded,
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
    QString error;
    QVERIFY2(reloaded.fromJson(json::parse(saved.dump()), &error), qPrintable(error));
    QCOMPARE(reloaded.rowCount(), 2);
    QCOMPARE(reloaded.exchange(1)->error->code, std::string("CONFLICT"));
    QCOMPARE(reloaded.exchange(1)->error->field.value_or(""), std::string("proposal_version"));
    QCOMPARE(reloaded.exchange(0)->responseIssues.front().pointer, std::string("/products/0/name"));
    QCOMPARE(reloaded.exchange(0)->meta.requestHeaders.front().second, QByteArray("Bearer ****"));
    QCOMPARE(reloaded.exchange(0)->startedAt, kNow);

    QVERIFY(!reloaded.fromJson(json{{"something", "else"}}, &error));
    QVERIFY(error.contains(QStringLiteral("exchanges")));
    QCOMPARE(reloaded.rowCount(), 2); // a bad file changes nothing

    const QString curl = curlCommand(ok);
    QVERIFY(curl.startsWith(QStringLiteral("curl -sS -X POST 'http://127.0.0.1:9000/mcp'")));
    QVERIFY(curl.contains(QStringLiteral("\"name\":\"get_products\"")));
    QVERIFY(curl.contains(QStringLiteral("\"Authorization: Bearer $ADCP_TOKEN\"")));
    QVERIFY(!curl.contains(QStringLiteral("****")));
    QVERIFY(exchangeSummary(failed).contains(QStringLiteral("create_media_buy CONFLICT")));
}

void TestModels::exchangeProxyShowsFailures()
{
    ExchangeModel model;
    ExchangeSortModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int i = 0; i < 5; ++i) {
        adcp::Exchange e;
        e.id = quint64(i + 1);
        e.tool = i % 2 ? QStringLiteral("get_products") : QStringLiteral("create_media_buy");
        e.startedAt = kNow.addSecs(i);
        e.elapsedMs = 100 - i;
        e.response = {{"ok", true}};
        if (i == 3)
            e.error = adcp::AdcpError::make("PROPOSAL_NOT_COMMITTED", "draft");
        model.addExchange(e);
    }
    proxy.setFailuresOnly(true);
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setFailuresOnly(false);
    proxy.setFilterText(QStringLiteral("create"));
    QCOMPARE(proxy.rowCount(), 3);
    proxy.setFilterText({});
    proxy.sort(ExchangeModel::DurationColumn, Qt::AscendingOrder);
    QCOMPARE(proxy.index(0, ExchangeModel::DurationColumn).data().toString(), QStringLiteral("96 ms"));
}

void TestModels::opportunitiesTree()
{
    OpportunityModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.addOpportunity(QStringLiteral("opp-1"), QStringLiteral("Coffee Q1"),
                         QStringLiteral("active_sourcing"));
    model.addOpportunity(QStringLiteral("opp-2"), QStringLiteral("Auto launch"), QStringLiteral("planning"));
    QCOMPARE(model.addOpportunity(QStringLiteral("opp-1"), QStringLiteral("again"), {}), 0);
    model.setCounts(QStringLiteral("opp-1"), 3, 1, true);
    const QModelIndex coffee = model.index(0, 0);
    QCOMPARE(model.rowCount(coffee), 2);
    QCOMPARE(model.index(0, 0, coffee).data().toString(), QStringLiteral("3 proposal(s)"));
    QCOMPARE(model.index(1, 0, coffee).data().toString(), QStringLiteral("1 buy(s) ⚠"));
    QCOMPARE(model.parent(model.index(1, 0, coffee)), coffee);
    model.setClosed(QStringLiteral("opp-2"), QStringLiteral("not_pursued"));
    QCOMPARE(model.index(1, 0).data().toString(), QStringLiteral("Auto launch · closed"));
    QVERIFY(
        model.index(1, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("Closed: not pursued")));
    QCOMPARE(model.title(1), QStringLiteral("Auto launch"));
}

void TestModels::pluralTexts_data()
{
    QTest::addColumn<int>("proposals");
    QTest::addColumn<int>("buys");
    QTest::addColumn<bool>("impaired");
    QTest::addColumn<QString>("proposalText");
    QTest::addColumn<QString>("buyText");
    QTest::newRow("none") << 0 << 0 << false << "0 proposals"
                          << "0 buys";
    QTest::newRow("one") << 1 << 1 << false << "1 proposal"
                         << "1 buy";
    QTest::newRow("several") << 3 << 2 << false << "3 proposals"
                             << "2 buys";
    QTest::newRow("one impaired") << 2 << 1 << true << "2 proposals"
                                  << "1 buy ⚠";
}

// Counted texts read as English with the workbench's plural translator installed (as the application does).
void TestModels::pluralTexts()
{
    QFETCH(int, proposals);
    QFETCH(int, buys);
    QFETCH(bool, impaired);
    QFETCH(QString, proposalText);
    QFETCH(QString, buyText);
    PluralTranslator translator;
    QVERIFY(QCoreApplication::installTranslator(&translator));
    OpportunityModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.addOpportunity(QStringLiteral("opp-1"), QStringLiteral("Cold brew"), QStringLiteral("rfp"));
    model.setCounts(QStringLiteral("opp-1"), proposals, buys, impaired);
    const QModelIndex parent = model.index(0, 0);
    QCOMPARE(model.index(OpportunityModel::ProposalsRow, 0, parent).data().toString(), proposalText);
    QCOMPARE(model.index(OpportunityModel::BuysRow, 0, parent).data().toString(), buyText);
    // Uncounted texts are left alone.
    QCOMPARE(QCoreApplication::translate("adcp::models::OpportunityModel", "Cold brew (s)"),
             QStringLiteral("Cold brew (s)"));
    QCoreApplication::removeTranslator(&translator);
    QCOMPARE(model.index(OpportunityModel::BuysRow, 0, parent).data().toString(),
             QStringLiteral("%1 buy(s)%2").arg(buys).arg(impaired ? QStringLiteral(" ⚠") : QString()));
}

// Rows keep their documents encoded; what the inspector gets back is what was recorded, member for member,
// including what JSON text is fussy about (large integers, doubles, non-ASCII, nesting), and an answer that
// replaces the started exchange is what comes back after it.
void TestModels::exchangesKeptCompactComeBackWhole()
{
    ExchangeModel model;
    adcp::Exchange started;
    started.id = 42;
    started.agent = QStringLiteral("Seller");
    started.tool = QStringLiteral("get_media_buy_delivery");
    started.startedAt = kNow;
    started.request = {{"media_buy_ids", {"mb-1"}}, {"note", "caf\u00e9 \u2615"}};
    started.meta.rawRequest = QByteArray(R"({"media_buy_ids":["mb-1"]})");
    model.addExchange(started);
    QVERIFY(model.exchange(0)->request == started.request);
    QVERIFY(model.exchange(0)->response.is_null());
    QVERIFY(!model.isFinished(0));

    adcp::Exchange finished = started;
    finished.elapsedMs = 12;
    finished.response = {{"status", "completed"},
                         {"big", 9007199254740993ULL},
                         {"negative", -12345678901LL},
                         {"ratio", 0.1},
                         {"series", nlohmann::json::array()}};
    for (int hour = 0; hour < 720; ++hour)
        finished.response["series"].push_back(
            {{"hour", hour}, {"spend", hour * 1.25}, {"nested", {{"a", {1, 2}}}}});
    finished.meta.httpStatus = 200;
    finished.responseIssues.push_back({"/big", "a warning"});
    model.addExchange(finished);
    QCOMPARE(model.rowCount(), 1);
    const adcp::Exchange *back = model.exchange(0);
    QVERIFY(back);
    QCOMPARE(back->id, finished.id);
    QCOMPARE(back->tool, finished.tool);
    QCOMPARE(back->elapsedMs, qint64(12));
    QCOMPARE(back->meta.rawRequest, finished.meta.rawRequest);
    QCOMPARE(back->responseIssues.size(), std::size_t(1));
    QVERIFY(back->request == finished.request);
    QVERIFY(back->response == finished.response);
    QCOMPARE(back->response["big"].get<std::uint64_t>(), 9007199254740993ULL);
    QVERIFY(model.isFinished(0));
    QCOMPARE(model.index(0, ExchangeModel::ResultColumn).data().toString(),
             QStringLiteral("200 completed \u2713"));
    // Asked again, the same expanded copy.
    QCOMPARE(model.exchange(0), back);

    // Many rows: each comes back whole, whichever order they are asked in.
    for (quint64 id = 100; id < 140; ++id) {
        adcp::Exchange e;
        e.id = id;
        e.tool = QStringLiteral("get_products");
        e.request = {{"n", id}};
        e.response = {{"echo", id}};
        model.addExchange(e);
    }
    for (int row = model.rowCount() - 1; row >= 1; --row)
        QCOMPARE(model.exchange(row)->response["echo"].get<quint64>(), model.exchange(row)->id);
    QVERIFY(model.exchange(0)->response == finished.response);
}

// list_creatives pages are untrusted: entries without a string id or that are not objects are left out, a
// repeated id updates its row, "more" without a cursor ends paging, an absurd count is not believed.
void TestModels::creativeLibraryReadsPagesSafely()
{
    using adcp::models::CreativeModel;
    CreativeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(!model.isListed());
    model.addPage(nlohmann::json::parse(R"({
        "creatives": [
            {"creative_id": "cr-1", "name": "Banner", "status": "pending_review",
             "format_id": {"agent_url": "https://creative.example", "id": "display_300x250"},
             "updated_date": "2026-12-01T10:00:00Z"},
            {"creative_id": 7, "name": "number id"},
            "not an object",
            {"name": "no id"},
            {"creative_id": "cr-2", "format_kind": "video_hosted", "status": "approved"},
            {"creative_id": "cr-1", "name": "Banner v2", "status": "approved"}
        ],
        "pagination": {"has_more": true, "cursor": "next"},
        "query_summary": {"total_matching": 40}})"),
                  true);
    QVERIFY(model.isListed());
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.creativeId(0), QStringLiteral("cr-1"));
    QCOMPARE(model.index(0, CreativeModel::NameColumn).data().toString(), QStringLiteral("Banner v2"));
    QCOMPARE(model.index(0, CreativeModel::StatusColumn).data().toString(), QStringLiteral("Approved"));
    // Without a name the id stands in; a canonical creative shows its format kind.
    QCOMPARE(model.index(1, CreativeModel::NameColumn).data().toString(), QStringLiteral("cr-2"));
    QCOMPARE(model.index(1, CreativeModel::FormatColumn).data().toString(), QStringLiteral("video_hosted"));
    QVERIFY(model.hasMore());
    QCOMPARE(model.cursor(), QStringLiteral("next"));
    QCOMPARE(model.totalMatching(), 40);

    // The next page: a known id updates in place, "more" without a cursor ends the walk, a count that is not
    // one is dropped.
    model.addPage(nlohmann::json::parse(R"({
        "creatives": [{"creative_id": "cr-2", "name": "Pre-roll", "status": "rejected"},
                      {"creative_id": "cr-3", "status": {"nested": true}, "updated_date": 5}],
        "pagination": {"has_more": true},
        "query_summary": {"total_matching": -3}})"),
                  false);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(1, CreativeModel::NameColumn).data().toString(), QStringLiteral("Pre-roll"));
    QCOMPARE(model.index(1, CreativeModel::StatusColumn).data().toString(), QStringLiteral("Rejected"));
    QCOMPARE(model.index(2, CreativeModel::UpdatedColumn).data().toString(), QString());
    QVERIFY(!model.hasMore());
    QCOMPARE(model.totalMatching(), -1);
    // Not a page at all.
    model.addPage(nlohmann::json::array({1, 2}), true);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(model.isListed());
    model.addPage(nlohmann::json(), false);
    QCOMPARE(model.rowCount(), 0);
    model.clear();
    QVERIFY(!model.isListed());
}

// The "In use" column reads the seller's assignments block: a count in words, the packages in the tooltip; a
// block that is absent, negative or not a number says nothing rather than "Not assigned".
void TestModels::creativeLibraryShowsAssignments()
{
    using adcp::models::CreativeModel;
    PluralTranslator translator; // as the application installs it
    QVERIFY(QCoreApplication::installTranslator(&translator));
    CreativeModel model;
    model.addPage(nlohmann::json::parse(R"({"creatives": [
        {"creative_id": "two", "assignments": {"assignment_count": 3, "returned_assignment_count": 2,
         "assignments_truncated": true, "assigned_packages": [
            {"package_id": "pkg-a", "media_buy_id": "mb-1", "assigned_date": "2026-12-01T10:00:00Z"},
            {"package_id": "pkg-b"},
            {"package_id": 9, "media_buy_id": "mb-x"}]}},
        {"creative_id": "none", "assignments": {"assignment_count": 0, "assigned_packages": []}},
        {"creative_id": "one", "assignments": {"assignment_count": 1}},
        {"creative_id": "unreported"},
        {"creative_id": "negative", "assignments": {"assignment_count": -2}},
        {"creative_id": "text", "assignments": {"assignment_count": "3"}},
        {"creative_id": "odd", "assignments": "everywhere"}]})"),
                  true);
    QCOMPARE(model.rowCount(), 7);
    const auto inUse = [&](int row, int role = Qt::DisplayRole) {
        return model.index(row, CreativeModel::InUseColumn).data(role).toString();
    };
    QCOMPARE(inUse(0), QStringLiteral("3 packages"));
    const QString tip = inUse(0, Qt::ToolTipRole);
    QVERIFY2(tip.startsWith(QStringLiteral("package pkg-a of media buy mb-1, since ")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("\npackage pkg-b\n")), qPrintable(tip));
    QVERIFY2(!tip.contains(QStringLiteral("mb-x")), qPrintable(tip)); // a row without a string package id
    QVERIFY2(tip.endsWith(QStringLiteral("only some)")), qPrintable(tip));
    // A buy the window knows is named by its title, its id beside it.
    model.setBuyTitles([](const QString &id) {
        return id == QLatin1String("mb-1") ? QStringLiteral("Balanced plan") : QString();
    });
    QVERIFY2(inUse(0, Qt::ToolTipRole)
                 .startsWith(QStringLiteral("package pkg-a of “Balanced plan” (mb-1), since ")),
             qPrintable(inUse(0, Qt::ToolTipRole)));
    QCOMPARE(inUse(1), QStringLiteral("Not assigned"));
    QCOMPARE(inUse(2), QStringLiteral("1 package"));
    for (int row = 3; row < 7; ++row)
        QCOMPARE(inUse(row), QString());
    QCOMPARE(model.index(0, CreativeModel::InUseColumn).data(adcp::models::SortRole).toLongLong(), 3);
    QCOMPARE(model.index(3, CreativeModel::InUseColumn).data(adcp::models::SortRole).toLongLong(), -1);
    QCOMPARE(model.headerData(CreativeModel::InUseColumn, Qt::Horizontal).toString(),
             QStringLiteral("In use"));

    // A sized format says its size; a size that is not a pair of whole positive numbers is left out.
    const auto format = [](const char *formatId) {
        return CreativeModel::formatOf({{"format_id", nlohmann::json::parse(formatId)}});
    };
    QCOMPARE(format(R"({"id": "display_image", "width": 970, "height": 250})"),
             QStringLiteral("display_image 970×250"));
    QCOMPARE(format(R"({"id": "display_image"})"), QStringLiteral("display_image"));
    QCOMPARE(format(R"({"id": "display_image", "width": 300})"), QStringLiteral("display_image"));
    QCOMPARE(format(R"({"id": "display_image", "width": -300, "height": 250})"),
             QStringLiteral("display_image"));
    QCOMPARE(format(R"({"id": "display_image", "width": 1e300, "height": 250})"),
             QStringLiteral("display_image"));
    QCOMPARE(format(R"({"id": "display_image", "width": "300", "height": 250})"),
             QStringLiteral("display_image"));
    QCOMPARE(format(R"({"id": "display_image", "width": 300.5, "height": 250})"),
             QStringLiteral("display_image"));
}

void TestModels::pricingTexts_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("price");
    QTest::addColumn<QString>("rate");
    QTest::newRow("cpm fixed") << R"({"pricing_model":"cpm","currency":"USD","fixed_price":12})"
                               << "$12"
                               << "CPM $12";
    QTest::newRow("cpcv keeps its digits")
        << R"({"pricing_model":"cpcv","currency":"USD","fixed_price":0.022})"
        << "$0.022"
        << "CPCV $0.022";
    QTest::newRow("cpc floor") << R"({"pricing_model":"cpc","currency":"USD","floor_price":0.6})"
                               << "floor $0.60"
                               << "CPC";
    QTest::newRow("day rate with durations")
        << R"({"pricing_model":"time","currency":"USD","fixed_price":18000,
              "parameters":{"time_unit":"day","min_duration":1,"max_duration":14}})"
        << "$18,000 a day (1–14 days)"
        << "$18,000 per period";
    QTest::newRow("rating point") << R"({"pricing_model":"cpp","currency":"USD","fixed_price":450,
                                        "parameters":{"demographic":"P25-54"}})"
                                  << "$450 a rating point (P25-54)"
                                  << "CPP $450";
    QTest::newRow("view threshold") << R"({"pricing_model":"cpv","currency":"EUR","fixed_price":0.009,
                                          "parameters":{"view_threshold":0.25}})"
                                    << "€0.009 a view at 25 %"
                                    << "CPV €0.009";
    QTest::newRow("flat") << R"({"pricing_model":"flat_rate","currency":"USD","fixed_price":40000})"
                          << "$40,000"
                          << "Flat $40,000";
    // What an untrusted seller may send instead.
    QTest::newRow("no price") << R"({"pricing_model":"cpm","currency":"USD"})"
                              << ""
                              << "CPM";
    QTest::newRow("price as text") << R"({"pricing_model":"cpm","currency":"USD","fixed_price":"12"})"
                                   << ""
                                   << "CPM";
    QTest::newRow("parameters not an object")
        << R"({"pricing_model":"time","currency":"USD","fixed_price":5,"parameters":[1]})"
        << "$5 per period"
        << "$5 per period";
}

// Prices as planners read them: sub-dime unit prices keep their digits, time and rating-point options say
// their unit; a delivery row (pricing_model, rate) names the model.
void TestModels::pricingTexts()
{
    QFETCH(QString, option);
    QFETCH(QString, price);
    QFETCH(QString, rate);
    const nlohmann::json json = nlohmann::json::parse(option.toStdString());
    QCOMPARE(adcp::models::optionPriceText(json), price);
    nlohmann::json row = {{"pricing_model", json["pricing_model"]}};
    if (json.contains("fixed_price"))
        row["rate"] = json["fixed_price"];
    QCOMPARE(adcp::models::pricingRateText(row, adcp::models::jsonString(json, "currency")), rate);
}

// The seller console's held buys: list_tasks says only the task type; the request the back office adds names
// the proposal or the products (two, then a count) and the total budget; the buy's id is in the tooltip.
// An error's `field` in words, both path forms; what cannot be read comes back as given.
void TestModels::errorFieldsInWords()
{
    using adcp::models::fieldIndex;
    using adcp::models::fieldLabel;
    QCOMPARE(fieldLabel(QStringLiteral("purchases[1].budget")), QStringLiteral("purchase 2 › budget"));
    QCOMPARE(fieldLabel(QStringLiteral("/packages/0/bid_price")), QStringLiteral("package 1 › bid price"));
    QCOMPARE(fieldLabel(QStringLiteral("total_budget")), QStringLiteral("total budget"));
    QCOMPARE(fieldLabel(QStringLiteral("properties[2].address")), QStringLiteral("property 3 › address"));
    QCOMPARE(fieldLabel(QStringLiteral("refine[0].proposal_id")), QStringLiteral("refine 1 › proposal id"));
    for (const char *odd : {"", "a..b", "purchases[x].budget", "/a//b", "<script>"})
        QCOMPARE(fieldLabel(QString::fromLatin1(odd)), QString::fromLatin1(odd));
    QCOMPARE(fieldIndex(QStringLiteral("purchases[3].pricing.rate"), QStringLiteral("purchases")), 3);
    QCOMPARE(fieldIndex(QStringLiteral("/purchases/2/budget"), QStringLiteral("purchases")), 2);
    QCOMPARE(fieldIndex(QStringLiteral("packages[3].budget"), QStringLiteral("purchases")), -1);
    QCOMPARE(fieldIndex(QStringLiteral("purchases.budget"), QStringLiteral("purchases")), -1);
}

void TestModels::heldBuysSayWhatTheyBuy()
{
    adcp::models::ApprovalModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const json tasks = json::array(
        {{{"task_id", "task_a"},
          {"task_type", "create_media_buy"},
          {"created_at", "2026-12-06T07:00:00Z"},
          {"media_buy_id", "mb_1"},
          {"params",
           {{"proposal_id", "prop_9"}, {"total_budget", {{"amount", 24000}, {"currency", "USD"}}}}}},
         {{"task_id", "task_b"},
          {"task_type", "create_media_buy"},
          {"created_at", "2026-12-06T07:01:00Z"},
          {"params",
           {{"purchases", json::array({{{"product_id", "ctv"}},
                                       {{"product_id", "olv"}},
                                       {{"product_id", "dooh"}},
                                       {{"product_id", "ctv"}}})}}}},
         {{"task_id", "task_c"}, {"task_type", "update_media_buy"}, {"media_buy_id", "mb_2"}},
         {{"task_id", "task_d"}, {"task_type", "create_media_buy"}, {"params", "not an object"}},
         // With the names the back office found: people read those; an id it has no name for stays.
         {{"task_id", "task_e"},
          {"task_type", "create_media_buy"},
          {"params", {{"proposal_id", "prop_7"}}},
          {"names", {{"proposal", "Balanced plan"}}}},
         {{"task_id", "task_f"},
          {"task_type", "buy_products"},
          {"params", {{"purchases", json::array({{{"product_id", "ctv"}}, {{"product_id", "olv"}}})}}},
          {"names", {{"products", {{"ctv", "Premium CTV"}, {"olv", 7}}}}}}});
    model.setTasks(tasks);
    QCOMPARE(model.rowCount(), 6);
    const auto what = [&model](int row, int role = Qt::DisplayRole) {
        return model.index(row, adcp::models::ApprovalModel::WhatColumn).data(role).toString();
    };
    QCOMPARE(what(0), QStringLiteral("New media buy · proposal prop_9 · %1")
                          .arg(adcp::models::formatMoney(24000, QStringLiteral("USD"))));
    QCOMPARE(what(0, Qt::ToolTipRole), what(0) + QStringLiteral("\nTask task_a · media buy mb_1"));
    QCOMPARE(what(1), QStringLiteral("New media buy · ctv, olv and 1 more"));
    QVERIFY(what(1, Qt::ToolTipRole).endsWith(QStringLiteral("\nTask task_b")));
    QCOMPARE(what(2), QStringLiteral("Change to a media buy · mb_2"));
    QCOMPARE(what(3), QStringLiteral("New media buy"));
    QCOMPARE(what(4), QStringLiteral("New media buy · proposal “Balanced plan”"));
    QCOMPARE(what(5), QStringLiteral("Direct buy · Premium CTV, olv"));
}

QTEST_GUILESS_MAIN(TestModels)
#include "tst_models.moc"
