#include "pendingpeer.h"

#include "protocol/messages.h"
#include "tls/tls.h"

#include <QSslSocket>
#include <QTimer>

PendingPeer::PendingPeer(QTcpSocket *socket, bool tlsRequired, int deadlineMs, QObject *parent)
    : QObject(parent),
      m_socket(socket),
      m_deadline(new QTimer(this)),
      m_silence(new QTimer(this)),
      m_tlsRequired(tlsRequired)
{
    m_socket->setParent(this);
    m_peer = m_socket->peerAddress().toString() + QLatin1Char(':') + QString::number(m_socket->peerPort());
    m_deadline->setSingleShot(true);
    m_deadline->setInterval(deadlineMs);
    connect(m_deadline, &QTimer::timeout, this, [this, deadlineMs] {
        m_timedOut = true;
        fail(QStringLiteral("TLS handshake not completed within %1 ms").arg(deadlineMs));
    });
    m_silence->setSingleShot(true);
    m_silence->setInterval(qMin(PlainPeerSilenceMs, deadlineMs));
    connect(m_silence, &QTimer::timeout, this, [this] {
        rejectPlainPeer(QStringLiteral("the peer sent no TLS handshake (a plain peer?) but this master requires TLS"));
    });
}

void PendingPeer::start()
{
    if (!m_tlsRequired) {
        m_done = true;
        Q_EMIT ready();
        return;
    }
    auto *ssl = qobject_cast<QSslSocket *>(m_socket);
    Q_ASSERT(ssl);
    // Bound what the socket buffers while we only look at one byte.
    m_socket->setReadBufferSize(4096);
    connect(m_socket, &QTcpSocket::readyRead, this, &PendingPeer::onFirstBytes);
    connect(m_socket, &QTcpSocket::disconnected, this, [this] { fail(QStringLiteral("closed by the peer before TLS was up")); });
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this] {
        fail(QStringLiteral("TLS handshake failed: ") + m_socket->errorString());
    });
    connect(ssl, &QSslSocket::encrypted, this, [this] {
        if (m_done)
            return;
        m_done = true;
        m_deadline->stop();
        disconnect(m_socket, nullptr, this, nullptr);
        Q_EMIT ready();
    });
    m_deadline->start();
    m_silence->start();
    onFirstBytes();
}

QTcpSocket *PendingPeer::takeSocket()
{
    disconnect(m_socket, nullptr, this, nullptr);
    return std::exchange(m_socket, nullptr);
}

void PendingPeer::onFirstBytes()
{
    if (m_done || m_encrypting || !m_socket)
        return;
    char first = 0;
    // QSslSocket peeks at the plain socket here, so the ClientHello stays there for the handshake.
    if (m_socket->peek(&first, 1) < 1)
        return;
    m_silence->stop();
    if (first != Tls::HandshakeRecordType) {
        rejectPlainPeer(QStringLiteral("the peer speaks without TLS but this master requires TLS"));
        return;
    }
    m_encrypting = true;
    m_socket->setReadBufferSize(64 * 1024);
    static_cast<QSslSocket *>(m_socket)->startServerEncryption();
}

void PendingPeer::rejectPlainPeer(const QString &reason)
{
    if (m_done)
        return;
    // In plain text, so that a peer without TLS reads why instead of waiting for a Challenge.
    m_socket->write(Messages::encodeFrame(Messages::AuthRejected{
            QStringLiteral("this master requires TLS: connect with --tls (and --ca or --tls-fingerprint)")}));
    m_socket->flush();
    fail(reason);
}

void PendingPeer::fail(const QString &reason)
{
    if (m_done)
        return;
    m_done = true;
    m_deadline->stop();
    m_silence->stop();
    disconnect(m_socket, nullptr, this, nullptr);
    m_socket->disconnectFromHost();
    Q_EMIT failed(reason);
}
