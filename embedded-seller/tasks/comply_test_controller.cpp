#include "taskcontext.h"

#include "complyscenarios.h"
#include "delivery/deliveryreport.h"
#include "delivery/deliverywebhooks.h"
#include "domain/accountstore.h"
#include "domain/catalog.h"
#include "domain/mediabuystore.h"
#include "domain/pricing.h"
#include "jobs/execution.h"
#include "jobs/jobqueue.h"
#include "jobs/taskstore.h"
#include "monitoring/dependencyhealth.h"
#include "monitoring/lifecycle.h"
#include "sandboxdirectives.h"
#include "sandboxseeds.h"
#include "storage/database.h"
#include "wire/jsonread.h"

#include <QSqlQuery>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace adcp::seller {

using nlohmann::json;
using storage::execute;
using storage::qs;

namespace {

// One advance_clock moves the sandbox clock by at most ten years (docs/robustness.md).
constexpr std::int64_t kMaxClockAdvanceSeconds = 10LL * 366 * 24 * 3600;

adcp::ToolOutcome transitioned(const std::string &from, const std::string &to, const std::string &message)
{
    return adcp::ToolOutcome::success(
        {{"success", true}, {"previous_state", from}, {"current_state", to}, {"message", message}});
}

// The media-buy state machine as the controller may drive it. The controller stands in for the events a
// pending buy waits for (creatives supplied, flight start reached), so it may take pending_creatives through
// pending_start to active in one step; anything that needs delivery (completed) still has to go through
// active.
bool mediaBuyTransitionAllowed(const std::string &from, const std::string &to)
{
    static const std::map<std::string, std::set<std::string>> allowed = {
        {"pending_creatives", {"pending_start", "active", "rejected", "canceled"}},
        {"pending_start", {"active", "rejected", "canceled"}},
        {"active", {"paused", "completed", "canceled"}},
        {"paused", {"active", "completed", "canceled"}},
    };
    const auto found = allowed.find(from);
    return found != allowed.end() && found->second.count(to);
}

bool creativeTransitionAllowed(const std::string &from, const std::string &to)
{
    static const std::map<std::string, std::set<std::string>> allowed = {
        {"processing", {"pending_review", "approved", "rejected"}},
        {"pending_review", {"approved", "rejected"}},
        {"approved", {"suspended", "rejected", "archived"}},
        {"suspended", {"approved", "rejected", "archived"}},
        {"rejected", {"pending_review", "approved", "archived"}},
    };
    const auto found = allowed.find(from);
    return found != allowed.end() && found->second.count(to);
}

// Scenario → the resource type it forces and the params names that may carry the id.
struct ResourceScenario
{
    const char *type;
    std::vector<const char *> idParams;
};

const std::map<std::string, ResourceScenario> &resourceScenarios()
{
    static const std::map<std::string, ResourceScenario> s = {
        {"force_creative_status", {"creative", {"creative_id"}}},
        {"force_audience_status", {"audience", {"audience_id", "resource_id"}}},
        {"force_catalog_item_status", {"catalog_item", {"catalog_item_id", "item_id", "resource_id"}}},
        {"force_event_source_status", {"event_source", {"event_source_id", "resource_id"}}},
        {"force_property_status", {"property", {"property_id", "publisher_domain", "resource_id"}}},
    };
    return s;
}

const std::vector<std::string> &scenarios()
{
    static const std::vector<std::string> list = {
        "list_scenarios",
        "force_creative_status",
        "force_audience_status",
        "force_catalog_item_status",
        "force_event_source_status",
        "force_property_status",
        "force_media_buy_status",
        "force_account_status",
        "force_create_media_buy_arm",
        "force_get_products_arm",
        "force_task_completion",
        "simulate_delivery",
        "simulate_budget_spend",
        "seed_creative",
        "seed_creative_format",
        "seed_product",
        "seed_pricing_option",
        "seed_media_buy",
        "seed_plan",
        "seed_account",
        "advance_clock",
        "compact_direct_buy_lifecycle_probe",
        "compact_product_lifecycle_probe",
        "catalog_item_availability_probe",
    };
    return list;
}

adcp::ToolOutcome forceResource(TaskContext &task, const std::string &scenario, const json &params)
{
    const ResourceScenario &rs = resourceScenarios().at(scenario);
    std::string id;
    for (const char *name : rs.idParams) {
        if (params.contains(name) && params[name].is_string()) {
            id = params[name].get<std::string>();
            break;
        }
    }
    const std::string status = params.value("status", std::string());
    if (id.empty() || status.empty())
        return controllerError("INVALID_PARAMS",
                               std::string(rs.idParams.front()) + " and status are required");
    if (!DependencyHealth::isValidStatus(rs.type, status))
        return controllerError("INVALID_PARAMS", "status " + status + " is not a " + rs.type + " status");
    const auto existing = DependencyHealth::resource(task.db, task.principal.id, rs.type, id);
    if (!existing)
        return controllerError("NOT_FOUND", std::string(rs.type) + " " + id + " is unknown to this seller");
    if (existing->status == status)
        return transitioned(status, status, "already " + status);
    if (std::string_view(rs.type) == "creative" && !creativeTransitionAllowed(existing->status, status))
        return controllerError("INVALID_TRANSITION",
                               "creative cannot go from " + existing->status + " to " + status,
                               existing->status);
    QString error;
    storage::WriteTransaction tx(task.db);
    std::string previous;
    if (!tx.begin(&error) ||
        !DependencyHealth::setStatus(task.db, task.principal.id, rs.type, id, status, task.now,
                                     params.value("reason_code", std::string()),
                                     params.value("reason", std::string()), &previous, &error) ||
        !tx.commit(&error))
        return controllerError("INTERNAL_ERROR", error.toStdString(), existing->status);
    return transitioned(previous, status, std::string(rs.type) + " " + id + " is now " + status);
}

adcp::ToolOutcome forceMediaBuy(TaskContext &task, const json &params)
{
    const std::string id = params.value("media_buy_id", std::string());
    const std::string status = params.value("status", std::string());
    QString error;
    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error))
        return controllerError("INTERNAL_ERROR", error.toStdString());
    MediaBuyLifecycle::refresh(task.db, task.principal.id, id, task.now, &error);
    const auto buy = MediaBuyLifecycle::load(task.db, task.principal.id, id);
    if (!buy)
        return controllerError("NOT_FOUND", "no media buy " + id);
    if (buy->status == status)
        return transitioned(status, status, "already " + status);
    if (!mediaBuyTransitionAllowed(buy->status, status))
        return controllerError("INVALID_TRANSITION",
                               "media buy cannot go from " + buy->status + " to " + status, buy->status);
    QSqlQuery q(storage::connectionFor(task.db));
    bool ok = execute(
        q,
        QStringLiteral("INSERT INTO exec_buys (principal_id, media_buy_id, approval, updated_at) VALUES "
                       "(?, ?, 'not_required', ?) ON CONFLICT (principal_id, media_buy_id) DO NOTHING"),
        {qs(buy->principalId), qs(id), storage::isoTimeMs(task.now)}, &error);
    QSqlQuery u(storage::connectionFor(task.db));
    if (ok && status == "canceled")
        ok = execute(
            u,
            QStringLiteral(
                "UPDATE exec_buys SET canceled_at = ?, canceled_by = 'seller', cancellation_reason = "
                "? WHERE principal_id = ? AND media_buy_id = ?"),
            {storage::isoTimeMs(task.now), qs(params.value("reason", std::string("canceled by the seller"))),
             qs(buy->principalId), qs(id)},
            &error);
    else if (ok && status == "rejected")
        ok = execute(
            u,
            QStringLiteral(
                "UPDATE exec_buys SET rejection_reason = ? WHERE principal_id = ? AND media_buy_id "
                "= ?"),
            {qs(params.value("reason", std::string("rejected by the seller"))), qs(buy->principalId), qs(id)},
            &error);
    else if (ok && (status == "paused" || status == "active"))
        ok = execute(
            u, QStringLiteral("UPDATE exec_buys SET paused = ? WHERE principal_id = ? AND media_buy_id = ?"),
            {status == "paused" ? 1 : 0, qs(buy->principalId), qs(id)}, &error);
    ok = ok && MediaBuyLifecycle::setStatus(task.db, *buy, status, "forced by the test controller", task.now,
                                            &error);
    // A forced cancel or rejection also closes the ad-server orders.
    if (ok && (status == "canceled" || status == "rejected")) {
        for (const auto &p : MediaBuyLifecycle::packages(task.db, *buy)) {
            Job job{0,        buy->principalId, id, p.packageId, p.adapter.empty() ? "exchange" : p.adapter,
                    "cancel", json::object(),   0};
            ok = ok && JobQueue::enqueue(task.db, job, &error);
        }
    }
    if (!ok || !tx.commit(&error))
        return controllerError("INTERNAL_ERROR", error.toStdString(), buy->status);
    return transitioned(buy->status, status, "media buy " + id + " is now " + status);
}

