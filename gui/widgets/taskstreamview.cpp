#include "taskstreamview.h"

#include "models/taskstatestyle.h"

#include <QDateTime>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <QWheelEvent>

#include <array>
#include <cmath>
#include <functional>

namespace {

// Kinds' colours (Tableau 10 without its red, which marks failures).
const std::array<QColor, TaskStream::ColourCount> Palette = {
    QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b), QColor(0x59, 0xa1, 0x4f),
    QColor(0x76, 0xb7, 0xb2), QColor(0xed, 0xc9, 0x48), QColor(0xb0, 0x7a, 0xa1),
    QColor(0xff, 0x9d, 0xa7), QColor(0x9c, 0x75, 0x5f), QColor(0xba, 0xb0, 0xac),
};
const QColor FailureColour(0xd6, 0x27, 0x28);
constexpr int GroupGap = 3; // pixels between the lanes of two workers
constexpr int HitSlop = 3; // pixels around a narrow bar that still hit it
constexpr int LiveIntervalMs = 50;

QColor kindColour(const TaskStream &stream, quint16 kind)
{
    const int colour = stream.kindColour(kind);
    return colour < 0 ? QColor(Qt::gray) : Palette[size_t(colour)];
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

TaskState stateOf(TaskStream::Outcome outcome)
{
    switch (outcome) {
    case TaskStream::Outcome::Running: return TaskState::Running;
    case TaskStream::Outcome::Done: return TaskState::Done;
    case TaskStream::Outcome::Failed: return TaskState::Failed;
    case TaskStream::Outcome::Cancelled: return TaskState::Cancelled;
    }
    return TaskState::Running;
}

// A bar as it is drawn: failures outlined and hatched in red, cut-short attempts faded.
void paintBar(QPainter &p, const QRectF &rect, const QColor &colour, TaskStream::Outcome outcome)
{
    switch (outcome) {
    case TaskStream::Outcome::Running:
        p.fillRect(rect, colour.lighter(125));
        break;
    case TaskStream::Outcome::Done:
        p.fillRect(rect, colour);
        break;
    case TaskStream::Outcome::Failed:
        p.fillRect(rect, colour);
        p.fillRect(rect, QBrush(FailureColour, Qt::BDiagPattern));
        p.setPen(QPen(FailureColour, 2));
        p.drawRect(rect.adjusted(1, 1, -1, -1));
        break;
    case TaskStream::Outcome::Cancelled: {
        QColor faded = colour;
        faded.setAlpha(90);
        p.fillRect(rect, faded);
        p.setPen(QPen(colour.darker(140), 1, Qt::DashLine));
        p.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5));
        break;
    }
    }
}

// Tick steps, ms: the smallest that leaves room for a label is taken.
constexpr std::array<qint64, 26> TickSteps = {
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1'000, 2'000, 5'000, 10'000, 15'000, 30'000, 60'000,
    120'000, 300'000, 600'000, 900'000, 1'800'000, 3'600'000, 7'200'000, 10'800'000, 21'600'000, 43'200'000,
};

} // namespace

TaskStreamView::TaskStreamView(TaskStream *stream, QWidget *parent)
    : QWidget(parent), m_stream(stream), m_liveButton(new QToolButton(this)), m_liveTimer(new QTimer(this))
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(false);
    setAttribute(Qt::WA_OpaquePaintEvent);
    m_liveButton->setText(tr("Live"));
    m_liveButton->setCheckable(true);
    m_liveButton->setChecked(true);
    m_liveButton->setAutoRaise(true);
    m_liveButton->setToolTip(tr("Follow the current time (L, or double-click the lanes)"));
    connect(m_liveButton, &QToolButton::clicked, this, [this](bool checked) { setLive(checked); });
    m_liveTimer->setInterval(LiveIntervalMs);
    connect(m_liveTimer, &QTimer::timeout, this, qOverload<>(&QWidget::update));
    connect(stream, &TaskStream::changed, this, qOverload<>(&QWidget::update));
    setWhatsThis(tr("Each lane is one slot of a worker; each bar is one attempt of a task, from its start to its end."));
}

QSize TaskStreamView::sizeHint() const
{
    return {640, 220};
}

QSize TaskStreamView::minimumSizeHint() const
{
    return {200, headerHeight() + axisHeight() + 2 * fontMetrics().height()};
}

