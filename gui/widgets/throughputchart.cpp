#include "throughputchart.h"

#include "master/scheduler.h"

#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

namespace {
constexpr int Window = 300; // seconds shown

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
} // namespace

ThroughputChart::ThroughputChart(Scheduler *scheduler, QWidget *parent)
    : QWidget(parent)
    , m_scheduler(scheduler)
    , m_throughput(new QLineSeries(this))
    , m_depth(new QLineSeries(this))
    , m_x(new QValueAxis(this))
    , m_yRate(new QValueAxis(this))
    , m_yDepth(new QValueAxis(this))
    , m_timer(new QTimer(this))
{
    m_throughput->setName(tr("Finished per second"));
    m_depth->setName(tr("Queued"));
    auto *chart = new QChart;
    chart->addSeries(m_throughput);
    chart->addSeries(m_depth);
    m_x->setTitleText(tr("Seconds"));
    m_x->setLabelFormat(QStringLiteral("%d"));
    m_yRate->setLabelFormat(QStringLiteral("%d"));
    m_yDepth->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(m_x, Qt::AlignBottom);
    chart->addAxis(m_yRate, Qt::AlignLeft);
    chart->addAxis(m_yDepth, Qt::AlignRight);
    m_throughput->attachAxis(m_x);
    m_throughput->attachAxis(m_yRate);
    m_depth->attachAxis(m_x);
    m_depth->attachAxis(m_yDepth);
    chart->legend()->setAlignment(Qt::AlignTop);
    chart->setMargins(QMargins(2, 2, 2, 2));
    auto *view = new QChartView(chart, this);
    view->setRenderHint(QPainter::Antialiasing);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(view);
    m_lastFinished = finished(scheduler);
    m_x->setRange(0, 60);
    connect(m_timer, &QTimer::timeout, this, &ThroughputChart::sample);
    m_timer->start(1000);
}

int ThroughputChart::sampleCount() const
{
    return int(m_throughput->count());
}

void ThroughputChart::sample()
{
    const quint64 now = finished(m_scheduler);
    // Removing tasks lowers the counts; that is not negative throughput.
    const qreal rate = now >= m_lastFinished ? qreal(now - m_lastFinished) : 0;
    m_lastFinished = now;
    ++m_t;
    m_throughput->append(m_t, rate);
    m_depth->append(m_t, qreal(m_scheduler->count(TaskState::Queued)));
    if (m_throughput->count() > Window) {
        m_throughput->remove(0);
        m_depth->remove(0);
    }
    m_x->setRange(std::max(0, m_t - Window), std::max(60, m_t));
    // Integer labels need a range of at least a few units, or they repeat ("0 0 0 1").
    m_yRate->setRange(0, std::max<qreal>(5, maxY(m_throughput) * 1.1));
    m_yRate->applyNiceNumbers();
    m_yDepth->setRange(0, std::max<qreal>(5, maxY(m_depth) * 1.1));
    m_yDepth->applyNiceNumbers();
}
