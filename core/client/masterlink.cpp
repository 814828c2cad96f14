#include "masterlink.h"

#include "protocol/framedconnection.h"

#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>

#include <memory>

MasterLink::MasterLink(Protocol::Role role, const QByteArray &key, QObject *parent)
    : QObject(parent), m_role(role), m_key(key), m_connectTimer(new QTimer(this))
{
    m_connectTimer->setSingleShot(true);
    connect(m_connectTimer, &QTimer::timeout, this, [this] {
        const QString reason = QStringLiteral("no answer from %1 within %2 ms").arg(m_target).arg(m_timeoutMs);
        reset();
        Q_EMIT failed(ClientHandshake::Failure::Transient, reason);
    });
}

MasterLink::~MasterLink() = default;

void MasterLink::open(const QString &host, quint16 port, int timeoutMs)
{
    reset();
    m_timeoutMs = timeoutMs;
    m_target = host + QLatin1Char(':') + QString::number(port);
    m_tlsRefusal.clear();
    if (m_tls.enabled && !Tls::isAvailable()) {
        Q_EMIT failed(ClientHandshake::Failure::Incompatible,
                      QStringLiteral("cannot use TLS: this build of Qt has no TLS backend (install OpenSSL)"));
        return;
    }
    QSslSocket *ssl = m_tls.enabled ? new QSslSocket(this) : nullptr;
    m_socket = ssl ? ssl : new QTcpSocket(this);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this] {
        if (m_connection)
            return; // the framed connection reports from here on
        const QString reason = socketFailure();
        // A certificate refused or a TLS handshake that cannot work will not work next time.
        const bool tlsFailure = !m_tlsRefusal.isEmpty() || m_socket->error() == QAbstractSocket::SslHandshakeFailedError;
        reset();
        Q_EMIT failed(tlsFailure ? ClientHandshake::Failure::Incompatible : ClientHandshake::Failure::Transient, reason);
    });
    m_connectTimer->start(timeoutMs);
    if (!ssl) {
        connect(m_socket, &QTcpSocket::connected, this, &MasterLink::onConnected);
        m_socket->connectToHost(host, port);
        return;
    }
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (!m_tls.caCertificates.isEmpty())
        configuration.setCaCertificates(m_tls.caCertificates);
    ssl->setSslConfiguration(configuration);
    connect(ssl, &QSslSocket::sslErrors, this, &MasterLink::checkCertificate);
    connect(ssl, &QSslSocket::encrypted, this, [this, ssl] {
        // A pin is checked even when the certificate also chains to a trusted CA.
        const QByteArray actual = Tls::fingerprint(ssl->peerCertificate());
        if (!m_tls.pinnedFingerprint.isEmpty() && actual != m_tls.pinnedFingerprint) {
            m_tlsRefusal = QStringLiteral("the master's TLS certificate has SHA-256 fingerprint %1, not the pinned %2")
                                   .arg(QLatin1String(actual), QLatin1String(m_tls.pinnedFingerprint));
            const QString reason = socketFailure();
            reset();
            Q_EMIT failed(ClientHandshake::Failure::Incompatible, reason);
            return;
        }
        onConnected();
    });
    ssl->connectToHostEncrypted(host, port);
}

void MasterLink::checkCertificate(const QList<QSslError> &errors)
{
    auto *ssl = qobject_cast<QSslSocket *>(m_socket);
    if (!ssl)
        return;
    const QByteArray actual = Tls::fingerprint(ssl->peerCertificate());
    if (!m_tls.pinnedFingerprint.isEmpty()) {
        if (actual == m_tls.pinnedFingerprint) {
            ssl->ignoreSslErrors(errors); // the pin is the trust: a self-signed certificate is fine
            return;
        }
        m_tlsRefusal = QStringLiteral("the master's TLS certificate has SHA-256 fingerprint %1, not the pinned %2")
                               .arg(QLatin1String(actual), QLatin1String(m_tls.pinnedFingerprint));
        return;
    }
    QStringList problems;
    for (const QSslError &error : errors)
        problems.append(error.errorString());
    m_tlsRefusal = QStringLiteral("the master's TLS certificate is not trusted (%1); its SHA-256 fingerprint is %2. "
                                  "Pass --ca with the certificate that signed it, or --tls-fingerprint %2 to pin it")
                           .arg(problems.join(QStringLiteral("; ")), QLatin1String(actual));
}

