#include "complyscenarios.h"

#include "domain/accountstore.h"
#include "sandboxseeds.h"
#include "taskcontext.h"

#include <algorithm>
#include <set>

namespace adcp::seller {

using nlohmann::json;

namespace {

// The account lifecycle: active, suspended and payment_required move freely among themselves; an account
// awaiting approval is approved or rejected; any open account may be closed. rejected and closed are final.
bool accountTransitionAllowed(const std::string &from, const std::string &to)
{
    static const std::set<std::string> open = {"active", "suspended", "payment_required"};
    if (from == "pending_approval")
        return to == "active" || to == "rejected" || to == "closed";
    if (open.count(from))
        return open.count(to) > 0 || to == "closed";
    return false;
}

// Seeded formats belong to the sandbox principal, like its other seeds: the runner sends the seeding call
// under its own sandbox account and the listing under the storyboard's account, so an account key would part
// what the storyboard means as one set.
const char *const kFormatSeed = "creative_format";

} // namespace

adcp::ToolOutcome controllerError(const std::string &code, const std::string &detail,
                                  const std::optional<std::string> &currentState)
{
    json result = {{"success", false}, {"error", code}, {"error_detail", detail}};
    result["current_state"] = currentState ? json(*currentState) : json(nullptr);
    return adcp::ToolOutcome::success(std::move(result));
}

adcp::ToolOutcome forceAccountStatus(TaskContext &task, const json &params)
{
    const std::string id = params.value("account_id", std::string());
    const std::string status = params.value("status", std::string());
    static const std::set<std::string> statuses = {"active",           "pending_approval", "rejected",
                                                   "payment_required", "suspended",        "closed"};
    if (id.empty() || !statuses.count(status))
        return controllerError("INVALID_PARAMS", "account_id and an account status are required");
    QString error;
    auto account = AccountStore::find(task.db, task.principal.id, id, &error);
    if (!account)
        return controllerError(error.isEmpty() ? "NOT_FOUND" : "INTERNAL_ERROR",
                               error.isEmpty() ? "account " + id + " is unknown to this seller"
                                               : error.toStdString());
    const std::string previous = account->status;
    if (previous == status)
        return adcp::ToolOutcome::success({{"success", true},
                                           {"previous_state", previous},
                                           {"current_state", status},
                                           {"message", "already " + status}});
    if (!accountTransitionAllowed(previous, status))
        return controllerError("INVALID_TRANSITION", "account cannot go from " + previous + " to " + status,
                               previous);
    account->status = status;
    ++account->revision;
    if (!AccountStore::update(task.db, *account, task.now, &error))
        return controllerError("INTERNAL_ERROR", error.toStdString(), previous);
    return adcp::ToolOutcome::success({{"success", true},
                                       {"previous_state", previous},
                                       {"current_state", status},
                                       {"message", "account " + id + " is now " + status}});
}

adcp::ToolOutcome seedCreativeFormat(TaskContext &task, const json &args)
{
    const json params = args.value("params", json::object());
    const std::string formatId = params.value("format_id", std::string());
    if (formatId.empty())
        return controllerError("INVALID_PARAMS", "params.format_id is required");
    const json fixture = params.value("fixture", json::object());
    QString error;
    switch (SandboxSeeds::check(task.db, task.principal.id, kFormatSeed, formatId, fixture, &error)) {
    case SandboxSeeds::Outcome::Equivalent:
        return adcp::ToolOutcome::success(
            {{"success", true}, {"message", "format " + formatId + " was seeded already"}});
    case SandboxSeeds::Outcome::Divergent:
        return controllerError("INVALID_STATE", "format " + formatId + " was seeded with another fixture");
    case SandboxSeeds::Outcome::Failed:
        return controllerError("INTERNAL_ERROR", error.toStdString());
    case SandboxSeeds::Outcome::Fresh:
        break;
    }
    if (!SandboxSeeds::record(task.db, task.principal.id, kFormatSeed, formatId, fixture, task.now, &error))
        return controllerError("INTERNAL_ERROR", error.toStdString());
    return adcp::ToolOutcome::success({{"success", true}, {"message", "format " + formatId + " seeded"}});
}

std::optional<adcp::ToolOutcome> seededCreativeFormats(TaskContext &task, const json &args)
{
    // A listing without an account is the catalog's, as for a buyer that never seeded anything.
    if (!args.contains("account"))
        return std::nullopt;
    const std::string kind = kFormatSeed;
    const auto ids = SandboxSeeds::list(task.db, task.principal.id, kind);
    if (ids.empty())
        return std::nullopt;
    // The cursor is the id of the last format of the previous page.
    const json pagination = args.value("pagination", json::object());
    const size_t count = pagination.value("max_results", 50);
    size_t first = 0;
    if (pagination.contains("cursor")) {
        const auto found = std::find(ids.begin(), ids.end(), pagination["cursor"].get<std::string>());
        if (found == ids.end())
            return failure("INVALID_REQUEST", "pagination.cursor is not a cursor of this listing",
                           "pagination.cursor", "start again without a cursor");
        first = size_t(found - ids.begin()) + 1;
    }
    const size_t end = std::min(ids.size(), first + count);
    json formats = json::array();
    for (size_t i = first; i < end; ++i) {
        const json fixture = SandboxSeeds::find(task.db, task.principal.id, kind, ids[i]);
        json format = {
            {"format_id", {{"agent_url", "https://creative.adcontextprotocol.org"}, {"id", ids[i]}}},
            {"name", fixture.value("name", ids[i])}};
        formats.push_back(std::move(format));
    }
    json page = {{"has_more", end < ids.size()}, {"total_count", ids.size()}};
    if (end < ids.size())
        page["cursor"] = ids[end - 1];
    return adcp::ToolOutcome::success({{"formats", std::move(formats)}, {"pagination", std::move(page)}});
}

} // namespace adcp::seller