adcp::ToolOutcome forceTaskCompletion(TaskContext &task, const json &params)
{
    const std::string taskId = params.value("task_id", std::string());
    const auto current = TaskStore::currentStatus(task.db, task.principal.id, taskId);
    if (!current)
        return controllerError("NOT_FOUND", "no task " + taskId);
    if (TaskStore::isTerminal(*current))
        return controllerError("INVALID_TRANSITION", "task " + taskId + " is already " + *current, *current);
    // The result is delivered verbatim, so it must be an answer of the task's own tool (a forced submitted
    // get_products completes with a get_products answer).
    const json found = TaskStore::status(task.db, task.principal.id, taskId, false, false);
    if (found.value("task_type", std::string()) == "get_products") {
        if (const auto issues = task.seller.schemas().validate(
                "/schemas/media-buy/get-products-response.json", params.value("result", json::object()));
            !issues.empty())
            return controllerError("INVALID_PARAMS",
                                   "params.result is not a get_products answer: " + issues.front().pointer +
                                       ": " + issues.front().message,
                                   *current);
    }
    QString error;
    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error))
        return controllerError("INTERNAL_ERROR", error.toStdString(), *current);
    // A buy waiting for approval is approved (its ad-server work starts); any other task completes as given.
    bool ok = Execution::decide(task.db, task.principal.id, taskId, true, {}, task.now, &error);
    if (!ok) {
        error.clear();
        ok = TaskStore::transition(task.db, task.principal.id, taskId, "completed",
                                   params.value("result", json::object()), json(), task.now, &error);
    }
    if (!ok || !tx.commit(&error))
        return controllerError("INTERNAL_ERROR", error.toStdString(), *current);
    return transitioned(*current, "completed", "task " + taskId + " completed");
}

