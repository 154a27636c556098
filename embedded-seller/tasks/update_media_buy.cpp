#include "taskcontext.h"

#include "datasync/audiences.h"
#include "datasync/catalogs.h"
#include "delivery/deliveryreport.h"
#include "delivery/deliverysimulator.h"

#include "domain/pricing.h"
#include "jobs/jobqueue.h"
#include "jobs/taskstore.h"
#include "monitoring/dependencyhealth.h"
#include "monitoring/lifecycle.h"
#include "storage/database.h"

#include <QSqlQuery>
#include <QStringList>

#include <map>
#include <set>

namespace adcp::seller {

using nlohmann::json;
using storage::execute;
using storage::qs;

namespace {

std::optional<double> moneyAmount(const json &value)
{
    if (value.is_number())
        return value.get<double>();
    if (value.is_object() && value.contains("amount") && value["amount"].is_number())
        return value["amount"].get<double>();
    return std::nullopt;
}

// Unknown and foreign ids get the same answer, byte for byte, with no id in it.
adcp::ToolOutcome mediaBuyNotFound()
{
    return failure("MEDIA_BUY_NOT_FOUND", "no such media buy for this account", "media_buy_id",
                   "list your buys with get_media_buys");
}

adcp::ToolOutcome notAllowed(const std::string &action, const std::string &status, const char *field)
{
    auto outcome = failure("ACTION_NOT_ALLOWED", "cannot " + action + " a media buy that is " + status, field,
                           "read available_actions on the buy (get_media_buys) before changing it");
    json details = {{"attempted_action", action},
                    {"reason", "wrong_status"},
                    {"currently_available_actions", json::array()}};
    for (const auto &a : MediaBuyLifecycle::availableActions(status))
        details["currently_available_actions"].push_back(a["action"]);
    outcome.error->details = details;
    outcome.result["errors"][0]["details"] = details;
    return outcome;
}

// The ad-server side of a buyer's control change, one job per affected package (after its earlier jobs).
bool enqueueControl(QSqlDatabase &db, const BuyExecution &buy, const PackageExecution &p,
                    const std::string &step, QString *error)
{
    Job job;
    job.principalId = buy.principalId;
    job.mediaBuyId = buy.mediaBuyId;
    job.packageId = p.packageId;
    job.adapter = p.adapter.empty() ? std::string("exchange") : p.adapter;
    job.step = step;
    job.payload = json::object();
    return JobQueue::enqueue(db, job, error);
}

} // namespace

adcp::ToolOutcome updateMediaBuy(TaskContext &task, const json &args)
{
    const std::string mediaBuyId = args.value("media_buy_id", std::string());
    QString error;
    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error))
        return failure("SERVICE_UNAVAILABLE", "the seller database is busy: " + error.toStdString(),
                       std::nullopt, "retry the same request");
    // Clock-driven transitions first, so the checks below see the status the buyer would read now.
    if (!MediaBuyLifecycle::refresh(task.db, task.principal.id, mediaBuyId, task.now, &error))
        return mediaBuyNotFound();
    auto buy = MediaBuyLifecycle::load(task.db, task.principal.id, mediaBuyId);
    if (!buy)
        return mediaBuyNotFound();
    const qint64 revision = std::max<qint64>(1, buy->revision);
    if (args.contains("revision") && args["revision"].get<qint64>() != revision) {
        auto outcome = failure("CONFLICT",
                               "revision " + std::to_string(args["revision"].get<qint64>()) +
                                   " is stale; the buy is at revision " + std::to_string(revision),
                               "revision", "re-read the buy with get_media_buys and retry with its revision");
        outcome.error->details = {{"current_revision", revision}};
        return outcome;
    }

    const auto packages = MediaBuyLifecycle::packages(task.db, *buy);
    json affected = json::array();
    std::vector<std::string> changes;
    const auto touch = [&](const PackageExecution &p) {
        for (const auto &a : affected) {
            if (a["package_id"] == p.packageId)
                return;
        }
        affected.push_back({{"package_id", p.packageId}, {"product_id", p.productId}});
    };
    const auto sql = [&](const QString &statement, std::initializer_list<QVariant> bindings) {
        QSqlQuery q(storage::connectionFor(task.db));
        return execute(q, statement, bindings, &error);
    };
    const auto dbFailure = [&] {
        return failure("SERVICE_UNAVAILABLE", "the change could not be stored: " + error.toStdString(),
                       std::nullopt, "retry the same request");
    };
    // A package member whose value names what the package depends on (targeting_overlay: audiences; catalogs:
    // catalog items): the stored package gets `value` as a whole, and its dependencies of `resourceType`
    // become exactly `next`. What it depends on now is read, not derived from the stored value: the package
    // may predate the dependency. False with `error` set on a failed statement.
    const auto replacePackageMember = [&](const std::string &packageId, const char *member, const json &value,
                                          const char *resourceType, const std::vector<std::string> &next) {
        json stored;
        {
            storage::Read read(task.db,
                               QStringLiteral("SELECT package_json FROM packages WHERE principal_id = ? AND "
                                              "package_id = ?"),
                               {qs(buy->principalId), qs(packageId)}, &error);
            if (!read || !read.next())
                return false;
            stored = storage::fromText(read.value(0).toString());
        }
        if (!stored.is_object())
            stored = json::object();
        std::vector<std::string> current;
        {
            storage::Read deps(
                task.db,
                QStringLiteral("SELECT resource_id FROM mon_dependencies WHERE principal_id = ? "
                               "AND package_id = ? AND resource_type = ?"),
                {qs(buy->principalId), qs(packageId), QString::fromLatin1(resourceType)}, &error);
            if (!deps)
                return false;
            while (deps.next())
                current.push_back(deps.value(0).toString().toStdString());
        }
        if (!DependencyHealth::replaceDependencies(task.db, task.principal.id, mediaBuyId, packageId,
                                                   resourceType, current, next, task.now, &error))
            return false;
        stored[member] = value;
        return sql(
            QStringLiteral("UPDATE packages SET package_json = ?, updated_at = ? WHERE principal_id = ? "
                           "AND package_id = ?"),
            {storage::toText(stored), storage::isoTime(task.now), qs(buy->principalId), qs(packageId)});
    };

    // Root cancel overrides everything else in the request.
    if (args.value("canceled", false)) {
        if (isTerminalStatus(buy->status))
            return failure("NOT_CANCELLABLE", "the media buy is already " + buy->status, "canceled",
                           "nothing to cancel; read the buy's status with get_media_buys");
        const std::string reason = args.value("cancellation_reason", std::string());
        if (!sql(QStringLiteral(
                     "INSERT INTO exec_buys (principal_id, media_buy_id, approval, updated_at) VALUES (?, ?, "
                     "'not_required', ?) ON CONFLICT (principal_id, media_buy_id) DO NOTHING"),
                 {qs(buy->principalId), qs(buy->mediaBuyId), storage::isoTime(task.now)}) ||
            !sql(QStringLiteral(
                     "UPDATE exec_buys SET canceled_at = ?, canceled_by = 'buyer', cancellation_reason = ?, "
                     "updated_at = ? WHERE principal_id = ? AND media_buy_id = ?"),
                 {storage::isoTime(task.now), reason.empty() ? QVariant() : qs(reason),
                  storage::isoTime(task.now), qs(buy->principalId), qs(buy->mediaBuyId)}))
            return dbFailure();
        for (const auto &p : packages) {
            if (!enqueueControl(task.db, *buy, p, "cancel", &error))
                return dbFailure();
            touch(p);
        }
        if (!MediaBuyLifecycle::setStatus(task.db, *buy, "canceled", "canceled by the buyer", task.now,
                                          &error))
            return dbFailure();
        changes.push_back("canceled");
    } else {
        const bool wantsChange = args.contains("paused") || args.contains("start_time") ||
                                 args.contains("end_time") || args.contains("total_budget") ||
                                 args.contains("packages") || args.contains("name") ||
                                 args.contains("new_packages") || args.contains("push_notification_config") ||
                                 args.contains("reporting_webhook") || args.contains("pacing");
        if (isTerminalStatus(buy->status) && wantsChange)
            return failure("INVALID_STATE", "the media buy is " + buy->status + " and can no longer change",
                           std::nullopt, "create a new media buy");
        if (args.contains("new_packages"))
            return failure("UNSUPPORTED_FEATURE",
                           "adding packages to a running buy is not supported by this seller", "new_packages",
                           "create a separate media buy for the new packages");

        std::string nextStatus = buy->status;
        const bool pending = buy->status == "pending_creatives" || buy->status == "pending_start";
        // Stores the pause flag and queues the ad-server pause or resume of every package still running.
        const auto storePause = [&](bool pause) {
            if (!sql(QStringLiteral(
                         "UPDATE exec_buys SET paused = ?, updated_at = ? WHERE principal_id = ? AND "
                         "media_buy_id = ?"),
                     {pause ? 1 : 0, storage::isoTime(task.now), qs(buy->principalId), qs(buy->mediaBuyId)}))
                return false;
            for (const auto &p : packages) {
                if (p.canceled)
                    continue;
                if (!enqueueControl(task.db, *buy, p, pause ? "pause" : "resume", &error))
                    return false;
                touch(p);
            }
            return true;
        };
        if (args.contains("paused") && pending) {
            // Before delivery a pause is a hold (lifecycle.mdx): the status stays pending, and the buy enters
            // paused instead of active once creatives and the flight start allow; paused: false clears it.
            const bool pause = args["paused"].get<bool>();
            if (pause != buy->paused) {
                if (!sql(QStringLiteral(
                             "INSERT INTO exec_buys (principal_id, media_buy_id, approval, updated_at) "
                             "VALUES (?, "
                             "?, 'not_required', ?) ON CONFLICT (principal_id, media_buy_id) DO NOTHING"),
                         {qs(buy->principalId), qs(buy->mediaBuyId), storage::isoTime(task.now)}) ||
                    !storePause(pause))
                    return dbFailure();
                changes.push_back(pause ? "hold_set" : "hold_cleared");
            }
        } else if (args.contains("paused")) {
            const bool pause = args["paused"].get<bool>();
            if (pause && buy->status != "active" && buy->status != "paused")
                return notAllowed("pause", buy->status, "paused");
            if (!pause && buy->status != "paused" && buy->status != "active")
                return notAllowed("resume", buy->status, "paused");
            if (pause != (buy->status == "paused")) {
                if (!storePause(pause))
                    return dbFailure();
                nextStatus = pause ? "paused" : "active";
                changes.push_back(pause ? "paused" : "resumed");
            }
        }

        QDateTime start = buy->start;
        QDateTime end = buy->end;
        if (args.contains("start_time")) {
            if (buy->status != "pending_creatives" && buy->status != "pending_start")
                return notAllowed("update_flight_dates", buy->status, "start_time");
            const std::string text = args["start_time"].get<std::string>();
            start = text == "asap" ? task.now
                                   : QDateTime::fromString(QString::fromStdString(text), Qt::ISODateWithMs);
            if (!start.isValid() || start < task.now.addSecs(-60))
                return failure("INVALID_REQUEST", "start_time must be asap or a future date-time",
                               "start_time");
        }
        if (args.contains("end_time")) {
            end = QDateTime::fromString(QString::fromStdString(args["end_time"].get<std::string>()),
                                        Qt::ISODateWithMs);
            if (!end.isValid() || end <= task.now)
                return failure("INVALID_REQUEST", "end_time must be a date-time in the future", "end_time",
                               "to stop the buy now, cancel it");
        }
        if (end <= start)
            return failure("INVALID_REQUEST", "end_time must be after start_time",
                           args.contains("end_time") ? "end_time" : "start_time");
        if (args.contains("start_time") || args.contains("end_time")) {
            if (!sql(QStringLiteral(
                         "UPDATE media_buys SET start_time = ?, end_time = ? WHERE principal_id = ? AND "
                         "media_buy_id = ?"),
                     {storage::isoTime(start), storage::isoTime(end), qs(buy->principalId),
                      qs(buy->mediaBuyId)}))
                return dbFailure();
            changes.push_back("updated_dates");
        }

        // A budget below what `what` has already spent: refused, with the least budget that is not.
        const auto belowSpend = [&buy](const std::string &what, qint64 spentMinor, const std::string &field) {
            const std::string spent = amountText(static_cast<double>(spentMinor) / 100.0, buy->currency);
            return failure("BUDGET_TOO_LOW", what + " has already spent " + spent, field,
                           std::string(field == "total_budget" ? "set a total_budget" : "set a budget") +
                               " of at least " + spent);
        };
        double packageBudgetTotal = 0;
        for (const auto &p : packages)
            packageBudgetTotal += p.canceled ? 0 : p.budget;
        if (args.contains("packages")) {
            const json &updates = args["packages"];
            for (size_t i = 0; i < updates.size(); ++i) {
                const json &u = updates[i];
                const std::string field = "packages[" + std::to_string(i) + "]";
                const std::string packageId = u.value("package_id", std::string());
                const auto found =
                    std::find_if(packages.begin(), packages.end(),
                                 [&](const PackageExecution &p) { return p.packageId == packageId; });
                if (found == packages.end())
                    return failure("PACKAGE_NOT_FOUND",
                                   "no package " + packageId + " in media buy " + mediaBuyId,
                                   field + ".package_id");
                if (found->canceled && u.size() > 1)
                    return failure("INVALID_STATE", "package " + packageId + " is canceled",
                                   field + ".package_id");
                if (u.contains("budget")) {
                    const auto amount = moneyAmount(u["budget"]);
                    if (!amount || *amount <= 0)
                        return failure("INVALID_REQUEST", "budget must be a positive amount",
                                       field + ".budget");
                    // What the package has spent stays spent: a budget below it is refused, and a change
                    // is recorded with its instant, from which on the new budget paces the rest of the
                    // flight.
                    const qint64 spent =
                        DeliverySimulator::cumulative(DeliveryReport::plan(task.db, *buy, *found), task.now)
                            .spendMinor;
                    if (std::llround(*amount * 100.0) < spent)
                        return belowSpend("package " + packageId, spent, field + ".budget");
                    if (!sql(QStringLiteral(
                                 "UPDATE packages SET budget = ?, updated_at = ? WHERE principal_id = ? AND "
                                 "package_id = ?"),
                             {*amount, storage::isoTime(task.now), qs(buy->principalId), qs(packageId)}) ||
                        (*amount != found->budget &&
                         !sql(QStringLiteral(
                                  "INSERT INTO exec_budget_changes (principal_id, media_buy_id, "
                                  "package_id, at, from_budget, to_budget) VALUES (?, ?, ?, ?, ?, ?)"),
                              {qs(buy->principalId), qs(buy->mediaBuyId), qs(packageId),
                               storage::isoTimeMs(task.now), found->budget, *amount})))
                        return dbFailure();
                    packageBudgetTotal += *amount - found->budget;
                    changes.push_back("updated_budget");
                }
                if (u.contains("targeting_overlay")) {
                    // The new overlay replaces the stored one as a whole (list references are swapped,
                    // not merged), so get_media_buys reports exactly what the buyer last sent.
                    if (auto tooSmall = audiences::checkTargeting(
                            task.db, task.principal.id, u["targeting_overlay"], field + ".targeting_overlay");
                        !tooSmall.empty())
                        return failureWithErrors(std::move(tooSmall));
                    // The package now depends on exactly the audiences its new overlay includes.
                    std::vector<std::string> audienceIds;
                    if (u["targeting_overlay"].is_object())
                        for (const auto &a : u["targeting_overlay"].value("audience_include", json::array()))
                            if (a.is_string())
                                audienceIds.push_back(a.get<std::string>());
                    if (!replacePackageMember(packageId, "targeting_overlay", u["targeting_overlay"],
                                              "audience", audienceIds))
                        return dbFailure();
                    changes.push_back("updated_targeting");
                }
                if (u.contains("catalogs")) {
                    // Replacement semantics: the package promotes exactly the new catalogs.
                    if (auto problems = catalogs::checkPackage(
                            task.db, task.principal.id,
                            task.account ? std::optional<std::string>(task.account->accountId) : std::nullopt,
                            u["catalogs"], field);
                        !problems.empty())
                        return failureWithErrors(std::move(problems));
                    if (!replacePackageMember(
                            packageId, "catalogs", u["catalogs"], "catalog_item",
                            catalogs::packageItemIds(task.db, task.principal.id, u["catalogs"])))
                        return dbFailure();
                    changes.push_back("updated_catalogs");
                }
                if (u.contains("pacing") &&
                    !sql(QStringLiteral(
                             "UPDATE exec_packages SET pacing = ? WHERE principal_id = ? AND package_id = ?"),
                         {qs(u["pacing"].get<std::string>()), qs(buy->principalId), qs(packageId)}))
                    return dbFailure();
                if (u.value("canceled", false) && !found->canceled) {
                    if (!sql(
                            QStringLiteral("UPDATE exec_packages SET canceled = 1 WHERE principal_id = ? AND "
                                           "package_id = ?"),
                            {qs(buy->principalId), qs(packageId)}) ||
                        !enqueueControl(task.db, *buy, *found, "cancel", &error))
                        return dbFailure();
                    packageBudgetTotal -= found->budget;
                    changes.push_back("package_canceled");
                } else if (u.contains("paused") && u["paused"].get<bool>() != found->paused) {
                    const bool pause = u["paused"].get<bool>();
                    if (!sql(QStringLiteral(
                                 "UPDATE exec_packages SET paused = ? WHERE principal_id = ? AND package_id "
                                 "= ?"),
                             {pause ? 1 : 0, qs(buy->principalId), qs(packageId)}) ||
                        !sql(QStringLiteral(
                                 "UPDATE packages SET paused = ? WHERE principal_id = ? AND package_id = ?"),
                             {pause ? 1 : 0, qs(buy->principalId), qs(packageId)}) ||
                        !enqueueControl(task.db, *buy, *found, pause ? "pause" : "resume", &error))
                        return dbFailure();
                    changes.push_back(pause ? "package_paused" : "package_resumed");
                }
                for (const auto &assignment : u.value("creative_assignments", json::array())) {
                    const std::string creativeId = assignment.value("creative_id", std::string());
                    if (!DependencyHealth::resource(task.db, task.principal.id, "creative", creativeId))
                        return failure(
                            "CREATIVE_REJECTED", "creative " + creativeId + " is unknown to this seller",
                            field + ".creative_assignments", "sync the creative first (sync_creatives)");
                    if (!DependencyHealth::addDependency(task.db, task.principal.id, mediaBuyId, packageId,
                                                         "creative", creativeId, task.now, &error))
                        return dbFailure();
                    changes.push_back("updated_creative_assignments");
                }
                touch(*found);
            }
        }
        // A fixed fee must still fit: the package's (new) budget covers it over the (new) flight, within the
        // option's durations. Packages with a flight of their own keep it; the others follow the buy's.
        std::map<std::string, std::pair<size_t, double>>
            newBudgets; // package id → (index in packages[], budget)
        const json updates = args.value("packages", json::array());
        for (size_t i = 0; i < updates.size(); ++i) {
            if (const auto amount =
                    updates[i].contains("budget") ? moneyAmount(updates[i]["budget"]) : std::nullopt)
                newBudgets[updates[i].value("package_id", std::string())] = {i, *amount};
        }
        for (const PackageExecution &p : packages) {
            const auto model = pricingModelFromString(p.pricingModel);
            if (p.canceled || !model || !isFixedFee(*model))
                continue;
            const bool ownFlight = p.start != buy->start || p.end != buy->end;
            std::string problem;
            const auto fee = flightFee(p.pricingOption(), std::nullopt, ownFlight ? p.start : start,
                                       ownFlight ? p.end : end, &problem);
            if (!problem.empty())
                return failure("INVALID_REQUEST", "package " + p.packageId + ": " + problem, "end_time",
                               "keep the flight within the option's min_duration and max_duration");
            const auto changed = newBudgets.find(p.packageId);
            const double budget = changed != newBudgets.end() ? changed->second.second : p.budget;
            if (fee && budget + 0.005 < *fee)
                return failure("BUDGET_TOO_LOW",
                               "package " + p.packageId + " costs " + amountText(*fee, buy->currency) +
                                   " for this flight; its budget would be " +
                                   amountText(budget, buy->currency),
                               changed != newBudgets.end()
                                   ? "packages[" + std::to_string(changed->second.first) + "].budget"
                                   : std::string("end_time"),
                               "raise the package's budget to at least " + amountText(*fee, buy->currency));
        }

        double totalBudget = buy->totalBudget;
        if (args.contains("total_budget")) {
            const auto amount = moneyAmount(args["total_budget"]);
            if (!amount || *amount <= 0)
                return failure("INVALID_REQUEST", "total_budget must be a positive amount", "total_budget");
            if (args["total_budget"].is_object() &&
                args["total_budget"].value("currency", buy->currency) != buy->currency)
                return failure("INVALID_REQUEST",
                               "total_budget must be in the buy's currency " + buy->currency,
                               "total_budget.currency");
            qint64 spentMinor = 0;
            for (const auto &p : packages)
                spentMinor += DeliverySimulator::cumulative(DeliveryReport::plan(task.db, *buy, p), task.now)
                                  .spendMinor;
            if (std::llround(*amount * 100.0) < spentMinor)
                return belowSpend("media buy " + mediaBuyId, spentMinor, "total_budget");
            totalBudget = *amount;
            changes.push_back("updated_budget");
        } else if (args.contains("packages")) {
            totalBudget = std::max(totalBudget, packageBudgetTotal);
        }
        if (packageBudgetTotal > totalBudget + 0.005)
            return failure("INVALID_REQUEST", "package budgets exceed the buy's total_budget", "total_budget",
                           "raise total_budget or lower package budgets");
        if (totalBudget != buy->totalBudget &&
            !sql(QStringLiteral(
                     "UPDATE media_buys SET total_budget = ? WHERE principal_id = ? AND media_buy_id = ?"),
                 {totalBudget, qs(buy->principalId), qs(buy->mediaBuyId)}))
            return dbFailure();
        if (args.contains("name")) {
            if (!sql(QStringLiteral(
                         "UPDATE media_buys SET name = ? WHERE principal_id = ? AND media_buy_id = ?"),
                     {qs(args["name"].get<std::string>()), qs(buy->principalId), qs(buy->mediaBuyId)}))
                return dbFailure();
            changes.push_back("updated_name");
        }
        for (const char *member : {"push_notification_config", "reporting_webhook"}) {
            if (!args.contains(member))
                continue;
            const QString column = std::string_view(member) == "reporting_webhook"
                                       ? QStringLiteral("reporting_webhook")
                                       : QStringLiteral("push_config");
            if (!sql(QStringLiteral(
                         "INSERT INTO exec_buys (principal_id, media_buy_id, approval, updated_at) VALUES "
                         "(?, ?, 'not_required', ?) ON CONFLICT (principal_id, media_buy_id) DO NOTHING"),
                     {qs(buy->principalId), qs(buy->mediaBuyId), storage::isoTime(task.now)}) ||
                !sql(QStringLiteral("UPDATE exec_buys SET ") + column +
                         QStringLiteral(" = ? WHERE principal_id = ? AND media_buy_id = ?"),
                     {storage::toText(args[member]), qs(buy->principalId), qs(buy->mediaBuyId)}))
                return dbFailure();
            changes.push_back(std::string("updated_") + member);
        }
        if (nextStatus != buy->status &&
            !MediaBuyLifecycle::setStatus(
                task.db, *buy, nextStatus,
                nextStatus == "paused" ? "paused by the buyer" : "resumed by the buyer", task.now, &error))
            return dbFailure();
    }

    const qint64 newRevision = changes.empty() ? revision : revision + 1;
    if (!changes.empty() &&
        !sql(QStringLiteral("UPDATE media_buys SET revision = ?, updated_at = ? WHERE principal_id = ? AND "
                            "media_buy_id = ?"),
             {newRevision, storage::isoTime(task.now), qs(buy->principalId), qs(buy->mediaBuyId)}))
        return dbFailure();
    const auto status = MediaBuyLifecycle::refresh(task.db, task.principal.id, mediaBuyId, task.now, &error);
    if (!status)
        return dbFailure();
    json result = {
        {"media_buy_id", mediaBuyId},    {"revision", newRevision},
        {"media_buy_status", *status},   {"implementation_date", storage::isoTime(task.now).toStdString()},
        {"affected_packages", affected}, {"available_actions", MediaBuyLifecycle::availableActions(*status)}};
    // 3.0/3.1 buyers read the buy's status from top-level `status` (identical to media_buy_status); from 3.2
    // on, `status` is the envelope's task status (the Dispatcher fills it) and the lifecycle is only in
    // media_buy_status. A request names its release in adcp_version; without one it is read as 3.0/3.1.
    if (!speaksTaskStatusEnvelope(args))
        result["status"] = *status;
    if (!TaskStore::create(task.db, task.principal.id, TaskStore::newTaskId(), "update_media_buy",
                           "completed", mediaBuyId, args, result, task.now, &error) ||
        !tx.commit(&error))
        return dbFailure();
    return adcp::ToolOutcome::success(std::move(result));
}

} // namespace adcp::seller
