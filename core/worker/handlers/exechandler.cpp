#include "exechandler.h"

#include "argsreader.h"
#include "worker/childprocess.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>

namespace {

struct ExecRequest {
    QStringList argv;
    QString cwd;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    QByteArray stdinData;
    bool hasStdin = false;
};

QString parseRequest(const QJsonValue &args, ExecRequest *request)
{
    const QString expected = QStringLiteral(
            "exec: expected args {\"argv\": [program, args...], \"cwd\"?: string, \"env\"?: {name: string}, "
            "\"stdin\"?: string}, ");
    if (!args.isObject())
        return expected + QStringLiteral("got ") + ArgsReader::describe(args);
    const QJsonObject object = args.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        static const QStringList known = {QStringLiteral("argv"), QStringLiteral("cwd"), QStringLiteral("env"),
                                          QStringLiteral("stdin")};
        if (!known.contains(it.key()))
            return expected + QStringLiteral("got an unknown key \"%1\"").arg(it.key());
    }
    const QJsonValue argv = object.value(QStringLiteral("argv"));
    if (!argv.isArray() || argv.toArray().isEmpty())
        return expected + QStringLiteral("argv is missing or empty");
    for (const QJsonValue &arg : argv.toArray()) {
        if (!arg.isString())
            return expected + QStringLiteral("argv holds a non-string: ") + ArgsReader::describe(arg);
        request->argv.append(arg.toString());
    }
    if (request->argv.first().isEmpty())
        return expected + QStringLiteral("argv[0] is empty");
    const QJsonValue cwd = object.value(QStringLiteral("cwd"));
    if (!cwd.isUndefined()) {
        if (!cwd.isString())
            return expected + QStringLiteral("cwd is not a string");
        request->cwd = cwd.toString();
    }
    const QJsonValue env = object.value(QStringLiteral("env"));
    if (!env.isUndefined()) {
        if (!env.isObject())
            return expected + QStringLiteral("env is not an object");
        const QJsonObject vars = env.toObject();
        for (auto it = vars.begin(); it != vars.end(); ++it) {
            if (!it.value().isString())
                return expected + QStringLiteral("env value of %1 is not a string").arg(it.key());
            request->environment.insert(it.key(), it.value().toString());
        }
    }
    const QJsonValue input = object.value(QStringLiteral("stdin"));
    if (!input.isUndefined()) {
        if (!input.isString())
            return expected + QStringLiteral("stdin is not a string");
        request->stdinData = input.toString().toUtf8();
        request->hasStdin = true;
    }
    return {};
}

class ExecRun final : public TaskRun
{
public:
    ExecRun(ExecRequest request, qint64 cap, QObject *parent)
        : TaskRun(parent), m_request(std::move(request)), m_cap(cap)
    {
        m_process.setProgram(m_request.argv.first());
        m_process.setArguments(m_request.argv.mid(1));
        m_process.setChildEnvironment(m_request.environment);
        if (!m_request.cwd.isEmpty())
            m_process.setWorkingDirectory(m_request.cwd);
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, this, [this] {
            capture(m_process.readAllStandardOutput(), m_stdout, m_stdoutDropped);
        });
        QObject::connect(&m_process, &QProcess::readyReadStandardError, this, [this] {
            capture(m_process.readAllStandardError(), m_stderr, m_stderrDropped);
        });
        QObject::connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
            if (error == QProcess::FailedToStart && !m_cancelled)
                Q_EMIT finished(TaskOutcome::failure(
                        QStringLiteral("exec: cannot start %1%2: %3")
                                .arg(m_request.argv.first(),
                                     m_request.cwd.isEmpty() ? QString() : QStringLiteral(" in %1").arg(m_request.cwd),
                                     m_process.errorString())));
        });
        QObject::connect(&m_process, &QProcess::finished, this, [this](int exitCode, QProcess::ExitStatus status) {
            if (m_cancelled)
                return;
            capture(m_process.readAllStandardOutput(), m_stdout, m_stdoutDropped);
            capture(m_process.readAllStandardError(), m_stderr, m_stderrDropped);
            const bool crashed = status == QProcess::CrashExit;
            Q_EMIT finished(TaskOutcome::success(QJsonObject{
                    {QStringLiteral("exit_code"), crashed ? QJsonValue(QJsonValue::Null) : QJsonValue(exitCode)},
                    {QStringLiteral("crashed"), crashed},
                    {QStringLiteral("stdout"), QString::fromUtf8(m_stdout)},
                    {QStringLiteral("stderr"), QString::fromUtf8(m_stderr)},
                    {QStringLiteral("stdout_truncated"), m_stdoutDropped > 0},
                    {QStringLiteral("stderr_truncated"), m_stderrDropped > 0},
            }));
        });
    }
    ~ExecRun() override { cancel(); }

    void start() override
    {
        m_process.start(QIODevice::ReadWrite);
        if (m_request.hasStdin)
            m_process.write(m_request.stdinData);
        m_process.closeWriteChannel();
    }

    void cancel() override
    {
        m_cancelled = true;
        m_process.killTree(); // what the program started too (the jobs of a `sh -c make`)
    }

private:
    void capture(const QByteArray &chunk, QByteArray &into, qint64 &dropped)
    {
        const qint64 room = qMax<qint64>(0, m_cap - into.size());
        into.append(chunk.left(room));
        dropped += chunk.size() - qMin<qint64>(room, chunk.size());
    }

    ExecRequest m_request;
    qint64 m_cap;
    ChildProcess m_process;
    QByteArray m_stdout;
    QByteArray m_stderr;
    qint64 m_stdoutDropped = 0;
    qint64 m_stderrDropped = 0;
    bool m_cancelled = false;
};

} // namespace

TaskRun *ExecHandler::prepare(const TaskInput &input, TaskOutcome *outcome, QObject *parent)
{
    if (!m_allowed) {
        *outcome = TaskOutcome::failure(
                QStringLiteral("exec is disabled on this worker (start taskworker with --allow-exec to enable it)"));
        return nullptr;
    }
    ExecRequest request;
    const QString error = parseRequest(input.args, &request);
    if (!error.isEmpty()) {
        *outcome = TaskOutcome::failure(error);
        return nullptr;
    }
    return new ExecRun(std::move(request), m_outputCap, parent);
}
