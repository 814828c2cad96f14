// What a client was told survives a SIGKILL of the master, over the real binaries: every
// result `submit --wait` printed is still there with the same value (and the task did not run
// again), a confirmed cancel holds, and a submit cut off half way says exactly which tasks the
// master accepted, after which submitting the same file again adds only what is missing.

#include "processes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <map>

namespace {

const QByteArray Key = QByteArrayLiteral("crash-promises-key");

QStringList durableArgs(const QTemporaryDir &dir)
{
    return {QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("data")), QStringLiteral("--heartbeat-interval"),
            QStringLiteral("200"), QStringLiteral("--heartbeat-timeout"), QStringLiteral("1000")};
}

QJsonObject counts(quint16 port)
{
    return masterStatus(port, Key).value(QStringLiteral("counts")).toObject();
}

QByteArray lines(const QByteArray &line, int count)
{
    QByteArray out;
    for (int i = 0; i < count; ++i)
        out += line + '\n';
    return out;
}

std::unique_ptr<TestProcess> run(const QStringList &args)
{
    return std::make_unique<TestProcess>(QStringLiteral(TASKMASTER_BIN), args, Key);
}

// The final records of these tasks, by id, as `watch` prints them now.
std::map<quint64, QJsonObject> watchRecords(quint16 port, const QList<quint64> &ids)
{
    QStringList args{QStringLiteral("watch")};
    args += connectionArgs(port);
    for (quint64 id : ids)
        args.append(QString::number(id));
    auto watch = run(args);
    std::map<quint64, QJsonObject> records;
    if (!watch->waitForExit(60'000))
        return records;
    for (const QByteArray &line : watch->stdoutLines()) {
        const QJsonObject record = QJsonDocument::fromJson(line).object();
        records[quint64(record.value(QStringLiteral("id")).toInteger())] = record;
    }
    return records;
}

} // namespace

class tst_CrashPromises : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void everyResultShownSurvivesACrash();
    void aConfirmedCancelSurvivesACrash();
    void anInterruptedSubmitSaysWhatWasAccepted();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_CrashPromises::init()
{
#ifndef Q_OS_UNIX
    QSKIP("QProcess::kill is SIGKILL only on Unix");
#endif
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_CrashPromises::everyResultShownSurvivesACrash()
{
    const QStringList serveArgs = durableArgs(*m_dir);
    auto master = std::make_unique<TestMaster>(Key, serveArgs);
    QVERIFY(master->isReady());
    const quint16 port = master->port();
    auto before = startWorker(port, Key, QStringLiteral("before"), {QStringLiteral("--slots"), QStringLiteral("8")});

    const int count = 20'000;
    auto submit = run(QStringList{QStringLiteral("submit"), QStringLiteral("--wait"), QStringLiteral("--file"),
                                  QStringLiteral("-")}
                      + connectionArgs(port));
    submit->feedStdin(lines(R"({"kind":"square","args":{"n":7}})", count));
    // Kill in the thick of it: results are streaming to the client as fast as they are made.
    QVERIFY(submit->waitForStdoutLines(3000, 60'000));
    master->process().kill();
    before->kill();
    QVERIFY(submit->waitForExit());
    QCOMPARE(submit->exitCode(), 4);
    const QList<QByteArray> shown = submit->stdoutLines();
    QVERIFY(shown.size() >= 3000);
    QVERIFY(shown.size() < count);

    // Whatever runs now runs on another worker, so a task that ran again shows it.
    master = std::make_unique<TestMaster>(Key, serveArgs, port);
    QVERIFY(master->isReady());
    auto after = startWorker(port, Key, QStringLiteral("after"));
    std::map<quint64, QJsonObject> printed;
    for (const QByteArray &line : shown) {
        const QJsonObject record = QJsonDocument::fromJson(line).object();
        QCOMPARE(record.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
        printed[quint64(record.value(QStringLiteral("id")).toInteger())] = record;
    }
    QList<quint64> ids;
    for (const auto &[id, record] : printed)
        ids.append(id);
    const std::map<quint64, QJsonObject> now = watchRecords(port, ids);
    int changed = 0;
    for (const auto &[id, record] : printed) {
        const auto found = now.find(id);
        if (found == now.end() || found->second.value(QStringLiteral("state")) != record.value(QStringLiteral("state"))
            || found->second.value(QStringLiteral("worker")) != record.value(QStringLiteral("worker"))
            || found->second.value(QStringLiteral("result")) != record.value(QStringLiteral("result")))
            ++changed;
    }
    qInfo("%lld results shown before the SIGKILL; %d of them differ after the restart", qlonglong(printed.size()), changed);
    QCOMPARE(changed, 0);
    QCOMPARE(qsizetype(now.size()), qsizetype(printed.size()));
}

void tst_CrashPromises::aConfirmedCancelSurvivesACrash()
{
    const QStringList serveArgs = durableArgs(*m_dir);
    auto master = std::make_unique<TestMaster>(Key, serveArgs);
    QVERIFY(master->isReady());
    const quint16 port = master->port();

    // No worker: every task waits in the queue until it is cancelled.
    const int count = 200;
    auto submit = run(QStringList{QStringLiteral("submit"), QStringLiteral("--file"), QStringLiteral("-")} + connectionArgs(port));
    submit->feedStdin(lines(R"({"kind":"square","args":{"n":3}})", count));
    QVERIFY(submit->waitForExit());
    QCOMPARE(submit->exitCode(), 0);
    QStringList cancelArgs{QStringLiteral("cancel")};
    cancelArgs += connectionArgs(port);
    for (const QByteArray &id : submit->stdoutLines())
        cancelArgs.append(QString::fromLatin1(id));
    QCOMPARE(cancelArgs.size(), connectionArgs(port).size() + 1 + count);
    auto cancel = run(cancelArgs);
    QVERIFY(cancel->waitForStdoutLines(1));
    // Told: kill at once.
    master->process().kill();
    QCOMPARE(cancel->stdoutLines().value(0), QByteArray("cancelled 200 of 200 task(s)"));

    master = std::make_unique<TestMaster>(Key, serveArgs, port);
    QVERIFY(master->isReady());
    QCOMPARE(counts(port).value(QStringLiteral("cancelled")).toInteger(), count);
    QCOMPARE(counts(port).value(QStringLiteral("queued")).toInteger(), 0);
    // A worker now finds nothing to run.
    auto worker = startWorker(port, Key, QStringLiteral("idle"));
    QTRY_COMPARE_WITH_TIMEOUT(masterStatus(port, Key).value(QStringLiteral("workers")).toArray().size(), 1, 20'000);
    QCOMPARE(counts(port).value(QStringLiteral("done")).toInteger(), 0);
}

void tst_CrashPromises::anInterruptedSubmitSaysWhatWasAccepted()
{
    const QStringList serveArgs = durableArgs(*m_dir);
    auto master = std::make_unique<TestMaster>(Key, serveArgs);
    QVERIFY(master->isReady());
    const quint16 port = master->port();

    const int count = 50'000;
    const QString path = m_dir->filePath(QStringLiteral("tasks.jsonl"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    for (int i = 0; i < count; ++i)
        file.write(R"({"kind":"square","args":{"n":)" + QByteArray::number(i) + "}}\n");
    file.close();
    const QStringList submitArgs = QStringList{QStringLiteral("submit"), QStringLiteral("--file"), path} + connectionArgs(port);

    // Cut off once the first ids are confirmed: they are printed as the master confirms them.
    auto first = run(submitArgs);
    QVERIFY(first->waitForStdoutLines(1, 60'000));
    master->process().kill();
    QVERIFY(first->waitForExit());
    QCOMPARE(first->exitCode(), 4);
    const QList<QByteArray> confirmed = first->stdoutLines();
    static const QRegularExpression said(QStringLiteral("(\\d+) of 50000 task\\(s\\) were accepted"));
    const auto m = said.match(QString::fromUtf8(first->stderrText()));
    QVERIFY2(m.hasMatch(), first->stderrText().constData());
    QCOMPARE(m.captured(1).toLongLong(), qint64(confirmed.size()));
    QVERIFY(confirmed.size() < count);

    // Every confirmed task is there after the restart (maybe some more whose ack was cut off).
    master = std::make_unique<TestMaster>(Key, serveArgs, port);
    QVERIFY(master->isReady());
    const qint64 recovered = counts(port).value(QStringLiteral("queued")).toInteger();
    QVERIFY(recovered >= confirmed.size());

    // The same file again: the master recognises what it has, by content and line.
    auto second = run(submitArgs);
    QVERIFY(second->waitForExit(60'000));
    QCOMPARE(second->exitCode(), 0);
    const QList<QByteArray> ids = second->stdoutLines();
    QCOMPARE(ids.size(), count);
    QCOMPARE(ids.mid(0, confirmed.size()), confirmed);
    QVERIFY2(second->stderrText().contains(QStringLiteral("%1 of %2 task(s) were already on the master")
                                                   .arg(recovered)
                                                   .arg(count)
                                                   .toUtf8()),
             second->stderrText().constData());
    QCOMPARE(counts(port).value(QStringLiteral("queued")).toInteger(), count);

    // --no-keys means what it says: a third run adds every task again.
    auto third = run(submitArgs + QStringList{QStringLiteral("--no-keys")});
    QVERIFY(third->waitForExit(60'000));
    QCOMPARE(third->exitCode(), 0);
    QCOMPARE(counts(port).value(QStringLiteral("queued")).toInteger(), 2 * count);
}

QTEST_GUILESS_MAIN(tst_CrashPromises)
#include "tst_crashpromises.moc"
