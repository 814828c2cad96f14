#pragma once

// Tasks finished per second and the queue depth over the last few minutes, sampled once a
// second from the scheduler's counters. The two are in different units, so each has its own
// titled axis, coloured as its line: tasks per second on the left, queued tasks on the right.

#include <QElapsedTimer>
#include <QFont>
#include <QWidget>

class QChart;
class QChartView;
class QDateTimeAxis;
class QLineSeries;
class QValueAxis;
class QTimer;
class Scheduler;

class ThroughputChart final : public QWidget
{
    Q_OBJECT

public:
    // Seconds shown.
    static constexpr int Window = 300;

    explicit ThroughputChart(Scheduler *scheduler, QWidget *parent = nullptr);

    int sampleCount() const;
    // Takes a sample now; the timer takes one a second.
    void sample();

    QChart *chart() const;
    QLineSeries *rateSeries() const { return m_rate; }
    QLineSeries *queuedSeries() const { return m_queued; }
    QDateTimeAxis *timeAxis() const { return m_time; }
    QValueAxis *rateAxis() const { return m_rateAxis; }
    QValueAxis *queuedAxis() const { return m_queuedAxis; }

protected:
    // The chart's texts are drawn in fonts of its own, which the widget's font does not reach:
    // they follow its zoom here.
    void changeEvent(QEvent *event) override;

private:
    void followZoom();
    void addAxis(QValueAxis *axis, QLineSeries *series, const QString &title, const QColor &color, Qt::Alignment side);

    Scheduler *m_scheduler;
    QChartView *m_view;
    QLineSeries *m_rate;
    QLineSeries *m_queued;
    QDateTimeAxis *m_time;
    QValueAxis *m_rateAxis;
    QValueAxis *m_queuedAxis;
    QTimer *m_timer;
    // Points are placed on a monotonic clock counted from the wall-clock time the chart
    // started, so the intervals the rates are worked out over are the ones the axis shows.
    QElapsedTimer m_clock;
    qint64 m_startMs = 0;
    qint64 m_lastSampleMs = 0;
    quint64 m_lastFinished = 0;
    // The chart theme's fonts, at the normal size.
    QFont m_labelsFont;
    QFont m_titleFont;
    QFont m_legendFont;
};
