// TaskLines: JSON Lines batches, all or nothing, naming the first bad line; the spec check the
// master applies to every task; and JsonValue, which carries args as exact JSON text.

#include "task/task.h"
#include "client/taskrecordjson.h"
#include "task/tasklines.h"
#include "util/jsonvalue.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTest>

#include <limits>

namespace {

TaskLines::Parsed parseBatch(const QByteArray &text, const TaskSpec &defaults = TaskSpec())
{
    QBuffer buffer;
    buffer.setData(text);
    if (!buffer.open(QIODevice::ReadOnly))
    {
        TaskLines::Parsed failed;
        failed.error = QStringLiteral("test setup: cannot open the buffer");
        return failed;
    }
    return TaskLines::parse(&buffer, defaults);
}

// Defaults unlike the built-in ones, so a test can tell a default from a value on the line.
TaskSpec customDefaults()
{
    TaskSpec defaults;
    defaults.kind = QStringLiteral("not a kind any line should get");
    defaults.args = QByteArrayLiteral(R"("not args any line should get")");
    defaults.priority = 7;
    defaults.timeoutMs = 1500;
    defaults.maxAttempts = 5;
    return defaults;
}

QStringList kinds(const QList<TaskSpec> &specs)
{
    QStringList out;
    for (const TaskSpec &spec : specs)
        out.append(spec.kind);
    return out;
}

} // namespace

class tst_TaskLines : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void parsesEveryLineOfAValidBatch();
    void builtInDefaultsApplyWithoutCustomOnes();
    void skipsBlankLines_data();
    void skipsBlankLines();
    void readsRoutingRetryAndStartTime();
    void readsKeysLineNumbersAndTheContentHash();
    void rejectsTheBatchAtTheFirstBadLine_data();
    void rejectsTheBatchAtTheFirstBadLine();
    void storesArgsAsExactJsonText_data();
    void storesArgsAsExactJsonText();
    void aRecordLineKeepsArgsAndResultAsGiven();

    void validateTaskSpec_data();
    void validateTaskSpec();

    void jsonValueParsesAnyValue_data();
    void jsonValueParsesAnyValue();
    void jsonValueRejects_data();
    void jsonValueRejects();
    void jsonValueParseNeedsNoOutputs();
    void jsonValueSerializesScalars_data();
    void jsonValueSerializesScalars();
};

void tst_TaskLines::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void tst_TaskLines::parsesEveryLineOfAValidBatch()
{
    const QByteArray batch = R"({"kind":"square","args":{"n":3}}
{"kind":"sleep","args":{"ms":10},"priority":-5,"timeout_ms":1000,"max_attempts":2}
{"kind":"echo"}
{"args":null,"kind":"echo","priority":1000000,"timeout_ms":0,"max_attempts":1000}
{"kind":"echo","args":[1,"two",{"three":3}],"max_attempts":1}
)";
    const TaskLines::Parsed parsed = parseBatch(batch, customDefaults());
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(parsed.specs.size(), 5);

    // Only args: the rest come from the defaults.
    const TaskSpec &square = parsed.specs.at(0);
    QCOMPARE(square.kind, QStringLiteral("square"));
    QCOMPARE(square.args, QByteArray(R"({"n":3})"));
    QCOMPARE(square.priority, 7);
    QCOMPARE(square.timeoutMs, qint64(1500));
    QCOMPARE(square.maxAttempts, 5);

    // Everything given: no default shows through.
    const TaskSpec &sleep = parsed.specs.at(1);
    QCOMPARE(sleep.kind, QStringLiteral("sleep"));
    QCOMPARE(sleep.args, QByteArray(R"({"ms":10})"));
    QCOMPARE(sleep.priority, -5);
    QCOMPARE(sleep.timeoutMs, qint64(1000));
    QCOMPARE(sleep.maxAttempts, 2);

    // No args at all: null, not the defaults' args.
    const TaskSpec &bare = parsed.specs.at(2);
    QCOMPARE(bare.kind, QStringLiteral("echo"));
    QCOMPARE(bare.args, QByteArray("null"));
    QCOMPARE(bare.priority, 7);
    QCOMPARE(bare.timeoutMs, qint64(1500));
    QCOMPARE(bare.maxAttempts, 5);

    // Explicit null args, keys in any order, each number at the edge of its range.
    const TaskSpec &edges = parsed.specs.at(3);
    QCOMPARE(edges.args, QByteArray("null"));
    QCOMPARE(edges.priority, 1000000);
    QCOMPARE(edges.timeoutMs, qint64(0));
    QCOMPARE(edges.maxAttempts, 1000);

    const TaskSpec &array = parsed.specs.at(4);
    QCOMPARE(array.args, QByteArray(R"([1,"two",{"three":3}])"));
    QCOMPARE(array.maxAttempts, 1);
    QCOMPARE(array.priority, 7);
}

