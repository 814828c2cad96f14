// Routing in the scheduler: tasks go only to workers that run their kind and have every tag
// they require, in priority order within what each worker may take; tasks no worker can take
// wait; delayed tasks and retries wait for their time. Checked against a brute-force matcher.

#include "master/scheduler.h"
#include "master/workerlink.h"
#include "task/memorytaskstore.h"

#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

#include <set>

namespace {

class FakeLink final : public WorkerLink
{
public:
    void assign(const QList<Messages::TaskAssignment> &tasks) override { assigned.append(tasks); }
    void cancel(const QList<Messages::TaskRef> &refs, const QString &) override { cancelled.append(refs); }
    void reclaim(const QList<Messages::TaskRef> &refs) override { reclaimed.append(refs); }

    QList<Messages::TaskAssignment> assigned;
    QList<Messages::TaskRef> cancelled;
    QList<Messages::TaskRef> reclaimed;
};

TaskSpec spec(const QString &kind, QStringList required = {}, qint32 priority = 0)
{
    TaskSpec s;
    s.kind = kind;
    s.args = QByteArrayLiteral("1");
    s.priority = priority;
    s.requiredTags = std::move(required);
    s.retryDelayMs = 0;
    s.requiredTags.sort();
    return s;
}

WorkerInfo worker(const QString &name, int slots, QStringList kinds, QStringList tags = {})
{
    WorkerInfo info;
    info.name = name;
    info.slots = slots;
    info.kinds = std::move(kinds);
    info.tags = std::move(tags);
    return info;
}

bool mayRun(const WorkerInfo &w, const TaskSpec &s)
{
    if (!w.kinds.contains(s.kind))
        return false;
    for (const QString &tag : s.requiredTags) {
        if (!w.tags.contains(tag))
            return false;
    }
    return true;
}

// A result that says the task ran for a second: no prefetch window opens.
Messages::TaskResult done(const Messages::TaskAssignment &a)
{
    return {a.id, a.attempt, quint8(Messages::Outcome::Ok), "1", QString(), 1'000'000, 1'000'000};
}

Messages::TaskResult retryableError(const Messages::TaskAssignment &a)
{
    return {a.id, a.attempt, quint8(Messages::Outcome::Error), {}, QStringLiteral("try later"), 10, 10, true};
}

} // namespace

class tst_Routing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void randomFleetsMatchTheBruteForce_data();
    void randomFleetsMatchTheBruteForce();
    void aTaskNoWorkerCanTakeWaitsForOne();
    void highPriorityOfOneKindDoesNotHoldUpAnother();
    void reclaimOnlyTakesWhatTheIdleWorkerMayRun();
    void backlogSaysWhatWaitsAndWhy();
    void delayedTaskWaitsForItsTime();
    void retryableErrorWaitsForItsBackoff();
    void retryableErrorOnTheLastAttemptFails();
    void backoffDoublesAndIsCapped();
    void givingBackForeverIsBounded();
    void lateStartOfAnEarlierDispatchChangesNothing();
};

void tst_Routing::randomFleetsMatchTheBruteForce_data()
{
    QTest::addColumn<quint32>("seed");
    for (quint32 seed = 1; seed <= 40; ++seed)
        QTest::addRow("fleet %u", seed) << seed;
}

