// View > Zoom: the task table, the log, the chart, the task stream and the connect dialog grow
// and shrink with it, the actions stop at its limits, and the next window starts at it.

#include "windowfixture.h"

#include "dialogs/connectworkerdialog.h"
#include "widgets/logpane.h"
#include "widgets/taskstreamview.h"
#include "widgets/throughputchart.h"
#include "widgets/viewzoom.h"

#include <QAction>
#include <QChart>
#include <QDateTimeAxis>
#include <QLegend>
#include <QHeaderView>
#include <QPlainTextEdit>
#include <QTest>
#include <QValueAxis>

namespace {

// The sizes of the texts that zoom, in one place so that a test compares them all at once.
struct Sizes {
    qreal taskTable;
    int rowHeight;
    qreal chartLabels;
    qreal chartTitle;
    qreal legend;
    qreal log;
    qreal stream;
};

qreal pointsOf(const QFont &font)
{
    return font.pointSizeF() > 0 ? font.pointSizeF() : font.pixelSize();
}

Sizes sizesOf(const MainWindow &window)
{
    return {pointsOf(window.taskView()->font()),
            window.taskView()->verticalHeader()->defaultSectionSize(),
            pointsOf(window.throughputChart()->rateAxis()->labelsFont()),
            pointsOf(window.throughputChart()->timeAxis()->titleFont()),
            pointsOf(window.throughputChart()->chart()->legend()->font()),
            pointsOf(window.logPane()->view()->font()),
            pointsOf(window.taskStreamView()->font())};
}

void trigger(MainWindow &window, const char *name)
{
    QAction *action = window.action(QLatin1String(name));
    QVERIFY2(action, name);
    action->trigger();
}

} // namespace

class tst_Zoom final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void zoomingInEnlargesEveryView();
    void zoomingOutAndActualSizeBringThemBack();
    void theLimitsDisableTheActions();
    void theConnectDialogsCommandZooms();
    void theNextWindowStartsAtTheSavedZoom();
};

void tst_Zoom::initTestCase()
{
    useFreshTestSettings(QStringLiteral("tst_zoom"));
}

void tst_Zoom::zoomingInEnlargesEveryView()
{
    WindowFixture f;
    const Sizes before = sizesOf(f.window);
    trigger(f.window, "zoomIn");
    trigger(f.window, "zoomIn");
    QCOMPARE(f.window.viewZoom()->percent(), 125);
    const Sizes after = sizesOf(f.window);
    QVERIFY2(after.taskTable > before.taskTable, "the task table's font");
    QVERIFY2(after.rowHeight > before.rowHeight, "the task table's rows");
    QVERIFY2(after.chartLabels > before.chartLabels, "the chart's axis labels");
    QVERIFY2(after.chartTitle > before.chartTitle, "the chart's axis titles");
    QVERIFY2(after.legend > before.legend, "the chart's legend");
    QVERIFY2(after.log > before.log, "the log's fixed-width font");
    QVERIFY2(after.stream > before.stream, "the task stream's font");
    QVERIFY(pointsOf(f.window.workerView()->font()) > before.taskTable);
}

void tst_Zoom::zoomingOutAndActualSizeBringThemBack()
{
    WindowFixture f;
    const Sizes before = sizesOf(f.window);
    const int idWidth = f.window.taskView()->columnWidth(TaskTableModel::IdColumn);
    trigger(f.window, "zoomIn");
    trigger(f.window, "zoomOut");
    QCOMPARE(f.window.viewZoom()->percent(), ViewZoom::Normal);
    Sizes back = sizesOf(f.window);
    QCOMPARE(back.taskTable, before.taskTable);
    QCOMPARE(back.rowHeight, before.rowHeight);
    QCOMPARE(back.chartLabels, before.chartLabels);
    QCOMPARE(back.log, before.log);
    QCOMPARE(back.stream, before.stream);

    for (int i = 0; i < 4; ++i)
        trigger(f.window, "zoomIn");
    QVERIFY(f.window.taskView()->columnWidth(TaskTableModel::IdColumn) > idWidth);
    trigger(f.window, "zoomReset");
    QCOMPARE(f.window.viewZoom()->percent(), ViewZoom::Normal);
    QVERIFY(!f.window.action(QStringLiteral("zoomReset"))->isEnabled());
    back = sizesOf(f.window);
    QCOMPARE(back.taskTable, before.taskTable);
    QCOMPARE(back.rowHeight, before.rowHeight);
    QCOMPARE(back.chartTitle, before.chartTitle);
    QCOMPARE(back.log, before.log);
    QCOMPARE(back.stream, before.stream);
    // Each step rounds the width to a pixel.
    QVERIFY(qAbs(f.window.taskView()->columnWidth(TaskTableModel::IdColumn) - idWidth) <= 1);
}

void tst_Zoom::theLimitsDisableTheActions()
{
    WindowFixture f;
    QAction *in = f.window.action(QStringLiteral("zoomIn"));
    QAction *out = f.window.action(QStringLiteral("zoomOut"));
    QCOMPARE(in->shortcut(), QKeySequence(QKeySequence::ZoomIn));
    QCOMPARE(out->shortcut(), QKeySequence(QKeySequence::ZoomOut));
    QCOMPARE(f.window.action(QStringLiteral("zoomReset"))->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_0));
    for (int i = 0; i < int(ViewZoom::Steps.size()) && out->isEnabled(); ++i)
        out->trigger();
    QVERIFY(!out->isEnabled());
    QVERIFY(in->isEnabled());
    QCOMPARE(f.window.viewZoom()->percent(), ViewZoom::Steps.front());
    for (int i = 0; i < int(ViewZoom::Steps.size()) && in->isEnabled(); ++i)
        in->trigger();
    QVERIFY(!in->isEnabled());
    QVERIFY(out->isEnabled());
    QCOMPARE(f.window.viewZoom()->percent(), ViewZoom::Steps.back());
}

void tst_Zoom::theConnectDialogsCommandZooms()
{
    WindowFixture f;
    qreal normal = 0;
    qreal zoomed = 0;
    qreal *into = &normal;
    f.window.setDialogHook([&into](QDialog *dialog) {
        if (qobject_cast<ConnectWorkerDialog *>(dialog))
            *into = pointsOf(dialog->findChild<QPlainTextEdit *>()->font());
    });
    trigger(f.window, "connectWorker");
    trigger(f.window, "zoomIn");
    trigger(f.window, "zoomIn");
    into = &zoomed;
    trigger(f.window, "connectWorker");
    QVERIFY(normal > 0);
    QVERIFY2(zoomed > normal, "the command's fixed-width font");
}

void tst_Zoom::theNextWindowStartsAtTheSavedZoom()
{
    WindowFixture f;
    const Sizes normal = sizesOf(f.window);
    for (int i = 0; i < 3; ++i)
        trigger(f.window, "zoomIn");
    const int percent = f.window.viewZoom()->percent();
    QVERIFY(percent > ViewZoom::Normal);
    const Sizes zoomed = sizesOf(f.window);

    MainWindow next(&f.master, &f.masterSettings);
    QCOMPARE(next.viewZoom()->percent(), percent);
    const Sizes restored = sizesOf(next);
    QCOMPARE(restored.taskTable, zoomed.taskTable);
    QCOMPARE(restored.rowHeight, zoomed.rowHeight);
    QCOMPARE(restored.chartLabels, zoomed.chartLabels);
    QCOMPARE(restored.log, zoomed.log);
    QVERIFY(restored.stream > normal.stream);
}

QTEST_MAIN(tst_Zoom)
#include "tst_zoom.moc"
