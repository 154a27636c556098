#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

namespace adcp::models {

// One step of a trainer scenario. `request`: an AdCP tool call the workbench makes (tool + request, with
// proposals and buys named by placeholders "$proposal:N" / "$media_buy:N", N being the row in the session's
// list, because the seller gives fresh ids on every replay). `seller_action`: what the seller console does
// (approve/reject the pending buy, break/restore a dependency, manual approval on/off). `clock`: the seller
// clock moved forward.
struct ScenarioStep
{
    enum class Kind { Request, SellerAction, Clock };
    Kind kind = Kind::Request;
    QString narration;
    QString tool;              // request
    nlohmann::json request;    // request: the arguments as the workbench sent them
    QString action;            // seller_action: see scenarioSellerActions()
    QString resourceType;      // seller_action on a dependency
    QString resourceId;        // "*" = the first one of that type the dependency board lists
    bool enabled = true;       // seller_action manual_approval
    qint64 advanceSeconds = 0; // clock
};

struct Scenario
{
    QString title;
    QString description;
    std::vector<ScenarioStep> steps;
};

// The tools a request step may name (those the workbench's actions send) and the console's actions.
const QStringList &scenarioTools();
const QStringList &scenarioSellerActions();

// Bounds applied before anything else is read: a scenario file is untrusted input.
constexpr qsizetype kScenarioMaxBytes = 1024 * 1024;
constexpr int kScenarioMaxSteps = 500;

// Reads a scenario file's bytes. Null with `error` naming the step and field ("step 3: \"tool\" must be one
// of …") when the file is not a scenario this version can replay; never throws.
std::optional<Scenario> parseScenario(const QByteArray &bytes, QString *error);
nlohmann::json scenarioToJson(const Scenario &scenario);
QByteArray serializeScenario(const Scenario &scenario);

} // namespace adcp::models
