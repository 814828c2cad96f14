// The handshake over real loopback sockets: right key, wrong key either way, the deadline,
// a replayed answer, peers that send garbage, oversized lengths or unknown messages, and a
// worker key that connects workers but never clients.

#include "auth/handshakecrypto.h"
#include "client/masterlink.h"
#include "master/master.h"
#include "master/scheduler.h"
#include "protocol/framedconnection.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QtEndian>

namespace {

const QByteArray Key = QByteArrayLiteral("correct horse battery staple");
const QByteArray WorkerKey = QByteArrayLiteral("a key for the worker boxes only");

// A peer speaking the protocol by hand, to do what a well-behaved client would not.
class RawPeer
{
public:
    explicit RawPeer(quint16 port)
        : socket(new QTcpSocket), connection(new FramedConnection(socket, Protocol::DefaultMaxFrame)),
          frames(connection.get(), &FramedConnection::frameReceived), closed(connection.get(), &FramedConnection::closed)
    {
        socket->connectToHost(QHostAddress::LocalHost, port);
    }

    // Waits for the master's Challenge and returns it.
    Messages::Challenge challenge()
    {
        Messages::Challenge c;
        if (frames.isEmpty() && !frames.wait(5000))
            return c;
        Messages::decodeBody(frames.takeFirst().at(1).toByteArray(), c);
        return c;
    }

    Messages::Response answer(const Messages::Challenge &c, const QByteArray &key, Protocol::Role role)
    {
        Messages::Response r;
        r.version = Protocol::MaxVersion;
        r.role = quint8(role);
        r.nonce = HandshakeCrypto::newNonce();
        r.mac = HandshakeCrypto::peerProof(key, role, r.version, c.nonce, r.nonce);
        return r;
    }

    QTcpSocket *socket;
    std::unique_ptr<FramedConnection> connection;
    QSignalSpy frames;
    QSignalSpy closed;
};

Master::Settings settings()
{
    Master::Settings s;
    s.key = Key;
    s.handshakeTimeoutMs = 400;
    return s;
}

} // namespace

class tst_Handshake : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void rightKeyAuthenticatesBothRoles_data();
    void rightKeyAuthenticatesBothRoles();
    void wrongKeyFromThePeerIsRejectedWithAReason();
    void masterWithoutTheKeyIsDetectedByThePeer();
    void silentPeerIsDroppedAtTheDeadline();
    void replayedAnswerFailsOnANewConnection();
    void garbageIsDroppedAndOthersKeepWorking();
    void oversizedLengthBeforeAuthIsDropped();
    void oversizedLengthAfterAuthIsDropped();
    void unknownMessageTypeIsDropped();
    void helloFromAWorkerRegistersIt();
    void workerKeyConnectsWorkersAndTheAuthkeyEveryone_data();
    void workerKeyConnectsWorkersAndTheAuthkeyEveryone();
    void workerKeyForAClientIsRefusedLikeAWrongKey();
    void closeSaysClosedOnce();
    void closeAfterTheMasterWentAwayUnnoticedSaysClosed();

private:
    std::unique_ptr<Master> m_master;
    quint16 m_port = 0;
};

void tst_Handshake::init()
{
    m_master = std::make_unique<Master>(settings());
    QVERIFY(m_master->listen(QHostAddress::LocalHost, 0));
    m_port = m_master->serverPort();
}

void tst_Handshake::cleanup()
{
    m_master.reset();
}

void tst_Handshake::rightKeyAuthenticatesBothRoles_data()
{
    QTest::addColumn<Protocol::Role>("role");
    QTest::newRow("a worker with the right key") << Protocol::Role::Worker;
    QTest::newRow("a client with the right key") << Protocol::Role::Client;
}

void tst_Handshake::rightKeyAuthenticatesBothRoles()
{
    QFETCH(Protocol::Role, role);
    MasterLink link(role, Key);
    QSignalSpy ready(&link, &MasterLink::ready);
    QSignalSpy failed(&link, &MasterLink::failed);
    link.open(QStringLiteral("127.0.0.1"), m_port);
    QVERIFY(ready.wait(5000));
    QVERIFY(failed.isEmpty());
    QVERIFY(link.isReady());
    QCOMPARE(link.maxFrame(), Protocol::DefaultMaxFrame);
}

