#include "framedconnection.h"

#include "auth/frameauthenticator.h"
#include "messages.h"
#include "util/logging.h"

#include <QSslSocket>
#include <QTimer>
#include <QtEndian>

#include <cstring>

namespace {
constexpr qint64 ReadChunk = 64 * 1024;
constexpr qsizetype SmallFrame = 512; // bytes on the wire, MAC included
}

FramedConnection::FramedConnection(QTcpSocket *socket, quint32 maxFrame, QObject *parent)
    : QObject(parent), m_socket(socket), m_decoder(maxFrame), m_maxFrame(maxFrame)
{
    m_socket->setParent(this);
    // Bound what Qt itself buffers from this peer; we read through the decoder anyway.
    m_socket->setReadBufferSize(ReadChunk);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_peer = m_socket->peerAddress().toString() + QLatin1Char(':') + QString::number(m_socket->peerPort());

    connect(m_socket, &QTcpSocket::readyRead, this, &FramedConnection::readFrames);
    connect(m_socket, &QTcpSocket::disconnected, this, [this] {
        readFrames(); // whatever the peer said before it left still counts
        finish(QStringLiteral("connection closed by peer"));
    });
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error == QAbstractSocket::RemoteHostClosedError) {
            readFrames();
            finish(QStringLiteral("connection closed by peer"));
        }
        else {
            finish(m_socket->errorString());
        }
    });
}

FramedConnection::~FramedConnection() = default;

void FramedConnection::setMaxFrame(quint32 maxFrame)
{
    m_maxFrame = maxFrame;
    m_decoder.setMaxFrame(m_receiveAuth ? maxFrame + quint32(Protocol::FrameMacSize) : maxFrame);
}

void FramedConnection::startFrameAuthentication(const QByteArray &sendKey, const QByteArray &receiveKey)
{
    // The decoder holds no byte of the next frame yet (it reads to frame ends only), so the
    // very next frame is already checked.
    Q_ASSERT(m_decoder.isIdle());
    m_sendAuth = std::make_unique<FrameAuthenticator>(sendKey);
    m_receiveAuth = std::make_unique<FrameAuthenticator>(receiveKey);
    setMaxFrame(m_maxFrame);
}

void FramedConnection::startHeartbeat(int intervalMs, int timeoutMs)
{
    if (!m_heartbeatTimer) {
        m_heartbeatTimer = new QTimer(this);
        connect(m_heartbeatTimer, &QTimer::timeout, this,
                [this] { send(Messages::encodeFrame(Messages::Heartbeat{})); });
        m_livenessTimer = new QTimer(this);
        m_livenessTimer->setSingleShot(true);
        connect(m_livenessTimer, &QTimer::timeout, this, [this, timeoutMs] {
            finish(QStringLiteral("no heartbeat for %1 ms").arg(timeoutMs));
        });
    }
    m_heartbeatTimer->start(intervalMs);
    m_livenessTimer->start(timeoutMs);
    m_backlogGraceMs = sendBacklogGraceMs(timeoutMs);
}

void FramedConnection::send(const QByteArray &frame)
{
    if (!m_open)
        return;
    // Callers already send one frame per batch (a dispatch round, a loop turn of results), so
    // hand it to the kernel now instead of waiting a poll for the write notifier: one system
    // call per batch, and a round trip shorter by an event loop pass.
    write(frame);
    m_socket->flush();
    checkBacklog();
}

void FramedConnection::send(const QList<QByteArray> &frames)
{
    if (!m_open)
        return;
    for (const QByteArray &frame : frames)
        write(frame);
    m_socket->flush();
    checkBacklog();
}

qint64 FramedConnection::unsentBytes() const
{
    qint64 unsent = m_socket->bytesToWrite();
    // Outside UnencryptedMode, bytesToWrite() counts only the plain text not yet encrypted.
    const auto *tls = qobject_cast<const QSslSocket *>(m_socket.data());
    if (tls && tls->mode() != QSslSocket::UnencryptedMode)
        unsent += tls->encryptedBytesToWrite();
    return unsent;
}

