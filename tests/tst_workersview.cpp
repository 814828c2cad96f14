// The Workers view over real taskworker processes: the selection stays on its worker while
// others come and go, and the worker actions follow it, down to nothing once it leaves.

#include "windowfixture.h"

#include "app/localworkers.h"
#include "models/workertablemodel.h"

#include <QAction>
#include <QTest>

namespace {

QList<quint64> selectedWorkers(QTableView *view)
{
    QList<quint64> ids;
    for (const QModelIndex &index : view->selectionModel()->selectedRows())
        ids.append(index.data(WorkerTableModel::WorkerIdRole).toULongLong());
    return ids;
}

int rowOf(QTableView *view, quint64 workerId)
{
    const QAbstractItemModel *model = view->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, 0).data(WorkerTableModel::WorkerIdRole).toULongLong() == workerId)
            return row;
    }
    return -1;
}

} // namespace

class tst_WorkersView final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void theSelectionStaysOnItsWorkerAsOthersComeAndGo();
};

void tst_WorkersView::initTestCase()
{
    useFreshTestSettings(QStringLiteral("tst_workersview"));
}

void tst_WorkersView::theSelectionStaysOnItsWorkerAsOthersComeAndGo()
{
    WindowFixture f;
    QTableView *view = f.window.workerView();
    QVERIFY(f.window.startLocalWorkers(3));
    QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), 3, 20'000);

    // B is the middle row, so that a worker above it and one below it can both leave.
    const quint64 a = view->model()->index(0, 0).data(WorkerTableModel::WorkerIdRole).toULongLong();
    const quint64 b = view->model()->index(1, 0).data(WorkerTableModel::WorkerIdRole).toULongLong();
    const QString bName = view->model()->index(1, WorkerTableModel::NameColumn).data().toString();
    view->selectRow(1);
    QCOMPARE(selectedWorkers(view), QList<quint64>{b});

    // A leaves from above: B moves up a row and stays selected.
    QVERIFY(f.window.localWorkers()->stop(f.scheduler()->worker(a)->pid));
    QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), 2, 20'000);
    QCOMPARE(rowOf(view, b), 0);
    QCOMPARE(selectedWorkers(view), QList<quint64>{b});
    QCOMPARE(view->selectionModel()->selectedRows().first().siblingAtColumn(WorkerTableModel::NameColumn).data().toString(),
             bName);

    // Another connects: still B, and only B.
    QVERIFY(f.window.startLocalWorkers(1));
    QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), 3, 20'000);
    QCOMPARE(selectedWorkers(view), QList<quint64>{b});
    QVERIFY(f.window.action(QStringLiteral("drain"))->isEnabled());
    QVERIFY(f.window.action(QStringLiteral("stopLocalOne"))->isEnabled());

    // B leaves: nothing is selected, and nothing is left for the worker actions to act on.
    QVERIFY(f.window.localWorkers()->stop(f.scheduler()->worker(b)->pid));
    QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), 2, 20'000);
    QVERIFY(!view->selectionModel()->hasSelection());
    QTRY_VERIFY(!f.window.action(QStringLiteral("drain"))->isEnabled());
    QVERIFY(!f.window.action(QStringLiteral("disconnect"))->isEnabled());
    QVERIFY(!f.window.action(QStringLiteral("stopLocalOne"))->isEnabled());
}

QTEST_MAIN(tst_WorkersView)
#include "tst_workersview.moc"