void tst_Routing::randomFleetsMatchTheBruteForce()
{
    QFETCH(quint32, seed);
    QRandomGenerator random(seed);
    const QStringList kinds = {QStringLiteral("k0"), QStringLiteral("k1"), QStringLiteral("k2"), QStringLiteral("k3")};
    const QStringList tags = {QStringLiteral("gpu"), QStringLiteral("zone=eu"), QStringLiteral("ssd")};
    auto subset = [&](const QStringList &from, int max) {
        QStringList picked;
        for (const QString &s : from) {
            if (int(random.bounded(3)) == 0 && picked.size() < max)
                picked.append(s);
        }
        return picked;
    };

    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    // Tasks first, workers later: the routes exist before the workers that take them.
    QList<TaskSpec> specs;
    for (int i = 0; i < 120; ++i)
        specs.append(spec(kinds[random.bounded(int(kinds.size()))], subset(tags, 2), qint32(random.bounded(3))));
    const QList<quint64> ids = scheduler.submit(specs);

    std::vector<std::unique_ptr<FakeLink>> links;
    std::vector<quint64> workerIds;
    const int fleet = 1 + int(random.bounded(4));
    for (int w = 0; w < fleet; ++w) {
        links.push_back(std::make_unique<FakeLink>());
        QStringList workerKinds = subset(kinds, 4);
        if (workerKinds.isEmpty())
            workerKinds.append(kinds[w % kinds.size()]);
        workerIds.push_back(scheduler.addWorker(links.back().get(), worker(QStringLiteral("w%1").arg(w), 1, workerKinds, subset(tags, 3))));
    }

    // Each worker starts what it gets at once and finishes one task per step; after each
    // result, the freed worker must get the best queued task it may run.
    std::vector<qsizetype> seen(links.size(), 0);
    auto bestFor = [&](const WorkerInfo &w) -> std::optional<quint64> {
        std::optional<quint64> best;
        for (quint64 id : ids) {
            const Task *t = scheduler.task(id);
            if (t->state != TaskState::Queued || !mayRun(w, t->spec))
                continue;
            if (!best || t->spec.priority > scheduler.task(*best)->spec.priority)
                best = id;
        }
        return best;
    };
    bool progress = true;
    int steps = 0;
    while (progress && steps++ < 1000) {
        progress = false;
        for (size_t w = 0; w < links.size(); ++w) {
            FakeLink &link = *links[w];
            const WorkerInfo info = *scheduler.worker(workerIds[w]);
            for (; seen[w] < link.assigned.size(); ++seen[w]) {
                const Messages::TaskAssignment &a = link.assigned[seen[w]];
                QVERIFY2(mayRun(info, scheduler.task(a.id)->spec),
                         qPrintable(QStringLiteral("task %1 (%2) went to %3, which may not run it").arg(a.id).arg(a.kind, info.name)));
                scheduler.startTasks(workerIds[w], {{a.id, a.attempt}});
            }
            if (info.running.isEmpty())
                continue;
            const quint64 id = info.running.keys().first();
            const std::optional<quint64> expected = bestFor(info);
            scheduler.completeTasks(workerIds[w], {done(link.assigned.last())});
            QCOMPARE(scheduler.task(id)->state, TaskState::Done);
            if (expected) {
                QCOMPARE(link.assigned.size(), seen[w] + 1);
                QCOMPARE(scheduler.task(link.assigned.last().id)->spec.priority, scheduler.task(*expected)->spec.priority);
                QVERIFY(link.assigned.last().id <= *expected || scheduler.task(link.assigned.last().id)->spec.priority
                        > scheduler.task(*expected)->spec.priority);
            }
            progress = true;
        }
    }
    // Whatever no worker may run is still queued; everything else is done; nothing failed.
    for (quint64 id : ids) {
        const Task *t = scheduler.task(id);
        bool someone = false;
        for (quint64 w : workerIds)
            someone = someone || mayRun(*scheduler.worker(w), t->spec);
        QCOMPARE(t->state, someone ? TaskState::Done : TaskState::Queued);
        QCOMPARE(t->attempts, someone ? 1 : 0);
    }
}

void tst_Routing::aTaskNoWorkerCanTakeWaitsForOne()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink plain, gpu;
    scheduler.addWorker(&plain, worker(QStringLiteral("plain"), 4, {QStringLiteral("square")}));
    const quint64 cube = scheduler.submit({spec(QStringLiteral("cube"))}).first();
    const quint64 needsGpu = scheduler.submit({spec(QStringLiteral("square"), {QStringLiteral("gpu")})}).first();
    QVERIFY(plain.assigned.isEmpty());
    QCOMPARE(scheduler.task(cube)->state, TaskState::Queued);
    QCOMPARE(scheduler.capableWorkers(scheduler.task(cube)->spec), 0);
    // A worker with the tag but not the kind changes nothing; one with both takes it.
    FakeLink gpuCube;
    scheduler.addWorker(&gpu, worker(QStringLiteral("gpu-cube"), 1, {QStringLiteral("cube")}, {QStringLiteral("gpu")}));
    QCOMPARE(gpu.assigned.size(), 1);
    QCOMPARE(gpu.assigned.first().id, cube);
    scheduler.addWorker(&gpuCube, worker(QStringLiteral("gpu-square"), 1, {QStringLiteral("square")}, {QStringLiteral("gpu")}));
    QCOMPARE(gpuCube.assigned.size(), 1);
    QCOMPARE(gpuCube.assigned.first().id, needsGpu);
    QVERIFY(plain.assigned.isEmpty());
}