void tst_TaskLines::builtInDefaultsApplyWithoutCustomOnes()
{
    const TaskLines::Parsed parsed = parseBatch(QByteArray(R"({"kind":"echo"})"));
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(parsed.specs.size(), 1);
    const TaskSpec &spec = parsed.specs.first();
    QCOMPARE(spec.kind, QStringLiteral("echo"));
    QCOMPARE(spec.args, QByteArray("null"));
    QCOMPARE(spec.priority, 0);
    QCOMPARE(spec.timeoutMs, qint64(0));
    QCOMPARE(spec.maxAttempts, DefaultMaxAttempts);
}

void tst_TaskLines::skipsBlankLines_data()
{
    QTest::addColumn<QByteArray>("batch");
    QTest::addColumn<QStringList>("kinds");
    const QStringList ab = {QStringLiteral("a"), QStringLiteral("b")};
    QTest::newRow("empty lines before, between and after tasks are skipped")
            << QByteArray("\n\n{\"kind\":\"a\"}\n\n\n{\"kind\":\"b\"}\n\n") << ab;
    QTest::newRow("lines of spaces and tabs are blank too")
            << QByteArray("  \n{\"kind\":\"a\"}\n\t \n{\"kind\":\"b\"}\n") << ab;
    QTest::newRow("Windows line endings are fine")
            << QByteArray("{\"kind\":\"a\"}\r\n\r\n{\"kind\":\"b\"}\r\n") << ab;
    QTest::newRow("the last line needs no newline") << QByteArray("{\"kind\":\"a\"}\n{\"kind\":\"b\"}") << ab;
    QTest::newRow("spaces around a task are ignored")
            << QByteArray("   {\"kind\":\"a\"}   \n\t{\"kind\":\"b\"}\t\n") << ab;
    QTest::newRow("an empty batch is valid and holds no task") << QByteArray() << QStringList();
    QTest::newRow("a batch of blank lines is valid and holds no task") << QByteArray("\n \n\r\n\t\n") << QStringList();
}

void tst_TaskLines::skipsBlankLines()
{
    QFETCH(QByteArray, batch);
    QFETCH(QStringList, kinds);
    const TaskLines::Parsed parsed = parseBatch(batch);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(::kinds(parsed.specs), kinds);
}

void tst_TaskLines::readsKeysLineNumbersAndTheContentHash()
{
    const QByteArray batch = "{\"kind\":\"echo\",\"key\":\"mine\"}\n\n{\"kind\":\"echo\"}\n";
    const TaskLines::Parsed parsed = parseBatch(batch);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(parsed.keys, QStringList({QStringLiteral("mine"), QString()}));
    QCOMPARE(parsed.lines, QList<int>({1, 3})); // the blank line still counts
    QCOMPARE(parsed.sha256, QCryptographicHash::hash(batch, QCryptographicHash::Sha256));
    // One byte more is another batch.
    QVERIFY(parseBatch(batch + "\n").sha256 != parsed.sha256);
}

