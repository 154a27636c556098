#pragma once

#include "adcperror.h"
#include "labcontext.h"
#include "labsuite.h"

#include <QString>

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <optional>
#include <string>

// Small pieces the suites share: reading answers without trusting them, and the buyer flows several suites
// need (a brief, a finalized proposal, a buy).
namespace adcp::lab::suites {

QString str(const std::string &text);
// "CODE: message (field x)" for an error, "success" otherwise.
QString describe(const ToolOutcome &outcome);
bool hasCode(const ToolOutcome &outcome, const char *code);
// A call the agent must refuse with one of `codes`: fails with `whenAccepted` when it succeeded, with
// "expected <expected>, got <the error>" when it was refused another way (`expected` defaults to the codes
// joined by " or "), and passes with the error described otherwise.
StepOutcome expectRefused(const ToolOutcome &answer, std::initializer_list<const char *> codes,
                          const QString &whenAccepted, const QString &expected = {});
// The string at `key` of an object, or empty.
std::string text(const nlohmann::json &object, const char *key);
// The array at `key` of an object, or an empty array.
nlohmann::json array(const nlohmann::json &object, const char *key);
// Empty when the error's recovery (if given) is the standard class of its code, else what is wrong.
QString recoveryProblem(const AdcpError &error);

// A flight that starts two days from now and lasts 30 days, as create_media_buy wants it.
nlohmann::json flightStart();
nlohmann::json flightEnd();
// The brand the run buys for (LabConfig::brandDomain).
nlohmann::json brand(const LabContext &ctx);
// The natural-key account (brand + operator) the run starts with; each principal has its own under this key.
nlohmann::json naturalAccount(const LabContext &ctx);

struct Proposal
{
    std::string id;
    std::string version; // empty when the agent does not version proposals
    nlohmann::json body;
};

// get_products in brief mode; the first proposal of the answer, if any, lands in `proposal`.
ToolOutcome brief(LabContext &ctx, const std::string &text, std::optional<Proposal> *proposal);
// get_products refine with one proposal-scope entry (finalize, decline, include); `version` is sent when set.
ToolOutcome refineProposal(LabContext &ctx, const Proposal &proposal, const nlohmann::json &entryExtra);
// The proposal of a refine answer with this id (its new version, status), if present.
std::optional<Proposal> proposalIn(const nlohmann::json &result, const std::string &id);
// create_media_buy from a proposal with the given idempotency key and budget.
nlohmann::json createFromProposal(LabContext &ctx, const Proposal &proposal, const std::string &key,
                                  double budget);
// create_media_buy with one package on a product (its first pricing option): the flow of a seller that
// answers briefs with products only.
nlohmann::json createFromProduct(LabContext &ctx, const nlohmann::json &product, const std::string &key,
                                 double budget);
// Arguments of a create_media_buy the agent can accept: from a committed proposal when the brief yields one
// (then `proposal` is set), else a package on the brief's first product. Empty with `stopped` set otherwise.
std::optional<nlohmann::json> buyArguments(LabContext &ctx, const std::string &briefText, const std::string &key,
                                           double budget, ToolOutcome *stopped,
                                           std::optional<Proposal> *proposal = nullptr);
// brief → finalize; the committed proposal, or the outcome that stopped the flow.
std::optional<Proposal> committedProposal(LabContext &ctx, const std::string &briefText, ToolOutcome *stopped);

// One buy as get_media_buys shows it to principal A (asked for by id under the run's account); nullopt when
// the call failed or does not list it, with the call's outcome in *answer either way.
std::optional<nlohmann::json> readBuy(LabContext &ctx, const std::string &id, ToolOutcome *answer);

// Applicability shared by the suites.
std::optional<StepOutcome> needsMediaBuy(LabContext &ctx);
std::optional<StepOutcome> needsState(LabContext &ctx, const char *key, const char *producedBy);

} // namespace adcp::lab::suites
