// Handlers the worker is given, in once mode (a process per task): the contract, what is
// killed, what the child never sees; the handlers file and --handler; and the real binaries end
// to end, pipe handlers included. tst_pipehandlers covers pipe mode itself.

#include "handlertesting.h"
#include "processcheck.h"
#include "processes.h"
#include "protocol/protocol.h"
#include "worker/childprocess.h"
#include "worker/handlersfile.h"
#include "worker/workerengine.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#ifdef Q_OS_UNIX
#include <csignal>
#include <unistd.h>
#endif

using namespace HandlerTesting;

class tst_CommandHandlers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    // once mode
    void onceReturnsTheJsonItPrints();
    void onceGetsArgsOnStdinAndTaskVariables();
    void onceInvalidJsonFailsWithWhatItPrinted_data();
    void onceInvalidJsonFailsWithWhatItPrinted();
    void onceExit75FailsRetryably();
    void onceOtherExitFailsWithStderrTail();
    void onceKeepsOnlyTheTailOfAHugeStderr();
    void onceCrashIsReported();
    void onceOverTheOutputCapIsKilled();
    void onceTimeoutKillsTheWholeTree();
    void onceCancelKillsTheWholeTreeAndStaysSilent();
    void onceInheritsNoDescriptorOfTheWorker();
    void onceProgramMissingFailsRetryably();

    // the handlers file and --handler
    void handlersFileIsRead();
    void handlersFileErrors_data();
    void handlersFileErrors();
    void handlerOptionSplitsTheCommand();
    void handlerNamesMustNotClash();

    // the real binaries
    void workerAnnouncesAndRunsHandlersEndToEnd();
    void handlersDieWithASigkilledWorker();
    void workerRejectsBadOptionsWithUsageExit_data();
    void workerRejectsBadOptionsWithUsageExit();

private:
    QString script(const QString &name, const QByteArray &text) { return writeScript(m_dir, name, text); }

    QTemporaryDir m_dir;
    QString m_python;
};

void tst_CommandHandlers::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    m_python = QStringLiteral(PYTHON3_EXECUTABLE);
    QVERIFY2(QFile::exists(m_python), qPrintable(m_python));
}

// ---- once mode --------------------------------------------------------------------------

void tst_CommandHandlers::onceReturnsTheJsonItPrints()
{
    const auto outcome = runOnce(shSpec(QStringLiteral("cat >/dev/null; printf '  {\"a\": [1, 2]}\\n\\n'")), 5);
    QVERIFY(outcome);
    QVERIFY2(outcome->ok, qPrintable(outcome->error));
    QCOMPARE(outcome->result, QByteArray("{\"a\":[1,2]}"));
}

void tst_CommandHandlers::onceGetsArgsOnStdinAndTaskVariables()
{
    // The key must not reach the child however the worker got it.
    qputenv("TASKMASTER_AUTHKEY", "the-worker-key");
    const auto outcome = runOnce(
            shSpec(QStringLiteral("args=$(cat); printf '{\"args\": %s, \"id\": \"%s\", \"kind\": \"%s\", \"attempt\": \"%s\", "
                                  "\"key\": \"%s\"}' \"$args\" \"$TASKMASTER_TASK_ID\" \"$TASKMASTER_TASK_KIND\" "
                                  "\"$TASKMASTER_ATTEMPT\" \"${TASKMASTER_AUTHKEY-unset}\"")),
            QJsonObject{{QStringLiteral("x"), 1}});
    qunsetenv("TASKMASTER_AUTHKEY");
    QVERIFY(outcome);
    QVERIFY2(outcome->ok, qPrintable(outcome->error));
    const QJsonObject result = resultValue(*outcome).toObject();
    QCOMPARE(result.value(QStringLiteral("args")).toObject().value(QStringLiteral("x")).toInt(), 1);
    QCOMPARE(result.value(QStringLiteral("id")).toString(), QStringLiteral("7"));
    QCOMPARE(result.value(QStringLiteral("kind")).toString(), QStringLiteral("job"));
    QCOMPARE(result.value(QStringLiteral("attempt")).toString(), QStringLiteral("1"));
    QCOMPARE(result.value(QStringLiteral("key")).toString(), QStringLiteral("unset"));
}

