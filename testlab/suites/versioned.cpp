// The versioned facade: proposal versions, decline with reasons, and the execution errors for a missing,
// stale, unknown or declined version.
#include "suitehelpers.h"

namespace adcp::lab {

using nlohmann::json;
using namespace suites;

namespace {

constexpr const char *kBrief = "Audio and video for a running-shoe launch in Germany";

std::optional<StepOutcome> needsVersioned(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return na;
    if (!ctx.dialects().contains(Dialect::VersionedFacade))
        return StepOutcome::notApplicable(QStringLiteral("the agent does not declare versioned proposals"));
    return std::nullopt;
}

Proposal fromState(LabContext &ctx, const char *key)
{
    const json &p = ctx.state()[key];
    return Proposal{text(p, "id"), text(p, "version"), p.value("body", json::object())};
}

void keep(LabContext &ctx, const char *key, const Proposal &p)
{
    ctx.state()[key] = {{"id", p.id}, {"version", p.version}, {"body", p.body}};
}

StepOutcome proposalHasVersion(LabContext &ctx)
{
    if (auto na = needsVersioned(ctx))
        return *na;
    std::optional<Proposal> proposal;
    const ToolOutcome answer = brief(ctx, kBrief, &proposal);
    if (!answer.ok())
        return StepOutcome::fail(QStringLiteral("the brief failed: ") + describe(answer));
    if (!proposal)
        return StepOutcome::fail(QStringLiteral("the brief returned no proposal"));
    if (proposal->version.empty())
        return StepOutcome::fail(QStringLiteral("proposal %1 carries no proposal_version").arg(str(proposal->id)));
    keep(ctx, "v_first", *proposal);
    return StepOutcome::pass(QStringLiteral("%1 at %2").arg(str(proposal->id), str(proposal->version)));
}

StepOutcome reviseIssuesNewVersion(LabContext &ctx)
{
    if (auto na = needsVersioned(ctx))
        return *na;
    if (auto missing = needsState(ctx, "v_first", "proposal_has_version"))
        return *missing;
    const Proposal first = fromState(ctx, "v_first");
    const ToolOutcome answer = refineProposal(ctx, first, {{"action", "include"}, {"ask", "keep the budget under 40,000"}});
    if (!answer.ok())
        return StepOutcome::fail(QStringLiteral("the refine failed: ") + describe(answer));
    const auto revised = proposalIn(answer.result, first.id);
    if (!revised)
        return StepOutcome::fail(QStringLiteral("the refine answer does not list the proposal"));
    if (revised->version == first.version)
        return StepOutcome::fail(QStringLiteral("the revised proposal keeps version %1").arg(str(first.version)));
    keep(ctx, "v_revised", *revised);
    return StepOutcome::pass(QStringLiteral("%1 → %2").arg(str(first.version), str(revised->version)));
}

StepOutcome staleVersionRefused(LabContext &ctx)
{
    if (auto na = needsVersioned(ctx))
        return *na;
    if (auto missing = needsState(ctx, "v_revised", "revise_issues_new_version"))
        return *missing;
    const Proposal revised = fromState(ctx, "v_revised");
    const ToolOutcome finalized = refineProposal(ctx, revised, {{"action", "finalize"}});
    if (!finalized.ok())
        return StepOutcome::fail(QStringLiteral("finalize of the revised version failed: ") + describe(finalized));
    if (const auto committed = proposalIn(finalized.result, revised.id))
        keep(ctx, "v_committed", *committed);
    Proposal stale = fromState(ctx, "v_first");
    const ToolOutcome answer =
        ctx.call(QStringLiteral("create_media_buy"), createFromProposal(ctx, stale, LabContext::newKey(), 30000));
    return expectRefused(answer, {"CONFLICT"},
                         QStringLiteral("a buy was created from stale version %1").arg(str(stale.version)),
                         QStringLiteral("CONFLICT for a stale proposal_version"));
}

StepOutcome missingVersionRefused(LabContext &ctx)
{
    if (auto na = needsVersioned(ctx))
        return *na;
    if (auto missing = needsState(ctx, "v_committed", "stale_version_refused"))
        return *missing;
    Proposal bare = fromState(ctx, "v_committed");
    bare.version.clear();
    const ToolOutcome answer =
        ctx.call(QStringLiteral("create_media_buy"), createFromProposal(ctx, bare, LabContext::newKey(), 30000));
    return expectRefused(answer, {"INVALID_REQUEST"},
                         QStringLiteral("a buy was created from a versioned proposal without proposal_version"));
}

StepOutcome unknownVersionRefused(LabContext &ctx)
{
    if (auto na = needsVersioned(ctx))
        return *na;
    if (auto missing = needsState(ctx, "v_committed", "stale_version_refused"))
        return *missing;
    Proposal unknown = fromState(ctx, "v_committed");
    unknown.id = "lab_unknown_" + LabContext::newKey();
    const ToolOutcome answer =
        ctx.call(QStringLiteral("create_media_buy"), createFromProposal(ctx, unknown, LabContext::newKey(), 30000));
    return expectRefused(answer, {"PROPOSAL_NOT_FOUND"},
                         QStringLiteral("a buy was created from a proposal the agent never issued"),
                         QStringLiteral("PROPOSAL_NOT_FOUND for an unknown proposal"));
}

StepOutcome declineEchoesVersion(LabContext &ctx)
{
    if (auto na = needsVersioned(ctx))
        return *na;
    std::optional<Proposal> proposal;
    const ToolOutcome answer = brief(ctx, kBrief, &proposal);
    if (!answer.ok() || !proposal)
        return StepOutcome::fail(QStringLiteral("no proposal to decline: ") + describe(answer));
    const ToolOutcome declined = refineProposal(ctx, *proposal, {{"action", "decline"}, {"reason", "price"}});
    if (!declined.ok())
        return StepOutcome::fail(QStringLiteral("the decline failed: ") + describe(declined));
    keep(ctx, "v_declined", *proposal);
    for (const auto &applied : array(declined.result, "refinement_applied")) {
        if (text(applied, "proposal_id") != proposal->id)
            continue;
        if (text(applied, "status") != "applied")
            return StepOutcome::fail(QStringLiteral("the decline was answered '%1'").arg(str(text(applied, "status"))));
        // The rule: the acknowledgement names the version it declined.
        if (text(applied, "proposal_version") != proposal->version &&
            text(applied, "notes").find(proposal->version) == std::string::npos)
            return StepOutcome::fail(QStringLiteral("the decline acknowledgement does not echo proposal_version %1 "
                                                    "(a decline names the version it applies to)")
                                         .arg(str(proposal->version)));
        return StepOutcome::pass(QStringLiteral("declined %1 at %2").arg(str(proposal->id), str(proposal->version)));
    }
    return StepOutcome::fail(QStringLiteral("refinement_applied has no entry for the declined proposal"));
}

StepOutcome declinedCannotBeBought(LabContext &ctx)
{
    if (auto na = needsVersioned(ctx))
        return *na;
    if (auto missing = needsState(ctx, "v_declined", "decline_echoes_version"))
        return *missing;
    const Proposal declined = fromState(ctx, "v_declined");
    const ToolOutcome answer =
        ctx.call(QStringLiteral("create_media_buy"), createFromProposal(ctx, declined, LabContext::newKey(), 30000));
    return expectRefused(answer, {"INVALID_STATE"}, QStringLiteral("a buy was created from a declined proposal"),
                         QStringLiteral("INVALID_STATE for a declined proposal"));
}

} // namespace

LabSuite versionedSuite()
{
    return {QStringLiteral("versioned"),
            QStringLiteral("Versioned proposals, declines and execution errors"),
            {{QStringLiteral("proposal_has_version"), QStringLiteral("Proposals carry a version"), proposalHasVersion},
             {QStringLiteral("revise_issues_new_version"), QStringLiteral("A revision issues a new version"),
              reviseIssuesNewVersion},
             {QStringLiteral("stale_version_refused"), QStringLiteral("A buy from a stale version is CONFLICT"),
              staleVersionRefused},
             {QStringLiteral("missing_version_refused"),
              QStringLiteral("A buy without proposal_version is INVALID_REQUEST"), missingVersionRefused},
             {QStringLiteral("unknown_proposal_refused"),
              QStringLiteral("A buy from an unknown proposal is PROPOSAL_NOT_FOUND"), unknownVersionRefused},
             {QStringLiteral("decline_echoes_version"),
              QStringLiteral("A decline with a reason is acknowledged with its version"), declineEchoesVersion},
             {QStringLiteral("declined_cannot_be_bought"),
              QStringLiteral("A declined proposal cannot be bought (INVALID_STATE)"), declinedCannotBeBought}}};
}

} // namespace adcp::lab
