// Everything the seller stored survives closing and reopening the database file; migrations run once, and a
// module can add its own migration steps without touching the core's.

#include "sellertestfixture.h"

#include "domain/acceptedorder.h"
#include "domain/proposalstore.h"
#include "storage/migrations.h"

#include <QSqlError>

using namespace sellertest;

class TestSellerRestart : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everythingIsThereAfterReopening()
    {
        Seller s;
        const json opportunity = {
            {"opportunity_id", "opp-restart"}, {"phase", "planning"}, {"intent", "test"}};
        const auto brief =
            s.call("get_products", {{"buying_mode", "brief"},
                                    {"brief", "CTV, online video and audio for a car launch, budget $400k"},
                                    {"opportunity", opportunity}});
        QVERIFY(brief.ok());
        const json kept = brief.result["proposals"][0];
        const json dropped = brief.result["proposals"][1];
        QVERIFY(s.call("get_products", {{"buying_mode", "refine"},
                                        {"refine",
                                         {{{"scope", "proposal"},
                                           {"proposal_id", kept["proposal_id"]},
                                           {"ask", "budget $450,000"}}}}})
                    .ok());
        QVERIFY(s.call("get_products", {{"buying_mode", "refine"},
                                        {"refine",
                                         {{{"scope", "proposal"},
                                           {"proposal_id", dropped["proposal_id"]},
                                           {"proposal_version", "v1"},
                                           {"action", "decline"},
                                           {"reason", "audience_fit"}}}}})
                    .ok());
        const auto finalized = s.finalize(kept);
        QVERIFY(finalized.ok());
        const json committed = finalized.result["proposals"][0];
        const json buyArgs = s.buyArgs(committed, 450000);
        const auto bought = s.call("create_media_buy", buyArgs);
        QVERIFY2(bought.ok(), bought.ok() ? "" : bought.error->message.c_str());
        const auto rowsBefore = s.allRows();
        const int products = s.rows(QStringLiteral("products"));

        s.open(); // a new context on the same file, as after a restart

        QVERIFY(s.allRows() == rowsBefore);
        QCOMPARE(s.rows(QStringLiteral("products")), products); // not seeded twice
        auto db = s.context->database();
        const auto versions =
            adcp::seller::ProposalStore::versions(db, s.buyer.id, kept["proposal_id"], nullptr);
        QCOMPARE(versions.size(), size_t(3));
        QVERIFY(versions[0].proposal == kept);
        QVERIFY(versions[2].proposal == committed);
        const auto declined =
            adcp::seller::ProposalStore::find(db, s.buyer.id, dropped["proposal_id"], nullptr);
        QVERIFY(declined);
        QCOMPARE(adcp::seller::toString(declined->state), std::string("declined"));
        QCOMPARE(declined->declineReason.value_or(""), std::string("audience_fit"));
        QCOMPARE(declined->declinedVersion.value_or(0), 1);
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT phase, intent, status, close_reason FROM opportunities")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("planning"));
        QCOMPARE(q.value(2).toString(), QStringLiteral("closed"));
        QCOMPARE(q.value(3).toString(), QStringLiteral("accepted_with_seller"));

        const auto read = s.call("get_media_buys", {{"media_buy_ids", {bought.result["media_buy_id"]}}});
        QVERIFY(read.ok());
        QCOMPARE(read.result["media_buys"].size(), size_t(1));
        QCOMPARE(read.result["media_buys"][0]["packages"].size(), bought.result["packages"].size());
        // The idempotency record replays the original answer.
        const auto replay = s.call("create_media_buy", buyArgs);
        QVERIFY(replay.ok());
        QVERIFY(replay.result["replayed"].get<bool>());
        QVERIFY(replay.result["media_buy_id"] == bought.result["media_buy_id"]);
        // The committed proposal is consumed for good.
        json again = buyArgs;
        again["idempotency_key"] = s.key();
        QCOMPARE(errorCode(s.call("create_media_buy", again)), std::string("INVALID_STATE"));
    }

    void migrationsRunOncePerModule()
    {
        Seller s;
        const auto versionRows = [&] {
            QSqlQuery q(s.context->database());
            q.exec(QStringLiteral(
                "SELECT module || ':' || version FROM schema_version ORDER BY module, version"));
            QStringList rows;
            while (q.next())
                rows << q.value(0).toString();
            return rows;
        };
        QVERIFY(versionRows().contains(QStringLiteral("core:1")));

        // Another module adds its tables as its own steps; the core's steps are untouched.
        adcp::seller::storage::registerMigrations(QStringLiteral("zz_test_module"), [] {
            return std::vector<adcp::seller::storage::MigrationStep>{
                {2,
                 QStringLiteral("add a column"),
                 {QStringLiteral("ALTER TABLE zz_jobs ADD COLUMN note TEXT")},
                 {}},
                {1,
                 QStringLiteral("jobs table"),
                 {QStringLiteral(
                     "CREATE TABLE zz_jobs (id INTEGER PRIMARY KEY, media_buy_id TEXT NOT NULL)")},
                 {}},
            };
        });
        QString error;
        QVERIFY2(s.context->migrate(&error), qPrintable(error));
        s.open();
        s.open();
        const QStringList rows = versionRows();
        QCOMPARE(rows.count(QStringLiteral("core:1")), 1);
        QCOMPARE(rows.count(QStringLiteral("zz_test_module:1")), 1);
        QCOMPARE(rows.count(QStringLiteral("zz_test_module:2")), 1);
        QSqlQuery q(s.context->database());
        QVERIFY2(q.exec(QStringLiteral("INSERT INTO zz_jobs (media_buy_id, note) VALUES ('mb_1', 'x')")),
                 qPrintable(q.lastError().text()));
    }

    void orderHookWritesInTheSameTransaction()
    {
        Seller s;
        QSqlQuery create(s.context->database());
        QVERIFY(create.exec(QStringLiteral("CREATE TABLE hook_jobs (media_buy_id TEXT, packages INTEGER)")));
        bool fail = false;
        s.context->setOrderAcceptedHook(
            [&](QSqlDatabase &db, const adcp::seller::AcceptedOrder &order, QString *error) {
                if (fail) {
                    *error = QStringLiteral("queue unavailable");
                    return false;
                }
                QSqlQuery q(db);
                q.prepare(QStringLiteral("INSERT INTO hook_jobs VALUES (?, ?)"));
                q.addBindValue(QString::fromStdString(order.mediaBuyId));
                q.addBindValue(static_cast<int>(order.packages.size()));
                return q.exec();
            });
        const json committed = s.committedProposal();
        fail = true;
        const auto before = s.allRows();
        const auto failed = s.call("create_media_buy", s.buyArgs(committed));
        QCOMPARE(errorCode(failed), std::string("SERVICE_UNAVAILABLE"));
        QCOMPARE(recovery(failed), std::string("transient"));
        QVERIFY(s.allRows() == before);
        QCOMPARE(s.rows(QStringLiteral("hook_jobs")), 0);
        // The reservation was released: the proposal can still be bought.
        fail = false;
        const auto bought = s.call("create_media_buy", s.buyArgs(committed));
        QVERIFY2(bought.ok(), bought.ok() ? "" : bought.error->message.c_str());
        QCOMPARE(s.rows(QStringLiteral("hook_jobs")), 1);
    }
};

QTEST_GUILESS_MAIN(TestSellerRestart)
#include "tst_seller_restart.moc"
