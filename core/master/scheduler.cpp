#include "scheduler.h"

#include "master/workerlink.h"
#include "util/logging.h"

#include <QDateTime>
#include <QTimer>

#include <algorithm>
#include <limits>

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

// Public operations nest (a result can free a slot that dispatch fills); dispatch and the
// change signals run once, when the outermost operation ends.
class SchedulerBatch
{
public:
    explicit SchedulerBatch(int &depth, std::function<void()> done) : m_depth(depth), m_done(std::move(done))
    {
        ++m_depth;
    }
    ~SchedulerBatch()
    {
        if (--m_depth == 0)
            m_done();
    }

private:
    int &m_depth;
    std::function<void()> m_done;
};

#define SCHEDULER_BATCH SchedulerBatch batch(m_depth, [this] { dispatch(); flush(); })

Scheduler::Scheduler(std::unique_ptr<TaskStore> store, QObject *parent)
    : QObject(parent), m_store(std::move(store)), m_timeoutTimer(new QTimer(this))
{
    m_clock.start();
    m_timeoutTimer->setSingleShot(true);
    m_timeoutTimer->setTimerType(Qt::PreciseTimer);
    connect(m_timeoutTimer, &QTimer::timeout, this, &Scheduler::expireTimeouts);

    // Rebuild the queue and counters from what the store holds. Tasks that were running when
    // the store was written have no worker any more: they go back to the queue.
    QList<quint64> orphans;
    m_store->forEach([&](const Task &task) {
        if (task.state == TaskState::Running)
            orphans.append(task.id);
        else
            ++m_counts[size_t(task.state)];
        if (task.state == TaskState::Queued)
            m_queue.push(task.spec.priority, task.id);
    });
    for (quint64 id : orphans) {
        Task &task = *m_store->find(id);
        if (!task.history.isEmpty() && task.history.last().finishedMs == 0) {
            task.history.last().finishedMs = nowMs();
            task.history.last().outcome = QStringLiteral("master restarted");
        }
        task.worker.clear();
        // As for a lost worker: the attempt is spent, and the last one fails the task.
        if (task.attempts >= task.spec.maxAttempts) {
            task.state = TaskState::Failed;
            task.error = QStringLiteral("master restarted during attempt %1 of %2").arg(task.attempts).arg(task.spec.maxAttempts);
            task.finishedMs = nowMs();
            ++m_counts[size_t(TaskState::Failed)];
        } else {
            task.state = TaskState::Queued;
            ++m_counts[size_t(TaskState::Queued)];
            m_queue.push(task.spec.priority, task.id);
            ++m_requeuedOnStart;
        }
        m_store->updated(task);
    }
}

Scheduler::~Scheduler() = default;

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

void Scheduler::enqueue(Task &task)
{
    setState(task, TaskState::Queued);
    task.worker.clear();
    m_queue.push(task.spec.priority, task.id);
}

