#include "taskcontext.h"

#include "datasync/audiences.h"
#include "datasync/catalogs.h"

#include "governance/purchasecheck.h"

#include "sandboxdirectives.h"

#include "jobs/execution.h"

#include "domain/catalog.h"
#include "domain/mediabuystore.h"
#include "domain/opportunitystore.h"
#include "domain/pricing.h"
#include "domain/productconfigstore.h"
#include "domain/proposalstore.h"
#include "storage/database.h"
#include "webhooks/webhookoutbox.h"

#include <cmath>
#include <set>

namespace adcp::seller {

using nlohmann::json;

namespace {

using Errors = std::vector<adcp::AdcpError>;

void add(Errors &errors, const char *code, std::string message, std::string field,
         std::optional<std::string> suggestion = std::nullopt)
{
    errors.push_back(
        adcp::AdcpError::make(code, std::move(message), std::move(field), std::move(suggestion)));
}

std::string pkgField(size_t i, const char *member)
{
    return "packages[" + std::to_string(i) + "]." + member;
}

QDateTime parseTime(const json &value)
{
    if (!value.is_string())
        return {};
    QDateTime t = QDateTime::fromString(QString::fromStdString(value.get<std::string>()), Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(QString::fromStdString(value.get<std::string>()), Qt::ISODate);
    return t.isValid() ? t.toUTC() : QDateTime();
}

struct PlannedPackage
{
    const Product *product = nullptr;
    std::string pricingOptionId;
    double budget = 0;
    std::optional<double> bidPrice;
    json request;     // the package request, or the proposal allocation it comes from
    size_t index = 0; // in packages[] (or the proposal's allocations)
};

// Checks that need the proposal come first and alone: the rest of the request is read against it.
std::optional<adcp::AdcpError> checkProposal(TaskContext &task, const json &args,
                                             const StoredProposal *proposal, std::optional<int> *versionOut)
{
    using adcp::AdcpError;
    if (!proposal)
        return AdcpError::make("PROPOSAL_NOT_FOUND", "no such proposal", "proposal_id",
                               "use a proposal_id from a get_products response of this account");
    const auto &p = *proposal;
    const bool hasVersion = args.contains("proposal_version");
    if (p.state == ProposalState::Declined)
        return AdcpError::make("INVALID_STATE",
                               "proposal version " + versionLabel(p.declinedVersion.value_or(p.version)) +
                                   " was declined (" + p.declineReason.value_or("") +
                                   ") and cannot be executed",
                               "proposal_id", "request a new proposal with get_products");
    if (!hasVersion && (task.options.requireProposalVersion || p.versioned))
        return AdcpError::make(
            "INVALID_REQUEST", "this proposal is versioned: send the proposal_version you accept",
            "proposal_version", "send proposal_version " + versionLabel(p.version) + " from the proposal");
    if (hasVersion) {
        const auto number = versionNumber(args.value("proposal_version", std::string()));
        if (!number || *number > p.version)
            return AdcpError::make("PROPOSAL_NOT_FOUND", "this proposal has no such proposal_version",
                                   "proposal_version", "re-read the proposal and use its proposal_version");
        if (*number != p.version && !task.options.breaks("accept-stale-version")) {
            auto e =
                AdcpError::make("CONFLICT",
                                "proposal_version " + versionLabel(*number) +
                                    " is stale: the proposal is at " + versionLabel(p.version),
                                "proposal_version",
                                "re-read the proposal (get_products refine, action include) and accept its "
                                "current proposal_version");
            // A stale version will not succeed by waiting: the buyer must re-read first.
            e.recovery = adcp::Recovery::Correctable;
            return e;
        }
        // (With the rule broken on purpose the stale version is taken as if it were the current one.)
        *versionOut = task.options.breaks("accept-stale-version") ? p.version : *number;
    } else {
        *versionOut = p.version;
    }
    if (p.state == ProposalState::Consuming || p.state == ProposalState::Consumed)
        return AdcpError::make("INVALID_STATE",
                               p.mediaBuyId
                                   ? "this proposal was already executed as media buy " + *p.mediaBuyId
                                   : std::string("this proposal is being executed by another request"),
                               "proposal_id", "read the existing buy with get_media_buys");
    if (p.state == ProposalState::Draft)
        return AdcpError::make("PROPOSAL_NOT_COMMITTED", "this proposal is a draft: nothing is held yet",
                               "proposal_id",
                               "finalize it first: get_products with buying_mode refine and "
                               "{scope: proposal, proposal_id, action: finalize}");
    if (p.expired(task.now))
        return AdcpError::make("PROPOSAL_EXPIRED",
                               "the hold of this proposal ended at " + isoTime(p.expiresAt).toStdString(),
                               "proposal_id", "request and finalize a fresh proposal with get_products");
    return std::nullopt;
}

} // namespace

// Rules the schema also encodes (as a bare oneOf/not), reported with the member they are about.
adcp::ToolOutcome checkCreateMediaBuy(TaskContext &, const json &args)
{
    if (args.contains("proposal_id") && args.contains("packages"))
        return failure("INVALID_REQUEST", "send either proposal_id or packages, not both", "packages");
    if (args.contains("opportunity") && !args.contains("proposal_id"))
        return failure("INVALID_REQUEST",
                       "opportunity context on create_media_buy needs the proposal_id it accepts",
                       "proposal_id");
    return adcp::ToolOutcome::success(json::object());
}

adcp::ToolOutcome createMediaBuy(TaskContext &task, const json &args)
{
    const auto &catalog = *task.catalog;
    QString dbError;

    // ---- proposal ----
    std::optional<StoredProposal> proposal;
    std::optional<int> acceptedVersion;
    const bool fromProposal = args.contains("proposal_id");
    if (fromProposal) {
        proposal = ProposalStore::find(task.db, task.principal.id, args.value("proposal_id", std::string()),
                                       &dbError);
        if (!dbError.isEmpty())
            return failure("SERVICE_UNAVAILABLE",
                           "the seller could not read the proposal: " + dbError.toStdString());
        if (auto error = checkProposal(task, args, proposal ? &*proposal : nullptr, &acceptedVersion))
            return failureWithErrors({*error});
    }

    // ---- everything else, collected ----
    Errors errors;
    for (const char *member : {"idempotency_key", "account", "brand", "start_time", "end_time"}) {
        if (!args.contains(member))
            add(errors, "INVALID_REQUEST", std::string(member) + " is required", member);
    }

    // A date in the past is reported after the commercial errors (it depends on when the request is sent);
    // malformed or reversed dates come first.
    Errors lateErrors;
    QDateTime start;
    if (args.contains("start_time")) {
        if (args["start_time"] == "asap")
            start = task.now;
        else {
            start = parseTime(args["start_time"]);
            if (!start.isValid())
                add(errors, "INVALID_REQUEST", "start_time is neither 'asap' nor an ISO 8601 date-time",
                    "start_time");
            else if (start < task.now.addSecs(-60))
                add(lateErrors, "INVALID_REQUEST",
                    "start_time " + isoTime(start).toStdString() + " is in the past", "start_time",
                    "use 'asap' or a future date-time");
        }
    }
    QDateTime end;
    if (args.contains("end_time")) {
        end = parseTime(args["end_time"]);
        if (!end.isValid())
            add(errors, "INVALID_REQUEST", "end_time is not an ISO 8601 date-time", "end_time");
        else if (start.isValid() && end <= start)
            add(errors, "INVALID_REQUEST", "end_time must be after start_time", "end_time");
        else if (end < task.now)
            add(lateErrors, "INVALID_REQUEST", "end_time is in the past", "end_time");
    }

    std::optional<double> totalAmount;
    std::string currency;
    if (auto it = args.find("total_budget"); it != args.end()) {
        if (!it->is_object() || !it->contains("amount") || !(*it)["amount"].is_number())
            add(errors, "INVALID_REQUEST", "total_budget needs an amount", "total_budget.amount");
        else if ((*it)["amount"].get<double>() <= 0)
            add(errors, "INVALID_REQUEST", "total_budget.amount must be positive", "total_budget.amount");
        else
            totalAmount = (*it)["amount"].get<double>();
        if (it->is_object() && it->contains("currency") && (*it)["currency"].is_string())
            currency = (*it)["currency"].get<std::string>();
    }

    std::vector<PlannedPackage> planned;
    if (fromProposal) {
        const std::string proposalCurrency = proposal->current.value("total_budget_guidance", json::object())
                                                 .value("currency", std::string("USD"));
        if (args.contains("packages"))
            add(errors, "INVALID_REQUEST", "send either proposal_id or packages, not both", "packages");
        if (!args.contains("total_budget"))
            add(errors, "INVALID_REQUEST", "executing a proposal needs total_budget", "total_budget");
        if (currency.empty())
            currency = proposalCurrency;
        else if (currency != proposalCurrency)
            add(errors, "INVALID_REQUEST",
                "total_budget.currency " + currency + " differs from the proposal's currency " +
                    proposalCurrency,
                "total_budget.currency");
        const auto &io = proposal->current.value("insertion_order", json::object());
        if (io.value("requires_signature", false)) {
            const auto acceptance = args.value("io_acceptance", json::object());
            if (!acceptance.is_object() ||
                acceptance.value("io_id", std::string()) != io.value("io_id", std::string()))
                add(errors, "IO_REQUIRED",
                    "this proposal's insertion order " + io.value("io_id", std::string()) +
                        " must be accepted",
                    "io_acceptance", "send io_acceptance with io_id " + io.value("io_id", std::string()));
        }
        for (const auto &allocation : proposal->current.value("allocations", json::array())) {
            PlannedPackage p;
            p.product = catalog.find(allocation.value("product_id", std::string()));
            p.pricingOptionId = allocation.value("pricing_option_id", std::string());
            p.request = allocation;
            if (!p.product) {
                add(errors, "PRODUCT_UNAVAILABLE",
                    "product " + allocation.value("product_id", std::string()) + " is no longer sold",
                    "proposal_id", "request a fresh proposal with get_products");
                continue;
            }
            if (totalAmount)
                p.budget = std::round(*totalAmount * allocation.value("allocation_percentage", 0.0)) / 100.0;
            planned.push_back(std::move(p));
        }
        if (totalAmount) {
            for (const auto &p : planned) {
                const json *option = p.product->pricingOption(p.pricingOptionId);
                if (option && p.budget < minSpend(*option)) {
                    const double pct = p.request.value("allocation_percentage", 100.0);
                    add(errors, "BUDGET_TOO_LOW",
                        "the share of " + p.product->id + " (" + amountText(p.budget, currency) +
                            ") is below its minimum spend of " + amountText(minSpend(*option), currency),
                        "total_budget.amount",
                        "raise total_budget to at least " +
                            amountText(std::ceil(minSpend(*option) * 100.0 / pct), currency));
                    break;
                }
            }
        }
    } else {
        const auto packages = args.value("packages", json::array());
        if (!packages.is_array() || packages.empty())
            add(errors, "INVALID_REQUEST", "send packages, or a proposal_id with total_budget", "packages");
        if (args.contains("opportunity"))
            add(errors, "INVALID_REQUEST",
                "opportunity context on create_media_buy needs the proposal_id it accepts", "proposal_id");
        double sum = 0;
        for (size_t i = 0; packages.is_array() && i < packages.size(); ++i) {
            const auto &pkg = packages[i];
            PlannedPackage p;
            p.request = pkg;
            p.index = i;
            p.product = catalog.find(pkg.value("product_id", std::string()));
            if (!p.product) {
                add(errors, "PRODUCT_NOT_FOUND", "no such product: " + pkg.value("product_id", std::string()),
                    pkgField(i, "product_id"), "use a product_id from get_products");
                continue;
            }
            p.pricingOptionId = pkg.value("pricing_option_id", std::string());
            const json *option = p.product->pricingOption(p.pricingOptionId);
            if (!option) {
                add(errors, "INVALID_PRICING_OPTION",
                    "product " + p.product->id + " has no pricing option " + p.pricingOptionId,
                    pkgField(i, "pricing_option_id"),
                    "use a pricing_option_id from the product's pricing_options");
                continue;
            }
            const std::string optionCurrency = option->value("currency", std::string());
            if (currency.empty())
                currency = optionCurrency;
            else if (optionCurrency != currency)
                add(errors, "INVALID_REQUEST",
                    "pricing option " + p.pricingOptionId + " is in " + optionCurrency + ", the buy is in " +
                        currency,
                    pkgField(i, "pricing_option_id"), "use pricing options of one currency");
            if (!pkg.contains("budget") || !pkg["budget"].is_number()) {
                add(errors, "INVALID_REQUEST", "each package needs a budget", pkgField(i, "budget"));
            } else {
                p.budget = pkg["budget"].get<double>();
                sum += p.budget;
                if (p.budget <= 0)
                    add(errors, "INVALID_REQUEST", "the package budget must be positive",
                        pkgField(i, "budget"));
                else if (p.budget < minSpend(*option))
                    add(errors, "BUDGET_TOO_LOW",
                        "budget " + amountText(p.budget, optionCurrency) + " is below the minimum spend of " +
                            amountText(minSpend(*option), optionCurrency),
                        pkgField(i, "budget"),
                        "raise the budget to at least " + amountText(minSpend(*option), optionCurrency));
            }
            if (pkg.contains("bid_price") && pkg["bid_price"].is_number()) {
                p.bidPrice = pkg["bid_price"].get<double>();
                if (isAuction(*option) && *p.bidPrice < option->value("floor_price", 0.0))
                    add(errors, "INVALID_REQUEST",
                        "bid_price " + amountText(*p.bidPrice, optionCurrency) + " is below the floor of " +
                            amountText(option->value("floor_price", 0.0), optionCurrency),
                        pkgField(i, "bid_price"), "bid at least the floor_price");
            }
            if (auto targeting = pkg.find("targeting_overlay"); targeting != pkg.end()) {
                auto tooSmall = audiences::checkTargeting(task.db, task.principal.id, *targeting,
                                                          pkgField(i, "targeting_overlay"));
                errors.insert(errors.end(), tooSmall.begin(), tooSmall.end());
            }
            if (auto refs = pkg.find("catalogs"); refs != pkg.end()) {
                auto problems = catalogs::checkPackage(
                    task.db, task.principal.id,
                    task.account ? std::optional<std::string>(task.account->accountId) : std::nullopt, *refs,
                    "packages[" + std::to_string(i) + "]");
                errors.insert(errors.end(), problems.begin(), problems.end());
            }
            if (auto terms = pkg.find("measurement_terms"); terms != pkg.end() && terms->is_object()) {
                // This seller bills on its own counts reconciled with a vendor: a live, C3 or C7 window and
                // at least 10% tolerated variance.
                const auto billing = terms->value("billing_measurement", json::object());
                const std::string window = billing.value("measurement_window", std::string("live"));
                const std::string base =
                    "packages[" + std::to_string(i) + "].measurement_terms.billing_measurement.";
                if (window != "live" && window != "c3" && window != "c7")
                    add(errors, "TERMS_REJECTED", "measurement window " + window + " is not offered",
                        base + "measurement_window", "use measurement_window live, c3 or c7");
                if (billing.contains("max_variance_percent") && billing["max_variance_percent"].is_number() &&
                    billing["max_variance_percent"].get<double>() < 10)
                    add(errors, "TERMS_REJECTED", "a variance tolerance below 10% cannot be guaranteed",
                        base + "max_variance_percent", "use max_variance_percent 10 or more");
            }
            for (const char *member : {"start_time", "end_time"}) {
                if (!pkg.contains(member))
                    continue;
                const QDateTime t = parseTime(pkg[member]);
                if (!t.isValid())
                    add(errors, "INVALID_REQUEST", std::string(member) + " is not an ISO 8601 date-time",
                        pkgField(i, member));
                else if (start.isValid() && end.isValid() && (t < start || t > end))
                    add(errors, "INVALID_REQUEST", std::string(member) + " is outside the buy's flight",
                        pkgField(i, member));
            }
            planned.push_back(std::move(p));
        }
        if (totalAmount && !planned.empty() && std::abs(*totalAmount - sum) > 0.005 &&
            std::none_of(errors.begin(), errors.end(), [](const auto &e) { return e.field == "packages"; }))
            add(errors, "INVALID_REQUEST",
                "total_budget.amount " + amountText(*totalAmount, currency) +
                    " differs from the sum of the package "
                    "budgets " +
                    amountText(sum, currency),
                "total_budget.amount");
    }

    // ---- what each chosen option bills: a model this seller books, a fixed fee the budget covers ----
    for (const PlannedPackage &p : planned) {
        const json *option = p.product->pricingOption(p.pricingOptionId);
        if (!option)
            continue;
        const std::string optionField = fromProposal ? "proposal_id" : pkgField(p.index, "pricing_option_id");
        if (const std::string reason = unbookableReason(*option); !reason.empty()) {
            add(errors, "UNSUPPORTED_FEATURE", "pricing option " + p.pricingOptionId + ": " + reason,
                optionField, "choose another of the product's pricing options");
            continue;
        }
        QDateTime from = p.request.contains("start_time") ? parseTime(p.request["start_time"]) : start;
        QDateTime to = p.request.contains("end_time") ? parseTime(p.request["end_time"]) : end;
        if (!from.isValid() || !to.isValid() || to <= from)
            continue; // reported above
        std::string flightProblem;
        const auto fee = flightFee(*option, p.bidPrice, from, to, &flightProblem);
        if (!flightProblem.empty()) {
            add(errors, "INVALID_REQUEST", "pricing option " + p.pricingOptionId + ": " + flightProblem,
                p.request.contains("end_time") ? pkgField(p.index, "end_time") : std::string("end_time"),
                "book a flight the option's min_duration and max_duration allow");
            continue;
        }
        if (fee && p.budget >= minSpend(*option) &&
            p.budget + 0.005 < *fee) { // below the minimum: said above
            // A proposal's package is a share of the total: the advice is the total that covers the fee.
            const double share = fromProposal ? p.request.value("allocation_percentage", 100.0) : 100.0;
            add(errors, "BUDGET_TOO_LOW",
                "pricing option " + p.pricingOptionId + " costs " + amountText(*fee, currency) +
                    " for this flight; the package's budget is " + amountText(p.budget, currency),
                fromProposal ? std::string("total_budget.amount") : pkgField(p.index, "budget"),
                fromProposal && share > 0
                    ? "raise total_budget to at least " +
                          amountText(std::ceil(*fee * 100.0 / share), currency) + ", or shorten the flight"
                    : "raise the budget to at least " + amountText(*fee, currency) +
                          ", or shorten the flight");
        }
    }

    std::optional<std::string> opportunityId;
    if (auto it = args.find("opportunity"); it != args.end() && fromProposal) {
        if (auto error = OpportunityStore::check(*it, "opportunity")) {
            errors.push_back(*error);
        } else {
            opportunityId = it->value("opportunity_id", std::string());
            if (it->contains("status") && it->value("status", std::string()) != "closed")
                add(errors, "INVALID_REQUEST", "create_media_buy can only close the opportunity",
                    "opportunity.status");
            else if (it->contains("close_reason") &&
                     it->value("close_reason", std::string()) != "accepted_with_seller")
                add(errors, "INVALID_REQUEST",
                    "a successful buy closes the opportunity as accepted_with_seller",
                    "opportunity.close_reason");
            if (proposal->opportunityId && *proposal->opportunityId != *opportunityId)
                add(errors, "INVALID_REQUEST", "the proposal belongs to another opportunity",
                    "opportunity.opportunity_id");
        }
    }
    if (!opportunityId && fromProposal && proposal->opportunityId)
        opportunityId = proposal->opportunityId;

    errors.insert(errors.end(), lateErrors.begin(), lateErrors.end());
    if (!errors.empty())
        return failureWithErrors(std::move(errors));

    // ---- implementation configs: exactly one lookup for the deduplicated product ids ----
    std::vector<std::string> productIds;
    for (const auto &p : planned) {
        if (std::find(productIds.begin(), productIds.end(), p.product->id) == productIds.end())
            productIds.push_back(p.product->id);
    }
    ProductConfigLookup configs;
    if (auto store = task.seller.productConfigStore())
        configs = store->lookup(productIds);
    if (!configs.ok)
        return failure("IMPLEMENTATION_CONFIG_LOOKUP_FAILED",
                       "the seller could not read the products' implementation settings: " + configs.error,
                       std::nullopt, "retry the same request later");

    // ---- governance: the account's governance agent approves the buy before anything is written ----
    std::string governanceContext;
    {
        PlannedPurchase purchase;
        double sum = 0;
        for (const auto &p : planned) {
            sum += p.budget;
            for (const auto &channel : p.product->channels) {
                if (std::find(purchase.channels.begin(), purchase.channels.end(), channel) ==
                    purchase.channels.end())
                    purchase.channels.push_back(channel);
            }
        }
        purchase.totalBudget = totalAmount.value_or(sum);
        purchase.currency = currency;
        purchase.start = start;
        purchase.end = end;
        if (fromProposal)
            purchase.proposalId = proposal->proposalId;
        if (auto refused = consultGovernance(task, args, purchase, &governanceContext))
            return *refused;
    }

    // ---- reserve the proposal (committed → consuming), single winner ----
    if (fromProposal) {
        if (!ProposalStore::reserve(task.db, task.principal.id, proposal->proposalId, *acceptedVersion,
                                    task.now, &dbError)) {
            if (!dbError.isEmpty())
                return failure("SERVICE_UNAVAILABLE",
                               "the seller could not reserve the proposal: " + dbError.toStdString());
            // Another request changed it between our read and the reservation: report its state now.
            auto now = ProposalStore::find(task.db, task.principal.id, proposal->proposalId, &dbError);
            std::optional<int> ignored;
            if (auto error = checkProposal(task, args, now ? &*now : nullptr, &ignored))
                return failureWithErrors({*error});
            return failure("INVALID_STATE", "this proposal is being executed by another request",
                           "proposal_id");
        }
    }

    // ---- store the order ----
    MediaBuyStore::NewBuy buy;
    auto &order = buy.order;
    order.principalId = task.principal.id;
    order.mediaBuyId = newId("mb");
    if (fromProposal) {
        order.proposalId = proposal->proposalId;
        order.proposalVersion = versionLabel(*acceptedVersion);
    }
    order.currency = currency;
    order.startTime = start;
    order.endTime = end;
    order.request = args;
    bool creativesAttached = !planned.empty();
    double total = 0;
    for (const auto &p : planned) {
        AcceptedPackage ap;
        ap.packageId = newId("pkg");
        ap.productId = p.product->id;
        ap.pricingOptionId = p.pricingOptionId;
        ap.budget = p.budget;
        ap.bidPrice = p.bidPrice;
        if (auto it = configs.configs.find(p.product->id); it != configs.configs.end())
            ap.implementationConfig = it->second;
        total += p.budget;
        json pj = {{"package_id", ap.packageId},
                   {"product_id", ap.productId},
                   {"pricing_option_id", ap.pricingOptionId},
                   {"budget", ap.budget},
                   {"paused", p.request.value("paused", false)}};
        if (ap.bidPrice)
            pj["bid_price"] = *ap.bidPrice;
        for (const char *member : {"pacing", "start_time", "end_time", "targeting_overlay", "context"}) {
            if (p.request.contains(member))
                pj[member] = p.request[member];
        }
        if (p.product->publicJson.contains("format_ids"))
            pj["format_ids_to_provide"] = p.product->publicJson["format_ids"];
        const bool hasCreatives =
            (p.request.contains("creative_assignments") && !p.request["creative_assignments"].empty()) ||
            (p.request.contains("creatives") && !p.request["creatives"].empty());
        creativesAttached = creativesAttached && hasCreatives;
        order.packages.push_back(std::move(ap));
        buy.packageJson.push_back(std::move(pj));
    }
    order.totalBudget = totalAmount.value_or(total);
    buy.status = creativesAttached ? "pending_start" : "pending_creatives";
    if (args.contains("name") && args["name"].is_string())
        buy.name = args["name"].get<std::string>();
    if (args.contains("po_number") && args["po_number"].is_string())
        buy.poNumber = args["po_number"].get<std::string>();
    buy.confirmedAt = task.now;
    buy.creativeDeadline = std::max(task.now, start.addSecs(-24 * 3600));
    if (args.contains("context"))
        buy.context = args["context"];

    // A sandbox account may have registered the answer its next buy gets (force_create_media_buy_arm): the
    // order then waits for approval under the task id it chose, as a manually approved order does.
    std::optional<SandboxDirectives::CreateArm> forcedArm;
    if (task.principal.sandbox)
        forcedArm = SandboxDirectives::pendingCreateArm(task.db, task.principal.id);
    if (forcedArm)
        order.taskId = forcedArm->taskId;
    else if (Execution::requiresManualApproval(task.options, order))
        order.taskId = newId("task");
    json result = {{"media_buy_id", order.mediaBuyId},
                   {"confirmed_at", isoTime(buy.confirmedAt).toStdString()},
                   {"revision", 1},
                   {"media_buy_status", buy.status},
                   {"currency", currency},
                   {"total_budget", order.totalBudget},
                   {"creative_deadline", isoTime(buy.creativeDeadline).toStdString()},
                   {"packages", json::array()},
                   {"available_actions", availableActions(buy.status)}};
    // 3.0/3.1 buyers read the buy's status from top-level `status` (deprecated there, identical to
    // media_buy_status by rule); from 3.2 on `status` is the envelope's task status (the Dispatcher fills
    // it), as update_media_buy answers too.
    if (!speaksTaskStatusEnvelope(args))
        result["status"] = buy.status;
    for (const auto &pj : buy.packageJson)
        result["packages"].push_back(pj);
    // The deprecated plain list, still read by 3.0 buyers; only the values its enum knows.
    static const std::set<std::string> kValidActions = {"pause",         "resume",        "cancel",
                                                        "update_budget", "update_dates",  "update_packages",
                                                        "add_packages",  "sync_creatives"};
    result["valid_actions"] = json::array();
    for (const auto &a : result["available_actions"]) {
        if (kValidActions.contains(a.value("action", std::string())))
            result["valid_actions"].push_back(a["action"]);
    }
    if (fromProposal) {
        result["proposal_id"] = proposal->proposalId;
        result["proposal_version"] = *order.proposalVersion;
    }
    if (buy.name)
        result["name"] = *buy.name;
    // The authorization the account's governance agent gave; the buyer keeps it with the buy.
    if (!governanceContext.empty())
        result["governance_context"] = governanceContext;

    // A buyer that registered push_notification_config hears the buy's creation once, as the completion of
    // its create_media_buy task, whether or not it also read the synchronous answer. The event is written in
    // the order's transaction, so it exists exactly when the buy does; an idempotent replay is answered from
    // the stored response and never reaches this point again.
    std::optional<OutboxEvent> created;
    if (!order.taskId) {
        if (auto target = WebhookTarget::fromConfig(args.value("push_notification_config", json())); target) {
            OutboxEvent event;
            event.principalId = task.principal.id;
            event.target = *target;
            event.eventType = "task";
            event.taskId = newId("task");
            event.coalesceKey = "task:" + event.taskId;
            event.notificationId = order.mediaBuyId + ".created";
            event.taskType = "create_media_buy";
            event.status = "completed";
            event.message = "Media buy " + order.mediaBuyId + " was created (" + buy.status + ")";
            event.result = result;
            // The task's answer as the buyer read it: a 3.2 caller reads `status` as the task status.
            if (!event.result.contains("status"))
                event.result["status"] = "completed";
            if (args.contains("context"))
                event.result["context"] = args["context"];
            event.timestamp = task.now;
            created = std::move(event);
        }
    }

    QString error;
    bool stored = false;
    {
        storage::WriteTransaction tx(task.db);
        stored = tx.begin(&error) && MediaBuyStore::insert(task.db, buy, task.now, &error);
        if (stored && forcedArm)
            stored = SandboxDirectives::consumeCreateArm(task.db, task.principal.id, &error);
        if (stored && fromProposal)
            stored = ProposalStore::consume(task.db, task.principal.id, proposal->proposalId,
                                            order.mediaBuyId, task.now, &error);
        if (stored && task.account)
            stored = AccountStore::linkMediaBuy(task.db, task.principal.id, order.mediaBuyId,
                                                task.account->accountId, &error);
        if (stored && opportunityId)
            stored = OpportunityStore::close(task.db, task.principal.id, *opportunityId,
                                             "accepted_with_seller", std::nullopt, task.now, &error);
        if (stored)
            stored = task.seller.runOrderAcceptedHook(task.db, order, &error);
        if (stored && created)
            stored = WebhookOutbox::enqueue(task.db, *created, &error);
        stored = stored && tx.commit(&error);
    }
    if (!stored) {
        if (fromProposal) {
            QString releaseError;
            ProposalStore::release(task.db, task.principal.id, proposal->proposalId, task.now, &releaseError);
        }
        return failure("SERVICE_UNAVAILABLE", "the order could not be stored: " + error.toStdString(),
                       std::nullopt, "retry the same request");
    }

    if (order.taskId)
        return adcp::ToolOutcome::success(
            {{"status", "submitted"},
             {"task_id", *order.taskId},
             {"message",
              forcedArm && !forcedArm->message.empty()
                  ? forcedArm->message
                  : "Media buy " + order.mediaBuyId + " awaits the seller's approval; follow the task."}});
    return adcp::ToolOutcome::success(std::move(result));
}

} // namespace adcp::seller
