// Hostile peers against a real master on loopback: frames dribbled one byte at a time, a crowd
// of silent connections, repeated wrong keys slowed down per address, oversized and partial
// frames; meanwhile a real worker engine keeps finishing tasks. Also the throttle's own rules.

#include "auth/handshakecrypto.h"
#include "master/auththrottle.h"
#include "master/master.h"
#include "master/peeraddress.h"
#include "master/refusallog.h"
#include "master/scheduler.h"
#include "protocol/framedconnection.h"
#include "task/taskstore.h"
#include "worker/workerengine.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QtEndian>

namespace {

const QByteArray Key = QByteArrayLiteral("hostile test key");

Messages::Response answer(const QByteArray &challengeBody, const QByteArray &key)
{
    Messages::Challenge c;
    Messages::decodeBody(challengeBody, c);
    Messages::Response r;
    r.version = Protocol::MaxVersion;
    r.role = quint8(Protocol::Role::Client);
    r.nonce = HandshakeCrypto::newNonce();
    r.mac = HandshakeCrypto::peerProof(key, Protocol::Role::Client, r.version, c.nonce, r.nonce);
    return r;
}

TaskSpec square(int n)
{
    TaskSpec spec;
    spec.kind = QStringLiteral("square");
    spec.args = QByteArrayLiteral("{\"n\": ") + QByteArray::number(n) + '}';
    return spec;
}

} // namespace

class tst_Hostile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void handshakeWrittenOneByteAtATimeSucceeds();
    void silentCrowdDoesNotStopAWorker();
    void oneAddressCannotTakeEveryHandshakePlace();
    void silenceUntilTheDeadlineCountsAsAFailure();
    void refusalsAreSummedUpPerAddress();
    void ipv6PeersAreCountedPerSlash64();
    void wrongKeysFromOneAddressAreSlowedDown();
    void partialHugeFrameIsDroppedWhenThePeerGoesQuiet();
    void throttleDoublesUpToItsCeiling();
    void throttleForgetsOnSuccessAndExpiry();
    void throttleTableStaysBounded();
    void throttleTreatsMappedIpv4AsIpv4();

private:
    // A worker engine in this process with two slots, connected.
    std::unique_ptr<WorkerEngine> startWorker();
    std::unique_ptr<Master> m_master;
    quint16 m_port = 0;
};

void tst_Hostile::init()
{
    Master::Settings settings;
    settings.key = Key;
    settings.handshakeTimeoutMs = 1500;
    settings.maxUnauthenticated = 64;
    settings.maxUnauthenticatedPerAddress = 8;
    settings.heartbeatIntervalMs = 200;
    settings.heartbeatTimeoutMs = 1500;
    settings.authThrottle.baseDelayMs = 100;
    settings.authThrottle.maxDelayMs = 400;
    m_master = std::make_unique<Master>(settings);
    QVERIFY(m_master->listen(QHostAddress::LocalHost, 0));
    m_port = m_master->serverPort();
}

void tst_Hostile::cleanup()
{
    m_master.reset();
}

