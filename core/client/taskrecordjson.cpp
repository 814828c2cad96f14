#include "taskrecordjson.h"

#include "task/task.h"
#include "util/jsonvalue.h"

#include <QDateTime>
#include <QJsonArray>

namespace TaskRecordJson {

QJsonObject toJson(const Messages::TaskRecord &record)
{
    auto json = [](const QByteArray &text) {
        QJsonValue value;
        return JsonValue::parse(text, &value) ? value : QJsonValue(QJsonValue::Null);
    };
    const auto state = TaskState(record.state);
    QJsonObject object{
            {QStringLiteral("id"), qint64(record.id)},
            {QStringLiteral("kind"), record.kind},
            {QStringLiteral("args"), json(record.args)},
            {QStringLiteral("state"), taskStateName(state)},
            {QStringLiteral("worker"), record.worker},
            {QStringLiteral("attempts"), qint64(record.attempts)},
            {QStringLiteral("priority"), record.priority},
    };
    if (!record.requiredTags.isEmpty())
        object.insert(QStringLiteral("requires"), QJsonArray::fromStringList(record.requiredTags));
    if (state == TaskState::Queued && record.runAtMs > 0)
        object.insert(QStringLiteral("run_at"), QDateTime::fromMSecsSinceEpoch(record.runAtMs, Qt::UTC).toString(Qt::ISODateWithMs));
    if (state == TaskState::Done)
        object.insert(QStringLiteral("result"), json(record.result));
    else
        object.insert(QStringLiteral("error"), record.error);
    if (record.startedMs > 0 && record.finishedMs >= record.startedMs)
        object.insert(QStringLiteral("duration_ms"), record.finishedMs - record.startedMs);
    return object;
}

} // namespace TaskRecordJson
