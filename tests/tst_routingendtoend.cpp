// Routing end to end: the real master, workers with different kinds and tags, and submit on
// loopback. A task runs only on a worker that may run it, never fails for reaching the wrong
// one, and waits (saying why) while no connected worker can take it.

#include "processes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QTest>

namespace {

const QByteArray Key = QByteArrayLiteral("routing-secret-key");

std::unique_ptr<TestProcess> submit(quint16 port, const QStringList &args)
{
    return std::make_unique<TestProcess>(QStringLiteral(TASKMASTER_BIN),
                                         QStringList{QStringLiteral("submit")} + connectionArgs(port) + args, Key);
}

QByteArray line(const QJsonObject &task)
{
    return QJsonDocument(task).toJson(QJsonDocument::Compact) + '\n';
}

// Waits until the master lists this many workers.
bool waitForWorkers(quint16 port, int count)
{
    for (int i = 0; i < 200; ++i) {
        if (masterStatus(port, Key).value(QStringLiteral("workers")).toArray().size() == count)
            return true;
        QTest::qWait(50);
    }
    return false;
}

} // namespace

class tst_RoutingEndToEnd : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mixedFleetRunsEveryTaskWhereItMay();
    void aTaskNoWorkerCanTakeWaitsAndSaysWhy();
    void statusListsKindsTagsAndWhatWaits();
    void badTagsAreRefusedClearly();
    void aHandlerAsksForARetryAndGetsItAfterTheDelay();
    void aKindWithNoWorkerRunsOnceAHandlerForItConnects();
};

void tst_RoutingEndToEnd::mixedFleetRunsEveryTaskWhereItMay()
{
    TestMaster master(Key);
    QVERIFY(master.isReady());
    auto plain = startWorker(master.port(), Key, QStringLiteral("plain"), {QStringLiteral("--slots"), QStringLiteral("2")});
    auto exec = startWorker(master.port(), Key, QStringLiteral("exec"), {QStringLiteral("--allow-exec")});
    auto gpu = startWorker(master.port(), Key, QStringLiteral("gpu"), {QStringLiteral("--tag"), QStringLiteral("gpu")});
    QVERIFY(waitForWorkers(master.port(), 3));

    QByteArray tasks;
    for (int i = 0; i < 10; ++i) {
        tasks += line({{QStringLiteral("kind"), QStringLiteral("exec")},
                       {QStringLiteral("args"), QJsonObject{{QStringLiteral("argv"), QJsonArray{QStringLiteral("true")}}}}});
        tasks += line({{QStringLiteral("kind"), QStringLiteral("square")}, {QStringLiteral("args"), i},
                       {QStringLiteral("requires"), QJsonArray{QStringLiteral("gpu")}}});
        tasks += line({{QStringLiteral("kind"), QStringLiteral("square")}, {QStringLiteral("args"), i}});
    }
    auto run = submit(master.port(), {QStringLiteral("--file"), QStringLiteral("-"), QStringLiteral("--wait")});
    run->feedStdin(tasks);
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 0);
    const QList<QByteArray> lines = run->stdoutLines();
    QCOMPARE(lines.size(), 30);
    int onExec = 0, onGpu = 0;
    for (const QByteArray &l : lines) {
        const QJsonObject record = QJsonDocument::fromJson(l).object();
        QCOMPARE(record.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
        QCOMPARE(record.value(QStringLiteral("attempts")).toInteger(), 1); // none failed on a wrong worker
        const QString worker = record.value(QStringLiteral("worker")).toString();
        if (record.value(QStringLiteral("kind")).toString() == QLatin1String("exec")) {
            QCOMPARE(worker, QStringLiteral("exec"));
            ++onExec;
        } else if (record.value(QStringLiteral("requires")).toArray().contains(QStringLiteral("gpu"))) {
            QCOMPARE(worker, QStringLiteral("gpu"));
            ++onGpu;
        }
    }
    QCOMPARE(onExec, 10);
    QCOMPARE(onGpu, 10);
}

void tst_RoutingEndToEnd::aTaskNoWorkerCanTakeWaitsAndSaysWhy()
{
    TestMaster master(Key);
    QVERIFY(master.isReady());
    auto plain = startWorker(master.port(), Key, QStringLiteral("plain"));
    QVERIFY(waitForWorkers(master.port(), 1));
    auto run = submit(master.port(), {QStringLiteral("square"), QStringLiteral("6"), QStringLiteral("--require"),
                                      QStringLiteral("gpu"), QStringLiteral("--wait")});
    QVERIFY2(run->waitForStderr("1 task waits for a worker that runs square and has the tag gpu"), run->stderrText().constData());
    QCOMPARE(run->process().state(), QProcess::Running);
    QVERIFY(run->stdoutText().isEmpty());
    // A worker that has the tag arrives: the task runs there, on its first attempt.
    auto gpu = startWorker(master.port(), Key, QStringLiteral("gpu"), {QStringLiteral("--tag"), QStringLiteral("gpu")});
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 0);
    const QJsonObject record = QJsonDocument::fromJson(run->stdoutLines().value(0)).object();
    QCOMPARE(record.value(QStringLiteral("result")).toInt(), 36);
    QCOMPARE(record.value(QStringLiteral("worker")).toString(), QStringLiteral("gpu"));
    QCOMPARE(record.value(QStringLiteral("attempts")).toInteger(), 1);
}

