#pragma once

#include "labtypes.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <nlohmann/json.hpp>

#include <optional>

namespace adcp::lab {

// Runs kept per agent in a SQLite file, as the JSON report has them, so that two runs of one agent (or two
// agents on one suite) can be compared later. Each instance has its own connection: use it on one thread.
class LabHistory final
{
public:
    struct Entry
    {
        qint64 id = 0;
        QString agentUrl;
        QString agentName;
        QDateTime startedAt;
        int passed = 0;
        int failed = 0;
        int notApplicable = 0;
    };

    explicit LabHistory(QString path);
    ~LabHistory();
    Q_DISABLE_COPY_MOVE(LabHistory)

    bool open(QString *error);
    // The stored run's id, or 0 with `error` set.
    qint64 save(const LabRun &run, QString *error);
    // Newest first; only this agent's runs when `agentUrl` is given.
    QList<Entry> runs(const QString &agentUrl = {}, int limit = 50) const;
    // The run as runToJson() wrote it; empty when absent or unreadable.
    std::optional<nlohmann::json> load(qint64 id) const;

    static QString defaultPath(); // in the user's application-data folder

private:
    QString m_path;
    QString m_connection;
};

// A step whose verdict differs between two runs (an empty verdict: the step is not in that run).
struct StepChange
{
    QString suite;
    QString step;
    QString title;
    QString before;
    QString after;
    QString reasonAfter;
};

// The steps whose verdict changed from `before` to `after` (both in runToJson() form, read defensively: a stored
// report may be damaged).
QList<StepChange> compareRuns(const nlohmann::json &before, const nlohmann::json &after);
// Each step's verdict in a stored run, keyed "suite/step".
QHash<QString, QString> verdictsOf(const nlohmann::json &run);

} // namespace adcp::lab
