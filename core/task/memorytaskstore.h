#pragma once

// Keeps tasks in memory only: the --ephemeral master and the tests. The durable store keeps
// one of these as its index, so the scheduler's pointers are the same in both.

#include "taskstore.h"

#include <unordered_map>

class MemoryTaskStore final : public TaskStore
{
public:
    quint64 nextId() const override { return m_nextId; }
    Task *insert(Task task) override;
    Task *find(quint64 id) override;
    const Task *find(quint64 id) const override;
    void updated(const Task &) override { }
    bool remove(quint64 id) override;
    qsizetype size() const override { return qsizetype(m_tasks.size()); }
    void forEach(const std::function<void(const Task &)> &visit) const override;
    void whenDurable(QObject *context, std::function<void()> done) override;
    QList<quint64> finishedToPurge(qint64 keepFinished, qint64 finishedBeforeMs, int limit) const override;

    // Loading a stored record back, with whatever id it had; nextId() stays above every id.
    void restore(Task task);
    // Ids are never reused, even those of tasks removed before a restart.
    void raiseNextId(quint64 nextId) { m_nextId = qMax(m_nextId, nextId); }

private:
    // Node-based on purpose: pointers to records stay valid while others are inserted.
    std::unordered_map<quint64, Task> m_tasks;
    quint64 m_nextId = 1;
};
