#pragma once

#include "worker/handlerspec.h"
#include "worker/taskhandler.h"

// A "once" handler: one process per task. The args go to its stdin, then EOF; exit 0 with one
// JSON value on stdout is the result, exit 75 asks for a retry, anything else fails with the
// exit status and the tail of stderr. A timeout or a cancel kills the whole process tree.
class CommandHandler final : public TaskHandler
{
public:
    explicit CommandHandler(HandlerSpec spec) : m_spec(std::move(spec)) {}
    QString kind() const override { return m_spec.kind; }
    TaskRun *prepare(const TaskInput &input, TaskOutcome *outcome, QObject *parent) override;

    // How much of an invalid stdout the error shows.
    static constexpr qsizetype InvalidOutputExcerpt = 200;

private:
    HandlerSpec m_spec;
};
