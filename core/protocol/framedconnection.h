#pragma once

// One framed connection over a TCP socket: reads frames through a FrameDecoder under a size
// cap, writes whole frames, and keeps the link alive with heartbeats once asked to. Any
// protocol violation closes the connection with a reason; the owner hears closed(reason).

#include "framedecoder.h"
#include "protocol.h"

#include <QObject>
#include <QPointer>

class QTcpSocket;
class QTimer;

class FramedConnection final : public QObject
{
    Q_OBJECT

public:
    // Takes ownership of the socket, which must be connected or connecting.
    FramedConnection(QTcpSocket *socket, quint32 maxFrame, QObject *parent = nullptr);
    ~FramedConnection() override;

    void setMaxFrame(quint32 maxFrame);
    // After the handshake both ends use the master's cap, in both directions.
    quint32 maxFrame() const { return m_decoder.maxFrame(); }
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
    void finish(const QString &reason);

    QTcpSocket *m_socket;
    FrameDecoder m_decoder;
    QTimer *m_heartbeatTimer = nullptr;
    QTimer *m_livenessTimer = nullptr;
    QString m_peer;
    bool m_open = true;
    bool m_reading = false;
};
