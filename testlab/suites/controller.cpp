// The sandbox controller (comply_test_controller) as a buyer's test harness uses it: the scenarios it lists,
// a forced media-buy status that reads back, simulated delivery that the delivery report shows, a rejected
// creative that impairs the buy it serves, a terminal status that holds, and an unknown scenario refused in
// the controller's own shape. Not applicable when the agent has no controller for this principal (the
// controller is for sandbox accounts) or does not list the scenario a step needs.
#include "suitehelpers.h"

#include <algorithm>

namespace adcp::lab {

using nlohmann::json;
using namespace suites;

namespace {

constexpr const char *kBrief = "Display and online video for a sports drink launch in the US, summer";
constexpr qint64 kImpressions = 12000;
constexpr double kSpend = 144.0;

ToolOutcome controller(LabContext &ctx, const std::string &scenario, const json &params)
{
    json args = {{"scenario", scenario}, {"params", params}};
    return ctx.call(QStringLiteral("comply_test_controller"), args, {.validateRequest = false});
}

// The controller's answer is success or success: false with its own error code (compliance schema); an AdCP
// error is what an agent without one for this principal answers.
bool succeeded(const ToolOutcome &answer)
{
    return answer.ok() && answer.result.value("success", false);
}

QString controllerProblem(const ToolOutcome &answer)
{
    if (!answer.ok())
        return describe(answer);
    return QStringLiteral("success: false, %1: %2")
        .arg(str(text(answer.result, "error")), str(text(answer.result, "error_detail")));
}

std::optional<StepOutcome> needsScenario(LabContext &ctx, const char *scenario)
{
    if (auto na = needsMediaBuy(ctx))
        return na;
    if (!ctx.state().contains("c_scenarios"))
        return StepOutcome::notApplicable(
            QStringLiteral("the agent has no sandbox controller for this principal"));
    const json &listed = ctx.state()["c_scenarios"];
    if (std::find(listed.begin(), listed.end(), scenario) == listed.end())
        return StepOutcome::notApplicable(
            QStringLiteral("the controller does not list %1").arg(QLatin1String(scenario)));
    return std::nullopt;
}

StepOutcome listsScenarios(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return *na;
    const ToolOutcome answer = controller(ctx, "list_scenarios", json::object());
    if (LabContext::isUnknownTool(answer))
        return StepOutcome::notApplicable(QStringLiteral("the agent has no comply_test_controller"));
    if (!answer.ok())
        return StepOutcome::notApplicable(
            QStringLiteral("the controller refused this principal (it serves sandbox "
                           "accounts): ") +
            describe(answer));
    if (!answer.result.value("success", false))
        return StepOutcome::fail(QStringLiteral("list_scenarios answered ") + controllerProblem(answer));
    const json scenarios = array(answer.result, "scenarios");
    if (scenarios.empty() ||
        !std::all_of(scenarios.begin(), scenarios.end(), [](const json &s) { return s.is_string(); }))
        return StepOutcome::fail(QStringLiteral("list_scenarios gave no list of scenario names"));
    ctx.state()["c_scenarios"] = scenarios;
    // What the capabilities declare must be served (AdCP: the block lists scenarios the agent implements).
    const json declared =
        ctx.capabilities().value("compliance_testing", json::object()).value("scenarios", json::array());
    for (const auto &d : declared) {
        if (d.is_string() && d != "list_scenarios" &&
            std::find(scenarios.begin(), scenarios.end(), d) == scenarios.end())
            return StepOutcome::fail(
                QStringLiteral("capabilities declare %1 but list_scenarios does not list it")
                    .arg(str(d.get<std::string>())));
    }
    return StepOutcome::pass(QStringLiteral("%1 scenarios").arg(scenarios.size()));
}

StepOutcome forcedStatusReadsBack(LabContext &ctx)
{
    if (auto na = needsScenario(ctx, "force_media_buy_status"))
        return *na;
    ToolOutcome stopped;
    const auto args = buyArguments(ctx, kBrief, LabContext::newKey(), 30000, &stopped);
    if (!args)
        return StepOutcome::fail(QStringLiteral("nothing to buy: ") + describe(stopped));
    const ToolOutcome created = ctx.call(QStringLiteral("create_media_buy"), *args);
    if (!created.ok())
        return StepOutcome::fail(QStringLiteral("create_media_buy failed: ") + describe(created));
    const std::string id = text(created.result, "media_buy_id");
    if (id.empty())
        return StepOutcome::notApplicable(
            QStringLiteral("the buy was not created at once (no media_buy_id)"));
    ctx.state()["c_buy"] = id;
    ctx.state()["c_created"] = created.result;
    const ToolOutcome forced =
        controller(ctx, "force_media_buy_status", {{"media_buy_id", id}, {"status", "active"}});
    if (!succeeded(forced))
        return StepOutcome::fail(QStringLiteral("forcing the new buy active failed: ") +
                                 controllerProblem(forced));
    if (text(forced.result, "current_state") != "active")
        return StepOutcome::fail(QStringLiteral("the controller reports current_state '%1', not active")
                                     .arg(str(text(forced.result, "current_state"))));
    const auto buy = readBuy(ctx, id, &stopped);
    if (!buy)
        return StepOutcome::fail(QStringLiteral("get_media_buys does not show the buy: ") +
                                 describe(stopped));
    if (text(*buy, "status") != "active")
        return StepOutcome::fail(QStringLiteral("get_media_buys says '%1' after the controller forced active")
                                     .arg(str(text(*buy, "status"))));
    return StepOutcome::pass(QStringLiteral("media buy %1 is active").arg(str(id)));
}

StepOutcome simulatedDeliveryReported(LabContext &ctx)
{
    if (auto na = needsScenario(ctx, "simulate_delivery"))
        return *na;
    if (auto missing = needsState(ctx, "c_buy", "forced_status_reads_back"))
        return *missing;
    const std::string id = ctx.state()["c_buy"].get<std::string>();
    const ToolOutcome simulated =
        controller(ctx, "simulate_delivery",
                   {{"media_buy_id", id}, {"impressions", kImpressions}, {"clicks", 60}, {"spend", kSpend}});
    if (!succeeded(simulated))
        return StepOutcome::fail(QStringLiteral("simulate_delivery failed: ") + controllerProblem(simulated));
    const ToolOutcome report = ctx.call(QStringLiteral("get_media_buy_delivery"),
                                        {{"account", ctx.account()}, {"media_buy_ids", json::array({id})}});
    if (!report.ok())
        return StepOutcome::fail(QStringLiteral("get_media_buy_delivery failed: ") + describe(report));
    for (const auto &d : array(report.result, "media_buy_deliveries")) {
        if (text(d, "media_buy_id") != id)
            continue;
        const json totals = d.value("totals", json::object());
        const double impressions = totals.value("impressions", 0.0);
        const double spend = totals.value("spend", 0.0);
        // At least what was simulated: the agent may also have delivered on its own since the buy went live.
        if (impressions < double(kImpressions) || spend + 0.005 < kSpend)
            return StepOutcome::fail(
                QStringLiteral("after simulating %1 impressions and %2 spend the report says "
                               "%3 impressions and %4 spend")
                    .arg(kImpressions)
                    .arg(kSpend)
                    .arg(impressions)
                    .arg(spend));
        return StepOutcome::pass(
            QStringLiteral("%1 impressions, %2 spend reported").arg(impressions).arg(spend));
    }
    return StepOutcome::fail(QStringLiteral("media_buy_deliveries does not include the buy"));
}

StepOutcome rejectedCreativeImpairs(LabContext &ctx)
{
    if (auto na = needsScenario(ctx, "force_creative_status"))
        return *na;
    if (auto missing = needsState(ctx, "c_buy", "forced_status_reads_back"))
        return *missing;
    const json surfaces = ctx.capabilities()
                              .value("media_buy", json::object())
                              .value("propagation_surfaces", json::array({"snapshot"}));
    if (std::find(surfaces.begin(), surfaces.end(), "snapshot") == surfaces.end())
        return StepOutcome::notApplicable(
            QStringLiteral("the agent does not show impairments on get_media_buys "
                           "(propagation_surfaces)"));
    const std::string id = ctx.state()["c_buy"].get<std::string>();
    const json package = array(ctx.state()["c_created"], "packages").empty()
                             ? json::object()
                             : array(ctx.state()["c_created"], "packages").front();
    const json formats = array(package, "format_ids_to_provide");
    if (text(package, "package_id").empty() || formats.empty())
        return StepOutcome::notApplicable(
            QStringLiteral("the buy's answer names no package format to upload a creative for"));
    const std::string creativeId = "lab_cr_" + LabContext::newKey().substr(0, 8);
    const json creative = {
        {"creative_id", creativeId},
        {"name", "Test lab creative"},
        {"format_id", formats.front()},
        {"assets", {{"main", {{"asset_type", "url"}, {"url", "https://cdn.example/lab-creative.png"}}}}}};
    const ToolOutcome synced = ctx.call(
        QStringLiteral("sync_creatives"),
        {{"idempotency_key", LabContext::newKey()},
         {"account", ctx.account()},
         {"creatives", json::array({creative})},
         {"assignments",
          json::array({{{"creative_id", creativeId}, {"package_id", text(package, "package_id")}}})}});
    if (!synced.ok())
        return StepOutcome::notApplicable(
            QStringLiteral("a creative for the package could not be uploaded: ") + describe(synced));
    const json results = array(synced.result, "creatives");
    if (!results.empty() && text(results.front(), "action") == "failed")
        return StepOutcome::notApplicable(
            QStringLiteral("the agent refused the lab's creative for the package's format"));
    const ToolOutcome rejected = controller(ctx, "force_creative_status",
                                            {{"creative_id", creativeId},
                                             {"status", "rejected"},
                                             {"rejection_reason", "test lab: brand safety"}});
    if (!succeeded(rejected))
        return StepOutcome::fail(QStringLiteral("forcing the creative rejected failed: ") +
                                 controllerProblem(rejected));
    ToolOutcome stopped;
    const auto buy = readBuy(ctx, id, &stopped);
    if (!buy)
        return StepOutcome::fail(QStringLiteral("get_media_buys does not show the buy: ") +
                                 describe(stopped));
    const json impairments = array(*buy, "impairments");
    const bool named = std::any_of(impairments.begin(), impairments.end(), [&](const json &i) {
        return text(i, "resource_type") == "creative" && text(i, "resource_id") == creativeId;
    });
    if (!named)
        return StepOutcome::fail(
            QStringLiteral("the buy's only creative was rejected, but impairments[] does not name it "
                           "(health '%1')")
                .arg(str(text(*buy, "health"))));
    if (text(*buy, "health") == "ok")
        return StepOutcome::fail(
            QStringLiteral("impairments[] names the rejected creative but health is ok"));
    return StepOutcome::pass(
        QStringLiteral("health %1, the rejected creative is named").arg(str(text(*buy, "health"))));
}

StepOutcome terminalStatusHolds(LabContext &ctx)
{
    if (auto na = needsScenario(ctx, "force_media_buy_status"))
        return *na;
    if (auto missing = needsState(ctx, "c_buy", "forced_status_reads_back"))
        return *missing;
    const std::string id = ctx.state()["c_buy"].get<std::string>();
    const ToolOutcome canceled =
        controller(ctx, "force_media_buy_status", {{"media_buy_id", id}, {"status", "canceled"}});
    if (!succeeded(canceled))
        return StepOutcome::fail(QStringLiteral("forcing the buy canceled failed: ") +
                                 controllerProblem(canceled));
    const ToolOutcome revived =
        controller(ctx, "force_media_buy_status", {{"media_buy_id", id}, {"status", "active"}});
    if (succeeded(revived))
        return StepOutcome::fail(QStringLiteral("the controller moved a canceled buy back to active"));
    if (!revived.ok() || text(revived.result, "error") != "INVALID_TRANSITION")
        return StepOutcome::fail(QStringLiteral("expected INVALID_TRANSITION, got ") +
                                 controllerProblem(revived));
    ToolOutcome stopped;
    const auto buy = readBuy(ctx, id, &stopped);
    if (!buy)
        return StepOutcome::fail(QStringLiteral("get_media_buys does not show the buy: ") +
                                 describe(stopped));
    if (text(*buy, "status") != "canceled")
        return StepOutcome::fail(
            QStringLiteral("the refused transition left the buy '%1'").arg(str(text(*buy, "status"))));
    return StepOutcome::pass(QStringLiteral("canceled stays canceled (INVALID_TRANSITION)"));
}

StepOutcome unknownScenarioRefused(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return *na;
    if (!ctx.state().contains("c_scenarios"))
        return StepOutcome::notApplicable(
            QStringLiteral("the agent has no sandbox controller for this principal"));
    const ToolOutcome answer = controller(ctx, "lab_no_such_scenario", json::object());
    if (succeeded(answer))
        return StepOutcome::fail(QStringLiteral("an unknown scenario was reported as done"));
    if (answer.ok() && text(answer.result, "error") == "UNKNOWN_SCENARIO")
        return StepOutcome::pass(QStringLiteral("success: false, UNKNOWN_SCENARIO"));
    return StepOutcome::fail(QStringLiteral("expected success: false with UNKNOWN_SCENARIO, got ") +
                             controllerProblem(answer));
}

} // namespace

LabSuite controllerSuite()
{
    return {QStringLiteral("controller"),
            QStringLiteral("Sandbox controller"),
            {{QStringLiteral("lists_scenarios"),
              QStringLiteral("The controller lists the scenarios it serves"), listsScenarios},
             {QStringLiteral("forced_status_reads_back"),
              QStringLiteral("A forced media-buy status reads back through get_media_buys"),
              forcedStatusReadsBack},
             {QStringLiteral("simulated_delivery_reported"),
              QStringLiteral("Simulated delivery shows in the delivery report"), simulatedDeliveryReported},
             {QStringLiteral("rejected_creative_impairs"),
              QStringLiteral("A rejected creative impairs the buy it serves"), rejectedCreativeImpairs},
             {QStringLiteral("terminal_status_holds"),
              QStringLiteral("A canceled buy cannot be forced back to active"), terminalStatusHolds},
             {QStringLiteral("unknown_scenario_refused"),
              QStringLiteral("An unknown scenario is refused in the controller's shape"),
              unknownScenarioRefused}}};
}

} // namespace adcp::lab
