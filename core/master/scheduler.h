#pragma once

// The master's task logic, with no sockets: the priority queue, push dispatch into the free
// slots of workers, attempts and requeueing when a worker is lost or a task times out,
// cancellation, and exactly-once recording of results. Every change is announced in batches
// (one signal per operation, not per task) so views can follow a busy queue.

#include "master/routetable.h"
#include "master/workerinfo.h"
#include "protocol/messages.h"
#include "task/taskstore.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QVarLengthArray>

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <set>

class QTimer;
class WorkerLink;

class Scheduler final : public QObject
{
    Q_OBJECT

public:
    explicit Scheduler(std::unique_ptr<TaskStore> store, QObject *parent = nullptr);
    ~Scheduler() override;

    // Tasks. Specs must have passed validateTaskSpec(). New tasks are dispatched only once they
    // are durable (what an acknowledged submit promises); if a write fails first, they are
    // withdrawn (removed, never run) and storeFailed() says so. A spec's delayMs is folded into its
    // runAtMs, counted from now. keys is empty or has one idempotency key per spec (an empty
    // one: none); a spec whose key the master still remembers adds nothing and gets the id of
    // the task submitted under it, counted in *existing.
    QList<quint64> submit(QList<TaskSpec> specs, const QStringList &keys = {}, quint32 *existing = nullptr);
    // How long a key is remembered after its task was submitted (as long as the task is kept).
    void setKeyLifetimeMs(qint64 ms) { m_keyLifetimeMs = ms; }
    // Cancels queued or running tasks; returns how many were cancelled (finished ones are not).
    int cancel(const QList<quint64> &ids, const QString &reason);
    // Queues failed or cancelled tasks again with a fresh budget of attempts.
    int retry(const QList<quint64> &ids);
    // Forgets finished tasks.
    int remove(const QList<quint64> &ids);

    const Task *task(quint64 id) const { return m_store->find(id); }
    const TaskStore &store() const { return *m_store; }
    // Runs done once every change so far is durable (see TaskStore::whenDurable).
    void whenDurable(QObject *context, std::function<void()> done) { m_store->whenDurable(context, std::move(done)); }
    // Why the store cannot write now; empty while it can (see TaskStore::failure).
    QString storeFailure() const { return m_store->failure(); }
    std::array<quint64, TaskStateCount> counts() const { return m_counts; }
    quint64 count(TaskState state) const { return m_counts[size_t(state)]; }
    qsizetype queuedCount() const { return qsizetype(count(TaskState::Queued)); }
    // Queued tasks by route, with how many connected workers can take each.
    QList<Messages::Backlog> backlog() const;
    // How many connected workers could take a task of this spec (0: it waits for one).
    int capableWorkers(const TaskSpec &spec) const;
    // Tasks the store held as running when the scheduler was built, now queued again.
    qsizetype requeuedOnStart() const { return m_requeuedOnStart; }

    // A graceful stop of the master: running tasks go back to the queue without spending an
    // attempt ("master stopped"), and nothing is dispatched from now on.
    void stop();
    bool isStopped() const { return m_stopped; }

    // Workers. The link must outlive the worker's registration.
    quint64 addWorker(WorkerLink *link, WorkerInfo info);
    void removeWorker(quint64 workerId, const QString &reason);
    void setWorkerDraining(quint64 workerId);
    void workerSeen(quint64 workerId);
    // The worker began these: each start spends an attempt.
    void startTasks(quint64 workerId, const QList<Messages::TaskRef> &tasks);
    void completeTasks(quint64 workerId, const QList<Messages::TaskResult> &results);
    // The worker gives tasks back unfinished (it is shutting down): no attempt is spent.
    void returnTasks(quint64 workerId, const QList<Messages::TaskRef> &tasks, const QString &reason);
    const WorkerInfo *worker(quint64 workerId) const;

