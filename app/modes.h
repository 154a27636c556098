#pragma once

// app/guimode.cpp: the workbench window with the embedded seller.
int runGuiMode(int argc, char **argv);
// app/servemode.cpp: only the seller, over MCP and A2A, no display needed.
int runServeMode(int argc, char **argv);
// app/checkmode.cpp: validate JSON files against a schema (bundled or a folder given on the command line).
int runCheckMode(int argc, char **argv);
// app/testagentmode.cpp: the test lab's suites against one agent, headless, with reports.
int runTestAgentMode(int argc, char **argv);
