#include "modes.h"

#include "storage/database.h"

#include <cstdio>
#include <cstring>

namespace {

// What `adcp-workbench --help` prints when no mode is named: the modes, each with its own --help.
const char kUsage[] =
    "Usage: adcp-workbench [--scenario NAME|FILE] [Qt options]\n"
    "       adcp-workbench --serve [options]        (adcp-workbench --serve --help)\n"
    "       adcp-workbench --test-agent URL [options] (adcp-workbench --test-agent URL --help)\n"
    "       adcp-workbench --check --schema ID [--schemas FOLDER] FILE...\n"
    "\n"
    "AdCP Buyer Workbench. Without a mode it opens the workbench window with its embedded seller.\n"
    "\n"
    "Modes:\n"
    "  (none)        the window: brief, proposals, buys, audiences, the seller console, the test lab\n"
    "  --serve       the embedded seller alone, over MCP and A2A on HTTP (no display)\n"
    "  --test-agent  the test lab's suites (or the AdCP runner's storyboards) against one agent, headless\n"
    "  --check       validate JSON files against the bundled AdCP schemas\n"
    "\n"
    "Window options:\n"
    "  --scenario NAME|FILE  open a trainer scenario (a bundled one by name, or a file) at start\n"
    "  -h, --help            this text\n";

} // namespace

// One executable, four modes: the workbench window (default), the headless seller (--serve), a schema check
// of JSON files (--check) and the test lab against one agent (--test-agent). Each mode parses its own options.
int main(int argc, char **argv)
{
    // Before any mode opens a database (the window's workspace store can come before the seller's).
    adcp::seller::storage::configureSqliteLibrary();
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--serve") == 0)
            return runServeMode(argc, argv);
        if (std::strcmp(argv[i], "--check") == 0)
            return runCheckMode(argc, argv);
        if (std::strcmp(argv[i], "--test-agent") == 0 || std::strncmp(argv[i], "--test-agent=", 13) == 0)
            return runTestAgentMode(argc, argv);
    }
    // The window takes no options of its own beyond --scenario; asked for help, it says what there is instead
    // of opening.
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0 ||
            std::strcmp(argv[i], "--help-all") == 0) {
            std::fputs(kUsage, stdout);
            return 0;
        }
    }
    return runGuiMode(argc, argv);
}
