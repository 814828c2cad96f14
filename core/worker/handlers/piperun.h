#pragma once

// One task given to a pipe handler: it waits for the answer line with its id, or for its
// timeout (which replaces the process, as a cancel does).

#include "worker/taskhandler.h"

#include <QPointer>
#include <QTimer>

class PipeHandler;
class PipeProcess;

class PipeRun final : public TaskRun
{
    Q_OBJECT

public:
    PipeRun(PipeHandler *handler, const TaskInput &input, qint64 timeoutMs, QObject *parent);
    ~PipeRun() override;

    void start() override;
    void cancel() override;

    const TaskInput &input() const { return m_input; }
    void setProcess(PipeProcess *process) { m_process = process; }
    // Reports the outcome, once; later calls do nothing.
    void deliver(const TaskOutcome &outcome);
    // The same from the next event loop turn, for outcomes that arise inside someone's call
    // into the handler (a start or a cancel), where the caller is not ready for a signal.
    void deliverLater(const TaskOutcome &outcome);

private:
    QPointer<PipeHandler> m_handler;
    QPointer<PipeProcess> m_process;
    TaskInput m_input;
    qint64 m_timeoutMs;
    QTimer m_timer;
    bool m_done = false;
};
