#pragma once

// Batches of tasks as JSON Lines: one {"kind": str, "args"?: any, "priority"?: int,
// "timeout_ms"?: int, "max_attempts"?: int} object a line; blank lines are skipped. A batch is
// all or nothing: the first bad line is reported with its number and no task is returned.

#include "task/task.h"

#include <QList>

class QIODevice;

namespace TaskLines {

struct Parsed {
    QList<TaskSpec> specs;
    QString error; // "line N: ..." when the batch is rejected
    bool ok() const { return error.isEmpty(); }
};

// defaults supplies priority, timeout and attempts for lines that leave them out.
Parsed parse(QIODevice *device, const TaskSpec &defaults);

} // namespace TaskLines
