#include "sellercontext.h"

#include "domain/catalog.h"
#include "domain/productconfigstore.h"
#include "idempotency/idempotencystore.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "webhooks/webhookoutbox.h"

#include <QElapsedTimer>
#include <QSqlDatabase>
#include <QtGlobal>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>

namespace adcp::seller {

const std::vector<std::pair<std::string, std::string>> &brokenRuleNames()
{
    static const std::vector<std::pair<std::string, std::string>> names{
        {"accept-stale-version",
         "create_media_buy takes a stale proposal_version instead of answering CONFLICT"},
        {"drop-decline-echo", "a decline acknowledgement omits the proposal_version it declined"},
        {"leak-foreign-buy", "get_media_buys lists another principal's buy when asked for its id"},
        {"hide-impairments",
         "get_media_buys shows every buy healthy with no impairments, whatever its creatives"},
    };
    return names;
}

// ---- clock
// ---------------------------------------------------------------------------------------------------

struct SellerClock::State
{
    mutable std::mutex mutex;
    QDateTime anchorReal = QDateTime::currentDateTimeUtc();
    QDateTime anchorSeller = anchorReal;
    double rate = 1.0;
};

SellerClock::SellerClock() : d(std::make_shared<State>()) {}

QDateTime SellerClock::now() const
{
    std::lock_guard lock(d->mutex);
    const qint64 realMs = d->anchorReal.msecsTo(QDateTime::currentDateTimeUtc());
    return d->anchorSeller.addMSecs(static_cast<qint64>(static_cast<double>(realMs) * d->rate));
}

void SellerClock::setRate(double rate)
{
    const QDateTime current = now();
    std::lock_guard lock(d->mutex);
    d->anchorReal = QDateTime::currentDateTimeUtc();
    d->anchorSeller = current;
    d->rate = rate > 0 ? rate : 1.0;
}

double SellerClock::rate() const
{
    std::lock_guard lock(d->mutex);
    return d->rate;
}

void SellerClock::advance(qint64 seconds)
{
    std::lock_guard lock(d->mutex);
    d->anchorSeller = d->anchorSeller.addSecs(seconds);
}

// ---- per-thread connections
// ------------------------------------------------------------------------------------

namespace {

std::atomic<quint64> g_nextContextSerial{1};
std::atomic<quint64> g_nextThreadSerial{1};

// Connections still open, per context serial. A connection is removed exactly once: by its thread when the
// thread ends, or by the context when it is destroyed first; both sides hold this mutex.
std::mutex g_connectionsMutex;
std::map<quint64, std::set<QString>> &liveConnections()
{
    static std::map<quint64, std::set<QString>> live;
    return live;
}

struct ThreadConnections
{
    quint64 threadSerial = g_nextThreadSerial.fetch_add(1);
    std::map<quint64, QString> names; // context serial → connection name

