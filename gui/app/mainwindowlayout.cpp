// How the main window is put together: its views, menus and toolbar, and the layout it saves.

#include "mainwindow.h"

#include "app/localworkers.h"
#include "app/taskguidance.h"
#include "master/master.h"
#include "master/scheduler.h"
#include "master/workerinfo.h"
#include "models/taskfilter.h"
#include "models/taskstatestyle.h"
#include "models/tasktablemodel.h"
#include "models/workertablemodel.h"
#include "util/mastersettings.h"
#include "widgets/logpane.h"
#include "widgets/storebanner.h"
#include "widgets/taskdetailpane.h"
#include "widgets/throughputchart.h"
#include "widgets/viewzoom.h"
#include "widgets/welcomepanel.h"

#include <QActionGroup>
#include <QComboBox>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QRegularExpression>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace {

const QString GeometryKey = QStringLiteral("v1/window/geometry");
const QString StateKey = QStringLiteral("v1/window/state");
const QString SplitterKey = QStringLiteral("v1/window/splitter");

QTableView *makeTable(QAbstractItemModel *model, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->setContextMenuPolicy(Qt::ActionsContextMenu);
    view->verticalHeader()->hide();
    // Fixed row heights: a million rows must not be measured one by one.
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    ViewZoom::fitRowHeight(view);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    return view;
}

} // namespace

