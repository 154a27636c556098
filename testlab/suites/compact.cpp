// The AdCP 3.2 proposal tools: request, refine (finalize mints a successor), decline, accept.
#include "suitehelpers.h"

#include <QRegularExpression>

namespace adcp::lab {

using nlohmann::json;
using namespace suites;

namespace {

constexpr const char *kBrief = "Connected TV and online video for a spring travel campaign in the US";

std::optional<StepOutcome> needsCompact(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return na;
    if (!ctx.dialects().contains(Dialect::Compact))
        return StepOutcome::notApplicable(QStringLiteral("the agent does not declare the 3.2 proposal tools"));
    return std::nullopt;
}

bool isDigest(const std::string &digest)
{
    static const QRegularExpression pattern(QStringLiteral("^sha256:[A-Za-z0-9_-]{43}$"));
    return pattern.match(str(digest)).hasMatch();
}

StepOutcome requestProposes(LabContext &ctx)
{
    if (auto na = needsCompact(ctx))
        return *na;
    const ToolOutcome answer = ctx.call(QStringLiteral("request_proposals"),
                                        {{"idempotency_key", LabContext::newKey()},
                                         {"brief", kBrief},
                                         {"brand", brand(ctx)},
                                         {"account", ctx.account()}});
    if (!answer.ok())
        return StepOutcome::fail(QStringLiteral("request_proposals failed: ") + describe(answer));
    if (text(answer.result, "outcome") != "proposed")
        return StepOutcome::fail(QStringLiteral("outcome is '%1', not proposed").arg(str(text(answer.result, "outcome"))));
    const json proposals = array(answer.result, "proposals");
    if (proposals.empty())
        return StepOutcome::fail(QStringLiteral("outcome proposed with no proposals"));
    for (const auto &p : proposals)
        if (!isDigest(text(p, "terms_digest")))
            return StepOutcome::fail(QStringLiteral("proposal %1 has terms_digest '%2', not sha256:<base64url>")
                                         .arg(str(text(p, "proposal_id")), str(text(p, "terms_digest"))));
    ctx.state()["c_drafts"] = proposals;
    return StepOutcome::pass(QStringLiteral("%1 draft proposals").arg(proposals.size()));
}

StepOutcome finalizeMintsSuccessor(LabContext &ctx)
{
    if (auto na = needsCompact(ctx))
        return *na;
    if (auto missing = needsState(ctx, "c_drafts", "request_proposes"))
        return *missing;
    const std::string source = text(ctx.state()["c_drafts"][0], "proposal_id");
    const ToolOutcome answer =
        ctx.call(QStringLiteral("refine_proposals"),
                 {{"idempotency_key", LabContext::newKey()},
                  {"refinements", json::array({{{"proposal_id", source}, {"action", "finalize"}}})}});
    if (!answer.ok())
        return StepOutcome::fail(QStringLiteral("refine_proposals (finalize) failed: ") + describe(answer));
    const json results = array(answer.result, "results");
    if (results.empty() || text(results[0], "outcome") != "finalized")
        return StepOutcome::fail(QStringLiteral("the finalize was not answered 'finalized': ") + str(answer.result.dump()));
    const json proposal = results[0].value("proposal", json::object());
    if (text(proposal, "proposal_status") != "committed")
        return StepOutcome::fail(QStringLiteral("the finalized proposal is '%1', not committed")
                                     .arg(str(text(proposal, "proposal_status"))));
    if (text(proposal, "parent_proposal_id") != source)
        return StepOutcome::fail(QStringLiteral("the successor's parent_proposal_id is not the finalized draft"));
    if (text(proposal, "proposal_id") == source)
        return StepOutcome::fail(QStringLiteral("finalize kept the draft's id; 3.2 mints a successor"));
    ctx.state()["c_committed"] = proposal;
    return StepOutcome::pass(QStringLiteral("%1 → %2").arg(str(source), str(text(proposal, "proposal_id"))));
}

StepOutcome declineAcknowledged(LabContext &ctx)
{
    if (auto na = needsCompact(ctx))
        return *na;
    if (auto missing = needsState(ctx, "c_drafts", "request_proposes"))
        return *missing;
    const ToolOutcome drafts = ctx.call(QStringLiteral("request_proposals"),
                                        {{"idempotency_key", LabContext::newKey()},
                                         {"brief", kBrief},
                                         {"brand", brand(ctx)},
                                         {"account", ctx.account()}});
    const json proposals = drafts.ok() ? array(drafts.result, "proposals") : json::array();
    if (proposals.empty())
        return StepOutcome::fail(QStringLiteral("no draft to decline: ") + describe(drafts));
    const std::string id = text(proposals[0], "proposal_id");
    const json declines = json::array({{{"proposal_id", id}, {"reason", "timing"}}});
    for (int attempt = 0; attempt < 2; ++attempt) {
        const ToolOutcome answer = ctx.call(QStringLiteral("decline_proposals"),
                                            {{"idempotency_key", LabContext::newKey()}, {"declines", declines}});
        if (!answer.ok())
            return StepOutcome::fail(QStringLiteral("decline_proposals failed: ") + describe(answer));
        const json results = array(answer.result, "results");
        if (results.empty() || text(results[0], "outcome") != "declined")
            return StepOutcome::fail(QStringLiteral("%1 decline was not answered 'declined': %2")
                                         .arg(attempt == 0 ? QStringLiteral("the first") : QStringLiteral("a repeated"),
                                              str(answer.result.dump())));
    }
    ctx.state()["c_declined"] = proposals[0];
    return StepOutcome::pass(QStringLiteral("declined, and a repeat with a new key is acknowledged"));
}

json acceptArgs(LabContext &ctx, const json &proposal)
{
    json args = {{"idempotency_key", LabContext::newKey()},
                 {"account", ctx.account()},
                 {"proposal_id", text(proposal, "proposal_id")},
                 {"proposal_terms_digest", text(proposal, "terms_digest")}};
    // The buyer signs the insertion order a committed proposal carries.
    const json io = proposal.value("insertion_order", json::object());
    if (!text(io, "io_id").empty())
        args["io_acceptance"] = {{"io_id", text(io, "io_id")},
                                 {"accepted_at", QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString()},
                                 {"signatory", "Lab Buyer"}};
    return args;
}

StepOutcome acceptCreatesBuy(LabContext &ctx)
{
    if (auto na = needsCompact(ctx))
        return *na;
    if (auto missing = needsState(ctx, "c_committed", "finalize_mints_successor"))
        return *missing;
    const ToolOutcome answer = ctx.call(QStringLiteral("accept_proposal"), acceptArgs(ctx, ctx.state()["c_committed"]));
    if (!answer.ok())
        return StepOutcome::fail(QStringLiteral("accept_proposal failed: ") + describe(answer));
    if (text(answer.result, "media_buy_id").empty())
        return StepOutcome::fail(QStringLiteral("accept_proposal answered without a media_buy_id"));
    return StepOutcome::pass(QStringLiteral("media buy ") + str(text(answer.result, "media_buy_id")));
}

StepOutcome acceptDeclinedRefused(LabContext &ctx)
{
    if (auto na = needsCompact(ctx))
        return *na;
    if (auto missing = needsState(ctx, "c_declined", "decline_acknowledged"))
        return *missing;
    const ToolOutcome answer = ctx.call(QStringLiteral("accept_proposal"), acceptArgs(ctx, ctx.state()["c_declined"]));
    // A declined draft is refused either as declined (INVALID_STATE) or as never committed.
    return expectRefused(answer, {"INVALID_STATE", "PROPOSAL_NOT_COMMITTED"},
                         QStringLiteral("a declined proposal was accepted"));
}

} // namespace

LabSuite compactSuite()
{
    return {QStringLiteral("compact"),
            QStringLiteral("3.2 proposals: request, refine, decline, accept"),
            {{QStringLiteral("request_proposes"), QStringLiteral("request_proposals proposes drafts with digests"),
              requestProposes},
             {QStringLiteral("finalize_mints_successor"),
              QStringLiteral("Finalize mints a committed successor"), finalizeMintsSuccessor},
             {QStringLiteral("decline_acknowledged"), QStringLiteral("A decline is acknowledged, also when repeated"),
              declineAcknowledged},
             {QStringLiteral("accept_creates_buy"), QStringLiteral("Accepting the committed proposal creates a buy"),
              acceptCreatesBuy},
             {QStringLiteral("accept_declined_refused"), QStringLiteral("A declined proposal cannot be accepted"),
              acceptDeclinedRefused}}};
}

} // namespace adcp::lab
