#include "mainwindow.h"

#include "app/localworkers.h"
#include "app/taskexport.h"
#include "app/taskguidance.h"
#include "auth/authkey.h"
#include "dialogs/connectworkerdialog.h"
#include "dialogs/enqueuedialog.h"
#include "dialogs/settingsdialog.h"
#include "master/master.h"
#include "master/scheduler.h"
#include "models/taskfilter.h"
#include "models/taskstatestyle.h"
#include "models/tasktablemodel.h"
#include "models/workertablemodel.h"
#include "task/tasklines.h"
#include "tls/tls.h"
#include "util/logging.h"
#include "util/mastersettings.h"
#include "widgets/taskdetailpane.h"

#include <QCloseEvent>
#include <QDir>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>

MainWindow::MainWindow(Master *master, MasterSettings *settings, QWidget *parent)
    : QMainWindow(parent)
    , m_master(master)
    , m_settings(settings)
    , m_localWorkers(new LocalWorkers(this))
    , m_taskModel(new TaskTableModel(master->scheduler(), this))
    , m_workerModel(new WorkerTableModel(master->scheduler(), this))
{
    setWindowTitle(tr("Taskmaster"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/taskmaster.svg")));
    buildViews();
    buildActions();
    m_taskGuidance->setActions(action(QStringLiteral("demo")), action(QStringLiteral("enqueue")));
    restoreState();

    Scheduler *scheduler = master->scheduler();
    connect(scheduler, &Scheduler::workerAdded, this, &MainWindow::updateStatus);
    connect(scheduler, &Scheduler::workerRemoved, this, &MainWindow::updateStatus);
    // A start changes no state count, only a worker's: the running count follows at most every
    // 200 ms, however many workers report.
    m_statusTimer = new QTimer(this);
    m_statusTimer->setSingleShot(true);
    m_statusTimer->setInterval(200);
    connect(m_statusTimer, &QTimer::timeout, this, &MainWindow::updateStatus);
    // What the selected rows allow changes with their states, too.
    connect(m_statusTimer, &QTimer::timeout, this, &MainWindow::updateActions);
    connect(m_taskModel, &QAbstractItemModel::dataChanged, m_statusTimer, [this] {
        if (!m_statusTimer->isActive())
            m_statusTimer->start();
    });
    connect(scheduler, &Scheduler::workerChanged, m_statusTimer, [this] {
        if (!m_statusTimer->isActive())
            m_statusTimer->start();
    });
    // Counts change with every result, which is also the moment a worker has one slot between
    // tasks, before its next start arrives: shown at once, they would show that dip every time
    // (running 5 and sent ahead 1 on six busy slots). On the timer they show a moment like any other.
    connect(scheduler, &Scheduler::countsChanged, m_statusTimer, [this] {
        if (!m_statusTimer->isActive())
            m_statusTimer->start();
    });
    connect(master, &Master::listeningChanged, this, &MainWindow::updateStatus);
    connect(master, &Master::listeningChanged, this, &MainWindow::updateActions);
    connect(m_localWorkers, &LocalWorkers::countChanged, this, &MainWindow::updateActions);
    m_localWorkers->setDrain([this](qint64 pid) { return drainLocalWorker(pid); });
    // The detail pane follows the selected task as it changes, after the model has caught up.
    const auto followShownTask = [this] {
        if (m_shownTask)
            showSelectedTask();
    };
    connect(m_taskModel, &QAbstractItemModel::dataChanged, this, followShownTask);
    connect(m_taskModel, &QAbstractItemModel::layoutChanged, this, followShownTask);
    updateStatus();
    updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::applyTaskFilter()
{
    m_textFilterTimer->stop();
    const int state = m_stateFilter->currentData().toInt();
    m_taskModel->setFilter(TaskFilter(state < 0 ? std::nullopt : std::optional<TaskState>(TaskState(state)),
                                      m_kindFilter->text(), m_textFilter->text()));
    m_taskGuidance->update();
}

int MainWindow::execDialog(QDialog *dialog)
{
    // A dialog is a window of its own, which the window's font, and so its zoom, does not reach.
    dialog->setFont(font());
    if (m_dialogHook) {
        m_dialogHook(dialog);
        return dialog->result();
    }
    return dialog->exec();
}

bool MainWindow::confirm(const QString &title, const QString &text, const QString &goAhead, const QString &holdBack)
{
    QMessageBox box(QMessageBox::Question, title, text, holdBack.isEmpty() ? QMessageBox::Cancel : QMessageBox::NoButton, this);
    QPushButton *yes = box.addButton(goAhead, QMessageBox::AcceptRole);
    if (holdBack.isEmpty())
        box.setDefaultButton(QMessageBox::Cancel);
    else
        box.setDefaultButton(box.addButton(holdBack, QMessageBox::RejectRole));
    execDialog(&box);
    return box.clickedButton() == yes;
}

bool MainWindow::startServer()
{
    QString error;
    QByteArray key = m_settings->readKey(&error);
    if (!error.isEmpty()) {
        reportProblem(error);
        return false;
    }
    if (key.isEmpty()) {
        // First start: a strong key, saved for the workers to read.
        key = MasterSettings::generateKey();
        if (!m_settings->writeKey(key, &error)) {
            reportProblem(error);
            return false;
        }
    }
    const QByteArray workerKey = m_settings->readWorkerKey(&error);
    if (error.isEmpty() && m_settings->hasWorkerKey())
        error = AuthKey::workerKeyProblem(key, workerKey);
    if (!error.isEmpty()) {
        const QString message = tr("Cannot use the worker key: %1. Use Server > New worker key.").arg(error);
        reportProblem(message);
        return false;
    }
    Master::Settings settings = m_master->settings();
    settings.key = key;
    settings.workerKey = workerKey;
    settings.tls = QSslConfiguration();
    if (!m_settings->tlsCertificateFile().isEmpty()
        && !Tls::loadServerConfiguration(m_settings->tlsCertificateFile(), m_settings->tlsKeyFile(), &settings.tls, &error)) {
        const QString message = tr("Cannot use the TLS certificate: %1. Fix it in Server > Settings.").arg(error);
        reportProblem(message);
        return false;
    }
    m_master->setSettings(settings);
    const QString address = m_settings->bindAddress();
    const QHostAddress host = address == QLatin1String("localhost") ? QHostAddress(QHostAddress::LocalHost) : QHostAddress(address);
    if (!m_master->listen(host, m_settings->port())) {
        const QString message = tr("Cannot listen on %1 port %2: %3. Choose another port in Server > Settings.")
                                        .arg(address)
                                        .arg(m_settings->port())
                                        .arg(m_master->errorString());
        reportProblem(message);
        updateActions();
        return false;
    }
    // The master's own line says where it listens.
    updateStatus();
    updateActions();
    return true;
}

void MainWindow::stopServer()
{
    m_master->close();
    logAction(tr("Stopped listening; the workers and clients connected stay connected."));
    updateStatus();
    updateActions();
}

void MainWindow::toggleServer()
{
    if (m_master->isListening())
        stopServer();
    else
        startServer();
}

void MainWindow::editSettings()
{
    QString error;
    SettingsDialog dialog(m_settings->bindAddress(), m_settings->port(), m_settings->readKey(&error), this,
                          m_settings->tlsCertificateFile(), m_settings->tlsKeyFile());
    dialog.setConfirm([this](const QString &title, const QString &text, const QString &goAhead) {
        return confirm(title, text, goAhead);
    });
    if (execDialog(&dialog) != QDialog::Accepted)
        return;
    const bool newAddress = dialog.address() != m_settings->bindAddress() || dialog.port() != m_settings->port();
    const bool newKey = dialog.key() != m_settings->readKey(&error);
    const bool newTls = dialog.tlsCertificateFile() != m_settings->tlsCertificateFile()
            || dialog.tlsKeyFile() != m_settings->tlsKeyFile();
    m_settings->setBindAddress(dialog.address());
    m_settings->setPort(dialog.port());
    m_settings->setTls(dialog.tlsCertificateFile(), dialog.tlsKeyFile());
    if (!m_settings->writeKey(dialog.key(), &error)) {
        QMessageBox::warning(this, tr("Settings"), error);
        return;
    }
    m_settings->sync();
    if (newAddress)
        logListenAddress();
    if (newKey)
        logAction(tr("New authkey written to %1.").arg(QDir::toNativeSeparators(m_settings->keyFilePath())));
    if (newTls) {
        logAction(m_settings->tlsCertificateFile().isEmpty()
                          ? tr("TLS turned off.")
                          : tr("TLS certificate set to %1.").arg(QDir::toNativeSeparators(m_settings->tlsCertificateFile())));
    }
    // New address, port or key: listen again with them.
    restartServer();
    offerToDisconnectOldKeyPeers();
}

QString MainWindow::workerCommandLine() const
{
    QString host = m_settings->bindAddress();
    if (host == QLatin1String("0.0.0.0") || host == QLatin1String("::"))
        host = QStringLiteral("<this-host>");
    const quint16 port = m_master->isListening() ? m_master->serverPort() : m_settings->port();
    const QByteArray fingerprint =
            m_master->usesTls() ? Tls::fingerprint(m_master->settings().tls.localCertificate()) : QByteArray();
    // The worker key when there is one: a worker box then cannot act as a client.
    const QString keyFile = m_settings->hasWorkerKey() ? m_settings->workerKeyFilePath() : m_settings->keyFilePath();
    return ConnectWorkerDialog::commandLine(LocalWorkers::program(), host, port, keyFile, fingerprint);
}

void MainWindow::newWorkerKey()
{
    if (m_settings->hasWorkerKey()
        && !confirm(tr("New worker key"),
                    tr("Workers given the current worker key cannot connect again once they lose their "
                       "connection: each needs a copy of the new key file. Connected workers stay connected."),
                    tr("&Replace the key"))) {
        return;
    }
    QString error;
    if (!m_settings->writeWorkerKey(MasterSettings::generateKey(), &error)) {
        QMessageBox::warning(this, tr("Worker key"), error);
        return;
    }
    restartServer();
    offerToDisconnectOldKeyPeers();
    report(tr("New worker key in %1; workers that connect from now on need it (or the authkey).")
                   .arg(QDir::toNativeSeparators(m_settings->workerKeyFilePath())));
}

void MainWindow::removeWorkerKey()
{
    if (m_settings->hasWorkerKey() && !QFile::remove(m_settings->workerKeyFilePath())) {
        QMessageBox::warning(this, tr("Worker key"), tr("Cannot remove %1.").arg(m_settings->workerKeyFilePath()));
        return;
    }
    restartServer();
    offerToDisconnectOldKeyPeers();
    report(tr("No worker key: workers connect with the authkey."));
}

void MainWindow::offerToDisconnectOldKeyPeers()
{
    // The app's own workers were started with the old key and would only fail to come back
    // with it: they stay, and take the new key when they are started again.
    QSet<quint64> local;
    const Master::OldKeyPeers peers = m_master->peersWithOldKey();
    for (const quint64 id : peers.workerIds) {
        const WorkerInfo *worker = m_master->scheduler()->worker(id);
        if (worker && isLocalWorker(*worker))
            local.insert(id);
    }
    const int workers = peers.workers - int(local.size());
    if (workers <= 0 && peers.clients == 0)
        return;
    const QString who = tr("%1 and %2").arg(tr("%n worker(s)", nullptr, workers), tr("%n client(s)", nullptr, peers.clients));
    if (!confirm(tr("Disconnect the old key's peers?"),
                 tr("%1 are connected with the old key. Disconnect them now? They reconnect only with the new key.")
                         .arg(who),
                 tr("&Disconnect"), tr("&Keep connected"))) {
        logAction(tr("Kept %1 connected with the old key until they leave.").arg(who));
        return;
    }
    m_master->disconnectPeersWithOldKey(local, QStringLiteral("the master's key changed"));
    logAction(tr("Disconnected %1 connected with the old key.").arg(who));
}

void MainWindow::restartServer()
{
    // Settings apply to connections accepted from now on; the ones open stay as they are.
    if (m_master->isListening()) {
        stopServer();
        startServer();
    }
}

void MainWindow::showConnectWorker()
{
    ConnectWorkerDialog dialog(workerCommandLine(), m_settings->bindAddress(), this);
    connect(&dialog, &ConnectWorkerDialog::listenEverywhereRequested, this, [this, &dialog] {
        m_settings->setBindAddress(QLatin1String(MasterSettings::EveryInterface));
        m_settings->sync();
        logListenAddress();
        stopServer();
        startServer();
        dialog.setCommand(workerCommandLine(), m_settings->bindAddress());
    });
    connect(&dialog, &ConnectWorkerDialog::copied, this, [this] { statusBar()->showMessage(tr("Copied."), 5000); });
    execDialog(&dialog);
}

void MainWindow::enqueue()
{
    EnqueueDialog dialog(this);
    QStringList kinds;
    for (const WorkerInfo *w : m_master->scheduler()->workers()) {
        for (const QString &kind : w->kinds) {
            if (!kinds.contains(kind))
                kinds.append(kind);
        }
    }
    kinds.sort();
    dialog.setWorkerKinds(kinds);
    if (execDialog(&dialog) != QDialog::Accepted)
        return;
    const QList<TaskSpec> specs = dialog.specs();
    if (specs.isEmpty())
        return; // the form was refused: its error is shown in the dialog
    m_master->scheduler()->submit(specs);
    logAction(tr("Enqueued %n task(s).", nullptr, int(specs.size())));
}

void MainWindow::enqueueDemo()
{
    const QList<TaskSpec> specs = EnqueueDialog::demoSpecs();
    m_master->scheduler()->submit(specs);
    logAction(tr("Enqueued the demo: %n square task(s).", nullptr, int(specs.size())));
}

QString MainWindow::importFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return tr("Cannot read %1: %2").arg(path, file.errorString());
    const TaskLines::Parsed parsed = TaskLines::parse(&file, TaskSpec());
    if (!parsed.ok())
        return tr("%1: %2. Nothing was enqueued.").arg(path, parsed.error);
    m_master->scheduler()->submit(parsed.specs);
    report(tr("Imported %n task(s) from %1.", nullptr, int(parsed.specs.size())).arg(QDir::toNativeSeparators(path)));
    return {};
}

void MainWindow::importTasks()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import tasks"), QString(),
                                                      tr("JSON Lines (*.jsonl *.ndjson);;All files (*)"));
    if (path.isEmpty())
        return;
    const QString error = importFile(path);
    if (!error.isEmpty())
        QMessageBox::warning(this, tr("Import tasks"), error);
}

