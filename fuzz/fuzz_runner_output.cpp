// What the test lab reads from the AdCP SDK's storyboard runner, a child process whose output is as untrusted as
// any peer's (testlab/officialrunner): its --json result, turned into steps, and its storyboard list.
#include "officialrunner.h"

#include "fuzzinput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string_view text = adcp::fuzz::asText(data, size);
    const nlohmann::json parsed =
        adcp::lab::parseRunnerOutput(QByteArray(text.data(), static_cast<qsizetype>(text.size())));
    std::vector<adcp::lab::StepResult> steps;
    QString error;
    adcp::lab::stepsFromRunnerResult(parsed, &steps, &error);
    adcp::lab::runnerRefusal(parsed);
    adcp::lab::parseStoryboardList(parsed, &error);
    return 0;
}
