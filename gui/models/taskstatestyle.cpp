#include "taskstatestyle.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <array>

namespace TaskStateStyle {

QString label(TaskState state)
{
    switch (state) {
    case TaskState::Queued: return QCoreApplication::translate("TaskState", "queued");
    case TaskState::Running: return QCoreApplication::translate("TaskState", "running");
    case TaskState::Done: return QCoreApplication::translate("TaskState", "done");
    case TaskState::Failed: return QCoreApplication::translate("TaskState", "failed");
    case TaskState::Cancelled: return QCoreApplication::translate("TaskState", "cancelled");
    }
    return {};
}

QColor colour(TaskState state)
{
    switch (state) {
    case TaskState::Queued: return QColor(0x60, 0x60, 0x60);
    case TaskState::Running: return QColor(0x1e, 0x6f, 0xd9);
    case TaskState::Done: return QColor(0x1a, 0x8a, 0x3a);
    case TaskState::Failed: return QColor(0xc6, 0x28, 0x28);
    case TaskState::Cancelled: return QColor(0xb0, 0x6a, 0x00);
    }
    return {};
}

QIcon icon(TaskState state)
{
    // Built once: data() asks for icons on every repaint.
    static const std::array<QIcon, TaskStateCount> icons = {
        QIcon(QStringLiteral(":/icons/state-queued.svg")), QIcon(QStringLiteral(":/icons/state-running.svg")),
        QIcon(QStringLiteral(":/icons/state-done.svg")), QIcon(QStringLiteral(":/icons/state-failed.svg")),
        QIcon(QStringLiteral(":/icons/state-cancelled.svg")),
    };
    return icons[size_t(state)];
}

QString commandProblem(const Task &task)
{
    if (task.state != TaskState::Done || task.spec.kind != QLatin1String("exec"))
        return {};
    // exec's record names exit_code and crashed before its output (keys in order), so a large
    // output is not parsed on every paint: past this size only its start is read.
    constexpr qsizetype ParsedWhole = 64 * 1024;
    const qsizetype output = task.result.indexOf(",\"std");
    const QJsonObject record = QJsonDocument::fromJson(task.result.size() > ParsedWhole && output > 0
                                                               ? task.result.left(output) + '}'
                                                               : task.result)
                                       .object();
    if (record.value(QLatin1String("crashed")).toBool())
        return QCoreApplication::translate("TaskState", "crashed");
    const QJsonValue code = record.value(QLatin1String("exit_code"));
    if (code.isDouble() && code.toInteger() != 0)
        return QCoreApplication::translate("TaskState", "exit code %1").arg(code.toInteger());
    return {};
}

QString duration(qint64 micros)
{
    if (micros < 0)
        return {};
    const QLocale locale;
    if (micros < 1'000)
        return QCoreApplication::translate("TaskDuration", "%1 µs").arg(locale.toString(micros));
    if (micros < 10'000)
        return QCoreApplication::translate("TaskDuration", "%1 ms").arg(locale.toString(double(micros) / 1000, 'f', 2));
    if (micros < 10'000'000)
        return QCoreApplication::translate("TaskDuration", "%1 ms").arg(locale.toString((micros + 500) / 1000));
    return QCoreApplication::translate("TaskDuration", "%1 s").arg(locale.toString(double(micros) / 1e6, 'f', 1));
}

} // namespace TaskStateStyle