    ~ThreadConnections()
    {
        std::lock_guard lock(g_connectionsMutex);
        auto &live = liveConnections();
        for (const auto &[contextSerial, name] : names) {
            const auto it = live.find(contextSerial);
            if (it != live.end() && it->second.erase(name) > 0) {
                storage::forgetStatements(name);
                QSqlDatabase::removeDatabase(name);
            }
        }
    }
};

thread_local ThreadConnections t_connections;

} // namespace

// ---- context
// ---------------------------------------------------------------------------------------------------

struct SellerContext::Private
{
    quint64 serial = g_nextContextSerial.fetch_add(1);
    mutable std::mutex mutex;
    SellerOptions options;
    SellerClock clock;
    std::shared_ptr<const SchemaRegistry> schemas;
    std::shared_ptr<const Catalog> catalog;
    std::shared_ptr<ProductConfigStore> configStore;
    OrderAcceptedHook orderAcceptedHook;
    InFlightKeys inFlightKeys;
    std::unique_ptr<storage::WriterConnection> writer; // every write transaction's connection (storage.h)
};

SellerContext::SellerContext() : d(std::make_unique<Private>()) {}

SellerContext::~SellerContext()
{
    std::lock_guard lock(g_connectionsMutex);
    auto &live = liveConnections();
    const auto it = live.find(d->serial);
    if (it == live.end())
        return;
    for (const auto &name : it->second) {
        storage::forgetStatements(name);
        QSqlDatabase::removeDatabase(name);
    }
    live.erase(it);
}

std::shared_ptr<SellerContext> SellerContext::open(const SellerOptions &options, QString *error)
{
    if (options.databasePath.isEmpty() || options.databasePath == QLatin1String(":memory:")) {
        if (error)
            *error = QStringLiteral("the seller needs a database file (one file shared by all threads)");
        return nullptr;
    }
    std::shared_ptr<SellerContext> context(new SellerContext());
    context->d->options = options;
    context->d->clock.setRate(options.clockRate);
    WebhookOutbox::setCoalescenceWindows(options.databasePath, options.webhookCoalescenceMs);
    if (options.schemaDirectory.isEmpty()) {
        context->d->schemas = SchemaRegistry::bundled();
    } else {
        auto registry = std::make_shared<SchemaRegistry>();
        QString loadError;
        if (!registry->loadDirectory(options.schemaDirectory, &loadError)) {
            if (error)
                *error = loadError;
            return nullptr;
        }
        context->d->schemas = registry;
    }

    QSqlDatabase db = context->database();
    if (!db.isOpen()) {
        if (error)
            *error = QStringLiteral("cannot open ") + options.databasePath;
        return nullptr;
    }
    QString stepError;
    if (!storage::runMigrations(db, &stepError) ||
        !Catalog::seedIfEmpty(db, QString(), context->clock().now().toString(Qt::ISODate), &stepError) ||
        !Catalog::seedComplianceFixtures(db, QString(), context->clock().now().toString(Qt::ISODate),
                                         &stepError) ||
        !context->reloadCatalog(&stepError) ||
        !(context->d->writer = storage::WriterConnection::open(options.databasePath, &stepError))) {
        if (error)
            *error = stepError;
        return nullptr;
    }
    SellerContext *raw = context.get();
    context->d->configStore =
        std::make_shared<DatabaseProductConfigStore>([raw] { return raw->connectionName(); });
    return context;
}

SellerOptions SellerContext::options() const
{
    std::lock_guard lock(d->mutex);
    return d->options;
}

void SellerContext::setOptions(const SellerOptions &options)
{
    double rate = 0;
    {
        std::lock_guard lock(d->mutex);
        const QString path = d->options.databasePath;
        const QString schemaDirectory = d->options.schemaDirectory;
        if (d->options.clockRate != options.clockRate)
            rate = options.clockRate;
        d->options = options;
        d->options.databasePath = path;
        d->options.schemaDirectory = schemaDirectory;
        WebhookOutbox::setCoalescenceWindows(path, d->options.webhookCoalescenceMs);
    }
    if (rate > 0)
        d->clock.setRate(rate);
}

void SellerContext::setAutoCommitOnIssue(bool on)
{
    std::lock_guard lock(d->mutex);
    d->options.autoCommitOnIssue = on;
}

void SellerContext::setHoldSeconds(int seconds)
{
    std::lock_guard lock(d->mutex);
    d->options.holdSeconds = qMax(1, seconds);
}

void SellerContext::setRequireProposalVersion(bool on)
{
    std::lock_guard lock(d->mutex);
    d->options.requireProposalVersion = on;
}

void SellerContext::setWebhookCoalescenceWindow(const std::string &eventType, qint64 ms)
{
    std::lock_guard lock(d->mutex);
    d->options.webhookCoalescenceMs[eventType] = std::max<qint64>(0, ms);
    WebhookOutbox::setCoalescenceWindows(d->options.databasePath, d->options.webhookCoalescenceMs);
}

void SellerContext::setManualApproval(bool on)
{
    std::lock_guard lock(d->mutex);
    d->options.manualApproval = on;
}

void SellerContext::setManualApprovalAccounts(const QStringList &accounts)
{
    std::lock_guard lock(d->mutex);
    d->options.manualApprovalAccounts = accounts;
}

SellerClock &SellerContext::clock()
{
    return d->clock;
}

const SchemaRegistry &SellerContext::schemas() const
{
    return *d->schemas;
}

QString SellerContext::connectionName() const
{
    auto &mine = t_connections;
    const auto found = mine.names.find(d->serial);
    if (found != mine.names.end())
        return found->second;
    const QString name = QStringLiteral("adcp-seller-%1-%2").arg(d->serial).arg(mine.threadSerial);
    QString error;
    if (!storage::openSqliteConnection(name, options().databasePath, &error))
        qWarning("seller database: %s", qPrintable(error));
    {
        std::lock_guard lock(g_connectionsMutex);
        liveConnections()[d->serial].insert(name);
    }
    mine.names.emplace(d->serial, name);
    return name;
}

QSqlDatabase SellerContext::database() const
{
    return QSqlDatabase::database(connectionName());
}

std::shared_ptr<const Catalog> SellerContext::catalog() const
{
    std::lock_guard lock(d->mutex);
    return d->catalog;
}

bool SellerContext::reloadCatalog(QString *error)
{
    QSqlDatabase db = database();
    auto loaded = Catalog::load(db, error);
    if (!loaded)
        return false;
    std::lock_guard lock(d->mutex);
    d->catalog = std::move(loaded);
    return true;
}

std::shared_ptr<ProductConfigStore> SellerContext::productConfigStore() const
{
    std::lock_guard lock(d->mutex);
    return d->configStore;
}

void SellerContext::setProductConfigStore(std::shared_ptr<ProductConfigStore> store)
{
    std::lock_guard lock(d->mutex);
    d->configStore = std::move(store);
}

void SellerContext::setOrderAcceptedHook(OrderAcceptedHook hook)
{
    std::lock_guard lock(d->mutex);
    d->orderAcceptedHook = std::move(hook);
}

InFlightKeys &SellerContext::inFlightKeys()
{
    return d->inFlightKeys;
}

bool SellerContext::runOrderAcceptedHook(QSqlDatabase &db, const AcceptedOrder &order, QString *error) const
{
    OrderAcceptedHook hook;
    {
        std::lock_guard lock(d->mutex);
        hook = d->orderAcceptedHook;
    }
    if (!hook)
        return true;
    QSqlDatabase transactionDb = storage::connectionFor(db);
    return hook(transactionDb, order, error);
}

bool SellerContext::migrate(QString *error)
{
    QSqlDatabase db = database();
    return storage::runMigrations(db, error);
}

} // namespace adcp::seller
