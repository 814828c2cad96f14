#include "task.h"

#include "util/jsonvalue.h"

#include <QCryptographicHash>
#include <QHashFunctions>
#include <QtEndian>

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

QString validateTag(const QString &tag)
{
    if (tag.isEmpty())
        return QStringLiteral("a tag is empty");
    if (tag.size() > MaxTagLength)
        return QStringLiteral("the tag \"%1...\" is longer than %2 characters").arg(tag.left(20)).arg(MaxTagLength);
    for (QChar c : tag) {
        if (!c.isPrint() || c.isSpace() || c == QLatin1Char(','))
            return QStringLiteral("the tag \"%1\" has a space, a comma or a control character").arg(tag);
    }
    return {};
}

qint64 retryBackoffMs(qint64 baseMs, int attempt, double jitter)
{
    if (baseMs <= 0)
        return 0;
    qint64 delay = qMin(baseMs, MaxRetryDelayMs);
    for (int i = 1; i < attempt && delay < MaxRetryDelayMs; ++i)
        delay = qMin(delay * 2, MaxRetryDelayMs);
    return qint64(double(delay) * (0.5 + 0.5 * qBound(0.0, jitter, 1.0)));
}

QString validateTaskSpec(TaskSpec &spec)
{
    if (spec.kind.trimmed().isEmpty())
        return QStringLiteral("the task kind is empty");
    if (spec.kind.size() > MaxKindLength)
        return QStringLiteral("the task kind is longer than %1 characters").arg(MaxKindLength);
    if (spec.requiredTags.size() > MaxRequiredTags)
        return QStringLiteral("a task may require at most %1 tags, not %2").arg(MaxRequiredTags).arg(spec.requiredTags.size());
    for (const QString &tag : std::as_const(spec.requiredTags)) {
        if (const QString error = validateTag(tag); !error.isEmpty())
            return error;
    }
    if (spec.requiredTags.size() > 1) {
        spec.requiredTags.sort();
        spec.requiredTags.removeDuplicates();
    }
    if (spec.delayMs < 0 || spec.delayMs > MaxDelayMs)
        return QStringLiteral("the delay must be from 0 to %1 ms, not %2").arg(MaxDelayMs).arg(spec.delayMs);
    if (spec.runAtMs < 0)
        return QStringLiteral("the start time must not be before 1970");
    if (spec.retryDelayMs < 0 || spec.retryDelayMs > MaxRetryDelayMs)
        return QStringLiteral("the retry delay must be from 0 to %1 ms, not %2").arg(MaxRetryDelayMs).arg(spec.retryDelayMs);
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

TaskKey TaskKey::of(const QString &key)
{
    const QByteArray digest = QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha256);
    return fromBytes(digest.first(16));
}

TaskKey TaskKey::fromBytes(const QByteArray &bytes)
{
    if (bytes.size() != 16)
        return {};
    return {qFromBigEndian<quint64>(bytes.constData()), qFromBigEndian<quint64>(bytes.constData() + 8)};
}

QByteArray TaskKey::toBytes() const
{
    if (isNull())
        return {};
    QByteArray bytes(16, Qt::Uninitialized);
    qToBigEndian(high, bytes.data());
    qToBigEndian(low, bytes.data() + 8);
    return bytes;
}

size_t qHash(const TaskKey &key, size_t seed) noexcept
{
    return qHashMulti(seed, key.high, key.low);
}

quint32 Task::beginDispatch(const QString &workerName)
{
    history.append({workerName, 0, 0, QString()});
    ++dispatches;
    boundHistory();
    return dispatches;
}

qint64 Task::durationMicros() const
{
    if (!isFinished(state) || startedMs <= 0 || finishedMs < startedMs)
        return -1;
    if (!history.isEmpty() && history.last().runMicros >= 0 && history.last().finishedMs == finishedMs)
        return history.last().runMicros;
    return (finishedMs - startedMs) * 1000;
}

const TaskAttempt *Task::dispatchEntry(quint32 number) const
{
    const quint32 dropped = droppedDispatches();
    if (number <= dropped || number > dispatches)
        return nullptr;
    return &history[qsizetype(number - dropped - 1)];
}

void Task::boundHistory()
{
    dispatches = qMax(dispatches, quint32(history.size()));
    if (history.size() > MaxKeptDispatches)
        history.remove(0, history.size() - MaxKeptDispatches);
}
