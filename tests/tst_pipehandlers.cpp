// Pipe handlers: long-lived processes that answer one JSON line per task, by id, in any order;
// stray output goes to the log; a crash, a cancel or a timeout replaces the process and loses
// nothing; a program that fails at start is restarted with backoff, not in a loop.

#include "handlertesting.h"
#include "processcheck.h"
#include "worker/handlers/pipehandler.h"
#include "worker/handlers/pipeprocess.h"

#include <QFile>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

using namespace HandlerTesting;

class tst_PipeHandlers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void pipeRunsTenThousandTasksEachOnce();
    void pipeAnswersMayComeOutOfOrder();
    void pipeStrayLinesGoToTheLogNotResults();
    void pipeProcessKilledMidRunLosesNothing();
    void pipeCrashAtStartDoesNotSpin();
    void pipeCancelReplacesTheProcess();
    void pipeTimeoutFailsRetryablyAndReplacesTheProcess();

private:
    HandlerSpec pipeSpec(const QString &name, const QByteArray &text, int slots)
    {
        return pythonPipe(m_python, writeScript(m_dir, name, text), slots);
    }

    QTemporaryDir m_dir;
    QString m_python;
};

void tst_PipeHandlers::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    m_python = QStringLiteral(PYTHON3_EXECUTABLE);
    QVERIFY2(QFile::exists(m_python), qPrintable(m_python));
}

void tst_PipeHandlers::pipeRunsTenThousandTasksEachOnce()
{
    PipeHandler handler(pipeSpec(QStringLiteral("square.py"), SquarePipe, 2), 2);
    RunSet runs(&handler);
    constexpr int Count = 10'000;
    for (int i = 1; i <= Count; ++i)
        runs.submit(quint64(i), n(i));
    QTRY_COMPARE_WITH_TIMEOUT(runs.reportCount(), Count, 120'000);
    QCOMPARE(runs.succeeded(), Count);
    for (int i = 1; i <= Count; ++i) {
        const QList<TaskOutcome> reports = runs.reports(quint64(i));
        QCOMPARE(reports.size(), 1);
        QCOMPARE(reports.first().result, QByteArray::number(qint64(i) * i));
    }
    QCOMPARE(int(handler.processes().size()), 2); // both processes took work
    for (PipeProcess *process : handler.processes())
        QCOMPARE(process->starts(), 1);
}

void tst_PipeHandlers::pipeAnswersMayComeOutOfOrder()
{
    // Reads three tasks, then answers them last first.
    const QByteArray script = R"(import json, sys
held = []
for line in sys.stdin:
    held.append(json.loads(line))
    if len(held) == 3:
        for task in reversed(held):
            print(json.dumps({"id": task["id"], "result": task["args"]["n"] * 10}), flush=True)
        held = []
)";
    PipeHandler handler(pipeSpec(QStringLiteral("reverse.py"), script, 1), 4);
    RunSet runs(&handler);
    for (int i = 1; i <= 3; ++i)
        runs.submit(quint64(i), n(i));
    QTRY_COMPARE_WITH_TIMEOUT(runs.reportCount(), 3, ReportTimeoutMs);
    QCOMPARE(runs.order(), (QList<quint64>{3, 2, 1}));
    for (int i = 1; i <= 3; ++i)
        QCOMPARE(runs.reports(quint64(i)).first().result, QByteArray::number(i * 10));
}

void tst_PipeHandlers::pipeStrayLinesGoToTheLogNotResults()
{
    const QByteArray script = R"(import json, sys
for line in sys.stdin:
    task = json.loads(line)
    print("hello from the handler")
    print("[1, 2]")
    print(json.dumps({"id": 999999, "result": "not mine"}))
    print("debug: working on", task["id"], file=sys.stderr, flush=True)
    print(json.dumps({"id": task["id"], "error": "no luck", "retry": True}), flush=True)
)";
    LogCapture log;
    PipeHandler handler(pipeSpec(QStringLiteral("stray.py"), script, 1), 1);
    RunSet runs(&handler);
    runs.submit(5, n(1));
    QTRY_COMPARE_WITH_TIMEOUT(runs.reportCount(), 1, ReportTimeoutMs);
    const TaskOutcome outcome = runs.reports(5).first();
    QVERIFY(!outcome.ok);
    QVERIFY(outcome.retryable);
    QCOMPARE(outcome.error, QStringLiteral("no luck"));
    QTRY_VERIFY_WITH_TIMEOUT(log.lines().contains(QStringLiteral("job[0] stderr: debug: working on 5")), ReportTimeoutMs);
    const QStringList lines = log.lines();
    const QString stray = QStringLiteral("job[0] stdout (not an answer to a task in flight): ");
    QVERIFY2(lines.contains(stray + QStringLiteral("hello from the handler")), qPrintable(lines.join(QLatin1Char('\n'))));
    QVERIFY(lines.contains(stray + QStringLiteral("[1, 2]")));
    QVERIFY(lines.contains(stray + QStringLiteral("{\"id\": 999999, \"result\": \"not mine\"}")));
}

