#pragma once

// What a worker can run. A handler either answers at once on the event loop thread (square,
// echo) or starts a TaskRun that reports later (sleep, sha256, exec, handlers the worker was
// given). Runs never block the event loop, so heartbeats and cancels keep flowing while they work.

#include <QByteArray>
#include <QJsonValue>
#include <QObject>
#include <QString>

struct TaskOutcome {
    bool ok = false;
    QByteArray result; // compact JSON text when ok
    QString error;
    // A failure that another attempt may cure (a handler asked for a retry, timed out, lost its
    // process). Bad args and the like stay fatal.
    bool retryable = false;

    static TaskOutcome success(const QJsonValue &value);
    static TaskOutcome failure(const QString &error) { return {false, {}, error, false}; }
    static TaskOutcome retryableFailure(const QString &error) { return {false, {}, error, true}; }
};

// One task as a handler sees it: the args both as the bytes the master sent (to pass on
// untouched) and parsed.
struct TaskInput {
    quint64 id = 0;
    quint32 attempt = 0;
    QString kind;
    QByteArray rawArgs;
    QJsonValue args;
    qint64 timeoutMs = 0; // 0: none
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
    virtual TaskRun *prepare(const TaskInput &input, TaskOutcome *outcome, QObject *parent) = 0;
};
