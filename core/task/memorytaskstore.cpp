#include "memorytaskstore.h"

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
