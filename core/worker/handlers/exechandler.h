#pragma once

#include "worker/taskhandler.h"

// exec: {"argv": [program, args...], "cwd"?: str, "env"?: {name: value}, "stdin"?: str}
//   -> {"exit_code", "stdout", "stderr", "stdout_truncated", "stderr_truncated", "crashed"}.
// No shell is involved. Output beyond the cap is dropped and marked. A cancel kills the
// process. Refused unless the worker was started with --allow-exec.
class ExecHandler final : public TaskHandler
{
public:
    static constexpr qint64 DefaultOutputCap = 1024 * 1024;

    explicit ExecHandler(bool allowed, qint64 outputCap = DefaultOutputCap)
        : m_allowed(allowed), m_outputCap(outputCap)
    {
    }
    QString kind() const override { return QStringLiteral("exec"); }
    TaskRun *prepare(const TaskInput &input, TaskOutcome *outcome, QObject *parent) override;

private:
    bool m_allowed;
    qint64 m_outputCap;
};
