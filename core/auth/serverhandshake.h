#pragma once

// The master's side of the handshake on one connection:
//   Challenge(nonce) -> Response(version, role, nonce, peer proof) -> Welcome(master proof)
// A wrong proof gets AuthRejected and a close; a peer that has not finished within the
// deadline is dropped. Either way failed(reason) tells the owner.

#include "protocol/messages.h"

#include <QObject>

class FramedConnection;
class QTimer;

class ServerHandshake final : public QObject
{
    Q_OBJECT

public:
    struct Settings {
        QByteArray key;
        int deadlineMs = Protocol::DefaultHandshakeTimeoutMs;
        quint32 heartbeatIntervalMs = Protocol::DefaultHeartbeatIntervalMs;
        quint32 heartbeatTimeoutMs = Protocol::DefaultHeartbeatTimeoutMs;
        quint32 maxFrame = Protocol::DefaultMaxFrame;
    };

    ServerHandshake(FramedConnection *connection, const Settings &settings, QObject *parent = nullptr);

    void start();
    // After failed(): true when the peer answered wrongly (a bad proof, garbage, a message out
    // of turn) or stayed silent until the deadline, false when it only left. The master
    // throttles the former.
    bool peerMisbehaved() const { return m_peerMisbehaved; }

Q_SIGNALS:
    void authenticated(Protocol::Role role, quint16 version);
    void failed(const QString &reason);

private:
    void onFrame(Protocol::MessageType type, const QByteArray &body);
    void fail(const QString &reason, bool tellPeer, bool misbehaved = true);

    FramedConnection *m_connection;
    Settings m_settings;
    QByteArray m_nonce;
    QTimer *m_deadline;
    bool m_done = false;
    bool m_peerMisbehaved = false;
};
