#include "impairment.h"

#include "jsonfields.h"

namespace adcp::wire {

using namespace detail;

void to_json(nlohmann::json &json, const ImpairmentTransition &value)
{
    json = withExtra(value.extra);
    putOptional(json, "from", value.from);
    json["to"] = value.to;
}

void from_json(const nlohmann::json &json, ImpairmentTransition &value)
{
    requireObject(json, "transition");
    value.from = optional<std::string>(json, "from");
    value.to = required<std::string>(json, "to");
    value.extra = extraMembers(json, {"from", "to"});
}

void to_json(nlohmann::json &json, const Impairment &value)
{
    json = withExtra(value.extra);
    json["impairment_id"] = value.impairmentId;
    json["resource_type"] = value.resourceType;
    json["resource_id"] = value.resourceId;
    json["package_ids"] = value.packageIds;
    json["transition"] = value.transition;
    json["reason_code"] = value.reasonCode;
    putOptional(json, "reason", value.reason);
    json["observed_at"] = value.observedAt;
    putOptional(json, "remediation", value.remediation);
}

void from_json(const nlohmann::json &json, Impairment &value)
{
    requireObject(json, "impairment");
    value.impairmentId = required<std::string>(json, "impairment_id");
    value.resourceType = required<ImpairmentResourceType>(json, "resource_type");
    value.resourceId = required<std::string>(json, "resource_id");
    value.packageIds = required<std::vector<std::string>>(json, "package_ids");
    value.transition = required<ImpairmentTransition>(json, "transition");
    value.reasonCode = required<std::string>(json, "reason_code");
    value.reason = optional<std::string>(json, "reason");
    value.observedAt = requiredDateTime(json, "observed_at");
    value.remediation = optional<std::string>(json, "remediation");
    value.extra = extraMembers(json, {"impairment_id", "resource_type", "resource_id", "package_ids",
                                      "transition", "reason_code", "reason", "observed_at", "remediation"});
}

} // namespace adcp::wire
