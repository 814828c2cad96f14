#pragma once

// The master: a scheduler over a task store, served on TCP or TLS. It accepts connections,
// runs the handshake under a deadline and a small frame cap (slowed down for addresses that
// failed to authenticate), then hands each peer to a worker or a client session. The desktop app and `taskmaster serve` both build one of these.

#include "master/auththrottle.h"
#include "protocol/protocol.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QSslConfiguration>

#include <memory>

class FramedConnection;
class QTcpServer;
class RefusalLog;
class QTcpSocket;
class Scheduler;
class TaskStore;
class WorkerSession;

class Master final : public QObject
{
    Q_OBJECT

public:
    struct Settings {
        QByteArray key;
        // Empty: key connects every role. Otherwise workers may use this key (or key) and
        // clients, which submit, cancel, watch and ask status, must use key.
        QByteArray workerKey;
        int handshakeTimeoutMs = Protocol::DefaultHandshakeTimeoutMs;
        int heartbeatIntervalMs = Protocol::DefaultHeartbeatIntervalMs;
        int heartbeatTimeoutMs = Protocol::DefaultHeartbeatTimeoutMs;
        quint32 maxFrame = Protocol::DefaultMaxFrame;
        int maxUnauthenticated = 64;
        // Of those, how many one address (an IPv6 /64) may hold, so that it cannot take them all.
        int maxUnauthenticatedPerAddress = 8;
        // A null configuration serves plain TCP; otherwise every peer must speak TLS.
        QSslConfiguration tls;
        AuthThrottle::Settings authThrottle;
    };

    // Without a store the master keeps its tasks in memory.
    explicit Master(const Settings &settings, std::unique_ptr<TaskStore> store = {}, QObject *parent = nullptr);
    ~Master() override;

    Scheduler *scheduler() const { return m_scheduler; }
    const Settings &settings() const { return m_settings; }
    // Applies to connections accepted from now on.
    void setSettings(const Settings &settings) { m_settings = settings; }

    // Listens with TLS when settings().tls is set; settings apply from here on.
    bool listen(const QHostAddress &address, quint16 port);
    bool usesTls() const { return !m_settings.tls.isNull(); }
    void close();
    bool isListening() const;
    QHostAddress serverAddress() const;
    quint16 serverPort() const;
    QString errorString() const { return m_error; }

    // Drops a connected worker; its running tasks go back to the queue.
    bool disconnectWorker(quint64 workerId, const QString &reason);
    // Asks a connected worker to drain (DrainWorker); nothing new is assigned to it from now on.
    bool drainWorker(quint64 workerId, const QString &reason);

    // A new key applies to connections accepted from then on: the peers already connected
    // stay, whatever key they proved. These are the ones whose key the settings no longer
    // accept, which could not connect again as they are.
    struct OldKeyPeers {
        QList<quint64> workerIds; // workers that said hello; one still silent counts with none
        int workers = 0;
        int clients = 0;
    };
    OldKeyPeers peersWithOldKey() const;
    // Closes their connections, but those of the workers in keep; how many were closed.
    int disconnectPeersWithOldKey(const QSet<quint64> &keep, const QString &reason);

Q_SIGNALS:
    void listeningChanged(bool listening);
    void peerRejected(const QString &peer, const QString &reason);
    // A peer from an address that failed to authenticate waits this long for its Challenge.
    void handshakeDelayed(const QString &peer, int delayMs);

private:
    void acceptConnections();
    WorkerSession *sessionOf(quint64 workerId) const;
    void startHandshake(QTcpSocket *socket, const QString &peer, const QHostAddress &address);
    QString refusalOf(const QHostAddress &group) const;
    void releasePlace(const QHostAddress &group);
    // Whether the settings accept this key from a peer in this role now.
    bool acceptsKey(Protocol::Role role, const QByteArray &key) const;

    // An authenticated peer and the key it proved, for as long as its session lasts.
    struct Peer {
        QPointer<FramedConnection> connection;
        Protocol::Role role;
        QByteArray key;
    };
    QHash<QObject *, Peer> m_peers; // by session

    Settings m_settings;
    Scheduler *m_scheduler;
    QTcpServer *m_server;
    QString m_error;
    int m_unauthenticated = 0;
    QHash<QHostAddress, int> m_unauthenticatedFrom; // by PeerAddress::group
    AuthThrottle m_throttle;
    RefusalLog *m_refusals;
};
