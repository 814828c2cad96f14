#pragma once

// The tasks of a Scheduler as a table: the ones that pass the filter, in the chosen order.
// The model keeps only ids and reads records from the scheduler on demand. Scheduler signals
// are collected and applied on a short timer, so a queue of a million tasks stays smooth:
// rows changed in place are announced with one dataChanged, new rows at the end with one
// beginInsertRows, anything that moves rows with one layout change.
//
// A new order or filter over many tasks never blocks the event loop (the master may share it):
// the keys are read in slices of a few milliseconds between events, sorted on another thread,
// and the result is brought up to date with the changes made meanwhile before it is shown.
// Until then the old rows stay on screen and isReordering() is true. QSortFilterProxyModel
// sorts and filters in one blocking call, a second per million rows, hence this model.

#include "models/taskfilter.h"
#include "models/taskorder.h"
#include "models/taskrows.h"

#include <QAbstractTableModel>
#include <QSet>
#include <QThreadPool>

#include <memory>

class QTimer;
class Scheduler;
struct Task;

class TaskTableModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        IdColumn,
        KindColumn,
        ArgsColumn,
        StateColumn,
        PriorityColumn,
        WorkerColumn,
        AttemptsColumn,
        DurationColumn,
        ResultColumn,
        ColumnCount
    };
    enum Role {
        TaskIdRole = Qt::UserRole,
        StateRole, // int(TaskState)
    };

    explicit TaskTableModel(Scheduler *scheduler, QObject *parent = nullptr);
    ~TaskTableModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    // Why a queued or sent task has not started: its start time, or no worker that may run it.
    QString whyWaiting(const Task &task) const;

    void setFilter(const TaskFilter &filter);
    // The filter and order asked for last, whether or not they are shown yet.
    TaskFilter filter() const;
    TaskOrder order() const;
    bool isReordering() const { return m_job != nullptr; }
    // Up to this many tasks, a new order or filter is applied at once (default 50,000).
    void setImmediateLimit(int tasks) { m_immediateLimit = tasks; }

    quint64 taskId(int row) const { return m_rows.id(row); }
    int rowOf(quint64 id) const { return m_rows.rowOf(id); }
    const Task *task(int row) const;

    // Applies pending changes now (the timer does it otherwise).
    void flush();
    void setCoalesceInterval(int ms);

Q_SIGNALS:
    void reorderingChanged(bool reordering);

private:
    struct Job;

    void noteChanged(const QList<quint64> &ids);
    std::vector<quint64> takePending();
    void startJob(const TaskFilter &filter, const TaskOrder &order);
    void scanSlice(quint64 generation);
    void finishJob(quint64 generation, std::vector<quint64> ids);
    // Replaces the rows, keeping selections and the current index on the tasks they were on.
    template <typename Change>
    void changeLayout(Change change);

    Scheduler *m_scheduler;
    QTimer *m_timer;
    TaskRows m_rows;
    QSet<quint64> m_saving; // finished, not yet durable: their result is not shown yet
    TaskFilter m_filter;
    TaskOrder m_order;
    std::vector<quint64> m_pending; // changed, added or removed since the last flush; repeats allowed
    std::unique_ptr<Job> m_job;
    quint64 m_generation = 0;
    int m_immediateLimit = 50'000;
    QThreadPool m_sorter; // last: its destructor waits for a sort still running
};
