// The scheduler and workers' run times: the prefetch window it opens for tasks shorter than a
// round trip, and durations that are what the worker measured.

#include "master/scheduler.h"
#include "schedulertesting.h"
#include "task/memorytaskstore.h"

#include <QDateTime>
#include <QTest>

using namespace SchedulerTesting;

namespace {

// A worker with one slot that has finished one tiny task 100 µs after it was sent, so its
// window is open (the scheduler's clock is the test's).
quint64 warmTinyWorker(Scheduler &scheduler, FakeLink &link, const QString &name)
{
    static qint64 now = 0;
    scheduler.setMonotonicClock([] { return now; });
    const quint64 w = scheduler.addWorker(&link, worker(name, 1));
    scheduler.submit({spec()});
    now += 100;
    scheduler.completeTasks(w, {tiny(link.assigned.last())});
    return w;
}

} // namespace

class tst_SchedulerTiming : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tinyTasksOpenAPrefetchWindow();
    void longTasksGetNoPrefetch();
    void prefetchedTasksGoBackWhenTheWorkerDrops();
    void cancelReachesAPrefetchedTask();
    void idleWorkerGetsPrefetchedTasksReclaimed();
    void durationIsTheWorkersRunTime();
};

void tst_SchedulerTiming::tinyTasksOpenAPrefetchWindow()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    const quint64 w = warmTinyWorker(scheduler, link, QStringLiteral("w"));
    QVERIFY2(scheduler.worker(w)->prefetch > 0, "no window after a microsecond task");
    scheduler.submit(QList<TaskSpec>(200, spec()));
    const int sent = int(link.batches.last().size());
    QVERIFY2(sent > 1, qPrintable(QStringLiteral("sent %1 task(s) to a one-slot worker").arg(sent)));
    QCOMPARE(sent, scheduler.worker(w)->capacity());
}

void tst_SchedulerTiming::longTasksGetNoPrefetch()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 2));
    scheduler.submit(QList<TaskSpec>(50, spec()));
    for (int round = 0; round < 10; ++round) {
        const QList<Messages::TaskAssignment> batch = link.batches.last();
        QVERIFY(scheduler.worker(w)->running.size() <= 2);
        QList<Messages::TaskResult> results;
        for (const auto &a : batch)
            results.append(ok(a)); // a second each
        scheduler.completeTasks(w, results);
        QCOMPARE(scheduler.worker(w)->prefetch, 0);
    }
}

void tst_SchedulerTiming::prefetchedTasksGoBackWhenTheWorkerDrops()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    const quint64 w = warmTinyWorker(scheduler, link, QStringLiteral("w"));
    scheduler.submit(QList<TaskSpec>(20, spec(0, 1)));
    const qsizetype held = scheduler.worker(w)->running.size();
    QVERIFY(held > 1);
    // The worker starts the first; the rest wait behind it, prefetched.
    const quint64 first = link.batches.last().first().id;
    scheduler.startTasks(w, refs(scheduler, {first}));
    QCOMPARE(scheduler.worker(w)->started, 1);
    scheduler.removeWorker(w, QStringLiteral("gone"));
    // Only the started one spent its single attempt; the prefetched ones lost nothing.
    QCOMPARE(scheduler.count(TaskState::Failed), quint64(1));
    QCOMPARE(scheduler.task(first)->state, TaskState::Failed);
    QCOMPARE(scheduler.count(TaskState::Queued), quint64(19));
    QCOMPARE(scheduler.count(TaskState::Running), quint64(0));
}

void tst_SchedulerTiming::cancelReachesAPrefetchedTask()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    warmTinyWorker(scheduler, link, QStringLiteral("w"));
    scheduler.submit(QList<TaskSpec>(5, spec()));
    const quint64 last = link.assigned.last().id; // sent ahead, behind the first one
    QCOMPARE(scheduler.cancel({last}, QStringLiteral("no")), 1);
    QCOMPARE(link.cancelled, QList<quint64>{last});
}