QString MainWindow::exportTasks(const QString &path, bool selectionOnly, std::optional<TaskExport::Format> format)
{
    QList<const Task *> tasks;
    const Scheduler *scheduler = m_master->scheduler();
    if (selectionOnly) {
        for (quint64 id : selectedTaskIds()) {
            if (const Task *t = scheduler->task(id))
                tasks.append(t);
        }
    } else {
        scheduler->store().forEach([&tasks](const Task &t) { tasks.append(&t); });
    }
    const TaskExport::Format chosen = format.value_or(TaskExport::formatOf(path));
    const QString error = TaskExport::save(path, tasks, chosen);
    if (error.isEmpty()) {
        report(tr("Exported %n task(s) to %1 as %2.", nullptr, int(tasks.size()))
                       .arg(QDir::toNativeSeparators(path), TaskExport::formatName(chosen)));
    }
    return error;
}

void MainWindow::askExport(bool selectionOnly)
{
    QString filter;
    const QString path = QFileDialog::getSaveFileName(
            this, selectionOnly ? tr("Export selected tasks") : tr("Export all tasks"), QStringLiteral("tasks.csv"),
            TaskExport::dialogFilters(), &filter);
    if (path.isEmpty())
        return;
    const TaskExport::Target target = TaskExport::target(path, filter);
    const QString error = exportTasks(target.path, selectionOnly, target.format);
    if (!error.isEmpty())
        QMessageBox::warning(this, tr("Export"), error);
}

