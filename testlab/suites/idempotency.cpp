// Idempotency as a buyer relies on it: a retry with the same key replays, a changed payload under the same key
// is a conflict, and a retry never creates a second buy.
#include "suitehelpers.h"

namespace adcp::lab {

using nlohmann::json;
using namespace suites;

namespace {

constexpr const char *kBrief = "Display and native for a regional bank, autumn";

std::optional<StepOutcome> needsIdempotency(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return na;
    const json idem = ctx.capabilities().value("adcp", json::object()).value("idempotency", json::object());
    if (!idem.value("supported", false))
        return StepOutcome::notApplicable(QStringLiteral("the agent declares no idempotency support"));
    return std::nullopt;
}

StepOutcome replayReturnsSameBuy(LabContext &ctx)
{
    if (auto na = needsIdempotency(ctx))
        return *na;
    ToolOutcome stopped;
    const auto buy = buyArguments(ctx, kBrief, LabContext::newKey(), 40000, &stopped);
    if (!buy)
        return StepOutcome::fail(QStringLiteral("nothing to buy: ") + describe(stopped));
    const json &args = *buy;
    const ToolOutcome first = ctx.call(QStringLiteral("create_media_buy"), args);
    if (!first.ok())
        return StepOutcome::fail(QStringLiteral("create_media_buy failed: ") + describe(first));
    const ToolOutcome again = ctx.call(QStringLiteral("create_media_buy"), args);
    if (!again.ok())
        return StepOutcome::fail(QStringLiteral("the retry with the same key failed: ") + describe(again));
    const std::string id = text(first.result, "media_buy_id");
    if (id.empty() || text(again.result, "media_buy_id") != id)
        return StepOutcome::fail(QStringLiteral("the retry answered media buy '%1', the first '%2'")
                                     .arg(str(text(again.result, "media_buy_id")), str(id)));
    if (!again.result.value("replayed", false))
        return StepOutcome::fail(QStringLiteral("the replayed answer lacks replayed: true"));
    ctx.state()["i_args"] = args;
    return StepOutcome::pass(QStringLiteral("replayed media buy ") + str(id));
}

StepOutcome changedPayloadConflicts(LabContext &ctx)
{
    if (auto na = needsIdempotency(ctx))
        return *na;
    if (auto missing = needsState(ctx, "i_args", "replay_returns_same_buy"))
        return *missing;
    json args = ctx.state()["i_args"];
    // Another budget under the same key: on the total for a proposal buy, on the package otherwise.
    if (args.contains("total_budget"))
        args["total_budget"]["amount"] = 41000;
    else
        args["packages"][0]["budget"] = 41000;
    const ToolOutcome answer = ctx.call(QStringLiteral("create_media_buy"), args);
    return expectRefused(answer, {"IDEMPOTENCY_CONFLICT"},
                         QStringLiteral("the same key with another budget was accepted"));
}

StepOutcome keyOnOtherToolConflicts(LabContext &ctx)
{
    if (auto na = needsIdempotency(ctx))
        return *na;
    if (auto missing = needsState(ctx, "i_args", "replay_returns_same_buy"))
        return *missing;
    const json args = ctx.state()["i_args"];
    const ToolOutcome answer = ctx.call(QStringLiteral("update_media_buy"),
                                        {{"idempotency_key", args["idempotency_key"]},
                                         {"account", ctx.account()},
                                         {"media_buy_id", "lab_unknown_" + LabContext::newKey()},
                                         {"paused", true}});
    // The key is checked before the call runs: a key already used on another tool is a conflict.
    return expectRefused(answer, {"IDEMPOTENCY_CONFLICT"},
                         QStringLiteral("a key used by create_media_buy was accepted by update_media_buy"),
                         QStringLiteral("IDEMPOTENCY_CONFLICT for a key used by create_media_buy"));
}

} // namespace

LabSuite idempotencySuite()
{
    return {QStringLiteral("idempotency"),
            QStringLiteral("Idempotent retries"),
            {{QStringLiteral("replay_returns_same_buy"), QStringLiteral("A retry with the same key replays the buy"),
              replayReturnsSameBuy},
             {QStringLiteral("changed_payload_conflicts"),
              QStringLiteral("The same key with another payload is IDEMPOTENCY_CONFLICT"), changedPayloadConflicts},
             {QStringLiteral("key_on_other_tool_refused"),
              QStringLiteral("A key reused on another tool does not run it"), keyOnOtherToolConflicts}}};
}

} // namespace adcp::lab
