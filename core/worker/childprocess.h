#pragma once

// A QProcess for a program the worker runs on a task's behalf (exec, handlers). It is started
// as the root of a process tree the worker can kill whole (a process group on POSIX, a Job
// Object on Windows), it never sees the authkey or a descriptor of the worker's own, and on
// Linux it dies with the worker even when the worker is SIGKILLed.

#include "protocol/protocol.h"

#include <QProcess>
#include <QProcessEnvironment>

class ChildProcess final : public QProcess
{
    Q_OBJECT

public:
    // How much of a child's stderr (its tail) goes into an error text.
    static constexpr qsizetype StderrTailCap = 64 * 1024;
    static_assert(StderrTailCap + 1024 <= Protocol::MaxErrorSize, "an error text carries the whole tail");

    explicit ChildProcess(QObject *parent = nullptr);
    ~ChildProcess() override; // kills the tree

    // The environment the child gets: env without the authkey, whatever env holds.
    void setChildEnvironment(QProcessEnvironment env);

    // SIGKILL (TerminateJobObject) for the program and everything it started, then reaps it.
    void killTree();

    // "exited with code N", "was killed by signal N" (POSIX) or "crashed".
    static QString describeExit(int exitCode, QProcess::ExitStatus status);
    // Appends chunk to tail, keeping only its last cap bytes.
    static void keepTail(QByteArray *tail, const QByteArray &chunk, qsizetype cap = StderrTailCap);
    // "; stderr: ..." with the tail, or nothing when the child said nothing there.
    static QString stderrNote(const QByteArray &tail);
    // At most max bytes of output, made printable: control and non-ASCII bytes escaped.
    static QString excerpt(const QByteArray &bytes, qsizetype max);

private:
#ifdef Q_OS_WIN
    void *m_job = nullptr; // HANDLE of the Job Object the child and its children run in
    void *m_processInformation = nullptr; // QProcess's PROCESS_INFORMATION, while it runs
#endif
};
