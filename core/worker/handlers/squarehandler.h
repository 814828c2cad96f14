#pragma once

#include "worker/taskhandler.h"

// square: {"n": int} (or a bare int) -> n*n as an integer; the classic demo.
class SquareHandler final : public TaskHandler
{
public:
    QString kind() const override { return QStringLiteral("square"); }
    TaskRun *prepare(const TaskInput &input, TaskOutcome *outcome, QObject *parent) override;
};
