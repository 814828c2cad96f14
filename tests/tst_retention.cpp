// Retention against a real scheduler over an in-memory store: it purges the oldest finished
// tasks first and keeps the right number, and a pass picks its victims once, however many
// batches it takes to remove them (picking means looking at every task the store holds).

#include "master/retention.h"
#include "master/scheduler.h"
#include "task/memorytaskstore.h"

#include <QSignalSpy>
#include <QTest>

#include <climits>

namespace {

// A MemoryTaskStore that counts how often retention asks it for candidates, and how many
// tasks it had to look at to answer.
class CountingStore final : public TaskStore
{
public:
    explicit CountingStore(int *selections, qint64 *examined) : m_selections(selections), m_examined(examined) { }

    quint64 nextId() const override { return m_store.nextId(); }
    quint64 firstId() const override { return m_store.firstId(); }
    Task *insert(Task task) override { return m_store.insert(std::move(task)); }
    Task *find(quint64 id) override { return m_store.find(id); }
    const Task *find(quint64 id) const override { return m_store.find(id); }
    void updated(const Task &task) override { m_store.updated(task); }
    bool remove(quint64 id) override { return m_store.remove(id); }
    qsizetype size() const override { return m_store.size(); }
    void forEach(const std::function<void(const Task &)> &visit) const override { m_store.forEach(visit); }
    void whenDurable(QObject *context, std::function<void()> done) override { m_store.whenDurable(context, std::move(done)); }
    QList<quint64> finishedToPurge(qint64 keepFinished, qint64 finishedBeforeMs, int limit) const override
    {
        ++*m_selections;
        *m_examined += m_store.size();
        return m_store.finishedToPurge(keepFinished, finishedBeforeMs, limit);
    }

private:
    MemoryTaskStore m_store;
    int *m_selections;
    qint64 *m_examined;
};

// Finished tasks; task i finished at finishedMs[i]. Ids follow the order given, so the
// age order differs from the id order.
std::unique_ptr<CountingStore> finishedTasks(const QList<qint64> &finishedMs, int *selections, qint64 *examined)
{
    auto store = std::make_unique<CountingStore>(selections, examined);
    for (qint64 ms : finishedMs) {
        Task task;
        task.id = store->nextId();
        task.spec.kind = QStringLiteral("square");
        task.spec.args = QByteArrayLiteral("{}");
        task.state = TaskState::Done;
        task.createdMs = 1;
        task.finishedMs = ms;
        store->insert(std::move(task));
    }
    return store;
}

} // namespace

class tst_Retention : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oldestFinishedGoFirst();
    void aPassSelectsOnceForAllItsBatches();
};

void tst_Retention::oldestFinishedGoFirst()
{
    // Ids 1..10 finished in the order 10, 9, ..., 1 (id 10 first): keep the newest 4 by finish
    // time, which are ids 1..4, whatever their ids say.
    QList<qint64> finishedMs;
    for (int i = 0; i < 10; ++i)
        finishedMs.append(1000 - i * 10);
    int selections = 0;
    qint64 examined = 0;
    Scheduler scheduler(finishedTasks(finishedMs, &selections, &examined));
    Retention::Settings settings;
    settings.keepFinished = 4;
    settings.batchSize = 2;
    Retention retention(&scheduler, settings);
    QSignalSpy removed(&scheduler, &Scheduler::tasksRemoved);
    QSignalSpy pass(&retention, &Retention::passFinished);
    retention.start();
    QTRY_COMPARE(pass.size(), 1);
    QCOMPARE(pass.first().first().toInt(), 6);
    QCOMPARE(scheduler.count(TaskState::Done), quint64(4));
    QCOMPARE(removed.size(), 3); // 2 + 2 + 2, a batch per event loop turn
    // The oldest go first: ids 10, 9 in the first batch.
    QCOMPARE(removed.first().first().value<QList<quint64>>(), (QList<quint64>{10, 9}));
    for (quint64 id = 1; id <= 10; ++id)
        QCOMPARE(bool(scheduler.task(id)), id <= 4);
}

void tst_Retention::aPassSelectsOnceForAllItsBatches()
{
    constexpr int Count = 20'000;
    constexpr int Keep = 1'000;
    constexpr int Batch = 500;
    QList<qint64> finishedMs;
    for (int i = 0; i < Count; ++i)
        finishedMs.append(1'000'000 + (i * 7919) % Count); // every time once, out of id order
    int selections = 0;
    qint64 examined = 0;
    Scheduler scheduler(finishedTasks(finishedMs, &selections, &examined));
    Retention::Settings settings;
    settings.keepFinished = Keep;
    settings.batchSize = Batch;
    Retention retention(&scheduler, settings);
    QSignalSpy removed(&scheduler, &Scheduler::tasksRemoved);
    QSignalSpy pass(&retention, &Retention::passFinished);
    retention.start();
    QTRY_COMPARE_WITH_TIMEOUT(pass.size(), 1, 30'000);
    QCOMPARE(pass.first().first().toInt(), Count - Keep);
    QCOMPARE(scheduler.count(TaskState::Done), quint64(Keep));
    QCOMPARE(removed.size(), (Count - Keep) / Batch); // still one batch per event loop turn
    // One selection for the pass: the store looked at each task once, not once per batch.
    QCOMPARE(selections, 1);
    QCOMPARE(examined, qint64(Count));
    // What is left is the newest Keep by finish time.
    qint64 oldestKept = LLONG_MAX;
    scheduler.store().forEach([&](const Task &task) { oldestKept = qMin(oldestKept, task.finishedMs); });
    QCOMPARE(oldestKept, qint64(1'000'000 + Count - Keep));
}

QTEST_GUILESS_MAIN(tst_Retention)
#include "tst_retention.moc"
