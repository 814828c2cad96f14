// The task view's sorting and filtering: TaskFilter, TaskOrder and TaskRows against a brute
// force over random tasks and random changes, and TaskTableModel's background reordering
// against a live Scheduler, checked by QAbstractItemModelTester on every signal.

#include "master/scheduler.h"
#include "models/taskfilter.h"
#include "models/taskstatestyle.h"
#include "models/taskorder.h"
#include "models/taskrows.h"
#include "models/tasktablemodel.h"
#include "task/memorytaskstore.h"

#include <QAbstractItemModelTester>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QApplication>
#include <QTest>
#include <QTimer>

#include <algorithm>

namespace {

const QStringList Kinds = {QStringLiteral("square"), QStringLiteral("echo"), QStringLiteral("Sha256"),
                           QStringLiteral("exec"), QStringLiteral("zähler")};
const QStringList Workers = {QString(), QStringLiteral("alpha"), QStringLiteral("beta"), QStringLiteral("Gamma")};

// Random but repeatable: each test seeds its own generator.
struct Randomiser {
    explicit Randomiser(quint32 seed)
        : random(seed)
    {
    }
    int below(int n) { return int(random.bounded(n)); }
    template <typename T>
    const T &pick(const QList<T> &list) { return list.at(below(int(list.size()))); }

    TaskSpec spec()
    {
        TaskSpec spec;
        spec.kind = pick(Kinds);
        spec.args = QByteArray::number(below(50)) + (below(4) == 0 ? QByteArrayLiteral("é") : QByteArray());
        spec.priority = below(3) - 1;
        return spec;
    }
    // Whatever a scheduler could have done to a task since it was submitted.
    void change(Task &task)
    {
        task.state = TaskState(below(TaskStateCount));
        task.worker = task.state == TaskState::Queued ? QString() : pick(Workers);
        task.attempts = quint16(below(4));
        task.startedMs = task.state == TaskState::Queued ? 0 : 1000 + below(100);
        task.finishedMs = isFinished(task.state) ? task.startedMs + below(50) : 0;
        task.result = task.state == TaskState::Done ? QByteArray::number(below(30)) : QByteArray();
        task.error = task.state == TaskState::Failed || task.state == TaskState::Cancelled
                ? (below(2) ? QStringLiteral("boom %1").arg(below(5)) : QStringLiteral("Ärger"))
                : QString();
    }
    TaskFilter filter()
    {
        static const QStringList texts = {QString(), QString(), QStringLiteral("1"), QStringLiteral("ALPHA"),
                                          QStringLiteral("é"), QStringLiteral("boom"), QStringLiteral("ärger")};
        const int state = below(TaskStateCount + 3) - 3;
        return TaskFilter(state < 0 ? std::nullopt : std::optional<TaskState>(TaskState(state)),
                          below(3) == 0 ? pick(Kinds) : QString(), pick(texts));
    }
    TaskOrder order()
    {
        return TaskOrder(below(TaskTableModel::ColumnCount), below(2) ? Qt::AscendingOrder : Qt::DescendingOrder);
    }

    QRandomGenerator random;
};

// What the view must show: the tasks the filter passes, sorted with lessThan.
std::vector<quint64> expectedRows(const TaskStore &store, const TaskFilter &filter, const TaskOrder &order)
{
    std::vector<const Task *> tasks;
    store.forEach([&](const Task &task) {
        if (filter.accepts(task))
            tasks.push_back(&task);
    });
    std::sort(tasks.begin(), tasks.end(), [&order](const Task *a, const Task *b) { return order.lessThan(*a, *b); });
    std::vector<quint64> ids;
    for (const Task *task : tasks)
        ids.push_back(task->id);
    return ids;
}

std::vector<quint64> shownRows(const TaskRows &rows)
{
    std::vector<quint64> ids;
    for (int row = 0; row < rows.size(); ++row)
        ids.push_back(rows.id(row));
    return ids;
}

std::vector<quint64> shownRows(const TaskTableModel &model)
{
    std::vector<quint64> ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.push_back(model.taskId(row));
    return ids;
}

QList<TaskSpec> squares(int count)
{
    QList<TaskSpec> specs(count);
    for (int i = 0; i < count; ++i) {
        specs[i].kind = QStringLiteral("square");
        specs[i].args = QByteArray::number((i * 7919) % count); // not in id order
    }
    return specs;
}

} // namespace

