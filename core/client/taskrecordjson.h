#pragma once

// A finished task as one JSON object, the line `taskmaster submit --wait` prints.

#include "protocol/messages.h"

#include <QJsonObject>

namespace TaskRecordJson {

QJsonObject toJson(const Messages::TaskRecord &record);
// The same object as compact text, keys in the same (sorted) order, with the args and the
// result spliced in as the bytes the submitter and the worker gave: a big integer keeps every
// digit and keys keep their order. (Text with a raw line break is compacted, so the line
// stays one line; text that is not JSON becomes null, as in toJson.)
QByteArray toLine(const Messages::TaskRecord &record);

} // namespace TaskRecordJson
