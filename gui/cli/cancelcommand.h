#pragma once

#include <QStringList>

// taskmaster cancel: cancels queued or running tasks on a running master by id.
int runCancel(const QStringList &args);
