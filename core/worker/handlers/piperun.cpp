#include "piperun.h"

#include "pipehandler.h"
#include "pipeprocess.h"

PipeRun::PipeRun(PipeHandler *handler, const TaskInput &input, qint64 timeoutMs, QObject *parent)
    : TaskRun(parent), m_handler(handler), m_input(input), m_timeoutMs(timeoutMs)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        const TaskOutcome outcome = TaskOutcome::retryableFailure(QStringLiteral("timed out after %1 ms").arg(m_timeoutMs));
        if (PipeProcess *process = m_process.data())
            process->abandon(this, QStringLiteral("task %1 timed out").arg(m_input.id));
        deliver(outcome);
    });
}

PipeRun::~PipeRun()
{
    if (PipeProcess *process = m_process.data())
        process->forget(this);
}

void PipeRun::start()
{
    if (m_timeoutMs > 0)
        m_timer.start(std::chrono::milliseconds(m_timeoutMs));
    if (PipeHandler *handler = m_handler.data())
        handler->submit(this);
    else
        deliverLater(TaskOutcome::retryableFailure(QStringLiteral("the handler is gone")));
}

void PipeRun::cancel()
{
    if (m_done)
        return;
    m_done = true;
    m_timer.stop();
    // The process may be busy with this task for a long time: replacing it is the only sure stop.
    if (PipeProcess *process = m_process.data())
        process->abandon(this, QStringLiteral("task %1 was cancelled").arg(m_input.id));
}

void PipeRun::deliver(const TaskOutcome &outcome)
{
    if (m_done)
        return;
    m_done = true;
    m_timer.stop();
    m_process.clear();
    Q_EMIT finished(outcome);
}

void PipeRun::deliverLater(const TaskOutcome &outcome)
{
    QMetaObject::invokeMethod(this, [this, outcome] { deliver(outcome); }, Qt::QueuedConnection);
}
