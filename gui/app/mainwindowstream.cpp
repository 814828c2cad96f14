// The task stream dock, and a click on one of its bars selecting that task in the table.

#include "mainwindow.h"

#include "master/master.h"
#include "models/taskstream.h"
#include "models/tasktablemodel.h"
#include "widgets/taskstreamview.h"

#include <QItemSelectionModel>
#include <QStatusBar>
#include <QTableView>

QWidget *MainWindow::buildTaskStream()
{
    m_streamView = new TaskStreamView(new TaskStream(m_master->scheduler(), this), this);
    connect(m_streamView, &TaskStreamView::taskClicked, this, &MainWindow::selectTask);
    return m_streamView;
}

bool MainWindow::selectTask(quint64 id)
{
    m_taskModel->flush(); // a task that has just started may not have its row yet
    const int row = m_taskModel->rowOf(id);
    if (row < 0) {
        statusBar()->showMessage(tr("Task %1 is not in the task table: the filter hides it, or it was removed.").arg(id),
                                 10'000);
        return false;
    }
    const QModelIndex index = m_taskModel->index(row, TaskTableModel::IdColumn);
    m_taskView->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_taskView->scrollTo(index);
    return true;
}
