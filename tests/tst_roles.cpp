// Roles end to end: `taskmaster serve --worker-key-file W` next to its authkey A. Real serve,
// taskworker and taskmaster submit/cancel/watch/status processes on loopback: a worker with W
// runs tasks, every client command with W is refused (exit 3), A still does everything, and a
// master without a worker key is as it was.

#include "processes.h"
#include "util/exitcodes.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

namespace {

const QByteArray MainKey = QByteArrayLiteral("the master's own key, for clients");
const QByteArray WorkerKey = QByteArrayLiteral("a key the worker boxes share");

bool writeKeyFile(const QString &path, const QByteArray &key)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)
            && file.write(key + '\n') == key.size() + 1;
}

// taskmaster <command> against the master on port, with the key in the environment.
std::unique_ptr<TestProcess> client(const QString &command, quint16 port, const QByteArray &key, const QStringList &args)
{
    return std::make_unique<TestProcess>(QStringLiteral(TASKMASTER_BIN),
                                         QStringList{command} + connectionArgs(port) + args, key);
}

} // namespace

class tst_Roles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void workerKeyRunsTasks();
    void workerKeyCannotSubmitCancelWatchOrAskStatus_data();
    void workerKeyCannotSubmitCancelWatchOrAskStatus();
    void authkeyStillDoesEverything();
    void withoutAWorkerKeyOneKeyDoesEverything();
    void aSharedWorkerKeyFileIsUsedWithAWarning();
    void serveRefusesAWorkerKeyThatSeparatesNothing_data();
    void serveRefusesAWorkerKeyThatSeparatesNothing();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_mainFile;
    QString m_workerFile;
};

void tst_Roles::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_mainFile = m_dir->filePath(QStringLiteral("authkey"));
    m_workerFile = m_dir->filePath(QStringLiteral("workerkey"));
    QVERIFY(writeKeyFile(m_mainFile, MainKey));
    QVERIFY(writeKeyFile(m_workerFile, WorkerKey));
}

void tst_Roles::workerKeyRunsTasks()
{
    TestMaster master(QByteArray(), {QStringLiteral("--authkey-file"), m_mainFile, QStringLiteral("--worker-key-file"), m_workerFile});
    QVERIFY(master.isReady());
    auto worker = startWorker(master.port(), QByteArray(), QStringLiteral("box"),
                              {QStringLiteral("--authkey-file"), m_workerFile});
    QVERIFY2(worker->waitForStderr("connected to master"), worker->stderrText().constData());
    auto run = client(QStringLiteral("submit"), master.port(), MainKey,
                      {QStringLiteral("square"), QStringLiteral("7"), QStringLiteral("--wait")});
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), int(ExitCode::Ok));
    const QJsonObject record = QJsonDocument::fromJson(run->stdoutLines().value(0)).object();
    QCOMPARE(record.value(QStringLiteral("worker")).toString(), QStringLiteral("box"));
    QCOMPARE(record.value(QStringLiteral("result")).toInteger(), 49);
}

void tst_Roles::workerKeyCannotSubmitCancelWatchOrAskStatus_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QStringList>("args");
    // An exec task is what a worker box must not be able to send to every --allow-exec worker.
    const QString exec = QStringLiteral("{\"argv\":[\"sh\",\"-c\",\"echo owned\"]}");
    QTest::newRow("submit exec") << QStringLiteral("submit") << QStringList{QStringLiteral("exec"), exec};
    QTest::newRow("cancel") << QStringLiteral("cancel") << QStringList{QStringLiteral("1")};
    QTest::newRow("watch") << QStringLiteral("watch") << QStringList{QStringLiteral("1")};
    QTest::newRow("status") << QStringLiteral("status") << QStringList{QStringLiteral("--json")};
}

