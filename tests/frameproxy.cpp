#include "frameproxy.h"

#include <QTcpSocket>
#include <QtEndian>

FrameProxy::FrameProxy(quint16 masterPort) : m_masterPort(masterPort)
{
    m_server.listen(QHostAddress::LocalHost, 0);
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *peer = m_server.nextPendingConnection())
            addLink(peer);
    });
}

FrameProxy::~FrameProxy() = default;

void FrameProxy::arm(int link, Direction direction, Action action, Protocol::MessageType type)
{
    Side &side = sideOf(link, direction);
    side.action = action;
    side.type = type;
    side.armed = true;
}

void FrameProxy::inject(int link, Direction direction, const QByteArray &bytes)
{
    Link &l = *m_links.at(size_t(link));
    (direction == Direction::ToMaster ? l.master.get() : l.peer)->write(bytes);
}

FrameProxy::Side &FrameProxy::sideOf(int link, Direction direction)
{
    Link &l = *m_links.at(size_t(link));
    return direction == Direction::ToMaster ? l.toMaster : l.toPeer;
}

void FrameProxy::addLink(QTcpSocket *peer)
{
    const int index = int(m_links.size());
    auto link = std::make_unique<Link>();
    link->peer = peer;
    link->master = std::make_unique<QTcpSocket>();
    QTcpSocket *master = link->master.get();
    m_links.push_back(std::move(link));
    connect(peer, &QTcpSocket::readyRead, this, [this, index] { pump(index, Direction::ToMaster); });
    connect(master, &QTcpSocket::readyRead, this, [this, index] { pump(index, Direction::ToPeer); });
    connect(peer, &QTcpSocket::disconnected, master, &QTcpSocket::disconnectFromHost);
    connect(master, &QTcpSocket::disconnected, peer, &QTcpSocket::disconnectFromHost);
    // What the peer sends before the master is reached waits in the peer's socket.
    connect(master, &QTcpSocket::connected, this, [this, index] { pump(index, Direction::ToMaster); });
    master->connectToHost(QHostAddress::LocalHost, m_masterPort);
}

void FrameProxy::pump(int index, Direction direction)
{
    Link &l = *m_links.at(size_t(index));
    QTcpSocket *from = direction == Direction::ToMaster ? l.peer : l.master.get();
    QTcpSocket *to = direction == Direction::ToMaster ? l.master.get() : l.peer;
    if (to->state() != QAbstractSocket::ConnectedState)
        return;
    Side &side = direction == Direction::ToMaster ? l.toMaster : l.toPeer;
    side.buffer.append(from->readAll());
    while (side.buffer.size() >= 4) {
        const qsizetype length = qFromBigEndian<quint32>(side.buffer.constData());
        if (side.buffer.size() < 4 + length)
            break;
        const QByteArray frame = side.buffer.left(4 + length);
        side.buffer.remove(0, 4 + length);
        ++side.passed[frame.size() > 4 ? quint8(frame.at(4)) : quint8(0)];
        forward(side, to, frame);
    }
}

void FrameProxy::forward(Side &side, QTcpSocket *to, const QByteArray &frame)
{
    if (!side.held.isEmpty()) {
        to->write(frame);
        to->write(std::exchange(side.held, QByteArray()));
        return;
    }
    if (side.armed && frame.size() > 4 && quint8(frame.at(4)) == quint8(side.type)) {
        side.armed = false;
        switch (side.action) {
        case Action::Duplicate:
            to->write(frame);
            to->write(frame);
            return;
        case Action::SwapWithNext:
            side.held = frame;
            return;
        case Action::Capture:
            side.captured = frame;
            break;
        }
    }
    to->write(frame);
}
