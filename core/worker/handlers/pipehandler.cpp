#include "pipehandler.h"

#include "pipeprocess.h"
#include "piperun.h"

PipeHandler::PipeHandler(HandlerSpec spec, int defaultSlots, QObject *parent)
    : QObject(parent), m_spec(std::move(spec)), m_maxProcesses(m_spec.slots > 0 ? m_spec.slots : qMax(1, defaultSlots))
{
}

PipeHandler::~PipeHandler()
{
    // Each process fails what it still holds and kills its tree.
    for (PipeProcess *process : m_processes)
        delete process;
}

TaskRun *PipeHandler::prepare(const TaskInput &input, TaskOutcome *, QObject *parent)
{
    return new PipeRun(this, input, m_spec.timeoutFor(input.timeoutMs), parent);
}

void PipeHandler::submit(PipeRun *run)
{
    PipeProcess *best = nullptr;
    for (PipeProcess *process : m_processes) {
        if (process->isUp() && (!best || process->load() < best->load()))
            best = process;
    }
    const bool busy = !best || best->load() > 0;
    if (busy && int(m_processes.size()) < m_maxProcesses && !m_failing) {
        auto *process = new PipeProcess(m_spec, int(m_processes.size()), this);
        connect(process, &PipeProcess::answered, this, [this] { m_failing = false; });
        connect(process, &PipeProcess::exitedUnexpectedly, this, [this] { m_failing = true; });
        m_processes.push_back(process);
        if (process->isUp())
            best = process;
    }
    if (!best) {
        // Every process is waiting out a backoff: say why now rather than hold the task.
        QString reason = QStringLiteral("no process of handler %1 is running").arg(m_spec.kind);
        for (PipeProcess *process : m_processes) {
            if (!process->isUp()) {
                reason = process->downReason();
                break;
            }
        }
        run->deliverLater(TaskOutcome::retryableFailure(reason));
        return;
    }
    best->send(run);
}
