#include "taskfilterproxymodel.h"

#include "models/tasktablemodel.h"

TaskFilterProxyModel::TaskFilterProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(TaskTableModel::SortRole);
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
    m_text = text.trimmed();
    invalidateFilter();
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
    if (m_text.isEmpty())
        return true;
    const auto has = [this](const QString &s) { return s.contains(m_text, Qt::CaseInsensitive); };
    return has(QString::number(task->id)) || has(task->spec.kind) || has(QString::fromUtf8(task->spec.args))
            || has(task->worker) || has(QString::fromUtf8(task->result)) || has(task->error);
}