adcp::ToolOutcome simulateDelivery(TaskContext &task, const json &params)
{
    const std::string id = params.value("media_buy_id", std::string());
    const auto buy = MediaBuyLifecycle::load(task.db, task.principal.id, id);
    if (!buy)
        return controllerError("NOT_FOUND", "no media buy " + id);
    const auto packages = MediaBuyLifecycle::packages(task.db, *buy);
    if (packages.empty())
        return controllerError("INVALID_STATE", "media buy " + id + " has no packages", buy->status);
    std::string packageId = params.value("package_id", packages.front().packageId);
    const auto found = std::find_if(packages.begin(), packages.end(),
                                    [&](const PackageExecution &p) { return p.packageId == packageId; });
    if (found == packages.end())
        return controllerError("NOT_FOUND", "no package " + packageId + " in media buy " + id);
    const qint64 impressions = params.value("impressions", 0LL);
    const qint64 clicks = params.value("clicks", 0LL);
    // Without a spend, what those impressions and clicks bill in the package's model (a fixed fee: nothing).
    const qint64 spendMinor =
        params.contains("spend") ? qint64(std::llround(params["spend"].get<double>() * 100.0)) : [&] {
            const PackagePlan plan = DeliveryReport::plan(task.db, *buy, *found);
            return DeliverySimulator::billedSpendMinor(
                plan, DeliverySimulator::withViewCounts(plan, {impressions, clicks}));
        }();
    QDateTime at = task.now.addSecs(-1);
    if (params.contains("delivery_date")) {
        const QDate day = QDate::fromString(
            QString::fromStdString(params["delivery_date"].get<std::string>()), Qt::ISODate);
        if (!day.isValid())
            return controllerError("INVALID_PARAMS", "delivery_date must be YYYY-MM-DD");
        at = QDateTime(day, QTime(12, 0), Qt::UTC);
    }
    QString error;
    QSqlQuery q(storage::connectionFor(task.db));
    if (!execute(
            q,
            QStringLiteral("INSERT INTO exec_injected_delivery (principal_id, media_buy_id, package_id, at, "
                           "impressions, clicks, spend_minor) VALUES (?, ?, ?, ?, ?, ?, ?)"),
            {qs(task.principal.id), qs(id), qs(packageId), storage::isoTimeMs(at), impressions, clicks,
             spendMinor},
            &error))
        return controllerError("INTERNAL_ERROR", error.toStdString());
    // Late data for a window the buyer already has: the window is reported again.
    if (!DeliveryWebhooks::windowUpdated(task.db, task.principal.id, id, at, task.now, &error))
        return controllerError("INTERNAL_ERROR", error.toStdString());
    DeliveryRequest request;
    request.from = buy->start.isValid() ? std::min(buy->start, at) : at;
    request.to = std::max(task.now, buy->end).addSecs(1);
    DeliveryCounts totals;
    DeliveryReport::mediaBuyDelivery(task.db, *buy, request, task.now.addSecs(1), &totals);
    return adcp::ToolOutcome::success({{"success", true},
                                       {"simulated",
                                        {{"media_buy_id", id},
                                         {"package_id", packageId},
                                         {"impressions", impressions},
                                         {"clicks", clicks},
                                         {"spend", DeliveryReport::money(spendMinor)},
                                         {"at", storage::isoTimeMs(at).toStdString()}}},
                                       {"cumulative", DeliveryReport::metrics(totals)},
                                       {"message", "delivery recorded for media buy " + id}});
}

// Spend up to a share of the buy's budget: the missing spend is recorded as delivery on its first package.
adcp::ToolOutcome simulateBudgetSpend(TaskContext &task, const json &params)
{
    const std::string id = params.value("media_buy_id", std::string());
    const auto buy = MediaBuyLifecycle::load(task.db, task.principal.id, id);
    if (!buy)
        return controllerError(id.empty() ? "INVALID_PARAMS" : "NOT_FOUND",
                               id.empty()
                                   ? "this seller simulates spend per media buy: media_buy_id is required"
                                   : "no media buy " + id);
    DeliveryRequest request;
    request.from = buy->start.isValid() ? std::min(buy->start, task.now) : task.now;
    request.to = std::max(task.now, buy->end).addSecs(1);
    DeliveryCounts totals;
    DeliveryReport::mediaBuyDelivery(task.db, *buy, request, task.now.addSecs(1), &totals);
    const double share = params.value("spend_percentage", 0.0) / 100.0;
    const qint64 target = qint64(std::llround(buy->totalBudget * share * 100.0));
    json delivery = {{"media_buy_id", id},
                     {"spend", DeliveryReport::money(std::max<qint64>(0, target - totals.spendMinor))}};
    return simulateDelivery(task, delivery);
}

// An amount that fixtures spell as a number, {amount}, or {total}.
std::optional<double> fixtureAmount(const json &value)
{
    if (value.is_number())
        return value.get<double>();
    if (value.is_object()) {
        for (const char *key : {"amount", "total"}) {
            if (value.contains(key) && value[key].is_number())
                return value[key].get<double>();
        }
    }
    return std::nullopt;
}

std::optional<std::string> fixtureString(const json &object, const char *key)
{
    if (object.is_object() && object.contains(key) && object[key].is_string())
        return object[key].get<std::string>();
    return std::nullopt;
}

adcp::ToolOutcome seedCreative(TaskContext &task, const json &params)
{
    const std::string id = fixtureString(params, "creative_id").value_or("");
    if (id.empty())
        return controllerError("INVALID_PARAMS", "seed_creative requires params.creative_id");
    if (params.contains("fixture") && !params["fixture"].is_object())
        return controllerError("INVALID_PARAMS", "seed_creative requires params.fixture to be an object");
    json fixture = params.value("fixture", json::object());
    fixture["creative_id"] = id;
    const std::string status = fixture.value("status", std::string("approved"));
    if (!DependencyHealth::isValidStatus("creative", status))
        return controllerError("INVALID_PARAMS", "fixture.status " + status + " is not a creative status");
    fixture.erase("status");
    QString error;
    storage::WriteTransaction tx(task.db);
    DependencyHealth::Resource r{"creative", id, status, {}, fixture.value("name", id), fixture, task.now};
    if (!tx.begin(&error) ||
        !DependencyHealth::upsertResource(task.db, task.principal.id, r, task.now, &error) ||
        !tx.commit(&error))
        return controllerError("INTERNAL_ERROR", error.toStdString());
    return adcp::ToolOutcome::success(
        {{"success", true}, {"message", "creative " + id + " seeded as " + status}});
}

// Sandbox fixture products (seed_product / seed_pricing_option). A seeded product is a real catalog row
// marked `sandbox_fixture` in its seller metadata, so it goes through the same lookup, pricing and validation
// paths as any other product, and is listed only to sandbox principals. A product needs a pricing option to
// be sellable, so a product seeded without one waits in sandbox_pending_products until its first option
// arrives.
bool ensurePendingTable(QSqlDatabase &db, QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    return execute(
        q,
        QStringLiteral("CREATE TABLE IF NOT EXISTS sandbox_pending_products (product_id TEXT PRIMARY "
                       "KEY, product_json TEXT NOT NULL)"),
        {}, error);
}

