#include "scheduler.h"

#include "master/schedulerbatch.h"
#include "master/workerlink.h"
#include "util/logging.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>
#include <limits>

using SchedulerDetail::nowMs;

Scheduler::Scheduler(std::unique_ptr<TaskStore> store, QObject *parent)
    : QObject(parent), m_store(std::move(store)), m_timeoutTimer(new QTimer(this)), m_delayTimer(new QTimer(this))
{
    m_clock.start();
    m_timeoutTimer->setSingleShot(true);
    m_timeoutTimer->setTimerType(Qt::PreciseTimer);
    connect(m_timeoutTimer, &QTimer::timeout, this, &Scheduler::expireTimeouts);
    m_delayTimer->setSingleShot(true);
    connect(m_delayTimer, &QTimer::timeout, this, [this] {
        SCHEDULER_BATCH;
        releaseDueTasks();
    });

    // Rebuild the queue and counters from what the store holds. Tasks that were running when
    // the store was written have no worker any more: they go back to the queue.
    QList<quint64> orphans;
    m_store->forEach([&](const Task &task) {
        if (task.state == TaskState::Running)
            orphans.append(task.id);
        else
            ++m_counts[size_t(task.state)];
        if (!task.key.isNull())
            m_keys.insert(task.key, task.id);
    });
    QList<quint64> queued;
    m_store->forEach([&](const Task &task) {
        if (task.state == TaskState::Queued)
            queued.append(task.id);
    });
    for (quint64 id : std::as_const(queued))
        queueStored(*m_store->find(id));
    for (quint64 id : orphans) {
        Task &task = *m_store->find(id);
        // As for a lost worker: an attempt that had started is spent, and the last one fails
        // the task; one that had only been sent costs nothing.
        const bool started = task.started();
        if (!task.history.isEmpty() && task.history.last().finishedMs == 0) {
            task.history.last().finishedMs = nowMs();
            task.history.last().outcome = started ? QStringLiteral("master restarted") : QStringLiteral("master restarted before it started");
        }
        task.worker.clear();
        if (started && task.attempts >= task.spec.maxAttempts) {
            task.state = TaskState::Failed;
            task.error = QStringLiteral("master restarted during attempt %1 of %2").arg(task.attempts).arg(task.spec.maxAttempts);
            task.finishedMs = nowMs();
            ++m_counts[size_t(TaskState::Failed)];
        } else {
            task.state = TaskState::Queued;
            ++m_counts[size_t(TaskState::Queued)];
            queueStored(task);
            ++m_requeuedOnStart;
        }
        m_store->updated(task);
    }
    armDelayTimer();
    m_store->watchFailure(this, [this] { onStoreFailure(); });
}

Scheduler::~Scheduler() = default;

void Scheduler::onStoreFailure()
{
    const QString failure = m_store->failure();
    if (!failure.isEmpty() && !m_held.isEmpty()) {
        // Their submitters are told the tasks were refused (no id was promised), so they must
        // never run, not even once the disk has room again.
        SCHEDULER_BATCH;
        QList<quint64> withdrawn;
        for (quint64 id : std::as_const(m_held)) {
            const Task *task = m_store->find(id);
            if (!task || task->state != TaskState::Queued) // cancelled meanwhile: it stays, cancelled
                continue;
            --m_counts[size_t(TaskState::Queued)];
            if (!task->key.isNull() && m_keys.value(task->key) == id)
                m_keys.remove(task->key);
            m_store->remove(id);
            withdrawn.append(id);
        }
        m_held.clear();
        m_countsDirty = true;
        qCWarning(lcMaster).noquote() << "withdrew" << withdrawn.size() << "new tasks that could not be written:" << failure;
        Q_EMIT tasksRemoved(withdrawn);
    }
    Q_EMIT storeFailed(failure);
}

void Scheduler::release(const QList<quint64> &ids)
{
    SCHEDULER_BATCH;
    const bool wasArmed = !m_delayed.empty();
    for (quint64 id : ids) {
        if (!m_held.remove(id))
            continue; // withdrawn or cancelled meanwhile
        if (Task *task = m_store->find(id); task && task->state == TaskState::Queued)
            queueStored(*task);
    }
    if (!wasArmed && !m_delayed.empty())
        armDelayTimer();
}

void Scheduler::markWorkerChanged(quint64 workerId)
{
    if (!m_changedWorkers.contains(workerId))
        m_changedWorkers.append(workerId);
}

