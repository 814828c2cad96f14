#pragma once

// The master's side of the handshake on one connection:
//   Challenge(nonce) -> Response(version, role, nonce, peer proof) -> Welcome(master proof)
// A wrong proof gets AuthRejected and a close; a peer that has not finished within the
// deadline is dropped. Either way failed(reason) tells the owner.
// With a worker key, a worker-role peer may prove either key and a client-role peer only the
// authkey; a client that proves the worker key is refused exactly as a wrong key is.

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
        // Empty: one key for every role. Otherwise a key that connects workers only.
        QByteArray workerKey;
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
    // After authenticated(): true when the peer proved the worker key rather than the authkey.
    bool usedWorkerKey() const { return m_usedWorkerKey; }

Q_SIGNALS:
    void authenticated(Protocol::Role role, quint16 version);
    void failed(const QString &reason);

private:
    void onFrame(Protocol::MessageType type, const QByteArray &body);
    // reason is logged and given to the owner; the peer reads peerReason when it is set.
    void fail(const QString &reason, bool tellPeer, bool misbehaved = true, const QString &peerReason = {});
    // The key the Response proves, or nothing; in time that does not depend on which key matched.
    const QByteArray *matchingKey(Protocol::Role role, const Messages::Response &response, bool *workerKeyForClient) const;

    FramedConnection *m_connection;
    Settings m_settings;
    QByteArray m_nonce;
    QTimer *m_deadline;
    bool m_done = false;
    bool m_peerMisbehaved = false;
    bool m_usedWorkerKey = false;
};
