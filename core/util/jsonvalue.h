#pragma once

// JSON values of any type (not only objects and arrays) to and from compact UTF-8 text.
// Integers that fit in 64 bits keep every digit.

#include <QByteArray>
#include <QJsonValue>
#include <QString>

namespace JsonValue {

bool parse(const QByteArray &text, QJsonValue *value, QString *error = nullptr);
QByteArray serialize(const QJsonValue &value);

} // namespace JsonValue
