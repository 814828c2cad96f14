#include "democommand.h"

#include "auth/handshakecrypto.h"
#include "commandline.h"
#include "master/master.h"
#include "master/scheduler.h"
#include "util/exitcodes.h"
#include "util/jsonvalue.h"
#include "util/workerprogram.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTimer>

#include <memory>
#include <vector>

int runDemo(const QStringList &args)
{
    QCommandLineParser parser;
    CommandLine::setUp(parser, QStringLiteral(
            "taskmaster demo: start a master in this process and local workers, enqueue random 'square'\n"
            "tasks and print each result with the worker that computed it, as in the classic\n"
            "task_master.py / task_worker.py example."));
    const QCommandLineOption workers(QStringLiteral("workers"), QStringLiteral("Local workers to start (default 2)."),
                                     QStringLiteral("n"), QStringLiteral("2"));
    const QCommandLineOption tasks(QStringLiteral("tasks"), QStringLiteral("Tasks to enqueue (default 10)."),
                                   QStringLiteral("n"), QStringLiteral("10"));
    parser.addOptions({workers, tasks});
    CommandLine::process(parser, args);
    bool ok1 = false, ok2 = false;
    const int workerCount = parser.value(workers).toInt(&ok1);
    const int taskCount = parser.value(tasks).toInt(&ok2);
    if (!ok1 || !ok2 || workerCount < 1 || workerCount > 64 || taskCount < 1 || taskCount > 1'000'000) {
        CommandLine::printError(QStringLiteral("--workers takes 1 to 64 and --tasks 1 to 1000000"));
        return ExitCode::Usage;
    }
    const QString program = WorkerProgram::path(); // next to this binary, as the desktop app finds it
    if (!QFileInfo(program).isExecutable()) {
        CommandLine::printError(QStringLiteral("cannot find the worker program %1; build it next to taskmaster").arg(program));
        return ExitCode::Usage;
    }

    // A fresh key for this run; workers get it through the environment, never the command line.
    Master::Settings settings;
    settings.key = HandshakeCrypto::newNonce().toHex();
    Master master(settings);
    if (!master.listen(QHostAddress::LocalHost, 0)) {
        CommandLine::printError(QStringLiteral("cannot listen: ") + master.errorString());
        return ExitCode::CannotListen;
    }
    Scheduler *scheduler = master.scheduler();
    CommandLine::printLine(QStringLiteral("Master listening on 127.0.0.1:%1; starting %2 workers.")
                                   .arg(master.serverPort())
                                   .arg(workerCount)
                                   .toUtf8());

    std::vector<std::unique_ptr<QProcess>> processes;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("TASKMASTER_AUTHKEY"), QString::fromLatin1(settings.key));
    for (int i = 0; i < workerCount; ++i) {
        auto process = std::make_unique<QProcess>();
        process->setProcessEnvironment(environment);
        process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process->start(program, {QStringLiteral("--port"), QString::number(master.serverPort()), QStringLiteral("--name"),
                                 QStringLiteral("worker-%1").arg(i + 1), QStringLiteral("--slots"), QStringLiteral("1")});
        processes.push_back(std::move(process));
    }

    // Enqueue once every worker is in, so the run shows the work spread across them.
    QSet<quint64> waiting;
    auto enqueue = [&] {
        QList<TaskSpec> specs;
        for (int i = 0; i < taskCount; ++i) {
            TaskSpec spec;
            spec.kind = QStringLiteral("square");
            const qint64 n = QRandomGenerator::global()->bounded(10000);
            spec.args = JsonValue::serialize(QJsonObject{{QStringLiteral("n"), n}});
            CommandLine::printLine(QStringLiteral("Put task %1...").arg(n).toUtf8());
            specs.append(spec);
        }
        // The ids are known before submit() reports on them.
        const quint64 first = scheduler->store().nextId();
        for (quint64 id = first; id < first + quint64(specs.size()); ++id)
            waiting.insert(id);
        scheduler->submit(specs);
    };
    QObject::connect(scheduler, &Scheduler::workerAdded, &master, [&] {
        if (scheduler->workers().size() == workerCount && waiting.isEmpty())
            enqueue();
    });
    int failures = 0;

    QObject::connect(scheduler, &Scheduler::tasksChanged, &master, [&](const QList<quint64> &changed) {
        for (quint64 id : changed) {
            const Task *task = scheduler->task(id);
            if (!task || !isFinished(task->state) || !waiting.remove(id))
                continue;
            QJsonValue taskArgs;
            JsonValue::parse(task->spec.args, &taskArgs);
            const qint64 n = taskArgs.toObject().value(QStringLiteral("n")).toInteger();
            if (task->state == TaskState::Done) {
                CommandLine::printLine(QStringLiteral("Result: %1 * %1 = %2   (%3)")
                                               .arg(n)
                                               .arg(QString::fromUtf8(task->result), task->worker)
                                               .toUtf8());
            } else {
                ++failures;
                CommandLine::printLine(
                        QStringLiteral("Task %1 %2: %3").arg(n).arg(taskStateName(task->state), task->error).toUtf8());
            }
        }
        if (waiting.isEmpty() && !changed.isEmpty())
            QCoreApplication::exit(failures ? ExitCode::TasksFailed : ExitCode::Ok);
    });
    // Should a worker fail to come up, say so instead of waiting in silence.
    QTimer watchdog;
    watchdog.setSingleShot(true);
    QObject::connect(&watchdog, &QTimer::timeout, &master, [&] {
        if (scheduler->workers().size() < workerCount) {
            CommandLine::printError(QStringLiteral("only %1 of %2 workers connected within 10 s; see the messages above")
                                            .arg(scheduler->workers().size())
                                            .arg(workerCount));
            QCoreApplication::exit(ExitCode::Unreachable);
        }
    });
    watchdog.start(10'000);

    const int code = QCoreApplication::exec();
    for (auto &process : processes)
        process->terminate(); // SIGTERM: the workers drain and exit 0
    for (auto &process : processes) {
        if (!process->waitForFinished(5000))
            process->kill();
    }
    CommandLine::printLine(code == ExitCode::Ok ? QByteArrayLiteral("Master exit.") : QByteArrayLiteral("Master exit with errors."));
    return code;
}
