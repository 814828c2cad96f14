#include "taskdetailpane.h"

#include "models/taskstatestyle.h"
#include "task/task.h"
#include "util/jsonvalue.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <limits>

namespace {

QString time(qint64 ms)
{
    return ms ? QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss.zzz")) : QStringLiteral("-");
}

QString pre(const QString &text)
{
    return QStringLiteral("<pre>") + text.toHtmlEscaped() + QStringLiteral("</pre>");
}

} // namespace

TaskDetailPane::TaskDetailPane(QWidget *parent)
    : QTextBrowser(parent)
{
    setOpenLinks(false);
    setPlaceholderText(tr("Select a task to see its details."));
}

QString TaskDetailPane::prettyJson(const QByteArray &compact)
{
    QJsonValue value;
    if (!JsonValue::parse(compact, &value))
        return QString::fromUtf8(compact);
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented)).trimmed();
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented)).trimmed();
    return QString::fromUtf8(compact);
}

void TaskDetailPane::showTask(const Task *task)
{
    if (!task) {
        clear();
        return;
    }
    QString html = QStringLiteral("<h3>") + tr("Task %1: %2").arg(task->id).arg(task->spec.kind.toHtmlEscaped())
            + QStringLiteral(" &mdash; <span style='color:%1'>%2</span></h3>")
                      .arg(TaskStateStyle::colour(task->state).name(), TaskStateStyle::label(task->state));
    html += QStringLiteral("<b>") + tr("Args") + QStringLiteral("</b>") + pre(prettyJson(task->spec.args));
    if (task->state == TaskState::Done) {
        QJsonValue result;
        html += QStringLiteral("<b>") + tr("Result") + QStringLiteral("</b>");
        // exec results carry the program's output: show it as text, not as escaped JSON strings.
        if (JsonValue::parse(task->result, &result) && result.isObject()
            && (result.toObject().contains(QLatin1String("stdout")) || result.toObject().contains(QLatin1String("stderr")))) {
            const QJsonObject object = result.toObject();
            QJsonObject rest = object;
            rest.remove(QLatin1String("stdout"));
            rest.remove(QLatin1String("stderr"));
            html += pre(QString::fromUtf8(QJsonDocument(rest).toJson(QJsonDocument::Indented)).trimmed());
            html += QStringLiteral("<b>") + tr("Standard output") + QStringLiteral("</b>")
                    + pre(object.value(QLatin1String("stdout")).toString());
            html += QStringLiteral("<b>") + tr("Standard error") + QStringLiteral("</b>")
                    + pre(object.value(QLatin1String("stderr")).toString());
        } else {
            html += pre(prettyJson(task->result));
        }
    }
    if (!task->error.isEmpty())
        html += QStringLiteral("<b>") + tr("Error") + QStringLiteral("</b>") + pre(task->error);
    // A timeout of 0 means none: the task may run as long as it takes.
    const QString timeout = task->spec.timeoutMs > 0 ? tr("timeout %1 ms").arg(task->spec.timeoutMs)
                                                     : tr("no timeout");
    html += QStringLiteral("<p>") + tr("Priority %1, %2, attempts %3 of %4")
                                            .arg(task->spec.priority)
                                            .arg(timeout)
                                            .arg(task->attempts)
                                            .arg(task->spec.maxAttempts)
            + QStringLiteral("<br>")
            + tr("Created %1, started %2, finished %3")
                      .arg(time(task->createdMs), time(task->startedMs), time(task->finishedMs))
            + (task->durationMicros() >= 0 ? QStringLiteral("<br>") + tr("Ran %1").arg(TaskStateStyle::duration(task->durationMicros()))
                                            : QString())
            + QStringLiteral("</p>");
    if (!task->history.isEmpty()) {
        html += QStringLiteral("<b>") + tr("Attempts") + QStringLiteral("</b><table cellpadding='3'><tr><th>#</th><th>")
                + tr("Worker") + QStringLiteral("</th><th>") + tr("Started") + QStringLiteral("</th><th>")
                + tr("Finished") + QStringLiteral("</th><th>") + tr("Ran") + QStringLiteral("</th><th>") + tr("Outcome")
                + QStringLiteral("</th></tr>");
        // Numbered as dispatched: only the last ones are kept, after a note of how many were not.
        quint32 n = task->droppedDispatches();
        if (n > 0) {
            html += QStringLiteral("<tr><td colspan='6'>%1</td></tr>")
                            .arg(tr("%n earlier dispatch(es) not kept", nullptr, int(qMin<quint32>(n, quint32(std::numeric_limits<int>::max())))));
        }
        for (const TaskAttempt &attempt : task->history) {
            html += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td><td>%6</td></tr>")
                            .arg(++n)
                            .arg(attempt.worker.toHtmlEscaped(), time(attempt.startedMs), time(attempt.finishedMs),
                                 TaskStateStyle::duration(attempt.runMicros), attempt.outcome.toHtmlEscaped());
        }
        html += QStringLiteral("</table>");
    }
    setHtml(html);
}
