#pragma once

// Narrows the task table by state, kind and free text (matched against id, kind, args, worker
// and result or error), and sorts by the model's SortRole so numbers sort as numbers.

#include "task/task.h"

#include <QSortFilterProxyModel>

#include <optional>

class QTimer;

class TaskFilterProxyModel final : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit TaskFilterProxyModel(QObject *parent = nullptr);

    void setStateFilter(std::optional<TaskState> state);
    void setKindFilter(const QString &kind);
    // Applied after typing pauses (150 ms), not on every keystroke; applyTextFilter() is at once.
    void setTextFilter(const QString &text);
    void applyTextFilter(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    // Compares task records directly: a million rows sort without a QVariant per comparison.
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    bool matchesText(const Task &task) const;

    std::optional<TaskState> m_state;
    QString m_kind;
    QString m_text;
    QByteArray m_asciiText; // m_text when it is plain ASCII: matched on raw bytes, no conversion
    QTimer *m_textTimer;
    QString m_pendingText;
};
