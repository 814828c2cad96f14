#pragma once

// Tasks finished per second and the queue depth over the last few minutes, sampled once a
// second from the scheduler's counters.

#include <QWidget>

class QChart;
class QLineSeries;
class QValueAxis;
class QTimer;
class Scheduler;

class ThroughputChart final : public QWidget
{
    Q_OBJECT

public:
    explicit ThroughputChart(Scheduler *scheduler, QWidget *parent = nullptr);

    int sampleCount() const;
    void sample();

private:
    Scheduler *m_scheduler;
    QLineSeries *m_throughput;
    QLineSeries *m_depth;
    QValueAxis *m_x;
    QValueAxis *m_yRate;
    QValueAxis *m_yDepth;
    QTimer *m_timer;
    quint64 m_lastFinished = 0;
    int m_t = 0;
};
