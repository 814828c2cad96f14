#pragma once

// taskworker processes this app starts on this machine: found next to the taskmaster binary,
// given the key through TASKMASTER_AUTHKEY (never the command line), stopped gracefully on
// request and when this object goes away, then killed after a grace period.
//
// Stopped on request, a worker connected to the master is drained through it (DrainWorker),
// the same on every platform: QProcess::terminate() is SIGTERM on Unix, but on Windows a
// WM_CLOSE that a console program such as taskworker never sees. One not connected gets
// terminate() on Unix and is killed on Windows (TerminateProcess; its Job Object ends what it
// started). On quitting, the master has already taken the running tasks back, so Windows kills
// at once rather than wait out a grace period for a message that cannot arrive.

#include <QByteArray>
#include <QObject>
#include <QString>

#include <functional>
#include <vector>

class QProcess;

class LocalWorkers final : public QObject
{
    Q_OBJECT

public:
    explicit LocalWorkers(QObject *parent = nullptr);
    ~LocalWorkers() override;

    static QString program();

    // Starts count workers against host:port; false with error when the program is missing.
    bool start(int count, const QString &host, quint16 port, const QByteArray &key, QString *error);
    // Stops the local worker with this pid; false when it is not one of ours.
    bool stop(qint64 pid);
    void stopAll();
    int count() const { return int(m_processes.size()); }
    bool owns(qint64 pid) const;
    // How to ask the worker with this pid to drain through the master: false when it is not
    // connected (then it is terminated as above).
    void setDrain(std::function<bool(qint64 pid)> drain) { m_drain = std::move(drain); }

Q_SIGNALS:
    void countChanged(int count);
    void workerExited(qint64 pid, int exitCode);

private:
    void terminate(QProcess *process);

    std::vector<QProcess *> m_processes;
    std::function<bool(qint64 pid)> m_drain;
    int m_started = 0;
};
