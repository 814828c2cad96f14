// routing_bench: what routing costs the scheduler, measured in one invocation as a ratio of
// many kinds against one kind. No sockets: workers are in-process links that finish what they
// are sent, so the figure is the scheduler's own work per task.
//   enqueue   --tasks queued tasks spread over --kinds kinds (round robin), tasks/s
//   dispatch  those tasks through --workers workers of --slots slots that run every kind,
//             one result batch per worker per round, tasks/s
// Each run prints one JSON line; the last line holds the ratios against kinds = 1.

#include "master/scheduler.h"
#include "master/workerlink.h"
#include "task/memorytaskstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>

#include <chrono>
#include <cstdio>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

class CollectingLink final : public WorkerLink
{
public:
    void assign(const QList<Messages::TaskAssignment> &tasks) override { pending.append(tasks); }
    void cancel(const QList<Messages::TaskRef> &, const QString &) override { }
    void reclaim(const QList<Messages::TaskRef> &) override { }
    QList<Messages::TaskAssignment> pending;
};

struct Figures {
    double enqueuePerS = 0;
    double dispatchPerS = 0;
    bool ok = false;
};

Figures run(int tasks, int kinds, int workers, int slots)
{
    QStringList kindNames;
    for (int k = 0; k < kinds; ++k)
        kindNames.append(QStringLiteral("kind-%1").arg(k));
    QList<TaskSpec> specs;
    specs.reserve(tasks);
    for (int i = 0; i < tasks; ++i) {
        TaskSpec spec;
        spec.kind = kindNames[i % kinds];
        spec.args = QByteArray::number(i);
        specs.append(spec);
    }

    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    Figures figures;
    const Clock::time_point enqueueStart = Clock::now();
    for (qsizetype i = 0; i < specs.size(); i += 100'000) // in batches, as clients submit
        scheduler.submit(specs.mid(i, 100'000));
    figures.enqueuePerS = tasks / std::chrono::duration<double>(Clock::now() - enqueueStart).count();

    std::vector<std::unique_ptr<CollectingLink>> links;
    std::vector<quint64> ids;
    const Clock::time_point dispatchStart = Clock::now();
    for (int w = 0; w < workers; ++w) {
        links.push_back(std::make_unique<CollectingLink>());
        WorkerInfo info;
        info.name = QStringLiteral("bench-%1").arg(w);
        info.slots = slots;
        info.kinds = kindNames;
        ids.push_back(scheduler.addWorker(links.back().get(), info));
    }
    qint64 finished = 0;
    bool progress = true;
    while (progress) {
        progress = false;
        for (size_t w = 0; w < links.size(); ++w) {
            QList<Messages::TaskResult> results;
            for (const Messages::TaskAssignment &a : std::exchange(links[w]->pending, {}))
                results.append({a.id, a.attempt, quint8(Messages::Outcome::Ok), a.args, QString(), 1'000'000, 1'000'000});
            if (results.isEmpty())
                continue;
            finished += results.size();
            scheduler.completeTasks(ids[w], results);
            progress = true;
        }
    }
    figures.dispatchPerS = finished / std::chrono::duration<double>(Clock::now() - dispatchStart).count();
    figures.ok = finished == tasks && scheduler.count(TaskState::Done) == quint64(tasks);
    return figures;
}

void print(const QJsonObject &object)
{
    std::printf("%s\n", QJsonDocument(object).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("What routing costs the scheduler: many kinds against one."));
    parser.addHelpOption();
    const QCommandLineOption tasks(QStringLiteral("tasks"), QStringLiteral("Tasks per run (default 1000000)."),
                                   QStringLiteral("n"), QStringLiteral("1000000"));
    const QCommandLineOption kinds(QStringLiteral("kinds"), QStringLiteral("Kinds to compare with one (default 100)."),
                                   QStringLiteral("n"), QStringLiteral("100"));
    const QCommandLineOption workers(QStringLiteral("workers"), QStringLiteral("Workers (default 2)."),
                                     QStringLiteral("n"), QStringLiteral("2"));
    const QCommandLineOption slots(QStringLiteral("slots"), QStringLiteral("Slots per worker (default 64)."),
                                   QStringLiteral("n"), QStringLiteral("64"));
    const QCommandLineOption repeats(QStringLiteral("repeats"), QStringLiteral("Runs of each, interleaved (default 3)."),
                                     QStringLiteral("n"), QStringLiteral("3"));
    parser.addOptions({tasks, kinds, workers, slots, repeats});
    parser.process(app);
    const int n = parser.value(tasks).toInt(), k = parser.value(kinds).toInt();
    const int w = parser.value(workers).toInt(), s = parser.value(slots).toInt(), r = parser.value(repeats).toInt();
    if (n < 1 || k < 1 || w < 1 || s < 1 || r < 1) {
        std::fprintf(stderr, "routing_bench: every option takes a positive number\n");
        return 2;
    }

    // Interleaved, so drift on a noisy machine hits both alike; the best of each is compared.
    Figures best1, bestK;
    bool ok = true;
    for (int i = 0; i < r; ++i) {
        for (const int kindCount : {1, k}) {
            const Figures f = run(n, kindCount, w, s);
            ok = ok && f.ok;
            Figures &best = kindCount == 1 ? best1 : bestK;
            best.enqueuePerS = std::max(best.enqueuePerS, f.enqueuePerS);
            best.dispatchPerS = std::max(best.dispatchPerS, f.dispatchPerS);
            print({{QStringLiteral("kinds"), kindCount}, {QStringLiteral("tasks"), n},
                   {QStringLiteral("enqueue_tasks_per_s"), f.enqueuePerS},
                   {QStringLiteral("dispatch_tasks_per_s"), f.dispatchPerS}, {QStringLiteral("results_ok"), f.ok}});
        }
    }
    print({{QStringLiteral("summary"), true}, {QStringLiteral("kinds"), k},
           {QStringLiteral("enqueue_ratio"), bestK.enqueuePerS / best1.enqueuePerS},
           {QStringLiteral("dispatch_ratio"), bestK.dispatchPerS / best1.dispatchPerS},
           {QStringLiteral("best_enqueue_tasks_per_s"), bestK.enqueuePerS},
           {QStringLiteral("best_dispatch_tasks_per_s"), bestK.dispatchPerS}, {QStringLiteral("results_ok"), ok}});
    return ok ? 0 : 1;
}
