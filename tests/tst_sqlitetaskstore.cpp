// SqliteTaskStore: every field of a task survives a reopen, changes are group-committed,
// whenDurable() runs only after the commit, retention purges in batches, and results stay
// exactly-once through a restart of the scheduler over the same data directory.

#include "master/retention.h"
#include "master/scheduler.h"
#include "master/workerlink.h"
#include "task/sqlitetaskstore.h"

#include <QDir>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

namespace {

class FakeLink final : public WorkerLink
{
public:
    void assign(const QList<Messages::TaskAssignment> &tasks) override { assigned.append(tasks); }
    void cancel(const QList<Messages::TaskRef> &, const QString &) override { }
    void reclaim(const QList<Messages::TaskRef> &) override { }
    QList<Messages::TaskAssignment> assigned;
};

WorkerInfo worker(const QString &name)
{
    WorkerInfo info;
    info.name = name;
    info.slots = 1;
    info.kinds = {QStringLiteral("square")};
    return info;
}

Task newTask(quint64 id, const QByteArray &args = QByteArrayLiteral("{\"n\":3}"))
{
    Task task;
    task.id = id;
    task.spec.kind = QStringLiteral("square");
    task.spec.args = args;
    task.createdMs = 1'700'000'000'000 + qint64(id);
    return task;
}

std::unique_ptr<SqliteTaskStore> openStore(const QString &dir, const SqliteTaskStore::Settings &settings = {})
{
    auto store = std::make_unique<SqliteTaskStore>(dir, settings);
    QString error;
    if (!store->open(&error))
        qWarning("%s", qPrintable(error));
    return store;
}

// The tasks table as the first release created it, without its closing parenthesis: later
// schemas added columns at its end.
const QString VersionOneTasks = QStringLiteral(
        "CREATE TABLE tasks (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, args BLOB NOT NULL, priority INTEGER NOT NULL, "
        "timeout_ms INTEGER NOT NULL, max_attempts INTEGER NOT NULL, state INTEGER NOT NULL, "
        "attempts INTEGER NOT NULL, worker TEXT NOT NULL, result BLOB NOT NULL, error TEXT NOT NULL, "
        "created_ms INTEGER NOT NULL, started_ms INTEGER NOT NULL, finished_ms INTEGER NOT NULL, "
        "duplicate_results INTEGER NOT NULL, history TEXT NOT NULL");

// Rows in the database file, read through a separate connection: what a crash would leave.
int rowsOnDisk(const QString &path)
{
    int rows = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("observer"));
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery query(db);
            if (query.exec(QStringLiteral("SELECT count(*) FROM tasks")) && query.next())
                rows = query.value(0).toInt();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("observer"));
    return rows;
}

// Another process takes the database's write lock, through a connection of its own, and
// keeps it until releaseWriteLock().
const QString LockHolder = QStringLiteral("lock-holder");

bool holdWriteLock(const QString &path)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), LockHolder);
    db.setDatabaseName(path);
    if (!db.open())
        return false;
    QSqlQuery lock(db);
    return lock.exec(QStringLiteral("BEGIN EXCLUSIVE"));
}

bool releaseWriteLock()
{
    bool released = false;
    {
        QSqlQuery release(QSqlDatabase::database(LockHolder));
        released = release.exec(QStringLiteral("COMMIT"));
    }
    QSqlDatabase::removeDatabase(LockHolder);
    return released;
}

} // namespace

class tst_SqliteTaskStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void everyFieldSurvivesAReopen_data();
    void everyFieldSurvivesAReopen();
    void changesOfOneTurnGoInOneCommit();
    void whenDurableRunsAfterTheCommitInOrder();
    void whenDurableWithNothingPendingRunsAtOnce();
    void aLargeBacklogIsWrittenInBatchesOffTheEventLoop();
    void aLockedDatabaseDelaysWritesButLosesNothing();
    void aWriteWaitingForALockDoesNotBlockTheEventLoop();
    void whenDurableSkipsADestroyedContext();
    void removedTasksStayRemovedAndIdsAreNotReused();
    void secondStoreOnTheSameDirectoryIsRefused();
    void unusableDirectoryIsReportedClearly();
    void purgeCandidatesByCountAndAge();
    void aNewTaskIsDispatchedOnlyOnceDurable();
    void retentionPurgesInBatches();
    void runningTasksAreQueuedAgainAfterARestart();
    void lateResultAfterARestartIsRecordedOnce();
    void aVersionOneStoreIsMigrated();
    void aVersionThreeStoreCountsItsDispatches();
    void aDelayedTaskSurvivesARestart();
};

