// The throughput chart: each series on its own titled axis, clock times on the time axis,
// numbers that agree with the scheduler's counts over a real worker, and a first window that
// fits the screen so no axis falls off its edge.

#include "windowfixture.h"

#include "widgets/throughputchart.h"

#include <QChart>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QScreen>
#include <QTest>
#include <QValueAxis>

namespace {

QList<TaskSpec> squares(int n)
{
    QList<TaskSpec> out;
    for (int i = 0; i < n; ++i) {
        TaskSpec spec;
        spec.kind = QStringLiteral("square");
        spec.args = QByteArray::number(i);
        out.append(spec);
    }
    return out;
}

} // namespace

class tst_Chart final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void eachSeriesHasItsOwnTitledAxis();
    void theTimeAxisReadsAsClockTimes();
    void thePlottedNumbersAgreeWithTheScheduler();
    void theFirstWindowFitsTheScreen();
};

void tst_Chart::initTestCase()
{
    useFreshTestSettings(QStringLiteral("tst_chart"));
}

void tst_Chart::eachSeriesHasItsOwnTitledAxis()
{
    WindowFixture f;
    ThroughputChart chart(f.scheduler());
    QCOMPARE(chart.timeAxis()->titleText(), QStringLiteral("Time"));
    QCOMPARE(chart.rateAxis()->titleText(), QStringLiteral("tasks/s"));
    QCOMPARE(chart.queuedAxis()->titleText(), QStringLiteral("Queued tasks"));
    QCOMPARE(chart.rateAxis()->alignment(), Qt::AlignLeft);
    QCOMPARE(chart.queuedAxis()->alignment(), Qt::AlignRight);
    QCOMPARE(chart.timeAxis()->alignment(), Qt::AlignBottom);
    // One scale per line: the rate on the left axis only, the queue on the right one only.
    const QList<QAbstractAxis *> rate = chart.rateSeries()->attachedAxes();
    const QList<QAbstractAxis *> queued = chart.queuedSeries()->attachedAxes();
    QCOMPARE(rate.size(), 2);
    QVERIFY(rate.contains(chart.timeAxis()) && rate.contains(chart.rateAxis()));
    QCOMPARE(queued.size(), 2);
    QVERIFY(queued.contains(chart.timeAxis()) && queued.contains(chart.queuedAxis()));
    // Each axis in its line's colour, so which scale a line is read on shows.
    QCOMPARE(chart.rateAxis()->labelsColor(), chart.rateSeries()->pen().color());
    QCOMPARE(chart.queuedAxis()->labelsColor(), chart.queuedSeries()->pen().color());
    QVERIFY(chart.rateSeries()->pen().color() != chart.queuedSeries()->pen().color());
}

void tst_Chart::theTimeAxisReadsAsClockTimes()
{
    WindowFixture f;
    const QDateTime before = QDateTime::currentDateTime();
    ThroughputChart chart(f.scheduler());
    chart.sample();
    QCOMPARE(chart.timeAxis()->format(), QStringLiteral("HH:mm:ss"));
    // The axis spans the time the samples were taken: now, not "seconds since 0".
    QVERIFY(chart.timeAxis()->min() <= QDateTime::currentDateTime());
    QVERIFY(chart.timeAxis()->min() >= before.addSecs(-1));
    QVERIFY(chart.timeAxis()->max() >= QDateTime::currentDateTime());
    const QPointF last = chart.rateSeries()->points().constLast();
    QVERIFY(qint64(last.x()) >= chart.timeAxis()->min().toMSecsSinceEpoch());
    QVERIFY(qint64(last.x()) <= chart.timeAxis()->max().toMSecsSinceEpoch());
}

void tst_Chart::thePlottedNumbersAgreeWithTheScheduler()
{
    WindowFixture f;
    ThroughputChart chart(f.scheduler());
    // Queued with no worker yet: the queue line says so, and nothing finishes.
    constexpr int N = 40;
    f.scheduler()->submit(squares(N));
    chart.sample();
    const int baseline = chart.sampleCount() - 1;
    QCOMPARE(chart.queuedSeries()->points().constLast().y(), qreal(N));
    QCOMPARE(chart.rateSeries()->points().constLast().y(), qreal(0));

    QVERIFY(f.window.startLocalWorkers(1));
    QTRY_COMPARE_WITH_TIMEOUT(f.scheduler()->count(TaskState::Done), quint64(N), 20'000);
    chart.sample();
    // The rates, each times the interval it was measured over, add up to the tasks that
    // finished, however many samples the timer took meanwhile.
    const QList<QPointF> rates = chart.rateSeries()->points();
    qreal finished = 0;
    for (int i = baseline + 1; i < rates.size(); ++i)
        finished += rates.at(i).y() * (rates.at(i).x() - rates.at(i - 1).x()) / 1000;
    QVERIFY2(qAbs(finished - N) < 1e-6, qPrintable(QString::number(finished)));
    QCOMPARE(chart.queuedSeries()->points().constLast().y(), qreal(0));
    // The rate's scale reaches its highest point: no line runs off the top.
    qreal highest = 0;
    for (const QPointF &p : rates)
        highest = std::max(highest, p.y());
    QVERIFY(chart.rateAxis()->max() >= highest);
}

void tst_Chart::theFirstWindowFitsTheScreen()
{
    WindowFixture f;
    f.window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&f.window));
    const QRect screen = f.window.screen()->availableGeometry();
    QVERIFY2(f.window.width() <= screen.width() && f.window.height() <= screen.height(),
             qPrintable(QStringLiteral("%1x%2 on %3x%4")
                                .arg(f.window.width())
                                .arg(f.window.height())
                                .arg(screen.width())
                                .arg(screen.height())));
}

QTEST_MAIN(tst_Chart)
#include "tst_chart.moc"
