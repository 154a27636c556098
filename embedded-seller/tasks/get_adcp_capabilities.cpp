#include "taskcontext.h"

#include "datasync/audiences.h"

#include "complyscenarios.h"
#include "domain/pricing.h"

#include <set>

namespace adcp::seller {

using nlohmann::json;

// Declares only what this seller really does; the workbench's own details (dialects, commit mode, the refine
// asks it understands) go under ext.workbench because the schema has no place for them.
namespace {

// RFC 9421 request signing, as this principal's policy has it (transport level, whatever the protocol).
void addRequestSigning(const TaskContext &task, json &result)
{
    if (!task.options.requestSigningCapability)
        return;
    json block = task.options.requestSigningCapability(task.principal.id);
    if (!block.is_object())
        return;
    // 3.2 allows an agent that verifies signatures one posture only, content-digest required; "either" and
    // "forbidden" are 3.0/3.1 postures kept for older peers. A seller configured with one of them verifies that
    // way for everyone (the policy never follows a version in the unsigned body), so it does not claim 3.2.
    if (block.value("covers_content_digest", std::string()) != "required")
        result["adcp"]["supported_versions"] = {"3.0", "3.1"};
    result["request_signing"] = std::move(block);
}

} // namespace

adcp::ToolOutcome getAdcpCapabilities(TaskContext &task, const json &arguments)
{
    if (auto it = arguments.find("protocols"); it != arguments.end() && it->is_array()) {
        bool mediaBuy = it->empty();
        for (const auto &p : *it)
            mediaBuy = mediaBuy || (p.is_string() && p.get<std::string>() == "media_buy");
        if (!mediaBuy) {
            json minimal = {
                {"adcp",
                 {{"major_versions", {3}},
                  {"supported_versions", {"3.0", "3.1", "3.2"}},
                  {"idempotency",
                   {{"supported", true}, {"replay_ttl_seconds", task.options.idempotencyTtlSeconds}}}}},
                {"supported_protocols", {"media_buy"}}};
            addRequestSigning(task, minimal);
            return adcp::ToolOutcome::success(std::move(minimal));
        }
    }
    const auto &o = task.options;
    json result = {
        {"adcp",
         {{"major_versions", {3}},
          {"supported_versions", {"3.0", "3.1", "3.2"}},
          {"idempotency", {{"supported", true}, {"replay_ttl_seconds", o.idempotencyTtlSeconds}}}}},
        {"supported_protocols", {"media_buy"}},
        // The outbox signs every webhook with RFC 9421 / Ed25519 and falls back to the legacy HMAC-SHA256
        // scheme when the buyer's push_notification_config asks for it.
        {"webhook_signing",
         {{"supported", true},
          {"profile", "adcp/webhook-signing/v1"},
          {"algorithms", {"ed25519"}},
          {"legacy_hmac_fallback", true}}},
        {"specialisms", {"sales-guaranteed", "sales-non-guaranteed", "audience-sync"}},
        // Buyer-declared accounts: the bearer token's agent is trusted to name brand + operator, which
        // sync_accounts provisions (list_accounts reads them back). Currency is chosen per media buy and
        // every account runs on UTC.
        {"account",
         {{"require_operator_auth", false},
          {"supported_billing", {"operator", "agent", "advertiser"}},
          {"supported_account_currency_modes", {"per_media_buy"}},
          {"timezone", {{"mode", "seller_fixed"}, {"fixed_timezone", "UTC"}}},
          {"required_for_products", o.requireAccounts},
          {"account_financials", true},
          {"notifications", {{"supported", false}}},
          {"identity_updates", {{"supported", false}}},
          {"sandbox", true}}},
        {"media_buy",
         {{"supported_pricing_models", bookablePricingModels()},
          {"buying_modes", {"brief", "wholesale", "refine"}},
          // create_media_buy for an account with a governance agent (sync_governance) consults its
          // check_governance before committing. Signed governance contexts are not verified, so no
          // adcp.governance_enforcement claim is made.
          {"governance_aware", true},
          {"supports_proposals", true},
          {"lifecycle_tools",
           {"list_products", "request_proposals", "refine_proposals", "decline_proposals", "buy_products",
            "accept_proposal", "control_media_buy"}},
          {"proposal_refinement",
           {{"supported_dimensions", {"total_budget", "cpm", "flight", "product_changes"}}}},
          // Impairments show on the next get_media_buys and are also pushed through the webhook outbox.
          {"propagation_surfaces", {"snapshot", "webhook"}},
          // Delivery windows are pushed to a buy's reporting_webhook as well as served by polling.
          {"reporting_delivery_methods", {"webhook"}},
          // sync_audiences: hashed emails and phones plus universal ids, matched at once (no latency).
          {"audience_targeting",
           {{"supported_identifier_types", {"hashed_email", "hashed_phone"}},
            {"supported_uid_types", {"rampid", "uid2", "id5", "euid", "maid"}},
            {"minimum_audience_size", audiences::kMinimumSize},
            {"matching_latency_hours", {{"min", 0}, {"max", 0}}}}},
          // sync_event_sources and log_event; each source deduplicates by event_id on its own.
          {"conversion_tracking",
           {{"multi_source_event_dedup", false},
            {"per_creative_attribution", false},
            {"supported_action_sources",
             {"website", "app", "offline", "in_store", "phone_call", "email", "chat", "system_generated",
              "other"}}}},
          // provide_performance_feedback is served (stored with the buy, answered "accepted") without the
          // media_buy.performance_feedback block: 3.2 ties that block to the experimental measurement.core
          // surface, which this seller does not implement.
          {"features",
           {{"inline_creative_management", false},
            {"property_list_filtering", false},
            // sync_catalogs with inline items and immediate item review, and buyer-pushed availability
            // overlays: item_availability_updates / _queries, synchronous, at most 1,000 per call.
            {"catalog_management", true},
            {"catalog_item_availability_updates", true},
            // The 3.0 flags buyers gate on before reading the blocks above.
            {"audience_targeting", true},
            {"conversion_tracking", true},
            {"seller_optimized_budget", false}}}}},
        {"ext",
         {{"workbench",
           {{"dialects", {"facade", "versioned", "compact"}},
            {"proposal_lifecycle",
             {{"finalize", true},
              {"decline", true},
              {"multi_finalize", "atomic"},
              {"proposal_versions", true},
              {"auto_commit_on_issue", o.autoCommitOnIssue},
              {"hold_seconds", o.holdSeconds},
              {"draft_lifetime_seconds", o.draftLifetimeSeconds},
              {"require_proposal_version", o.requireProposalVersion}}},
            {"refine_request_asks", {"total_budget", "cpm", "channels", "flight"}},
            {"refine_product_actions", {"include", "omit", "more_like_this"}},
            {"refine_proposal_actions", {"include", "omit", "finalize", "decline"}},
            {"opportunity_context", true},
            {"compact_lifecycle_tools",
             {"list_products", "request_proposals", "refine_proposals", "decline_proposals", "buy_products",
              "accept_proposal", "control_media_buy"}}}}}}};
    // The sandbox controller serves sandbox principals only, so only they are told about it. AdCP 3.0/3.1
    // enumerate the scenarios this block may name; a 3.2 caller hears every one (list_scenarios is discovery,
    // not a scenario).
    if (task.principal.sandbox) {
        static const std::set<std::string> k30Scenarios = {"force_creative_status",  "force_account_status",
                                                           "force_media_buy_status", "force_session_status",
                                                           "simulate_delivery",      "simulate_budget_spend"};
        const bool all = speaksTaskStatusEnvelope(arguments);
        json scenarios = json::array();
        for (const auto &name : complyScenarioNames()) {
            if (name != "list_scenarios" && (all || k30Scenarios.count(name)))
                scenarios.push_back(name);
        }
        result["compliance_testing"] = {{"scenarios", std::move(scenarios)}};
    }
    addRequestSigning(task, result);
    return adcp::ToolOutcome::success(std::move(result));
}

} // namespace adcp::seller
