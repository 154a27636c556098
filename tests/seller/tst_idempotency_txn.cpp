// The idempotency record is completed in the handler's transaction: a failure after the handler's writes and
// before the commit (injected with a SQLite trigger on the record) leaves nothing behind, and the retry with
// the same key then runs exactly once.
#include "sellertestfixture.h"

using nlohmann::json;
using sellertest::Seller;

class TestIdempotencyTxn final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void failureBeforeCommitLeavesNothing();
    void failingHandlerReleasesTheKey();
    void keyUnderAnotherAccountConflicts();
};

namespace {

bool exec(Seller &s, const QString &sql)
{
    QSqlQuery q(s.context->database());
    return q.exec(sql);
}

} // namespace

void TestIdempotencyTxn::failureBeforeCommitLeavesNothing()
{
    Seller s;
    const json args = s.explicitBuyArgs();
    const auto before = s.allRows();
    // The handler's writes succeed; storing the completed record fails, as a crash at that point would.
    QVERIFY(
        exec(s, QStringLiteral("CREATE TRIGGER inject_failure BEFORE INSERT ON idempotency WHEN NEW.state = "
                               "'done' BEGIN SELECT RAISE(ABORT, 'injected'); END")));
    const auto failed = s.call("create_media_buy", args);
    QVERIFY(!failed.ok());
    QCOMPARE(sellertest::errorCode(failed), std::string("SERVICE_UNAVAILABLE"));
    QVERIFY(s.allRows() == before);
    QCOMPARE(s.rows(QStringLiteral("media_buys")), 0);

    QVERIFY(exec(s, QStringLiteral("DROP TRIGGER inject_failure")));
    const auto retried = s.call("create_media_buy", args);
    QVERIFY2(retried.ok(), retried.ok() ? "" : retried.error->message.c_str());
    QVERIFY(!retried.result.contains("replayed"));
    const auto replayed = s.call("create_media_buy", args);
    QVERIFY(replayed.ok());
    QCOMPARE(replayed.result.value("replayed", false), true);
    QVERIFY(replayed.result["media_buy_id"] == retried.result["media_buy_id"]);
    QCOMPARE(s.rows(QStringLiteral("media_buys")), 1);
    QCOMPARE(s.rows(QStringLiteral("idempotency")), 1);
}

void TestIdempotencyTxn::failingHandlerReleasesTheKey()
{
    Seller s;
    json args = s.explicitBuyArgs();
    args["packages"][0]["product_id"] = "no_such_product";
    const auto refused = s.call("create_media_buy", args);
    QVERIFY(!refused.ok());
    QCOMPARE(s.rows(QStringLiteral("idempotency")), 0);
    // The key is free: a corrected request under another key is not affected, and the same key may be reused
    // once the buyer fixes the request (only successes are replayed).
    args["packages"][0]["product_id"] = "news_run_of_site_display";
    const auto fixed = s.call("create_media_buy", args);
    QVERIFY2(fixed.ok(), fixed.ok() ? "" : fixed.error->message.c_str());
    QCOMPARE(s.rows(QStringLiteral("media_buys")), 1);
}

void TestIdempotencyTxn::keyUnderAnotherAccountConflicts()
{
    // Records are per principal: the same key for another account is another request, never a second run.
    Seller s;
    json first = s.explicitBuyArgs();
    json second = first;
    second["account"] = {{"account_id", "acc-2"}};
    QVERIFY(s.call("create_media_buy", first).ok());
    const auto other = s.call("create_media_buy", second);
    QCOMPARE(sellertest::errorCode(other), std::string("IDEMPOTENCY_CONFLICT"));
    QCOMPARE(s.rows(QStringLiteral("media_buys")), 1);
}

QTEST_GUILESS_MAIN(TestIdempotencyTxn)
#include "tst_idempotency_txn.moc"