std::optional<json> pendingProduct(QSqlDatabase &db, const std::string &productId, QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    if (!execute(q, QStringLiteral("SELECT product_json FROM sandbox_pending_products WHERE product_id = ?"),
                 {qs(productId)}, error) ||
        !q.next())
        return std::nullopt;
    return storage::fromText(q.value(0).toString());
}

bool isSandboxFixture(QSqlDatabase &db, const std::string &productId, bool *exists, QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    *exists = false;
    if (!execute(q, QStringLiteral("SELECT seller_json FROM products WHERE product_id = ?"), {qs(productId)},
                 error) ||
        !q.next())
        return false;
    *exists = true;
    const json seller = storage::fromText(q.value(0).toString());
    return seller.is_object() && seller.value("sandbox_fixture", false);
}

// Publishes (or keeps pending) one fixture product and reloads the catalog so the next call sees it.
adcp::ToolOutcome storeFixtureProduct(TaskContext &task, const json &product, const std::string &message)
{
    const std::string id = product.at("product_id").get<std::string>();
    QString error;
    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error) || !ensurePendingTable(task.db, &error))
        return controllerError("INTERNAL_ERROR", error.toStdString());
    QSqlQuery q(storage::connectionFor(task.db));
    bool ok = true;
    if (product.value("pricing_options", json::array()).empty()) {
        ok = execute(q,
                     QStringLiteral("INSERT INTO sandbox_pending_products (product_id, product_json) VALUES "
                                    "(?, ?) ON CONFLICT (product_id) DO UPDATE SET product_json = "
                                    "excluded.product_json"),
                     {qs(id), storage::toText(product)}, &error);
    } else {
        json seller = {{"sandbox_fixture", true},
                       {"keywords", product.value("channels", json::array())},
                       {"owner", task.principal.id}};
        ok = execute(q, QStringLiteral("DELETE FROM sandbox_pending_products WHERE product_id = ?"), {qs(id)},
                     &error) &&
             Catalog::upsertProduct(task.db, product, seller, json(), storage::isoTimeMs(task.now), &error);
    }
    if (!ok || !tx.commit(&error))
        return controllerError("INTERNAL_ERROR", error.toStdString());
    if (!task.seller.reloadCatalog(&error))
        return controllerError("INTERNAL_ERROR", error.toStdString());
    return adcp::ToolOutcome::success({{"success", true}, {"message", message}});
}

adcp::ToolOutcome seedProduct(TaskContext &task, const json &params)
{
    const std::string id = params.value("product_id", std::string());
    const json fixture = params.value("fixture", json::object());
    if (id.empty() || !fixture.is_object())
        return controllerError("INVALID_PARAMS", "product_id and a fixture object are required");
    QString error;
    bool exists = false;
    const bool fixtureRow = isSandboxFixture(task.db, id, &exists, &error);
    if (exists && !fixtureRow)
        return controllerError(
            "INVALID_PARAMS", "product " + id + " is a catalog product; only sandbox fixtures can be seeded");
    // Start from what is already known about the product (a re-seed updates it), then from the seller's own
    // catalog conventions: formats come from the seller's creative agent, the product is sold on the seller's
    // properties and reports like the catalog's products.
    json product;
    if (const Product *current = task.catalog->find(id))
        product = current->publicJson;
    else if (auto pending =
                 ensurePendingTable(task.db, &error) ? pendingProduct(task.db, id, &error) : std::nullopt)
        product = *pending;
    else {
        product = {{"product_id", id}, {"pricing_options", json::array()}};
        if (!task.catalog->products().empty()) {
            const json &model = task.catalog->products().front().publicJson;
            for (const char *key : {"publisher_properties", "reporting_capabilities"}) {
                if (model.contains(key))
                    product[key] = model[key];
            }
        }
    }
    std::string agentUrl = "https://creative.adcontextprotocol.org";
    if (!task.catalog->products().empty()) {
        const json &formats = task.catalog->products().front().publicJson.value("format_ids", json::array());
        if (!formats.empty())
            agentUrl = formats.front().value("agent_url", agentUrl);
    }
    for (const auto &[key, value] : fixture.items()) {
        if (key == "product_id")
            continue;
        product[key] = value;
    }
    if (product.contains("format_ids") && product["format_ids"].is_array()) {
        for (auto &format : product["format_ids"]) {
            if (format.is_object() && !format.contains("agent_url"))
                format["agent_url"] = agentUrl;
        }
    } else {
        product["format_ids"] = json::array();
    }
    if (!product.contains("name"))
        product["name"] = id;
    if (!product.contains("description"))
        product["description"] = "Sandbox fixture product " + id;
    if (!product.contains("delivery_type"))
        product["delivery_type"] = "non_guaranteed";
    const std::string deliveryType =
        product["delivery_type"].is_string() ? product["delivery_type"].get<std::string>() : "";
    if (deliveryType != "guaranteed" && deliveryType != "non_guaranteed")
        return controllerError("INVALID_PARAMS",
                               "fixture.delivery_type must be guaranteed or non_guaranteed");
    return storeFixtureProduct(task, product, "product " + id + " seeded");
}

