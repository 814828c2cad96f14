#pragma once

#include <QStringList>

// taskmaster submit: puts tasks on a running master and, with --wait, prints each result.
int runSubmit(const QStringList &args);
