#include "scenarioplayer.h"

#include "approvalmodel.h"
#include "buymodel.h"
#include "jsonvalues.h"
#include "proposalmodel.h"
#include "sellerconsole.h"
#include "workbench.h"

#include <QCheckBox>
#include <QDateTime>
#include <QTimer>

#include <algorithm>

using adcp::models::jsonString;
using adcp::models::ScenarioStep;
using nlohmann::json;

namespace adcp::gui {

namespace {

constexpr qint64 kDefaultFlightSeconds = 30LL * 86400;

// The flight of a recorded buy, moved to start now: the recording's dates are in the past by replay time.
void moveFlight(json &fields, const QDateTime &now)
{
    qint64 seconds = kDefaultFlightSeconds;
    const QDateTime start = adcp::models::jsonDateTime(fields, "start_time");
    const QDateTime end = adcp::models::jsonDateTime(fields, "end_time");
    if (start.isValid() && end.isValid() && start < end)
        seconds = std::max<qint64>(86400, start.secsTo(end));
    fields["start_time"] = "asap";
    fields["end_time"] = now.addSecs(seconds).toUTC().toString(Qt::ISODate).toStdString();
}

// Refine entries name the version the session holds now.
void followVersions(json &entries, const models::ProposalModel *proposals)
{
    if (!entries.is_array())
        return;
    for (auto &entry : entries) {
        if (!entry.is_object() || !entry.contains("proposal_version"))
            continue;
        const json &proposal = proposals->proposalJson(proposals->rowOf(jsonString(entry, "proposal_id")));
        if (proposal.contains("proposal_version"))
            entry["proposal_version"] = proposal["proposal_version"];
    }
}

// A recorded brief's flight moved by as many days as the recording is old, so it is not in the past.
void moveBriefDates(json &request, const QDate &today)
{
    if (!request.contains("filters") || !request["filters"].is_object())
        return;
    json &filters = request["filters"];
    const QDate start = QDate::fromString(jsonString(filters, "start_date"), Qt::ISODate);
    if (!start.isValid() || start >= today)
        return;
    const qint64 days = start.daysTo(today) + 7;
    for (const char *key : {"start_date", "end_date"}) {
        const QDate date = QDate::fromString(jsonString(filters, key), Qt::ISODate);
        if (date.isValid())
            filters[key] = date.addDays(days).toString(Qt::ISODate).toStdString();
    }
}

// What the proposal is now on this seller, where the recording's values were the other seller's: its
// current version, its insertion order (accepted now, by the recorded signatory) and, when the recording
// named no budget, the seller's recommendation.
void followProposal(json &fields, const models::ProposalModel *proposals, const QString &proposalId,
                    const QDateTime &now)
{
    const json &proposal = proposals->proposalJson(proposals->rowOf(proposalId));
    if (fields.contains("proposal_version") && proposal.contains("proposal_version"))
        fields["proposal_version"] = proposal["proposal_version"];
    const QString ioId = jsonString(adcp::models::jsonObject(proposal, "insertion_order"), "io_id");
    if (ioId.isEmpty()) {
        fields.erase("io_acceptance");
    } else {
        QString signatory = jsonString(adcp::models::jsonObject(fields, "io_acceptance"), "signatory");
        fields["io_acceptance"] = {
            {"io_id", ioId.toStdString()},
            {"accepted_at", now.toUTC().toString(Qt::ISODate).toStdString()},
            {"signatory", signatory.isEmpty() ? std::string("Trainer") : signatory.toStdString()}};
    }
    if (!fields.contains("total_budget")) {
        const json guidance = adcp::models::jsonObject(proposal, "total_budget_guidance");
        const QString currency = jsonString(guidance, "currency");
        fields["total_budget"] = {
            {"amount",
             adcp::models::jsonNumber(guidance, "recommended", adcp::models::jsonNumber(guidance, "min"))},
            {"currency", currency.isEmpty() ? std::string("USD") : currency.toStdString()}};
    }
}

} // namespace

ScenarioPlayer::ScenarioPlayer(Workbench *workbench, SellerConsole *console, QObject *parent)
    : QObject(parent), m_workbench(workbench), m_console(console), m_poll(new QTimer(this))
{
    m_poll->setInterval(50);
    connect(m_poll, &QTimer::timeout, this, &ScenarioPlayer::poll);
    if (console) {
        connect(console, &SellerConsole::actionFinished, this, [this](quint64 ticket, const QString &error) {
            if (m_wait != Wait::SellerAction || ticket != m_actionTicket)
                return;
            if (!error.isEmpty()) {
                finishStep(error);
                return;
            }
            // An approval (or rejection) ends the step once the workbench has read the buy's task: the buy is
            // on the Buys tab, or its refusal shown. The task is read at once, not at the next monitor tick.
            const ScenarioStep &step = m_scenario.steps.at(std::size_t(m_stepIndex));
            const bool decided = step.action == QLatin1String("approve_buy") ||
                                 step.action == QLatin1String("reject_buy");
            m_wait = decided ? Wait::Settled : Wait::Idle;
            if (decided && m_workbench)
                m_workbench->followAwaitingBuys();
        });
    }
}

ScenarioPlayer::~ScenarioPlayer() = default;

void ScenarioPlayer::setResetter(Resetter resetter)
{
    m_resetter = std::move(resetter);
}

void ScenarioPlayer::setStepTimeout(int ms)
{
    m_stepTimeout = ms;
}

bool ScenarioPlayer::load(const models::Scenario &scenario, QString *error)
{
    if (m_running) {
        *error = tr("A scenario step is still running.");
        return false;
    }
    m_scenario = scenario;
    m_loaded = true;
    m_position = 0;
    runTo(0);
    if (!m_lastError.isEmpty() && !m_running) {
        *error = m_lastError;
        return false;
    }
    return true;
}

bool ScenarioPlayer::unload()
{
    if (m_running)
        return false;
    m_poll->stop();
    m_wait = Wait::None;
    m_loaded = false;
    m_scenario = {};
    m_position = 0;
    m_target = 0;
    m_lastError.clear();
    Q_EMIT positionChanged(m_position);
    return true;
}

const models::Scenario &ScenarioPlayer::scenario() const
{
    return m_scenario;
}

bool ScenarioPlayer::isLoaded() const
{
    return m_loaded;
}

int ScenarioPlayer::position() const
{
    return m_position;
}

int ScenarioPlayer::stepCount() const
{
    return int(m_scenario.steps.size());
}

bool ScenarioPlayer::isRunning() const
{
    return m_running;
}

QString ScenarioPlayer::lastError() const
{
    return m_lastError;
}

void ScenarioPlayer::next()
{
    if (!m_loaded || m_running || m_position >= stepCount())
        return;
    m_lastError.clear();
    m_target = m_position + 1;
    setRunning(true);
    startStep();
}

void ScenarioPlayer::previous()
{
    if (!m_loaded || m_running || m_position == 0)
        return;
    runTo(m_position - 1);
}

void ScenarioPlayer::reset()
{
    if (!m_loaded || m_running)
        return;
    runTo(0);
}

bool ScenarioPlayer::resetSession(QString *error)
{
    if (!m_workbench) {
        *error = tr("The workbench is gone.");
        return false;
    }
    if (m_resetter && !m_resetter(error))
        return false;
    m_workbench->connectAgent();
    return true;
}

// Deterministic by construction: a fresh seller, an empty session, then the steps again in order.
void ScenarioPlayer::runTo(int target)
{
    m_lastError.clear();
    m_target = target;
    m_position = 0;
    QString error;
    if (!resetSession(&error)) {
        m_lastError = tr("The seller could not be reset: %1").arg(error);
        Q_EMIT positionChanged(m_position);
        Q_EMIT failed(m_lastError);
        return;
    }
    setRunning(true);
    // Connecting again is the reset's last part; the steps follow once it is answered.
    m_wait = Wait::Idle;
    m_stepIndex = -1;
    m_waitStarted = QDateTime::currentMSecsSinceEpoch();
    m_poll->start();
}

void ScenarioPlayer::startStep()
{
    m_waitError.clear();
    m_stepIndex = m_position;
    m_waitStarted = QDateTime::currentMSecsSinceEpoch();
    const ScenarioStep &step = m_scenario.steps.at(std::size_t(m_position));
    QString error;
    bool ok = true;
    switch (step.kind) {
    case ScenarioStep::Kind::Request:
        ok = performRequest(step, &error);
        break;
    case ScenarioStep::Kind::SellerAction:
        ok = performSellerAction(step, &error);
        break;
    case ScenarioStep::Kind::Clock:
        if (!m_console) {
            error = tr("there is no seller console to move the clock");
            ok = false;
        } else {
            m_console->advanceClock(step.advanceSeconds);
            m_wait = Wait::Idle;
        }
        break;
    }
    if (!ok) {
        finishStep(error);
        return;
    }
    m_poll->start();
}

bool ScenarioPlayer::resolve(json &value, QString *error) const
{
    if (value.is_object() || value.is_array()) {
        for (auto &member : value)
            if (!resolve(member, error))
                return false;
        return true;
    }
    if (!value.is_string())
        return true;
    const QString text = QString::fromStdString(value.get<std::string>());
    const bool proposal = text.startsWith(QLatin1String("$proposal:"));
    if (!proposal && !text.startsWith(QLatin1String("$media_buy:")))
        return true;
    bool number = false;
    const int row = text.section(QLatin1Char(':'), 1).toInt(&number);
    if (proposal) {
        if (!number || row < 0 || row >= m_workbench->proposals()->rowCount()) {
            *error = tr("%1 names a proposal the session does not have (it has %n)", nullptr,
                        m_workbench->proposals()->rowCount())
                         .arg(text);
            return false;
        }
        value = m_workbench->proposals()->proposalId(row).toStdString();
    } else {
        if (!number || row < 0 || row >= m_workbench->buys()->rowCount()) {
            *error = tr("%1 names a media buy the session does not have (it has %n)", nullptr,
                        m_workbench->buys()->rowCount())
                         .arg(text);
            return false;
        }
        value = m_workbench->buys()->mediaBuyId(row).toStdString();
    }
    return true;
}

bool ScenarioPlayer::performRequest(const ScenarioStep &step, QString *error)
{
    json request = step.request;
    if (!resolve(request, error))
        return false;
    m_wait = Wait::Idle;
    if (step.tool == QLatin1String("get_adcp_capabilities")) {
        m_workbench->connectAgent();
    } else if (step.tool == QLatin1String("get_media_buys")) {
        m_workbench->refreshBuys();
    } else if (step.tool == QLatin1String("create_media_buy")) {
        const QString proposalId = jsonString(request, "proposal_id");
        json fields = request;
        // What the workbench adds itself on every buy.
        for (const char *key : {"proposal_id", "brand", "account", "opportunity", "push_notification_config",
                                "idempotency_key"})
            fields.erase(key);
        moveFlight(fields, m_workbench->now());
        followProposal(fields, m_workbench->proposals(), proposalId, m_workbench->now());
        m_workbench->createBuy(proposalId, fields, request.contains("push_notification_config"));
        m_wait = Wait::IdleOrHeld;
    } else if (step.tool == QLatin1String("decline_proposals")) {
        // The 3.2 dialect's decline; the workbench picks the form the connected seller speaks.
        const json declines = adcp::models::jsonArray(request, "declines");
        const json first = declines.empty() ? json::object() : declines.front();
        m_workbench->decline(jsonString(first, "proposal_id"), jsonString(first, "reason"),
                             jsonString(first, "detail"));
    } else if (jsonString(request, "buying_mode") == QLatin1String("refine")) {
        const json entries = adcp::models::jsonArray(request, "refine");
        const auto entry = std::find_if(entries.begin(), entries.end(), [](const json &e) {
            return jsonString(e, "scope") == QLatin1String("proposal");
        });
        const QString proposalId = entry == entries.end() ? QString() : jsonString(*entry, "proposal_id");
        const QString action = entry == entries.end() ? QString() : jsonString(*entry, "action");
        followVersions(request["refine"], m_workbench->proposals());
        if (action == QLatin1String("finalize"))
            m_workbench->finalize(proposalId);
        else if (action == QLatin1String("decline"))
            m_workbench->decline(proposalId, jsonString(*entry, "reason"), jsonString(*entry, "detail"));
        else
            m_workbench->refine(proposalId, request["refine"]);
    } else {
        moveBriefDates(request, m_workbench->now().date());
        const QString brief = jsonString(request, "brief");
        m_workbench->sendBrief(request, brief.left(40).trimmed());
    }
    if (!m_workbench->isBusy()) {
        *error = tr("the workbench sent no %1 (is it connected?)").arg(step.tool);
        return false;
    }
    return true;
}

bool ScenarioPlayer::performSellerAction(const ScenarioStep &step, QString *error)
{
    if (!m_console) {
        *error = tr("there is no seller console for %1").arg(step.action);
        return false;
    }
    m_wait = Wait::Idle;
    if (step.action == QLatin1String("manual_approval")) {
        m_console->manualApprovalBox()->setChecked(step.enabled);
        return true;
    }
    if (step.action == QLatin1String("approve_buy") || step.action == QLatin1String("reject_buy")) {
        m_approve = step.action == QLatin1String("approve_buy");
        m_wait = Wait::Approval;
        return true;
    }
    // The board fills as the seller's execution records what the buy depends on: "*" waits for its first row
    // of the type.
    m_wait = Wait::Dependency;
    return true;
}

// Breaks or restores the step's dependency once the board lists it; false while it does not yet.
bool ScenarioPlayer::changeDependency(const ScenarioStep &step, QString *error)
{
    m_console->refresh();
    QString id = step.resourceId;
    if (id == QLatin1String("*")) {
        const QString prefix = step.resourceType + QLatin1Char('/');
        const QStringList keys = m_console->dependencyKeys();
        const auto found = std::find_if(keys.begin(), keys.end(),
                                        [&prefix](const QString &key) { return key.startsWith(prefix); });
        if (found == keys.end()) {
            *error = tr("the dependency board lists no %1").arg(step.resourceType);
            return false;
        }
        id = found->mid(prefix.size());
    }
    m_actionTicket =
        m_console->setDependency(step.resourceType, id, step.action == QLatin1String("break_dependency"));
    return true;
}

void ScenarioPlayer::poll()
{
    if (!m_workbench) {
        finishStep(tr("the workbench is gone"));
        return;
    }
    if (QDateTime::currentMSecsSinceEpoch() - m_waitStarted > m_stepTimeout) {
        finishStep(m_waitError.isEmpty()
                       ? tr("nothing happened within %n second(s)", nullptr, m_stepTimeout / 1000)
                       : m_waitError);
        return;
    }
    switch (m_wait) {
    case Wait::None:
        return;
    case Wait::Idle:
        if (!m_workbench->isBusy())
            finishStep({});
        return;
    case Wait::IdleOrHeld:
        // A buy the seller holds for approval keeps the workbench waiting: the step is done once the seller
        // console lists it.
        if (!m_workbench->isBusy() || (m_console && m_console->approvalModel()->firstBuyRow() >= 0))
            finishStep({});
        else if (m_console)
            m_console->refresh();
        return;
    case Wait::Dependency: {
        QString error;
        if (!changeDependency(m_scenario.steps.at(std::size_t(m_stepIndex)), &error)) {
            m_waitError = error;
            return;
        }
        m_wait = Wait::SellerAction;
        return;
    }
    case Wait::Approval: {
        // The held buy (an account awaiting approval is not what the step decides).
        const int row = m_console->approvalModel()->firstBuyRow();
        if (row < 0) {
            m_console->refresh();
            return;
        }
        m_actionTicket = m_console->approveTask(m_console->approvalModel()->taskId(row), m_approve);
        m_wait = Wait::SellerAction;
        return;
    }
    case Wait::SellerAction:
        return;
    case Wait::Settled:
        // A task read while the seller was still finishing the buy is read again (one read at a time).
        if (m_workbench->awaitingBuyCount() == 0 && !m_workbench->isBusy())
            finishStep({});
        else
            m_workbench->followAwaitingBuys();
        return;
    }
}

void ScenarioPlayer::finishStep(const QString &error)
{
    m_poll->stop();
    m_wait = Wait::None;
    if (!error.isEmpty()) {
        m_lastError = m_stepIndex < 0 ? tr("Connecting to the seller: %1").arg(error)
                                      : tr("Step %1: %2").arg(m_stepIndex + 1).arg(error);
        setRunning(false);
        Q_EMIT positionChanged(m_position);
        Q_EMIT failed(m_lastError);
        return;
    }
    if (m_stepIndex >= 0)
        ++m_position;
    Q_EMIT positionChanged(m_position);
    if (m_position < m_target) {
        QTimer::singleShot(0, this, [this] {
            if (m_running)
                startStep();
        });
        return;
    }
    setRunning(false);
}

void ScenarioPlayer::setRunning(bool running)
{
    if (m_running == running)
        return;
    m_running = running;
    Q_EMIT runningChanged(running);
}

} // namespace adcp::gui
