#include "jsonvalue.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace JsonValue {

bool parse(const QByteArray &text, QJsonValue *value, QString *error)
{
    // QJsonDocument only parses arrays and objects: wrap the value in an array of one.
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + text + "\n]", &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        if (error) {
            // Offsets are into the wrapped text; shift them back by the leading bracket.
            *error = QStringLiteral("%1 at offset %2")
                             .arg(parseError.errorString())
                             .arg(qMax(0, parseError.offset - 1));
        }
        return false;
    }
    const QJsonArray array = doc.array();
    if (array.size() != 1) {
        if (error)
            *error = array.isEmpty() ? QStringLiteral("no JSON value") : QStringLiteral("more than one JSON value");
        return false;
    }
    if (value)
        *value = array.first();
    return true;
}

QByteArray serialize(const QJsonValue &value)
{
    QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    // "[...]" -> "..."
    return text.mid(1, text.size() - 2);
}

} // namespace JsonValue
