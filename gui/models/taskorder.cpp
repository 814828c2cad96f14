#include "taskorder.h"

#include "models/tasktablemodel.h"
#include "task/task.h"

#include <algorithm>
#include <utility>

namespace {

// The key of each column, as a number, a QString or UTF-8 bytes.
qint64 numberKey(const Task &t, int column)
{
    switch (column) {
    case TaskTableModel::StateColumn: return int(t.state);
    case TaskTableModel::PriorityColumn: return t.spec.priority;
    case TaskTableModel::AttemptsColumn: return t.attempts;
    case TaskTableModel::DurationColumn: return t.durationMicros();
    default: return qint64(t.id);
    }
}

QString textKey(const Task &t, int column)
{
    return column == TaskTableModel::KindColumn ? t.spec.kind : t.worker;
}

QByteArray bytesKey(const Task &t, int column)
{
    if (column == TaskTableModel::ArgsColumn)
        return t.spec.args;
    // The result column shows the result of a done task and the error of any other.
    return t.state == TaskState::Done ? t.result : t.error.toUtf8();
}

enum class KeyType { Number, Text, Bytes };

KeyType keyType(int column)
{
    switch (column) {
    case TaskTableModel::KindColumn:
    case TaskTableModel::WorkerColumn: return KeyType::Text;
    case TaskTableModel::ArgsColumn:
    case TaskTableModel::ResultColumn: return KeyType::Bytes;
    default: return KeyType::Number;
    }
}

int compareKeys(qint64 a, qint64 b)
{
    return a < b ? -1 : (b < a ? 1 : 0);
}

// Natural order: runs of ASCII digits compare by their value, so "[9]" sorts before "[10]" and
// "worker-2" before "worker-10"; anything else compares code unit by code unit.
template <typename Unit>
int naturalCompare(const Unit *a, size_t sizeA, const Unit *b, size_t sizeB)
{
    const auto isDigit = [](Unit c) { return c >= Unit('0') && c <= Unit('9'); };
    size_t i = 0;
    size_t j = 0;
    while (i < sizeA && j < sizeB) {
        if (!isDigit(a[i]) || !isDigit(b[j])) {
            if (a[i] != b[j])
                return a[i] < b[j] ? -1 : 1;
            ++i;
            ++j;
            continue;
        }
        while (i < sizeA && a[i] == Unit('0'))
            ++i;
        while (j < sizeB && b[j] == Unit('0'))
            ++j;
        size_t endA = i;
        size_t endB = j;
        while (endA < sizeA && isDigit(a[endA]))
            ++endA;
        while (endB < sizeB && isDigit(b[endB]))
            ++endB;
        if (endA - i != endB - j)
            return endA - i < endB - j ? -1 : 1; // more significant digits: the larger number
        for (; i < endA; ++i, ++j) {
            if (a[i] != b[j])
                return a[i] < b[j] ? -1 : 1;
        }
        j = endB;
    }
    return i < sizeA ? 1 : (j < sizeB ? -1 : 0);
}

int compareKeys(const QString &a, const QString &b)
{
    return naturalCompare(a.utf16(), size_t(a.size()), b.utf16(), size_t(b.size()));
}

int compareKeys(const QByteArray &a, const QByteArray &b)
{
    // Unsigned, so UTF-8 sequences sort after ASCII as their code points do.
    return naturalCompare(reinterpret_cast<const uchar *>(a.constData()), size_t(a.size()),
                          reinterpret_cast<const uchar *>(b.constData()), size_t(b.size()));
}

// The one ordering both paths use: the key, reversed when descending, then the id ascending.
template <typename Key>
bool keyedLess(const Key &a, quint64 idA, const Key &b, quint64 idB, bool descending)
{
    const int c = compareKeys(a, b);
    if (c != 0)
        return descending ? c > 0 : c < 0;
    return idA < idB;
}

template <typename Key, Key (*extract)(const Task &, int)>
class Snapshot final : public TaskOrder::KeySnapshot
{
public:
    Snapshot(int column, bool descending, size_t expected)
        : m_column(column)
        , m_descending(descending)
    {
        m_entries.reserve(expected);
    }

    void add(const Task &task) override { m_entries.push_back({extract(task, m_column), task.id}); }

    std::vector<quint64> takeSortedIds() override
    {
        const bool descending = m_descending;
        std::sort(m_entries.begin(), m_entries.end(), [descending](const Entry &a, const Entry &b) {
            return keyedLess(a.key, a.id, b.key, b.id, descending);
        });
        std::vector<quint64> ids;
        ids.reserve(m_entries.size());
        for (const Entry &e : m_entries)
            ids.push_back(e.id);
        m_entries = {};
        return ids;
    }

private:
    struct Entry {
        Key key;
        quint64 id;
    };
    std::vector<Entry> m_entries;
    int m_column;
    bool m_descending;
};

// By id, the tasks arrive sorted already: nothing to copy but the ids.
class IdSnapshot final : public TaskOrder::KeySnapshot
{
public:
    IdSnapshot(bool descending, size_t expected)
        : m_descending(descending)
    {
        m_ids.reserve(expected);
    }

    void add(const Task &task) override { m_ids.push_back(task.id); }

    std::vector<quint64> takeSortedIds() override
    {
        if (m_descending)
            std::reverse(m_ids.begin(), m_ids.end());
        return std::exchange(m_ids, {});
    }

private:
    std::vector<quint64> m_ids;
    bool m_descending;
};

} // namespace

TaskOrder::TaskOrder(int column, Qt::SortOrder order)
    : m_column(column >= 0 && column < TaskTableModel::ColumnCount ? column : TaskTableModel::IdColumn)
    , m_order(order)
{
}

bool TaskOrder::lessThan(const Task &a, const Task &b) const
{
    const bool descending = m_order == Qt::DescendingOrder;
    switch (keyType(m_column)) {
    case KeyType::Number:
        return keyedLess(numberKey(a, m_column), a.id, numberKey(b, m_column), b.id, descending);
    case KeyType::Text:
        return keyedLess(textKey(a, m_column), a.id, textKey(b, m_column), b.id, descending);
    case KeyType::Bytes:
        return keyedLess(bytesKey(a, m_column), a.id, bytesKey(b, m_column), b.id, descending);
    }
    return a.id < b.id;
}

bool TaskOrder::keyCanChange() const
{
    switch (m_column) {
    case TaskTableModel::IdColumn:
    case TaskTableModel::KindColumn:
    case TaskTableModel::ArgsColumn:
    case TaskTableModel::PriorityColumn: return false;
    default: return true;
    }
}

std::unique_ptr<TaskOrder::KeySnapshot> TaskOrder::snapshot(size_t expected) const
{
    const bool descending = m_order == Qt::DescendingOrder;
    if (m_column == TaskTableModel::IdColumn)
        return std::make_unique<IdSnapshot>(descending, expected);
    switch (keyType(m_column)) {
    case KeyType::Number: return std::make_unique<Snapshot<qint64, numberKey>>(m_column, descending, expected);
    case KeyType::Text: return std::make_unique<Snapshot<QString, textKey>>(m_column, descending, expected);
    case KeyType::Bytes: return std::make_unique<Snapshot<QByteArray, bytesKey>>(m_column, descending, expected);
    }
    return std::make_unique<IdSnapshot>(descending, expected);
}
