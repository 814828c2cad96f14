// Message encoding: every message round-trips, and a corrupt body is refused without crashing
// or allocating what a forged count asks for.

#include "protocol/messages.h"

#include <QTest>

using namespace Messages;

class tst_Messages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripsEveryMessage();
    void refusesTruncatedBodies();
    void refusesTrailingBytes();
    void refusesTheWrongType();
    void refusesForgedListCountsWithoutAllocating();
    void refusesUnknownOutcome();
    void knowsEveryMessageType();
    void encodedSizesAreExact();
    void longListsAreSplitUnderTheCap();
    void splitStatusMarksItsLastFrame();
};

namespace {

QByteArray bodyOf(const QByteArray &frame)
{
    return frame.mid(4);
}

} // namespace

void tst_Messages::roundTripsEveryMessage()
{
    AssignTasks assign;
    assign.tasks = {{42, 2, QStringLiteral("square"), QByteArray("{\"n\":9007199254740993}"), 1500},
                    {43, 1, QStringLiteral("écho 中文"), QByteArray("\"h\\u00e9\""), 0}};
    AssignTasks assignBack;
    QVERIFY(decodeBody(bodyOf(encodeFrame(assign)), assignBack));
    QCOMPARE(assignBack.tasks.size(), 2);
    QCOMPARE(assignBack.tasks[0].id, quint64(42));
    QCOMPARE(assignBack.tasks[0].attempt, quint32(2));
    QCOMPARE(assignBack.tasks[0].args, QByteArray("{\"n\":9007199254740993}"));
    QCOMPARE(assignBack.tasks[0].timeoutMs, qint64(1500));
    QCOMPARE(assignBack.tasks[1].kind, QStringLiteral("écho 中文"));

    TaskResults results;
    results.results = {{42, 2, quint8(Outcome::Ok), QByteArray("81"), QString()},
                       {43, 1, quint8(Outcome::Error), QByteArray(), QStringLiteral("boom"), 5, 6, true}};
    TaskResults resultsBack;
    QVERIFY(decodeBody(bodyOf(encodeFrame(results)), resultsBack));
    QCOMPARE(resultsBack.results.size(), 2);
    QCOMPARE(resultsBack.results[1].error, QStringLiteral("boom"));
    QCOMPARE(resultsBack.results[0].result, QByteArray("81"));
    QVERIFY(!resultsBack.results[0].retryable);
    QVERIFY(resultsBack.results[1].retryable);
    QCOMPARE(resultsBack.results[1].heldMicros, quint32(6));

    Submit submit;
    submit.requestId = 7;
    submit.watch = true;
    submit.tasks = {{QStringLiteral("sleep"), QByteArray("{\"ms\":5}"), -3, 100, 4, {QStringLiteral("gpu"), QStringLiteral("zone=eu")},
                     1500, 1700000000000, 250}};
    Submit submitBack;
    QVERIFY(decodeBody(bodyOf(encodeFrame(submit)), submitBack));
    QCOMPARE(submitBack.requestId, quint32(7));
    QVERIFY(submitBack.watch);
    QCOMPARE(submitBack.tasks[0].priority, -3);
    QCOMPARE(submitBack.tasks[0].maxAttempts, quint32(4));
    QCOMPARE(submitBack.tasks[0].requiredTags, submit.tasks[0].requiredTags);
    QCOMPARE(submitBack.tasks[0].delayMs, qint64(1500));
    QCOMPARE(submitBack.tasks[0].runAtMs, qint64(1700000000000));
    QCOMPARE(submitBack.tasks[0].retryDelayMs, qint64(250));

    StatusReply status;
    status.requestId = 9;
    status.counts = {1, 2, 3, 4, 5};
    status.backlog = {{QStringLiteral("cube"), {QStringLiteral("gpu")}, 12, 3, 0}};
    status.workers = {{QStringLiteral("w1"), QStringLiteral("host"), 1234, 4, 2, 10, 1, 1700000000000, true, 7,
                       {QStringLiteral("square")}, {QStringLiteral("gpu")}}};
    StatusReply statusBack;
    QVERIFY(decodeBody(bodyOf(encodeFrame(status)), statusBack));
    QCOMPARE(statusBack.counts, status.counts);
    QCOMPARE(statusBack.workers[0].name, QStringLiteral("w1"));
    QVERIFY(statusBack.workers[0].draining);
    QCOMPARE(statusBack.workers[0].sent, quint32(7));
    QCOMPARE(statusBack.workers[0].tags, QStringList{QStringLiteral("gpu")});
    QCOMPARE(statusBack.backlog.size(), 1);
    QCOMPARE(statusBack.backlog[0].kind, QStringLiteral("cube"));
    QCOMPARE(statusBack.backlog[0].ready, quint64(12));
    QCOMPARE(statusBack.backlog[0].delayed, quint64(3));
    QVERIFY(statusBack.last);
    QVERIFY(statusBack.storeError.isEmpty());
    status.storeError = QStringLiteral("no space left on device");
    QVERIFY(decodeBody(bodyOf(encodeFrame(status)), statusBack));
    QCOMPARE(statusBack.storeError, status.storeError);

    Submit keyed{5, false, {{QStringLiteral("echo"), "1", 0, 0, 0, {}, 0, 0, -1, QStringLiteral("batch-7:line 3")}}};
    Submit keyedBack;
    QVERIFY(decodeBody(bodyOf(encodeFrame(keyed)), keyedBack));
    QCOMPARE(keyedBack.tasks[0].key, keyed.tasks[0].key);
    const Submitted submitted{5, {9, 9, 10}, 2};
    Submitted submittedBack;
    QVERIFY(decodeBody(bodyOf(encodeFrame(submitted)), submittedBack));
    QCOMPARE(submittedBack.ids, submitted.ids);
    QCOMPARE(submittedBack.existing, quint32(2));

    WorkerHello hello{QStringLiteral("w"), QStringLiteral("h"), 99, 3, {QStringLiteral("a"), QStringLiteral("b")},
                      {QStringLiteral("gpu")}};
    WorkerHello helloBack;
    QVERIFY(decodeBody(bodyOf(encodeFrame(hello)), helloBack));
    QCOMPARE(helloBack.kinds, hello.kinds);
    QCOMPARE(helloBack.tags, hello.tags);
    QCOMPARE(helloBack.slots, quint32(3));

    CancelTasks cancel{{{1, 4}, {2, 1}, {3, 2}}, QStringLiteral("why")};
    CancelTasks cancelBack;
    QVERIFY(decodeBody(bodyOf(encodeFrame(cancel)), cancelBack));
    QCOMPARE(cancelBack.tasks, cancel.tasks);
    QCOMPARE(cancelBack.reason, cancel.reason);

    ReturnTasks returned{{{5, 2}}, QStringLiteral("draining")};
    ReturnTasks returnedBack;
    QVERIFY(decodeBody(bodyOf(encodeFrame(returned)), returnedBack));
    QCOMPARE(returnedBack.tasks, returned.tasks);

    TaskStarted started{{{5, 2}, {6, 1}}};
    TaskStarted startedBack;
    const QByteArray startedFrame = encodeFrame(started);
    QCOMPARE(*messageType(bodyOf(startedFrame)), Protocol::MessageType::TaskStarted);
    QVERIFY(decodeBody(bodyOf(startedFrame), startedBack));
    QCOMPARE(startedBack.tasks, started.tasks);

    TaskUpdates updates;
    TaskRecord record;
    record.id = 3;
    record.requiredTags = {QStringLiteral("gpu")};
    record.runAtMs = 1700000000123;
    record.retryDelayMs = 400;
    record.timeoutMs = 900;
    updates.tasks = {record};
    TaskUpdates updatesBack;
    QVERIFY(decodeBody(bodyOf(encodeFrame(updates)), updatesBack));
    QCOMPARE(updatesBack.tasks[0].requiredTags, record.requiredTags);
    QCOMPARE(updatesBack.tasks[0].runAtMs, record.runAtMs);
    QCOMPARE(updatesBack.tasks[0].retryDelayMs, record.retryDelayMs);
    QCOMPARE(updatesBack.tasks[0].timeoutMs, record.timeoutMs);

    const DrainWorker drain{QStringLiteral("drained from the desktop app")};
    DrainWorker drainBack;
    const QByteArray drainFrame = encodeFrame(drain);
    QCOMPARE(*messageType(bodyOf(drainFrame)), Protocol::MessageType::DrainWorker);
    QVERIFY(decodeBody(bodyOf(drainFrame), drainBack));
    QCOMPARE(drainBack.reason, drain.reason);
}