void MainWindow::buildViews()
{
    // Filters above the task table.
    m_stateFilter = new QComboBox(this);
    m_stateFilter->addItem(tr("All states"), -1);
    for (int s = 0; s < TaskStateCount; ++s)
        m_stateFilter->addItem(TaskStateStyle::icon(TaskState(s)), TaskStateStyle::label(TaskState(s)), s);
    m_stateFilter->setToolTip(tr("Show only tasks in this state."));
    m_kindFilter = new QLineEdit(this);
    m_kindFilter->setPlaceholderText(tr("Kind"));
    m_kindFilter->setToolTip(tr("Show only tasks whose kind contains this, in any case."));
    m_kindFilter->setClearButtonEnabled(true);
    m_textFilter = new QLineEdit(this);
    m_textFilter->setPlaceholderText(tr("Search id, args, worker, result…"));
    m_textFilter->setToolTip(tr("Show only tasks whose id, kind, args, worker, result or error contain this text."));
    m_textFilter->setClearButtonEnabled(true);
    // The free text applies once typing pauses, not on every keystroke.
    m_textFilterTimer = new QTimer(this);
    m_textFilterTimer->setSingleShot(true);
    m_textFilterTimer->setInterval(150);
    connect(m_textFilterTimer, &QTimer::timeout, this, &MainWindow::applyTaskFilter);
    connect(m_stateFilter, &QComboBox::currentIndexChanged, this, &MainWindow::applyTaskFilter);
    connect(m_kindFilter, &QLineEdit::textChanged, this, &MainWindow::applyTaskFilter);
    connect(m_textFilter, &QLineEdit::textChanged, m_textFilterTimer, qOverload<>(&QTimer::start));
    m_reorderingLabel = new QLabel(tr("Sorting and filtering…"), this);
    m_reorderingLabel->setToolTip(tr("The new order or filter is being worked out; the rows shown follow shortly."));
    // Its place is kept while hidden, so the filter fields do not jump when it shows.
    QSizePolicy keepPlace = m_reorderingLabel->sizePolicy();
    keepPlace.setRetainSizeWhenHidden(true);
    m_reorderingLabel->setSizePolicy(keepPlace);
    m_reorderingLabel->hide();
    connect(m_taskModel, &TaskTableModel::reorderingChanged, m_reorderingLabel, &QWidget::setVisible);

    auto *filters = new QHBoxLayout;
    filters->setContentsMargins(0, 0, 0, 0);
    filters->addWidget(m_stateFilter);
    filters->addWidget(m_kindFilter);
    filters->addWidget(m_textFilter, 1);
    filters->addWidget(m_reorderingLabel);

    m_taskView = makeTable(m_taskModel, this);
    m_taskView->setSortingEnabled(true);
    m_taskView->sortByColumn(TaskTableModel::IdColumn, Qt::AscendingOrder);
    m_taskView->setColumnWidth(TaskTableModel::IdColumn, 70);
    m_taskView->setColumnWidth(TaskTableModel::ArgsColumn, 160);
    m_taskGuidance = new TaskGuidance(m_taskModel, m_master->scheduler(), m_taskView);
    filters->addWidget(m_taskGuidance->countLabel());
    connect(m_taskView->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        showSelectedTask();
        updateActions();
    });

    auto *tasksPane = new QWidget(this);
    auto *tasksLayout = new QVBoxLayout(tasksPane);
    tasksLayout->setContentsMargins(4, 4, 4, 0);
    m_storeBanner = new StoreBanner(m_master->scheduler(), tasksPane);
    tasksLayout->addWidget(m_storeBanner);
    auto *welcome = new WelcomePanel(m_settings->store(), tasksPane);
    const auto followTasks = [this, welcome] { welcome->setHasTasks(m_master->scheduler()->store().size() > 0); };
    followTasks();
    connect(m_master->scheduler(), &Scheduler::countsChanged, welcome, followTasks);
    connect(welcome, &WelcomePanel::demoRequested, this, [this] { action(QStringLiteral("demo"))->trigger(); });
    connect(welcome, &WelcomePanel::startLocalRequested, this, [this] { action(QStringLiteral("startLocal"))->trigger(); });
    connect(welcome, &WelcomePanel::connectRequested, this, [this] { action(QStringLiteral("connectWorker"))->trigger(); });
    tasksLayout->addWidget(welcome);
    tasksLayout->addLayout(filters);
    tasksLayout->addWidget(m_taskView);

    m_detail = new TaskDetailPane(this);
    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->addWidget(tasksPane);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 1);
    setCentralWidget(m_splitter);

    m_workerView = makeTable(m_workerModel, this);
    m_workerModel->setIsLocal([this](const WorkerInfo &worker) { return isLocalWorker(worker); });
    // Few rows, short texts: the columns fit them, as workers come and go.
    m_workerView->horizontalHeader()->setStretchLastSection(false);
    const auto fitWorkerColumns = [this] { m_workerView->resizeColumnsToContents(); };
    connect(m_workerModel, &QAbstractItemModel::rowsInserted, m_workerView, fitWorkerColumns, Qt::QueuedConnection);
    connect(m_workerModel, &QAbstractItemModel::rowsRemoved, m_workerView, fitWorkerColumns, Qt::QueuedConnection);
    connect(m_workerView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::updateActions);
    m_log = new LogPane(this);
    m_chart = new ThroughputChart(m_master->scheduler(), this);

    const auto dock = [this](const QString &name, const QString &title, QWidget *widget, Qt::DockWidgetArea area) {
        auto *d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(widget);
        // Floated, a dock is a window of its own: it keeps the window's font, and its zoom.
        d->setAttribute(Qt::WA_WindowPropagation);
        addDockWidget(area, d);
        return d;
    };
    QDockWidget *workers = dock(QStringLiteral("workersDock"), tr("Workers"), m_workerView, Qt::BottomDockWidgetArea);
    QDockWidget *chart = dock(QStringLiteral("chartDock"), tr("Throughput"), m_chart, Qt::BottomDockWidgetArea);
    QDockWidget *log = dock(QStringLiteral("logDock"), tr("Log"), m_log, Qt::BottomDockWidgetArea);
    QDockWidget *stream = dock(QStringLiteral("taskStreamDock"), tr("Task stream"), buildTaskStream(), Qt::BottomDockWidgetArea);
    splitDockWidget(workers, chart, Qt::Horizontal);
    tabifyDockWidget(chart, log);
    tabifyDockWidget(log, stream);
    stream->raise();
    resizeDocks({workers}, {260}, Qt::Vertical);
    resizeDocks({workers, chart}, {760, 540}, Qt::Horizontal);

    m_addressLabel = new QLabel(this);
    m_workersLabel = new QLabel(this);
    m_countsLabel = new QLabel(this);
    statusBar()->addWidget(m_addressLabel);
    statusBar()->addWidget(m_workersLabel);
    statusBar()->addPermanentWidget(m_countsLabel);
}

QAction *MainWindow::addAction(QMenu *menu, const QString &name, const QString &text, const QKeySequence &shortcut,
                               const QString &tip, void (MainWindow::*slot)())
{
    auto *a = new QAction(text, this);
    a->setObjectName(name);
    a->setShortcut(shortcut);
    a->setToolTip(shortcut.isEmpty() ? tip : tip + QStringLiteral(" (") + shortcut.toString(QKeySequence::NativeText) + QLatin1Char(')'));
    a->setStatusTip(tip);
    connect(a, &QAction::triggered, this, slot);
    menu->addAction(a);
    m_actions.insert(name, a);
    return a;
}

