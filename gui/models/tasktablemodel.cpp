#include "tasktablemodel.h"

#include "master/scheduler.h"
#include "models/taskstatestyle.h"

#include <QTimer>

#include <algorithm>
#include <limits>

namespace {

QString elide(const QByteArray &text, int max = 200)
{
    QString s = QString::fromUtf8(text.left(max * 4));
    if (s.size() > max)
        s = s.left(max) + QChar(0x2026);
    return s;
}

} // namespace

TaskTableModel::TaskTableModel(Scheduler *scheduler, QObject *parent)
    : QAbstractTableModel(parent)
    , m_scheduler(scheduler)
    , m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(100);
    connect(m_timer, &QTimer::timeout, this, &TaskTableModel::flush);
    connect(scheduler, &Scheduler::tasksChanged, this, &TaskTableModel::noteChanged);
    connect(scheduler, &Scheduler::tasksRemoved, this, &TaskTableModel::noteRemoved);

    // Tasks that were there before the model.
    std::vector<quint64> ids;
    ids.reserve(size_t(scheduler->store().size()));
    scheduler->store().forEach([&ids](const Task &task) { ids.push_back(task.id); });
    std::sort(ids.begin(), ids.end());
    m_ids = std::move(ids);
    m_rows.reserve(qsizetype(m_ids.size()));
    for (size_t i = 0; i < m_ids.size(); ++i)
        m_rows.insert(m_ids[i], int(i));
}

void TaskTableModel::setCoalesceInterval(int ms)
{
    m_timer->setInterval(ms);
}

int TaskTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ids.size());
}

int TaskTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const Task *TaskTableModel::task(int row) const
{
    if (row < 0 || size_t(row) >= m_ids.size())
        return nullptr;
    return m_scheduler->task(m_ids[size_t(row)]);
}

QVariant TaskTableModel::data(const QModelIndex &index, int role) const
{
    const Task *t = index.isValid() ? task(index.row()) : nullptr;
    if (!t)
        return {};
    switch (role) {
    case TaskIdRole:
        return QVariant::fromValue(t->id);
    case StateRole:
        return int(t->state);
    case Qt::DecorationRole:
        return index.column() == StateColumn ? QVariant(TaskStateStyle::icon(t->state)) : QVariant();
    case Qt::ForegroundRole:
        return index.column() == StateColumn ? QVariant(TaskStateStyle::colour(t->state)) : QVariant();
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case IdColumn: case PriorityColumn: case AttemptsColumn: case DurationColumn:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return {};
        }
    case SortRole:
        switch (index.column()) {
        case IdColumn: return QVariant::fromValue(t->id);
        case StateColumn: return int(t->state);
        case PriorityColumn: return t->spec.priority;
        case AttemptsColumn: return t->attempts;
        case DurationColumn: return t->startedMs && t->finishedMs ? t->finishedMs - t->startedMs : qint64(-1);
        default: break;
        }
        [[fallthrough]];
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (index.column()) {
        case IdColumn: return QString::number(t->id);
        case KindColumn: return t->spec.kind;
        case ArgsColumn: return elide(t->spec.args);
        case StateColumn: return TaskStateStyle::label(t->state);
        case PriorityColumn: return QString::number(t->spec.priority);
        case WorkerColumn: return t->worker;
        case AttemptsColumn: return QStringLiteral("%1/%2").arg(t->attempts).arg(t->spec.maxAttempts);
        case DurationColumn:
            if (t->startedMs && t->finishedMs)
                return tr("%1 ms").arg(t->finishedMs - t->startedMs);
            return QString();
        case ResultColumn:
            if (t->state == TaskState::Done)
                return elide(t->result);
            return t->error;
        default: return {};
        }
    default:
        return {};
    }
}

QVariant TaskTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn: return tr("ID");
    case KindColumn: return tr("Kind");
    case ArgsColumn: return tr("Args");
    case StateColumn: return tr("State");
    case PriorityColumn: return tr("Priority");
    case WorkerColumn: return tr("Worker");
    case AttemptsColumn: return tr("Attempts");
    case DurationColumn: return tr("Duration");
    case ResultColumn: return tr("Result / error");
    default: return {};
    }
}

void TaskTableModel::noteChanged(const QList<quint64> &ids)
{
    for (quint64 id : ids)
        m_pendingChanged.insert(id);
    schedule();
}

void TaskTableModel::noteRemoved(const QList<quint64> &ids)
{
    for (quint64 id : ids) {
        m_pendingRemoved.insert(id);
        m_pendingChanged.remove(id);
    }
    schedule();
}

void TaskTableModel::schedule()
{
    if (!m_timer->isActive())
        m_timer->start();
}

void TaskTableModel::flush()
{
    m_timer->stop();
    if (!m_pendingRemoved.isEmpty()) {
        std::vector<int> rows;
        rows.reserve(size_t(m_pendingRemoved.size()));
        for (quint64 id : std::as_const(m_pendingRemoved)) {
            const int row = m_rows.value(id, -1);
            if (row >= 0)
                rows.push_back(row);
        }
        m_pendingRemoved.clear();
        std::sort(rows.begin(), rows.end());
        // One beginRemoveRows per contiguous span, from the end so earlier rows keep their numbers.
        size_t end = rows.size();
        while (end > 0) {
            size_t begin = end - 1;
            while (begin > 0 && rows[begin - 1] == rows[begin] - 1)
                --begin;
            const int first = rows[begin];
            const int last = rows[end - 1];
            beginRemoveRows({}, first, last);
            for (int r = first; r <= last; ++r)
                m_rows.remove(m_ids[size_t(r)]);
            m_ids.erase(m_ids.begin() + first, m_ids.begin() + last + 1);
            endRemoveRows();
            end = begin;
        }
        if (!rows.empty()) {
            for (size_t i = size_t(rows.front()); i < m_ids.size(); ++i)
                m_rows[m_ids[i]] = int(i);
        }
    }
    if (m_pendingChanged.isEmpty())
        return;
    std::vector<quint64> added;
    int firstChanged = std::numeric_limits<int>::max();
    int lastChanged = -1;
    for (quint64 id : std::as_const(m_pendingChanged)) {
        const int row = m_rows.value(id, -1);
        if (row >= 0) {
            firstChanged = std::min(firstChanged, row);
            lastChanged = std::max(lastChanged, row);
        } else if (m_scheduler->task(id)) {
            added.push_back(id);
        }
    }
    m_pendingChanged.clear();
    if (lastChanged >= 0)
        Q_EMIT dataChanged(index(firstChanged, 0), index(lastChanged, ColumnCount - 1));
    if (!added.empty()) {
        std::sort(added.begin(), added.end());
        const int first = int(m_ids.size());
        beginInsertRows({}, first, first + int(added.size()) - 1);
        m_ids.insert(m_ids.end(), added.begin(), added.end());
        for (size_t i = size_t(first); i < m_ids.size(); ++i)
            m_rows.insert(m_ids[i], int(i));
        endInsertRows();
    }
}
