// The desktop app's window driven as a person would, under the offscreen platform: dialogs,
// views, actions, real taskworker processes over loopback, export, settings and translation.

#include "app/localworkers.h"
#include "app/mainwindow.h"
#include "app/translations.h"
#include "dialogs/connectworkerdialog.h"
#include "dialogs/enqueuedialog.h"
#include "dialogs/settingsdialog.h"
#include "fulldisk.h"
#include "master/master.h"
#include "master/scheduler.h"
#include "task/sqlitetaskstore.h"
#include "task/taskstore.h"
#include "models/tasktablemodel.h"
#include "models/workertablemodel.h"
#include "processes.h"
#include "util/mastersettings.h"
#include "util/logging.h"
#include "windowfixture.h"
#include "widgets/logpane.h"
#include "widgets/taskdetailpane.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QThread>
#include <QHeaderView>
#include <QTest>
#include <QToolBar>
#include <QTranslator>

#include <functional>
#include <memory>

namespace {

using Fixture = WindowFixture;

QList<TaskSpec> specs(const QString &kind, const QList<QByteArray> &args)
{
    QList<TaskSpec> out;
    for (const QByteArray &a : args) {
        TaskSpec spec;
        spec.kind = kind;
        spec.args = a;
        out.append(spec);
    }
    return out;
}

// A dialog hook that answers a MainWindow::confirm() question: go ahead, or Cancel.
std::function<void(QDialog *)> answer(bool goAhead, QString *asked = nullptr)
{
    return [goAhead, asked](QDialog *dialog) {
        auto *box = qobject_cast<QMessageBox *>(dialog);
        QVERIFY(box);
        if (asked)
            *asked = box->text();
        QAbstractButton *button = nullptr;
        for (QAbstractButton *b : box->buttons()) {
            if (box->buttonRole(b) == (goAhead ? QMessageBox::AcceptRole : QMessageBox::RejectRole))
                button = b;
        }
        QVERIFY(button);
        button->click();
    };
}

} // namespace

class tst_Gui final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void enqueueDialogPutsRowsInTheTasksView();
    void enqueueDialogValidatesArgs_data();
    void enqueueDialogValidatesArgs();
    void enqueueDialogTakesTagsAndDelaysAndTheTableSaysWhyTasksWait();
    void importRejectsABadFileWholeAndNamesTheLine();
    void aLocalWorkerAppearsAndItsResultsShowUp();
    void theStatusBarCountsTasksSentAheadApartFromRunning();
    void listenIsAPlainActionThatSaysWhatItDoes();
    void theShownCommandLineConnectsARemoteWorker();
    void aWorkerKeyIsWhatWorkersAreGiven();
    void replacingTheWorkerKeyAsksFirst();
    void drainingAWorkerLetsItFinishAndLeave();
    void cancelAndRetryChangeStates();
    void filtersNarrowTheView();
    void aHeaderClickSortsWithoutBlocking();
    void aStoreThatCannotWriteShowsABanner();
    void exportWritesCsvAndJsonLines();
    void settingsPersist();
    void settingsDialogChangesTheKeyAndListensAgain();
    void settingsTurnOnTlsAndTheShownCommandLineStillConnects();
    void headlessSubcommandsNeedNoDisplay();
    void chineseTranslationTranslatesTheMenus();
    void chineseTranslationTranslatesQtsOwnButtons();
    void logPaneShowsTaskmasterMessagesFromAnyThread();
    void detailPaneSaysHowManyDispatchesWereNotKept();
    void detailPaneSaysNoTimeoutRatherThanZero();
    void quittingAsksWhatItWouldInterrupt();
};

void tst_Gui::initTestCase()
{
    useFreshTestSettings(QStringLiteral("tst_gui"));
}