void tst_Messages::refusesTruncatedBodies()
{
    AssignTasks assign;
    assign.tasks = {{42, 1, QStringLiteral("square"), QByteArray("{\"n\":3}"), 0}};
    const QByteArray body = bodyOf(encodeFrame(assign));
    for (qsizetype cut = 1; cut < body.size(); ++cut) {
        AssignTasks back;
        QVERIFY2(!decodeBody(body.left(cut), back), qPrintable(QStringLiteral("accepted a body cut at %1").arg(cut)));
    }
}

void tst_Messages::refusesTrailingBytes()
{
    StatusRequest request{5};
    StatusRequest back;
    QVERIFY(!decodeBody(bodyOf(encodeFrame(request)) + "x", back));
}

void tst_Messages::refusesTheWrongType()
{
    StatusReply reply;
    QVERIFY(!decodeBody(bodyOf(encodeFrame(StatusRequest{5})), reply));
}

void tst_Messages::refusesForgedListCountsWithoutAllocating()
{
    // AssignTasks announcing four billion tasks in a 9-byte body.
    const QByteArray body("\x15\xff\xff\xff\xf0\x00\x00\x00\x00", 9);
    AssignTasks back;
    QVERIFY(!decodeBody(body, back));
    QVERIFY(back.tasks.isEmpty());
}

