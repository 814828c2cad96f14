#include "squarehandler.h"

#include "argsreader.h"

#include <QtNumeric>

TaskRun *SquareHandler::prepare(const TaskInput &input, TaskOutcome *outcome, QObject *)
{
    const QJsonValue &args = input.args;
    QString error;
    const auto n = ArgsReader::integer(args, QStringLiteral("n"), true, &error);
    if (!n) {
        *outcome = TaskOutcome::failure(QStringLiteral("square: ") + error);
        return nullptr;
    }
    qint64 square = 0;
    if (qMulOverflow(qint64(*n), qint64(*n), &square)) { // not __builtin_mul_overflow: MSVC has none
        *outcome = TaskOutcome::failure(QStringLiteral("square: %1 squared does not fit in a 64-bit integer").arg(*n));
        return nullptr;
    }
    *outcome = TaskOutcome::success(QJsonValue(square));
    return nullptr;
}
