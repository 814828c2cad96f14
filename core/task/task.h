#pragma once

// A task as the master keeps it: what to run (kind, JSON args), how (priority, timeout,
// attempts), and what happened (state, attempts with their workers and reasons, result).

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <utility>

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

// Retries after a retryable error or a timeout wait retryDelayMs * 2^(attempt - 1), capped at
// MaxRetryDelayMs, times a random factor in [0.5, 1] so that failed tasks do not return together.
inline constexpr qint64 DefaultRetryDelayMs = 1'000;
inline constexpr qint64 MaxRetryDelayMs = 10 * 60 * 1000;
// The longest delay a submitter may ask for, and what tags may look like.
inline constexpr qint64 MaxDelayMs = 366LL * 24 * 3600 * 1000;
inline constexpr int MaxRequiredTags = 16;
inline constexpr int MaxTagLength = 128;
inline constexpr int MaxKindLength = 256;
inline constexpr int MaxWorkerNames = 1024; // kinds, and tags, one worker may announce
// Dispatches of one task that spend no attempt (given back, stopped, lost before it started)
// before the task fails anyway: a worker that always gives tasks back cannot loop for ever.
inline constexpr int MaxUncountedDispatches = 100;
// A task keeps the history of its last dispatches only, and counts them all: a task given back
// again and again, or retried many times, costs the same memory and row size as any other.
inline constexpr int MaxKeptDispatches = 32;

// Idempotency keys: a submit that names a key the master already has (submitted less than the
// key lifetime ago, and still kept) gets that task's id back instead of a new task.
inline constexpr int MaxTaskKeyLength = 512;
inline constexpr qint64 DefaultKeyLifetimeMs = 24LL * 3600 * 1000;

// A key as the master keeps it: the first 128 bits of the SHA-256 of its UTF-8 text, so a
// million keyed tasks cost 16 bytes each in the task and one hash entry, whatever the keys' length.
struct TaskKey {
    quint64 high = 0;
    quint64 low = 0;

    static TaskKey of(const QString &key);
    static TaskKey fromBytes(const QByteArray &bytes); // the null key unless 16 bytes
    QByteArray toBytes() const; // empty for the null key
    bool isNull() const { return high == 0 && low == 0; }
    friend bool operator==(const TaskKey &, const TaskKey &) = default;
};
size_t qHash(const TaskKey &key, size_t seed = 0) noexcept;

// What a submitter asks for.
// Fields are ordered to pack: a master may hold millions of these.
struct TaskSpec {
    QString kind;
    QByteArray args = QByteArrayLiteral("null"); // compact JSON text
    qint64 timeoutMs = 0; // 0: no timeout
    qint32 priority = 0;
    int maxAttempts = DefaultMaxAttempts;
    QStringList requiredTags; // sorted, no duplicates: the worker must have every one
    qint64 retryDelayMs = DefaultRetryDelayMs;
    // Not before this (ms since the epoch): the submitter's start time, later each retry's
    // backoff. 0: as soon as a worker is free.
    qint64 runAtMs = 0;
    // Relative to when the master accepts the task; the scheduler folds it into runAtMs.
    qint64 delayMs = 0;
};

// One try of a task on a worker.
struct TaskAttempt {
    QString worker;
    qint64 startedMs = 0;
    qint64 finishedMs = 0;
    QString outcome; // "done", "error: ...", "worker lost: ...", "timed out", "cancelled", ...
    // How long the handler ran, as the worker measured it (its result says); -1 when no result
    // came. A duration is this, not the master's finishedMs - startedMs, which also holds the
    // network, the batching of messages and the time a prefetched task waited on the worker.
    qint64 runMicros = -1;
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
    // The last MaxKeptDispatches dispatches, oldest first: entry i is dispatch number
    // dispatches - history.size() + 1 + i.
    QList<TaskAttempt> history;
    TaskKey key; // null: submitted without a key
    // Every dispatch ever made, kept or not: the number the latest one has on the wire. It never
    // goes down, not even on a retry, so a message about an earlier dispatch is always told apart.
    quint32 dispatches = 0;
    // Dispatches since the task was queued or retried that ended without spending an attempt
    // (given back, stopped, lost before it started): bounded by MaxUncountedDispatches. Not
    // stored: after a restart a task that loops gets that many more at most.
    quint16 freeDispatches = 0;

    // Whether the current dispatch (the last history entry) has started on its worker.
    bool started() const { return state == TaskState::Running && !history.isEmpty() && history.last().startedMs > 0; }
    // A new dispatch to this worker, as the last history entry; the oldest entries past the
    // bound are dropped. Returns its number.
    quint32 beginDispatch(const QString &worker);
    // The history entry of dispatch `number`, or null when it was dropped (or never made).
    const TaskAttempt *dispatchEntry(quint32 number) const;
    TaskAttempt *dispatchEntry(quint32 number)
    {
        return const_cast<TaskAttempt *>(std::as_const(*this).dispatchEntry(number));
    }
    // How long the final attempt of a finished task ran: the worker's own measure when its
    // result said, else (timed out, cancelled, or read from an older store) the master's span.
    // -1 while it is not finished, or when it never started.
    qint64 durationMicros() const;
    // How many dispatches are counted but no longer in the history.
    quint32 droppedDispatches() const { return dispatches - quint32(history.size()); }
    // Makes a record read from elsewhere (an older store) keep the bounds: the counter counts
    // at least the entries there are, and only the last MaxKeptDispatches of them stay.
    void boundHistory();
};

// Checks a spec as the master will: kind present, args valid JSON, attempts in range, tags
// well formed. Sorts and deduplicates the required tags.
QString validateTaskSpec(TaskSpec &spec);
// Whether a tag or kind name is one a worker can announce: printable, no spaces or commas.
QString validateTag(const QString &tag);
// The backoff before retry number `attempt` (1 for the first retry); jitter in [0, 1] picks
// the point in [0.5, 1] of the full delay.
qint64 retryBackoffMs(qint64 baseMs, int attempt, double jitter);