void tst_Messages::refusesUnknownOutcome()
{
    TaskResults results;
    results.results = {{1, 1, 9, QByteArray(), QString()}};
    TaskResults back;
    QVERIFY(!decodeBody(bodyOf(encodeFrame(results)), back));
    // Only an error can be retryable.
    results.results = {{1, 1, quint8(Outcome::Ok), QByteArray("1"), QString(), 0, 0, true}};
    QVERIFY(!decodeBody(bodyOf(encodeFrame(results)), back));
}

void tst_Messages::knowsEveryMessageType()
{
    QVERIFY(messageType(QByteArray("\x01", 1)).has_value());
    QCOMPARE(int(*messageType(QByteArray(1, char(48)))), int(Protocol::MessageType::RequestFailed));
    QCOMPARE(int(*messageType(QByteArray(1, char(26)))), int(Protocol::MessageType::ReclaimTasks));
    QCOMPARE(int(*messageType(QByteArray(1, char(27)))), int(Protocol::MessageType::DrainWorker));
    QCOMPARE(int(*messageType(QByteArray(1, char(28)))), int(Protocol::MessageType::TaskStarted));
    QVERIFY(!messageType(QByteArray(1, char(29))).has_value());
    QVERIFY(!messageType(QByteArray(1, char(0))).has_value());
    QVERIFY(!messageType(QByteArray(1, char(99))).has_value());
    QVERIFY(!messageType(QByteArray()).has_value());
}

