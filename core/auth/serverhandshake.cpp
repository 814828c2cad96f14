#include "serverhandshake.h"

#include "auth/handshakecrypto.h"
#include "protocol/framedconnection.h"
#include "util/logging.h"

#include <QTimer>

ServerHandshake::ServerHandshake(FramedConnection *connection, const Settings &settings, QObject *parent)
    : QObject(parent), m_connection(connection), m_settings(settings), m_deadline(new QTimer(this))
{
    m_deadline->setSingleShot(true);
    connect(m_deadline, &QTimer::timeout, this, [this] {
        // Sitting on a place until the deadline counts as a failure: it is how one address
        // would hold every place, and the throttle then makes each new one wait.
        fail(QStringLiteral("handshake not completed within %1 ms").arg(m_settings.deadlineMs), false, true);
    });
    connect(m_connection, &FramedConnection::frameReceived, this, &ServerHandshake::onFrame);
    connect(m_connection, &FramedConnection::closed, this, [this](const QString &reason) {
        if (!m_done) {
            m_done = true;
            m_deadline->stop();
            Q_EMIT failed(QStringLiteral("closed during handshake: ") + reason);
        }
    });
}

void ServerHandshake::start()
{
    m_nonce = HandshakeCrypto::newNonce();
    m_deadline->start(m_settings.deadlineMs);
    Messages::Challenge challenge;
    challenge.nonce = m_nonce;
    m_connection->send(Messages::encodeFrame(challenge));
}

void ServerHandshake::onFrame(Protocol::MessageType type, const QByteArray &body)
{
    if (m_done)
        return;
    if (m_nonce.isEmpty()) {
        fail(QStringLiteral("the peer spoke before the Challenge"), false);
        return;
    }
    Messages::Response response;
    if (type != Protocol::MessageType::Response || !Messages::decodeBody(body, response)) {
        fail(QStringLiteral("expected a Response message, got a malformed or %1 message")
                     .arg(QLatin1String(Protocol::messageTypeName(type))),
             false);
        return;
    }
    if (response.version < Protocol::MinVersion || response.version > Protocol::MaxVersion) {
        fail(QStringLiteral("peer asked for protocol version %1; this master speaks %2 to %3")
                     .arg(response.version)
                     .arg(Protocol::MinVersion)
                     .arg(Protocol::MaxVersion),
             true);
        return;
    }
    const auto role = Protocol::Role(response.role);
    if (role != Protocol::Role::Worker && role != Protocol::Role::Client) {
        fail(QStringLiteral("unknown role %1").arg(response.role), true);
        return;
    }
    if (response.nonce.size() != Protocol::NonceSize || response.mac.size() != Protocol::MacSize) {
        fail(QStringLiteral("malformed Response (nonce or proof of the wrong size)"), false);
        return;
    }
    bool workerKeyForClient = false;
    const QByteArray *key = matchingKey(role, response, &workerKeyForClient);
    if (workerKeyForClient) {
        // The peer learns no more than from a wrong key; the owner of the master learns more.
        fail(QStringLiteral("a peer with the worker key asked for the client role; the worker key connects "
                            "workers only"),
             true, true, QStringLiteral("the authkey does not match"));
        return;
    }
    if (!key) {
        fail(QStringLiteral("the authkey does not match"), true);
        return;
    }
    m_usedWorkerKey = key == &m_settings.workerKey;

    m_done = true;
    m_deadline->stop();
    disconnect(m_connection, nullptr, this, nullptr);
    Messages::Welcome welcome;
    welcome.version = response.version;
    welcome.mac = HandshakeCrypto::masterProof(*key, role, response.version, m_nonce, response.nonce);
    welcome.heartbeatIntervalMs = m_settings.heartbeatIntervalMs;
    welcome.heartbeatTimeoutMs = m_settings.heartbeatTimeoutMs;
    welcome.maxFrame = m_settings.maxFrame;
    m_connection->send(Messages::encodeFrame(welcome));
    // Welcome is the last frame without a MAC either way: the Response was the peer's last.
    const auto keys = HandshakeCrypto::sessionKeys(*key, role, response.version, m_nonce, response.nonce);
    m_connection->startFrameAuthentication(keys.masterToPeer, keys.peerToMaster);
    Q_EMIT authenticated(role, response.version);
}

const QByteArray *ServerHandshake::matchingKey(Protocol::Role role, const Messages::Response &response,
                                              bool *workerKeyForClient) const
{
    // Both proofs are computed and compared every time, with or without a worker key and
    // whichever matches, so the time taken says nothing about which key a guess came close to.
    const bool haveWorkerKey = !m_settings.workerKey.isEmpty();
    const QByteArray mainProof =
            HandshakeCrypto::peerProof(m_settings.key, role, response.version, m_nonce, response.nonce);
    const QByteArray workerProof =
            HandshakeCrypto::peerProof(m_settings.workerKey, role, response.version, m_nonce, response.nonce);
    const bool mainMatches = HandshakeCrypto::constantTimeEquals(mainProof, response.mac);
    const bool workerMatches = HandshakeCrypto::constantTimeEquals(workerProof, response.mac) & haveWorkerKey;
    *workerKeyForClient = workerMatches & !mainMatches & (role == Protocol::Role::Client);
    if (mainMatches)
        return &m_settings.key;
    if (workerMatches && role == Protocol::Role::Worker)
        return &m_settings.workerKey;
    return nullptr;
}

void ServerHandshake::fail(const QString &reason, bool tellPeer, bool misbehaved, const QString &peerReason)
{
    if (m_done)
        return;
    m_done = true;
    m_peerMisbehaved = misbehaved;
    m_deadline->stop();
    qCWarning(lcAuth).noquote() << "handshake with" << m_connection->peerDescription() << "failed:" << reason;
    if (tellPeer)
        m_connection->send(Messages::encodeFrame(Messages::AuthRejected{peerReason.isEmpty() ? reason : peerReason}));
    m_connection->close(reason);
    Q_EMIT failed(reason);
}
