// Promises kept at the edges, mostly by the real binaries over loopback: owner-only data and
// key files, key files that are not files, peer-supplied names that carry terminal controls,
// watch over TLS, one error line per failure, a data directory that cannot be written, and
// timeouts too large to keep.

#include "auth/authkey.h"
#include "client/masterclient.h"
#include "client/masterlink.h"
#include "processes.h"
#include "protocol/messages.h"
#include "task/task.h"
#include "util/mastersettings.h"
#include "util/printable.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#endif

namespace {

const QByteArray Key = QByteArrayLiteral("edges test key");

#ifdef Q_OS_UNIX
// The permission bits of path, as chmod writes them.
int modeOf(const QString &path)
{
    struct stat st;
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 07777);
}
#endif

// True when text holds a C0/C1 control other than the newlines that end its lines, DEL, or a
// bidi override: what a terminal or a log viewer would act on.
bool hasRawControls(const QByteArray &bytes)
{
    const QString text = QString::fromUtf8(bytes);
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if ((u < 0x20 && u != u'\n') || (u >= 0x7f && u <= 0x9f) || (u >= 0x202a && u <= 0x202e)
            || (u >= 0x2066 && u <= 0x2069))
            return true;
    }
    return false;
}

// `taskmaster submit [extraArgs] square {"n":N}`: the new task's id, or "" when submit failed.
QString submitSquare(quint16 port, int n, const QStringList &extraArgs = {})
{
    TestProcess submit(QStringLiteral(TASKMASTER_BIN),
                       QStringList{QStringLiteral("submit")} + extraArgs
                               + QStringList{QStringLiteral("square"), QStringLiteral("{\"n\":%1}").arg(n)}
                               + connectionArgs(port),
                       Key);
    if (!submit.waitForExit() || submit.exitCode() != 0)
        return {};
    return QString::fromLatin1(submit.stdoutText().trimmed());
}

QByteArray writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        return "cannot write " + path.toUtf8();
    return {};
}

} // namespace

class tst_Edges : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void dataDirectoryAndStoreFilesAreOwnerOnly();
    void keyFileWrittenByTheAppIsOwnerOnly();
    void keyFilesThatAreNotSmallFilesAreRefused_data();
    void keyFilesThatAreNotSmallFilesAreRefused();
    void keyFileReadableByOthersWarnsOnce();
    void printableEscapesControls_data();
    void printableEscapesControls();
    void controlCharactersFromAWorkerAreEscaped();
    void watchWorksOverTls();
    void watchPrintsNoParserWarnings();
    void failingClientPrintsOneLine_data();
    void failingClientPrintsOneLine();
    void unusableDataDirectorySaysWhy();
    void hugeTimeoutsAreRefused();
    void tlsKeyThatDoesNotMatchItsCertificateIsRefused();
    void expiredTlsCertificateWarns();

private:
    QTemporaryDir m_dir;
};

void tst_Edges::initTestCase()
{
    QVERIFY(m_dir.isValid());
#ifdef Q_OS_UNIX
    // The modes below must not depend on the umask of whoever runs the tests.
    ::umask(022);
#endif
}

void tst_Edges::dataDirectoryAndStoreFilesAreOwnerOnly()
{
#ifndef Q_OS_UNIX
    QSKIP("POSIX permission bits; on Windows the per-user profile's ACL protects the data directory");
#else
    const QString data = m_dir.filePath(QStringLiteral("modes/data"));
    {
        TestMaster master(Key, {QStringLiteral("--data-dir"), data});
        QVERIFY2(master.isReady(), master.process().stderrText().constData());
        // A submitted task is committed, so the write-ahead log and its index exist.
        QVERIFY(!submitSquare(master.port(), 2).isEmpty());
        QCOMPARE(modeOf(data), 0700);
        for (const char *name : {"tasks.sqlite", "tasks.sqlite-wal", "tasks.sqlite-shm", "taskmaster.lock"}) {
            const QString file = QDir(data).filePath(QLatin1String(name));
            QVERIFY2(QFileInfo::exists(file), name);
            QVERIFY2(modeOf(file) == 0600, qPrintable(QStringLiteral("%1 has mode %2").arg(file).arg(modeOf(file), 0, 8)));
        }
    }
    // Files an older master left readable by others are tightened when the store opens again.
    const QString db = QDir(data).filePath(QStringLiteral("tasks.sqlite"));
    QVERIFY(QFile::setPermissions(db, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup
                                              | QFileDevice::ReadOther));
    TestMaster again(Key, {QStringLiteral("--data-dir"), data});
    QVERIFY2(again.isReady(), again.process().stderrText().constData());
    QCOMPARE(modeOf(db), 0600);
#endif
}