void MainWindow::exportAll()
{
    askExport(false);
}

void MainWindow::exportSelection()
{
    askExport(true);
}

QList<quint64> MainWindow::selectedTaskIds() const
{
    QList<quint64> ids;
    for (const QModelIndex &index : m_taskView->selectionModel()->selectedRows())
        ids.append(index.data(TaskTableModel::TaskIdRole).toULongLong());
    return ids;
}

// The log has the action as it happens; the status bar confirms it once it would survive a
// crash, as a client's is.
void MainWindow::confirmWhenDurable(const QString &message)
{
    logAction(message);
    m_master->scheduler()->whenDurable(this, [this, message] { statusBar()->showMessage(message, 5000); });
}

void MainWindow::logAction(const QString &message)
{
    qCInfo(lcGui).noquote() << message;
}

void MainWindow::report(const QString &message)
{
    statusBar()->showMessage(message);
    logAction(message);
}

void MainWindow::reportProblem(const QString &message)
{
    statusBar()->showMessage(message);
    qCWarning(lcGui).noquote() << message;
}

void MainWindow::logListenAddress()
{
    logAction(tr("Listen address set to %1 port %2.").arg(m_settings->bindAddress()).arg(m_settings->port()));
}

void MainWindow::cancelSelected()
{
    const int n = m_master->scheduler()->cancel(selectedTaskIds(), tr("cancelled from the desktop app"));
    confirmWhenDurable(tr("Cancelled %n task(s).", nullptr, n));
}