void tst_TaskLines::rejectsTheBatchAtTheFirstBadLine_data()
{
    QTest::addColumn<QByteArray>("batch");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("problem");
    const QByteArray good = "{\"kind\":\"echo\",\"args\":1}\n";

    QTest::newRow("bad JSON on the first line is line 1")
            << QByteArray("{\"kind\":\"square\",\n") << 1 << QStringLiteral("not valid JSON: ");
    QTest::newRow("bad JSON after two good lines and a blank one is line 4")
            << good + good + "\n" + "{kind: echo}\n" << 4 << QStringLiteral("not valid JSON: ");
    QTest::newRow("good lines after the bad one do not rescue the batch")
            << good + "not json\n" + good + good << 2 << QStringLiteral("not valid JSON: ");
    QTest::newRow("two tasks on one line are not one JSON value")
            << good + "{\"kind\":\"a\"} {\"kind\":\"b\"}\n" << 2 << QStringLiteral("not valid JSON: ");
    QTest::newRow("an array is not a task") << QByteArray("[\"square\",3]\n") << 1
                                            << QStringLiteral("expected an object like {\"kind\": ");
    QTest::newRow("a bare string is not a task")
            << good + "\"square\"\n" << 2 << QStringLiteral("expected an object like {\"kind\": ");
    QTest::newRow("a line without a kind")
            << good + "{\"args\":{\"n\":3}}\n" << 2 << QStringLiteral("\"kind\" is missing or not a string");
    QTest::newRow("a kind that is a number")
            << QByteArray("{\"kind\":7}\n") << 1 << QStringLiteral("\"kind\" is missing or not a string");
    QTest::newRow("a kind that is null")
            << QByteArray("{\"kind\":null}\n") << 1 << QStringLiteral("\"kind\" is missing or not a string");
    QTest::newRow("an empty kind") << QByteArray("{\"kind\":\"\"}\n") << 1 << QStringLiteral("the task kind is empty");
    QTest::newRow("a key twice on a line") << good + "{\"kind\":\"echo\",\"args\":1,\"args\":2}\n" << 2
                                           << QStringLiteral("the key \"args\" appears twice");
    QTest::newRow("an empty key") << good + "{\"kind\":\"echo\",\"key\":\"\"}\n" << 2
                                  << QStringLiteral("\"key\" must be a string of 1 to 512 characters");
    QTest::newRow("a key that is a number") << QByteArray("{\"kind\":\"echo\",\"key\":7}\n") << 1
                                            << QStringLiteral("\"key\" must be a string of 1 to 512 characters");
    QTest::newRow("a key that is too long")
            << "{\"kind\":\"echo\",\"key\":\"" + QByteArray(513, 'k') + "\"}\n" << 1
            << QStringLiteral("\"key\" must be a string of 1 to 512 characters");
    QTest::newRow("an unknown key is named, with the known ones")
            << good + good + "{\"kind\":\"square\",\"arg\":{\"n\":3}}\n" << 3
            << QStringLiteral("unknown key \"arg\" (known: kind, args, priority, timeout_ms, max_attempts, requires, "
                              "delay_ms, run_at, retry_delay_ms, key)");
    QTest::newRow("requires that is not a list")
            << QByteArray("{\"kind\":\"echo\",\"requires\":\"gpu\"}\n") << 1
            << QStringLiteral("\"requires\" must be a list of tags");
    QTest::newRow("requires with a number in it")
            << QByteArray("{\"kind\":\"echo\",\"requires\":[\"gpu\",3]}\n") << 1
            << QStringLiteral("\"requires\" must hold strings only, not 3");
    QTest::newRow("a required tag with a space")
            << QByteArray("{\"kind\":\"echo\",\"requires\":[\"big gpu\"]}\n") << 1
            << QStringLiteral("the tag \"big gpu\" has a space, a comma or a control character");
    QTest::newRow("seventeen required tags")
            << QByteArray("{\"kind\":\"echo\",\"requires\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\",\"l\",\"m\",\"n\",\"o\",\"p\",\"q\"]}\n")
            << 1 << QStringLiteral("a task may require at most 16 tags, not 17");
    QTest::newRow("a negative delay")
            << QByteArray("{\"kind\":\"echo\",\"delay_ms\":-5}\n") << 1
            << QStringLiteral("\"delay_ms\" must be an integer from 0 to 31622400000");
    QTest::newRow("a retry delay over ten minutes")
            << QByteArray("{\"kind\":\"echo\",\"retry_delay_ms\":600001}\n") << 1
            << QStringLiteral("\"retry_delay_ms\" must be an integer from 0 to 600000");
    QTest::newRow("a start time without a zone")
            << QByteArray("{\"kind\":\"echo\",\"run_at\":\"2026-12-24T18:00:00\"}\n") << 1
            << QStringLiteral("\"run_at\" \"2026-12-24T18:00:00\" is not an ISO 8601 time with a zone");
    QTest::newRow("a start time that is not a time")
            << QByteArray("{\"kind\":\"echo\",\"run_at\":true}\n") << 1
            << QStringLiteral("\"run_at\" must be milliseconds since 1970");
    QTest::newRow("max_attempts of zero is out of range")
            << QByteArray("{\"kind\":\"echo\",\"max_attempts\":0}\n") << 1
            << QStringLiteral("\"max_attempts\" must be an integer from 1 to 1000");
    QTest::newRow("max_attempts above a thousand is out of range")
            << good + "{\"kind\":\"echo\",\"max_attempts\":1001}\n" << 2
            << QStringLiteral("\"max_attempts\" must be an integer from 1 to 1000");
    QTest::newRow("max_attempts in a string is not an integer")
            << QByteArray("{\"kind\":\"echo\",\"max_attempts\":\"3\"}\n") << 1
            << QStringLiteral("\"max_attempts\" must be an integer from 1 to 1000");
    QTest::newRow("a negative timeout")
            << good + "\n{\"kind\":\"sleep\",\"timeout_ms\":-1}\n" << 3
            << QStringLiteral("\"timeout_ms\" must be an integer from 0 to 31536000000");
    QTest::newRow("a timeout of more than a year")
            << QByteArray("{\"kind\":\"sleep\",\"timeout_ms\":31536000001}\n") << 1
            << QStringLiteral("\"timeout_ms\" must be an integer from 0 to 31536000000");
    QTest::newRow("a fractional priority")
            << QByteArray("{\"kind\":\"echo\",\"priority\":1.5}\n") << 1
            << QStringLiteral("\"priority\" must be an integer from -1000000 to 1000000");
    QTest::newRow("a priority just below the range")
            << QByteArray("{\"kind\":\"echo\",\"priority\":-1000001}\n") << 1
            << QStringLiteral("\"priority\" must be an integer from -1000000 to 1000000");
    QTest::newRow("a priority far past 64 bits")
            << QByteArray("{\"kind\":\"echo\",\"priority\":1e300}\n") << 1
            << QStringLiteral("\"priority\" must be an integer from -1000000 to 1000000");
}

