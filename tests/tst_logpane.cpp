// The log dock: a case-insensitive filter and Clear over a bounded log; the operator's own
// actions in it as they happen; workers named as the Workers view names them, never by the
// address and port of their connection.

#include "windowfixture.h"

#include "app/localworkers.h"
#include "dialogs/enqueuedialog.h"
#include "dialogs/settingsdialog.h"
#include "models/workertablemodel.h"
#include "widgets/logpane.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QDir>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTest>

namespace {

const QString Gui = QStringLiteral("taskmaster.gui");

// Answers MainWindow::confirm() with its go-ahead button.
void goAhead(QDialog *dialog)
{
    auto *box = qobject_cast<QMessageBox *>(dialog);
    QVERIFY(box);
    for (QAbstractButton *b : box->buttons()) {
        if (box->buttonRole(b) == QMessageBox::AcceptRole)
            return b->click();
    }
    QFAIL("no go-ahead button");
}

} // namespace

class tst_LogPane final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void theFilterShowsOnlyMatchingLinesInAnyCase();
    void clearForgetsTheLinesAndLaterOnesStillShow();
    void theLogKeepsAtMostItsLimit();
    void theOperatorsActionsAreLoggedAsTheyHappen();
    void workersAreNamedByNameAndHostNotByAddress();
};

void tst_LogPane::initTestCase()
{
    useFreshTestSettings(QStringLiteral("tst_logpane"));
}

void tst_LogPane::theFilterShowsOnlyMatchingLinesInAnyCase()
{
    LogPane pane;
    pane.append(QtInfoMsg, Gui, QStringLiteral("alpha"));
    pane.append(QtInfoMsg, Gui, QStringLiteral("Beta one"));
    pane.append(QtWarningMsg, Gui, QStringLiteral("two beta"));
    pane.filterField()->setText(QStringLiteral("BETA"));
    QString shown = pane.toPlainText();
    QVERIFY2(shown.contains(QLatin1String("Beta one")) && shown.contains(QLatin1String("two beta")), qPrintable(shown));
    QVERIFY2(!shown.contains(QLatin1String("alpha")), qPrintable(shown));
    // Lines that arrive while it is set are filtered too, and none is lost.
    pane.append(QtInfoMsg, Gui, QStringLiteral("gamma"));
    pane.append(QtInfoMsg, Gui, QStringLiteral("beta three"));
    shown = pane.toPlainText();
    QVERIFY2(!shown.contains(QLatin1String("gamma")) && shown.contains(QLatin1String("beta three")), qPrintable(shown));
    pane.filterField()->clear();
    QCOMPARE(pane.toPlainText().split(QLatin1Char('\n')).size(), 5);
    QVERIFY(pane.toPlainText().contains(QLatin1String("gamma")));
}

void tst_LogPane::clearForgetsTheLinesAndLaterOnesStillShow()
{
    LogPane pane;
    pane.append(QtInfoMsg, Gui, QStringLiteral("before"));
    pane.clearButton()->click();
    QCOMPARE(pane.toPlainText(), QString());
    QCOMPARE(pane.keptLineCount(), 0);
    pane.append(QtInfoMsg, Gui, QStringLiteral("after"));
    // A filter change brings back nothing that was cleared.
    pane.filterField()->setText(QStringLiteral("e"));
    pane.filterField()->clear();
    QVERIFY(pane.toPlainText().contains(QLatin1String("after")));
    QVERIFY(!pane.toPlainText().contains(QLatin1String("before")));
}

void tst_LogPane::theLogKeepsAtMostItsLimit()
{
    LogPane pane;
    for (int i = 0; i < LogPane::MaxLines + 10; ++i)
        pane.append(QtInfoMsg, Gui, QStringLiteral("line %1.").arg(i));
    QCOMPARE(pane.keptLineCount(), LogPane::MaxLines);
    QCOMPARE(pane.toPlainText().split(QLatin1Char('\n')).size(), LogPane::MaxLines);
    QVERIFY(!pane.toPlainText().contains(QLatin1String("line 9.")));
    QVERIFY(pane.toPlainText().contains(QLatin1String("line 10.")));
    // Filtering then showing everything again shows the kept lines, not more.
    pane.filterField()->setText(QStringLiteral("line 1"));
    pane.filterField()->clear();
    QCOMPARE(pane.toPlainText().split(QLatin1Char('\n')).size(), LogPane::MaxLines);
}

