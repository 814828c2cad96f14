#pragma once

// Stores written directly, for tests that then hand them to the real binaries.

#include "task/sqlitetaskstore.h"

#include <functional>

// A store of count queued "echo" tasks with ids 1..count, closed as a master closes it on
// SIGTERM. "" or the error.
inline QString makeStore(const QString &directory, int count,
                         const std::function<QByteArray(quint64)> &argsOf = {})
{
    SqliteTaskStore store(directory);
    QString error;
    if (!store.open(&error))
        return error;
    for (int i = 0; i < count; ++i) {
        Task task;
        task.id = store.nextId();
        task.spec.kind = QStringLiteral("echo");
        if (argsOf)
            task.spec.args = argsOf(task.id);
        task.createdMs = 1000 + qint64(task.id);
        store.insert(std::move(task));
    }
    return store.commit() ? QString() : QStringLiteral("commit failed");
}