void tst_TaskLines::readsRoutingRetryAndStartTime()
{
    const TaskLines::Parsed parsed = parseBatch(
            "{\"kind\":\"echo\",\"requires\":[\"zone=eu\",\"gpu\",\"gpu\"],\"delay_ms\":1500,\"retry_delay_ms\":0}\n"
            "{\"kind\":\"echo\",\"run_at\":\"2026-12-24T19:00:00+01:00\"}\n"
            "{\"kind\":\"echo\",\"run_at\":1798135200000}\n",
            TaskSpec());
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(parsed.specs.size(), 3);
    // Sorted, without the duplicate: the route of a task does not depend on how tags were listed.
    QCOMPARE(parsed.specs[0].requiredTags, (QStringList{QStringLiteral("gpu"), QStringLiteral("zone=eu")}));
    QCOMPARE(parsed.specs[0].delayMs, qint64(1500));
    QCOMPARE(parsed.specs[0].retryDelayMs, qint64(0));
    QCOMPARE(parsed.specs[1].runAtMs, qint64(1798135200000)); // 18:00 UTC
    QCOMPARE(parsed.specs[2].runAtMs, qint64(1798135200000));
    QCOMPARE(parsed.specs[1].retryDelayMs, DefaultRetryDelayMs);
}

void tst_TaskLines::rejectsTheBatchAtTheFirstBadLine()
{
    QFETCH(QByteArray, batch);
    QFETCH(int, line);
    QFETCH(QString, problem);
    const TaskLines::Parsed parsed = parseBatch(batch, customDefaults());
    QVERIFY(!parsed.ok());
    QVERIFY(parsed.specs.isEmpty()); // all or nothing, whatever came before
    const QString prefix = QStringLiteral("line %1: ").arg(line);
    QVERIFY2(parsed.error.startsWith(prefix + problem), qPrintable(parsed.error));
}

