#include "taskcontext.h"

#include "domain/compactproposals.h"
#include "monitoring/lifecycle.h"

#include <set>

namespace adcp::seller {

using nlohmann::json;

adcp::ToolOutcome updateMediaBuy(TaskContext &task, const json &arguments);

namespace {

// Every control of the request root and of a package patch (cancellation excludes each of them).
const char *const kRootControls[] = {
    "name",   "paused",  "total_budget", "daily_budget_cap", "budget_cap_timezone", "budget_allocation",
    "pacing", "bidding", "packages",     "reporting_webhook"};
const char *const kPackageControls[] = {"budget",
                                        "daily_budget_cap",
                                        "min_spend_target",
                                        "impressions",
                                        "pacing",
                                        "bidding",
                                        "paused",
                                        "targeting_overlay",
                                        "catalog_ids",
                                        "keyword_targets_add",
                                        "keyword_targets_remove",
                                        "negative_keywords_add",
                                        "negative_keywords_remove",
                                        "optimization_goals"};
// Controls this seller does not run (it has no daily caps, bidding policies, catalogs, keywords or goals).
const char *const kUnsupportedRoot[] = {"daily_budget_cap", "budget_cap_timezone", "budget_allocation",
                                        "bidding"};
const char *const kUnsupportedPackage[] = {"daily_budget_cap",
                                           "min_spend_target",
                                           "impressions",
                                           "bidding",
                                           "catalog_ids",
                                           "keyword_targets_add",
                                           "keyword_targets_remove",
                                           "negative_keywords_add",
                                           "negative_keywords_remove",
                                           "optimization_goals"};

std::string controlPackageField(size_t index, const char *member)
{
    return std::string("packages[").append(std::to_string(index)).append("].").append(member);
}

// Cancellation is exclusive, at the root and in each package patch; the other member is named.
std::optional<adcp::ToolOutcome> controlCancelConflict(const json &object, const char *const *controls,
                                                       size_t count, const std::string &prefix)
{
    if (object.contains("cancellation_reason") && !object.contains("canceled"))
        return failure("INVALID_REQUEST", "cancellation_reason needs canceled: true",
                       prefix + "cancellation_reason", "send canceled: true with the reason, or no reason");
    if (!object.contains("canceled"))
        return std::nullopt;
    for (size_t i = 0; i < count; ++i) {
        if (object.contains(controls[i]))
            return failure(
                "INVALID_REQUEST",
                std::string("canceled excludes every other change, and ").append(controls[i]) + " is one",
                prefix + controls[i], "cancel on its own, or send the other changes without canceled");
    }
    return std::nullopt;
}

adcp::ToolOutcome requoteRequired(std::string message, const std::string &field)
{
    auto outcome =
        failure("REQUOTE_REQUIRED", std::move(message), field,
                "refine the buy's accepted proposal (refine_proposals), finalize it and accept the "
                "new terms (accept_proposal)");
    outcome.error->details = {{"envelope_field", field}};
    outcome.result["errors"][0]["details"] = outcome.error->details;
    return outcome;
}

} // namespace

// Shape rules of control_media_buy that the schema also encodes, reported with the member they are about.
adcp::ToolOutcome checkControlMediaBuy(TaskContext &, const json &args)
{
    if (auto conflict = controlCancelConflict(args, kRootControls, std::size(kRootControls), ""))
        return *conflict;
    std::set<std::string> seen;
    const json packages = args.value("packages", json::array());
    for (size_t i = 0; packages.is_array() && i < packages.size(); ++i) {
        if (!packages[i].is_object())
            continue;
        const std::string prefix = std::string("packages[").append(std::to_string(i)).append("].");
        if (auto conflict =
                controlCancelConflict(packages[i], kPackageControls, std::size(kPackageControls), prefix))
            return *conflict;
        if (!seen.insert(packages[i].value("package_id", std::string())).second)
            return failure("INVALID_REQUEST", "each package_id may appear once", prefix + "package_id",
                           "merge the changes of one package into one entry");
    }
    return adcp::ToolOutcome::success(json::object());
}

// control_media_buy (AdCP 3.2): operational changes inside a buy's accepted commercial envelope, applied by
// the update_media_buy path (revision check, lifecycle rules, ad-server jobs, task record). Changes that
// would leave the envelope (more budget, another currency) answer REQUOTE_REQUIRED and change nothing.
adcp::ToolOutcome controlMediaBuy(TaskContext &task, const json &args)
{
    if (auto checked = checkControlMediaBuy(task, args); !checked.ok())
        return checked;
    // The first control of `offered` that `object` carries but this seller does not offer, refused at its
    // field.
    const auto unsupported = [](const json &object, const auto &offered, const auto &fieldOf,
                                const char *suggestion) -> std::optional<adcp::ToolOutcome> {
        for (const char *member : offered) {
            if (object.contains(member))
                return failure("UNSUPPORTED_FEATURE",
                               std::string(member) + " is not a control this seller offers", fieldOf(member),
                               suggestion);
        }
        return std::nullopt;
    };
    if (auto refused = unsupported(
            args, kUnsupportedRoot, [](const char *member) { return std::string(member); },
            "send the request without it"))
        return std::move(*refused);
    const json packages = args.value("packages", json::array());
    for (size_t i = 0; i < packages.size(); ++i) {
        if (auto refused = unsupported(
                packages[i], kUnsupportedPackage,
                [i](const char *member) { return controlPackageField(i, member); },
                "send the package patch without it"))
            return std::move(*refused);
        if (packages[i].contains("budget") && !packages[i]["budget"].is_number())
            return failure("INVALID_REQUEST", "a package budget cannot be removed",
                           controlPackageField(i, "budget"), "send the new budget as a number");
    }

    const std::string mediaBuyId = args.value("media_buy_id", std::string());
    const auto buy = MediaBuyLifecycle::load(task.db, task.principal.id, mediaBuyId);
    json update = {{"idempotency_key", args.at("idempotency_key")},
                   {"account", args.at("account")},
                   {"media_buy_id", mediaBuyId},
                   {"revision", args.at("revision")},
                   {"adcp_version", "3.2"}};
    // The envelope is checked only on a buy this caller can change at the revision it names; otherwise the
    // update path answers (MEDIA_BUY_NOT_FOUND, CONFLICT).
    if (buy && args["revision"].get<qint64>() == std::max<qint64>(1, buy->revision)) {
        if (auto it = args.find("total_budget"); it != args.end()) {
            if ((*it)["currency"] != buy->currency)
                return requoteRequired("the buy was accepted in " + buy->currency, "total_budget.currency");
            if ((*it)["amount"].get<double>() > buy->totalBudget + 0.005)
                return requoteRequired(
                    "total_budget " + amountText((*it)["amount"].get<double>(), buy->currency) +
                        " exceeds the accepted " + amountText(buy->totalBudget, buy->currency),
                    "total_budget.amount");
        }
        const auto current = MediaBuyLifecycle::packages(task.db, *buy);
        for (size_t i = 0; i < packages.size(); ++i) {
            const std::string id = packages[i].value("package_id", std::string());
            const auto found = std::find_if(current.begin(), current.end(),
                                            [&](const PackageExecution &p) { return p.packageId == id; });
            if (found != current.end() && packages[i].contains("budget") &&
                packages[i]["budget"].get<double>() > found->budget + 0.005)
                return requoteRequired("package " + id + " was accepted with " +
                                           amountText(found->budget, buy->currency),
                                       controlPackageField(i, "budget"));
        }
        // A buy-wide pacing applies to every package that does not set its own.
        if (args.contains("pacing")) {
            json patched = packages;
            for (const auto &p : current) {
                const bool listed = std::any_of(patched.begin(), patched.end(), [&](const json &u) {
                    return u["package_id"] == p.packageId;
                });
                if (!p.canceled && !listed)
                    patched.push_back({{"package_id", p.packageId}, {"pacing", args["pacing"]}});
            }
            for (auto &u : patched) {
                if (!u.contains("pacing") && !u.contains("canceled"))
                    u["pacing"] = args["pacing"];
            }
            update["packages"] = std::move(patched);
        }
    }
    for (const char *member : {"name", "paused", "canceled", "cancellation_reason", "total_budget",
                               "reporting_webhook", "push_notification_config", "context"}) {
        if (args.contains(member))
            update[member] = args[member];
    }
    if (!update.contains("packages") && !packages.empty())
        update["packages"] = packages;

    auto outcome = updateMediaBuy(task, update);
    if (!outcome.ok())
        return outcome;
    json affected = json::array();
    for (const auto &p : outcome.result.value("affected_packages", json::array()))
        affected.push_back(p.at("package_id"));
    const std::string status = outcome.result.value("media_buy_status", std::string());
    return adcp::ToolOutcome::success({{"status", "completed"},
                                       {"media_buy_id", mediaBuyId},
                                       {"revision", outcome.result.at("revision")},
                                       {"media_buy_status", status},
                                       {"implementation_date", outcome.result.at("implementation_date")},
                                       {"affected_package_ids", std::move(affected)},
                                       {"available_actions", compact::mediaBuyActions(status)}});
}

} // namespace adcp::seller
