#pragma once

#include <QString>
#include <QHash>
#include <QStringList>

// A connected worker as the scheduler sees it.
struct WorkerInfo {
    quint64 id = 0;
    QString name;
    QString host;
    QString address; // peer address:port
    qint64 pid = 0;
    int slots = 1;
    QStringList kinds;
    QStringList tags;
    qint64 connectedSinceMs = 0;
    qint64 lastSeenMs = 0;
    bool draining = false;
    quint64 done = 0;
    quint64 failed = 0;
    QHash<quint64, qint64> running; // task ids this worker holds now -> when sent (monotonic µs)
    int started = 0; // how many of them it has started; the rest wait there (prefetched)

    // Adaptive prefetch: tasks sent beyond the free slots, so a worker with microsecond tasks
    // never waits a round trip for its next one. Sized from what the worker reports.
    int prefetch = 0;
    double runMicros = -1; // moving average of handler run time
    double roundTripMicros = -1; // moving average of the time a result spends outside the worker
    bool reclaimPending = false;
    int capacity() const { return slots + prefetch; }
    // How log lines name it: what a person called it and where it runs, never the
    // connection's port, which says nothing to them.
    QString description() const { return host.isEmpty() ? name : name + QStringLiteral(" on ") + host; }
};
