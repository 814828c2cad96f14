#pragma once

// The master's end of one authenticated client connection (taskmaster submit/status, scripts):
// submits tasks, answers status and cancel requests, and streams the final record of every
// task the client watches once it is durable. Every reply waits for the store (whenDurable),
// so what a client is told survives a crash of the master. While the store cannot write, a
// submit is refused at once, and one still waiting for its commit is refused when it fails.
// What a watcher is sent is coalesced while it reads slowly: over the connection's high-water
// mark only the ids of the finished tasks are kept, and their current (durable) records are
// encoded once the backlog drains, so memory per watcher is bounded by its ids, not its frames.

#include "protocol/messages.h"

#include <QHash>
#include <QObject>
#include <QSet>

#include <deque>

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
    // Reports these finished tasks once their final states are durable.
    void reportWhenDurable(const QList<quint64> &ids);
    // Encodes the current records of the pending ids while the backlog is under the mark.
    void sendPending();
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
    // Tasks to report whose final state is durable, in the order they became so, each once.
    // At most one entry per task the master holds: 8 bytes plus the hash's overhead each, the
    // whole bound of what a watcher that does not read costs (the drop after the grace time
    // ends even that).
    std::deque<quint64> m_pendingOrder;
    QSet<quint64> m_pending;
    // Finished tasks whose final state is not durable yet, with how many whenDurable calls
    // for them are still waiting: their current record may not be sent before.
    QHash<quint64, int> m_finishing;
    // For the log: records sent from ids since the backlog last went over the mark, and the
    // most that waited unsent right after one of those sends.
    qint64 m_sentHeldBack = 0;
    qint64 m_peakUnsent = 0;
    bool m_holdingBack = false;
};