void tst_TaskLines::storesArgsAsExactJsonText_data()
{
    QTest::addColumn<QByteArray>("args");
    QTest::addColumn<QByteArray>("stored");
    QTest::newRow("the largest 64-bit integer keeps every digit")
            << QByteArray("9223372036854775807") << QByteArray("9223372036854775807");
    QTest::newRow("the smallest 64-bit integer keeps every digit")
            << QByteArray("-9223372036854775808") << QByteArray("-9223372036854775808");
    QTest::newRow("an integer a double would round keeps every digit")
            << QByteArray(R"({"id":9007199254740993})") << QByteArray(R"({"id":9007199254740993})");
    QTest::newRow("UTF-8 text comes through unchanged")
            << QByteArray(R"({"s":"héllo 中文 🎉"})") << QByteArray(R"({"s":"héllo 中文 🎉"})");
    QTest::newRow("escaped non-ASCII stays as written")
            << QByteArray(R"({"s":"h\u00e9llo \u4e2d\u6587"})") << QByteArray(R"({"s":"h\u00e9llo \u4e2d\u6587"})");
    QTest::newRow("quotes, backslashes and newlines stay escaped")
            << QByteArray(R"({"s":"a\"b\\c\nd"})") << QByteArray(R"({"s":"a\"b\\c\nd"})");
    QTest::newRow("spaces inside args stay as written")
            << QByteArray(R"({ "a" : [ 1 , 2.5 , true ] })") << QByteArray(R"({ "a" : [ 1 , 2.5 , true ] })");
    QTest::newRow("an integer beyond 64 bits keeps every digit")
            << QByteArray(R"({"n":123456789012345678901234567890})") << QByteArray(R"({"n":123456789012345678901234567890})");
    QTest::newRow("keys keep their order")
            << QByteArray(R"({"zeta":1,"alpha":2,"mid":3})") << QByteArray(R"({"zeta":1,"alpha":2,"mid":3})");
    QTest::newRow("a closing brace in a string does not end the args")
            << QByteArray(R"({"s":"}]","t":["{",{"u":"\"}"}]})") << QByteArray(R"({"s":"}]","t":["{",{"u":"\"}"}]})");
    QTest::newRow("a scalar before a space") << QByteArray("-1.5e3 ") << QByteArray("-1.5e3");
}

void tst_TaskLines::storesArgsAsExactJsonText()
{
    QFETCH(QByteArray, args);
    QFETCH(QByteArray, stored);
    const TaskLines::Parsed parsed = parseBatch(QByteArray(R"({"kind":"echo","args":)") + args + "}\n");
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(parsed.specs.size(), 1);
    QCOMPARE(parsed.specs.first().args, stored);

    // And the stored text reads back as the value that was sent.
    QJsonValue sent;
    QJsonValue readBack;
    QVERIFY(JsonValue::parse(args, &sent));
    QVERIFY(JsonValue::parse(stored, &readBack));
    QCOMPARE(readBack, sent);
}

void tst_TaskLines::aRecordLineKeepsArgsAndResultAsGiven()
{
    Messages::TaskRecord record;
    record.id = 7;
    record.kind = QStringLiteral("echo");
    record.args = R"({"zeta":1,"n":123456789012345678901234567890})";
    record.state = quint8(TaskState::Done);
    record.attempts = 1;
    record.worker = QStringLiteral(R"(w"state":x)");
    record.result = R"({"b" : 2,"a":1})";
    record.requiredTags = {QStringLiteral("gpu")};
    QCOMPARE(TaskRecordJson::toLine(record),
             QByteArray(R"({"args":{"zeta":1,"n":123456789012345678901234567890},"attempts":1,"id":7,"kind":"echo",)"
                        R"("priority":0,"requires":["gpu"],"result":{"b" : 2,"a":1},"state":"done","worker":"w\"state\":x"})"));

    // Where args and result are already compact and sorted, the line is exactly toJson's.
    record.args = R"({"a":1})";
    record.result = "[1,2]";
    record.requiredTags.clear();
    QCOMPARE(TaskRecordJson::toLine(record), QJsonDocument(TaskRecordJson::toJson(record)).toJson(QJsonDocument::Compact));
    record.state = quint8(TaskState::Failed);
    record.error = QStringLiteral("boom");
    QCOMPARE(TaskRecordJson::toLine(record), QJsonDocument(TaskRecordJson::toJson(record)).toJson(QJsonDocument::Compact));
    // A result with a line break inside stays on one line.
    record.state = quint8(TaskState::Done);
    record.result = "{\n  \"a\": 1\n}";
    QVERIFY(!TaskRecordJson::toLine(record).contains('\n'));
    QVERIFY(TaskRecordJson::toLine(record).contains(R"("result":{"a":1})"));
}