void tst_Edges::keyFileWrittenByTheAppIsOwnerOnly()
{
#ifndef Q_OS_UNIX
    QSKIP("POSIX permission bits; on Windows the per-user profile's ACL protects the key file");
#else
    QSettings ini(m_dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    MasterSettings settings(&ini);
    const QString folder = m_dir.filePath(QStringLiteral("appdata/taskmaster"));
    settings.setKeyFilePath(QDir(folder).filePath(QStringLiteral("authkey")));
    QString error;
    QVERIFY2(settings.writeKey(MasterSettings::generateKey(), &error), qPrintable(error));
    QCOMPARE(modeOf(settings.keyFilePath()), 0600);
    QCOMPARE(modeOf(folder), 0700);
#endif
}

void tst_Edges::keyFilesThatAreNotSmallFilesAreRefused_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("expected");
    const QString big = m_dir.filePath(QStringLiteral("big.key"));
    QVERIFY(writeFile(big, QByteArray(AuthKey::MaxKeyFileSize + 1, 'k')).isEmpty());
    QTest::newRow("larger than the limit") << big << QStringLiteral("larger than %1 bytes").arg(AuthKey::MaxKeyFileSize);
    QTest::newRow("directory") << m_dir.path() << QStringLiteral("is a directory");
#ifdef Q_OS_UNIX
    QTest::newRow("device") << QStringLiteral("/dev/zero") << QStringLiteral("not a regular file");
    const QString fifo = m_dir.filePath(QStringLiteral("key.fifo"));
    QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
    QTest::newRow("fifo") << fifo << QStringLiteral("not a regular file");
#endif
}

void tst_Edges::keyFilesThatAreNotSmallFilesAreRefused()
{
    QFETCH(QString, path);
    QFETCH(QString, expected);
    for (const QString &program : {QStringLiteral(TASKMASTER_BIN), QStringLiteral(TASKWORKER_BIN)}) {
        const QStringList args = (program.endsWith(QLatin1String("taskmaster")) ? QStringList{QStringLiteral("status")}
                                                                                 : QStringList())
                + connectionArgs(freePort()) + QStringList{QStringLiteral("--authkey-file"), path};
        TestProcess client(program, args, QByteArray());
        QVERIFY2(client.waitForExit(10'000), qPrintable(program + QStringLiteral(" hangs on ") + path));
        QCOMPARE(client.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(client.exitCode(), 2);
        const QString err = QString::fromUtf8(client.stderrText());
        QVERIFY2(err.contains(expected) && err.contains(path), qPrintable(err));
        QCOMPARE(client.stderrText().count('\n'), 1);
    }
}

void tst_Edges::keyFileReadableByOthersWarnsOnce()
{
#ifndef Q_OS_UNIX
    QSKIP("POSIX permission bits");
#else
    const QString path = m_dir.filePath(QStringLiteral("shared.key"));
    QVERIFY(writeFile(path, Key + '\n').isEmpty());
    QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup));
    const QRegularExpression warning(QStringLiteral("authkey file .*shared\\.key.* can be read by other users"));
    QTest::ignoreMessage(QtWarningMsg, warning);
    AuthKey::Resolved first = AuthKey::resolve(path, QString(), false);
    QVERIFY(first.ok);
    QCOMPARE(first.key, Key);
    QTest::failOnWarning(warning);
    QVERIFY(AuthKey::resolve(path, QString(), false).ok);

    // And the binaries say it on stderr, and still work; an owner-only file says nothing.
    TestMaster master(Key);
    QVERIFY(master.isReady());
    for (const bool shared : {true, false}) {
        if (!shared)
            QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        TestProcess status(QStringLiteral(TASKMASTER_BIN),
                           QStringList{QStringLiteral("status"), QStringLiteral("--authkey-file"), path}
                                   + connectionArgs(master.port()),
                           QByteArray());
        QVERIFY(status.waitForExit());
        QCOMPARE(status.exitCode(), 0);
        QVERIFY2(QString::fromUtf8(status.stderrText()).contains(warning) == shared, status.stderrText().constData());
        QCOMPARE(status.stderrText().count('\n'), shared ? 1 : 0);
    }
#endif
}

void tst_Edges::printableEscapesControls_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain") << QStringLiteral("worker-1 on höst") << QStringLiteral("worker-1 on höst");
    QTest::newRow("newline and tab") << QStringLiteral("a\nb\tc\r") << QStringLiteral("a\\nb\\tc\\r");
    QTest::newRow("escape sequence") << QStringLiteral("evil\x1b[2J") << QStringLiteral("evil\\x1b[2J");
    QTest::newRow("nul and del") << QString::fromUtf16(u"a\u0000b\u007f", 4) << QStringLiteral("a\\x00b\\x7f");
    QTest::newRow("c1 control") << QString::fromUtf16(u"x\u009by") << QStringLiteral("x\\x9by");
    QTest::newRow("bidi override") << QString::fromUtf16(u"abc\u202Efed\u2066g\u2069")
                                   << QStringLiteral("abc\\u202efed\\u2066g\\u2069");
    QTest::newRow("line separator") << QString::fromUtf16(u"a\u2028b") << QStringLiteral("a\\u2028b");
}

