#pragma once

// A script's view of a master (the client role): submit tasks and follow them to the end,
// ask for status, cancel. Large submissions are split into frames under the master's cap.

#include "client/masterlink.h"
#include "task/task.h"

#include <QObject>
#include <QSet>

// Tasks per Submit request: each is acknowledged on its own once durable.
inline constexpr qsizetype SubmitRequestTasks = 1000;

class MasterClient final : public QObject
{
    Q_OBJECT

public:
    explicit MasterClient(const QByteArray &key, QObject *parent = nullptr);

    void setTls(const Tls::ClientSettings &tls) { m_link->setTls(tls); }
    void open(const QString &host, quint16 port, int timeoutMs = 10'000);
    void close();
    // Whether the master said Goodbye (it dropped this client on purpose) before it was lost.
    bool masterSaidGoodbye() const { return !m_goodbye.isEmpty(); }

    // Submits all specs, in requests of one frame each; acknowledged() follows for each
    // request once its tasks are durable on the master, in order, and submitted() once every
    // task has an id. keys is empty or holds an idempotency key (or "") per spec. With watch,
    // the final record of each arrives through taskFinished(). Returns an error, and sends
    // nothing, when a task is larger than the master accepts.
    QString submit(const QList<TaskSpec> &specs, bool watch, const QStringList &keys = {});
    void watch(const QList<quint64> &ids);
    void requestStatus();
    void cancel(const QList<quint64> &ids);

    int pendingWatches() const { return int(m_watching.size()); }
    bool isSubmitting() const { return !m_submitRequests.isEmpty(); }
    // Tasks of the current submit the master has acknowledged so far, and of them how many it
    // already had under their key.
    qsizetype acknowledgedCount() const { return m_acknowledged; }
    qsizetype existingCount() const { return m_existing; }

Q_SIGNALS:
    void ready();
    void failed(ClientHandshake::Failure failure, const QString &reason);
    void lost(const QString &reason);
    void acknowledged(const QList<quint64> &ids);
    void submitted(const QList<quint64> &ids);
    void requestFailed(const QString &reason);
    void taskFinished(const Messages::TaskRecord &record);
    void statusReceived(const Messages::StatusReply &status);
    void cancelled(int count);

private:
    void onFrame(Protocol::MessageType type, const QByteArray &body);
    quint32 nextRequestId() { return ++m_lastRequestId; }

    MasterLink *m_link;
    quint32 m_lastRequestId = 0;
    QSet<quint32> m_submitRequests;
    QList<quint64> m_submittedIds;
    qsizetype m_acknowledged = 0;
    qsizetype m_existing = 0;
    QSet<quint64> m_watching;
    QSet<quint32> m_cancelRequests;
    int m_cancelledSoFar = 0;
    Messages::StatusReply m_status; // the frames of a split reply so far
    bool m_watchSubmitted = false;
    QString m_goodbye; // why the master said it is closing, for the lost() that follows
};
