#pragma once

// A connection accepted by the master before its frames are read: on a plain master it is
// ready at once; on a TLS master it waits for the peer's first byte, runs the TLS handshake
// for a ClientHello, and answers anything else, or silence, with a plain AuthRejected saying
// that TLS is required. The whole stage runs under the handshake deadline.

#include <QObject>

class QTcpSocket;
class QTimer;

class PendingPeer final : public QObject
{
    Q_OBJECT

public:
    // How long a peer on a TLS master may stay silent before it is taken for a plain peer
    // waiting for a Challenge. A TLS client sends its ClientHello as soon as it connects.
    static constexpr int PlainPeerSilenceMs = 1500;

    // Takes ownership of the socket until ready() hands it on.
    PendingPeer(QTcpSocket *socket, bool tlsRequired, int deadlineMs, QObject *parent = nullptr);

    void start();
    QString peerDescription() const { return m_peer; }
    // Gives the socket up (to a FramedConnection); call from a ready() handler.
    QTcpSocket *takeSocket();
    // After failed(): true when the TLS handshake ran into the deadline.
    bool timedOut() const { return m_timedOut; }

Q_SIGNALS:
    void ready();
    void failed(const QString &reason);

private:
    void onFirstBytes();
    void rejectPlainPeer(const QString &reason);
    void fail(const QString &reason);

    QTcpSocket *m_socket;
    QTimer *m_deadline;
    QTimer *m_silence;
    QString m_peer;
    bool m_tlsRequired;
    bool m_encrypting = false;
    bool m_done = false;
    bool m_timedOut = false;
};
