#pragma once

// Whether a process the test started (or its program started) is still there, by pid. POSIX
// only; /proc makes a zombie count as dead on Linux.

#include <QFile>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <csignal>
#include <sys/types.h>

inline bool processIsGone(pid_t pid)
{
    // A zombie still answers kill(pid, 0), so this also checks the process was reaped.
    return ::kill(pid, 0) == -1 && errno == ESRCH;
}

// For a process that is not our child: dead once it is gone, or a zombie its new parent has not
// reaped yet (seen through /proc, so on Linux only; elsewhere only "gone" counts).
inline bool processIsDead(pid_t pid)
{
    if (processIsGone(pid))
        return true;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray line = stat.readAll();
    const qsizetype close = line.lastIndexOf(')'); // the name in parentheses may hold spaces
    return close >= 0 && line.mid(close + 1).trimmed().startsWith('Z');
}
#endif
