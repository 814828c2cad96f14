// A task's duration is what its worker measured, not the span between two messages reaching the
// master: the table, the detail pane and the export show the worker's run time, from a real
// taskworker over a loopback socket.

#include "app/taskexport.h"
#include "models/taskstatestyle.h"
#include "processes.h"
#include "widgets/taskdetailpane.h"
#include "windowfixture.h"

#include <QBuffer>
#include <QProcess>
#include <QTest>

namespace {

TaskSpec square(const QByteArray &args)
{
    TaskSpec spec;
    spec.kind = QStringLiteral("square");
    spec.args = args;
    return spec;
}

QString durationText(WindowFixture &f, quint64 id)
{
    f.window.taskModel()->flush();
    const int row = f.window.taskModel()->rowOf(id);
    return f.window.taskModel()->index(row, TaskTableModel::DurationColumn).data().toString();
}

} // namespace

class tst_Durations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void formatting_data();
    void formatting();
    void durationsAreTheWorkersRunTime();
};

void tst_Durations::formatting_data()
{
    QTest::addColumn<qint64>("micros");
    QTest::addColumn<QString>("text");
    QTest::newRow("none") << qint64(-1) << QString();
    QTest::newRow("nothing at all") << qint64(0) << QStringLiteral("0 µs");
    QTest::newRow("microseconds") << qint64(37) << QStringLiteral("37 µs");
    QTest::newRow("under 10 ms") << qint64(4'204) << QStringLiteral("4.20 ms");
    QTest::newRow("whole ms") << qint64(410'499) << QStringLiteral("410 ms");
    QTest::newRow("rounds up") << qint64(9'999'500) << QStringLiteral("10,000 ms");
    QTest::newRow("seconds") << qint64(12'345'678) << QStringLiteral("12.3 s");
}

void tst_Durations::formatting()
{
    QFETCH(qint64, micros);
    QFETCH(QString, text);
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    QCOMPARE(TaskStateStyle::duration(micros), text);
}

void tst_Durations::durationsAreTheWorkersRunTime()
{
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    WindowFixture f;
    f.window.show();
    QVERIFY(f.window.startServer());
    QStringList args = QProcess::splitCommand(f.window.workerCommandLine());
    args.removeFirst();
    TestProcess worker(QStringLiteral(TASKWORKER_BIN), args + QStringList{QStringLiteral("--slots"), QStringLiteral("1")},
                       QByteArray());
    QTRY_COMPARE_WITH_TIMEOUT(f.scheduler()->workers().size(), qsizetype(1), 20'000);

    // A quick square, then one that works 300 ms: on one slot, so the quick one is the
    // worker's first and its start and result reach the master in one batch.
    const QList<quint64> ids = f.scheduler()->submit({square("{\"n\":3}"), square("{\"n\":4,\"ms\":300}")});
    QTRY_COMPARE_WITH_TIMEOUT(f.scheduler()->count(TaskState::Done), quint64(2), 20'000);

    for (const quint64 id : ids) {
        const Task *task = f.scheduler()->task(id);
        const qint64 run = task->history.last().runMicros;
        QVERIFY2(run >= 0, "the worker's run time is kept");
        QCOMPARE(task->durationMicros(), run);
        QCOMPARE(durationText(f, id), TaskStateStyle::duration(run));
        // The start is the result's arrival less the run, so the record's times agree with it.
        QCOMPARE(task->finishedMs - task->startedMs, (run + 500) / 1000);
    }
    const qint64 quick = f.scheduler()->task(ids[0])->durationMicros();
    const qint64 slow = f.scheduler()->task(ids[1])->durationMicros();
    QVERIFY2(slow >= 300'000, qPrintable(QString::number(slow)));
    QVERIFY2(quick < 300'000, qPrintable(QString::number(quick)));
    // Master-side, the quick task read "0 ms": its start and result came in one batch.
    QVERIFY2(durationText(f, ids[0]) != QLatin1String("0 ms"), qPrintable(durationText(f, ids[0])));

    // The detail pane says how long it ran, and so does each attempt.
    f.select({ids[1]});
    const QString detail = f.window.detailPane()->toPlainText();
    QVERIFY2(detail.count(TaskStateStyle::duration(slow)) >= 2, qPrintable(detail));

    // The export gives the same run time, in milliseconds with microseconds.
    QBuffer csv;
    QVERIFY(csv.open(QIODevice::WriteOnly));
    TaskExport::writeCsv(&csv, {f.scheduler()->task(ids[1])});
    const QByteArray expected = QByteArray::number(double(slow) / 1000, 'f', 3);
    QVERIFY2(csv.data().contains(QByteArray(',' + expected + ',')), csv.data().constData());
}

QTEST_MAIN(tst_Durations)
#include "tst_durations.moc"
