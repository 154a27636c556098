#pragma once

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <nlohmann/json.hpp>

#include <vector>

namespace adcp::lab {

// A step's verdict. NotApplicable is for a step the agent's declared capabilities exclude (or that needs an
// input the run was not given, such as a second token): it is never a failure.
enum class Verdict { Passed, Failed, NotApplicable };
QString verdictName(Verdict verdict); // "passed", "failed", "not_applicable"

// One request/answer pair a step made, as the reports and the exchange inspector show it (secrets masked).
struct LabExchange
{
    QString principal; // "A" or "B"
    QString tool;
    qint64 elapsedMs = 0;
    int httpStatus = 0;
    nlohmann::json request;
    nlohmann::json response; // the AdCP result, or {"adcp_error": {...}}
    QStringList responseIssues; // schema issues of the answer, "pointer: message"
};

struct StepResult
{
    QString suite;
    QString step;  // stable name, e.g. "create_replay_returns_same_buy"
    QString title; // one line a person reads
    Verdict verdict = Verdict::Passed;
    QString reason; // why it failed or is not applicable; what was checked when it passed
    // The engine's own word for the verdict when it is not ours (the official runner's "skipped"); empty for
    // the lab's own steps. Reports and the window show it beside the verdict.
    QString given;
    qint64 elapsedMs = 0;
    std::vector<LabExchange> exchanges;
};

enum class LabProtocol { Mcp, A2a };

struct LabConfig
{
    QUrl url; // MCP endpoint, or the A2A agent's base URL
    LabProtocol protocol = LabProtocol::Mcp;
    QByteArray token;  // principal A
    QByteArray tokenB; // principal B (isolation); empty = isolation steps are not applicable
    QStringList suites; // empty = every suite
    // The advertiser the run buys for (brand.domain, and the operator of its natural-key account): a seller may
    // serve only brands it has onboarded.
    QString brandDomain = QStringLiteral("lab.example");
    int callTimeoutMs = 60000; // per call, polling of a submitted task included
    QString historyPath;       // SQLite file the finished run is kept in (LabHistory); empty = not kept
    // What runs of this agent are kept and compared under, when its URL changes from run to run (the embedded
    // seller is served on a fresh port each time); empty = the URL.
    QString agentKey;
    // The agent's name in reports and comparisons when it declares none; empty = the URL's host.
    QString agentName;

    QString historyKey() const { return agentKey.isEmpty() ? url.toString() : agentKey; }
};

// What a run produced. `fatal` is set when the run could not start (bad URL, refused auth, no answer to
// get_adcp_capabilities): the headless mode exits 2 then.
struct LabRun
{
    LabConfig config;
    QDateTime startedAt;
    QDateTime finishedAt;
    QString agentName; // from the capabilities when declared, else the URL's host
    // What ran the steps when not the lab's own suites: "@adcp/sdk 6.11.0 storyboard runner"; empty = the
    // lab.
    QString engine;
    // The engine's own summary of each item it ran, in its words ("error-compliance: passing — 1 track
    // passed"); empty for the lab's suites.
    QStringList engineStatus;
    QStringList declaredVersions;
    std::vector<StepResult> steps;
    QString fatal;
    bool canceled = false;
    qint64 historyId = 0; // its id in the history, when kept
    QString historyError;

    int count(Verdict verdict) const;
    bool anyFailed() const;
};

} // namespace adcp::lab

Q_DECLARE_METATYPE(adcp::lab::StepResult)
Q_DECLARE_METATYPE(adcp::lab::LabRun)
