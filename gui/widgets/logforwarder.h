#pragma once

// Forwards messages of the taskmaster.* logging categories, from any thread, to whoever
// listens to message() (the log pane); everything still goes to the previous handler too.
// Emitting a signal is thread-safe, and receivers on the GUI thread get it queued.

#include <QObject>

class LogForwarder final : public QObject
{
    Q_OBJECT

public:
    // Installs the message handler on first use.
    static LogForwarder *instance();
    ~LogForwarder() override;

Q_SIGNALS:
    void message(int type, const QString &category, const QString &text);

private:
    LogForwarder();
};
