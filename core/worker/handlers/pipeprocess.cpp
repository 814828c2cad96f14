#include "pipeprocess.h"

#include "piperun.h"
#include "util/jsonvalue.h"
#include "util/logging.h"
#include "worker/childprocess.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

PipeProcess::PipeProcess(const HandlerSpec &spec, int index, QObject *parent)
    : QObject(parent), m_spec(spec), m_index(index), m_restartTimer(new QTimer(this))
{
    m_restartTimer->setSingleShot(true);
    connect(m_restartTimer, &QTimer::timeout, this, &PipeProcess::start);
    start();
}

PipeProcess::~PipeProcess()
{
    stop(QStringLiteral("the worker is stopping"));
}

qint64 PipeProcess::pid() const
{
    return m_process ? m_process->processId() : 0;
}

QString PipeProcess::downReason() const
{
    const qint64 left = qMax<qint64>(0, m_restartTimer->remainingTime());
    return QStringLiteral("%1; it starts again in %2 ms").arg(m_downReason).arg(left);
}

void PipeProcess::start()
{
    if (m_process)
        return;
    auto process = std::make_unique<ChildProcess>();
    process->setProgram(m_spec.argv.first());
    process->setArguments(m_spec.argv.mid(1));
    if (!m_spec.cwd.isEmpty())
        process->setWorkingDirectory(m_spec.cwd);
    QProcessEnvironment env = m_spec.environment();
    env.insert(QStringLiteral("TASKMASTER_TASK_KIND"), m_spec.kind);
    process->setChildEnvironment(env);
    ChildProcess *p = process.get();
    connect(p, &QProcess::readyReadStandardOutput, this, &PipeProcess::readStdout);
    connect(p, &QProcess::readyReadStandardError, this, &PipeProcess::readStderr);
    connect(p, &QProcess::finished, this, [this, p](int exitCode, QProcess::ExitStatus status) {
        if (m_process.get() == p)
            onExit(ChildProcess::describeExit(exitCode, status));
    });
    connect(p, &QProcess::errorOccurred, this, [this, p](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart && m_process.get() == p)
            onExit(QStringLiteral("could not start: ") + p->errorString());
    });
    m_process = std::move(process);
    m_stdoutBuffer.clear();
    m_stderrBuffer.clear();
    m_stderrTail.clear();
    m_answeredSinceStart = false;
    ++m_starts;
    m_upTime.start();
    m_process->start(QIODevice::ReadWrite); // writes before it runs are buffered
}

void PipeProcess::send(PipeRun *run)
{
    const TaskInput &input = run->input();
    run->setProcess(this);
    m_inFlight.insert(input.id, run);
    // The args as the master sent them, unless they span lines (then compacted: one task, one line).
    const QByteArray args = input.rawArgs.contains('\n') ? JsonValue::serialize(input.args) : input.rawArgs;
    QByteArray line;
    line.reserve(args.size() + input.kind.size() + 64);
    line += "{\"id\":" + QByteArray::number(input.id) + ",\"kind\":" + JsonValue::serialize(input.kind)
            + ",\"args\":" + args + ",\"attempt\":" + QByteArray::number(input.attempt) + "}\n";
    m_process->write(line);
}

void PipeProcess::abandon(PipeRun *run, const QString &why)
{
    if (!m_inFlight.remove(run->input().id))
        return;
    stop(QStringLiteral("handler process %1 of kind %2 was replaced: %3").arg(m_index).arg(m_spec.kind, why));
    // Not a failure of the program: the new one starts at once, so the next task finds it. (Its
    // own failures are reported through queued deliveries, never into the caller.)
    start();
}

void PipeProcess::forget(PipeRun *run)
{
    const auto it = m_inFlight.constFind(run->input().id);
    if (it != m_inFlight.cend() && it->data() == run)
        m_inFlight.erase(it);
}

void PipeProcess::stop(const QString &reason)
{
    const auto inFlight = std::exchange(m_inFlight, {});
    for (const QPointer<PipeRun> &run : inFlight) {
        if (run)
            run->deliverLater(TaskOutcome::retryableFailure(reason));
    }
    if (std::unique_ptr<ChildProcess> process = std::move(m_process)) {
        process->disconnect(this);
        process->killTree();
        // Later: this may run inside one of the process's own signals.
        process.release()->deleteLater();
    }
}

