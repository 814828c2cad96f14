// The enqueue dialog's presets and number modes, its JSON errors, and what the task table
// says about filtered and empty views, driven under the offscreen platform.

#include "app/mainwindow.h"
#include "app/taskguidance.h"
#include "dialogs/enqueuedialog.h"
#include "master/master.h"
#include "master/scheduler.h"
#include "models/tasktablemodel.h"
#include "util/jsonvalue.h"
#include "util/mastersettings.h"
#include "windowfixture.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSet>
#include <QSettings>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

struct Fixture : WindowFixture {
    qsizetype tasks() const { return master.scheduler()->store().size(); }
};

QJsonObject argsOf(const TaskSpec &spec)
{
    QJsonValue value;
    if (!JsonValue::parse(spec.args, &value))
        return {};
    return value.toObject();
}

void setMode(EnqueueDialog &dialog, EnqueueDialog::Numbers mode)
{
    dialog.numbersBox()->setCurrentIndex(dialog.numbersBox()->findData(mode));
}

} // namespace

class tst_EnqueueDialog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void demoFillsTheFormAndEnqueuesNothingUntilEnqueue();
    void aRangeEnqueuesEachNumberOnce();
    void randomNumbersStayInTheirRange();
    void theClassroomPresetGivesEachSquareAWorkTime();
    void badNumbersAreRefused_data();
    void badNumbersAreRefused();
    void aRefusedFormEnqueuesNothing();
    void jsonErrorsNameTheLineAndColumn();
    void theTableSaysHowManyAreShownAndWhatToDoWhenEmpty();
};

void tst_EnqueueDialog::demoFillsTheFormAndEnqueuesNothingUntilEnqueue()
{
    Fixture f;
    qsizetype duringDialog = -1;
    f.window.setDialogHook([&](QDialog *dialog) {
        auto *enqueue = qobject_cast<EnqueueDialog *>(dialog);
        QVERIFY(enqueue);
        enqueue->kindBox()->setCurrentText(QStringLiteral("echo"));
        enqueue->demoButton()->click();
        duringDialog = f.tasks();
        QVERIFY(!enqueue->isHidden() || enqueue->result() != QDialog::Accepted); // still open, not accepted
        QCOMPARE(enqueue->kindBox()->currentText(), QStringLiteral("square"));
        QCOMPARE(enqueue->numbersBox()->currentData().toInt(), int(EnqueueDialog::Random));
        QCOMPARE(enqueue->countBox()->value(), 10);
        QCOMPARE(enqueue->fromBox()->value(), 0);
        QCOMPARE(enqueue->toBox()->value(), 99);
        enqueue->reject();
    });
    f.window.action(QStringLiteral("enqueue"))->trigger();
    QCOMPARE(duringDialog, 0);
    QCOMPARE(f.tasks(), 0);

    // Demo, then Enqueue: the ten squares.
    f.window.setDialogHook([](QDialog *dialog) {
        auto *enqueue = qobject_cast<EnqueueDialog *>(dialog);
        enqueue->demoButton()->click();
        enqueue->buttons()->button(QDialogButtonBox::Ok)->click();
    });
    f.window.action(QStringLiteral("enqueue"))->trigger();
    QCOMPARE(f.tasks(), 10);
}

void tst_EnqueueDialog::aRangeEnqueuesEachNumberOnce()
{
    EnqueueDialog dialog;
    setMode(dialog, EnqueueDialog::Range);
    dialog.fromBox()->setValue(-2);
    dialog.toBox()->setValue(4);
    dialog.countBox()->setValue(99); // a range ignores the count
    QVERIFY2(dialog.buttons()->button(QDialogButtonBox::Ok)->isEnabled(), qPrintable(dialog.errorLabel()->text()));
    const QList<TaskSpec> specs = dialog.specs();
    QCOMPARE(specs.size(), 7);
    for (int i = 0; i < specs.size(); ++i) {
        QCOMPARE(specs[i].kind, QStringLiteral("square"));
        QCOMPARE(specs[i].args, QByteArray(R"({"n":)") + QByteArray::number(i - 2) + '}');
    }
}