std::unique_ptr<WorkerEngine> tst_Hostile::startWorker()
{
    WorkerEngine::Settings settings;
    settings.port = m_port;
    settings.key = Key;
    settings.name = QStringLiteral("steady");
    settings.slots = 2;
    auto engine = std::make_unique<WorkerEngine>(settings);
    QSignalSpy connected(engine.get(), &WorkerEngine::connected);
    engine->start();
    if (!connected.wait(10'000))
        return {};
    return engine;
}

void tst_Hostile::handshakeWrittenOneByteAtATimeSucceeds()
{
    auto *socket = new QTcpSocket;
    FramedConnection connection(socket, Protocol::PreAuthMaxFrame);
    QSignalSpy frames(&connection, &FramedConnection::frameReceived);
    QSignalSpy written(socket, &QTcpSocket::bytesWritten);
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    socket->connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(frames.wait(5000));
    const QByteArray frame = Messages::encodeFrame(answer(frames.first().at(1).toByteArray(), Key));
    // One byte per write, each written out (Nagle off) before the next.
    for (char byte : frame) {
        QCOMPARE(socket->write(&byte, 1), 1);
        QVERIFY(written.wait(5000));
    }
    QCOMPARE(written.size(), frame.size());
    // Welcome comes back: the master reassembled the Response.
    QVERIFY(frames.wait(5000));
    QCOMPARE(frames.last().at(0).value<Protocol::MessageType>(), Protocol::MessageType::Welcome);
}

void tst_Hostile::silentCrowdDoesNotStopAWorker()
{
    auto worker = startWorker();
    QVERIFY(worker);
    QSignalSpy rejected(m_master.get(), &Master::peerRejected);

    // 100 peers from 13 addresses connect and say nothing: 64 wait out the deadline, the rest
    // are refused at once (no address reaches its own limit of 8 before the master's 64).
    std::vector<std::unique_ptr<QTcpSocket>> crowd;
    for (int i = 0; i < 100; ++i) {
        crowd.push_back(std::make_unique<QTcpSocket>());
        if (!crowd.back()->bind(QHostAddress(0x7f000010u + quint32(i % 13)), 0))
            QSKIP("this system cannot send from other loopback addresses than 127.0.0.1");
        crowd.back()->connectToHost(QHostAddress::LocalHost, m_port);
    }
    QTRY_COMPARE_WITH_TIMEOUT(rejected.size(), 36, 5000);
    for (const QList<QVariant> &r : std::as_const(rejected))
        QVERIFY2(r.at(1).toString().contains(QLatin1String("too many connections")), qPrintable(r.at(1).toString()));

    // Meanwhile the worker that was already in keeps finishing tasks.
    QList<TaskSpec> specs;
    for (int i = 0; i < 50; ++i)
        specs.append(square(i));
    m_master->scheduler()->submit(specs);
    QTRY_COMPARE_WITH_TIMEOUT(m_master->scheduler()->count(TaskState::Done), quint64(50), 10'000);

    // The silent ones are dropped at the deadline, and the master takes new peers again.
    QTRY_COMPARE_WITH_TIMEOUT(rejected.size(), 100, 10'000);
    int deadline = 0;
    for (const QList<QVariant> &r : std::as_const(rejected))
        deadline += r.at(1).toString().contains(QLatin1String("not completed within 1500 ms"));
    QCOMPARE(deadline, 64);
    crowd.clear();
    MasterLink late(Protocol::Role::Client, Key);
    QSignalSpy ready(&late, &MasterLink::ready);
    late.open(QStringLiteral("127.0.0.1"), m_port);
    QVERIFY(ready.wait(5000));
}

void tst_Hostile::oneAddressCannotTakeEveryHandshakePlace()
{
    QSignalSpy rejected(m_master.get(), &Master::peerRejected);
    // 100 silent sockets from 127.0.0.2: 8 hold places, the others are refused at once.
    std::vector<std::unique_ptr<QTcpSocket>> crowd;
    for (int i = 0; i < 100; ++i) {
        crowd.push_back(std::make_unique<QTcpSocket>());
        if (!crowd.back()->bind(QHostAddress(QStringLiteral("127.0.0.2")), 0))
            QSKIP("this system cannot send from 127.0.0.2");
        crowd.back()->connectToHost(QHostAddress::LocalHost, m_port);
    }
    QTRY_COMPARE_WITH_TIMEOUT(rejected.size(), 92, 5000);
    for (const QList<QVariant> &r : std::as_const(rejected)) {
        QVERIFY2(r.at(1).toString().contains(QLatin1String("too many connections from 127.0.0.2 still in the handshake (8)")),
                 qPrintable(r.at(1).toString()));
    }
    // Another address still gets in at once, while the 8 still wait for their deadline.
    MasterLink other(Protocol::Role::Client, Key);
    QSignalSpy ready(&other, &MasterLink::ready);
    other.open(QStringLiteral("127.0.0.1"), m_port);
    QVERIFY(ready.wait(5000));
    QCOMPARE(rejected.size(), 92);
}

void tst_Hostile::silenceUntilTheDeadlineCountsAsAFailure()
{
    QSignalSpy rejected(m_master.get(), &Master::peerRejected);
    QSignalSpy delayed(m_master.get(), &Master::handshakeDelayed);
    QTcpSocket silent;
    QVERIFY(silent.bind(QHostAddress::LocalHost, 0));
    silent.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(rejected.wait(5000));
    QVERIFY(rejected.first().at(1).toString().contains(QLatin1String("not completed within 1500 ms")));
    // The next handshake from that address waits like one after a wrong key.
    MasterLink next(Protocol::Role::Client, Key);
    QSignalSpy ready(&next, &MasterLink::ready);
    next.open(QStringLiteral("127.0.0.1"), m_port);
    QVERIFY(ready.wait(5000));
    QCOMPARE(delayed.size(), 1);
    QCOMPARE(delayed.first().at(1).toInt(), 100);
}

namespace {
QStringList g_lines;
void collectLine(QtMsgType, const QMessageLogContext &, const QString &message)
{
    g_lines.append(message);
}
} // namespace

void tst_Hostile::refusalsAreSummedUpPerAddress()
{
    g_lines.clear();
    const QtMessageHandler previous = qInstallMessageHandler(collectLine);
    {
        RefusalLog log(200);
        const QHostAddress attacker(QStringLiteral("127.0.0.2"));
        const QHostAddress other(QStringLiteral("192.0.2.9"));
        for (int i = 0; i < 1234; ++i)
            log.refused(attacker, QStringLiteral("127.0.0.2:%1").arg(1000 + i), QStringLiteral("too many"));
        log.refused(other, QStringLiteral("192.0.2.9:1"), QStringLiteral("too many"));
        // One line at once per address, then one summary for the rest of the interval.
        QCOMPARE(g_lines.size(), 2);
        QTRY_COMPARE(g_lines.size(), 3);
        QVERIFY2(g_lines.last().contains(QLatin1String("refused 1233 connections from 127.0.0.2 in the last 0.2 s")),
                 qPrintable(g_lines.last()));
        // A quiet interval forgets the address: its next refusal is told at once again.
        QTRY_COMPARE(log.trackedAddresses(), 0);
        QCOMPARE(g_lines.size(), 3);
        log.refused(attacker, QStringLiteral("127.0.0.2:1"), QStringLiteral("too many"));
        QCOMPARE(g_lines.size(), 4);
        QVERIFY2(g_lines.last().startsWith(QLatin1String("refusing 127.0.0.2:1 - too many")), qPrintable(g_lines.last()));
    }
    qInstallMessageHandler(previous);
}

void tst_Hostile::ipv6PeersAreCountedPerSlash64()
{
    const QHostAddress a(QStringLiteral("2001:db8:1:2::1"));
    QCOMPARE(PeerAddress::group(a), PeerAddress::group(QHostAddress(QStringLiteral("2001:db8:1:2:ffff:ffff:ffff:ffff"))));
    QVERIFY(PeerAddress::group(a) != PeerAddress::group(QHostAddress(QStringLiteral("2001:db8:1:3::1"))));
    QCOMPARE(PeerAddress::group(QHostAddress(QStringLiteral("::ffff:192.0.2.7"))), QHostAddress(QStringLiteral("192.0.2.7")));
    QCOMPARE(PeerAddress::group(QHostAddress(QStringLiteral("192.0.2.7"))), QHostAddress(QStringLiteral("192.0.2.7")));
    // The throttle counts the same way: a new address in the same /64 is no fresh start.
    AuthThrottle throttle;
    throttle.recordFailure(a);
    QVERIFY(throttle.delayFor(QHostAddress(QStringLiteral("2001:db8:1:2::99"))) > 0);
    QCOMPARE(throttle.delayFor(QHostAddress(QStringLiteral("2001:db8:1:3::1"))), 0);
}

void tst_Hostile::wrongKeysFromOneAddressAreSlowedDown()
{
    auto worker = startWorker();
    QVERIFY(worker);
    QSignalSpy delayed(m_master.get(), &Master::handshakeDelayed);
    const QList<int> expected{100, 200, 400, 400};
    for (int i = 0; i <= expected.size(); ++i) {
        // Every failure is logged with the peer's address and its count.
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("handshake with 127\\.0\\.0\\.1:\\d+ failed")));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral(
                "authentication from 127\\.0\\.0\\.1:\\d+ failed \\(%1 in a row from 127\\.0\\.0\\.1\\)").arg(i + 1)));
        MasterLink bad(Protocol::Role::Client, QByteArrayLiteral("guess ") + QByteArray::number(i));
        QSignalSpy failed(&bad, &MasterLink::failed);
        bad.open(QStringLiteral("127.0.0.1"), m_port);
        QVERIFY(failed.wait(5000));
        QCOMPARE(failed.first().at(0).value<ClientHandshake::Failure>(), ClientHandshake::Failure::AuthkeyMismatch);
        // The first guess is not delayed; each one after waits twice as long, up to the ceiling.
        QCOMPARE(delayed.size(), i);
        if (i > 0)
            QCOMPARE(delayed.last().at(1).toInt(), expected.at(i - 1));
    }

    // The right key from the same address still gets in after its wait, and clears the record.
    MasterLink good(Protocol::Role::Client, Key);
    QSignalSpy ready(&good, &MasterLink::ready);
    good.open(QStringLiteral("127.0.0.1"), m_port);
    QVERIFY(ready.wait(5000));
    QCOMPARE(delayed.size(), expected.size() + 1);
    MasterLink again(Protocol::Role::Client, Key);
    QSignalSpy readyAgain(&again, &MasterLink::ready);
    again.open(QStringLiteral("127.0.0.1"), m_port);
    QVERIFY(readyAgain.wait(5000));
    QCOMPARE(delayed.size(), expected.size() + 1);

    // The established worker was never slowed down.
    m_master->scheduler()->submit({square(3)});
    QTRY_COMPARE_WITH_TIMEOUT(m_master->scheduler()->count(TaskState::Done), quint64(1), 5000);
}