void tst_CommandHandlers::onceInvalidJsonFailsWithWhatItPrinted_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<QString>("expected");
    QTest::addRow("plain text is not JSON") << QStringLiteral("echo hello") << QStringLiteral("its output began: hello");
    QTest::addRow("two values are not one") << QStringLiteral("echo '1 2'") << QStringLiteral("its output began: 1 2");
    QTest::addRow("nothing at all is not a value") << QStringLiteral("true") << QStringLiteral("its output began: ");
    QTest::addRow("control bytes are escaped") << QStringLiteral("printf 'a\\001b'") << QStringLiteral("a\\x01b");
    QTest::addRow("a long output is cut to its start")
            << QStringLiteral("head -c 5000 /dev/zero | tr '\\0' x") << QStringLiteral("... (5000 bytes in all)");
}

void tst_CommandHandlers::onceInvalidJsonFailsWithWhatItPrinted()
{
    QFETCH(QString, script);
    QFETCH(QString, expected);
    const auto outcome = runOnce(shSpec(script), QJsonValue());
    QVERIFY(outcome);
    QVERIFY(!outcome->ok);
    QVERIFY(!outcome->retryable);
    QVERIFY2(outcome->error.startsWith(QStringLiteral("handler printed invalid JSON")), qPrintable(outcome->error));
    QVERIFY2(outcome->error.contains(expected), qPrintable(outcome->error));
    QVERIFY2(outcome->error.size() < 400, "the excerpt is bounded");
}

void tst_CommandHandlers::onceExit75FailsRetryably()
{
    const auto outcome = runOnce(shSpec(QStringLiteral("echo 'database is busy' >&2; exit 75")), QJsonValue());
    QVERIFY(outcome);
    QVERIFY(!outcome->ok);
    QVERIFY(outcome->retryable);
    QVERIFY2(outcome->error.contains(QStringLiteral("exit code 75")), qPrintable(outcome->error));
    QVERIFY2(outcome->error.contains(QStringLiteral("database is busy")), qPrintable(outcome->error));
}

void tst_CommandHandlers::onceOtherExitFailsWithStderrTail()
{
    const auto outcome = runOnce(shSpec(QStringLiteral("echo first >&2; echo 'last words' >&2; exit 3")), QJsonValue());
    QVERIFY(outcome);
    QVERIFY(!outcome->ok);
    QVERIFY(!outcome->retryable);
    QVERIFY2(outcome->error.startsWith(QStringLiteral("handler exited with code 3; stderr:\nfirst\nlast words")),
             qPrintable(outcome->error));
}

void tst_CommandHandlers::onceKeepsOnlyTheTailOfAHugeStderr()
{
    // 200 KiB of 'x', then an end marker: the error holds the last 64 KiB, marker included.
    const auto outcome = runOnce(
            shSpec(QStringLiteral("head -c 204800 /dev/zero | tr '\\0' x >&2; echo THE-END >&2; exit 1")), QJsonValue());
    QVERIFY(outcome);
    QVERIFY(!outcome->ok);
    QVERIFY2(outcome->error.endsWith(QStringLiteral("THE-END")), qPrintable(outcome->error.right(100)));
    QVERIFY(outcome->error.contains(QStringLiteral("(last 65536 bytes)")));
    QVERIFY(outcome->error.size() <= ChildProcess::StderrTailCap + 200);
    QVERIFY(outcome->error.size() <= Protocol::MaxErrorSize);
}

void tst_CommandHandlers::onceCrashIsReported()
{
#ifndef Q_OS_UNIX
    QSKIP("kills itself with a POSIX signal");
#else
    const auto outcome = runOnce(shSpec(QStringLiteral("echo dying >&2; kill -SEGV $$")), QJsonValue());
    QVERIFY(outcome);
    QVERIFY(!outcome->ok);
    QVERIFY(!outcome->retryable);
    QVERIFY2(outcome->error.startsWith(QStringLiteral("handler was killed by signal %1").arg(SIGSEGV)),
             qPrintable(outcome->error));
    QVERIFY2(outcome->error.contains(QStringLiteral("dying")), qPrintable(outcome->error));
#endif
}