void TaskStreamView::setLive(bool live)
{
    if (!live && m_live)
        m_endMs = nowMs(); // stops where it is
    const bool was = m_live;
    m_live = live;
    m_liveButton->setChecked(live);
    updateTimer();
    update();
    if (was != live)
        Q_EMIT liveChanged(live);
}

void TaskStreamView::setSpanMs(qint64 ms)
{
    m_spanMs = qBound(MinSpanMs, ms, MaxSpanMs);
    update();
}

qint64 TaskStreamView::endMs() const
{
    return m_live ? nowMs() : m_endMs;
}

void TaskStreamView::setEndMs(qint64 ms)
{
    setLive(false);
    m_endMs = ms;
    update();
}

void TaskStreamView::updateTimer()
{
    if (m_live && isVisible())
        m_liveTimer->start();
    else
        m_liveTimer->stop();
}

void TaskStreamView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    updateTimer();
}

void TaskStreamView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    updateTimer();
}

int TaskStreamView::headerHeight() const
{
    return qMax(fontMetrics().height() + 8, m_liveButton->sizeHint().height() + 4);
}

int TaskStreamView::axisHeight() const
{
    return fontMetrics().height() + 10;
}

QString TaskStreamView::laneLabel(int group, int lane) const
{
    return tr("%1 #%2", "worker name, slot number").arg(m_stream->groupName(group)).arg(lane + 1);
}

int TaskStreamView::labelWidth() const
{
    int widest = fontMetrics().horizontalAdvance(QStringLiteral("worker #1"));
    for (int g = 0; g < m_stream->groupCount(); ++g)
        widest = qMax(widest, fontMetrics().horizontalAdvance(laneLabel(g, m_stream->laneCount(g) - 1)));
    return qMin(widest + 12, width() / 3);
}

QRect TaskStreamView::plotRect() const
{
    const int left = labelWidth();
    return QRect(left, headerHeight(), qMax(1, width() - left - 6), qMax(1, height() - headerHeight() - axisHeight()));
}

std::vector<TaskStreamView::Row> TaskStreamView::rows() const
{
    std::vector<Row> out;
    const QRect plot = plotRect();
    int lanes = 0;
    for (int g = 0; g < m_stream->groupCount(); ++g)
        lanes += m_stream->laneCount(g);
    if (lanes == 0)
        return out;
    const int gaps = GroupGap * (m_stream->groupCount() - 1);
    // As tall as a line of text at most, and squeezed to fit many workers.
    const int laneHeight = qBound(2, (plot.height() - gaps) / lanes, fontMetrics().height() + 8);
    int y = plot.top();
    for (int g = 0; g < m_stream->groupCount(); ++g) {
        for (int l = 0; l < m_stream->laneCount(g); ++l) {
            out.push_back({g, l, QRect(plot.left(), y, plot.width(), laneHeight)});
            y += laneHeight;
        }
        y += GroupGap;
    }
    return out;
}

QRect TaskStreamView::laneRect(int group, int lane) const
{
    for (const Row &row : rows()) {
        if (row.group == group && row.lane == lane)
            return row.rect.intersected(plotRect());
    }
    return {};
}

TaskStreamView::Scale TaskStreamView::scale() const
{
    const QRect plot = plotRect();
    return {plot, endMs(), double(plot.width()) / double(m_spanMs)};
}

qint64 TaskStreamView::timeAt(int x) const
{
    return scale().time(x);
}

qint64 TaskStreamView::Scale::time(int px) const
{
    return end - qint64(std::llround(double(plot.right() + 1 - px) / pixelsPerMs));
}

QRect TaskStreamView::barRect(const TaskStream::Bar &bar) const
{
    const QRect lane = laneRect(bar.group, bar.lane);
    if (lane.isEmpty())
        return {};
    const Scale s = scale();
    const double x0 = s.x(bar.laneStartMs);
    const double x1 = qMax(x0 + 1, s.x(bar.laneEndMs(nowMs())));
    return QRect(QPoint(int(std::floor(x0)), lane.top() + 1), QPoint(int(std::ceil(x1)) - 1, lane.bottom() - 1))
            .intersected(s.plot);
}