    // The monotonic microsecond clock behind prefetch sizing; tests and simulations set their own.
    void setMonotonicClock(std::function<qint64()> nowMicros) { m_nowMicros = std::move(nowMicros); }
    QList<const WorkerInfo *> workers() const;

Q_SIGNALS:
    void tasksChanged(const QList<quint64> &ids);
    // The subset of tasksChanged that has just reached done, failed or cancelled.
    void tasksFinished(const QList<quint64> &ids);
    void tasksRemoved(const QList<quint64> &ids);
    void countsChanged();
    void workerAdded(quint64 workerId);
    void workerChanged(quint64 workerId);
    void workerRemoved(quint64 workerId, const QString &reason);
    // After each failed write of the store (failure says why; the new tasks that were not yet
    // durable have just been withdrawn) and once when it writes again (failure is empty).
    void storeFailed(const QString &failure);

private:
    struct WorkerEntry {
        WorkerInfo info;
        WorkerLink *link = nullptr;
    };

    // What an attempt that ends without a result costs.
    enum class Charge {
        AsStarted, // spent if the task had started (a lost worker)
        Refund, // never spent (the worker gave it back or stopped it)
    };

    void setState(Task &task, TaskState state);
    void markWorkerChanged(quint64 workerId);
    // Queues the task again, due at once or at notBeforeMs.
    void enqueue(Task &task, qint64 notBeforeMs = 0);
    void queueStored(Task &task);
    // New tasks now durable: they may be dispatched.
    void release(const QList<quint64> &ids);
    void onStoreFailure();
    // The task still remembered under this key, if any.
    const Task *taskWithKey(const TaskKey &key, qint64 nowMs) const;
    void touch(Task &task);
    bool isCurrent(const Task &task, const WorkerEntry &worker, quint32 attempt) const;
    void markStarted(Task &task, WorkerEntry &worker);
    // Keeps the worker's own measure of an attempt that ended with a result.
    void recordRunTime(Task &task, TaskAttempt &attempt, quint32 runMicros);
    // Ends the current attempt of a running task without a result; requeues it (after
    // retryDelay when it is one of the task's own failures) or fails it.
    void abandonAttempt(Task &task, WorkerEntry &worker, const QString &why, Charge charge, bool backoff);
    void detachFromWorker(Task &task, WorkerEntry *worker);
    void failTask(Task &task, WorkerEntry &worker, const QString &error);
    qint64 retryAt(const Task &task) const;
    WorkerEntry *holderOf(quint64 taskId);
    void dispatch();
    void reclaimForIdleWorkers();
    void learnFromResult(WorkerInfo &worker, qint64 sentMicros, const Messages::TaskResult &result);
    qint64 nowMicros() const { return m_nowMicros ? m_nowMicros() : m_clock.nsecsElapsed() / 1000; }
    void armTimeoutTimer();
    void expireTimeouts();
    void armDelayTimer();
    void releaseDueTasks();
    void flush();

    std::unique_ptr<TaskStore> m_store;
    RouteTable m_routes;
    std::set<std::pair<qint64, quint64>> m_delayed; // (runAtMs, task id) of queued tasks not due yet
    std::map<quint64, WorkerEntry> m_workers;
    // (deadline, task id) of running tasks, in ms of the monotonic clock (nowMicros), which the
    // system time being set does not move; and each running task's deadline, to remove it.
    std::set<std::pair<qint64, quint64>> m_deadlines;
    QHash<quint64, qint64> m_deadlineOf;
    std::array<quint64, TaskStateCount> m_counts = {};
    QTimer *m_timeoutTimer;
    QTimer *m_delayTimer;
    QElapsedTimer m_clock;
    std::function<qint64()> m_nowMicros;
    quint64 m_nextWorkerId = 1;
    quint64 m_rotation = 0;
    qsizetype m_requeuedOnStart = 0;
    QHash<TaskKey, quint64> m_keys; // idempotency key -> task, for keyed tasks still kept
    QSet<quint64> m_held; // new tasks, queued but not dispatched before they are durable
    qint64 m_keyLifetimeMs = DefaultKeyLifetimeMs;

    QList<quint64> m_changed;
    QList<quint64> m_finished;
    QVarLengthArray<quint64, 16> m_changedWorkers; // a handful of workers: a set costs more
    bool m_countsDirty = false;
    bool m_stopped = false;
    int m_depth = 0;
};
