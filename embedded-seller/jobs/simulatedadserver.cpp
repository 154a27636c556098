#include "simulatedadserver.h"

#include "storage/database.h"
#include "threadconnection.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>

#include <algorithm>
#include <stdexcept>

namespace adcp::seller {

std::string AdapterRequest::idempotencyKey() const
{
    // Length-prefixed so that ("a:b", "c") and ("a", "b:c") cannot collide.
    const std::string material = std::to_string(mediaBuyId.size()) + ':' + mediaBuyId + '|' +
                                 std::to_string(packageId.size()) + ':' + packageId + '|' + step;
    const QByteArray digest =
        QCryptographicHash::hash(QByteArray::fromStdString(material), QCryptographicHash::Sha256).toHex();
    return "adk_" + digest.left(40).toStdString();
}

namespace {

QString q(const std::string &text)
{
    return QString::fromStdString(text);
}

void execOrThrow(QSqlQuery &query)
{
    if (!query.exec())
        throw std::runtime_error(query.lastError().text().toStdString());
}

AdapterResult retryLater(int seconds, std::string message)
{
    AdapterResult result;
    result.status = AdapterStatus::RetryLater;
    result.retryAfterSeconds = seconds;
    result.message = std::move(message);
    return result;
}

} // namespace

SimulatedAdServer::SimulatedAdServer(SimulatedAdServerOptions options)
    : m_options(std::move(options)), m_random(m_options.seed)
{}

SimulatedAdServer::~SimulatedAdServer() = default;

QString SimulatedAdServer::table() const
{
    return q(name()) + QStringLiteral("_orders");
}

QSqlDatabase SimulatedAdServer::database() const
{
    QString error;
    QSqlDatabase db = threadConnection(m_options.databasePath, &error);
    if (!db.isOpen())
        throw std::runtime_error("ad server database: " + error.toStdString());
    std::call_once(m_schemaOnce, [this] { createSchema(); });
    return db;
}

void SimulatedAdServer::setFailureRate(double rate)
{
    std::lock_guard lock(m_randomMutex);
    m_options.failureRate = rate;
}

void SimulatedAdServer::setLatency(int latencyMs)
{
    std::lock_guard lock(m_randomMutex);
    m_options.latencyMs = std::max(0, latencyMs);
}

SimulatedAdServer::Fault SimulatedAdServer::drawFault()
{
    std::lock_guard lock(m_randomMutex);
    if (m_options.failureRate <= 0)
        return Fault::None;
    const double draw = std::uniform_real_distribution<double>(0.0, 1.0)(m_random);
    if (draw >= m_options.failureRate)
        return Fault::None;
    return draw < m_options.failureRate / 2 ? Fault::Before : Fault::After;
}

qint64 SimulatedAdServer::nowMs() const
{
    return m_options.clockMs ? m_options.clockMs() : QDateTime::currentMSecsSinceEpoch();
}

AdapterResult SimulatedAdServer::execute(const AdapterRequest &request)
{
    // Half the latency before the ad server acts and half for the answer to travel back: a caller that dies
    // in the second half has an order it never heard of, the case the idempotency key exists for.
    int latency = 0;
    {
        std::lock_guard lock(m_randomMutex);
        latency = m_options.latencyMs;
    }
    const unsigned long before = static_cast<unsigned long>(std::max(0, latency) / 2);
    const unsigned long after = static_cast<unsigned long>(std::max(0, latency)) - before;
    QThread::msleep(before);
    const Fault fault = drawFault();
    if (fault == Fault::Before)
        return retryLater(1, name() + ": timed out before the request was processed");
    AdapterResult result;
    try {
        result = perform(request);
    } catch (const std::exception &e) {
        return retryLater(1, name() + ": " + e.what());
    }
    QThread::msleep(after);
    // The write happened but the answer is lost: the caller must retry with the same key and must not get a
    // second order for it.
    if (fault == Fault::After && result.status == AdapterStatus::Done)
        return retryLater(1, name() + ": connection reset after the request was processed");
    return result;
}

AdapterResult SimulatedAdServer::book(const AdapterRequest &request, const std::string &initialState,
                                      qint64 readyAtMs)
{
    QSqlDatabase db = database();
    const QString key = q(request.idempotencyKey());
    QSqlQuery insert(storage::connectionFor(db));
    insert.prepare(
        QStringLiteral("INSERT OR IGNORE INTO ") + table() +
        QStringLiteral(" (idempotency_key, external_id, media_buy_id, package_id, state, ready_at_ms,"
                       " book_requests, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)"));
    const QString prefix = name() == "guaranteed" ? QStringLiteral("li_") : QStringLiteral("deal_");
    insert.addBindValue(key);
    insert.addBindValue(QString(prefix + QUuid::createUuid().toString(QUuid::Id128).left(16)));
    insert.addBindValue(q(request.mediaBuyId));
    insert.addBindValue(q(request.packageId));
    insert.addBindValue(q(initialState));
    insert.addBindValue(readyAtMs);
    insert.addBindValue(q(request.payload.dump()));
    insert.addBindValue(storage::isoTimeMs(QDateTime::currentDateTimeUtc()));
    execOrThrow(insert);
    const bool created = insert.numRowsAffected() == 1;
    if (!created) {
        QSqlQuery bump(storage::connectionFor(db));
        bump.prepare(QStringLiteral("UPDATE ") + table() +
                     QStringLiteral(" SET book_requests = book_requests + 1 WHERE idempotency_key = ?"));
        bump.addBindValue(key);
        execOrThrow(bump);
    }
    QSqlQuery select(storage::connectionFor(db));
    select.prepare(QStringLiteral("SELECT external_id, state FROM ") + table() +
                   QStringLiteral(" WHERE idempotency_key = ?"));
    select.addBindValue(key);
    execOrThrow(select);
    if (!select.next())
        throw std::runtime_error("booked order vanished");
    AdapterResult result;
    result.status = AdapterStatus::Done;
    result.externalId = select.value(0).toString().toStdString();
    result.state = select.value(1).toString().toStdString();
    result.replayed = !created;
    result.message = created ? "created" : "already booked under this key";
    return result;
}

AdapterResult SimulatedAdServer::setState(const AdapterRequest &request, const std::string &state)
{
    QSqlDatabase db = database();
    QSqlQuery update(storage::connectionFor(db));
    update.prepare(QStringLiteral("UPDATE ") + table() +
                   QStringLiteral(" SET state = ? WHERE media_buy_id = ? AND package_id = ?"));
    update.addBindValue(q(state));
    update.addBindValue(q(request.mediaBuyId));
    update.addBindValue(q(request.packageId));
    execOrThrow(update);
    AdapterResult result;
    if (update.numRowsAffected() == 0) {
        result.status = AdapterStatus::Failed;
        result.message = name() + ": no order booked for package " + request.packageId;
        return result;
    }
    result.status = AdapterStatus::Done;
    result.state = state;
    return result;
}

AdServerCounts SimulatedAdServer::counts() const
{
    QSqlDatabase db = database();
    QSqlQuery query(storage::connectionFor(db));
    query.prepare(QStringLiteral("SELECT COUNT(*), COALESCE(SUM(book_requests), 0) FROM ") + table());
    execOrThrow(query);
    AdServerCounts counts;
    if (query.next()) {
        counts.orders = query.value(0).toLongLong();
        counts.bookRequests = query.value(1).toLongLong();
        counts.replayedBooks = counts.bookRequests - counts.orders;
    }
    return counts;
}

std::string SimulatedAdServer::orderState(const std::string &mediaBuyId, const std::string &packageId) const
{
    QSqlDatabase db = database();
    QSqlQuery query(storage::connectionFor(db));
    query.prepare(QStringLiteral("SELECT state FROM ") + table() +
                  QStringLiteral(" WHERE media_buy_id = ? AND package_id = ?"));
    query.addBindValue(q(mediaBuyId));
    query.addBindValue(q(packageId));
    execOrThrow(query);
    return query.next() ? query.value(0).toString().toStdString() : std::string();
}

namespace {

void createOrdersTable(const QSqlDatabase &db, const QString &table)
{
    QSqlQuery query(storage::connectionFor(db));
    // UNIQUE (media_buy_id, package_id) is the ad server's own guard: one order per package, whatever the
    // key.
    query.prepare(QStringLiteral("CREATE TABLE IF NOT EXISTS ") + table +
                  QStringLiteral(" (idempotency_key TEXT PRIMARY KEY, external_id TEXT NOT NULL UNIQUE,"
                                 " media_buy_id TEXT NOT NULL, package_id TEXT NOT NULL, state TEXT NOT NULL,"
                                 " ready_at_ms INTEGER NOT NULL, book_requests INTEGER NOT NULL,"
                                 " payload TEXT NOT NULL, created_at TEXT NOT NULL,"
                                 " UNIQUE (media_buy_id, package_id))"));
    execOrThrow(query);
}

} // namespace

GuaranteedAdServer::GuaranteedAdServer(SimulatedAdServerOptions options)
    : SimulatedAdServer(std::move(options))
{}

void GuaranteedAdServer::createSchema() const
{
    const QSqlDatabase db = threadConnection(options().databasePath);
    createOrdersTable(db, table());
    QSqlQuery query(storage::connectionFor(db));
    query.prepare(
        QStringLiteral("CREATE TABLE IF NOT EXISTS guaranteed_campaigns (media_buy_id TEXT PRIMARY KEY,"
                       " external_id TEXT NOT NULL, created_at TEXT NOT NULL)"));
    execOrThrow(query);
}

AdapterResult GuaranteedAdServer::perform(const AdapterRequest &request)
{
    if (request.step == "book") {
        // The campaign-level order groups the buy's line items; creating it twice is harmless by key.
        QSqlQuery order(database());
        order.prepare(QStringLiteral("INSERT OR IGNORE INTO guaranteed_campaigns (media_buy_id, external_id,"
                                     " created_at) VALUES (?, ?, ?)"));
        order.addBindValue(q(request.mediaBuyId));
        order.addBindValue(
            QString(QStringLiteral("ord_") + QUuid::createUuid().toString(QUuid::Id128).left(16)));
        order.addBindValue(storage::isoTimeMs(QDateTime::currentDateTimeUtc()));
        execOrThrow(order);
        return book(request, "pending_approval", nowMs() + options().approvalDelayMs);
    }
    if (request.step == "approve") {
        QSqlQuery query(database());
        query.prepare(QStringLiteral("SELECT state, ready_at_ms, external_id FROM ") + table() +
                      QStringLiteral(" WHERE media_buy_id = ? AND package_id = ?"));
        query.addBindValue(q(request.mediaBuyId));
        query.addBindValue(q(request.packageId));
        execOrThrow(query);
        if (!query.next()) {
            AdapterResult result;
            result.message = "guaranteed: no line item for package " + request.packageId;
            return result;
        }
        const std::string state = query.value(0).toString().toStdString();
        const qint64 waitMs = query.value(1).toLongLong() - nowMs();
        if (state == "pending_approval" && waitMs > 0)
            return retryLater(static_cast<int>((waitMs + 999) / 1000),
                              "guaranteed: line item awaits trafficker approval");
        AdapterResult result = state == "pending_approval" ? setState(request, "ready") : AdapterResult{};
        if (state != "pending_approval") {
            result.status = AdapterStatus::Done;
            result.state = state;
        }
        result.externalId = query.value(2).toString().toStdString();
        return result;
    }
    if (request.step == "pause")
        return setState(request, "paused");
    if (request.step == "resume")
        return setState(request, "ready");
    if (request.step == "cancel")
        return setState(request, "canceled");
    AdapterResult result;
    result.message = "guaranteed: unknown step " + request.step;
    return result;
}

AuctionExchange::AuctionExchange(SimulatedAdServerOptions options) : SimulatedAdServer(std::move(options)) {}

void AuctionExchange::createSchema() const
{
    createOrdersTable(threadConnection(options().databasePath), table());
}

AdapterResult AuctionExchange::perform(const AdapterRequest &request)
{
    if (request.step == "book")
        return book(request, "active", 0);
    if (request.step == "pause")
        return setState(request, "paused");
    if (request.step == "resume")
        return setState(request, "active");
    if (request.step == "cancel")
        return setState(request, "canceled");
    AdapterResult result;
    result.message = "exchange: unknown step " + request.step;
    return result;
}

} // namespace adcp::seller