adcp::ToolOutcome seedPricingOption(TaskContext &task, const json &params)
{
    const std::string productId = params.value("product_id", std::string());
    const std::string optionId = params.value("pricing_option_id", std::string());
    const json fixture = params.value("fixture", json::object());
    if (productId.empty() || optionId.empty() || !fixture.is_object())
        return controllerError("INVALID_PARAMS", "product_id, pricing_option_id and a fixture are required");
    QString error;
    bool exists = false;
    const bool fixtureRow = isSandboxFixture(task.db, productId, &exists, &error);
    if (exists && !fixtureRow)
        return controllerError("INVALID_PARAMS",
                               "product " + productId +
                                   " is a catalog product; only sandbox fixtures can be seeded");
    json product;
    if (const Product *current = task.catalog->find(productId))
        product = current->publicJson;
    else if (auto pending = ensurePendingTable(task.db, &error) ? pendingProduct(task.db, productId, &error)
                                                                : std::nullopt)
        product = *pending;
    else
        return controllerError("NOT_FOUND", "product " + productId + " is not seeded; seed_product first");
    json option = fixture;
    option["pricing_option_id"] = optionId;
    if (!option.contains("pricing_model"))
        option["pricing_model"] = "cpm";
    if (!option.contains("currency"))
        option["currency"] = "USD";
    if (!option["pricing_model"].is_string())
        return controllerError("INVALID_PARAMS", "pricing_model must be a string");
    if (const std::string reason = unbookableReason(option); !reason.empty())
        return controllerError("INVALID_PARAMS", reason);
    // The option as products carry it (core/pricing-option.json: each model's required members, e.g. cpp's
    // demographic or time's time_unit).
    if (const auto issues = task.seller.schemas().validate("/schemas/core/pricing-option.json", option);
        !issues.empty())
        return controllerError("INVALID_PARAMS",
                               "fixture" + issues.front().pointer + ": " + issues.front().message);
    const bool fixed = option.contains("fixed_price") && option["fixed_price"].is_number();
    const bool floor = option.contains("floor_price") && option["floor_price"].is_number();
    if (fixed == floor)
        return controllerError("INVALID_PARAMS",
                               "a " + option["pricing_model"].get<std::string>() +
                                   " option needs exactly one of fixed_price or floor_price");
    if ((fixed ? option["fixed_price"] : option["floor_price"]).get<double>() <= 0.0)
        return controllerError("INVALID_PARAMS", "the price must be positive");
    if (!option["currency"].is_string())
        return controllerError("INVALID_PARAMS", "currency must be a string");
    json options = json::array();
    for (const auto &existing : product.value("pricing_options", json::array())) {
        if (existing.value("pricing_option_id", std::string()) != optionId)
            options.push_back(existing);
    }
    options.push_back(option);
    product["pricing_options"] = options;
    return storeFixtureProduct(task, product,
                               "pricing option " + optionId + " seeded on product " + productId);
}

// A fixture time: ISO 8601, or absent (nullopt in `parsed` stays invalid). False when present but unreadable.
bool fixtureTime(const json &fixture, const char *key, const char *flightKey, QDateTime *parsed)
{
    std::optional<std::string> text = fixtureString(fixture, key);
    if (!text && fixture.contains("flight"))
        text = fixtureString(fixture["flight"], flightKey);
    if (!text)
        return true;
    *parsed = QDateTime::fromString(QString::fromStdString(*text), Qt::ISODateWithMs);
    if (!parsed->isValid())
        *parsed = QDateTime::fromString(QString::fromStdString(*text), Qt::ISODate);
    return parsed->isValid();
}

// Answer of a seed whose id is known already: the same fixture is a no-op, another one is refused (the
// storyboard runner's rule: replays must carry an equivalent fixture or choose a new id).
std::optional<adcp::ToolOutcome> seedReplay(TaskContext &task, const std::string &kind, const std::string &id,
                                            const json &fixture)
{
    QString error;
    switch (SandboxSeeds::check(task.db, task.principal.id, kind, id, fixture, &error)) {
    case SandboxSeeds::Outcome::Fresh:
        return std::nullopt;
    case SandboxSeeds::Outcome::Equivalent:
        return adcp::ToolOutcome::success(
            {{"success", true}, {"message", kind + " " + id + " was seeded with this fixture already"}});
    case SandboxSeeds::Outcome::Divergent:
        return controllerError("INVALID_PARAMS", kind + " " + id +
                                                     " was seeded with a different fixture; re-seed with the "
                                                     "same fixture or choose a new id");
    case SandboxSeeds::Outcome::Failed:
        break;
    }
    return controllerError("INTERNAL_ERROR", error.toStdString());
}

