#include "retention.h"

#include "master/scheduler.h"
#include "util/logging.h"

#include <QDateTime>
#include <QTimer>

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
    purgeBatch();
}

void Retention::purgeBatch()
{
    const qint64 cutoff = m_settings.keepDays >= 0
            ? QDateTime::currentMSecsSinceEpoch() - m_settings.keepDays * 24 * 3600 * 1000
            : 0;
    const QList<quint64> ids = m_scheduler->store().finishedToPurge(m_settings.keepFinished, cutoff, m_settings.batchSize);
    const int removed = m_scheduler->remove(ids);
    m_purgedThisPass += removed;
    m_purgedTotal += quint64(removed);
    if (removed > 0 && ids.size() >= m_settings.batchSize) {
        // More to do: go on after whatever else is waiting in the event loop.
        QTimer::singleShot(0, this, &Retention::purgeBatch);
        return;
    }
    m_passRunning = false;
    if (m_purgedThisPass > 0)
        qCInfo(lcMaster) << "retention purged" << m_purgedThisPass << "finished tasks";
    Q_EMIT passFinished(m_purgedThisPass);
}
