#pragma once

// The desktop app's window over an in-process Master: server control, live task and worker
// tables, the selected task's details, the log, a throughput chart, and the actions on them.

#include "app/taskexport.h"

#include <QMainWindow>

#include <optional>

class ConnectWorkerDialog;
class LocalWorkers;
class LogPane;
class Master;
class MasterSettings;
class QAction;
class StoreBanner;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QSplitter;
class QTimer;
class QTableView;
class TaskDetailPane;
class TaskGuidance;
class TaskStreamView;
class TaskTableModel;
class ThroughputChart;
class ViewZoom;
class WorkerTableModel;
struct Task;
struct WorkerInfo;

class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(Master *master, MasterSettings *settings, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Starts listening with the saved settings; false (and the reason in the status bar) if not.
    bool startServer();
    void stopServer();
    bool startLocalWorkers(int count);
    // Enqueues specs from a JSONL file; the error (naming the line) when nothing was enqueued.
    QString importFile(const QString &path);
    // Writes the tasks in the format given, or the one the name says; "" on success, when
    // the status bar and the log say what was written.
    QString exportTasks(const QString &path, bool selectionOnly, std::optional<TaskExport::Format> format = {});

    TaskTableModel *taskModel() const { return m_taskModel; }
    WorkerTableModel *workerModel() const { return m_workerModel; }
    QTableView *taskView() const { return m_taskView; }
    QTableView *workerView() const { return m_workerView; }
    TaskDetailPane *detailPane() const { return m_detail; }
    LocalWorkers *localWorkers() const { return m_localWorkers; }
    QComboBox *stateFilter() const { return m_stateFilter; }
    QLineEdit *textFilter() const { return m_textFilter; }
    QLineEdit *kindFilter() const { return m_kindFilter; }
    QLabel *reorderingLabel() const { return m_reorderingLabel; }
    TaskGuidance *taskGuidance() const { return m_taskGuidance; }
    LogPane *logPane() const { return m_log; }
    TaskStreamView *taskStreamView() const { return m_streamView; }
    ThroughputChart *throughputChart() const { return m_chart; }
    ViewZoom *viewZoom() const { return m_zoom; }
    // Selects the task's row and scrolls to it; false, and the status bar says why, when the
    // table does not show it.
    bool selectTask(quint64 id);
    QString statusText() const;
    // The command line the "Connect a worker" dialog shows.
    QString workerCommandLine() const;

    // The actions by name, for tests and scripts: "enqueue", "cancel", "retry", ...
    QAction *action(const QString &name) const;
    // A menu text as a toolbar button shows it: no mnemonic, "(&L)" included, and no "…".
    static QString toolbarText(const QString &menuText);
    // Enqueue-dialog hook: tests answer the dialog instead of a person.
    void setDialogHook(std::function<void(QDialog *)> hook) { m_dialogHook = std::move(hook); }
    // Closes the window without asking whether to quit: SIGINT and SIGTERM, where no one may
    // be there to answer.
    void closeWithoutAsking();
    // This session keeps its tasks in memory only: why (the store's error), and whether another
    // master holds the store, which makes this window a second instance. The banner above the
    // tasks and the title say so.
    void noteMemoryOnly(const QString &why, bool heldByAnother);
    StoreBanner *storeBanner() const { return m_storeBanner; }

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QAction *addAction(QMenu *menu, const QString &name, const QString &text, const QKeySequence &shortcut,
                       const QString &tip, void (MainWindow::*slot)());
    void buildActions();
    // View > Zoom in, Zoom out and Actual size, and the saved zoom applied.
    void buildZoomActions(QMenu *view);
    void applyZoom();
    void zoomIn();
    void zoomOut();
    void zoomReset();
    void buildViews();
    QWidget *buildTaskStream();
    void applyTaskFilter();
    void restoreState();
    void saveState();
    int execDialog(QDialog *dialog);
    // Asks before a step that cannot be undone; Cancel (or holdBack, when given) is the
    // default. True to go ahead.
    bool confirm(const QString &title, const QString &text, const QString &goAhead, const QString &holdBack = {});
    // What quitting now would interrupt, as a question; empty when nothing would be.
    QString quitQuestion() const;
    // One of the taskworker processes this app started.
    bool isLocalWorker(const WorkerInfo &worker) const;
    // Asks the connected local worker with this pid to drain, through the master.
    bool drainLocalWorker(qint64 pid);

    void toggleServer();
    void editSettings();
    void showConnectWorker();
    void newWorkerKey();
    void removeWorkerKey();
    // Listens again when listening, so that new settings apply.
    void restartServer();
    // After a key changed: asks whether to drop the remote peers still connected with a key
    // no longer accepted, or let them stay until they leave.
    void offerToDisconnectOldKeyPeers();
    void askLocalWorkers();
    void stopLocalWorkers();
    void enqueue();
    void enqueueDemo();
    void importTasks();
    void askExport(bool selectionOnly);
    void exportAll();
    void exportSelection();
    // Logs the action now, and says it in the status bar once it is durable.
    void confirmWhenDurable(const QString &message);
    // The operator's action, in the log at the moment it happens.
    void logAction(const QString &message);
    // In the status bar and the log.
    void report(const QString &message);
    void reportProblem(const QString &message);
    void logListenAddress();
    void cancelSelected();
    void retrySelected();
    void removeSelectedFinished();
    void clearFinished();
    void disconnectWorker();
    void drainWorker();
    void stopLocalWorker();
    void showAbout();

    QList<quint64> selectedTaskIds() const;
    QList<quint64> selectedWorkerIds() const;
    void updateStatus();
    void updateActions();
    void showSelectedTask();
    void setLanguage(const QString &language);

    Master *m_master;
    MasterSettings *m_settings;
    LocalWorkers *m_localWorkers;
    TaskTableModel *m_taskModel;
    WorkerTableModel *m_workerModel;
    QTableView *m_taskView = nullptr;
    QTableView *m_workerView = nullptr;
    TaskDetailPane *m_detail = nullptr;
    LogPane *m_log = nullptr;
    StoreBanner *m_storeBanner = nullptr;
    ThroughputChart *m_chart = nullptr;
    TaskStreamView *m_streamView = nullptr;
    QSplitter *m_splitter = nullptr;
    QComboBox *m_stateFilter = nullptr;
    QLineEdit *m_kindFilter = nullptr;
    QLineEdit *m_textFilter = nullptr;
    QTimer *m_textFilterTimer = nullptr;
    QTimer *m_statusTimer = nullptr; // gathers workers' changes (starts) into one status update
    QLabel *m_reorderingLabel = nullptr;
    TaskGuidance *m_taskGuidance = nullptr;
    QLabel *m_addressLabel = nullptr;
    QLabel *m_workersLabel = nullptr;
    QLabel *m_countsLabel = nullptr;
    QMenu *m_viewMenu = nullptr;
    ViewZoom *m_zoom = nullptr;
    qreal m_appliedZoom = 1.0; // what the task table's column widths were set for
    QHash<QString, QAction *> m_actions;
    bool m_closeWithoutAsking = false;
    std::function<void(QDialog *)> m_dialogHook;
    quint64 m_shownTask = 0;
};
