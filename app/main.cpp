#include "modes.h"

#include <cstring>

// One executable, four modes: the workbench window (default), the headless seller (--serve), a schema check
// of JSON files (--check) and the test lab against one agent (--test-agent). Each mode parses its own options.
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--serve") == 0)
            return runServeMode(argc, argv);
        if (std::strcmp(argv[i], "--check") == 0)
            return runCheckMode(argc, argv);
        if (std::strcmp(argv[i], "--test-agent") == 0 || std::strncmp(argv[i], "--test-agent=", 13) == 0)
            return runTestAgentMode(argc, argv);
    }
    return runGuiMode(argc, argv);
}