class tst_TaskView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void filterMatchesStateKindAndText();
    void snapshotSortsLikeLessThan();
    void numbersInTextSortByValue();
    void rowsFollowRandomChanges();
    void planKeepsRowsInPlaceWhenOnlyDataChanges();
    void reorderingRunsInTheBackground();
    void changesDuringReorderingAreShown();
    void aNewerReorderingSupersedesTheOlder();
    void selectionStaysOnItsTasks();
    void aCommandThatFailedIsNotAPlainSuccess();
};

void tst_TaskView::filterMatchesStateKindAndText()
{
    Task task;
    task.id = 4711;
    task.spec.kind = QStringLiteral("echo");
    task.spec.args = QByteArrayLiteral("{\"word\":\"Grüße\"}");
    task.state = TaskState::Failed;
    task.worker = QStringLiteral("box-7");
    task.error = QStringLiteral("Kaputt: disk full");

    QVERIFY(TaskFilter().acceptsAll());
    QVERIFY(TaskFilter().accepts(task));
    QVERIFY(TaskFilter(TaskState::Failed, QString(), QString()).accepts(task));
    QVERIFY(!TaskFilter(TaskState::Done, QString(), QString()).accepts(task));
    QVERIFY(TaskFilter(std::nullopt, QStringLiteral(" echo "), QString()).accepts(task)); // trimmed
    // The kind matches as part of the name, in any case, as an operator types it.
    for (const char *kind : {"ech", "ECHO", "Ch"})
        QVERIFY2(TaskFilter(std::nullopt, QString::fromLatin1(kind), QString()).accepts(task), kind);
    QVERIFY(!TaskFilter(std::nullopt, QStringLiteral("echoes"), QString()).accepts(task));
    QVERIFY(!TaskFilter(std::nullopt, QStringLiteral("sq"), QString()).accepts(task));
    // Free text: any field, any case, ASCII or not.
    for (const char *text : {"471", "ECHO", "word", "BOX-7", "disk FULL", "GRÜSSE", "grüße", "kaputt"}) {
        const bool expected = QByteArray(text) != "GRÜSSE"; // case folding is per character, not ß to SS
        QCOMPARE(TaskFilter(std::nullopt, QString(), QString::fromUtf8(text)).accepts(task), expected);
    }
    QVERIFY(!TaskFilter(std::nullopt, QString(), QStringLiteral("4712")).accepts(task));
    QVERIFY(!TaskFilter(TaskState::Failed, QStringLiteral("square"), QStringLiteral("box")).accepts(task));
    // The result is searched only where there is one.
    task.state = TaskState::Done;
    task.result = QByteArrayLiteral("[42]");
    QVERIFY(TaskFilter(std::nullopt, QString(), QStringLiteral("42]")).accepts(task));
}

void tst_TaskView::snapshotSortsLikeLessThan()
{
    Randomiser r(1);
    MemoryTaskStore store;
    for (int i = 0; i < 400; ++i) {
        Task task;
        task.id = store.nextId();
        task.spec = r.spec();
        r.change(task);
        store.insert(task);
    }
    for (int column = 0; column < TaskTableModel::ColumnCount; ++column) {
        for (Qt::SortOrder direction : {Qt::AscendingOrder, Qt::DescendingOrder}) {
            const TaskOrder order(column, direction);
            const std::unique_ptr<TaskOrder::KeySnapshot> keys = order.snapshot();
            store.forEach([&keys](const Task &task) { keys->add(task); });
            QCOMPARE(keys->takeSortedIds(), expectedRows(store, TaskFilter(), order));
        }
    }
    // Equal keys keep id order both ways, so equal rows do not jump about.
    const TaskOrder byKind(TaskTableModel::KindColumn, Qt::DescendingOrder);
    const std::vector<quint64> rows = expectedRows(store, TaskFilter(), byKind);
    for (size_t i = 1; i < rows.size(); ++i) {
        const Task *a = store.find(rows[i - 1]);
        const Task *b = store.find(rows[i]);
        if (a->spec.kind == b->spec.kind)
            QVERIFY(a->id < b->id);
        else
            QVERIFY(a->spec.kind > b->spec.kind);
    }
}

