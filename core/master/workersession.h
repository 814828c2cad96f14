#pragma once

// The master's end of one authenticated worker connection: registers the worker with the
// scheduler on WorkerHello, turns assignments and cancels into frames and frames into
// results. When the connection closes, the worker's tasks go back to the queue.

#include "master/workerlink.h"

#include <QObject>

class FramedConnection;
class Scheduler;

class WorkerSession final : public QObject, public WorkerLink
{
    Q_OBJECT

public:
    WorkerSession(FramedConnection *connection, Scheduler *scheduler, QObject *parent = nullptr);
    ~WorkerSession() override;

    void assign(const QList<Messages::TaskAssignment> &tasks) override;
    void cancel(const QList<Messages::TaskRef> &tasks, const QString &reason) override;
    void reclaim(const QList<Messages::TaskRef> &tasks) override;
    // Closes the connection on purpose; running tasks go back to the queue.
    void disconnectWorker(const QString &reason);
    // Asks the worker to drain: it finishes its running tasks, takes no new ones and leaves.
    void drain(const QString &reason);

    quint64 workerId() const { return m_workerId; }

private:
    void onFrame(Protocol::MessageType type, const QByteArray &body);
    void protocolError(const QString &reason);

    FramedConnection *m_connection;
    Scheduler *m_scheduler;
    quint64 m_workerId = 0;
};
