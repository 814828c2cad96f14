#pragma once

#include <QStringList>

// taskmaster watch: waits for tasks by id and prints each final record once, reconnecting when
// the master goes away and comes back (a restarted durable master still has the tasks).
int runWatch(const QStringList &args);