void tst_TaskView::numbersInTextSortByValue()
{
    MemoryTaskStore store;
    const QList<QByteArray> args = {"[10]", "[9]", "[100]", "[009]", "[9, 2]", "[9,10]", "[9,9]", "\"b\"", "\"a2\"",
                                    "\"a10\"", "\"é\""};
    const QStringList workers = {QStringLiteral("w-10"), QStringLiteral("w-2"), QStringLiteral("w-1"),
                                 QStringLiteral("w-02"), QStringLiteral("v-99"), QStringLiteral("w-"),
                                 QStringLiteral("w"), QStringLiteral("ü-1"), QStringLiteral("w-2a"),
                                 QStringLiteral("w-2-1"), QStringLiteral("W-3")};
    for (int i = 0; i < int(args.size()); ++i) {
        Task task;
        task.id = store.nextId();
        task.spec.args = args.at(i);
        task.worker = workers.at(i);
        store.insert(task);
    }
    const auto column = [&store](int c, Qt::SortOrder direction, const auto &value) {
        QStringList shown;
        for (quint64 id : expectedRows(store, TaskFilter(), TaskOrder(c, direction)))
            shown.append(value(*store.find(id)));
        return shown.join(QLatin1Char(' '));
    };
    const auto argsOf = [](const Task &t) { return QString::fromUtf8(t.spec.args); };
    // "[9]" and "[009]" are equal by value: they keep id order, in either direction.
    QCOMPARE(column(TaskTableModel::ArgsColumn, Qt::AscendingOrder, argsOf),
             QStringLiteral("\"a2\" \"a10\" \"b\" \"é\" [9, 2] [9,9] [9,10] [9] [009] [10] [100]"));
    QCOMPARE(column(TaskTableModel::ArgsColumn, Qt::DescendingOrder, argsOf),
             QStringLiteral("[100] [10] [9] [009] [9,10] [9,9] [9, 2] \"é\" \"b\" \"a10\" \"a2\""));
    QCOMPARE(column(TaskTableModel::WorkerColumn, Qt::AscendingOrder, [](const Task &t) { return t.worker; }),
             QStringLiteral("W-3 v-99 w w- w-1 w-2 w-02 w-2-1 w-2a w-10 ü-1"));
}

void tst_TaskView::rowsFollowRandomChanges()
{
    Randomiser r(2);
    MemoryTaskStore store;
    TaskRows rows;
    TaskFilter filter;
    TaskOrder order;
    int moves = 0;
    int inPlace = 0;
    for (int round = 0; round < 400; ++round) {
        if (round % 25 == 0) {
            // A new filter and order: rows are rebuilt from a snapshot, as the model does.
            filter = r.filter();
            order = r.order();
            const std::unique_ptr<TaskOrder::KeySnapshot> keys = order.snapshot();
            store.forEach([&](const Task &task) {
                if (filter.accepts(task))
                    keys->add(task);
            });
            rows.assign(keys->takeSortedIds());
            QCOMPARE(shownRows(rows), expectedRows(store, filter, order));
        }
        // A batch of changes, additions and removals, each id reported once.
        std::vector<quint64> changed;
        const int batch = 1 + r.below(round % 7 == 0 ? 200 : 12);
        for (int i = 0; i < batch; ++i) {
            const int what = r.below(10);
            if (what < 3 || store.size() == 0) {
                Task task;
                task.id = store.nextId();
                task.spec = r.spec();
                if (r.below(2))
                    r.change(task);
                store.insert(task);
                changed.push_back(task.id);
            } else {
                const quint64 id = store.firstId() + quint64(r.below(int(store.nextId() - store.firstId())));
                if (std::find(changed.begin(), changed.end(), id) != changed.end())
                    continue;
                if (Task *task = store.find(id)) {
                    if (what == 9)
                        store.remove(id);
                    else
                        r.change(*task);
                    changed.push_back(id);
                }
            }
        }
        const TaskRows::Plan plan = rows.plan(changed, store, filter, order);
        moves += plan.movesRows() ? 1 : 0;
        inPlace += plan.lastChanged >= 0 ? 1 : 0;
        rows.apply(plan, store, order);
        QCOMPARE(shownRows(rows), expectedRows(store, filter, order));
        for (int row = 0; row < rows.size(); ++row)
            QCOMPARE(rows.rowOf(rows.id(row)), row);
        for (quint64 id : changed) {
            if (!store.find(id) || !filter.accepts(*store.find(id)))
                QCOMPARE(rows.rowOf(id), -1);
        }
    }
    // Both kinds of update were exercised, not just one.
    QVERIFY(moves > 50);
    QVERIFY(inPlace > 50);
}

