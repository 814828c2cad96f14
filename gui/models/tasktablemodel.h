#pragma once

// The tasks of a Scheduler as a table, one row per task in id order. The model keeps only ids
// and reads records from the scheduler on demand. Scheduler signals are collected and applied
// on a short timer: new tasks are appended with one beginInsertRows, changed rows announced
// with one dataChanged over their span, so a queue of a million tasks stays smooth.

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>

#include <vector>

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
        SortRole, // a value that sorts numerically where the column is a number
    };

    explicit TaskTableModel(Scheduler *scheduler, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    quint64 taskId(int row) const { return m_ids[size_t(row)]; }
    int rowOf(quint64 id) const { return m_rows.value(id, -1); }
    const Task *task(int row) const;

    // Applies pending changes now (the timer does it otherwise).
    void flush();
    void setCoalesceInterval(int ms);

private:
    void noteChanged(const QList<quint64> &ids);
    void noteRemoved(const QList<quint64> &ids);
    void schedule();

    Scheduler *m_scheduler;
    QTimer *m_timer;
    std::vector<quint64> m_ids;
    QHash<quint64, int> m_rows;
    QSet<quint64> m_pendingChanged;
    QSet<quint64> m_pendingRemoved;
};
