// TaskQueue (dispatch order, lazy removal) and MemoryTaskStore (dense ids, holes, chunks).

#include "master/taskqueue.h"
#include "task/memorytaskstore.h"

#include <QSet>
#include <QTest>

class tst_TaskQueue : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void popsHigherPriorityFirstThenLowerIds();
    void returnedTasksKeepTheirPlaceById();
    void skipsWhatIsNoLongerQueued();
    void aTaskPushedTwiceGoesOutOncePerPush();
    void storeFindsTasksAcrossChunks();
    void storeRemovalLeavesHolesAndReleasesTheFront();
};

void tst_TaskQueue::popsHigherPriorityFirstThenLowerIds()
{
    TaskQueue queue;
    queue.push(0, 1);
    queue.push(5, 2);
    queue.push(0, 3);
    queue.push(5, 4);
    queue.push(-1, 5);
    queue.push(1, 6);
    QList<quint64> order;
    while (const auto id = queue.pop([](quint64) { return true; }))
        order.append(*id);
    QCOMPARE(order, (QList<quint64>{2, 4, 6, 1, 3, 5}));
    QVERIFY(queue.isEmpty());
}

void tst_TaskQueue::returnedTasksKeepTheirPlaceById()
{
    TaskQueue queue;
    for (quint64 id = 10; id <= 13; ++id)
        queue.push(0, id);
    QCOMPARE(*queue.pop([](quint64) { return true; }), quint64(10));
    QCOMPARE(*queue.pop([](quint64) { return true; }), quint64(11));
    queue.push(0, 10); // back from a lost worker: older than 12, so it goes first
    QCOMPARE(*queue.pop([](quint64) { return true; }), quint64(10));
    QCOMPARE(*queue.pop([](quint64) { return true; }), quint64(12));
}

void tst_TaskQueue::skipsWhatIsNoLongerQueued()
{
    TaskQueue queue;
    for (quint64 id = 1; id <= 5; ++id)
        queue.push(0, id);
    const QSet<quint64> cancelled = {1, 2, 4};
    auto queued = [&](quint64 id) { return !cancelled.contains(id); };
    QCOMPARE(*queue.pop(queued), quint64(3));
    QCOMPARE(*queue.pop(queued), quint64(5));
    QVERIFY(!queue.pop(queued).has_value());
}

void tst_TaskQueue::aTaskPushedTwiceGoesOutOncePerPush()
{
    // Cancelled (its entry stays), then retried (pushed again): the caller says it is queued
    // once; the first entry takes it and the stale one is skipped afterwards.
    TaskQueue queue;
    queue.push(0, 1);
    queue.push(0, 2);
    queue.push(0, 1);
    QSet<quint64> queued = {1, 2};
    auto take = [&](quint64 id) { return queued.remove(id); };
    QCOMPARE(*queue.pop(take), quint64(1));
    QCOMPARE(*queue.pop(take), quint64(2));
    QVERIFY(!queue.pop(take).has_value());
}

void tst_TaskQueue::storeFindsTasksAcrossChunks()
{
    MemoryTaskStore store;
    for (int i = 0; i < 10'000; ++i) {
        Task task;
        task.id = store.nextId();
        task.spec.priority = i;
        store.insert(std::move(task));
    }
    QCOMPARE(store.size(), 10'000);
    QCOMPARE(store.find(1)->spec.priority, 0);
    QCOMPARE(store.find(4097)->spec.priority, 4096);
    QCOMPARE(store.find(10'000)->spec.priority, 9999);
    QVERIFY(!store.find(0));
    QVERIFY(!store.find(10'001));
    const Task *kept = store.find(5000);
    Task more;
    more.id = store.nextId();
    store.insert(std::move(more));
    QCOMPARE(store.find(5000), kept); // records never move
}

void tst_TaskQueue::storeRemovalLeavesHolesAndReleasesTheFront()
{
    MemoryTaskStore store;
    for (int i = 0; i < 9000; ++i) {
        Task task;
        task.id = store.nextId();
        store.insert(std::move(task));
    }
    QVERIFY(store.remove(2));
    QVERIFY(!store.remove(2));
    QVERIFY(!store.find(2));
    QVERIFY(store.find(3));
    for (quint64 id = 1; id <= 8000; ++id)
        store.remove(id);
    QCOMPARE(store.size(), 1000);
    QVERIFY(!store.find(8000));
    QCOMPARE(store.find(8001)->id, quint64(8001));
    QCOMPARE(store.nextId(), quint64(9001));
    quint64 visited = 0;
    store.forEach([&](const Task &task) {
        QCOMPARE(task.id, 8001 + visited);
        ++visited;
    });
    QCOMPARE(visited, quint64(1000));
    for (quint64 id = 8001; id <= 9000; ++id)
        store.remove(id);
    QCOMPARE(store.size(), 0);
    Task again;
    again.id = store.nextId();
    QCOMPARE(again.id, quint64(9001));
    QCOMPARE(store.insert(std::move(again))->id, quint64(9001));
}

QTEST_GUILESS_MAIN(tst_TaskQueue)
#include "tst_taskqueue.moc"
