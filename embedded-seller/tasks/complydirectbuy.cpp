#include "complyscenarios.h"
#include "taskcontext.h"

#include "domain/acceptedorder.h"
#include "domain/catalog.h"
#include "domain/pricing.h"
#include "domain/productconfigstore.h"
#include "jobs/execution.h"

#include <algorithm>

namespace adcp::seller {

using nlohmann::json;

// compact_direct_buy_lifecycle_probe, operation prepare: the direct-buy flow (list_products → buy_products →
// control_media_buy → get_media_buys) is synchronous on this seller for any product it can sell without a
// human approval step, so preparing checks that and changes nothing. A product the caller cannot see, one
// without a bookable pricing option, or one whose buys wait for manual approval (seller setting, the
// account's approval list, or the product's implementation config) cannot be prepared, and the answer says
// why.
adcp::ToolOutcome prepareDirectBuyProbe(TaskContext &task, const json &args)
{
    const json params = args.value("params", json::object());
    const std::string productId = params.value("product_id", std::string());
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
        return controllerError("INVALID_STATE",
                               "buys of product " + productId +
                                   " wait for the seller's approval, so a direct buy of it is "
                                   "not synchronous");
    return adcp::ToolOutcome::success(
        {{"success", true},
         {"message",
          "product " + productId +
              " is ready: list_products, buy_products, control_media_buy and get_media_buys answer "
              "synchronously"}});
}

} // namespace adcp::seller
