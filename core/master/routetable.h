#pragma once

// Which queued task may go to which worker. Tasks wait in one queue per route, a route being a
// kind and a set of required tags; a worker can take a route when it runs the kind and has
// every tag. The routes with tasks due are kept ordered by their best task (priority, then
// id), so a free worker takes the best task it may run by walking that order to the first
// route it can take: with workers that run most kinds that is the first one, and the work per
// task does not grow with the number of kinds.

#include "master/taskqueue.h"
#include "task/task.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

class RouteTable final
{
public:
    struct Route {
        QString kind;
        QStringList requiredTags;
        quint64 ready = 0; // queued and due
        quint64 delayed = 0; // queued, not due yet
        int workers = 0; // connected workers that can take it
    };

    // The route of a spec, made on first use and matched against the workers present.
    int routeFor(const TaskSpec &spec);
    // The route of a spec if it exists already.
    std::optional<int> find(const TaskSpec &spec) const;
    const Route &route(int index) const { return m_routes[size_t(index)].info; }
    int routeCount() const { return int(m_routes.size()); }

    void addWorker(quint64 worker, const QStringList &kinds, const QStringList &tags);
    void removeWorker(quint64 worker);
    bool serves(quint64 worker, int route) const;

    // A queued task that is due.
    void pushReady(int route, qint32 priority, quint64 id);
    // A queued, due task that left the queue some other way (cancelled): the queue skips it later.
    void forgetReady(int route) { --m_routes[size_t(route)].info.ready; --m_ready; }
    void addDelayed(int route) { ++m_routes[size_t(route)].info.delayed; }
    void removeDelayed(int route) { --m_routes[size_t(route)].info.delayed; }
    quint64 readyCount() const { return m_ready; }

    // The best due task that worker may run, taken from its queue; stillQueued tells the
    // entries of tasks that are no longer queued, which are dropped.
    std::optional<quint64> take(quint64 worker, const std::function<bool(quint64)> &stillQueued);

private:
    // Ordered best first: higher priority, then lower id.
    using HeadKey = std::tuple<qint64, quint64, int>; // (-priority, id, route)

    struct Entry {
        Route info;
        TaskQueue queue;
        std::optional<HeadKey> head; // its key in m_heads while it has tasks
    };
    struct Worker {
        QSet<QString> kinds;
        QSet<QString> tags;
        std::vector<char> serves; // indexed by route
    };

    static bool matches(const Worker &worker, const Route &route);
    void setHead(int route, std::optional<std::pair<qint32, quint64>> head);

    std::vector<Entry> m_routes;
    QHash<QString, QList<int>> m_byKind; // kind -> its routes, one per set of required tags
    QHash<quint64, Worker> m_workers;
    std::set<HeadKey> m_heads;
    quint64 m_ready = 0;
};