void Scheduler::setState(Task &task, TaskState state)
{
    if (task.state == state)
        return;
    --m_counts[size_t(task.state)];
    ++m_counts[size_t(state)];
    if (isFinished(state) && !isFinished(task.state))
        m_finished.append(task.id);
    task.state = state;
    m_countsDirty = true;
}

void Scheduler::touch(Task &task)
{
    m_store->updated(task);
    m_changed.append(task.id);
}

// A task in state Queued goes into its route's queue, or waits for its start time.
void Scheduler::queueStored(Task &task)
{
    const int route = m_routes.routeFor(task.spec);
    if (task.spec.runAtMs > nowMs()) {
        const bool first = m_delayed.empty() || task.spec.runAtMs < m_delayed.begin()->first;
        m_delayed.insert({task.spec.runAtMs, task.id});
        m_routes.addDelayed(route);
        if (first && m_delayTimer->isActive())
            armDelayTimer();
    } else {
        m_routes.pushReady(route, task.spec.priority, task.id);
    }
}

void Scheduler::enqueue(Task &task, qint64 notBeforeMs)
{
    setState(task, TaskState::Queued);
    task.worker.clear();
    task.spec.runAtMs = notBeforeMs;
    const bool wasArmed = !m_delayed.empty();
    queueStored(task);
    if (!wasArmed && !m_delayed.empty())
        armDelayTimer();
}

const Task *Scheduler::taskWithKey(const TaskKey &key, qint64 nowMs) const
{
    const auto found = m_keys.constFind(key);
    if (found == m_keys.cend())
        return nullptr;
    const Task *task = m_store->find(*found);
    return task && nowMs - task->createdMs < m_keyLifetimeMs ? task : nullptr;
}

QList<quint64> Scheduler::submit(QList<TaskSpec> specs, const QStringList &keys, quint32 *existing)
{
    Q_ASSERT(keys.isEmpty() || keys.size() == specs.size());
    SCHEDULER_BATCH;
    QList<quint64> ids, added;
    ids.reserve(specs.size());
    const qint64 now = nowMs();
    for (qsizetype i = 0; i < specs.size(); ++i) {
        TaskSpec &spec = specs[i];
        TaskKey key;
        if (!keys.isEmpty() && !keys.at(i).isEmpty()) {
            key = TaskKey::of(keys.at(i));
            if (const Task *known = taskWithKey(key, now)) {
                ids.append(known->id);
                if (existing)
                    ++*existing;
                continue;
            }
        }
        if (spec.delayMs > 0)
            spec.runAtMs = qMax(spec.runAtMs, now + spec.delayMs);
        spec.delayMs = 0;
        Task task;
        task.id = m_store->nextId();
        task.spec = std::move(spec);
        task.createdMs = now;
        task.key = key;
        if (!key.isNull())
            m_keys.insert(key, task.id);
        Task *stored = m_store->insert(std::move(task));
        ++m_counts[size_t(TaskState::Queued)];
        m_held.insert(stored->id);
        added.append(stored->id);
        m_changed.append(stored->id);
        ids.append(stored->id);
    }
    m_countsDirty = true;
    // Dispatched once durable: at once for a store that keeps nothing, after the commit that
    // holds them for a durable one (a few ms), so a task whose submit fails never runs.
    if (!added.isEmpty())
        m_store->whenDurable(this, [this, added] { release(added); });
    return ids;
}

int Scheduler::cancel(const QList<quint64> &ids, const QString &reason)
{
    SCHEDULER_BATCH;
    int cancelled = 0;
    for (quint64 id : ids) {
        Task *task = m_store->find(id);
        if (!task || isFinished(task->state))
            continue;
        if (task->state == TaskState::Queued && m_held.remove(id)) {
            // Not in a queue yet: nothing to take it out of.
        } else if (task->state == TaskState::Queued) {
            // A due one stays in its queue and is skipped when its turn comes.
            const int route = m_routes.routeFor(task->spec);
            if (m_delayed.erase({task->spec.runAtMs, id}))
                m_routes.removeDelayed(route);
            else
                m_routes.forgetReady(route);
        } else {
            WorkerEntry *worker = holderOf(id);
            if (worker)
                worker->link->cancel({{id, task->dispatches}}, reason);
            detachFromWorker(*task, worker);
            if (!task->history.isEmpty()) {
                task->history.last().outcome = QStringLiteral("cancelled: ") + reason;
                task->history.last().finishedMs = nowMs();
            }
        }
        setState(*task, TaskState::Cancelled);
        task->error = reason;
        task->finishedMs = nowMs();
        touch(*task);
        ++cancelled;
    }
    return cancelled;
}

