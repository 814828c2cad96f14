#pragma once

// What the two halves of the scheduler (scheduler.cpp: tasks and workers; schedulerdispatch.cpp:
// dispatch, reclaim and timers) share. Public operations nest (a result can free a slot that
// dispatch fills); dispatch and the change signals run once, when the outermost operation ends.

#include <QDateTime>

#include <functional>

namespace SchedulerDetail {

inline qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

class Batch
{
public:
    explicit Batch(int &depth, std::function<void()> done) : m_depth(depth), m_done(std::move(done)) { ++m_depth; }
    ~Batch()
    {
        if (--m_depth == 0)
            m_done();
    }
    Batch(const Batch &) = delete;
    Batch &operator=(const Batch &) = delete;

private:
    int &m_depth;
    std::function<void()> m_done;
};

} // namespace SchedulerDetail

#define SCHEDULER_BATCH SchedulerDetail::Batch batch(m_depth, [this] { dispatch(); flush(); })