void FramedConnection::limitSendBacklog()
{
    if (m_backlogTimer)
        return;
    m_backlogTimer = new QTimer(this);
    m_backlogTimer->setSingleShot(true);
    connect(m_backlogTimer, &QTimer::timeout, this, [this] {
        dropSlowReader(QStringLiteral("took nothing for %1 ms").arg(m_backlogGraceMs));
    });
    // What reaches the kernel; over TLS the plain text is encrypted at once, so that is the
    // encrypted bytes.
    if (auto *tls = qobject_cast<QSslSocket *>(m_socket.data()))
        connect(tls, &QSslSocket::encryptedBytesWritten, this, &FramedConnection::checkBacklog);
    else
        connect(m_socket, &QTcpSocket::bytesWritten, this, &FramedConnection::checkBacklog);
}

void FramedConnection::setHoldingBack(bool holding)
{
    if (m_holdingBack == holding)
        return;
    m_holdingBack = holding;
    checkBacklog();
}

qint64 FramedConnection::backlogThreshold() const
{
    return m_holdingBack ? SendHighWaterMark : sendBacklogLimit(m_maxFrame);
}

void FramedConnection::checkBacklog()
{
    if (!m_open || !m_backlogTimer)
        return;
    const qint64 unsent = unsentBytes();
    const qint64 limit = backlogThreshold();
    const bool drainedNow = m_overMark && unsent < SendHighWaterMark;
    m_overMark = unsent >= SendHighWaterMark;
    if (drainedNow)
        Q_EMIT drained();
    // Whether the peer took anything since the last look: measured here, at each send, and
    // not only from bytesWritten, which waits for the event loop.
    const bool took = m_handedToSocket - unsent > m_taken;
    m_taken = qMax(m_taken, m_handedToSocket - unsent);
    if (unsent <= limit) {
        m_overLimit = false;
        m_backlogTimer->stop();
        return;
    }
    if (!m_overLimit || took) {
        // The peer has a grace time to take something, counted from now. (No byte count cuts
        // it short: a reader that the machine's load stalls for a moment looks the same.)
        m_overLimit = true;
        m_backlogTimer->start(m_backlogGraceMs);
    }
}

void FramedConnection::dropSlowReader(const QString &why)
{
    if (!m_open)
        return;
    const QString reason = QStringLiteral("not reading what it is sent: %1 bytes unsent, over the limit of %2 bytes, and "
                                          "it %3")
                                   .arg(unsentBytes())
                                   .arg(backlogThreshold())
                                   .arg(why);
    qCWarning(lcNet).noquote() << "dropping" << m_peer << "-" << reason;
    // The Goodbye queues behind all the peer has not read. Nothing more is queued after it,
    // and the socket lives on by itself for one more grace time: a peer that reads again by
    // then gets everything and the reason; one that does not is aborted, its buffer freed.
    write(Messages::encodeFrame(Messages::Goodbye{reason}));
    QTcpSocket *socket = m_socket;
    socket->setParent(nullptr);
    finish(reason);
    if (socket->state() == QAbstractSocket::UnconnectedState) {
        socket->deleteLater();
        return;
    }
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(m_backlogGraceMs, socket, [socket] {
        socket->abort();
        socket->deleteLater();
    });
}

