#include "printable.h"

#include <algorithm>

namespace {

bool needsEscape(char16_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
            || c == 0x2028 || c == 0x2029;
}

void appendUnicodeEscape(QString &out, char16_t c)
{
    out.append(QLatin1String("\\u")).append(QString::number(c, 16).rightJustified(4, QLatin1Char('0')));
}

bool isPlain(const QString &text)
{
    return std::none_of(text.cbegin(), text.cend(), [](QChar c) { return needsEscape(c.unicode()); });
}

} // namespace

QString printable(const QString &text)
{
    // The common case, a plain name, is returned without a copy.
    if (isPlain(text))
        return text;
    QString out;
    out.reserve(text.size() + 16);
    for (const QChar ch : text) {
        const char16_t c = ch.unicode();
        if (!needsEscape(c)) {
            out.append(ch);
        } else if (c == u'\n') {
            out.append(QLatin1String("\\n"));
        } else if (c == u'\r') {
            out.append(QLatin1String("\\r"));
        } else if (c == u'\t') {
            out.append(QLatin1String("\\t"));
        } else if (c <= 0xff) {
            out.append(QLatin1String("\\x")).append(QString::number(c, 16).rightJustified(2, QLatin1Char('0')));
        } else {
            appendUnicodeEscape(out, c);
        }
    }
    return out;
}

QByteArray printableJson(const QByteArray &json)
{
    const QString text = QString::fromUtf8(json);
    if (isPlain(text))
        return json;
    QString out;
    out.reserve(text.size() + 16);
    for (const QChar ch : text) {
        if (needsEscape(ch.unicode()))
            appendUnicodeEscape(out, ch.unicode());
        else
            out.append(ch);
    }
    return out.toUtf8();
}
