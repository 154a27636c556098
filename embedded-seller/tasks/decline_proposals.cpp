#include "taskcontext.h"

#include "domain/opportunitystore.h"
#include "domain/proposalstore.h"
#include "storage/database.h"

namespace adcp::seller {

using nlohmann::json;

// Declines are terminal and acknowledged idempotently: a repeat answers `declined` again and keeps the reason
// recorded first. A proposal that cannot be declined any more (accepted, unknown) is answered `unable` with
// why, in the request's order, and the others are still declined.
adcp::ToolOutcome declineProposals(TaskContext &task, const json &args)
{
    const auto declines = args.at("declines");
    QString error;
    auto dbFailure = [&] {
        return failure("SERVICE_UNAVAILABLE",
                       "the seller could not record the decline: " + error.toStdString(), std::nullopt,
                       "retry the same request");
    };
    for (size_t i = 0; i < declines.size(); ++i) {
        if (declines[i].value("reason", std::string()) == "other" && !declines[i].contains("detail"))
            return failure("INVALID_REQUEST", "reason other needs a detail",
                           "declines[" + std::to_string(i) + "].detail");
    }
    std::optional<std::string> opportunityId;
    if (auto it = args.find("opportunity"); it != args.end()) {
        if (auto problem = OpportunityStore::check(*it, "opportunity"))
            return failureWithErrors({*problem});
        opportunityId = it->value("opportunity_id", std::string());
    }

    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error))
        return dbFailure();
    json results = json::array();
    bool allDeclined = true;
    for (const auto &entry : declines) {
        const std::string id = entry.value("proposal_id", std::string());
        // Any proposal this principal holds: one get_products issued (no compact record) is declined the same
        // way, so a buyer speaking 3.2 can decline what an earlier brief returned.
        auto stored = ProposalStore::find(task.db, task.principal.id, id, &error);
        if (!error.isEmpty())
            return dbFailure();
        json result = {{"proposal_id", id}};
        if (!stored) {
            result["outcome"] = "unable";
            result["reason"] = "no such proposal for this account";
        } else if (stored->state == ProposalState::Declined) {
            result["outcome"] = "declined";
        } else if (stored->state == ProposalState::Consuming || stored->state == ProposalState::Consumed) {
            result["outcome"] = "unable";
            result["reason"] = stored->mediaBuyId ? "already accepted as media buy " + *stored->mediaBuyId
                                                  : std::string("being accepted by another request");
        } else {
            std::optional<std::string> detail;
            if (entry.contains("detail"))
                detail = entry["detail"].get<std::string>();
            if (!ProposalStore::recordDecline(task.db, *stored, entry.value("reason", std::string()), detail,
                                              task.now, &error))
                return dbFailure();
            result["outcome"] = "declined";
        }
        allDeclined = allDeclined && result["outcome"] == "declined";
        results.push_back(std::move(result));
    }
    // The buyer's planning cycle moves only when everything it named was declined.
    if (opportunityId && allDeclined &&
        !OpportunityStore::upsert(task.db, task.principal.id, args["opportunity"], task.now, &error))
        return dbFailure();
    if (!tx.commit(&error))
        return dbFailure();
    return adcp::ToolOutcome::success({{"results", std::move(results)}});
}

} // namespace adcp::seller
