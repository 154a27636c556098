#pragma once

#include "adcperror.h"

#include <nlohmann/json.hpp>

#include <string>

namespace adcp::seller {

// One item of a per-item sync answer (sync_audiences, sync_event_sources) that failed on its own: its id
// under `idKey`, action "failed" and the error. Nothing of the item was written.
inline nlohmann::json failedSyncItem(const char *idKey, const std::string &id, const adcp::AdcpError &error)
{
    return {{idKey, id}, {"action", "failed"}, {"errors", nlohmann::json::array({error.toJson()})}};
}

} // namespace adcp::seller