void tst_Routing::highPriorityOfOneKindDoesNotHoldUpAnother()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    const QList<quint64> urgent = scheduler.submit(QList<TaskSpec>(5, spec(QStringLiteral("a"), {}, 100)));
    const QList<quint64> normal = scheduler.submit(QList<TaskSpec>(3, spec(QStringLiteral("b"), {}, 0)));
    FakeLink b;
    scheduler.addWorker(&b, worker(QStringLiteral("b"), 3, {QStringLiteral("b")}));
    QCOMPARE(b.assigned.size(), 3);
    for (const auto &a : b.assigned)
        QVERIFY(normal.contains(a.id));
    // A worker for both takes the urgent ones first.
    FakeLink both;
    scheduler.submit(QList<TaskSpec>(2, spec(QStringLiteral("b"), {}, 0)));
    scheduler.addWorker(&both, worker(QStringLiteral("both"), 5, {QStringLiteral("a"), QStringLiteral("b")}));
    QCOMPARE(both.assigned.size(), 5);
    for (const auto &a : both.assigned)
        QVERIFY(urgent.contains(a.id));
}

void tst_Routing::reclaimOnlyTakesWhatTheIdleWorkerMayRun()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink holder;
    const quint64 h = scheduler.addWorker(&holder, worker(QStringLiteral("holder"), 1, {QStringLiteral("a"), QStringLiteral("b")}));
    // Warm the holder with a microsecond task after a 100 µs round trip: a prefetch window opens.
    qint64 now = 0;
    scheduler.setMonotonicClock([&now] { return now; });
    scheduler.submit({spec(QStringLiteral("a"))});
    now += 100;
    const auto warm = holder.assigned.last();
    scheduler.completeTasks(h, {{warm.id, warm.attempt, quint8(Messages::Outcome::Ok), "1", QString(), 1, 1}});
    holder.assigned.clear();
    const QList<quint64> kindA = scheduler.submit(QList<TaskSpec>(3, spec(QStringLiteral("a"))));
    const QList<quint64> kindB = scheduler.submit(QList<TaskSpec>(3, spec(QStringLiteral("b"))));
    QVERIFY(holder.assigned.size() > 2);
    scheduler.startTasks(h, {{holder.assigned.first().id, holder.assigned.first().attempt}});
    // An idle worker for kind b only asks for b tasks, never for the started one.
    FakeLink idle;
    scheduler.addWorker(&idle, worker(QStringLiteral("idle"), 2, {QStringLiteral("b")}));
    QVERIFY(!holder.reclaimed.isEmpty());
    for (const Messages::TaskRef &ref : holder.reclaimed) {
        QVERIFY2(kindB.contains(ref.id), qPrintable(QString::number(ref.id)));
        QVERIFY(ref.id != holder.assigned.first().id);
    }
    QVERIFY(holder.reclaimed.size() <= 2);
}

void tst_Routing::backlogSaysWhatWaitsAndWhy()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    scheduler.submit(QList<TaskSpec>(12, spec(QStringLiteral("cube"))));
    scheduler.submit(QList<TaskSpec>(2, spec(QStringLiteral("square"), {QStringLiteral("gpu")})));
    TaskSpec later = spec(QStringLiteral("cube"));
    later.delayMs = 60'000;
    scheduler.submit({later});
    FakeLink link;
    scheduler.addWorker(&link, worker(QStringLiteral("w"), 1, {QStringLiteral("square")}));
    const QList<Messages::Backlog> backlog = scheduler.backlog();
    QCOMPARE(backlog.size(), 2);
    QCOMPARE(backlog[0].kind, QStringLiteral("cube"));
    QCOMPARE(backlog[0].ready, quint64(12));
    QCOMPARE(backlog[0].delayed, quint64(1));
    QCOMPARE(backlog[0].workers, quint32(0));
    QCOMPARE(backlog[1].requiredTags, QStringList{QStringLiteral("gpu")});
    QCOMPARE(backlog[1].ready, quint64(2));
    QCOMPARE(backlog[1].workers, quint32(0));
}

