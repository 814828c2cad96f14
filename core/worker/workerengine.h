#pragma once

// The worker: keeps a link to the master (waiting and retrying with backoff while it is not
// reachable), announces its slots, runs what it is given through its handlers and sends
// results back in batches. shutdown() drains: no new tasks, running ones get a grace period,
// the rest go back to the master.

#include "client/masterlink.h"
#include "worker/handlerspec.h"
#include "worker/taskhandler.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>

#include <deque>
#include <map>
#include <memory>

class QTimer;

class WorkerEngine final : public QObject
{
    Q_OBJECT

public:
    struct Settings {
        QString host = QStringLiteral("127.0.0.1");
        quint16 port = 0;
        QByteArray key;
        Tls::ClientSettings tls;
        QString name;
        int slots = 1;
        bool allowExec = false;
        QStringList tags; // announced to the master, which routes tasks by them
        QList<HandlerSpec> handlers; // kinds from --handler / --handlers, beside the built-in ones
        bool once = false; // no retries: exit when the master cannot be reached or goes away
        int graceMs = 10'000;
        int initialBackoffMs = 250;
        int maxBackoffMs = 10'000;
    };

    explicit WorkerEngine(const Settings &settings, QObject *parent = nullptr);
    ~WorkerEngine() override;

    void start();
    // The first call drains gracefully; a second one returns everything at once.
    void shutdown();

    QStringList kinds() const;
    // The kinds every worker has; a handler may not take one of their names.
    static QStringList builtinKinds();
    int runningCount() const { return int(m_running.size()); }

Q_SIGNALS:
    void connected();
    void finished(int exitCode);

private:
    struct Running {
        quint32 attempt = 0;
        TaskRun *run = nullptr;
        qint64 receivedNs = 0;
        qint64 startedNs = 0;
    };
    // A task the master sent ahead (prefetch) that waits for a free slot here.
    struct Waiting {
        Messages::TaskAssignment task;
        qint64 receivedNs = 0;
    };

    void connectToMaster();
    void onReady();
    void onFailed(ClientHandshake::Failure failure, const QString &reason);
    void onLost(const QString &reason);
    void onFrame(Protocol::MessageType type, const QByteArray &body);
    void startWaitingTasks();
    void runTask(const Messages::TaskAssignment &task, qint64 receivedNs);
    void finishTask(quint64 id, quint32 attempt, const TaskOutcome &outcome, qint64 receivedNs, qint64 startedNs);
    void returnWaitingTasks(const QString &reason);
    void cancelTasks(const QList<Messages::TaskRef> &tasks);
    void cancelAll();
    QList<Messages::TaskRef> runningRefs() const;
    void scheduleFlush();
    void flushResults();
    void retryLater(const QString &reason);
    void finishDrain();
    void stop(int exitCode);

    Settings m_settings;
    MasterLink *m_link;
    QTimer *m_retryTimer;
    QTimer *m_graceTimer;
    std::map<QString, std::unique_ptr<TaskHandler>> m_handlers;
    QHash<quint64, Running> m_running;
    std::deque<Waiting> m_waiting;
    QElapsedTimer m_clock;
    QList<Messages::TaskResult> m_pendingResults;
    QList<Messages::TaskRef> m_pendingStarts;
    int m_backoffMs;
    bool m_flushScheduled = false;
    bool m_draining = false;
    bool m_stopping = false;
    bool m_everConnected = false;
};
