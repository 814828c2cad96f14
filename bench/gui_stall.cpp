// gui_stall: the worst event-loop stall of the desktop app's task view while results arrive.
//
// A Scheduler holds N tasks (default 1,000,000), all running on one fake worker; R results
// (default 100,000) then arrive in batches of B, one batch per event-loop turn, as a busy
// master receives them. A 1 ms QTimer records how late each of its ticks is. The same run
// is done twice in one invocation: without any view (the baseline: the scheduler's own cost)
// and with the real TaskTableModel, TaskFilterProxyModel (sorted by id) and a shown
// QTableView. It prints both worst stalls and their ratio. Run it under offscreen:
//     QT_QPA_PLATFORM=offscreen build/bin/gui_stall [tasks] [results] [batch]

#include "master/scheduler.h"
#include "master/workerlink.h"
#include "models/taskfilterproxymodel.h"
#include "models/tasktablemodel.h"
#include "task/memorytaskstore.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QTableView>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <memory>

namespace {

class RecordingLink final : public WorkerLink
{
public:
    void assign(const QList<Messages::TaskAssignment> &tasks) override { assigned += tasks; }
    void cancel(const QList<quint64> &, const QString &) override { }
    void reclaim(const QList<quint64> &) override { }
    QList<Messages::TaskAssignment> assigned;
};

struct Result {
    double worstStallMs = 0;
    double totalMs = 0;
    int ticks = 0;
    double sortMs = 0; // re-sorting the whole view by another column
    double filterMs = 0; // a free-text filter over every task
};

Result run(int taskCount, int resultCount, int batch, bool withView)
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    QList<TaskSpec> specs(taskCount);
    for (int i = 0; i < taskCount; ++i) {
        specs[i].kind = QStringLiteral("square");
        specs[i].args = QByteArray::number(i);
    }
    RecordingLink link;
    WorkerInfo info;
    info.name = QStringLiteral("bench");
    info.slots = taskCount;
    const quint64 workerId = scheduler.addWorker(&link, info);

    std::unique_ptr<TaskTableModel> model;
    std::unique_ptr<TaskFilterProxyModel> proxy;
    std::unique_ptr<QTableView> view;
    if (withView) {
        model = std::make_unique<TaskTableModel>(&scheduler);
        proxy = std::make_unique<TaskFilterProxyModel>();
        proxy->setSourceModel(model.get());
        view = std::make_unique<QTableView>();
        view->setModel(proxy.get());
        view->setSortingEnabled(true);
        view->sortByColumn(TaskTableModel::IdColumn, Qt::AscendingOrder);
        view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        view->resize(1200, 800);
        view->show();
    }
    scheduler.submit(specs);
    if (model)
        model->flush();
    QCoreApplication::processEvents(); // setup only: the first layout, before anything is measured

    Result result;
    int next = 0;
    QElapsedTimer clock;
    QElapsedTimer sinceTick;
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    QObject::connect(&tick, &QTimer::timeout, &tick, [&] {
        result.worstStallMs = std::max(result.worstStallMs, sinceTick.nsecsElapsed() / 1e6 - 1.0);
        ++result.ticks;
        sinceTick.start();
    });
    QTimer feeder;
    QObject::connect(&feeder, &QTimer::timeout, &feeder, [&] {
        QList<Messages::TaskResult> results;
        for (int i = 0; i < batch && next < resultCount; ++i, ++next) {
            const Messages::TaskAssignment &a = link.assigned.at(next);
            results.append({a.id, a.attempt, quint8(Messages::Outcome::Ok), QByteArray::number(qint64(next) * next), {}});
        }
        scheduler.completeTasks(workerId, results);
        if (next >= resultCount) {
            feeder.stop();
            // Let the model's coalescing timer deliver the last batch before stopping.
            QTimer::singleShot(300, &feeder, [&] {
                result.totalMs = clock.nsecsElapsed() / 1e6;
                QCoreApplication::quit();
            });
        }
    });
    clock.start();
    sinceTick.start();
    tick.start(1);
    feeder.start(0);
    QCoreApplication::exec();
    if (withView) {
        if (proxy->rowCount() != taskCount)
            std::fprintf(stderr, "gui_stall: the view shows %d rows, expected %d\n", proxy->rowCount(), taskCount);
        QElapsedTimer t;
        t.start();
        view->sortByColumn(TaskTableModel::StateColumn, Qt::DescendingOrder);
        result.sortMs = t.nsecsElapsed() / 1e6;
        t.start();
        proxy->applyTextFilter(QStringLiteral("99999"));
        result.filterMs = t.nsecsElapsed() / 1e6;
    }
    return result;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    const int tasks = args.size() > 1 ? args.at(1).toInt() : 1'000'000;
    const int results = std::min(tasks, args.size() > 2 ? args.at(2).toInt() : 100'000);
    const int batch = args.size() > 3 ? args.at(3).toInt() : 500;
    if (tasks < 1 || results < 1 || batch < 1) {
        std::fputs("usage: gui_stall [tasks] [results] [batch]\n", stderr);
        return 2;
    }
    const Result baseline = run(tasks, results, batch, false);
    const Result withView = run(tasks, results, batch, true);
    std::printf("tasks %d, results %d in batches of %d (%s platform)\n", tasks, results, batch,
                qPrintable(QGuiApplication::platformName()));
    std::printf("baseline (scheduler only): worst stall %.1f ms, %d ticks, %.0f ms total\n", baseline.worstStallMs,
                baseline.ticks, baseline.totalMs);
    std::printf("with model, proxy, view:   worst stall %.1f ms, %d ticks, %.0f ms total\n", withView.worstStallMs,
                withView.ticks, withView.totalMs);
    std::printf("one-off: sorting %d tasks by state %.0f ms, a text filter over them %.0f ms\n", tasks,
                withView.sortMs, withView.filterMs);
    std::printf("ratio of worst stalls (view / baseline): %.2f\n",
                withView.worstStallMs / std::max(0.1, baseline.worstStallMs));
    return 0;
}