void tst_EnqueueDialog::randomNumbersStayInTheirRange()
{
    EnqueueDialog dialog;
    dialog.kindBox()->setCurrentText(QStringLiteral("echo"));
    setMode(dialog, EnqueueDialog::Random);
    dialog.fromBox()->setValue(-5);
    dialog.toBox()->setValue(5);
    dialog.countBox()->setValue(200);
    const QList<TaskSpec> specs = dialog.specs();
    QCOMPARE(specs.size(), 200);
    QSet<qint64> seen;
    for (const TaskSpec &spec : specs) {
        QCOMPARE(spec.kind, QStringLiteral("echo"));
        const QJsonObject args = argsOf(spec);
        QCOMPARE(args.size(), 1); // no work time for a kind other than square
        const qint64 n = args.value(QStringLiteral("n")).toInteger(-100);
        QVERIFY2(n >= -5 && n <= 5, qPrintable(QString::fromUtf8(spec.args)));
        seen.insert(n);
    }
    QVERIFY(seen.size() > 1); // random, not one number repeated
}

void tst_EnqueueDialog::theClassroomPresetGivesEachSquareAWorkTime()
{
    EnqueueDialog dialog;
    dialog.classroomButton()->click();
    const QList<TaskSpec> specs = dialog.specs();
    QCOMPARE(specs.size(), 20);
    for (const TaskSpec &spec : specs) {
        QCOMPARE(spec.kind, QStringLiteral("square"));
        const QJsonObject args = argsOf(spec);
        const qint64 n = args.value(QStringLiteral("n")).toInteger(-1);
        const qint64 ms = args.value(QStringLiteral("ms")).toInteger(-1);
        QVERIFY2(n >= 0 && n <= 99, qPrintable(QString::fromUtf8(spec.args)));
        QVERIFY2(ms >= 300 && ms <= 800, qPrintable(QString::fromUtf8(spec.args)));
    }
}

void tst_EnqueueDialog::badNumbersAreRefused_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<int>("from");
    QTest::addColumn<int>("to");
    QTest::addColumn<int>("workMin");
    QTest::addColumn<int>("workMax");
    QTest::addColumn<QString>("error");
    QTest::newRow("a range that ends before it starts") << int(EnqueueDialog::Range) << 5 << 4 << 0 << 0 << "first number";
    QTest::newRow("random numbers from an empty range") << int(EnqueueDialog::Random) << 1 << 0 << 0 << 0 << "first number";
    QTest::newRow("a range of more tasks than may be enqueued at once")
            << int(EnqueueDialog::Range) << 0 << EnqueueDialog::MaxTasks << 0 << 0 << "at most 1000000";
    QTest::newRow("a work time that ends before it starts")
            << int(EnqueueDialog::Random) << 0 << 9 << 800 << 300 << "work time";
}

void tst_EnqueueDialog::badNumbersAreRefused()
{
    QFETCH(int, mode);
    QFETCH(int, from);
    QFETCH(int, to);
    QFETCH(int, workMin);
    QFETCH(int, workMax);
    QFETCH(QString, error);
    EnqueueDialog dialog;
    setMode(dialog, EnqueueDialog::Numbers(mode));
    dialog.fromBox()->setValue(from);
    dialog.toBox()->setValue(to);
    dialog.workMinBox()->setValue(workMin);
    dialog.workMaxBox()->setValue(workMax);
    QVERIFY(!dialog.buttons()->button(QDialogButtonBox::Ok)->isEnabled());
    QVERIFY(!dialog.errorLabel()->isHidden());
    QVERIFY2(dialog.errorLabel()->text().contains(error), qPrintable(dialog.errorLabel()->text()));
    QVERIFY(dialog.specs().isEmpty());
}

