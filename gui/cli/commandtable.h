#pragma once

// The subcommand table both binaries run: taskmaster (the desktop app) and taskmaster-server
// (no GUI libraries). One list of commands, one usage text, one dispatch.

#include <QString>

namespace CommandTable {

// True when the first argument is for the table: a command, or --help/--version. Everything
// else (nothing, or an option such as --local-workers) is the desktop app's in taskmaster.
bool handles(const QString &first);

// Runs argv[1] as a subcommand under a QCoreApplication. program names the binary in the usage
// and --version; appHint, when not empty, follows the command list in the usage.
int run(int argc, char *argv[], const char *program, const char *appHint);

} // namespace CommandTable
