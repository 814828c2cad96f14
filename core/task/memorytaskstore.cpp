#include "memorytaskstore.h"

#include <algorithm>
#include <map>

Task *MemoryTaskStore::insert(Task task)
{
    Q_ASSERT(task.id == m_nextId);
    const quint64 id = task.id;
    m_nextId = id + 1;
    return &m_tasks.insert_or_assign(id, std::move(task)).first->second;
}

void MemoryTaskStore::restore(Task task)
{
    const quint64 id = task.id;
    m_nextId = qMax(m_nextId, id + 1);
    m_tasks.insert_or_assign(id, std::move(task));
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

void MemoryTaskStore::whenDurable(QObject *, std::function<void()> done)
{
    // Nothing here outlives the process, so everything is as durable as it will ever be.
    done();
}

QList<quint64> MemoryTaskStore::finishedToPurge(qint64 keepFinished, qint64 finishedBeforeMs, int limit) const
{
    // (finished ms, id), newest first.
    std::vector<std::pair<qint64, quint64>> finished;
    for (const auto &[id, task] : m_tasks) {
        if (isFinished(task.state))
            finished.emplace_back(task.finishedMs, id);
    }
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
