// The worker's built-in kinds: square and echo answer at once; sleep, sha256 and exec start a run
// that reports later, or stays silent once cancelled. Bad args fail with what was expected.

#include "processcheck.h"
#include "util/jsonvalue.h"
#include "worker/handlers/echohandler.h"
#include "worker/handlers/exechandler.h"
#include "worker/handlers/sha256handler.h"
#include "worker/handlers/sleephandler.h"
#include "worker/handlers/squarehandler.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>

#include <memory>
#include <optional>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <csignal>
#include <sys/types.h>
#endif

namespace {

// Long enough for a loaded CI machine to start a process; only ever waited out on failure.
constexpr int ReportTimeoutMs = 10'000;
// How long a cancelled run must stay silent. Waiting for an absence needs some bound.
constexpr int SilenceMs = 300;

// Starts a run and returns what it reports, or nothing if it stays silent.
std::optional<TaskOutcome> runToEnd(TaskRun *run)
{
    QSignalSpy spy(run, &TaskRun::finished);
    run->start();
    // A run may report from inside start(), for instance when a program cannot be started.
    if (spy.isEmpty() && !spy.wait(ReportTimeoutMs))
        return std::nullopt;
    return spy.first().first().value<TaskOutcome>();
}

// The outcome's result text as a JSON object, for checking one field at a time.
QJsonObject resultObject(const TaskOutcome &outcome)
{
    QJsonValue value;
    if (!JsonValue::parse(outcome.result, &value))
        return {};
    return value.toObject();
}

// A task as the engine hands it to a handler.
TaskInput taskInput(const QJsonValue &args)
{
    TaskInput input;
    input.id = 1;
    input.attempt = 1;
    input.args = args;
    input.rawArgs = JsonValue::serialize(args);
    return input;
}

QJsonObject execArgs(const QStringList &argv)
{
    return QJsonObject{{QStringLiteral("argv"), QJsonArray::fromStringList(argv)}};
}

// A run on a timer, cancelled as soon as it starts, never reports.
void cancelledRunStaysSilent(TaskHandler &handler, const QJsonValue &args)
{
    TaskOutcome outcome;
    std::unique_ptr<TaskRun> run(handler.prepare(taskInput(args), &outcome, nullptr));
    QVERIFY2(run, qPrintable(outcome.error));

    QSignalSpy spy(run.get(), &TaskRun::finished);
    run->start();
    run->cancel();
    QVERIFY(!spy.wait(SilenceMs));
    QCOMPARE(spy.count(), 0);
}

} // namespace

class tst_Handlers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void kindsHaveTheirWireNames();

    void squareAnswersAtOnce_data();
    void squareAnswersAtOnce();
    void squareRejects_data();
    void squareRejects();
    void squareWithADelayAnswersFromARun();
    void squareWithADelayCancelledDoesNotFinish();

    void echoReturnsArgsUnchanged_data();
    void echoReturnsArgsUnchanged();

    void sleepFinishesAfterItsDuration_data();
    void sleepFinishesAfterItsDuration();
    void sleepCancelledDoesNotFinish();
    void sleepRejects_data();
    void sleepRejects();

    void sha256HashesAFile_data();
    void sha256HashesAFile();
    void sha256MissingFileFailsNamingThePath();
    void sha256CancelledDoesNotFinish();
    void sha256Rejects_data();
    void sha256Rejects();

    void execRefusedUnlessAllowed();
    void execRejects_data();
    void execRejects();
    void execRunsTheProgram_data();
    void execRunsTheProgram();
    void execRunsInTheGivenDirectory();
    void execInAMissingDirectoryFails();
    void execReportsACrash();
    void execOfAMissingProgramFailsNamingIt();
    void execCancelKillsTheProcessAndStaysSilent();
    void execDeletingARunKillsTheProcess();
    void execCancelAlsoKillsWhatTheProgramStarted();
};

void tst_Handlers::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void tst_Handlers::kindsHaveTheirWireNames()
{
    QCOMPARE(SquareHandler().kind(), QStringLiteral("square"));
    QCOMPARE(EchoHandler().kind(), QStringLiteral("echo"));
    QCOMPARE(SleepHandler().kind(), QStringLiteral("sleep"));
    QCOMPARE(Sha256Handler().kind(), QStringLiteral("sha256"));
    QCOMPARE(ExecHandler(false).kind(), QStringLiteral("exec"));
}

// ---- square ----