int Scheduler::retry(const QList<quint64> &ids)
{
    SCHEDULER_BATCH;
    int retried = 0;
    for (quint64 id : ids) {
        Task *task = m_store->find(id);
        if (!task || (task->state != TaskState::Failed && task->state != TaskState::Cancelled))
            continue;
        task->attempts = 0;
        task->freeDispatches = 0;
        task->error.clear();
        task->result.clear();
        task->finishedMs = 0;
        enqueue(*task);
        touch(*task);
        ++retried;
    }
    return retried;
}

int Scheduler::remove(const QList<quint64> &ids)
{
    SCHEDULER_BATCH;
    QList<quint64> removed;
    for (quint64 id : ids) {
        Task *task = m_store->find(id);
        if (!task || !isFinished(task->state))
            continue;
        --m_counts[size_t(task->state)];
        if (!task->key.isNull() && m_keys.value(task->key) == id)
            m_keys.remove(task->key);
        m_store->remove(id);
        removed.append(id);
    }
    if (!removed.isEmpty()) {
        m_countsDirty = true;
        Q_EMIT tasksRemoved(removed);
    }
    return int(removed.size());
}

quint64 Scheduler::addWorker(WorkerLink *link, WorkerInfo info)
{
    SCHEDULER_BATCH;
    info.id = m_nextWorkerId++;
    info.connectedSinceMs = info.lastSeenMs = nowMs();
    info.slots = qMax(1, info.slots);
    const quint64 id = info.id;
    m_routes.addWorker(id, info.kinds, info.tags);
    // Where it connected from is the address without the connection's port.
    qCInfo(lcMaster).noquote() << "worker" << info.description() << "joined from"
                               << info.address.left(info.address.lastIndexOf(QLatin1Char(':'))) << "with"
                               << info.slots << "slots";
    m_workers.emplace(id, WorkerEntry{std::move(info), link});
    Q_EMIT workerAdded(id);
    return id;
}

void Scheduler::removeWorker(quint64 workerId, const QString &reason)
{
    auto it = m_workers.find(workerId);
    if (it == m_workers.end())
        return;
    {
        SCHEDULER_BATCH;
        WorkerEntry &worker = it->second;
        qCInfo(lcMaster).noquote() << "worker" << worker.info.description() << "left:" << reason << "-"
                                   << worker.info.running.size() << "running tasks go back to the queue";
        // Gone workers take nothing more, even from a dispatch in this same batch.
        m_routes.removeWorker(workerId);
        worker.info.draining = true;
        const QList<quint64> running = worker.info.running.keys();
        for (quint64 id : running) {
            if (Task *task = m_store->find(id))
                abandonAttempt(*task, worker, QStringLiteral("worker lost: ") + reason, Charge::AsStarted, false);
        }
        m_workers.erase(it);
        m_changedWorkers.removeAll(workerId);
    }
    Q_EMIT workerRemoved(workerId, reason);
}

void Scheduler::setWorkerDraining(quint64 workerId)
{
    auto it = m_workers.find(workerId);
    if (it == m_workers.end())
        return;
    SCHEDULER_BATCH;
    it->second.info.draining = true;
    markWorkerChanged(workerId);
}

void Scheduler::workerSeen(quint64 workerId)
{
    auto it = m_workers.find(workerId);
    if (it != m_workers.end())
        it->second.info.lastSeenMs = nowMs();
}

void Scheduler::detachFromWorker(Task &task, WorkerEntry *worker)
{
    const bool started = task.started();
    if (worker) {
        worker->info.running.remove(task.id);
        worker->info.started -= started;
        markWorkerChanged(worker->info.id);
    }
    if (const auto deadline = m_deadlineOf.constFind(task.id); deadline != m_deadlineOf.cend()) {
        m_deadlines.erase({*deadline, task.id});
        m_deadlineOf.erase(deadline);
    }
}

bool Scheduler::isCurrent(const Task &task, const WorkerEntry &worker, quint32 attempt) const
{
    // Attempt numbers on the wire count dispatches, which never repeat, so a message about an
    // earlier dispatch to this same worker cannot pass for the current one.
    return task.state == TaskState::Running && worker.info.running.contains(task.id) && task.dispatches == attempt;
}

