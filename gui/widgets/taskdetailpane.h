#pragma once

// Everything about one task: args and result pretty-printed (exec's stdout and stderr are
// fields of its result), the error, timings and the history of attempts with their workers
// and reasons.

#include <QTextBrowser>

struct Task;

class TaskDetailPane final : public QTextBrowser
{
    Q_OBJECT

public:
    explicit TaskDetailPane(QWidget *parent = nullptr);

    // nullptr clears the pane.
    void showTask(const Task *task);
    static QString prettyJson(const QByteArray &compact);
};
