#include "execfixture.h"
#include "monitoring/dependencyhealth.h"

#include <QRandomGenerator>
#include <QTest>

#include <map>
#include <set>

using namespace exectest;

namespace {

// The health invariant of a non-terminal buy: impaired iff impairments is non-empty, and every impairment is
// well formed (the fields core/impairment.json requires, at least one package of this buy).
void checkHealthInvariant(const json &buy)
{
    const json &impairments = buy.at("impairments");
    QCOMPARE(buy.at("health").get<std::string>(), std::string(impairments.empty() ? "ok" : "impaired"));
    std::set<std::string> packages;
    for (const auto &p : buy.at("packages"))
        packages.insert(p.at("package_id").get<std::string>());
    for (const auto &imp : impairments) {
        for (const char *field : {"impairment_id", "resource_type", "resource_id", "package_ids",
                                  "transition", "reason_code", "observed_at"})
            QVERIFY2(imp.contains(field), field);
        QVERIFY(!imp["package_ids"].empty());
        for (const auto &p : imp["package_ids"])
            QVERIFY(packages.count(p.get<std::string>()));
    }
}

} // namespace

class TestImpairmentCardinality final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void twoCreativesZeroOneTwoOneZero();
    void randomizedSequenceKeepsTheInvariant();
    void otherResourceTypes_data();
    void otherResourceTypes();
    void peerCreativeKeepsThePackageServing();
    void boardReadsAgreeWithPerResourceReads();
};

void TestImpairmentCardinality::twoCreativesZeroOneTwoOneZero()
{
    ExecSeller s;
    const json created = s.createBuy();
    const std::string id = created["media_buy_id"];
    s.syncCreative("cr_1", packageId(created, 0), "audio_standard_60s");
    s.syncCreative("cr_2", packageId(created, 1), "video_standard_30s");
    json buy = s.mediaBuy(id);
    QCOMPARE(buy["impairments"].size(), size_t(0));
    checkHealthInvariant(buy);

    s.control("force_creative_status", {{"creative_id", "cr_1"}, {"status", "suspended"}});
    buy = s.mediaBuy(id);
    QCOMPARE(buy["impairments"].size(), size_t(1));
    checkHealthInvariant(buy);
    const json first = buy["impairments"][0];
    QCOMPARE(first["resource_type"].get<std::string>(), std::string("creative"));
    QCOMPARE(first["resource_id"].get<std::string>(), std::string("cr_1"));
    QCOMPARE(first["transition"]["from"].get<std::string>(), std::string("approved"));
    QCOMPARE(first["transition"]["to"].get<std::string>(), std::string("suspended"));
    QVERIFY(first["package_ids"] == json::array({packageId(created, 0)}));

    s.control("force_creative_status", {{"creative_id", "cr_2"}, {"status", "rejected"}});
    buy = s.mediaBuy(id);
    QCOMPARE(buy["impairments"].size(), size_t(2));
    checkHealthInvariant(buy);
    QVERIFY(buy["impairments"][0]["impairment_id"] == first["impairment_id"]); // stable while open
    QCOMPARE(buy["impairments"][1]["reason_code"].get<std::string>(), std::string("content_rejected"));

    s.control("force_creative_status", {{"creative_id", "cr_1"}, {"status", "approved"}});
    buy = s.mediaBuy(id);
    QCOMPARE(buy["impairments"].size(), size_t(1));
    QCOMPARE(buy["impairments"][0]["resource_id"].get<std::string>(), std::string("cr_2"));
    checkHealthInvariant(buy);

    s.control("force_creative_status", {{"creative_id", "cr_2"}, {"status", "approved"}});
    buy = s.mediaBuy(id);
    QCOMPARE(buy["impairments"].size(), size_t(0));
    QCOMPARE(buy["health"].get<std::string>(), std::string("ok"));
}

