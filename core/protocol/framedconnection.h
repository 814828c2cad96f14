#pragma once

// One framed connection over a TCP socket: reads frames through a FrameDecoder under a size
// cap, writes whole frames, and keeps the link alive with heartbeats once asked to. Any
// protocol violation closes the connection with a reason; the owner hears closed(reason).
// From startFrameAuthentication() on, every frame sent carries a MAC and every frame received
// must carry the right one for its place in the sequence, or the connection closes.
// Once limitSendBacklog() is called, what waits unsent is bounded (sendBacklogLimit):
// a peer that does not read what it is sent is dropped instead of buffered for without end.
// An owner that can hold back what it sends (the client session's TaskUpdates) stops at the
// much lower high-water mark and resumes on drained().

#include "framedecoder.h"
#include "protocol.h"

#include <QObject>
#include <QPointer>
#include <QTcpSocket>

#include <memory>

class FrameAuthenticator;
class QTimer;

class FramedConnection final : public QObject
{
    Q_OBJECT

public:
    // What a master lets wait unsent for a peer that reads slower than it is written to: one
    // frame of the largest size (length and MAC included) plus a megabyte of ordinary ones.
    // Over it, a peer that takes nothing for the grace time is dropped (docs/PROTOCOL.md,
    // section 9). A policy of this end, not part of the wire.
    static constexpr qint64 SendBacklogSlack = 1024 * 1024;
    static constexpr qint64 sendBacklogLimit(quint32 maxFrame)
    {
        return qint64(maxFrame) + 4 + Protocol::FrameMacSize + SendBacklogSlack;
    }
    // Where an owner that can wait stops encoding for a peer and keeps only what to send
    // (ClientSession: the ids of the changed tasks), until drained(). 1 MiB in user space on
    // top of the kernel's own send buffer keeps even a fast link busy between two turns of the
    // event loop, and five peers that read nothing then cost the master a few MiB, not a
    // frame limit each. No larger than the slack, so it is always under sendBacklogLimit.
    static constexpr qint64 SendHighWaterMark = 1024 * 1024;
    static_assert(SendHighWaterMark <= SendBacklogSlack);
    // A peer gets as long to take something as it may stay silent before it counts as gone.
    static constexpr int sendBacklogGraceMs(int heartbeatTimeoutMs) { return heartbeatTimeoutMs; }

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
    // Sends a heartbeat every intervalMs and closes after timeoutMs without any frame; a peer
    // also gets timeoutMs to bring what waits unsent back under the limit.
    void startHeartbeat(int intervalMs, int timeoutMs);

    void send(const QByteArray &frame);
    // Drops the peer, with the reason in the log and a Goodbye, once more than the limit waits
    // unsent and the peer takes nothing for its grace time. The master calls it for every
    // peer; a peer's own bulk submit is not bounded.
    void limitSendBacklog();
    // Bytes handed to this connection and not yet to the kernel (TLS: encrypted or not).
    qint64 unsentBytes() const;
    // The owner holds back what it has for the peer until drained(). Meanwhile the grace time
    // runs from the high-water mark instead of the limit: the backlog no longer grows past it,
    // and a peer that takes nothing is still dropped, not kept for ever.
    void setHoldingBack(bool holding);
    // Tells the peer why in a Goodbye, then closes.
    void closeWithGoodbye(const QString &reason);
    // Flushes what is queued, then closes. Further frames are neither sent nor delivered.
    void close(const QString &reason);
    bool isOpen() const { return m_open; }

    QString peerDescription() const { return m_peer; }
    // Names the peer in this connection's log lines once it has said who it is.
    void setPeerDescription(const QString &description) { m_peer = description; }
    QTcpSocket *socket() const { return m_socket; }

Q_SIGNALS:
    void frameReceived(Protocol::MessageType type, const QByteArray &body);
    void heartbeatReceived();
    void closed(const QString &reason);
    // The backlog fell under SendHighWaterMark after it was over it (limitSendBacklog() only).
    // Emitted from within send() too: connect it queued.
    void drained();

private:
    void readFrames();
    void write(const QByteArray &frame);
    void finish(const QString &reason);
    // Over it, and taking nothing for the grace time, a peer is dropped.
    qint64 backlogThreshold() const;
    // After a send or a write to the kernel: starts, restarts or ends the grace time.
    void checkBacklog();
    void dropSlowReader(const QString &why);

    QPointer<QTcpSocket> m_socket; // handed on when a dropped peer gets a last chance to read
    QTimer *m_backlogTimer = nullptr; // set once the backlog is limited: the grace time
    qint64 m_handedToSocket = 0; // bytes written to the socket, MACs included
    qint64 m_taken = 0; // of those, how many had left its buffer at the last look
    bool m_overLimit = false;
    bool m_overMark = false;
    bool m_holdingBack = false;
    int m_backlogGraceMs = sendBacklogGraceMs(Protocol::DefaultHeartbeatTimeoutMs);
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