void tst_Roles::workerKeyCannotSubmitCancelWatchOrAskStatus()
{
    QFETCH(QString, command);
    QFETCH(QStringList, args);
    TestMaster master(QByteArray(), {QStringLiteral("--authkey-file"), m_mainFile, QStringLiteral("--worker-key-file"), m_workerFile});
    QVERIFY(master.isReady());
    // A queued task (no worker yet) that the worker key must not cancel, watch or see.
    auto queued = client(QStringLiteral("submit"), master.port(), MainKey,
                         {QStringLiteral("echo"), QStringLiteral("\"keep me\"")});
    QVERIFY(queued->waitForExit());
    QCOMPARE(queued->exitCode(), int(ExitCode::Ok));
    QCOMPARE(queued->stdoutText().trimmed(), QByteArray("1"));

    auto refused = client(command, master.port(), QByteArray(), args + QStringList{QStringLiteral("--authkey-file"), m_workerFile});
    QVERIFY(refused->waitForExit());
    QCOMPARE(refused->exitCode(), int(ExitCode::AuthFailed));
    QVERIFY2(refused->stderrText().contains("authkey does not match"), refused->stderrText().constData());
    QVERIFY2(refused->stderrText().contains("a worker key connects workers only"), refused->stderrText().constData());
    QVERIFY(refused->stdoutText().isEmpty());
    QVERIFY2(master.process().waitForStderr("a peer with the worker key asked for the client role"),
             master.process().stderrText().constData());

    // Nothing changed: the one task still waits, and nothing was added.
    const QJsonObject counts = masterStatus(master.port(), MainKey).value(QStringLiteral("counts")).toObject();
    QCOMPARE(counts.value(QStringLiteral("queued")).toInteger(), 1);
    QCOMPARE(counts.value(QStringLiteral("cancelled")).toInteger(), 0);
    qint64 total = 0;
    for (auto it = counts.begin(); it != counts.end(); ++it)
        total += it.value().toInteger();
    QCOMPARE(total, 1);
}

void tst_Roles::authkeyStillDoesEverything()
{
    TestMaster master(QByteArray(), {QStringLiteral("--authkey-file"), m_mainFile, QStringLiteral("--worker-key-file"), m_workerFile});
    QVERIFY(master.isReady());
    // A worker given the authkey is still a worker.
    auto worker = startWorker(master.port(), MainKey, QStringLiteral("trusted"), {QStringLiteral("--slots"), QStringLiteral("1")});
    QVERIFY(worker->waitForStderr("connected to master"));

    // A long task holds the one slot, so the second one waits to be cancelled.
    auto submitted = client(QStringLiteral("submit"), master.port(), MainKey,
                            {QStringLiteral("sleep"), QStringLiteral("60000"), QStringLiteral("--count"), QStringLiteral("2")});
    QVERIFY(submitted->waitForExit());
    QCOMPARE(submitted->exitCode(), int(ExitCode::Ok));
    QCOMPARE(submitted->stdoutLines(), (QList<QByteArray>{"1", "2"}));

    auto watch = client(QStringLiteral("watch"), master.port(), QByteArray(),
                        {QStringLiteral("2"), QStringLiteral("--authkey-file"), m_mainFile});
    auto cancel = client(QStringLiteral("cancel"), master.port(), MainKey, {QStringLiteral("1"), QStringLiteral("2")});
    QVERIFY(cancel->waitForExit());
    QCOMPARE(cancel->exitCode(), int(ExitCode::Ok));
    QCOMPARE(cancel->stdoutText().trimmed(), QByteArray("cancelled 2 of 2 task(s)"));
    QVERIFY(watch->waitForExit());
    QCOMPARE(watch->exitCode(), int(ExitCode::TasksFailed)); // cancelled is not done
    QCOMPARE(QJsonDocument::fromJson(watch->stdoutLines().value(0)).object().value(QStringLiteral("state")).toString(),
             QStringLiteral("cancelled"));

    const QJsonObject status = masterStatus(master.port(), MainKey);
    QCOMPARE(status.value(QStringLiteral("counts")).toObject().value(QStringLiteral("cancelled")).toInteger(), 2);
    QCOMPARE(status.value(QStringLiteral("workers")).toArray().at(0).toObject().value(QStringLiteral("name")).toString(),
             QStringLiteral("trusted"));
}

