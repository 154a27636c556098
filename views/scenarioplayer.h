#pragma once

#include "scenario.h"

#include <QObject>
#include <QPointer>

#include <functional>

class QTimer;

namespace adcp::gui {

class SellerConsole;
class Workbench;

// Replays a trainer scenario step by step through the code paths a live session takes: a request step becomes
// the Workbench action that sends that tool call, a seller action goes through the SellerConsole, a clock
// step moves the seller clock as the console's buttons do. A step is done when the workbench is idle again
// (or, for a buy the seller holds for approval, once the console lists it). Previous resets and replays up to
// the step before; Reset asks the resetter for a fresh seller and an empty session.
class ScenarioPlayer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScenarioPlayer)
public:
    using Resetter = std::function<bool(QString *error)>;

    ScenarioPlayer(Workbench *workbench, SellerConsole *console, QObject *parent = nullptr);
    ~ScenarioPlayer() override;

    void setResetter(Resetter resetter);
    // How long a step may take before it is reported as stuck.
    void setStepTimeout(int ms);

    // Resets the seller and the session and stands before the first step.
    bool load(const models::Scenario &scenario, QString *error);
    // No scenario any more (the trainer went back to the planner's own seller); false while a step runs.
    bool unload();
    const models::Scenario &scenario() const;
    bool isLoaded() const;
    // Steps done (0 = at the start, stepCount() = at the end).
    int position() const;
    int stepCount() const;
    bool isRunning() const;
    QString lastError() const;

    void next();
    void previous();
    void reset();

Q_SIGNALS:
    void positionChanged(int position);
    void runningChanged(bool running);
    // A step could not be performed; the position stays before it.
    void failed(const QString &message);

private:
    void runTo(int target);
    void startStep();
    void finishStep(const QString &error);
    void poll();
    bool performRequest(const models::ScenarioStep &step, QString *error);
    bool performSellerAction(const models::ScenarioStep &step, QString *error);
    bool changeDependency(const models::ScenarioStep &step, QString *error);
    bool resolve(nlohmann::json &value, QString *error) const;
    bool resetSession(QString *error);
    void setRunning(bool running);

    // SellerAction: a change asked of the seller console (m_actionTicket) has not reported yet.
    enum class Wait { None, Idle, IdleOrHeld, Approval, Dependency, SellerAction, Settled };

    QPointer<Workbench> m_workbench;
    QPointer<SellerConsole> m_console;
    Resetter m_resetter;
    models::Scenario m_scenario;
    bool m_loaded = false;
    int m_position = 0;
    int m_target = 0;
    int m_stepIndex = -1; // the step being performed; -1 = the reset's connect
    bool m_running = false;
    Wait m_wait = Wait::None;
    bool m_approve = true;
    quint64 m_actionTicket = 0;
    qint64 m_waitStarted = 0;
    int m_stepTimeout = 60000;
    QString m_lastError;
    QString m_waitError; // why the step is still waiting, reported if it times out
    QTimer *m_poll;
};

} // namespace adcp::gui
