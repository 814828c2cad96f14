#include "commandhandler.h"

#include "util/jsonvalue.h"
#include "worker/childprocess.h"

#include <QTimer>

namespace {

class CommandRun final : public TaskRun
{
public:
    CommandRun(HandlerSpec spec, const TaskInput &input, QObject *parent)
        : TaskRun(parent), m_spec(std::move(spec)), m_input(input), m_timeoutMs(m_spec.timeoutFor(input.timeoutMs))
    {
        m_process.setProgram(m_spec.argv.first());
        m_process.setArguments(m_spec.argv.mid(1));
        if (!m_spec.cwd.isEmpty())
            m_process.setWorkingDirectory(m_spec.cwd);
        QProcessEnvironment env = m_spec.environment();
        env.insert(QStringLiteral("TASKMASTER_TASK_ID"), QString::number(input.id));
        env.insert(QStringLiteral("TASKMASTER_TASK_KIND"), input.kind);
        env.insert(QStringLiteral("TASKMASTER_ATTEMPT"), QString::number(input.attempt));
        m_process.setChildEnvironment(env);

        m_timer.setSingleShot(true);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            finish(TaskOutcome::retryableFailure(QStringLiteral("timed out after %1 ms").arg(m_timeoutMs)));
        });
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, this, [this] {
            m_stdout += m_process.readAllStandardOutput();
            if (m_stdout.size() > m_spec.outputCap)
                finish(TaskOutcome::failure(QStringLiteral("handler printed more than %1 bytes on stdout (its output_cap); "
                                                           "killed it")
                                                    .arg(m_spec.outputCap)));
        });
        QObject::connect(&m_process, &QProcess::readyReadStandardError, this, [this] {
            ChildProcess::keepTail(&m_stderr, m_process.readAllStandardError());
        });
        QObject::connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
            // Another worker may have the program: worth another attempt.
            if (error == QProcess::FailedToStart)
                finish(TaskOutcome::retryableFailure(QStringLiteral("cannot start handler %1%2: %3")
                                                             .arg(m_spec.argv.first(),
                                                                  m_spec.cwd.isEmpty() ? QString()
                                                                                       : QStringLiteral(" in ") + m_spec.cwd,
                                                                  m_process.errorString())));
        });
        QObject::connect(&m_process, &QProcess::finished, this, &CommandRun::onFinished);
    }
    ~CommandRun() override { cancel(); }

    void start() override
    {
        m_process.start(QIODevice::ReadWrite);
        m_process.write(m_input.rawArgs);
        m_process.closeWriteChannel();
        if (m_timeoutMs > 0 && !m_done)
            m_timer.start(std::chrono::milliseconds(m_timeoutMs));
    }

    void cancel() override
    {
        m_done = true;
        m_timer.stop();
        m_process.killTree();
    }

private:
    void onFinished(int exitCode, QProcess::ExitStatus status)
    {
        if (m_done)
            return;
        m_stdout += m_process.readAllStandardOutput();
        ChildProcess::keepTail(&m_stderr, m_process.readAllStandardError());
        if (m_stdout.size() > m_spec.outputCap) {
            return finish(TaskOutcome::failure(
                    QStringLiteral("handler printed more than %1 bytes on stdout (its output_cap)").arg(m_spec.outputCap)));
        }
        if (status == QProcess::NormalExit && exitCode == 0) {
            QJsonValue value;
            QString error;
            if (JsonValue::parse(m_stdout.trimmed(), &value, &error))
                return finish(TaskOutcome::success(value));
            return finish(TaskOutcome::failure(
                    QStringLiteral("handler printed invalid JSON (%1); its output began: %2")
                            .arg(error, ChildProcess::excerpt(m_stdout, CommandHandler::InvalidOutputExcerpt))));
        }
        const QString stderrNote = ChildProcess::stderrNote(m_stderr);
        if (status == QProcess::NormalExit && exitCode == HandlerSpec::ExitTempFail)
            return finish(TaskOutcome::retryableFailure(QStringLiteral("handler asked for a retry (exit code 75)") + stderrNote));
        finish(TaskOutcome::failure(QStringLiteral("handler ") + ChildProcess::describeExit(exitCode, status) + stderrNote));
    }

    void finish(const TaskOutcome &outcome)
    {
        if (m_done)
            return;
        m_done = true;
        m_timer.stop();
        m_process.killTree(); // what it started, or itself when it is over its cap or its time
        Q_EMIT finished(outcome);
    }

    HandlerSpec m_spec;
    TaskInput m_input;
    qint64 m_timeoutMs;
    ChildProcess m_process;
    QTimer m_timer;
    QByteArray m_stdout;
    QByteArray m_stderr;
    bool m_done = false;
};

} // namespace

TaskRun *CommandHandler::prepare(const TaskInput &input, TaskOutcome *, QObject *parent)
{
    return new CommandRun(m_spec, input, parent);
}
