#include "taskfilter.h"

#include <algorithm>

namespace {

bool isAscii(const QString &s)
{
    return std::all_of(s.begin(), s.end(), [](QChar c) { return c.unicode() < 0x80; });
}

} // namespace

TaskFilter::TaskFilter(std::optional<TaskState> state, const QString &kind, const QString &text)
    : m_state(state)
    , m_kind(kind.trimmed())
    , m_text(text.trimmed())
    , m_asciiText(isAscii(m_text) ? m_text.toLatin1() : QByteArray())
{
}

bool TaskFilter::accepts(const Task &task) const
{
    if (m_state && task.state != *m_state)
        return false;
    if (!m_kind.isEmpty() && !task.spec.kind.contains(m_kind, Qt::CaseInsensitive))
        return false;
    return m_text.isEmpty() || matchesText(task);
}

bool TaskFilter::matchesText(const Task &task) const
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
