#pragma once

// Which tasks the task view shows: those in one state, whose kind contains a text, and
// containing a text in their id, kind, args, worker or result or error (all case-insensitive). Each part is optional;
// the default filter accepts every task. A plain value, so a new filter can be worked out
// while the old one is still shown.

#include "task/task.h"

#include <optional>

class TaskFilter
{
public:
    TaskFilter() = default;
    TaskFilter(std::optional<TaskState> state, const QString &kind, const QString &text);

    bool acceptsAll() const { return !m_state && m_kind.isEmpty() && m_text.isEmpty(); }
    bool accepts(const Task &task) const;

    friend bool operator==(const TaskFilter &a, const TaskFilter &b)
    {
        return a.m_state == b.m_state && a.m_kind == b.m_kind && a.m_text == b.m_text;
    }
    friend bool operator!=(const TaskFilter &a, const TaskFilter &b) { return !(a == b); }

private:
    bool matchesText(const Task &task) const;

    std::optional<TaskState> m_state;
    QString m_kind;
    QString m_text;
    QByteArray m_asciiText; // m_text when it is plain ASCII: matched on raw bytes, no conversion
};