void tst_PipeHandlers::pipeProcessKilledMidRunLosesNothing()
{
#ifndef Q_OS_UNIX
    QSKIP("kills the handler process with a POSIX signal");
#else
    const QString pidFile = m_dir.filePath(QStringLiteral("slow.pid"));
    QFile::remove(pidFile);
    // Slow enough that tasks are in flight when it dies.
    const QByteArray script = QStringLiteral(R"(import json, os, sys, time
with open(%1, "w") as f:
    f.write("%d\n" % os.getpid())
for line in sys.stdin:
    task = json.loads(line)
    time.sleep(0.02)
    print(json.dumps({"id": task["id"], "result": task["args"]["n"] + 1000}), flush=True)
)").arg(QString::fromUtf8(JsonValue::serialize(pidFile))).toUtf8();
    PipeHandler handler(pipeSpec(QStringLiteral("slow.py"), script, 1), 1);
    RunSet runs(&handler);
    constexpr int Count = 40;
    for (int i = 1; i <= Count; ++i)
        runs.submit(quint64(i), n(i));
    pid_t first = 0;
    QTRY_VERIFY_WITH_TIMEOUT((first = readPid(pidFile)) > 0, ReportTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(runs.succeeded() >= 5, ReportTimeoutMs);
    QVERIFY(runs.succeeded() < Count);
    QCOMPARE(::kill(first, SIGKILL), 0);
    QTRY_COMPARE_WITH_TIMEOUT(runs.reportCount(), Count, ReportTimeoutMs);
    const int failedFirst = Count - runs.succeeded();
    QVERIFY(failedFirst > 0);

    // Like the master: the retryable failures run again, as attempt 2.
    for (int i = 1; i <= Count; ++i) {
        const QList<TaskOutcome> reports = runs.reports(quint64(i));
        QCOMPARE(reports.size(), 1);
        if (reports.first().ok)
            continue;
        QVERIFY(reports.first().retryable);
        QVERIFY2(reports.first().error.startsWith(QStringLiteral("handler process 0 of kind job was killed by signal 9")),
                 qPrintable(reports.first().error));
    }
    // The restart comes after a backoff; until then a task finds no process and fails
    // retryably, so resubmit each failure until it succeeds, as retries would.
    QHash<quint64, int> attempts;
    std::function<void()> resubmitFailures = [&] {
        for (int i = 1; i <= Count; ++i) {
            const QList<TaskOutcome> reports = runs.reports(quint64(i));
            if (!reports.isEmpty() && !reports.last().ok && attempts.value(quint64(i)) < reports.size()) {
                QVERIFY(reports.last().retryable);
                attempts[quint64(i)] = int(reports.size());
                TaskInput input = taskInput(quint64(i), n(i));
                input.attempt = quint32(reports.size() + 1);
                runs.submit(input);
            }
        }
    };
    QTRY_VERIFY_WITH_TIMEOUT((resubmitFailures(), runs.succeeded() == Count), ReportTimeoutMs);
    for (int i = 1; i <= Count; ++i) {
        int ok = 0;
        for (const TaskOutcome &o : runs.reports(quint64(i))) {
            if (o.ok) {
                ++ok;
                QCOMPARE(o.result, QByteArray::number(i + 1000));
            }
        }
        QCOMPARE(ok, 1); // none lost, none twice
    }
    QCOMPARE(handler.processes().front()->starts(), 2);
    QVERIFY(processIsDead(first));
#endif
}

void tst_PipeHandlers::pipeCrashAtStartDoesNotSpin()
{
    const QString counter = m_dir.filePath(QStringLiteral("starts.txt"));
    QFile::remove(counter);
    const QByteArray script = QStringLiteral(R"(import sys
with open(%1, "a") as f:
    f.write("start\n")
print("cannot import the model", file=sys.stderr)
sys.exit(3)
)").arg(QString::fromUtf8(JsonValue::serialize(counter))).toUtf8();
    PipeHandler handler(pipeSpec(QStringLiteral("broken.py"), script, 4), 4);
    RunSet runs(&handler);
    runs.submit(1, n(1));
    QTRY_COMPARE_WITH_TIMEOUT(runs.reportCount(), 1, ReportTimeoutMs);
    const TaskOutcome first = runs.reports(1).first();
    QVERIFY(!first.ok);
    QVERIFY(first.retryable);
    QVERIFY2(first.error.contains(QStringLiteral("exited with code 3")), qPrintable(first.error));
    QVERIFY2(first.error.contains(QStringLiteral("cannot import the model")), qPrintable(first.error));

    // Tasks that come while it is down fail at once with the reason; none starts a new process.
    for (quint64 id = 2; id <= 6; ++id)
        runs.submit(id, n(1));
    QTRY_COMPARE_WITH_TIMEOUT(runs.reportCount(), 6, ReportTimeoutMs);
    for (quint64 id = 2; id <= 6; ++id) {
        const TaskOutcome o = runs.reports(id).first();
        QVERIFY(o.retryable);
        QVERIFY2(o.error.contains(QStringLiteral("cannot import the model")), qPrintable(o.error));
    }
    QCOMPARE(int(handler.processes().size()), 1);

    // Backoff 100, 200, 400, 800 ms...: about five starts in 2.5 s, not hundreds. Counting them
    // over a fixed span is the point here, so this one waits out the span.
    QTest::qWait(2500);
    QFile file(counter);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const int starts = int(file.readAll().count("start\n"));
    QVERIFY2(starts >= 3 && starts <= 7, qPrintable(QString::number(starts)));
}

void tst_PipeHandlers::pipeCancelReplacesTheProcess()
{
#ifndef Q_OS_UNIX
    QSKIP("checks the old process by pid with kill(pid, 0)");
#else
    const QByteArray script = R"(import json, os, sys, time
for line in sys.stdin:
    task = json.loads(line)
    time.sleep(task["args"].get("sleep", 0))
    print(json.dumps({"id": task["id"], "result": os.getpid()}), flush=True)
)";
    PipeHandler handler(pipeSpec(QStringLiteral("sleepy.py"), script, 1), 2);
    RunSet runs(&handler);
    runs.submit(1, QJsonObject{});
    QTRY_COMPARE_WITH_TIMEOUT(runs.reportCount(), 1, ReportTimeoutMs);
    const pid_t oldPid = pid_t(runs.reports(1).first().result.toLongLong());
    QVERIFY(oldPid > 0);

    TaskRun *slow = runs.submit(2, QJsonObject{{QStringLiteral("sleep"), 60}});
    runs.submit(3, QJsonObject{}); // queued behind the slow one in the same process
    slow->cancel();
    QTRY_COMPARE_WITH_TIMEOUT(runs.reportCount(), 2, ReportTimeoutMs);
    const TaskOutcome sibling = runs.reports(3).first();
    QVERIFY(!sibling.ok);
    QVERIFY(sibling.retryable);
    QVERIFY2(sibling.error.contains(QStringLiteral("was replaced: task 2 was cancelled")), qPrintable(sibling.error));
    QTRY_VERIFY_WITH_TIMEOUT(processIsDead(oldPid), ReportTimeoutMs);

    runs.submit(4, QJsonObject{});
    QTRY_COMPARE_WITH_TIMEOUT(runs.reportCount(), 3, ReportTimeoutMs);
    const TaskOutcome after = runs.reports(4).first();
    QVERIFY2(after.ok, qPrintable(after.error));
    QVERIFY(after.result.toLongLong() != oldPid);
    QVERIFY(runs.reports(2).isEmpty()); // the cancelled task stays silent
#endif
}

