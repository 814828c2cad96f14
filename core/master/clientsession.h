#pragma once

// The master's end of one authenticated client connection (taskmaster submit/status, scripts):
// submits tasks, answers status and cancel requests, and streams the final record of every
// task the client watches once it is durable. Every reply waits for the store (whenDurable),
// so what a client is told survives a crash of the master. While the store cannot write, a
// submit is refused at once, and one still waiting for its commit is refused when it fails.

#include "protocol/messages.h"

#include <QObject>
#include <QSet>

class FramedConnection;
class Scheduler;
struct Task;

class ClientSession final : public QObject
{
    Q_OBJECT

public:
    ClientSession(FramedConnection *connection, Scheduler *scheduler, QObject *parent = nullptr);

    static Messages::TaskRecord record(const Task &task);

private:
    void onFrame(Protocol::MessageType type, const QByteArray &body);
    void onTasksFinished(const QList<quint64> &ids);
    void sendUpdates(Messages::TaskUpdates updates);
    void handleSubmit(const Messages::Submit &submit);
    void handleWatch(const Messages::Watch &watch);
    void sendStatus(quint32 requestId);
    void protocolError(const QString &reason);
    void onStoreFailed(const QString &failure);

    FramedConnection *m_connection;
    Scheduler *m_scheduler;
    QSet<quint64> m_watched;
    QSet<quint32> m_unacknowledged; // Submit requests whose tasks are not durable yet
    bool m_watchAll = false;
};
