#include "scenario.h"

#include "wire/jsonread.h"

#include <QCoreApplication>
#include <QStringList>

using nlohmann::json;

namespace adcp::models {

namespace {

constexpr int kScenarioMaxDepth = 32;
constexpr qsizetype kScenarioMaxNarration = 4000;
constexpr qsizetype kScenarioMaxTitle = 200;
constexpr qint64 kScenarioMaxAdvance = 366LL * 86400;

QString scenarioTr(const char *text)
{
    return QCoreApplication::translate("Scenario", text);
}

// The member `key` as a string of at most `max` characters; absent is allowed unless `required`.
bool readString(const json &object, const char *key, bool required, qsizetype max, QString *out,
                QString *error)
{
    const auto it = object.find(key);
    if (it == object.end()) {
        if (required)
            *error = scenarioTr("\"%1\" is missing").arg(QLatin1String(key));
        return !required;
    }
    if (!it->is_string()) {
        *error = scenarioTr("\"%1\" must be a string").arg(QLatin1String(key));
        return false;
    }
    *out = QString::fromStdString(it->get<std::string>());
    if (out->size() > max) {
        *error = scenarioTr("\"%1\" is longer than %2 characters").arg(QLatin1String(key)).arg(max);
        return false;
    }
    return true;
}

bool readStep(const json &entry, ScenarioStep *step, QString *error)
{
    if (!entry.is_object()) {
        *error = scenarioTr("must be an object");
        return false;
    }
    QString kind;
    if (!readString(entry, "narration", true, kScenarioMaxNarration, &step->narration, error) ||
        !readString(entry, "kind", true, 32, &kind, error))
        return false;
    if (kind == QLatin1String("request")) {
        step->kind = ScenarioStep::Kind::Request;
        if (!readString(entry, "tool", true, 64, &step->tool, error))
            return false;
        if (!scenarioTools().contains(step->tool)) {
            *error = scenarioTr("\"tool\" must be one of %1").arg(scenarioTools().join(QStringLiteral(", ")));
            return false;
        }
        const auto request = entry.find("request");
        if (request == entry.end() || !request->is_object()) {
            *error = scenarioTr("\"request\" must be an object");
            return false;
        }
        step->request = *request;
        return true;
    }
    if (kind == QLatin1String("seller_action")) {
        step->kind = ScenarioStep::Kind::SellerAction;
        if (!readString(entry, "action", true, 64, &step->action, error))
            return false;
        if (!scenarioSellerActions().contains(step->action)) {
            *error = scenarioTr("\"action\" must be one of %1")
                         .arg(scenarioSellerActions().join(QStringLiteral(", ")));
            return false;
        }
        const bool dependency = step->action.endsWith(QLatin1String("_dependency"));
        if (!readString(entry, "resource_type", dependency, 64, &step->resourceType, error) ||
            !readString(entry, "resource_id", dependency, 256, &step->resourceId, error))
            return false;
        if (step->action == QLatin1String("manual_approval")) {
            const auto enabled = entry.find("enabled");
            if (enabled == entry.end() || !enabled->is_boolean()) {
                *error = scenarioTr("\"enabled\" must be true or false");
                return false;
            }
            step->enabled = enabled->get<bool>();
        }
        return true;
    }
    if (kind == QLatin1String("clock")) {
        step->kind = ScenarioStep::Kind::Clock;
        const auto seconds = entry.find("advance_seconds");
        if (seconds == entry.end() || !seconds->is_number_integer() || seconds->get<qint64>() <= 0 ||
            seconds->get<qint64>() > kScenarioMaxAdvance) {
            *error = scenarioTr("\"advance_seconds\" must be a whole number from 1 to %1")
                         .arg(kScenarioMaxAdvance);
            return false;
        }
        step->advanceSeconds = seconds->get<qint64>();
        return true;
    }
    *error = scenarioTr("\"kind\" must be request, seller_action or clock");
    return false;
}

} // namespace

const QStringList &scenarioTools()
{
    static const QStringList tools{
        QStringLiteral("get_adcp_capabilities"), QStringLiteral("get_products"),
        QStringLiteral("decline_proposals"),     QStringLiteral("create_media_buy"),
        QStringLiteral("get_media_buys"),        QStringLiteral("update_media_buy")};
    return tools;
}

const QStringList &scenarioSellerActions()
{
    static const QStringList actions{QStringLiteral("manual_approval"), QStringLiteral("approve_buy"),
                                     QStringLiteral("reject_buy"), QStringLiteral("break_dependency"),
                                     QStringLiteral("restore_dependency")};
    return actions;
}

std::optional<Scenario> parseScenario(const QByteArray &bytes, QString *error)
{
    QString ignored;
    QString &why = error ? *error : ignored;
    if (bytes.size() > kScenarioMaxBytes) {
        why = scenarioTr("the file is larger than %1 KiB").arg(kScenarioMaxBytes / 1024);
        return std::nullopt;
    }
    // Nesting deeper than any scenario needs is refused before the parser recurses into it.
    if (wire::firstTooDeep(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())),
                           kScenarioMaxDepth)) {
        why = scenarioTr("the file nests deeper than %1 levels").arg(kScenarioMaxDepth);
        return std::nullopt;
    }
    const json root = json::parse(bytes.cbegin(), bytes.cend(), nullptr, false);
    if (root.is_discarded() || !root.is_object()) {
        why = scenarioTr("the file is not a JSON object");
        return std::nullopt;
    }
    const auto version = root.find("adcp_workbench_scenario");
    if (version == root.end() || !version->is_number_integer() || version->get<qint64>() != 1) {
        why = scenarioTr("\"adcp_workbench_scenario\" must be 1 (the version this workbench reads)");
        return std::nullopt;
    }
    Scenario scenario;
    if (!readString(root, "title", true, kScenarioMaxTitle, &scenario.title, &why) ||
        !readString(root, "description", false, kScenarioMaxNarration, &scenario.description, &why))
        return std::nullopt;
    const auto steps = root.find("steps");
    if (steps == root.end() || !steps->is_array() || steps->empty()) {
        why = scenarioTr("\"steps\" must be a non-empty array");
        return std::nullopt;
    }
    if (steps->size() > kScenarioMaxSteps) {
        why = scenarioTr("\"steps\" has more than %1 entries").arg(kScenarioMaxSteps);
        return std::nullopt;
    }
    for (std::size_t i = 0; i < steps->size(); ++i) {
        ScenarioStep step;
        QString stepError;
        if (!readStep((*steps)[i], &step, &stepError)) {
            why = scenarioTr("step %1: %2").arg(i + 1).arg(stepError);
            return std::nullopt;
        }
        scenario.steps.push_back(std::move(step));
    }
    return scenario;
}

