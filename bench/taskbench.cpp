// taskbench: the Taskmaster side of the benchmark. Each mode prints one JSON line.
//   client-throughput / client-latency  a client of a running `taskmaster serve`
//                                       (--port, key in TASKMASTER_AUTHKEY): submit -> results
//   inproc-throughput / inproc-latency  a master in this process, as the desktop app runs it,
//                                       with W taskworker processes (--worker-bin)
//   memory                              a master in this process holding --tasks queued tasks
//   retention                           a retention pass over --tasks finished tasks that purges
//                                       --purge of them, against choosing them anew each batch
//   store                               the durable store's writer on a temporary file: a submit
//                                       of --tasks until durable, against the same submit in
//                                       memory, then a state change of every task

#include "client/masterclient.h"
#include "master/master.h"
#include "master/retention.h"
#include "master/scheduler.h"
#include "task/memorytaskstore.h"
#include "task/sqlitetaskstore.h"
#include "util/jsonvalue.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// user+system CPU seconds of a process, from /proc (Linux); 0 elsewhere.
double cpuSeconds(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return 0;
    return (fields[11].toDouble() + fields[12].toDouble()) / 100.0; // USER_HZ is 100 on Linux
}

// Peak resident set of this process in bytes (VmHWM), from /proc; 0 elsewhere.
qint64 peakRss()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong() * 1024;
    }
    return 0;
}

double percentile(std::vector<double> values, double p)
{
    std::sort(values.begin(), values.end());
    const double k = (double(values.size()) - 1) * p / 100.0;
    const size_t lo = size_t(k), hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (values[hi] - values[lo]) * (k - double(lo));
}

TaskSpec squareSpec(qint64 n)
{
    TaskSpec spec;
    spec.kind = QStringLiteral("square");
    spec.args = "{\"n\":" + QByteArray::number(n) + '}';
    return spec;
}

void print(const QJsonObject &object)
{
    std::printf("%s\n", QJsonDocument(object).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

struct Options {
    QString mode;
    quint16 port = 0;
    int tasks = 20000;
    int workers = 1;
    int slots = 1;
    int purge = 10'000;
    QString workerBin;
};

// The master side of the in-process modes: workers are real taskworker processes.
class LocalWorkers
{
public:
    LocalWorkers(Master &master, const Options &options, const QByteArray &key)
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("TASKMASTER_AUTHKEY"), QString::fromLatin1(key));
        for (int i = 0; i < options.workers; ++i) {
            auto process = std::make_unique<QProcess>();
            process->setProcessEnvironment(environment);
            process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
            process->start(options.workerBin, {QStringLiteral("--port"), QString::number(master.serverPort()),
                                               QStringLiteral("--slots"), QString::number(options.slots),
                                               QStringLiteral("--name"), QStringLiteral("bench-%1").arg(i)});
            m_processes.push_back(std::move(process));
        }
    }
    ~LocalWorkers()
    {
        for (auto &p : m_processes)
            p->terminate();
        for (auto &p : m_processes) {
            if (!p->waitForFinished(5000))
                p->kill();
        }
    }
    double cpuSeconds() const
    {
        double total = 0;
        for (const auto &p : m_processes)
            total += ::cpuSeconds(p->processId());
        return total;
    }

private:
    std::vector<std::unique_ptr<QProcess>> m_processes;
};

