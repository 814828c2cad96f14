#pragma once

// Slows down guessing the authkey: every failed authentication from an address (an IPv6 /64
// counts as one, see PeerAddress) doubles the
// wait before the next handshake from that address starts (up to a ceiling below a peer's
// connect timeout, so the right key still gets in). The table is bounded: entries expire, and
// when it is full the address that failed longest ago is forgotten first.

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>

class AuthThrottle final
{
public:
    struct Settings {
        int baseDelayMs = 250;
        int maxDelayMs = 5'000;
        int maxAddresses = 4096;
        qint64 forgetAfterMs = 10 * 60 * 1000;
    };

    AuthThrottle() : AuthThrottle(Settings()) { }
    explicit AuthThrottle(const Settings &settings);

    // Milliseconds to wait before challenging a new connection from this address.
    int delayFor(const QHostAddress &address) const;
    // Returns how many failures in a row the address now has.
    int recordFailure(const QHostAddress &address);
    void recordSuccess(const QHostAddress &address);
    int trackedAddresses() const { return int(m_entries.size()); }

private:
    struct Entry {
        int failures = 0;
        qint64 lastFailureMs = 0;
        quint64 order = 0; // of the last failure; milliseconds tie, this does not
    };

    void evict();

    Settings m_settings;
    QElapsedTimer m_clock;
    QHash<QHostAddress, Entry> m_entries;
    quint64 m_failures = 0;
};
