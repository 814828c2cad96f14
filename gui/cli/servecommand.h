#pragma once

#include <QStringList>

// taskmaster serve: the master, headless. Prints "listening on ADDR:PORT" first when ready.
int runServe(const QStringList &args);
