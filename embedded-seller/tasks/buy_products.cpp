#include "taskcontext.h"

#include "domain/catalog.h"
#include "domain/compactproposals.h"
#include "domain/productfeed.h"
#include "monitoring/lifecycle.h"
#include "storage/database.h"

namespace adcp::seller {

using nlohmann::json;

adcp::ToolOutcome createMediaBuy(TaskContext &task, const json &arguments);

namespace {

std::string purchaseField(size_t index, const std::string &member)
{
    return std::string("purchases[").append(std::to_string(index)).append("].").append(member);
}

// Members of the request this seller cannot honour as terms of a direct buy: refused by name rather than
// silently dropped, since a buyer reading the accepted snapshot would believe they apply.
const char *const kUnsupportedTopLevel[] = {"daily_budget_cap", "budget_cap_timezone", "budget_allocation",
                                            "bidding",          "invoice_recipient",   "opportunity"};
const char *const kUnsupportedPurchase[] = {"daily_budget_cap",
                                            "min_spend_target",
                                            "impressions",
                                            "bidding",
                                            "catalog_ids",
                                            "optimization_goals",
                                            "measurement_terms",
                                            "performance_standards",
                                            "audience_evidence_pins",
                                            "audience_evidence_requirements"};

// Checks only a direct buy has: the published versions it accepts, the pricing snapshot it names and the
// format options it selects. The order itself is checked by the create_media_buy path.
std::optional<adcp::ToolOutcome> checkDirectPurchase(const TaskContext &task, const json &args)
{
    const std::string feed = productfeed::feedVersion(*task.catalog);
    const std::string pricing = productfeed::pricingVersion(*task.catalog);
    const auto stale = [](const char *field, const std::string &current) {
        auto outcome =
            failure("CONFLICT",
                    std::string(field) + " is not the current one: the published offers have "
                                         "changed since they were listed",
                    std::string(field),
                    "list the products again (list_products) and buy against the current versions");
        const std::string member = std::string("current_") + field;
        outcome.error->details = {{member, current}};
        outcome.result["errors"][0]["details"] = outcome.error->details;
        return outcome;
    };
    if (args.value("feed_version", std::string()) != feed)
        return stale("feed_version", feed);
    if (!args.contains("pricing_version"))
        return failure("INVALID_REQUEST", "this seller versions its pricing: send the pricing_version",
                       std::string("pricing_version"), "send pricing_version from the list_products answer");
    if (args["pricing_version"] != pricing)
        return stale("pricing_version", pricing);

    for (const char *member : kUnsupportedTopLevel) {
        if (args.contains(member))
            return failure("UNSUPPORTED_FEATURE",
                           std::string(member) + " is not supported on direct buys by this seller",
                           std::string(member), "send the request without it");
    }
    if (args.value("paused", false))
        return failure("UNSUPPORTED_FEATURE", "a direct buy cannot be created paused by this seller",
                       "paused", "buy, then pause it with control_media_buy");

    const json &purchases = args.at("purchases");
    for (size_t i = 0; i < purchases.size(); ++i) {
        const json &purchase = purchases[i];
        for (const char *member : kUnsupportedPurchase) {
            if (purchase.contains(member))
                return failure("UNSUPPORTED_FEATURE",
                               std::string(member) + " is not supported on direct buys by this seller",
                               purchaseField(i, member), "send the purchase without it");
        }
        const std::string optionId = purchase.value("pricing_option_id", std::string());
        if (purchase.contains("pricing") &&
            purchase["pricing"].value("pricing_option_id", std::string()) != optionId)
            return failure("INVALID_REQUEST", "pricing.pricing_option_id differs from pricing_option_id",
                           purchaseField(i, "pricing.pricing_option_id"),
                           "send the pricing snapshot of the option bought, or no snapshot");
        const Product *product = task.catalog->find(purchase.value("product_id", std::string()));
        if (!product)
            continue; // PRODUCT_NOT_FOUND from the order path
        if (const json *option = product->pricingOption(optionId);
            option && purchase.contains("pricing") &&
            purchase["pricing"] != compact::canonicalPricingOption(*option))
            return failure("CONFLICT", "the pricing snapshot differs from the published pricing option",
                           purchaseField(i, "pricing"),
                           "list the products again and send the pricing option as published");
        const json options = productfeed::formatOptions(*product);
        const json refs = purchase.value("format_option_refs", json::array());
        for (size_t r = 0; r < refs.size(); ++r) {
            const std::string id = refs[r].value("format_option_id", std::string());
            if (std::none_of(options.begin(), options.end(),
                             [&](const json &o) { return o["format_option_id"] == id; }))
                return failure(
                    "FORMAT_OPTION_UNRESOLVED", "product " + product->id + " has no format option " + id,
                    purchaseField(i, "format_option_refs[" + std::to_string(r) + "].format_option_id"),
                    "use a format_option_id from the product's format_options");
        }
    }
    return std::nullopt;
}

// The create_media_buy order a direct buy executes: one package per purchase.
json directOrder(const json &args)
{
    const json &purchases = args.at("purchases");
    json packages = json::array();
    for (const auto &purchase : purchases) {
        json package = {{"product_id", purchase.at("product_id")},
                        {"pricing_option_id", purchase.at("pricing_option_id")}};
        // One purchase without a budget of its own spends the whole total budget.
        if (purchase.contains("budget"))
            package["budget"] = purchase["budget"];
        else if (purchases.size() == 1 && args.contains("total_budget"))
            package["budget"] = args["total_budget"]["amount"];
        for (const char *member : {"start_time", "end_time", "pacing", "targeting_overlay", "context"}) {
            if (purchase.contains(member))
                package[member] = purchase[member];
        }
        if (!package.contains("pacing") && args.contains("pacing"))
            package["pacing"] = args["pacing"];
        if (purchase.contains("format_option_refs"))
            package["format_option_refs"] = purchase["format_option_refs"];
        packages.push_back(std::move(package));
    }
    const json &account = args.at("account");
    json order = {{"idempotency_key", args.at("idempotency_key")},
                  {"account", account},
                  {"brand", args.contains("brand") ? args["brand"] : account.value("brand", json::object())},
                  {"start_time", args.at("start_time")},
                  {"end_time", args.at("end_time")},
                  {"packages", std::move(packages)}};
    for (const char *member :
         {"total_budget", "push_notification_config", "reporting_webhook", "context", "governance_context"}) {
        if (args.contains(member))
            order[member] = args[member];
    }
    if (args.contains("purchase_order_ref"))
        order["po_number"] = args["purchase_order_ref"];
    order["adcp_version"] = "3.2"; // a compact caller reads `status` as the task status
    return order;
}

// The order path names the members of its own request: point them at the direct buy's.
void renameOrderFields(adcp::ToolOutcome &outcome)
{
    const auto rename = [](std::string field) {
        if (field.rfind("packages[", 0) == 0)
            return "purchases[" + field.substr(9);
        if (field == "packages")
            return std::string("purchases");
        if (field == "po_number")
            return std::string("purchase_order_ref");
        return field;
    };
    if (outcome.error && outcome.error->field)
        outcome.error->field = rename(*outcome.error->field);
    for (auto &e : outcome.result["errors"]) {
        if (e.contains("field") && e["field"].is_string())
            e["field"] = rename(e["field"].get<std::string>());
    }
}

// The accepted commercial terms of a direct buy: every purchase resolved to its published pricing and flight.
json directTerms(const TaskContext &task, const json &args, const json &orderResult)
{
    const std::string start = args["start_time"] == "asap" ? isoTime(task.now).toStdString()
                                                           : args["start_time"].get<std::string>();
    json purchases = json::array();
    const json &bought = args.at("purchases");
    const json &packages = orderResult.at("packages");
    for (size_t i = 0; i < bought.size() && i < packages.size(); ++i) {
        const Product *product = task.catalog->find(bought[i].at("product_id").get<std::string>());
        const std::string optionId = bought[i].at("pricing_option_id").get<std::string>();
        json purchase = bought[i];
        purchase["pricing"] = compact::canonicalPricingOption(*product->pricingOption(optionId));
        purchase["budget"] = packages[i].at("budget");
        purchase["start_time"] = bought[i].value("start_time", start);
        purchase["end_time"] = bought[i].value("end_time", args["end_time"].get<std::string>());
        purchases.push_back(std::move(purchase));
    }
    json terms = {{"source_feed_version", args.at("feed_version")},
                  {"source_pricing_version", args.at("pricing_version")},
                  {"brand", args.contains("brand") ? args["brand"] : args["account"]["brand"]},
                  {"purchases", std::move(purchases)},
                  {"start_time", args.at("start_time")},
                  {"end_time", args.at("end_time")},
                  {"total_budget",
                   {{"amount", orderResult.at("total_budget")}, {"currency", orderResult.at("currency")}}}};
    for (const char *member :
         {"advertiser_industry", "pacing", "purchase_order_ref", "agency_estimate_number"}) {
        if (args.contains(member))
            terms[member] = args[member];
    }
    return terms;
}

// A direct buy's accepted proposal, as its answer carries it and compact_proposals keeps it.
json acceptedTerms(json terms)
{
    const std::string digest = compact::termsDigest(terms);
    return {{"proposal_id", newId("prop")},
            {"proposal_kind", "new_media_buy"},
            {"name", "Direct purchase"},
            {"commercial_terms", std::move(terms)},
            {"terms_digest", digest}};
}

// What directTerms reads of an order's answer (each package's budget, the total and its currency), for an
// order held under `taskId`, from the buy as stored.
std::optional<json> heldOrder(TaskContext &task, const std::string &taskId, QString *error)
{
    storage::Read q(task.db,
                    QStringLiteral("SELECT b.media_buy_id FROM exec_buys b WHERE b.principal_id = ? AND "
                                   "b.task_id = ?"),
                    {storage::qs(task.principal.id), storage::qs(taskId)}, error);
    if (!q)
        return std::nullopt;
    if (!q.next()) {
        *error = QStringLiteral("no media buy is held under task %1").arg(storage::qs(taskId));
        return std::nullopt;
    }
    const std::string mediaBuyId = q.value(0).toString().toStdString();
    q.finish();
    const auto buy = MediaBuyLifecycle::load(task.db, task.principal.id, mediaBuyId);
    if (!buy) {
        *error = QStringLiteral("media buy %1 could not be read back").arg(storage::qs(mediaBuyId));
        return std::nullopt;
    }
    return json{{"packages", MediaBuyLifecycle::packageBudgets(task.db, *buy)},
                {"total_budget", buy->totalBudget},
                {"currency", buy->currency}};
}

} // namespace

// buy_products (AdCP 3.2): buys published offers straight from the product feed. The purchases are checked
// against the feed and pricing versions the buyer listed, then executed through the create_media_buy order
// path (the same checks, governance, reservation and execution hook), and the accepted terms are kept as an
// immutable accepted proposal snapshot (compact_proposals) in the same transaction as the order.
adcp::ToolOutcome buyProducts(TaskContext &task, const json &args)
{
    if (auto refused = checkDirectPurchase(task, args))
        return *refused;

    QString error;
    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error))
        return failure("SERVICE_UNAVAILABLE", "the seller database is busy: " + error.toStdString(),
                       std::nullopt, "retry the same request");
    auto outcome = createMediaBuy(task, directOrder(args));
    if (!outcome.ok()) {
        renameOrderFields(outcome);
        return outcome;
    }
    const auto stored = [](const QString &why) {
        return failure("SERVICE_UNAVAILABLE", "the order could not be stored: " + why.toStdString(),
                       std::nullopt, "retry the same request");
    };
    if (outcome.result.value("status", std::string()) == "submitted") {
        // Held for the seller's approval (status submitted, task_id, message). The task is the direct buy's,
        // with its request, and the accepted terms wait with it, priced now as the buyer bought them:
        // Execution::decide keeps them when the seller approves, and they go when it declines.
        const std::string taskId = outcome.result.value("task_id", std::string());
        const auto held = heldOrder(task, taskId, &error);
        if (!held)
            return stored(error);
        if (!storage::write(
                task.db,
                QStringLiteral("UPDATE exec_tasks SET task_type = 'buy_products', request_json = ?, "
                               "pending_json = ? WHERE principal_id = ? AND task_id = ?"),
                {storage::toText(args), storage::toText(acceptedTerms(directTerms(task, args, *held))),
                 storage::qs(task.principal.id), storage::qs(taskId)},
                &error) ||
            !tx.commit(&error))
            return stored(error);
        return outcome;
    }

    const json accepted = acceptedTerms(directTerms(task, args, outcome.result));
    if (!CompactProposalStore::insert(task.db, task.principal.id, compact::acceptedRecord(accepted), task.now,
                                      &error) ||
        !tx.commit(&error))
        return stored(error);
    return adcp::ToolOutcome::success(compact::commitmentResult(
        outcome.result, accepted, accepted["commercial_terms"]["purchases"], task.now));
}

} // namespace adcp::seller