const TaskStream::Bar *TaskStreamView::barAt(const QPoint &pos) const
{
    const Scale s = scale();
    if (!s.plot.contains(pos))
        return nullptr;
    const qint64 t = s.time(pos.x());
    const qint64 slop = qMax<qint64>(1, qint64(HitSlop / s.pixelsPerMs));
    const qint64 now = nowMs();
    for (const Row &row : rows()) {
        if (!row.rect.contains(pos))
            continue;
        const int first = m_stream->firstEndingFrom(row.group, row.lane, t - slop);
        const int last = m_stream->firstStartingAfter(row.group, row.lane, t + slop);
        const TaskStream::Bar *best = nullptr;
        qint64 bestDistance = 0;
        for (int i = first; i < last; ++i) {
            const TaskStream::Bar &bar = m_stream->laneBar(row.group, row.lane, i);
            const qint64 distance = t < bar.laneStartMs ? bar.laneStartMs - t : qMax<qint64>(0, t - bar.laneEndMs(now));
            if (!best || distance < bestDistance) {
                best = &bar;
                bestDistance = distance;
            }
        }
        return best;
    }
    return nullptr;
}

void TaskStreamView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    placeLiveButton();
}

void TaskStreamView::placeLiveButton()
{
    const QSize button = m_liveButton->sizeHint();
    m_liveButton->setGeometry(width() - button.width() - 4, (headerHeight() - button.height()) / 2, button.width(),
                              button.height());
}

bool TaskStreamView::event(QEvent *event)
{
    if (event->type() == QEvent::FontChange) {
        placeLiveButton(); // the header grows with the font, and the button with it
        update();
    } else if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        if (const TaskStream::Bar *bar = barAt(help->pos()))
            QToolTip::showText(help->globalPos(), tooltip(*bar), this, barRect(*bar));
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

QString TaskStreamView::tooltip(const TaskStream::Bar &bar) const
{
    const qint64 ms = (bar.endMs ? bar.endMs : nowMs()) - bar.startMs;
    const QString duration = ms < 10'000 ? tr("%1 ms").arg(ms) : tr("%1 s").arg(QLocale().toString(double(ms) / 1000, 'f', 1));
    const QString kind = bar.kind == TaskStream::OtherKind ? tr("(one of many kinds)") : m_stream->kindName(bar.kind);
    return tr("Task %1\nKind: %2\nWorker: %3, slot %4\nStarted: %5\n%6: %7")
            .arg(bar.taskId)
            .arg(kind, m_stream->groupName(bar.group))
            .arg(bar.lane + 1)
            .arg(QDateTime::fromMSecsSinceEpoch(bar.startMs).toString(QStringLiteral("HH:mm:ss.zzz")),
                 TaskStateStyle::label(stateOf(bar.outcome)), duration);
}

void TaskStreamView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    const Scale s = scale();
    const QRect &plot = s.plot;
    const qint64 end = s.end;
    const qint64 start = end - m_spanMs;
    const qint64 now = nowMs();
    const std::vector<Row> lanes = rows();
    if (lanes.empty()) {
        p.setPen(palette().color(QPalette::Disabled, QPalette::Text));
        p.drawText(plot, Qt::AlignCenter | Qt::TextWordWrap,
                   tr("No workers yet. Each slot of a worker becomes a lane here, with a bar for every task it runs."));
        paintAxis(p, s);
        return;
    }
    paintAxis(p, s);

    QList<quint16> kinds; // in view, for the legend
    const int textHeight = fontMetrics().height();
    p.setClipRect(QRect(0, plot.top(), width(), plot.height()));
    for (const Row &row : lanes) {
        if (row.lane % 2 == 1)
            p.fillRect(row.rect, palette().alternateBase());
        // The label: every lane when there is room, else the worker's first lane only.
        if (row.rect.height() >= textHeight || row.lane == 0) {
            p.setPen(palette().color(m_stream->isConnected(row.group) ? QPalette::Active : QPalette::Disabled,
                                     QPalette::Text));
            const QRect label(0, row.rect.top(), plot.left() - 6, qMax(row.rect.height(), textHeight));
            const QString text = row.rect.height() >= textHeight ? laneLabel(row.group, row.lane)
                                                                 : m_stream->groupName(row.group);
            p.drawText(label, Qt::AlignRight | Qt::AlignVCenter, fontMetrics().elidedText(text, Qt::ElideMiddle, label.width()));
        }
        const int first = m_stream->firstEndingFrom(row.group, row.lane, start);
        const int last = m_stream->firstStartingAfter(row.group, row.lane, end);
        const double top = row.rect.top() + 1;
        const double h = qMax(1, row.rect.height() - 2);
        // Bars narrower than a few pixels merge with their neighbours of one colour into one
        // rectangle: at full speed thousands fit in a pixel column, and each is not drawn.
        QRectF run;
        QColor runColour;
        const auto flushRun = [&] {
            if (!run.isNull())
                p.fillRect(run, runColour);
            run = QRectF();
        };
        for (int i = first; i < last; ++i) {
            const TaskStream::Bar &bar = m_stream->laneBar(row.group, row.lane, i);
            if (!kinds.contains(bar.kind))
                kinds.append(bar.kind);
            const double x0 = qMax(double(plot.left()), s.x(bar.laneStartMs));
            const double x1 = qMin(double(plot.right() + 1), s.x(bar.laneEndMs(now)));
            const QColor colour = kindColour(*m_stream, bar.kind);
            if (x1 - x0 >= 4 || bar.outcome == TaskStream::Outcome::Failed || bar.outcome == TaskStream::Outcome::Running) {
                flushRun();
                // A pixel of gap at the end tells back-to-back tasks apart.
                const double gap = x1 - x0 >= 4 && bar.endMs ? 1 : 0;
                paintBar(p, QRectF(x0, top, qMax(1.0, x1 - x0 - gap), h), colour, bar.outcome);
                continue;
            }
            const QRectF rect(x0, top, qMax(1.0, x1 - x0), h);
            if (!run.isNull() && colour == runColour && rect.left() <= run.right() + 1) {
                run.setRight(qMax(run.right(), rect.right()));
            } else {
                flushRun();
                run = rect;
                runColour = bar.outcome == TaskStream::Outcome::Cancelled ? colour.lighter(150) : colour;
            }
        }
        flushRun();
    }
    // Now, when the view has been moved off it but still shows it.
    if (!m_live && now >= start && now <= end) {
        p.setPen(QPen(palette().color(QPalette::Highlight), 1, Qt::DashLine));
        const int x = int(s.x(now));
        p.drawLine(x, plot.top(), x, plot.bottom());
    }
    p.setClipping(false);
    paintLegend(p, kinds);
}

