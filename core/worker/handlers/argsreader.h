#pragma once

// Reads a handler's arguments with an error message that says what was expected.

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace ArgsReader {

// An integer from args[key], or from args itself when shorthand is allowed and args is a number.
std::optional<qint64> integer(const QJsonValue &args, const QString &key, bool allowShorthand, QString *error);

QString describe(const QJsonValue &value);

} // namespace ArgsReader
