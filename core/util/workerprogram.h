#pragma once

// Where taskworker is: installed next to the binary that starts it (the desktop app, `demo`).

#include <QString>

namespace WorkerProgram {

// The absolute path of taskworker beside this process's executable.
QString path();

} // namespace WorkerProgram