void Scheduler::markStarted(Task &task, WorkerEntry &worker)
{
    if (task.started())
        return;
    const qint64 now = nowMs();
    task.history.last().startedMs = now;
    task.startedMs = now;
    ++task.attempts;
    ++worker.info.started;
    markWorkerChanged(worker.info.id);
    if (task.spec.timeoutMs > 0) {
        // On the monotonic clock, and bounded again here: a store written before the bound may
        // hold any timeout.
        const qint64 deadline = nowMicros() / 1000 + qMin(task.spec.timeoutMs, MaxTaskTimeoutMs);
        m_deadlines.insert({deadline, task.id});
        m_deadlineOf.insert(task.id, deadline);
        if (m_deadlines.begin()->second == task.id)
            armTimeoutTimer();
    }
}

void Scheduler::recordRunTime(Task &task, TaskAttempt &attempt, quint32 runMicros)
{
    // The start the master saw (its TaskStarted, or the result itself when both came in one
    // batch) is late by the network and by however long the task waited on the worker. The
    // worker's run time is exact, so the start is the result's arrival less it: finished minus
    // started is then the run time. It is never put before the task existed, whatever the clocks.
    attempt.runMicros = runMicros;
    attempt.startedMs = qMax(task.createdMs, attempt.finishedMs - (qint64(runMicros) + 500) / 1000);
}

qint64 Scheduler::retryAt(const Task &task) const
{
    const qint64 delay = retryBackoffMs(task.spec.retryDelayMs, task.attempts, QRandomGenerator::global()->generateDouble());
    return delay > 0 ? nowMs() + delay : 0;
}

void Scheduler::failTask(Task &task, WorkerEntry &worker, const QString &error)
{
    setState(task, TaskState::Failed);
    task.error = error;
    task.finishedMs = nowMs();
    ++worker.info.failed;
}

void Scheduler::abandonAttempt(Task &task, WorkerEntry &worker, const QString &why, Charge charge, bool backoff)
{
    const bool started = task.started();
    detachFromWorker(task, &worker);
    if (!task.history.isEmpty()) {
        task.history.last().finishedMs = nowMs();
        task.history.last().outcome = why;
    }
    if (charge == Charge::Refund && started)
        task.attempts = qMax(0, task.attempts - 1);
    const bool spent = started && charge == Charge::AsStarted;
    // Dispatches that spend nothing are bounded too, so a worker that keeps giving a task back
    // cannot keep it circulating for ever. Counted since the last retry: dispatches minus
    // attempts would count the dispatches of every earlier life of the task.
    if (!spent && task.freeDispatches < std::numeric_limits<quint16>::max())
        ++task.freeDispatches;
    if (!spent && task.freeDispatches >= MaxUncountedDispatches) {
        failTask(task, worker, QStringLiteral("%1; given back %2 times without finishing").arg(why).arg(task.freeDispatches));
    } else if (task.attempts >= task.spec.maxAttempts) {
        failTask(task, worker, QStringLiteral("%1 (attempt %2 of %3 on %4)")
                                       .arg(why)
                                       .arg(task.attempts)
                                       .arg(task.spec.maxAttempts)
                                       .arg(worker.info.name));
    } else {
        enqueue(task, backoff ? retryAt(task) : 0);
    }
    touch(task);
}

void Scheduler::startTasks(quint64 workerId, const QList<Messages::TaskRef> &tasks)
{
    auto it = m_workers.find(workerId);
    if (it == m_workers.end())
        return;
    SCHEDULER_BATCH;
    for (const Messages::TaskRef &ref : tasks) {
        Task *task = m_store->find(ref.id);
        if (task && isCurrent(*task, it->second, ref.attempt) && !task->started()) {
            markStarted(*task, it->second);
            touch(*task);
        }
    }
}

