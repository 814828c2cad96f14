#include "taskrecordjson.h"

#include "task/task.h"
#include "util/jsonvalue.h"

#include <QDateTime>
#include <QJsonDocument>
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

QByteArray toLine(const Messages::TaskRecord &record)
{
    // toJson() without args and result, whose text is then put back where sorting puts it.
    QJsonObject object = toJson(record);
    object.remove(QStringLiteral("args"));
    const bool done = TaskState(record.state) == TaskState::Done;
    if (done)
        object.remove(QStringLiteral("result"));
    auto raw = [](const QByteArray &text) -> QByteArray {
        QJsonValue value;
        if (!JsonValue::parse(text, &value))
            return QByteArrayLiteral("null");
        return text.contains('\n') || text.contains('\r') ? JsonValue::serialize(value) : text.trimmed();
    };
    QByteArray line = QJsonDocument(object).toJson(QJsonDocument::Compact);
    // "{" + "\"args\":..." first: no key sorts before "args".
    line.insert(1, "\"args\":" + raw(record.args) + (object.isEmpty() ? "" : ","));
    if (done) {
        // Before "run_at" and "state", after every other key present ("requires" included).
        const qsizetype at = line.indexOf(line.contains("\"run_at\":") ? "\"run_at\":" : "\"state\":");
        line.insert(at, "\"result\":" + raw(record.result) + ',');
    }
    return line;
}

} // namespace TaskRecordJson