void tst_Handlers::squareAnswersAtOnce_data()
{
    QTest::addColumn<QByteArray>("args");
    QTest::addColumn<QByteArray>("result");
    QTest::newRow("seven given as {\"n\": 7} squares to 49") << QByteArray(R"({"n":7})") << QByteArray("49");
    QTest::newRow("a bare seven squares to 49") << QByteArray("7") << QByteArray("49");
    QTest::newRow("minus five squares to 25") << QByteArray(R"({"n":-5})") << QByteArray("25");
    QTest::newRow("zero squares to zero") << QByteArray(R"({"n":0})") << QByteArray("0");
    QTest::newRow("the largest root that fits keeps every digit of its square")
            << QByteArray(R"({"n":3037000499})") << QByteArray("9223372030926249001");
    QTest::newRow("the most negative root that fits keeps every digit of its square")
            << QByteArray(R"({"n":-3037000499})") << QByteArray("9223372030926249001");
}

void tst_Handlers::squareAnswersAtOnce()
{
    QFETCH(QByteArray, args);
    QFETCH(QByteArray, result);
    QJsonValue value;
    QVERIFY(JsonValue::parse(args, &value));

    SquareHandler handler;
    TaskOutcome outcome;
    QObject parent;
    QCOMPARE(handler.prepare(taskInput(value), &outcome, &parent), nullptr);
    QVERIFY2(outcome.ok, qPrintable(outcome.error));
    QCOMPARE(outcome.result, result);
    QVERIFY(outcome.error.isEmpty());
}

void tst_Handlers::squareRejects_data()
{
    QTest::addColumn<QByteArray>("args");
    QTest::addColumn<QString>("error");
    const QString shape = QStringLiteral("square: expected args {\"n\": integer}, got ");
    QTest::newRow("3037000500 squared would pass 64 bits, so it fails instead of wrapping")
            << QByteArray(R"({"n":3037000500})")
            << QStringLiteral("square: 3037000500 squared does not fit in a 64-bit integer");
    QTest::newRow("the most negative 64-bit integer squared does not fit")
            << QByteArray(R"({"n":-9223372036854775808})")
            << QStringLiteral("square: -9223372036854775808 squared does not fit in a 64-bit integer");
    QTest::newRow("a fraction is not an integer") << QByteArray(R"({"n":7.5})") << shape + QStringLiteral(R"({"n":7.5})");
    QTest::newRow("a number in a string is not an integer")
            << QByteArray(R"({"n":"7"})") << shape + QStringLiteral(R"({"n":"7"})");
    QTest::newRow("true is not an integer") << QByteArray(R"({"n":true})") << shape + QStringLiteral(R"({"n":true})");
    QTest::newRow("an object without n has nothing to square") << QByteArray("{}") << shape + QStringLiteral("{}");
    QTest::newRow("a misspelt key is not n") << QByteArray(R"({"m":7})") << shape + QStringLiteral(R"({"m":7})");
    QTest::newRow("null args have nothing to square") << QByteArray("null") << shape + QStringLiteral("null");
    QTest::newRow("an array is not the shorthand") << QByteArray("[7]") << shape + QStringLiteral("[7]");
    QTest::newRow("a number past 64 bits is not a 64-bit integer")
            << QByteArray(R"({"n":9223372036854775808})") << shape;
    const QString range = QStringLiteral("square: ms must be between 0 and %1, not ").arg(SquareHandler::MaxDelayMs);
    QTest::newRow("a negative delay") << QByteArray(R"({"n":7,"ms":-1})") << range + QStringLiteral("-1");
    QTest::newRow("a delay past the limit")
            << QByteArray(R"({"n":7,"ms":10001})") << range + QStringLiteral("10001");
    QTest::newRow("a delay in a string")
            << QByteArray(R"({"ms":"450","n":7})")
            << QStringLiteral(R"(square: expected args {"ms": integer}, got {"ms":"450","n":7})");
    QTest::newRow("a fractional delay")
            << QByteArray(R"({"ms":4.5,"n":7})") << QStringLiteral(R"(square: expected args {"ms": integer}, got {"ms":4.5,"n":7})");
    QTest::newRow("a null delay")
            << QByteArray(R"({"ms":null,"n":7})") << QStringLiteral(R"(square: expected args {"ms": integer}, got {"ms":null,"n":7})");
}

