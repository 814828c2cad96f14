#include "shutdownsignals.h"

#include <QPointer>

#ifdef Q_OS_UNIX
#include <QSocketNotifier>

#include <csignal>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#elif defined(Q_OS_WIN)
#include <QMetaObject>

#include <windows.h>
#endif

namespace {

#ifdef Q_OS_UNIX
// The self-pipe trick: the handler only writes a byte; the notifier reads it on the event loop.
int g_pipe[2] = {-1, -1};

extern "C" void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(g_pipe[0], &byte, 1);
}
#elif defined(Q_OS_WIN)
QPointer<ShutdownSignals> g_instance;

BOOL WINAPI onConsoleEvent(DWORD type)
{
    if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT && type != CTRL_CLOSE_EVENT)
        return FALSE;
    if (ShutdownSignals *instance = g_instance.data())
        QMetaObject::invokeMethod(instance, &ShutdownSignals::deliver, Qt::QueuedConnection);
    return TRUE;
}
#endif

} // namespace

ShutdownSignals::ShutdownSignals(QObject *parent) : QObject(parent)
{
#ifdef Q_OS_UNIX
    // Close-on-exec, so no program the worker starts holds the worker's signal socket.
#ifdef SOCK_CLOEXEC
    const int made = ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_pipe);
#else
    const int made = ::socketpair(AF_UNIX, SOCK_STREAM, 0, g_pipe);
    if (made == 0) {
        ::fcntl(g_pipe[0], F_SETFD, FD_CLOEXEC);
        ::fcntl(g_pipe[1], F_SETFD, FD_CLOEXEC);
    }
#endif
    if (made == 0) {
        m_notifier = new QSocketNotifier(g_pipe[1], QSocketNotifier::Read, this);
        connect(m_notifier, &QSocketNotifier::activated, this, [this] {
            char byte;
            [[maybe_unused]] const auto got = ::read(g_pipe[1], &byte, 1);
            deliver();
        });
        struct sigaction action = {};
        action.sa_handler = onSignal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        ::sigaction(SIGINT, &action, nullptr);
        ::sigaction(SIGTERM, &action, nullptr);
    }
#elif defined(Q_OS_WIN)
    g_instance = this;
    SetConsoleCtrlHandler(onConsoleEvent, TRUE);
#endif
}

ShutdownSignals::~ShutdownSignals()
{
#ifdef Q_OS_UNIX
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
#elif defined(Q_OS_WIN)
    SetConsoleCtrlHandler(onConsoleEvent, FALSE);
#endif
}

void ShutdownSignals::deliver()
{
    Q_EMIT requested(++m_count);
}