void tst_Edges::printableEscapesControls()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QCOMPARE(printable(input), expected);
    QVERIFY(!hasRawControls(printable(input).toUtf8()));
}

void tst_Edges::controlCharactersFromAWorkerAreEscaped()
{
    TestMaster master(Key);
    QVERIFY(master.isReady());
    const QString evil = QString::fromUtf16(u"evil\n\x1b[2J\u202Eforged");

    // A worker that lies in its hello: the shape the real worker sends, with hostile strings.
    MasterLink link(Protocol::Role::Worker, Key);
    QSignalSpy ready(&link, &MasterLink::ready);
    link.open(QStringLiteral("127.0.0.1"), master.port());
    QVERIFY(ready.wait(10'000));
    link.send(Messages::encodeFrame(Messages::WorkerHello{evil, QStringLiteral("host\r\x1b]0;title\x07"), 42, 1,
                                                          {QStringLiteral("square")}}));
    QTRY_COMPARE_WITH_TIMEOUT(masterStatus(master.port(), Key).value(QStringLiteral("workers")).toArray().size(), 1,
                              10'000);

    TestProcess status(QStringLiteral(TASKMASTER_BIN), QStringList{QStringLiteral("status")} + connectionArgs(master.port()),
                       Key);
    QVERIFY(status.waitForExit());
    QCOMPARE(status.exitCode(), 0);
    QVERIFY2(!hasRawControls(status.stdoutText()), status.stdoutText().toHex(' ').constData());
    // One worker, one line: the newline in its name did not start a line of its own.
    const QList<QByteArray> lines = status.stdoutText().split('\n');
    const auto workerLine = std::find_if(lines.cbegin(), lines.cend(), [](const QByteArray &l) { return l.contains("evil"); });
    QVERIFY(workerLine != lines.cend());
    QVERIFY2(workerLine->contains("forged") && workerLine->contains("title"), workerLine->constData());

    // Its error text reaches watch as JSON, where DEL, C1 controls and bidi overrides, which
    // JSON leaves as they are, must be escaped too.
    QList<Messages::TaskAssignment> assigned;
    QObject::connect(&link, &MasterLink::frameReceived, &link, [&](Protocol::MessageType type, const QByteArray &body) {
        Messages::AssignTasks tasks;
        if (type == Protocol::MessageType::AssignTasks && Messages::decodeBody(body, tasks))
            assigned += tasks.tasks;
    });
    QVERIFY(!submitSquare(master.port(), 2, {QStringLiteral("--max-attempts"), QStringLiteral("1")}).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(assigned.size(), 1, 10'000);
    const QString badError = QString::fromUtf16(u"bad\u009b2J\u202Edesrever\u007f");
    link.send(Messages::encodeFrame(Messages::TaskResults{
            {{assigned.first().id, assigned.first().attempt, quint8(Messages::Outcome::Error), {}, badError, 1, 1}}}));
    TestProcess watch(QStringLiteral(TASKMASTER_BIN),
                      QStringList{QStringLiteral("watch"), QString::number(assigned.first().id)}
                              + connectionArgs(master.port()),
                      Key);
    QVERIFY(watch.waitForExit());
    QCOMPARE(watch.exitCode(), 1);
    QVERIFY2(!hasRawControls(watch.stdoutText()), watch.stdoutText().constData());
    QCOMPARE(QJsonDocument::fromJson(watch.stdoutText()).object().value(QStringLiteral("error")).toString(), badError);

    // A goodbye with controls in its reason, logged by the master as the worker leaves.
    link.send(Messages::encodeFrame(Messages::Goodbye{QStringLiteral("bye\n\x1b[31mmaster: fake line")}));
    QVERIFY(master.process().waitForStderr("fake line"));
    const QByteArray log = master.process().stderrText();
    QVERIFY2(!hasRawControls(log), log.toHex(' ').constData());
    for (const QByteArray &line : log.split('\n')) {
        if (line.contains("fake line") || line.contains("forged"))
            QVERIFY2(line.startsWith("taskmaster: "), line.constData());
    }
}

void tst_Edges::watchWorksOverTls()
{
    QVERIFY(makeSelfSignedCertificate(m_dir.path(), QStringLiteral("watch")));
    TestMaster master(Key, {QStringLiteral("--tls-cert"), m_dir.filePath(QStringLiteral("watch.pem")),
                            QStringLiteral("--tls-key"), m_dir.filePath(QStringLiteral("watch.key"))});
    QVERIFY2(master.isReady(), master.process().stderrText().constData());
    QVERIFY(master.process().waitForStdoutLines(2));
    const QByteArray line = master.process().stdoutLines().at(1);
    QVERIFY(line.startsWith("tls certificate sha256 fingerprint "));
    const QStringList tls{QStringLiteral("--tls-fingerprint"), QString::fromLatin1(line.split(' ').last())};

    const QString id = submitSquare(master.port(), 7, tls);
    QVERIFY(!id.isEmpty());
    TestProcess watch(QStringLiteral(TASKMASTER_BIN),
                      QStringList{QStringLiteral("watch"), id} + connectionArgs(master.port()) + tls, Key);
    auto worker = startWorker(master.port(), Key, QStringLiteral("tls-worker"), tls);
    QVERIFY(watch.waitForExit());
    QVERIFY2(watch.exitCode() == 0, watch.stderrText().constData());
    const QJsonObject record = QJsonDocument::fromJson(watch.stdoutText()).object();
    QCOMPARE(record.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
    QCOMPARE(record.value(QStringLiteral("result")).toInt(), 49);
    QCOMPARE(watch.stderrText(), QByteArray());
}

void tst_Edges::watchPrintsNoParserWarnings()
{
    TestMaster master(Key);
    QVERIFY(master.isReady());
    const QString id = submitSquare(master.port(), 3);
    QVERIFY(!id.isEmpty());
    auto worker = startWorker(master.port(), Key, QStringLiteral("w"));
    TestProcess watch(QStringLiteral(TASKMASTER_BIN), QStringList{QStringLiteral("watch"), id} + connectionArgs(master.port()),
                      Key);
    QVERIFY(watch.waitForExit());
    QCOMPARE(watch.exitCode(), 0);
    QCOMPARE(watch.stderrText(), QByteArray());
}

void tst_Edges::failingClientPrintsOneLine_data()
{
    QTest::addColumn<QStringList>("command");
    QTest::addColumn<QString>("master"); // "wrong key", "none" or "silent"
    QTest::addColumn<int>("exitCode");
    const QList<std::pair<const char *, QStringList>> commands{
            {"submit", {QStringLiteral("submit"), QStringLiteral("square"), QStringLiteral("{\"n\":1}")}},
            {"status", {QStringLiteral("status")}},
            {"cancel", {QStringLiteral("cancel"), QStringLiteral("1")}},
            {"watch", {QStringLiteral("watch"), QStringLiteral("1"), QStringLiteral("--reconnect-timeout"), QStringLiteral("0")}},
    };
    for (const auto &[name, command] : commands) {
        QTest::addRow("%s, wrong key", name) << command << QStringLiteral("wrong key") << 3;
        QTest::addRow("%s, unreachable", name) << command << QStringLiteral("none") << 4;
        // Accepts the connection and never answers: the connect timeout and the handshake
        // deadline run out together.
        QTest::addRow("%s, silent", name) << command << QStringLiteral("silent") << 4;
    }
}

void tst_Edges::failingClientPrintsOneLine()
{
    QFETCH(QStringList, command);
    QFETCH(QString, master);
    QFETCH(int, exitCode);
    std::unique_ptr<TestMaster> real;
    QTcpServer silent;
    quint16 port = freePort();
    if (master == QLatin1String("wrong key")) {
        real = std::make_unique<TestMaster>(Key);
        QVERIFY(real->isReady());
        port = real->port();
    } else if (master == QLatin1String("silent")) {
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        port = silent.serverPort();
    }
    TestProcess client(QStringLiteral(TASKMASTER_BIN), command + connectionArgs(port),
                       master == QLatin1String("wrong key") ? QByteArrayLiteral("not the key") : Key);
    QVERIFY(client.waitForExit());
    QCOMPARE(client.exitCode(), exitCode);
    const QByteArray err = client.stderrText();
    QVERIFY2(err.count('\n') == 1 && err.endsWith('\n'), err.constData());
    QVERIFY2(err.startsWith("taskmaster: "), err.constData());
}

void tst_Edges::unusableDataDirectorySaysWhy()
{
    // A directory this process cannot create files in. Root ignores permission bits, so as
    // root (as in CI) take a directory of sysfs, which refuses new files to everyone.
    QString readOnly;
    QString reason;
#ifdef Q_OS_UNIX
    if (::geteuid() == 0) {
#ifdef Q_OS_LINUX
        // sysfs refuses new files with "permission denied", procfs with "no such file"; a
        // container may leave /sys unmounted (a plain directory), so probe before choosing.
        const std::pair<const char *, const char *> candidates[] = {{"/sys", "permission denied"},
                                                                    {"/proc", "no such file or directory"}};
        for (const auto &[path, why] : candidates) {
            QFile probe(QLatin1String(path) + QStringLiteral("/taskmaster-probe"));
            if (probe.open(QIODevice::WriteOnly)) {
                probe.remove();
                continue;
            }
            readOnly = QLatin1String(path);
            reason = QLatin1String(why);
            break;
        }
#endif
    } else {
        readOnly = m_dir.filePath(QStringLiteral("read-only"));
        QVERIFY(QDir().mkpath(readOnly));
        QVERIFY(QFile::setPermissions(readOnly, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
        reason = QStringLiteral("permission denied");
    }
#endif
    const QString blocker = m_dir.filePath(QStringLiteral("a-file"));
    QVERIFY(writeFile(blocker, "not a directory").isEmpty());
    QList<std::pair<QString, QString>> cases{{blocker + QStringLiteral("/data"), QStringLiteral("not a directory")}};
    if (!readOnly.isEmpty())
        cases.append({readOnly, reason});
    for (const auto &[directory, why] : std::as_const(cases)) {
        TestProcess serve(QStringLiteral(TASKMASTER_BIN),
                          {QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0"),
                           QStringLiteral("--data-dir"), directory},
                          Key);
        QVERIFY(serve.waitForExit());
        QCOMPARE(serve.exitCode(), 5);
        const QString err = QString::fromUtf8(serve.stderrText());
        QVERIFY2(err.contains(directory) && err.contains(why, Qt::CaseInsensitive), qPrintable(err));
        QCOMPARE(serve.stderrText().count('\n'), 1);
    }
}

void tst_Edges::hugeTimeoutsAreRefused()
{
    const QString tooLong = QString::number(Q_INT64_C(1) << 62);
    const QString limit = QString::number(MaxTaskTimeoutMs);
    TestMaster master(Key);
    QVERIFY(master.isReady());

    // From the command line and from a task file: refused before anything is sent.
    TestProcess submit(QStringLiteral(TASKMASTER_BIN),
                       QStringList{QStringLiteral("submit"), QStringLiteral("--timeout"), tooLong, QStringLiteral("square")}
                               + connectionArgs(master.port()),
                       Key);
    QVERIFY(submit.waitForExit());
    QCOMPARE(submit.exitCode(), 2);
    QVERIFY2(submit.stderrText().contains(limit.toUtf8()), submit.stderrText().constData());
    TestProcess file(QStringLiteral(TASKMASTER_BIN),
                     QStringList{QStringLiteral("submit"), QStringLiteral("--file"), QStringLiteral("-")}
                             + connectionArgs(master.port()),
                     Key);
    file.feedStdin("{\"kind\":\"square\",\"args\":{\"n\":1},\"timeout_ms\":" + tooLong.toUtf8() + "}\n");
    QVERIFY(file.waitForExit());
    QCOMPARE(file.exitCode(), 2);
    QVERIFY2(file.stderrText().contains(limit.toUtf8()), file.stderrText().constData());

    // A client that skips those checks is refused by the master itself.
    MasterClient client(Key);
    QSignalSpy ready(&client, &MasterClient::ready);
    QSignalSpy refused(&client, &MasterClient::requestFailed);
    QSignalSpy submitted(&client, &MasterClient::submitted);
    client.open(QStringLiteral("127.0.0.1"), master.port());
    QVERIFY(ready.wait(10'000));
    TaskSpec spec;
    spec.kind = QStringLiteral("square");
    spec.args = QByteArrayLiteral("{\"n\":1}");
    spec.timeoutMs = Q_INT64_C(1) << 62;
    QCOMPARE(client.submit(QList<TaskSpec>{spec}, false), QString());
    QTRY_VERIFY_WITH_TIMEOUT(!refused.isEmpty() || !submitted.isEmpty(), 10'000);
    QVERIFY2(submitted.isEmpty(), "the master accepted a timeout of 2^62 ms");
    const QString reason = refused.first().first().toString();
    QVERIFY2(reason.contains(QLatin1String("timeout")) && reason.contains(limit), qPrintable(reason));
    spec.timeoutMs = MaxTaskTimeoutMs;
    QCOMPARE(validateTaskSpec(spec), QString());
}

void tst_Edges::tlsKeyThatDoesNotMatchItsCertificateIsRefused()
{
    QVERIFY(makeSelfSignedCertificate(m_dir.path(), QStringLiteral("one")));
    QVERIFY(makeSelfSignedCertificate(m_dir.path(), QStringLiteral("two")));
    const QString cert = m_dir.filePath(QStringLiteral("one.pem"));
    const QString key = m_dir.filePath(QStringLiteral("two.key"));
    TestProcess serve(QStringLiteral(TASKMASTER_BIN),
                      {QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--ephemeral"),
                       QStringLiteral("--tls-cert"), cert, QStringLiteral("--tls-key"), key},
                      Key);
    QVERIFY(serve.waitForExit());
    QCOMPARE(serve.exitCode(), 5);
    QCOMPARE(serve.stdoutText(), QByteArray()); // never claimed to be listening
    const QString err = QString::fromUtf8(serve.stderrText());
    QVERIFY2(err.contains(QLatin1String("does the key belong to the certificate?")) && err.contains(cert) && err.contains(key), qPrintable(err));
    QCOMPARE(serve.stderrText().count('\n'), 1);
}

void tst_Edges::expiredTlsCertificateWarns()
{
    // openssl req cannot date a certificate in the past; x509 -req with -days -1 can.
    const QString base = m_dir.filePath(QStringLiteral("expired"));
    QProcess request;
    request.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                   QStringLiteral("-nodes"), QStringLiteral("-subj"), QStringLiteral("/CN=localhost"), QStringLiteral("-keyout"),
                   base + QStringLiteral(".key"), QStringLiteral("-out"), base + QStringLiteral(".csr")});
    QVERIFY(request.waitForFinished(60'000) && request.exitCode() == 0);
    QProcess sign;
    sign.start(QStringLiteral("openssl"),
               {QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), base + QStringLiteral(".csr"),
                QStringLiteral("-signkey"), base + QStringLiteral(".key"), QStringLiteral("-days"), QStringLiteral("-1"),
                QStringLiteral("-out"), base + QStringLiteral(".pem")});
    QVERIFY(sign.waitForFinished(60'000) && sign.exitCode() == 0);

    // It still serves (a pinned fingerprint does not care about dates), and says so.
    TestMaster master(Key, {QStringLiteral("--tls-cert"), base + QStringLiteral(".pem"), QStringLiteral("--tls-key"),
                            base + QStringLiteral(".key")});
    QVERIFY2(master.isReady(), master.process().stderrText().constData());
    QVERIFY(master.process().waitForStderr("expired"));
    QVERIFY2(master.process().stderrText().contains(QByteArray(base.toUtf8() + ".pem")), master.process().stderrText().constData());
}

QTEST_GUILESS_MAIN(tst_Edges)
#include "tst_edges.moc"
