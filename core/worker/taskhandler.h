#pragma once

// What a worker can run. A handler either answers at once on the event loop thread (square,
// echo) or starts a TaskRun that reports later (sleep, sha256, exec). Runs never block the
// event loop, so heartbeats and cancels keep flowing while they work.

#include <QByteArray>
#include <QJsonValue>
#include <QObject>
#include <QString>

struct TaskOutcome {
    bool ok = false;
    QByteArray result; // compact JSON text when ok
    QString error;
    bool retryable = false; // a failure that may pass if tried again later

    static TaskOutcome success(const QJsonValue &value);
    static TaskOutcome failure(const QString &error) { return {false, {}, error}; }
};

class TaskRun : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    virtual void start() = 0;
    // Stops the work as soon as it can; finished() need not follow.
    virtual void cancel() = 0;

Q_SIGNALS:
    void finished(const TaskOutcome &outcome);
};

class TaskHandler
{
public:
    virtual ~TaskHandler() = default;
    virtual QString kind() const = 0;
    // Either fills outcome and returns nullptr, or returns a run to start.
    virtual TaskRun *prepare(const QJsonValue &args, TaskOutcome *outcome, QObject *parent) = 0;
};