QAction *MainWindow::action(const QString &name) const
{
    return m_actions.value(name);
}

void MainWindow::buildActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->setObjectName(QStringLiteral("fileMenu"));
    addAction(file, QStringLiteral("import"), tr("&Import tasks…"), QKeySequence::Open,
              tr("Enqueue tasks from a JSON Lines file; nothing is enqueued if a line is bad"), &MainWindow::importTasks);
    addAction(file, QStringLiteral("exportAll"), tr("&Export all…"), QKeySequence(tr("Ctrl+E")),
              tr("Save every task to a CSV or JSONL file"), &MainWindow::exportAll);
    addAction(file, QStringLiteral("exportSelection"), tr("Export &selection…"), QKeySequence(tr("Ctrl+Shift+E")),
              tr("Save the selected tasks to a CSV or JSONL file"), &MainWindow::exportSelection);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setObjectName(QStringLiteral("quit"));

    QMenu *server = menuBar()->addMenu(tr("&Server"));
    server->setObjectName(QStringLiteral("serverMenu"));
    // A plain action whose text says what it will do (updateActions), not a check box whose
    // ticked state reads "Stop listening".
    addAction(server, QStringLiteral("listen"), tr("Start &listening"), QKeySequence(tr("Ctrl+L")), QString(),
              &MainWindow::toggleServer);
    addAction(server, QStringLiteral("settings"), tr("&Settings…"), QKeySequence(tr("Ctrl+,")),
              tr("Bind address, port and authkey"), &MainWindow::editSettings);
    addAction(server, QStringLiteral("connectWorker"), tr("&Connect a worker…"), QKeySequence(tr("Ctrl+K")),
              tr("Show the command line that connects a worker on another machine"), &MainWindow::showConnectWorker);
    addAction(server, QStringLiteral("newWorkerKey"), tr("New &worker key"), QKeySequence(),
              tr("Give workers a key of their own that cannot submit, cancel, watch or ask status"),
              &MainWindow::newWorkerKey);
    addAction(server, QStringLiteral("removeWorkerKey"), tr("&Remove worker key"), QKeySequence(),
              tr("Let workers connect with the authkey only, as clients do"), &MainWindow::removeWorkerKey);

    QMenu *tasks = menuBar()->addMenu(tr("&Tasks"));
    tasks->setObjectName(QStringLiteral("tasksMenu"));
    QAction *enqueueAction = addAction(tasks, QStringLiteral("enqueue"), tr("&Enqueue…"), QKeySequence::New,
                                       tr("Put new tasks on the queue"), &MainWindow::enqueue);
    QAction *demo = addAction(tasks, QStringLiteral("demo"), tr("Enqueue &demo"), QKeySequence(tr("Ctrl+D")),
                              tr("Enqueue ten random 'square' tasks"), &MainWindow::enqueueDemo);
    tasks->addSeparator();
    QAction *cancel = addAction(tasks, QStringLiteral("cancel"), tr("&Cancel"), QKeySequence(Qt::Key_Delete),
                                tr("Cancel the selected queued or running tasks"), &MainWindow::cancelSelected);
    QAction *retry = addAction(tasks, QStringLiteral("retry"), tr("&Retry"), QKeySequence(tr("Ctrl+R")),
                               tr("Queue the selected failed or cancelled tasks again"), &MainWindow::retrySelected);
    QAction *remove = addAction(tasks, QStringLiteral("remove"), tr("Re&move finished"), QKeySequence(tr("Shift+Del")),
                                tr("Forget the selected tasks that have finished"), &MainWindow::removeSelectedFinished);
    addAction(tasks, QStringLiteral("clearFinished"), tr("Clear &all finished"), QKeySequence(tr("Ctrl+Shift+Del")),
              tr("Forget every task that has finished"), &MainWindow::clearFinished);
    m_taskView->addActions({cancel, retry, remove});
    auto *separator = new QAction(this);
    separator->setSeparator(true);
    m_taskView->addActions({separator, m_actions.value(QStringLiteral("exportSelection"))});

    QMenu *workers = menuBar()->addMenu(tr("&Workers"));
    workers->setObjectName(QStringLiteral("workersMenu"));
    addAction(workers, QStringLiteral("startLocal"), tr("&Start local workers…"), QKeySequence(tr("Ctrl+W")),
              tr("Start taskworker processes on this machine"), &MainWindow::askLocalWorkers);
    addAction(workers, QStringLiteral("stopLocal"), tr("S&top local workers"), QKeySequence(tr("Ctrl+Shift+W")),
              tr("Stop every taskworker this app started"), &MainWindow::stopLocalWorkers);
    workers->addSeparator();
    QAction *drain = addAction(workers, QStringLiteral("drain"), tr("&Drain"), QKeySequence(tr("Ctrl+Shift+D")),
                               tr("Ask the selected workers to finish their tasks, take no new ones and leave"),
                               &MainWindow::drainWorker);
    QAction *disconnectAction = addAction(workers, QStringLiteral("disconnect"), tr("Dis&connect"), QKeySequence(tr("Ctrl+Shift+X")),
                                          tr("Drop the selected workers now; their tasks go back to the queue"),
                                          &MainWindow::disconnectWorker);
    QAction *stopOne = addAction(workers, QStringLiteral("stopLocalOne"), tr("Stop this local worker"), QKeySequence(),
                                 tr("Stop the selected workers' processes if this app started them"),
                                 &MainWindow::stopLocalWorker);
    m_workerView->addActions({drain, disconnectAction, stopOne});

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->setObjectName(QStringLiteral("viewMenu"));
    for (QDockWidget *d : findChildren<QDockWidget *>())
        m_viewMenu->addAction(d->toggleViewAction());
    m_viewMenu->addSeparator();
    buildZoomActions(m_viewMenu);
    m_viewMenu->addSeparator();
    QMenu *language = m_viewMenu->addMenu(tr("&Language"));
    auto *group = new QActionGroup(this);
    const QList<std::pair<QString, QString>> languages = {
        {QString(), tr("System default")}, {QStringLiteral("en"), QStringLiteral("English")},
        {QStringLiteral("zh_CN"), QStringLiteral("简体中文")}};
    for (const auto &[code, name] : languages) {
        QAction *a = language->addAction(name);
        a->setCheckable(true);
        a->setChecked(m_settings->language() == code);
        a->setActionGroup(group);
        connect(a, &QAction::triggered, this, [this, lang = code] { setLanguage(lang); });
    }

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("helpMenu"));
    addAction(help, QStringLiteral("about"), tr("&About Taskmaster"), QKeySequence(), tr("The versions of Taskmaster and Qt"),
              &MainWindow::showAbout);

    QToolBar *toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolBar"));
    toolbar->addActions({m_actions.value(QStringLiteral("listen")), m_actions.value(QStringLiteral("startLocal")),
                         m_actions.value(QStringLiteral("connectWorker"))});
    toolbar->addSeparator();
    toolbar->addActions({enqueueAction, demo, cancel, retry});
    for (QAction *a : toolbar->actions())
        a->setIconText(toolbarText(a->text()));
}

