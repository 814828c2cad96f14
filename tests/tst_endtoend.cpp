// End to end: the real taskmaster serve, taskworker and taskmaster submit/status processes on
// loopback, with workers killed, started early, given the wrong key, or told to stop.

#include "processes.h"
#include "util/exitcodes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

namespace {

const QByteArray Key = QByteArrayLiteral("e2e-secret-key");

// Heartbeats fast enough that a lost worker is noticed within a second.
const QStringList FastHeartbeat = {QStringLiteral("--heartbeat-interval"), QStringLiteral("200"),
                                   QStringLiteral("--heartbeat-timeout"), QStringLiteral("1000")};

std::unique_ptr<TestProcess> submit(quint16 port, const QStringList &args, const QByteArray &key = Key,
                                    const QString &program = QStringLiteral(TASKMASTER_BIN))
{
    return std::make_unique<TestProcess>(program,
                                         QStringList{QStringLiteral("submit")} + connectionArgs(port) + args, key);
}

QByteArray jsonLines(const QString &kind, int count, const std::function<QJsonValue(int)> &args)
{
    QByteArray lines;
    for (int i = 0; i < count; ++i) {
        lines += QJsonDocument(QJsonObject{{QStringLiteral("kind"), kind}, {QStringLiteral("args"), args(i)}})
                         .toJson(QJsonDocument::Compact)
                + '\n';
    }
    return lines;
}

// `taskmaster status --json`, parsed.
QJsonObject statusJson(quint16 port)
{
    return masterStatus(port, Key);
}

qint64 runningCount(quint16 port)
{
    return statusJson(port).value(QStringLiteral("counts")).toObject().value(QStringLiteral("running")).toInteger(-1);
}

QList<QJsonObject> parseRecords(const QList<QByteArray> &lines)
{
    QList<QJsonObject> records;
    for (const QByteArray &line : lines)
        records.append(QJsonDocument::fromJson(line).object());
    return records;
}

} // namespace

class tst_EndToEnd : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void thousandSquaresOverThreeWorkers();
    void theServerBinaryServesWithoutGuiLibraries();
    void workerKilledMidRunLosesNothing();
    void frozenWorkerMissesHeartbeatsAndItsTaskMovesOn();
    void workerStartedBeforeTheMasterConnectsWhenItComesUp();
    void workerWithWrongKeyExitsAndMasterKeepsServing();
    void workerWithOnceExitsWhenNoMaster();
    void submitWithWrongKeySaysSo();
    void badJsonLineIsReportedAndNothingIsSubmitted();
    void argsReachTheWorkerAndComeBackAsWritten();
    void badArgsJsonOnTheCommandLineIsRefused();
    void failedTasksMakeSubmitExitOne();
    void timeoutRetriesThenFails();
    void statusListsCountsAndWorkers();
    void cancelStopsARunningProcessAndAQueuedTask();
    void sigtermLetsRunningTasksFinish();
    void sigtermPastGraceReturnsTasksToTheQueue();
    void smallFrameCapStillCarriesEveryTask();
    void aThousandIdsFitUnderASmallFrameCap();
    void tasksPrefetchedBehindALongOneGoToAnIdleWorker();
    void serveRefusesEmptyKeyOnAnOpenAddress();
    void serveReportsAPortInUse();
    void serveLimitsConnectionsInTheHandshake();
    void helpAndVersionWork();
};

