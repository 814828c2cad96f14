#pragma once

// A finished task as one JSON object, the line `taskmaster submit --wait` prints.

#include "protocol/messages.h"

#include <QJsonObject>

namespace TaskRecordJson {

QJsonObject toJson(const Messages::TaskRecord &record);

} // namespace TaskRecordJson
