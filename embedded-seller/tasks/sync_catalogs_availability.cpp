#include "catalogavailabilitytask.h"

#include <set>
#include <tuple>

namespace adcp::seller {

using nlohmann::json;
namespace availability = catalogavailability;

namespace {

constexpr size_t kMaxAvailabilityEntries = 1000;

const std::set<std::string> &suppressReasons()
{
    static const std::set<std::string> r = {"out_of_stock",        "content_unavailable", "promotion_end",
                                            "time_window_expired", "buyer_request",       "other"};
    return r;
}

const std::set<std::string> &restoreReasons()
{
    static const std::set<std::string> r = {"back_in_stock",       "content_available", "promotion_start",
                                            "time_window_started", "buyer_request",     "other"};
    return r;
}

adcp::AdcpError availabilityInvalid(const std::string &message, const std::string &field,
                                    const std::string &suggestion)
{
    return adcp::AdcpError::make("INVALID_REQUEST", message, field, suggestion);
}

// A buyer-sent date-time (RFC 3339, any offset), invalid when it is not one.
QDateTime availabilityTime(const json &value)
{
    if (!value.is_string())
        return {};
    const QString text = QString::fromStdString(value.get<std::string>());
    if (text.size() < 20 || !text.contains(QLatin1Char('T')) ||
        !(text.endsWith(QLatin1Char('Z')) || text.endsWith(QLatin1Char('z')) ||
          text.at(text.size() - 6) == QLatin1Char('+') || text.at(text.size() - 6) == QLatin1Char('-')))
        return {};
    return QDateTime::fromString(text.toUpper(), Qt::ISODateWithMs).toUTC();
}

// The identity members of an update or query: non-empty strings of at most 255 characters.
std::optional<adcp::AdcpError> availabilityRefProblem(const json &entry, const std::string &field)
{
    if (!entry.is_object())
        return availabilityInvalid("each entry is an object", field,
                                   "send {catalog_id, catalog_generation, "
                                   "item_id, …}");
    for (const char *name : {"catalog_id", "catalog_generation", "item_id"}) {
        const auto it = entry.find(name);
        if (it == entry.end() || !it->is_string() || it->get<std::string>().empty() ||
            it->get<std::string>().size() > 255)
            return availabilityInvalid(std::string(name) + " is required: a string of 1 to 255 characters",
                                       field + "." + name,
                                       std::string("take ") + name + " from sync_catalogs results");
    }
    return std::nullopt;
}

std::optional<adcp::AdcpError> availabilityUpdateProblem(const json &u, const std::string &field)
{
    if (auto problem = availabilityRefProblem(u, field))
        return problem;
    const auto revision = u.find("expected_overlay_revision");
    if (revision == u.end() || !revision->is_number_integer() || revision->get<std::int64_t>() < 0)
        return availabilityInvalid("expected_overlay_revision is required: an integer of 0 or more",
                                   field + ".expected_overlay_revision",
                                   "read overlay_revision with item_availability_queries (0 for an item "
                                   "never suppressed)");
    const std::string action = u.value("action", json()).is_string() ? u["action"].get<std::string>() : "";
    if (action != "suppress" && action != "restore")
        return availabilityInvalid("action must be suppress or restore", field + ".action",
                                   "send action suppress or restore");
    const std::string reason = u.value("reason", json()).is_string() ? u["reason"].get<std::string>() : "";
    const auto &allowed = action == "suppress" ? suppressReasons() : restoreReasons();
    if (!allowed.count(reason)) {
        std::string list;
        for (const auto &r : allowed)
            list += (list.empty() ? "" : ", ") + r;
        return availabilityInvalid("reason " + (reason.empty() ? std::string("(none)") : reason) +
                                       " does not go with action " + action,
                                   field + ".reason", "a " + action + " gives one of: " + list);
    }
    if (const auto detail = u.find("reason_detail"); detail != u.end()) {
        if (!detail->is_string() || detail->get<std::string>().empty() ||
            detail->get<std::string>().size() > 1000)
            return availabilityInvalid("reason_detail is a string of 1 to 1000 characters",
                                       field + ".reason_detail", "shorten the explanation");
    } else if (reason == "other") {
        return availabilityInvalid("reason other needs reason_detail", field + ".reason_detail",
                                   "explain the condition in reason_detail, or use a standard reason");
    }
    if (const auto expires = u.find("expires_at"); expires != u.end()) {
        if (action != "suppress")
            return availabilityInvalid("expires_at goes with action suppress only", field + ".expires_at",
                                       "leave expires_at out of a restore");
        if (!availabilityTime(*expires).isValid())
            return availabilityInvalid("expires_at is not an RFC 3339 date-time", field + ".expires_at",
                                       "send e.g. 2026-07-01T00:00:00Z");
    }
    return std::nullopt;
}

json availabilityIdentity(size_t index, const json &entry)
{
    return {{"request_index", index},
            {"catalog_id", entry["catalog_id"]},
            {"catalog_generation", entry["catalog_generation"]},
            {"item_id", entry["item_id"]}};
}

// What a stored or initial overlay says in an answer: availability, revision, expiry.
void describeOverlay(json &out, const availability::Overlay &o)
{
    out["availability"] = o.availability;
    out["overlay_revision"] = o.revision;
    if (o.availability == "suppressed" && o.expiresAt.isValid())
        out["expires_at"] = availability::isoInstant(o.expiresAt);
}

} // namespace

adcp::AdcpError catalogItemNotFound()
{
    adcp::AdcpError e;
    e.code = "REFERENCE_NOT_FOUND";
    e.message = "Catalog item not found";
    e.recovery = adcp::Recovery::Correctable;
    return e;
}

adcp::ToolOutcome availabilityFailure(std::vector<adcp::AdcpError> failures)
{
    for (const auto &f : failures)
        if (f.code == "REFERENCE_NOT_FOUND" && !f.field)
            return failureWithErrors({failures.front()});
    return failureWithErrors(std::move(failures));
}

adcp::ToolOutcome checkSyncCatalogs(TaskContext &, const json &args)
{
    const json updates = args.value("item_availability_updates", json::array());
    const json queries = args.value("item_availability_queries", json::array());
    if (!updates.is_array() || !queries.is_array())
        return adcp::ToolOutcome::success(json::object()); // the schema says it better
    if (updates.size() + queries.size() > kMaxAvailabilityEntries)
        return failureWithErrors({availabilityInvalid(
            "a call carries at most 1000 availability updates and queries together; this one has " +
                std::to_string(updates.size() + queries.size()),
            updates.size() > queries.size() ? "item_availability_updates" : "item_availability_queries",
            "split them over several calls")});
    if (!updates.empty() && args.value("dry_run", json(false)) == json(true))
        return failureWithErrors({availabilityInvalid(
            "a dry run cannot carry item_availability_updates: their acknowledgements are applied state",
            "dry_run", "send the updates without dry_run, or preview only the catalogs")});
    std::set<std::tuple<std::string, std::string, std::string>> seen;
    for (size_t j = 0; j < updates.size(); ++j) {
        const std::string field = "item_availability_updates[" + std::to_string(j) + "]";
        if (auto problem = availabilityUpdateProblem(updates[j], field))
            return failureWithErrors({std::move(*problem)});
        const auto &u = updates[j];
        if (!seen.emplace(u["catalog_id"].get<std::string>(), u["catalog_generation"].get<std::string>(),
                          u["item_id"].get<std::string>())
                 .second)
            return failureWithErrors({availabilityInvalid(
                "item " + u["item_id"].get<std::string>() + " of catalog " +
                    u["catalog_id"].get<std::string>() + " is updated twice in this call",
                field + ".item_id", "send one update per item and call")});
    }
    for (size_t j = 0; j < queries.size(); ++j)
        if (auto problem =
                availabilityRefProblem(queries[j], "item_availability_queries[" + std::to_string(j) + "]"))
            return failureWithErrors({std::move(*problem)});
    return adcp::ToolOutcome::success(json::object());
}

std::optional<AvailabilityTarget> findAvailabilityTarget(TaskContext &task, const json &ref, QString *error)
{
    const std::string catalogId = ref.value("catalog_id", std::string());
    const std::string generation = ref.value("catalog_generation", std::string());
    const std::string itemId = ref.value("item_id", std::string());
    // One path for unknown, another account's, another generation's: the caller learns nothing more.
    auto catalog = catalogs::find(task.db, task.principal.id, catalogId, error);
    if (!catalog || catalog->generation != generation ||
        (task.account && catalog->accountId != task.account->accountId))
        return std::nullopt;
    auto overlay = availability::find(task.db, task.principal.id, catalogId, generation, itemId, error);
    if (!overlay) {
        if (!catalogs::inFeed(task.db, task.principal.id, catalogId, itemId))
            return std::nullopt;
        overlay = availability::Overlay{};
        overlay->updatedAt = catalog->createdAt;
    }
    return AvailabilityTarget{std::move(*catalog), std::move(*overlay)};
}

bool applyAvailabilityUpdates(TaskContext &task, const json &updates, bool strict, json *results,
                              std::vector<adcp::AdcpError> *failures, QString *error)
{
    for (size_t j = 0; j < updates.size(); ++j) {
        const json &u = updates[j];
        const std::string field = "item_availability_updates[" + std::to_string(j) + "]";
        json out = availabilityIdentity(j, u);
        out["action"] = u["action"];
        const auto fail = [&](adcp::AdcpError e) {
            failures->push_back(e);
            if (strict)
                return;
            out["status"] = "failed";
            out["errors"] = json::array({e.toJson()});
            results->push_back(out);
        };
        auto target = findAvailabilityTarget(task, u, error);
        if (!error->isEmpty())
            return false;
        if (!target) {
            fail(catalogItemNotFound());
            continue;
        }
        availability::Overlay &o = target->overlay;
        const int expected = u["expected_overlay_revision"].get<int>();
        if (expected != o.revision) {
            auto conflict = adcp::AdcpError::make(
                "CONFLICT",
                "the item's overlay is at revision " + std::to_string(o.revision) + ", not " +
                    std::to_string(expected),
                field + ".expected_overlay_revision",
                "read the current state (item_availability_queries) and retry with its overlay_revision");
            conflict.details = {{"current_overlay_revision", o.revision}};
            fail(std::move(conflict));
            continue;
        }
        const bool suppress = u["action"] == "suppress";
        const std::string itemId = u["item_id"].get<std::string>();
        QDateTime expires;
        if (suppress && u.contains("expires_at")) {
            expires = availabilityTime(u["expires_at"]);
            if (expires <= task.now) {
                fail(availabilityInvalid(
                    "expires_at " + u["expires_at"].get<std::string>() +
                        " is not in the future (seller time " + availability::isoInstant(task.now) + ")",
                    field + ".expires_at",
                    "give a later expiry, or leave it out for an indefinite suppression"));
                continue;
            }
        }
        const bool same =
            suppress ? o.availability == "suppressed" && o.expiresAt == expires : o.availability == "active";
        if (!same) {
            o.availability = suppress ? "suppressed" : "active";
            o.revision += 1;
            o.reason = u["reason"].get<std::string>();
            o.reasonDetail = u.value("reason_detail", std::string());
            o.expiresAt = expires;
            o.updatedAt = task.now;
            if (!availability::save(task.db, task.principal.id, target->catalog.catalogId,
                                    target->catalog.generation, itemId, o, error) ||
                !availability::applyHold(task.db, task.principal.id, itemId, o, task.now, error))
                return false;
        }
        out["status"] = same ? "unchanged" : "applied";
        describeOverlay(out, o);
        if (!same || o.stored)
            out["applied_at"] = availability::isoInstant(o.updatedAt);
        results->push_back(std::move(out));
    }
    return true;
}

bool queryAvailability(TaskContext &task, const json &queries, bool strict, json *states,
                       std::vector<adcp::AdcpError> *failures, QString *error)
{
    for (size_t j = 0; j < queries.size(); ++j) {
        json out = availabilityIdentity(j, queries[j]);
        const auto target = findAvailabilityTarget(task, queries[j], error);
        if (!error->isEmpty())
            return false;
        if (!target) {
            failures->push_back(catalogItemNotFound());
            if (strict)
                continue;
            out["status"] = "failed";
            out["errors"] = json::array({catalogItemNotFound().toJson()});
            states->push_back(std::move(out));
            continue;
        }
        out["status"] = "found";
        describeOverlay(out, target->overlay);
        out["updated_at"] = availability::isoInstant(target->overlay.updatedAt);
        states->push_back(std::move(out));
    }
    return true;
}

} // namespace adcp::seller