void tst_Roles::withoutAWorkerKeyOneKeyDoesEverything()
{
    TestMaster master(QByteArray(), {QStringLiteral("--authkey-file"), m_mainFile});
    QVERIFY(master.isReady());
    auto worker = startWorker(master.port(), QByteArray(), QStringLiteral("one-key"), {QStringLiteral("--authkey-file"), m_mainFile});
    QVERIFY(worker->waitForStderr("connected to master"));
    auto run = client(QStringLiteral("submit"), master.port(), MainKey,
                      {QStringLiteral("square"), QStringLiteral("3"), QStringLiteral("--wait")});
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), int(ExitCode::Ok));
    auto watch = client(QStringLiteral("watch"), master.port(), MainKey, {QStringLiteral("1")});
    QVERIFY(watch->waitForExit());
    QCOMPARE(watch->exitCode(), int(ExitCode::Ok));
    QCOMPARE(masterStatus(master.port(), MainKey).value(QStringLiteral("counts")).toObject().value(QStringLiteral("done")).toInteger(), 1);

    // Here the would-be worker key is only a wrong key, for workers too.
    auto stranger = startWorker(master.port(), WorkerKey, QStringLiteral("stranger"), {QStringLiteral("--once")});
    QVERIFY(stranger->waitForExit());
    QCOMPARE(stranger->exitCode(), int(ExitCode::AuthFailed));
}

void tst_Roles::aSharedWorkerKeyFileIsUsedWithAWarning()
{
#ifndef Q_OS_UNIX
    QSKIP("Windows: a key file in the profile is protected by its ACL, and no warning is given");
#else
    QVERIFY(QFile::setPermissions(m_workerFile, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup
                                                        | QFileDevice::ReadOther));
    TestMaster master(QByteArray(), {QStringLiteral("--authkey-file"), m_mainFile, QStringLiteral("--worker-key-file"), m_workerFile});
    QVERIFY(master.isReady());
    const QByteArray warning = "the worker key file " + QFile::encodeName(m_workerFile) + " can be read by other users";
    QVERIFY2(master.process().waitForStderr(warning), master.process().stderrText().constData());
    auto worker = startWorker(master.port(), WorkerKey, QStringLiteral("box"));
    QVERIFY(worker->waitForStderr("connected to master"));
#endif
}

void tst_Roles::serveRefusesAWorkerKeyThatSeparatesNothing_data()
{
    QTest::addColumn<QByteArray>("workerKey");
    QTest::addColumn<QString>("kind"); // "file", "missing", "fifo", "no authkey"
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("the same as the authkey") << MainKey << QStringLiteral("file") << QByteArray("the same as the authkey");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("file") << QByteArray("the worker key is empty");
    QTest::newRow("too large") << QByteArray(8 * 1024, 'k') << QStringLiteral("file")
                               << QByteArray("the worker key file");
    QTest::newRow("missing") << QByteArray() << QStringLiteral("missing") << QByteArray("does not exist");
    QTest::newRow("no authkey") << WorkerKey << QStringLiteral("no authkey") << QByteArray("needs an authkey");
#ifdef Q_OS_UNIX
    QTest::newRow("a FIFO") << QByteArray() << QStringLiteral("fifo") << QByteArray("not a regular file");
#endif
}

void tst_Roles::serveRefusesAWorkerKeyThatSeparatesNothing()
{
    QFETCH(QByteArray, workerKey);
    QFETCH(QString, kind);
    QFETCH(QByteArray, message);
    const QString path = m_dir->filePath(QStringLiteral("candidate"));
    if (kind == QLatin1String("file") || kind == QLatin1String("no authkey"))
        QVERIFY(writeKeyFile(path, workerKey));
#ifdef Q_OS_UNIX
    if (kind == QLatin1String("fifo"))
        QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
#endif
    QStringList args{QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--ephemeral"),
                     QStringLiteral("--worker-key-file"), path};
    if (kind != QLatin1String("no authkey"))
        args += {QStringLiteral("--authkey-file"), m_mainFile};
    TestProcess serve(QStringLiteral(TASKMASTER_BIN), args, QByteArray());
    QVERIFY(serve.waitForExit());
    QCOMPARE(serve.exitCode(), int(ExitCode::Usage));
    QVERIFY2(serve.stderrText().contains(message), serve.stderrText().constData());
    QVERIFY(serve.stdoutText().isEmpty());
}

QTEST_GUILESS_MAIN(tst_Roles)
#include "tst_roles.moc"
