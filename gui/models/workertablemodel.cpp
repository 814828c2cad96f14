#include "workertablemodel.h"

#include "master/scheduler.h"

#include <QDateTime>
#include <QTimer>

#include <algorithm>

WorkerTableModel::WorkerTableModel(Scheduler *scheduler, QObject *parent)
    : QAbstractTableModel(parent)
    , m_scheduler(scheduler)
    , m_timer(new QTimer(this))
{
    for (const WorkerInfo *info : scheduler->workers())
        m_ids.push_back(info->id);
    connect(scheduler, &Scheduler::workerAdded, this, &WorkerTableModel::add);
    connect(scheduler, &Scheduler::workerRemoved, this, [this](quint64 id, const QString &) { remove(id); });
    // Counters change with every result; a repaint a second is plenty for them.
    connect(m_timer, &QTimer::timeout, this, &WorkerTableModel::refresh);
    m_timer->start(1000);
    connect(scheduler, &Scheduler::workerChanged, this, [this] {
        if (m_timer->remainingTime() > 250)
            m_timer->start(250);
    });
}

int WorkerTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ids.size());
}

int WorkerTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const WorkerInfo *WorkerTableModel::worker(int row) const
{
    if (row < 0 || size_t(row) >= m_ids.size())
        return nullptr;
    return m_scheduler->worker(m_ids[size_t(row)]);
}

QVariant WorkerTableModel::data(const QModelIndex &index, int role) const
{
    const WorkerInfo *w = index.isValid() ? worker(index.row()) : nullptr;
    if (!w)
        return {};
    if (role == WorkerIdRole)
        return QVariant::fromValue(w->id);
    if (role == Qt::ToolTipRole && index.column() == HostColumn)
        return w->address.isEmpty() ? w->host : tr("%1, connected from %2").arg(w->host, w->address);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    switch (index.column()) {
    case NameColumn: return w->name;
    case HostColumn: return m_isLocal && m_isLocal(*w) ? tr("%1 (this app's)").arg(w->host) : w->host;
    case PidColumn: return QString::number(w->pid);
    case SlotsColumn: return w->slots;
    case RunningColumn: return w->started;
    case SentColumn: return int(w->running.size()) - w->started;
    case DoneColumn: return QVariant::fromValue(w->done);
    case FailedColumn: return QVariant::fromValue(w->failed);
    case ConnectedColumn:
        return QLocale().toString(QDateTime::fromMSecsSinceEpoch(w->connectedSinceMs).time(), QLocale::ShortFormat);
    case HeartbeatColumn:
        return w->lastSeenMs ? tr("%1 s ago").arg(std::max<qint64>(0, now - w->lastSeenMs) / 1000) : QString();
    case KindsColumn: return w->kinds.join(QStringLiteral(", "));
    case TagsColumn: return w->tags.join(QStringLiteral(", "));
    case StateColumn:
        if (w->draining)
            return tr("draining");
        return w->running.isEmpty() ? tr("idle") : tr("busy");
    default:
        return {};
    }
}

QVariant WorkerTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Name");
    case HostColumn: return tr("Host");
    case PidColumn: return tr("PID");
    case SlotsColumn: return tr("Slots");
    case RunningColumn: return tr("Running");
    case SentColumn: return tr("Sent ahead");
    case DoneColumn: return tr("Done");
    case FailedColumn: return tr("Failed");
    case ConnectedColumn: return tr("Connected since");
    case HeartbeatColumn: return tr("Last heartbeat");
    case KindsColumn: return tr("Kinds");
    case TagsColumn: return tr("Tags");
    case StateColumn: return tr("State");
    default: return {};
    }
}

void WorkerTableModel::add(quint64 id)
{
    const int row = int(m_ids.size());
    beginInsertRows({}, row, row);
    m_ids.push_back(id);
    endInsertRows();
}

void WorkerTableModel::remove(quint64 id)
{
    const auto it = std::find(m_ids.begin(), m_ids.end(), id);
    if (it == m_ids.end())
        return;
    const int row = int(it - m_ids.begin());
    beginRemoveRows({}, row, row);
    m_ids.erase(it);
    endRemoveRows();
}

void WorkerTableModel::refresh()
{
    m_timer->start(1000);
    if (!m_ids.empty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}
