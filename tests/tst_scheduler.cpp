// Scheduler: the master's task logic without sockets, driven through a fake worker link.

#include "master/scheduler.h"
#include "master/workerlink.h"
#include "task/memorytaskstore.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QTest>

#include <limits>

namespace {

class FakeLink final : public WorkerLink
{
public:
    void assign(const QList<Messages::TaskAssignment> &tasks) override
    {
        batches.append(tasks);
        for (const auto &t : tasks)
            assigned.append(t);
    }
    void cancel(const QList<Messages::TaskRef> &refs, const QString &reason) override
    {
        for (const Messages::TaskRef &ref : refs)
            cancelled.append(ref.id);
        reasons.append(reason);
    }
    void reclaim(const QList<Messages::TaskRef> &refs) override
    {
        for (const Messages::TaskRef &ref : refs)
            reclaimed.append(ref.id);
    }
    QList<quint64> assignedIds() const
    {
        QList<quint64> ids;
        for (const auto &t : assigned)
            ids.append(t.id);
        return ids;
    }

    QList<QList<Messages::TaskAssignment>> batches;
    QList<Messages::TaskAssignment> assigned;
    QList<quint64> cancelled;
    QStringList reasons;
    QList<quint64> reclaimed;
};

TaskSpec spec(qint32 priority = 0, int maxAttempts = DefaultMaxAttempts, qint64 timeoutMs = 0)
{
    TaskSpec s;
    s.kind = QStringLiteral("square");
    s.args = QByteArrayLiteral("{\"n\":3}");
    s.priority = priority;
    s.maxAttempts = maxAttempts;
    s.timeoutMs = timeoutMs;
    s.retryDelayMs = 0; // retries at once, unless a test is about the backoff
    return s;
}

WorkerInfo worker(const QString &name, int slots)
{
    WorkerInfo info;
    info.name = name;
    info.slots = slots;
    info.kinds = {QStringLiteral("square")};
    return info;
}

// The current dispatch of each task, as a worker names it.
QList<Messages::TaskRef> refs(const Scheduler &scheduler, const QList<quint64> &ids)
{
    QList<Messages::TaskRef> list;
    for (quint64 id : ids)
        list.append({id, quint32(scheduler.task(id)->history.size())});
    return list;
}

// By default a task reports a run of a whole second: far longer than any round trip, so no
// prefetch window opens and the slot arithmetic of the tests below stays exact.
Messages::TaskResult ok(const Messages::TaskAssignment &a, const QByteArray &result = "9", quint32 runMicros = 1'000'000)
{
    return {a.id, a.attempt, quint8(Messages::Outcome::Ok), result, QString(), runMicros, runMicros};
}

// A microsecond task: the round trip dominates, so the master should send ahead.
Messages::TaskResult tiny(const Messages::TaskAssignment &a)
{
    return ok(a, "9", 1);
}

} // namespace

class tst_Scheduler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void higherPriorityFirstAndFifoWithinAPriority();
    void neverSendsMoreTasksThanSlots();
    void spreadsWorkAcrossWorkers();
    void disconnectRequeuesRunningTasks();
    void failsAfterMaxAttempts();
    void timeoutCancelsOnTheWorkerAndRetries();
    void timeoutPastMaxAttemptsFails();
    void deadlinesFollowTheMonotonicClock();
    void hugeTimeoutNeitherWrapsNorFires();
    void cancelQueuedTaskAtOnce();
    void cancelRunningTaskTellsItsWorkerAndFreesTheSlot();
    void duplicateResultIsRecordedOnce();
    void staleAttemptResultIsIgnored();
    void resultFromAnotherWorkerIsIgnored();
    void handlerErrorFailsWithoutRetry();
    void returnedTasksDoNotSpendAnAttempt();
    void attemptNumbersOnTheWireNeverRepeat();
    void finishedIsAnnouncedOnceDespiteLateResults();
    void aFloodOfLateResultsIsCountedNotAnnounced();
    void drainingWorkerGetsNoTasks();
    void changesAreAnnouncedInBatches();
    void tinyTasksOpenAPrefetchWindow();
    void longTasksGetNoPrefetch();
    void prefetchedTasksGoBackWhenTheWorkerDrops();
    void cancelReachesAPrefetchedTask();
    void idleWorkerGetsPrefetchedTasksReclaimed();
    void retryQueuesFailedTasksAgain();
    void storeRecoveryRequeuesRunningTasks();
    void durationIsTheWorkersRunTime();
};