void tst_SqliteTaskStore::everyFieldSurvivesAReopen_data()
{
    QTest::addColumn<QByteArray>("args");
    QTest::addColumn<QByteArray>("result");
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("big");
    QTest::addColumn<quint32>("dispatches"); // of which the history keeps the last two

    QTest::newRow("integers at the edges of 64 bits keep every digit")
            << QByteArrayLiteral("{\"max\":9223372036854775807,\"min\":-9223372036854775808}")
            << QByteArrayLiteral("9223372036854775807") << QStringLiteral("worker-1") << std::numeric_limits<qint64>::max()
            << std::numeric_limits<quint32>::max();
    QTest::newRow("UTF-8 in args, result, worker and error comes back unchanged")
            << QStringLiteral("{\"s\":\"héllo wörld ✓ 日本 🚀\"}").toUtf8()
            << QStringLiteral("\"résultat ✓ 🚀\"").toUtf8() << QStringLiteral("машина-ü") << qint64(-1) << quint32(40);
    QTest::newRow("empty strings and a null result stay empty")
            << QByteArrayLiteral("null") << QByteArray() << QString() << qint64(0) << quint32(2);
}

void tst_SqliteTaskStore::everyFieldSurvivesAReopen()
{
    QFETCH(QByteArray, args);
    QFETCH(QByteArray, result);
    QFETCH(QString, text);
    QFETCH(qint64, big);
    QFETCH(quint32, dispatches);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    Task task = newTask(1, args);
    task.spec.priority = -7;
    task.spec.timeoutMs = big;
    task.spec.maxAttempts = 5;
    task.spec.requiredTags = {QStringLiteral("gpu"), QStringLiteral("zone=eu")};
    task.spec.retryDelayMs = 250;
    task.spec.runAtMs = big;
    task.state = TaskState::Done;
    task.attempts = 2;
    task.worker = text;
    task.result = result;
    task.error = text + QStringLiteral(" error");
    task.startedMs = big;
    task.finishedMs = big == 0 ? 0 : big - 1;
    task.duplicateResults = 3;
    // The first attempt got no result (no run time); the second's is the worker's own measure.
    task.history = {{text, 11, 12, QStringLiteral("worker lost: ✗ gone")}, {QStringLiteral("w2"), big, 14, QStringLiteral("done"), 3'000'000'123}};
    task.dispatches = dispatches;
    {
        auto store = openStore(dir.path());
        Task copy = task;
        store->insert(std::move(copy));
        QVERIFY(store->commit());
    }
    auto store = openStore(dir.path());
    QCOMPARE(store->size(), 1);
    const Task *loaded = store->find(1);
    QVERIFY(loaded);
    QCOMPARE(loaded->spec.kind, task.spec.kind);
    QCOMPARE(loaded->spec.args, task.spec.args);
    QCOMPARE(loaded->spec.priority, -7);
    QCOMPARE(loaded->spec.timeoutMs, big);
    QCOMPARE(loaded->spec.maxAttempts, 5);
    QCOMPARE(loaded->spec.requiredTags, task.spec.requiredTags);
    QCOMPARE(loaded->spec.retryDelayMs, qint64(250));
    QCOMPARE(loaded->spec.runAtMs, big);
    QCOMPARE(loaded->state, TaskState::Done);
    QCOMPARE(loaded->attempts, 2);
    QCOMPARE(loaded->worker, task.worker.isNull() ? QString(QLatin1String("")) : task.worker);
    QCOMPARE(loaded->result, result.isNull() ? QByteArray("") : result);
    QCOMPARE(loaded->error, task.error);
    QCOMPARE(loaded->createdMs, task.createdMs);
    QCOMPARE(loaded->startedMs, task.startedMs);
    QCOMPARE(loaded->finishedMs, task.finishedMs);
    QCOMPARE(loaded->duplicateResults, 3);
    QCOMPARE(loaded->history.size(), 2);
    QCOMPARE(loaded->dispatches, dispatches);
    for (qsizetype i = 0; i < 2; ++i) {
        QCOMPARE(loaded->history[i].worker, task.history[i].worker);
        QCOMPARE(loaded->history[i].startedMs, task.history[i].startedMs);
        QCOMPARE(loaded->history[i].finishedMs, task.history[i].finishedMs);
        QCOMPARE(loaded->history[i].outcome, task.history[i].outcome);
        QCOMPARE(loaded->history[i].runMicros, task.history[i].runMicros);
    }
    QCOMPARE(store->nextId(), quint64(2));
}

void tst_SqliteTaskStore::changesOfOneTurnGoInOneCommit()
{
    QTemporaryDir dir;
    auto store = openStore(dir.path());
    QSignalSpy committed(store.get(), &SqliteTaskStore::committed);
    for (quint64 id = 1; id <= 300; ++id)
        store->insert(newTask(id));
    store->find(7)->state = TaskState::Running;
    store->updated(*store->find(7));
    QCOMPARE(store->pendingChanges(), 300);
    QCOMPARE(rowsOnDisk(store->databasePath()), 0);
    QVERIFY(committed.wait());
    QCOMPARE(committed.size(), 1);
    QCOMPARE(committed.first().first().value<qsizetype>(), 300);
    QCOMPARE(store->commits(), quint64(1));
    QCOMPARE(rowsOnDisk(store->databasePath()), 300);
}

void tst_SqliteTaskStore::whenDurableRunsAfterTheCommitInOrder()
{
    QTemporaryDir dir;
    auto store = openStore(dir.path());
    const QString path = store->databasePath();
    QList<QString> calls;
    QList<int> rowsSeen;
    store->insert(newTask(1));
    store->whenDurable(this, [&] {
        calls.append(QStringLiteral("first"));
        rowsSeen.append(rowsOnDisk(path));
    });
    store->insert(newTask(2));
    store->whenDurable(this, [&] {
        calls.append(QStringLiteral("second"));
        rowsSeen.append(rowsOnDisk(path));
    });
    QVERIFY(calls.isEmpty());
    QTRY_COMPARE(calls, (QList<QString>{QStringLiteral("first"), QStringLiteral("second")}));
    QCOMPARE(rowsSeen, (QList<int>{2, 2}));
}

void tst_SqliteTaskStore::whenDurableWithNothingPendingRunsAtOnce()
{
    QTemporaryDir dir;
    auto store = openStore(dir.path());
    bool called = false;
    store->whenDurable(this, [&] { called = true; });
    QVERIFY(called);
}

void tst_SqliteTaskStore::aLargeBacklogIsWrittenInBatchesOffTheEventLoop()
{
    QTemporaryDir dir;
    SqliteTaskStore::Settings settings;
    settings.maxWrite = 1000;
    auto store = openStore(dir.path(), settings);
    QSignalSpy committed(store.get(), &SqliteTaskStore::committed);
    for (quint64 id = 1; id <= 5500; ++id)
        store->insert(newTask(id));
    int rowsWhenDurable = -1;
    store->whenDurable(this, [&] { rowsWhenDurable = rowsOnDisk(store->databasePath()); });
    int turnsWhileWriting = 0;
    QTimer turn;
    connect(&turn, &QTimer::timeout, &turn, [&] { turnsWhileWriting += rowsWhenDurable < 0 ? 1 : 0; });
    turn.start(0);
    // Changes made while a batch is written go in a later one, and the callback still waits
    // for the batch that holds the last change made before it.
    QVERIFY(committed.wait());
    store->find(3)->state = TaskState::Running;
    store->updated(*store->find(3));
    QTRY_COMPARE(rowsWhenDurable, 5500);
    QVERIFY(turnsWhileWriting > 0); // the event loop ran while the rows were written
    QTRY_COMPARE(store->pendingChanges(), 0);
    QVERIFY(store->commits() >= 6); // 5500 inserts in batches of at most 1000
    qsizetype written = 0;
    for (const QList<QVariant> &signal : std::as_const(committed)) {
        QVERIFY(signal.first().value<qsizetype>() <= 1000);
        written += signal.first().value<qsizetype>();
    }
    // The update is one more change, unless task 3 was still waiting and it coalesced.
    QVERIFY2(written == 5500 || written == 5501, qPrintable(QString::number(written)));
    store.reset();
    store = openStore(dir.path());
    QCOMPARE(store->find(3)->state, TaskState::Running);
    QCOMPARE(store->size(), 5500);
}

void tst_SqliteTaskStore::aLockedDatabaseDelaysWritesButLosesNothing()
{
    QTemporaryDir dir;
    SqliteTaskStore::Settings settings;
    settings.retryDelayMs = 20;
    settings.busyTimeoutMs = 50;
    auto store = openStore(dir.path(), settings);
    QSignalSpy failed(store.get(), &SqliteTaskStore::commitFailed);
    QVERIFY(holdWriteLock(store->databasePath()));
    for (quint64 id = 1; id <= 10; ++id)
        store->insert(newTask(id));
    bool durable = false;
    store->whenDurable(this, [&] { durable = true; });
    QVERIFY(failed.wait());
    // The store says why while it cannot write, and nothing more once it can.
    QVERIFY2(failed.first().first().toString().contains(QStringLiteral("database is locked")),
             qPrintable(failed.first().first().toString()));
    QCOMPARE(store->failure(), failed.last().first().toString());
    QVERIFY(!durable);
    QCOMPARE(store->pendingChanges(), 10);
    QVERIFY(releaseWriteLock());
    QTRY_VERIFY(durable);
    QVERIFY(store->failure().isEmpty());
    QCOMPARE(rowsOnDisk(store->databasePath()), 10);
    QCOMPARE(store->pendingChanges(), 0);
}

void tst_SqliteTaskStore::aWriteWaitingForALockDoesNotBlockTheEventLoop()
{
    QTemporaryDir dir;
    SqliteTaskStore::Settings settings;
    settings.busyTimeoutMs = 60'000; // the write waits for the lock, all the test long if need be
    auto store = openStore(dir.path(), settings);
    QVERIFY(holdWriteLock(store->databasePath()));
    store->insert(newTask(1));
    bool durable = false;
    store->whenDurable(this, [&] { durable = true; });
    // Were the write on this thread, nothing below would run until the lock is released.
    int turns = 0;
    QTimer turn;
    connect(&turn, &QTimer::timeout, &turn, [&] { ++turns; });
    turn.start(1);
    QTRY_VERIFY(turns >= 20);
    QVERIFY(!durable);
    QVERIFY(releaseWriteLock());
    QTRY_VERIFY(durable);
    QCOMPARE(rowsOnDisk(store->databasePath()), 1);
}

void tst_SqliteTaskStore::whenDurableSkipsADestroyedContext()
{
    QTemporaryDir dir;
    auto store = openStore(dir.path());
    QSignalSpy committed(store.get(), &SqliteTaskStore::committed);
    bool called = false;
    auto *context = new QObject;
    store->insert(newTask(1));
    store->whenDurable(context, [&] { called = true; });
    delete context;
    QVERIFY(committed.wait());
    QVERIFY(!called);
}

void tst_SqliteTaskStore::removedTasksStayRemovedAndIdsAreNotReused()
{
    QTemporaryDir dir;
    {
        auto store = openStore(dir.path());
        for (quint64 id = 1; id <= 3; ++id)
            store->insert(newTask(id));
        QVERIFY(store->commit());
        QVERIFY(store->remove(3));
        QVERIFY(store->remove(2));
        QVERIFY(!store->remove(2));
        QVERIFY(store->commit());
    }
    auto store = openStore(dir.path());
    QCOMPARE(store->size(), 1);
    QVERIFY(store->find(1));
    QVERIFY(!store->find(3));
    QCOMPARE(store->nextId(), quint64(4));
}

void tst_SqliteTaskStore::secondStoreOnTheSameDirectoryIsRefused()
{
    QTemporaryDir dir;
    auto first = openStore(dir.path());
    SqliteTaskStore second(dir.path());
    QString error;
    QVERIFY(!second.open(&error));
    QVERIFY2(error.contains(QStringLiteral("is in use by another master")), qPrintable(error));
}

void tst_SqliteTaskStore::unusableDirectoryIsReportedClearly()
{
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("a-file")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    SqliteTaskStore store(file.fileName() + QStringLiteral("/sub"));
    QString error;
    QVERIFY(!store.open(&error));
    QVERIFY2(error.contains(QStringLiteral("cannot create the data directory")), qPrintable(error));
}

void tst_SqliteTaskStore::purgeCandidatesByCountAndAge()
{
    QTemporaryDir dir;
    auto store = openStore(dir.path());
    // Tasks 1..6 finished at 100..600 ms; task 7 still queued.
    for (quint64 id = 1; id <= 7; ++id) {
        Task task = newTask(id);
        if (id <= 6) {
            task.state = id % 2 ? TaskState::Done : TaskState::Failed;
            task.finishedMs = qint64(id) * 100;
        }
        store->insert(std::move(task));
    }
    QCOMPARE(store->finishedToPurge(4, 0, 100), (QList<quint64>{1, 2}));
    QCOMPARE(store->finishedToPurge(-1, 350, 100), (QList<quint64>{1, 2, 3}));
    QCOMPARE(store->finishedToPurge(5, 250, 100), (QList<quint64>{1, 2}));
    QCOMPARE(store->finishedToPurge(0, 0, 2), (QList<quint64>{1, 2}));
    QCOMPARE(store->finishedToPurge(-1, 0, 100), QList<quint64>());
}

void tst_SqliteTaskStore::aNewTaskIsDispatchedOnlyOnceDurable()
{
    // The acknowledgement promises durability; a task that ran before its commit could run
    // although its submit then failed.
    QTemporaryDir dir;
    Scheduler scheduler(openStore(dir.path()));
    FakeLink link;
    scheduler.addWorker(&link, worker(QStringLiteral("w")));
    const quint64 id = scheduler.submit({TaskSpec{QStringLiteral("square"), QByteArrayLiteral("2")}}).first();
    QVERIFY(link.assigned.isEmpty());
    QCOMPARE(rowsOnDisk(QDir(dir.path()).filePath(QStringLiteral("tasks.sqlite"))), 0);
    QTRY_COMPARE(link.assigned.size(), 1);
    QCOMPARE(link.assigned.first().id, id);
    QCOMPARE(rowsOnDisk(QDir(dir.path()).filePath(QStringLiteral("tasks.sqlite"))), 1);
}

void tst_SqliteTaskStore::retentionPurgesInBatches()
{
    QTemporaryDir dir;
    {
        Scheduler scheduler(openStore(dir.path()));
        FakeLink link;
        scheduler.addWorker(&link, worker(QStringLiteral("w")));
        QList<TaskSpec> specs(25, TaskSpec{QStringLiteral("square"), QByteArrayLiteral("2"), 0, 0, 1});
        scheduler.submit(specs);
        QTRY_VERIFY(!link.assigned.isEmpty()); // handed out once durable
        // The worker has one slot: finish the tasks one by one as they are handed out.
        for (int i = 0; i < 25; ++i) {
            const Messages::TaskAssignment a = link.assigned.at(i);
            scheduler.completeTasks(1, {{a.id, a.attempt, quint8(Messages::Outcome::Ok), QByteArrayLiteral("4"), QString()}});
        }
        QCOMPARE(scheduler.count(TaskState::Done), quint64(25));

        Retention::Settings settings;
        settings.keepFinished = 5;
        settings.batchSize = 7;
        Retention retention(&scheduler, settings);
        QSignalSpy removed(&scheduler, &Scheduler::tasksRemoved);
        QSignalSpy pass(&retention, &Retention::passFinished);
        retention.start();
        QTRY_COMPARE(pass.size(), 1);
        QCOMPARE(pass.first().first().toInt(), 20);
        QCOMPARE(removed.size(), 3); // 7 + 7 + 6, one batch per event loop turn
        QCOMPARE(scheduler.count(TaskState::Done), quint64(5));
        QVERIFY(!scheduler.task(20));
        QVERIFY(scheduler.task(21));
    }
    auto store = openStore(dir.path());
    QCOMPARE(store->size(), 5);
    QCOMPARE(store->nextId(), quint64(26));
}

void tst_SqliteTaskStore::runningTasksAreQueuedAgainAfterARestart()
{
    QTemporaryDir dir;
    {
        Scheduler scheduler(openStore(dir.path()));
        FakeLink link;
        scheduler.addWorker(&link, worker(QStringLiteral("w")));
        scheduler.submit({TaskSpec{QStringLiteral("square"), QByteArrayLiteral("2")},
                          TaskSpec{QStringLiteral("square"), QByteArrayLiteral("3")},
                          TaskSpec{QStringLiteral("square"), QByteArrayLiteral("4")}});
        QTRY_VERIFY(!link.assigned.isEmpty()); // handed out once durable
        const Messages::TaskAssignment first = link.assigned.at(0);
        scheduler.completeTasks(1, {{first.id, first.attempt, quint8(Messages::Outcome::Ok), QByteArrayLiteral("4"), QString(), 1000000, 1000000}});
        // A second-long run keeps the prefetch window shut: task 1 done, task 2 running, task 3
        // queued. The master "crashes" here: the
        // scheduler goes away without telling anyone (the store has committed what it had).
        QCOMPARE(scheduler.count(TaskState::Running), quint64(1));
        scheduler.startTasks(1, {{2, link.assigned.at(1).attempt}});
    }
    Scheduler scheduler(openStore(dir.path()));
    QCOMPARE(scheduler.requeuedOnStart(), 1);
    QCOMPARE(scheduler.task(1)->state, TaskState::Done);
    QCOMPARE(scheduler.task(1)->result, QByteArrayLiteral("4"));
    QCOMPARE(scheduler.task(2)->state, TaskState::Queued);
    QCOMPARE(scheduler.task(2)->history.last().outcome, QStringLiteral("master restarted"));
    QCOMPARE(scheduler.task(2)->attempts, 1); // it had started: the attempt is spent
    QCOMPARE(scheduler.task(3)->state, TaskState::Queued);
    QCOMPARE(scheduler.queuedCount(), 2);
    // The requeued task keeps its place: it runs before the one that was behind it.
    FakeLink link;
    scheduler.addWorker(&link, worker(QStringLiteral("w2")));
    QCOMPARE(link.assigned.first().id, quint64(2));
    QCOMPARE(link.assigned.first().attempt, quint32(2));
}

void tst_SqliteTaskStore::lateResultAfterARestartIsRecordedOnce()
{
    QTemporaryDir dir;
    Messages::TaskAssignment firstAttempt;
    {
        Scheduler scheduler(openStore(dir.path()));
        FakeLink link;
        scheduler.addWorker(&link, worker(QStringLiteral("old")));
        scheduler.submit({TaskSpec{QStringLiteral("square"), QByteArrayLiteral("5")}});
        QTRY_VERIFY(!link.assigned.isEmpty()); // handed out once durable
        firstAttempt = link.assigned.at(0);
    }
    {
        // After the restart the task runs again elsewhere and finishes.
        Scheduler scheduler(openStore(dir.path()));
        FakeLink link;
        const quint64 fresh = scheduler.addWorker(&link, worker(QStringLiteral("fresh")));
        const Messages::TaskAssignment second = link.assigned.at(0);
        QCOMPARE(second.attempt, firstAttempt.attempt + 1);
        scheduler.completeTasks(fresh, {{second.id, second.attempt, quint8(Messages::Outcome::Ok), QByteArrayLiteral("25"), QString()}});
        // The old worker comes back with the result of its attempt, twice.
        FakeLink oldLink;
        const quint64 old = scheduler.addWorker(&oldLink, worker(QStringLiteral("old")));
        for (int i = 0; i < 2; ++i)
            scheduler.completeTasks(old, {{firstAttempt.id, firstAttempt.attempt, quint8(Messages::Outcome::Ok),
                                           QByteArrayLiteral("25"), QString()}});
        QCOMPARE(scheduler.count(TaskState::Done), quint64(1));
    }
    auto store = openStore(dir.path());
    const Task *task = store->find(firstAttempt.id);
    QVERIFY(task);
    QCOMPARE(task->state, TaskState::Done);
    QCOMPARE(task->result, QByteArrayLiteral("25"));
    QCOMPARE(task->duplicateResults, 2);
    QCOMPARE(task->history.size(), 2);
    // Sent but never started before the restart, then its late result arrived.
    QVERIFY2(task->history[0].outcome.startsWith(QStringLiteral("master restarted before it started (a late result arrived")),
             qPrintable(task->history[0].outcome));
    QCOMPARE(task->history[1].outcome, QStringLiteral("done"));
    QCOMPARE(task->history[1].worker, QStringLiteral("fresh"));
}

void tst_SqliteTaskStore::aVersionOneStoreIsMigrated()
{
    // The tables as the first release wrote them, with one queued task.
    QTemporaryDir dir;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v1"));
        db.setDatabaseName(QDir(dir.path()).filePath(QStringLiteral("tasks.sqlite")));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(VersionOneTasks + QLatin1Char(')')));
        QVERIFY(q.exec(QStringLiteral("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")));
        QVERIFY(q.exec(QStringLiteral("INSERT INTO tasks VALUES (1, 'square', '3', 0, 0, 3, 0, 0, '', '', '', 5, 0, 0, 0, '[]')")));
        QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = 1")));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("v1"));
    {
        auto store = openStore(dir.path());
        const Task *task = store->find(1);
        QVERIFY(task);
        QCOMPARE(task->spec.kind, QStringLiteral("square"));
        QVERIFY(task->spec.requiredTags.isEmpty());
        QCOMPARE(task->spec.retryDelayMs, DefaultRetryDelayMs);
        QCOMPARE(task->spec.runAtMs, qint64(0));
        Task next = newTask(2, "4");
        next.spec.requiredTags = {QStringLiteral("gpu")};
        store->insert(std::move(next));
        QVERIFY(store->commit());
    }
    auto store = openStore(dir.path());
    QCOMPARE(store->size(), 2);
    QCOMPARE(store->find(2)->spec.requiredTags, QStringList{QStringLiteral("gpu")});
}

void tst_SqliteTaskStore::aVersionThreeStoreCountsItsDispatches()
{
    // Schema 3 kept every dispatch in the history: a failed task dispatched 40 times, and a
    // queued one dispatched twice.
    QTemporaryDir dir;
    const QString path = QDir(dir.path()).filePath(QStringLiteral("tasks.sqlite"));
    const auto history = [](int entries) -> QString {
        QStringList list;
        for (int i = 1; i <= entries; ++i)
            list.append(QStringLiteral("{\"worker\":\"w%1\",\"started_ms\":%1,\"finished_ms\":%1,\"outcome\":\"returned\"}").arg(i));
        return QLatin1Char('[') + list.join(QLatin1Char(',')) + QLatin1Char(']');
    };
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v3"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(VersionOneTasks
                       + QLatin1String(", required_tags TEXT NOT NULL DEFAULT '', retry_delay_ms INTEGER NOT NULL DEFAULT 1000, "
                                       "run_at_ms INTEGER NOT NULL DEFAULT 0, submit_key BLOB NOT NULL DEFAULT x'')")));
        QVERIFY(q.exec(QStringLiteral("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")));
        QVERIFY(q.exec(QStringLiteral("INSERT INTO tasks VALUES (1, 'square', '3', 0, 0, 1, 3, 0, 'w40', '', 'given back', 5, 0, 9, 0, '%1', "
                                      "'', 0, 0, x'')").arg(history(40))));
        QVERIFY(q.exec(QStringLiteral("INSERT INTO tasks VALUES (2, 'square', '4', 0, 0, 1, 0, 0, '', '', '', 6, 0, 0, 0, '%1', "
                                      "'', 0, 0, x'')").arg(history(2))));
        QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = 3")));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("v3"));
    {
        auto store = openStore(dir.path());
        const Task *failed = store->find(1);
        QVERIFY(failed);
        QCOMPARE(failed->history.size(), MaxKeptDispatches);
        QCOMPARE(failed->dispatches, quint32(40));
        QCOMPARE(failed->history.first().worker, QStringLiteral("w%1").arg(40 - MaxKeptDispatches + 1));
        QCOMPARE(failed->dispatchEntry(40)->worker, QStringLiteral("w40"));
        QCOMPARE(store->find(2)->dispatches, quint32(2));
        QCOMPARE(store->find(2)->history.size(), 2);
        store->updated(*failed); // written again, bounded
        QVERIFY(store->commit());
    }
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v4"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA user_version")) && q.next());
        QCOMPARE(q.value(0).toInt(), 4);
        QVERIFY(q.exec(QStringLiteral("SELECT history FROM tasks WHERE id = 1")) && q.next());
        QVERIFY(q.value(0).toString().startsWith(QLatin1String("{\"dispatches\":40,")));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("v4"));
    // After the restart the count goes on: retried, the task's next dispatch is number 41.
    Scheduler scheduler(openStore(dir.path()));
    QCOMPARE(scheduler.task(1)->dispatches, quint32(40));
    QCOMPARE(scheduler.task(1)->history.size(), MaxKeptDispatches);
    QCOMPARE(scheduler.retry({1}), 1);
    FakeLink link;
    WorkerInfo two = worker(QStringLiteral("w"));
    two.slots = 2;
    scheduler.addWorker(&link, two);
    QTRY_COMPARE(link.assigned.size(), 2);
    QMap<quint64, quint32> numbers;
    for (const Messages::TaskAssignment &a : std::as_const(link.assigned))
        numbers.insert(a.id, a.attempt);
    QCOMPARE(numbers, (QMap<quint64, quint32>{{1, 41}, {2, 3}}));
    QCOMPARE(scheduler.task(1)->history.size(), MaxKeptDispatches);
    QCOMPARE(scheduler.task(1)->history.last().worker, QStringLiteral("w"));
}