void tst_Handshake::wrongKeyFromThePeerIsRejectedWithAReason()
{
    QSignalSpy rejected(m_master.get(), &Master::peerRejected);
    MasterLink link(Protocol::Role::Worker, QByteArrayLiteral("wrong key"));
    QSignalSpy failed(&link, &MasterLink::failed);
    link.open(QStringLiteral("127.0.0.1"), m_port);
    QVERIFY(failed.wait(5000));
    QCOMPARE(failed.first().at(0).value<ClientHandshake::Failure>(), ClientHandshake::Failure::AuthkeyMismatch);
    QVERIFY2(failed.first().at(1).toString().contains(QLatin1String("authkey does not match")),
             qPrintable(failed.first().at(1).toString()));
    QTRY_COMPARE(rejected.size(), 1);
    QVERIFY(rejected.first().at(1).toString().contains(QLatin1String("authkey does not match")));

    // The master still serves peers with the right key.
    MasterLink good(Protocol::Role::Client, Key);
    QSignalSpy ready(&good, &MasterLink::ready);
    good.open(QStringLiteral("127.0.0.1"), m_port);
    QVERIFY(ready.wait(5000));
}

void tst_Handshake::masterWithoutTheKeyIsDetectedByThePeer()
{
    // An impostor that accepts any answer and sends a Welcome it cannot have computed.
    QTcpServer impostor;
    QVERIFY(impostor.listen(QHostAddress::LocalHost, 0));
    std::unique_ptr<FramedConnection> side;
    connect(&impostor, &QTcpServer::newConnection, this, [&] {
        side = std::make_unique<FramedConnection>(impostor.nextPendingConnection(), Protocol::PreAuthMaxFrame);
        Messages::Challenge c;
        c.nonce = HandshakeCrypto::newNonce();
        side->send(Messages::encodeFrame(c));
        connect(side.get(), &FramedConnection::frameReceived, this, [&] {
            Messages::Welcome w;
            w.version = 1;
            w.mac = QByteArray(32, 'x');
            w.heartbeatIntervalMs = 1000;
            w.heartbeatTimeoutMs = 5000;
            w.maxFrame = Protocol::DefaultMaxFrame;
            side->send(Messages::encodeFrame(w));
        });
    });
    MasterLink link(Protocol::Role::Worker, Key);
    QSignalSpy failed(&link, &MasterLink::failed);
    QSignalSpy ready(&link, &MasterLink::ready);
    link.open(QStringLiteral("127.0.0.1"), impostor.serverPort());
    QVERIFY(failed.wait(5000));
    QVERIFY(ready.isEmpty());
    QCOMPARE(failed.first().at(0).value<ClientHandshake::Failure>(), ClientHandshake::Failure::AuthkeyMismatch);
    QVERIFY(failed.first().at(1).toString().contains(QLatin1String("could not prove it knows the authkey")));
}

void tst_Handshake::silentPeerIsDroppedAtTheDeadline()
{
    QSignalSpy rejected(m_master.get(), &Master::peerRejected);
    QTcpSocket silent;
    QSignalSpy disconnected(&silent, &QTcpSocket::disconnected);
    silent.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(disconnected.wait(5000));
    QCOMPARE(rejected.size(), 1);
    QVERIFY(rejected.first().at(1).toString().contains(QLatin1String("handshake not completed within 400 ms")));
}

void tst_Handshake::replayedAnswerFailsOnANewConnection()
{
    RawPeer first(m_port);
    const Messages::Challenge c1 = first.challenge();
    QCOMPARE(c1.nonce.size(), Protocol::NonceSize);
    const Messages::Response recorded = first.answer(c1, Key, Protocol::Role::Client);
    first.connection->send(Messages::encodeFrame(recorded));
    QVERIFY(first.frames.wait(5000));
    QCOMPARE(Messages::messageType(first.frames.first().at(1).toByteArray()), Protocol::MessageType::Welcome);

    // An eavesdropper replays the recorded answer: the new challenge has a fresh nonce.
    RawPeer replay(m_port);
    const Messages::Challenge c2 = replay.challenge();
    QVERIFY(c2.nonce != c1.nonce);
    replay.connection->send(Messages::encodeFrame(recorded));
    QVERIFY(replay.frames.wait(5000));
    Messages::AuthRejected rejected;
    QVERIFY(Messages::decodeBody(replay.frames.first().at(1).toByteArray(), rejected));
    QVERIFY(rejected.reason.contains(QLatin1String("authkey does not match")));
    QVERIFY(replay.closed.wait(5000) || !replay.closed.isEmpty());
}

