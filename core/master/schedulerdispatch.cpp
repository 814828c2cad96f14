// The scheduler's dispatch: which free slot gets which queued task (routing, priority, free
// slots before prefetch windows), the prefetch window itself, reclaiming unstarted tasks for an
// idle worker, a graceful stop, and the timers for timeouts and delayed tasks.

#include "scheduler.h"

#include "master/schedulerbatch.h"
#include "master/workerlink.h"

#include <QTimer>

#include <algorithm>

using SchedulerDetail::nowMs;

void Scheduler::learnFromResult(WorkerInfo &worker, qint64 sentMicros, const Messages::TaskResult &result)
{
    // What the worker spent on the task is its own report; the rest of the time since the task
    // was sent is the round trip. A window of round trip / run time tasks per slot keeps the
    // worker busy while results and new tasks cross; a task longer than the round trip gets no
    // window at all, so nothing waits behind it on one worker while another is idle.
    constexpr double Weight = 0.2;
    constexpr int MaxPrefetchPerSlot = 64;
    constexpr int MaxPrefetch = 1024;
    const double total = double(nowMicros() - sentMicros);
    const double roundTrip = qMax(0.0, total - double(result.heldMicros));
    const double run = double(result.runMicros);
    worker.roundTripMicros = worker.roundTripMicros < 0 ? roundTrip : (1 - Weight) * worker.roundTripMicros + Weight * roundTrip;
    worker.runMicros = worker.runMicros < 0 ? run : (1 - Weight) * worker.runMicros + Weight * run;
    const double perSlot = worker.roundTripMicros / qMax(worker.runMicros, 1.0);
    worker.prefetch = int(qMin<double>(qMin(perSlot, double(MaxPrefetchPerSlot)) * worker.slots, MaxPrefetch));
}

void Scheduler::reclaimForIdleWorkers()
{
    // Idle slots while another worker holds tasks it has not begun that the idle worker may
    // run: ask for them back (the holder returns those it still has not started).
    for (auto &[idleId, idle] : m_workers) {
        int free = idle.info.draining ? 0 : idle.info.slots - int(idle.info.running.size());
        for (auto &[holderId, holder] : m_workers) {
            if (free <= 0)
                break;
            WorkerInfo &info = holder.info;
            if (holderId == idleId || info.reclaimPending || info.running.size() <= info.started)
                continue;
            QList<std::pair<qint64, quint64>> bySendTime;
            for (auto it = info.running.cbegin(); it != info.running.cend(); ++it) {
                const Task *task = m_store->find(it.key());
                if (task && !task->started() && m_routes.serves(idleId, m_routes.routeFor(task->spec)))
                    bySendTime.append({it.value(), it.key()});
            }
            if (bySendTime.isEmpty())
                continue;
            // The most recently sent are the furthest from starting.
            std::sort(bySendTime.begin(), bySendTime.end(), std::greater<>());
            QList<Messages::TaskRef> refs;
            for (qsizetype i = 0; i < qMin<qsizetype>(free, bySendTime.size()); ++i) {
                const quint64 id = bySendTime[i].second;
                refs.append({id, m_store->find(id)->dispatches});
            }
            free -= int(refs.size());
            info.reclaimPending = true;
            holder.link->reclaim(refs);
        }
    }
}

void Scheduler::stop()
{
    SCHEDULER_BATCH;
    m_stopped = true;
    for (auto &[id, worker] : m_workers) {
        const QList<quint64> running = worker.info.running.keys();
        for (quint64 taskId : running) {
            if (Task *task = m_store->find(taskId))
                abandonAttempt(*task, worker, QStringLiteral("master stopped"), Charge::Refund, false);
        }
    }
}