void tst_PipeHandlers::pipeTimeoutFailsRetryablyAndReplacesTheProcess()
{
    const QByteArray script = R"(import json, sys, time
for line in sys.stdin:
    task = json.loads(line)
    time.sleep(task["args"].get("sleep", 0))
    print(json.dumps({"id": task["id"], "result": "done"}), flush=True)
)";
    HandlerSpec spec = pipeSpec(QStringLiteral("timeout.py"), script, 1);
    spec.timeoutMs = 300; // the kind's default
    PipeHandler handler(spec, 1);
    RunSet runs(&handler);
    runs.submit(1, QJsonObject{{QStringLiteral("sleep"), 60}});
    QTRY_COMPARE_WITH_TIMEOUT(runs.reportCount(), 1, ReportTimeoutMs);
    const TaskOutcome timedOut = runs.reports(1).first();
    QVERIFY(!timedOut.ok);
    QVERIFY(timedOut.retryable);
    QCOMPARE(timedOut.error, QStringLiteral("timed out after 300 ms"));
    // Its own timeout wins over the kind's, and leaves the new process time to start.
    runs.submit(2, QJsonObject{}, ReportTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(runs.reportCount(), 2, ReportTimeoutMs);
    QVERIFY2(runs.reports(2).first().ok, qPrintable(runs.reports(2).first().error));
    QCOMPARE(handler.processes().front()->starts(), 2);
}

QTEST_GUILESS_MAIN(tst_PipeHandlers)
#include "tst_pipehandlers.moc"
