#include "schemaregistry.h"
#include "wire/enums.h"
#include "wire/impairment.h"
#include "wire/mediabuy.h"
#include "wire/product.h"
#include "wire/proposal.h"
#include "wire/wireerror.h"

#include <QFileInfo>
#include <QtTest/QtTest>

#include <functional>

using namespace adcp::wire;

// Declared before the examples: moc reads the "//" inside their raw strings as the start of a comment.

class TestWire final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void productRoundTrip();
    void proposalRoundTrip();
    void mediaBuyRoundTrip();
    void examplesMatchTheOfficialSchemas_data();
    void examplesMatchTheOfficialSchemas();
    void conversionErrors_data();
    void conversionErrors();
    void enumSpellings();

private:
    std::unique_ptr<adcp::SchemaRegistry> m_official;
};

namespace {

QString sharedFolder()
{
    return qEnvironmentVariable("ADCP_SHARED_DIR", QStringLiteral(ADCP_SHARED_DIR));
}

// A product as a seller returns it from get_products: typed members, an auction and a fixed pricing option
// with model-specific members, and members this workbench does not model (format_options, ext).
const char *kProduct = R"({
  "product_id": "ctv_sports_premium",
  "name": "CTV Sports Premium",
  "description": "Live sports on connected TV, 15s and 30s spots",
  "publisher_properties": [{"publisher_domain": "sportsnet.example", "selection_type": "all"}],
  "channels": ["ctv"],
  "format_ids": [{"agent_url": "https://creative.adcontextprotocol.org", "id": "video_30s"}],
  "delivery_type": "guaranteed",
  "pricing_options": [
    {"pricing_option_id": "po_cpm_fixed", "pricing_model": "cpm", "currency": "USD", "fixed_price": 42.5,
     "min_spend_per_package": 5000},
    {"pricing_option_id": "po_cpm_auction", "pricing_model": "cpm", "currency": "USD", "floor_price": 18,
     "max_bid": true, "price_guidance": {"p25": 19, "p50": 22.5, "p75": 27, "p90": 31}},
    {"pricing_option_id": "po_flat", "pricing_model": "flat_rate", "currency": "USD", "fixed_price": 25000,
     "parameters": {"type": "dooh", "sov_percentage": 25}}
  ],
  "reporting_capabilities": {"available_reporting_frequencies": ["daily"], "expected_delay_minutes": 240,
                             "timezone": "UTC", "supports_webhooks": true,
                             "available_metrics": ["impressions", "spend"], "date_range_support": "date_range"},
  "is_custom": false,
  "brief_relevance": "Matches the sports audience and CTV channel of the brief",
  "expires_at": "2026-12-01T00:00:00Z",
  "ext": {"vendor": {"tier": "gold"}}
})";

// A proposal in the versioned dialect: proposal_version, a committed status and budget guidance.
const char *kProposal = R"({
  "proposal_id": "prop_7f3a",
  "proposal_version": "v3",
  "name": "Sports fans, April flight",
  "description": "Two CTV products split 70/30",
  "allocations": [
    {"product_id": "ctv_sports_premium", "allocation_percentage": 70, "pricing_option_id": "po_cpm_fixed",
     "rationale": "Highest reach", "sequence": 1, "tags": ["reach"], "start_time": "2026-04-01T00:00:00Z",
     "end_time": "2026-04-30T23:59:59Z"},
    {"product_id": "ctv_sports_longtail", "allocation_percentage": 30, "pricing_option_id": "po_cpm_auction",
     "x_planner_note": "kept for the round trip"}
  ],
  "proposal_status": "committed",
  "expires_at": "2026-03-20T17:00:00+01:00",
  "total_budget_guidance": {"min": 20000, "recommended": 50000, "max": 120000, "currency": "USD"},
  "brief_alignment": "Covers the sports audience in the requested flight"
})";

