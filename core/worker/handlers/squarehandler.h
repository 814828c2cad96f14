#pragma once

#include "worker/taskhandler.h"

// square: {"n": int} (or a bare int) -> n*n as an integer; the classic demo.
// {"n": int, "ms": int} answers after ms milliseconds on a timer (cancellable), so a classroom
// can watch tasks spread over the workers; ms is at most MaxDelayMs.
class SquareHandler final : public TaskHandler
{
public:
    static constexpr qint64 MaxDelayMs = 10'000;
    QString kind() const override { return QStringLiteral("square"); }
    TaskRun *prepare(const TaskInput &input, TaskOutcome *outcome, QObject *parent) override;
};
