#pragma once

// Logs refused connections without letting one address flood the log: the first refusal from
// an address is logged at once, the ones after it are counted and summed up in one line per
// address per interval ("refused 1234 connections from 127.0.0.2 in the last 10 s"). The
// table is bounded; past its size, addresses are summed up together.

#include <QHash>
#include <QHostAddress>
#include <QObject>

class QTimer;

class RefusalLog final : public QObject
{
    Q_OBJECT

public:
    static constexpr int DefaultIntervalMs = 10'000;
    static constexpr int MaxAddresses = 4096;

    explicit RefusalLog(int intervalMs = DefaultIntervalMs, QObject *parent = nullptr);
    ~RefusalLog() override;

    // group: the address as the master counts it (PeerAddress::group); peer: address and port.
    void refused(const QHostAddress &group, const QString &peer, const QString &reason);
    int trackedAddresses() const { return int(m_entries.size()); }

private:
    void flush();

    struct Entry {
        qint64 count = 0; // since the last line about this address
        QString reason;
    };
    QHash<QHostAddress, Entry> m_entries;
    qint64 m_others = 0; // refusals from addresses that did not fit in the table
    QTimer *m_timer;
};