void tst_Handshake::garbageIsDroppedAndOthersKeepWorking()
{
    MasterLink worker(Protocol::Role::Worker, Key);
    QSignalSpy ready(&worker, &MasterLink::ready);
    worker.open(QStringLiteral("127.0.0.1"), m_port);
    QVERIFY(ready.wait(5000));
    QSignalSpy lost(&worker, &MasterLink::lost);

    QSignalSpy rejected(m_master.get(), &Master::peerRejected);
    QTcpSocket garbage;
    QSignalSpy disconnected(&garbage, &QTcpSocket::disconnected);
    garbage.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(garbage.waitForConnected(5000));
    garbage.write("GET / HTTP/1.1\r\nHost: example\r\n\r\n");
    QVERIFY(disconnected.wait(5000));
    QTRY_COMPARE(rejected.size(), 1);
    QVERIFY2(rejected.first().at(1).toString().contains(QLatin1String("exceeds the limit")),
             qPrintable(rejected.first().at(1).toString()));
    QVERIFY(lost.isEmpty());
    QVERIFY(worker.isReady());
}

void tst_Handshake::oversizedLengthBeforeAuthIsDropped()
{
    QSignalSpy rejected(m_master.get(), &Master::peerRejected);
    RawPeer peer(m_port);
    peer.challenge();
    QByteArray header(4, Qt::Uninitialized);
    qToBigEndian<quint32>(Protocol::PreAuthMaxFrame + 1, header.data());
    peer.socket->write(header);
    QVERIFY(peer.closed.wait(5000));
    QTRY_COMPARE(rejected.size(), 1);
    QVERIFY(rejected.first().at(1).toString().contains(QLatin1String("exceeds the limit of 1024")));
}

void tst_Handshake::oversizedLengthAfterAuthIsDropped()
{
    RawPeer peer(m_port);
    peer.connection->send(Messages::encodeFrame(peer.answer(peer.challenge(), Key, Protocol::Role::Client)));
    QVERIFY(peer.frames.wait(5000)); // Welcome
    QByteArray header(4, Qt::Uninitialized);
    qToBigEndian<quint32>(0x7fffffff, header.data());
    peer.socket->write(header);
    QVERIFY(peer.closed.wait(5000));
}

void tst_Handshake::unknownMessageTypeIsDropped()
{
    RawPeer peer(m_port);
    const Messages::Challenge c = peer.challenge();
    const Messages::Response r = peer.answer(c, Key, Protocol::Role::Client);
    peer.connection->send(Messages::encodeFrame(r));
    QVERIFY(peer.frames.wait(5000)); // Welcome
    // Properly authenticated, so that it is the type that is refused, not the MAC.
    const auto keys = HandshakeCrypto::sessionKeys(Key, Protocol::Role::Client, r.version, c.nonce, r.nonce);
    peer.connection->startFrameAuthentication(keys.peerToMaster, keys.masterToPeer);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("unknown message type 238")));
    peer.connection->send(QByteArray("\x00\x00\x00\x02\xee\x01", 6));
    QVERIFY(peer.closed.wait(5000));
}

void tst_Handshake::helloFromAWorkerRegistersIt()
{
    QSignalSpy added(m_master->scheduler(), &Scheduler::workerAdded);
    QSignalSpy removed(m_master->scheduler(), &Scheduler::workerRemoved);
    MasterLink link(Protocol::Role::Worker, Key);
    QSignalSpy ready(&link, &MasterLink::ready);
    link.open(QStringLiteral("127.0.0.1"), m_port);
    QVERIFY(ready.wait(5000));
    link.send(Messages::encodeFrame(Messages::WorkerHello{QStringLiteral("w1"), QStringLiteral("h"), 1, 2, {}}));
    QVERIFY(added.wait(5000));
    const WorkerInfo *info = m_master->scheduler()->worker(added.first().first().toULongLong());
    QVERIFY(info);
    QCOMPARE(info->name, QStringLiteral("w1"));
    QCOMPARE(info->slots, 2);
    link.close(QStringLiteral("bye"));
    QVERIFY(removed.wait(5000));
}

void tst_Handshake::workerKeyConnectsWorkersAndTheAuthkeyEveryone_data()
{
    QTest::addColumn<Protocol::Role>("role");
    QTest::addColumn<QByteArray>("key");
    QTest::newRow("a worker with the worker key") << Protocol::Role::Worker << WorkerKey;
    QTest::newRow("a worker with the authkey") << Protocol::Role::Worker << Key;
    QTest::newRow("a client with the authkey") << Protocol::Role::Client << Key;
}