void tst_Routing::delayedTaskWaitsForItsTime()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    scheduler.addWorker(&link, worker(QStringLiteral("w"), 2, {QStringLiteral("square")}));
    TaskSpec delayed = spec(QStringLiteral("square"));
    delayed.delayMs = 300;
    QElapsedTimer clock;
    clock.start();
    const quint64 id = scheduler.submit({delayed}).first();
    const quint64 now = scheduler.submit({spec(QStringLiteral("square"))}).first();
    QCOMPARE(link.assigned.size(), 1);
    QCOMPARE(link.assigned.first().id, now);
    QCOMPARE(scheduler.task(id)->state, TaskState::Queued);
    QVERIFY(scheduler.task(id)->spec.runAtMs > 0);
    QTRY_COMPARE(link.assigned.size(), 2);
    QCOMPARE(link.assigned.last().id, id);
    QVERIFY2(clock.elapsed() >= 290, qPrintable(QString::number(clock.elapsed())));
    // Cancelled while delayed: it never goes out.
    TaskSpec another = delayed;
    const quint64 cancelled = scheduler.submit({another}).first();
    QCOMPARE(scheduler.cancel({cancelled}, QStringLiteral("no")), 1);
    QVERIFY(scheduler.backlog().isEmpty());
}

void tst_Routing::retryableErrorWaitsForItsBackoff()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 1, {QStringLiteral("square")}));
    TaskSpec s = spec(QStringLiteral("square"));
    s.retryDelayMs = 400;
    const quint64 id = scheduler.submit({s}).first();
    QElapsedTimer clock;
    clock.start();
    scheduler.completeTasks(w, {retryableError(link.assigned.first())});
    QCOMPARE(scheduler.task(id)->state, TaskState::Queued);
    QCOMPARE(scheduler.task(id)->attempts, 1);
    QVERIFY(scheduler.task(id)->spec.runAtMs > 0);
    QCOMPARE(link.assigned.size(), 1); // not at once
    QTRY_COMPARE(link.assigned.size(), 2);
    // Jitter puts the first retry between half and all of the base delay.
    QVERIFY2(clock.elapsed() >= 190, qPrintable(QString::number(clock.elapsed())));
    QVERIFY(scheduler.task(id)->history.first().outcome.contains(QLatin1String("try later")));
}

void tst_Routing::retryableErrorOnTheLastAttemptFails()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 1, {QStringLiteral("square")}));
    TaskSpec s = spec(QStringLiteral("square"));
    s.maxAttempts = 2;
    const quint64 id = scheduler.submit({s}).first();
    scheduler.completeTasks(w, {retryableError(link.assigned.last())});
    QCOMPARE(link.assigned.size(), 2); // a zero retry delay: at once
    scheduler.completeTasks(w, {retryableError(link.assigned.last())});
    QCOMPARE(scheduler.task(id)->state, TaskState::Failed);
    QCOMPARE(scheduler.task(id)->error, QStringLiteral("try later"));
    QCOMPARE(scheduler.task(id)->attempts, 2);
}

void tst_Routing::backoffDoublesAndIsCapped()
{
    QCOMPARE(retryBackoffMs(1000, 1, 1.0), qint64(1000));
    QCOMPARE(retryBackoffMs(1000, 2, 1.0), qint64(2000));
    QCOMPARE(retryBackoffMs(1000, 4, 1.0), qint64(8000));
    QCOMPARE(retryBackoffMs(1000, 4, 0.0), qint64(4000));
    QCOMPARE(retryBackoffMs(1000, 200, 1.0), MaxRetryDelayMs);
    QCOMPARE(retryBackoffMs(0, 5, 1.0), qint64(0));
}