void Scheduler::completeTasks(quint64 workerId, const QList<Messages::TaskResult> &results)
{
    auto it = m_workers.find(workerId);
    if (it == m_workers.end())
        return;
    SCHEDULER_BATCH;
    WorkerEntry &worker = it->second;
    worker.info.lastSeenMs = nowMs();
    for (const Messages::TaskResult &result : results) {
        Task *task = m_store->find(result.id);
        if (!task)
            continue;
        if (!isCurrent(*task, worker, result.attempt)) {
            // A late or repeated result: the task was requeued, cancelled or already finished.
            // A flood of them must stay cheap: each is counted, the store coalesces the count
            // into its next batch, and only the first for an attempt is logged, noted in the
            // history (when the history still holds that dispatch) and announced.
            if (task->duplicateResults < std::numeric_limits<quint16>::max())
                ++task->duplicateResults;
            m_store->updated(*task);
            static const QString lateNote = QStringLiteral(" (a late result arrived and was not recorded)");
            TaskAttempt *entry = task->dispatchEntry(result.attempt);
            if (!entry || entry->outcome.endsWith(lateNote))
                continue;
            entry->outcome += lateNote;
            qCInfo(lcMaster).noquote() << "ignoring a late result for task" << task->id << "attempt"
                                       << result.attempt << "from" << worker.info.description() << "- the task is"
                                       << taskStateName(task->state);
            touch(*task);
            continue;
        }
        const auto outcome = Messages::Outcome(result.outcome);
        if (outcome == Messages::Outcome::Cancelled) {
            abandonAttempt(*task, worker, QStringLiteral("stopped by the worker"), Charge::Refund, false);
            continue;
        }
        markStarted(*task, worker); // a result implies the start its TaskStarted may not have said
        learnFromResult(worker.info, worker.info.running.value(task->id), result);
        if (outcome == Messages::Outcome::Error && result.retryable && task->attempts < task->spec.maxAttempts) {
            abandonAttempt(*task, worker, QStringLiteral("error, retried: ") + result.error, Charge::AsStarted, true);
            if (TaskAttempt *ended = task->dispatchEntry(result.attempt))
                recordRunTime(*task, *ended, result.runMicros);
            continue;
        }
        detachFromWorker(*task, &worker);
        task->finishedMs = nowMs();
        TaskAttempt &attempt = task->history.last();
        attempt.finishedMs = task->finishedMs;
        recordRunTime(*task, attempt, result.runMicros);
        task->startedMs = attempt.startedMs;
        if (outcome == Messages::Outcome::Ok) {
            setState(*task, TaskState::Done);
            task->result = result.result;
            attempt.outcome = QStringLiteral("done");
            ++worker.info.done;
        } else {
            failTask(*task, worker, result.error);
            attempt.outcome = QStringLiteral("error: ") + result.error;
        }
        touch(*task);
    }
}

void Scheduler::returnTasks(quint64 workerId, const QList<Messages::TaskRef> &tasks, const QString &reason)
{
    auto it = m_workers.find(workerId);
    if (it == m_workers.end())
        return;
    SCHEDULER_BATCH;
    // Also the answer to ReclaimTasks, possibly empty.
    it->second.info.reclaimPending = false;
    markWorkerChanged(workerId);
    for (const Messages::TaskRef &ref : tasks) {
        Task *task = m_store->find(ref.id);
        if (task && isCurrent(*task, it->second, ref.attempt))
            abandonAttempt(*task, it->second, QStringLiteral("returned: ") + reason, Charge::Refund, false);
    }
}

Scheduler::WorkerEntry *Scheduler::holderOf(quint64 taskId)
{
    for (auto &[id, entry] : m_workers) {
        if (entry.info.running.contains(taskId))
            return &entry;
    }
    return nullptr;
}

const WorkerInfo *Scheduler::worker(quint64 workerId) const
{
    auto it = m_workers.find(workerId);
    return it == m_workers.end() ? nullptr : &it->second.info;
}

QList<const WorkerInfo *> Scheduler::workers() const
{
    QList<const WorkerInfo *> list;
    for (const auto &[id, entry] : m_workers)
        list.append(&entry.info);
    return list;
}

QList<Messages::Backlog> Scheduler::backlog() const
{
    QList<Messages::Backlog> list;
    for (int i = 0; i < m_routes.routeCount(); ++i) {
        const RouteTable::Route &route = m_routes.route(i);
        if (route.ready + route.delayed > 0)
            list.append({route.kind, route.requiredTags, route.ready, route.delayed, quint32(route.workers)});
    }
    return list;
}

int Scheduler::capableWorkers(const TaskSpec &spec) const
{
    // Every task in the store has its route, made when it was queued.
    const std::optional<int> route = m_routes.find(spec);
    return route ? m_routes.route(*route).workers : 0;
}

void Scheduler::flush()
{
    if (!m_changed.isEmpty())
        Q_EMIT tasksChanged(std::exchange(m_changed, {}));
    if (!m_finished.isEmpty())
        Q_EMIT tasksFinished(std::exchange(m_finished, {}));
    if (!m_changedWorkers.isEmpty()) {
        const QVarLengthArray<quint64, 16> workers = std::exchange(m_changedWorkers, {});
        for (quint64 id : workers)
            Q_EMIT workerChanged(id);
    }
    if (m_countsDirty) {
        m_countsDirty = false;
        Q_EMIT countsChanged();
    }
}
