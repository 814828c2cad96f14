#include "delayedrun.h"

#include <chrono>

DelayedRun::DelayedRun(qint64 ms, TaskOutcome outcome, QObject *parent)
    : TaskRun(parent)
    , m_ms(ms)
    , m_outcome(std::move(outcome))
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    QObject::connect(&m_timer, &QTimer::timeout, this, [this] { Q_EMIT finished(m_outcome); });
}

void DelayedRun::start()
{
    m_timer.start(std::chrono::milliseconds(m_ms));
}
