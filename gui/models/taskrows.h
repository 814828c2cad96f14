#pragma once

// The rows of the task view: the ids of the tasks shown, in display order, and the row of each
// id. Ids are dense, as in the store, so the row of an id sits in a plain vector indexed by id
// (4 bytes for each id between the lowest and highest shown) and a million rows are indexed
// again in milliseconds. plan() works out what a batch of changed tasks does to the rows
// without touching them, so that the model can announce it first; apply() carries it out.

#include <QtGlobal>

#include <vector>

class TaskFilter;
class TaskOrder;
class TaskStore;

class TaskRows
{
public:
    struct Plan {
        int firstChanged = -1; // rows whose data changed in place, as one span
        int lastChanged = -1;
        std::vector<int> removed; // rows to take out, ascending
        std::vector<quint64> inserted; // ids to put in, in display order
        bool appendOnly = false; // nothing taken out and everything put in goes after the last row

        bool movesRows() const { return !removed.empty() || (!inserted.empty() && !appendOnly); }
    };

    int size() const { return int(m_ids.size()); }
    quint64 id(int row) const { return m_ids[size_t(row)]; }
    int rowOf(quint64 id) const
    {
        return id >= m_base && id - m_base < m_rowOf.size() ? m_rowOf[size_t(id - m_base)] : -1;
    }

    // Shows exactly these ids, in this order.
    void assign(std::vector<quint64> ids);
    // What the changes of these tasks (changed, added or removed from the store, each id once)
    // do to rows that are otherwise in order under filter and order.
    Plan plan(const std::vector<quint64> &changed, const TaskStore &store, const TaskFilter &filter,
              const TaskOrder &order) const;
    void apply(const Plan &plan, const TaskStore &store, const TaskOrder &order);

private:
    void setRow(quint64 id, int row);
    void indexFrom(size_t row);
    size_t insertionPoint(size_t from, quint64 id, const TaskStore &store, const TaskOrder &order) const;

    std::vector<quint64> m_ids;
    std::vector<int> m_rowOf; // the row of id m_base + i, or -1
    quint64 m_base = 0;
};