// A media buy as get_media_buys reports it: active but impaired by a rejected creative on one package.
const char *kMediaBuy = R"({
  "media_buy_id": "mb_1001",
  "name": "April sports",
  "status": "active",
  "health": "impaired",
  "impairments": [
    {"impairment_id": "imp_1", "resource_type": "creative", "resource_id": "cr_30s_a", "package_ids": ["pkg_1"],
     "transition": {"from": "approved", "to": "rejected"}, "reason_code": "content_rejected",
     "reason": "Audio loudness above the limit", "observed_at": "2026-04-03T08:15:00.250Z",
     "remediation": "Upload a normalized version"}
  ],
  "currency": "USD",
  "total_budget": 50000,
  "pacing": "even",
  "start_time": "2026-04-01T00:00:00Z",
  "end_time": "2026-04-30T23:59:59Z",
  "confirmed_at": "2026-03-19T10:00:00Z",
  "revision": 4,
  "created_at": "2026-03-19T09:59:58Z",
  "updated_at": "2026-04-03T08:15:01Z",
  "packages": [
    {"package_id": "pkg_1", "product_id": "ctv_sports_premium", "budget": 35000, "currency": "USD",
     "pacing": "even", "pricing_option_id": "po_cpm_fixed", "impressions": 823529, "paused": false,
     "start_time": "2026-04-01T00:00:00Z", "end_time": "2026-04-30T23:59:59Z",
     "format_ids": [{"agent_url": "https://creative.adcontextprotocol.org", "id": "video_30s"}]},
    {"package_id": "pkg_2", "product_id": "ctv_sports_longtail", "budget": 15000, "currency": "USD",
     "pricing_option_id": "po_cpm_auction", "bid_price": 21, "targeting_overlay": {"geo_countries": ["US"]}}
  ],
  "ext": {"trace": "abc"}
})";

nlohmann::json parse(const char *text)
{
    return nlohmann::json::parse(text);
}

QByteArray describe(const std::vector<adcp::ValidationIssue> &issues)
{
    QByteArray text;
    for (const auto &issue : issues)
        text += "\n  " +
                QByteArray::fromStdString(issue.pointer + ": " + issue.message + " [" + issue.keyword + "]");
    return text;
}

} // namespace

void TestWire::initTestCase()
{
    const QString schemas = sharedFolder() + QStringLiteral("/adcp/schemas");
    if (!QFileInfo::exists(schemas))
        return;
    m_official = std::make_unique<adcp::SchemaRegistry>();
    QVERIFY(m_official->loadDirectory(schemas));
    // The versioned dialect replaces the few files it changes (proposal_version on proposals).
    QVERIFY(m_official->loadDirectory(sharedFolder() + QStringLiteral("/adcp/schemas-versioned")));
}

void TestWire::productRoundTrip()
{
    const nlohmann::json wire = parse(kProduct);
    const Product product = wire.get<Product>();
    QCOMPARE(product.productId, std::string("ctv_sports_premium"));
    QCOMPARE(product.deliveryType, std::string("guaranteed"));
    QCOMPARE(product.pricingOptions.size(), size_t(3));
    QCOMPARE(product.channels, std::vector<std::string>{"ctv"});
    QCOMPARE(product.expiresAt, std::optional<std::string>("2026-12-01T00:00:00Z"));

    const PricingOption *fixed = product.pricingOption("po_cpm_fixed");
    QVERIFY(fixed);
    QVERIFY(!fixed->isAuction());
    QCOMPARE(fixed->fixedPrice, std::optional<double>(42.5));
    QCOMPARE(fixed->minSpendPerPackage, std::optional<double>(5000));
    const PricingOption *auction = product.pricingOption("po_cpm_auction");
    QVERIFY(auction && auction->isAuction());
    QCOMPARE(auction->floorPrice, std::optional<double>(18));
    QVERIFY(auction->priceGuidance.has_value());
    QCOMPARE(auction->priceGuidance->p50, std::optional<double>(22.5));
    QCOMPARE(auction->extra.at("max_bid"), nlohmann::json(true)); // model-specific member kept
    QCOMPARE(product.pricingOption("po_flat")->extra.at("parameters").at("sov_percentage"),
             nlohmann::json(25));
    QVERIFY(!product.pricingOption("po_missing"));
    QCOMPARE(product.extra.at("ext").at("vendor").at("tier"), nlohmann::json("gold"));

    QCOMPARE(nlohmann::json(product), wire);
}