void tst_CommandHandlers::onceOverTheOutputCapIsKilled()
{
    HandlerSpec spec = shSpec(QStringLiteral("yes '\"xxxxxxxx\"'"));
    spec.outputCap = 64 * 1024;
    const auto outcome = runOnce(spec, QJsonValue());
    QVERIFY2(outcome, "a handler that prints without end must still end");
    QVERIFY(!outcome->ok);
    QVERIFY2(outcome->error.contains(QStringLiteral("more than 65536 bytes on stdout")), qPrintable(outcome->error));
}

void tst_CommandHandlers::onceTimeoutKillsTheWholeTree()
{
#ifndef Q_OS_UNIX
    QSKIP("checks the grandchild by pid with kill(pid, 0)");
#else
    const QString pidFile = m_dir.filePath(QStringLiteral("timeout.pid"));
    QFile::remove(pidFile);
    HandlerSpec spec = shSpec(QStringLiteral("sleep 60 & echo $! > '%1'; wait").arg(pidFile));
    spec.timeoutMs = 60'000; // the task's own timeout wins over the kind's
    CommandHandler handler(spec);
    TaskOutcome outcome;
    std::unique_ptr<TaskRun> run(handler.prepare(taskInput(1, QJsonValue(), 300), &outcome, nullptr));
    QSignalSpy spy(run.get(), &TaskRun::finished);
    run->start();
    KillOnExit grandchild;
    QTRY_VERIFY_WITH_TIMEOUT((grandchild.pid = readPid(pidFile)) > 0, ReportTimeoutMs);
    QVERIFY(spy.wait(ReportTimeoutMs));
    const auto reported = spy.first().first().value<TaskOutcome>();
    QVERIFY(!reported.ok);
    QVERIFY(reported.retryable);
    QCOMPARE(reported.error, QStringLiteral("timed out after 300 ms"));
    // The sleep is sh's child, not ours: once killed, init reaps it.
    QTRY_VERIFY_WITH_TIMEOUT(processIsDead(grandchild.pid), ReportTimeoutMs);
#endif
}

void tst_CommandHandlers::onceCancelKillsTheWholeTreeAndStaysSilent()
{
#ifndef Q_OS_UNIX
    QSKIP("checks the grandchild by pid with kill(pid, 0)");
#else
    const QString pidFile = m_dir.filePath(QStringLiteral("cancel.pid"));
    QFile::remove(pidFile);
    CommandHandler handler(shSpec(QStringLiteral("sleep 60 & echo $! > '%1'; wait").arg(pidFile)));
    TaskOutcome outcome;
    std::unique_ptr<TaskRun> run(handler.prepare(taskInput(1, QJsonValue()), &outcome, nullptr));
    QSignalSpy spy(run.get(), &TaskRun::finished);
    run->start();
    KillOnExit grandchild;
    QTRY_VERIFY_WITH_TIMEOUT((grandchild.pid = readPid(pidFile)) > 0, ReportTimeoutMs);
    QCOMPARE(::kill(grandchild.pid, 0), 0);
    run->cancel();
    QTRY_VERIFY_WITH_TIMEOUT(processIsDead(grandchild.pid), ReportTimeoutMs);
    QVERIFY(!spy.wait(SilenceMs));
#endif
}

