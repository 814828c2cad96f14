// gui_stall: the worst event-loop stall of the desktop app's task view while results arrive,
// and while the operator sorts and filters a million tasks.
//
// A Scheduler holds N tasks (default 1,000,000), all running on one fake worker; R results
// (default 100,000) then arrive in batches of B, one batch per event-loop turn, as a busy
// master receives them. A 1 ms QTimer records how late each of its ticks is: that lateness is
// the time the window could not repaint or answer a click. Four runs, in one invocation:
//   baseline     no view: the scheduler's own cost, the figure the others are held against;
//   by id        the real TaskTableModel and a shown QTableView, sorted by id;
//   by state     the same sorted by state, so every result moves its row;
//   interactive  sorted by id; a third of the way in the operator sorts by args (descending)
//                and, once that shows, types a text filter, while results go on arriving;
//   stream       by id, with the task stream shown beside it, following now.
// Each run checks what the view shows against the scheduler and fails loudly if it differs.
// --durable keeps the tasks in the SQLite store, as the desktop app does, so each run also
// pays for its commits.
//     QT_QPA_PLATFORM=offscreen build/bin/gui_stall [--tasks N] [--results R] [--batch B] [--durable]

#include "master/scheduler.h"
#include "master/workerlink.h"
#include "models/taskfilter.h"
#include "models/taskorder.h"
#include "models/tasktablemodel.h"
#include "models/taskstream.h"
#include "task/memorytaskstore.h"
#include "task/sqlitetaskstore.h"
#include "widgets/taskstreamview.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <memory>

