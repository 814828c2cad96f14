#pragma once

// The members of a JSON object as the bytes they were written with: what a submitter gave is
// what the master stores and a worker receives, with every digit of a big integer, its key
// order and its spacing, instead of a re-serialisation through QJsonValue.

#include <QByteArray>
#include <QList>
#include <QString>

namespace JsonMembers {

struct Member {
    QString key; // unescaped
    QByteArray value; // the value's text exactly as written, without the surrounding spaces
};

// The top-level members of objectText, in order. objectText must already be known to be one
// valid JSON object (JsonValue::parse); false (with *error) only when it is not an object.
bool split(const QByteArray &objectText, QList<Member> *members, QString *error);

} // namespace JsonMembers
