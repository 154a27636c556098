#include "suitehelpers.h"

#include <QDateTime>
#include <QStringList>

namespace adcp::lab::suites {

using nlohmann::json;

QString str(const std::string &text)
{
    return QString::fromStdString(text);
}

QString describe(const ToolOutcome &outcome)
{
    if (outcome.ok())
        return QStringLiteral("success");
    const AdcpError &e = *outcome.error;
    QString out = str(e.code) + QStringLiteral(": ") + str(e.message);
    if (e.field)
        out += QStringLiteral(" (field ") + str(*e.field) + u')';
    return out;
}

bool hasCode(const ToolOutcome &outcome, const char *code)
{
    return !outcome.ok() && outcome.error->code == code;
}

StepOutcome expectRefused(const ToolOutcome &answer, std::initializer_list<const char *> codes,
                          const QString &whenAccepted, const QString &expected)
{
    if (answer.ok())
        return StepOutcome::fail(whenAccepted);
    for (const char *code : codes) {
        if (hasCode(answer, code))
            return StepOutcome::pass(describe(answer));
    }
    QStringList names;
    for (const char *code : codes)
        names << QString::fromLatin1(code);
    return StepOutcome::fail(QStringLiteral("expected %1, got %2")
                                 .arg(expected.isEmpty() ? names.join(QStringLiteral(" or ")) : expected,
                                      describe(answer)));
}

std::string text(const json &object, const char *key)
{
    if (!object.is_object())
        return {};
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json array(const json &object, const char *key)
{
    if (!object.is_object())
        return json::array();
    const auto it = object.find(key);
    return it != object.end() && it->is_array() ? *it : json::array();
}

QString recoveryProblem(const AdcpError &error)
{
    if (!isStandardErrorCode(error.code))
        return {};
    const Recovery expected = recoveryForCode(error.code);
    if (error.recovery == expected)
        return {};
    return QStringLiteral("recovery is %1 but the spec classes %2 as %3")
        .arg(str(std::string(toString(error.recovery))), str(error.code), str(std::string(toString(expected))));
}

json flightStart()
{
    return QDateTime::currentDateTimeUtc().addDays(2).toString(Qt::ISODate).toStdString();
}

json flightEnd()
{
    return QDateTime::currentDateTimeUtc().addDays(32).toString(Qt::ISODate).toStdString();
}

json brand(const LabContext &ctx)
{
    return {{"domain", ctx.config().brandDomain.toStdString()}};
}

json naturalAccount(const LabContext &ctx)
{
    return {{"brand", brand(ctx)}, {"operator", ctx.config().brandDomain.toStdString()}};
}

std::optional<Proposal> proposalIn(const json &result, const std::string &id)
{
    for (const auto &p : array(result, "proposals")) {
        const std::string pid = text(p, "proposal_id");
        if (!pid.empty() && (id.empty() || pid == id))
            return Proposal{pid, text(p, "proposal_version"), p};
    }
    return std::nullopt;
}

ToolOutcome brief(LabContext &ctx, const std::string &briefText, std::optional<Proposal> *proposal)
{
    const ToolOutcome answer =
        ctx.call(QStringLiteral("get_products"),
                 {{"buying_mode", "brief"}, {"brief", briefText}, {"brand", brand(ctx)}, {"account", ctx.account()}});
    if (proposal)
        *proposal = answer.ok() ? proposalIn(answer.result, {}) : std::nullopt;
    return answer;
}

ToolOutcome refineProposal(LabContext &ctx, const Proposal &proposal, const json &entryExtra)
{
    json entry = {{"scope", "proposal"}, {"proposal_id", proposal.id}};
    if (!proposal.version.empty())
        entry["proposal_version"] = proposal.version;
    entry.update(entryExtra);
    return ctx.call(QStringLiteral("get_products"),
                    {{"buying_mode", "refine"},
                     {"brand", brand(ctx)},
                     {"account", ctx.account()},
                     {"refine", json::array({entry})}});
}

json createFromProposal(LabContext &ctx, const Proposal &proposal, const std::string &key, double budget)
{
    json create = {{"idempotency_key", key},
                   {"proposal_id", proposal.id},
                   {"total_budget", {{"amount", budget}, {"currency", "USD"}}},
                   {"brand", brand(ctx)},
                   {"account", ctx.account()},
                   {"start_time", flightStart()},
                   {"end_time", flightEnd()}};
    if (!proposal.version.empty())
        create["proposal_version"] = proposal.version;
    // A committed proposal may carry an insertion order the buyer must accept to buy it.
    const std::string io = text(proposal.body.value("insertion_order", json::object()), "io_id");
    if (!io.empty())
        create["io_acceptance"] = {{"io_id", io},
                                   {"accepted_at", QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString()},
                                   {"signatory", "Lab Buyer"}};
    return create;
}

json createFromProduct(LabContext &ctx, const json &product, const std::string &key, double budget)
{
    const json options = array(product, "pricing_options");
    const std::string option = options.empty() ? std::string() : text(options[0], "pricing_option_id");
    return {{"idempotency_key", key},
            {"brand", brand(ctx)},
            {"account", ctx.account()},
            {"start_time", flightStart()},
            {"end_time", flightEnd()},
            {"packages", json::array({{{"product_id", text(product, "product_id")},
                                       {"pricing_option_id", option},
                                       {"budget", budget}}})}};
}

std::optional<json> buyArguments(LabContext &ctx, const std::string &briefText, const std::string &key, double budget,
                                 ToolOutcome *stopped, std::optional<Proposal> *proposal)
{
    std::optional<Proposal> first;
    const ToolOutcome answer = brief(ctx, briefText, &first);
    if (!answer.ok()) {
        *stopped = answer;
        return std::nullopt;
    }
    if (!first) {
        const json products = array(answer.result, "products");
        if (products.empty()) {
            *stopped = ToolOutcome::failure(
                AdcpError::make("LAB_NO_PRODUCT", "the brief got neither products nor proposals"));
            return std::nullopt;
        }
        return createFromProduct(ctx, products[0], key, budget);
    }
    if (text(first->body, "proposal_status") != "committed") {
        const ToolOutcome finalized = refineProposal(ctx, *first, {{"action", "finalize"}});
        if (!finalized.ok()) {
            *stopped = finalized;
            return std::nullopt;
        }
        first = proposalIn(finalized.result, first->id);
        if (!first) {
            *stopped = ToolOutcome::failure(
                AdcpError::make("LAB_NO_PROPOSAL", "the finalize answer does not list the proposal it finalized"));
            return std::nullopt;
        }
    }
    if (proposal)
        *proposal = first;
    return createFromProposal(ctx, *first, key, budget);
}

std::optional<Proposal> committedProposal(LabContext &ctx, const std::string &briefText, ToolOutcome *stopped)
{
    std::optional<Proposal> proposal;
    const ToolOutcome answer = brief(ctx, briefText, &proposal);
    if (!answer.ok() || !proposal) {
        *stopped = answer.ok() ? ToolOutcome::failure(AdcpError::make("LAB_NO_PROPOSAL", "the brief got no proposal"))
                               : answer;
        return std::nullopt;
    }
    if (text(proposal->body, "proposal_status") == "committed")
        return proposal;
    const ToolOutcome finalized = refineProposal(ctx, *proposal, {{"action", "finalize"}});
    if (!finalized.ok()) {
        *stopped = finalized;
        return std::nullopt;
    }
    auto committed = proposalIn(finalized.result, proposal->id);
    if (!committed) {
        *stopped = ToolOutcome::failure(
            AdcpError::make("LAB_NO_PROPOSAL", "the finalize answer does not list the proposal it finalized"));
        return std::nullopt;
    }
    return committed;
}

std::optional<json> readBuy(LabContext &ctx, const std::string &id, ToolOutcome *answer)
{
    *answer = ctx.call(QStringLiteral("get_media_buys"),
                       {{"account", ctx.account()}, {"media_buy_ids", json::array({id})}});
    if (!answer->ok())
        return std::nullopt;
    for (const auto &buy : array(answer->result, "media_buys")) {
        if (text(buy, "media_buy_id") == id)
            return buy;
    }
    return std::nullopt;
}

std::optional<StepOutcome> needsMediaBuy(LabContext &ctx)
{
    if (ctx.declaresMediaBuy())
        return std::nullopt;
    return StepOutcome::notApplicable(QStringLiteral("the agent does not declare the media_buy protocol"));
}

std::optional<StepOutcome> needsState(LabContext &ctx, const char *key, const char *producedBy)
{
    if (ctx.state().contains(key))
        return std::nullopt;
    return StepOutcome::fail(QStringLiteral("needs the result of step %1, which did not produce it")
                                 .arg(QLatin1String(producedBy)));
}

} // namespace adcp::lab::suites