void tst_Scheduler::higherPriorityFirstAndFifoWithinAPriority()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    const QList<quint64> ids = scheduler.submit({spec(0), spec(5), spec(0), spec(5), spec(1)});
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 1));
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(link.assigned.size(), i + 1);
        scheduler.completeTasks(w, {ok(link.assigned.last())});
    }
    QCOMPARE(link.assignedIds(), (QList<quint64>{ids[1], ids[3], ids[4], ids[0], ids[2]}));
    QCOMPARE(scheduler.count(TaskState::Done), quint64(5));
}

void tst_Scheduler::neverSendsMoreTasksThanSlots()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 3));
    scheduler.submit(QList<TaskSpec>(10, spec()));
    QCOMPARE(link.batches.size(), 1); // one frame for the three
    QCOMPARE(link.assigned.size(), 3);
    QCOMPARE(scheduler.count(TaskState::Running), quint64(3));
    QCOMPARE(scheduler.count(TaskState::Queued), quint64(7));
    scheduler.completeTasks(w, {ok(link.assigned[0]), ok(link.assigned[1])});
    QCOMPARE(link.assigned.size(), 5);
    QCOMPARE(scheduler.worker(w)->running.size(), 3);
}

void tst_Scheduler::spreadsWorkAcrossWorkers()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink a, b;
    scheduler.addWorker(&a, worker(QStringLiteral("a"), 2));
    scheduler.addWorker(&b, worker(QStringLiteral("b"), 2));
    scheduler.submit(QList<TaskSpec>(3, spec()));
    QCOMPARE(a.assigned.size() + b.assigned.size(), 3);
    QVERIFY(a.assigned.size() >= 1 && b.assigned.size() >= 1);
}

void tst_Scheduler::disconnectRequeuesRunningTasks()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink a;
    const quint64 wa = scheduler.addWorker(&a, worker(QStringLiteral("a"), 1));
    const quint64 id = scheduler.submit({spec()}).first();
    QCOMPARE(scheduler.task(id)->state, TaskState::Running);
    QCOMPARE(scheduler.task(id)->attempts, 0); // sent, not started
    scheduler.startTasks(wa, refs(scheduler, {id}));
    QCOMPARE(scheduler.task(id)->attempts, 1);
    scheduler.removeWorker(wa, QStringLiteral("connection reset"));
    QCOMPARE(scheduler.task(id)->state, TaskState::Queued);
    QCOMPARE(scheduler.task(id)->attempts, 1);
    QVERIFY(scheduler.task(id)->history.first().outcome.contains(QLatin1String("connection reset")));

    FakeLink b;
    const quint64 wb = scheduler.addWorker(&b, worker(QStringLiteral("b"), 1));
    QCOMPARE(b.assignedIds(), QList<quint64>{id});
    QCOMPARE(b.assigned.first().attempt, quint32(2));
    scheduler.completeTasks(wb, {ok(b.assigned.first())});
    QCOMPARE(scheduler.task(id)->state, TaskState::Done);
    QCOMPARE(scheduler.task(id)->worker, QStringLiteral("b"));
    QCOMPARE(scheduler.task(id)->history.size(), 2);
}

