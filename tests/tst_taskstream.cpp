// The task stream: bars of real attempts on the lanes of the real workers that ran them, never
// overlapping in a lane; a click on a bar selects its task; the wheel zooms and a drag pans;
// the bars kept stay within their bound however many tasks finish.

#include "app/mainwindow.h"
#include "master/scheduler.h"
#include "models/taskstream.h"
#include "models/tasktablemodel.h"
#include "schedulertesting.h"
#include "task/memorytaskstore.h"
#include "widgets/taskstreamview.h"
#include "windowfixture.h"

#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QDockWidget>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>
#include <QWheelEvent>

namespace {

QList<TaskSpec> specs(const QString &kind, const QList<QByteArray> &args)
{
    QList<TaskSpec> out;
    for (const QByteArray &a : args) {
        TaskSpec spec;
        spec.kind = kind;
        spec.args = a;
        out.append(spec);
    }
    return out;
}

using SchedulerTesting::FakeLink;

// Checks what every lane must hold: bars in order, never overlapping, each on a lane of the
// worker its task's attempt names.
void verifyLanes(const TaskStream &stream, const Scheduler &scheduler)
{
    for (int g = 0; g < stream.groupCount(); ++g) {
        for (int l = 0; l < stream.laneCount(g); ++l) {
            for (int i = 0; i < stream.laneSize(g, l); ++i) {
                const TaskStream::Bar &bar = stream.laneBar(g, l, i);
                QCOMPARE(bar.group, g);
                QCOMPARE(bar.lane, l);
                QVERIFY(bar.laneStartMs >= bar.startMs);
                if (i == 0)
                    continue;
                const TaskStream::Bar &before = stream.laneBar(g, l, i - 1);
                QVERIFY2(before.endMs != 0 && before.laneEndMs(0) <= bar.laneStartMs,
                         qPrintable(QStringLiteral("tasks %1 and %2 overlap on %3 #%4")
                                            .arg(before.taskId).arg(bar.taskId).arg(stream.groupName(g)).arg(l + 1)));
            }
        }
    }
    for (qsizetype i = 0; i < stream.size(); ++i) {
        const TaskStream::Bar &bar = stream.bar(i);
        if (const Task *task = scheduler.task(bar.taskId); task && task->dispatches == bar.dispatch)
            QCOMPARE(stream.groupName(bar.group), task->history.last().worker);
    }
}

// The bars of each task, by task id.
QHash<quint64, QList<TaskStream::Bar>> barsByTask(const TaskStream &stream)
{
    QHash<quint64, QList<TaskStream::Bar>> bars;
    for (qsizetype i = 0; i < stream.size(); ++i)
        bars[stream.bar(i).taskId].append(stream.bar(i));
    return bars;
}

void sendWheel(QWidget *widget, const QPoint &pos, int delta)
{
    QWheelEvent event(pos, widget->mapToGlobal(pos), QPoint(), QPoint(0, delta), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(widget, &event);
}

} // namespace

class tst_TaskStream final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void eachTaskThatRanHasOneBarOnItsWorkersLanes();
    void clickingABarSelectsItsTask();
    void theWheelZoomsAboutTheCursorAndADragPans();
    void theBarsKeptStayWithinTheirBound();
    void thousandsOfSlotsGetLanesAsTasksFillThem();
    void aStartDatedBackByItsRunTimeKeepsItsBar();
};

void tst_TaskStream::initTestCase()
{
    useFreshTestSettings(QStringLiteral("tst_taskstream"));
}

void tst_TaskStream::init()
{
    QSettings().clear(); // each window starts with the default layout, not the last test's
}