// Random walks over both creatives' state machines; after every step the snapshot must match a model of
// which creatives are offline, and the invariant must hold.
void TestImpairmentCardinality::randomizedSequenceKeepsTheInvariant()
{
    ExecSeller s;
    const json created = s.createBuy();
    const std::string id = created["media_buy_id"];
    s.syncCreative("cr_a", packageId(created, 0), "audio_standard_60s");
    s.syncCreative("cr_b", packageId(created, 1), "video_standard_30s");
    const std::vector<std::string> creatives = {"cr_a", "cr_b"};
    const std::vector<std::string> statuses = {"approved", "suspended", "rejected", "pending_review"};
    std::map<std::string, std::string> model = {{"cr_a", "approved"}, {"cr_b", "approved"}};
    std::map<std::string, std::string> openIds; // creative → impairment id while its offline episode lasts
    QRandomGenerator random(20261122);
    int applied = 0;
    int refused = 0;
    for (int step = 0; step < 120; ++step) {
        const std::string creative = creatives[random.bounded(int(creatives.size()))];
        const std::string status = statuses[random.bounded(int(statuses.size()))];
        const json answer =
            s.control("force_creative_status", {{"creative_id", creative}, {"status", status}});
        if (answer["success"].get<bool>()) {
            ++applied;
            if (model[creative] != status)
                openIds.erase(creative); // a new offline state is a new impairment
            model[creative] = status;
        } else {
            ++refused;
            QCOMPARE(answer["error"].get<std::string>(), std::string("INVALID_TRANSITION"));
            QCOMPARE(answer["current_state"].get<std::string>(), model[creative]);
        }
        const json buy = s.mediaBuy(id);
        checkHealthInvariant(buy);
        std::set<std::string> expected;
        for (const auto &[c, st] : model) {
            if (st == "suspended" || st == "rejected")
                expected.insert(c);
        }
        std::set<std::string> actual;
        for (const auto &imp : buy["impairments"]) {
            const std::string c = imp["resource_id"];
            actual.insert(c);
            QCOMPARE(imp["transition"]["to"].get<std::string>(), model[c]);
            const std::string impId = imp["impairment_id"];
            if (openIds.count(c))
                QCOMPARE(impId, openIds[c]);
            openIds[c] = impId;
        }
        QVERIFY2(actual == expected, ("step " + std::to_string(step)).c_str());
    }
    QVERIFY(applied > 20);
    QVERIFY(refused > 0);
}

void TestImpairmentCardinality::otherResourceTypes_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QString>("idParam");
    QTest::addColumn<QString>("resourceId");
    QTest::addColumn<QString>("offline");
    QTest::addColumn<QString>("serviceable");
    QTest::addColumn<QString>("reasonCode");
    QTest::addColumn<int>("packages");
    QTest::newRow("audience") << "force_audience_status"
                              << "audience_id"
                              << "aud_loyal"
                              << "suspended"
                              << "ready"
                              << "consent_expired" << 1;
    QTest::newRow("catalog item") << "force_catalog_item_status"
                                  << "catalog_item_id"
                                  << "sku_123"
                                  << "withdrawn"
                                  << "approved"
                                  << "seller_removed" << 1;
    QTest::newRow("property") << "force_property_status"
                              << "property_id"
                              << "deepdive.example"
                              << "depublished"
                              << "published"
                              << "property_depublished" << 1;
}

