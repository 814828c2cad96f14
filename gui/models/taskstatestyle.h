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

} // namespace TaskStateStyle