void tst_Handlers::squareRejects()
{
    QFETCH(QByteArray, args);
    QFETCH(QString, error);
    QJsonValue value;
    QVERIFY(JsonValue::parse(args, &value));

    SquareHandler handler;
    TaskOutcome outcome;
    QObject parent;
    QCOMPARE(handler.prepare(taskInput(value), &outcome, &parent), nullptr);
    QVERIFY(!outcome.ok);
    QVERIFY(outcome.result.isEmpty());
    QVERIFY2(outcome.error.startsWith(error), qPrintable(outcome.error));
}

void tst_Handlers::squareWithADelayAnswersFromARun()
{
    SquareHandler handler;
    TaskOutcome outcome;
    const QJsonObject args{{QStringLiteral("n"), 7}, {QStringLiteral("ms"), 30}};
    std::unique_ptr<TaskRun> run(handler.prepare(taskInput(args), &outcome, nullptr));
    QVERIFY2(run, qPrintable(outcome.error)); // a timer, not an answer at once
    const auto reported = runToEnd(run.get());
    QVERIFY(reported);
    QVERIFY2(reported->ok, qPrintable(reported->error));
    QCOMPARE(reported->result, QByteArray("49"));
}

void tst_Handlers::squareWithADelayCancelledDoesNotFinish()
{
    SquareHandler handler;
    cancelledRunStaysSilent(handler, QJsonObject{{QStringLiteral("n"), 7}, {QStringLiteral("ms"), 50}});
}

// ---- echo ----

void tst_Handlers::echoReturnsArgsUnchanged_data()
{
    // Each row is compact JSON with sorted keys, so the result must be the very same text.
    QTest::addColumn<QByteArray>("args");
    QTest::newRow("an object with a 64-bit integer and UTF-8 text")
            << QByteArray(R"({"big":9223372036854775807,"text":"héllo 中文"})");
    QTest::newRow("the most negative 64-bit integer") << QByteArray("-9223372036854775808");
    QTest::newRow("an integer a double would round") << QByteArray("9007199254740993");
    QTest::newRow("a bare UTF-8 string, emoji included") << QByteArray(R"("héllo 中文 🎉")");
    QTest::newRow("null") << QByteArray("null");
    QTest::newRow("an empty object") << QByteArray("{}");
    QTest::newRow("nested arrays and objects of every type")
            << QByteArray(R"({"a":[1,2.5,true,false,null,{"b":"c"}],"z":[]})");
}

void tst_Handlers::echoReturnsArgsUnchanged()
{
    QFETCH(QByteArray, args);
    QJsonValue value;
    QVERIFY(JsonValue::parse(args, &value));

    EchoHandler handler;
    TaskOutcome outcome;
    QObject parent;
    QCOMPARE(handler.prepare(taskInput(value), &outcome, &parent), nullptr);
    QVERIFY2(outcome.ok, qPrintable(outcome.error));
    QCOMPARE(outcome.result, args);
}

// ---- sleep ----

void tst_Handlers::sleepFinishesAfterItsDuration_data()
{
    QTest::addColumn<QByteArray>("args");
    QTest::addColumn<qint64>("ms");
    QTest::newRow("{\"ms\": 50} sleeps 50 ms") << QByteArray(R"({"ms":50})") << qint64(50);
    QTest::newRow("a bare 20 sleeps 20 ms") << QByteArray("20") << qint64(20);
    QTest::newRow("zero ms finishes on the next turn of the loop") << QByteArray(R"({"ms":0})") << qint64(0);
}

void tst_Handlers::sleepFinishesAfterItsDuration()
{
    QFETCH(QByteArray, args);
    QFETCH(qint64, ms);
    QJsonValue value;
    QVERIFY(JsonValue::parse(args, &value));

    SleepHandler handler;
    TaskOutcome outcome;
    std::unique_ptr<TaskRun> run(handler.prepare(taskInput(value), &outcome, nullptr));
    QVERIFY2(run, qPrintable(outcome.error));

    QElapsedTimer clock;
    clock.start();
    const auto reported = runToEnd(run.get());
    QVERIFY(reported);
    QVERIFY2(clock.elapsed() >= ms, qPrintable(QStringLiteral("finished after %1 ms").arg(clock.elapsed())));
    QVERIFY2(reported->ok, qPrintable(reported->error));
    QCOMPARE(reported->result, QByteArray(R"({"slept_ms":)") + QByteArray::number(ms) + '}');
}

