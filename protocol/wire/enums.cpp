#include "enums.h"

#include "wireerror.h"

#include <array>
#include <utility>

namespace adcp::wire {

namespace {

template <typename Enum, size_t N> using Names = std::array<std::pair<Enum, std::string_view>, N>;

constexpr Names<TaskStatus, 9> kTaskStatus = {{{TaskStatus::Submitted, "submitted"},
                                               {TaskStatus::Working, "working"},
                                               {TaskStatus::InputRequired, "input-required"},
                                               {TaskStatus::Completed, "completed"},
                                               {TaskStatus::Canceled, "canceled"},
                                               {TaskStatus::Failed, "failed"},
                                               {TaskStatus::Rejected, "rejected"},
                                               {TaskStatus::AuthRequired, "auth-required"},
                                               {TaskStatus::Unknown, "unknown"}}};

constexpr Names<MediaBuyStatus, 7> kMediaBuyStatus = {
    {{MediaBuyStatus::PendingCreatives, "pending_creatives"},
     {MediaBuyStatus::PendingStart, "pending_start"},
     {MediaBuyStatus::Active, "active"},
     {MediaBuyStatus::Paused, "paused"},
     {MediaBuyStatus::Completed, "completed"},
     {MediaBuyStatus::Rejected, "rejected"},
     {MediaBuyStatus::Canceled, "canceled"}}};

constexpr Names<MediaBuyHealth, 2> kMediaBuyHealth = {
    {{MediaBuyHealth::Ok, "ok"}, {MediaBuyHealth::Impaired, "impaired"}}};

constexpr Names<ProposalStatus, 3> kProposalStatus = {{{ProposalStatus::Draft, "draft"},
                                                       {ProposalStatus::Committed, "committed"},
                                                       {ProposalStatus::Accepted, "accepted"}}};

constexpr Names<ImpairmentResourceType, 5> kResourceType = {
    {{ImpairmentResourceType::Audience, "audience"},
     {ImpairmentResourceType::Creative, "creative"},
     {ImpairmentResourceType::CatalogItem, "catalog_item"},
     {ImpairmentResourceType::EventSource, "event_source"},
     {ImpairmentResourceType::Property, "property"}}};

template <typename Enum, size_t N> std::string_view nameOf(const Names<Enum, N> &names, Enum value)
{
    for (const auto &[e, name] : names) {
        if (e == value)
            return name;
    }
    return {};
}

template <typename Enum, size_t N>
std::optional<Enum> valueOf(const Names<Enum, N> &names, std::string_view text)
{
    for (const auto &[e, name] : names) {
        if (name == text)
            return e;
    }
    return std::nullopt;
}

template <typename Enum, size_t N> Enum parse(const Names<Enum, N> &names, const nlohmann::json &json)
{
    if (json.is_string()) {
        if (const auto value = valueOf(names, json.get_ref<const std::string &>()))
            return *value;
    }
    std::string allowed;
    for (const auto &[e, name] : names)
        allowed += (allowed.empty() ? "" : ", ") + std::string(name);
    throw WireError("", json.dump() + " is not one of: " + allowed);
}

} // namespace

std::string_view toString(TaskStatus value)
{
    return nameOf(kTaskStatus, value);
}
std::string_view toString(MediaBuyStatus value)
{
    return nameOf(kMediaBuyStatus, value);
}
std::string_view toString(MediaBuyHealth value)
{
    return nameOf(kMediaBuyHealth, value);
}
std::string_view toString(ProposalStatus value)
{
    return nameOf(kProposalStatus, value);
}
std::string_view toString(ImpairmentResourceType value)
{
    return nameOf(kResourceType, value);
}

template <> std::optional<TaskStatus> fromString<TaskStatus>(std::string_view text)
{
    return valueOf(kTaskStatus, text);
}
template <> std::optional<MediaBuyStatus> fromString<MediaBuyStatus>(std::string_view text)
{
    return valueOf(kMediaBuyStatus, text);
}
template <> std::optional<MediaBuyHealth> fromString<MediaBuyHealth>(std::string_view text)
{
    return valueOf(kMediaBuyHealth, text);
}
template <> std::optional<ProposalStatus> fromString<ProposalStatus>(std::string_view text)
{
    return valueOf(kProposalStatus, text);
}
template <> std::optional<ImpairmentResourceType> fromString<ImpairmentResourceType>(std::string_view text)
{
    return valueOf(kResourceType, text);
}

bool isTerminal(TaskStatus status)
{
    return status == TaskStatus::Completed || status == TaskStatus::Canceled ||
           status == TaskStatus::Failed || status == TaskStatus::Rejected;
}

bool isTerminal(MediaBuyStatus status)
{
    return status == MediaBuyStatus::Completed || status == MediaBuyStatus::Rejected ||
           status == MediaBuyStatus::Canceled;
}

void to_json(nlohmann::json &json, TaskStatus value)
{
    json = std::string(toString(value));
}
void from_json(const nlohmann::json &json, TaskStatus &value)
{
    value = parse(kTaskStatus, json);
}
void to_json(nlohmann::json &json, MediaBuyStatus value)
{
    json = std::string(toString(value));
}
void from_json(const nlohmann::json &json, MediaBuyStatus &value)
{
    value = parse(kMediaBuyStatus, json);
}
void to_json(nlohmann::json &json, MediaBuyHealth value)
{
    json = std::string(toString(value));
}
void from_json(const nlohmann::json &json, MediaBuyHealth &value)
{
    value = parse(kMediaBuyHealth, json);
}
void to_json(nlohmann::json &json, ProposalStatus value)
{
    json = std::string(toString(value));
}
void from_json(const nlohmann::json &json, ProposalStatus &value)
{
    value = parse(kProposalStatus, json);
}
void to_json(nlohmann::json &json, ImpairmentResourceType value)
{
    json = std::string(toString(value));
}
void from_json(const nlohmann::json &json, ImpairmentResourceType &value)
{
    value = parse(kResourceType, json);
}

} // namespace adcp::wire