void tst_LogPane::theOperatorsActionsAreLoggedAsTheyHappen()
{
    WindowFixture f;
    LogPane *log = f.window.logPane();
    QVERIFY(log);
    // Each line must be there right after the action: no waiting for it.
    const auto logged = [log](const QString &text) {
        const bool found = log->toPlainText().contains(text);
        if (!found)
            qWarning().noquote() << "not in the log:" << text << "\nlog:\n" << log->toPlainText();
        return found;
    };

    QVERIFY(f.window.startServer());
    QVERIFY(logged(QStringLiteral("listening on 127.0.0.1:%1").arg(f.master.serverPort())));

    f.window.action(QStringLiteral("demo"))->trigger();
    QVERIFY(logged(QStringLiteral("Enqueued the demo: 10 square task(s).")));
    f.window.setDialogHook([](QDialog *dialog) {
        auto *enqueue = qobject_cast<EnqueueDialog *>(dialog);
        QVERIFY(enqueue);
        enqueue->demoButton()->click();
        enqueue->countBox()->setValue(7);
        enqueue->buttons()->button(QDialogButtonBox::Ok)->click();
    });
    f.window.action(QStringLiteral("enqueue"))->trigger();
    QVERIFY(logged(QStringLiteral("Enqueued 7 task(s).")));

    const QString input = f.writeFile(QStringLiteral("in.jsonl"), "{\"kind\":\"square\",\"args\":1}\n"
                                                                  "{\"kind\":\"square\",\"args\":2}\n"
                                                                  "{\"kind\":\"square\",\"args\":3}\n");
    QCOMPARE(f.window.importFile(input), QString());
    QVERIFY(logged(QStringLiteral("Imported 3 task(s) from %1.").arg(QDir::toNativeSeparators(input))));
    const QString output = f.dir.filePath(QStringLiteral("out.csv"));
    QCOMPARE(f.window.exportTasks(output, false), QString());
    QVERIFY(logged(QStringLiteral("Exported 20 task(s) to %1 as CSV.").arg(QDir::toNativeSeparators(output))));

    // No worker runs them: they are all queued, so all can be cancelled.
    const QList<quint64> two = {1, 2};
    f.select(two);
    f.window.action(QStringLiteral("cancel"))->trigger();
    QVERIFY(logged(QStringLiteral("Cancelled 2 task(s).")));
    f.select(two);
    f.window.action(QStringLiteral("retry"))->trigger();
    QVERIFY(logged(QStringLiteral("Queued 2 task(s) again.")));
    f.select({3, 4, 5});
    f.window.action(QStringLiteral("cancel"))->trigger();
    f.select({3});
    f.window.action(QStringLiteral("remove"))->trigger();
    QVERIFY(logged(QStringLiteral("Removed 1 finished task(s).")));
    f.window.setDialogHook(goAhead);
    f.window.action(QStringLiteral("clearFinished"))->trigger();
    QVERIFY(logged(QStringLiteral("Cleared all finished: removed 2 task(s).")));

    f.window.action(QStringLiteral("newWorkerKey"))->trigger();
    QVERIFY(logged(QStringLiteral("New worker key in %1").arg(QDir::toNativeSeparators(f.masterSettings.workerKeyFilePath()))));
    f.window.action(QStringLiteral("removeWorkerKey"))->trigger();
    QVERIFY(logged(QStringLiteral("No worker key: workers connect with the authkey.")));

    f.window.setDialogHook([](QDialog *dialog) {
        auto *settings = qobject_cast<SettingsDialog *>(dialog);
        QVERIFY(settings);
        settings->addressEdit()->setText(QStringLiteral("localhost"));
        settings->buttons()->button(QDialogButtonBox::Ok)->click();
    });
    f.window.action(QStringLiteral("settings"))->trigger();
    QVERIFY(logged(QStringLiteral("Listen address set to localhost port 0.")));
    f.window.action(QStringLiteral("listen"))->trigger();
    QVERIFY(!f.master.isListening());
    QVERIFY(logged(QStringLiteral("Stopped listening")));
}

void tst_LogPane::workersAreNamedByNameAndHostNotByAddress()
{
    WindowFixture f;
    LogPane *log = f.window.logPane();
    QTableView *view = f.window.workerView();
    QVERIFY(f.window.startLocalWorkers(3));
    QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), 3, 20'000);
    // Each worker's name and host, and the address and port of its connection.
    QStringList names, addresses;
    const QString host = f.scheduler()->workers().first()->host;
    for (const WorkerInfo *w : f.scheduler()->workers()) {
        names.append(w->name + QStringLiteral(" on ") + w->host);
        addresses.append(w->address);
    }
    QTRY_VERIFY(log->toPlainText().contains(QStringLiteral("worker %1 joined from 127.0.0.1 with").arg(names.at(2))));

    // Drain the first, drop the second, stop the third: each line names its worker.
    const auto act = [&](int row, const QString &action) {
        view->clearSelection();
        view->selectRow(row);
        f.window.action(action)->trigger();
    };
    const QString drained = view->model()->index(0, WorkerTableModel::NameColumn).data().toString();
    act(0, QStringLiteral("drain"));
    QVERIFY2(log->toPlainText().contains(QStringLiteral("asking worker %1 on %2 to drain").arg(drained, host)), qPrintable(log->toPlainText()));
    QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), 2, 20'000);
    const QString dropped = view->model()->index(0, WorkerTableModel::NameColumn).data().toString();
    act(0, QStringLiteral("disconnect"));
    QTRY_VERIFY2_WITH_TIMEOUT(log->toPlainText().contains(
                                      QStringLiteral("worker %1 on %2 left: disconnected from the desktop app").arg(dropped, host)),
                              qPrintable(log->toPlainText()), 20'000);
    QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), 1, 20'000);
    const QString stopped = view->model()->index(0, WorkerTableModel::NameColumn).data().toString();
    act(0, QStringLiteral("stopLocalOne"));
    QVERIFY2(log->toPlainText().contains(QStringLiteral("Stopping local worker %1 on %2.").arg(stopped, host)),
             qPrintable(log->toPlainText()));
    QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), 0, 20'000);
    for (const QString &name : names)
        QTRY_VERIFY2(log->toPlainText().contains(QStringLiteral("worker %1 left:").arg(name)), qPrintable(log->toPlainText()));

    // Whatever the log says of them, it never gives their connections' ports.
    const QString text = log->toPlainText();
    for (const QString &address : addresses)
        QVERIFY2(!text.contains(address), qPrintable(address + QStringLiteral(" in:\n") + text));
}

QTEST_MAIN(tst_LogPane)
#include "tst_logpane.moc"
