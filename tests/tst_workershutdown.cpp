// A worker told to stop (SIGTERM) while its master is gone but the worker has not noticed yet:
// the real taskworker and taskmaster serve on loopback. The worker must still exit as
// documented (status 0), never crash on the writes that find the master gone.

#include "processes.h"

#include <QFile>
#include <QTest>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

namespace {

const QByteArray Key = QByteArrayLiteral("shutdown-key");

#ifdef Q_OS_LINUX
// Whether the process is stopped (SIGSTOP): the state letter in /proc/PID/stat, after the
// command name in parentheses.
bool isStopped(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');
    return close > 0 && close + 2 < text.size() && text.at(close + 2) == 'T';
}
#endif

} // namespace

class tst_WorkerShutdown : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sigtermAfterTheMasterDiedUnnoticedExitsCleanly();
};

void tst_WorkerShutdown::sigtermAfterTheMasterDiedUnnoticedExitsCleanly()
{
#ifndef Q_OS_LINUX
    QSKIP("stops the worker with SIGSTOP and reads its state from /proc, which only Linux has");
#else
    // The worker is stopped while the master is killed, so when it resumes it finds the SIGTERM
    // and the master's end of the connection at once. The signal comes first: the drain writes
    // to a socket whose peer is gone, and one of those writes (the Goodbye of the close) fails
    // and ends the link from inside the close. Each round has its own master and worker; a
    // few rounds, since the order in which the two are seen is up to the event loop.
    constexpr int Rounds = 6;
    for (int round = 0; round < Rounds; ++round) {
        TestMaster master(Key);
        QVERIFY(master.isReady());
        auto worker = startWorker(master.port(), Key, QStringLiteral("stopper-%1").arg(round));
        QVERIFY(worker->waitForStderr("connected to master"));
        const auto pid = pid_t(worker->process().processId());
        ::kill(pid, SIGSTOP);
        QTRY_VERIFY(isStopped(pid));
        master.process().kill(); // waits for it: its sockets are closed
        ::kill(pid, SIGTERM);
        ::kill(pid, SIGCONT);
        QVERIFY(worker->waitForExit(10'000));
        QVERIFY2(worker->process().exitStatus() == QProcess::NormalExit,
                 qPrintable(QStringLiteral("round %1: the worker died of signal %2; it said:\n%3")
                                    .arg(round)
                                    .arg(worker->exitCode())
                                    .arg(QString::fromUtf8(worker->stderrText()))));
        QCOMPARE(worker->exitCode(), 0);
    }
#endif
}

QTEST_GUILESS_MAIN(tst_WorkerShutdown)
#include "tst_workershutdown.moc"