void tst_Scheduler::failsAfterMaxAttempts()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    const quint64 id = scheduler.submit({spec(0, 2)}).first();
    for (int i = 0; i < 2; ++i) {
        FakeLink link;
        const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w%1").arg(i), 1));
        QCOMPARE(link.assigned.size(), 1);
        scheduler.startTasks(w, refs(scheduler, {id}));
        scheduler.removeWorker(w, QStringLiteral("killed"));
    }
    const Task *task = scheduler.task(id);
    QCOMPARE(task->state, TaskState::Failed);
    QVERIFY2(task->error.contains(QLatin1String("worker lost: killed")), qPrintable(task->error));
    QVERIFY2(task->error.contains(QLatin1String("attempt 2 of 2")), qPrintable(task->error));
}

void tst_Scheduler::timeoutCancelsOnTheWorkerAndRetries()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 1));
    const quint64 id = scheduler.submit({spec(0, 3, 50)}).first();
    QCOMPARE(link.assigned.size(), 1);
    // The clock runs from the start, not from the dispatch.
    scheduler.startTasks(w, refs(scheduler, {id}));
    // The task goes back to the queue and, the slot being free again, straight out again.
    QTRY_COMPARE(link.assigned.size(), 2);
    QCOMPARE(link.cancelled.first(), id);
    QVERIFY(link.reasons.first().contains(QLatin1String("timed out after 50 ms")));
    QCOMPARE(link.assigned.last().attempt, quint32(2));
}

void tst_Scheduler::timeoutPastMaxAttemptsFails()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 1));
    const quint64 id = scheduler.submit({spec(0, 1, 30)}).first();
    scheduler.startTasks(w, refs(scheduler, {id}));
    QTRY_COMPARE(scheduler.task(id)->state, TaskState::Failed);
    QVERIFY(scheduler.task(id)->error.contains(QLatin1String("timed out after 30 ms")));
    QCOMPARE(link.cancelled, QList<quint64>{id});
}

void tst_Scheduler::deadlinesFollowTheMonotonicClock()
{
    // The wall clock jumps when the system time is set; a deadline must not. With the
    // scheduler's monotonic clock held still, a 50 ms timeout does not fire, however long the
    // wall clock runs; once that clock passes the deadline, it does.
    qint64 nowMicros = 5'000'000'000;
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    scheduler.setMonotonicClock([&nowMicros] { return nowMicros; });
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 1));
    const quint64 id = scheduler.submit({spec(0, 1, 50)}).first();
    QCOMPARE(link.assigned.size(), 1);
    scheduler.startTasks(w, refs(scheduler, {id}));
    QTest::qWait(300); // a bounded look for something that must not happen
    QCOMPARE(scheduler.task(id)->state, TaskState::Running);
    QVERIFY(link.cancelled.isEmpty());
    nowMicros += 50'000;
    QTRY_COMPARE(scheduler.task(id)->state, TaskState::Failed);
    QVERIFY(scheduler.task(id)->error.contains(QLatin1String("timed out after 50 ms")));
}

void tst_Scheduler::hugeTimeoutNeitherWrapsNorFires()
{
    // Submits are validated before they reach the scheduler, but a store written by an older
    // master may hold any timeout: start + timeout must not wrap into the past, where the
    // next deadline to expire (here a short one beside it) would take it along.
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 2));
    const QList<quint64> ids = scheduler.submit({spec(0, 1, std::numeric_limits<qint64>::max()), spec(0, 1, 30)});
    QCOMPARE(link.assigned.size(), 2);
    scheduler.startTasks(w, refs(scheduler, ids));
    QTRY_COMPARE(scheduler.task(ids[1])->state, TaskState::Failed);
    QCOMPARE(scheduler.task(ids[0])->state, TaskState::Running);
    QCOMPARE(link.cancelled, QList<quint64>{ids[1]});
}

