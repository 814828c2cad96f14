#pragma once

// A task as the master keeps it: what to run (kind, JSON args), how (priority, timeout,
// attempts), and what happened (state, attempts with their workers and reasons, result).

#include <QByteArray>
#include <QList>
#include <QString>

enum class TaskState : quint8 {
    Queued = 0,
    Running = 1,
    Done = 2,
    Failed = 3,
    Cancelled = 4,
};
inline constexpr int TaskStateCount = 5;

QString taskStateName(TaskState state);
bool parseTaskState(const QString &name, TaskState *state);
inline bool isFinished(TaskState s)
{
    return s == TaskState::Done || s == TaskState::Failed || s == TaskState::Cancelled;
}

inline constexpr int DefaultMaxAttempts = 3;
// The longest timeout a task may ask for: a year, far beyond any real run, and small enough
// that a deadline computed from it can never overflow.
inline constexpr qint64 MaxTaskTimeoutMs = 365LL * 24 * 3600 * 1000;

// What a submitter asks for.
// Fields are ordered to pack: a master may hold millions of these.
struct TaskSpec {
    QString kind;
    QByteArray args = QByteArrayLiteral("null"); // compact JSON text
    qint64 timeoutMs = 0; // 0: no timeout
    qint32 priority = 0;
    int maxAttempts = DefaultMaxAttempts;
};

// One try of a task on a worker.
struct TaskAttempt {
    QString worker;
    qint64 startedMs = 0;
    qint64 finishedMs = 0;
    QString outcome; // "done", "error: ...", "worker lost: ...", "timed out", "cancelled", ...
};

struct Task {
    quint64 id = 0;
    TaskSpec spec;
    TaskState state = TaskState::Queued;
    quint16 duplicateResults = 0; // late or repeated results that were not recorded (saturates)
    int attempts = 0;
    QString worker; // the worker of the latest attempt
    QByteArray result; // JSON text when done
    QString error; // when failed or cancelled
    qint64 createdMs = 0;
    qint64 startedMs = 0;
    qint64 finishedMs = 0;
    QList<TaskAttempt> history;
};

// Checks a spec as the master will: kind present, args valid JSON, attempts in range.
QString validateTaskSpec(const TaskSpec &spec);
