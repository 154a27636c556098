#pragma once

#include "labtypes.h"

#include <QString>

#include <functional>
#include <vector>

namespace adcp::lab {

class LabContext;

struct StepOutcome
{
    Verdict verdict = Verdict::Passed;
    QString reason;

    static StepOutcome pass(QString reason);
    static StepOutcome fail(QString reason);
    static StepOutcome notApplicable(QString reason);
};

struct LabStep
{
    QString name;
    QString title;
    std::function<StepOutcome(LabContext &)> run;
};

// A named group of steps run in order; a step may use what an earlier one left in LabContext::state().
struct LabSuite
{
    QString name;
    QString title;
    std::vector<LabStep> steps;
};

// Every suite, in the order a run executes them (discovery first: the others read its findings).
const std::vector<LabSuite> &labSuites();
// The suites a run selects: all for an empty list; unknown names are returned in `unknown`.
std::vector<const LabSuite *> selectSuites(const QStringList &names, QStringList *unknown);

// The suites, one file each under testlab/suites/.
LabSuite discoverySuite();
LabSuite errorsSuite();
LabSuite accountsSuite();
LabSuite lifecycleSuite();
LabSuite versionedSuite();
LabSuite compactSuite();
LabSuite idempotencySuite();
LabSuite isolationSuite();
LabSuite controllerSuite();
LabSuite webhooksSuite();

} // namespace adcp::lab
