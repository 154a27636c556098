#pragma once

#include "enums.h"
#include "impairment.h"
#include "package.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace adcp::wire {

// One media_buys[] entry of media-buy/get-media-buys-response.json: the buy's status and, orthogonal to it,
// its dependency health with the open impairments.
struct MediaBuy
{
    std::string mediaBuyId; // media_buy_id
    std::optional<std::string> name;
    std::optional<std::string> acceptedProposalId; // accepted_proposal_id
    MediaBuyStatus status = MediaBuyStatus::PendingStart;
    MediaBuyHealth health = MediaBuyHealth::Ok; // absent on the wire means ok
    std::vector<Impairment> impairments;
    std::optional<std::string> rejectionReason; // rejection_reason
    std::string currency;
    double totalBudget = 0; // total_budget
    std::optional<std::string> pacing;
    std::optional<std::string> startTime;   // start_time (RFC 3339)
    std::optional<std::string> endTime;     // end_time (RFC 3339)
    std::optional<std::string> confirmedAt; // confirmed_at: required on the wire, null until committed
    int revision = 0;                       // optimistic concurrency token
    std::optional<std::string> createdAt;   // created_at
    std::optional<std::string> updatedAt;   // updated_at
    std::vector<Package> packages;
    nlohmann::json extra = nlohmann::json::object();
};

void to_json(nlohmann::json &json, const MediaBuy &value);
void from_json(const nlohmann::json &json, MediaBuy &value);

} // namespace adcp::wire