namespace {

class RecordingLink final : public WorkerLink
{
public:
    void assign(const QList<Messages::TaskAssignment> &tasks) override { assigned += tasks; }
    void cancel(const QList<Messages::TaskRef> &, const QString &) override { }
    void reclaim(const QList<Messages::TaskRef> &) override { }
    QList<Messages::TaskAssignment> assigned;
};

enum class Scenario { Baseline, ById, ByState, Interactive, Stream };

struct Sizes {
    int tasks = 1'000'000;
    int results = 100'000;
    int batch = 500;
    int immediateLimit = 50'000; // the model's default; the smoke run lowers it to exercise the same path
    bool durable = false; // the desktop app's SQLite store rather than memory only
};

struct Result {
    double worstStallMs = 0;
    double totalMs = 0;
    int ticks = 0;
    double sortShownMs = -1; // from the click on the header to the new order on screen
    double filterShownMs = -1; // from the filter to the filtered rows on screen
    QString error;
};

// The rows must be exactly the tasks that pass the filter, each in order after the one above.
QString checkView(const Scheduler &scheduler, const TaskTableModel &model)
{
    const TaskFilter filter = model.filter();
    const TaskOrder order = model.order();
    qsizetype expected = 0;
    scheduler.store().forEach([&](const Task &task) { expected += filter.accepts(task) ? 1 : 0; });
    if (model.rowCount() != expected)
        return QStringLiteral("the view shows %1 rows, expected %2").arg(model.rowCount()).arg(expected);
    for (int row = 0; row < model.rowCount(); ++row) {
        const Task *task = model.task(row);
        if (!task || !filter.accepts(*task))
            return QStringLiteral("row %1 shows a task the filter does not pass").arg(row);
        if (row > 0 && !order.lessThan(*model.task(row - 1), *task))
            return QStringLiteral("rows %1 and %2 are out of order").arg(row - 1).arg(row);
    }
    return {};
}

std::unique_ptr<TaskStore> makeStore(const Sizes &sizes, const QTemporaryDir &dir)
{
    if (!sizes.durable)
        return std::make_unique<MemoryTaskStore>();
    auto store = std::make_unique<SqliteTaskStore>(dir.path());
    QString error;
    if (!store->open(&error))
        qFatal("gui_stall: %s", qPrintable(error));
    return store;
}

Result run(const Sizes &sizes, Scenario scenario)
{
    const QTemporaryDir dir;
    Scheduler scheduler(makeStore(sizes, dir));
    QList<TaskSpec> specs(sizes.tasks);
    for (int i = 0; i < sizes.tasks; ++i) {
        specs[i].kind = QStringLiteral("square");
        specs[i].args = QByteArray::number(i);
    }
    RecordingLink link;
    WorkerInfo info;
    info.name = QStringLiteral("bench");
    info.kinds = {QStringLiteral("square")};
    info.slots = sizes.tasks;
    const quint64 workerId = scheduler.addWorker(&link, info);

    std::unique_ptr<TaskTableModel> model;
    std::unique_ptr<QTableView> view;
    if (scenario != Scenario::Baseline) {
        model = std::make_unique<TaskTableModel>(&scheduler);
        model->setImmediateLimit(sizes.immediateLimit);
        view = std::make_unique<QTableView>();
        view->setModel(model.get());
        view->setSortingEnabled(true);
        view->sortByColumn(TaskTableModel::IdColumn, Qt::AscendingOrder);
        view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        view->resize(1200, 800);
        view->show();
    }
    std::unique_ptr<TaskStream> stream;
    std::unique_ptr<TaskStreamView> streamView;
    if (scenario == Scenario::Stream) {
        stream = std::make_unique<TaskStream>(&scheduler);
        streamView = std::make_unique<TaskStreamView>(stream.get());
        streamView->resize(1200, 300);
        streamView->show();
    }
    scheduler.submit(specs);
    if (sizes.durable) { // setup only: the submitted tasks reach the disk before anything is measured
        QObject context;
        bool stored = false;
        scheduler.whenDurable(&context, [&stored] { stored = true; });
        while (!stored)
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    if (model) {
        model->flush();
        if (scenario == Scenario::ByState) {
            view->sortByColumn(TaskTableModel::StateColumn, Qt::AscendingOrder);
            while (model->isReordering()) // setup only: before anything is measured
                QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
        }
    }
    QCoreApplication::processEvents(); // setup only: the first layout, before anything is measured

    Result result;
    int next = 0;
    bool feeding = true;
    QElapsedTimer clock;
    QElapsedTimer sinceTick;
    QElapsedTimer sortClock;
    QElapsedTimer filterClock;
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    QObject::connect(&tick, &QTimer::timeout, &tick, [&] {
        result.worstStallMs = std::max(result.worstStallMs, sinceTick.nsecsElapsed() / 1e6 - 1.0);
        ++result.ticks;
        sinceTick.start();
    });
    // Done when every result is in, the view has caught up and no new order is being worked out.
    const auto finishIfSettled = [&] {
        if (feeding || (model && model->isReordering()))
            return;
        QTimer::singleShot(300, &tick, [&] { // the model's coalescing timer delivers the last batch
            result.totalMs = clock.nsecsElapsed() / 1e6;
            QCoreApplication::quit();
        });
    };
    if (model) {
        QObject::connect(model.get(), &TaskTableModel::reorderingChanged, &tick, [&](bool reordering) {
            if (reordering)
                return;
            if (sortClock.isValid() && result.sortShownMs < 0) {
                result.sortShownMs = sortClock.nsecsElapsed() / 1e6;
                // The operator reads the sorted rows, then narrows them.
                filterClock.start();
                model->setFilter(TaskFilter(std::nullopt, QString(), QStringLiteral("99")));
                if (model->isReordering())
                    return;
            }
            if (filterClock.isValid() && result.filterShownMs < 0)
                result.filterShownMs = filterClock.nsecsElapsed() / 1e6;
            finishIfSettled();
        });
    }
    QTimer feeder;
    QObject::connect(&feeder, &QTimer::timeout, &feeder, [&] {
        QList<Messages::TaskResult> results;
        for (int i = 0; i < sizes.batch && next < sizes.results; ++i, ++next) {
            const Messages::TaskAssignment &a = link.assigned.at(next);
            results.append({a.id, a.attempt, quint8(Messages::Outcome::Ok), QByteArray::number(qint64(next) * next), {}});
        }
        scheduler.completeTasks(workerId, results);
        if (scenario == Scenario::Interactive) {
            if (!sortClock.isValid() && next >= sizes.results / 3) {
                sortClock.start();
                view->horizontalHeader()->setSortIndicator(TaskTableModel::ArgsColumn, Qt::DescendingOrder);
            }
        }
        if (next >= sizes.results) {
            feeder.stop();
            feeding = false;
            finishIfSettled();
        }
    });
    clock.start();
    sinceTick.start();
    tick.start(1);
    feeder.start(0);
    QCoreApplication::exec();
    if (model) {
        model->flush();
        result.error = checkView(scheduler, *model);
    }
    if (stream && result.error.isEmpty()) {
        stream->flush();
        if (stream->size() != qMin<qsizetype>(sizes.results, stream->capacity()))
            result.error = QStringLiteral("the task stream keeps %1 bars of %2 results").arg(stream->size()).arg(sizes.results);
    }
    return result;
}

void print(const char *name, const Result &r, const Result &baseline)
{
    std::printf("%-12s worst stall %6.1f ms (%5.2fx baseline), %5d ticks, %5.0f ms total", name, r.worstStallMs,
                r.worstStallMs / std::max(0.1, baseline.worstStallMs), r.ticks, r.totalMs);
    if (r.sortShownMs >= 0)
        std::printf("; sort shown after %.0f ms, filter after %.0f ms", r.sortShownMs, r.filterShownMs);
    std::printf("\n");
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Worst event-loop stall of the task view under load."));
    parser.addHelpOption();
    const QCommandLineOption tasksOption(QStringLiteral("tasks"), QStringLiteral("Tasks in the view."),
                                         QStringLiteral("n"), QStringLiteral("1000000"));
    const QCommandLineOption resultsOption(QStringLiteral("results"), QStringLiteral("Results that arrive."),
                                           QStringLiteral("n"), QStringLiteral("100000"));
    const QCommandLineOption batchOption(QStringLiteral("batch"), QStringLiteral("Results per event-loop turn."),
                                         QStringLiteral("n"), QStringLiteral("500"));
    const QCommandLineOption smokeOption(QStringLiteral("smoke"),
                                         QStringLiteral("Tiny sizes, sorting and filtering in the background as at scale: "
                                                        "proves the harness and the checks work."));
    const QCommandLineOption durableOption(QStringLiteral("durable"),
                                           QStringLiteral("Keep the tasks in the SQLite store, as the desktop app "
                                                          "does, in a temporary directory."));
    parser.addOptions({tasksOption, resultsOption, batchOption, smokeOption, durableOption});
    parser.process(app);
    Sizes sizes;
    if (parser.isSet(smokeOption)) {
        sizes = {20'000, 6'000, 200, 0};
    } else {
        sizes.tasks = parser.value(tasksOption).toInt();
        sizes.results = std::min(sizes.tasks, parser.value(resultsOption).toInt());
        sizes.batch = parser.value(batchOption).toInt();
    }
    sizes.durable = parser.isSet(durableOption);
    if (sizes.tasks < 1 || sizes.results < 3 || sizes.batch < 1) {
        std::fputs("gui_stall: --tasks, --results (at least 3) and --batch must be positive numbers\n", stderr);
        return 2;
    }
    const Result baseline = run(sizes, Scenario::Baseline);
    const Result byId = run(sizes, Scenario::ById);
    const Result byState = run(sizes, Scenario::ByState);
    const Result interactive = run(sizes, Scenario::Interactive);
    const Result stream = run(sizes, Scenario::Stream);
    std::printf("tasks %d, results %d in batches of %d, %s store (%s platform)\n", sizes.tasks, sizes.results,
                sizes.batch, sizes.durable ? "SQLite" : "memory", qPrintable(QGuiApplication::platformName()));
    print("baseline", baseline, baseline);
    print("by id", byId, baseline);
    print("by state", byState, baseline);
    print("interactive", interactive, baseline);
    print("stream", stream, baseline);
    int failures = 0;
    for (const auto &[name, r] : {std::pair{"by id", &byId}, {"by state", &byState}, {"interactive", &interactive}, {"stream", &stream}}) {
        if (!r->error.isEmpty()) {
            std::fprintf(stderr, "gui_stall: %s: %s\n", name, qPrintable(r->error));
            ++failures;
        }
    }
    if (interactive.sortShownMs < 0 || interactive.filterShownMs < 0) {
        std::fputs("gui_stall: interactive: the sort or the filter never reached the view\n", stderr);
        ++failures;
    }
    return failures ? 1 : 0;
}
