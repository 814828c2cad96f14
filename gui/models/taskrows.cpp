#include "taskrows.h"

#include "models/taskfilter.h"
#include "models/taskorder.h"
#include "task/taskstore.h"

#include <algorithm>

namespace {

// Every id in the rows names a live task: removals reach the rows as changes before the
// store's record could be looked up again.
bool lessById(quint64 a, quint64 b, const TaskStore &store, const TaskOrder &order)
{
    const Task *ta = store.find(a);
    const Task *tb = store.find(b);
    Q_ASSERT(ta && tb);
    if (!ta || !tb)
        return a < b;
    return order.lessThan(*ta, *tb);
}

} // namespace

void TaskRows::assign(std::vector<quint64> ids)
{
    m_ids = std::move(ids);
    m_rowOf.clear();
    if (m_ids.empty()) {
        m_base = 0;
        return;
    }
    const auto [low, high] = std::minmax_element(m_ids.begin(), m_ids.end());
    m_base = *low;
    m_rowOf.assign(size_t(*high - *low + 1), -1);
    indexFrom(0);
}

void TaskRows::setRow(quint64 id, int row)
{
    if (m_rowOf.empty())
        m_base = id;
    if (id < m_base) {
        // Ids only grow, so this is rare: an old task coming back into view.
        m_rowOf.insert(m_rowOf.begin(), size_t(m_base - id), -1);
        m_base = id;
    }
    const size_t index = size_t(id - m_base);
    if (index >= m_rowOf.size())
        m_rowOf.resize(std::max(index + 1, m_rowOf.size() * 2), -1);
    m_rowOf[index] = row;
}

void TaskRows::indexFrom(size_t row)
{
    for (size_t r = row; r < m_ids.size(); ++r)
        setRow(m_ids[r], int(r));
}

TaskRows::Plan TaskRows::plan(const std::vector<quint64> &changed, const TaskStore &store, const TaskFilter &filter,
                              const TaskOrder &order) const
{
    Plan plan;
    struct Shown {
        int row;
        bool stays; // still passes the filter
    };
    std::vector<Shown> shown;
    for (quint64 id : changed) {
        const Task *task = store.find(id);
        const bool wanted = task && filter.accepts(*task);
        const int row = rowOf(id);
        if (row >= 0)
            shown.push_back({row, wanted});
        else if (wanted)
            plan.inserted.push_back(id);
    }
    std::sort(shown.begin(), shown.end(), [](const Shown &a, const Shown &b) { return a.row < b.row; });

    // A run of adjacent changed rows stays where it is if it still passes the filter and is
    // still in order, within itself and against the unchanged rows on either side; otherwise
    // its rows are taken out and those that pass are put back where they now belong.
    const auto taskAt = [&](int row) { return store.find(m_ids[size_t(row)]); };
    const auto inOrder = [&order](const Task *a, const Task *b) { return a && b && order.lessThan(*a, *b); };
    for (size_t i = 0; i < shown.size();) {
        size_t j = i;
        while (j + 1 < shown.size() && shown[j + 1].row == shown[j].row + 1)
            ++j;
        bool stays = std::all_of(shown.begin() + qsizetype(i), shown.begin() + qsizetype(j) + 1,
                                 [](const Shown &s) { return s.stays; });
        if (stays && order.keyCanChange()) {
            const Task *previous = shown[i].row > 0 ? taskAt(shown[i].row - 1) : nullptr;
            for (size_t k = i; k <= j && stays; ++k) {
                const Task *current = taskAt(shown[k].row);
                stays = !previous || inOrder(previous, current);
                previous = current;
            }
            if (stays && shown[j].row + 1 < size())
                stays = inOrder(previous, taskAt(shown[j].row + 1));
        }
        for (size_t k = i; k <= j; ++k) {
            const int row = shown[k].row;
            if (stays) {
                plan.firstChanged = plan.firstChanged < 0 ? row : std::min(plan.firstChanged, row);
                plan.lastChanged = std::max(plan.lastChanged, row);
            } else {
                plan.removed.push_back(row);
                if (shown[k].stays)
                    plan.inserted.push_back(m_ids[size_t(row)]);
            }
        }
        i = j + 1;
    }
    if (plan.inserted.size() > 1) {
        // Each key read once, not twice per comparison: a batch of 100,000 sorts in milliseconds.
        std::sort(plan.inserted.begin(), plan.inserted.end());
        const std::unique_ptr<TaskOrder::KeySnapshot> keys = order.snapshot(plan.inserted.size());
        for (quint64 id : plan.inserted)
            keys->add(*store.find(id));
        plan.inserted = keys->takeSortedIds();
    }
    plan.appendOnly = plan.removed.empty() && !plan.inserted.empty()
            && (m_ids.empty() || lessById(m_ids.back(), plan.inserted.front(), store, order));
    return plan;
}

size_t TaskRows::insertionPoint(size_t from, quint64 id, const TaskStore &store, const TaskOrder &order) const
{
    // Galloping from the previous insertion point: inserts come in order, so a batch costs
    // O(k log(n / k)) comparisons rather than k binary searches over all n rows.
    const size_t n = m_ids.size();
    size_t bound = 1;
    while (from + bound <= n && lessById(m_ids[from + bound - 1], id, store, order))
        bound *= 2;
    const auto first = m_ids.begin() + qsizetype(from + bound / 2);
    const auto last = m_ids.begin() + qsizetype(std::min(from + bound, n));
    const auto it = std::lower_bound(first, last, id,
                                     [&](quint64 row, quint64 x) { return lessById(row, x, store, order); });
    return size_t(it - m_ids.begin());
}

void TaskRows::apply(const Plan &plan, const TaskStore &store, const TaskOrder &order)
{
    if (plan.appendOnly) {
        for (quint64 id : plan.inserted) {
            setRow(id, size());
            m_ids.push_back(id);
        }
        return;
    }
    size_t firstTouched = m_ids.size();
    if (!plan.removed.empty()) {
        firstTouched = size_t(plan.removed.front());
        size_t write = firstTouched;
        size_t next = 0;
        for (size_t r = firstTouched; r < m_ids.size(); ++r) {
            if (next < plan.removed.size() && size_t(plan.removed[next]) == r) {
                setRow(m_ids[r], -1);
                ++next;
            } else {
                m_ids[write++] = m_ids[r];
            }
        }
        m_ids.resize(write);
    }
    if (!plan.inserted.empty()) {
        std::vector<size_t> at(plan.inserted.size());
        size_t from = 0;
        for (size_t i = 0; i < plan.inserted.size(); ++i)
            from = at[i] = insertionPoint(from, plan.inserted[i], store, order);
        firstTouched = std::min(firstTouched, at.front());
        // Merge from the back, in place: each kept row moves once.
        size_t kept = m_ids.size();
        m_ids.resize(kept + plan.inserted.size());
        size_t write = m_ids.size();
        for (size_t i = plan.inserted.size(); i-- > 0;) {
            while (kept > at[i])
                m_ids[--write] = m_ids[--kept];
            m_ids[--write] = plan.inserted[i];
        }
    }
    indexFrom(firstTouched);
}