void MainWindow::retrySelected()
{
    const int n = m_master->scheduler()->retry(selectedTaskIds());
    confirmWhenDurable(tr("Queued %n task(s) again.", nullptr, n));
}

void MainWindow::removeSelectedFinished()
{
    const int n = m_master->scheduler()->remove(selectedTaskIds());
    confirmWhenDurable(tr("Removed %n finished task(s).", nullptr, n));
}

void MainWindow::clearFinished()
{
    const Scheduler *scheduler = m_master->scheduler();
    const quint64 finished = scheduler->count(TaskState::Done) + scheduler->count(TaskState::Failed)
            + scheduler->count(TaskState::Cancelled);
    if (finished == 0) {
        statusBar()->showMessage(tr("No finished tasks to remove."));
        return;
    }
    if (!confirm(tr("Clear all finished"),
                 tr("Remove all %n finished task(s), with their results? This cannot be undone.", nullptr, int(finished)),
                 tr("&Remove them"))) {
        return;
    }
    QList<quint64> ids;
    m_master->scheduler()->store().forEach([&ids](const Task &t) {
        if (isFinished(t.state))
            ids.append(t.id);
    });
    const int n = m_master->scheduler()->remove(ids);
    confirmWhenDurable(tr("Cleared all finished: removed %n task(s).", nullptr, n));
}