void tst_TaskLines::validateTaskSpec_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QByteArray>("args");
    QTest::addColumn<int>("maxAttempts");
    QTest::addColumn<qint64>("timeoutMs");
    QTest::addColumn<QString>("error"); // empty: valid

    const QString sq = QStringLiteral("square");
    const QByteArray n3 = R"({"n":3})";
    QTest::newRow("a plain spec is valid") << sq << n3 << 3 << qint64(0) << QString();
    QTest::newRow("null args are valid") << sq << QByteArray("null") << 3 << qint64(0) << QString();
    QTest::newRow("a bare string is valid args") << sq << QByteArray(R"("x")") << 3 << qint64(0) << QString();
    QTest::newRow("one attempt is allowed") << sq << n3 << 1 << qint64(0) << QString();
    QTest::newRow("a thousand attempts are allowed") << sq << n3 << 1000 << qint64(0) << QString();
    QTest::newRow("a kind of 256 characters is allowed")
            << QString(256, QLatin1Char('k')) << n3 << 3 << qint64(0) << QString();
    QTest::newRow("an empty kind") << QString() << n3 << 3 << qint64(0) << QStringLiteral("the task kind is empty");
    QTest::newRow("a kind of only spaces is empty")
            << QStringLiteral("   ") << n3 << 3 << qint64(0) << QStringLiteral("the task kind is empty");
    QTest::newRow("a kind of 257 characters is too long")
            << QString(257, QLatin1Char('k')) << n3 << 3 << qint64(0)
            << QStringLiteral("the task kind is longer than 256 characters");
    QTest::newRow("zero attempts")
            << sq << n3 << 0 << qint64(0) << QStringLiteral("max attempts must be between 1 and 1000, not 0");
    QTest::newRow("1001 attempts")
            << sq << n3 << 1001 << qint64(0) << QStringLiteral("max attempts must be between 1 and 1000, not 1001");
    QTest::newRow("a negative timeout")
            << sq << n3 << 3 << qint64(-1) << QStringLiteral("the timeout must not be negative");
    QTest::newRow("args of two values with a comma between are not JSON")
            << sq << QByteArray("1,2") << 3 << qint64(0) << QStringLiteral("args are not valid JSON: ");
    QTest::newRow("empty args text is not JSON")
            << sq << QByteArray() << 3 << qint64(0) << QStringLiteral("args are not valid JSON: ");
    QTest::newRow("unfinished args are not JSON")
            << sq << QByteArray(R"({"n":)") << 3 << qint64(0) << QStringLiteral("args are not valid JSON: ");
}

void tst_TaskLines::validateTaskSpec()
{
    QFETCH(QString, kind);
    QFETCH(QByteArray, args);
    QFETCH(int, maxAttempts);
    QFETCH(qint64, timeoutMs);
    QFETCH(QString, error);

    TaskSpec spec;
    spec.kind = kind;
    spec.args = args;
    spec.maxAttempts = maxAttempts;
    spec.timeoutMs = timeoutMs;
    const QString got = ::validateTaskSpec(spec);
    if (error.isEmpty())
        QVERIFY2(got.isEmpty(), qPrintable(got));
    else
        QVERIFY2(got.startsWith(error), qPrintable(got));
}

void tst_TaskLines::jsonValueParsesAnyValue_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QByteArray>("compact");
    QTest::newRow("an integer") << QByteArray("42") << QJsonValue(42) << QByteArray("42");
    QTest::newRow("a negative integer") << QByteArray("-7") << QJsonValue(-7) << QByteArray("-7");
    QTest::newRow("the largest 64-bit integer")
            << QByteArray("9223372036854775807") << QJsonValue(std::numeric_limits<qint64>::max())
            << QByteArray("9223372036854775807");
    QTest::newRow("an integer a double would round")
            << QByteArray("9007199254740993") << QJsonValue(qint64(9007199254740993)) << QByteArray("9007199254740993");
    QTest::newRow("a fraction") << QByteArray("1.5") << QJsonValue(1.5) << QByteArray("1.5");
    QTest::newRow("a string in UTF-8") << QByteArray(R"("héllo 中文")")
                                       << QJsonValue(QString::fromUtf8("héllo 中文")) << QByteArray(R"("héllo 中文")");
    QTest::newRow("an empty string") << QByteArray(R"("")") << QJsonValue(QString()) << QByteArray(R"("")");
    QTest::newRow("null") << QByteArray("null") << QJsonValue(QJsonValue::Null) << QByteArray("null");
    QTest::newRow("true") << QByteArray("true") << QJsonValue(true) << QByteArray("true");
    QTest::newRow("false") << QByteArray("false") << QJsonValue(false) << QByteArray("false");
    QTest::newRow("a value with spaces and newlines around it")
            << QByteArray(" \n\t42\r\n ") << QJsonValue(42) << QByteArray("42");
    QTest::newRow("an object") << QByteArray(R"({"b": 1, "a": [true]})")
                               << QJsonValue(QJsonObject{{QStringLiteral("a"), QJsonArray{true}},
                                                         {QStringLiteral("b"), 1}})
                               << QByteArray(R"({"a":[true],"b":1})");
    QTest::newRow("an array") << QByteArray("[1, \"two\", null]")
                              << QJsonValue(QJsonArray{1, QStringLiteral("two"), QJsonValue::Null})
                              << QByteArray(R"([1,"two",null])");
}

