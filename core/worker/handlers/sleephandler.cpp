#include "sleephandler.h"

#include "argsreader.h"

#include <QJsonObject>
#include <QTimer>

namespace {

class SleepRun final : public TaskRun
{
public:
    SleepRun(qint64 ms, QObject *parent) : TaskRun(parent), m_ms(ms)
    {
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            Q_EMIT finished(TaskOutcome::success(QJsonObject{{QStringLiteral("slept_ms"), m_ms}}));
        });
    }
    void start() override { m_timer.start(std::chrono::milliseconds(m_ms)); }
    void cancel() override { m_timer.stop(); }

private:
    qint64 m_ms;
    QTimer m_timer;
};

} // namespace

TaskRun *SleepHandler::prepare(const TaskInput &input, TaskOutcome *outcome, QObject *parent)
{
    const QJsonValue &args = input.args;
    QString error;
    const auto ms = ArgsReader::integer(args, QStringLiteral("ms"), true, &error);
    if (!ms) {
        *outcome = TaskOutcome::failure(QStringLiteral("sleep: ") + error);
        return nullptr;
    }
    if (*ms < 0 || *ms > MaxMs) {
        *outcome = TaskOutcome::failure(QStringLiteral("sleep: ms must be between 0 and %1, not %2").arg(MaxMs).arg(*ms));
        return nullptr;
    }
    return new SleepRun(*ms, parent);
}
