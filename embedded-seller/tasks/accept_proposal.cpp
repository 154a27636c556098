#include "taskcontext.h"

#include "domain/compactproposals.h"
#include "domain/proposalstore.h"

namespace adcp::seller {

using nlohmann::json;

adcp::ToolOutcome createMediaBuy(TaskContext &task, const json &arguments);

namespace {

adcp::ToolOutcome refusal(const char *code, std::string message, const char *field, std::string suggestion)
{
    return failure(code, std::move(message), std::string(field), std::move(suggestion));
}

} // namespace

// Executes a committed compact proposal through the create_media_buy order path (checks, one
// ProductConfigStore lookup, compare-and-swap reservation, order and execution hook in one transaction),
// after the checks only the compact dialect has: the snapshot must exist as a compact proposal and the buyer
// must name the terms it accepts by their digest.
adcp::ToolOutcome acceptProposal(TaskContext &task, const json &args)
{
    const std::string id = args.value("proposal_id", std::string());
    QString error;
    auto stored = ProposalStore::find(task.db, task.principal.id, id, &error);
    auto record = stored ? CompactProposalStore::find(task.db, task.principal.id, id, &error) : std::nullopt;
    if (!error.isEmpty())
        return failure("SERVICE_UNAVAILABLE",
                       "the seller could not read the proposal: " + error.toStdString(), std::nullopt,
                       "retry the same request");
    if (!stored || !record)
        return refusal("PROPOSAL_NOT_FOUND", "no such proposal", "proposal_id",
                       "use a committed proposal_id from refine_proposals of this account");
    if (stored->state == ProposalState::Declined)
        return refusal("INVALID_STATE",
                       "proposal " + id + " was declined (" + stored->declineReason.value_or("") + ")",
                       "proposal_id", "request new proposals with request_proposals");
    if (stored->state == ProposalState::Consuming || stored->state == ProposalState::Consumed)
        return refusal("INVALID_STATE",
                       stored->mediaBuyId
                           ? "proposal " + id + " was already accepted as media buy " + *stored->mediaBuyId
                           : "proposal " + id + " is being accepted by another request",
                       "proposal_id", "read the media buy with get_media_buys");
    if (stored->state == ProposalState::Draft)
        return refusal(
            "PROPOSAL_NOT_COMMITTED", "proposal " + id + " is a draft: nothing is held yet", "proposal_id",
            "finalize it with refine_proposals (action finalize) and accept the committed successor");
    if (stored->expired(task.now))
        return refusal("PROPOSAL_EXPIRED",
                       "the hold of proposal " + id + " ended at " + isoTime(stored->expiresAt).toStdString(),
                       "proposal_id", "request and finalize fresh proposals");
    // Terms the buyer has not seen are never applied: the digest names exactly the snapshot it accepts.
    if (args.value("proposal_terms_digest", std::string()) != record->termsDigest)
        return refusal("INVALID_REQUEST", "proposal_terms_digest does not match the terms of proposal " + id,
                       "proposal_terms_digest", "re-read the proposal and send its terms_digest");

    const auto &terms = record->commercialTerms;
    json order = {
        {"idempotency_key", args.at("idempotency_key")},
        {"account", args.at("account")},
        {"brand", terms.at("brand")},
        {"proposal_id", id},
        {"proposal_version", versionLabel(stored->version)},
        {"total_budget", args.contains("total_budget") ? args["total_budget"] : terms.at("total_budget")},
        {"end_time", terms.at("end_time")}};
    // A flight that has already begun starts as soon as the buy is live.
    const QDateTime start =
        QDateTime::fromString(QString::fromStdString(terms.value("start_time", std::string())), Qt::ISODate);
    order["start_time"] = start.isValid() && start > task.now ? terms["start_time"] : json("asap");
    for (const char *member : {"io_acceptance", "opportunity", "push_notification_config",
                               "reporting_webhook", "context", "governance_context"}) {
        if (args.contains(member))
            order[member] = args[member];
    }
    if (args.contains("purchase_order_ref"))
        order["po_number"] = args["purchase_order_ref"];

    auto outcome = createMediaBuy(task, order);
    if (!outcome.ok())
        return outcome;
    if (outcome.result.value("status", std::string()) == "submitted")
        return outcome; // waits for the seller's approval: status submitted, task_id, message

    stored->state = ProposalState::Consumed;
    stored->mediaBuyId = outcome.result.at("media_buy_id").get<std::string>();
    return adcp::ToolOutcome::success(compact::commitmentResult(
        outcome.result, compact::canonicalProposal(*stored, *record), terms.at("purchases"), task.now));
}

} // namespace adcp::seller
