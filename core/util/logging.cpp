#include "logging.h"

// Info and above are on by default; debug output is opt-in through QT_LOGGING_RULES.
Q_LOGGING_CATEGORY(lcNet, "taskmaster.net", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAuth, "taskmaster.auth", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMaster, "taskmaster.master", QtInfoMsg)
Q_LOGGING_CATEGORY(lcWorker, "taskmaster.worker", QtInfoMsg)
Q_LOGGING_CATEGORY(lcClient, "taskmaster.client", QtInfoMsg)
Q_LOGGING_CATEGORY(lcGui, "taskmaster.gui", QtInfoMsg)
