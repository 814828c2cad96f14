#include "routetable.h"

std::optional<int> RouteTable::find(const TaskSpec &spec) const
{
    for (int index : m_byKind.value(spec.kind)) {
        if (m_routes[size_t(index)].info.requiredTags == spec.requiredTags)
            return index;
    }
    return std::nullopt;
}

int RouteTable::routeFor(const TaskSpec &spec)
{
    if (const std::optional<int> existing = find(spec))
        return *existing;
    QList<int> &routes = m_byKind[spec.kind];
    const int index = int(m_routes.size());
    Entry entry;
    entry.info.kind = spec.kind;
    entry.info.requiredTags = spec.requiredTags;
    for (auto it = m_workers.begin(); it != m_workers.end(); ++it) {
        const bool can = matches(it.value(), entry.info);
        it->serves.resize(size_t(index) + 1, 0);
        it->serves[size_t(index)] = can;
        entry.info.workers += can;
    }
    m_routes.push_back(std::move(entry));
    routes.append(index);
    return index;
}

bool RouteTable::matches(const Worker &worker, const Route &route)
{
    if (!worker.kinds.contains(route.kind))
        return false;
    for (const QString &tag : route.requiredTags) {
        if (!worker.tags.contains(tag))
            return false;
    }
    return true;
}

void RouteTable::addWorker(quint64 worker, const QStringList &kinds, const QStringList &tags)
{
    removeWorker(worker);
    Worker &w = m_workers[worker];
    w.kinds = QSet<QString>(kinds.cbegin(), kinds.cend());
    w.tags = QSet<QString>(tags.cbegin(), tags.cend());
    w.serves.resize(m_routes.size(), 0);
    for (size_t i = 0; i < m_routes.size(); ++i) {
        w.serves[i] = matches(w, m_routes[i].info);
        m_routes[i].info.workers += w.serves[i];
    }
}

void RouteTable::removeWorker(quint64 worker)
{
    const auto it = m_workers.constFind(worker);
    if (it == m_workers.cend())
        return;
    for (size_t i = 0; i < it->serves.size(); ++i)
        m_routes[i].info.workers -= it->serves[i];
    m_workers.erase(it);
}

bool RouteTable::serves(quint64 worker, int route) const
{
    const auto it = m_workers.constFind(worker);
    return it != m_workers.cend() && size_t(route) < it->serves.size() && it->serves[size_t(route)];
}

void RouteTable::setHead(int route, std::optional<std::pair<qint32, quint64>> head)
{
    Entry &entry = m_routes[size_t(route)];
    std::optional<HeadKey> key;
    if (head)
        key = HeadKey{-qint64(head->first), head->second, route};
    if (key == entry.head)
        return;
    if (entry.head && key) {
        // Reuse the node: a head moves on every take, and this spares an allocation each time.
        auto node = m_heads.extract(*entry.head);
        node.value() = *key;
        m_heads.insert(std::move(node));
    } else if (entry.head) {
        m_heads.erase(*entry.head);
    } else {
        m_heads.insert(*key);
    }
    entry.head = key;
}

void RouteTable::pushReady(int route, qint32 priority, quint64 id)
{
    Entry &entry = m_routes[size_t(route)];
    entry.queue.push(priority, id);
    ++entry.info.ready;
    ++m_ready;
    // Fresh ids only grow, so most pushes leave the head where it is.
    const HeadKey key{-qint64(priority), id, route};
    if (!entry.head || key < *entry.head)
        setHead(route, std::pair{priority, id});
}

std::optional<quint64> RouteTable::take(quint64 worker, const std::function<bool(quint64)> &stillQueued)
{
    const auto w = m_workers.constFind(worker);
    if (w == m_workers.cend() || m_ready == 0)
        return std::nullopt;
    for (auto it = m_heads.begin(); it != m_heads.end();) {
        const int route = std::get<2>(*it);
        if (size_t(route) >= w->serves.size() || !w->serves[size_t(route)]) {
            ++it;
            continue;
        }
        Entry &entry = m_routes[size_t(route)];
        // The recorded head may be a task cancelled since: place the route by its real head
        // first, so that order across routes holds.
        const auto head = entry.queue.peek(stillQueued);
        if (!head || HeadKey{-qint64(head->first), head->second, route} != *it) {
            setHead(route, head);
            it = m_heads.begin();
            continue;
        }
        const quint64 id = *entry.queue.pop(stillQueued);
        --entry.info.ready;
        --m_ready;
        setHead(route, entry.queue.peek(stillQueued));
        return id;
    }
    return std::nullopt;
}
