#pragma once

#include "datasync/catalogavailability.h"
#include "datasync/catalogs.h"
#include "taskcontext.h"

#include <nlohmann/json.hpp>

#include <QString>

#include <vector>

namespace adcp::seller {

// sync_catalogs' item_availability_updates and item_availability_queries (sync_catalogs_availability.cpp).

// Operation-level checks, before schema validation and before anything is looked up, in every validation
// mode: more than 1,000 updates and queries together, updates in a dry run, an ill-formed entry (the reason
// must suit the action, `other` needs reason_detail, expires_at only on a suppress) and a catalog item named
// twice in the updates. Each answers INVALID_REQUEST naming the member.
adcp::ToolOutcome checkSyncCatalogs(TaskContext &task, const nlohmann::json &args);

// The privacy-preserving error of an unknown, foreign, unauthorized or stale-generation item reference: the
// same closed shape whatever the cause (code, this exact message, recovery; no field), so a caller cannot
// tell them apart.
adcp::AdcpError catalogItemNotFound();

// The catalog and current overlay an item reference ({catalog_id, catalog_generation, item_id}) names for
// the caller: a catalog of the caller's account in that generation, and an item of its feed or one with an
// overlay (a suppressed item dropped from the feed keeps its overlay). Nothing otherwise; `error` is set
// when the database failed.
struct AvailabilityTarget
{
    catalogs::Stored catalog;
    catalogavailability::Overlay overlay; // the initial state (revision 0, active) when none is stored
};
std::optional<AvailabilityTarget> findAvailabilityTarget(TaskContext &task, const nlohmann::json &ref,
                                                         QString *error);

// Applies the updates in request order against the state the call has staged so far (catalog upserts
// included) and appends one acknowledgement per update to `results`. A failing entry goes to `failures` and,
// unless `strict`, is acknowledged `failed` in its position (strict callers roll everything back). False
// when the database fails (`error`).
bool applyAvailabilityUpdates(TaskContext &task, const nlohmann::json &updates, bool strict,
                              nlohmann::json *results, std::vector<adcp::AdcpError> *failures,
                              QString *error);
// One state per query, in request order, read after the updates.
bool queryAvailability(TaskContext &task, const nlohmann::json &queries, bool strict, nlohmann::json *states,
                       std::vector<adcp::AdcpError> *failures, QString *error);
// A strict call's failure answer: every error, except that the closed REFERENCE_NOT_FOUND shape allows no
// company, so a call with one answers its first error alone.
adcp::ToolOutcome availabilityFailure(std::vector<adcp::AdcpError> failures);

} // namespace adcp::seller
