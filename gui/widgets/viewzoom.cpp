#include "viewzoom.h"

#include <QApplication>
#include <QFontDatabase>
#include <QHeaderView>
#include <QSettings>
#include <QTableView>

#include <algorithm>

namespace {

const QString ZoomKey = QStringLiteral("v1/window/zoom");

int normalStep()
{
    return int(std::find(ViewZoom::Steps.begin(), ViewZoom::Steps.end(), ViewZoom::Normal) - ViewZoom::Steps.begin());
}

// The step of a saved percent; a value no step has (an older table, a hand edit) takes the
// nearest step below it, and garbage the normal size.
int stepOf(const QVariant &saved)
{
    bool ok = false;
    const int percent = saved.toInt(&ok);
    if (!ok || percent < ViewZoom::Steps.front())
        return normalStep();
    return int(std::upper_bound(ViewZoom::Steps.begin(), ViewZoom::Steps.end(), percent) - ViewZoom::Steps.begin()) - 1;
}

} // namespace

ViewZoom::ViewZoom(QSettings *store, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_step(stepOf(store->value(ZoomKey)))
{
}

void ViewZoom::zoomIn()
{
    if (canZoomIn())
        setStep(m_step + 1);
}

void ViewZoom::zoomOut()
{
    if (canZoomOut())
        setStep(m_step - 1);
}

void ViewZoom::reset()
{
    setStep(normalStep());
}

void ViewZoom::setStep(int step)
{
    if (step == m_step)
        return;
    m_step = step;
    m_store->setValue(ZoomKey, percent());
    Q_EMIT changed(percent());
}

QFont ViewZoom::scaled(const QFont &font, qreal factor)
{
    QFont result = font;
    if (font.pointSizeF() > 0)
        result.setPointSizeF(font.pointSizeF() * factor);
    else
        result.setPixelSize(qMax(1, qRound(font.pixelSize() * factor)));
    return result;
}

qreal ViewZoom::factorOf(const QWidget *widget)
{
    const QFont normal = QApplication::font();
    const QFont shown = widget->font();
    if (normal.pointSizeF() > 0 && shown.pointSizeF() > 0)
        return shown.pointSizeF() / normal.pointSizeF();
    const QFontInfo normalInfo(normal);
    const QFontInfo shownInfo(shown);
    return normalInfo.pixelSize() > 0 ? qreal(shownInfo.pixelSize()) / normalInfo.pixelSize() : 1.0;
}

QFont ViewZoom::fixedFont(const QWidget *widget)
{
    return scaled(QFontDatabase::systemFont(QFontDatabase::FixedFont), factorOf(widget));
}

void ViewZoom::fitRowHeight(QTableView *view)
{
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
}
