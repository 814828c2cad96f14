#include "tasklines.h"

#include "util/jsonmembers.h"
#include "util/jsonvalue.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QIODevice>
#include <QJsonArray>
#include <QRegularExpression>
#include <QJsonObject>

namespace TaskLines {

bool parseRunAt(const QJsonValue &value, qint64 *ms, QString *error)
{
    if (value.isDouble()) {
        const qint64 n = value.toInteger(-1);
        if (n < 0 || double(n) != value.toDouble()) {
            *error = QStringLiteral("must be milliseconds since 1970 (UTC) or an ISO 8601 time with a zone");
            return false;
        }
        *ms = n;
        return true;
    }
    if (value.isString())
        return parseRunAt(value.toString(), ms, error);
    *error = QStringLiteral("must be milliseconds since 1970 (UTC) or an ISO 8601 time with a zone");
    return false;
}

bool parseRunAt(const QString &text, qint64 *ms, QString *error)
{
    // A zone is required: a bare local time would mean different moments on the submitter's
    // machine and the master's.
    const QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    static const QRegularExpression zone(QStringLiteral("(Z|[+-]\\d\\d(:?\\d\\d)?)$"));
    if (!time.isValid() || !zone.match(text).hasMatch()) {
        *error = QStringLiteral("\"%1\" is not an ISO 8601 time with a zone, like 2026-12-24T18:00:00Z or "
                                "2026-12-24T19:00:00+01:00").arg(text);
        return false;
    }
    *ms = time.toMSecsSinceEpoch();
    return true;
}

namespace {

QString parseLine(const QByteArray &line, const TaskSpec &defaults, TaskSpec *spec, QString *taskKey)
{
    QJsonValue value;
    QString error;
    if (!JsonValue::parse(line, &value, &error))
        return QStringLiteral("not valid JSON: ") + error;
    if (!value.isObject())
        return QStringLiteral("expected an object like {\"kind\": \"square\", \"args\": {\"n\": 3}}");
    const QJsonObject object = value.toObject();
    // The args go on as written, so they are read from the line, not from the parsed object
    // (which would round big integers, reorder keys and keep only the last of duplicates).
    QList<JsonMembers::Member> members;
    if (!JsonMembers::split(line, &members, &error))
        return error;
    QByteArray args = QByteArrayLiteral("null");
    for (qsizetype i = 0; i < members.size(); ++i) {
        for (qsizetype j = 0; j < i; ++j) {
            if (members.at(j).key == members.at(i).key)
                return QStringLiteral("the key \"%1\" appears twice").arg(members.at(i).key);
        }
        if (members.at(i).key == QLatin1String("args"))
            args = members.at(i).value;
    }
    static const QStringList known = {QStringLiteral("kind"),        QStringLiteral("args"),
                                      QStringLiteral("priority"),    QStringLiteral("timeout_ms"),
                                      QStringLiteral("max_attempts"), QStringLiteral("requires"),
                                      QStringLiteral("delay_ms"),    QStringLiteral("run_at"),
                                      QStringLiteral("retry_delay_ms"), QStringLiteral("key")};
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!known.contains(it.key()))
            return QStringLiteral("unknown key \"%1\" (known: %2)").arg(it.key(), known.join(QStringLiteral(", ")));
    }
    *spec = defaults;
    const QJsonValue kind = object.value(QStringLiteral("kind"));
    if (!kind.isString())
        return QStringLiteral("\"kind\" is missing or not a string");
    spec->kind = kind.toString();
    spec->args = args;
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
    qint64 delay = spec->delayMs, retryDelay = spec->retryDelayMs;
    for (const QString &e : {integer(QStringLiteral("priority"), -1'000'000, 1'000'000, &priority),
                             integer(QStringLiteral("timeout_ms"), 0, MaxTaskTimeoutMs, &timeout),
                             integer(QStringLiteral("max_attempts"), 1, 1000, &attempts),
                             integer(QStringLiteral("delay_ms"), 0, MaxDelayMs, &delay),
                             integer(QStringLiteral("retry_delay_ms"), 0, MaxRetryDelayMs, &retryDelay)}) {
        if (!e.isEmpty())
            return e;
    }
    spec->priority = qint32(priority);
    spec->timeoutMs = timeout;
    spec->maxAttempts = int(attempts);
    spec->delayMs = delay;
    spec->retryDelayMs = retryDelay;
    if (object.contains(QStringLiteral("requires"))) {
        const QJsonValue required = object.value(QStringLiteral("requires"));
        if (!required.isArray())
            return QStringLiteral("\"requires\" must be a list of tags, like [\"gpu\", \"zone=eu\"]");
        QStringList tags = spec->requiredTags;
        for (const QJsonValue &tag : required.toArray()) {
            if (!tag.isString())
                return QStringLiteral("\"requires\" must hold strings only, not %1").arg(QString::fromUtf8(JsonValue::serialize(tag)));
            tags.append(tag.toString());
        }
        spec->requiredTags = tags;
    }
    if (object.contains(QStringLiteral("run_at"))) {
        QString timeError;
        if (!parseRunAt(object.value(QStringLiteral("run_at")), &spec->runAtMs, &timeError))
            return QStringLiteral("\"run_at\" ") + timeError;
    }
    if (object.contains(QStringLiteral("key"))) {
        const QJsonValue k = object.value(QStringLiteral("key"));
        if (!k.isString() || k.toString().isEmpty() || k.toString().size() > MaxTaskKeyLength)
            return QStringLiteral("\"key\" must be a string of 1 to %1 characters").arg(MaxTaskKeyLength);
        *taskKey = k.toString();
    }
    return validateTaskSpec(*spec);
}

} // namespace

Parsed parse(QIODevice *device, const TaskSpec &defaults)
{
    Parsed parsed;
    QCryptographicHash content(QCryptographicHash::Sha256);
    int lineNumber = 0;
    while (!device->atEnd()) {
        QByteArray line = device->readLine();
        content.addData(line);
        ++lineNumber;
        if (lineNumber == 1 && line.startsWith("\xEF\xBB\xBF"))
            line.remove(0, 3); // the byte order mark some Windows editors write
        if (line.trimmed().isEmpty())
            continue;
        TaskSpec spec;
        QString key;
        const QString error = parseLine(line.trimmed(), defaults, &spec, &key);
        if (!error.isEmpty()) {
            parsed = {};
            parsed.error = QStringLiteral("line %1: %2").arg(lineNumber).arg(error);
            return parsed;
        }
        parsed.specs.append(std::move(spec));
        parsed.keys.append(key);
        parsed.lines.append(lineNumber);
    }
    parsed.sha256 = content.result();
    return parsed;
}

} // namespace TaskLines
