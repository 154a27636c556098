#include "execution.h"

#include "datasync/catalogavailability.h"
#include "datasync/catalogs.h"
#include "deadletters.h"
#include "delivery/deliverywebhooks.h"
#include "domain/acceptedorder.h"
#include "domain/catalog.h"
#include "domain/compactproposals.h"
#include "domain/pricing.h"
#include "jobqueue.h"
#include "monitoring/dependencyhealth.h"
#include "monitoring/lifecycle.h"
#include "sellercontext.h"
#include "storage/database.h"
#include "taskstore.h"
#include "webhooks/webhookoutbox.h"

#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QUuid>

#include <algorithm>
#include <cmath>
#include <set>

namespace adcp::seller {

using storage::execute;
using storage::qs;

namespace {

QString siblingPath(const QString &databasePath, const QString &suffix)
{
    const QFileInfo info(databasePath);
    return info.dir().filePath(info.completeBaseName() + suffix);
}

// Strings of `array[].key` (or of the array itself when key is empty).
std::vector<std::string> idsOf(const nlohmann::json &array, const char *key)
{
    std::vector<std::string> ids;
    if (!array.is_array())
        return ids;
    for (const auto &item : array) {
        if (key == nullptr && item.is_string())
            ids.push_back(item.get<std::string>());
        else if (key != nullptr && item.is_object() && item.contains(key) && item[key].is_string())
            ids.push_back(item[key].get<std::string>());
    }
    return ids;
}

// Whether the order's `account` (account_id, or brand + operator) is one the seller approves by hand.
bool accountNeedsApproval(const QStringList &accounts, const nlohmann::json &request)
{
    if (accounts.isEmpty() || !request.contains("account") || !request["account"].is_object())
        return false;
    const nlohmann::json &account = request["account"];
    QStringList keys;
    if (account.contains("account_id") && account["account_id"].is_string())
        keys << QString::fromStdString(account["account_id"].get<std::string>());
    const nlohmann::json brand = account.value("brand", nlohmann::json());
    if (brand.is_object() && brand.contains("domain") && brand["domain"].is_string() &&
        account.contains("operator") && account["operator"].is_string())
        keys << QString::fromStdString(brand["domain"].get<std::string>()).toLower() + QLatin1Char('/') +
                    QString::fromStdString(account["operator"].get<std::string>()).toLower();
    for (const QString &entry : accounts) {
        // account ids are the seller's opaque handles (exact); natural keys are domains (any case).
        const bool naturalKey = entry.contains(QLatin1Char('/'));
        if (keys.contains(naturalKey ? entry.trimmed().toLower() : entry.trimmed()))
            return true;
    }
    return false;
}

// The buyer's catalog item suppressions whose expires_at has come end, as if restored then (their holds
// lifted, the buys they impaired reconciled). The write lock is taken only when one is due.
void expireCatalogSuppressions(QSqlDatabase &db, const QDateTime &now, QString *error)
{
    if (!catalogavailability::anyDue(db, now))
        return;
    storage::WriteTransaction tx(db);
    if (tx.begin(error) && catalogavailability::expireDue(db, now, std::nullopt, error) >= 0)
        tx.commit(error);
}

} // namespace

bool Execution::requiresManualApproval(const SellerOptions &options, const AcceptedOrder &order)
{
    if (options.manualApproval || accountNeedsApproval(options.manualApprovalAccounts, order.request))
        return true;
    // A product's trafficking config can demand a human look at every order for it.
    return std::any_of(order.packages.begin(), order.packages.end(), [](const AcceptedPackage &p) {
        return p.implementationConfig.is_object() && p.implementationConfig.value("manual_approval", false);
    });
}

std::string Execution::routeProduct(const std::string &deliveryType,
                                    const nlohmann::json &implementationConfig)
{
    // The product's seller-side config names its ad server; anything not guaranteed trades on the exchange.
    if (implementationConfig.is_object() && implementationConfig.contains("ad_server") &&
        implementationConfig["ad_server"].is_string()) {
        const std::string server = implementationConfig["ad_server"].get<std::string>();
        if (server.find("guaranteed") != std::string::npos)
            return "guaranteed";
        if (server.find("exchange") != std::string::npos)
            return "exchange";
    }
    return deliveryType == "guaranteed" ? "guaranteed" : "exchange";
}

bool Execution::acceptOrder(QSqlDatabase &db, SellerContext &context, const AcceptedOrder &order,
                            QString *error)
{
    const QDateTime now = context.clock().now();
    const auto catalog = context.catalog();
    const nlohmann::json &request = order.request;
    const bool manual = order.taskId.has_value();
    const nlohmann::json pushConfig = request.value("push_notification_config", nlohmann::json());
    const nlohmann::json reportingWebhook = request.value("reporting_webhook", nlohmann::json());
    if (!storage::write(
            db,
            QStringLiteral(
                "INSERT INTO exec_buys (principal_id, media_buy_id, approval, paused, push_config, "
                "reporting_webhook, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
            {qs(order.principalId), qs(order.mediaBuyId),
             manual ? QStringLiteral("pending") : QStringLiteral("not_required"),
             request.value("paused", false) ? 1 : 0,
             pushConfig.is_null() ? QVariant() : storage::jsonText(pushConfig),
             reportingWebhook.is_null() ? QVariant() : storage::jsonText(reportingWebhook),
             storage::isoTimeMs(now)},
            error))
        return false;
    const nlohmann::json requestPackages = request.value("packages", nlohmann::json::array());
    for (size_t i = 0; i < order.packages.size(); ++i) {
        const AcceptedPackage &p = order.packages[i];
        const Product *product = catalog ? catalog->find(p.productId) : nullptr;
        const std::string adapter =
            routeProduct(product ? product->deliveryType : std::string(), p.implementationConfig);
        // The package bills in its option's model at the bid (auction) or the option's price.
        const nlohmann::json *option = product ? product->pricingOption(p.pricingOptionId) : nullptr;
        if (!option && product)
            option = &product->defaultPricingOption();
        const double rate = option ? unitPrice(*option, p.bidPrice) : p.bidPrice.value_or(0);
        const std::string pricingModel =
            option ? option->value("pricing_model", std::string("cpm")) : std::string("cpm");
        const nlohmann::json parameters =
            option && option->contains("parameters") ? option->at("parameters") : nlohmann::json();
        nlohmann::json requestPackage;
        if (i < requestPackages.size() &&
            requestPackages[i].value("product_id", std::string()) == p.productId)
            requestPackage = requestPackages[i];
        const std::string pacing = requestPackage.is_object() && requestPackage.contains("pacing")
                                       ? requestPackage["pacing"].get<std::string>()
                                       : request.value("pacing", std::string("even"));
        if (!storage::write(
                db,
                QStringLiteral("INSERT INTO exec_packages (principal_id, package_id, media_buy_id, adapter, "
                               "paused, pacing, rate, pricing_model, pricing_parameters) VALUES (?, ?, ?, ?, "
                               "?, ?, ?, ?, ?)"),
                {qs(order.principalId), qs(p.packageId), qs(order.mediaBuyId), qs(adapter),
                 requestPackage.is_object() && requestPackage.value("paused", false) ? 1 : 0, qs(pacing),
                 rate > 0 ? rate : 10.0, qs(pricingModel),
                 parameters.is_object() ? QVariant(storage::jsonText(parameters)) : QVariant()},
                error))
            return false;
        // What the package's serving depends on: the product's properties, the buyer's audiences, creatives.
        std::vector<std::pair<std::string, std::string>> deps;
        if (product && product->publicJson.contains("publisher_properties")) {
            for (const auto &domain : idsOf(product->publicJson["publisher_properties"], "publisher_domain"))
                deps.emplace_back("property", domain);
        }
        if (requestPackage.is_object()) {
            if (requestPackage.contains("targeting_overlay"))
                for (const auto &id :
                     idsOf(requestPackage["targeting_overlay"].value("audience_include", nlohmann::json()),
                           nullptr))
                    deps.emplace_back("audience", id);
            for (const auto &id :
                 idsOf(requestPackage.value("creative_assignments", nlohmann::json()), "creative_id"))
                deps.emplace_back("creative", id);
            // Inline creatives are uploaded with the order and reviewed like sync_creatives: approved on
            // arrival.
            for (const auto &creative : requestPackage.value("creatives", nlohmann::json::array())) {
                if (!creative.is_object() || !creative.contains("creative_id"))
                    continue;
                const std::string id = creative["creative_id"].get<std::string>();
                if (!DependencyHealth::resource(db, order.principalId, "creative", id)) {
                    DependencyHealth::Resource r{
                        "creative", id, "approved", {}, creative.value("name", std::string()), creative, now};
                    if (!DependencyHealth::upsertResource(db, order.principalId, r, now, error))
                        return false;
                }
                deps.emplace_back("creative", id);
            }
            for (const auto &id : catalogs::packageItemIds(
                     db, order.principalId, requestPackage.value("catalogs", nlohmann::json())))
                deps.emplace_back("catalog_item", id);
            // An event goal names its sources in `event_sources[]` (a goal-level event_source_id, which some
            // buyers send, is read too; duplicates are ignored by the dependency table).
            for (const auto &goal : requestPackage.value("optimization_goals", nlohmann::json::array())) {
                if (!goal.is_object())
                    continue;
                for (const auto &id : idsOf(goal.value("event_sources", nlohmann::json()), "event_source_id"))
                    deps.emplace_back("event_source", id);
                if (goal.contains("event_source_id") && goal["event_source_id"].is_string())
                    deps.emplace_back("event_source", goal["event_source_id"].get<std::string>());
            }
        }
        for (const auto &[type, id] : deps) {
            if (!DependencyHealth::addDependency(db, order.principalId, order.mediaBuyId, p.packageId, type,
                                                 id, now, error))
                return false;
        }
    }
    if (!storage::write(
            db,
            QStringLiteral("INSERT INTO exec_buy_history (principal_id, media_buy_id, at, from_status, "
                           "to_status, cause) SELECT principal_id, media_buy_id, ?, NULL, status, ? FROM "
                           "media_buys WHERE principal_id = ? AND media_buy_id = ?"),
            {storage::isoTimeMs(now),
             manual ? QStringLiteral("created; awaiting seller approval") : QStringLiteral("created"),
             qs(order.principalId), qs(order.mediaBuyId)},
            error))
        return false;
    if (manual) {
        return storage::write(
                   db,
                   QStringLiteral(
                       "UPDATE exec_buys SET task_id = ? WHERE principal_id = ? AND media_buy_id = ?"),
                   {qs(*order.taskId), qs(order.principalId), qs(order.mediaBuyId)}, error) &&
               TaskStore::create(db, order.principalId, *order.taskId, "create_media_buy", "submitted",
                                 order.mediaBuyId, request, nlohmann::json(), now, error);
    }
    return enqueueBooking(db, order.principalId, order.mediaBuyId, error);
}

bool Execution::enqueueBooking(QSqlDatabase &db, const std::string &principalId,
                               const std::string &mediaBuyId, QString *error)
{
    storage::Read q(
        db,
        QStringLiteral("SELECT x.package_id, x.adapter, p.product_id, p.pricing_option_id, p.budget, "
                       "b.currency, COALESCE(p.start_time, b.start_time), COALESCE(p.end_time, b.end_time), "
                       "p.implementation_config FROM exec_packages x JOIN packages p ON p.principal_id = "
                       "x.principal_id AND p.package_id = x.package_id JOIN media_buys b ON b.principal_id "
                       "= x.principal_id AND b.media_buy_id = x.media_buy_id WHERE x.principal_id = ? AND "
                       "x.media_buy_id = ? ORDER BY p.position"),
        {qs(principalId), qs(mediaBuyId)}, error);
    if (!q)
        return false;
    std::vector<Job> jobs;
    while (q.next()) {
        Job job;
        job.principalId = principalId;
        job.mediaBuyId = mediaBuyId;
        job.packageId = q.value(0).toString().toStdString();
        job.adapter = q.value(1).toString().toStdString();
        job.step = "book";
        job.payload = {{"product_id", q.value(2).toString().toStdString()},
                       {"pricing_option_id", q.value(3).toString().toStdString()},
                       {"budget", q.value(4).toDouble()},
                       {"currency", q.value(5).toString().toStdString()},
                       {"start_time", q.value(6).toString().toStdString()},
                       {"end_time", q.value(7).toString().toStdString()}};
        const nlohmann::json config = storage::fromText(q.value(8).toString());
        if (!config.is_null())
            job.payload["implementation_config"] = config;
        jobs.push_back(std::move(job));
    }
    q.finish();
    for (const auto &job : jobs) {
        if (!JobQueue::enqueue(db, job, error))
            return false;
    }
    return true;
}

std::shared_ptr<Execution> Execution::start(std::shared_ptr<SellerContext> context, ExecutionOptions options,
                                            QString *error)
{
    if (!context->migrate(error))
        return nullptr;
    std::shared_ptr<Execution> execution(new Execution());
    execution->m_context = context;
    execution->m_options = options;
    execution->m_generation = QStringLiteral("gen-") + QUuid::createUuid().toString(QUuid::Id128).left(12);
    const QString databasePath = context->options().databasePath;
    if (options.guaranteed.databasePath.isEmpty())
        options.guaranteed.databasePath = siblingPath(databasePath, QStringLiteral("-adservers.sqlite"));
    if (options.exchange.databasePath.isEmpty())
        options.exchange.databasePath = siblingPath(databasePath, QStringLiteral("-adservers.sqlite"));
    execution->m_guaranteed = std::make_unique<GuaranteedAdServer>(options.guaranteed);
    execution->m_exchange = std::make_unique<AuctionExchange>(options.exchange);

    QSqlDatabase db = context->database();
    execution->m_reclaimedAtStart = JobQueue::reclaimOrphans(db, execution->m_generation, error);
    if (execution->m_reclaimedAtStart < 0)
        return nullptr;

    std::weak_ptr<SellerContext> weak = context;
    context->setOrderAcceptedHook(
        [weak](QSqlDatabase &hookDb, const AcceptedOrder &order, QString *hookError) {
            const auto ctx = weak.lock();
            return ctx && acceptOrder(hookDb, *ctx, order, hookError);
        });

    if (options.sendWebhooks) {
        execution->m_sender = std::make_unique<WebhookSender>(context, options.webhooks);
        execution->m_sender->start();
    }
    for (int i = 0; i < std::max(1, options.workers); ++i)
        execution->m_threads.emplace_back([raw = execution.get(), i] { raw->workerLoop(i); });
    execution->m_threads.emplace_back([raw = execution.get()] { raw->tickerLoop(); });
    return execution;
}

Execution::~Execution()
{
    stop();
}

void Execution::stop()
{
    m_stopping = true;
    m_wake.notify_all();
    for (auto &thread : m_threads) {
        if (thread.joinable())
            thread.join();
    }
    m_threads.clear();
    if (m_sender)
        m_sender->stop();
}

void Execution::wake()
{
    m_wake.notify_all();
}

SimulatedAdServer *Execution::adapter(const std::string &name) const
{
    if (name == "guaranteed")
        return m_guaranteed.get();
    if (name == "exchange")
        return m_exchange.get();
    return nullptr;
}

void Execution::workerLoop(int index)
{
    const QString workerId = m_generation + QStringLiteral("/w%1").arg(index);
    QSqlDatabase db = m_context->database();
    while (!m_stopping) {
        QString error;
        const std::vector<Job> jobs = JobQueue::claim(db, workerId, 1, m_options.leaseMs, &error);
        if (jobs.empty()) {
            std::unique_lock lock(m_wakeMutex);
            m_wake.wait_for(lock, std::chrono::milliseconds(m_options.pollMs),
                            [this] { return m_stopping.load(); });
            continue;
        }
        for (const Job &job : jobs) {
            // The last net for a row that makes processing throw (its transaction has rolled back by now):
            // the job is set aside as a dead letter, and the worker thread, and so the process, goes on.
            try {
                runJob(db, workerId, job);
            } catch (const std::exception &e) {
                JobQueue::deadLetter(db, job, workerId, std::string("processing it failed: ") + e.what(),
                                     &error);
            }
        }
    }
}

void Execution::runJob(QSqlDatabase &db, const QString &workerId, const Job &job)
{
    SimulatedAdServer *server = adapter(job.adapter);
    // A row that cannot be run (unreadable payload, unknown ad server or step) is a dead letter: set aside
    // with its reason once, never retried, and the package records why it did not go live.
    std::string dead = job.invalid;
    if (dead.empty() && !server)
        dead = "no ad server named " + job.adapter;
    static const std::set<std::string> kSteps{"book", "approve", "pause", "resume", "cancel"};
    if (dead.empty() && !kSteps.count(job.step))
        dead = "unknown ad-server step " + job.step;
    AdapterResult result;
    if (dead.empty()) {
        result = server->execute({job.mediaBuyId, job.packageId, job.step, job.payload});
    } else {
        result.status = AdapterStatus::Failed;
        result.message = "the stored job cannot be run: " + dead;
    }
    // A stop request while the ad server was busy: the job stays claimed by this generation and the next
    // start reclaims it, exactly as after a crash.
    if (m_stopping && result.status != AdapterStatus::Done)
        return;

    QString error;
    storage::WriteTransaction tx(db);
    if (!tx.begin(&error))
        return;
    const QDateTime now = m_context->clock().now();
    bool ok = true;
    if (result.status == AdapterStatus::Done) {
        ok = JobQueue::complete(
            db, job, workerId,
            {{"external_id", result.externalId}, {"state", result.state}, {"replayed", result.replayed}},
            &error);
        const std::vector<std::string> steps = server->activationSteps();
        const auto position = std::find(steps.begin(), steps.end(), job.step);
        const bool activation = job.step == "book" || position != steps.end();
        QSqlQuery q(storage::connectionFor(db));
        ok = ok &&
             execute(
                 q,
                 QStringLiteral("UPDATE exec_packages SET external_id = COALESCE(NULLIF(?, ''), "
                                "external_id), adapter_state = ? WHERE principal_id = ? AND package_id = ?"),
                 {qs(result.externalId), qs(result.state), qs(job.principalId), qs(job.packageId)}, &error);
        if (ok && activation) {
            const auto next = job.step == "book" ? steps.begin() : position + 1;
            if (next != steps.end()) {
                Job follow = job;
                follow.step = *next;
                ok = JobQueue::enqueue(db, follow, &error);
            } else {
                ok = storage::write(
                    db,
                    QStringLiteral("UPDATE exec_packages SET live = 1 WHERE principal_id = ? AND package_id "
                                   "= ?"),
                    {qs(job.principalId), qs(job.packageId)}, &error);
            }
        }
    } else if (result.status == AdapterStatus::RetryLater && job.attempts < m_options.maxAttempts) {
        const double jitter = 0.75 + 0.5 * QRandomGenerator::global()->generateDouble();
        const double backoff = std::min(double(m_options.backoffCapMs),
                                        double(m_options.backoffBaseMs) * std::pow(2.0, job.attempts - 1));
        const double delay = result.retryAfterSeconds > 0 ? result.retryAfterSeconds * 1000.0 : backoff;
        ok = JobQueue::retry(db, job, workerId, QDateTime::currentMSecsSinceEpoch() + qint64(delay * jitter),
                             result.message, &error);
    } else {
        ok = dead.empty() ? JobQueue::fail(db, job, workerId, result.message, &error)
                          : JobQueue::deadLetter(db, job, workerId, dead, &error);
        QSqlQuery q(storage::connectionFor(db));
        const bool activation = job.step == "book" || job.step == "approve";
        if (ok && activation)
            ok = execute(
                q,
                QStringLiteral("UPDATE exec_packages SET failure = ? WHERE principal_id = ? AND package_id "
                               "= ?"),
                {qs(result.message.empty() ? std::string("ad server refused the order") : result.message),
                 qs(job.principalId), qs(job.packageId)},
                &error);
    }
    // A dead letter is set aside even when it names no buy that exists: otherwise it would be claimed again
    // on every poll.
    ok = ok && (MediaBuyLifecycle::refresh(db, job.principalId, job.mediaBuyId, now, &error).has_value() ||
                !dead.empty());
    if (ok)
        tx.commit(&error);
}

void Execution::tickerLoop()
{
    QSqlDatabase db = m_context->database();
    std::string lastFailure;
    // Each round moves the buys whose flight starts or ends since the last one (refreshCrossings). Beside
    // them it checks the next sweepSlice open buys in rowid order (refreshSlice), going round all of them
    // in turn, for whatever changed a buy without refreshing it (another process, a hand-edited file): every
    // round's work stays bounded however many buys the seller holds (one round reading them all took about
    // 0.1 s at 11k open buys, and held its read snapshot as long). The first round, and one after the seller
    // clock went back, check every open buy at once.
    QDateTime lastRound;
    qint64 sweepAfter = 0;
    while (!m_stopping) {
        QString error;
        const QDateTime now = m_context->clock().now();
        try {
            const bool whole = !lastRound.isValid() || now < lastRound;
            qint64 next = 0;
            const int moved = whole ? MediaBuyLifecycle::refreshAll(db, now, &error)
                                    : MediaBuyLifecycle::refreshCrossings(db, lastRound, now, &error);
            const int swept =
                whole ? 0
                      : MediaBuyLifecycle::refreshSlice(db, sweepAfter, std::max(1, m_options.sweepSlice),
                                                        now, &next, &error);
            // A failed round is tried again from the same point.
            if (moved >= 0 && swept >= 0) {
                sweepAfter = whole ? 0 : next;
                lastRound = now;
            }
            expireCatalogSuppressions(db, now, &error);
            DeliveryWebhooks::sendDue(db, now, &error);
            JobQueue::reclaimOrphans(db, m_generation, &error);
            lastFailure.clear();
        } catch (const std::exception &e) {
            // A stored row the ticker cannot read must not end the thread (and the process); logged once
            // per distinct failure, the next round tries again.
            if (lastFailure != e.what()) {
                lastFailure = e.what();
                qCWarning(lcDeadLetter, "the seller's status round failed: %s", e.what());
            }
        }
        std::unique_lock lock(m_wakeMutex);
        m_wake.wait_for(lock, std::chrono::milliseconds(m_options.tickMs),
                        [this] { return m_stopping.load(); });
    }
}

bool Execution::decide(QSqlDatabase &db, const std::string &principalId, const std::string &taskId,
                       bool approve, const std::string &reason, const QDateTime &now, QString *error)
{
    storage::Read q(
        db,
        QStringLiteral("SELECT b.media_buy_id, t.pending_json FROM exec_buys b LEFT JOIN exec_tasks t "
                       "ON t.principal_id = b.principal_id AND t.task_id = b.task_id WHERE "
                       "b.principal_id = ? AND b.task_id = ? AND b.approval = 'pending'"),
        {qs(principalId), qs(taskId)}, error);
    if (!q)
        return false;
    if (!q.next()) {
        if (error)
            *error = QStringLiteral("no media buy awaits approval under task %1").arg(qs(taskId));
        return false;
    }
    const std::string mediaBuyId = q.value(0).toString().toStdString();
    // What the task held for this moment (a direct buy's accepted terms), or null. A stored value that does
    // not parse is null too: the buy is approved as any other, without the snapshot.
    const bool held = !q.value(1).isNull();
    const nlohmann::json pending = held ? storage::fromText(q.value(1).toString()) : nlohmann::json();
    q.finish();
    if (held &&
        !storage::write(db,
                        QStringLiteral("UPDATE exec_tasks SET pending_json = NULL WHERE principal_id = ? AND "
                                       "task_id = ?"),
                        {qs(principalId), qs(taskId)}, error))
        return false;
    const std::string declineReason = reason.empty() ? std::string("declined by the seller") : reason;
    if (!storage::write(
            db,
            QStringLiteral("UPDATE exec_buys SET approval = ?, rejection_reason = ?, updated_at = ? WHERE "
                           "principal_id = ? AND media_buy_id = ?"),
            {approve ? QStringLiteral("approved") : QStringLiteral("rejected"),
             approve ? QVariant() : qs(declineReason), storage::isoTimeMs(now), qs(principalId),
             qs(mediaBuyId)},
            error))
        return false;
    if (approve) {
        if (!storage::write(
                db,
                QStringLiteral(
                    "UPDATE media_buys SET confirmed_at = ?, updated_at = ? WHERE principal_id = ? "
                    "AND media_buy_id = ?"),
                {storage::isoTimeMs(now), storage::isoTimeMs(now), qs(principalId), qs(mediaBuyId)}, error) ||
            !enqueueBooking(db, principalId, mediaBuyId, error))
            return false;
    }
    const auto status = MediaBuyLifecycle::refresh(db, principalId, mediaBuyId, now, error);
    if (!status)
        return false;
    if (!approve)
        return TaskStore::transition(
            db, principalId, taskId, "rejected", nlohmann::json(),
            {{"code", "TERMS_REJECTED"}, {"message", declineReason}, {"recovery", "correctable"}}, now,
            error);
    const auto buy = MediaBuyLifecycle::load(db, principalId, mediaBuyId);
    nlohmann::json result = {{"media_buy_id", mediaBuyId},
                             {"media_buy_status", *status},
                             {"revision", buy ? buy->revision : 1},
                             {"confirmed_at", storage::isoTimeMs(now).toStdString()},
                             {"currency", buy ? buy->currency : std::string()},
                             {"total_budget", buy ? buy->totalBudget : 0.0},
                             {"packages", buy ? MediaBuyLifecycle::packageBudgets(db, *buy)
                                              : nlohmann::json::array()},
                             {"available_actions", MediaBuyLifecycle::availableActions(*status)}};
    // A direct buy (buy_products) held its accepted terms with the task: kept now, in the approval's
    // transaction, and answered as buy_products answers a buy it commits at once.
    // Only a whole one is kept: a stored value missing a member (or of another type) approves the buy as any
    // other, without the snapshot, rather than failing the approval.
    const auto member = [&pending](const char *name, nlohmann::json::value_t type) {
        const auto it = pending.find(name);
        return it != pending.end() && it->type() == type;
    };
    if (pending.is_object() && member("commercial_terms", nlohmann::json::value_t::object) &&
        member("proposal_id", nlohmann::json::value_t::string) &&
        member("terms_digest", nlohmann::json::value_t::string)) {
        if (!CompactProposalStore::insert(db, principalId, compact::acceptedRecord(pending), now, error))
            return false;
        result = compact::commitmentResult(
            result, pending, pending["commercial_terms"].value("purchases", nlohmann::json::array()), now);
    }
    return TaskStore::transition(db, principalId, taskId, "completed", result, nlohmann::json(), now, error);
}

} // namespace adcp::seller