void TaskStreamView::paintAxis(QPainter &p, const Scale &s) const
{
    const QFontMetrics fm = fontMetrics();
    const QRect &plot = s.plot;
    const qint64 end = s.end;
    const qint64 start = end - m_spanMs;
    const double room = fm.horizontalAdvance(QStringLiteral("00:00:00")) + 2 * fm.averageCharWidth();
    qint64 step = TickSteps.back();
    for (qint64 candidate : TickSteps) {
        if (double(candidate) * s.pixelsPerMs >= room) {
            step = candidate;
            break;
        }
    }
    // Ticks fall on round local times: whole seconds, minutes, hours of the clock on the wall.
    const qint64 offset = qint64(QDateTime::fromMSecsSinceEpoch(end).offsetFromUtc()) * 1000;
    const qint64 firstLocal = ((start + offset) / step + 1) * step;
    const int axisTop = plot.bottom() + 1;
    QColor grid = palette().color(QPalette::Mid);
    grid.setAlpha(70);
    p.setPen(palette().color(QPalette::Mid));
    p.drawLine(plot.left(), axisTop, plot.right(), axisTop);
    for (qint64 local = firstLocal; local - offset <= end; local += step) {
        const qint64 t = local - offset;
        const int x = int(std::lround(s.x(t)));
        p.setPen(grid);
        p.drawLine(x, plot.top(), x, plot.bottom());
        p.setPen(palette().color(QPalette::Mid));
        p.drawLine(x, axisTop, x, axisTop + 4);
        // Whole seconds by the clock; between them, when zoomed in, the ms past the second.
        const QString label = local % 1000 == 0
                ? QDateTime::fromMSecsSinceEpoch(t).toString(QStringLiteral("HH:mm:ss"))
                : tr("+%1 ms").arg(local % 1000);
        p.setPen(palette().color(QPalette::Text));
        const int w = fm.horizontalAdvance(label);
        const int left = qBound(0, x - w / 2, width() - w);
        p.drawText(QRect(left, axisTop + 5, w, fm.height()), Qt::AlignCenter, label);
    }
}