QList<quint64> Scheduler::submit(const QList<TaskSpec> &specs)
{
    SCHEDULER_BATCH;
    QList<quint64> ids;
    ids.reserve(specs.size());
    const qint64 now = nowMs();
    for (const TaskSpec &spec : specs) {
        Task task;
        task.id = m_store->nextId();
        task.spec = spec;
        task.createdMs = now;
        Task *stored = m_store->insert(std::move(task));
        ++m_counts[size_t(TaskState::Queued)];
        m_queue.push(stored->spec.priority, stored->id);
        m_changed.append(stored->id);
        ids.append(stored->id);
    }
    m_countsDirty = true;
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
        if (task->state != TaskState::Queued) { // a queued one is skipped when its turn comes
            WorkerEntry *worker = holderOf(id);
            if (worker)
                worker->link->cancel({id}, reason);
            detachFromWorker(*task, worker);
            if (!task->history.isEmpty())
                task->history.last().outcome = QStringLiteral("cancelled: ") + reason;
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
    qCInfo(lcMaster).noquote() << "worker" << info.name << "joined from" << info.address << "with"
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
        qCInfo(lcMaster).noquote() << "worker" << worker.info.name << "left:" << reason << "-"
                                   << worker.info.running.size() << "running tasks go back to the queue";
        const QList<quint64> running = worker.info.running.keys();
        for (quint64 id : running) {
            if (Task *task = m_store->find(id))
                abandonAttempt(*task, worker, QStringLiteral("worker lost: ") + reason, true);
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
    if (worker) {
        worker->info.running.remove(task.id);
        markWorkerChanged(worker->info.id);
    }
    if (const auto deadline = m_deadlineOf.constFind(task.id); deadline != m_deadlineOf.cend()) {
        m_deadlines.erase({*deadline, task.id});
        m_deadlineOf.erase(deadline);
    }
}

void Scheduler::abandonAttempt(Task &task, WorkerEntry &worker, const QString &why, bool spendAttempt)
{
    detachFromWorker(task, &worker);
    if (!task.history.isEmpty()) {
        task.history.last().finishedMs = nowMs();
        task.history.last().outcome = why;
    }
    if (!spendAttempt)
        task.attempts = qMax(0, task.attempts - 1);
    if (task.attempts >= task.spec.maxAttempts) {
        setState(task, TaskState::Failed);
        task.error = QStringLiteral("%1 (attempt %2 of %3 on %4)")
                             .arg(why)
                             .arg(task.attempts)
                             .arg(task.spec.maxAttempts)
                             .arg(worker.info.name);
        task.finishedMs = nowMs();
        ++worker.info.failed;
    } else {
        enqueue(task);
    }
    touch(task);
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
        // Attempt numbers on the wire count dispatches (the history), which never repeat, so a
        // result from an earlier dispatch to this same worker cannot pass for the current one.
        const bool current = task->state == TaskState::Running && worker.info.running.contains(task->id)
                && quint32(task->history.size()) == result.attempt;
        if (!current) {
            // A late or repeated result: the task was requeued, cancelled or already finished.
            if (task->duplicateResults < std::numeric_limits<quint16>::max())
                ++task->duplicateResults;
            qCInfo(lcMaster).noquote() << "ignoring a late result for task" << task->id << "attempt"
                                       << result.attempt << "from" << worker.info.name << "- the task is"
                                       << taskStateName(task->state);
            const qsizetype index = qsizetype(result.attempt) - 1;
            static const QString lateNote = QStringLiteral(" (a late result arrived and was not recorded)");
            if (index >= 0 && index < task->history.size() && !task->history[index].outcome.endsWith(lateNote))
                task->history[index].outcome += lateNote;
            touch(*task);
            continue;
        }
        const auto outcome = Messages::Outcome(result.outcome);
        if (outcome == Messages::Outcome::Cancelled) {
            abandonAttempt(*task, worker, QStringLiteral("stopped by the worker"), false);
            continue;
        }
        learnFromResult(worker.info, worker.info.running.value(task->id), result);
        detachFromWorker(*task, &worker);
        task->finishedMs = nowMs();
        TaskAttempt &attempt = task->history.last();
        attempt.finishedMs = task->finishedMs;
        if (outcome == Messages::Outcome::Ok) {
            setState(*task, TaskState::Done);
            task->result = result.result;
            attempt.outcome = QStringLiteral("done");
            ++worker.info.done;
        } else {
            setState(*task, TaskState::Failed);
            task->error = result.error;
            attempt.outcome = QStringLiteral("error: ") + result.error;
            ++worker.info.failed;
        }
        touch(*task);
    }
}

void Scheduler::returnTasks(quint64 workerId, const QList<quint64> &ids, const QString &reason)
{
    auto it = m_workers.find(workerId);
    if (it == m_workers.end())
        return;
    SCHEDULER_BATCH;
    // Also the answer to ReclaimTasks, possibly empty.
    it->second.info.reclaimPending = false;
    markWorkerChanged(workerId);
    for (quint64 id : ids) {
        Task *task = m_store->find(id);
        if (task && task->state == TaskState::Running && it->second.info.running.contains(id))
            abandonAttempt(*task, it->second, QStringLiteral("returned: ") + reason, false);
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
    // Idle slots with an empty queue, while another worker holds tasks it has not begun:
    // ask for the most recently sent of them back (the worker returns the ones not started).
    int idle = 0;
    for (const auto &[id, entry] : m_workers) {
        if (!entry.info.draining && entry.info.running.size() < entry.info.slots)
            idle += entry.info.slots - int(entry.info.running.size());
    }
    for (auto &[id, entry] : m_workers) {
        if (idle <= 0)
            break;
        WorkerInfo &info = entry.info;
        const int excess = int(info.running.size()) - info.slots;
        if (excess <= 0 || info.reclaimPending)
            continue;
        QList<std::pair<qint64, quint64>> bySendTime;
        for (auto it = info.running.cbegin(); it != info.running.cend(); ++it)
            bySendTime.append({it.value(), it.key()});
        std::sort(bySendTime.begin(), bySendTime.end(), std::greater<>());
        QList<quint64> ids;
        for (int i = 0; i < qMin(excess, idle); ++i)
            ids.append(bySendTime[i].second);
        idle -= int(ids.size());
        info.reclaimPending = true;
        entry.link->reclaim(ids);
    }
}

void Scheduler::dispatch()
{
    if (m_workers.empty())
        return;
    if (count(TaskState::Queued) == 0) {
        reclaimForIdleWorkers();
        return;
    }
    // Hand out one task per worker per round, so work spreads across workers instead of
    // filling the first one; each worker then gets its share in one message.
    std::vector<std::pair<WorkerEntry *, QList<Messages::TaskAssignment>>> batches;
    for (auto &[id, entry] : m_workers) {
        if (!entry.info.draining && entry.info.running.size() < entry.info.capacity())
            batches.push_back({&entry, {}});
    }
    if (batches.empty())
        return;
    // Start the rounds at a rotating worker so ties do not always favour the same one.
    std::rotate(batches.begin(), batches.begin() + qsizetype(m_rotation++ % batches.size()), batches.end());

    const qint64 now = nowMs();
    const qint64 monotonicMs = nowMicros() / 1000;
    // Free slots first, everywhere; only then the prefetch windows. A worker with an idle slot
    // is never passed over for one that would only queue the task behind its running ones.
    for (const bool prefetching : {false, true}) {
        bool progress = true;
        while (count(TaskState::Queued) > 0 && progress) {
            progress = false;
            for (auto &[worker, assignments] : batches) {
                if (count(TaskState::Queued) == 0)
                    break;
                const int limit = prefetching ? worker->info.capacity() : worker->info.slots;
                if (worker->info.running.size() >= limit)
                    continue;
                const std::optional<quint64> next = m_queue.pop([this](quint64 id) {
                    const Task *t = m_store->find(id);
                    return t && t->state == TaskState::Queued;
                });
                if (!next)
                    break; // cannot happen while the count says some task is queued
                const quint64 id = *next;
                Task &task = *m_store->find(id);
                setState(task, TaskState::Running);
                ++task.attempts;
                task.worker = worker->info.name;
                task.startedMs = now;
                task.history.append({worker->info.name, now, 0, QString()});
                worker->info.running.insert(id, nowMicros());
                if (task.spec.timeoutMs > 0) {
                    // Bounded again here: a store written before the bound may hold any timeout.
                    const qint64 deadline = monotonicMs + qMin(task.spec.timeoutMs, MaxTaskTimeoutMs);
                    m_deadlines.insert({deadline, id});
                    m_deadlineOf.insert(id, deadline);
                }
                assignments.append({id, quint32(task.history.size()), task.spec.kind, task.spec.args, task.spec.timeoutMs});
                touch(task);
                progress = true;
            }
        }
    }
    for (auto &[worker, assignments] : batches) {
        if (!assignments.isEmpty()) {
            markWorkerChanged(worker->info.id);
            worker->link->assign(assignments);
        }
    }
    armTimeoutTimer();
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
                worker->link->cancel({id}, why);
                abandonAttempt(*task, *worker, why, true);
            }
        }
    }
    armTimeoutTimer();
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
