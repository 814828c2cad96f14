#include "sqlitetaskrow.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>

namespace {

QList<TaskAttempt> historyFromJson(const QByteArray &json)
{
    QList<TaskAttempt> history;
    const QJsonArray array = QJsonDocument::fromJson(json).array();
    for (const QJsonValue &v : array) {
        const QJsonObject o = v.toObject();
        history.append({o.value(QStringLiteral("worker")).toString(), o.value(QStringLiteral("started_ms")).toInteger(),
                        o.value(QStringLiteral("finished_ms")).toInteger(), o.value(QStringLiteral("outcome")).toString()});
    }
    return history;
}

} // namespace

namespace SqliteTaskRow {

Task read(const QSqlQuery &query)
{
    Task task;
    task.id = query.value(0).toULongLong();
    task.spec.kind = query.value(1).toString();
    task.spec.args = query.value(2).toByteArray();
    task.spec.priority = query.value(3).toInt();
    task.spec.timeoutMs = query.value(4).toLongLong();
    task.spec.maxAttempts = query.value(5).toInt();
    const int state = query.value(6).toInt();
    task.state = state >= 0 && state < TaskStateCount ? TaskState(state) : TaskState::Queued;
    task.attempts = query.value(7).toInt();
    task.worker = query.value(8).toString();
    task.result = query.value(9).toByteArray();
    task.error = query.value(10).toString();
    task.createdMs = query.value(11).toLongLong();
    task.startedMs = query.value(12).toLongLong();
    task.finishedMs = query.value(13).toLongLong();
    task.duplicateResults = query.value(14).toInt();
    task.history = historyFromJson(query.value(15).toByteArray());
    const QString tags = query.value(16).toString();
    if (!tags.isEmpty())
        task.spec.requiredTags = tags.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    task.spec.retryDelayMs = query.value(17).toLongLong();
    task.spec.runAtMs = query.value(18).toLongLong();
    task.key = TaskKey::fromBytes(query.value(19).toByteArray());
    return task;
}

} // namespace SqliteTaskRow
