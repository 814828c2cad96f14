// The data directory's safety over the real binaries: a damaged database is refused (not served
// as a fraction of itself) and salvaged without touching it; the lock belongs to a live holder,
// not to whatever PID its file names.

#include "processes.h"
#include "storetesting.h"
#include "task/sqlitetaskstore.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QByteArray Key = QByteArrayLiteral("store-safety-key");
constexpr int StoreTasks = 3100;

QString databaseOf(const QString &directory)
{
    return QDir(directory).filePath(QStringLiteral("tasks.sqlite"));
}

QByteArray argsOf(quint64 id)
{
    return "{\"text\":\"task " + QByteArray::number(id) + ' ' + QByteArray(200, 'x') + "\"}";
}

// Overwrites pages in the middle of the file with random bytes (the same every run). "" or why not.
QString damage(const QString &database, int pages)
{
    if (QFileInfo::exists(database + QStringLiteral("-wal")) && QFileInfo(database + QStringLiteral("-wal")).size() > 0)
        return QStringLiteral("the log was not checkpointed");
    QFile file(database);
    if (!file.open(QIODevice::ReadWrite))
        return file.errorString();
    const QByteArray header = file.read(100);
    const int pageSize = (quint8(header.at(16)) << 8) | quint8(header.at(17));
    const qint64 total = file.size() / pageSize;
    if (pageSize < 512 || total < pages * 4)
        return QStringLiteral("only %1 pages of %2 bytes").arg(total).arg(pageSize);
    QRandomGenerator random(20'251'202);
    QByteArray garbage(pages * pageSize, Qt::Uninitialized);
    random.fillRange(reinterpret_cast<quint32 *>(garbage.data()), garbage.size() / 4);
    if (!file.seek((total / 2 - pages / 2) * pageSize) || file.write(garbage) != garbage.size())
        return file.errorString();
    return {};
}

QByteArray sha256Of(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex();
}

// What a SIGKILLed master leaves: everything committed, no mark of a clean close.
bool forgetCleanClose(const QString &database)
{
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("unclean"));
        db.setDatabaseName(database);
        QSqlQuery query(db);
        ok = db.open() && query.exec(QStringLiteral("DELETE FROM meta WHERE key <> 'next_id'"));
        query.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("unclean"));
    return ok;
}

std::unique_ptr<TestProcess> serve(const QString &directory)
{
    return std::make_unique<TestProcess>(QStringLiteral(TASKMASTER_BIN),
                                         QStringList{QStringLiteral("serve"), QStringLiteral("--port"),
                                                     QStringLiteral("0"), QStringLiteral("--data-dir"), directory},
                                         Key);
}

std::unique_ptr<TestProcess> salvage(const QString &from, const QString &to)
{
    return std::make_unique<TestProcess>(QStringLiteral(TASKMASTER_BIN),
                                         QStringList{QStringLiteral("salvage"), QStringLiteral("--data-dir"), from,
                                                     QStringLiteral("--to"), to},
                                         Key);
}

// The record QLockFile and the master write: pid, application, host.
bool writeLockRecord(const QString &directory, qint64 pid, const QString &application)
{
    QFile file(QDir(directory).filePath(QStringLiteral("taskmaster.lock")));
    return QDir().mkpath(directory) && file.open(QIODevice::WriteOnly)
            && file.write(QByteArray::number(pid) + '\n' + application.toUtf8() + '\n'
                          + QSysInfo::machineHostName().toUtf8() + '\n')
            > 0;
}

} // namespace

class tst_StoreSafety : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aDamagedStoreIsRefusedNamingTheFile();
    void damageAfterAnUncleanStopIsFoundByTheQuickCheck();
    void anUncleanStopIsCheckedOnceAtTheNextStart();
    void salvageCopiesEveryReadableRowAndLeavesTheDamagedFileAlone();
    void salvageNeverWritesIntoAnExistingStore();
    void aLockNamingThisLiveProcessButHeldByNobodyIsTakenOver();
    void aLockNamingALiveServeButHeldByNobodyIsTakenOver();
    void aLockHeldByALiveServeIsRefusedWithItsProcess();
    void aChildProcessDoesNotKeepTheLock();
};

