#pragma once

// Where a master keeps its task store and the desktop app its key file when no --data-dir is
// given: one directory, the same for `taskmaster serve` and the desktop app. It is named here,
// not by QStandardPaths::AppDataLocation, whose answer depends on the organization and
// application names each entry point happens to set (which once gave serve ".../taskmaster"
// and the app ".../taskmaster/taskmaster").

#include <QString>
#include <QStringList>

namespace DataDirectory {

// <the platform's per-user data directory>/taskmaster:
// Linux and other Unix  $XDG_DATA_HOME/taskmaster (~/.local/share/taskmaster)
// macOS                 ~/Library/Application Support/taskmaster
// Windows               %LOCALAPPDATA%\taskmaster (C:\Users\<user>\AppData\Local\taskmaster)
QString defaultPath();

// The defaults of earlier versions that are not defaultPath() on this platform: the desktop
// app's first, then (on Windows) serve's.
QStringList legacyPaths();

// Moves a task store (the database with its -wal and -shm files) and a key file left in a
// legacy directory into defaultPath(), each only when defaultPath() has none and no master
// holds either directory; never overwrites. Returns what was done (or why not), one line each,
// for the log; nothing when there was nothing to move.
QStringList moveLegacyFiles();

} // namespace DataDirectory