void tst_Scheduler::cancelQueuedTaskAtOnce()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    const quint64 id = scheduler.submit({spec()}).first();
    QCOMPARE(scheduler.cancel({id}, QStringLiteral("not needed")), 1);
    QCOMPARE(scheduler.task(id)->state, TaskState::Cancelled);
    QCOMPARE(scheduler.task(id)->error, QStringLiteral("not needed"));
    FakeLink link;
    scheduler.addWorker(&link, worker(QStringLiteral("w"), 1));
    QVERIFY(link.assigned.isEmpty());
    QCOMPARE(scheduler.cancel({id}, QStringLiteral("again")), 0);
}

void tst_Scheduler::cancelRunningTaskTellsItsWorkerAndFreesTheSlot()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 1));
    const QList<quint64> ids = scheduler.submit({spec(), spec()});
    QCOMPARE(link.assignedIds(), QList<quint64>{ids[0]});
    QCOMPARE(scheduler.cancel({ids[0]}, QStringLiteral("stop")), 1);
    QCOMPARE(link.cancelled, QList<quint64>{ids[0]});
    QCOMPARE(scheduler.task(ids[0])->state, TaskState::Cancelled);
    QCOMPARE(link.assignedIds(), (QList<quint64>{ids[0], ids[1]}));
    // The worker's answer for the cancelled task changes nothing.
    scheduler.completeTasks(w, {ok(link.assigned[0])});
    QCOMPARE(scheduler.task(ids[0])->state, TaskState::Cancelled);
}

void tst_Scheduler::duplicateResultIsRecordedOnce()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 1));
    const quint64 id = scheduler.submit({spec()}).first();
    scheduler.completeTasks(w, {ok(link.assigned[0], "9")});
    scheduler.completeTasks(w, {ok(link.assigned[0], "10")});
    QCOMPARE(scheduler.task(id)->result, QByteArray("9"));
    QCOMPARE(scheduler.task(id)->duplicateResults, 1);
    QCOMPARE(scheduler.count(TaskState::Done), quint64(1));
    QCOMPARE(scheduler.worker(w)->done, quint64(1));
}

void tst_Scheduler::staleAttemptResultIsIgnored()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink a;
    const quint64 wa = scheduler.addWorker(&a, worker(QStringLiteral("a"), 1));
    const quint64 id = scheduler.submit({spec()}).first();
    const Messages::TaskAssignment first = a.assigned[0];
    // Timed out in the eyes of the master: back to the queue, then to the same worker again.
    scheduler.removeWorker(wa, QStringLiteral("missed heartbeats"));
    FakeLink again;
    const quint64 wa2 = scheduler.addWorker(&again, worker(QStringLiteral("a"), 1));
    scheduler.completeTasks(wa2, {ok(first, "111")}); // attempt 1's result, late
    QCOMPARE(scheduler.task(id)->state, TaskState::Running);
    QCOMPARE(scheduler.task(id)->duplicateResults, 1);
    scheduler.completeTasks(wa2, {ok(again.assigned[0], "9")});
    QCOMPARE(scheduler.task(id)->state, TaskState::Done);
    QCOMPARE(scheduler.task(id)->result, QByteArray("9"));
    QVERIFY(scheduler.task(id)->history.first().outcome.contains(QLatin1String("late result")));
}

void tst_Scheduler::resultFromAnotherWorkerIsIgnored()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink a, b;
    scheduler.addWorker(&a, worker(QStringLiteral("a"), 1));
    const quint64 id = scheduler.submit({spec()}).first();
    const quint64 wb = scheduler.addWorker(&b, worker(QStringLiteral("b"), 1));
    scheduler.completeTasks(wb, {ok(a.assigned[0])});
    QCOMPARE(scheduler.task(id)->state, TaskState::Running);
}

void tst_Scheduler::handlerErrorFailsWithoutRetry()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 1));
    const quint64 id = scheduler.submit({spec()}).first();
    scheduler.completeTasks(w, {{id, 1, quint8(Messages::Outcome::Error), {}, QStringLiteral("bad args")}});
    QCOMPARE(scheduler.task(id)->state, TaskState::Failed);
    QCOMPARE(scheduler.task(id)->error, QStringLiteral("bad args"));
    QCOMPARE(link.assigned.size(), 1);
    QCOMPARE(scheduler.worker(w)->failed, quint64(1));
}

