#include "logforwarder.h"

#include <QAtomicPointer>

namespace {

QtMessageHandler previousHandler = nullptr;
QAtomicPointer<LogForwarder> forwarder;

void forward(QtMsgType type, const QMessageLogContext &context, const QString &text)
{
    if (previousHandler)
        previousHandler(type, context, text);
    LogForwarder *target = forwarder.loadAcquire();
    if (target && context.category && qstrncmp(context.category, "taskmaster.", 11) == 0)
        Q_EMIT target->message(int(type), QString::fromLatin1(context.category), text);
}

} // namespace

LogForwarder::LogForwarder() = default;

LogForwarder::~LogForwarder()
{
    forwarder.storeRelease(nullptr);
}

LogForwarder *LogForwarder::instance()
{
    static LogForwarder self;
    if (!forwarder.loadAcquire()) {
        forwarder.storeRelease(&self);
        previousHandler = qInstallMessageHandler(forward);
    }
    return &self;
}
