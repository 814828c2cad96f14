#pragma once

// On Windows the desktop binary is a GUI-subsystem program (no console window opens when it is
// started from Explorer or the Start menu), so a subcommand run from a terminal has no standard
// streams. This gives it the terminal's console, or a console of its own when there is none.
// Streams already redirected (to a file or a pipe) are left as they are. Elsewhere it does
// nothing: a program started from a terminal has that terminal's streams.
//
// cmd.exe and PowerShell do not wait for a GUI-subsystem program, so scripts on Windows run the
// console binary `taskmaster-server`, which has the same subcommands.

namespace ParentConsole {

void attach();

} // namespace ParentConsole