void tst_Handlers::sleepCancelledDoesNotFinish()
{
    SleepHandler handler;
    cancelledRunStaysSilent(handler, QJsonObject{{QStringLiteral("ms"), 50}});
}

void tst_Handlers::sleepRejects_data()
{
    QTest::addColumn<QByteArray>("args");
    QTest::addColumn<QString>("error");
    QTest::newRow("a negative duration")
            << QByteArray(R"({"ms":-1})") << QStringLiteral("sleep: ms must be between 0 and 604800000, not -1");
    QTest::newRow("more than a week")
            << QByteArray(R"({"ms":604800001})")
            << QStringLiteral("sleep: ms must be between 0 and 604800000, not 604800001");
    QTest::newRow("a duration in a string")
            << QByteArray(R"({"ms":"50"})") << QStringLiteral(R"(sleep: expected args {"ms": integer}, got {"ms":"50"})");
    QTest::newRow("a fractional duration")
            << QByteArray("1.5") << QStringLiteral(R"(sleep: expected args {"ms": integer}, got 1.5)");
    QTest::newRow("no duration at all")
            << QByteArray("{}") << QStringLiteral(R"(sleep: expected args {"ms": integer}, got {})");
}

void tst_Handlers::sleepRejects()
{
    QFETCH(QByteArray, args);
    QFETCH(QString, error);
    QJsonValue value;
    QVERIFY(JsonValue::parse(args, &value));

    SleepHandler handler;
    TaskOutcome outcome;
    QObject parent;
    QCOMPARE(handler.prepare(taskInput(value), &outcome, &parent), nullptr);
    QVERIFY(!outcome.ok);
    QCOMPARE(outcome.error, error);
}

// ---- sha256 ----

void tst_Handlers::sha256HashesAFile_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::newRow("an empty file") << QByteArray();
    QTest::newRow("a line of text") << QByteArray("The quick brown fox jumps over the lazy dog\n");
    QByteArray everyByte;
    for (int i = 0; i < 256; ++i)
        everyByte.append(char(i));
    QTest::newRow("every byte value, NUL included") << everyByte;
    // The handler reads 1 MiB at a time; this needs two reads and a partial third.
    QByteArray large(2 * 1024 * 1024 + 3, Qt::Uninitialized);
    for (qsizetype i = 0; i < large.size(); ++i)
        large[i] = char((i * 7 + i / 4096) & 0xff);
    QTest::newRow("a file larger than one read") << large;
}

void tst_Handlers::sha256HashesAFile()
{
    QFETCH(QByteArray, content);
    QTemporaryFile file;
    QVERIFY(file.open());
    QCOMPARE(file.write(content), content.size());
    QVERIFY(file.flush());

    Sha256Handler handler;
    TaskOutcome outcome;
    std::unique_ptr<TaskRun> run(
            handler.prepare(taskInput(QJsonObject{{QStringLiteral("path"), file.fileName()}}), &outcome, nullptr));
    QVERIFY2(run, qPrintable(outcome.error));
    const auto reported = runToEnd(run.get());
    QVERIFY(reported);
    QVERIFY2(reported->ok, qPrintable(reported->error));

    const QJsonObject result = resultObject(*reported);
    QCOMPARE(result.value(QStringLiteral("path")).toString(), file.fileName());
    QCOMPARE(result.value(QStringLiteral("sha256")).toString(),
             QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex()));
    QCOMPARE(result.value(QStringLiteral("size")).toInteger(-1), qint64(content.size()));
}

void tst_Handlers::sha256MissingFileFailsNamingThePath()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("no such file.bin"));

    Sha256Handler handler;
    TaskOutcome outcome;
    std::unique_ptr<TaskRun> run(handler.prepare(taskInput(QJsonObject{{QStringLiteral("path"), path}}), &outcome, nullptr));
    QVERIFY(run); // whether the file exists is found out on the worker's disk, when it runs
    const auto reported = runToEnd(run.get());
    QVERIFY(reported);
    QVERIFY(!reported->ok);
    QVERIFY2(reported->error.startsWith(QStringLiteral("sha256: cannot open ") + path), qPrintable(reported->error));
}

void tst_Handlers::sha256CancelledDoesNotFinish()
{
    QTemporaryFile file;
    QVERIFY(file.open());
    QVERIFY(file.write("content") > 0);
    QVERIFY(file.flush());

    Sha256Handler handler;
    TaskOutcome outcome;
    std::unique_ptr<TaskRun> run(
            handler.prepare(taskInput(QJsonObject{{QStringLiteral("path"), file.fileName()}}), &outcome, nullptr));
    QVERIFY(run);
    QSignalSpy spy(run.get(), &TaskRun::finished);
    run->start();
    run->cancel();
    QVERIFY(!spy.wait(SilenceMs));
    QCOMPARE(spy.count(), 0);
}

