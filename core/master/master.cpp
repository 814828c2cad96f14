#include "master.h"

#include "auth/serverhandshake.h"
#include "master/clientsession.h"
#include "master/peeraddress.h"
#include "master/pendingpeer.h"
#include "master/refusallog.h"
#include "master/scheduler.h"
#include "master/tlsserver.h"
#include "master/workersession.h"
#include "protocol/framedconnection.h"
#include "task/memorytaskstore.h"
#include "tls/tls.h"
#include "util/logging.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

Master::Master(const Settings &settings, std::unique_ptr<TaskStore> store, QObject *parent)
    : QObject(parent),
      m_settings(settings),
      m_scheduler(new Scheduler(store ? std::move(store) : std::make_unique<MemoryTaskStore>(), this)),
      m_server(new QTcpServer(this)),
      m_throttle(settings.authThrottle),
      m_refusals(new RefusalLog(RefusalLog::DefaultIntervalMs, this))
{
}

Master::~Master()
{
    // Sessions talk to the scheduler as they go; end them while it is still here. First the
    // running tasks go back unspent, and nothing more goes out to the sessions still open.
    m_server->close();
    m_scheduler->stop();
    qDeleteAll(findChildren<WorkerSession *>(Qt::FindDirectChildrenOnly));
    qDeleteAll(findChildren<ClientSession *>(Qt::FindDirectChildrenOnly));
    qDeleteAll(findChildren<PendingPeer *>(Qt::FindDirectChildrenOnly));
    qDeleteAll(findChildren<FramedConnection *>(Qt::FindDirectChildrenOnly));
}

bool Master::listen(const QHostAddress &address, quint16 port)
{
    close();
    delete m_server;
    m_server = usesTls() ? new TlsServer(m_settings.tls, this) : new QTcpServer(this);
    // QTcpServer emits this for each socket added; TlsServer adds them before any TLS byte.
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, &Master::acceptConnections);
    m_throttle = AuthThrottle(m_settings.authThrottle);
    if (!m_server->listen(address, port)) {
        m_error = m_server->errorString();
        return false;
    }
    m_error.clear();
    qCInfo(lcMaster).noquote() << QStringLiteral("listening on %1:%2%3")
                                          .arg(address.toString())
                                          .arg(m_server->serverPort())
                                          .arg(usesTls() ? QStringLiteral(" (TLS)") : QString());
    Q_EMIT listeningChanged(true);
    return true;
}

void Master::close()
{
    if (!m_server->isListening())
        return;
    m_server->close();
    Q_EMIT listeningChanged(false);
}

bool Master::isListening() const
{
    return m_server->isListening();
}

QHostAddress Master::serverAddress() const
{
    return m_server->serverAddress();
}

quint16 Master::serverPort() const
{
    return m_server->serverPort();
}

WorkerSession *Master::sessionOf(quint64 workerId) const
{
    for (WorkerSession *session : findChildren<WorkerSession *>(Qt::FindDirectChildrenOnly)) {
        if (session->workerId() == workerId)
            return session;
    }
    return nullptr;
}

bool Master::disconnectWorker(quint64 workerId, const QString &reason)
{
    WorkerSession *session = sessionOf(workerId);
    if (session)
        session->disconnectWorker(reason);
    return session;
}

bool Master::drainWorker(quint64 workerId, const QString &reason)
{
    WorkerSession *session = sessionOf(workerId);
    if (session)
        session->drain(reason);
    return session;
}

bool Master::acceptsKey(Protocol::Role role, const QByteArray &key) const
{
    if (key == m_settings.key)
        return true;
    return role == Protocol::Role::Worker && !m_settings.workerKey.isEmpty() && key == m_settings.workerKey;
}

Master::OldKeyPeers Master::peersWithOldKey() const
{
    OldKeyPeers out;
    for (auto it = m_peers.cbegin(); it != m_peers.cend(); ++it) {
        if (!it->connection || acceptsKey(it->role, it->key))
            continue;
        if (it->role == Protocol::Role::Worker) {
            ++out.workers;
            const quint64 id = qobject_cast<WorkerSession *>(it.key())->workerId();
            if (id != 0)
                out.workerIds.append(id);
        }
        else
            ++out.clients;
    }
    return out;
}

int Master::disconnectPeersWithOldKey(const QSet<quint64> &keep, const QString &reason)
{
    QList<QPointer<FramedConnection>> closing;
    for (auto it = m_peers.cbegin(); it != m_peers.cend(); ++it) {
        if (!it->connection || acceptsKey(it->role, it->key))
            continue;
        if (it->role == Protocol::Role::Worker && keep.contains(qobject_cast<WorkerSession *>(it.key())->workerId()))
            continue;
        closing.append(it->connection);
    }
    // Closing may end sessions, and so change m_peers: close once the walk is over.
    for (const QPointer<FramedConnection> &connection : closing) {
        if (connection)
            connection->closeWithGoodbye(reason);
    }
    return int(closing.size());
}

