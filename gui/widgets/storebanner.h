#pragma once

// A bar above the task table while the master's store cannot write (a full disk), or when
// this session keeps its tasks in memory only because the durable store could not be opened
// (another Taskmaster holds it: this window is a second instance): what happened, and what
// that means for the tasks. Hidden while the store writes.

#include <QFrame>

class QLabel;
class Scheduler;

class StoreBanner final : public QFrame
{
    Q_OBJECT

public:
    explicit StoreBanner(Scheduler *scheduler, QWidget *parent = nullptr);

    QString text() const;
    // This session has no durable store: why, and whether another master holds it.
    void setMemoryOnly(const QString &why, bool heldByAnother);

private:
    void setFailure(const QString &failure);
    void refresh();

    QLabel *m_label;
    QString m_failure;
    QString m_memoryOnly;
};
