#include "memorytaskstore.h"

#include <algorithm>

Task *MemoryTaskStore::insert(Task task)
{
    Q_ASSERT(task.id == nextId());
    if ((m_offset + m_used) / ChunkSize >= m_chunks.size())
        m_chunks.push_back(std::make_unique<Task[]>(ChunkSize));
    Task &stored = slot(m_used++);
    stored = std::move(task);
    ++m_size;
    return &stored;
}

void MemoryTaskStore::appendHoles(quint64 upToId)
{
    if (m_used == 0) {
        m_firstId = qMax(m_firstId, upToId); // nothing stored: no holes needed
        return;
    }
    while (nextId() < upToId) {
        if ((m_offset + m_used) / ChunkSize >= m_chunks.size())
            m_chunks.push_back(std::make_unique<Task[]>(ChunkSize));
        ++m_used; // a default record: id 0
    }
}

void MemoryTaskStore::restore(Task task)
{
    Q_ASSERT(task.id >= nextId());
    appendHoles(task.id);
    insert(std::move(task));
}

void MemoryTaskStore::raiseNextId(quint64 id)
{
    appendHoles(id);
}

Task *MemoryTaskStore::find(quint64 id)
{
    if (id < m_firstId || id >= nextId())
        return nullptr;
    Task &task = slot(size_t(id - m_firstId));
    return task.id ? &task : nullptr;
}

const Task *MemoryTaskStore::find(quint64 id) const
{
    return const_cast<MemoryTaskStore *>(this)->find(id);
}

bool MemoryTaskStore::remove(quint64 id)
{
    Task *task = find(id);
    if (!task)
        return false;
    *task = Task(); // frees its strings; id 0 marks the hole
    --m_size;
    while (m_used > 0 && slot(0).id == 0) {
        ++m_firstId;
        --m_used;
        if (++m_offset == ChunkSize) {
            m_chunks.pop_front();
            m_offset = 0;
        }
    }
    return true;
}

void MemoryTaskStore::forEach(const std::function<void(const Task &)> &visit) const
{
    for (size_t i = 0; i < m_used; ++i) {
        const Task &task = slot(i);
        if (task.id)
            visit(task);
    }
}

void MemoryTaskStore::whenDurable(QObject *, std::function<void()> done)
{
    // Nothing here outlives the process, so everything is as durable as it will ever be.
    done();
}

QList<quint64> MemoryTaskStore::finishedToPurge(qint64 keepFinished, qint64 finishedBeforeMs, int limit) const
{
    // (finished ms, id), newest first.
    std::vector<std::pair<qint64, quint64>> finished;
    forEach([&](const Task &task) {
        if (isFinished(task.state))
            finished.emplace_back(task.finishedMs, task.id);
    });
    std::sort(finished.begin(), finished.end(), std::greater<>());
    std::vector<std::pair<qint64, quint64>> purge;
    for (size_t i = 0; i < finished.size(); ++i) {
        const bool tooMany = keepFinished >= 0 && qint64(i) >= keepFinished;
        const bool tooOld = finishedBeforeMs > 0 && finished[i].first < finishedBeforeMs;
        if (tooMany || tooOld)
            purge.push_back(finished[i]);
    }
    QList<quint64> ids;
    for (auto it = purge.rbegin(); it != purge.rend() && ids.size() < limit; ++it)
        ids.append(it->second);
    return ids;
}