void tst_Handshake::workerKeyConnectsWorkersAndTheAuthkeyEveryone()
{
    QFETCH(Protocol::Role, role);
    QFETCH(QByteArray, key);
    Master::Settings s = settings();
    s.workerKey = WorkerKey;
    Master master(s);
    QVERIFY(master.listen(QHostAddress::LocalHost, 0));
    QSignalSpy rejected(&master, &Master::peerRejected);
    MasterLink link(role, key);
    QSignalSpy ready(&link, &MasterLink::ready);
    QSignalSpy failed(&link, &MasterLink::failed);
    link.open(QStringLiteral("127.0.0.1"), master.serverPort());
    QVERIFY2(ready.wait(5000), failed.isEmpty() ? "no answer" : qPrintable(failed.first().at(1).toString()));
    if (role != Protocol::Role::Worker)
        return;
    // The frames after Welcome are authenticated with keys from the key that matched: a
    // master that derived them from the other key would drop this Hello.
    QSignalSpy added(master.scheduler(), &Scheduler::workerAdded);
    link.send(Messages::encodeFrame(Messages::WorkerHello{QStringLiteral("w"), QStringLiteral("h"), 1, 1, {}, {}}));
    QVERIFY(added.wait(5000));
    QVERIFY(rejected.isEmpty());
}

void tst_Handshake::workerKeyForAClientIsRefusedLikeAWrongKey()
{
    Master::Settings s = settings();
    s.workerKey = WorkerKey;
    Master master(s);
    QVERIFY(master.listen(QHostAddress::LocalHost, 0));
    QSignalSpy rejected(&master, &Master::peerRejected);

    // What the peer reads is the same, byte for byte, as for a key the master does not know.
    const auto refusal = [&](const QByteArray &key) {
        RawPeer peer(master.serverPort());
        const Messages::Challenge c = peer.challenge();
        peer.connection->send(Messages::encodeFrame(peer.answer(c, key, Protocol::Role::Client)));
        if (!peer.closed.wait(5000))
            return QVariantList();
        return peer.frames.isEmpty() ? QVariantList() : peer.frames.takeFirst();
    };
    const QVariantList withWorkerKey = refusal(WorkerKey);
    const QVariantList withWrongKey = refusal(QByteArrayLiteral("not a key of this master"));
    QCOMPARE(withWorkerKey.size(), 2);
    QCOMPARE(withWorkerKey.at(0).value<Protocol::MessageType>(), Protocol::MessageType::AuthRejected);
    QCOMPARE(withWrongKey.value(0).value<Protocol::MessageType>(), Protocol::MessageType::AuthRejected);
    QCOMPARE(withWorkerKey.at(1).toByteArray(), withWrongKey.value(1).toByteArray());

    // The master's owner is told what happened.
    QTRY_COMPARE(rejected.size(), 2);
    QVERIFY2(rejected.at(0).at(1).toString().contains(QLatin1String("worker key asked for the client role")),
             qPrintable(rejected.at(0).at(1).toString()));
    QVERIFY(rejected.at(1).at(1).toString().contains(QLatin1String("authkey does not match")));

    // The C++ client takes it as a key mismatch: exit code 3, no retry.
    MasterLink link(Protocol::Role::Client, WorkerKey);
    QSignalSpy failed(&link, &MasterLink::failed);
    link.open(QStringLiteral("127.0.0.1"), master.serverPort());
    QVERIFY(failed.wait(5000));
    QCOMPARE(failed.first().at(0).value<ClientHandshake::Failure>(), ClientHandshake::Failure::AuthkeyMismatch);
}

void tst_Handshake::closeSaysClosedOnce()
{
    MasterLink link(Protocol::Role::Worker, Key);
    QSignalSpy ready(&link, &MasterLink::ready);
    QSignalSpy closed(&link, &MasterLink::closed);
    link.open(QStringLiteral("127.0.0.1"), m_port);
    QVERIFY(ready.wait(5000));
    link.close(QStringLiteral("done here"));
    QTRY_COMPARE(closed.size(), 1);
    QCOMPARE(closed.size(), 1);
}

void tst_Handshake::closeAfterTheMasterWentAwayUnnoticedSaysClosed()
{
    // The master goes while this end's event loop is busy: the frame written next is taken by
    // the kernel, whose answer (a reset) makes the Goodbye of the close fail inside close().
    MasterLink link(Protocol::Role::Worker, Key);
    QSignalSpy ready(&link, &MasterLink::ready);
    QSignalSpy closed(&link, &MasterLink::closed);
    QSignalSpy lost(&link, &MasterLink::lost);
    link.open(QStringLiteral("127.0.0.1"), m_port);
    QVERIFY(ready.wait(5000));
    m_master.reset();
    link.send(Messages::encodeFrame(Messages::WorkerDraining{}));
    link.close(QStringLiteral("worker shutting down"));
    QTRY_COMPARE(closed.size() + lost.size(), 1);
    QCOMPARE(closed.size() + lost.size(), 1);
    QVERIFY(!link.isReady());
}

QTEST_GUILESS_MAIN(tst_Handshake)
#include "tst_handshake.moc"
