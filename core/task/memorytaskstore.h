#pragma once

// Keeps tasks in memory only: the --ephemeral master and the tests.

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

private:
    // Node-based on purpose: pointers to records stay valid while others are inserted.
    std::unordered_map<quint64, Task> m_tasks;
    quint64 m_nextId = 1;
};
