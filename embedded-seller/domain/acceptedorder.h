#pragma once

#include <QDateTime>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace adcp::seller {

struct AcceptedPackage
{
    std::string packageId;
    std::string productId;
    std::string pricingOptionId;
    double budget = 0;
    std::optional<double> bidPrice;
    // The product's seller-private implementation_config as ProductConfigStore returned it; null when the
    // store had none for this product (a partial answer is passed on as is).
    nlohmann::json implementationConfig;
};

// An order create_media_buy has accepted and stored; handed to the order-accepted hook (execution) inside the
// storing transaction.
struct AcceptedOrder
{
    std::string principalId;
    std::string mediaBuyId;
    std::optional<std::string> proposalId;
    std::optional<std::string> proposalVersion;
    std::string currency;
    double totalBudget = 0;
    QDateTime startTime;
    QDateTime endTime;
    std::vector<AcceptedPackage> packages;
    nlohmann::json request; // the create_media_buy arguments (idempotency_key included)
    // Set when the order waits for the seller's approval: create_media_buy answers `submitted` with this id.
    std::optional<std::string> taskId;
};

} // namespace adcp::seller