QString Master::refusalOf(const QHostAddress &group) const
{
    if (m_unauthenticated >= m_settings.maxUnauthenticated)
        return QStringLiteral("too many connections still in the handshake (%1)").arg(m_settings.maxUnauthenticated);
    if (m_unauthenticatedFrom.value(group) >= m_settings.maxUnauthenticatedPerAddress) {
        return QStringLiteral("too many connections from %1 still in the handshake (%2)")
                .arg(group.toString())
                .arg(m_settings.maxUnauthenticatedPerAddress);
    }
    return {};
}

void Master::releasePlace(const QHostAddress &group)
{
    --m_unauthenticated;
    auto it = m_unauthenticatedFrom.find(group);
    if (it != m_unauthenticatedFrom.end() && --*it <= 0)
        m_unauthenticatedFrom.erase(it);
}

void Master::acceptConnections()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        const QHostAddress address = socket->peerAddress();
        const QHostAddress group = PeerAddress::group(address);
        const QString peer = address.toString() + QLatin1Char(':') + QString::number(socket->peerPort());
        const QString refusal = refusalOf(group);
        if (!refusal.isEmpty()) {
            m_refusals->refused(group, peer, refusal);
            Q_EMIT peerRejected(peer, refusal);
            socket->abort();
            socket->deleteLater();
            continue;
        }
        ++m_unauthenticated;
        ++m_unauthenticatedFrom[group];
        // TLS first, when required; the authkey handshake then runs inside it.
        auto *pending = new PendingPeer(socket, usesTls(), m_settings.handshakeTimeoutMs, this);
        connect(pending, &PendingPeer::failed, this, [this, pending, peer, address, group](const QString &reason) {
            releasePlace(group);
            qCWarning(lcAuth).noquote() << "dropping" << peer << "-" << reason;
            // Holding a place until the deadline is how the places are taken from others.
            if (pending->timedOut())
                m_throttle.recordFailure(address);
            Q_EMIT peerRejected(peer, reason);
            pending->deleteLater();
        });
        connect(pending, &PendingPeer::ready, this, [this, pending, peer, address] {
            QTcpSocket *ready = pending->takeSocket();
            pending->deleteLater();
            startHandshake(ready, peer, address);
        });
        pending->start();
    }
}

void Master::startHandshake(QTcpSocket *socket, const QString &peer, const QHostAddress &address)
{
    auto *connection = new FramedConnection(socket, Protocol::PreAuthMaxFrame, this);
    // Whatever a peer watches or is sent, it must read it, or it goes (docs/PROTOCOL.md, 9).
    connection->limitSendBacklog();
    ServerHandshake::Settings hs;
    hs.key = m_settings.key;
    hs.workerKey = m_settings.workerKey;
    hs.deadlineMs = m_settings.handshakeTimeoutMs;
    hs.heartbeatIntervalMs = quint32(m_settings.heartbeatIntervalMs);
    hs.heartbeatTimeoutMs = quint32(m_settings.heartbeatTimeoutMs);
    hs.maxFrame = m_settings.maxFrame;
    auto *handshake = new ServerHandshake(connection, hs, connection);
    const QHostAddress group = PeerAddress::group(address);
    connect(handshake, &ServerHandshake::failed, this, [this, connection, handshake, peer, address, group](const QString &reason) {
        releasePlace(group);
        if (handshake->peerMisbehaved()) {
            const int failures = m_throttle.recordFailure(address);
            qCWarning(lcAuth).noquote() << QStringLiteral("authentication from %1 failed (%2 in a row from %3): %4; "
                                                          "its next handshake waits %5 ms")
                                                   .arg(peer)
                                                   .arg(failures)
                                                   .arg(address.toString(), reason)
                                                   .arg(m_throttle.delayFor(address));
        }
        Q_EMIT peerRejected(peer, reason);
        connection->deleteLater();
    });
    connect(handshake, &ServerHandshake::authenticated, this,
            [this, connection, handshake, address, group](Protocol::Role role, quint16) {
                releasePlace(group);
                m_throttle.recordSuccess(address);
                handshake->deleteLater();
                connection->setMaxFrame(m_settings.maxFrame);
                connection->startHeartbeat(m_settings.heartbeatIntervalMs, m_settings.heartbeatTimeoutMs);
                QObject *session = nullptr;
                if (role == Protocol::Role::Worker)
                    session = new WorkerSession(connection, m_scheduler, this);
                else
                    session = new ClientSession(connection, m_scheduler, this);
                const QByteArray &proven = handshake->usedWorkerKey() ? m_settings.workerKey : m_settings.key;
                m_peers.insert(session, Peer{connection, role, proven});
                connect(session, &QObject::destroyed, this, [this, session] { m_peers.remove(session); });
            });
    // An address that just failed waits before it may try again; the wait holds one of the
    // maxUnauthenticated places, so it cannot be used to pile up connections either.
    const int delay = m_throttle.delayFor(address);
    if (delay > 0) {
        qCInfo(lcAuth).noquote() << "delaying the handshake with" << peer << "by" << delay << "ms after failures";
        Q_EMIT handshakeDelayed(peer, delay);
        QTimer::singleShot(delay, handshake, &ServerHandshake::start);
    }
    else
        handshake->start();
}
