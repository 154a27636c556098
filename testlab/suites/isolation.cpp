// Isolation between two principals: B can neither see nor touch A's buys and proposals, and cannot tell a
// foreign id from an unknown one (identical error bodies).
#include "suitehelpers.h"

namespace adcp::lab {

using nlohmann::json;
using namespace suites;

namespace {

constexpr const char *kBrief = "Outdoor and audio for a coffee chain in Chicago";

std::optional<StepOutcome> needsTwoPrincipals(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return na;
    if (!ctx.hasPrincipalB())
        return StepOutcome::notApplicable(QStringLiteral("no second token (--token-b) was given"));
    return std::nullopt;
}

// A's buy for the suite: the lifecycle suite's if it ran, else a new one.
std::optional<std::string> buyOfA(LabContext &ctx, QString *why)
{
    if (ctx.state().contains("media_buy_id"))
        return ctx.state()["media_buy_id"].get<std::string>();
    ToolOutcome stopped;
    const auto buy = buyArguments(ctx, kBrief, LabContext::newKey(), 30000, &stopped);
    if (!buy) {
        *why = describe(stopped);
        return std::nullopt;
    }
    const ToolOutcome created = ctx.call(QStringLiteral("create_media_buy"), *buy);
    const std::string id = text(created.result, "media_buy_id");
    if (id.empty()) {
        *why = describe(created);
        return std::nullopt;
    }
    ctx.state()["media_buy_id"] = id;
    return id;
}

// B's own account: registered with sync_accounts when the agent has it (a seller that requires accounts refuses
// anything else), else the natural key. B never borrows A's account, so a refusal is about the id probed.
json accountOfB(LabContext &ctx)
{
    if (ctx.state().contains("b_account"))
        return ctx.state()["b_account"];
    json account = naturalAccount(ctx);
    if (!ctx.state().value("accounts_unsupported", false)) {
        json entry = naturalAccount(ctx);
        entry["billing"] = "operator";
        const ToolOutcome synced =
            ctx.call(QStringLiteral("sync_accounts"),
                     {{"idempotency_key", LabContext::newKey()}, {"accounts", json::array({entry})}},
                     {.who = LabContext::Who::B});
        const json accounts = synced.ok() ? array(synced.result, "accounts") : json::array();
        if (!accounts.empty() && !text(accounts[0], "account_id").empty())
            account = {{"account_id", text(accounts[0], "account_id")}};
    }
    ctx.state()["b_account"] = account;
    return account;
}

// The error body with the probed id blanked out, so that two answers compare on everything else.
QString normalized(const ToolOutcome &outcome, const std::string &id)
{
    if (outcome.ok())
        return QStringLiteral("success");
    std::string body = outcome.error->toJson().dump();
    for (size_t at = body.find(id); !id.empty() && at != std::string::npos; at = body.find(id, at))
        body.replace(at, id.size(), "<id>");
    return str(body);
}

StepOutcome foreignBuyInvisible(LabContext &ctx)
{
    if (auto na = needsTwoPrincipals(ctx))
        return *na;
    QString why;
    const auto id = buyOfA(ctx, &why);
    if (!id)
        return StepOutcome::fail(QStringLiteral("A could not create a buy: ") + why);
    const ToolOutcome seen =
        ctx.call(QStringLiteral("get_media_buys"),
                 {{"account", accountOfB(ctx)}, {"media_buy_ids", json::array({*id})}}, {.who = LabContext::Who::B});
    for (const auto &buy : array(seen.result, "media_buys"))
        if (text(buy, "media_buy_id") == *id)
            return StepOutcome::fail(QStringLiteral("B's get_media_buys lists A's buy %1").arg(str(*id)));
    return StepOutcome::pass(seen.ok() ? QStringLiteral("not listed for B") : describe(seen));
}

StepOutcome foreignUpdateUniform(LabContext &ctx)
{
    if (auto na = needsTwoPrincipals(ctx))
        return *na;
    QString why;
    const auto id = buyOfA(ctx, &why);
    if (!id)
        return StepOutcome::fail(QStringLiteral("A could not create a buy: ") + why);
    const std::string unknown = "mb_lab_" + LabContext::newKey();
    const json account = accountOfB(ctx);
    auto pause = [&ctx, &account](const std::string &target) {
        return ctx.call(QStringLiteral("update_media_buy"),
                        {{"idempotency_key", LabContext::newKey()},
                         {"account", account},
                         {"media_buy_id", target},
                         {"paused", true}},
                        {.validateRequest = false, .who = LabContext::Who::B});
    };
    const ToolOutcome foreign = pause(*id);
    if (foreign.ok())
        return StepOutcome::fail(QStringLiteral("B paused A's buy %1").arg(str(*id)));
    const ToolOutcome absent = pause(unknown);
    const QString a = normalized(foreign, *id);
    const QString b = normalized(absent, unknown);
    if (a != b)
        return StepOutcome::fail(QStringLiteral("a foreign id and an unknown id get different answers, so ids can be "
                                                "probed: %1 versus %2")
                                     .arg(a, b));
    return StepOutcome::pass(describe(foreign));
}

StepOutcome foreignProposalInvisible(LabContext &ctx)
{
    if (auto na = needsTwoPrincipals(ctx))
        return *na;
    ToolOutcome stopped;
    const auto proposal = committedProposal(ctx, kBrief, &stopped);
    if (!proposal)
        return StepOutcome::notApplicable(QStringLiteral("A has no committed proposal: ") + describe(stopped));
    json args = createFromProposal(ctx, *proposal, LabContext::newKey(), 30000);
    args["account"] = accountOfB(ctx);
    const ToolOutcome answer = ctx.call(QStringLiteral("create_media_buy"), args, {.who = LabContext::Who::B});
    return expectRefused(answer, {"PROPOSAL_NOT_FOUND"},
                         QStringLiteral("B bought A's committed proposal %1").arg(str(proposal->id)),
                         QStringLiteral("PROPOSAL_NOT_FOUND (as for an unknown proposal)"));
}

} // namespace

LabSuite isolationSuite()
{
    return {QStringLiteral("isolation"),
            QStringLiteral("Isolation between two principals"),
            {{QStringLiteral("foreign_buy_invisible"), QStringLiteral("B does not see A's buy"), foreignBuyInvisible},
             {QStringLiteral("foreign_update_uniform"),
              QStringLiteral("B's update of A's buy looks exactly like an unknown id"), foreignUpdateUniform},
             {QStringLiteral("foreign_proposal_invisible"), QStringLiteral("B cannot buy A's proposal"),
              foreignProposalInvisible}}};
}

} // namespace adcp::lab
