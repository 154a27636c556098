#pragma once

#include "labtypes.h"
#include "labworker.h"

#include <QObject>

#include <atomic>
#include <memory>

namespace adcp::lab {

// Runs the selected suites against one agent on a worker thread (the caller's thread never waits on the
// network) and reports each step as it ends. One run at a time; cancel() stops at the next call.
class LabRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LabRunner)
public:
    explicit LabRunner(QObject *parent = nullptr);
    ~LabRunner() override;

    // False (and nothing starts) while a run is going or when a suite name is unknown (`error` says which).
    bool start(const LabConfig &config, QString *error = nullptr);
    void cancel();
    bool isRunning() const;
    // Steps a run of these suites has (discovery included), for a progress bar.
    static int stepCount(const QStringList &suites);

Q_SIGNALS:
    void stepStarted(const QString &suite, const QString &step, const QString &title, int index, int total);
    void stepFinished(const adcp::lab::StepResult &result, int index, int total);
    void finished(const adcp::lab::LabRun &run);

private:
    void runOnWorker(LabConfig config);

    LabWorker m_worker;
};

} // namespace adcp::lab