void TestImpairmentCardinality::otherResourceTypes()
{
    QFETCH(QString, scenario);
    QFETCH(QString, idParam);
    QFETCH(QString, resourceId);
    QFETCH(QString, offline);
    QFETCH(QString, serviceable);
    QFETCH(QString, reasonCode);
    QFETCH(int, packages);
    ExecSeller s;
    json extra = s.packageBuy();
    extra["packages"][0]["targeting_overlay"] = {{"audience_include", {"aud_loyal"}}};
    extra["packages"][1]["catalogs"] = {{{"type", "product"}, {"ids", {"sku_123"}}}};
    const json created = s.createBuy({{"packages", extra["packages"]}});
    const std::string id = created["media_buy_id"];
    const json forced = s.control(scenario.toStdString(), {{idParam.toStdString(), resourceId.toStdString()},
                                                           {"status", offline.toStdString()}});
    QVERIFY2(forced["success"].get<bool>(), forced.dump().c_str());
    json buy = s.mediaBuy(id);
    checkHealthInvariant(buy);
    QCOMPARE(buy["impairments"].size(), size_t(1));
    QCOMPARE(buy["impairments"][0]["reason_code"].get<std::string>(), reasonCode.toStdString());
    QCOMPARE(int(buy["impairments"][0]["package_ids"].size()), packages);
    QVERIFY(buy["impairments"][0].contains("remediation") ||
            scenario == QStringLiteral("force_property_status"));
    s.control(scenario.toStdString(),
              {{idParam.toStdString(), resourceId.toStdString()}, {"status", serviceable.toStdString()}});
    buy = s.mediaBuy(id);
    QCOMPARE(buy["impairments"].size(), size_t(0));
    checkHealthInvariant(buy);
    // Unknown resources are the controller's NOT_FOUND.
    QCOMPARE(s.control(scenario.toStdString(),
                       {{idParam.toStdString(), "nope"}, {"status", offline.toStdString()}})["error"]
                 .get<std::string>(),
             std::string("NOT_FOUND"));
}

// Materiality: a rejected creative whose package still has an approved peer is not an impairment.
void TestImpairmentCardinality::peerCreativeKeepsThePackageServing()
{
    ExecSeller s;
    const json created = s.createBuy();
    const std::string id = created["media_buy_id"];
    s.syncCreative("cr_x", packageId(created, 0), "audio_standard_60s");
    s.syncCreative("cr_y", packageId(created, 0), "audio_standard_60s");
    s.control("force_creative_status", {{"creative_id", "cr_x"}, {"status", "rejected"}});
    QCOMPARE(s.mediaBuy(id)["impairments"].size(), size_t(0));
    s.control("force_creative_status", {{"creative_id", "cr_y"}, {"status", "suspended"}});
    const json buy = s.mediaBuy(id);
    QCOMPARE(buy["impairments"].size(), size_t(2));
    checkHealthInvariant(buy);
}

// The seller console reads the whole board in two queries: they must say what the per-resource reads say,
// for this principal only.
void TestImpairmentCardinality::boardReadsAgreeWithPerResourceReads()
{
    ExecSeller s;
    const json first = s.createBuy();
    const json second = s.createBuy();
    s.syncCreative("cr_1", packageId(first, 0), "audio_standard_60s");
    s.syncCreative("cr_2", packageId(second, 0), "audio_standard_60s");
    s.control("force_creative_status", {{"creative_id", "cr_1"}, {"status", "suspended"}});

    using adcp::seller::DependencyHealth;
    QSqlDatabase db = s.context->database();
    const auto byBuy = DependencyHealth::dependenciesByBuy(db, s.buyer.id);
    const auto statuses = DependencyHealth::resourceStatuses(db, s.buyer.id);
    for (const json *buy : {&first, &second}) {
        const auto found = byBuy.find(buy->at("media_buy_id").get<std::string>());
        QVERIFY(found != byBuy.end());
        QVERIFY(!found->second.empty());
        QVERIFY(std::is_sorted(found->second.begin(), found->second.end()));
        for (const auto &[type, id] : found->second) {
            const auto one = DependencyHealth::resource(db, s.buyer.id, type, id);
            const auto bulk = statuses.find({type, id});
            QCOMPARE(bulk != statuses.end(), one.has_value());
            if (one)
                QCOMPARE(bulk->second, one->status);
        }
    }
    QCOMPARE(statuses.at({"creative", "cr_1"}), std::string("suspended"));
    QVERIFY(DependencyHealth::dependenciesByBuy(db, "someone-else").empty());
    QVERIFY(DependencyHealth::resourceStatuses(db, "someone-else").empty());
}

QTEST_GUILESS_MAIN(TestImpairmentCardinality)
#include "tst_impairment_cardinality.moc"
