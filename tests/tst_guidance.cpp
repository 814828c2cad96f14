// What the desktop app tells a person who does not know it yet: the command that connects a
// worker, quoted for its shell; that a master on loopback is out of other machines' reach; the
// first-start panel.

#include "windowfixture.h"

#include "app/commandquoting.h"
#include "app/localworkers.h"
#include "dialogs/connectworkerdialog.h"
#include "task/sqlitetaskstore.h"
#include "widgets/storebanner.h"

#include <QAbstractButton>
#include <QApplication>
#include <QClipboard>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QTest>

using CommandQuoting::Style;

class tst_Guidance final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void posixQuotingSurvivesTheShell_data();
    void posixQuotingSurvivesTheShell();
    void powerShellQuotesAndCallsAQuotedProgram();
    void theCommandNamesTheRealWorkerAndNoKey();
    void loopbackIsSaidToBeOutOfReach();
    void listeningEverywhereFromTheDialog();
    void copyPutsTheExactCommandOnTheClipboard();
    void theWelcomePanelGoesForGoodOnceDismissed();
    void aboutNamesTheVersions();
    void aSecondInstanceSaysItIsOne();
};

void tst_Guidance::posixQuotingSurvivesTheShell_data()
{
    QTest::addColumn<QString>("arg");
    QTest::newRow("plain") << QStringLiteral("plain");
    QTest::newRow("space") << QStringLiteral("two words");
    QTest::newRow("single quote") << QStringLiteral("it's");
    QTest::newRow("double quote") << QStringLiteral("say \"hi\"");
    QTest::newRow("dollar") << QStringLiteral("$HOME and `id`");
    QTest::newRow("backslash") << QStringLiteral("a\\b\\");
    QTest::newRow("empty") << QString();
    QTest::newRow("non-ASCII") << QStringLiteral("任务 ü");
}