int runInProcess(const Options &options, bool latency)
{
    Master::Settings settings;
    settings.key = "bench-key";
    Master master(settings);
    if (!master.listen(QHostAddress::LocalHost, 0))
        return 1;
    Scheduler *scheduler = master.scheduler();
    LocalWorkers workers(master, options, settings.key);

    QJsonObject out{{QStringLiteral("system"), QStringLiteral("taskmaster-inproc")},
                    {QStringLiteral("mode"), latency ? QStringLiteral("latency") : QStringLiteral("throughput")},
                    {QStringLiteral("tasks"), options.tasks},
                    {QStringLiteral("workers"), latency ? 1 : options.workers}};
    const int warmup = latency ? 100 : 0;
    int remaining = options.tasks + warmup;
    bool ok = true;
    std::vector<double> latencies;
    Clock::time_point start, sent;
    double cpuMaster0 = 0, cpuWorkers0 = 0;
    // Every result is checked against the n its task was given, without parsing JSON here: the
    // master's CPU per task should be the master's, not the benchmark's.
    QHash<quint64, qint64> expected;
    auto submitSquares = [&](qint64 first, qint64 count) {
        QList<TaskSpec> specs;
        specs.reserve(count);
        for (qint64 n = first; n < first + count; ++n)
            specs.append(squareSpec(n));
        const quint64 firstId = scheduler->store().nextId();
        for (qint64 i = 0; i < count; ++i)
            expected.insert(firstId + quint64(i), first + i);
        scheduler->submit(specs);
    };
    auto startClock = [&] {
        start = Clock::now();
        cpuMaster0 = cpuSeconds(QCoreApplication::applicationPid());
        cpuWorkers0 = workers.cpuSeconds();
    };
    auto sendOne = [&] {
        sent = Clock::now();
        submitSquares(remaining, 1);
    };
    QObject::connect(scheduler, &Scheduler::tasksFinished, &master, [&](const QList<quint64> &ids) {
        for (quint64 id : ids) {
            const Task *task = scheduler->task(id);
            const qint64 v = expected.take(id);
            ok = ok && task->state == TaskState::Done && task->result == QByteArray::number(v * v);
        }
        scheduler->remove(ids);
        remaining -= int(ids.size());
        if (latency) {
            if (remaining < options.tasks)
                latencies.push_back(std::chrono::duration<double, std::micro>(Clock::now() - sent).count());
            if (remaining == options.tasks)
                startClock();
            if (remaining > 0)
                return sendOne();
        }
        if (remaining == 0)
            QCoreApplication::exit(0);
    });
    QObject::connect(scheduler, &Scheduler::workerAdded, &master, [&] {
        if (int(scheduler->workers().size()) < (latency ? 1 : options.workers))
            return;
        if (latency) {
            sendOne();
            return;
        }
        startClock();
        submitSquares(0, options.tasks);
    });
    QCoreApplication::exec();
    const double seconds = secondsSince(start);
    out.insert(QStringLiteral("seconds"), seconds);
    out.insert(QStringLiteral("tasks_per_s"), options.tasks / seconds);
    out.insert(QStringLiteral("cpu_us_per_task"),
               QJsonObject{{QStringLiteral("master"), (cpuSeconds(QCoreApplication::applicationPid()) - cpuMaster0) * 1e6 / options.tasks},
                           {QStringLiteral("workers"), (workers.cpuSeconds() - cpuWorkers0) * 1e6 / options.tasks}});
    if (latency) {
        out.insert(QStringLiteral("p50_us"), percentile(latencies, 50));
        out.insert(QStringLiteral("p99_us"), percentile(latencies, 99));
    }
    out.insert(QStringLiteral("results_ok"), ok);
    print(out);
    return ok ? 0 : 1;
}

int runClient(const Options &options, bool latency)
{
    MasterClient client(qgetenv("TASKMASTER_AUTHKEY"));
    const int warmup = latency ? 100 : 0;
    int remaining = options.tasks + warmup;
    bool ok = true;
    std::vector<double> latencies;
    Clock::time_point start, sent;
    auto sendOne = [&] {
        sent = Clock::now();
        client.submit({squareSpec(remaining)}, true);
    };
    QObject::connect(&client, &MasterClient::ready, [&] {
        if (latency)
            return sendOne();
        QList<TaskSpec> specs;
        specs.reserve(options.tasks);
        for (int i = 0; i < options.tasks; ++i)
            specs.append(squareSpec(i));
        start = Clock::now();
        client.submit(specs, true);
    });
    QObject::connect(&client, &MasterClient::taskFinished, [&](const Messages::TaskRecord &record) {
        QJsonValue n;
        JsonValue::parse(record.args, &n);
        const qint64 v = n.toObject().value(QStringLiteral("n")).toInteger();
        ok = ok && TaskState(record.state) == TaskState::Done && record.result == QByteArray::number(v * v);
        --remaining;
        if (latency) {
            if (remaining < options.tasks)
                latencies.push_back(std::chrono::duration<double, std::micro>(Clock::now() - sent).count());
            if (remaining == options.tasks)
                start = Clock::now();
            if (remaining > 0)
                return sendOne();
        }
        if (remaining == 0)
            QCoreApplication::exit(0);
    });
    QObject::connect(&client, &MasterClient::failed, [](ClientHandshake::Failure, const QString &reason) {
        std::fprintf(stderr, "taskbench: %s\n", qPrintable(reason));
        QCoreApplication::exit(4);
    });
    QObject::connect(&client, &MasterClient::lost, [](const QString &reason) {
        std::fprintf(stderr, "taskbench: lost the master: %s\n", qPrintable(reason));
        QCoreApplication::exit(4);
    });
    client.open(QStringLiteral("127.0.0.1"), options.port);
    if (const int code = QCoreApplication::exec())
        return code;
    const double seconds = secondsSince(start);
    QJsonObject out{{QStringLiteral("system"), QStringLiteral("taskmaster-wire")},
                    {QStringLiteral("mode"), latency ? QStringLiteral("latency") : QStringLiteral("throughput")},
                    {QStringLiteral("tasks"), options.tasks},
                    {QStringLiteral("seconds"), seconds},
                    {QStringLiteral("tasks_per_s"), options.tasks / seconds},
                    {QStringLiteral("results_ok"), ok}};
    if (latency) {
        out.insert(QStringLiteral("p50_us"), percentile(latencies, 50));
        out.insert(QStringLiteral("p99_us"), percentile(latencies, 99));
    }
    print(out);
    return ok ? 0 : 1;
}