void tst_TaskStream::eachTaskThatRanHasOneBarOnItsWorkersLanes()
{
    WindowFixture f;
    TaskStream *stream = f.window.taskStreamView()->stream();
    QVERIFY(f.window.startLocalWorkers(2)); // two slots each
    QTRY_COMPARE_WITH_TIMEOUT(f.scheduler()->workers().size(), qsizetype(2), 20'000);
    // Enough to keep all four slots busy for a few rounds, and two that fail at once: their
    // start and their result reach the stream together.
    QList<quint64> ids = f.scheduler()->submit(specs(QStringLiteral("sleep"), QList<QByteArray>(16, "{\"ms\":60}")));
    const QList<quint64> failing = f.scheduler()->submit(specs(QStringLiteral("sleep"), {"{\"ms\":-1}", "\"x\""}));
    ids += failing;
    QTRY_COMPARE_WITH_TIMEOUT(f.scheduler()->count(TaskState::Done) + f.scheduler()->count(TaskState::Failed),
                              quint64(ids.size()), 30'000);
    stream->flush();

    QHash<QString, int> slotsOf;
    for (const WorkerInfo *worker : f.scheduler()->workers())
        slotsOf.insert(worker->name, worker->slots);
    QCOMPARE(stream->groupCount(), 2);
    for (int g = 0; g < stream->groupCount(); ++g)
        QCOMPARE(stream->laneCount(g), slotsOf.value(stream->groupName(g)));

    const auto bars = barsByTask(*stream);
    QCOMPARE(bars.size(), ids.size());
    for (quint64 id : std::as_const(ids)) {
        const Task *task = f.scheduler()->task(id);
        QCOMPARE(bars.value(id).size(), 1);
        const TaskStream::Bar bar = bars.value(id).first();
        const TaskAttempt &attempt = task->history.last();
        QCOMPARE(stream->groupName(bar.group), attempt.worker);
        QVERIFY(bar.lane < slotsOf.value(attempt.worker));
        QCOMPARE(bar.startMs, attempt.startedMs);
        QCOMPARE(bar.endMs, attempt.finishedMs);
        QCOMPARE(stream->kindName(bar.kind), QStringLiteral("sleep"));
        const bool failed = failing.contains(id);
        QCOMPARE(task->state, failed ? TaskState::Failed : TaskState::Done);
        QCOMPARE(bar.outcome, failed ? TaskStream::Outcome::Failed : TaskStream::Outcome::Done);
    }
    verifyLanes(*stream, *f.scheduler());
    // Both workers' lanes were used: the work spread, and it is drawn where it ran.
    QSet<int> groupsUsed;
    for (const auto &list : bars)
        groupsUsed.insert(list.first().group);
    QCOMPARE(groupsUsed.size(), 2);
}

void tst_TaskStream::clickingABarSelectsItsTask()
{
    WindowFixture f;
    f.window.resize(1200, 800);
    f.window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&f.window));
    TaskStreamView *view = f.window.taskStreamView();
    const auto *dock = f.window.findChild<QDockWidget *>(QStringLiteral("taskStreamDock"));
    QVERIFY(dock);
    QCOMPARE(dock->widget(), view);
    QVERIFY(view->isVisible()); // its tab is the one raised

    QVERIFY(f.window.startLocalWorkers(1));
    QTRY_COMPARE_WITH_TIMEOUT(f.scheduler()->workers().size(), qsizetype(1), 20'000);
    const QList<quint64> ids = f.scheduler()->submit(specs(QStringLiteral("square"), {"{\"n\":2,\"ms\":40}", "{\"n\":3,\"ms\":40}",
                                                                                    "{\"n\":4,\"ms\":40}"}));
    QTRY_COMPARE_WITH_TIMEOUT(f.scheduler()->count(TaskState::Done), quint64(3), 20'000);
    view->stream()->flush();
    QCOMPARE(view->stream()->size(), qsizetype(3));

    // The second task's bar, in a view of just the three.
    const auto bars = barsByTask(*view->stream());
    const TaskStream::Bar target = bars.value(ids[1]).first();
    qint64 first = target.startMs, last = target.endMs;
    for (const auto &list : bars) {
        first = qMin(first, list.first().laneStartMs);
        last = qMax(last, list.first().endMs);
    }
    view->setEndMs(last + 50);
    view->setSpanMs(last + 100 - first);
    QVERIFY(!view->isLive());
    const QRect rect = view->barRect(target);
    QVERIFY2(rect.width() >= 4, qPrintable(QStringLiteral("%1 in a view %2 wide showing %3 ms, the bar %4 ms")
                                                   .arg(rect.width()).arg(view->width()).arg(view->spanMs())
                                                   .arg(target.endMs - target.startMs)));
    QCOMPARE(view->barAt(rect.center())->taskId, target.taskId);

    QSignalSpy clicked(view, &TaskStreamView::taskClicked);
    QTest::mouseClick(view, Qt::LeftButton, {}, rect.center());
    QCOMPARE(clicked.size(), 1);
    QCOMPARE(clicked.first().first().toULongLong(), target.taskId);
    const QModelIndexList selected = f.window.taskView()->selectionModel()->selectedRows();
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.first().data(TaskTableModel::TaskIdRole).toULongLong(), target.taskId);
    QCOMPARE(f.window.taskView()->currentIndex().row(), selected.first().row());

    // A task the filter hides cannot be selected: the status bar says so.
    f.window.stateFilter()->setCurrentIndex(f.window.stateFilter()->findData(int(TaskState::Failed)));
    QTRY_COMPARE(f.window.taskModel()->rowCount(), 0);
    QTest::mouseClick(view, Qt::LeftButton, {}, view->barRect(target).center());
    QCOMPARE(clicked.size(), 2);
    QVERIFY2(f.window.statusBar()->currentMessage().contains(QString::number(target.taskId)),
             qPrintable(f.window.statusBar()->currentMessage()));
}

void tst_TaskStream::theWheelZoomsAboutTheCursorAndADragPans()
{
    WindowFixture f;
    f.window.resize(1200, 800);
    f.window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&f.window));
    TaskStreamView *view = f.window.taskStreamView();
    QVERIFY(view->isLive());
    const QRect lanes = view->rect().adjusted(view->width() / 3, 0, 0, 0);
    const QPoint cursor(lanes.left() + lanes.width() / 3, view->height() / 2);

    // While following, the wheel zooms and the right edge stays on now.
    const qint64 span = view->spanMs();
    sendWheel(view, cursor, 120);
    QVERIFY2(view->spanMs() < span, qPrintable(QString::number(view->spanMs())));
    QVERIFY(view->isLive());

    // Stopped, the time under the cursor stays under it.
    view->setEndMs(view->endMs());
    const qint64 under = view->timeAt(cursor.x());
    const qint64 zoomedIn = view->spanMs();
    sendWheel(view, cursor, -240);
    QVERIFY(view->spanMs() > zoomedIn);
    QVERIFY2(qAbs(view->timeAt(cursor.x()) - under) <= view->spanMs() / 500,
             qPrintable(QStringLiteral("%1 moved to %2").arg(under).arg(view->timeAt(cursor.x()))));

    // A drag to the right shows earlier times, as far as the mouse moved.
    view->setLive(true);
    const qint64 msPerPixel = qMax<qint64>(1, view->spanMs() / 500);
    QTest::mousePress(view, Qt::LeftButton, {}, cursor);
    const qint64 before = view->endMs();
    QTest::mouseMove(view, cursor + QPoint(100, 0));
    QTest::mouseRelease(view, Qt::LeftButton, {}, cursor + QPoint(100, 0));
    QVERIFY(!view->isLive());
    const qint64 moved = before - view->endMs();
    const qint64 expected = view->timeAt(cursor.x() + 100) - view->timeAt(cursor.x());
    QVERIFY2(qAbs(moved - expected) <= 2 * msPerPixel + 50, qPrintable(QStringLiteral("%1 vs %2").arg(moved).arg(expected)));

    // A double-click follows now again.
    QTest::mouseDClick(view, Qt::LeftButton, {}, cursor);
    QVERIFY(view->isLive());
}

