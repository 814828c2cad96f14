#include "argsreader.h"

#include "util/jsonvalue.h"

#include <limits>

namespace ArgsReader {

QString describe(const QJsonValue &value)
{
    const QByteArray text = JsonValue::serialize(value);
    return QString::fromUtf8(text.size() > 80 ? text.left(77) + "..." : text);
}

std::optional<qint64> integer(const QJsonValue &args, const QString &key, bool allowShorthand, QString *error)
{
    QJsonValue value = args;
    if (args.isObject())
        value = args.toObject().value(key);
    else if (!allowShorthand)
        value = QJsonValue::Undefined;
    constexpr qint64 a = std::numeric_limits<qint64>::min();
    constexpr qint64 b = std::numeric_limits<qint64>::max();
    // toInteger() returns its default for anything that is not an integral number in range;
    // asking twice with different defaults tells a real integer from the default.
    if (value.isDouble() && (value.toInteger(a) != a || value.toInteger(b) != b))
        return value.toInteger(a) != a ? value.toInteger(a) : value.toInteger(b);
    *error = QStringLiteral("expected args {\"%1\": integer}, got %2").arg(key, describe(args));
    return std::nullopt;
}

} // namespace ArgsReader
