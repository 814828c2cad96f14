// Replacing the authkey in Server > Settings: Generate asks before it replaces the key given
// out, and once a new key is saved the window offers to drop the remote peers still connected
// with the old one, which cannot come back with it.

#include "app/mainwindow.h"
#include "dialogs/settingsdialog.h"
#include "master/master.h"
#include "master/scheduler.h"
#include "processes.h"
#include "windowfixture.h"

#include <QAbstractItemModel>
#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include <functional>

namespace {

// Clicks the button of a MainWindow::confirm() question: go ahead, or hold back; says what was asked.
void answerQuestion(QDialog *dialog, bool goAhead, QStringList *asked)
{
    auto *box = qobject_cast<QMessageBox *>(dialog);
    QVERIFY(box);
    asked->append(box->text());
    for (QAbstractButton *b : box->buttons()) {
        if (box->buttonRole(b) == (goAhead ? QMessageBox::AcceptRole : QMessageBox::RejectRole)) {
            b->click();
            return;
        }
    }
    QFAIL("no button to answer with");
}

// The settings dialog answered in turn: Generate (its question answered with generate), then
// OK; the questions after it answered with each of later, in order.
std::function<void(QDialog *)> saveNewKey(bool generate, const QList<bool> &later, QStringList *asked)
{
    auto answers = std::make_shared<QList<bool>>(QList<bool>{generate} + later);
    return [answers, asked](QDialog *dialog) {
        if (auto *settings = qobject_cast<SettingsDialog *>(dialog)) {
            settings->generateButton()->click();
            settings->buttons()->button(QDialogButtonBox::Ok)->click();
            return;
        }
        QVERIFY2(!answers->isEmpty(), "asked more than expected");
        answerQuestion(dialog, answers->takeFirst(), asked);
    };
}

QStringList remoteWorkerArgs(const MainWindow &window, const QString &name)
{
    QStringList args = QProcess::splitCommand(window.workerCommandLine());
    args.removeFirst();
    return args + QStringList{QStringLiteral("--name"), name};
}

} // namespace

class tst_KeyChange final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { useFreshTestSettings(QStringLiteral("tst_keychange")); }
    void generateAsksAndCancelKeepsTheKey();
    void disconnectDropsTheWorkerWithTheOldKey();
    void keepLeavesItConnectedAndANewOneIsRefused();
};

void tst_KeyChange::generateAsksAndCancelKeepsTheKey()
{
    WindowFixture f;
    QVERIFY(f.window.startServer());
    const QString saved = QString::fromUtf8(f.masterSettings.readKey());
    QStringList asked;
    QString afterCancel;
    QString afterGenerate;
    f.window.setDialogHook([&](QDialog *dialog) {
        if (auto *settings = qobject_cast<SettingsDialog *>(dialog)) {
            settings->generateButton()->click(); // answered Cancel below
            afterCancel = settings->keyEdit()->text();
            settings->generateButton()->click(); // answered Generate
            afterGenerate = settings->keyEdit()->text();
            settings->reject();
            return;
        }
        answerQuestion(dialog, asked.size() == 1, &asked);
    });
    f.window.action(QStringLiteral("settings"))->trigger();
    QCOMPARE(asked.size(), 2);
    QVERIFY2(asked.first().contains(QLatin1String("stops working for new connections")), qPrintable(asked.first()));
    QCOMPARE(afterCancel, saved);
    QVERIFY(afterGenerate != saved);
    QCOMPARE(afterGenerate.size(), 64);
    // The dialog was cancelled: nothing is saved.
    QCOMPARE(QString::fromUtf8(f.masterSettings.readKey()), saved);
}

void tst_KeyChange::disconnectDropsTheWorkerWithTheOldKey()
{
    WindowFixture f;
    QVERIFY(f.window.startServer());
    // Listening again after the save keeps the port, so that the worker can try it again.
    f.masterSettings.setPort(f.master.serverPort());
    TestProcess worker(QStringLiteral(TASKWORKER_BIN), remoteWorkerArgs(f.window, QStringLiteral("remote")), QByteArray());
    QTRY_COMPARE_WITH_TIMEOUT(f.window.workerView()->model()->rowCount(), 1, 20'000);
    QSignalSpy rejected(&f.master, &Master::peerRejected);

    QStringList asked;
    f.window.setDialogHook(saveNewKey(true, {true}, &asked));
    f.window.action(QStringLiteral("settings"))->trigger();
    QCOMPARE(asked.size(), 2);
    // Without a translator loaded the plural forms read "worker(s)".
    QVERIFY2(asked.last().contains(QLatin1String("1 worker")) && asked.last().contains(QLatin1String("0 client"))
                     && asked.last().contains(QLatin1String("connected with the old key")),
             qPrintable(asked.last()));
    QTRY_COMPARE_WITH_TIMEOUT(f.window.workerView()->model()->rowCount(), 0, 20'000);
    // It tries again with the key it has, and is refused.
    QVERIFY2(worker.waitForStderr("the master rejected this connection"), worker.stderrText().constData());
    QTRY_VERIFY_WITH_TIMEOUT(!rejected.isEmpty(), 20'000);
    QCOMPARE(f.window.workerView()->model()->rowCount(), 0);
}

void tst_KeyChange::keepLeavesItConnectedAndANewOneIsRefused()
{
    WindowFixture f;
    QVERIFY(f.window.startServer());
    const QByteArray oldKey = f.master.settings().key;
    TestProcess worker(QStringLiteral(TASKWORKER_BIN), remoteWorkerArgs(f.window, QStringLiteral("remote")), QByteArray());
    QTRY_COMPARE_WITH_TIMEOUT(f.window.workerView()->model()->rowCount(), 1, 20'000);

    QStringList asked;
    f.window.setDialogHook(saveNewKey(true, {false}, &asked));
    f.window.action(QStringLiteral("settings"))->trigger();
    QCOMPARE(asked.size(), 2);
    QVERIFY2(asked.last().contains(QLatin1String("Disconnect them now?")), qPrintable(asked.last()));
    QVERIFY(f.master.settings().key != oldKey);

    // Still connected: it runs a task.
    QCOMPARE(f.window.workerView()->model()->rowCount(), 1);
    TaskSpec spec;
    spec.kind = QStringLiteral("square");
    spec.args = "7";
    f.scheduler()->submit({spec});
    QTRY_COMPARE_WITH_TIMEOUT(f.scheduler()->count(TaskState::Done), quint64(1), 20'000);
    QCOMPARE(f.scheduler()->task(1)->result, QByteArray("49"));

    // A new one with the old key is refused.
    const auto stale = startWorker(f.master.serverPort(), oldKey, QStringLiteral("stale"), {QStringLiteral("--once")});
    QVERIFY(stale->waitForExit());
    QCOMPARE(stale->exitCode(), 3);
    QCOMPARE(f.window.workerView()->model()->rowCount(), 1);
}

QTEST_MAIN(tst_KeyChange)
#include "tst_keychange.moc"
