// Scheduler: the master's task logic without sockets, driven through a fake worker link.

#include "master/scheduler.h"
#include "master/workerlink.h"
#include "schedulertesting.h"
#include "task/memorytaskstore.h"

#include <QSignalSpy>
#include <QTest>

#include <limits>

using namespace SchedulerTesting;

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
    void retryQueuesFailedTasksAgain();
    void storeRecoveryRequeuesRunningTasks();
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

QTEST_GUILESS_MAIN(tst_Scheduler)
#include "tst_scheduler.moc"
