#include "throughputchart.h"

#include "master/scheduler.h"
#include "viewzoom.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QLegend>
#include <QLineSeries>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

namespace {

quint64 finished(const Scheduler *s)
{
    return s->count(TaskState::Done) + s->count(TaskState::Failed) + s->count(TaskState::Cancelled);
}

qreal maxY(const QLineSeries *series)
{
    qreal m = 1;
    for (const QPointF &p : series->points())
        m = std::max(m, p.y());
    return m;
}

// Integer labels need a range of at least a few units, or they repeat ("0 0 0 1").
void fitToPoints(QValueAxis *axis, const QLineSeries *series)
{
    axis->setRange(0, std::max<qreal>(5, maxY(series) * 1.1));
    axis->applyNiceNumbers();
}

} // namespace

ThroughputChart::ThroughputChart(Scheduler *scheduler, QWidget *parent)
    : QWidget(parent)
    , m_scheduler(scheduler)
    , m_view(new QChartView(new QChart, this))
    , m_rate(new QLineSeries(this))
    , m_queued(new QLineSeries(this))
    , m_time(new QDateTimeAxis(this))
    , m_rateAxis(new QValueAxis(this))
    , m_queuedAxis(new QValueAxis(this))
    , m_timer(new QTimer(this))
{
    QChart *chart = m_view->chart();
    m_rate->setName(tr("Finished per second"));
    m_queued->setName(tr("Queued"));
    chart->addSeries(m_rate);
    chart->addSeries(m_queued);
    m_time->setTitleText(tr("Time"));
    m_time->setFormat(QStringLiteral("HH:mm:ss"));
    m_time->setTickCount(4);
    chart->addAxis(m_time, Qt::AlignBottom);
    m_rate->attachAxis(m_time);
    m_queued->attachAxis(m_time);
    addAxis(m_rateAxis, m_rate, tr("tasks/s"), QColor(0x20, 0x9f, 0x4f), Qt::AlignLeft);
    addAxis(m_queuedAxis, m_queued, tr("Queued tasks"), QColor(0x2f, 0x6f, 0xc0), Qt::AlignRight);
    chart->legend()->setAlignment(Qt::AlignTop);
    // Room at each side for the outer axes' labels and titles, which the chart otherwise lays
    // out up to the widget's very edge and beyond.
    chart->setMargins(QMargins(6, 4, 6, 4));
    m_view->setRenderHint(QPainter::Antialiasing);
    m_labelsFont = m_time->labelsFont();
    m_titleFont = m_time->titleFont();
    m_legendFont = chart->legend()->font();
    followZoom();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);

    m_clock.start();
    m_startMs = QDateTime::currentMSecsSinceEpoch();
    m_lastFinished = finished(scheduler);
    m_time->setRange(QDateTime::fromMSecsSinceEpoch(m_startMs), QDateTime::fromMSecsSinceEpoch(m_startMs + 60'000));
    fitToPoints(m_rateAxis, m_rate);
    fitToPoints(m_queuedAxis, m_queued);
    connect(m_timer, &QTimer::timeout, this, &ThroughputChart::sample);
    m_timer->start(1000);
}

void ThroughputChart::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange)
        followZoom();
    QWidget::changeEvent(event);
}

void ThroughputChart::followZoom()
{
    const qreal factor = ViewZoom::factorOf(this);
    QChart *chart = m_view->chart();
    for (QAbstractAxis *axis : chart->axes()) {
        axis->setLabelsFont(ViewZoom::scaled(m_labelsFont, factor));
        axis->setTitleFont(ViewZoom::scaled(m_titleFont, factor));
    }
    chart->legend()->setFont(ViewZoom::scaled(m_legendFont, factor));
}

void ThroughputChart::addAxis(QValueAxis *axis, QLineSeries *series, const QString &title, const QColor &color,
                              Qt::Alignment side)
{
    // The line and its axis in one colour: which scale a line is read on shows at a glance.
    QPen pen(color);
    pen.setWidthF(2);
    series->setPen(pen);
    axis->setTitleText(title);
    axis->setTitleBrush(color);
    axis->setLabelsColor(color);
    axis->setLinePenColor(color);
    axis->setLabelFormat(QStringLiteral("%d"));
    m_view->chart()->addAxis(axis, side);
    series->attachAxis(axis);
}

QChart *ThroughputChart::chart() const
{
    return m_view->chart();
}

int ThroughputChart::sampleCount() const
{
    return int(m_rate->count());
}

void ThroughputChart::sample()
{
    const qint64 elapsed = m_clock.elapsed();
    const quint64 now = finished(m_scheduler);
    // Removing tasks lowers the counts; that is not negative throughput.
    const quint64 delta = now >= m_lastFinished ? now - m_lastFinished : 0;
    const qint64 intervalMs = std::max<qint64>(1, elapsed - m_lastSampleMs);
    m_lastFinished = now;
    m_lastSampleMs = elapsed;
    const qreal x = qreal(m_startMs + elapsed);
    m_rate->append(x, qreal(delta) * 1000 / qreal(intervalMs));
    m_queued->append(x, qreal(m_scheduler->count(TaskState::Queued)));
    const qreal oldest = x - Window * 1000.0;
    while (m_rate->count() > 0 && m_rate->at(0).x() < oldest) {
        m_rate->remove(0);
        m_queued->remove(0);
    }
    const qint64 from = std::max<qint64>(m_startMs, qint64(oldest));
    m_time->setRange(QDateTime::fromMSecsSinceEpoch(from),
                     QDateTime::fromMSecsSinceEpoch(std::max<qint64>(from + 60'000, qint64(x))));
    fitToPoints(m_rateAxis, m_rate);
    fitToPoints(m_queuedAxis, m_queued);
}
