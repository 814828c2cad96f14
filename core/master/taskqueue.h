#pragma once

// The order in which queued tasks go out: higher priority first, then lower id first. Eight
// bytes per queued task: ids arrive in increasing order, so each priority keeps them in a
// deque, and only tasks that come back (requeued, retried) go into a sorted set.
// Removal is lazy: a cancelled task stays in place and pop() skips whatever the caller says is
// no longer queued, so an id may be popped at most once per time it was pushed.

#include <QtGlobal>

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>

class TaskQueue final
{
public:
    void push(qint32 priority, quint64 id);
    // The next id for which stillQueued(id) holds; entries it rejects are dropped.
    std::optional<quint64> pop(const std::function<bool(quint64)> &stillQueued);
    // The priority and id pop() would return next, without taking it; drops rejected entries.
    std::optional<std::pair<qint32, quint64>> peek(const std::function<bool(quint64)> &stillQueued);
    bool isEmpty() const { return m_lanes.empty(); }

private:
    struct Lane {
        std::deque<quint64> fresh; // increasing
        std::set<quint64> returned;
    };
    std::map<qint32, Lane, std::greater<>> m_lanes;
};
