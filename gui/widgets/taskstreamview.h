#pragma once

// The task stream: one lane per worker slot, each attempt a bar from its start to its end,
// coloured by kind, failures outlined and hatched in red. It follows the current time by
// default; the wheel zooms, a drag pans (and stops following), a double-click, L or the Live
// button follow again. Only the bars in view are visited: a binary search per lane finds them.

#include "models/taskstream.h"

#include <QWidget>

class QTimer;
class QToolButton;

class TaskStreamView final : public QWidget
{
    Q_OBJECT

public:
    explicit TaskStreamView(TaskStream *stream, QWidget *parent = nullptr);

    TaskStream *stream() const { return m_stream; }
    bool isLive() const { return m_live; }
    void setLive(bool live);
    // The time shown: spanMs() milliseconds up to endMs() (now while live).
    qint64 spanMs() const { return m_spanMs; }
    void setSpanMs(qint64 ms);
    qint64 endMs() const;
    // Shows the time up to ms, and stops following.
    void setEndMs(qint64 ms);
    static constexpr qint64 MinSpanMs = 20;
    static constexpr qint64 MaxSpanMs = 24LL * 3600 * 1000;

    // Where a lane and a bar are drawn, in widget coordinates; empty when out of view.
    QRect laneRect(int group, int lane) const;
    QRect barRect(const TaskStream::Bar &bar) const;
    // The bar under a point, within a few pixels; null if none.
    const TaskStream::Bar *barAt(const QPoint &pos) const;
    // The time at x, in ms since the epoch.
    qint64 timeAt(int x) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void taskClicked(quint64 id);
    void liveChanged(bool live);

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    struct Row {
        int group;
        int lane;
        QRect rect;
    };

    QRect plotRect() const; // the lanes' area, right of the labels, between header and axis
    int headerHeight() const;
    int axisHeight() const;
    int labelWidth() const;
    QString laneLabel(int group, int lane) const;
    // From time to x and back, for one look at the widget (the right edge moves while live).
    struct Scale {
        QRect plot;
        qint64 end;
        double pixelsPerMs;
        double x(qint64 t) const { return plot.right() + 1 - double(end - t) * pixelsPerMs; }
        qint64 time(int x) const;
    };

    std::vector<Row> rows() const;
    Scale scale() const;
    // Zooms by factor (below 1: in) keeping the time at x where it is.
    void zoom(double factor, int x);
    void panBy(int dx);
    void updateTimer();
    void placeLiveButton();
    void paintAxis(QPainter &p, const Scale &scale) const;
    void paintLegend(QPainter &p, const QList<quint16> &kinds) const;
    QString tooltip(const TaskStream::Bar &bar) const;

    TaskStream *m_stream;
    QToolButton *m_liveButton;
    QTimer *m_liveTimer; // repaints while following, so running bars grow and time moves on
    bool m_live = true;
    qint64 m_spanMs = 30'000;
    qint64 m_endMs = 0; // when not live
    QPoint m_pressPos;
    qint64 m_pressEndMs = 0;
    bool m_pressed = false;
    bool m_dragging = false;
};