void tst_CommandHandlers::onceInheritsNoDescriptorOfTheWorker()
{
#ifndef Q_OS_LINUX
    QSKIP("lists descriptors through /proc/self/fd");
#else
    // A descriptor of the worker's own, not close-on-exec, as a library might leave one (Qt opens
    // its own files close-on-exec; dup() gives a copy without the flag).
    QFile file(m_dir.filePath(QStringLiteral("leaked")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    const int leakedFd = ::dup(file.handle());
    QVERIFY(leakedFd > 2);
    const auto closeLeaked = qScopeGuard([leakedFd] { ::close(leakedFd); });
    const auto outcome = runOnce(
            onceSpec({m_python, QStringLiteral("-c"),
                      QStringLiteral("import os, json; print(json.dumps(sorted(int(f) for f in os.listdir('/proc/self/fd'))))")}),
            QJsonValue());
    QVERIFY(outcome);
    QVERIFY2(outcome->ok, qPrintable(outcome->error));
    // 0-2 and the one listdir opens for itself.
    const QJsonArray fds = resultValue(*outcome).toArray();
    QVERIFY2(fds.size() <= 4, outcome->result.constData());
    QVERIFY2(!fds.contains(leakedFd), outcome->result.constData());
#endif
}

void tst_CommandHandlers::onceProgramMissingFailsRetryably()
{
    const auto outcome = runOnce(onceSpec({QStringLiteral("/nonexistent/handler-program")}), QJsonValue());
    QVERIFY(outcome);
    QVERIFY(!outcome->ok);
    QVERIFY(outcome->retryable); // another worker may have it
    QVERIFY2(outcome->error.startsWith(QStringLiteral("cannot start handler /nonexistent/handler-program")),
             qPrintable(outcome->error));
}

// ---- the handlers file ---------------------------------------------------------------------

void tst_CommandHandlers::handlersFileIsRead()
{
    const QByteArray text = R"({"kinds": {
        "resize": {"argv": ["python3", "resize.py", "--fast"], "cwd": "scripts", "env": {"LEVEL": "3"},
                   "timeout_ms": 5000, "output_cap": 4096},
        "score": {"argv": ["python3", "score.py"], "mode": "pipe", "slots": 3}}})";
    QString error;
    const auto specs = HandlersFile::parse(text, QStringLiteral("/etc/tm/handlers.json"), &error);
    QVERIFY2(specs, qPrintable(error));
    QCOMPARE(specs->size(), 2);
    const HandlerSpec &resize = specs->at(0);
    QCOMPARE(resize.kind, QStringLiteral("resize"));
    QCOMPARE(resize.argv, (QStringList{QStringLiteral("python3"), QStringLiteral("resize.py"), QStringLiteral("--fast")}));
    QCOMPARE(resize.cwd, QStringLiteral("/etc/tm/scripts")); // relative to the file
    QCOMPARE(resize.env.value(QStringLiteral("LEVEL")), QStringLiteral("3"));
    QCOMPARE(resize.mode, HandlerSpec::Mode::Once);
    QCOMPARE(resize.timeoutMs, 5000);
    QCOMPARE(resize.outputCap, 4096);
    const HandlerSpec &score = specs->at(1);
    QCOMPARE(score.mode, HandlerSpec::Mode::Pipe);
    QCOMPARE(score.slots, 3);
    QCOMPARE(score.outputCap, HandlerSpec::DefaultOutputCap);
    QCOMPARE(score.timeoutMs, 0);
}

