#include "modes.h"

#include <cstring>

// One executable, three modes: the workbench window (default), the headless seller (--serve) and a
// schema check of JSON files (--check). Each mode parses its own options.
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--serve") == 0)
            return runServeMode(argc, argv);
        if (std::strcmp(argv[i], "--check") == 0)
            return runCheckMode(argc, argv);
    }
    return runGuiMode(argc, argv);
}
