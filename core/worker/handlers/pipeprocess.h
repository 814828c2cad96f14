#pragma once

// One long-lived process of a pipe handler. Tasks go to its stdin as one JSON line each; answers
// come back on its stdout as one JSON line each, matched by id, in any order. When it exits, its
// tasks fail retryably and it starts again after a backoff that grows while it keeps failing.
// Its stderr goes to the worker's log, line by line; so do stdout lines that are not answers.

#include "worker/handlerspec.h"
#include "worker/loglimiter.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>

#include <memory>

class ChildProcess;
class PipeRun;
class QTimer;

class PipeProcess final : public QObject
{
    Q_OBJECT

public:
    static constexpr int InitialBackoffMs = 100;
    static constexpr int MaxBackoffMs = 10'000;
    // A process that lived this long, or answered a task, is healthy: the next backoff is short.
    static constexpr int StableMs = 5'000;
    static constexpr qsizetype MaxLogLine = 1000;

    PipeProcess(const HandlerSpec &spec, int index, QObject *parent);
    ~PipeProcess() override;

    // Started or starting, not waiting out a backoff.
    bool isUp() const { return m_process != nullptr; }
    int load() const { return int(m_inFlight.size()); }
    // Why it is down and when it comes back, for tasks that find no process up.
    QString downReason() const;
    int starts() const { return m_starts; }
    qint64 pid() const;

    void send(PipeRun *run);
    // Stops work on run (cancelled or timed out) the only sure way: the process is killed and
    // replaced; its other tasks fail retryably with the reason.
    void abandon(PipeRun *run, const QString &why);
    // The run is being destroyed.
    void forget(PipeRun *run);

Q_SIGNALS:
    void answered();
    void exitedUnexpectedly();

private:
    void start();
    void readStdout();
    void readStderr();
    void handleLine(const QByteArray &line);
    void logLine(const char *what, QByteArrayView line, LogLimiter &limiter);
    void onExit(const QString &how);
    // Fails every task in flight retryably and drops the process (killing its tree).
    void stop(const QString &reason);

    const HandlerSpec &m_spec;
    const int m_index;
    std::unique_ptr<ChildProcess> m_process;
    QHash<quint64, QPointer<PipeRun>> m_inFlight;
    QByteArray m_stdoutBuffer;
    QByteArray m_stderrBuffer;
    QByteArray m_stderrTail;
    LogLimiter m_stdoutLimiter;
    LogLimiter m_stderrLimiter;
    QTimer *m_restartTimer;
    QElapsedTimer m_upTime;
    QElapsedTimer m_downTime;
    QString m_downReason;
    int m_backoffMs = InitialBackoffMs;
    int m_starts = 0;
    bool m_answeredSinceStart = false;
};