void tst_TaskView::planKeepsRowsInPlaceWhenOnlyDataChanges()
{
    MemoryTaskStore store;
    for (int i = 0; i < 10; ++i) {
        Task task;
        task.id = store.nextId();
        task.spec.kind = QStringLiteral("square");
        task.spec.args = QByteArray::number(9 - i);
        store.insert(task);
    }
    TaskRows rows;
    const TaskOrder byArgs(TaskTableModel::ArgsColumn, Qt::AscendingOrder);
    rows.assign(expectedRows(store, TaskFilter(), byArgs));
    QCOMPARE(rows.id(0), quint64(10));

    // Results arrive: the args do not change, so the rows change in place.
    store.find(3)->state = TaskState::Done;
    store.find(7)->state = TaskState::Done;
    TaskRows::Plan plan = rows.plan({3, 7}, store, TaskFilter(), byArgs);
    QVERIFY(!plan.movesRows());
    QCOMPARE(plan.firstChanged, 3); // task 7 has args "3"
    QCOMPARE(plan.lastChanged, 7);

    // A new task whose key sorts last is appended; one that sorts first is not.
    Task late;
    late.id = store.nextId();
    late.spec.args = QByteArrayLiteral("99");
    store.insert(late);
    plan = rows.plan({late.id}, store, TaskFilter(), byArgs);
    QVERIFY(plan.appendOnly);
    rows.apply(plan, store, byArgs);
    Task early;
    early.id = store.nextId();
    early.spec.args = QByteArrayLiteral("-1");
    store.insert(early);
    plan = rows.plan({early.id}, store, TaskFilter(), byArgs);
    QVERIFY(plan.movesRows());
    rows.apply(plan, store, byArgs);
    QCOMPARE(rows.id(0), early.id);
    QCOMPARE(rows.id(rows.size() - 1), late.id);
    QCOMPARE(shownRows(rows), expectedRows(store, TaskFilter(), byArgs));
}

