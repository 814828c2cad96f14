// A full disk under the real binaries: a submit the master cannot make durable fails within
// seconds with the store's reason and its tasks never run; status names the failure; results
// that were not written are never shown; a cancel waiting for the disk says why; and a SIGTERM
// that cannot write everything says how much is lost and exits non-zero.

#include "fulldisk.h"
#include "processes.h"
#include "util/exitcodes.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>

namespace {

const QByteArray Key = QByteArrayLiteral("disk-full-key");
const QByteArray NoSpace = QByteArrayLiteral("no space left on device");

QStringList dataDir(const FullDisk &disk)
{
    return {QStringLiteral("--data-dir"), disk.path(QStringLiteral("data"))};
}

qint64 count(const QJsonObject &status, const char *state)
{
    return status.value(QStringLiteral("counts")).toObject().value(QLatin1String(state)).toInteger(-1);
}

} // namespace

class tst_DiskFull final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void submitOnFullDiskFailsAndNothingRuns();
    void sigtermOnFullDiskSaysWhatIsLost();
    void aCancelWaitingForTheDiskSaysWhy();
};

void tst_DiskFull::submitOnFullDiskFailsAndNothingRuns()
{
    FullDisk disk;
    if (!disk.skipReason().isEmpty())
        QSKIP(qPrintable(disk.skipReason()));
    TestMaster master(Key, dataDir(disk));
    QVERIFY(master.isReady());
    auto worker = startWorker(master.port(), Key, QStringLiteral("w1"));
    QTRY_COMPARE_WITH_TIMEOUT(masterStatus(master.port(), Key).value(QStringLiteral("workers")).toArray().size(), 1, 20'000);
    QVERIFY(disk.fill());

    // The first submit finds a store that has not failed yet: its commit fails, and it is told so.
    // The second arrives while the store is failing and is refused at once.
    for (int round = 0; round < 2; ++round) {
        QElapsedTimer clock;
        clock.start();
        TestProcess submit(QStringLiteral(TASKMASTER_BIN),
                           QStringList{QStringLiteral("submit"), QStringLiteral("echo"), QStringLiteral("{\"n\":1}"),
                                       QStringLiteral("--count"), QStringLiteral("5")}
                                   + connectionArgs(master.port()),
                           Key);
        QVERIFY2(submit.waitForExit(10'000), "submit hangs on a full disk");
        QVERIFY2(clock.elapsed() < 10'000, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(submit.exitCode(), ExitCode::StoreFailed);
        QVERIFY2(submit.stderrText().contains(NoSpace), submit.stderrText().constData());
        QVERIFY2(submit.stdoutText().isEmpty(), submit.stdoutText().constData()); // no id was promised
    }

    // Status names the failure, in both forms; nothing was kept, nothing ran.
    QJsonObject status = masterStatus(master.port(), Key);
    QVERIFY2(status.value(QStringLiteral("store_error")).toString().contains(QLatin1String(NoSpace)),
             qPrintable(status.value(QStringLiteral("store_error")).toString()));
    TestProcess text(QStringLiteral(TASKMASTER_BIN), QStringList{QStringLiteral("status")} + connectionArgs(master.port()), Key);
    QVERIFY(text.waitForExit());
    QVERIFY2(text.stdoutText().contains("store:") && text.stdoutText().contains(NoSpace), text.stdoutText().constData());
    for (const char *state : {"queued", "running", "done", "failed", "cancelled"})
        QCOMPARE(count(status, state), 0);

    // Room again: the store recovers, the refused tasks do not come back, new ones run.
    QVERIFY(disk.free());
    QTRY_VERIFY_WITH_TIMEOUT(masterStatus(master.port(), Key).value(QStringLiteral("store_error")).toString().isEmpty(), 10'000);
    status = masterStatus(master.port(), Key);
    for (const char *state : {"queued", "running", "done", "failed", "cancelled"})
        QCOMPARE(count(status, state), 0);
    QCOMPARE(status.value(QStringLiteral("workers")).toArray().first().toObject().value(QStringLiteral("done")).toInteger(), 0);
    TestProcess submit(QStringLiteral(TASKMASTER_BIN),
                       QStringList{QStringLiteral("submit"), QStringLiteral("echo"), QStringLiteral("{\"n\":2}"),
                                   QStringLiteral("--wait")}
                               + connectionArgs(master.port()),
                       Key);
    QVERIFY(submit.waitForExit());
    QVERIFY2(submit.exitCode() == 0, submit.stderrText().constData());
    QCOMPARE(count(masterStatus(master.port(), Key), "done"), 1);
}

void tst_DiskFull::sigtermOnFullDiskSaysWhatIsLost()
{
    FullDisk disk;
    if (!disk.skipReason().isEmpty())
        QSKIP(qPrintable(disk.skipReason()));
    TestMaster master(Key, dataDir(disk));
    QVERIFY(master.isReady());
    constexpr int Tasks = 300;
    // Durable before the disk fills; they run (and their results wait for the disk) after it.
    TestProcess submit(QStringLiteral(TASKMASTER_BIN),
                       QStringList{QStringLiteral("submit"), QStringLiteral("echo"), QStringLiteral("{\"n\":3}"),
                                   QStringLiteral("--count"), QString::number(Tasks), QStringLiteral("--delay"),
                                   QStringLiteral("1500")}
                               + connectionArgs(master.port()),
                       Key);
    QVERIFY(submit.waitForExit());
    QCOMPARE(submit.exitCode(), 0);
    QStringList ids;
    for (const QByteArray &line : submit.stdoutLines())
        ids.append(QString::fromUtf8(line));
    QCOMPARE(ids.size(), Tasks);
    QVERIFY(disk.fill());
    TestProcess watch(QStringLiteral(TASKMASTER_BIN), QStringList{QStringLiteral("watch")} + ids + connectionArgs(master.port()),
                      Key);
    auto worker = startWorker(master.port(), Key, QStringLiteral("w1"));

    // Every task ran: the master holds the results in memory but cannot write them.
    QTRY_COMPARE_WITH_TIMEOUT(count(masterStatus(master.port(), Key), "done"), Tasks, 20'000);
    QVERIFY(masterStatus(master.port(), Key).value(QStringLiteral("store_error")).toString().contains(QLatin1String(NoSpace)));
    // A watcher is shown only what is on disk: none of them.
    QVERIFY(!watch.waitForStdoutLines(1, 1500));
    QCOMPARE(watch.stdoutLines().size(), 0);

    master.process().terminate();
    QVERIFY(master.process().waitForExit());
    const QByteArray said = master.process().stderrText();
    QCOMPARE(master.process().exitCode(), ExitCode::StoreFailed);
    QVERIFY2(!said.contains("wait in the data directory"), said.constData());
    static const QRegularExpression lost(QStringLiteral("(\\d+) changes were not written"));
    const auto match = lost.match(QString::fromUtf8(said));
    QVERIFY2(match.hasMatch(), said.constData());
    QVERIFY2(match.captured(1).toInt() >= Tasks, said.constData());
    QVERIFY2(said.contains(NoSpace), said.constData());
}

void tst_DiskFull::aCancelWaitingForTheDiskSaysWhy()
{
    FullDisk disk;
    if (!disk.skipReason().isEmpty())
        QSKIP(qPrintable(disk.skipReason()));
    TestMaster master(Key, dataDir(disk));
    QVERIFY(master.isReady());
    TestProcess submit(QStringLiteral(TASKMASTER_BIN),
                       QStringList{QStringLiteral("submit"), QStringLiteral("echo"), QStringLiteral("--delay"),
                                   QStringLiteral("600000")}
                               + connectionArgs(master.port()),
                       Key);
    QVERIFY(submit.waitForExit());
    QCOMPARE(submit.exitCode(), 0);
    QVERIFY(disk.fill());

    // The cancel is confirmed only once written: until then it waits, and says why.
    TestProcess cancel(QStringLiteral(TASKMASTER_BIN),
                       QStringList{QStringLiteral("cancel"), QString::fromUtf8(submit.stdoutText().trimmed())}
                               + connectionArgs(master.port()),
                       Key);
    QVERIFY2(cancel.waitForStderr(NoSpace, 10'000), cancel.stderrText().constData());
    QVERIFY(cancel.stdoutText().isEmpty());
    QCOMPARE(cancel.process().state(), QProcess::Running);

    QVERIFY(disk.free());
    QVERIFY(cancel.waitForExit());
    QCOMPARE(cancel.exitCode(), 0);
    QCOMPARE(cancel.stdoutText().trimmed(), QByteArrayLiteral("cancelled 1 of 1 task(s)"));
}

QTEST_GUILESS_MAIN(tst_DiskFull)
#include "tst_diskfull.moc"
