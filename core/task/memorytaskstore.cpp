#include "memorytaskstore.h"

#include <map>

Task *MemoryTaskStore::insert(Task task)
{
    Q_ASSERT(task.id == m_nextId);
    const quint64 id = task.id;
    m_nextId = id + 1;
    return &m_tasks.insert_or_assign(id, std::move(task)).first->second;
}

Task *MemoryTaskStore::find(quint64 id)
{
    const auto it = m_tasks.find(id);
    return it == m_tasks.end() ? nullptr : &it->second;
}

const Task *MemoryTaskStore::find(quint64 id) const
{
    const auto it = m_tasks.find(id);
    return it == m_tasks.end() ? nullptr : &it->second;
}

bool MemoryTaskStore::remove(quint64 id)
{
    return m_tasks.erase(id) > 0;
}

void MemoryTaskStore::forEach(const std::function<void(const Task &)> &visit) const
{
    // In id order, so views and reports list tasks as they were submitted.
    std::map<quint64, const Task *> ordered;
    for (const auto &[id, task] : m_tasks)
        ordered.emplace(id, &task);
    for (const auto &[id, task] : ordered)
        visit(*task);
}
