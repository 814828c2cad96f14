#pragma once

// Forgets finished tasks the master no longer needs to keep: those beyond the newest
// keepFinished, or finished more than keepDays ago. A pass picks what to forget once (that
// looks at every task) and then removes at most batchSize tasks per event loop turn, so
// purging a large backlog never stalls the queue.

#include <QList>
#include <QObject>

class QTimer;
class Scheduler;

class Retention final : public QObject
{
    Q_OBJECT

public:
    struct Settings {
        qint64 keepFinished = -1; // -1: no limit by count
        qint64 keepDays = -1; // -1: no limit by age
        int intervalMs = 60'000;
        int batchSize = 500;
        bool enabled() const { return keepFinished >= 0 || keepDays >= 0; }
    };

    Retention(Scheduler *scheduler, const Settings &settings, QObject *parent = nullptr);

    // Starts a pass now (and every intervalMs after); passFinished() says how many were purged.
    void start();
    quint64 purgedTotal() const { return m_purgedTotal; }

Q_SIGNALS:
    void passFinished(int purged);

private:
    void beginPass();
    void purgeBatch();

    Scheduler *m_scheduler;
    Settings m_settings;
    QTimer *m_interval;
    QList<quint64> m_toPurge; // this pass's victims, oldest first
    qsizetype m_nextToPurge = 0;
    int m_purgedThisPass = 0;
    bool m_passRunning = false;
    quint64 m_purgedTotal = 0;
};