void PipeProcess::onExit(const QString &how)
{
    // What is still buffered may hold the last answers and the reason it died.
    readStdout();
    readStderr();
    if (!m_stderrBuffer.isEmpty())
        logLine("stderr", m_stderrBuffer, m_stderrLimiter);
    const bool healthy = m_answeredSinceStart || m_upTime.elapsed() >= StableMs;
    m_backoffMs = healthy ? InitialBackoffMs : m_backoffMs;
    m_downReason = QStringLiteral("handler process %1 of kind %2 %3").arg(m_index).arg(m_spec.kind, how)
                   + ChildProcess::stderrNote(m_stderrTail);
    qCWarning(lcWorker).noquote() << m_downReason.left(2000) << QStringLiteral("- restarting in %1 ms").arg(m_backoffMs);
    stop(m_downReason);
    m_restartTimer->start(m_backoffMs);
    m_backoffMs = qMin(m_backoffMs * 2, MaxBackoffMs);
    Q_EMIT exitedUnexpectedly();
}

void PipeProcess::readStdout()
{
    if (!m_process)
        return;
    m_stdoutBuffer += m_process->readAllStandardOutput();
    qsizetype from = 0;
    for (qsizetype newline; (newline = m_stdoutBuffer.indexOf('\n', from)) >= 0; from = newline + 1) {
        handleLine(m_stdoutBuffer.mid(from, newline - from));
        if (!m_process)
            return; // the line made us drop the process
    }
    m_stdoutBuffer.remove(0, from);
    if (m_stdoutBuffer.size() > m_spec.outputCap) {
        stop(QStringLiteral("handler process %1 of kind %2 printed a line longer than %3 bytes (its output_cap); "
                            "replaced it")
                     .arg(m_index)
                     .arg(m_spec.kind)
                     .arg(m_spec.outputCap));
        start();
    }
}

void PipeProcess::handleLine(const QByteArray &line)
{
    if (line.trimmed().isEmpty())
        return;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
    const QJsonObject answer = doc.object();
    const QJsonValue idValue = answer.value(QStringLiteral("id"));
    const qint64 id = idValue.toInteger(-1);
    const auto it = id >= 0 ? m_inFlight.find(quint64(id)) : m_inFlight.end();
    if (error.error != QJsonParseError::NoError || !doc.isObject() || it == m_inFlight.end()) {
        logLine("stdout (not an answer to a task in flight)", line, m_stdoutLimiter);
        return;
    }
    const QPointer<PipeRun> run = *it;
    m_inFlight.erase(it);
    if (!run)
        return;
    m_answeredSinceStart = true;
    if (answer.contains(QStringLiteral("result"))) {
        run->deliver(TaskOutcome::success(answer.value(QStringLiteral("result"))));
    } else if (const QJsonValue message = answer.value(QStringLiteral("error")); message.isString()) {
        const QString text = message.toString();
        run->deliver(answer.value(QStringLiteral("retry")).toBool() ? TaskOutcome::retryableFailure(text)
                                                                    : TaskOutcome::failure(text));
    } else {
        run->deliver(TaskOutcome::failure(
                QStringLiteral("handler answered with neither \"result\" nor a string \"error\": %1")
                        .arg(ChildProcess::excerpt(line, 200))));
    }
    Q_EMIT answered();
}

void PipeProcess::readStderr()
{
    if (!m_process)
        return;
    const QByteArray chunk = m_process->readAllStandardError();
    ChildProcess::keepTail(&m_stderrTail, chunk);
    m_stderrBuffer += chunk;
    qsizetype from = 0;
    for (qsizetype newline; (newline = m_stderrBuffer.indexOf('\n', from)) >= 0; from = newline + 1)
        logLine("stderr", QByteArrayView(m_stderrBuffer).sliced(from, newline - from), m_stderrLimiter);
    m_stderrBuffer.remove(0, from);
    // A line that never ends is logged in pieces rather than held without bound.
    if (m_stderrBuffer.size() > MaxLogLine) {
        logLine("stderr", m_stderrBuffer, m_stderrLimiter);
        m_stderrBuffer.clear();
    }
}

void PipeProcess::logLine(const char *what, QByteArrayView line, LogLimiter &limiter)
{
    qint64 dropped = 0;
    if (!limiter.allow(&dropped))
        return;
    if (dropped > 0)
        qCInfo(lcWorker).noquote() << QStringLiteral("%1[%2] %3: %4 more lines not shown")
                                              .arg(m_spec.kind)
                                              .arg(m_index)
                                              .arg(QLatin1String(what))
                                              .arg(dropped);
    const QByteArray text = line.first(qMin(line.size(), MaxLogLine)).toByteArray();
    qCInfo(lcWorker).noquote() << QStringLiteral("%1[%2] %3: %4%5")
                                          .arg(m_spec.kind)
                                          .arg(m_index)
                                          .arg(QLatin1String(what), QString::fromUtf8(text),
                                               line.size() > MaxLogLine ? QStringLiteral(" [...]") : QString());
}