void tst_Guidance::posixQuotingSurvivesTheShell()
{
    QFETCH(QString, arg);
    // The real shell reads the quoted argument back: printf prints it as it arrived.
    QProcess sh;
    sh.start(QStringLiteral("/bin/sh"),
             {QStringLiteral("-c"), QStringLiteral("printf %s ") + CommandQuoting::quote(arg, Style::Posix)});
    QVERIFY(sh.waitForFinished(10'000));
    QCOMPARE(QString::fromUtf8(sh.readAllStandardOutput()), arg);
}

void tst_Guidance::powerShellQuotesAndCallsAQuotedProgram()
{
    QCOMPARE(CommandQuoting::quote(QStringLiteral("plain"), Style::PowerShell), QStringLiteral("plain"));
    QCOMPARE(CommandQuoting::quote(QStringLiteral("it's"), Style::PowerShell), QStringLiteral("'it''s'"));
    QCOMPARE(CommandQuoting::quote(QStringLiteral("$env:USERNAME"), Style::PowerShell), QStringLiteral("'$env:USERNAME'"));
    QCOMPARE(CommandQuoting::quote(QString(), Style::PowerShell), QStringLiteral("''"));
    // A quoted string is a value to PowerShell: the call operator runs it.
    QCOMPARE(CommandQuoting::command({QStringLiteral("C:\\Program Files\\Taskmaster\\taskworker.exe"),
                                      QStringLiteral("--host"), QStringLiteral("box 1")},
                                     Style::PowerShell),
             QStringLiteral("& 'C:\\Program Files\\Taskmaster\\taskworker.exe' --host 'box 1'"));
}

void tst_Guidance::theCommandNamesTheRealWorkerAndNoKey()
{
    WindowFixture f;
    QVERIFY(f.window.startServer());
    const QStringList args = QProcess::splitCommand(f.window.workerCommandLine());
    QVERIFY(!args.isEmpty());
    QVERIFY2(QFileInfo(args.first()).isAbsolute(), qPrintable(args.first()));
    QVERIFY2(QFileInfo(args.first()).isExecutable(), qPrintable(args.first()));
    QCOMPARE(args.first(), LocalWorkers::program());
    QVERIFY(!f.window.workerCommandLine().contains(QString::fromUtf8(f.master.settings().key.toHex())));
    QVERIFY(args.contains(QStringLiteral("--authkey-file")));
}

void tst_Guidance::loopbackIsSaidToBeOutOfReach()
{
    for (const char *address : {"127.0.0.1", "::1", "localhost"}) {
        ConnectWorkerDialog dialog(QStringLiteral("taskworker"), QString::fromLatin1(address));
        QVERIFY2(!dialog.findChild<QLabel *>(QStringLiteral("loopbackWarning"))->isHidden(), address);
        QVERIFY2(!dialog.findChild<QAbstractButton *>(QStringLiteral("listenEverywhere"))->isHidden(), address);
    }
    for (const char *address : {"0.0.0.0", "192.168.1.7"}) {
        ConnectWorkerDialog dialog(QStringLiteral("taskworker"), QString::fromLatin1(address));
        QVERIFY2(dialog.findChild<QLabel *>(QStringLiteral("loopbackWarning"))->isHidden(), address);
        QVERIFY2(dialog.findChild<QAbstractButton *>(QStringLiteral("listenEverywhere"))->isHidden(), address);
    }
}

void tst_Guidance::listeningEverywhereFromTheDialog()
{
    WindowFixture f;
    f.masterSettings.setBindAddress(QStringLiteral("127.0.0.1"));
    QVERIFY(f.window.startServer());
    QCOMPARE(f.master.serverAddress(), QHostAddress(QHostAddress::LocalHost));
    bool warnedAfter = true;
    f.window.setDialogHook([&warnedAfter](QDialog *dialog) {
        dialog->findChild<QAbstractButton *>(QStringLiteral("listenEverywhere"))->click();
        warnedAfter = !dialog->findChild<QLabel *>(QStringLiteral("loopbackWarning"))->isHidden();
        dialog->reject();
    });
    f.window.action(QStringLiteral("connectWorker"))->trigger();
    QVERIFY(!warnedAfter);
    QVERIFY(f.master.isListening());
    QCOMPARE(f.master.serverAddress(), QHostAddress(QHostAddress::AnyIPv4));
    QCOMPARE(f.masterSettings.bindAddress(), QStringLiteral("0.0.0.0"));
}

void tst_Guidance::copyPutsTheExactCommandOnTheClipboard()
{
    const QString line = QStringLiteral("'/opt/task master/taskworker' --host box --port 7600");
    ConnectWorkerDialog dialog(line, QStringLiteral("0.0.0.0"));
    bool copied = false;
    connect(&dialog, &ConnectWorkerDialog::copied, this, [&copied] { copied = true; });
    QApplication::clipboard()->clear();
    dialog.copy();
    QVERIFY(copied);
    QCOMPARE(QApplication::clipboard()->text(), line);
}

void tst_Guidance::theWelcomePanelGoesForGoodOnceDismissed()
{
    WindowFixture first;
    auto *panel = first.window.findChild<QWidget *>(QStringLiteral("welcomePanel"));
    QVERIFY(panel);
    QVERIFY(!panel->isHidden()); // a first start
    first.window.findChild<QAbstractButton *>(QStringLiteral("welcomeDismiss"))->click();
    QVERIFY(panel->isHidden());
    first.settings->sync();

    // The same settings again: not shown.
    QSettings settings(first.dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    MasterSettings masterSettings(&settings);
    Master master(Master::Settings{});
    MainWindow window(&master, &masterSettings);
    QVERIFY(window.findChild<QWidget *>(QStringLiteral("welcomePanel"))->isHidden());

    // And on a fresh start, the first task makes it go.
    WindowFixture fresh;
    auto *freshPanel = fresh.window.findChild<QWidget *>(QStringLiteral("welcomePanel"));
    QVERIFY(!freshPanel->isHidden());
    TaskSpec spec;
    spec.kind = QStringLiteral("echo");
    spec.args = "1";
    fresh.scheduler()->submit({spec});
    QTRY_VERIFY(freshPanel->isHidden());
}

void tst_Guidance::aboutNamesTheVersions()
{
    WindowFixture f;
    QString text;
    f.window.setDialogHook([&text](QDialog *dialog) {
        auto *box = qobject_cast<QMessageBox *>(dialog);
        QVERIFY(box);
        text = box->text();
        box->accept();
    });
    f.window.action(QStringLiteral("about"))->trigger();
    QVERIFY2(text.contains(QStringLiteral("Taskmaster " TASKMASTER_VERSION)), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Qt ") + QString::fromLatin1(qVersion())), qPrintable(text));
}

// A second window on the same data directory cannot have the store: it must say that it is a
// second instance and what that means, not only log it.
void tst_Guidance::aSecondInstanceSaysItIsOne()
{
    QTemporaryDir data;
    SqliteTaskStore first(data.path());
    QString error;
    QVERIFY2(first.open(&error), qPrintable(error));
    SqliteTaskStore second(data.path());
    QVERIFY(!second.open(&error));
    QVERIFY(second.isHeldByAnother());
    QVERIFY(!second.isDamaged());

    WindowFixture f;
    f.window.show();
    QVERIFY(!f.window.storeBanner()->isVisible());
    f.window.noteMemoryOnly(error, second.isHeldByAnother());
    QVERIFY(f.window.storeBanner()->isVisible());
    const QString text = f.window.storeBanner()->text();
    for (const char *words : {"already running", "second instance", "memory only", "lost when it closes", "--data-dir"})
        QVERIFY2(text.contains(QLatin1String(words)), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("in use by another master")), qPrintable(text)); // the store's own words
    QVERIFY2(f.window.windowTitle().contains(QLatin1String("second instance")), qPrintable(f.window.windowTitle()));

    // A store that could not be opened for another reason is no second instance.
    WindowFixture other;
    other.window.show();
    other.window.noteMemoryOnly(QStringLiteral("permission denied"), false);
    QVERIFY(other.window.storeBanner()->isVisible());
    QVERIFY(!other.window.storeBanner()->text().contains(QLatin1String("second instance")));
    QVERIFY(other.window.storeBanner()->text().contains(QLatin1String("permission denied")));
    QVERIFY(!other.window.windowTitle().contains(QLatin1String("second instance")));
}

QTEST_MAIN(tst_Guidance)
#include "tst_guidance.moc"