void tst_Hostile::partialHugeFrameIsDroppedWhenThePeerGoesQuiet()
{
    // Authenticated, the peer announces a frame at the cap and sends 1000 bytes of it.
    auto *socket = new QTcpSocket; // the connection owns it
    FramedConnection connection(socket, Protocol::DefaultMaxFrame);
    QSignalSpy frames(&connection, &FramedConnection::frameReceived);
    QSignalSpy closed(&connection, &FramedConnection::closed);
    socket->connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(frames.wait(5000));
    connection.send(Messages::encodeFrame(answer(frames.first().at(1).toByteArray(), Key)));
    QVERIFY(frames.wait(5000));
    QCOMPARE(frames.last().at(0).value<Protocol::MessageType>(), Protocol::MessageType::Welcome);

    QByteArray partial(4, Qt::Uninitialized);
    qToBigEndian<quint32>(Protocol::DefaultMaxFrame, partial.data());
    partial.append(QByteArray(1000, 'x'));
    socket->write(partial);
    // The master holds the partial frame (growing only with what arrives) and drops the peer
    // when its heartbeats stop, since a half frame is not one.
    QVERIFY(closed.wait(10'000));

    MasterLink next(Protocol::Role::Client, Key);
    QSignalSpy ready(&next, &MasterLink::ready);
    next.open(QStringLiteral("127.0.0.1"), m_port);
    QVERIFY(ready.wait(5000));
}

void tst_Hostile::throttleDoublesUpToItsCeiling()
{
    AuthThrottle throttle({100, 1000, 16, 60'000});
    const QHostAddress a(QStringLiteral("192.0.2.1"));
    QCOMPARE(throttle.delayFor(a), 0);
    const QList<int> expected{100, 200, 400, 800, 1000, 1000};
    for (int i = 0; i < expected.size(); ++i) {
        QCOMPARE(throttle.recordFailure(a), i + 1);
        QCOMPARE(throttle.delayFor(a), expected.at(i));
    }
    // Many more failures neither overflow nor pass the ceiling.
    for (int i = 0; i < 100; ++i)
        throttle.recordFailure(a);
    QCOMPARE(throttle.delayFor(a), 1000);
    QCOMPARE(throttle.delayFor(QHostAddress(QStringLiteral("192.0.2.2"))), 0);
}

void tst_Hostile::throttleForgetsOnSuccessAndExpiry()
{
    AuthThrottle throttle({100, 1000, 16, 60'000});
    const QHostAddress a(QStringLiteral("192.0.2.1"));
    throttle.recordFailure(a);
    throttle.recordFailure(a);
    throttle.recordSuccess(a);
    QCOMPARE(throttle.delayFor(a), 0);
    QCOMPARE(throttle.trackedAddresses(), 0);

    AuthThrottle forgetful({100, 1000, 16, 0});
    forgetful.recordFailure(a);
    // With no memory at all the record expires as soon as any time has passed.
    QTRY_COMPARE(forgetful.delayFor(a), 0);
    QCOMPARE(forgetful.recordFailure(a), 1);
}

void tst_Hostile::throttleTableStaysBounded()
{
    AuthThrottle throttle({100, 1000, 8, 60'000});
    for (quint32 i = 0; i < 1000; ++i) {
        throttle.recordFailure(QHostAddress(0xC0000200u + i));
        QVERIFY(throttle.trackedAddresses() <= 8);
    }
    QCOMPARE(throttle.trackedAddresses(), 8);
    // The most recent offender is still remembered; the first was forgotten.
    QCOMPARE(throttle.delayFor(QHostAddress(0xC0000200u + 999)), 100);
    QCOMPARE(throttle.delayFor(QHostAddress(0xC0000200u)), 0);
}

void tst_Hostile::throttleTreatsMappedIpv4AsIpv4()
{
    AuthThrottle throttle;
    throttle.recordFailure(QHostAddress(QStringLiteral("::ffff:192.0.2.7")));
    QVERIFY(throttle.delayFor(QHostAddress(QStringLiteral("192.0.2.7"))) > 0);
}

QTEST_GUILESS_MAIN(tst_Hostile)
#include "tst_hostile.moc"
