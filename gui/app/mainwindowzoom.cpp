// View > Zoom: the window's font at the chosen size, which its children inherit; the tables'
// fixed row heights and column widths follow it by hand.

#include "mainwindow.h"

#include "util/mastersettings.h"
#include "widgets/viewzoom.h"

#include <QApplication>
#include <QHeaderView>
#include <QMenu>
#include <QTableView>

void MainWindow::buildZoomActions(QMenu *view)
{
    m_zoom = new ViewZoom(m_settings->store(), this);
    addAction(view, QStringLiteral("zoomIn"), tr("Zoom &in"), QKeySequence::ZoomIn,
              tr("Larger text in the tables, views and chart, as for a projector"), &MainWindow::zoomIn);
    addAction(view, QStringLiteral("zoomOut"), tr("Zoom &out"), QKeySequence::ZoomOut,
              tr("Smaller text in the tables, views and chart"), &MainWindow::zoomOut);
    addAction(view, QStringLiteral("zoomReset"), tr("&Actual size"), QKeySequence(tr("Ctrl+0")),
              tr("Text at its normal size"), &MainWindow::zoomReset);
    // No status message: over the address label, a temporary one overlaps it.
    connect(m_zoom, &ViewZoom::changed, this, &MainWindow::applyZoom);
    applyZoom();
}

void MainWindow::zoomIn()
{
    m_zoom->zoomIn();
}

void MainWindow::zoomOut()
{
    m_zoom->zoomOut();
}

void MainWindow::zoomReset()
{
    m_zoom->reset();
}

void MainWindow::applyZoom()
{
    const qreal factor = m_zoom->percent() / qreal(ViewZoom::Normal);
    // At the normal size the window inherits the application's font again, and follows it.
    setFont(m_zoom->percent() == ViewZoom::Normal ? QFont() : ViewZoom::scaled(QApplication::font(), factor));
    for (QTableView *table : {m_taskView, m_workerView})
        ViewZoom::fitRowHeight(table);
    // The task table's columns keep the widths set or dragged, at the new size: ids and args
    // that fitted still fit.
    QHeaderView *header = m_taskView->horizontalHeader();
    for (int column = 0; column + 1 < header->count(); ++column)
        header->resizeSection(column, qRound(header->sectionSize(column) * factor / m_appliedZoom));
    m_appliedZoom = factor;
    m_workerView->resizeColumnsToContents();
    action(QStringLiteral("zoomIn"))->setEnabled(m_zoom->canZoomIn());
    action(QStringLiteral("zoomOut"))->setEnabled(m_zoom->canZoomOut());
    action(QStringLiteral("zoomReset"))->setEnabled(m_zoom->percent() != ViewZoom::Normal);
}
