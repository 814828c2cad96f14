#pragma once

// How the scheduler reaches a worker: a network session, or a fake in a test.

#include "protocol/messages.h"

class WorkerLink
{
public:
    virtual ~WorkerLink() = default;
    virtual void assign(const QList<Messages::TaskAssignment> &tasks) = 0;
    virtual void cancel(const QList<Messages::TaskRef> &tasks, const QString &reason) = 0;
    // Asks for prefetched tasks back; the answer comes as returnTasks().
    virtual void reclaim(const QList<Messages::TaskRef> &tasks) = 0;
};
