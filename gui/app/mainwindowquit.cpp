// Quitting the desktop app: what it would interrupt, asked before it happens.

#include "mainwindow.h"

#include "app/localworkers.h"
#include "master/master.h"
#include "master/scheduler.h"
#include "master/workerinfo.h"
#include "widgets/storebanner.h"

#include <QCloseEvent>

void MainWindow::noteMemoryOnly(const QString &why, bool heldByAnother)
{
    m_storeBanner->setMemoryOnly(why, heldByAnother);
    setWindowTitle(heldByAnother ? tr("Taskmaster (second instance, tasks in memory only)") : tr("Taskmaster"));
}

void MainWindow::closeWithoutAsking()
{
    m_closeWithoutAsking = true;
    close();
}

QString MainWindow::quitQuestion() const
{
    const Scheduler *scheduler = m_master->scheduler();
    quint64 started = 0;
    int remote = 0;
    for (const WorkerInfo *worker : scheduler->workers()) {
        started += quint64(worker->started);
        remote += isLocalWorker(*worker) ? 0 : 1;
    }
    if (started == 0 && remote == 0)
        return {};
    QStringList parts;
    if (started > 0) {
        parts << (scheduler->store().keepsTasks()
                          ? tr("%n running task(s) will be interrupted and run again the next time Taskmaster starts.",
                               nullptr, int(qMin<quint64>(started, INT_MAX)))
                          : tr("%n running task(s) will be lost: this session keeps its tasks in memory only.",
                               nullptr, int(qMin<quint64>(started, INT_MAX))));
    }
    if (remote > 0) {
        parts << tr("%n remote worker(s) will lose their master and wait for it to come back.", nullptr, remote);
    }
    return parts.join(QLatin1Char(' '));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!m_closeWithoutAsking) {
        const QString question = quitQuestion();
        if (!question.isEmpty() && !confirm(tr("Quit Taskmaster?"), question, tr("&Quit"))) {
            event->ignore();
            return;
        }
    }
    saveState();
    m_localWorkers->stopAll();
    event->accept();
}
