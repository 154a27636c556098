#include "taskcontext.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <cstdio>

namespace adcp::seller {

adcp::ToolOutcome getAdcpCapabilities(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome getProducts(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome checkGetProducts(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome createMediaBuy(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome checkCreateMediaBuy(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome getMediaBuys(TaskContext &task, const nlohmann::json &arguments);
// Execution and monitoring (update_media_buy.cpp … comply_test_controller.cpp).
adcp::ToolOutcome updateMediaBuy(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome getMediaBuyDelivery(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome syncCreatives(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome listCreativeFormats(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome getTaskStatus(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome listTasks(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome complyTestController(TaskContext &task, const nlohmann::json &arguments);
// The 3.2 compact proposal lifecycle (request_proposals.cpp … accept_proposal.cpp).
adcp::ToolOutcome requestProposals(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome refineProposals(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome checkRefineProposals(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome checkSyncCatalogs(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome declineProposals(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome acceptProposal(TaskContext &task, const nlohmann::json &arguments);
// The 3.2 compact direct-buy tools (list_products.cpp, buy_products.cpp, control_media_buy.cpp).
adcp::ToolOutcome listProducts(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome buyProducts(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome controlMediaBuy(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome checkControlMediaBuy(TaskContext &task, const nlohmann::json &arguments);
// Accounts and the creative library (sync_accounts.cpp, list_accounts.cpp, list_creatives.cpp).
adcp::ToolOutcome syncAccounts(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome listAccounts(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome listCreatives(TaskContext &task, const nlohmann::json &arguments);
// Account money (get_account_financials.cpp, report_usage.cpp).
adcp::ToolOutcome getAccountFinancials(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome reportUsage(TaskContext &task, const nlohmann::json &arguments);
// Governance registration (sync_governance.cpp).
adcp::ToolOutcome syncGovernance(TaskContext &task, const nlohmann::json &arguments);
nlohmann::json normalizeSyncGovernance(const nlohmann::json &arguments);
adcp::ToolOutcome syncAudiences(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome syncEventSources(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome syncCatalogs(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome logEvent(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome providePerformanceFeedback(TaskContext &task, const nlohmann::json &arguments);

const std::vector<ToolSpec> &toolSpecs()
{
    static const std::vector<ToolSpec> specs = {
        {"get_adcp_capabilities", "/schemas/protocol/get-adcp-capabilities-request.json",
         "Describe what this seller supports: AdCP versions, media-buy buying modes, proposals and their "
         "lifecycle (finalize, decline, versions), idempotency and the negotiation dialects it speaks.",
         false, getAdcpCapabilities},
        {"get_products", "/schemas/media-buy/get-products-request.json",
         "Discover products. buying_mode brief ranks the catalog against a natural-language brief and "
         "returns "
         "proposals; wholesale returns the whole priced catalog; refine revises earlier products and "
         "proposals "
         "(include, omit, more_like_this, finalize, decline).",
         true, getProducts, checkGetProducts},
        {"create_media_buy", "/schemas/media-buy/create-media-buy-request.json",
         "Create a media buy from a committed proposal (proposal_id, proposal_version, total_budget) or from "
         "explicit packages (product, pricing option, budget). Returns at once with the media_buy_id and "
         "status.",
         true, createMediaBuy, checkCreateMediaBuy},
        {"get_media_buys", "/schemas/media-buy/get-media-buys-request.json",
         "List this account's media buys with their packages, status and available actions.", false,
         getMediaBuys},
        {"update_media_buy", "/schemas/media-buy/update-media-buy-request.json",
         "Change a media buy: pause, resume or cancel it or its packages, move its end date, change budgets, "
         "creative assignments and webhooks. Pass the buy's revision to guard against concurrent changes.",
         true, updateMediaBuy},
        {"get_media_buy_delivery", "/schemas/media-buy/get-media-buy-delivery-request.json",
         "Delivery of media buys: totals, per package, day by day, and hourly or daily windows "
         "(time_granularity with include_window_breakdown).",
         false, getMediaBuyDelivery},
        {"sync_creatives", "/schemas/creative/sync-creatives-request.json",
         "Upload or update creatives and assign them to packages. A buy leaves pending_creatives once every "
         "package has an approved creative.",
         true, syncCreatives},
        {"list_creative_formats", "/schemas/media-buy/list-creative-formats-request.json",
         "The creative formats this seller's products accept.", false, listCreativeFormats},
        {"get_task_status", "/schemas/protocol/get-task-status-request.json",
         "Status, history and result of a task (for example a media buy waiting for the seller's approval).",
         false, getTaskStatus},
        {"list_tasks", "/schemas/protocol/list-tasks-request.json",
         "This account's tasks, filtered by status or type; reconcile after a restart.", false, listTasks},
        {"request_proposals", "/schemas/media-buy/request-proposals-request.json",
         "AdCP 3.2: draft media-plan proposals for a brief, each with commercial terms and their "
         "terms_digest "
         "(outcome proposed), or outcome rejected with the reason.",
         true, requestProposals, nullptr, true, false},
        {"refine_proposals", "/schemas/media-buy/refine-proposals-request.json",
         "AdCP 3.2: revise draft proposals (constraints, product changes, ask) or finalize drafts into "
         "committed, inventory-held proposals; every result is a new proposal_id naming its parent.",
         true, refineProposals, checkRefineProposals, true, false},
        {"decline_proposals", "/schemas/media-buy/decline-proposals-request.json",
         "AdCP 3.2: decline proposals with a reason; a repeat is acknowledged and keeps the first reason.",
         true, declineProposals, nullptr, false, false},
        {"accept_proposal", "/schemas/media-buy/accept-proposal-request.json",
         "AdCP 3.2: accept a committed proposal by its terms_digest; creates the media buy.", true,
         acceptProposal, nullptr, true, false},
        {"list_products", "/schemas/media-buy/list-products-request.json",
         "AdCP 3.2: the published products as canonical products (format_options with format_kind, pricing "
         "options), filtered by criteria.product_ids and offer_filters and paged, with the feed_version and "
         "pricing_version a buy_products names; if_feed_version answers unchanged when nothing moved.",
         false, listProducts, nullptr, false, false},
        {"buy_products", "/schemas/media-buy/buy-products-request.json",
         "AdCP 3.2: buy published products directly (purchases of product, pricing option and budget) "
         "against "
         "the feed_version and pricing_version list_products gave; a stale version answers CONFLICT. Creates "
         "the media buy as create_media_buy does and keeps the accepted terms as a proposal snapshot.",
         true, buyProducts, nullptr, true, false},
        {"control_media_buy", "/schemas/media-buy/control-media-buy-request.json",
         "AdCP 3.2: rename, pause, resume or cancel a media buy, lower budgets, change pacing, targeting or "
         "the reporting webhook at the buy's current revision (else CONFLICT). Cancel excludes every other "
         "change; more budget answers REQUOTE_REQUIRED.",
         true, controlMediaBuy, checkControlMediaBuy, true, false},
        {"comply_test_controller", "/schemas/compliance/comply-test-controller-request.json",
         "Sandbox accounts only: force creative, media buy, audience, catalog item, event source and "
         "property "
         "states, complete tasks, simulate delivery, seed creatives and move the seller clock.",
         false, complyTestController, nullptr, true, true, true},
        {"sync_accounts", "/schemas/account/sync-accounts-request.json",
         "Provision advertiser accounts (brand, operator, billing) or change an account's settings; each "
         "entry answers created, updated, unchanged or failed with the account's status. dry_run previews, "
         "delete_missing closes this caller's synced accounts the request leaves out.",
         true, syncAccounts},
        {"list_accounts", "/schemas/account/list-accounts-request.json",
         "This caller's accounts with status, billing and settings; filter by account, status or sandbox.",
         false, listAccounts},
        {"list_creatives", "/schemas/creative/list-creatives-request.json",
         "The creative library: every synced creative with its review status, filtered, sorted and paged.",
         false, listCreatives},
        {"get_account_financials", "/schemas/account/get-account-financials-request.json",
         "Spend and payment standing of one of this caller's operator-billed accounts over a period (the "
         "current billing month by default): delivered spend, media buy count, payment status and terms.",
         false, getAccountFinancials},
        {"report_usage", "/schemas/account/report-usage-request.json",
         "Report what was consumed per account (and media buy) over a reporting period for billing "
         "reconciliation. A batch with a bad record is refused whole, each bad record named.",
         true, reportUsage},
        {"sync_governance", "/schemas/account/sync-governance-request.json",
         "Bind (or replace) the governance agent of each listed account: before committing a buy for the "
         "account the seller calls its check_governance and refuses with GOVERNANCE_DENIED and the agent's "
         "reason. Credentials are write-only.",
         true, syncGovernance, nullptr, true, true, false, normalizeSyncGovernance},
        {"sync_audiences", "/schemas/media-buy/sync-audiences-request.json",
         "Create or update CRM audiences with hashed identifiers (add/remove member deltas), delete them, or "
         "list them (no audiences array). Each answers its match counts and status: ready, too_small (below "
         "the minimum matched size) or suspended by the seller. Packages target them by audience_include.",
         true, syncAudiences},
        {"sync_event_sources", "/schemas/media-buy/sync-event-sources-request.json",
         "Configure conversion event sources (event types, currencies, action source) or list them with "
         "their "
         "health, the seller's own in-store source included. Optimization goals name them in event_sources.",
         true, syncEventSources},
        {"sync_catalogs", "/schemas/media-buy/sync-catalogs-request.json",
         "Create, update or delete the account's catalog feeds (items inline: products, offerings, stores, "
         "jobs, …) or list them (no catalogs). Each item is reviewed at once: approved, warning or rejected "
         "with reasons; the seller may withdraw one. Packages promote them by catalogs[].catalog_id. "
         "item_availability_updates suppress or restore single items at once (revision-checked); "
         "item_availability_queries read their current state.",
         true, syncCatalogs, checkSyncCatalogs},
        {"log_event", "/schemas/media-buy/log-event-request.json",
         "Log up to 10,000 conversion events against an event source; deduplicated by event_id. Answers how "
         "many were received and kept, each refused event with its reason, and the batch's match quality.",
         true, logEvent},
        {"provide_performance_feedback", "/schemas/media-buy/provide-performance-feedback-request.json",
         "Tell the seller how a media buy (or one package or creative) performed over a period: an index "
         "against a named baseline, who measured it and how. Stored with the buy; answers its feedback_id. A "
         "correction names the feedback it supersedes.",
         true, providePerformanceFeedback},
    };
    return specs;
}

std::string newId(const char *prefix)
{
    // 11 hex digits of milliseconds since the epoch (good until the year 2527), then 9 random ones. Ids
    // issued later sort later, so the primary-key and request indexes grow at their right edge: a new row
    // dirties the same few B-tree pages as the previous one instead of a random leaf each (measured: fewer
    // pages written per commit, and fewer for the checkpoint to copy). The random part keeps ids unguessable
    // enough to be unique; access is checked by principal, never by knowing an id.
    const auto ms = quint64(QDateTime::currentMSecsSinceEpoch()) & 0xFFFFFFFFFFFull;
    const quint64 random = QRandomGenerator::global()->generate64() & 0xFFFFFFFFFull;
    char digits[21];
    std::snprintf(digits, sizeof digits, "%011llx%09llx", static_cast<unsigned long long>(ms),
                  static_cast<unsigned long long>(random));
    return std::string(prefix) + "_" + digits;
}

bool speaksTaskStatusEnvelope(const nlohmann::json &args)
{
    const auto it = args.find("adcp_version");
    if (it == args.end() || !it->is_string())
        return false;
    // major.minor with an optional pre-release tag ("3.2-beta.5" is a 3.2 caller).
    static const QRegularExpression release(QStringLiteral("^(\\d+)\\.(\\d+)"));
    const auto match = release.match(QString::fromStdString(it->get<std::string>()));
    if (!match.hasMatch())
        return false;
    const int major = match.captured(1).toInt();
    const int minor = match.captured(2).toInt();
    return major > 3 || (major == 3 && minor >= 2);
}

std::string amountText(double value, const std::string &currency)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.2f", value);
    return std::string(buffer) + " " + currency;
}

adcp::ToolOutcome failureWithErrors(std::vector<adcp::AdcpError> errors)
{
    nlohmann::json list = nlohmann::json::array();
    for (const auto &e : errors)
        list.push_back(e.toJson());
    adcp::ToolOutcome outcome;
    // The envelope's task status is required on every answer, errors included.
    outcome.result = {{"status", "failed"}, {"errors", std::move(list)}};
    outcome.error = std::move(errors.front());
    return outcome;
}

adcp::ToolOutcome failure(const char *code, std::string message, std::optional<std::string> field,
                          std::optional<std::string> suggestion)
{
    return failureWithErrors(
        {adcp::AdcpError::make(code, std::move(message), std::move(field), std::move(suggestion))});
}

} // namespace adcp::seller
