#include "task.h"

#include "util/jsonvalue.h"

QString taskStateName(TaskState state)
{
    switch (state) {
    case TaskState::Queued: return QStringLiteral("queued");
    case TaskState::Running: return QStringLiteral("running");
    case TaskState::Done: return QStringLiteral("done");
    case TaskState::Failed: return QStringLiteral("failed");
    case TaskState::Cancelled: return QStringLiteral("cancelled");
    }
    return QStringLiteral("unknown");
}

bool parseTaskState(const QString &name, TaskState *state)
{
    for (int i = 0; i < TaskStateCount; ++i) {
        if (taskStateName(TaskState(i)) == name) {
            *state = TaskState(i);
            return true;
        }
    }
    return false;
}

QString validateTaskSpec(const TaskSpec &spec)
{
    if (spec.kind.trimmed().isEmpty())
        return QStringLiteral("the task kind is empty");
    if (spec.kind.size() > 256)
        return QStringLiteral("the task kind is longer than 256 characters");
    if (spec.maxAttempts < 1 || spec.maxAttempts > 1000)
        return QStringLiteral("max attempts must be between 1 and 1000, not %1").arg(spec.maxAttempts);
    if (spec.timeoutMs < 0)
        return QStringLiteral("the timeout must not be negative");
    if (spec.timeoutMs > MaxTaskTimeoutMs) {
        return QStringLiteral("the timeout of %1 ms is longer than the limit of %2 ms (365 days)")
                .arg(spec.timeoutMs)
                .arg(MaxTaskTimeoutMs);
    }
    QString error;
    if (!JsonValue::parse(spec.args, nullptr, &error))
        return QStringLiteral("args are not valid JSON: %1").arg(error);
    return {};
}