void tst_CommandHandlers::handlersFileErrors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("expected");
    const QString f = QStringLiteral("h.json: ");
    QTest::addRow("text that is not JSON is refused") << QByteArray("{\"kinds\": ") << f + QStringLiteral("not valid JSON");
    QTest::addRow("a top level that is an array is refused") << QByteArray("[]") << f + QStringLiteral("expected {\"kinds\"");
    QTest::addRow("an unknown top-level key is named")
            << QByteArray(R"({"kinds": {"a": {"argv": ["x"]}}, "kind": {}})") << f + QStringLiteral("key \"kind\": unknown key");
    QTest::addRow("a file without kinds is refused") << QByteArray("{}") << f + QStringLiteral("key \"kinds\": missing");
    QTest::addRow("an empty kinds object is refused") << QByteArray(R"({"kinds": {}})") << f + QStringLiteral("key \"kinds\"");
    QTest::addRow("a kind that is not an object is refused")
            << QByteArray(R"({"kinds": {"a": ["x"]}})") << f + QStringLiteral("kind \"a\": expected an object");
    QTest::addRow("a kind name with a space is refused")
            << QByteArray(R"({"kinds": {"a b": {"argv": ["x"]}}})") << f + QStringLiteral("kind \"a b\": a name is");
    QTest::addRow("an unknown key in a kind is named")
            << QByteArray(R"({"kinds": {"a": {"argv": ["x"], "timeout": 5}}})")
            << f + QStringLiteral("kind \"a\": key \"timeout\": unknown key");
    QTest::addRow("a missing argv is refused")
            << QByteArray(R"({"kinds": {"a": {"mode": "pipe"}}})") << f + QStringLiteral("kind \"a\": key \"argv\": missing");
    QTest::addRow("an empty argv is refused")
            << QByteArray(R"({"kinds": {"a": {"argv": []}}})") << f + QStringLiteral("kind \"a\": key \"argv\": expected a non-empty");
    QTest::addRow("an argv given as a string is refused")
            << QByteArray(R"({"kinds": {"a": {"argv": "python3 x.py"}}})") << f + QStringLiteral("kind \"a\": key \"argv\"");
    QTest::addRow("an argv holding a number is refused")
            << QByteArray(R"({"kinds": {"a": {"argv": ["x", 1]}}})") << f + QStringLiteral("kind \"a\": key \"argv\"");
    QTest::addRow("an empty program is refused")
            << QByteArray(R"({"kinds": {"a": {"argv": [""]}}})") << f + QStringLiteral("kind \"a\": key \"argv\": the program");
    QTest::addRow("a cwd that is a number is refused")
            << QByteArray(R"({"kinds": {"a": {"argv": ["x"], "cwd": 3}}})") << f + QStringLiteral("kind \"a\": key \"cwd\"");
    QTest::addRow("an env value that is a number is refused")
            << QByteArray(R"({"kinds": {"a": {"argv": ["x"], "env": {"N": 1}}}})")
            << f + QStringLiteral("kind \"a\": key \"env\": the value of N");
    QTest::addRow("an env that is a list is refused")
            << QByteArray(R"({"kinds": {"a": {"argv": ["x"], "env": ["N=1"]}}})") << f + QStringLiteral("kind \"a\": key \"env\"");
    QTest::addRow("an unknown mode is refused")
            << QByteArray(R"({"kinds": {"a": {"argv": ["x"], "mode": "daemon"}}})")
            << f + QStringLiteral("kind \"a\": key \"mode\": expected \"once\" or \"pipe\"");
    QTest::addRow("a negative timeout is refused")
            << QByteArray(R"({"kinds": {"a": {"argv": ["x"], "timeout_ms": -1}}})") << f + QStringLiteral("kind \"a\": key \"timeout_ms\"");
    QTest::addRow("a fractional timeout is refused")
            << QByteArray(R"({"kinds": {"a": {"argv": ["x"], "timeout_ms": 1.5}}})") << f + QStringLiteral("kind \"a\": key \"timeout_ms\"");
    QTest::addRow("a timeout given as a string is refused")
            << QByteArray(R"({"kinds": {"a": {"argv": ["x"], "timeout_ms": "5"}}})") << f + QStringLiteral("kind \"a\": key \"timeout_ms\"");
    QTest::addRow("a zero output cap is refused")
            << QByteArray(R"({"kinds": {"a": {"argv": ["x"], "output_cap": 0}}})") << f + QStringLiteral("kind \"a\": key \"output_cap\"");
    QTest::addRow("zero slots are refused")
            << QByteArray(R"({"kinds": {"a": {"argv": ["x"], "mode": "pipe", "slots": 0}}})")
            << f + QStringLiteral("kind \"a\": key \"slots\"");
    QTest::addRow("slots on a once handler are refused")
            << QByteArray(R"({"kinds": {"a": {"argv": ["x"], "slots": 2}}})")
            << f + QStringLiteral("kind \"a\": key \"slots\": only a \"pipe\" handler");
}

void tst_CommandHandlers::handlersFileErrors()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, expected);
    QString error;
    QVERIFY(!HandlersFile::parse(text, QStringLiteral("h.json"), &error));
    QVERIFY2(error.startsWith(expected), qPrintable(error));
}