void TestWire::proposalRoundTrip()
{
    const nlohmann::json wire = parse(kProposal);
    const Proposal proposal = wire.get<Proposal>();
    QCOMPARE(proposal.proposalVersion, std::optional<std::string>("v3"));
    QVERIFY(proposal.proposalStatus == ProposalStatus::Committed);
    QCOMPARE(proposal.allocations.size(), size_t(2));
    QCOMPARE(proposal.allocations[0].allocationPercentage, std::optional<double>(70));
    QCOMPARE(proposal.allocations[0].sequence, std::optional<int>(1));
    QCOMPARE(proposal.allocations[1].pricingOptionId, std::optional<std::string>("po_cpm_auction"));
    QCOMPARE(proposal.allocations[1].extra.at("x_planner_note"), nlohmann::json("kept for the round trip"));
    QVERIFY(proposal.totalBudgetGuidance.has_value());
    QCOMPARE(proposal.totalBudgetGuidance->recommended, std::optional<double>(50000));
    QCOMPARE(proposal.totalBudgetGuidance->currency, std::optional<std::string>("USD"));
    QCOMPARE(proposal.expiresAt, std::optional<std::string>("2026-03-20T17:00:00+01:00"));

    QCOMPARE(nlohmann::json(proposal), wire);

    // A proposal without the optional members writes none of them.
    const nlohmann::json minimal = {
        {"proposal_id", "p"}, {"name", "n"}, {"allocations", {{{"product_id", "x"}}}}};
    QCOMPARE(nlohmann::json(minimal.get<Proposal>()), minimal);
}

void TestWire::mediaBuyRoundTrip()
{
    const nlohmann::json wire = parse(kMediaBuy);
    const MediaBuy buy = wire.get<MediaBuy>();
    QVERIFY(buy.status == MediaBuyStatus::Active);
    QVERIFY(buy.health == MediaBuyHealth::Impaired);
    QCOMPARE(buy.revision, 4);
    QCOMPARE(buy.totalBudget, 50000.0);
    QCOMPARE(buy.impairments.size(), size_t(1));
    const Impairment &impairment = buy.impairments.front();
    QVERIFY(impairment.resourceType == ImpairmentResourceType::Creative);
    QCOMPARE(impairment.packageIds, std::vector<std::string>{"pkg_1"});
    QCOMPARE(impairment.transition.from, std::optional<std::string>("approved"));
    QCOMPARE(impairment.transition.to, std::string("rejected"));
    QCOMPARE(impairment.observedAt, std::string("2026-04-03T08:15:00.250Z"));
    QCOMPARE(buy.packages.size(), size_t(2));
    QCOMPARE(buy.packages[1].bidPrice, std::optional<double>(21));
    QCOMPARE(buy.packages[1].targetingOverlay.at("geo_countries"), nlohmann::json({"US"}));
    QVERIFY(buy.packages[1].formatIds.is_null());

    QCOMPARE(nlohmann::json(buy), wire);

    // health is optional on the wire and defaults to ok; confirmed_at is required but may be null.
    nlohmann::json pending = wire;
    pending.erase("health");
    pending.erase("impairments");
    pending["confirmed_at"] = nullptr;
    const MediaBuy pendingBuy = pending.get<MediaBuy>();
    QVERIFY(pendingBuy.health == MediaBuyHealth::Ok);
    QVERIFY(!pendingBuy.confirmedAt.has_value());
    const nlohmann::json written = pendingBuy;
    QVERIFY(written.at("confirmed_at").is_null());
    QCOMPARE(written.at("health"), nlohmann::json("ok"));
}

void TestWire::examplesMatchTheOfficialSchemas_data()
{
    QTest::addColumn<QString>("schemaId");
    QTest::addColumn<std::function<nlohmann::json()>>("document");

    QTest::newRow("product") << QStringLiteral("/schemas/core/product.json")
                             << std::function<nlohmann::json()>(
                                    [] { return nlohmann::json(parse(kProduct).get<Product>()); });
    QTest::newRow("proposal (versioned)")
        << QStringLiteral("/schemas/core/proposal.json")
        << std::function<nlohmann::json()>([] { return nlohmann::json(parse(kProposal).get<Proposal>()); });
    QTest::newRow("get_media_buys response")
        << QStringLiteral("/schemas/media-buy/get-media-buys-response.json")
        << std::function<nlohmann::json()>([] {
               return nlohmann::json{{"status", TaskStatus::Completed},
                                     {"media_buys", {nlohmann::json(parse(kMediaBuy).get<MediaBuy>())}}};
           });
}

