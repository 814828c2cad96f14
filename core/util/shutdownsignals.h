#pragma once

// Turns SIGINT/SIGTERM (Ctrl+C, Ctrl+Break and console close on Windows) into a Qt signal
// delivered on the event loop, where it is safe to act on it. One instance per process.

#include <QObject>

class QSocketNotifier;

class ShutdownSignals final : public QObject
{
    Q_OBJECT

public:
    explicit ShutdownSignals(QObject *parent = nullptr);
    ~ShutdownSignals() override;

Q_SIGNALS:
    // Emitted once per signal received; the second usually means "now".
    void requested(int count);

public:
    // Called on the event loop by the platform's handler.
    void deliver();

private:
    int m_count = 0;
#ifdef Q_OS_UNIX
    QSocketNotifier *m_notifier = nullptr;
#endif
};