void tst_Gui::aStoreThatCannotWriteShowsABanner()
{
    FullDisk disk;
    if (!disk.skipReason().isEmpty())
        QSKIP(qPrintable(disk.skipReason()));
    auto store = std::make_unique<SqliteTaskStore>(disk.path(QStringLiteral("data")));
    QString error;
    QVERIFY2(store->open(&error), qPrintable(error));
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    MasterSettings masterSettings(&settings);
    Master master(Master::Settings{}, std::move(store));
    MainWindow window(&master, &masterSettings);
    // Found by name and by what it says, so that a window without one fails here, not at build.
    auto *banner = window.findChild<QWidget *>(QStringLiteral("storeBanner"));
    const auto says = [&] {
        QStringList texts;
        if (banner) {
            for (const QLabel *label : banner->findChildren<QLabel *>())
                texts.append(label->text());
        }
        return texts.join(QLatin1Char(' '));
    };
    QVERIFY2(banner, "no store banner in the window");
    QVERIFY(banner->isHidden()); // a store that writes says nothing

    QVERIFY(disk.fill());
    master.scheduler()->submit(specs(QStringLiteral("echo"), {"1"}));
    QTRY_VERIFY_WITH_TIMEOUT(!banner->isHidden(), 10'000);
    QVERIFY2(says().contains(QLatin1String("no space left on device")), qPrintable(says()));
    QCOMPARE(master.scheduler()->store().size(), 0); // the task that could not be written was withdrawn

    QVERIFY(disk.free());
    QTRY_VERIFY_WITH_TIMEOUT(banner->isHidden(), 10'000);
}

void tst_Gui::enqueueDialogPutsRowsInTheTasksView()
{
    Fixture f;
    f.window.setDialogHook([](QDialog *dialog) {
        auto *enqueue = qobject_cast<EnqueueDialog *>(dialog);
        QVERIFY(enqueue);
        enqueue->kindBox()->setCurrentText(QStringLiteral("echo"));
        enqueue->argsEdit()->setPlainText(QStringLiteral("{\"x\": [1, 2]}"));
        enqueue->countBox()->setValue(3);
        enqueue->buttons()->button(QDialogButtonBox::Ok)->click();
    });
    f.window.action(QStringLiteral("enqueue"))->trigger();
    QTRY_COMPARE(f.window.taskView()->model()->rowCount(), 3);
    const QModelIndex args = f.window.taskView()->model()->index(0, TaskTableModel::ArgsColumn);
    QCOMPARE(args.data().toString(), QStringLiteral("{\"x\":[1,2]}"));
    QCOMPARE(f.window.taskView()->model()->index(2, TaskTableModel::KindColumn).data().toString(), QStringLiteral("echo"));
    QCOMPARE(f.scheduler()->count(TaskState::Queued), quint64(3));
    // The state column carries its icon (the SVG plugin is installed and the resource is embedded).
    const QIcon icon = f.window.taskView()->model()->index(0, TaskTableModel::StateColumn).data(Qt::DecorationRole).value<QIcon>();
    QVERIFY(!icon.pixmap(16, 16).isNull());
}

void tst_Gui::enqueueDialogTakesTagsAndDelaysAndTheTableSaysWhyTasksWait()
{
    Fixture f;
    f.window.setDialogHook([](QDialog *dialog) {
        auto *enqueue = qobject_cast<EnqueueDialog *>(dialog);
        QVERIFY(enqueue);
        enqueue->kindBox()->setCurrentText(QStringLiteral("echo"));
        enqueue->argsEdit()->setPlainText(QStringLiteral("1"));
        enqueue->requiresEdit()->setText(QStringLiteral("zone=eu, gpu"));
        enqueue->retryDelayBox()->setValue(250);
        enqueue->buttons()->button(QDialogButtonBox::Ok)->click();
    });
    f.window.action(QStringLiteral("enqueue"))->trigger();
    QTRY_COMPARE(f.window.taskView()->model()->rowCount(), 1);
    const quint64 id = f.window.taskView()->model()->index(0, 0).data(TaskTableModel::TaskIdRole).toULongLong();
    const Task *task = f.scheduler()->task(id);
    QCOMPARE(task->spec.requiredTags, (QStringList{QStringLiteral("gpu"), QStringLiteral("zone=eu")}));
    QCOMPARE(task->spec.retryDelayMs, qint64(250));
    QCOMPARE(f.window.taskView()->model()->index(0, TaskTableModel::ResultColumn).data().toString(),
             QStringLiteral("waits for a worker that runs echo and has the tags gpu, zone=eu"));

    // A delayed one says when it runs instead.
    f.window.setDialogHook([](QDialog *dialog) {
        auto *enqueue = qobject_cast<EnqueueDialog *>(dialog);
        enqueue->kindBox()->setCurrentText(QStringLiteral("echo"));
        enqueue->argsEdit()->setPlainText(QStringLiteral("2"));
        enqueue->delayBox()->setValue(3'600'000);
        enqueue->buttons()->button(QDialogButtonBox::Ok)->click();
    });
    f.window.action(QStringLiteral("enqueue"))->trigger();
    QTRY_COMPARE(f.window.taskView()->model()->rowCount(), 2);
    const QString second = f.window.taskView()->model()->index(1, TaskTableModel::ResultColumn).data().toString();
    QVERIFY2(second.startsWith(QLatin1String("runs at ")), qPrintable(second));
    // The kinds the connected workers run are offered, after the built-in ones.
    EnqueueDialog dialog;
    dialog.setWorkerKinds({QStringLiteral("cube"), QStringLiteral("square")});
    QCOMPARE(dialog.kindBox()->count(), EnqueueDialog::builtInKinds().size() + 1);
    QCOMPARE(dialog.kindBox()->itemText(dialog.kindBox()->count() - 1), QStringLiteral("cube"));
}

void tst_Gui::enqueueDialogValidatesArgs_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("args");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("error");
    QTest::newRow("a number is accepted") << "square" << "12" << true << "";
    QTest::newRow("an object is accepted") << "echo" << "{\"a\": null}" << true << "";
    QTest::newRow("an unclosed object is rejected") << "echo" << "{\"a\": 1" << false << "not valid JSON";
    QTest::newRow("two values are rejected") << "echo" << "1 2" << false << "not valid JSON";
    QTest::newRow("a bare word is rejected") << "echo" << "hello" << false << "not valid JSON";
    QTest::newRow("empty args are rejected") << "echo" << "" << false << "not valid JSON";
    QTest::newRow("an empty kind is rejected") << "" << "1" << false << "kind is empty";
}

void tst_Gui::enqueueDialogValidatesArgs()
{
    QFETCH(QString, kind);
    QFETCH(QString, args);
    QFETCH(bool, valid);
    QFETCH(QString, error);
    EnqueueDialog dialog;
    dialog.show();
    dialog.kindBox()->setCurrentText(kind);
    dialog.argsEdit()->setPlainText(args);
    QCOMPARE(dialog.buttons()->button(QDialogButtonBox::Ok)->isEnabled(), valid);
    QCOMPARE(dialog.errorLabel()->isVisible(), !valid);
    if (!valid)
        QVERIFY2(dialog.errorLabel()->text().contains(error), qPrintable(dialog.errorLabel()->text()));
}

void tst_Gui::importRejectsABadFileWholeAndNamesTheLine()
{
    Fixture f;
    const QString bad = f.dir.filePath(QStringLiteral("bad.jsonl"));
    QFile file(bad);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{\"kind\": \"square\", \"args\": 2}\n{\"kind\": \"square\", \"args\": }\n");
    file.close();
    const QString error = f.window.importFile(bad);
    QVERIFY2(error.contains(QLatin1String("line 2")), qPrintable(error));
    QCOMPARE(f.scheduler()->store().size(), 0);

    const QString good = f.dir.filePath(QStringLiteral("good.jsonl"));
    QFile goodFile(good);
    QVERIFY(goodFile.open(QIODevice::WriteOnly));
    goodFile.write("{\"kind\": \"square\", \"args\": 2}\n\n{\"kind\": \"echo\", \"args\": \"hi\", \"priority\": 5}\n");
    goodFile.close();
    QCOMPARE(f.window.importFile(good), QString());
    QTRY_COMPARE(f.window.taskView()->model()->rowCount(), 2);
}

void tst_Gui::aLocalWorkerAppearsAndItsResultsShowUp()
{
    Fixture f;
    QVERIFY(f.window.startServer());
    QVERIFY(f.window.statusText().contains(QString::number(f.master.serverPort())));
    QVERIFY(f.window.startLocalWorkers(1));
    QTRY_COMPARE_WITH_TIMEOUT(f.window.workerView()->model()->rowCount(), 1, 20'000);
    const QAbstractItemModel *workers = f.window.workerView()->model();
    QCOMPARE(workers->index(0, WorkerTableModel::PidColumn).data().toLongLong(),
             f.scheduler()->workers().first()->pid);
    QVERIFY(f.window.localWorkers()->owns(f.scheduler()->workers().first()->pid));
    // The kinds it runs, exec not among them (local workers are not started with --allow-exec),
    // and its host without the connection's port.
    const QString kinds = workers->index(0, WorkerTableModel::KindsColumn).data().toString();
    QVERIFY2(kinds.contains(QLatin1String("square")) && !kinds.contains(QLatin1String("exec")), qPrintable(kinds));
    QVERIFY(!workers->index(0, WorkerTableModel::HostColumn).data().toString().contains(QLatin1Char(':')));
    // Marked as the app's own, and the columns fit their texts.
    QVERIFY2(workers->index(0, WorkerTableModel::HostColumn).data().toString().endsWith(QLatin1String("(this app's)")),
             qPrintable(workers->index(0, WorkerTableModel::HostColumn).data().toString()));
    QTRY_VERIFY(f.window.workerView()->columnWidth(WorkerTableModel::KindsColumn)
                >= f.window.workerView()->fontMetrics().horizontalAdvance(kinds));

    f.window.action(QStringLiteral("demo"))->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(f.scheduler()->count(TaskState::Done), quint64(10), 20'000);
    f.window.taskModel()->flush();
    QAbstractItemModel *tasks = f.window.taskView()->model();
    QCOMPARE(tasks->rowCount(), 10);
    for (int row = 0; row < 10; ++row) {
        const qint64 n = tasks->index(row, TaskTableModel::ArgsColumn).data().toLongLong();
        QCOMPARE(tasks->index(row, TaskTableModel::ResultColumn).data().toString(), QString::number(n * n));
        QCOMPARE(tasks->index(row, TaskTableModel::StateColumn).data(TaskTableModel::StateRole).toInt(), int(TaskState::Done));
        QVERIFY(tasks->index(row, TaskTableModel::WorkerColumn).data().toString().startsWith(QLatin1String("local-")));
    }
    QTRY_COMPARE(workers->index(0, WorkerTableModel::DoneColumn).data().toULongLong(), quint64(10));

    // The detail pane shows the selected task's result and its attempt.
    f.select({f.scheduler()->store().nextId() - 1});
    QVERIFY(f.window.detailPane()->toPlainText().contains(QLatin1String("local-")));

    // Stopping local workers drains them through the master (on Windows terminate() would not
    // reach a console worker): the worker says so in its log, exits 0 and leaves the view.
    static QStringList logged;
    logged.clear();
    const QtMessageHandler previous = qInstallMessageHandler([](QtMsgType, const QMessageLogContext &, const QString &text) {
        logged.append(text);
    });
    QSignalSpy exited(f.window.localWorkers(), &LocalWorkers::workerExited);
    f.window.action(QStringLiteral("stopLocal"))->trigger();
    QVERIFY(exited.wait(15'000));
    QCOMPARE(exited.first().at(1).toInt(), 0);
    QTRY_VERIFY2(logged.join(QLatin1Char('\n')).contains(QLatin1String("asks this worker to drain: stopped from the desktop app")),
                 qPrintable(logged.join(QLatin1Char('\n'))));
    qInstallMessageHandler(previous);
    QTRY_COMPARE(f.window.workerView()->model()->rowCount(), 0);
}

void tst_Gui::theStatusBarCountsTasksSentAheadApartFromRunning()
{
    Fixture f;
    QVERIFY(f.window.startServer());
    QVERIFY(f.window.startLocalWorkers(1)); // two slots
    QTRY_COMPARE_WITH_TIMEOUT(f.scheduler()->workers().size(), qsizetype(1), 20'000);
    // Quick tasks first: with a run time far below the round trip, the master opens a prefetch
    // window on the worker, sized from its reports (a loaded machine may need a few rounds).
    const WorkerInfo *worker = f.scheduler()->workers().first();
    for (quint64 done = 200; done <= 2000 && worker->prefetch < 5; done += 200) {
        f.scheduler()->submit(specs(QStringLiteral("echo"), QList<QByteArray>(200, "1")));
        QTRY_COMPARE_WITH_TIMEOUT(f.scheduler()->count(TaskState::Done), done, 20'000);
    }
    QVERIFY2(worker->prefetch >= 5, qPrintable(QString::number(worker->prefetch)));
    // Two long tasks take both slots; the ones behind them, as many as the window holds, are
    // sent ahead, not running. No result comes back meanwhile, so the window stays as it is.
    const int ahead = worker->prefetch;
    const QList<quint64> sleeps = f.scheduler()->submit(specs(QStringLiteral("sleep"), {"{\"ms\":30000}", "{\"ms\":30000}"}));
    f.scheduler()->submit(specs(QStringLiteral("echo"), QList<QByteArray>(ahead, "2")));
    QTRY_COMPARE_WITH_TIMEOUT(f.scheduler()->count(TaskState::Running), quint64(2 + ahead), 20'000);
    QTRY_COMPARE_WITH_TIMEOUT(worker->started, 2, 20'000);
    QTRY_VERIFY2(f.window.statusText().contains(QLatin1String("running 2 ")), qPrintable(f.window.statusText()));
    QVERIFY2(f.window.statusText().contains(QStringLiteral("sent ahead %1").arg(ahead)), qPrintable(f.window.statusText()));
    f.scheduler()->cancel(sleeps, QStringLiteral("test over"));
}

void tst_Gui::listenIsAPlainActionThatSaysWhatItDoes()
{
    Fixture f;
    QAction *listen = f.window.action(QStringLiteral("listen"));
    QVERIFY(!listen->isCheckable());
    QCOMPARE(listen->text(), QStringLiteral("Start &listening"));
    listen->trigger();
    QVERIFY(f.master.isListening());
    QCOMPARE(listen->text(), QStringLiteral("Stop &listening"));
    QVERIFY2(listen->toolTip().contains(QLatin1String("stay connected")), qPrintable(listen->toolTip()));
    listen->trigger();
    QVERIFY(!f.master.isListening());
    QCOMPARE(listen->text(), QStringLiteral("Start &listening"));
}

void tst_Gui::theShownCommandLineConnectsARemoteWorker()
{
    Fixture f;
    QVERIFY(f.window.startServer());
    const QString line = f.window.workerCommandLine();
    QVERIFY2(!line.contains(QString::fromUtf8(f.master.settings().key)), "the key must not be on the command line");
    QStringList args = QProcess::splitCommand(line);
    QCOMPARE(args.takeFirst(), LocalWorkers::program());
    TestProcess worker(QStringLiteral(TASKWORKER_BIN), args + QStringList{QStringLiteral("--name"), QStringLiteral("remote")},
                       QByteArray());
    QTRY_COMPARE_WITH_TIMEOUT(f.window.workerView()->model()->rowCount(), 1, 20'000);
    QCOMPARE(f.window.workerView()->model()->index(0, WorkerTableModel::NameColumn).data().toString(), QStringLiteral("remote"));
    // Not one of the app's own, though on the same host.
    QVERIFY(!f.window.workerView()->model()->index(0, WorkerTableModel::HostColumn).data().toString().contains(
            QLatin1String("(this app's)")));
    f.scheduler()->submit(specs(QStringLiteral("square"), {"9"}));
    QTRY_COMPARE_WITH_TIMEOUT(f.scheduler()->count(TaskState::Done), quint64(1), 20'000);
    QCOMPARE(f.scheduler()->task(1)->result, QByteArray("81"));
}

void tst_Gui::replacingTheWorkerKeyAsksFirst()
{
    Fixture f;
    QVERIFY(f.window.startServer());
    f.window.setDialogHook(answer(false)); // the first key replaces none, so nothing is asked
    f.window.action(QStringLiteral("newWorkerKey"))->trigger();
    const QByteArray first = f.masterSettings.readWorkerKey();
    QCOMPARE(first.size(), 64);
    QString asked;
    f.window.setDialogHook(answer(false, &asked));
    f.window.action(QStringLiteral("newWorkerKey"))->trigger();
    QVERIFY2(asked.contains(QLatin1String("new key file")), qPrintable(asked));
    QCOMPARE(f.masterSettings.readWorkerKey(), first);
    f.window.setDialogHook(answer(true));
    f.window.action(QStringLiteral("newWorkerKey"))->trigger();
    QVERIFY(f.masterSettings.readWorkerKey() != first);
    QCOMPARE(f.master.settings().workerKey, f.masterSettings.readWorkerKey());
}

void tst_Gui::aWorkerKeyIsWhatWorkersAreGiven()
{
    Fixture f;
    QVERIFY(f.window.startServer());
    const QByteArray authkey = f.master.settings().key;
    QVERIFY(f.window.workerCommandLine().contains(f.masterSettings.keyFilePath()));

    QAction *newWorkerKey = f.window.action(QStringLiteral("newWorkerKey"));
    QVERIFY(newWorkerKey);
    newWorkerKey->trigger();
    const QByteArray workerKey = f.master.settings().workerKey;
    QCOMPARE(workerKey.size(), 64);
    QVERIFY(workerKey != authkey);
    QCOMPARE(f.masterSettings.readWorkerKey(), workerKey);
    QCOMPARE(f.master.settings().key, authkey);
    QVERIFY(f.master.isListening());
#ifdef Q_OS_UNIX
    QCOMPARE(QFile::permissions(f.masterSettings.workerKeyFilePath()) & (QFile::ReadGroup | QFile::ReadOther),
             QFile::Permissions());
#endif

    // The dialog hands out the worker key's file, never the authkey's.
    QString shown;
    f.window.setDialogHook([&shown](QDialog *dialog) {
        auto *connect = qobject_cast<ConnectWorkerDialog *>(dialog);
        QVERIFY(connect);
        shown = connect->text();
    });
    f.window.action(QStringLiteral("connectWorker"))->trigger();
    QCOMPARE(shown, f.window.workerCommandLine());
    QVERIFY2(shown.contains(f.masterSettings.workerKeyFilePath()), qPrintable(shown));
    QVERIFY2(!shown.contains(f.masterSettings.keyFilePath()), qPrintable(shown));

    // A worker started with it runs tasks; a client with it is refused as with a wrong key.
    QStringList args = QProcess::splitCommand(shown);
    QCOMPARE(args.takeFirst(), LocalWorkers::program());
    TestProcess worker(QStringLiteral(TASKWORKER_BIN), args + QStringList{QStringLiteral("--name"), QStringLiteral("box")},
                       QByteArray());
    QTRY_COMPARE_WITH_TIMEOUT(f.window.workerView()->model()->rowCount(), 1, 20'000);
    f.scheduler()->submit(specs(QStringLiteral("square"), {"6"}));
    QTRY_COMPARE_WITH_TIMEOUT(f.scheduler()->count(TaskState::Done), quint64(1), 20'000);
    TestProcess submit(QStringLiteral(TASKMASTER_BIN),
                       QStringList{QStringLiteral("submit")} + connectionArgs(f.master.serverPort())
                               + QStringList{QStringLiteral("echo"), QStringLiteral("1")},
                       workerKey);
    QVERIFY(submit.waitForExit());
    QCOMPARE(submit.exitCode(), 3);
    QCOMPARE(f.scheduler()->store().size(), 1);

    // Local workers get the worker key too: the authkey stays in this process.
    QVERIFY(f.window.startLocalWorkers(1));
    QTRY_COMPARE_WITH_TIMEOUT(f.window.workerView()->model()->rowCount(), 2, 20'000);
#ifdef Q_OS_LINUX
    qint64 localPid = 0;
    for (const WorkerInfo *info : f.scheduler()->workers()) {
        if (f.window.localWorkers()->owns(info->pid))
            localPid = info->pid;
    }
    QVERIFY(localPid > 0);
    QFile environment(QStringLiteral("/proc/%1/environ").arg(localPid));
    QVERIFY(environment.open(QIODevice::ReadOnly));
    const QList<QByteArray> variables = environment.readAll().split('\0');
    QVERIFY(variables.contains("TASKMASTER_AUTHKEY=" + workerKey));
    QVERIFY(!variables.contains("TASKMASTER_AUTHKEY=" + authkey));
#endif
    f.window.action(QStringLiteral("stopLocal"))->trigger();

    // Without it, workers are handed the authkey again.
    QAction *removeWorkerKey = f.window.action(QStringLiteral("removeWorkerKey"));
    QVERIFY(removeWorkerKey);
    // The remote worker proved the worker key, which is no longer accepted: it may stay.
    QString asked;
    f.window.setDialogHook(answer(false, &asked));
    removeWorkerKey->trigger();
    QVERIFY2(asked.contains(QLatin1String("1 worker")), qPrintable(asked)); // the local one is not offered
    QVERIFY(f.master.settings().workerKey.isEmpty());
    QVERIFY(!QFile::exists(f.masterSettings.workerKeyFilePath()));
    QVERIFY(f.window.workerCommandLine().contains(f.masterSettings.keyFilePath()));
    QVERIFY(f.master.isListening());
}

void tst_Gui::drainingAWorkerLetsItFinishAndLeave()
{
    Fixture f;
    QVERIFY(f.window.startServer());
    QVERIFY(f.window.startLocalWorkers(1));
    QTRY_COMPARE_WITH_TIMEOUT(f.window.workerView()->model()->rowCount(), 1, 20'000);
    // A task that is still running when the drain arrives must finish, not be cut short.
    f.scheduler()->submit(specs(QStringLiteral("sleep"), {"{\"ms\": 300}"}));
    QTRY_COMPARE_WITH_TIMEOUT(f.scheduler()->count(TaskState::Running), quint64(1), 20'000);
    QSignalSpy exited(f.window.localWorkers(), &LocalWorkers::workerExited);
    f.window.workerView()->selectRow(0);
    QVERIFY(f.window.action(QStringLiteral("drain"))->isEnabled());
    f.window.action(QStringLiteral("drain"))->trigger();
    QVERIFY(exited.wait(20'000));
    QCOMPARE(exited.first().at(1).toInt(), 0);
    QCOMPARE(f.scheduler()->count(TaskState::Done), quint64(1));
    QTRY_COMPARE(f.window.workerView()->model()->rowCount(), 0);
}

void tst_Gui::cancelAndRetryChangeStates()
{
    Fixture f;
    const QList<quint64> ids = f.scheduler()->submit(specs(QStringLiteral("square"), {"1", "2", "3"}));
    f.select({ids.at(0), ids.at(2)});
    // Only what would do something is enabled: queued tasks can be cancelled, not retried or removed.
    QVERIFY(f.window.action(QStringLiteral("cancel"))->isEnabled());
    QVERIFY(!f.window.action(QStringLiteral("retry"))->isEnabled());
    QVERIFY(!f.window.action(QStringLiteral("remove"))->isEnabled());
    f.window.action(QStringLiteral("cancel"))->trigger();
    QCOMPARE(f.scheduler()->task(ids.at(0))->state, TaskState::Cancelled);
    QCOMPARE(f.scheduler()->task(ids.at(1))->state, TaskState::Queued);
    QCOMPARE(f.scheduler()->task(ids.at(2))->state, TaskState::Cancelled);
    QAbstractItemModel *model = f.window.taskView()->model();
    QTRY_COMPARE(model->index(0, TaskTableModel::StateColumn).data(TaskTableModel::StateRole).toInt(),
                 int(TaskState::Cancelled));

    f.select({ids.at(0)});
    QTRY_VERIFY(!f.window.action(QStringLiteral("cancel"))->isEnabled());
    QVERIFY(f.window.action(QStringLiteral("retry"))->isEnabled());
    QVERIFY(f.window.action(QStringLiteral("remove"))->isEnabled());
    f.window.action(QStringLiteral("retry"))->trigger();
    QCOMPARE(f.scheduler()->task(ids.at(0))->state, TaskState::Queued);
    QTRY_COMPARE(model->index(0, TaskTableModel::StateColumn).data(TaskTableModel::StateRole).toInt(),
                 int(TaskState::Queued));

    // Clear finished asks first; Cancel keeps everything.
    QString asked;
    f.window.setDialogHook(answer(false, &asked));
    f.window.action(QStringLiteral("clearFinished"))->trigger();
    QVERIFY2(asked.contains(QLatin1String("all 1 finished task(s)")), qPrintable(asked));
    QVERIFY(f.scheduler()->task(ids.at(2)));
    // Going ahead forgets the one still cancelled, and its row goes.
    f.window.setDialogHook(answer(true));
    f.window.action(QStringLiteral("clearFinished"))->trigger();
    QCOMPARE(f.scheduler()->task(ids.at(2)), nullptr);
    QTRY_COMPARE(model->rowCount(), 2);
}

void tst_Gui::filtersNarrowTheView()
{
    Fixture f;
    f.scheduler()->submit(specs(QStringLiteral("square"), {"10", "11", "12"}));
    const QList<quint64> echo = f.scheduler()->submit(specs(QStringLiteral("echo"), {"\"needle\"", "\"hay\""}));
    f.scheduler()->cancel({echo.at(1)}, QStringLiteral("test"));
    f.window.taskModel()->flush();
    QAbstractItemModel *view = f.window.taskView()->model();
    QCOMPARE(view->rowCount(), 5);

    f.window.kindFilter()->setText(QStringLiteral("echo"));
    QCOMPARE(view->rowCount(), 2);
    f.window.kindFilter()->clear();
    f.window.textFilter()->setText(QStringLiteral("NEEDLE"));
    QTRY_COMPARE(view->rowCount(), 1);
    QCOMPARE(view->index(0, TaskTableModel::IdColumn).data().toString(), QString::number(echo.at(0)));
    f.window.textFilter()->setText(QStringLiteral("1"));
    QTRY_COMPARE(view->rowCount(), 3); // ids 1, and args 10, 11, 12 (task 1 is one of them)
    f.window.textFilter()->clear();
    QTRY_COMPARE(view->rowCount(), 5);
    f.window.stateFilter()->setCurrentIndex(f.window.stateFilter()->findData(int(TaskState::Cancelled)));
    QCOMPARE(view->rowCount(), 1);
    QCOMPARE(view->index(0, TaskTableModel::IdColumn).data().toString(), QString::number(echo.at(1)));
    f.window.stateFilter()->setCurrentIndex(0);
    QCOMPARE(view->rowCount(), 5);

    // Sorting compares the records: by state the cancelled task comes last, ties in id order.
    f.window.taskView()->sortByColumn(TaskTableModel::StateColumn, Qt::AscendingOrder);
    QCOMPARE(view->index(4, TaskTableModel::IdColumn).data().toString(), QString::number(echo.at(1)));
    QCOMPARE(view->index(0, TaskTableModel::IdColumn).data().toString(), QStringLiteral("1"));
    f.window.taskView()->sortByColumn(TaskTableModel::ArgsColumn, Qt::DescendingOrder);
    QCOMPARE(view->index(0, TaskTableModel::ArgsColumn).data().toString(), QStringLiteral("12"));
}

void tst_Gui::aHeaderClickSortsWithoutBlocking()
{
    Fixture f;
    QList<QByteArray> args;
    for (int i = 0; i < 3000; ++i)
        args.append(QByteArray::number((i * 7) % 3000)); // a permutation of 0..2999
    f.scheduler()->submit(specs(QStringLiteral("square"), args));
    f.window.taskModel()->flush();
    // Sorted in the background as a million tasks would be, however few there are here.
    f.window.taskModel()->setImmediateLimit(0);
    f.window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&f.window));
    QAbstractItemModel *view = f.window.taskView()->model();
    QHeaderView *header = f.window.taskView()->horizontalHeader();
    QCOMPARE(view->index(2999, TaskTableModel::ArgsColumn).data().toString(), QStringLiteral("2993"));

    const QPoint argsHeader(header->sectionViewportPosition(TaskTableModel::ArgsColumn) + 5, header->height() / 2);
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, argsHeader);
    // The click returns before the rows move, and says so.
    QCOMPARE(header->sortIndicatorSection(), int(TaskTableModel::ArgsColumn));
    QVERIFY(f.window.taskModel()->isReordering());
    QVERIFY(f.window.reorderingLabel()->isVisible());
    QCOMPARE(view->index(2999, TaskTableModel::ArgsColumn).data().toString(), QStringLiteral("2993"));
    QTRY_VERIFY(!f.window.reorderingLabel()->isVisible());
    QCOMPARE(view->index(0, TaskTableModel::ArgsColumn).data().toString(), QStringLiteral("0"));
    QCOMPARE(view->index(2999, TaskTableModel::ArgsColumn).data().toString(), QStringLiteral("2999"));
    // A second click reverses it.
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, argsHeader);
    QTRY_COMPARE(view->index(0, TaskTableModel::ArgsColumn).data().toString(), QStringLiteral("2999"));
    QVERIFY(!f.window.reorderingLabel()->isVisible());
}

void tst_Gui::exportWritesCsvAndJsonLines()
{
    Fixture f;
    const QList<quint64> ids = f.scheduler()->submit(specs(QStringLiteral("echo"), {"{\"a\":\"x,y\"}", "7"}));
    f.scheduler()->cancel({ids.at(1)}, QStringLiteral("said \"no\""));
    const QString csv = f.dir.filePath(QStringLiteral("all.csv"));
    QCOMPARE(f.window.exportTasks(csv, false), QString());
    QFile csvFile(csv);
    QVERIFY(csvFile.open(QIODevice::ReadOnly));
    QCOMPARE(csvFile.readAll(),
             QByteArray("id,kind,args,state,priority,worker,attempts,duration_ms,result,error\n"
                        "1,echo,\"{\"\"a\"\":\"\"x,y\"\"}\",queued,0,,0,,,\n"
                        "2,echo,7,cancelled,0,,0,,,\"said \"\"no\"\"\"\n"));

    f.select({ids.at(1)});
    const QString jsonl = f.dir.filePath(QStringLiteral("selection.jsonl"));
    QCOMPARE(f.window.exportTasks(jsonl, true), QString());
    QFile jsonlFile(jsonl);
    QVERIFY(jsonlFile.open(QIODevice::ReadOnly));
    QCOMPARE(jsonlFile.readAll(),
             QByteArray("{\"args\":7,\"attempts\":0,\"error\":\"said \\\"no\\\"\",\"id\":2,\"kind\":\"echo\","
                        "\"priority\":0,\"state\":\"cancelled\",\"worker\":\"\"}\n"));

    // The status bar says what was written.
    QVERIFY2(f.window.statusBar()->currentMessage().contains(QLatin1String("Exported 1 task(s)")),
             qPrintable(f.window.statusBar()->currentMessage()));

    // The type chosen in the dialog decides, and the name follows it.
    const QString filters = TaskExport::dialogFilters();
    const QString csvFilter = filters.section(QStringLiteral(";;"), 0, 0);
    const QString jsonlFilter = filters.section(QStringLiteral(";;"), 1, 1);
    const TaskExport::Target renamed = TaskExport::target(QStringLiteral("/x/tasks.csv"), jsonlFilter);
    QCOMPARE(renamed.path, QStringLiteral("/x/tasks.jsonl"));
    QCOMPARE(renamed.format, TaskExport::Format::JsonLines);
    QCOMPARE(TaskExport::target(QStringLiteral("/x/tasks"), csvFilter).path, QStringLiteral("/x/tasks.csv"));
    const TaskExport::Target kept = TaskExport::target(QStringLiteral("/x/tasks.txt"), jsonlFilter);
    QCOMPARE(kept.path, QStringLiteral("/x/tasks.txt"));
    QCOMPARE(kept.format, TaskExport::Format::JsonLines);
    const QString chosen = f.dir.filePath(QStringLiteral("chosen.txt"));
    QCOMPARE(f.window.exportTasks(chosen, true, TaskExport::Format::Csv), QString());
    QFile chosenFile(chosen);
    QVERIFY(chosenFile.open(QIODevice::ReadOnly));
    QVERIFY(chosenFile.readAll().startsWith("id,kind,args,"));

    // A file that cannot be written is reported, not half-written.
    const QString error = f.window.exportTasks(f.dir.filePath(QStringLiteral("missing/dir/x.csv")), false);
    QVERIFY(!error.isEmpty());
}

void tst_Gui::settingsPersist()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("settings.ini"));
    {
        QSettings settings(path, QSettings::IniFormat);
        MasterSettings s(&settings);
        s.setBindAddress(QStringLiteral("0.0.0.0"));
        s.setPort(7711);
        s.setKeyFilePath(dir.filePath(QStringLiteral("key")));
        QVERIFY(s.writeKey("0123456789abcdef0123"));
        s.setLanguage(QStringLiteral("zh_CN"));
    }
    {
        QSettings settings(path, QSettings::IniFormat);
        QVERIFY(settings.contains(QStringLiteral("v1/server/port")));
        MasterSettings s(&settings);
        QCOMPARE(s.bindAddress(), QStringLiteral("0.0.0.0"));
        QCOMPARE(s.port(), quint16(7711));
        QCOMPARE(s.language(), QStringLiteral("zh_CN"));
        QCOMPARE(s.readKey(), QByteArray("0123456789abcdef0123"));
#ifdef Q_OS_UNIX
        QCOMPARE(QFile::permissions(s.keyFilePath()) & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
#endif
    }
    QVERIFY(MasterSettings::validateBindAddress(QStringLiteral("not an address")).contains(QLatin1String("not an IP")));
    // A one-off --port is this session's only; the saved port stays for the next start.
    {
        QSettings settings(path, QSettings::IniFormat);
        MasterSettings s(&settings);
        s.setSessionPort(9001);
        QCOMPARE(s.port(), quint16(9001));
    }
    {
        QSettings settings(path, QSettings::IniFormat);
        MasterSettings s(&settings);
        QCOMPARE(s.port(), quint16(7711));
        s.setSessionPort(9001);
        s.setPort(7712); // saved from the settings dialog: it replaces this session's too
        QCOMPARE(s.port(), quint16(7712));
    }

    // Window geometry and splitter state come back on the next start.
    QRect saved;
    {
        Fixture f;
        f.window.show();
        f.window.resize(911, 633);
        QVERIFY(QTest::qWaitForWindowExposed(&f.window));
        saved = f.window.geometry();
        f.window.close();
    }
    Fixture again;
    QCOMPARE(again.window.size(), saved.size());
}

void tst_Gui::settingsDialogChangesTheKeyAndListensAgain()
{
    Fixture f;
    QVERIFY(f.window.startServer());
    const QByteArray oldKey = f.master.settings().key;
    QCOMPARE(f.masterSettings.readKey(), oldKey);
    QByteArray newKey;
    f.window.setDialogHook([&newKey](QDialog *dialog) {
        auto *settings = qobject_cast<SettingsDialog *>(dialog);
        QVERIFY(settings);
        QPushButton *ok = settings->buttons()->button(QDialogButtonBox::Ok);
        settings->keyEdit()->setText(QStringLiteral("short"));
        QVERIFY(!ok->isEnabled());
        settings->generateButton()->click();
        QCOMPARE(settings->keyEdit()->text().size(), 64);
        settings->addressEdit()->setText(QStringLiteral("nowhere"));
        QVERIFY(!ok->isEnabled());
        settings->addressEdit()->setText(QStringLiteral("127.0.0.1"));
        QVERIFY(ok->isEnabled());
        newKey = settings->key();
        ok->click();
    });
    f.window.action(QStringLiteral("settings"))->trigger();
    QVERIFY(newKey != oldKey);
    QCOMPARE(f.master.settings().key, newKey);
    QCOMPARE(f.masterSettings.readKey(), newKey);
    QVERIFY(f.master.isListening());

    // A worker with the old key is refused; the shown command line (the key file) works.
    const auto stale = startWorker(f.master.serverPort(), oldKey, QStringLiteral("stale"), {QStringLiteral("--once")});
    QVERIFY(stale->waitForExit());
    QCOMPARE(stale->exitCode(), 3);
    QCOMPARE(f.window.workerView()->model()->rowCount(), 0);
}

void tst_Gui::settingsTurnOnTlsAndTheShownCommandLineStillConnects()
{
    Fixture f;
    QVERIFY(makeSelfSignedCertificate(f.dir.path(), QStringLiteral("master")));
    QVERIFY(f.window.startServer());
    f.window.setDialogHook([&f](QDialog *dialog) {
        auto *settings = qobject_cast<SettingsDialog *>(dialog);
        QVERIFY(settings);
        QPushButton *ok = settings->buttons()->button(QDialogButtonBox::Ok);
        QVERIFY(ok->isEnabled());
        settings->tlsCertificateEdit()->setText(f.dir.filePath(QStringLiteral("master.pem")));
        QVERIFY(!ok->isEnabled()); // a certificate without its key
        settings->tlsKeyEdit()->setText(f.dir.filePath(QStringLiteral("missing.key")));
        QVERIFY(!ok->isEnabled()); // a key that does not load
        settings->tlsKeyEdit()->setText(f.dir.filePath(QStringLiteral("master.key")));
        QVERIFY(ok->isEnabled());
        ok->click();
    });
    f.window.action(QStringLiteral("settings"))->trigger();
    QVERIFY(f.master.isListening());
    QVERIFY(f.master.usesTls());
    QCOMPARE(f.masterSettings.tlsKeyFile(), f.dir.filePath(QStringLiteral("master.key")));

    // The shown command line pins the certificate, and a worker started with it gets in.
    const QString line = f.window.workerCommandLine();
    QVERIFY2(line.contains(QLatin1String(" --tls --tls-fingerprint ")), qPrintable(line));
    QStringList args = QProcess::splitCommand(line);
    QCOMPARE(args.takeFirst(), LocalWorkers::program());
    TestProcess worker(QStringLiteral(TASKWORKER_BIN), args + QStringList{QStringLiteral("--name"), QStringLiteral("tls")},
                       QByteArray());
    QTRY_COMPARE_WITH_TIMEOUT(f.window.workerView()->model()->rowCount(), 1, 20'000);
    f.scheduler()->submit(specs(QStringLiteral("square"), {"12"}));
    QTRY_COMPARE_WITH_TIMEOUT(f.scheduler()->count(TaskState::Done), quint64(1), 20'000);
    QCOMPARE(f.scheduler()->task(1)->result, QByteArray("144"));
}

void tst_Gui::headlessSubcommandsNeedNoDisplay()
{
    // Starts taskmaster with no display at all (the platform plugin unset too).
    const auto withoutDisplay = [](const QStringList &args) {
        const QByteArray saved[] = {qgetenv("QT_QPA_PLATFORM"), qgetenv("DISPLAY"), qgetenv("WAYLAND_DISPLAY")};
        const char *names[] = {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"};
        for (const char *name : names)
            qunsetenv(name);
        auto process = std::make_unique<TestProcess>(QStringLiteral(TASKMASTER_BIN), args, QByteArray("k"));
        for (int i = 0; i < 3; ++i) {
            if (!saved[i].isEmpty())
                qputenv(names[i], saved[i]);
        }
        return process;
    };
    // A QApplication would abort without a display; `status` reaches its own error (nobody
    // listens) and exits 4.
    auto status = withoutDisplay({QStringLiteral("status"), QStringLiteral("--port"), QString::number(freePort())});
    QVERIFY(status->waitForExit());
    QCOMPARE(status->exitCode(), 4);
    QVERIFY2(!status->stderrText().contains("display"), status->stderrText().constData());

    // The app's own --help works without a display, and a bad option is refused before the demo.
    auto help = withoutDisplay({QStringLiteral("--help-app")});
    QVERIFY(help->waitForExit());
    QCOMPARE(help->exitCode(), 0);
    QVERIFY2(help->stdoutText().contains("--local-workers"), help->stdoutText().constData());
    auto bad = withoutDisplay({QStringLiteral("--local-workers"), QStringLiteral("many")});
    QVERIFY(bad->waitForExit());
    QCOMPARE(bad->exitCode(), 2);
    QVERIFY2(bad->stderrText().contains("--local-workers takes 0 to 64"), bad->stderrText().constData());
}

void tst_Gui::chineseTranslationTranslatesTheMenus()
{
    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral(":/i18n/taskmaster_zh_CN.qm")));
    QVERIFY(QCoreApplication::installTranslator(&translator));
    {
        Fixture f;
        QStringList menus;
        for (QAction *a : f.window.menuBar()->actions())
            menus << a->text();
        QCOMPARE(menus.first(), QStringLiteral("文件(&F)"));
        QVERIFY2(menus.contains(QStringLiteral("任务(&T)")), qPrintable(menus.join(QLatin1Char(' '))));
        QCOMPARE(f.window.action(QStringLiteral("enqueue"))->text(), QStringLiteral("入队(&E)…"));
        // Toolbar buttons drop the mnemonic, which in Chinese is a "(&E)" of its own.
        QCOMPARE(f.window.action(QStringLiteral("enqueue"))->iconText(), QStringLiteral("入队"));
        const QList<QAction *> buttons = f.window.findChild<QToolBar *>(QStringLiteral("mainToolBar"))->actions();
        QVERIFY(buttons.size() >= 6);
        for (const QAction *button : buttons) {
            if (!button->isSeparator())
                QVERIFY2(!button->iconText().contains(QLatin1Char('(')), qPrintable(button->iconText()));
        }
    }
    QCoreApplication::removeTranslator(&translator);
}

void tst_Gui::chineseTranslationTranslatesQtsOwnButtons()
{
    // The buttons of every dialog and message box are Qt's: without qtbase's translation a
    // Chinese window asks its questions with "OK" and "Cancel".
    QDialogButtonBox english(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    QCOMPARE(english.button(QDialogButtonBox::Cancel)->text(), QStringLiteral("Cancel"));
    const QList<QTranslator *> installed = Translations::install(QCoreApplication::instance(), QStringLiteral("zh_CN"));
    QCOMPARE(installed.size(), 2);
    QDialogButtonBox chinese(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::Close);
    QCOMPARE(chinese.button(QDialogButtonBox::Cancel)->text(), QStringLiteral("取消"));
    QCOMPARE(chinese.button(QDialogButtonBox::Close)->text(), QStringLiteral("关闭"));
    qDeleteAll(installed); // uninstalls them
    QDialogButtonBox again(QDialogButtonBox::Cancel);
    QCOMPARE(again.button(QDialogButtonBox::Cancel)->text(), QStringLiteral("Cancel"));
}

void tst_Gui::logPaneShowsTaskmasterMessagesFromAnyThread()
{
    LogPane pane;
    std::unique_ptr<QThread> thread(QThread::create([] {
        qCWarning(lcGui) << "from a worker thread";
        qWarning("not a taskmaster category");
    }));
    thread->start();
    QVERIFY(thread->wait(10'000));
    QTRY_VERIFY(pane.toPlainText().contains(QLatin1String("gui: warning: from a worker thread")));
    QVERIFY(!pane.toPlainText().contains(QLatin1String("not a taskmaster category")));
}

void tst_Gui::detailPaneSaysHowManyDispatchesWereNotKept()
{
    Task task;
    task.id = 1;
    task.spec.kind = QStringLiteral("square");
    task.state = TaskState::Failed;
    for (int i = 0; i < 100; ++i)
        task.beginDispatch(QStringLiteral("w%1").arg(i + 1));
    TaskDetailPane pane;
    pane.showTask(&task);
    const QString text = pane.toPlainText();
    QVERIFY2(text.contains(QStringLiteral("%1 earlier dispatch").arg(100 - MaxKeptDispatches)), qPrintable(text));
    // The kept rows go by their dispatch numbers: the first kept is number 69, on w69.
    const int first = 100 - MaxKeptDispatches + 1;
    QVERIFY2(text.contains(QRegularExpression(QStringLiteral("\\b%1\\s+w%1\\b").arg(first))), qPrintable(text));
    QVERIFY(text.contains(QRegularExpression(QStringLiteral("\\b100\\s+w100\\b"))));
    QVERIFY(!text.contains(QRegularExpression(QStringLiteral("\\bw%1\\b").arg(first - 1))));
}

void tst_Gui::detailPaneSaysNoTimeoutRatherThanZero()
{
    Task task;
    task.id = 1;
    task.spec.kind = QStringLiteral("square");
    TaskDetailPane pane;
    task.spec.timeoutMs = 0;
    pane.showTask(&task);
    QVERIFY2(pane.toPlainText().contains(QLatin1String("no timeout")), qPrintable(pane.toPlainText()));
    QVERIFY(!pane.toPlainText().contains(QLatin1String("timeout 0")));
    task.spec.timeoutMs = 1500;
    pane.showTask(&task);
    QVERIFY2(pane.toPlainText().contains(QLatin1String("timeout 1500 ms")), qPrintable(pane.toPlainText()));
}

void tst_Gui::quittingAsksWhatItWouldInterrupt()
{
    Fixture f;
    int questions = 0;
    QString asked;
    auto counting = [&](bool goAhead) {
        return [&questions, &asked, goAhead](QDialog *dialog) {
            ++questions;
            answer(goAhead, &asked)(dialog);
        };
    };
    // Nothing runs and no one is connected: the window closes without a question.
    f.window.setDialogHook(counting(false));
    f.window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&f.window));
    QVERIFY(f.window.close());
    QCOMPARE(questions, 0);

    // A remote worker runs a long task: quitting asks, and Cancel keeps the window.
    f.window.show();
    QVERIFY(f.window.startServer());
    QStringList args = QProcess::splitCommand(f.window.workerCommandLine());
    args.removeFirst();
    TestProcess worker(QStringLiteral(TASKWORKER_BIN), args, QByteArray());
    QTRY_COMPARE_WITH_TIMEOUT(f.scheduler()->workers().size(), qsizetype(1), 20'000);
    const QList<quint64> sleeps = f.scheduler()->submit(specs(QStringLiteral("sleep"), {"{\"ms\":30000}"}));
    QTRY_COMPARE_WITH_TIMEOUT(f.scheduler()->workers().first()->started, 1, 20'000);
    QVERIFY(!f.window.close());
    QCOMPARE(questions, 1);
    QVERIFY(f.window.isVisible());
    QVERIFY2(asked.contains(QLatin1String("1 running task")), qPrintable(asked));
    QVERIFY2(asked.contains(QLatin1String("lost")), qPrintable(asked)); // this master keeps nothing
    QVERIFY2(asked.contains(QLatin1String("1 remote worker")), qPrintable(asked));

    // A signal closes it without asking: no one may be there to answer.
    f.window.closeWithoutAsking();
    QCOMPARE(questions, 1);
    QVERIFY(!f.window.isVisible());
    f.scheduler()->cancel(sleeps, QStringLiteral("test over"));
}

QTEST_MAIN(tst_Gui)
#include "tst_gui.moc"