void tst_Scheduler::returnedTasksDoNotSpendAnAttempt()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 1));
    const quint64 id = scheduler.submit({spec(0, 1)}).first();
    scheduler.setWorkerDraining(w);
    scheduler.returnTasks(w, refs(scheduler, {id}), QStringLiteral("shutting down"));
    QCOMPARE(scheduler.task(id)->state, TaskState::Queued);
    QCOMPARE(scheduler.task(id)->attempts, 0);
    QCOMPARE(link.assigned.size(), 1); // draining: not sent back to the same worker
}

void tst_Scheduler::attemptNumbersOnTheWireNeverRepeat()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 1));
    const quint64 id = scheduler.submit({spec()}).first();
    const Messages::TaskAssignment first = link.assigned.last();
    // Given back without spending an attempt, then sent to the same worker again.
    scheduler.returnTasks(w, refs(scheduler, {id}), QStringLiteral("busy"));
    QCOMPARE(link.assigned.size(), 2);
    QCOMPARE(scheduler.task(id)->attempts, 0);
    QVERIFY(link.assigned.last().attempt != first.attempt);
    // A result of the first dispatch is not taken for the second.
    scheduler.completeTasks(w, {ok(first, "111")});
    QCOMPARE(scheduler.task(id)->state, TaskState::Running);
    scheduler.completeTasks(w, {ok(link.assigned.last(), "9")});
    QCOMPARE(scheduler.task(id)->result, QByteArray("9"));
}

void tst_Scheduler::aFloodOfLateResultsIsCountedNotAnnounced()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 1));
    const quint64 id = scheduler.submit({spec()}).first();
    const Messages::TaskAssignment a = link.assigned.last();
    scheduler.completeTasks(w, {ok(a)});
    QSignalSpy changed(&scheduler, &Scheduler::tasksChanged);
    for (int i = 0; i < 1000; ++i)
        scheduler.completeTasks(w, {ok(a, "10")});
    QCOMPARE(scheduler.task(id)->duplicateResults, 1000);
    QCOMPARE(scheduler.task(id)->result, QByteArray("9"));
    QCOMPARE(changed.count(), 1); // the first is noted in the history; the rest only counted
    QVERIFY(scheduler.task(id)->history.last().outcome.endsWith(QLatin1String("was not recorded)")));
}

void tst_Scheduler::finishedIsAnnouncedOnceDespiteLateResults()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 1));
    const quint64 id = scheduler.submit({spec()}).first();
    QSignalSpy finished(&scheduler, &Scheduler::tasksFinished);
    scheduler.completeTasks(w, {ok(link.assigned[0])});
    scheduler.completeTasks(w, {ok(link.assigned[0])});
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().value<QList<quint64>>(), QList<quint64>{id});
}

void tst_Scheduler::drainingWorkerGetsNoTasks()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink a, b;
    const quint64 wa = scheduler.addWorker(&a, worker(QStringLiteral("a"), 4));
    scheduler.setWorkerDraining(wa);
    scheduler.submit(QList<TaskSpec>(2, spec()));
    QVERIFY(a.assigned.isEmpty());
    scheduler.addWorker(&b, worker(QStringLiteral("b"), 4));
    QCOMPARE(b.assigned.size(), 2);
}

void tst_Scheduler::changesAreAnnouncedInBatches()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    scheduler.addWorker(&link, worker(QStringLiteral("w"), 8));
    QSignalSpy changed(&scheduler, &Scheduler::tasksChanged);
    QSignalSpy counts(&scheduler, &Scheduler::countsChanged);
    scheduler.submit(QList<TaskSpec>(100, spec()));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(counts.size(), 1);
    // 100 submitted plus 8 of them dispatched, in one signal.
    QCOMPARE(changed.first().first().value<QList<quint64>>().size(), 108);
}

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

