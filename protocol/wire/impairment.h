#pragma once

#include "enums.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace adcp::wire {

// core/impairment.json transition: the resource's status change that caused the impairment.
struct ImpairmentTransition
{
    std::optional<std::string> from; // absent when the resource was found already offline
    std::string to;
    nlohmann::json extra = nlohmann::json::object();
};

// core/impairment.json: an upstream dependency that stopped serving and affects some packages of a buy.
struct Impairment
{
    std::string impairmentId; // impairment_id; also the notification_id of the impairment webhook
    ImpairmentResourceType resourceType = ImpairmentResourceType::Creative; // resource_type
    std::string resourceId;                                                 // resource_id
    std::vector<std::string> packageIds;                                    // package_ids
    ImpairmentTransition transition;
    std::string reasonCode;            // reason_code (enums/impairment-reason-code.json)
    std::optional<std::string> reason; // human-readable
    std::string observedAt;            // observed_at (RFC 3339)
    std::optional<std::string> remediation;
    nlohmann::json extra = nlohmann::json::object();
};

void to_json(nlohmann::json &json, const ImpairmentTransition &value);
void from_json(const nlohmann::json &json, ImpairmentTransition &value);
void to_json(nlohmann::json &json, const Impairment &value);
void from_json(const nlohmann::json &json, Impairment &value);

} // namespace adcp::wire
