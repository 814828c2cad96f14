#pragma once

#include "worker/taskhandler.h"

// sha256: {"path": str} -> {"path", "sha256" (hex), "size"}: hashes a file on a disk the worker
// sees (send paths, not data). Reads on a pool thread; a cancel stops between chunks.
class Sha256Handler final : public TaskHandler
{
public:
    QString kind() const override { return QStringLiteral("sha256"); }
    TaskRun *prepare(const TaskInput &input, TaskOutcome *outcome, QObject *parent) override;
};
