#pragma once

// Keeps tasks in memory only: the --ephemeral master and the tests. The durable store keeps
// one of these as its index, so the scheduler's pointers are the same in both.

#include "taskstore.h"

#include <deque>
#include <memory>

class MemoryTaskStore final : public TaskStore
{
public:
    quint64 nextId() const override { return m_firstId + m_used; }
    quint64 firstId() const override { return m_firstId; }
    Task *insert(Task task) override;
    Task *find(quint64 id) override;
    const Task *find(quint64 id) const override;
    void updated(const Task &) override { }
    bool remove(quint64 id) override;
    qsizetype size() const override { return m_size; }
    void forEach(const std::function<void(const Task &)> &visit) const override;
    void whenDurable(QObject *context, std::function<void()> done) override;
    QList<quint64> finishedToPurge(qint64 keepFinished, qint64 finishedBeforeMs, int limit) const override;

    // Loading stored records back, in increasing id order, with the ids they had; ids between
    // them (tasks removed before a restart) become holes. nextId() stays above every id.
    void restore(Task task);
    // Ids are never reused, even those of tasks removed before a restart.
    void raiseNextId(quint64 nextId);

private:
    void appendHoles(quint64 upToId);

    // Ids are dense and increasing, so the record of id lives at slot id - m_firstId: no hash
    // table. Slots come in fixed chunks that never move, so records stay in place while others
    // are appended, with no per-record allocation. A removed task leaves an empty record
    // (id 0) until everything before it is gone too.
    static constexpr size_t ChunkSize = 4096;
    Task &slot(size_t index) const
    {
        const size_t position = m_offset + index;
        return m_chunks[position / ChunkSize][position % ChunkSize];
    }

    std::deque<std::unique_ptr<Task[]>> m_chunks;
    size_t m_offset = 0; // first used slot in m_chunks.front()
    size_t m_used = 0; // slots from m_offset on, holes included
    quint64 m_firstId = 1;
    qsizetype m_size = 0;
};
