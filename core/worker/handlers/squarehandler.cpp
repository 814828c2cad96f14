#include "squarehandler.h"

#include "argsreader.h"
#include "delayedrun.h"

#include <QtNumeric>

TaskRun *SquareHandler::prepare(const TaskInput &input, TaskOutcome *outcome, QObject *parent)
{
    const QJsonValue &args = input.args;
    QString error;
    const auto n = ArgsReader::integer(args, QStringLiteral("n"), true, &error);
    if (!n) {
        *outcome = TaskOutcome::failure(QStringLiteral("square: ") + error);
        return nullptr;
    }
    std::optional<qint64> ms;
    if (args.isObject() && args.toObject().contains(QStringLiteral("ms"))) {
        ms = ArgsReader::integer(args, QStringLiteral("ms"), false, &error);
        if (!ms) {
            *outcome = TaskOutcome::failure(QStringLiteral("square: ") + error);
            return nullptr;
        }
        if (*ms < 0 || *ms > MaxDelayMs) {
            *outcome = TaskOutcome::failure(
                    QStringLiteral("square: ms must be between 0 and %1, not %2").arg(MaxDelayMs).arg(*ms));
            return nullptr;
        }
    }
    qint64 square = 0;
    if (qMulOverflow(qint64(*n), qint64(*n), &square)) { // not __builtin_mul_overflow: MSVC has none
        *outcome = TaskOutcome::failure(QStringLiteral("square: %1 squared does not fit in a 64-bit integer").arg(*n));
        return nullptr;
    }
    if (ms)
        return new DelayedRun(*ms, TaskOutcome::success(QJsonValue(square)), parent);
    *outcome = TaskOutcome::success(QJsonValue(square));
    return nullptr;
}