void tst_Messages::encodedSizesAreExact()
{
    const TaskRecord record{7, QStringLiteral("kïnd"), "[1,2]", 2, 1, 1, 3, QStringLiteral("w"), "4", QStringLiteral("e"), 1, 2, 3};
    QCOMPARE(encodeFrame(TaskUpdates{{record}}).size(), 4 + 1 + 4 + encodedSize(record));
    const TaskAssignment assignment{1, 2, QStringLiteral("square"), "{\"n\":3}", 10};
    QCOMPARE(encodeFrame(AssignTasks{{assignment}}).size(), 4 + 1 + 4 + encodedSize(assignment));
    const TaskResult result{1, 2, 0, "9", QStringLiteral("x")};
    QCOMPARE(encodeFrame(TaskResults{{result}}).size(), 4 + 1 + 4 + encodedSize(result));
    const TaskSpecWire spec{QStringLiteral("echo"), "null", 1, 2, 3, {QStringLiteral("gpu")}, 4, 5, 6, QStringLiteral("key")};
    QCOMPARE(encodeFrame(Submit{1, true, {spec}}).size(), 4 + 1 + 4 + 1 + 4 + encodedSize(spec));
    const WorkerStatus status{QStringLiteral("n"), QStringLiteral("h"), 1, 2, 3, 4, 5, 6, false, 1,
                              {QStringLiteral("square"), QStringLiteral("echo")}, {QStringLiteral("t")}};
    // An empty backlog list (4 bytes), the last-frame flag (1 byte) and a null storeError (4 bytes).
    QCOMPARE(encodeFrame(StatusReply{1, {}, {}, {status}}).size(), 4 + 1 + 4 + 5 * 8 + 4 + 4 + encodedSize(status) + 1 + 4);
    const TaskRef ref{1, 2};
    QCOMPARE(encodeFrame(TaskStarted{{ref}}).size(), 4 + 1 + 4 + encodedSize(ref));
}

void tst_Messages::longListsAreSplitUnderTheCap()
{
    TaskUpdates updates;
    for (quint64 id = 1; id <= 300; ++id)
        updates.tasks.append({id, QStringLiteral("square"), QByteArray(200, '1'), 2, 0, 1, 3, QStringLiteral("w"), "4", QString(), 0, 0, 0});
    const quint32 cap = 4096;
    const QList<QByteArray> frames = encodeFrames(updates, &TaskUpdates::tasks, cap);
    QVERIFY(frames.size() > 1);
    QList<quint64> ids;
    for (const QByteArray &frame : frames) {
        QVERIFY2(frame.size() - 4 <= qsizetype(cap), qPrintable(QString::number(frame.size())));
        TaskUpdates back;
        QVERIFY(decodeBody(bodyOf(frame), back));
        for (const TaskRecord &r : back.tasks)
            ids.append(r.id);
    }
    QCOMPARE(ids.size(), 300);
    QCOMPARE(ids.first(), quint64(1));
    QCOMPARE(ids.last(), quint64(300));
    QVERIFY(std::is_sorted(ids.begin(), ids.end()));
    // An empty list still makes one frame.
    QCOMPARE(encodeFrames(TaskUpdates{}, &TaskUpdates::tasks, cap).size(), 1);
}

void tst_Messages::splitStatusMarksItsLastFrame()
{
    StatusReply reply;
    reply.requestId = 3;
    reply.backlog = {{QStringLiteral("cube"), {}, 5, 0, 0}};
    for (int i = 0; i < 200; ++i)
        reply.workers.append({QStringLiteral("worker-%1").arg(i), QStringLiteral("host"), i, 1, 0, 0, 0, 0, false, 0, {QStringLiteral("square")}, {}});
    const quint32 cap = 4096;
    const QList<QByteArray> frames = encodeFrames(reply, &StatusReply::workers, cap);
    QVERIFY(frames.size() > 2);
    qsizetype workers = 0;
    for (qsizetype i = 0; i < frames.size(); ++i) {
        QVERIFY2(frames[i].size() - 4 <= qsizetype(cap), qPrintable(QString::number(frames[i].size())));
        StatusReply back;
        QVERIFY(decodeBody(bodyOf(frames[i]), back));
        QCOMPARE(back.last, i + 1 == frames.size());
        QCOMPARE(back.backlog.size(), 1); // in every frame
        workers += back.workers.size();
    }
    QCOMPARE(workers, 200);
}

QTEST_GUILESS_MAIN(tst_Messages)
#include "tst_messages.moc"
