#pragma once

// Where the master keeps its tasks. The scheduler owns the queue order and the state machine;
// a store only keeps records and is told after each change, so a durable store can persist it.

#include "task.h"

#include <functional>

class QObject;

class TaskStore
{
public:
    virtual ~TaskStore() = default;

    // The id the next inserted task gets; ids grow and are never reused.
    virtual quint64 nextId() const = 0;
    // No task has a smaller id; ids from here up to nextId() may have holes.
    virtual quint64 firstId() const = 0;
    // Stores the task under task.id (which must be nextId()) and returns the stored record. The
    // pointer stays valid until the task is removed.
    virtual Task *insert(Task task) = 0;
    virtual Task *find(quint64 id) = 0;
    virtual const Task *find(quint64 id) const = 0;
    // The scheduler changed these records in place.
    virtual void updated(const Task &task) = 0;
    virtual bool remove(quint64 id) = 0;
    virtual qsizetype size() const = 0;
    virtual void forEach(const std::function<void(const Task &)> &visit) const = 0;

    // Calls done once every change made so far is safe from a crash of this process (at once
    // for a store that keeps nothing); never if context is destroyed first. Callbacks run in
    // the order they were given.
    virtual void whenDurable(QObject *context, std::function<void()> done) = 0;
    // Finished tasks that retention should forget, oldest first, at most limit of them: those
    // that finished before finishedBeforeMs (when it is > 0) and those beyond the newest
    // keepFinished (when it is >= 0).
    virtual QList<quint64> finishedToPurge(qint64 keepFinished, qint64 finishedBeforeMs, int limit) const = 0;

    // Whether tasks outlive this process (a file on disk), or are gone when it ends.
    virtual bool keepsTasks() const { return false; }
    // Why changes cannot be made durable now (for example "no space left on device"), empty
    // while they can. A store that keeps nothing never fails.
    virtual QString failure() const { return {}; }
    // Changes made that are not durable yet.
    virtual qsizetype unwrittenChanges() const { return 0; }
    // Calls changed (while context lives) after each failed attempt to write and once when a
    // write succeeds again; failure() says which. One watcher: the scheduler.
    virtual void watchFailure(QObject *context, std::function<void()> changed)
    {
        Q_UNUSED(context);
        Q_UNUSED(changed);
    }
};
