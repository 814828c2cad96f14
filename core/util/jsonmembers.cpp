#include "jsonmembers.h"

#include "jsonvalue.h"

namespace JsonMembers {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

qsizetype skipSpace(const QByteArray &text, qsizetype i)
{
    while (i < text.size() && isSpace(text.at(i)))
        ++i;
    return i;
}

// From the opening quote at i to just past the closing one.
qsizetype skipString(const QByteArray &text, qsizetype i)
{
    for (++i; i < text.size(); ++i) {
        if (text.at(i) == '\\')
            ++i;
        else if (text.at(i) == '"')
            return i + 1;
    }
    return i;
}

// From the first byte of a value to just past its last.
qsizetype skipValue(const QByteArray &text, qsizetype i)
{
    if (i < text.size() && text.at(i) == '"')
        return skipString(text, i);
    int depth = 0;
    for (; i < text.size(); ++i) {
        const char c = text.at(i);
        if (c == '"') {
            i = skipString(text, i) - 1;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return i; // the end of the enclosing object
            if (--depth == 0)
                return i + 1;
        } else if (c == ',' && depth == 0) {
            return i;
        } else if (isSpace(c) && depth == 0) {
            return i;
        }
    }
    return i;
}

} // namespace

bool split(const QByteArray &objectText, QList<Member> *members, QString *error)
{
    members->clear();
    qsizetype i = skipSpace(objectText, 0);
    if (i >= objectText.size() || objectText.at(i) != '{') {
        *error = QStringLiteral("not a JSON object");
        return false;
    }
    i = skipSpace(objectText, i + 1);
    while (i < objectText.size() && objectText.at(i) != '}') {
        const qsizetype keyEnd = skipString(objectText, i);
        QJsonValue key;
        if (!JsonValue::parse(objectText.mid(i, keyEnd - i), &key, error) || !key.isString()) {
            *error = QStringLiteral("not a JSON object");
            return false;
        }
        i = skipSpace(objectText, keyEnd);
        i = skipSpace(objectText, i + 1); // past the colon
        const qsizetype valueEnd = skipValue(objectText, i);
        members->append({key.toString(), objectText.mid(i, valueEnd - i)});
        i = skipSpace(objectText, valueEnd);
        if (i < objectText.size() && objectText.at(i) == ',')
            i = skipSpace(objectText, i + 1);
    }
    return true;
}

} // namespace JsonMembers
