#pragma once

#include <QString>
#include <QSet>

// A connected worker as the scheduler sees it.
struct WorkerInfo {
    quint64 id = 0;
    QString name;
    QString host;
    QString address; // peer address:port
    qint64 pid = 0;
    int slots = 1;
    QStringList kinds;
    qint64 connectedSinceMs = 0;
    qint64 lastSeenMs = 0;
    bool draining = false;
    quint64 done = 0;
    quint64 failed = 0;
    QSet<quint64> running; // task ids this worker holds now
};
