#include "retention.h"

#include "master/scheduler.h"
#include "util/logging.h"

#include <QDateTime>
#include <QTimer>

#include <limits>

Retention::Retention(Scheduler *scheduler, const Settings &settings, QObject *parent)
    : QObject(parent), m_scheduler(scheduler), m_settings(settings), m_interval(new QTimer(this))
{
    m_interval->setInterval(m_settings.intervalMs);
    connect(m_interval, &QTimer::timeout, this, &Retention::beginPass);
}

void Retention::start()
{
    if (!m_settings.enabled())
        return;
    m_interval->start();
    beginPass();
}

void Retention::beginPass()
{
    if (m_passRunning)
        return;
    m_passRunning = true;
    m_purgedThisPass = 0;
    const qint64 cutoff = m_settings.keepDays >= 0
            ? QDateTime::currentMSecsSinceEpoch() - m_settings.keepDays * 24 * 3600 * 1000
            : 0;
    // Choosing means sorting every finished task by age: do it once for the whole pass, not
    // once a batch. A task that finishes during the pass waits for the next one; one removed
    // meanwhile is skipped by Scheduler::remove.
    m_toPurge = m_scheduler->store().finishedToPurge(m_settings.keepFinished, cutoff, std::numeric_limits<int>::max());
    m_nextToPurge = 0;
    purgeBatch();
}

void Retention::purgeBatch()
{
    const qsizetype count = qMin<qsizetype>(m_settings.batchSize, m_toPurge.size() - m_nextToPurge);
    const int removed = m_scheduler->remove(m_toPurge.mid(m_nextToPurge, count));
    m_nextToPurge += count;
    m_purgedThisPass += removed;
    m_purgedTotal += quint64(removed);
    if (m_nextToPurge < m_toPurge.size()) {
        // More to do: go on after whatever else is waiting in the event loop.
        QTimer::singleShot(0, this, &Retention::purgeBatch);
        return;
    }
    m_toPurge = {};
    m_passRunning = false;
    if (m_purgedThisPass > 0)
        qCInfo(lcMaster) << "retention purged" << m_purgedThisPass << "finished tasks";
    Q_EMIT passFinished(m_purgedThisPass);
}