QString MainWindow::toolbarText(const QString &menuText)
{
    // A button shows its text without the menu's mnemonic: Qt drops the '&', but a Chinese
    // "停止监听(&L)" would keep "(L)", and "…" promises a dialog that a button need not.
    static const QRegularExpression mnemonic(QStringLiteral("\\s*\\(&[^)]\\)"));
    QString text = menuText;
    text.remove(mnemonic);
    text.replace(QStringLiteral("&&"), QStringLiteral("\x01")).remove(QLatin1Char('&')).replace(QLatin1Char('\x01'), QLatin1Char('&'));
    if (text.endsWith(QStringLiteral("…")))
        text.chop(1);
    else if (text.endsWith(QStringLiteral("...")))
        text.chop(3);
    return text;
}

void MainWindow::restoreState()
{
    QSettings s;
    restoreGeometry(s.value(GeometryKey).toByteArray());
    QMainWindow::restoreState(s.value(StateKey).toByteArray());
    if (!m_splitter->restoreState(s.value(SplitterKey).toByteArray()))
        m_splitter->setSizes({900, 320});
    // The first time, a roomy size that still fits the screen: what lies past its edge, as the
    // throughput chart's right-hand axis did on a 1280-pixel screen, cannot be seen.
    if (!s.contains(GeometryKey))
        resize(QSize(1300, 820).boundedTo(screen()->availableGeometry().size()));
}

void MainWindow::saveState()
{
    QSettings s;
    s.setValue(GeometryKey, saveGeometry());
    s.setValue(StateKey, QMainWindow::saveState());
    s.setValue(SplitterKey, m_splitter->saveState());
}
