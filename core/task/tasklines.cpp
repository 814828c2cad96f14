#include "tasklines.h"

#include "util/jsonvalue.h"

#include <QIODevice>
#include <QJsonObject>

namespace TaskLines {

namespace {

QString parseLine(const QByteArray &line, const TaskSpec &defaults, TaskSpec *spec)
{
    QJsonValue value;
    QString error;
    if (!JsonValue::parse(line, &value, &error))
        return QStringLiteral("not valid JSON: ") + error;
    if (!value.isObject())
        return QStringLiteral("expected an object like {\"kind\": \"square\", \"args\": {\"n\": 3}}");
    const QJsonObject object = value.toObject();
    static const QStringList known = {QStringLiteral("kind"), QStringLiteral("args"), QStringLiteral("priority"),
                                      QStringLiteral("timeout_ms"), QStringLiteral("max_attempts")};
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!known.contains(it.key()))
            return QStringLiteral("unknown key \"%1\" (known: %2)").arg(it.key(), known.join(QStringLiteral(", ")));
    }
    *spec = defaults;
    const QJsonValue kind = object.value(QStringLiteral("kind"));
    if (!kind.isString())
        return QStringLiteral("\"kind\" is missing or not a string");
    spec->kind = kind.toString();
    spec->args = object.contains(QStringLiteral("args")) ? JsonValue::serialize(object.value(QStringLiteral("args")))
                                                         : QByteArrayLiteral("null");
    auto integer = [&](const QString &key, qint64 min, qint64 max, qint64 *out) -> QString {
        if (!object.contains(key))
            return {};
        const QJsonValue v = object.value(key);
        const qint64 n = v.toInteger(min - 1);
        if (!v.isDouble() || n < min || n > max)
            return QStringLiteral("\"%1\" must be an integer from %2 to %3").arg(key).arg(min).arg(max);
        *out = n;
        return {};
    };
    qint64 priority = spec->priority, timeout = spec->timeoutMs, attempts = spec->maxAttempts;
    for (const QString &e : {integer(QStringLiteral("priority"), -1'000'000, 1'000'000, &priority),
                             integer(QStringLiteral("timeout_ms"), 0, MaxTaskTimeoutMs, &timeout),
                             integer(QStringLiteral("max_attempts"), 1, 1000, &attempts)}) {
        if (!e.isEmpty())
            return e;
    }
    spec->priority = qint32(priority);
    spec->timeoutMs = timeout;
    spec->maxAttempts = int(attempts);
    return validateTaskSpec(*spec);
}

} // namespace

Parsed parse(QIODevice *device, const TaskSpec &defaults)
{
    Parsed parsed;
    int lineNumber = 0;
    while (!device->atEnd()) {
        QByteArray line = device->readLine();
        ++lineNumber;
        if (lineNumber == 1 && line.startsWith("\xEF\xBB\xBF"))
            line.remove(0, 3); // the byte order mark some Windows editors write
        if (line.trimmed().isEmpty())
            continue;
        TaskSpec spec;
        const QString error = parseLine(line.trimmed(), defaults, &spec);
        if (!error.isEmpty()) {
            parsed.specs.clear();
            parsed.error = QStringLiteral("line %1: %2").arg(lineNumber).arg(error);
            return parsed;
        }
        parsed.specs.append(std::move(spec));
    }
    return parsed;
}

} // namespace TaskLines