// A seeded media buy is an order like any other: stored through MediaBuyStore and the order-accepted hook
// (execution state, dependencies, ad-server booking), then left to the lifecycle. It starts in the fixture's
// status; packages name seeded or catalog products.
adcp::ToolOutcome seedMediaBuy(TaskContext &task, const json &params)
{
    const std::string id = fixtureString(params, "media_buy_id").value_or("");
    const json fixture = params.contains("fixture") ? params["fixture"] : json::object();
    if (id.empty())
        return controllerError("INVALID_PARAMS", "seed_media_buy requires params.media_buy_id");
    if (!fixture.is_object())
        return controllerError("INVALID_PARAMS", "seed_media_buy requires params.fixture to be an object");
    if (auto replay = seedReplay(task, "media_buy", id, fixture))
        return *replay;
    if (MediaBuyLifecycle::load(task.db, task.principal.id, id))
        return controllerError("INVALID_PARAMS",
                               "media buy " + id + " exists and was not seeded; choose another id");

    const std::string status = fixtureString(fixture, "status").value_or("active");
    static const std::set<std::string> statuses = {"pending_creatives", "pending_start", "active",  "paused",
                                                   "completed",         "rejected",      "canceled"};
    if (!statuses.count(status))
        return controllerError("INVALID_PARAMS", "fixture.status " + status + " is not a media buy status");
    QDateTime start;
    QDateTime end;
    if (!fixtureTime(fixture, "start_time", "start", &start) ||
        !fixtureTime(fixture, "end_time", "end", &end))
        return controllerError("INVALID_PARAMS", "fixture start_time/end_time must be ISO 8601 date-times");
    if (!start.isValid())
        start = task.now;
    if (!end.isValid())
        end = start.addDays(30);
    if (end <= start)
        return controllerError("INVALID_PARAMS", "fixture end_time must be after start_time");
    std::optional<double> total;
    for (const char *key : {"total_budget", "budget"}) {
        if (!total && fixture.contains(key))
            total = fixtureAmount(fixture[key]);
    }
    std::string currency = fixtureString(fixture, "currency").value_or("");
    for (const char *key : {"total_budget", "budget"}) {
        if (currency.empty() && fixture.contains(key))
            currency = fixtureString(fixture[key], "currency").value_or("");
    }
    if (currency.empty())
        currency = "USD";

    MediaBuyStore::NewBuy buy;
    AcceptedOrder &order = buy.order;
    order.principalId = task.principal.id;
    order.mediaBuyId = id;
    order.currency = currency;
    order.startTime = start;
    order.endTime = end;
    // What a create_media_buy for this buy would have carried; execution reads packages and webhooks from it.
    json request = {{"account", {{"sandbox", true}}},
                    {"start_time", isoTime(start).toStdString()},
                    {"end_time", isoTime(end).toStdString()},
                    {"packages", json::array()},
                    {"ext", {{"workbench", {{"seeded_by", "comply_test_controller"}}}}}};
    for (const char *member : {"push_notification_config", "reporting_webhook", "brand"}) {
        if (fixture.contains(member))
            request[member] = fixture[member];
    }
    const json packages = fixture.value("packages", json::array());
    if (!packages.is_array())
        return controllerError("INVALID_PARAMS", "fixture.packages must be an array");
    double packageTotal = 0;
    for (size_t i = 0; i < packages.size(); ++i) {
        const json &p = packages[i];
        const std::string where = "fixture.packages[" + std::to_string(i) + "]";
        const auto productId = fixtureString(p, "product_id");
        const Product *product = productId ? task.catalog->find(*productId) : nullptr;
        if (!product)
            return controllerError("INVALID_PARAMS", where + ".product_id must name a catalog or seeded "
                                                             "product (seed_product first)");
        // Members execution reads with fixed types.
        const bool typed = (!p.contains("paused") || p["paused"].is_boolean()) &&
                           (!p.contains("pacing") || p["pacing"].is_string()) &&
                           (!p.contains("bid_price") || p["bid_price"].is_number()) &&
                           (!p.contains("budget") || fixtureAmount(p["budget"])) &&
                           (!p.contains("package_id") || p["package_id"].is_string()) &&
                           (!p.contains("creative_assignments") || p["creative_assignments"].is_array());
        if (!typed)
            return controllerError("INVALID_PARAMS",
                                   where + ": paused must be a boolean, pacing and package_id strings, "
                                           "budget and bid_price numbers, creative_assignments an array");
        AcceptedPackage ap;
        ap.packageId = fixtureString(p, "package_id").value_or(id + "_pkg_" + std::to_string(i + 1));
        ap.productId = product->id;
        ap.pricingOptionId = fixtureString(p, "pricing_option_id")
                                 .value_or(product->defaultPricingOption().value("pricing_option_id", ""));
        if (!product->pricingOption(ap.pricingOptionId))
            return controllerError("INVALID_PARAMS",
                                   where + ".pricing_option_id is not an option of product " + product->id);
        const auto budget = p.contains("budget") ? fixtureAmount(p["budget"]) : std::nullopt;
        ap.budget = budget.value_or(total.value_or(0) / double(packages.size()));
        if (p.contains("bid_price") && p["bid_price"].is_number())
            ap.bidPrice = p["bid_price"].get<double>();
        packageTotal += ap.budget;
        json pj = {{"package_id", ap.packageId},
                   {"product_id", ap.productId},
                   {"pricing_option_id", ap.pricingOptionId},
                   {"budget", ap.budget},
                   {"paused", p.value("paused", false)}};
        if (ap.bidPrice)
            pj["bid_price"] = *ap.bidPrice;
        json requestPackage = pj;
        for (const char *member : {"pacing", "creative_assignments", "targeting_overlay"}) {
            if (p.contains(member))
                requestPackage[member] = p[member];
        }
        if (p.contains("pacing"))
            pj["pacing"] = p["pacing"];
        if (product->publicJson.contains("format_ids"))
            pj["format_ids_to_provide"] = product->publicJson["format_ids"];
        request["packages"].push_back(std::move(requestPackage));
        order.packages.push_back(std::move(ap));
        buy.packageJson.push_back(std::move(pj));
    }
    order.totalBudget = total.value_or(packageTotal);
    order.request = request;
    buy.status = status;
    if (auto name = fixtureString(fixture, "name"))
        buy.name = *name;
    buy.confirmedAt = task.now;
    buy.creativeDeadline = std::max(task.now, start.addSecs(-24 * 3600));

    QString error;
    storage::WriteTransaction tx(task.db);
    bool ok = tx.begin(&error) && MediaBuyStore::insert(task.db, buy, task.now, &error);
    if (ok)
        ok = task.seller.runOrderAcceptedHook(task.db, order, &error);
    // Seeded straight into a later state: the execution facts that state implies.
    QSqlQuery q(storage::connectionFor(task.db));
    if (ok && status == "paused")
        ok = execute(
            q, QStringLiteral("UPDATE exec_buys SET paused = 1 WHERE principal_id = ? AND media_buy_id = ?"),
            {qs(task.principal.id), qs(id)}, &error);
    else if (ok && status == "canceled")
        ok = execute(q,
                     QStringLiteral("UPDATE exec_buys SET canceled_at = ?, canceled_by = 'seller', "
                                    "cancellation_reason = 'seeded canceled' WHERE principal_id = ? AND "
                                    "media_buy_id = ?"),
                     {storage::isoTimeMs(task.now), qs(task.principal.id), qs(id)}, &error);
    else if (ok && status == "rejected")
        ok = execute(q,
                     QStringLiteral("UPDATE exec_buys SET rejection_reason = 'seeded rejected' WHERE "
                                    "principal_id = ? AND media_buy_id = ?"),
                     {qs(task.principal.id), qs(id)}, &error);
    if (ok && (status == "canceled" || status == "rejected")) {
        // The booking the hook enqueued is closed again right after it (jobs of a package run in order).
        if (const auto stored = MediaBuyLifecycle::load(task.db, task.principal.id, id)) {
            for (const auto &p : MediaBuyLifecycle::packages(task.db, *stored)) {
                if (p.adapter.empty())
                    continue;
                Job job{0, task.principal.id, id, p.packageId, p.adapter, "cancel", json::object(), 0};
                ok = ok && JobQueue::enqueue(task.db, job, &error);
            }
        }
    }
    ok = ok && SandboxSeeds::record(task.db, task.principal.id, "media_buy", id, fixture, task.now, &error) &&
         tx.commit(&error);
    if (!ok)
        return controllerError("INTERNAL_ERROR",
                               "media buy " + id + " could not be stored: " + error.toStdString());
    return adcp::ToolOutcome::success(
        {{"success", true}, {"message", "media buy " + id + " seeded as " + status}});
}

