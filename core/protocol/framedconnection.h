#pragma once

// One framed connection over a TCP socket: reads frames through a FrameDecoder under a size
// cap, writes whole frames, and keeps the link alive with heartbeats once asked to. Any
// protocol violation closes the connection with a reason; the owner hears closed(reason).
// From startFrameAuthentication() on, every frame sent carries a MAC and every frame received
// must carry the right one for its place in the sequence, or the connection closes.

#include "framedecoder.h"
#include "protocol.h"

#include <QObject>
#include <QPointer>

#include <memory>

class FrameAuthenticator;
class QTcpSocket;
class QTimer;

class FramedConnection final : public QObject
{
    Q_OBJECT

public:
    // Takes ownership of the socket, which must be connected or connecting.
    FramedConnection(QTcpSocket *socket, quint32 maxFrame, QObject *parent = nullptr);
    ~FramedConnection() override;

    // The largest message body (type and fields) accepted; a frame MAC comes on top of it.
    void setMaxFrame(quint32 maxFrame);
    // After the handshake both ends use the master's cap, in both directions.
    quint32 maxFrame() const { return m_maxFrame; }
    // Authenticates every frame from the next one sent and the next one received on. Called by
    // the handshake at the frame boundary right after Welcome, so nothing slips in between.
    void startFrameAuthentication(const QByteArray &sendKey, const QByteArray &receiveKey);
    bool isAuthenticatingFrames() const { return bool(m_receiveAuth); }
    // Sends several frames at once (a long list split under the cap).
    void send(const QList<QByteArray> &frames);
    // Sends a heartbeat every intervalMs and closes after timeoutMs without any frame.
    void startHeartbeat(int intervalMs, int timeoutMs);

    void send(const QByteArray &frame);
    // Tells the peer why in a Goodbye, then closes.
    void closeWithGoodbye(const QString &reason);
    // Flushes what is queued, then closes. Further frames are neither sent nor delivered.
    void close(const QString &reason);
    bool isOpen() const { return m_open; }

    QString peerDescription() const { return m_peer; }
    QTcpSocket *socket() const { return m_socket; }

Q_SIGNALS:
    void frameReceived(Protocol::MessageType type, const QByteArray &body);
    void heartbeatReceived();
    void closed(const QString &reason);

private:
    void readFrames();
    void write(const QByteArray &frame);
    void finish(const QString &reason);

    QTcpSocket *m_socket;
    FrameDecoder m_decoder;
    quint32 m_maxFrame;
    std::unique_ptr<FrameAuthenticator> m_sendAuth;
    std::unique_ptr<FrameAuthenticator> m_receiveAuth;
    QTimer *m_heartbeatTimer = nullptr;
    QTimer *m_livenessTimer = nullptr;
    QString m_peer;
    bool m_open = true;
    bool m_reading = false;
};
