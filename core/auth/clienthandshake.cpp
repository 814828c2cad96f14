#include "clienthandshake.h"

#include "auth/handshakecrypto.h"
#include "protocol/framedconnection.h"

#include <QTimer>

ClientHandshake::ClientHandshake(FramedConnection *connection, const QByteArray &key, Protocol::Role role,
                                 int deadlineMs, QObject *parent)
    : QObject(parent), m_connection(connection), m_key(key), m_role(role), m_deadline(new QTimer(this))
{
    m_deadline->setSingleShot(true);
    connect(m_deadline, &QTimer::timeout, this, [this, deadlineMs] {
        fail(Failure::Transient,
             QStringLiteral("the master did not complete the handshake within %1 ms").arg(deadlineMs));
    });
    m_deadline->start(deadlineMs);
    connect(m_connection, &FramedConnection::frameReceived, this, &ClientHandshake::onFrame);
    connect(m_connection, &FramedConnection::closed, this, [this](const QString &reason) {
        if (m_done)
            return;
        m_done = true;
        m_deadline->stop();
        Q_EMIT failed(Failure::Transient, QStringLiteral("connection closed during the handshake: ") + reason);
    });
}

void ClientHandshake::onFrame(Protocol::MessageType type, const QByteArray &body)
{
    if (m_done)
        return;
    if (m_masterNonce.isEmpty()) {
        // A master can refuse before it challenges (one that requires TLS tells a plain peer so).
        Messages::AuthRejected refused;
        if (type == Protocol::MessageType::AuthRejected && Messages::decodeBody(body, refused)) {
            fail(Failure::Incompatible, QStringLiteral("the master refused this connection: %1").arg(refused.reason));
            return;
        }
        Messages::Challenge challenge;
        if (type != Protocol::MessageType::Challenge || !Messages::decodeBody(body, challenge)
            || challenge.magic != Protocol::Magic || challenge.nonce.size() != Protocol::NonceSize) {
            fail(Failure::Incompatible, QStringLiteral("the peer is not a Taskmaster master (no valid Challenge)"));
            return;
        }
        const quint16 version = qMin(challenge.maxVersion, Protocol::MaxVersion);
        if (version < challenge.minVersion || version < Protocol::MinVersion) {
            fail(Failure::Incompatible,
                 QStringLiteral("no common protocol version: the master speaks %1 to %2, this build %3 to %4")
                         .arg(challenge.minVersion)
                         .arg(challenge.maxVersion)
                         .arg(Protocol::MinVersion)
                         .arg(Protocol::MaxVersion));
            return;
        }
        m_version = version;
        m_masterNonce = challenge.nonce;
        m_nonce = HandshakeCrypto::newNonce();
        Messages::Response response;
        response.version = version;
        response.role = quint8(m_role);
        response.nonce = m_nonce;
        response.mac = HandshakeCrypto::peerProof(m_key, m_role, version, m_masterNonce, m_nonce);
        m_connection->send(Messages::encodeFrame(response));
        return;
    }

    if (type == Protocol::MessageType::AuthRejected) {
        Messages::AuthRejected rejected;
        Messages::decodeBody(body, rejected);
        const bool keyMismatch = rejected.reason.contains(QLatin1String("authkey"));
        fail(keyMismatch ? Failure::AuthkeyMismatch : Failure::Incompatible,
             QStringLiteral("the master rejected this connection: %1").arg(rejected.reason));
        return;
    }
    Messages::Welcome welcome;
    if (type != Protocol::MessageType::Welcome || !Messages::decodeBody(body, welcome)) {
        fail(Failure::Incompatible, QStringLiteral("expected Welcome, got a malformed or %1 message")
                                            .arg(QLatin1String(Protocol::messageTypeName(type))));
        return;
    }
    const QByteArray expected = HandshakeCrypto::masterProof(m_key, m_role, m_version, m_masterNonce, m_nonce);
    if (!HandshakeCrypto::constantTimeEquals(expected, welcome.mac)) {
        fail(Failure::AuthkeyMismatch,
             QStringLiteral("the master could not prove it knows the authkey: the authkey does not match"));
        return;
    }
    m_done = true;
    m_deadline->stop();
    disconnect(m_connection, nullptr, this, nullptr);
    // Before any byte of the next frame is read: a frame pipelined behind Welcome is checked too.
    const auto keys = HandshakeCrypto::sessionKeys(m_key, m_role, m_version, m_masterNonce, m_nonce);
    m_connection->startFrameAuthentication(keys.peerToMaster, keys.masterToPeer);
    Q_EMIT authenticated(welcome);
}

void ClientHandshake::fail(Failure failure, const QString &reason)
{
    if (m_done)
        return;
    m_done = true;
    m_deadline->stop();
    m_connection->close(reason);
    Q_EMIT failed(failure, reason);
}
