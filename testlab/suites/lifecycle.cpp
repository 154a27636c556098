// The 3.0/3.1 buying flow a planner runs: brief → proposal → finalize → create → status → delivery, and the
// refusal of a second buy from one proposal.
#include "suitehelpers.h"

namespace adcp::lab {

using nlohmann::json;
using namespace suites;

namespace {

constexpr const char *kBrief = "Video and display for outdoor gear in the US, spring flight";
const char *const kStatuses[] = {"pending_creatives", "pending_start", "active", "paused",
                                 "completed",         "rejected",      "canceled"};

StepOutcome briefAnswers(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return *na;
    std::optional<Proposal> proposal;
    const ToolOutcome answer = brief(ctx, kBrief, &proposal);
    if (!answer.ok())
        return StepOutcome::fail(QStringLiteral("get_products (brief) failed: ") + describe(answer));
    if (text(answer.result, "status") == "rejected")
        return StepOutcome::fail(QStringLiteral("the brief was rejected: ") + str(text(answer.result, "reason")));
    const size_t products = array(answer.result, "products").size();
    if (products == 0 && !proposal)
        return StepOutcome::fail(QStringLiteral("the brief got neither products nor proposals"));
    if (proposal)
        ctx.state()["proposal"] = {{"id", proposal->id}, {"version", proposal->version}, {"body", proposal->body}};
    else
        ctx.state()["product"] = array(answer.result, "products")[0];
    return StepOutcome::pass(QStringLiteral("%1 products, %2 proposals")
                                 .arg(products)
                                 .arg(array(answer.result, "proposals").size()));
}

Proposal stored(LabContext &ctx, const char *key)
{
    const json &p = ctx.state()[key];
    return Proposal{text(p, "id"), text(p, "version"), p.value("body", json::object())};
}

StepOutcome finalizeCommits(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return *na;
    if (!ctx.state().contains("proposal"))
        return StepOutcome::notApplicable(QStringLiteral("the brief returned no proposal (products only)"));
    const Proposal proposal = stored(ctx, "proposal");
    if (text(proposal.body, "proposal_status") == "committed") {
        ctx.state()["committed"] = ctx.state()["proposal"];
        return StepOutcome::pass(QStringLiteral("the proposal was issued already committed"));
    }
    const ToolOutcome answer = refineProposal(ctx, proposal, {{"action", "finalize"}});
    if (!answer.ok())
        return StepOutcome::fail(QStringLiteral("finalize failed: ") + describe(answer));
    const auto committed = proposalIn(answer.result, proposal.id);
    if (!committed)
        return StepOutcome::fail(QStringLiteral("the finalize answer does not list proposal %1").arg(str(proposal.id)));
    const std::string status = text(committed->body, "proposal_status");
    if (status != "committed")
        return StepOutcome::fail(QStringLiteral("after finalize the proposal is '%1', not committed").arg(str(status)));
    if (text(committed->body, "expires_at").empty())
        return StepOutcome::fail(QStringLiteral("a committed proposal has no expires_at (how long is it held?)"));
    ctx.state()["committed"] = {{"id", committed->id}, {"version", committed->version}, {"body", committed->body}};
    return StepOutcome::pass(QStringLiteral("committed until ") + str(text(committed->body, "expires_at")));
}

StepOutcome createFromCommitted(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return *na;
    // A seller that answers briefs with products only is bought from a product package.
    if (!ctx.state().contains("committed") && !ctx.state().contains("product"))
        return StepOutcome::fail(QStringLiteral("needs a committed proposal (finalize_commits) or a product "
                                                "(brief_answers), and neither step produced one"));
    const json args = ctx.state().contains("committed")
                          ? createFromProposal(ctx, stored(ctx, "committed"), LabContext::newKey(), 50000)
                          : createFromProduct(ctx, ctx.state()["product"], LabContext::newKey(), 50000);
    const ToolOutcome answer = ctx.call(QStringLiteral("create_media_buy"), args);
    if (!answer.ok())
        return StepOutcome::fail(QStringLiteral("create_media_buy failed: ") + describe(answer));
    const std::string id = text(answer.result, "media_buy_id");
    if (id.empty())
        return StepOutcome::fail(QStringLiteral("the create answer has no media_buy_id (status '%1')")
                                     .arg(str(text(answer.result, "status"))));
    ctx.state()["media_buy_id"] = id;
    return StepOutcome::pass(QStringLiteral("media buy %1, status %2")
                                 .arg(str(id), str(text(answer.result, "media_buy_status"))));
}

StepOutcome buyListed(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return *na;
    if (auto missing = needsState(ctx, "media_buy_id", "create_buy"))
        return *missing;
    const std::string id = ctx.state()["media_buy_id"].get<std::string>();
    ToolOutcome answer;
    const auto buy = readBuy(ctx, id, &answer);
    if (!answer.ok())
        return StepOutcome::fail(QStringLiteral("get_media_buys failed: ") + describe(answer));
    if (!buy)
        return StepOutcome::fail(QStringLiteral("get_media_buys does not list the buy just created"));
    const std::string status = text(*buy, "status");
    if (std::none_of(std::begin(kStatuses), std::end(kStatuses), [&](const char *s) { return status == s; }))
        return StepOutcome::fail(
            QStringLiteral("the buy's status '%1' is not a media-buy status").arg(str(status)));
    const std::string health = text(*buy, "health");
    if (health == "impaired" && array(*buy, "impairments").empty())
        return StepOutcome::fail(QStringLiteral("health is impaired but impairments[] is empty"));
    if (health == "ok" && !array(*buy, "impairments").empty())
        return StepOutcome::fail(QStringLiteral("health is ok but impairments[] is not empty"));
    return StepOutcome::pass(QStringLiteral("listed, status %1").arg(str(status)));
}

StepOutcome deliveryAnswers(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return *na;
    if (auto missing = needsState(ctx, "media_buy_id", "create_buy"))
        return *missing;
    const std::string id = ctx.state()["media_buy_id"].get<std::string>();
    const ToolOutcome answer = ctx.call(QStringLiteral("get_media_buy_delivery"),
                                        {{"account", ctx.account()}, {"media_buy_ids", json::array({id})}});
    if (!answer.ok())
        return StepOutcome::fail(QStringLiteral("get_media_buy_delivery failed: ") + describe(answer));
    for (const auto &d : array(answer.result, "media_buy_deliveries"))
        if (text(d, "media_buy_id") == id)
            return StepOutcome::pass(QStringLiteral("delivery reported"));
    return StepOutcome::fail(QStringLiteral("media_buy_deliveries does not include the buy"));
}

StepOutcome secondBuyRefused(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return *na;
    if (auto missing = needsState(ctx, "media_buy_id", "create_buy"))
        return *missing;
    if (!ctx.state().contains("committed"))
        return StepOutcome::notApplicable(QStringLiteral("the buy was made from a product: no proposal to execute twice"));
    const Proposal proposal = stored(ctx, "committed");
    const ToolOutcome answer = ctx.call(QStringLiteral("create_media_buy"),
                                        createFromProposal(ctx, proposal, LabContext::newKey(), 50000));
    return expectRefused(answer, {"INVALID_STATE"},
                         QStringLiteral("a second buy from an executed proposal was created (%1)")
                             .arg(str(text(answer.result, "media_buy_id"))),
                         QStringLiteral("INVALID_STATE (the proposal was executed)"));
}

StepOutcome raceOneWinner(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return *na;
    ToolOutcome stopped;
    const auto proposal = committedProposal(ctx, kBrief, &stopped);
    if (!proposal)
        return StepOutcome::notApplicable(QStringLiteral("no committed proposal to race on: ") + describe(stopped));
    const auto [one, two] =
        ctx.callTogether(QStringLiteral("create_media_buy"), createFromProposal(ctx, *proposal, LabContext::newKey(), 50000),
                         createFromProposal(ctx, *proposal, LabContext::newKey(), 50000));
    const int created = int(!text(one.result, "media_buy_id").empty()) + int(!text(two.result, "media_buy_id").empty());
    if (created != 1)
        return StepOutcome::fail(QStringLiteral("two buys raced on one committed proposal and %1 were created (%2; %3)")
                                     .arg(created)
                                     .arg(describe(one), describe(two)));
    const ToolOutcome &loser = one.ok() && !text(one.result, "media_buy_id").empty() ? two : one;
    if (loser.ok())
        return StepOutcome::fail(QStringLiteral("the losing create answered success without a buy"));
    return StepOutcome::pass(QStringLiteral("one buy; the other got ") + describe(loser));
}

} // namespace

LabSuite lifecycleSuite()
{
    return {QStringLiteral("lifecycle"),
            QStringLiteral("Proposal to media buy (3.0/3.1 flow)"),
            {{QStringLiteral("brief_answers"), QStringLiteral("A brief gets products or proposals"), briefAnswers},
             {QStringLiteral("finalize_commits"), QStringLiteral("Finalize commits the proposal"), finalizeCommits},
             {QStringLiteral("create_buy"), QStringLiteral("A buy is created (from the proposal, else a product)"),
              createFromCommitted},
             {QStringLiteral("buy_listed"), QStringLiteral("get_media_buys lists the buy with a valid status"),
              buyListed},
             {QStringLiteral("delivery_answers"), QStringLiteral("Delivery is reported for the buy"), deliveryAnswers},
             {QStringLiteral("second_buy_refused"), QStringLiteral("A second buy from the same proposal is refused"),
              secondBuyRefused},
             {QStringLiteral("race_one_winner"),
              QStringLiteral("Two buys racing on one committed proposal: exactly one wins"), raceOneWinner}}};
}

} // namespace adcp::lab
