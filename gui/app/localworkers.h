#pragma once

// taskworker processes this app starts on this machine: found next to the taskmaster binary,
// given the key through TASKMASTER_AUTHKEY (never the command line), stopped gracefully
// (terminate, then kill after a grace period) on request and when this object goes away.

#include <QByteArray>
#include <QObject>
#include <QString>

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

Q_SIGNALS:
    void countChanged(int count);
    void workerExited(qint64 pid, int exitCode);

private:
    void terminate(QProcess *process);

    std::vector<QProcess *> m_processes;
    int m_started = 0;
};
