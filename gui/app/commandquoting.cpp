#include "commandquoting.h"

#include <algorithm>

namespace CommandQuoting {

Style native()
{
#ifdef Q_OS_WIN
    return Style::PowerShell;
#else
    return Style::Posix;
#endif
}

QString quote(const QString &arg, Style style)
{
    // Characters no shell of the style gives a meaning to, in an argument of its own.
    const QString safe = style == Style::Posix ? QStringLiteral("@%+=:,./-_") : QStringLiteral("-_./:\\");
    const bool plain = !arg.isEmpty() && std::all_of(arg.begin(), arg.end(), [&safe](QChar c) {
        return (c.unicode() < 128 && c.isLetterOrNumber()) || safe.contains(c);
    });
    if (plain)
        return arg;
    QString quoted = arg;
    if (style == Style::Posix) {
        quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    } else {
        // PowerShell ends a single-quoted string at any of these and reads two as one.
        for (const QChar q : {QChar(u'\''), QChar(u'\u2018'), QChar(u'\u2019'), QChar(u'\u201A'), QChar(u'\u201B')})
            quoted.replace(q, QString(2, q));
    }
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

QString command(const QStringList &programAndArgs, Style style)
{
    QStringList parts;
    for (const QString &arg : programAndArgs)
        parts.append(quote(arg, style));
    // A quoted string is a value to PowerShell, not a command, without "&".
    if (style == Style::PowerShell && !parts.isEmpty() && parts.first() != programAndArgs.first())
        parts.first().prepend(QStringLiteral("& "));
    return parts.join(QLatin1Char(' '));
}

} // namespace CommandQuoting