void MainWindow::showAbout()
{
    QMessageBox box(QMessageBox::NoIcon, tr("About Taskmaster"),
                    tr("<h3>Taskmaster %1</h3><p>A distributed task queue: this window is the master; "
                       "taskworker processes connect to it and run the tasks.</p><p>Qt %2</p>")
                            .arg(QStringLiteral(TASKMASTER_VERSION), QString::fromLatin1(qVersion())),
                    QMessageBox::Ok, this);
    box.setIconPixmap(windowIcon().pixmap(64));
    execDialog(&box);
}

void MainWindow::setLanguage(const QString &language)
{
    m_settings->setLanguage(language);
    m_settings->sync();
    statusBar()->showMessage(tr("The language changes the next time Taskmaster starts."), 10000);
}

QString MainWindow::statusText() const
{
    return m_addressLabel->text() + QStringLiteral(" | ") + m_workersLabel->text() + QStringLiteral(" | ")
            + m_countsLabel->text();
}

void MainWindow::updateStatus()
{
    const Scheduler *scheduler = m_master->scheduler();
    if (m_master->isListening()) {
        m_addressLabel->setText(tr("Listening on %1:%2")
                                        .arg(m_master->serverAddress().toString())
                                        .arg(m_master->serverPort()));
    } else {
        m_addressLabel->setText(tr("Not listening"));
    }
    m_workersLabel->setText(tr("%n worker(s)", nullptr, int(scheduler->workers().size())));
    // A running task has started on its worker; one sent ahead into a prefetch window waits
    // there and is counted apart, or four slots could show 260 running.
    quint64 started = 0;
    for (const WorkerInfo *worker : scheduler->workers())
        started += quint64(worker->started);
    const quint64 sent = scheduler->count(TaskState::Running) - qMin(started, scheduler->count(TaskState::Running));
    QStringList counts;
    for (int s = 0; s < TaskStateCount; ++s) {
        const auto state = TaskState(s);
        const quint64 count = state == TaskState::Running ? scheduler->count(state) - sent : scheduler->count(state);
        counts << TaskStateStyle::label(state) + QStringLiteral(" ") + QString::number(count);
        if (state == TaskState::Running)
            counts << tr("sent ahead %1").arg(sent);
    }
    m_countsLabel->setText(counts.join(QStringLiteral("  ")));
}

