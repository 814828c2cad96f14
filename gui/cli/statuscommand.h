#pragma once

#include <QStringList>

// taskmaster status: counts by state and the connected workers of a running master.
int runStatus(const QStringList &args);