void tst_TaskStream::theBarsKeptStayWithinTheirBound()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    TaskStream stream(&scheduler);
    constexpr int Bound = 100;
    stream.setCapacity(Bound);
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, SchedulerTesting::worker(QStringLiteral("w"), 4));
    const TaskSpec spec = SchedulerTesting::spec();
    const QList<quint64> ids = scheduler.submit(QList<TaskSpec>(10 * Bound, spec));

    // Four at a time start and finish, as a worker with four slots reports them, and the
    // stream takes a batch every few rounds.
    int done = 0;
    for (int round = 0; done < ids.size(); ++round) {
        const QList<Messages::TaskAssignment> batch = link.assigned.mid(done);
        QVERIFY(!batch.isEmpty());
        QList<Messages::TaskRef> refs;
        QList<Messages::TaskResult> results;
        for (const Messages::TaskAssignment &a : batch) {
            refs.append({a.id, a.attempt});
            results.append({a.id, a.attempt, quint8(Messages::Outcome::Ok), "4", QString(), 1'000'000, 1'000'000, false});
        }
        scheduler.startTasks(w, refs);
        if (round % 3 == 0)
            stream.flush(); // some bars are seen running, others only once finished
        scheduler.completeTasks(w, results);
        done += int(batch.size());
        if (round % 5 == 0)
            stream.flush();
        QVERIFY2(stream.size() <= Bound, qPrintable(QString::number(stream.size())));
    }
    stream.flush();
    QCOMPARE(stream.size(), qsizetype(Bound));
    // Beside the bars it remembers only tasks started or ended since the batch before (those
    // that did in the same millisecond as a batch are kept until the next): none, a tick later.
    const qint64 lastEnd = scheduler.task(ids.last())->history.last().finishedMs;
    QTRY_VERIFY(QDateTime::currentMSecsSinceEpoch() > lastEnd);
    stream.flush();
    QCOMPARE(stream.trackedTasks(), qsizetype(0));
    // The most recent ones are kept, each once, on the worker's four lanes.
    QSet<quint64> kept;
    for (qsizetype i = 0; i < stream.size(); ++i)
        kept.insert(stream.bar(i).taskId);
    QCOMPARE(kept.size(), Bound);
    for (quint64 id : ids.mid(ids.size() - Bound))
        QVERIFY(kept.contains(id));
    QCOMPARE(stream.groupCount(), 1);
    QCOMPARE(stream.laneCount(0), 4);
    int onLanes = 0;
    for (int l = 0; l < 4; ++l)
        onLanes += stream.laneSize(0, l);
    QCOMPARE(onLanes, Bound);
    verifyLanes(stream, scheduler);

    // A change to a task whose bar has aged out (a late result, noted in its history) brings
    // no bar back.
    const Messages::TaskAssignment &oldest = link.assigned.first();
    QSignalSpy changed(&scheduler, &Scheduler::tasksChanged);
    scheduler.completeTasks(w, {{oldest.id, oldest.attempt, quint8(Messages::Outcome::Ok), "4", QString(), 1, 1, false}});
    QCOMPARE(changed.size(), 1);
    stream.flush();
    QCOMPARE(stream.size(), qsizetype(Bound));
    QVERIFY(!kept.contains(oldest.id));
    for (qsizetype i = 0; i < stream.size(); ++i)
        QVERIFY(stream.bar(i).taskId != oldest.id);

    // A worker that left keeps its lanes while they hold bars, and they go with the last one.
    scheduler.removeWorker(w, QStringLiteral("gone"));
    stream.flush();
    QCOMPARE(stream.groupCount(), 1);
    QVERIFY(!stream.isConnected(0));
    stream.setCapacity(1);
    QCOMPARE(stream.groupCount(), 1);
    QCOMPARE(stream.size(), qsizetype(1));
}