void tst_Handlers::sha256Rejects_data()
{
    QTest::addColumn<QByteArray>("args");
    QTest::newRow("no path") << QByteArray("{}");
    QTest::newRow("a path that is a number") << QByteArray(R"({"path":5})");
    QTest::newRow("an empty path") << QByteArray(R"({"path":""})");
    QTest::newRow("null args") << QByteArray("null");
}

void tst_Handlers::sha256Rejects()
{
    QFETCH(QByteArray, args);
    QJsonValue value;
    QVERIFY(JsonValue::parse(args, &value));

    Sha256Handler handler;
    TaskOutcome outcome;
    QObject parent;
    QCOMPARE(handler.prepare(taskInput(value), &outcome, &parent), nullptr);
    QVERIFY(!outcome.ok);
    QCOMPARE(outcome.error, QStringLiteral(R"(sha256: expected args {"path": string}, got )") + QString::fromUtf8(args));
}

// ---- exec ----

void tst_Handlers::execRefusedUnlessAllowed()
{
    ExecHandler handler(false);
    TaskOutcome outcome;
    QObject parent;
    QCOMPARE(handler.prepare(taskInput(execArgs({QStringLiteral("echo"), QStringLiteral("hi")})), &outcome, &parent), nullptr);
    QVERIFY(!outcome.ok);
    QVERIFY2(outcome.error.contains(QStringLiteral("exec is disabled on this worker")), qPrintable(outcome.error));
    QVERIFY2(outcome.error.contains(QStringLiteral("--allow-exec")), qPrintable(outcome.error));
    QVERIFY(parent.children().isEmpty());
}

void tst_Handlers::execRejects_data()
{
    QTest::addColumn<QByteArray>("args");
    QTest::addColumn<QString>("problem");
    QTest::newRow("args that are not an object")
            << QByteArray(R"(["echo","hi"])") << QStringLiteral(R"(got ["echo","hi"])");
    QTest::newRow("argv missing") << QByteArray(R"({"stdin":"x"})") << QStringLiteral("argv is missing or empty");
    QTest::newRow("argv empty") << QByteArray(R"({"argv":[]})") << QStringLiteral("argv is missing or empty");
    QTest::newRow("argv a string rather than a list")
            << QByteArray(R"({"argv":"echo hi"})") << QStringLiteral("argv is missing or empty");
    QTest::newRow("argv holding a number")
            << QByteArray(R"({"argv":["echo",1]})") << QStringLiteral("argv holds a non-string: 1");
    QTest::newRow("an empty program name") << QByteArray(R"({"argv":[""]})") << QStringLiteral("argv[0] is empty");
    QTest::newRow("an unknown key")
            << QByteArray(R"({"argv":["echo"],"shell":true})") << QStringLiteral(R"(got an unknown key "shell")");
    QTest::newRow("cwd not a string")
            << QByteArray(R"({"argv":["echo"],"cwd":1})") << QStringLiteral("cwd is not a string");
    QTest::newRow("env not an object")
            << QByteArray(R"({"argv":["echo"],"env":["A=1"]})") << QStringLiteral("env is not an object");
    QTest::newRow("an env value not a string")
            << QByteArray(R"({"argv":["echo"],"env":{"A":1}})") << QStringLiteral("env value of A is not a string");
    QTest::newRow("stdin not a string")
            << QByteArray(R"({"argv":["cat"],"stdin":[1]})") << QStringLiteral("stdin is not a string");
}

void tst_Handlers::execRejects()
{
    QFETCH(QByteArray, args);
    QFETCH(QString, problem);
    QJsonValue value;
    QVERIFY(JsonValue::parse(args, &value));

    ExecHandler handler(true);
    TaskOutcome outcome;
    QObject parent;
    QCOMPARE(handler.prepare(taskInput(value), &outcome, &parent), nullptr);
    QVERIFY(!outcome.ok);
    // Every refusal shows the expected shape, then says what is wrong with this one.
    QVERIFY2(outcome.error.startsWith(QStringLiteral(R"(exec: expected args {"argv": [program, args...])")),
             qPrintable(outcome.error));
    QVERIFY2(outcome.error.endsWith(problem), qPrintable(outcome.error));
}

