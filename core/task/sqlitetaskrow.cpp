#include "sqlitetaskrow.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>

#include <limits>

namespace {

const QString DispatchesKey = QStringLiteral("dispatches");
const QString KeptKey = QStringLiteral("kept");
const QString RunKey = QStringLiteral("run_us"); // absent in rows written before it was kept

void readHistory(const QByteArray &json, Task *task)
{
    const QJsonDocument document = QJsonDocument::fromJson(json);
    const QJsonArray array = document.isObject() ? document.object().value(KeptKey).toArray() : document.array();
    for (const QJsonValue &v : array) {
        const QJsonObject o = v.toObject();
        task->history.append({o.value(QStringLiteral("worker")).toString(), o.value(QStringLiteral("started_ms")).toInteger(),
                              o.value(QStringLiteral("finished_ms")).toInteger(), o.value(QStringLiteral("outcome")).toString(),
                              o.value(RunKey).toInteger(-1)});
    }
    if (document.isObject())
        task->dispatches = quint32(qBound<qint64>(0, document.object().value(DispatchesKey).toInteger(), std::numeric_limits<quint32>::max()));
    // A plain array (every row before schema 4) holds every dispatch: its length is the count.
    // An older row may hold any number of entries; only the last ones are kept.
    task->boundHistory();
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
    readHistory(query.value(15).toByteArray(), &task);
    const QString tags = query.value(16).toString();
    if (!tags.isEmpty())
        task.spec.requiredTags = tags.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    task.spec.retryDelayMs = query.value(17).toLongLong();
    task.spec.runAtMs = query.value(18).toLongLong();
    task.key = TaskKey::fromBytes(query.value(19).toByteArray());
    return task;
}

QByteArray historyColumn(const Task &task)
{
    // Every new task has no history: its column is the same text every time, without building
    // a JSON document for each row.
    if (task.history.isEmpty() && task.dispatches == 0)
        return QByteArrayLiteral("[]");
    QJsonArray array;
    for (const TaskAttempt &a : task.history) {
        QJsonObject entry{{QStringLiteral("worker"), a.worker},
                          {QStringLiteral("started_ms"), a.startedMs},
                          {QStringLiteral("finished_ms"), a.finishedMs},
                          {QStringLiteral("outcome"), a.outcome}};
        if (a.runMicros >= 0)
            entry.insert(RunKey, a.runMicros);
        array.append(entry);
    }
    if (task.droppedDispatches() == 0)
        return QJsonDocument(array).toJson(QJsonDocument::Compact);
    return QJsonDocument(QJsonObject{{DispatchesKey, qint64(task.dispatches)}, {KeptKey, array}}).toJson(QJsonDocument::Compact);
}

void bind(const Task &task, QVariant *values)
{
    // The columns are NOT NULL: a null string or array (which Qt binds as NULL) is the empty one.
    values[0] = qint64(task.id);
    values[1] = task.spec.kind;
    values[2] = task.spec.args;
    values[3] = task.spec.priority;
    values[4] = task.spec.timeoutMs;
    values[5] = task.spec.maxAttempts;
    values[6] = int(task.state);
    values[7] = task.attempts;
    values[8] = task.worker.isNull() ? QString(QLatin1String("")) : task.worker;
    values[9] = task.result.isNull() ? QByteArray("") : task.result;
    values[10] = task.error.isNull() ? QString(QLatin1String("")) : task.error;
    values[11] = task.createdMs;
    values[12] = task.startedMs;
    values[13] = task.finishedMs;
    values[14] = int(task.duplicateResults);
    values[15] = QString::fromUtf8(historyColumn(task));
    values[16] = task.spec.requiredTags.join(QLatin1Char(' '));
    values[17] = task.spec.retryDelayMs;
    values[18] = task.spec.runAtMs;
    values[19] = task.key.isNull() ? QByteArray("") : task.key.toBytes();
}

} // namespace SqliteTaskRow
