#pragma once

// What the scheduler's tests share: a worker link that records what the scheduler sends, and
// specs, workers and results as a worker would report them.

#include "master/scheduler.h"
#include "master/workerlink.h"

namespace SchedulerTesting {

class FakeLink final : public WorkerLink
{
public:
    void assign(const QList<Messages::TaskAssignment> &tasks) override
    {
        batches.append(tasks);
        for (const auto &t : tasks)
            assigned.append(t);
    }
    void cancel(const QList<Messages::TaskRef> &refs, const QString &reason) override
    {
        for (const Messages::TaskRef &ref : refs)
            cancelled.append(ref.id);
        reasons.append(reason);
    }
    void reclaim(const QList<Messages::TaskRef> &refs) override
    {
        for (const Messages::TaskRef &ref : refs)
            reclaimed.append(ref.id);
    }
    QList<quint64> assignedIds() const
    {
        QList<quint64> ids;
        for (const auto &t : assigned)
            ids.append(t.id);
        return ids;
    }

    QList<QList<Messages::TaskAssignment>> batches;
    QList<Messages::TaskAssignment> assigned;
    QList<quint64> cancelled;
    QStringList reasons;
    QList<quint64> reclaimed;
};

TaskSpec spec(qint32 priority = 0, int maxAttempts = DefaultMaxAttempts, qint64 timeoutMs = 0)
{
    TaskSpec s;
    s.kind = QStringLiteral("square");
    s.args = QByteArrayLiteral("{\"n\":3}");
    s.priority = priority;
    s.maxAttempts = maxAttempts;
    s.timeoutMs = timeoutMs;
    s.retryDelayMs = 0; // retries at once, unless a test is about the backoff
    return s;
}

WorkerInfo worker(const QString &name, int slots)
{
    WorkerInfo info;
    info.name = name;
    info.slots = slots;
    info.kinds = {QStringLiteral("square")};
    return info;
}

// The current dispatch of each task, as a worker names it.
QList<Messages::TaskRef> refs(const Scheduler &scheduler, const QList<quint64> &ids)
{
    QList<Messages::TaskRef> list;
    for (quint64 id : ids)
        list.append({id, quint32(scheduler.task(id)->history.size())});
    return list;
}

// By default a task reports a run of a whole second: far longer than any round trip, so no
// prefetch window opens and the slot arithmetic of the tests below stays exact.
Messages::TaskResult ok(const Messages::TaskAssignment &a, const QByteArray &result = "9", quint32 runMicros = 1'000'000)
{
    return {a.id, a.attempt, quint8(Messages::Outcome::Ok), result, QString(), runMicros, runMicros};
}

// A microsecond task: the round trip dominates, so the master should send ahead.
Messages::TaskResult tiny(const Messages::TaskAssignment &a)
{
    return ok(a, "9", 1);
}

} // namespace SchedulerTesting