void TaskStreamView::paintLegend(QPainter &p, const QList<quint16> &kinds) const
{
    const QFontMetrics fm = fontMetrics();
    const int header = headerHeight();
    const int box = fm.height() * 2 / 3;
    const int right = m_liveButton->geometry().left() - 8;
    int x = 6;
    const auto item = [&](const QString &text, const std::function<void(const QRectF &)> &swatch) {
        const int w = box + 4 + fm.horizontalAdvance(text) + 12;
        if (x + w > right)
            return false;
        swatch(QRectF(x, (header - box) / 2.0, box, box));
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QRect(x + box + 4, 0, w, header), Qt::AlignLeft | Qt::AlignVCenter, text);
        x += w;
        return true;
    };
    QList<quint16> sorted = kinds;
    std::sort(sorted.begin(), sorted.end(),
              [this](quint16 a, quint16 b) { return m_stream->kindName(a) < m_stream->kindName(b); });
    for (quint16 kind : std::as_const(sorted)) {
        const QString name = kind == TaskStream::OtherKind ? tr("other kinds") : m_stream->kindName(kind);
        if (!item(name, [&](const QRectF &r) { p.fillRect(r, kindColour(*m_stream, kind)); }))
            return;
    }
    item(TaskStateStyle::label(TaskState::Failed),
         [&](const QRectF &r) { paintBar(p, r, Palette[8], TaskStream::Outcome::Failed); });
    item(TaskStateStyle::label(TaskState::Cancelled),
         [&](const QRectF &r) { paintBar(p, r, Palette[8], TaskStream::Outcome::Cancelled); });
}

void TaskStreamView::zoom(double factor, int x)
{
    const qint64 span = qBound(MinSpanMs, qint64(std::llround(double(m_spanMs) * factor)), MaxSpanMs);
    if (!m_live) {
        // The time under the cursor stays under it.
        const Scale s = scale();
        const QRect &plot = s.plot;
        const qint64 anchor = s.time(x);
        const double fromRight = double(plot.right() + 1 - qBound(plot.left(), x, plot.right() + 1)) / plot.width();
        m_endMs = anchor + qint64(std::llround(fromRight * double(span)));
    }
    // While following, the right edge stays on now and the zoom happens about it.
    m_spanMs = span;
    update();
}

void TaskStreamView::panBy(int dx)
{
    if (m_live)
        setLive(false);
    m_endMs -= qint64(std::llround(dx / scale().pixelsPerMs));
    update();
}

void TaskStreamView::wheelEvent(QWheelEvent *event)
{
    const int delta = event->angleDelta().y();
    if (delta == 0) {
        event->ignore();
        return;
    }
    zoom(std::pow(0.8, delta / 120.0), int(event->position().x()));
    event->accept();
}

void TaskStreamView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return QWidget::mousePressEvent(event);
    m_pressed = true;
    m_dragging = false;
    m_pressPos = event->position().toPoint();
    m_pressEndMs = endMs();
}

void TaskStreamView::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_pressed)
        return QWidget::mouseMoveEvent(event);
    const QPoint pos = event->position().toPoint();
    if (!m_dragging && (pos - m_pressPos).manhattanLength() < 4)
        return;
    if (!m_dragging) {
        m_dragging = true;
        setLive(false);
        setCursor(Qt::ClosedHandCursor);
    }
    m_endMs = m_pressEndMs;
    panBy(pos.x() - m_pressPos.x());
}

void TaskStreamView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || !m_pressed)
        return QWidget::mouseReleaseEvent(event);
    m_pressed = false;
    if (m_dragging) {
        m_dragging = false;
        unsetCursor();
        return;
    }
    if (const TaskStream::Bar *bar = barAt(event->position().toPoint()))
        Q_EMIT taskClicked(bar->taskId);
}

void TaskStreamView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton)
        setLive(true);
}

void TaskStreamView::keyPressEvent(QKeyEvent *event)
{
    const int middle = plotRect().center().x();
    switch (event->key()) {
    case Qt::Key_L:
    case Qt::Key_End:
        setLive(true);
        break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoom(0.5, middle);
        break;
    case Qt::Key_Minus:
        zoom(2, middle);
        break;
    case Qt::Key_Left:
        panBy(plotRect().width() / 4);
        break;
    case Qt::Key_Right:
        panBy(-plotRect().width() / 4);
        break;
    default:
        QWidget::keyPressEvent(event);
    }
}
