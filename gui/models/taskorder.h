#pragma once

// The order of the task view: by one column of TaskTableModel, ascending or descending, with
// ties always in id order so that equal rows keep their places while the view updates. Text
// sorts naturally: numbers in it by value, so "[9]" comes before "[10]".
// lessThan() compares live records on the GUI thread. A KeySnapshot copies the keys of many
// tasks there, and can then be sorted on another thread while the scheduler goes on changing
// the records: both compare the same keys in the same way.

#include <Qt>

#include <memory>
#include <vector>

struct Task;

class TaskOrder
{
public:
    class KeySnapshot
    {
    public:
        virtual ~KeySnapshot() = default;
        // GUI thread: the key of one task, which must be added in increasing id order.
        virtual void add(const Task &task) = 0;
        // Any thread: the ids added, in the order's order. Leaves the snapshot empty.
        virtual std::vector<quint64> takeSortedIds() = 0;
    };

    TaskOrder() = default;
    TaskOrder(int column, Qt::SortOrder order);

    int column() const { return m_column; }
    Qt::SortOrder order() const { return m_order; }
    bool lessThan(const Task &a, const Task &b) const;
    // False when ordering by the id or a part of the spec, which never change once submitted:
    // a changed task then keeps its place.
    bool keyCanChange() const;
    // Room for expected keys is made up front: growing a vector of a million keys step by step
    // would move them all at once, in one long pause.
    std::unique_ptr<KeySnapshot> snapshot(size_t expected = 0) const;

    friend bool operator==(const TaskOrder &a, const TaskOrder &b)
    {
        return a.m_column == b.m_column && a.m_order == b.m_order;
    }
    friend bool operator!=(const TaskOrder &a, const TaskOrder &b) { return !(a == b); }

private:
    int m_column = 0; // TaskTableModel::IdColumn
    Qt::SortOrder m_order = Qt::AscendingOrder;
};
