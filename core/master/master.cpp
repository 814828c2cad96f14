#include "master.h"

#include "auth/serverhandshake.h"
#include "master/clientsession.h"
#include "master/scheduler.h"
#include "master/workersession.h"
#include "protocol/framedconnection.h"
#include "task/memorytaskstore.h"
#include "util/logging.h"

#include <QTcpServer>
#include <QTcpSocket>

Master::Master(const Settings &settings, std::unique_ptr<TaskStore> store, QObject *parent)
    : QObject(parent),
      m_settings(settings),
      m_scheduler(new Scheduler(store ? std::move(store) : std::make_unique<MemoryTaskStore>(), this)),
      m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &Master::acceptConnections);
}

Master::~Master()
{
    // Sessions talk to the scheduler as they go; end them while it is still here.
    m_server->close();
    qDeleteAll(findChildren<WorkerSession *>(Qt::FindDirectChildrenOnly));
    qDeleteAll(findChildren<ClientSession *>(Qt::FindDirectChildrenOnly));
    qDeleteAll(findChildren<FramedConnection *>(Qt::FindDirectChildrenOnly));
}

bool Master::listen(const QHostAddress &address, quint16 port)
{
    if (!m_server->listen(address, port)) {
        m_error = m_server->errorString();
        return false;
    }
    m_error.clear();
    qCInfo(lcMaster).noquote() << QStringLiteral("listening on %1:%2").arg(address.toString()).arg(m_server->serverPort());
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

void Master::acceptConnections()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        const QString peer = socket->peerAddress().toString() + QLatin1Char(':') + QString::number(socket->peerPort());
        if (m_unauthenticated >= m_settings.maxUnauthenticated) {
            const QString reason = QStringLiteral("too many connections still in the handshake (%1)")
                                           .arg(m_settings.maxUnauthenticated);
            qCWarning(lcAuth).noquote() << "refusing" << peer << "-" << reason;
            Q_EMIT peerRejected(peer, reason);
            socket->abort();
            socket->deleteLater();
            continue;
        }
        ++m_unauthenticated;
        auto *connection = new FramedConnection(socket, Protocol::PreAuthMaxFrame, this);
        ServerHandshake::Settings hs;
        hs.key = m_settings.key;
        hs.deadlineMs = m_settings.handshakeTimeoutMs;
        hs.heartbeatIntervalMs = quint32(m_settings.heartbeatIntervalMs);
        hs.heartbeatTimeoutMs = quint32(m_settings.heartbeatTimeoutMs);
        hs.maxFrame = m_settings.maxFrame;
        auto *handshake = new ServerHandshake(connection, hs, connection);
        connect(handshake, &ServerHandshake::failed, this, [this, connection, peer](const QString &reason) {
            --m_unauthenticated;
            Q_EMIT peerRejected(peer, reason);
            connection->deleteLater();
        });
        connect(handshake, &ServerHandshake::authenticated, this,
                [this, connection, handshake](Protocol::Role role, quint16) {
                    --m_unauthenticated;
                    handshake->deleteLater();
                    connection->setMaxFrame(m_settings.maxFrame);
                    connection->startHeartbeat(m_settings.heartbeatIntervalMs, m_settings.heartbeatTimeoutMs);
                    if (role == Protocol::Role::Worker)
                        new WorkerSession(connection, m_scheduler, this);
                    else
                        new ClientSession(connection, m_scheduler, this);
                });
        handshake->start();
    }
}