void tst_EndToEnd::thousandSquaresOverThreeWorkers()
{
    TestMaster master(Key);
    QVERIFY(master.isReady());
    std::vector<std::unique_ptr<TestProcess>> workers;
    for (int i = 0; i < 3; ++i)
        workers.push_back(startWorker(master.port(), Key, QStringLiteral("sq-%1").arg(i), {QStringLiteral("--slots"), QStringLiteral("2")}));

    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("tasks.jsonl")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(jsonLines(QStringLiteral("square"), 1000, [](int i) { return QJsonObject{{QStringLiteral("n"), i}}; }));
    file.close();

    auto run = submit(master.port(), {QStringLiteral("--file"), file.fileName(), QStringLiteral("--wait")});
    QVERIFY2(run->waitForExit(60'000), run->stderrText().constData());
    QCOMPARE(run->exitCode(), 0);
    const QList<QJsonObject> records = parseRecords(run->stdoutLines());
    QCOMPARE(records.size(), 1000);
    QSet<qint64> ids, ns;
    QSet<QString> usedWorkers;
    for (const QJsonObject &r : records) {
        QCOMPARE(r.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
        const qint64 n = r.value(QStringLiteral("args")).toObject().value(QStringLiteral("n")).toInteger();
        QCOMPARE(r.value(QStringLiteral("result")).toInteger(), n * n);
        QVERIFY(!ids.contains(r.value(QStringLiteral("id")).toInteger()));
        ids.insert(r.value(QStringLiteral("id")).toInteger());
        ns.insert(n);
        usedWorkers.insert(r.value(QStringLiteral("worker")).toString());
    }
    QCOMPARE(ns.size(), 1000);
    QVERIFY2(usedWorkers.size() >= 2, "the work did not spread across workers");
}

void tst_EndToEnd::theServerBinaryServesWithoutGuiLibraries()
{
    // taskmaster-server runs the same subcommands as taskmaster: serve, submit, status.
    const QString server = QStringLiteral(TASKMASTER_SERVER_BIN);
    TestMaster master(Key, {}, 0, server);
    QVERIFY2(master.isReady(), master.process().stderrText().constData());
    auto worker = startWorker(master.port(), Key, QStringLiteral("headless"));
    auto run = submit(master.port(), {QStringLiteral("square"), QStringLiteral("{\"n\":12}"), QStringLiteral("--wait")},
                      Key, server);
    QVERIFY2(run->waitForExit(60'000), run->stderrText().constData());
    QCOMPARE(run->exitCode(), 0);
    const QList<QJsonObject> records = parseRecords(run->stdoutLines());
    QCOMPARE(records.size(), 1);
    QCOMPARE(records.first().value(QStringLiteral("result")).toInteger(), 144);
    QCOMPARE(records.first().value(QStringLiteral("worker")).toString(), QStringLiteral("headless"));
    // It has no desktop app: no command is a usage error, not a window.
    TestProcess bare(server, {}, QByteArray());
    QVERIFY(bare.waitForExit());
    QCOMPARE(bare.exitCode(), ExitCode::Usage);
}

void tst_EndToEnd::workerKilledMidRunLosesNothing()
{
    TestMaster master(Key, FastHeartbeat);
    QVERIFY(master.isReady());
    std::vector<std::unique_ptr<TestProcess>> workers;
    for (int i = 0; i < 3; ++i) {
        workers.push_back(startWorker(master.port(), Key, QStringLiteral("k-%1").arg(i), {QStringLiteral("--slots"), QStringLiteral("2")}));
        QVERIFY(workers.back()->waitForStderr("connected to master"));
    }
    // 600 tasks of 10 ms over 6 slots: about a second of work, so the kill lands mid-run.
    auto run = submit(master.port(), {QStringLiteral("--file"), QStringLiteral("-"), QStringLiteral("--wait")});
    run->feedStdin(jsonLines(QStringLiteral("sleep"), 600, [](int i) { return QJsonObject{{QStringLiteral("ms"), 10 + i % 2}}; }));
    QVERIFY(run->waitForStdoutLines(100));
    workers[0]->kill(); // SIGKILL on Unix: no goodbye, tasks in flight
    QVERIFY2(run->waitForExit(60'000), run->stderrText().constData());
    QCOMPARE(run->exitCode(), 0);

    const QList<QJsonObject> records = parseRecords(run->stdoutLines());
    QCOMPARE(records.size(), 600);
    QSet<qint64> ids;
    int retried = 0;
    for (const QJsonObject &r : records) {
        QCOMPARE(r.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
        ids.insert(r.value(QStringLiteral("id")).toInteger());
        if (r.value(QStringLiteral("attempts")).toInteger() > 1) {
            ++retried;
            QVERIFY(r.value(QStringLiteral("worker")).toString() != QLatin1String("k-0"));
        }
    }
    QCOMPARE(ids.size(), 600);
    QVERIFY2(retried >= 1, "no task was in flight on the killed worker");
}

void tst_EndToEnd::frozenWorkerMissesHeartbeatsAndItsTaskMovesOn()
{
#ifndef Q_OS_UNIX
    QSKIP("freezes the worker with SIGSTOP, which needs Unix signals");
#else
    TestMaster master(Key, FastHeartbeat);
    QVERIFY(master.isReady());
    auto frozen = startWorker(master.port(), Key, QStringLiteral("frozen"));
    QVERIFY(frozen->waitForStderr("connected to master"));
    // Long enough that a status poll (a process start each) sees it running and the worker is
    // frozen before it finishes, even on a loaded machine.
    auto run = submit(master.port(), {QStringLiteral("sleep"), QStringLiteral("{\"ms\": 2000}"), QStringLiteral("--wait")});
    // Asked until seen once: QTRY_COMPARE asks again after success, when a short task may be done.
    QVERIFY(QTest::qWaitFor([&] { return runningCount(master.port()) == 1; }, 10'000));
    // Stopped, not dead: its socket stays open, only its heartbeats stop.
    ::kill(pid_t(frozen->process().processId()), SIGSTOP);
    QVERIFY(master.process().waitForStderr("no heartbeat for 1000 ms"));
    auto thawed = startWorker(master.port(), Key, QStringLiteral("thawed"));
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 0);
    const QJsonObject record = QJsonDocument::fromJson(run->stdoutLines().value(0)).object();
    QCOMPARE(record.value(QStringLiteral("worker")).toString(), QStringLiteral("thawed"));
    QCOMPARE(record.value(QStringLiteral("attempts")).toInteger(), 2);
    // Woken up, the old worker finds its link gone and comes back on its own.
    ::kill(pid_t(frozen->process().processId()), SIGCONT);
    QVERIFY(frozen->waitForStderr("lost the master"));
    QTRY_COMPARE_WITH_TIMEOUT(statusJson(master.port()).value(QStringLiteral("workers")).toArray().size(), 2, 20'000);
#endif
}

void tst_EndToEnd::workerStartedBeforeTheMasterConnectsWhenItComesUp()
{
    const quint16 port = freePort();
    auto worker = startWorker(port, Key, QStringLiteral("early"));
    QVERIFY(worker->waitForStderr("retrying in"));
    TestMaster master(Key, {}, port);
    QVERIFY(master.isReady());
    QCOMPARE(master.port(), port);
    QVERIFY(worker->waitForStderr("connected to master"));
    auto run = submit(port, {QStringLiteral("square"), QStringLiteral("{\"n\": 3037000499}"), QStringLiteral("--wait")});
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 0);
    const QJsonObject record = QJsonDocument::fromJson(run->stdoutLines().value(0)).object();
    QCOMPARE(record.value(QStringLiteral("worker")).toString(), QStringLiteral("early"));
    // 64-bit results keep every digit.
    QVERIFY2(run->stdoutText().contains("\"result\":9223372030926249001"), run->stdoutText().constData());
}

void tst_EndToEnd::workerWithWrongKeyExitsAndMasterKeepsServing()
{
    TestMaster master(Key);
    QVERIFY(master.isReady());
    auto good = startWorker(master.port(), Key, QStringLiteral("good"));
    QVERIFY(good->waitForStderr("connected to master"));
    auto bad = startWorker(master.port(), QByteArrayLiteral("not the key"), QStringLiteral("bad"));
    QVERIFY(bad->waitForExit(10'000));
    QCOMPARE(bad->exitCode(), 3);
    QVERIFY2(bad->stderrText().contains("authkey does not match"), bad->stderrText().constData());
    QVERIFY(master.process().waitForStderr("authkey does not match"));

    auto run = submit(master.port(), {QStringLiteral("echo"), QStringLiteral("\"still here\""), QStringLiteral("--wait")});
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 0);
    QVERIFY(run->stdoutText().contains("\"worker\":\"good\""));
}

void tst_EndToEnd::workerWithOnceExitsWhenNoMaster()
{
    auto worker = startWorker(freePort(), Key, QStringLiteral("lonely"), {QStringLiteral("--once")});
    QVERIFY(worker->waitForExit(15'000));
    QCOMPARE(worker->exitCode(), 4);
    QVERIFY(worker->stderrText().contains("not retrying"));
}

void tst_EndToEnd::submitWithWrongKeySaysSo()
{
    TestMaster master(Key);
    QVERIFY(master.isReady());
    auto run = submit(master.port(), {QStringLiteral("echo"), QStringLiteral("1")}, QByteArrayLiteral("nope"));
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 3);
    QVERIFY(run->stderrText().contains("authkey does not match"));
}

void tst_EndToEnd::badJsonLineIsReportedAndNothingIsSubmitted()
{
    TestMaster master(Key);
    QVERIFY(master.isReady());
    auto run = submit(master.port(), {QStringLiteral("--file"), QStringLiteral("-")});
    run->feedStdin("{\"kind\":\"square\",\"args\":{\"n\":1}}\n\n{\"kind\":\"square\",\"args\":{\"n\":2}\n{\"kind\":\"echo\"}\n");
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 2);
    QVERIFY2(run->stderrText().contains("line 3"), run->stderrText().constData());
    QVERIFY(run->stderrText().contains("nothing was submitted"));

    const QJsonObject counts = statusJson(master.port()).value(QStringLiteral("counts")).toObject();
    QCOMPARE(counts.value(QStringLiteral("queued")).toInteger(-1), 0);
}

void tst_EndToEnd::argsReachTheWorkerAndComeBackAsWritten()
{
    // echo returns its args: what comes back is what the worker was given.
    TestMaster master(Key);
    QVERIFY(master.isReady());
    auto worker = startWorker(master.port(), Key, QStringLiteral("echoes"));
    const QByteArray args = R"({"zeta":1, "n":123456789012345678901234567890,"alpha":[2,{"b":1,"a":0}]})";
    auto fromFile = submit(master.port(), {QStringLiteral("--file"), QStringLiteral("-"), QStringLiteral("--wait")});
    fromFile->feedStdin(R"({"kind":"echo","args":)" + args + "}\n");
    QVERIFY(fromFile->waitForExit());
    QVERIFY2(fromFile->exitCode() == 0, fromFile->stderrText().constData());
    const QByteArray line = fromFile->stdoutLines().value(0);
    QVERIFY2(line.contains(QByteArray("\"args\":" + args + ",")) && line.contains(QByteArray("\"result\":" + args + ",")), line.constData());

    auto fromCommandLine = submit(master.port(), {QStringLiteral("--wait"), QStringLiteral("echo"), QString::fromUtf8(args)});
    QVERIFY(fromCommandLine->waitForExit());
    QVERIFY2(fromCommandLine->stdoutLines().value(0).contains(QByteArray("\"result\":" + args + ",")),
             fromCommandLine->stdoutText().constData());

    // A key twice on a line is refused by name, and nothing is submitted.
    auto twice = submit(master.port(), {QStringLiteral("--file"), QStringLiteral("-")});
    twice->feedStdin(R"({"kind":"echo","args":1,"args":2})" "\n");
    QVERIFY(twice->waitForExit());
    QCOMPARE(twice->exitCode(), 2);
    QVERIFY2(twice->stderrText().contains("line 1: the key \"args\" appears twice"), twice->stderrText().constData());
}

void tst_EndToEnd::badArgsJsonOnTheCommandLineIsRefused()
{
    auto run = submit(1, {QStringLiteral("square"), QStringLiteral("{n: 3}")});
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 2);
    QVERIFY(run->stderrText().contains("ARGS_JSON is not valid JSON"));
}

void tst_EndToEnd::failedTasksMakeSubmitExitOne()
{
    TestMaster master(Key);
    QVERIFY(master.isReady());
    auto worker = startWorker(master.port(), Key, QStringLiteral("w"));
    auto run = submit(master.port(), {QStringLiteral("--file"), QStringLiteral("-"), QStringLiteral("--wait")});
    run->feedStdin("{\"kind\":\"square\",\"args\":{\"n\":4}}\n"
                   "{\"kind\":\"square\",\"args\":{\"n\":\"four\"}}\n");
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 1);
    QCOMPARE(run->stdoutLines().size(), 2);
    const QByteArray out = run->stdoutText();
    QVERIFY2(out.contains("expected args {\\\"n\\\": integer}"), out.constData());
    QVERIFY(out.contains("\"result\":16"));
}

void tst_EndToEnd::timeoutRetriesThenFails()
{
    TestMaster master(Key);
    QVERIFY(master.isReady());
    auto worker = startWorker(master.port(), Key, QStringLiteral("slow"));
    auto run = submit(master.port(), {QStringLiteral("sleep"), QStringLiteral("{\"ms\": 5000}"), QStringLiteral("--timeout"),
                                      QStringLiteral("150"), QStringLiteral("--max-attempts"), QStringLiteral("2"),
                                      QStringLiteral("--wait")});
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 1);
    const QJsonObject record = QJsonDocument::fromJson(run->stdoutLines().value(0)).object();
    QCOMPARE(record.value(QStringLiteral("state")).toString(), QStringLiteral("failed"));
    QCOMPARE(record.value(QStringLiteral("attempts")).toInteger(), 2);
    QVERIFY2(record.value(QStringLiteral("error")).toString().contains(QLatin1String("timed out after 150 ms (attempt 2 of 2")),
             qPrintable(record.value(QStringLiteral("error")).toString()));
    QVERIFY(worker->waitForStderr("timed out after 150 ms"));
}

void tst_EndToEnd::statusListsCountsAndWorkers()
{
    TestMaster master(Key);
    QVERIFY(master.isReady());
    auto worker = startWorker(master.port(), Key, QStringLiteral("status-worker"), {QStringLiteral("--slots"), QStringLiteral("3")});
    QVERIFY(worker->waitForStderr("connected to master"));
    auto run = submit(master.port(), {QStringLiteral("square"), QStringLiteral("5"), QStringLiteral("--count"),
                                      QStringLiteral("4"), QStringLiteral("--wait")});
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 0);
    const QJsonObject object = statusJson(master.port());
    QCOMPARE(object.value(QStringLiteral("counts")).toObject().value(QStringLiteral("done")).toInteger(), 4);
    const QJsonObject w = object.value(QStringLiteral("workers")).toArray().at(0).toObject();
    QCOMPARE(w.value(QStringLiteral("name")).toString(), QStringLiteral("status-worker"));
    QCOMPARE(w.value(QStringLiteral("slots")).toInteger(), 3);
    QCOMPARE(w.value(QStringLiteral("done")).toInteger(), 4);

    auto table = std::make_unique<TestProcess>(QStringLiteral(TASKMASTER_BIN),
                                               QStringList{QStringLiteral("status")} + connectionArgs(master.port()), Key);
    QVERIFY(table->waitForExit());
    QVERIFY2(table->stdoutText().contains("4 done"), table->stdoutText().constData());
    QVERIFY(table->stdoutText().contains("status-worker"));
}

void tst_EndToEnd::cancelStopsARunningProcessAndAQueuedTask()
{
#ifndef Q_OS_UNIX
    QSKIP("the task runs a POSIX shell; the cancel path itself is the same on every platform");
#else
    TestMaster master(Key);
    QVERIFY(master.isReady());
    auto worker = startWorker(master.port(), Key, QStringLiteral("exec-worker"),
                              {QStringLiteral("--allow-exec"), QStringLiteral("--slots"), QStringLiteral("1")});
    QVERIFY(worker->waitForStderr("connected to master"));
    QTemporaryDir dir;
    const QString pidFile = dir.filePath(QStringLiteral("pid"));
    const QJsonObject args{{QStringLiteral("argv"),
                            QJsonArray{QStringLiteral("sh"), QStringLiteral("-c"),
                                       QStringLiteral("echo $$ > '%1'; exec sleep 60").arg(pidFile)}}};
    // Two tasks on one slot: the first runs, the second waits in the queue.
    auto run = submit(master.port(), {QStringLiteral("exec"), QString::fromUtf8(QJsonDocument(args).toJson(QJsonDocument::Compact)),
                                      QStringLiteral("--count"), QStringLiteral("2")});
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 0);
    const QList<QByteArray> ids = run->stdoutLines();
    QCOMPARE(ids.size(), 2);
    QTRY_VERIFY_WITH_TIMEOUT(QFile(pidFile).size() > 0, 10'000);
    QFile file(pidFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const pid_t pid = pid_t(file.readAll().trimmed().toInt());
    QVERIFY(pid > 0);
    QCOMPARE(::kill(pid, 0), 0);

    TestProcess cancel(QStringLiteral(TASKMASTER_BIN),
                       QStringList{QStringLiteral("cancel")} + connectionArgs(master.port())
                               + QStringList{QString::fromUtf8(ids[0]), QString::fromUtf8(ids[1])},
                       Key);
    QVERIFY(cancel.waitForExit());
    QCOMPARE(cancel.exitCode(), 0);
    QCOMPARE(cancel.stdoutText().trimmed(), QByteArray("cancelled 2 of 2 task(s)"));
    // The worker killed the process.
    QTRY_VERIFY_WITH_TIMEOUT(::kill(pid, 0) != 0, 10'000);
    const QJsonObject counts = statusJson(master.port()).value(QStringLiteral("counts")).toObject();
    QCOMPARE(counts.value(QStringLiteral("cancelled")).toInteger(), 2);
    QCOMPARE(counts.value(QStringLiteral("running")).toInteger(), 0);
#endif
}

void tst_EndToEnd::sigtermLetsRunningTasksFinish()
{
#ifndef Q_OS_UNIX
    QSKIP("SIGTERM is a Unix signal; on Windows ShutdownSignals handles Ctrl+Break, which needs a real console to send");
#else
    TestMaster master(Key);
    QVERIFY(master.isReady());
    auto worker = startWorker(master.port(), Key, QStringLiteral("drainer"));
    QVERIFY(worker->waitForStderr("connected to master"));
    auto run = submit(master.port(), {QStringLiteral("sleep"), QStringLiteral("{\"ms\": 400}"), QStringLiteral("--wait")});
    QVERIFY(master.process().waitForStderr("joined"));
    // Wait until the task is on the worker, then ask it to stop.
    // Asked until seen once: QTRY_COMPARE asks again after success, when a short task may be done.
    QVERIFY(QTest::qWaitFor([&] { return runningCount(master.port()) == 1; }, 10'000));
    ::kill(pid_t(worker->process().processId()), SIGTERM);
    QVERIFY(worker->waitForExit(10'000));
    QCOMPARE(worker->process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(worker->exitCode(), 0);
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 0);
    QVERIFY(run->stdoutText().contains("\"worker\":\"drainer\""));
    QVERIFY(run->stdoutText().contains("\"slept_ms\":400"));
#endif
}

void tst_EndToEnd::sigtermPastGraceReturnsTasksToTheQueue()
{
#ifndef Q_OS_UNIX
    QSKIP("SIGTERM is a Unix signal; on Windows ShutdownSignals handles Ctrl+Break, which needs a real console to send");
#else
    TestMaster master(Key);
    QVERIFY(master.isReady());
    auto quitter = startWorker(master.port(), Key, QStringLiteral("quitter"), {QStringLiteral("--grace-ms"), QStringLiteral("100")});
    QVERIFY(quitter->waitForStderr("connected to master"));
    auto run = submit(master.port(), {QStringLiteral("sleep"), QStringLiteral("{\"ms\": 1500}"), QStringLiteral("--max-attempts"),
                                      QStringLiteral("1"), QStringLiteral("--wait")});
    QVERIFY(master.process().waitForStderr("joined"));
    // Asked until seen once: QTRY_COMPARE asks again after success, when a short task may be done.
    QVERIFY(QTest::qWaitFor([&] { return runningCount(master.port()) == 1; }, 10'000));
    ::kill(pid_t(quitter->process().processId()), SIGTERM);
    QVERIFY(quitter->waitForExit(10'000));
    QCOMPARE(quitter->exitCode(), 0);
    QVERIFY(quitter->stderrText().contains("grace period over"));
    // Returned, not failed: even with one attempt allowed, another worker can still run it.
    auto finisher = startWorker(master.port(), Key, QStringLiteral("finisher"));
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 0);
    QVERIFY(run->stdoutText().contains("\"worker\":\"finisher\""));
#endif
}

void tst_EndToEnd::tasksPrefetchedBehindALongOneGoToAnIdleWorker()
{
    TestMaster master(Key);
    QVERIFY(master.isReady());
    auto busy = startWorker(master.port(), Key, QStringLiteral("busy"), {QStringLiteral("--slots"), QStringLiteral("1")});
    QVERIFY(busy->waitForStderr("connected to master"));
    // Microsecond tasks open busy's prefetch window.
    auto warmup = submit(master.port(), {QStringLiteral("square"), QStringLiteral("3"), QStringLiteral("--count"),
                                         QStringLiteral("300"), QStringLiteral("--wait")});
    QVERIFY(warmup->waitForExit());
    QCOMPARE(warmup->exitCode(), 0);

    // A long task takes busy's only slot; two quick ones are sent ahead and wait behind it.
    auto run = submit(master.port(), {QStringLiteral("--file"), QStringLiteral("-"), QStringLiteral("--wait")});
    run->feedStdin("{\"kind\":\"sleep\",\"args\":{\"ms\":4000}}\n"
                   "{\"kind\":\"square\",\"args\":{\"n\":5}}\n"
                   "{\"kind\":\"square\",\"args\":{\"n\":6}}\n");
    // At least one square is sent ahead (however small the window), the other may still be queued.
    QVERIFY(QTest::qWaitFor([&] { return runningCount(master.port()) >= 2; }, 10'000));
    // An idle worker arrives with nothing queued: the waiting tasks are reclaimed for it.
    auto idle = startWorker(master.port(), Key, QStringLiteral("idle"), {QStringLiteral("--slots"), QStringLiteral("1")});
    QVERIFY(run->waitForStdoutLines(2));
    const QList<QJsonObject> first = parseRecords(run->stdoutLines().mid(0, 2));
    for (const QJsonObject &r : first) {
        QCOMPARE(r.value(QStringLiteral("kind")).toString(), QStringLiteral("square"));
        QCOMPARE(r.value(QStringLiteral("worker")).toString(), QStringLiteral("idle"));
        QCOMPARE(r.value(QStringLiteral("attempts")).toInteger(), 1); // given back, not spent
    }
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 0);
    const QJsonObject last = QJsonDocument::fromJson(run->stdoutLines().value(2)).object();
    QCOMPARE(last.value(QStringLiteral("kind")).toString(), QStringLiteral("sleep"));
    QCOMPARE(last.value(QStringLiteral("worker")).toString(), QStringLiteral("busy"));
}

void tst_EndToEnd::smallFrameCapStillCarriesEveryTask()
{
    // With a 4 KiB cap, 64 tasks of 220-byte args need several frames in every direction.
    TestMaster master(Key, {QStringLiteral("--max-frame"), QStringLiteral("4096")});
    QVERIFY(master.isReady());
    auto worker = startWorker(master.port(), Key, QStringLiteral("wide"), {QStringLiteral("--slots"), QStringLiteral("64")});
    QVERIFY(worker->waitForStderr("connected to master"));
    auto run = submit(master.port(), {QStringLiteral("--file"), QStringLiteral("-"), QStringLiteral("--wait")});
    run->feedStdin(jsonLines(QStringLiteral("echo"), 64, [](int i) {
        return QJsonObject{{QStringLiteral("i"), i}, {QStringLiteral("pad"), QString(200, QLatin1Char('p'))}};
    }));
    QVERIFY(run->waitForExit());
    QVERIFY2(run->exitCode() == 0, run->stderrText().constData());
    QCOMPARE(run->stdoutLines().size(), 64);
    for (const QJsonObject &r : parseRecords(run->stdoutLines()))
        QCOMPARE(r.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
    QVERIFY(!worker->stderrText().contains("lost the master"));

    // Args over a quarter of the cap are refused before anything is sent.
    auto big = submit(master.port(), {QStringLiteral("echo"), QStringLiteral("\"%1\"").arg(QString(1100, QLatin1Char('x')))});
    QVERIFY(big->waitForExit());
    QCOMPARE(big->exitCode(), 2);
    QVERIFY2(big->stderrText().contains("larger than the master accepts (1024 bytes); nothing was submitted"),
             big->stderrText().constData());
}

void tst_EndToEnd::aThousandIdsFitUnderASmallFrameCap()
{
    // 1,000 ids are 8 KB in one list: watch and cancel must split them under a 4 KiB cap.
    TestMaster master(Key, {QStringLiteral("--max-frame"), QStringLiteral("4096")});
    QVERIFY(master.isReady());
    auto run = submit(master.port(), {QStringLiteral("--count"), QStringLiteral("1000"), QStringLiteral("square"),
                                      QStringLiteral("{\"n\":2}")});
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 0);
    QStringList ids;
    for (const QByteArray &line : run->stdoutLines())
        ids.append(QString::fromLatin1(line));
    QCOMPARE(ids.size(), 1000);

    auto watch = std::make_unique<TestProcess>(QStringLiteral(TASKMASTER_BIN),
                                               QStringList{QStringLiteral("watch")} + connectionArgs(master.port()) + ids, Key);
    auto cancel = std::make_unique<TestProcess>(QStringLiteral(TASKMASTER_BIN),
                                                QStringList{QStringLiteral("cancel")} + connectionArgs(master.port()) + ids, Key);
    QVERIFY(cancel->waitForExit());
    QVERIFY2(cancel->exitCode() == 0, cancel->stderrText().constData());
    QCOMPARE(cancel->stdoutLines(), QList<QByteArray>{"cancelled 1000 of 1000 task(s)"});
    QVERIFY(watch->waitForExit());
    QCOMPARE(watch->exitCode(), 1); // every task it watched was cancelled
    const QList<QJsonObject> records = parseRecords(watch->stdoutLines());
    QCOMPARE(records.size(), 1000);
    QSet<qint64> seen;
    for (const QJsonObject &r : records) {
        QCOMPARE(r.value(QStringLiteral("state")).toString(), QStringLiteral("cancelled"));
        seen.insert(r.value(QStringLiteral("id")).toInteger());
    }
    QCOMPARE(seen.size(), 1000);
    QVERIFY(!master.process().stderrText().contains("dropping client"));
}

void tst_EndToEnd::serveRefusesEmptyKeyOnAnOpenAddress()
{
    TestProcess serve(QStringLiteral(TASKMASTER_BIN),
                      {QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--bind"),
                       QStringLiteral("0.0.0.0")},
                      QByteArray());
    QVERIFY(serve.waitForExit());
    QCOMPARE(serve.exitCode(), 5);
    QVERIFY(serve.stderrText().contains("refusing to listen on 0.0.0.0 with an empty authkey"));
    QVERIFY(serve.stdoutText().isEmpty());
}

void tst_EndToEnd::serveReportsAPortInUse()
{
    TestMaster first(Key);
    QVERIFY(first.isReady());
    TestProcess second(QStringLiteral(TASKMASTER_BIN),
                       {QStringLiteral("serve"), QStringLiteral("--ephemeral"), QStringLiteral("--port"),
                        QString::number(first.port())},
                       Key);
    QVERIFY(second.waitForExit());
    QCOMPARE(second.exitCode(), 5);
    QVERIFY(second.stderrText().contains("cannot listen on 127.0.0.1"));
}

void tst_EndToEnd::helpAndVersionWork()
{
    for (const QStringList &args : {QStringList{QStringLiteral("--help")}, QStringList{QStringLiteral("serve"), QStringLiteral("--help")},
                                    QStringList{QStringLiteral("submit"), QStringLiteral("--help")},
                                    QStringList{QStringLiteral("status"), QStringLiteral("--help")}}) {
        TestProcess p(QStringLiteral(TASKMASTER_BIN), args, Key);
        QVERIFY(p.waitForExit());
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(p.stdoutText().contains("Exit codes"), qPrintable(args.join(QLatin1Char(' '))));
    }
    TestProcess worker(QStringLiteral(TASKWORKER_BIN), {QStringLiteral("--help")}, Key);
    QVERIFY(worker.waitForExit());
    QCOMPARE(worker.exitCode(), 0);
    QVERIFY(worker.stdoutText().contains("--allow-exec"));
    TestProcess version(QStringLiteral(TASKWORKER_BIN), {QStringLiteral("--version")}, Key);
    QVERIFY(version.waitForExit());
    QVERIFY(version.stdoutText().startsWith("taskworker"));
    TestProcess unknown(QStringLiteral(TASKMASTER_BIN), {QStringLiteral("frobnicate")}, Key);
    QVERIFY(unknown.waitForExit());
    QCOMPARE(unknown.exitCode(), 2);
}

void tst_EndToEnd::serveLimitsConnectionsInTheHandshake()
{
    TestProcess bad(QStringLiteral(TASKMASTER_BIN),
                    {QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0"),
                     QStringLiteral("--max-handshakes"), QStringLiteral("0")},
                    Key);
    QVERIFY(bad.waitForExit());
    QCOMPARE(bad.exitCode(), 2);
    QVERIFY2(bad.stderrText().contains("--max-handshakes must be a number from 1"), bad.stderrText().constData());

    // One silent peer takes the only place; the next is closed at once, with the reason logged.
    TestMaster master(Key, {QStringLiteral("--max-handshakes"), QStringLiteral("1"),
                            QStringLiteral("--handshake-timeout"), QStringLiteral("60000")});
    QVERIFY(master.isReady());
    QTcpSocket first;
    QSignalSpy challenged(&first, &QTcpSocket::readyRead);
    first.connectToHost(QHostAddress::LocalHost, master.port());
    QVERIFY(challenged.wait(10'000));
    QTcpSocket second;
    QSignalSpy dropped(&second, &QTcpSocket::disconnected);
    second.connectToHost(QHostAddress::LocalHost, master.port());
    QVERIFY(dropped.wait(10'000));
    QVERIFY(master.process().waitForStderr("too many connections still in the handshake (1)"));
    QCOMPARE(first.state(), QAbstractSocket::ConnectedState);
}

QTEST_GUILESS_MAIN(tst_EndToEnd)
#include "tst_endtoend.moc"
