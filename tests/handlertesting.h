#pragma once

// What the handler tests share: tasks as the engine hands them over, small handler specs, a
// way to run one to its end, runs counted by id, and the worker's log caught while a test runs.

#include "util/jsonvalue.h"
#include "worker/handlers/commandhandler.h"
#include "worker/handlerspec.h"
#include "worker/taskhandler.h"

#include <QFile>
#include <QHash>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtGlobal>

#include <optional>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/types.h>
#endif

namespace HandlerTesting {


inline constexpr int ReportTimeoutMs = 15'000;
inline constexpr int SilenceMs = 300;

inline TaskInput taskInput(quint64 id, const QJsonValue &args, qint64 timeoutMs = 0, const QString &kind = QStringLiteral("job"))
{
    return {id, 1, kind, JsonValue::serialize(args), args, timeoutMs};
}

inline HandlerSpec onceSpec(const QStringList &argv)
{
    HandlerSpec spec;
    spec.kind = QStringLiteral("job");
    spec.argv = argv;
    return spec;
}

inline HandlerSpec shSpec(const QString &script)
{
    return onceSpec({QStringLiteral("sh"), QStringLiteral("-c"), script});
}

// Starts a run and returns what it reports, or nothing if it stays silent.
inline std::optional<TaskOutcome> runToEnd(TaskRun *run, int timeoutMs = ReportTimeoutMs)
{
    QSignalSpy spy(run, &TaskRun::finished);
    run->start();
    if (spy.isEmpty() && !spy.wait(timeoutMs))
        return std::nullopt;
    return spy.first().first().value<TaskOutcome>();
}

inline std::optional<TaskOutcome> runOnce(const HandlerSpec &spec, const QJsonValue &args, qint64 timeoutMs = 0)
{
    CommandHandler handler(spec);
    TaskOutcome outcome;
    std::unique_ptr<TaskRun> run(handler.prepare(taskInput(7, args, timeoutMs), &outcome, nullptr));
    if (!run)
        return outcome;
    return runToEnd(run.get());
}

inline QJsonValue resultValue(const TaskOutcome &outcome)
{
    QJsonValue value;
    JsonValue::parse(outcome.result, &value);
    return value;
}

inline bool writeFile(const QString &path, const QByteArray &text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
}

#ifdef Q_OS_UNIX
// The pid in a file once it is written whole ("pid\n"), else 0.
inline pid_t readPid(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray text = file.readAll();
    return text.endsWith('\n') ? pid_t(text.trimmed().toLongLong()) : 0;
}

// A process the test left behind, killed however the test ends.
struct KillOnExit {
    pid_t pid = 0;
    ~KillOnExit()
    {
        if (pid > 0)
            ::kill(pid, SIGKILL);
    }
};
#endif

// Log lines, caught while an instance lives.
class LogCapture final
{
public:
    LogCapture()
    {
        s_lines.clear();
        m_previous = qInstallMessageHandler(&LogCapture::handle);
    }
    ~LogCapture() { qInstallMessageHandler(m_previous); }
    static QStringList lines() { return s_lines; }

private:
    static void handle(QtMsgType, const QMessageLogContext &, const QString &message) { s_lines.append(message); }
    static inline QStringList s_lines;
    QtMessageHandler m_previous = nullptr;
};


// Answers each task line at once with the square of args.n.
inline const QByteArray SquarePipe = R"(import json, sys
for line in sys.stdin:
    task = json.loads(line)
    print(json.dumps({"id": task["id"], "result": task["args"]["n"] ** 2}), flush=True)
)";

// Runs handed to a handler directly, as the engine would, with every report counted by id.
class RunSet final
{
public:
    explicit RunSet(TaskHandler *handler) : m_handler(handler) {}

    TaskRun *submit(const TaskInput &input)
    {
        TaskOutcome outcome;
        TaskRun *run = m_handler->prepare(input, &outcome, &m_parent);
        const quint64 id = input.id;
        QObject::connect(run, &TaskRun::finished, &m_parent, [this, id](const TaskOutcome &o) {
            m_reports[id].append(o);
            m_order.append(id);
            if (o.ok)
                ++m_succeeded;
        });
        run->start();
        return run;
    }
    TaskRun *submit(quint64 id, const QJsonValue &args, qint64 timeoutMs = 0)
    {
        return submit(taskInput(id, args, timeoutMs));
    }

    int reportCount() const { return int(m_order.size()); }
    int succeeded() const { return m_succeeded; }
    QList<TaskOutcome> reports(quint64 id) const { return m_reports.value(id); }
    QList<quint64> order() const { return m_order; }

private:
    TaskHandler *m_handler;
    QObject m_parent;
    QHash<quint64, QList<TaskOutcome>> m_reports;
    QList<quint64> m_order;
    int m_succeeded = 0;
};

inline QJsonObject n(qint64 value)
{
    return QJsonObject{{QStringLiteral("n"), value}};
}


// A script written into dir; its path.
inline QString writeScript(const QTemporaryDir &dir, const QString &name, const QByteArray &text)
{
    const QString path = dir.filePath(name);
    if (!writeFile(path, text))
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

// A pipe handler running a Python script with unbuffered output.
inline HandlerSpec pythonPipe(const QString &python, const QString &scriptPath, int slots = 1)
{
    HandlerSpec spec = onceSpec({python, QStringLiteral("-u"), scriptPath});
    spec.mode = HandlerSpec::Mode::Pipe;
    spec.slots = slots;
    return spec;
}

} // namespace HandlerTesting
