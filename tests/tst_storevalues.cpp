// The durable store's writer sets the values it binds straight into the prepared statement's
// list, reused row after row: whatever a task holds (quotes, NUL, SQL, bytes that are not
// UTF-8, a mebibyte of args) comes back byte for byte, and no row takes a value of the row
// written before it.

#include "task/sqlitetaskstore.h"

#include <QTemporaryDir>
#include <QTest>

namespace {

Task hostileTask(quint64 id)
{
    const QString sql = QStringLiteral("'); DROP TABLE tasks; --");
    QByteArray notUtf8("\xff\xfe\x00\xc3(\x80'", 7);
    Task task;
    task.id = id;
    task.spec.kind = sql + QChar(u'\0') + QStringLiteral("\" ✓ 🚀");
    task.spec.args = notUtf8 + QByteArray(1 << 20, 'a') + notUtf8;
    task.spec.priority = -3;
    task.spec.timeoutMs = 77;
    task.spec.maxAttempts = 9;
    task.spec.requiredTags = {QStringLiteral("gpu"), QStringLiteral("zone='eu'")};
    task.spec.retryDelayMs = 5;
    task.spec.runAtMs = 6;
    task.state = TaskState::Failed;
    task.attempts = 2;
    task.worker = QStringLiteral("w'1\n") + sql;
    task.result = notUtf8;
    task.error = QStringLiteral("bad \\ \"quote\" ' ") + QChar(u'\0') + sql;
    task.createdMs = 1;
    task.startedMs = 2;
    task.finishedMs = 3;
    task.duplicateResults = 4;
    task.history = {{task.worker, 2, 3, task.error}};
    task.dispatches = 1;
    task.key = TaskKey::of(sql);
    return task;
}

// Every field but the history, which is compared entry by entry.
void compareTasks(const Task &actual, const Task &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.spec.kind, expected.spec.kind);
    QCOMPARE(actual.spec.args, expected.spec.args);
    QCOMPARE(actual.spec.priority, expected.spec.priority);
    QCOMPARE(actual.spec.timeoutMs, expected.spec.timeoutMs);
    QCOMPARE(actual.spec.maxAttempts, expected.spec.maxAttempts);
    QCOMPARE(actual.spec.requiredTags, expected.spec.requiredTags);
    QCOMPARE(actual.spec.retryDelayMs, expected.spec.retryDelayMs);
    QCOMPARE(actual.spec.runAtMs, expected.spec.runAtMs);
    QCOMPARE(actual.state, expected.state);
    QCOMPARE(actual.attempts, expected.attempts);
    QCOMPARE(actual.worker, expected.worker);
    QCOMPARE(actual.result, expected.result);
    QCOMPARE(actual.error, expected.error);
    QCOMPARE(actual.createdMs, expected.createdMs);
    QCOMPARE(actual.startedMs, expected.startedMs);
    QCOMPARE(actual.finishedMs, expected.finishedMs);
    QCOMPARE(actual.duplicateResults, expected.duplicateResults);
    QCOMPARE(actual.dispatches, expected.dispatches);
    QCOMPARE(actual.key, expected.key);
    QCOMPARE(actual.history.size(), expected.history.size());
    for (qsizetype i = 0; i < expected.history.size(); ++i) {
        QCOMPARE(actual.history.at(i).worker, expected.history.at(i).worker);
        QCOMPARE(actual.history.at(i).startedMs, expected.history.at(i).startedMs);
        QCOMPARE(actual.history.at(i).finishedMs, expected.history.at(i).finishedMs);
        QCOMPARE(actual.history.at(i).outcome, expected.history.at(i).outcome);
    }
}

} // namespace

class tst_StoreValues : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hostileValuesComeBackByteForByte();
};

void tst_StoreValues::hostileValuesComeBackByteForByte()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // A hostile row between two plain ones, and a plain one after it written as an update:
    // every column of the plain rows must be theirs, not the hostile row's.
    Task plain;
    plain.spec.kind = QStringLiteral("square");
    QList<Task> written;
    {
        SqliteTaskStore store(dir.path());
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        for (quint64 id = 1; id <= 3; ++id) {
            Task task = id == 2 ? hostileTask(id) : plain;
            task.id = id;
            written.append(task);
            store.insert(std::move(task));
        }
        QVERIFY(store.commit());
        Task *updated = store.find(3);
        updated->state = TaskState::Running;
        updated->attempts = 1;
        written[2] = *updated;
        store.updated(*updated);
        QVERIFY(store.commit());
    }
    SqliteTaskStore store(dir.path());
    QString error;
    QVERIFY2(store.open(&error), qPrintable(error));
    QCOMPARE(store.size(), 3);
    for (const Task &expected : std::as_const(written)) {
        const Task *loaded = store.find(expected.id);
        QVERIFY(loaded);
        compareTasks(*loaded, expected);
    }
}

QTEST_GUILESS_MAIN(tst_StoreValues)
#include "tst_storevalues.moc"