void tst_TaskLines::jsonValueParsesAnyValue()
{
    QFETCH(QByteArray, text);
    QFETCH(QJsonValue, value);
    QFETCH(QByteArray, compact);
    QJsonValue parsed;
    QString error = QStringLiteral("untouched");
    QVERIFY2(JsonValue::parse(text, &parsed, &error), qPrintable(error));
    QCOMPARE(parsed, value);
    QCOMPARE(parsed.type(), value.type());
    QCOMPARE(JsonValue::serialize(parsed), compact);
}

void tst_TaskLines::jsonValueRejects_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error"); // how the message starts; empty: any message
    QTest::newRow("two values with a comma between") << QByteArray("1,2") << QStringLiteral("more than one JSON value");
    QTest::newRow("two strings with a comma between")
            << QByteArray(R"("a","b")") << QStringLiteral("more than one JSON value");
    QTest::newRow("empty input") << QByteArray() << QStringLiteral("no JSON value");
    QTest::newRow("only whitespace") << QByteArray(" \n\t ") << QStringLiteral("no JSON value");
    QTest::newRow("a value and a trailing comma") << QByteArray("1,") << QString();
    QTest::newRow("two values with only a space between") << QByteArray("1 2") << QString();
    QTest::newRow("an unclosed array") << QByteArray("[1") << QString();
    QTest::newRow("a stray bracket that would close the wrapping array") << QByteArray("1]") << QString();
    QTest::newRow("brackets that would smuggle in a second array") << QByteArray("1],[2") << QString();
    QTest::newRow("a truncated literal") << QByteArray("nul") << QString();
    QTest::newRow("a bare word") << QByteArray("hello") << QString();
    QTest::newRow("an unquoted object key") << QByteArray("{n:1}") << QString();
    QTest::newRow("a single-quoted string") << QByteArray("'x'") << QString();
}

void tst_TaskLines::jsonValueRejects()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);
    QJsonValue value(QStringLiteral("untouched"));
    QString message;
    QVERIFY(!JsonValue::parse(text, &value, &message));
    QCOMPARE(value, QJsonValue(QStringLiteral("untouched")));
    QVERIFY(!message.isEmpty());
    QVERIFY2(message.startsWith(error), qPrintable(message));
}

void tst_TaskLines::jsonValueParseNeedsNoOutputs()
{
    QVERIFY(JsonValue::parse(QByteArray("1"), nullptr, nullptr));
    QVERIFY(!JsonValue::parse(QByteArray("1,2"), nullptr, nullptr));
    QVERIFY(!JsonValue::parse(QByteArray("{"), nullptr, nullptr));
}

void tst_TaskLines::jsonValueSerializesScalars_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("an integer") << QJsonValue(42) << QByteArray("42");
    QTest::newRow("the smallest 64-bit integer")
            << QJsonValue(std::numeric_limits<qint64>::min()) << QByteArray("-9223372036854775808");
    QTest::newRow("a fraction") << QJsonValue(0.25) << QByteArray("0.25");
    QTest::newRow("a string that needs escapes")
            << QJsonValue(QStringLiteral("say \"hi\"\n")) << QByteArray(R"("say \"hi\"\n")");
    QTest::newRow("a UTF-8 string") << QJsonValue(QString::fromUtf8("中文")) << QByteArray(R"("中文")");
    QTest::newRow("null") << QJsonValue(QJsonValue::Null) << QByteArray("null");
    QTest::newRow("true") << QJsonValue(true) << QByteArray("true");
}

void tst_TaskLines::jsonValueSerializesScalars()
{
    QFETCH(QJsonValue, value);
    QFETCH(QByteArray, text);
    QCOMPARE(JsonValue::serialize(value), text);
    QJsonValue back;
    QVERIFY(JsonValue::parse(text, &back));
    QCOMPARE(back, value);
}

QTEST_GUILESS_MAIN(tst_TaskLines)
#include "tst_tasklines.moc"