json scenarioToJson(const Scenario &scenario)
{
    json steps = json::array();
    for (const ScenarioStep &step : scenario.steps) {
        json entry = {{"narration", step.narration.toStdString()}};
        switch (step.kind) {
        case ScenarioStep::Kind::Request:
            entry["kind"] = "request";
            entry["tool"] = step.tool.toStdString();
            entry["request"] = step.request.is_object() ? step.request : json::object();
            break;
        case ScenarioStep::Kind::SellerAction:
            entry["kind"] = "seller_action";
            entry["action"] = step.action.toStdString();
            if (!step.resourceType.isEmpty()) {
                entry["resource_type"] = step.resourceType.toStdString();
                entry["resource_id"] = step.resourceId.toStdString();
            }
            if (step.action == QLatin1String("manual_approval"))
                entry["enabled"] = step.enabled;
            break;
        case ScenarioStep::Kind::Clock:
            entry["kind"] = "clock";
            entry["advance_seconds"] = step.advanceSeconds;
            break;
        }
        steps.push_back(std::move(entry));
    }
    json root = {{"adcp_workbench_scenario", 1}, {"title", scenario.title.toStdString()}, {"steps", steps}};
    if (!scenario.description.isEmpty())
        root["description"] = scenario.description.toStdString();
    return root;
}

QByteArray serializeScenario(const Scenario &scenario)
{
    return QByteArray::fromStdString(scenarioToJson(scenario).dump(2)) + '\n';
}

} // namespace adcp::models
