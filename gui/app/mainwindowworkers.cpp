// The main window's worker actions: this machine's own taskworker processes, and draining or
// dropping the workers selected in the Workers view.

#include "mainwindow.h"

#include "app/localworkers.h"
#include "master/master.h"
#include "master/scheduler.h"
#include "master/workerinfo.h"
#include "models/workertablemodel.h"

#include <QInputDialog>
#include <QItemSelectionModel>
#include <QSysInfo>
#include <QTableView>

bool MainWindow::startLocalWorkers(int count)
{
    if (!m_master->isListening() && !startServer())
        return false;
    QString host = m_master->serverAddress().toString();
    if (m_master->serverAddress() == QHostAddress::AnyIPv4 || m_master->serverAddress() == QHostAddress::Any)
        host = QStringLiteral("127.0.0.1");
    else if (m_master->serverAddress() == QHostAddress::AnyIPv6)
        host = QStringLiteral("::1");
    QString error;
    // Local workers get the worker key when there is one, so the authkey stays in this process.
    const QByteArray workerKey = m_master->settings().workerKey.isEmpty() ? m_master->settings().key
                                                                           : m_master->settings().workerKey;
    if (!m_localWorkers->start(count, host, m_master->serverPort(), workerKey, &error)) {
        reportProblem(error);
        return false;
    }
    logAction(tr("Started %n local worker(s).", nullptr, count));
    return true;
}

void MainWindow::askLocalWorkers()
{
    bool ok = false;
    const int count = QInputDialog::getInt(this, tr("Start local workers"), tr("How many taskworker processes:"), 2, 1,
                                           64, 1, &ok);
    if (ok)
        startLocalWorkers(count);
}

void MainWindow::stopLocalWorkers()
{
    logAction(tr("Stopping %n local worker(s).", nullptr, m_localWorkers->count()));
    m_localWorkers->stopAll();
}

bool MainWindow::drainLocalWorker(qint64 pid)
{
    for (const WorkerInfo *w : m_master->scheduler()->workers()) {
        if (w->pid == pid && isLocalWorker(*w))
            return m_master->drainWorker(w->id, tr("stopped from the desktop app"));
    }
    return false;
}

bool MainWindow::isLocalWorker(const WorkerInfo &worker) const
{
    // A remote worker with the pid of one of ours is on another host.
    static const QString host = QSysInfo::machineHostName();
    return worker.host == host && m_localWorkers->owns(worker.pid);
}

void MainWindow::stopLocalWorker()
{
    for (const QModelIndex &index : m_workerView->selectionModel()->selectedRows()) {
        if (const WorkerInfo *w = m_workerModel->worker(index.row()); w && isLocalWorker(*w)) {
            logAction(tr("Stopping local worker %1 on %2.").arg(w->name, w->host));
            m_localWorkers->stop(w->pid);
        }
    }
}

QList<quint64> MainWindow::selectedWorkerIds() const
{
    QList<quint64> ids;
    for (const QModelIndex &index : m_workerView->selectionModel()->selectedRows())
        ids.append(index.data(WorkerTableModel::WorkerIdRole).toULongLong());
    return ids;
}

// The master logs both at once, naming the worker and the reason given here.
void MainWindow::disconnectWorker()
{
    for (quint64 id : selectedWorkerIds())
        m_master->disconnectWorker(id, tr("disconnected from the desktop app"));
}

void MainWindow::drainWorker()
{
    for (quint64 id : selectedWorkerIds())
        m_master->drainWorker(id, tr("drained from the desktop app"));
}
