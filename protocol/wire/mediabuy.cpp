#include "mediabuy.h"

#include "jsonfields.h"

namespace adcp::wire {

using namespace detail;

void to_json(nlohmann::json &json, const MediaBuy &value)
{
    json = withExtra(value.extra);
    json["media_buy_id"] = value.mediaBuyId;
    putOptional(json, "name", value.name);
    putOptional(json, "accepted_proposal_id", value.acceptedProposalId);
    json["status"] = value.status;
    json["health"] = value.health;
    json["impairments"] = value.impairments;
    putOptional(json, "rejection_reason", value.rejectionReason);
    json["currency"] = value.currency;
    json["total_budget"] = value.totalBudget;
    putOptional(json, "pacing", value.pacing);
    putOptional(json, "start_time", value.startTime);
    putOptional(json, "end_time", value.endTime);
    json["confirmed_at"] = value.confirmedAt ? nlohmann::json(*value.confirmedAt) : nlohmann::json();
    json["revision"] = value.revision;
    putOptional(json, "created_at", value.createdAt);
    putOptional(json, "updated_at", value.updatedAt);
    json["packages"] = value.packages;
}

void from_json(const nlohmann::json &json, MediaBuy &value)
{
    requireObject(json, "media buy");
    value.mediaBuyId = required<std::string>(json, "media_buy_id");
    value.name = optional<std::string>(json, "name");
    value.acceptedProposalId = optional<std::string>(json, "accepted_proposal_id");
    value.status = required<MediaBuyStatus>(json, "status");
    value.health = optional<MediaBuyHealth>(json, "health").value_or(MediaBuyHealth::Ok);
    value.impairments =
        optional<std::vector<Impairment>>(json, "impairments").value_or(std::vector<Impairment>());
    value.rejectionReason = optional<std::string>(json, "rejection_reason");
    value.currency = required<std::string>(json, "currency");
    value.totalBudget = required<double>(json, "total_budget");
    value.pacing = optional<std::string>(json, "pacing");
    value.startTime = optionalDateTime(json, "start_time");
    value.endTime = optionalDateTime(json, "end_time");
    if (!json.contains("confirmed_at"))
        throw WireError("", "required property 'confirmed_at' is missing").within("confirmed_at");
    value.confirmedAt = optionalDateTime(json, "confirmed_at");
    value.revision = required<int>(json, "revision");
    value.createdAt = optionalDateTime(json, "created_at");
    value.updatedAt = optionalDateTime(json, "updated_at");
    value.packages = required<std::vector<Package>>(json, "packages");
    value.extra =
        extraMembers(json, {"media_buy_id", "name", "accepted_proposal_id", "status", "health", "impairments",
                            "rejection_reason", "currency", "total_budget", "pacing", "start_time",
                            "end_time", "confirmed_at", "revision", "created_at", "updated_at", "packages"});
}

} // namespace adcp::wire
