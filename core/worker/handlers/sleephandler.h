#pragma once

#include "worker/taskhandler.h"

// sleep: {"ms": int} (or a bare int) -> waits on a timer, then {"slept_ms": ms}.
class SleepHandler final : public TaskHandler
{
public:
    static constexpr qint64 MaxMs = 7 * 24 * 3600 * 1000LL;
    QString kind() const override { return QStringLiteral("sleep"); }
    TaskRun *prepare(const TaskInput &input, TaskOutcome *outcome, QObject *parent) override;
};
