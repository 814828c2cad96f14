#include "taskfilterproxymodel.h"

#include "models/tasktablemodel.h"

#include <QTimer>

#include <algorithm>

namespace {

bool isAscii(const QString &s)
{
    return std::all_of(s.begin(), s.end(), [](QChar c) { return c.unicode() < 0x80; });
}

template <typename T>
int compare(const T &a, const T &b)
{
    return a < b ? -1 : (b < a ? 1 : 0);
}

} // namespace

TaskFilterProxyModel::TaskFilterProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
    , m_textTimer(new QTimer(this))
{
    setSortRole(TaskTableModel::SortRole);
    m_textTimer->setSingleShot(true);
    m_textTimer->setInterval(150);
    connect(m_textTimer, &QTimer::timeout, this, [this] { applyTextFilter(m_pendingText); });
}

void TaskFilterProxyModel::setStateFilter(std::optional<TaskState> state)
{
    m_state = state;
    invalidateFilter();
}

void TaskFilterProxyModel::setKindFilter(const QString &kind)
{
    m_kind = kind;
    invalidateFilter();
}

void TaskFilterProxyModel::setTextFilter(const QString &text)
{
    m_pendingText = text;
    m_textTimer->start();
}

void TaskFilterProxyModel::applyTextFilter(const QString &text)
{
    m_textTimer->stop();
    m_text = text.trimmed();
    m_asciiText = isAscii(m_text) ? m_text.toLatin1() : QByteArray();
    invalidateFilter();
}

bool TaskFilterProxyModel::matchesText(const Task &task) const
{
    if (!m_asciiText.isEmpty()) {
        // Raw UTF-8 bytes viewed as Latin-1: an ASCII needle matches exactly where it would in the text.
        const QLatin1String needle(m_asciiText);
        const auto has = [&needle](const QByteArray &bytes) {
            return QLatin1String(bytes).contains(needle, Qt::CaseInsensitive);
        };
        return has(QByteArray::number(task.id)) || task.spec.kind.contains(needle, Qt::CaseInsensitive)
                || has(task.spec.args) || task.worker.contains(needle, Qt::CaseInsensitive) || has(task.result)
                || task.error.contains(needle, Qt::CaseInsensitive);
    }
    const auto has = [this](const QString &s) { return s.contains(m_text, Qt::CaseInsensitive); };
    return has(QString::number(task.id)) || has(task.spec.kind) || has(QString::fromUtf8(task.spec.args))
            || has(task.worker) || has(QString::fromUtf8(task.result)) || has(task.error);
}

bool TaskFilterProxyModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const auto *model = static_cast<const TaskTableModel *>(sourceModel());
    const Task *a = model->task(left.row());
    const Task *b = model->task(right.row());
    if (!a || !b)
        return QSortFilterProxyModel::lessThan(left, right);
    const auto duration = [](const Task *t) { return t->startedMs && t->finishedMs ? t->finishedMs - t->startedMs : -1; };
    int c = 0;
    switch (left.column()) {
    case TaskTableModel::IdColumn: break;
    case TaskTableModel::KindColumn: c = a->spec.kind.compare(b->spec.kind); break;
    case TaskTableModel::ArgsColumn: c = compare(a->spec.args, b->spec.args); break;
    case TaskTableModel::StateColumn: c = compare(int(a->state), int(b->state)); break;
    case TaskTableModel::PriorityColumn: c = compare(a->spec.priority, b->spec.priority); break;
    case TaskTableModel::WorkerColumn: c = a->worker.compare(b->worker); break;
    case TaskTableModel::AttemptsColumn: c = compare(a->attempts, b->attempts); break;
    case TaskTableModel::DurationColumn: c = compare(duration(a), duration(b)); break;
    case TaskTableModel::ResultColumn:
        c = a->state == TaskState::Done ? compare(a->result, b->result) : a->error.compare(b->error);
        break;
    default: return QSortFilterProxyModel::lessThan(left, right);
    }
    // Ties keep id order, so equal rows do not jump around as the view updates.
    return c != 0 ? c < 0 : a->id < b->id;
}

bool TaskFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    const auto *model = static_cast<const TaskTableModel *>(sourceModel());
    const Task *task = model->task(sourceRow);
    if (!task)
        return false;
    if (m_state && task->state != *m_state)
        return false;
    if (!m_kind.isEmpty() && task->spec.kind != m_kind)
        return false;
    return m_text.isEmpty() || matchesText(*task);
}
