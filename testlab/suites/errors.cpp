// Error shape: what a buyer's code needs from an error to react to it (code, field, recovery), and that a
// refused request changes nothing.
#include "suitehelpers.h"

namespace adcp::lab {

using nlohmann::json;
using namespace suites;

namespace {

// An error a buyer can act on: a code, a message, and a recovery consistent with the code's class.
std::optional<StepOutcome> shapeProblem(const ToolOutcome &answer)
{
    const AdcpError &e = *answer.error;
    if (e.code.empty())
        return StepOutcome::fail(QStringLiteral("the error has no code"));
    if (e.message.empty())
        return StepOutcome::fail(QStringLiteral("the error %1 has no message").arg(str(e.code)));
    if (const QString problem = recoveryProblem(e); !problem.isEmpty())
        return StepOutcome::fail(problem);
    return std::nullopt;
}

StepOutcome invalidRequestNamesField(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return *na;
    const ToolOutcome answer = ctx.call(QStringLiteral("get_products"),
                                        {{"buying_mode", "lab_not_a_mode"}, {"brief", "x"}, {"brand", brand(ctx)}},
                                        {.validateRequest = false});
    if (answer.ok())
        return StepOutcome::fail(QStringLiteral("get_products with buying_mode 'lab_not_a_mode' succeeded"));
    if (!hasCode(answer, "INVALID_REQUEST") && !hasCode(answer, "VALIDATION_ERROR"))
        return StepOutcome::fail(QStringLiteral("expected INVALID_REQUEST or VALIDATION_ERROR, got ") +
                                 describe(answer));
    if (auto problem = shapeProblem(answer))
        return *problem;
    const AdcpError &e = *answer.error;
    bool named = e.field && e.field->find("buying_mode") != std::string::npos;
    for (const auto &issue : e.issues)
        named = named || issue.pointer.find("buying_mode") != std::string::npos;
    if (!named)
        return StepOutcome::fail(QStringLiteral("the error does not name buying_mode in field or issues: ") +
                                 describe(answer));
    return StepOutcome::pass(describe(answer));
}

StepOutcome unknownBuyNotFound(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return *na;
    const ToolOutcome answer = ctx.call(QStringLiteral("update_media_buy"),
                                        {{"idempotency_key", LabContext::newKey()},
                                         {"account", ctx.account()},
                                         {"media_buy_id", "lab_unknown_" + LabContext::newKey()},
                                         {"paused", true}});
    if (answer.ok())
        return StepOutcome::fail(QStringLiteral("update_media_buy on a media buy that does not exist succeeded"));
    if (!hasCode(answer, "MEDIA_BUY_NOT_FOUND"))
        return StepOutcome::fail(QStringLiteral("expected MEDIA_BUY_NOT_FOUND, got ") + describe(answer));
    if (auto problem = shapeProblem(answer))
        return *problem;
    return StepOutcome::pass(describe(answer));
}

StepOutcome missingRequiredRefused(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return *na;
    // create_media_buy without start_time/end_time: nothing may be created.
    const ToolOutcome answer = ctx.call(QStringLiteral("create_media_buy"),
                                        {{"idempotency_key", LabContext::newKey()},
                                         {"account", ctx.account()},
                                         {"brand", brand(ctx)},
                                         {"proposal_id", "lab_unknown_proposal"},
                                         {"total_budget", {{"amount", 1000}, {"currency", "USD"}}}},
                                        {.validateRequest = false});
    if (answer.ok())
        return StepOutcome::fail(QStringLiteral("create_media_buy without start_time and end_time succeeded"));
    if (auto problem = shapeProblem(answer))
        return *problem;
    return StepOutcome::pass(describe(answer));
}

StepOutcome badKeyRefused(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return *na;
    // The spec's key pattern is [A-Za-z0-9_.:-]{16,255}; five characters cannot be a key.
    const ToolOutcome answer = ctx.call(QStringLiteral("update_media_buy"),
                                        {{"idempotency_key", "short"},
                                         {"account", ctx.account()},
                                         {"media_buy_id", "lab_unknown_buy"},
                                         {"paused", true}},
                                        {.validateRequest = false});
    return expectRefused(answer, {"INVALID_REQUEST", "VALIDATION_ERROR"},
                         QStringLiteral("an idempotency_key of five characters was accepted"));
}

} // namespace

LabSuite errorsSuite()
{
    return {QStringLiteral("errors"),
            QStringLiteral("Error shape"),
            {{QStringLiteral("invalid_request_names_field"),
              QStringLiteral("A malformed request is refused naming the field"), invalidRequestNamesField},
             {QStringLiteral("unknown_buy_not_found"), QStringLiteral("An unknown media buy is MEDIA_BUY_NOT_FOUND"),
              unknownBuyNotFound},
             {QStringLiteral("missing_required_refused"),
              QStringLiteral("A request missing required fields is refused"), missingRequiredRefused},
             {QStringLiteral("bad_idempotency_key_refused"),
              QStringLiteral("An idempotency key outside the spec's pattern is refused"), badKeyRefused}}};
}

} // namespace adcp::lab