void tst_Handlers::execRunsTheProgram_data()
{
    QTest::addColumn<QByteArray>("args");
    QTest::addColumn<qint64>("cap");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("out");
    QTest::addColumn<QString>("err");
    QTest::addColumn<bool>("outTruncated");
    QTest::addColumn<bool>("errTruncated");
    const qint64 big = ExecHandler::DefaultOutputCap;

    QTest::newRow("exit code, stdout and stderr are reported apart")
            << QByteArray(R"({"argv":["sh","-c","echo out; echo err >&2; exit 3"]})") << big << 3
            << QStringLiteral("out\n") << QStringLiteral("err\n") << false << false;
    QTest::newRow("stdin is fed to the program")
            << QByteArray(R"({"argv":["cat"],"stdin":"hello"})") << big << 0 << QStringLiteral("hello") << QString()
            << false << false;
    QTest::newRow("UTF-8 goes through stdin and stdout intact")
            << QByteArray(R"({"argv":["cat"],"stdin":"héllo 中文"})") << big << 0
            << QString::fromUtf8("héllo 中文") << QString() << false << false;
    QTest::newRow("without stdin the program reads end of file at once")
            << QByteArray(R"({"argv":["cat"]})") << big << 0 << QString() << QString() << false << false;
    QTest::newRow("arguments reach the program as they are, with no shell in between")
            << QByteArray(R"({"argv":["printf","%s|","a b","$HOME","*",";"]})") << big << 0
            << QStringLiteral("a b|$HOME|*|;|") << QString() << false << false;
    QTest::newRow("env is set for the program")
            << QByteArray(R"({"argv":["sh","-c","printf %s \"$TASKMASTER_TEST_VAR\""],"env":{"TASKMASTER_TEST_VAR":"set by the task"}})")
            << big << 0 << QStringLiteral("set by the task") << QString() << false << false;
    QTest::newRow("env adds to the worker's environment rather than replacing it")
            << QByteArray(R"({"argv":["sh","-c","test -n \"$PATH\" && printf kept"],"env":{"TASKMASTER_TEST_VAR":"1"}})")
            << big << 0 << QStringLiteral("kept") << QString() << false << false;
    QTest::newRow("output over the cap is cut at the cap and marked truncated")
            << QByteArray(R"({"argv":["sh","-c","printf 0123456789abcdefOVER; printf 0123456789ABCDEFOVER >&2"]})")
            << qint64(16) << 0 << QStringLiteral("0123456789abcdef") << QStringLiteral("0123456789ABCDEF") << true
            << true;
    QTest::newRow("output exactly at the cap is not marked truncated")
            << QByteArray(R"({"argv":["sh","-c","printf 0123456789abcdef"]})") << qint64(16) << 0
            << QStringLiteral("0123456789abcdef") << QString() << false << false;
    // More than a pipe holds, so the handler must keep feeding stdin while the program reads.
    const QByteArray bigInput = JsonValue::serialize(QJsonObject{
            {QStringLiteral("argv"), QJsonArray{QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("wc -c | tr -d ' '")}},
            {QStringLiteral("stdin"), QString(300'000, QLatin1Char('i'))}});
    QTest::newRow("a stdin larger than a pipe holds arrives in full")
            << bigInput << big << 0 << QStringLiteral("300000\n") << QString() << false << false;
    const QByteArray ignoredInput = JsonValue::serialize(QJsonObject{
            {QStringLiteral("argv"), QJsonArray{QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("exit 4")}},
            {QStringLiteral("stdin"), QString(300'000, QLatin1Char('i'))}});
    QTest::newRow("a program that exits without reading a large stdin still reports")
            << ignoredInput << big << 4 << QString() << QString() << false << false;
    QTest::newRow("a megabyte over the cap is drained and dropped, and the program still finishes")
            << QByteArray(R"({"argv":["sh","-c","head -c 1000000 /dev/zero | tr '\\0' x"]})") << qint64(16) << 0
            << QString(16, QLatin1Char('x')) << QString() << true << false;
}

void tst_Handlers::execRunsTheProgram()
{
#ifndef Q_OS_UNIX
    QSKIP("these rows run sh, cat and printf, which only Unix-like systems are sure to have");
#else
    QFETCH(QByteArray, args);
    QFETCH(qint64, cap);
    QFETCH(int, exitCode);
    QFETCH(QString, out);
    QFETCH(QString, err);
    QFETCH(bool, outTruncated);
    QFETCH(bool, errTruncated);
    QJsonValue value;
    QVERIFY(JsonValue::parse(args, &value));

    ExecHandler handler(true, cap);
    TaskOutcome outcome;
    std::unique_ptr<TaskRun> run(handler.prepare(taskInput(value), &outcome, nullptr));
    QVERIFY2(run, qPrintable(outcome.error));
    const auto reported = runToEnd(run.get());
    QVERIFY(reported);
    QVERIFY2(reported->ok, qPrintable(reported->error));

    const QJsonObject result = resultObject(*reported);
    QCOMPARE(result.value(QStringLiteral("exit_code")), QJsonValue(exitCode));
    QCOMPARE(result.value(QStringLiteral("crashed")), QJsonValue(false));
    QCOMPARE(result.value(QStringLiteral("stdout")).toString(), out);
    QCOMPARE(result.value(QStringLiteral("stderr")).toString(), err);
    QCOMPARE(result.value(QStringLiteral("stdout_truncated")), QJsonValue(outTruncated));
    QCOMPARE(result.value(QStringLiteral("stderr_truncated")), QJsonValue(errTruncated));
#endif
}

void tst_Handlers::execRunsInTheGivenDirectory()
{
#ifndef Q_OS_UNIX
    QSKIP("runs sh -c 'pwd -P', which only Unix-like systems are sure to have");
#else
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QJsonObject args = execArgs({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("pwd -P")});
    args.insert(QStringLiteral("cwd"), dir.path());

    ExecHandler handler(true);
    TaskOutcome outcome;
    std::unique_ptr<TaskRun> run(handler.prepare(taskInput(args), &outcome, nullptr));
    QVERIFY2(run, qPrintable(outcome.error));
    const auto reported = runToEnd(run.get());
    QVERIFY(reported);
    QVERIFY2(reported->ok, qPrintable(reported->error));
    // pwd -P resolves symlinks (a /tmp that is one, say), so compare canonical paths.
    QCOMPARE(resultObject(*reported).value(QStringLiteral("stdout")).toString(),
             QFileInfo(dir.path()).canonicalFilePath() + QLatin1Char('\n'));
#endif
}

void tst_Handlers::execInAMissingDirectoryFails()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QJsonObject args = execArgs({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("pwd")});
    args.insert(QStringLiteral("cwd"), dir.filePath(QStringLiteral("no such dir")));

    ExecHandler handler(true);
    TaskOutcome outcome;
    std::unique_ptr<TaskRun> run(handler.prepare(taskInput(args), &outcome, nullptr));
    QVERIFY2(run, qPrintable(outcome.error));
    const auto reported = runToEnd(run.get());
    QVERIFY(reported);
    QVERIFY(!reported->ok); // not run somewhere else instead
    QVERIFY2(reported->error.startsWith(QStringLiteral("exec: cannot start sh")), qPrintable(reported->error));
}

void tst_Handlers::execReportsACrash()
{
#ifndef Q_OS_UNIX
    QSKIP("kills sh with SIGKILL, which needs Unix signals");
#else
    ExecHandler handler(true);
    TaskOutcome outcome;
    std::unique_ptr<TaskRun> run(handler.prepare(taskInput(
            execArgs({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo before; kill -9 $$")})), &outcome,
            nullptr));
    QVERIFY(run);
    const auto reported = runToEnd(run.get());
    QVERIFY(reported);
    QVERIFY2(reported->ok, qPrintable(reported->error)); // the run worked; the program did not
    const QJsonObject result = resultObject(*reported);
    QCOMPARE(result.value(QStringLiteral("crashed")), QJsonValue(true));
    QCOMPARE(result.value(QStringLiteral("exit_code")), QJsonValue(QJsonValue::Null));
    QCOMPARE(result.value(QStringLiteral("stdout")).toString(), QStringLiteral("before\n"));
#endif
}

void tst_Handlers::execOfAMissingProgramFailsNamingIt()
{
    const QString program = QStringLiteral("taskmaster-test-no-such-program");
    ExecHandler handler(true);
    TaskOutcome outcome;
    std::unique_ptr<TaskRun> run(handler.prepare(taskInput(execArgs({program, QStringLiteral("--flag")})), &outcome, nullptr));
    QVERIFY(run); // whether the program exists is found out on the worker, when it runs
    const auto reported = runToEnd(run.get());
    QVERIFY(reported);
    QVERIFY(!reported->ok);
    QVERIFY2(reported->error.startsWith(QStringLiteral("exec: cannot start ") + program), qPrintable(reported->error));
}

#ifdef Q_OS_UNIX
namespace {

// sh writes its pid to the file named by $0, then exec's sleep, which keeps that pid. Passing the
// path as $0 spares quoting it.
QJsonObject sleeperArgs(const QString &pidFile)
{
    return execArgs({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo $$ > \"$0\"; exec sleep 30"),
                     pidFile});
}

// The pid once sh has written all of it ("pid\n"), else 0.
pid_t readPid(const QString &pidFile)
{
    QFile file(pidFile);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray text = file.readAll();
    bool ok = false;
    const qint64 pid = text.trimmed().toLongLong(&ok);
    return text.endsWith('\n') && ok ? pid_t(pid) : 0;
}



// Kills a process the test left behind, however the test ends.
struct KillOnExit {
    pid_t pid = 0;
    ~KillOnExit()
    {
        if (pid > 0)
            ::kill(pid, SIGKILL);
    }
};

} // namespace
#endif

void tst_Handlers::execCancelKillsTheProcessAndStaysSilent()
{
#ifndef Q_OS_UNIX
    QSKIP("watches the process with kill(pid, 0), which needs Unix");
#else
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString pidFile = dir.filePath(QStringLiteral("pid"));

    ExecHandler handler(true);
    TaskOutcome outcome;
    std::unique_ptr<TaskRun> run(handler.prepare(taskInput(sleeperArgs(pidFile)), &outcome, nullptr));
    QVERIFY2(run, qPrintable(outcome.error));
    QSignalSpy spy(run.get(), &TaskRun::finished);
    run->start();

    pid_t pid = 0;
    QTRY_VERIFY_WITH_TIMEOUT((pid = readPid(pidFile)) > 0, ReportTimeoutMs);
    QCOMPARE(::kill(pid, 0), 0); // running, and ours to signal

    run->cancel();
    QTRY_VERIFY(processIsGone(pid));
    QVERIFY(!spy.wait(SilenceMs));
    QCOMPARE(spy.count(), 0);
#endif
}

void tst_Handlers::execDeletingARunKillsTheProcess()
{
#ifndef Q_OS_UNIX
    QSKIP("watches the process with kill(pid, 0), which needs Unix");
#else
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString pidFile = dir.filePath(QStringLiteral("pid"));

    ExecHandler handler(true);
    TaskOutcome outcome;
    QObject parent;
    TaskRun *run = handler.prepare(taskInput(sleeperArgs(pidFile)), &outcome, &parent);
    QVERIFY2(run, qPrintable(outcome.error));
    QCOMPARE(run->parent(), &parent);
    run->start();

    pid_t pid = 0;
    QTRY_VERIFY_WITH_TIMEOUT((pid = readPid(pidFile)) > 0, ReportTimeoutMs);
    QCOMPARE(::kill(pid, 0), 0);

    delete run; // what happens to a run whose worker drops it without a cancel
    QTRY_VERIFY(processIsGone(pid));
#endif
}

void tst_Handlers::execCancelAlsoKillsWhatTheProgramStarted()
{
#ifndef Q_OS_UNIX
    QSKIP("watches the process with kill(pid, 0), which needs Unix");
#else
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString pidFile = dir.filePath(QStringLiteral("pid"));

    // The shell a task runs (sh -c "make", say) starts programs of its own; here, a sleep.
    ExecHandler handler(true);
    TaskOutcome outcome;
    std::unique_ptr<TaskRun> run(handler.prepare(
            taskInput(execArgs({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("sleep 30 & echo $! > \"$0\"; wait"),
                                pidFile})),
            &outcome, nullptr));
    QVERIFY2(run, qPrintable(outcome.error));
    run->start();

    KillOnExit grandchild;
    QTRY_VERIFY_WITH_TIMEOUT((grandchild.pid = readPid(pidFile)) > 0, ReportTimeoutMs);
    QCOMPARE(::kill(grandchild.pid, 0), 0);

    run->cancel();
    QTRY_VERIFY_WITH_TIMEOUT(processIsDead(grandchild.pid), 1000);
#endif
}

QTEST_GUILESS_MAIN(tst_Handlers)
#include "tst_handlers.moc"