void FramedConnection::write(const QByteArray &frame)
{
    m_handedToSocket += frame.size() + (m_sendAuth ? Protocol::FrameMacSize : 0);
    if (!m_sendAuth) {
        m_socket->write(frame);
        return;
    }
    // The frame comes encoded with its length prefix; send it with the prefix grown by the
    // MAC and the MAC behind the body. Most frames are small (a heartbeat, one result): those
    // go to the socket's buffer in one write from the stack, larger ones in three, never copied.
    if (frame.size() <= 4) {
        Q_ASSERT_X(false, "FramedConnection::write", "a frame holds a length and at least a type byte");
        return;
    }
    const char *body = frame.constData() + 4;
    const qsizetype size = frame.size() - 4;
    char small[SmallFrame];
    const bool isSmall = frame.size() + Protocol::FrameMacSize <= SmallFrame;
    char header[4];
    char tag[Protocol::FrameMacSize];
    char *headerAt = isSmall ? small : header;
    char *tagAt = isSmall ? small + 4 + size : tag;
    qToBigEndian<quint32>(quint32(size + Protocol::FrameMacSize), headerAt);
    m_sendAuth->sign(body, size, tagAt);
    if (isSmall) {
        std::memcpy(small + 4, body, size_t(size));
        m_socket->write(small, 4 + size + Protocol::FrameMacSize);
        return;
    }
    m_socket->write(header, 4);
    m_socket->write(body, size);
    m_socket->write(tag, Protocol::FrameMacSize);
}

void FramedConnection::closeWithGoodbye(const QString &reason)
{
    send(Messages::encodeFrame(Messages::Goodbye{reason}));
    close(reason);
}

void FramedConnection::close(const QString &reason)
{
    if (!m_open)
        return;
    m_socket->flush();
    finish(reason);
}

void FramedConnection::readFrames()
{
    // A slot connected to frameReceived may close us; and a nested event loop must not
    // re-enter the decoder.
    if (m_reading)
        return;
    m_reading = true;
    char buffer[ReadChunk];
    while (m_open) {
        const qsizetype want = qMin<qsizetype>(m_decoder.bytesWanted(), ReadChunk);
        if (want > 0) {
            const qint64 got = m_socket->read(buffer, want);
            if (got <= 0)
                break;
            m_decoder.feed(buffer, qsizetype(got));
        }
        if (m_decoder.hasError()) {
            qCWarning(lcNet).noquote() << "dropping" << m_peer << "-" << m_decoder.errorString();
            finish(m_decoder.errorString());
            break;
        }
        if (!m_decoder.hasFrame())
            continue;
        QByteArray body = m_decoder.takeFrame();
        if (m_receiveAuth) {
            const quint64 number = m_receiveAuth->sequence();
            if (!m_receiveAuth->verify(body)) {
                // Forged, replayed, reordered, cut short or from another connection: none of
                // it is delivered, and nothing after it can be trusted either.
                const QString reason = QStringLiteral("frame authentication failed (frame %1 from this peer)")
                                               .arg(number);
                qCWarning(lcNet).noquote() << "dropping" << m_peer << "-" << reason;
                finish(reason);
                break;
            }
            body.truncate(body.size() - Protocol::FrameMacSize);
        }
        const auto type = Messages::messageType(body);
        if (!type) {
            const QString reason = QStringLiteral("unknown message type %1").arg(quint8(body.at(0)));
            qCWarning(lcNet).noquote() << "dropping" << m_peer << "-" << reason;
            finish(reason);
            break;
        }
        if (m_livenessTimer)
            m_livenessTimer->start();
        if (*type == Protocol::MessageType::Heartbeat) {
            if (body.size() != 1) {
                finish(QStringLiteral("malformed Heartbeat message"));
                break;
            }
            Q_EMIT heartbeatReceived();
            continue;
        }
        Q_EMIT frameReceived(*type, body);
    }
    m_reading = false;
}

void FramedConnection::finish(const QString &reason)
{
    if (!m_open)
        return;
    m_open = false;
    if (m_heartbeatTimer)
        m_heartbeatTimer->stop();
    if (m_livenessTimer)
        m_livenessTimer->stop();
    if (m_backlogTimer)
        m_backlogTimer->stop();
    m_socket->disconnect(this);
    if (m_socket->state() != QAbstractSocket::UnconnectedState)
        m_socket->disconnectFromHost();
    Q_EMIT closed(reason);
}
