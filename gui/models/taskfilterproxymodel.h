#pragma once

// Narrows the task table by state, kind and free text (matched against id, kind, args, worker
// and result or error), and sorts by the model's SortRole so numbers sort as numbers.

#include "task/task.h"

#include <QSortFilterProxyModel>

#include <optional>

class TaskFilterProxyModel final : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit TaskFilterProxyModel(QObject *parent = nullptr);

    void setStateFilter(std::optional<TaskState> state);
    void setKindFilter(const QString &kind);
    void setTextFilter(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    std::optional<TaskState> m_state;
    QString m_kind;
    QString m_text;
};
