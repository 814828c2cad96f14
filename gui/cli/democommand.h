#pragma once

#include <QStringList>

// taskmaster demo: the classic task_master.py / task_worker.py run, for real: a master in this
// process, local taskworker processes, random square tasks, results printed as they arrive.
int runDemo(const QStringList &args);