void tst_Routing::givingBackForeverIsBounded()
{
    // A worker that always gives its task back, or stops it, spends no attempt; it still
    // cannot keep one task circulating for ever, and the task's history stays bounded while
    // every dispatch keeps a number of its own.
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 1, {QStringLiteral("square")}));
    TaskSpec s = spec(QStringLiteral("square"));
    s.maxAttempts = 1;
    const quint64 id = scheduler.submit({s}).first();
    const Task *task = scheduler.task(id);
    const QString lateNote = QStringLiteral("(a late result arrived and was not recorded)");
    const auto lateOk = [&](quint32 dispatch) {
        scheduler.completeTasks(w, {{id, dispatch, quint8(Messages::Outcome::Ok), QByteArrayLiteral("1"), QString()}});
    };
    int rounds = 0;
    while (task->state == TaskState::Running && rounds < 10'000) {
        const auto a = link.assigned.last();
        QVERIFY2(task->history.size() <= MaxKeptDispatches, qPrintable(QString::number(task->history.size())));
        QCOMPARE(a.attempt, quint32(link.assigned.size())); // a new number for every dispatch
        QCOMPARE(task->dispatches, a.attempt);
        if (rounds == 60) {
            // Results for earlier dispatches, one no longer in the history and one still in it,
            // are late: neither finishes the task nor counts against the current dispatch.
            QVERIFY(!task->dispatchEntry(1));
            lateOk(1);
            lateOk(50);
            QCOMPARE(task->state, TaskState::Running);
            QCOMPARE(task->duplicateResults, 2);
            QVERIFY(task->result.isEmpty());
            QVERIFY2(task->dispatchEntry(50)->outcome.endsWith(lateNote), qPrintable(task->dispatchEntry(50)->outcome));
            QVERIFY(!task->history.last().outcome.contains(lateNote));
        }
        scheduler.startTasks(w, {{a.id, a.attempt}});
        if (rounds % 2)
            scheduler.returnTasks(w, {{a.id, a.attempt}}, QStringLiteral("nope"));
        else
            scheduler.completeTasks(w, {{a.id, a.attempt, quint8(Messages::Outcome::Cancelled), {}, QString()}});
        ++rounds;
    }
    QCOMPARE(task->state, TaskState::Failed);
    QCOMPARE(rounds, MaxUncountedDispatches);
    QVERIFY2(task->error.endsWith(QStringLiteral("given back %1 times without finishing").arg(MaxUncountedDispatches)),
             qPrintable(task->error));
    QCOMPARE(task->dispatches, quint32(link.assigned.size()));
    QCOMPARE(task->dispatches, quint32(MaxUncountedDispatches));
    QCOMPARE(task->history.size(), MaxKeptDispatches);
    QCOMPARE(task->droppedDispatches(), quint32(MaxUncountedDispatches - MaxKeptDispatches));
    // The last entry is the last dispatch.
    QCOMPARE(task->dispatchEntry(task->dispatches), &task->history.last());
    QCOMPARE(task->history.last().outcome, QStringLiteral("returned: nope"));
    // A late result for the first or the last dispatch changes nothing either once it failed.
    lateOk(1);
    lateOk(task->dispatches);
    QCOMPARE(task->state, TaskState::Failed);
    QVERIFY(task->result.isEmpty());
    QCOMPARE(task->duplicateResults, 4);
    QVERIFY(task->history.last().outcome.endsWith(lateNote));

    // Retried, it goes on numbering where it was, so a result from before cannot pass for a new one.
    QCOMPARE(scheduler.retry({id}), 1);
    QCOMPARE(link.assigned.last().attempt, quint32(MaxUncountedDispatches + 1));
    QCOMPARE(task->history.size(), MaxKeptDispatches);
    // The retry starts a new count of free dispatches: given back once, the task goes out again
    // instead of failing at once for the hundred before.
    scheduler.returnTasks(w, {{id, quint32(MaxUncountedDispatches + 1)}}, QStringLiteral("nope"));
    QCOMPARE(task->state, TaskState::Running);
    QCOMPARE(link.assigned.last().attempt, quint32(MaxUncountedDispatches + 2));
    lateOk(MaxUncountedDispatches + 1);
    QCOMPARE(task->state, TaskState::Running);
    lateOk(MaxUncountedDispatches + 2);
    QCOMPARE(task->state, TaskState::Done);
}

void tst_Routing::lateStartOfAnEarlierDispatchChangesNothing()
{
    Scheduler scheduler(std::make_unique<MemoryTaskStore>());
    FakeLink link;
    const quint64 w = scheduler.addWorker(&link, worker(QStringLiteral("w"), 1, {QStringLiteral("square")}));
    const quint64 id = scheduler.submit({spec(QStringLiteral("square"))}).first();
    const auto first = link.assigned.last();
    scheduler.returnTasks(w, {{first.id, first.attempt}}, QStringLiteral("busy"));
    const auto second = link.assigned.last();
    QVERIFY(second.attempt != first.attempt);
    // A stale ReturnTasks or TaskStarted for the first dispatch neither cancels nor starts the second.
    scheduler.returnTasks(w, {{first.id, first.attempt}}, QStringLiteral("stale"));
    scheduler.startTasks(w, {{first.id, first.attempt}});
    QCOMPARE(scheduler.task(id)->state, TaskState::Running);
    QCOMPARE(scheduler.task(id)->attempts, 0);
    QCOMPARE(link.assigned.size(), 2);
    scheduler.startTasks(w, {{second.id, second.attempt}});
    QCOMPARE(scheduler.task(id)->attempts, 1);
}

QTEST_GUILESS_MAIN(tst_Routing)
#include "tst_routing.moc"