// Submits every task in batches, as clients do (a frame holds at most a few hundred thousand).
void submitAll(Scheduler *scheduler, int tasks)
{
    const int batch = 100'000;
    QList<TaskSpec> specs;
    specs.reserve(batch);
    for (int i = 0; i < tasks; i += batch) {
        specs.clear();
        for (int j = i; j < std::min(tasks, i + batch); ++j)
            specs.append(squareSpec(j));
        scheduler->submit(specs);
    }
}

int runMemory(const Options &options)
{
    Master master(Master::Settings{});
    Scheduler *scheduler = master.scheduler();
    const qint64 rssBefore = peakRss();
    const Clock::time_point start = Clock::now();
    submitAll(scheduler, options.tasks);
    const double seconds = secondsSince(start);
    const bool ok = scheduler->count(TaskState::Queued) == quint64(options.tasks);
    print(QJsonObject{{QStringLiteral("system"), QStringLiteral("taskmaster-inproc")},
                      {QStringLiteral("mode"), QStringLiteral("memory")},
                      {QStringLiteral("tasks"), options.tasks},
                      {QStringLiteral("seconds"), seconds},
                      {QStringLiteral("tasks_per_s"), options.tasks / seconds},
                      {QStringLiteral("peak_rss_mb"), double(peakRss()) / (1024 * 1024)},
                      {QStringLiteral("rss_before_mb"), double(rssBefore) / (1024 * 1024)},
                      {QStringLiteral("results_ok"), ok}});
    return ok ? 0 : 1;
}

// A scheduler over tasks that all finished, task i at time i.
std::unique_ptr<Scheduler> finishedScheduler(int tasks)
{
    auto store = std::make_unique<MemoryTaskStore>();
    for (int i = 0; i < tasks; ++i) {
        Task task;
        task.id = store->nextId();
        task.spec = squareSpec(i);
        task.state = TaskState::Done;
        task.result = QByteArray::number(qint64(i) * i);
        task.finishedMs = 1'000'000 + i;
        store->insert(std::move(task));
    }
    return std::make_unique<Scheduler>(std::move(store));
}

int runRetention(const Options &options)
{
    const qint64 keep = qMax(0, options.tasks - options.purge);
    Retention::Settings settings;
    settings.keepFinished = keep;
    // As the pass did before it chose once: ask the store for one batch at a time, which
    // sorts every finished task each time.
    auto before = finishedScheduler(options.tasks);
    Clock::time_point start = Clock::now();
    int batches = 0;
    for (;;) {
        const QList<quint64> ids = before->store().finishedToPurge(keep, 0, settings.batchSize);
        ++batches;
        if (before->remove(ids) == 0 || ids.size() < settings.batchSize)
            break;
    }
    const double perBatchSeconds = secondsSince(start);
    const bool beforeOk = before->count(TaskState::Done) == quint64(keep);
    before.reset();
    // The pass as the master runs it.
    auto after = finishedScheduler(options.tasks);
    Retention retention(after.get(), settings);
    int purged = -1;
    QObject::connect(&retention, &Retention::passFinished, &retention, [&](int count) {
        purged = count;
        QCoreApplication::quit();
    });
    start = Clock::now();
    QTimer::singleShot(0, &retention, &Retention::start);
    QCoreApplication::exec();
    const double passSeconds = secondsSince(start);
    const bool ok = beforeOk && purged == options.tasks - keep && after->count(TaskState::Done) == quint64(keep);
    print(QJsonObject{{QStringLiteral("system"), QStringLiteral("taskmaster-inproc")},
                      {QStringLiteral("mode"), QStringLiteral("retention")},
                      {QStringLiteral("tasks"), options.tasks},
                      {QStringLiteral("purged"), purged},
                      {QStringLiteral("batches"), batches},
                      {QStringLiteral("choose_each_batch_s"), perBatchSeconds},
                      {QStringLiteral("pass_s"), passSeconds},
                      {QStringLiteral("ratio"), perBatchSeconds / passSeconds},
                      {QStringLiteral("results_ok"), ok}});
    return ok ? 0 : 1;
}

