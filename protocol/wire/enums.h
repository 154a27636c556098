#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

namespace adcp::wire {

// enums/task-status.json
enum class TaskStatus {
    Submitted,
    Working,
    InputRequired,
    Completed,
    Canceled,
    Failed,
    Rejected,
    AuthRequired,
    Unknown
};
// enums/media-buy-status.json
enum class MediaBuyStatus { PendingCreatives, PendingStart, Active, Paused, Completed, Rejected, Canceled };
// enums/media-buy-health.json — orthogonal to the status
enum class MediaBuyHealth { Ok, Impaired };
// enums/proposal-status.json
enum class ProposalStatus { Draft, Committed, Accepted };
// core/impairment.json resource_type
enum class ImpairmentResourceType { Audience, Creative, CatalogItem, EventSource, Property };

// The wire spelling ("input-required", "pending_creatives", ...).
std::string_view toString(TaskStatus value);
std::string_view toString(MediaBuyStatus value);
std::string_view toString(MediaBuyHealth value);
std::string_view toString(ProposalStatus value);
std::string_view toString(ImpairmentResourceType value);

// nullopt for a spelling the spec does not define (the comparison is exact, case included).
template <typename Enum> std::optional<Enum> fromString(std::string_view text);

template <> std::optional<TaskStatus> fromString<TaskStatus>(std::string_view text);
template <> std::optional<MediaBuyStatus> fromString<MediaBuyStatus>(std::string_view text);
template <> std::optional<MediaBuyHealth> fromString<MediaBuyHealth>(std::string_view text);
template <> std::optional<ProposalStatus> fromString<ProposalStatus>(std::string_view text);
template <> std::optional<ImpairmentResourceType> fromString<ImpairmentResourceType>(std::string_view text);

// A task in one of these states will not change any more.
bool isTerminal(TaskStatus status);
// A media buy in one of these states will not deliver any more.
bool isTerminal(MediaBuyStatus status);

// from_json throws WireError for a value outside the enum, naming the allowed values.
void to_json(nlohmann::json &json, TaskStatus value);
void from_json(const nlohmann::json &json, TaskStatus &value);
void to_json(nlohmann::json &json, MediaBuyStatus value);
void from_json(const nlohmann::json &json, MediaBuyStatus &value);
void to_json(nlohmann::json &json, MediaBuyHealth value);
void from_json(const nlohmann::json &json, MediaBuyHealth &value);
void to_json(nlohmann::json &json, ProposalStatus value);
void from_json(const nlohmann::json &json, ProposalStatus &value);
void to_json(nlohmann::json &json, ImpairmentResourceType value);
void from_json(const nlohmann::json &json, ImpairmentResourceType &value);

} // namespace adcp::wire