void tst_RoutingEndToEnd::statusListsKindsTagsAndWhatWaits()
{
    TestMaster master(Key);
    QVERIFY(master.isReady());
    auto worker = startWorker(master.port(), Key, QStringLiteral("tagged"),
                              {QStringLiteral("--tag"), QStringLiteral("zone=eu"), QStringLiteral("--tag"), QStringLiteral("ssd")});
    QVERIFY(waitForWorkers(master.port(), 1));
    auto put = submit(master.port(), {QStringLiteral("cube"), QStringLiteral("3"), QStringLiteral("--count"), QStringLiteral("12")});
    QVERIFY(put->waitForExit());
    QCOMPARE(put->exitCode(), 0);

    const QJsonObject status = masterStatus(master.port(), Key);
    const QJsonObject w = status.value(QStringLiteral("workers")).toArray().first().toObject();
    QCOMPARE(w.value(QStringLiteral("tags")).toArray(), (QJsonArray{QStringLiteral("zone=eu"), QStringLiteral("ssd")}));
    QVERIFY(w.value(QStringLiteral("kinds")).toArray().contains(QStringLiteral("square")));
    QVERIFY(!w.value(QStringLiteral("kinds")).toArray().contains(QStringLiteral("exec"))); // not without --allow-exec
    const QJsonObject queued = status.value(QStringLiteral("queued")).toArray().first().toObject();
    QCOMPARE(queued.value(QStringLiteral("kind")).toString(), QStringLiteral("cube"));
    QCOMPARE(queued.value(QStringLiteral("ready")).toInteger(), 12);
    QCOMPARE(queued.value(QStringLiteral("workers")).toInteger(), 0);

    TestProcess text(QStringLiteral(TASKMASTER_BIN), QStringList{QStringLiteral("status")} + connectionArgs(master.port()), Key);
    QVERIFY(text.waitForExit());
    QVERIFY2(text.stdoutText().contains("12 tasks wait for a worker that runs cube"), text.stdoutText().constData());
    QVERIFY2(text.stdoutText().contains("zone=eu,ssd"), text.stdoutText().constData());
}

void tst_RoutingEndToEnd::badTagsAreRefusedClearly()
{
    TestProcess worker(QStringLiteral(TASKWORKER_BIN), {QStringLiteral("--tag"), QStringLiteral("has space"), QStringLiteral("--once")}, Key);
    QVERIFY(worker.waitForExit());
    QCOMPARE(worker.exitCode(), 2);
    QVERIFY2(worker.stderrText().contains("--tag"), worker.stderrText().constData());

    auto run = submit(1, {QStringLiteral("square"), QStringLiteral("1"), QStringLiteral("--require"), QStringLiteral("a,b")});
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 2);
    QVERIFY2(run->stderrText().contains("comma"), run->stderrText().constData());
}

void tst_RoutingEndToEnd::aHandlerAsksForARetryAndGetsItAfterTheDelay()
{
    TestMaster master(Key);
    QVERIFY(master.isReady());
    // Exit 75 (EX_TEMPFAIL) on the first dispatch, then the answer: the master must retry it.
    const QString script = QStringLiteral(
            "import os, sys; sys.stdin.read(); a = int(os.environ['TASKMASTER_ATTEMPT']); "
            "print(a) if a > 1 else sys.exit(75)");
    auto worker = startWorker(master.port(), Key, QStringLiteral("flaky"),
                              {QStringLiteral("--handler"), QStringLiteral("flaky=python3 -c \"%1\"").arg(script)});
    QElapsedTimer clock;
    clock.start();
    auto run = submit(master.port(), {QStringLiteral("flaky"), QStringLiteral("null"), QStringLiteral("--retry-delay"),
                                      QStringLiteral("400"), QStringLiteral("--wait")});
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 0);
    const QJsonObject record = QJsonDocument::fromJson(run->stdoutLines().value(0)).object();
    QCOMPARE(record.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
    QCOMPARE(record.value(QStringLiteral("result")).toInt(), 2);
    QCOMPARE(record.value(QStringLiteral("attempts")).toInteger(), 2);
    QVERIFY2(clock.elapsed() >= 200, qPrintable(QString::number(clock.elapsed()))); // half the delay at least
}

void tst_RoutingEndToEnd::aKindWithNoWorkerRunsOnceAHandlerForItConnects()
{
    TestMaster master(Key);
    QVERIFY(master.isReady());
    auto plain = startWorker(master.port(), Key, QStringLiteral("plain"));
    auto run = submit(master.port(), {QStringLiteral("cube"), QStringLiteral("3"), QStringLiteral("--wait")});
    QVERIFY2(run->waitForStderr("1 task waits for a worker that runs cube"), run->stderrText().constData());
    auto cube = startWorker(master.port(), Key, QStringLiteral("cube"),
                            {QStringLiteral("--handler"),
                             QStringLiteral("cube=python3 -c \"import json, sys; print(json.load(sys.stdin) ** 3)\"")});
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 0);
    const QJsonObject record = QJsonDocument::fromJson(run->stdoutLines().value(0)).object();
    QCOMPARE(record.value(QStringLiteral("result")).toInt(), 27);
    QCOMPARE(record.value(QStringLiteral("worker")).toString(), QStringLiteral("cube"));
}

QTEST_GUILESS_MAIN(tst_RoutingEndToEnd)
#include "tst_routingendtoend.moc"