// Plans are stored as seeded and can be read back (SandboxSeeds::find); this seller has no governance that
// would check buys against them.
adcp::ToolOutcome seedPlan(TaskContext &task, const json &params)
{
    const std::string id = fixtureString(params, "plan_id").value_or("");
    const json fixture = params.contains("fixture") ? params["fixture"] : json::object();
    if (id.empty())
        return controllerError("INVALID_PARAMS", "seed_plan requires params.plan_id");
    if (!fixture.is_object())
        return controllerError("INVALID_PARAMS", "seed_plan requires params.fixture to be an object");
    if (auto replay = seedReplay(task, "plan", id, fixture))
        return *replay;
    QString error;
    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error) ||
        !SandboxSeeds::record(task.db, task.principal.id, "plan", id, fixture, task.now, &error) ||
        !tx.commit(&error))
        return controllerError("INTERNAL_ERROR", error.toStdString());
    return adcp::ToolOutcome::success({{"success", true}, {"message", "plan " + id + " seeded"}});
}

// seed_account: an account of the caller's sandbox principal under the id the storyboard names, built from a
// fixture shaped like core/account.json (name, status, brand, operator, billing, payment_terms). The same
// fixture again is a no-op, another one for the same id is refused, and so is an id the principal already
// holds without having seeded it (sync_accounts or first use made it).
std::optional<adcp::ToolOutcome> accountFixtureProblem(const json &fixture)
{
    static const std::set<std::string> statuses = {"active",           "pending_approval", "rejected",
                                                   "payment_required", "suspended",        "closed"};
    static const std::set<std::string> billings = {"operator", "agent", "advertiser"};
    static const std::set<std::string> terms = {"net_15", "net_30", "net_45", "net_60", "net_90", "prepay"};
    const auto badEnum = [&](const char *member, const std::set<std::string> &allowed) {
        return fixture.contains(member) &&
               (!fixture[member].is_string() || !allowed.count(fixture[member].get<std::string>()));
    };
    if (badEnum("status", statuses))
        return controllerError("INVALID_PARAMS", "fixture.status must be an account status");
    if (badEnum("billing", billings))
        return controllerError("INVALID_PARAMS", "fixture.billing must be operator, agent or advertiser");
    if (badEnum("payment_terms", terms))
        return controllerError("INVALID_PARAMS", "fixture.payment_terms must be a payment-terms value");
    for (const char *member : {"name", "operator"}) {
        if (fixture.contains(member) &&
            (!fixture[member].is_string() || fixture[member].get<std::string>().empty()))
            return controllerError("INVALID_PARAMS",
                                   std::string("fixture.") + member + " must be a non-empty string");
    }
    if (fixture.contains("brand") &&
        (!fixture["brand"].is_object() || !fixture["brand"].contains("domain") ||
         !fixture["brand"]["domain"].is_string() || fixture["brand"]["domain"].empty()))
        return controllerError("INVALID_PARAMS", "fixture.brand must be an object with a domain");
    return std::nullopt;
}

adcp::ToolOutcome seedAccount(TaskContext &task, const json &params)
{
    const std::string id = fixtureString(params, "account_id").value_or("");
    const json fixture = params.contains("fixture") ? params["fixture"] : json::object();
    if (id.empty())
        return controllerError("INVALID_PARAMS", "seed_account requires params.account_id");
    if (!fixture.is_object())
        return controllerError("INVALID_PARAMS", "seed_account requires params.fixture to be an object");
    if (auto problem = accountFixtureProblem(fixture))
        return *problem;
    if (auto replay = seedReplay(task, "account", id, fixture))
        return *replay;
    QString error;
    if (AccountStore::find(task.db, task.principal.id, id, &error))
        return controllerError("INVALID_PARAMS",
                               "account " + id + " already exists and was not seeded; choose a new id");
    Account a;
    a.principalId = task.principal.id;
    a.accountId = id;
    a.sandbox = true;
    a.brand = fixture.value("brand", json::object());
    a.operatorDomain = fixture.value("operator", a.brand.value("domain", std::string()));
    a.status = fixture.value("status", std::string("active"));
    a.billing = fixture.value("billing", std::string());
    a.paymentTerms = fixture.value("payment_terms", std::string());
    a.name = fixture.value("name", a.brand.value("domain", id));
    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error) || !AccountStore::insert(task.db, a, task.now, &error) ||
        !SandboxSeeds::record(task.db, task.principal.id, "account", id, fixture, task.now, &error) ||
        !tx.commit(&error))
        return controllerError("INTERNAL_ERROR",
                               "account " + id + " could not be stored: " + error.toStdString());
    return adcp::ToolOutcome::success(
        {{"success", true}, {"message", "account " + id + " seeded as " + a.status}});
}

adcp::ToolOutcome forceCreateArm(TaskContext &task, const json &params)
{
    SandboxDirectives::CreateArm arm{params.value("arm", std::string()),
                                     params.value("task_id", std::string()),
                                     params.value("message", std::string())};
    if (arm.arm != "submitted")
        return controllerError("INVALID_PARAMS",
                               "this seller can force the submitted arm only (arm = \"submitted\")");
    if (arm.taskId.empty())
        return controllerError("INVALID_PARAMS", "the submitted arm needs params.task_id");
    if (TaskStore::currentStatus(task.db, task.principal.id, arm.taskId))
        return controllerError("INVALID_PARAMS", "task " + arm.taskId + " already exists");
    QString error;
    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error) ||
        !SandboxDirectives::setCreateArm(task.db, task.principal.id, arm, task.now, &error) ||
        !tx.commit(&error))
        return controllerError("INTERNAL_ERROR", error.toStdString());
    return adcp::ToolOutcome::success({{"success", true},
                                       {"forced", {{"arm", arm.arm}, {"task_id", arm.taskId}}},
                                       {"message", "the next create_media_buy answers " + arm.arm}});
}

