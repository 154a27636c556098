#pragma once

#include "scenario.h"

#include <QObject>
#include <QPointer>

namespace adcp::gui {

class SellerConsole;
class Workbench;

// Records a session as a trainer scenario: the planner's tool calls as the exchange log receives them (the
// workbench's own background polling left out), the seller console's actions and clock moves. Proposal and
// buy ids become "$proposal:N" / "$media_buy:N" (their rows in the session) so the file replays against a
// fresh seller, which gives new ids. Each step gets a plain narration the trainer can rewrite.
class ScenarioRecorder final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScenarioRecorder)
public:
    ScenarioRecorder(Workbench *workbench, SellerConsole *console, QObject *parent = nullptr);
    ~ScenarioRecorder() override;

    void start(const QString &title);
    void stop();
    bool isRecording() const;
    const models::Scenario &scenario() const;

Q_SIGNALS:
    void stepRecorded(int count);

private:
    void onExchanges(int first, int last);
    void onSellerAction(const nlohmann::json &step);
    void replaceIds(nlohmann::json &value) const;
    void append(models::ScenarioStep step);

    QPointer<Workbench> m_workbench;
    QPointer<SellerConsole> m_console;
    bool m_recording = false;
    models::Scenario m_scenario;
};

} // namespace adcp::gui