void tst_StoreSafety::aDamagedStoreIsRefusedNamingTheFile()
{
    QTemporaryDir dir;
    QCOMPARE(makeStore(dir.path(), StoreTasks, argsOf), QString());
    QCOMPARE(damage(databaseOf(dir.path()), 20), QString());
    const QByteArray before = sha256Of(databaseOf(dir.path()));

    // Closed cleanly before the damage: reading the rows finds it.
    const auto master = serve(dir.path());
    QVERIFY(master->waitForExit());
    QCOMPARE(master->exitCode(), 5);
    QVERIFY2(!master->stdoutText().contains("listening on"), master->stdoutText().constData());
    const QString err = QString::fromUtf8(master->stderrText());
    QVERIFY2(err.contains(databaseOf(dir.path())) && err.contains(QStringLiteral("damaged"))
                     && err.contains(QStringLiteral("malformed")) && err.contains(QStringLiteral("taskmaster salvage")),
             qPrintable(err));
    QCOMPARE(sha256Of(databaseOf(dir.path())), before);
}

void tst_StoreSafety::damageAfterAnUncleanStopIsFoundByTheQuickCheck()
{
    QTemporaryDir dir;
    QCOMPARE(makeStore(dir.path(), StoreTasks, argsOf), QString());
    QVERIFY(forgetCleanClose(databaseOf(dir.path())));
    QCOMPARE(damage(databaseOf(dir.path()), 20), QString());
    const QByteArray before = sha256Of(databaseOf(dir.path()));

    const auto master = serve(dir.path());
    QVERIFY(master->waitForExit());
    QCOMPARE(master->exitCode(), 5);
    const QString err = QString::fromUtf8(master->stderrText());
    QVERIFY2(err.contains(databaseOf(dir.path())) && err.contains(QStringLiteral("did not stop cleanly"))
                     && err.contains(QStringLiteral("quick_check found")),
             qPrintable(err));
    QCOMPARE(sha256Of(databaseOf(dir.path())), before);
}

void tst_StoreSafety::anUncleanStopIsCheckedOnceAtTheNextStart()
{
    QTemporaryDir dir;
    const QStringList args{QStringLiteral("--data-dir"), dir.path()};
    auto master = std::make_unique<TestMaster>(Key, args);
    QVERIFY2(master->isReady(), master->process().stderrText().constData());
    QVERIFY2(!master->process().stderrText().contains("did not stop cleanly"), master->process().stderrText().constData());
    master->process().kill();

    master = std::make_unique<TestMaster>(Key, args);
    QVERIFY2(master->isReady(), master->process().stderrText().constData());
    QVERIFY2(master->process().stderrText().contains("did not stop cleanly; checking the file"),
             master->process().stderrText().constData());
    master->process().terminate(); // a clean stop leaves the mark
    QVERIFY(master->process().waitForExit());
    QCOMPARE(master->process().exitCode(), 0);

    master = std::make_unique<TestMaster>(Key, args);
    QVERIFY2(master->isReady(), master->process().stderrText().constData());
    QVERIFY2(!master->process().stderrText().contains("did not stop cleanly"), master->process().stderrText().constData());
}

void tst_StoreSafety::salvageCopiesEveryReadableRowAndLeavesTheDamagedFileAlone()
{
    QTemporaryDir dir;
    const QString damaged = dir.filePath(QStringLiteral("damaged"));
    const QString rescued = dir.filePath(QStringLiteral("rescued"));
    QCOMPARE(makeStore(damaged, StoreTasks, argsOf), QString());
    QCOMPARE(damage(databaseOf(damaged), 20), QString());
    const QByteArray before = sha256Of(databaseOf(damaged));

    const auto run = salvage(damaged, rescued);
    QVERIFY(run->waitForExit());
    QVERIFY2(run->exitCode() == 0, run->stderrText().constData());
    static const QRegularExpression report(
            QStringLiteral("^copied (\\d+) tasks into .*; (\\d+) ids could not be read; new ids start at (\\d+)$"));
    const auto m = report.match(QString::fromUtf8(run->stdoutLines().value(0)));
    QVERIFY2(m.hasMatch(), run->stdoutText().constData());
    const int copied = m.captured(1).toInt(), unreadable = m.captured(2).toInt();
    // Every id is either copied or counted: the damage costs its own pages, not what follows.
    QCOMPARE(copied + unreadable, StoreTasks);
    QVERIFY2(unreadable > 0 && copied > StoreTasks * 3 / 4, run->stdoutText().constData());
    QCOMPARE(m.captured(3).toInt(), StoreTasks + 1);
    QVERIFY2(run->stderrText().contains("malformed"), run->stderrText().constData());
    QCOMPARE(sha256Of(databaseOf(damaged)), before);

    // The copies are the tasks as they were, and a master serves them.
    {
        SqliteTaskStore store(rescued);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        QCOMPARE(store.size(), qsizetype(copied));
        QCOMPARE(store.nextId(), quint64(StoreTasks + 1));
        const Task *first = store.find(1);
        QVERIFY(first);
        QCOMPARE(first->spec.args, argsOf(1));
        QCOMPARE(first->spec.kind, QStringLiteral("echo"));
        const Task *last = store.find(StoreTasks);
        QVERIFY(last);
        QCOMPARE(last->spec.args, argsOf(StoreTasks));
    }
    TestMaster master(Key, {QStringLiteral("--data-dir"), rescued});
    QVERIFY2(master.isReady(), master.process().stderrText().constData());
    QVERIFY2(master.process().stderrText().contains(QByteArray("recovered " + QByteArray::number(copied) + " tasks")),
             master.process().stderrText().constData());
}