void Scheduler::dispatch()
{
    if (m_workers.empty() || m_stopped)
        return;
    if (m_routes.readyCount() == 0) {
        reclaimForIdleWorkers();
        return;
    }
    // Hand out one task per worker per round, so work spreads across workers instead of
    // filling the first one; each worker then gets its share in one message.
    struct Batch {
        WorkerEntry *worker;
        QList<Messages::TaskAssignment> assignments;
        bool starved = false; // no due task is one it may run
    };
    std::vector<Batch> batches;
    for (auto &[id, entry] : m_workers) {
        if (!entry.info.draining && entry.info.running.size() < entry.info.capacity())
            batches.push_back({&entry, {}});
    }
    if (batches.empty())
        return;
    // Start the rounds at a rotating worker so ties do not always favour the same one.
    std::rotate(batches.begin(), batches.begin() + qsizetype(m_rotation++ % batches.size()), batches.end());

    const auto stillQueued = [this](quint64 id) {
        const Task *t = m_store->find(id);
        return t && t->state == TaskState::Queued;
    };
    // Free slots first, everywhere; only then the prefetch windows. A worker with an idle slot
    // is never passed over for one that would only queue the task behind its running ones.
    bool starvedAny = false;
    for (const bool prefetching : {false, true}) {
        bool progress = true;
        while (m_routes.readyCount() > 0 && progress) {
            progress = false;
            for (Batch &batch : batches) {
                WorkerEntry *worker = batch.worker;
                const int limit = prefetching ? worker->info.capacity() : worker->info.slots;
                if (batch.starved || worker->info.running.size() >= limit)
                    continue;
                const std::optional<quint64> next = m_routes.take(worker->info.id, stillQueued);
                if (!next) {
                    batch.starved = starvedAny = true;
                    continue;
                }
                Task &task = *m_store->find(*next);
                setState(task, TaskState::Running);
                task.worker = worker->info.name;
                task.startedMs = 0; // until the worker says it started
                const quint32 number = task.beginDispatch(worker->info.name);
                worker->info.running.insert(task.id, nowMicros());
                batch.assignments.append({task.id, number, task.spec.kind, task.spec.args,
                                          task.spec.timeoutMs});
                touch(task);
                progress = true;
            }
        }
    }
    for (Batch &batch : batches) {
        if (!batch.assignments.isEmpty()) {
            markWorkerChanged(batch.worker->info.id);
            batch.worker->link->assign(batch.assignments);
        }
    }
    // A worker that found nothing it may run can still take over what another holds unstarted.
    if (starvedAny || m_routes.readyCount() == 0)
        reclaimForIdleWorkers();
}

void Scheduler::armTimeoutTimer()
{
    if (m_deadlines.empty()) {
        m_timeoutTimer->stop();
        return;
    }
    const qint64 wait = qMax<qint64>(0, m_deadlines.begin()->first - nowMicros() / 1000);
    m_timeoutTimer->start(int(qMin<qint64>(wait, 24 * 3600 * 1000)));
}

void Scheduler::expireTimeouts()
{
    {
        SCHEDULER_BATCH;
        const qint64 now = nowMicros() / 1000;
        while (!m_deadlines.empty() && m_deadlines.begin()->first <= now) {
            const quint64 id = m_deadlines.begin()->second;
            m_deadlines.erase(m_deadlines.begin());
            m_deadlineOf.remove(id);
            Task *task = m_store->find(id);
            if (!task || task->state != TaskState::Running)
                continue;
            if (WorkerEntry *worker = holderOf(id)) {
                const QString why = QStringLiteral("timed out after %1 ms").arg(task->spec.timeoutMs);
                worker->link->cancel({{id, task->dispatches}}, why);
                abandonAttempt(*task, *worker, why, Charge::AsStarted, true);
            }
        }
    }
    armTimeoutTimer();
}

void Scheduler::armDelayTimer()
{
    if (m_delayed.empty()) {
        m_delayTimer->stop();
        return;
    }
    const qint64 wait = qMax<qint64>(0, m_delayed.begin()->first - nowMs());
    m_delayTimer->start(int(qMin<qint64>(wait, 3600 * 1000)));
}

void Scheduler::releaseDueTasks()
{
    const qint64 now = nowMs();
    while (!m_delayed.empty() && m_delayed.begin()->first <= now) {
        const quint64 id = m_delayed.begin()->second;
        m_delayed.erase(m_delayed.begin());
        Task *task = m_store->find(id);
        if (!task || task->state != TaskState::Queued)
            continue;
        const int route = m_routes.routeFor(task->spec);
        m_routes.removeDelayed(route);
        m_routes.pushReady(route, task->spec.priority, id);
        m_changed.append(id); // its "runs at" is now past
    }
    armDelayTimer();
}
