#pragma once

#include "worker/taskhandler.h"

#include <QTimer>

// A run that reports a known outcome after a delay, on a timer: the worker's event loop keeps
// serving heartbeats and cancels meanwhile, and a cancel stops the report.
class DelayedRun final : public TaskRun
{
public:
    DelayedRun(qint64 ms, TaskOutcome outcome, QObject *parent);
    void start() override;
    void cancel() override { m_timer.stop(); }

private:
    qint64 m_ms;
    TaskOutcome m_outcome;
    QTimer m_timer;
};
