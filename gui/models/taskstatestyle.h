#pragma once

// How a task state looks in every view: its translated label, colour and icon.

#include "task/task.h"

#include <QColor>
#include <QIcon>
#include <QString>

namespace TaskStateStyle {

QString label(TaskState state);
QColor colour(TaskState state);
QIcon icon(TaskState state);
// A done exec task ran its command, but the command may have failed: "exit code 3" or
// "crashed", empty for exit code 0 and for every other task.
QString commandProblem(const Task &task);
// A run time in words: microseconds below 1 ms and "4.20 ms" below 10 ms, so a quick task
// does not read as taking no time, then whole milliseconds, then seconds from 10 s on. Empty
// below zero.
QString duration(qint64 micros);

} // namespace TaskStateStyle