void tst_Scheduler::tinyTasksOpenAPrefetchWindow()
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

void tst_Scheduler::longTasksGetNoPrefetch()
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

void tst_Scheduler::prefetchedTasksGoBackWhenTheWorkerDrops()
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

void tst_Scheduler::cancelReachesAPrefetchedTask()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    warmTinyWorker(scheduler, link, QStringLiteral("w"));
    scheduler.submit(QList<TaskSpec>(5, spec()));
    const quint64 last = link.assigned.last().id; // sent ahead, behind the first one
    QCOMPARE(scheduler.cancel({last}, QStringLiteral("no")), 1);
    QCOMPARE(link.cancelled, QList<quint64>{last});
}

void tst_Scheduler::idleWorkerGetsPrefetchedTasksReclaimed()
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

void tst_Scheduler::retryQueuesFailedTasksAgain()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    const quint64 id = scheduler.submit({spec()}).first();
    scheduler.cancel({id}, QStringLiteral("oops"));
    QCOMPARE(scheduler.retry({id}), 1);
    QCOMPARE(scheduler.task(id)->state, TaskState::Queued);
    QVERIFY(scheduler.task(id)->error.isEmpty());
    QCOMPARE(scheduler.count(TaskState::Cancelled), quint64(0));
    QCOMPARE(scheduler.retry({id}), 0);
}

void tst_Scheduler::storeRecoveryRequeuesRunningTasks()
{
    auto store = std::make_unique<MemoryTaskStore>();
    Task running;
    running.id = store->nextId();
    running.spec = spec();
    running.state = TaskState::Running;
    running.attempts = 1;
    running.history.append({QStringLiteral("gone"), 1, 0, QString()});
    store->insert(running);
    Task done;
    done.id = store->nextId();
    done.spec = spec();
    done.state = TaskState::Done;
    store->insert(done);
    Task lastTry; // running its last allowed attempt when the master went down
    lastTry.id = store->nextId();
    lastTry.spec = spec(0, 2);
    lastTry.state = TaskState::Running;
    lastTry.attempts = 2;
    lastTry.history = {{QStringLiteral("gone"), 1, 2, QStringLiteral("lost")}, {QStringLiteral("gone"), 3, 0, QString()}};
    store->insert(lastTry);
    Task sentOnly; // its last try had only been sent: it costs nothing
    sentOnly.id = store->nextId();
    sentOnly.spec = spec(0, 1);
    sentOnly.state = TaskState::Running;
    sentOnly.history.append({QStringLiteral("gone"), 0, 0, QString()});
    store->insert(sentOnly);
    Scheduler scheduler(std::move(store));
    QCOMPARE(scheduler.count(TaskState::Queued), quint64(2));
    QCOMPARE(scheduler.count(TaskState::Done), quint64(1));
    QCOMPARE(scheduler.count(TaskState::Failed), quint64(1));
    QCOMPARE(scheduler.task(3)->error, QStringLiteral("master restarted during attempt 2 of 2"));
    QCOMPARE(scheduler.requeuedOnStart(), 2);
    QCOMPARE(scheduler.task(1)->history.first().outcome, QStringLiteral("master restarted"));
    QCOMPARE(scheduler.task(4)->attempts, 0);
    FakeLink link;
    scheduler.addWorker(&link, worker(QStringLiteral("w"), 2));
    QCOMPARE(link.assignedIds(), (QList<quint64>{1, 4}));
}

// The master hears of a start late (the network, a task prefetched on the worker) and of a
// quick task's start and result in one batch: a duration must be what the worker measured.
void tst_Scheduler::durationIsTheWorkersRunTime()
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

QTEST_GUILESS_MAIN(tst_Scheduler)
#include "tst_scheduler.moc"
