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
                       {43, 1, quint8(Outcome::Error), QByteArray(), QStringLiteral("boom")}};
    TaskResults resultsBack;
    QVERIFY(decodeBody(bodyOf(encodeFrame(results)), resultsBack));
    QCOMPARE(resultsBack.results.size(), 2);
    QCOMPARE(resultsBack.results[1].error, QStringLiteral("boom"));
    QCOMPARE(resultsBack.results[0].result, QByteArray("81"));

    Submit submit;
    submit.requestId = 7;
    submit.watch = true;
    submit.tasks = {{QStringLiteral("sleep"), QByteArray("{\"ms\":5}"), -3, 100, 4}};
    Submit submitBack;
    QVERIFY(decodeBody(bodyOf(encodeFrame(submit)), submitBack));
    QCOMPARE(submitBack.requestId, quint32(7));
    QVERIFY(submitBack.watch);
    QCOMPARE(submitBack.tasks[0].priority, -3);
    QCOMPARE(submitBack.tasks[0].maxAttempts, quint32(4));

    StatusReply status;
    status.requestId = 9;
    status.counts = {1, 2, 3, 4, 5};
    status.workers = {{QStringLiteral("w1"), QStringLiteral("host"), 1234, 4, 2, 10, 1, 1700000000000, true}};
    StatusReply statusBack;
    QVERIFY(decodeBody(bodyOf(encodeFrame(status)), statusBack));
    QCOMPARE(statusBack.counts, status.counts);
    QCOMPARE(statusBack.workers[0].name, QStringLiteral("w1"));
    QVERIFY(statusBack.workers[0].draining);

    WorkerHello hello{QStringLiteral("w"), QStringLiteral("h"), 99, 3, {QStringLiteral("a"), QStringLiteral("b")}};
    WorkerHello helloBack;
    QVERIFY(decodeBody(bodyOf(encodeFrame(hello)), helloBack));
    QCOMPARE(helloBack.kinds, hello.kinds);
    QCOMPARE(helloBack.slots, quint32(3));

    CancelTasks cancel{{1, 2, 3}, QStringLiteral("why")};
    CancelTasks cancelBack;
    QVERIFY(decodeBody(bodyOf(encodeFrame(cancel)), cancelBack));
    QCOMPARE(cancelBack.ids, cancel.ids);
    QCOMPARE(cancelBack.reason, cancel.reason);

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
}

void tst_Messages::knowsEveryMessageType()
{
    QVERIFY(messageType(QByteArray("\x01", 1)).has_value());
    QCOMPARE(int(*messageType(QByteArray(1, char(48)))), int(Protocol::MessageType::RequestFailed));
    QCOMPARE(int(*messageType(QByteArray(1, char(26)))), int(Protocol::MessageType::ReclaimTasks));
    QCOMPARE(int(*messageType(QByteArray(1, char(27)))), int(Protocol::MessageType::DrainWorker));
    QVERIFY(!messageType(QByteArray(1, char(28))).has_value());
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
    const TaskSpecWire spec{QStringLiteral("echo"), "null", 1, 2, 3};
    QCOMPARE(encodeFrame(Submit{1, true, {spec}}).size(), 4 + 1 + 4 + 1 + 4 + encodedSize(spec));
    const WorkerStatus status{QStringLiteral("n"), QStringLiteral("h"), 1, 2, 3, 4, 5, 6, false};
    QCOMPARE(encodeFrame(StatusReply{1, {}, {status}}).size(), 4 + 1 + 4 + 5 * 8 + 4 + encodedSize(status));
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

QTEST_GUILESS_MAIN(tst_Messages)
#include "tst_messages.moc"
