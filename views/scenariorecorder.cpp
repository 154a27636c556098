#include "scenariorecorder.h"

#include "agentclient.h"
#include "buymodel.h"
#include "exchangemodel.h"
#include "jsonvalues.h"
#include "proposalmodel.h"
#include "sellerconsole.h"
#include "workbench.h"

using adcp::models::jsonString;
using adcp::models::ScenarioStep;
using nlohmann::json;

namespace adcp::gui {

namespace {

QString narrationFor(const QString &tool, const json &request)
{
    if (tool == QLatin1String("get_adcp_capabilities"))
        return ScenarioRecorder::tr("The workbench asks the seller what it can do.");
    if (tool == QLatin1String("create_media_buy"))
        return ScenarioRecorder::tr("The planner books the proposal as a media buy.");
    if (tool == QLatin1String("decline_proposals"))
        return ScenarioRecorder::tr("The planner declines the proposal and says why.");
    if (tool == QLatin1String("get_media_buys"))
        return ScenarioRecorder::tr("The planner reads the buys again from the seller.");
    if (jsonString(request, "buying_mode") != QLatin1String("refine"))
        return ScenarioRecorder::tr("The planner sends a brief: \"%1\".").arg(jsonString(request, "brief"));
    for (const auto &entry : adcp::models::jsonArray(request, "refine")) {
        const QString action = jsonString(entry, "action");
        if (action == QLatin1String("finalize"))
            return ScenarioRecorder::tr(
                "The planner finalizes the proposal: the seller commits the inventory.");
        if (action == QLatin1String("decline"))
            return ScenarioRecorder::tr("The planner declines the proposal and says why.");
    }
    return ScenarioRecorder::tr("The planner asks the seller to refine the proposal.");
}

} // namespace

ScenarioRecorder::ScenarioRecorder(Workbench *workbench, SellerConsole *console, QObject *parent)
    : QObject(parent), m_workbench(workbench), m_console(console)
{
    connect(workbench->exchanges(), &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) { onExchanges(first, last); });
    if (console)
        connect(console, &SellerConsole::sellerActionTaken, this, &ScenarioRecorder::onSellerAction);
}

ScenarioRecorder::~ScenarioRecorder() = default;

void ScenarioRecorder::start(const QString &title)
{
    m_scenario = {};
    m_scenario.title = title;
    m_recording = true;
    Q_EMIT stepRecorded(0);
}

void ScenarioRecorder::stop()
{
    m_recording = false;
}

bool ScenarioRecorder::isRecording() const
{
    return m_recording;
}

const models::Scenario &ScenarioRecorder::scenario() const
{
    return m_scenario;
}

void ScenarioRecorder::append(ScenarioStep step)
{
    m_scenario.steps.push_back(std::move(step));
    Q_EMIT stepRecorded(int(m_scenario.steps.size()));
}

void ScenarioRecorder::replaceIds(json &value) const
{
    if (value.is_object() || value.is_array()) {
        for (auto &member : value)
            replaceIds(member);
        return;
    }
    if (!value.is_string())
        return;
    const QString text = QString::fromStdString(value.get<std::string>());
    if (const int row = m_workbench->proposals()->rowOf(text); row >= 0)
        value = QStringLiteral("$proposal:%1").arg(row).toStdString();
    else if (const int buy = m_workbench->buys()->rowOf(text); buy >= 0)
        value = QStringLiteral("$media_buy:%1").arg(buy).toStdString();
}

void ScenarioRecorder::onExchanges(int first, int last)
{
    if (!m_recording || !m_workbench)
        return;
    const models::ExchangeModel *exchanges = m_workbench->exchanges();
    for (int row = first; row <= last; ++row) {
        const adcp::Exchange *exchange = exchanges->exchange(row);
        if (!exchange || exchanges->isBackground(row) || !models::scenarioTools().contains(exchange->tool))
            continue;
        ScenarioStep step;
        step.kind = ScenarioStep::Kind::Request;
        step.tool = exchange->tool;
        step.request = exchange->request.is_object() ? exchange->request : json::object();
        // Fresh on every replay; a webhook registration is marked, its local URL and secret are not kept.
        step.request.erase("idempotency_key");
        if (step.request.contains("push_notification_config"))
            step.request["push_notification_config"] = {{"url", "$webhook"}};
        replaceIds(step.request);
        step.narration = narrationFor(step.tool, step.request);
        append(std::move(step));
    }
}

void ScenarioRecorder::onSellerAction(const json &entry)
{
    // A change with no scenario step (an account approved in the console) is not recorded.
    if (!m_recording || !entry.is_object() || entry.empty())
        return;
    ScenarioStep step;
    const QString kind = jsonString(entry, "kind");
    if (kind == QLatin1String("clock")) {
        step.kind = ScenarioStep::Kind::Clock;
        step.advanceSeconds = entry.value("advance_seconds", qint64(0));
        step.narration = tr("The seller's clock moves forward.");
    } else {
        step.kind = ScenarioStep::Kind::SellerAction;
        step.action = jsonString(entry, "action");
        step.resourceType = jsonString(entry, "resource_type");
        step.resourceId = jsonString(entry, "resource_id");
        step.enabled = entry.value("enabled", true);
        step.narration = tr("In the seller console: %1.").arg(step.action);
    }
    append(std::move(step));
}

} // namespace adcp::gui
