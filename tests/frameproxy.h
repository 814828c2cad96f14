#pragma once

// A TCP proxy for tests that forwards whole frames between peers and a master and, when armed,
// tampers with the next frame of a type in one direction: sends it twice, holds it back behind
// the frame after it, or keeps a copy. Anything it inserts goes in between two whole frames,
// where a real attacker on the path would put it.

#include "protocol/protocol.h"

#include <QHash>
#include <QObject>
#include <QTcpServer>

#include <memory>
#include <vector>

class QTcpSocket;

class FrameProxy final : public QObject
{
    Q_OBJECT

public:
    enum class Direction { ToMaster, ToPeer };
    enum class Action { Duplicate, SwapWithNext, Capture };
    Q_ENUM(Action)

    explicit FrameProxy(quint16 masterPort);
    ~FrameProxy() override;

    quint16 port() const { return m_server.serverPort(); }
    // Links are numbered in the order the peers connected, from 0.
    void arm(int link, Direction direction, Action action, Protocol::MessageType type);
    // Writes raw bytes into the stream now, between two whole frames.
    void inject(int link, Direction direction, const QByteArray &bytes);
    QByteArray captured(int link, Direction direction) { return sideOf(link, direction).captured; }
    int passed(int link, Direction direction, Protocol::MessageType type)
    {
        return sideOf(link, direction).passed.value(quint8(type));
    }

private:
    struct Side {
        QByteArray buffer;
        bool armed = false;
        Action action = Action::Duplicate;
        Protocol::MessageType type = Protocol::MessageType::Heartbeat;
        QByteArray held; // a frame waiting for the one after it
        QByteArray captured;
        QHash<quint8, int> passed; // frames forwarded, by type
    };
    struct Link {
        QTcpSocket *peer = nullptr;
        std::unique_ptr<QTcpSocket> master;
        Side toMaster;
        Side toPeer;
    };

    Side &sideOf(int link, Direction direction);
    void addLink(QTcpSocket *peer);
    void pump(int index, Direction direction);
    static void forward(Side &side, QTcpSocket *to, const QByteArray &frame);

    QTcpServer m_server;
    quint16 m_masterPort;
    std::vector<std::unique_ptr<Link>> m_links;
};
