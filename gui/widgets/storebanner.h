#pragma once

// A bar above the task table while the master's store cannot write (a full disk): what the
// store said, and what that means for new tasks and results. Hidden while the store writes.

#include <QFrame>

class QLabel;
class Scheduler;

class StoreBanner final : public QFrame
{
    Q_OBJECT

public:
    explicit StoreBanner(Scheduler *scheduler, QWidget *parent = nullptr);

    QString text() const;

private:
    void setFailure(const QString &failure);

    QLabel *m_label;
};