void TestWire::examplesMatchTheOfficialSchemas()
{
    if (!m_official) // only when the shared folder is absent: initTestCase fails when it does not load
        QSKIP("the official AdCP schemas are absent (ADCP_SHARED_DIR/adcp/schemas)");
    QFETCH(QString, schemaId);
    QFETCH(std::function<nlohmann::json()>, document);
    const auto issues = m_official->validate(schemaId.toStdString(), document());
    QVERIFY2(issues.empty(), describe(issues).constData());
}

void TestWire::conversionErrors_data()
{
    QTest::addColumn<std::function<void(const nlohmann::json &)>>("convert");
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QString>("message");

    using Convert = std::function<void(const nlohmann::json &)>;
    const Convert toProduct = [](const nlohmann::json &j) { (void)j.get<Product>(); };
    const Convert toProposal = [](const nlohmann::json &j) { (void)j.get<Proposal>(); };
    const Convert toMediaBuy = [](const nlohmann::json &j) { (void)j.get<MediaBuy>(); };
    const Convert toImpairment = [](const nlohmann::json &j) { (void)j.get<Impairment>(); };
    const Convert toStatus = [](const nlohmann::json &j) { (void)j.get<TaskStatus>(); };

    const auto edited = [](const char *base, const char *pointer, nlohmann::json value) {
        nlohmann::json doc = parse(base);
        const nlohmann::json::json_pointer ptr(pointer);
        if (value.is_discarded())
            doc.at(ptr.parent_pointer()).erase(ptr.back());
        else
            doc[ptr] = std::move(value);
        return QByteArray::fromStdString(doc.dump());
    };
    const nlohmann::json erase = nlohmann::json::value_t::discarded;

    QTest::newRow("product without product_id")
        << toProduct << edited(kProduct, "/product_id", erase) << QStringLiteral("/product_id")
        << QStringLiteral("required property 'product_id' is missing");
    QTest::newRow("pricing option without currency")
        << toProduct << edited(kProduct, "/pricing_options/1/currency", erase)
        << QStringLiteral("/pricing_options/1/currency") << QStringLiteral("required property 'currency'");
    QTest::newRow("price guidance of the wrong type")
        << toProduct << edited(kProduct, "/pricing_options/1/price_guidance/p50", "high")
        << QStringLiteral("/pricing_options/1/price_guidance/p50") << QStringLiteral("wrong type (string)");
    QTest::newRow("product expires_at not RFC 3339")
        << toProduct << edited(kProduct, "/expires_at", "2026-12-01") << QStringLiteral("/expires_at")
        << QStringLiteral("RFC 3339");
    QTest::newRow("pricing_options not an array")
        << toProduct << edited(kProduct, "/pricing_options", "cpm") << QStringLiteral("/pricing_options")
        << QStringLiteral("must be an array");
    QTest::newRow("allocation without product_id")
        << toProposal << edited(kProposal, "/allocations/1/product_id", erase)
        << QStringLiteral("/allocations/1/product_id") << QStringLiteral("missing");
    QTest::newRow("unknown proposal_status")
        << toProposal << edited(kProposal, "/proposal_status", "final") << QStringLiteral("/proposal_status")
        << QStringLiteral("\"final\" is not one of: draft, committed, accepted");
    QTest::newRow("media buy without confirmed_at")
        << toMediaBuy << edited(kMediaBuy, "/confirmed_at", erase) << QStringLiteral("/confirmed_at")
        << QStringLiteral("missing");
    QTest::newRow("unknown media buy status")
        << toMediaBuy << edited(kMediaBuy, "/status", "running") << QStringLiteral("/status")
        << QStringLiteral("pending_creatives");
    QTest::newRow("unknown health") << toMediaBuy << edited(kMediaBuy, "/health", "degraded")
                                    << QStringLiteral("/health") << QStringLiteral("ok, impaired");
    QTest::newRow("package_id of the wrong type")
        << toMediaBuy << edited(kMediaBuy, "/packages/1/package_id", 7)
        << QStringLiteral("/packages/1/package_id") << QStringLiteral("wrong type (number)");
    QTest::newRow("impairment resource_type inside a buy")
        << toMediaBuy << edited(kMediaBuy, "/impairments/0/resource_type", "network")
        << QStringLiteral("/impairments/0/resource_type") << QStringLiteral("catalog_item");
    QTest::newRow("impairment transition without to")
        << toImpairment
        << QByteArray::fromStdString(parse(kMediaBuy)["impairments"][0].dump()).replace("\"to\"", "\"t\"")
        << QStringLiteral("/transition/to") << QStringLiteral("missing");
    QTest::newRow("impairment observed_at without time zone")
        << toMediaBuy << edited(kMediaBuy, "/impairments/0/observed_at", "2026-04-03T08:15:00")
        << QStringLiteral("/impairments/0/observed_at") << QStringLiteral("RFC 3339");
    QTest::newRow("media buy not an object")
        << toMediaBuy << QByteArray("[]") << QString() << QStringLiteral("must be an object");
    QTest::newRow("task status spelled with underscore")
        << toStatus << QByteArray(R"("input_required")") << QString() << QStringLiteral("input-required");
}

