#include "scheduler.h"

#include "master/workerlink.h"
#include "util/logging.h"

#include <QDateTime>
#include <QTimer>

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
            m_queue.insert({task.spec.priority, task.id});
    });
    for (quint64 id : orphans) {
        Task &task = *m_store->find(id);
        if (!task.history.isEmpty() && task.history.last().finishedMs == 0) {
            task.history.last().finishedMs = nowMs();
            task.history.last().outcome = QStringLiteral("master restarted");
        }
        task.state = TaskState::Queued;
        ++m_counts[size_t(TaskState::Queued)];
        m_queue.insert({task.spec.priority, task.id});
        m_store->updated(task);
    }
    m_requeuedOnStart = orphans.size();
}

Scheduler::~Scheduler() = default;

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
    m_queue.insert({task.spec.priority, task.id});
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
        m_queue.insert({stored->spec.priority, stored->id});
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
        if (task->state == TaskState::Queued) {
            m_queue.erase({task->spec.priority, id});
        } else {
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
        const QList<quint64> running(worker.info.running.cbegin(), worker.info.running.cend());
        for (quint64 id : running) {
            if (Task *task = m_store->find(id))
                abandonAttempt(*task, worker, QStringLiteral("worker lost: ") + reason, true);
        }
        m_workers.erase(it);
        m_changedWorkers.remove(workerId);
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
    m_changedWorkers.insert(workerId);
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
        m_changedWorkers.insert(worker->info.id);
    }
    if (task.spec.timeoutMs > 0 && task.startedMs > 0)
        m_deadlines.erase({task.startedMs + task.spec.timeoutMs, task.id});
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
            ++task->duplicateResults;
            qCInfo(lcMaster).noquote() << "ignoring a late result for task" << task->id << "attempt"
                                       << result.attempt << "from" << worker.info.name << "- the task is"
                                       << taskStateName(task->state);
            const qsizetype index = qsizetype(result.attempt) - 1;
            if (index >= 0 && index < task->history.size())
                task->history[index].outcome += QStringLiteral(" (a late result arrived and was not recorded)");
            touch(*task);
            continue;
        }
        const auto outcome = Messages::Outcome(result.outcome);
        if (outcome == Messages::Outcome::Cancelled) {
            abandonAttempt(*task, worker, QStringLiteral("stopped by the worker"), false);
            continue;
        }
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

void Scheduler::dispatch()
{
    if (m_queue.empty() || m_workers.empty())
        return;
    // Hand out one task per worker per round, so work spreads across workers instead of
    // filling the first one; each worker then gets its share in one message.
    std::vector<std::pair<WorkerEntry *, QList<Messages::TaskAssignment>>> batches;
    for (auto &[id, entry] : m_workers) {
        if (!entry.info.draining && entry.info.running.size() < entry.info.slots)
            batches.push_back({&entry, {}});
    }
    if (batches.empty())
        return;
    // Start the rounds at a rotating worker so ties do not always favour the same one.
    std::rotate(batches.begin(), batches.begin() + qsizetype(m_rotation++ % batches.size()), batches.end());

    const qint64 now = nowMs();
    bool progress = true;
    while (!m_queue.empty() && progress) {
        progress = false;
        for (auto &[worker, assignments] : batches) {
            if (m_queue.empty())
                break;
            if (worker->info.running.size() >= worker->info.slots)
                continue;
            const quint64 id = m_queue.begin()->id;
            m_queue.erase(m_queue.begin());
            Task &task = *m_store->find(id);
            setState(task, TaskState::Running);
            ++task.attempts;
            task.worker = worker->info.name;
            task.startedMs = now;
            task.history.append({worker->info.name, now, 0, QString()});
            worker->info.running.insert(id);
            if (task.spec.timeoutMs > 0)
                m_deadlines.insert({now + task.spec.timeoutMs, id});
            assignments.append({id, quint32(task.history.size()), task.spec.kind, task.spec.args, task.spec.timeoutMs});
            touch(task);
            progress = true;
        }
    }
    for (auto &[worker, assignments] : batches) {
        if (!assignments.isEmpty()) {
            m_changedWorkers.insert(worker->info.id);
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
    const qint64 wait = qMax<qint64>(0, m_deadlines.begin()->first - nowMs());
    m_timeoutTimer->start(int(qMin<qint64>(wait, 24 * 3600 * 1000)));
}

void Scheduler::expireTimeouts()
{
    {
        SCHEDULER_BATCH;
        const qint64 now = nowMs();
        while (!m_deadlines.empty() && m_deadlines.begin()->first <= now) {
            const quint64 id = m_deadlines.begin()->second;
            m_deadlines.erase(m_deadlines.begin());
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
    const QSet<quint64> workers = std::exchange(m_changedWorkers, {});
    for (quint64 id : workers)
        Q_EMIT workerChanged(id);
    if (m_countsDirty) {
        m_countsDirty = false;
        Q_EMIT countsChanged();
    }
}