void tst_StoreSafety::salvageNeverWritesIntoAnExistingStore()
{
    QTemporaryDir dir;
    const QString damaged = dir.filePath(QStringLiteral("damaged"));
    const QString existing = dir.filePath(QStringLiteral("existing"));
    QCOMPARE(makeStore(damaged, 50), QString());
    QCOMPARE(makeStore(existing, 3), QString());
    const QByteArray before = sha256Of(databaseOf(existing));
    const auto run = salvage(damaged, existing);
    QVERIFY(run->waitForExit());
    QCOMPARE(run->exitCode(), 5);
    QVERIFY2(run->stderrText().contains("already exists"), run->stderrText().constData());
    QCOMPARE(sha256Of(databaseOf(existing)), before);

    const auto missing = salvage(dir.filePath(QStringLiteral("nothing-here")), dir.filePath(QStringLiteral("new")));
    QVERIFY(missing->waitForExit());
    QCOMPARE(missing->exitCode(), 5);
    QVERIFY2(missing->stderrText().contains("no task database"), missing->stderrText().constData());
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("new/tasks.sqlite"))));
}

void tst_StoreSafety::aLockNamingThisLiveProcessButHeldByNobodyIsTakenOver()
{
    // As a master restarted as PID 1 in a container finds "itself" in the lock it left.
    QTemporaryDir dir;
    QVERIFY(writeLockRecord(dir.path(), QCoreApplication::applicationPid(),
                            QFileInfo(QCoreApplication::applicationFilePath()).fileName()));
    SqliteTaskStore store(dir.path());
    QString error;
    QVERIFY2(store.open(&error), qPrintable(error));
}

void tst_StoreSafety::aLockNamingALiveServeButHeldByNobodyIsTakenOver()
{
    QTemporaryDir other, dir;
    TestMaster live(Key, {QStringLiteral("--data-dir"), other.path()});
    QVERIFY2(live.isReady(), live.process().stderrText().constData());
    QVERIFY(writeLockRecord(dir.path(), live.process().process().processId(), QStringLiteral("taskmaster")));
    TestMaster master(Key, {QStringLiteral("--data-dir"), dir.path()});
    QVERIFY2(master.isReady(), master.process().stderrText().constData());
}

void tst_StoreSafety::aLockHeldByALiveServeIsRefusedWithItsProcess()
{
    QTemporaryDir dir;
    auto holder = std::make_unique<TestMaster>(Key, QStringList{QStringLiteral("--data-dir"), dir.path()});
    QVERIFY2(holder->isReady(), holder->process().stderrText().constData());
    const auto second = serve(dir.path());
    QVERIFY(second->waitForExit());
    QCOMPARE(second->exitCode(), 5);
    const QByteArray expected = "in use by another master (process "
            + QByteArray::number(holder->process().process().processId()) + " on " + QSysInfo::machineHostName().toUtf8()
            + ')';
    QVERIFY2(second->stderrText().contains(expected), second->stderrText().constData());

    // SIGKILL: the operating system drops the lock with its holder.
    holder->process().kill();
    TestMaster next(Key, {QStringLiteral("--data-dir"), dir.path()});
    QVERIFY2(next.isReady(), next.process().stderrText().constData());
}

void tst_StoreSafety::aChildProcessDoesNotKeepTheLock()
{
#ifndef Q_OS_UNIX
    QSKIP("a POSIX child inherits descriptors; Windows handles are not inherited unless asked for");
#else
    QTemporaryDir dir;
    QProcess child;
    {
        SqliteTaskStore store(dir.path());
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        child.start(QStringLiteral("sleep"), {QStringLiteral("60")});
        QVERIFY(child.waitForStarted());
    }
    SqliteTaskStore next(dir.path());
    QString error;
    const bool opened = next.open(&error);
    child.kill();
    child.waitForFinished();
    QVERIFY2(opened, qPrintable(error));
#endif
}

QTEST_GUILESS_MAIN(tst_StoreSafety)
#include "tst_storesafety.moc"
