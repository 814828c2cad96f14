#pragma once

// The workers connected to a Scheduler as a table. Rows follow workerAdded/workerRemoved;
// workerChanged and the heartbeat column are repainted on a one-second timer.

#include <QAbstractTableModel>

#include <functional>
#include <vector>

class QTimer;
class Scheduler;
struct WorkerInfo;

class WorkerTableModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        NameColumn,
        HostColumn,
        PidColumn,
        SlotsColumn,
        RunningColumn,
        SentColumn,
        DoneColumn,
        FailedColumn,
        ConnectedColumn,
        HeartbeatColumn,
        KindsColumn,
        TagsColumn,
        StateColumn,
        ColumnCount
    };
    enum Role { WorkerIdRole = Qt::UserRole };

    explicit WorkerTableModel(Scheduler *scheduler, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    quint64 workerId(int row) const { return m_ids[size_t(row)]; }
    const WorkerInfo *worker(int row) const;
    // Tells the app's own workers (by process id on this host) from remote ones.
    void setIsLocal(std::function<bool(const WorkerInfo &)> isLocal) { m_isLocal = std::move(isLocal); }

private:
    void add(quint64 id);
    void remove(quint64 id);
    void refresh();

    Scheduler *m_scheduler;
    QTimer *m_timer;
    std::vector<quint64> m_ids;
    std::function<bool(const WorkerInfo &)> m_isLocal;
};
