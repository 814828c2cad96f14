#pragma once

// The peer's side of the handshake (worker or client). It answers the master's challenge and
// then checks the master's own proof, so a peer never talks to a master that lacks the key.

#include "protocol/messages.h"

#include <QObject>

class FramedConnection;
class QTimer;

class ClientHandshake final : public QObject
{
    Q_OBJECT

public:
    enum class Failure {
        AuthkeyMismatch, // either side's proof did not match: retrying will not help
        Incompatible, // no common protocol version, or not a Taskmaster master
        Transient, // closed or timed out: worth retrying
    };
    Q_ENUM(Failure)

    ClientHandshake(FramedConnection *connection, const QByteArray &key, Protocol::Role role,
                    int deadlineMs, QObject *parent = nullptr);

Q_SIGNALS:
    void authenticated(const Messages::Welcome &welcome);
    void failed(ClientHandshake::Failure failure, const QString &reason);

private:
    void onFrame(Protocol::MessageType type, const QByteArray &body);
    void fail(Failure failure, const QString &reason);

    FramedConnection *m_connection;
    QByteArray m_key;
    Protocol::Role m_role;
    QByteArray m_masterNonce;
    QByteArray m_nonce;
    quint16 m_version = 0;
    QTimer *m_deadline;
    bool m_done = false;
};