void tst_EnqueueDialog::aRefusedFormEnqueuesNothing()
{
    Fixture f;
    f.window.setDialogHook([](QDialog *dialog) {
        auto *enqueue = qobject_cast<EnqueueDialog *>(dialog);
        setMode(*enqueue, EnqueueDialog::Range);
        enqueue->fromBox()->setValue(9);
        enqueue->toBox()->setValue(1);
        enqueue->buttons()->button(QDialogButtonBox::Ok)->click(); // disabled: does nothing
        QCOMPARE(enqueue->result(), int(QDialog::Rejected));
        enqueue->accept(); // even an accept with a bad form enqueues nothing
    });
    f.window.action(QStringLiteral("enqueue"))->trigger();
    QCOMPARE(f.tasks(), 0);
}

void tst_EnqueueDialog::jsonErrorsNameTheLineAndColumn()
{
    const QString missingComma = EnqueueDialog::jsonError("{\n  \"a\": 1\n  \"b\": 2\n}");
    QVERIFY2(QRegularExpression(QStringLiteral("^line 3, column \\d+: missing comma")).match(missingComma).hasMatch(),
             qPrintable(missingComma));
    const QString firstLine = EnqueueDialog::jsonError("[1, 2");
    QVERIFY2(firstLine.startsWith(QLatin1String("line 1, column ")), qPrintable(firstLine));
    QCOMPARE(EnqueueDialog::jsonError("{\"n\": 7}"), QString());
    QVERIFY(!EnqueueDialog::jsonError("").isEmpty());
    QVERIFY(!EnqueueDialog::jsonError("1 2").isEmpty());

    EnqueueDialog dialog;
    dialog.argsEdit()->setPlainText(QStringLiteral("{\n  \"n\": 7\n  \"ms\": 450\n}"));
    QVERIFY(!dialog.buttons()->button(QDialogButtonBox::Ok)->isEnabled());
    QVERIFY2(dialog.errorLabel()->text().contains(QLatin1String("line 3, column ")), qPrintable(dialog.errorLabel()->text()));
}

void tst_EnqueueDialog::theTableSaysHowManyAreShownAndWhatToDoWhenEmpty()
{
    Fixture f;
    TaskGuidance *guidance = f.window.taskGuidance();
    // Nothing queued yet: say what to do, and no count.
    QVERIFY(!guidance->emptyLabel()->isHidden());
    QVERIFY2(guidance->emptyLabel()->text().contains(QLatin1String("Ctrl+D")), qPrintable(guidance->emptyLabel()->text()));
    QVERIFY(guidance->countLabel()->isHidden());

    QList<TaskSpec> specs;
    for (const char *kind : {"square", "square", "echo", "square", "echo"}) {
        TaskSpec spec;
        spec.kind = QString::fromLatin1(kind);
        spec.args = "1";
        specs.append(spec);
    }
    f.master.scheduler()->submit(specs);
    QTRY_COMPARE(f.window.taskModel()->rowCount(), 5);
    QTRY_VERIFY(guidance->emptyLabel()->isHidden());
    QVERIFY(guidance->countLabel()->isHidden()); // no filter, nothing hidden

    f.window.kindFilter()->setText(QStringLiteral("echo"));
    QTRY_COMPARE(f.window.taskModel()->rowCount(), 2);
    QTRY_VERIFY(!guidance->countLabel()->isHidden());
    QCOMPARE(guidance->countLabel()->text(), QStringLiteral("2 of 5 shown"));

    f.window.kindFilter()->setText(QStringLiteral("cube"));
    QTRY_COMPARE(f.window.taskModel()->rowCount(), 0);
    QTRY_VERIFY(!guidance->emptyLabel()->isHidden());
    QVERIFY2(guidance->emptyLabel()->text().contains(QLatin1String("Clear the filters")), qPrintable(guidance->emptyLabel()->text()));
    QCOMPARE(guidance->countLabel()->text(), QStringLiteral("0 of 5 shown"));

    f.window.kindFilter()->clear();
    QTRY_COMPARE(f.window.taskModel()->rowCount(), 5);
    QTRY_VERIFY(guidance->countLabel()->isHidden());
    QVERIFY(guidance->emptyLabel()->isHidden());
}

QTEST_MAIN(tst_EnqueueDialog)
#include "tst_enqueuedialog.moc"