// force_get_products_arm: the next brief or refine get_products of this principal answers `submitted` under
// the task id given (force_task_completion then completes it with a get_products answer) or `rejected` with
// the reason and suggestions given. The request schema already pairs each arm with its params.
adcp::ToolOutcome forceProductsArm(TaskContext &task, const json &params)
{
    SandboxDirectives::ProductsArm arm{
        params.value("arm", std::string()), params.value("task_id", std::string()),
        params.value("message", std::string()), params.value("reason", std::string()),
        params.value("suggestions", std::vector<std::string>())};
    if (arm.arm != "submitted" && arm.arm != "rejected")
        return controllerError("INVALID_PARAMS",
                               "get_products can be forced to the submitted or rejected arm");
    if (arm.arm == "submitted" && TaskStore::currentStatus(task.db, task.principal.id, arm.taskId))
        return controllerError("INVALID_PARAMS", "task " + arm.taskId + " already exists");
    QString error;
    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error) ||
        !SandboxDirectives::setProductsArm(task.db, task.principal.id, arm, task.now, &error) ||
        !tx.commit(&error))
        return controllerError("INTERNAL_ERROR", error.toStdString());
    json forced = {{"arm", arm.arm}};
    if (arm.arm == "submitted") {
        forced["task_id"] = arm.taskId;
    } else {
        forced["reason"] = arm.reason;
        if (!arm.suggestions.empty())
            forced["suggestions"] = arm.suggestions;
    }
    return adcp::ToolOutcome::success({{"success", true},
                                       {"forced", std::move(forced)},
                                       {"message", "the next get_products answers " + arm.arm}});
}

} // namespace

adcp::ToolOutcome complyTestController(TaskContext &task, const json &args)
{
    // Sandbox principals only: production callers never see forced states.
    if (!task.principal.sandbox)
        return controllerError("FORBIDDEN", "comply_test_controller is available to sandbox accounts only");
    const std::string scenario = args.value("scenario", std::string());
    const auto &known = scenarios();
    if (std::find(known.begin(), known.end(), scenario) == known.end())
        return controllerError("UNKNOWN_SCENARIO",
                               "scenario " + scenario + " is not supported by this seller");
    // The controller answers malformed requests in its own shape (the Dispatcher leaves validation to it).
    // The sandbox assertion in `account` is checked against the principal above, and AdCP 3.0 runners do not
    // send it, so only the rest of the request is validated.
    json probe = args;
    probe["account"] = {{"sandbox", true}};
    if (const auto issues =
            task.seller.schemas().validate("/schemas/compliance/comply-test-controller-request.json", probe);
        !issues.empty())
        return controllerError("INVALID_PARAMS", issues.front().pointer + ": " + issues.front().message);
    const json params = args.value("params", json::object());
    if (scenario == "list_scenarios")
        return adcp::ToolOutcome::success({{"success", true}, {"scenarios", scenarios()}});
    if (resourceScenarios().count(scenario))
        return forceResource(task, scenario, params);
    if (scenario == "force_media_buy_status")
        return forceMediaBuy(task, params);
    if (scenario == "force_create_media_buy_arm")
        return forceCreateArm(task, params);
    if (scenario == "force_get_products_arm")
        return forceProductsArm(task, params);
    if (scenario == "force_task_completion")
        return forceTaskCompletion(task, params);
    if (scenario == "simulate_delivery")
        return simulateDelivery(task, params);
    if (scenario == "simulate_budget_spend")
        return simulateBudgetSpend(task, params);
    if (scenario == "force_account_status")
        return forceAccountStatus(task, params);
    if (scenario == "seed_creative_format")
        return seedCreativeFormat(task, args);
    if (scenario == "seed_creative")
        return seedCreative(task, params);
    if (scenario == "seed_product")
        return seedProduct(task, params);
    if (scenario == "seed_pricing_option")
        return seedPricingOption(task, params);
    if (scenario == "seed_media_buy")
        return seedMediaBuy(task, params);
    if (scenario == "seed_plan")
        return seedPlan(task, params);
    if (scenario == "seed_account")
        return seedAccount(task, params);
    if (scenario == "compact_direct_buy_lifecycle_probe")
        return prepareDirectBuyProbe(task, args);
    if (scenario == "compact_product_lifecycle_probe")
        return compactProductProbe(task, args);
    if (scenario == "catalog_item_availability_probe")
        return catalogAvailabilityProbe(task, args);
    if (scenario == "advance_clock") {
        const auto read = wire::JsonRef(params)["seconds"].integer(1, kMaxClockAdvanceSeconds);
        const qint64 seconds = read.valueOr(0);
        if (!read || task.seller.clock().now().addSecs(seconds).date().year() > 9999)
            return controllerError("INVALID_PARAMS", "seconds must be an integer between 1 and " +
                                                         std::to_string(kMaxClockAdvanceSeconds) +
                                                         " that keeps the clock before the year 10000");
        task.seller.clock().advance(seconds);
        const QDateTime now = task.seller.clock().now();
        QString error;
        MediaBuyLifecycle::refreshAll(task.db, now, &error);
        return adcp::ToolOutcome::success(
            {{"success", true},
             {"simulated", {{"advanced_seconds", seconds}, {"now", storage::isoTimeMs(now).toStdString()}}},
             {"message", "seller clock moved forward"}});
    }
    return controllerError("UNKNOWN_SCENARIO", "scenario " + scenario + " is not supported by this seller");
}

const std::vector<std::string> &complyScenarioNames()
{
    return scenarios();
}

} // namespace adcp::seller