int runStore(const Options &options)
{
    Clock::time_point start = Clock::now();
    bool ok = true;
    {
        Scheduler ephemeral(std::make_unique<MemoryTaskStore>());
        submitAll(&ephemeral, options.tasks);
        ok = ephemeral.count(TaskState::Queued) == quint64(options.tasks);
    }
    const double ephemeralSeconds = secondsSince(start);
    QTemporaryDir directory;
    auto owned = std::make_unique<SqliteTaskStore>(directory.path());
    SqliteTaskStore *store = owned.get();
    QString error;
    if (!directory.isValid() || !store->open(&error)) {
        std::fprintf(stderr, "taskbench: %s\n", qPrintable(error));
        return 1;
    }
    Scheduler durable(std::move(owned));
    start = Clock::now();
    submitAll(&durable, options.tasks);
    const double submitSeconds = secondsSince(start);
    ok = ok && store->commit(); // acknowledged: every task is on disk
    const double durableSeconds = secondsSince(start);
    // A state change of every task, as dispatch makes; the attempt history stays as it was.
    start = Clock::now();
    for (quint64 id = store->firstId(); id < store->nextId(); ++id) {
        if (Task *task = store->find(id)) {
            task->state = TaskState::Running;
            task->attempts = 1;
            store->updated(*task);
        }
    }
    ok = ok && store->commit();
    const double updateSeconds = secondsSince(start);
    ok = ok && store->size() == options.tasks;
    print(QJsonObject{{QStringLiteral("system"), QStringLiteral("taskmaster-inproc")},
                      {QStringLiteral("mode"), QStringLiteral("store")},
                      {QStringLiteral("tasks"), options.tasks},
                      {QStringLiteral("ephemeral_s"), ephemeralSeconds},
                      {QStringLiteral("durable_s"), durableSeconds},
                      {QStringLiteral("durable_ratio"), durableSeconds / ephemeralSeconds},
                      {QStringLiteral("insert_rows_per_s"), options.tasks / (durableSeconds - submitSeconds)},
                      {QStringLiteral("update_rows_per_s"), options.tasks / updateSeconds},
                      {QStringLiteral("results_ok"), ok}});
    return ok ? 0 : 1;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Taskmaster benchmark driver; prints one JSON line."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("mode"),
                                 QStringLiteral("client-throughput, client-latency, inproc-throughput, inproc-latency, memory, retention or store"));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Master port (client modes)."), QStringLiteral("port"));
    const QCommandLineOption tasks(QStringLiteral("tasks"), QStringLiteral("Number of tasks."), QStringLiteral("n"), QStringLiteral("20000"));
    const QCommandLineOption workers(QStringLiteral("workers"), QStringLiteral("Local workers (inproc modes)."), QStringLiteral("n"), QStringLiteral("1"));
    const QCommandLineOption slots(QStringLiteral("slots"), QStringLiteral("Slots per worker."), QStringLiteral("n"), QStringLiteral("1"));
    const QCommandLineOption workerBin(QStringLiteral("worker-bin"), QStringLiteral("The taskworker program."), QStringLiteral("path"));
    const QCommandLineOption purge(QStringLiteral("purge"), QStringLiteral("Tasks the retention pass purges (retention)."),
                                   QStringLiteral("n"), QStringLiteral("10000"));
    parser.addOptions({port, tasks, workers, slots, workerBin, purge});
    parser.process(app);

    Options options;
    options.mode = parser.positionalArguments().value(0);
    options.port = quint16(parser.value(port).toUInt());
    options.tasks = parser.value(tasks).toInt();
    options.workers = parser.value(workers).toInt();
    options.slots = parser.value(slots).toInt();
    options.workerBin = parser.value(workerBin);
    options.purge = parser.value(purge).toInt();
    if (options.tasks < 1) {
        std::fprintf(stderr, "taskbench: --tasks must be at least 1\n");
        return 2;
    }
    if (options.mode == QLatin1String("client-throughput") || options.mode == QLatin1String("client-latency"))
        return runClient(options, options.mode.endsWith(QLatin1String("latency")));
    if (options.mode == QLatin1String("inproc-throughput") || options.mode == QLatin1String("inproc-latency"))
        return runInProcess(options, options.mode.endsWith(QLatin1String("latency")));
    if (options.mode == QLatin1String("memory"))
        return runMemory(options);
    if (options.mode == QLatin1String("retention"))
        return runRetention(options);
    if (options.mode == QLatin1String("store"))
        return runStore(options);
    std::fprintf(stderr, "taskbench: unknown mode \"%s\" (see --help)\n", qPrintable(options.mode));
    return 2;
}