void tst_CommandHandlers::handlerOptionSplitsTheCommand()
{
    QString error;
    const auto spec = HandlersFile::parseOption(QStringLiteral("myjob=python3 \"my job.py\" --level 3"), &error);
    QVERIFY2(spec, qPrintable(error));
    QCOMPARE(spec->kind, QStringLiteral("myjob"));
    QCOMPARE(spec->argv, (QStringList{QStringLiteral("python3"), QStringLiteral("my job.py"), QStringLiteral("--level"),
                                      QStringLiteral("3")}));
    QCOMPARE(spec->mode, HandlerSpec::Mode::Once);
    QVERIFY(!HandlersFile::parseOption(QStringLiteral("myjob"), &error));
    QVERIFY(!HandlersFile::parseOption(QStringLiteral("=python3 x.py"), &error));
    QVERIFY(!HandlersFile::parseOption(QStringLiteral("myjob=  "), &error));
    QVERIFY2(error.contains(QStringLiteral("the command is empty")), qPrintable(error));
}

void tst_CommandHandlers::handlerNamesMustNotClash()
{
    QString error;
    auto specs = HandlersFile::parse(R"({"kinds": {"sleep": {"argv": ["x"]}}})", QStringLiteral("h.json"), &error);
    QVERIFY2(specs, qPrintable(error));
    QCOMPARE(HandlersFile::checkNames(*specs, WorkerEngine::builtinKinds()),
             QStringLiteral("h.json: kind \"sleep\": is a built-in kind of the worker; give the handler another name"));
    auto twice = *HandlersFile::parse(R"({"kinds": {"a": {"argv": ["x"]}}})", QStringLiteral("h.json"), &error);
    twice.append(*HandlersFile::parseOption(QStringLiteral("a=y"), &error));
    QCOMPARE(HandlersFile::checkNames(twice, WorkerEngine::builtinKinds()),
             QStringLiteral("--handler: kind \"a\": is defined twice"));
    QVERIFY(HandlersFile::checkNames(twice.mid(0, 1), WorkerEngine::builtinKinds()).isEmpty());
}

// ---- the real binaries ---------------------------------------------------------------------

namespace {

const QByteArray Key = QByteArrayLiteral("handlers-e2e-key");

std::unique_ptr<TestProcess> submit(quint16 port, const QStringList &args)
{
    return std::make_unique<TestProcess>(QStringLiteral(TASKMASTER_BIN),
                                         QStringList{QStringLiteral("submit")} + connectionArgs(port) + args, Key);
}

} // namespace