void MainWindow::updateActions()
{
    const bool listening = m_master->isListening();
    QAction *listen = m_actions.value(QStringLiteral("listen"));
    listen->setText(listening ? tr("Stop &listening") : tr("Start &listening"));
    listen->setIconText(toolbarText(listen->text()));
    const QString tip = listening ? tr("Accept no new workers or clients; those connected stay connected")
                                  : tr("Accept workers and clients on the address and port of Server > Settings");
    listen->setToolTip(tip + QStringLiteral(" (") + listen->shortcut().toString(QKeySequence::NativeText) + QLatin1Char(')'));
    listen->setStatusTip(tip);
    // Each action is enabled where it would do something: Cancel for an unfinished task, Retry
    // for a failed or cancelled one, Remove for a finished one. A selection of more rows than
    // are looked at enables them all (the status bar then says how many each one changed), so
    // a million selected rows cost no more than a few thousand.
    constexpr int MaxRowsLooked = 5000;
    bool canCancel = false, canRetry = false, canRemove = false;
    int looked = 0;
    const QItemSelection selection = m_taskView->selectionModel()->selection();
    for (const QItemSelectionRange &range : selection) {
        for (int row = range.top(); row <= range.bottom() && looked <= MaxRowsLooked; ++row, ++looked) {
            if (const Task *task = m_taskModel->task(row)) {
                canCancel |= !isFinished(task->state);
                canRetry |= task->state == TaskState::Failed || task->state == TaskState::Cancelled;
                canRemove |= isFinished(task->state);
            }
        }
    }
    if (looked > MaxRowsLooked)
        canCancel = canRetry = canRemove = true;
    m_actions.value(QStringLiteral("cancel"))->setEnabled(canCancel);
    m_actions.value(QStringLiteral("retry"))->setEnabled(canRetry);
    m_actions.value(QStringLiteral("remove"))->setEnabled(canRemove);
    m_actions.value(QStringLiteral("exportSelection"))->setEnabled(!selection.isEmpty());
    bool canDrain = false, canStopLocal = false;
    for (const QModelIndex &index : m_workerView->selectionModel()->selectedRows()) {
        if (const WorkerInfo *w = m_workerModel->worker(index.row())) {
            canDrain |= !w->draining;
            canStopLocal |= isLocalWorker(*w);
        }
    }
    m_actions.value(QStringLiteral("drain"))->setEnabled(canDrain);
    m_actions.value(QStringLiteral("disconnect"))->setEnabled(m_workerView->selectionModel()->hasSelection());
    m_actions.value(QStringLiteral("stopLocalOne"))->setEnabled(canStopLocal);
    m_actions.value(QStringLiteral("stopLocal"))->setEnabled(m_localWorkers->count() > 0);
}

void MainWindow::showSelectedTask()
{
    const QModelIndexList rows = m_taskView->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        m_shownTask = 0;
        m_detail->showTask(nullptr);
        return;
    }
    m_shownTask = rows.first().data(TaskTableModel::TaskIdRole).toULongLong();
    m_detail->showTask(m_master->scheduler()->task(m_shownTask));
}
