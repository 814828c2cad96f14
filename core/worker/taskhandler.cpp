#include "taskhandler.h"

#include "util/jsonvalue.h"

TaskOutcome TaskOutcome::success(const QJsonValue &value)
{
    return {true, JsonValue::serialize(value), {}, false};
}
