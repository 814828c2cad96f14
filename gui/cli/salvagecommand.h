#pragma once

#include <QStringList>

// taskmaster salvage: copies what can be read of a damaged data directory into a new one.
int runSalvage(const QStringList &args);