void TestWire::conversionErrors()
{
    QFETCH(std::function<void(const nlohmann::json &)>, convert);
    QFETCH(QByteArray, document);
    QFETCH(QString, pointer);
    QFETCH(QString, message);
    try {
        convert(nlohmann::json::parse(document.toStdString()));
        QFAIL("the conversion accepted an invalid document");
    } catch (const WireError &e) {
        QCOMPARE(QString::fromStdString(e.pointer()), pointer);
        QVERIFY2(QString::fromStdString(e.detail()).contains(message), e.what());
    }
}

void TestWire::enumSpellings()
{
    for (const auto status : {TaskStatus::Submitted, TaskStatus::Working, TaskStatus::InputRequired,
                              TaskStatus::Completed, TaskStatus::Canceled, TaskStatus::Failed,
                              TaskStatus::Rejected, TaskStatus::AuthRequired, TaskStatus::Unknown})
        QVERIFY(fromString<TaskStatus>(toString(status)) == status);
    QCOMPARE(toString(TaskStatus::InputRequired), std::string_view("input-required"));
    QCOMPARE(toString(MediaBuyStatus::PendingCreatives), std::string_view("pending_creatives"));
    QCOMPARE(toString(ImpairmentResourceType::EventSource), std::string_view("event_source"));
    QVERIFY(!fromString<MediaBuyStatus>("Active").has_value());
    QVERIFY(isTerminal(TaskStatus::Failed));
    QVERIFY(!isTerminal(TaskStatus::InputRequired));
    QVERIFY(isTerminal(MediaBuyStatus::Canceled));
    QVERIFY(!isTerminal(MediaBuyStatus::Paused));

    // Every spelling is the official one. Only an absent shared folder skips this; a missing or renamed enum
    // file inside it fails (an empty list would check nothing).
    const QString enums = sharedFolder() + QStringLiteral("/adcp/schemas/enums/");
    if (!QFileInfo::exists(enums))
        QSKIP("the official AdCP schemas are absent (ADCP_SHARED_DIR/adcp/schemas)");
    const auto officialValues = [&](const char *file) {
        QFile f(enums + QLatin1String(file));
        if (!f.open(QIODevice::ReadOnly))
            return nlohmann::json();
        return nlohmann::json::parse(f.readAll().toStdString()).at("enum");
    };
    const nlohmann::json taskStatus = officialValues("task-status.json");
    const nlohmann::json mediaBuyStatus = officialValues("media-buy-status.json");
    const nlohmann::json mediaBuyHealth = officialValues("media-buy-health.json");
    const nlohmann::json proposalStatus = officialValues("proposal-status.json");
    for (const nlohmann::json *values : {&taskStatus, &mediaBuyStatus, &mediaBuyHealth, &proposalStatus})
        QVERIFY(values->is_array() && !values->empty());
    for (const auto &value : taskStatus)
        QVERIFY2(fromString<TaskStatus>(value.get<std::string>()).has_value(), value.dump().c_str());
    for (const auto &value : mediaBuyStatus)
        QVERIFY2(fromString<MediaBuyStatus>(value.get<std::string>()).has_value(), value.dump().c_str());
    for (const auto &value : mediaBuyHealth)
        QVERIFY2(fromString<MediaBuyHealth>(value.get<std::string>()).has_value(), value.dump().c_str());
    for (const auto &value : proposalStatus)
        QVERIFY2(fromString<ProposalStatus>(value.get<std::string>()).has_value(), value.dump().c_str());
}

QTEST_GUILESS_MAIN(TestWire)
#include "tst_wire.moc"