void tst_SchedulerTiming::idleWorkerGetsPrefetchedTasksReclaimed()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink a;
    const quint64 wa = warmTinyWorker(scheduler, a, QStringLiteral("a"));
    scheduler.submit(QList<TaskSpec>(6, spec()));
    QVERIFY(scheduler.worker(wa)->running.size() > 1);
    // b joins with nothing queued: a's tasks that wait behind its one slot are asked back.
    FakeLink b;
    const quint64 wb = scheduler.addWorker(&b, worker(QStringLiteral("b"), 1));
    QCOMPARE(a.reclaimed.size(), 1);
    QVERIFY(scheduler.worker(wa)->reclaimPending);
    // a hands it back unstarted; b gets it at once and no attempt is spent.
    scheduler.returnTasks(wa, refs(scheduler, a.reclaimed), QStringLiteral("reclaimed"));
    QCOMPARE(b.assignedIds(), a.reclaimed);
    QCOMPARE(scheduler.task(a.reclaimed.first())->attempts, 0);
    QVERIFY(!scheduler.worker(wa)->reclaimPending);
    scheduler.completeTasks(wb, {ok(b.assigned.first())});
    QCOMPARE(scheduler.task(a.reclaimed.first())->state, TaskState::Done);
}

// The master hears of a start late (the network, a task prefetched on the worker) and of a
// quick task's start and result in one batch: a duration must be what the worker measured.
void tst_SchedulerTiming::durationIsTheWorkersRunTime()
{
    auto store = std::make_unique<MemoryTaskStore>();
    const qint64 anHourAgo = QDateTime::currentMSecsSinceEpoch() - 3'600'000;
    for (int i = 0; i < 2; ++i) {
        Task old;
        old.id = store->nextId();
        old.spec = spec();
        old.createdMs = anHourAgo;
        store->insert(old);
    }
    Scheduler scheduler(std::move(store));
    const quint64 young = scheduler.submit({spec()}).first();
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 3));
    QCOMPARE(link.assigned.size(), 3);
    scheduler.startTasks(w, refs(scheduler, link.assignedIds()));

    const Messages::TaskAssignment done = link.assigned[0];
    scheduler.completeTasks(w, {ok(done, "9", 2'500'000)});
    const Task *t = scheduler.task(done.id);
    QCOMPARE(t->state, TaskState::Done);
    QCOMPARE(t->durationMicros(), 2'500'000);
    QCOMPARE(t->history.last().runMicros, 2'500'000);
    QCOMPARE(t->finishedMs - t->startedMs, 2'500);
    QCOMPARE(t->history.last().finishedMs - t->history.last().startedMs, 2'500);

    // A retried attempt keeps its own run time; the task is not finished, so it has no duration.
    const Messages::TaskAssignment retried = link.assigned[1];
    scheduler.completeTasks(w, {{retried.id, retried.attempt, quint8(Messages::Outcome::Error), QByteArray(),
                                 QStringLiteral("busy"), 700'000, 700'000, true}});
    const Task *r = scheduler.task(retried.id);
    QVERIFY(!isFinished(r->state));
    QCOMPARE(r->durationMicros(), -1);
    const TaskAttempt *first = r->dispatchEntry(retried.attempt);
    QVERIFY(first);
    QCOMPARE(first->runMicros, 700'000);
    QCOMPARE(first->finishedMs - first->startedMs, 700);

    // A run said to be longer than the task has existed (clocks disagree) starts no earlier
    // than the task was created, and the duration is still the worker's.
    const Messages::TaskAssignment quick = link.assigned[2];
    QCOMPARE(quick.id, young);
    scheduler.completeTasks(w, {ok(quick, "9", 3'600'000'000u)});
    const Task *y = scheduler.task(young);
    QCOMPARE(y->startedMs, y->createdMs);
    QCOMPARE(y->durationMicros(), 3'600'000'000LL);
}

QTEST_GUILESS_MAIN(tst_SchedulerTiming)
#include "tst_schedulertiming.moc"