void tst_TaskView::reorderingRunsInTheBackground()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    scheduler.submit(squares(100'000));
    TaskTableModel model(&scheduler);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setImmediateLimit(0);
    QSignalSpy reordering(&model, &TaskTableModel::reorderingChanged);

    int ticks = 0;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, &ticker, [&] { ticks += model.isReordering() ? 1 : 0; });
    ticker.start(0);
    model.sort(TaskTableModel::ArgsColumn, Qt::DescendingOrder);
    // The call returns at once; the old rows stay until the new order is ready.
    QVERIFY(model.isReordering());
    QCOMPARE(model.order().column(), int(TaskTableModel::ArgsColumn));
    QCOMPARE(model.taskId(0), quint64(1));
    QCOMPARE(reordering.size(), 1);
    QCOMPARE(reordering.at(0).at(0).toBool(), true);
    QVERIFY(reordering.wait(10'000));
    QCOMPARE(reordering.last().at(0).toBool(), false);
    // The event loop went on running while the keys were read and sorted.
    QVERIFY(ticks > 0);
    QCOMPARE(shownRows(model), expectedRows(scheduler.store(), model.filter(), model.order()));
    QCOMPARE(model.index(0, TaskTableModel::ArgsColumn).data().toString(), QStringLiteral("99999"));

    model.setFilter(TaskFilter(std::nullopt, QString(), QStringLiteral("9999")));
    QVERIFY(model.isReordering());
    QVERIFY(reordering.wait(10'000));
    QCOMPARE(shownRows(model), expectedRows(scheduler.store(), model.filter(), model.order()));
    QVERIFY(model.rowCount() > 0 && model.rowCount() < 1000);
}

void tst_TaskView::changesDuringReorderingAreShown()
{
    Randomiser r(3);
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    QList<quint64> ids = scheduler.submit(squares(20'000));
    TaskTableModel model(&scheduler);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setImmediateLimit(0);
    QSignalSpy reordering(&model, &TaskTableModel::reorderingChanged);

    // The scheduler keeps changing tasks on every turn of the event loop: while the keys are
    // read, while they are sorted on the other thread and just before the result is shown.
    int changesWhileReordering = 0;
    QTimer churn;
    connect(&churn, &QTimer::timeout, &churn, [&] {
        const quint64 id = ids.at(r.below(int(ids.size())));
        switch (r.below(4)) {
        case 0: scheduler.cancel({id}, QStringLiteral("test")); break;
        case 1: scheduler.retry({id}); break;
        case 2: scheduler.remove({id}); break;
        default: ids += scheduler.submit({r.spec()}); break;
        }
        changesWhileReordering += model.isReordering() ? 1 : 0;
    });
    churn.start(0);
    for (int round = 0; round < 6; ++round) {
        const TaskFilter filter = round == 0 ? TaskFilter(TaskState::Queued, QString(), QString()) : r.filter();
        const TaskOrder order = round == 0 ? TaskOrder(TaskTableModel::StateColumn, Qt::AscendingOrder) : r.order();
        model.setFilter(filter);
        model.sort(order.column(), order.order());
        QVERIFY(model.isReordering());
        QVERIFY(reordering.wait(10'000));
        QVERIFY(!model.isReordering());
        QCOMPARE(model.filter(), filter);
        QCOMPARE(model.order(), order);
        // What is shown now is the store as it was a moment ago plus the changes since: after
        // this flush it must be exactly the store as it is.
        model.flush();
        QCOMPARE(shownRows(model), expectedRows(scheduler.store(), filter, order));
    }
    churn.stop();
    QVERIFY(changesWhileReordering > 0);
    QCOMPARE(reordering.size(), 12); // one busy period per round
}

void tst_TaskView::aNewerReorderingSupersedesTheOlder()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    scheduler.submit(squares(5000));
    TaskTableModel model(&scheduler);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setImmediateLimit(0);
    QSignalSpy reordering(&model, &TaskTableModel::reorderingChanged);
    QSignalSpy layouts(&model, &QAbstractItemModel::layoutChanged);

    model.sort(TaskTableModel::ArgsColumn, Qt::AscendingOrder);
    model.sort(TaskTableModel::KindColumn, Qt::DescendingOrder);
    QCoreApplication::processEvents(); // the kind order's keys are read and go to be sorted
    model.sort(TaskTableModel::ArgsColumn, Qt::DescendingOrder);
    QVERIFY(reordering.wait(10'000));
    // The sorted kind order arrived first and was dropped: one busy period, one new layout.
    QCOMPARE(reordering.size(), 2);
    QCOMPARE(layouts.size(), 1);
    QCOMPARE(model.order(), TaskOrder(TaskTableModel::ArgsColumn, Qt::DescendingOrder));
    QCOMPARE(shownRows(model), expectedRows(scheduler.store(), model.filter(), model.order()));

    // Asking for what is already shown starts nothing.
    model.sort(TaskTableModel::ArgsColumn, Qt::DescendingOrder);
    QVERIFY(!model.isReordering());
}

void tst_TaskView::selectionStaysOnItsTasks()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    scheduler.submit(squares(2000));
    TaskTableModel model(&scheduler);
    model.setImmediateLimit(0);
    QSignalSpy reordering(&model, &TaskTableModel::reorderingChanged);
    const QPersistentModelIndex first = model.index(0, TaskTableModel::StateColumn); // task 1, args "0"
    const QPersistentModelIndex last = model.index(1998, TaskTableModel::StateColumn); // task 1999

    model.sort(TaskTableModel::ArgsColumn, Qt::DescendingOrder);
    QVERIFY(reordering.wait(10'000));
    QCOMPARE(first.row(), 1999); // args "0" sorts last
    QCOMPARE(first.column(), int(TaskTableModel::StateColumn));
    QCOMPARE(model.taskId(first.row()), quint64(1));
    QCOMPARE(model.taskId(last.row()), quint64(1999));

    // A task filtered out of view loses its index; the others keep theirs.
    model.setFilter(TaskFilter(std::nullopt, QString(), QStringLiteral("1999")));
    QVERIFY(reordering.wait(10'000));
    QVERIFY(!first.isValid());
    QCOMPARE(shownRows(model), expectedRows(scheduler.store(), model.filter(), model.order()));
    QCOMPARE(model.taskId(last.row()), quint64(1999)); // its id passes the filter
}



void tst_TaskView::aCommandThatFailedIsNotAPlainSuccess()
{
    Task task;
    task.spec.kind = QStringLiteral("exec");
    task.state = TaskState::Done;
    auto record = [](const char *exitCode, bool crashed, const QByteArray &out) -> QByteArray {
        return QByteArray("{\"crashed\":") + (crashed ? "true" : "false") + ",\"exit_code\":" + exitCode
                + ",\"stderr\":\"\",\"stderr_truncated\":false,\"stdout\":\"" + out + "\",\"stdout_truncated\":false}";
    };
    task.result = record("0", false, "fine");
    QCOMPARE(TaskStateStyle::commandProblem(task), QString());
    task.result = record("3", false, "no");
    QCOMPARE(TaskStateStyle::commandProblem(task), QStringLiteral("exit code 3"));
    task.result = record("null", true, "");
    QCOMPARE(TaskStateStyle::commandProblem(task), QStringLiteral("crashed"));
    // A large output is not parsed, and still tells.
    task.result = record("2", false, QByteArray(1 << 20, 'x'));
    QCOMPARE(TaskStateStyle::commandProblem(task), QStringLiteral("exit code 2"));
    // Only a done exec task is judged by its record.
    task.result = record("3", false, "no");
    task.spec.kind = QStringLiteral("echo");
    QCOMPARE(TaskStateStyle::commandProblem(task), QString());
    task.spec.kind = QStringLiteral("exec");
    task.state = TaskState::Running;
    QCOMPARE(TaskStateStyle::commandProblem(task), QString());
}

QTEST_MAIN(tst_TaskView)
#include "tst_taskview.moc"