void tst_CommandHandlers::workerAnnouncesAndRunsHandlersEndToEnd()
{
    const QString once = script(QStringLiteral("myjob.py"), R"(import json, sys
args = json.load(sys.stdin)
print(json.dumps({"doubled": args["x"] * 2}))
)");
    const QString handlersFile = m_dir.filePath(QStringLiteral("handlers.json"));
    script(QStringLiteral("square.py"), SquarePipe);
    QVERIFY(writeFile(handlersFile, QJsonDocument(QJsonObject{{QStringLiteral("kinds"), QJsonObject{{QStringLiteral("psquare"), QJsonObject{
            {QStringLiteral("argv"), QJsonArray{m_python, QStringLiteral("-u"), QStringLiteral("square.py")}},
            {QStringLiteral("cwd"), QStringLiteral(".")},
            {QStringLiteral("mode"), QStringLiteral("pipe")}}}}}}).toJson()));

    TestMaster master(Key);
    QVERIFY(master.isReady());
    auto worker = startWorker(master.port(), Key, QStringLiteral("h"),
                              {QStringLiteral("--slots"), QStringLiteral("4"), QStringLiteral("--handler"),
                               QStringLiteral("myjob=%1 %2").arg(m_python, once), QStringLiteral("--handlers"), handlersFile});
    QVERIFY(worker->waitForStderr("kinds: echo, myjob, psquare, sha256, sleep, square"));

    auto one = submit(master.port(), {QStringLiteral("myjob"), QStringLiteral("{\"x\": 21}"), QStringLiteral("--wait")});
    QVERIFY2(one->waitForExit(), one->stderrText().constData());
    QCOMPARE(one->exitCode(), 0);
    const QJsonObject record = QJsonDocument::fromJson(one->stdoutLines().value(0)).object();
    QCOMPARE(record.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
    QCOMPARE(record.value(QStringLiteral("result")).toObject().value(QStringLiteral("doubled")).toInt(), 42);

    QByteArray lines;
    for (int i = 0; i < 500; ++i)
        lines += "{\"kind\": \"psquare\", \"args\": {\"n\": " + QByteArray::number(i) + "}}\n";
    QVERIFY(writeFile(m_dir.filePath(QStringLiteral("tasks.jsonl")), lines));
    auto many = submit(master.port(), {QStringLiteral("--file"), m_dir.filePath(QStringLiteral("tasks.jsonl")), QStringLiteral("--wait")});
    QVERIFY2(many->waitForExit(60'000), many->stderrText().constData());
    QCOMPARE(many->exitCode(), 0);
    QSet<qint64> seen;
    for (const QByteArray &line : many->stdoutLines()) {
        const QJsonObject r = QJsonDocument::fromJson(line).object();
        const qint64 value = r.value(QStringLiteral("args")).toObject().value(QStringLiteral("n")).toInteger();
        QCOMPARE(r.value(QStringLiteral("result")).toInteger(), value * value);
        seen.insert(value);
    }
    QCOMPARE(seen.size(), 500);
}

void tst_CommandHandlers::handlersDieWithASigkilledWorker()
{
#ifndef Q_OS_LINUX
    QSKIP("PR_SET_PDEATHSIG is Linux's; elsewhere see docs/HANDLERS.md");
#else
    const QString pidFile = m_dir.filePath(QStringLiteral("orphan.pid"));
    QFile::remove(pidFile);
    TestMaster master(Key);
    QVERIFY(master.isReady());
    auto worker = startWorker(master.port(), Key, QStringLiteral("doomed"),
                              {QStringLiteral("--handler"),
                               QStringLiteral("hang=sh -c \"echo $$ > $0; exec sleep 60\" %1").arg(pidFile)});
    QVERIFY(worker->waitForStderr("connected to master"));
    auto run = submit(master.port(), {QStringLiteral("hang")});
    QVERIFY(run->waitForExit());
    KillOnExit handler;
    QTRY_VERIFY_WITH_TIMEOUT((handler.pid = readPid(pidFile)) > 0, ReportTimeoutMs);
    QCOMPARE(::kill(handler.pid, 0), 0);
    worker->kill(); // SIGKILL: the worker cleans up nothing
    QTRY_VERIFY_WITH_TIMEOUT(processIsDead(handler.pid), ReportTimeoutMs);
#endif
}

void tst_CommandHandlers::workerRejectsBadOptionsWithUsageExit_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("an unknown option") << QStringList{QStringLiteral("--frobnicate")}
                                       << QByteArray("Unknown option 'frobnicate'. (see --help)");
    QTest::addRow("an option without its value") << QStringList{QStringLiteral("--handler")} << QByteArray("(see --help)");
    QTest::addRow("a handler named like a built-in kind")
            << QStringList{QStringLiteral("--handler"), QStringLiteral("sleep=true")} << QByteArray("is a built-in kind");
    QTest::addRow("a handlers file that does not exist")
            << QStringList{QStringLiteral("--handlers"), QStringLiteral("/nonexistent/handlers.json")}
            << QByteArray("/nonexistent/handlers.json: cannot open");
}

void tst_CommandHandlers::workerRejectsBadOptionsWithUsageExit()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, expected);
    TestProcess worker(QStringLiteral(TASKWORKER_BIN), args, Key);
    QVERIFY(worker.waitForExit());
    QCOMPARE(worker.exitCode(), 2);
    QVERIFY2(worker.stderrText().contains(expected), worker.stderrText().constData());
}

QTEST_GUILESS_MAIN(tst_CommandHandlers)
#include "tst_commandhandlers.moc"