void tst_SqliteTaskStore::aDelayedTaskSurvivesARestart()
{
    QTemporaryDir dir;
    quint64 id = 0;
    qint64 runAt = 0;
    {
        Scheduler scheduler(openStore(dir.path()));
        TaskSpec spec{QStringLiteral("square"), QByteArrayLiteral("2"), 0, 0, 1};
        spec.delayMs = 400;
        id = scheduler.submit({spec}).first();
        runAt = scheduler.task(id)->spec.runAtMs;
        QVERIFY(runAt > QDateTime::currentMSecsSinceEpoch());
        QSignalSpy durable(this, &QObject::objectNameChanged);
        scheduler.whenDurable(this, [this] { setObjectName(QStringLiteral("durable")); });
        QVERIFY(durable.wait());
    }
    Scheduler scheduler(openStore(dir.path()));
    QCOMPARE(scheduler.task(id)->spec.runAtMs, runAt);
    FakeLink link;
    scheduler.addWorker(&link, worker(QStringLiteral("w")));
    if (QDateTime::currentMSecsSinceEpoch() < runAt)
        QVERIFY(link.assigned.isEmpty()); // still waiting for its time after the restart
    QTRY_COMPARE(link.assigned.size(), 1);
    QVERIFY(QDateTime::currentMSecsSinceEpoch() >= runAt);
    QCOMPARE(link.assigned.first().id, id);
}

QTEST_GUILESS_MAIN(tst_SqliteTaskStore)
#include "tst_sqlitetaskstore.moc"
