#pragma once

#include "adcperror.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace adcp::seller {

struct TaskContext;

// comply_test_controller scenarios about accounts and sandbox creative formats (comply_test_controller.cpp
// dispatches to them). Answers follow the controller's response shapes: success with previous_state /
// current_state, or success: false with the controller's error code.
// Every scenario comply_test_controller serves, list_scenarios first.
const std::vector<std::string> &complyScenarioNames();
adcp::ToolOutcome controllerError(const std::string &code, const std::string &detail,
                                  const std::optional<std::string> &currentState = std::nullopt);
adcp::ToolOutcome forceAccountStatus(TaskContext &task, const nlohmann::json &params);
// Seeds a format for the sandbox principal (params.format_id, params.fixture); list_creative_formats with an
// account then answers with exactly the seeded formats.
adcp::ToolOutcome seedCreativeFormat(TaskContext &task, const nlohmann::json &args);
// list_creative_formats with an account, once formats were seeded: exactly those, in seeding order, paged by
// cursor; nothing when none were seeded or the request names no account.
std::optional<adcp::ToolOutcome> seededCreativeFormats(TaskContext &task, const nlohmann::json &args);
// compact_direct_buy_lifecycle_probe (operation prepare, params.product_id): checks that the direct-buy flow
// of the product is synchronous here (complydirectbuy.cpp); changes nothing.
adcp::ToolOutcome prepareDirectBuyProbe(TaskContext &task, const nlohmann::json &args);
// compact_product_lifecycle_probe: prepare (params.product_id) checks that the compact proposal flow is
// synchronous for the product and changes nothing; expire_proposal (params.proposal_id) makes the hold of the
// caller's committed proposal lapse now (complydirectbuy.cpp).
adcp::ToolOutcome compactProductProbe(TaskContext &task, const nlohmann::json &args);
// catalog_item_availability_probe (complycatalogprobe.cpp): seed_inaccessible_item puts a catalog with the
// item under another principal (a reference the caller must get REFERENCE_NOT_FOUND for); query_eligibility
// reports whether the caller's item is served and which gates decide it; advance_time moves the seller clock
// to target_time and ends the suppressions due by then; recreate_catalog gives the catalog a new generation
// as a delete and re-create would (its overlays end).
adcp::ToolOutcome catalogAvailabilityProbe(TaskContext &task, const nlohmann::json &args);

} // namespace adcp::seller
