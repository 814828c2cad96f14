#include "taskqueue.h"

void TaskQueue::push(qint32 priority, quint64 id)
{
    Lane &lane = m_lanes[priority];
    if (lane.fresh.empty() || id > lane.fresh.back())
        lane.fresh.push_back(id);
    else
        lane.returned.insert(id);
}

std::optional<quint64> TaskQueue::pop(const std::function<bool(quint64)> &stillQueued)
{
    while (!m_lanes.empty()) {
        auto lane = m_lanes.begin();
        Lane &l = lane->second;
        while (!l.fresh.empty() || !l.returned.empty()) {
            quint64 id;
            if (!l.returned.empty() && (l.fresh.empty() || *l.returned.begin() < l.fresh.front())) {
                id = *l.returned.begin();
                l.returned.erase(l.returned.begin());
            } else {
                id = l.fresh.front();
                l.fresh.pop_front();
            }
            if (stillQueued(id)) {
                if (l.fresh.empty() && l.returned.empty())
                    m_lanes.erase(lane);
                return id;
            }
        }
        m_lanes.erase(lane);
    }
    return std::nullopt;
}

std::optional<std::pair<qint32, quint64>> TaskQueue::peek(const std::function<bool(quint64)> &stillQueued)
{
    while (!m_lanes.empty()) {
        auto lane = m_lanes.begin();
        Lane &l = lane->second;
        while (!l.fresh.empty() || !l.returned.empty()) {
            const bool fromReturned = !l.returned.empty() && (l.fresh.empty() || *l.returned.begin() < l.fresh.front());
            const quint64 id = fromReturned ? *l.returned.begin() : l.fresh.front();
            if (stillQueued(id))
                return std::pair{lane->first, id};
            if (fromReturned)
                l.returned.erase(l.returned.begin());
            else
                l.fresh.pop_front();
        }
        m_lanes.erase(lane);
    }
    return std::nullopt;
}
