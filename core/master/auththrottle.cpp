#include "auththrottle.h"

#include "master/peeraddress.h"

AuthThrottle::AuthThrottle(const Settings &settings) : m_settings(settings)
{
    m_clock.start();
}

int AuthThrottle::delayFor(const QHostAddress &address) const
{
    const auto it = m_entries.constFind(PeerAddress::group(address));
    if (it == m_entries.cend() || m_clock.elapsed() - it->lastFailureMs > m_settings.forgetAfterMs)
        return 0;
    const int shift = qMin(it->failures - 1, 20);
    return int(qMin<qint64>(qint64(m_settings.baseDelayMs) << shift, m_settings.maxDelayMs));
}

int AuthThrottle::recordFailure(const QHostAddress &address)
{
    const QHostAddress key = PeerAddress::group(address);
    const qint64 now = m_clock.elapsed();
    auto it = m_entries.find(key);
    if (it == m_entries.end()) {
        if (m_entries.size() >= m_settings.maxAddresses)
            evict();
        it = m_entries.insert(key, Entry{});
    } else if (now - it->lastFailureMs > m_settings.forgetAfterMs) {
        it->failures = 0;
    }
    ++it->failures;
    it->lastFailureMs = now;
    it->order = ++m_failures;
    return it->failures;
}

void AuthThrottle::recordSuccess(const QHostAddress &address)
{
    m_entries.remove(PeerAddress::group(address));
}

void AuthThrottle::evict()
{
    const qint64 now = m_clock.elapsed();
    m_entries.removeIf([&](const QHash<QHostAddress, Entry>::iterator &it) {
        return now - it->lastFailureMs > m_settings.forgetAfterMs;
    });
    if (m_entries.size() < m_settings.maxAddresses)
        return;
    auto oldest = m_entries.begin();
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
        if (it->order < oldest->order)
            oldest = it;
    }
    m_entries.erase(oldest);
}
