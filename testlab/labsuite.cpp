#include "labsuite.h"

#include <algorithm>

namespace adcp::lab {

QString verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Passed:
        return QStringLiteral("passed");
    case Verdict::Failed:
        return QStringLiteral("failed");
    case Verdict::NotApplicable:
        return QStringLiteral("not_applicable");
    }
    return QStringLiteral("failed");
}

int LabRun::count(Verdict verdict) const
{
    return int(std::count_if(steps.begin(), steps.end(), [verdict](const StepResult &s) { return s.verdict == verdict; }));
}

bool LabRun::anyFailed() const
{
    return count(Verdict::Failed) > 0;
}

StepOutcome StepOutcome::pass(QString reason)
{
    return {Verdict::Passed, std::move(reason)};
}

StepOutcome StepOutcome::fail(QString reason)
{
    return {Verdict::Failed, std::move(reason)};
}

StepOutcome StepOutcome::notApplicable(QString reason)
{
    return {Verdict::NotApplicable, std::move(reason)};
}

const std::vector<LabSuite> &labSuites()
{
    // Accounts run before the buying suites so that they buy under the synced account.
    static const std::vector<LabSuite> suites = {
        discoverySuite(), accountsSuite(),    errorsSuite(),    lifecycleSuite(),  versionedSuite(),
        compactSuite(),   idempotencySuite(), isolationSuite(), controllerSuite(), webhooksSuite()};
    return suites;
}

std::vector<const LabSuite *> selectSuites(const QStringList &names, QStringList *unknown)
{
    std::vector<const LabSuite *> selected;
    for (const QString &name : names)
        if (std::none_of(labSuites().begin(), labSuites().end(), [&](const LabSuite &s) { return s.name == name; }))
            *unknown << name;
    for (const LabSuite &suite : labSuites()) {
        // Discovery always runs: every other suite decides applicability from what it read.
        if (names.isEmpty() || names.contains(suite.name) || suite.name == QLatin1String("discovery"))
            selected.push_back(&suite);
    }
    return selected;
}

} // namespace adcp::lab
