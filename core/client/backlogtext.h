#pragma once

// Queued work in words, for every place that tells a person why tasks wait: status, submit
// --wait and the desktop app say the same thing.

#include "protocol/messages.h"

namespace BacklogText {

// "12 tasks wait for a worker that runs cube", "... that runs square and has the tag gpu".
QString waitingForWorker(quint64 tasks, const QString &kind, const QStringList &requiredTags);
// What a backlog entry with no capable worker means; empty when some worker can take it.
QString describe(const Messages::Backlog &backlog);

} // namespace BacklogText
