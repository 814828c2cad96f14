#include "backlogtext.h"

namespace BacklogText {

QString waitingForWorker(quint64 tasks, const QString &kind, const QStringList &requiredTags)
{
    QString text = tasks == 1 ? QStringLiteral("1 task waits for a worker that runs %1").arg(kind)
                              : QStringLiteral("%1 tasks wait for a worker that runs %2").arg(tasks).arg(kind);
    if (requiredTags.size() == 1)
        text += QStringLiteral(" and has the tag %1").arg(requiredTags.first());
    else if (!requiredTags.isEmpty())
        text += QStringLiteral(" and has the tags %1").arg(requiredTags.join(QStringLiteral(", ")));
    return text;
}

QString describe(const Messages::Backlog &backlog)
{
    if (backlog.workers > 0)
        return {};
    return waitingForWorker(backlog.ready + backlog.delayed, backlog.kind, backlog.requiredTags);
}

} // namespace BacklogText
