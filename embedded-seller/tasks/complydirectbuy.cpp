#include "complyscenarios.h"
#include "taskcontext.h"

#include "domain/acceptedorder.h"
#include "domain/catalog.h"
#include "domain/pricing.h"
#include "domain/productconfigstore.h"
#include "domain/proposalstore.h"
#include "jobs/execution.h"
#include "storage/database.h"

#include <algorithm>
#include <optional>

namespace adcp::seller {

using nlohmann::json;

namespace {

// Why `productId` cannot take a synchronous compact flow for this caller (`flow` names it in the answer), or
// nothing: a product the caller cannot see, one without a bookable pricing option, or one whose buys wait
// for manual approval (seller setting, the account's approval list, or the product's implementation
// config).
std::optional<adcp::ToolOutcome> compactProbeProductProblem(TaskContext &task, const json &args,
                                                            const std::string &productId, const char *flow)
{
    const Product *product = task.catalog->find(productId);
    if (!product)
        return controllerError("NOT_FOUND", "product " + productId + " is not listed to this account");
    const auto &options = product->publicJson.value("pricing_options", json::array());
    if (std::none_of(options.begin(), options.end(),
                     [](const json &o) { return unbookableReason(o).empty(); }))
        return controllerError("INVALID_STATE",
                               "product " + productId + " has no pricing option this seller books");
    AcceptedOrder order;
    order.request = {{"account", args.value("account", json::object())}};
    AcceptedPackage package;
    package.productId = productId;
    if (auto store = task.seller.productConfigStore()) {
        const auto configs = store->lookup({productId});
        if (!configs.ok)
            return controllerError("INTERNAL_ERROR", configs.error);
        if (auto it = configs.configs.find(productId); it != configs.configs.end())
            package.implementationConfig = it->second;
    }
    order.packages.push_back(std::move(package));
    if (Execution::requiresManualApproval(task.options, order))
        return controllerError("INVALID_STATE", "buys of product " + productId +
                                                    " wait for the seller's approval, so " + flow +
                                                    " is not synchronous");
    return std::nullopt;
}

// A prepare answer (SimulationSuccess): the product and the tools that answer synchronously for it.
adcp::ToolOutcome compactPrepared(const std::string &productId, const json &tools)
{
    std::string names;
    for (const auto &tool : tools)
        names += (names.empty() ? "" : ", ") + tool.get<std::string>();
    return adcp::ToolOutcome::success(
        {{"success", true},
         {"simulated", {{"operation", "prepare"}, {"product_id", productId}, {"synchronous_tools", tools}}},
         {"message", "product " + productId + " is ready: " + names + " answer synchronously"}});
}

} // namespace

// compact_direct_buy_lifecycle_probe, operation prepare: the direct-buy flow (list_products → buy_products →
// control_media_buy → get_media_buys) is synchronous on this seller for any product it can sell without a
// human approval step, so preparing checks that and changes nothing.
adcp::ToolOutcome prepareDirectBuyProbe(TaskContext &task, const json &args)
{
    const std::string productId = args.value("params", json::object()).value("product_id", std::string());
    if (auto problem = compactProbeProductProblem(task, args, productId, "a direct buy of it"))
        return std::move(*problem);
    return compactPrepared(productId,
                           {"list_products", "buy_products", "control_media_buy", "get_media_buys"});
}

// compact_product_lifecycle_probe. prepare: the proposal flow (list_products → request_proposals →
// refine_proposals / decline_proposals → accept_proposal → control_media_buy → get_media_buys) is synchronous
// for a product the seller can sell without a human approval step; preparing checks that and changes
// nothing. expire_proposal: the hold of one of the caller's committed, unaccepted proposals lapses now. The
// seller's clock is shared by every principal, so instead of moving it past the hold deadline the deadline
// moves to a second before now, recorded as a new version of the proposal ("hold lapsed"); from then on
// accept_proposal and create_media_buy refuse it as expired, as they would after the deadline.
adcp::ToolOutcome compactProductProbe(TaskContext &task, const json &args)
{
    const json params = args.value("params", json::object());
    const std::string operation = params.value("operation", std::string());
    if (operation == "prepare") {
        const std::string productId = params.value("product_id", std::string());
        if (auto problem = compactProbeProductProblem(task, args, productId, "accepting a proposal for it"))
            return std::move(*problem);
        return compactPrepared(productId,
                               {"list_products", "request_proposals", "refine_proposals", "decline_proposals",
                                "accept_proposal", "control_media_buy", "get_media_buys"});
    }
    const std::string proposalId = params.value("proposal_id", std::string());
    QString error;
    storage::WriteTransaction tx(task.db);
    if (!tx.begin(&error))
        return controllerError("INTERNAL_ERROR", "the seller database is busy: " + error.toStdString());
    auto stored = ProposalStore::find(task.db, task.principal.id, proposalId, &error);
    if (!stored)
        return error.isEmpty()
                   ? controllerError("NOT_FOUND", "proposal " + proposalId + " is not this caller's")
                   : controllerError("INTERNAL_ERROR", error.toStdString());
    if (stored->state != ProposalState::Committed)
        return controllerError("INVALID_STATE", "proposal " + proposalId + " is " + toString(stored->state) +
                                                    "; only a committed proposal holds inventory");
    if (stored->expired(task.now))
        return controllerError("INVALID_STATE", "the hold of proposal " + proposalId + " ended at " +
                                                    isoTime(stored->expiresAt).toStdString());
    const QDateTime deadline = stored->expiresAt;
    stored->expiresAt = task.now.addSecs(-1);
    if (!ProposalStore::addVersion(task.db, *stored, "hold lapsed (compact_product_lifecycle_probe)",
                                   task.now, &error) ||
        !tx.commit(&error))
        return controllerError("INTERNAL_ERROR", "the lapse could not be stored: " + error.toStdString());
    return adcp::ToolOutcome::success(
        {{"success", true},
         {"simulated",
          {{"operation", "expire_proposal"},
           {"proposal_id", proposalId},
           {"proposal_version", versionLabel(stored->version)},
           {"hold_deadline_was", isoTime(deadline).toStdString()},
           {"expires_at", isoTime(stored->expiresAt).toStdString()},
           {"processed_at", isoTime(task.now).toStdString()},
           {"proposal_status", "expired"}}},
         {"message", "the hold of proposal " + proposalId + " lapsed; accepting it is refused from now on"}});
}

} // namespace adcp::seller
