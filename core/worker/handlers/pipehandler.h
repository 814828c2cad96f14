#pragma once

#include "worker/handlerspec.h"
#include "worker/taskhandler.h"

#include <QObject>

#include <vector>

class PipeProcess;
class PipeRun;

// A "pipe" handler: up to `slots` long-lived processes of one program, started as tasks need
// them. A task goes to the process with the fewest tasks in flight; a process may hold several
// and answer in any order (how many at most follows from the worker's slots: it never runs more
// tasks at once than it has slots). While the program keeps failing at start, no new processes
// are started beside the failing ones, and tasks that find none up fail retryably with the reason.
class PipeHandler final : public QObject, public TaskHandler
{
    Q_OBJECT

public:
    PipeHandler(HandlerSpec spec, int defaultSlots, QObject *parent = nullptr);
    ~PipeHandler() override;

    QString kind() const override { return m_spec.kind; }
    TaskRun *prepare(const TaskInput &input, TaskOutcome *outcome, QObject *parent) override;

    void submit(PipeRun *run);

    // For tests and the log: the processes so far.
    const std::vector<PipeProcess *> &processes() const { return m_processes; }
    int maxProcesses() const { return m_maxProcesses; }

private:
    HandlerSpec m_spec;
    int m_maxProcesses;
    std::vector<PipeProcess *> m_processes;
    bool m_failing = false; // a process exited unexpectedly and none has answered since
};
