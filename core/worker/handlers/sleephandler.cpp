#include "sleephandler.h"

#include "argsreader.h"
#include "delayedrun.h"

#include <QJsonObject>

TaskRun *SleepHandler::prepare(const TaskInput &input, TaskOutcome *outcome, QObject *parent)
{
    const QJsonValue &args = input.args;
    QString error;
    const auto ms = ArgsReader::integer(args, QStringLiteral("ms"), true, &error);
    if (!ms) {
        *outcome = TaskOutcome::failure(QStringLiteral("sleep: ") + error);
        return nullptr;
    }
    if (*ms < 0 || *ms > MaxMs) {
        *outcome = TaskOutcome::failure(QStringLiteral("sleep: ms must be between 0 and %1, not %2").arg(MaxMs).arg(*ms));
        return nullptr;
    }
    return new DelayedRun(*ms, TaskOutcome::success(QJsonObject{{QStringLiteral("slept_ms"), *ms}}), parent);
}