void tst_TaskStream::thousandsOfSlotsGetLanesAsTasksFillThem()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    TaskStream stream(&scheduler);
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, SchedulerTesting::worker(QStringLiteral("big"), 4096)); // the most a worker may announce
    stream.flush();
    QCOMPARE(stream.laneCount(0), TaskStream::MaxIdleLanes);

    const TaskSpec spec = SchedulerTesting::spec();
    scheduler.submit(QList<TaskSpec>(100, spec));
    QCOMPARE(link.assigned.size(), 100);
    QList<Messages::TaskRef> refs;
    for (const Messages::TaskAssignment &a : std::as_const(link.assigned))
        refs.append({a.id, a.attempt});
    scheduler.startTasks(w, refs);
    stream.flush();
    // A hundred running at once: a lane each, no more.
    QCOMPARE(stream.size(), qsizetype(100));
    QCOMPARE(stream.laneCount(0), 100);
    for (int l = 0; l < 100; ++l)
        QCOMPARE(stream.laneSize(0, l), 1);
    verifyLanes(stream, scheduler);
}

// With its result the master dates an attempt's start back by the run time the worker measured:
// a task that started before the stream's last look, but whose start and result it hears of
// only after it, still gets its bar, from the start dated back; one seen running moves its
// start back too, and neither gets a second bar.
void tst_TaskStream::aStartDatedBackByItsRunTimeKeepsItsBar()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    TaskStream stream(&scheduler);
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, SchedulerTesting::worker(QStringLiteral("w"), 2));
    const TaskSpec spec = SchedulerTesting::spec();
    const QList<quint64> ids = scheduler.submit({spec, spec});
    QCOMPARE(link.assigned.size(), 2);
    const Messages::TaskAssignment seenRunning = link.assigned[0];
    const Messages::TaskAssignment unseen = link.assigned[1];
    scheduler.startTasks(w, {{seenRunning.id, seenRunning.attempt}});
    stream.flush();
    QCOMPARE(stream.size(), qsizetype(1));
    const qint64 created = scheduler.task(unseen.id)->createdMs;
    QTRY_VERIFY(QDateTime::currentMSecsSinceEpoch() > created + 1);
    stream.flush(); // a look after both tasks were created

    // Both report a run of a minute: their starts go back to their creation.
    const auto result = [](const Messages::TaskAssignment &a) {
        return Messages::TaskResult{a.id, a.attempt, quint8(Messages::Outcome::Ok), "4", QString(), 60'000'000, 60'000'000, false};
    };
    scheduler.startTasks(w, {{unseen.id, unseen.attempt}});
    scheduler.completeTasks(w, {result(seenRunning), result(unseen)});
    stream.flush();
    QCOMPARE(stream.size(), qsizetype(2));
    QSet<quint64> barred;
    for (qsizetype i = 0; i < stream.size(); ++i) {
        const TaskStream::Bar &bar = stream.bar(i);
        const Task *task = scheduler.task(bar.taskId);
        barred.insert(bar.taskId);
        QCOMPARE(bar.startMs, task->history.last().startedMs);
        QCOMPARE(bar.startMs, task->createdMs);
        QCOMPARE(bar.endMs, task->history.last().finishedMs);
        QCOMPARE(bar.outcome, TaskStream::Outcome::Done);
    }
    QCOMPARE(barred, (QSet<quint64>{ids[0], ids[1]}));
    verifyLanes(stream, scheduler);
}

QTEST_MAIN(tst_TaskStream)
#include "tst_taskstream.moc"
