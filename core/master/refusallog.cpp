#include "refusallog.h"

#include "util/logging.h"

#include <QTimer>

RefusalLog::RefusalLog(int intervalMs, QObject *parent) : QObject(parent), m_timer(new QTimer(this))
{
    m_timer->setInterval(intervalMs);
    connect(m_timer, &QTimer::timeout, this, &RefusalLog::flush);
}

RefusalLog::~RefusalLog()
{
    flush(); // what was counted is still said
}

void RefusalLog::refused(const QHostAddress &group, const QString &peer, const QString &reason)
{
    if (!m_timer->isActive())
        m_timer->start();
    auto it = m_entries.find(group);
    if (it != m_entries.end()) {
        ++it->count;
        it->reason = reason;
        return;
    }
    if (m_entries.size() >= MaxAddresses) {
        ++m_others;
        return;
    }
    m_entries.insert(group, Entry{0, reason});
    qCWarning(lcAuth).noquote() << QStringLiteral("refusing %1 - %2 (further refusals from %3 are summed up every %4 s)")
                                           .arg(peer, reason, group.toString())
                                           .arg(m_timer->interval() / 1000.0);
}

void RefusalLog::flush()
{
    const double seconds = m_timer->interval() / 1000.0;
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        if (it->count == 0) {
            // Quiet for a whole interval: its next refusal is logged at once again.
            it = m_entries.erase(it);
            continue;
        }
        qCWarning(lcAuth).noquote() << QStringLiteral("refused %1 connections from %2 in the last %3 s (%4)")
                                               .arg(it->count)
                                               .arg(it.key().toString())
                                               .arg(seconds)
                                               .arg(it->reason);
        it->count = 0;
        ++it;
    }
    if (m_others > 0) {
        qCWarning(lcAuth).noquote() << QStringLiteral("refused %1 connections from other addresses in the last %2 s")
                                               .arg(m_others)
                                               .arg(seconds);
        m_others = 0;
    }
    if (m_entries.isEmpty())
        m_timer->stop();
}
