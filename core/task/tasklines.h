#pragma once

// Batches of tasks as JSON Lines: one {"kind": str, "args"?: any, "priority"?: int,
// "timeout_ms"?: int, "max_attempts"?: int, "requires"?: [str], "delay_ms"?: int,
// "run_at"?: int ms or ISO 8601 str, "retry_delay_ms"?: int, "key"?: str} object a line; blank
// lines are skipped. A batch is all or nothing: the first bad line is reported with its number and no
// task is returned.

#include "task/task.h"

#include <QJsonValue>
#include <QList>

class QIODevice;

namespace TaskLines {

struct Parsed {
    QList<TaskSpec> specs;
    QStringList keys; // a line's "key", or empty; one per spec
    QList<int> lines; // the line number of each spec
    QByteArray sha256; // of every byte read, as given: names the file's content
    QString error; // "line N: ..." when the batch is rejected
    bool ok() const { return error.isEmpty(); }
};

// defaults supplies what lines leave out; a line's "requires" adds to the default tags.
Parsed parse(QIODevice *device, const TaskSpec &defaults);

// A start time: milliseconds since 1970 (UTC), or an ISO 8601 time that names its zone.
bool parseRunAt(const QJsonValue &value, qint64 *ms, QString *error);
bool parseRunAt(const QString &text, qint64 *ms, QString *error);

} // namespace TaskLines
