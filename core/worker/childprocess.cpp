#include "childprocess.h"

#include "auth/authkey.h"

#ifdef Q_OS_UNIX
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>
#endif
#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif
#ifdef Q_OS_WIN
#include <windows.h>
#endif

namespace {

#ifdef Q_OS_UNIX
// Runs in the forked child before exec: only async-signal-safe calls.
void prepareChild([[maybe_unused]] pid_t worker)
{
    // Its own process group, so a kill reaches whatever the program starts too (the jobs of a
    // `sh -c make`), not only the program itself.
    ::setpgid(0, 0);
#ifdef Q_OS_LINUX
    // Die with the worker, even a SIGKILLed one. (The signal follows the thread that forked:
    // handlers are started from the worker's main thread, which lives as long as it does.) If
    // the worker is already gone, the signal would never come: leave now.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != worker)
        ::_exit(127);
#endif
    // Qt 6.4 does not close the parent's descriptors in the child (QProcess::UnixProcessParameters
    // arrives in 6.6): mark every one above stderr close-on-exec. Closing them here instead would
    // also close the pipe QProcess uses to learn that exec failed.
#if defined(Q_OS_LINUX) && defined(SYS_close_range)
    constexpr unsigned CloseRangeCloexec = 1U << 2; // CLOSE_RANGE_CLOEXEC, Linux 5.11
    if (::syscall(SYS_close_range, 3U, ~0U, CloseRangeCloexec) == 0)
        return;
#endif
    struct rlimit limit = {};
    long last = 4096;
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
        last = long(qMin<rlim_t>(limit.rlim_cur, 1 << 20));
    for (int fd = 3; fd < last; ++fd) {
        const int flags = ::fcntl(fd, F_GETFD);
        if (flags >= 0 && !(flags & FD_CLOEXEC))
            ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
}
#endif

} // namespace

ChildProcess::ChildProcess(QObject *parent) : QProcess(parent)
{
    setChildEnvironment(QProcessEnvironment::systemEnvironment());
#ifdef Q_OS_UNIX
    const pid_t worker = ::getpid();
    setChildProcessModifier([worker] { prepareChild(worker); });
#elif defined(Q_OS_WIN)
    // A Job Object holds the child and everything it starts: TerminateJobObject kills them all,
    // and KILL_ON_JOB_CLOSE kills them when the worker dies and Windows closes the handle. The
    // child starts suspended so it cannot start anything before it is in the job.
    m_job = CreateJobObjectW(nullptr, nullptr);
    if (m_job) {
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = {};
        limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        SetInformationJobObject(m_job, JobObjectExtendedLimitInformation, &limits, sizeof limits);
    }
    setCreateProcessArgumentsModifier([this](QProcess::CreateProcessArguments *args) {
        args->flags |= CREATE_SUSPENDED;
        m_processInformation = args->processInformation;
    });
    connect(this, &QProcess::started, this, [this] {
        auto *info = static_cast<PROCESS_INFORMATION *>(m_processInformation);
        if (!info)
            return;
        if (m_job)
            AssignProcessToJobObject(m_job, info->hProcess);
        ResumeThread(info->hThread);
    });
    connect(this, &QProcess::finished, this, [this] { m_processInformation = nullptr; });
#endif
}

ChildProcess::~ChildProcess()
{
    killTree();
#ifdef Q_OS_WIN
    if (m_job)
        CloseHandle(m_job);
#endif
}

void ChildProcess::setChildEnvironment(QProcessEnvironment env)
{
    env.remove(QLatin1String(AuthKey::EnvironmentVariable));
    setProcessEnvironment(env);
}

void ChildProcess::killTree()
{
#ifdef Q_OS_UNIX
    // The whole group, while its leader is there (starting counts: a cancel may come before Qt
    // has seen the exec); once it is reaped its id may name someone else's group.
    if (const qint64 pid = processId(); pid > 0 && state() != QProcess::NotRunning)
        ::kill(-pid_t(pid), SIGKILL);
#elif defined(Q_OS_WIN)
    if (m_job)
        TerminateJobObject(m_job, 1);
#endif
    if (state() != QProcess::NotRunning) {
        kill();
        waitForFinished(1000); // reaps it; a killed process goes at once
    }
}

QString ChildProcess::describeExit(int exitCode, QProcess::ExitStatus status)
{
    if (status == QProcess::NormalExit)
        return QStringLiteral("exited with code %1").arg(exitCode);
#ifdef Q_OS_UNIX
    // On Unix QProcess reports the terminating signal as the exit code of a crash.
    if (exitCode > 0)
        return QStringLiteral("was killed by signal %1 (%2)").arg(exitCode).arg(QString::fromUtf8(::strsignal(exitCode)));
#endif
    return QStringLiteral("crashed");
}

void ChildProcess::keepTail(QByteArray *tail, const QByteArray &chunk, qsizetype cap)
{
    tail->append(chunk);
    if (tail->size() > cap)
        tail->remove(0, tail->size() - cap);
}

QString ChildProcess::stderrNote(const QByteArray &tail)
{
    const QByteArray trimmed = tail.trimmed();
    if (trimmed.isEmpty())
        return {};
    return QStringLiteral("; stderr%1:\n%2")
            .arg(tail.size() >= StderrTailCap ? QStringLiteral(" (last %1 bytes)").arg(StderrTailCap) : QString(),
                 QString::fromUtf8(trimmed));
}

QString ChildProcess::excerpt(const QByteArray &bytes, qsizetype max)
{
    const QByteArray head = bytes.left(max);
    QString text;
    text.reserve(head.size() + 16);
    for (char c : head) {
        const uchar u = uchar(c);
        if (u == '\\')
            text += QStringLiteral("\\\\");
        else if (u == '\n')
            text += QStringLiteral("\\n");
        else if (u == '\t')
            text += QStringLiteral("\\t");
        else if (u < 0x20 || u >= 0x7f)
            text += QStringLiteral("\\x%1").arg(u, 2, 16, QLatin1Char('0'));
        else
            text += QLatin1Char(c);
    }
    if (bytes.size() > max)
        text += QStringLiteral("... (%1 bytes in all)").arg(bytes.size());
    return text;
}