QString MasterLink::socketFailure() const
{
    if (!m_tlsRefusal.isEmpty())
        return QStringLiteral("refusing %1: %2").arg(m_target, m_tlsRefusal);
    if (m_socket->error() == QAbstractSocket::SslHandshakeFailedError) {
        return QStringLiteral("TLS handshake with %1 failed (%2): is the master serving TLS? "
                              "Start it with --tls-cert and --tls-key, or connect without --tls")
                .arg(m_target, m_socket->errorString());
    }
    return QStringLiteral("cannot connect to %1: %2").arg(m_target, m_socket->errorString());
}

void MasterLink::onConnected()
{
    m_connection = new FramedConnection(m_socket, Protocol::PreAuthMaxFrame, this);
    auto *handshake = new ClientHandshake(m_connection, m_key, m_role, m_timeoutMs, m_connection);
    connect(handshake, &ClientHandshake::failed, this,
            [this, connection = m_connection](ClientHandshake::Failure failure, const QString &reason) {
        // The connect timer and the handshake's deadline run out together: once one has
        // given up on this connection, the other has nothing more to say.
        if (connection != m_connection)
            return;
        reset();
        Q_EMIT failed(failure, reason);
    });
    connect(handshake, &ClientHandshake::authenticated, this, [this, handshake](const Messages::Welcome &welcome) {
        m_connectTimer->stop();
        handshake->deleteLater();
        m_maxFrame = qMax(welcome.maxFrame, Protocol::MinMaxFrame);
        m_connection->setMaxFrame(m_maxFrame);
        m_connection->startHeartbeat(int(qMax(100u, welcome.heartbeatIntervalMs)),
                                     int(qMax(welcome.heartbeatIntervalMs * 2, welcome.heartbeatTimeoutMs)));
        connect(m_connection, &FramedConnection::frameReceived, this, &MasterLink::frameReceived);
        connect(m_connection, &FramedConnection::closed, this, [this](const QString &reason) {
            reset();
            Q_EMIT lost(reason);
        });
        m_ready = true;
        Q_EMIT ready();
    });
}

void MasterLink::send(const QByteArray &frame)
{
    if (m_connection && m_ready)
        m_connection->send(frame);
}

void MasterLink::send(const QList<QByteArray> &frames)
{
    if (m_connection && m_ready)
        m_connection->send(frames);
}

void MasterLink::close(const QString &reason)
{
    if (!m_connection || !m_ready) {
        reset();
        Q_EMIT closed();
        return;
    }
    // Detach the connection before the Goodbye goes out: a write to a master that is gone
    // fails at once and closes the connection inside send(), and that must end here, in
    // closed(), not in the lost() handler, which would take m_connection from under us.
    FramedConnection *connection = std::exchange(m_connection, nullptr);
    QTcpSocket *socket = connection->socket();
    m_socket = nullptr;
    m_ready = false;
    disconnect(connection, nullptr, this, nullptr);
    disconnect(socket, nullptr, this, nullptr); // open()'s error handler speaks of m_socket, now gone
    connection->send(Messages::encodeFrame(Messages::Goodbye{reason}));
    // Let what is queued reach the master before the socket goes: wait for the orderly
    // disconnect, but not for ever.
    auto *grace = new QTimer(connection);
    grace->setSingleShot(true);
    // Once: the socket may say disconnected inside connection->close() below, and then it is
    // also unconnected when looked at after it; closed() is one event.
    auto done = [this, connection, grace, over = std::make_shared<bool>(false)] {
        if (std::exchange(*over, true))
            return;
        grace->stop();
        connection->socket()->disconnect(this);
        connection->deleteLater();
        Q_EMIT closed();
    };
    connect(grace, &QTimer::timeout, this, done);
    connect(socket, &QTcpSocket::disconnected, this, done);
    connection->close(reason);
    if (socket->state() == QAbstractSocket::UnconnectedState)
        done();
    else
        grace->start(3000);
}

void MasterLink::reset()
{
    m_connectTimer->stop();
    m_ready = false;
    // The socket too, even when a connection owns it: open()'s error handler reads m_socket,
    // which is about to be gone or to be the next attempt's.
    if (m_socket)
        disconnect(m_socket, nullptr, this, nullptr);
    if (m_connection) {
        disconnect(m_connection, nullptr, this, nullptr);
        m_connection->deleteLater(); // owns the socket
    } else if (m_socket) {
        m_socket->abort();
        m_socket->deleteLater();
    }
    m_connection = nullptr;
    m_socket = nullptr;
}
