// Frame authentication (protocol v2) on live loopback connections: a proxy between the peers
// and a real master forges, replays, reorders and splices frames after the handshake, for a
// worker's and a client's connection; a frame pipelined right behind Welcome or behind the
// Response is checked too; and the per-frame MAC itself against fixed vectors.

#include "auth/frameauthenticator.h"
#include "auth/handshakecrypto.h"
#include "auth/hmacsha256.h"
#include "client/masterlink.h"
#include "frameproxy.h"
#include "master/master.h"
#include "master/scheduler.h"
#include "protocol/framedconnection.h"
#include "protocol/messages.h"

#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QRegularExpression>
#include <QTest>
#include <QtEndian>

#include <memory>
#include <vector>

namespace {

const QByteArray Key = QByteArrayLiteral("frame authentication test key");
using Direction = FrameProxy::Direction;

Master::Settings settings()
{
    Master::Settings s;
    s.key = Key;
    s.heartbeatIntervalMs = 100;
    s.heartbeatTimeoutMs = 5000;
    return s;
}

Messages::AssignTasks execTask()
{
    Messages::AssignTasks assign;
    Messages::TaskAssignment task;
    task.id = 999;
    task.attempt = 1;
    task.kind = QStringLiteral("exec");
    task.args = QByteArrayLiteral("{\"argv\":[\"sh\",\"-c\",\"echo owned\"]}");
    assign.tasks.append(task);
    return assign;
}

Messages::Submit submitOne(quint32 requestId)
{
    Messages::Submit submit;
    submit.requestId = requestId;
    Messages::TaskSpecWire spec;
    spec.kind = QStringLiteral("square");
    spec.args = QByteArrayLiteral("{\"n\":2}");
    submit.tasks.append(spec);
    return submit;
}

TaskSpec square()
{
    TaskSpec spec;
    spec.kind = QStringLiteral("square");
    spec.args = QByteArrayLiteral("{\"n\":3}");
    return spec;
}

int framesOfType(const QSignalSpy &frames, Protocol::MessageType type)
{
    int n = 0;
    for (const QList<QVariant> &f : frames)
        n += f.at(0).value<Protocol::MessageType>() == type;
    return n;
}

// A MasterLink through the proxy, authenticated, with spies on what it is given.
struct Peer {
    Peer(Protocol::Role role, quint16 port)
        : link(role, Key), ready(&link, &MasterLink::ready), lost(&link, &MasterLink::lost),
          frames(&link, &MasterLink::frameReceived)
    {
        link.open(QStringLiteral("127.0.0.1"), port);
    }
    MasterLink link;
    QSignalSpy ready;
    QSignalSpy lost;
    QSignalSpy frames;
};

} // namespace

class tst_FrameAuth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void forgedAssignTasksIntoAWorkerConnectionIsRefused_data();
    void forgedAssignTasksIntoAWorkerConnectionIsRefused();
    void forgedSubmitIntoAClientConnectionIsRefused_data();
    void forgedSubmitIntoAClientConnectionIsRefused();
    void replayedOrReorderedFrameToAWorkerIsRefused_data();
    void replayedOrReorderedFrameToAWorkerIsRefused();
    void replayedOrReorderedSubmitFromAClientIsRefused_data();
    void replayedOrReorderedSubmitFromAClientIsRefused();
    void frameSplicedFromAnotherWorkerConnectionIsRefused();
    void submitSplicedFromAnotherClientConnectionIsRefused();
    void framePipelinedBehindWelcomeIsChecked_data();
    void framePipelinedBehindWelcomeIsChecked();
    void framePipelinedBehindTheResponseIsChecked();
    void authenticatedTrafficStillFlows();
    void macMatchesTheDocumentedVectors();
    void tamperedOrShortFramesFailVerification();
    void hmacMatchesQtForEveryKeyAndMessageLength_data();
    void hmacMatchesQtForEveryKeyAndMessageLength();

private:
    // A worker through the proxy that has said hello and is registered.
    std::unique_ptr<Peer> registeredWorker(const QString &name);
    std::unique_ptr<Master> m_master;
    std::unique_ptr<FrameProxy> m_proxy;
};

void tst_FrameAuth::init()
{
    m_master = std::make_unique<Master>(settings());
    QVERIFY(m_master->listen(QHostAddress::LocalHost, 0));
    m_proxy = std::make_unique<FrameProxy>(m_master->serverPort());
    QVERIFY(m_proxy->port() != 0);
}

void tst_FrameAuth::cleanup()
{
    m_proxy.reset();
    m_master.reset();
}

std::unique_ptr<Peer> tst_FrameAuth::registeredWorker(const QString &name)
{
    QSignalSpy added(m_master->scheduler(), &Scheduler::workerAdded);
    auto peer = std::make_unique<Peer>(Protocol::Role::Worker, m_proxy->port());
    if (!peer->ready.wait(5000))
        return {};
    peer->link.send(Messages::encodeFrame(Messages::WorkerHello{name, QStringLiteral("h"), 1, 1, {QStringLiteral("square")}}));
    if (!added.wait(5000))
        return {};
    return peer;
}

// What follows a forged message: nothing, or 16 bytes a forger can only make up.
static void addForgedRows()
{
    QTest::addColumn<QByteArray>("tail");
    QTest::newRow("a frame without a MAC") << QByteArray();
    QTest::newRow("a frame with a made-up MAC") << QByteArray(Protocol::FrameMacSize, '\x5a');
}

void tst_FrameAuth::forgedAssignTasksIntoAWorkerConnectionIsRefused_data()
{
    addForgedRows();
}

void tst_FrameAuth::forgedAssignTasksIntoAWorkerConnectionIsRefused()
{
    QFETCH(QByteArray, tail);
    auto worker = registeredWorker(QStringLiteral("victim"));
    QVERIFY(worker);
    QByteArray forged = Messages::encodeFrame(execTask());
    qToBigEndian<quint32>(quint32(forged.size() - 4 + tail.size()), forged.data());
    forged.append(tail);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("frame authentication failed")));
    m_proxy->inject(0, Direction::ToPeer, forged);
    QVERIFY(worker->lost.wait(5000));
    QVERIFY2(worker->lost.first().at(0).toString().contains(QLatin1String("frame authentication failed")),
             qPrintable(worker->lost.first().at(0).toString()));
    QCOMPARE(framesOfType(worker->frames, Protocol::MessageType::AssignTasks), 0);
}

void tst_FrameAuth::forgedSubmitIntoAClientConnectionIsRefused_data()
{
    addForgedRows();
}

void tst_FrameAuth::forgedSubmitIntoAClientConnectionIsRefused()
{
    QFETCH(QByteArray, tail);
    Peer client(Protocol::Role::Client, m_proxy->port());
    QVERIFY(client.ready.wait(5000));
    QByteArray forged = Messages::encodeFrame(submitOne(1));
    qToBigEndian<quint32>(quint32(forged.size() - 4 + tail.size()), forged.data());
    forged.append(tail);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("frame authentication failed")));
    m_proxy->inject(0, Direction::ToMaster, forged);
    QVERIFY(client.lost.wait(5000));
    QCOMPARE(m_master->scheduler()->count(TaskState::Queued), quint64(0));
    QCOMPARE(framesOfType(client.frames, Protocol::MessageType::Submitted), 0);
}

void tst_FrameAuth::replayedOrReorderedFrameToAWorkerIsRefused_data()
{
    QTest::addColumn<FrameProxy::Action>("action");
    QTest::addColumn<int>("delivered");
    // A copy: the original arrives, the copy does not.
    QTest::newRow("an AssignTasks sent twice") << FrameProxy::Action::Duplicate << 1;
    // Held back behind whatever the master sends next (a heartbeat): neither arrives.
    QTest::newRow("an AssignTasks swapped with the next frame") << FrameProxy::Action::SwapWithNext << 0;
}

void tst_FrameAuth::replayedOrReorderedFrameToAWorkerIsRefused()
{
    QFETCH(FrameProxy::Action, action);
    QFETCH(int, delivered);
    auto worker = registeredWorker(QStringLiteral("w"));
    QVERIFY(worker);
    m_proxy->arm(0, Direction::ToPeer, action, Protocol::MessageType::AssignTasks);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("frame authentication failed")));
    m_master->scheduler()->submit({square()});
    QVERIFY(worker->lost.wait(5000));
    QVERIFY(worker->lost.first().at(0).toString().contains(QLatin1String("frame authentication failed")));
    QCOMPARE(framesOfType(worker->frames, Protocol::MessageType::AssignTasks), delivered);
}

void tst_FrameAuth::replayedOrReorderedSubmitFromAClientIsRefused_data()
{
    QTest::addColumn<FrameProxy::Action>("action");
    QTest::addColumn<quint64>("queued");
    QTest::newRow("the first of two Submits sent twice") << FrameProxy::Action::Duplicate << quint64(1);
    QTest::newRow("two Submits swapped") << FrameProxy::Action::SwapWithNext << quint64(0);
}

void tst_FrameAuth::replayedOrReorderedSubmitFromAClientIsRefused()
{
    QFETCH(FrameProxy::Action, action);
    QFETCH(quint64, queued);
    Peer client(Protocol::Role::Client, m_proxy->port());
    QVERIFY(client.ready.wait(5000));
    m_proxy->arm(0, Direction::ToMaster, action, Protocol::MessageType::Submit);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("frame authentication failed")));
    client.link.send(QList<QByteArray>{Messages::encodeFrame(submitOne(1)), Messages::encodeFrame(submitOne(2))});
    QVERIFY(client.lost.wait(5000));
    QCOMPARE(m_master->scheduler()->count(TaskState::Queued), queued);
}

void tst_FrameAuth::frameSplicedFromAnotherWorkerConnectionIsRefused()
{
    auto first = registeredWorker(QStringLiteral("first"));
    QVERIFY(first);
    m_proxy->arm(0, Direction::ToPeer, FrameProxy::Action::Capture, Protocol::MessageType::AssignTasks);
    m_master->scheduler()->submit({square()});
    QTRY_COMPARE(framesOfType(first->frames, Protocol::MessageType::AssignTasks), 1);
    const QByteArray spliced = m_proxy->captured(0, Direction::ToPeer);
    QVERIFY(!spliced.isEmpty());

    // The same bytes, authenticated under the same authkey, on another connection.
    auto second = registeredWorker(QStringLiteral("second"));
    QVERIFY(second);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("frame authentication failed")));
    m_proxy->inject(1, Direction::ToPeer, spliced);
    QVERIFY(second->lost.wait(5000));
    QCOMPARE(framesOfType(second->frames, Protocol::MessageType::AssignTasks), 0);
    QVERIFY(first->lost.isEmpty());
}

void tst_FrameAuth::submitSplicedFromAnotherClientConnectionIsRefused()
{
    Peer first(Protocol::Role::Client, m_proxy->port());
    QVERIFY(first.ready.wait(5000));
    Peer second(Protocol::Role::Client, m_proxy->port());
    QVERIFY(second.ready.wait(5000));
    m_proxy->arm(0, Direction::ToMaster, FrameProxy::Action::Capture, Protocol::MessageType::Submit);
    first.link.send(Messages::encodeFrame(submitOne(1)));
    QTRY_COMPARE(framesOfType(first.frames, Protocol::MessageType::Submitted), 1);
    QCOMPARE(m_master->scheduler()->count(TaskState::Queued), quint64(1));

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("frame authentication failed")));
    m_proxy->inject(1, Direction::ToMaster, m_proxy->captured(0, Direction::ToMaster));
    QVERIFY(second.lost.wait(5000));
    QCOMPARE(m_master->scheduler()->count(TaskState::Queued), quint64(1));
    QVERIFY(first.lost.isEmpty());
}

void tst_FrameAuth::framePipelinedBehindWelcomeIsChecked_data()
{
    QTest::addColumn<bool>("withMac");
    QTest::newRow("an AssignTasks with its MAC is delivered") << true;
    QTest::newRow("an AssignTasks without a MAC is refused") << false;
}

void tst_FrameAuth::framePipelinedBehindWelcomeIsChecked()
{
    QFETCH(bool, withMac);
    // A master written by hand that sends Welcome and an AssignTasks in one write.
    QTcpServer fake;
    QVERIFY(fake.listen(QHostAddress::LocalHost, 0));
    std::unique_ptr<FramedConnection> side;
    QByteArray nonce;
    connect(&fake, &QTcpServer::newConnection, this, [&] {
        side = std::make_unique<FramedConnection>(fake.nextPendingConnection(), Protocol::PreAuthMaxFrame);
        nonce = HandshakeCrypto::newNonce();
        Messages::Challenge c;
        c.nonce = nonce;
        side->send(Messages::encodeFrame(c));
        connect(side.get(), &FramedConnection::frameReceived, this, [&](Protocol::MessageType, const QByteArray &body) {
            Messages::Response r;
            QVERIFY(Messages::decodeBody(body, r));
            Messages::Welcome w;
            w.version = r.version;
            w.mac = HandshakeCrypto::masterProof(Key, Protocol::Role::Worker, r.version, nonce, r.nonce);
            w.heartbeatIntervalMs = 1000;
            w.heartbeatTimeoutMs = 5000;
            w.maxFrame = Protocol::DefaultMaxFrame;
            QByteArray bytes = Messages::encodeFrame(w);
            QByteArray assign = Messages::encodeFrame(execTask());
            if (withMac) {
                const auto keys = HandshakeCrypto::sessionKeys(Key, Protocol::Role::Worker, r.version, nonce, r.nonce);
                FrameAuthenticator auth(keys.masterToPeer);
                char tag[Protocol::FrameMacSize];
                auth.sign(assign.constData() + 4, assign.size() - 4, tag);
                assign.append(tag, Protocol::FrameMacSize);
                qToBigEndian<quint32>(quint32(assign.size() - 4), assign.data());
            }
            side->socket()->write(bytes + assign);
        });
    });
    Peer peer(Protocol::Role::Worker, fake.serverPort());
    if (!withMac)
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("frame authentication failed")));
    QVERIFY(peer.ready.wait(5000));
    if (withMac) {
        QTRY_COMPARE(framesOfType(peer.frames, Protocol::MessageType::AssignTasks), 1);
        QVERIFY(peer.lost.isEmpty());
    } else {
        QTRY_COMPARE(peer.lost.size(), 1);
        QVERIFY(peer.lost.first().at(0).toString().contains(QLatin1String("frame authentication failed")));
        QCOMPARE(framesOfType(peer.frames, Protocol::MessageType::AssignTasks), 0);
    }
}

void tst_FrameAuth::framePipelinedBehindTheResponseIsChecked()
{
    // A peer that knows the key but puts an unauthenticated WorkerHello right behind its
    // Response, before it has seen Welcome: the master must not register it.
    QSignalSpy added(m_master->scheduler(), &Scheduler::workerAdded);
    auto *socket = new QTcpSocket;
    FramedConnection connection(socket, Protocol::DefaultMaxFrame);
    QSignalSpy frames(&connection, &FramedConnection::frameReceived);
    QSignalSpy closed(&connection, &FramedConnection::closed);
    socket->connectToHost(QHostAddress::LocalHost, m_master->serverPort());
    QVERIFY(frames.wait(5000));
    Messages::Challenge c;
    QVERIFY(Messages::decodeBody(frames.first().at(1).toByteArray(), c));
    Messages::Response r;
    r.version = Protocol::MaxVersion;
    r.role = quint8(Protocol::Role::Worker);
    r.nonce = HandshakeCrypto::newNonce();
    r.mac = HandshakeCrypto::peerProof(Key, Protocol::Role::Worker, r.version, c.nonce, r.nonce);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("frame authentication failed")));
    socket->write(Messages::encodeFrame(r)
                  + Messages::encodeFrame(Messages::WorkerHello{QStringLiteral("sneaky"), QStringLiteral("h"), 1, 1, {}}));
    QVERIFY(closed.wait(5000));
    QCOMPARE(framesOfType(frames, Protocol::MessageType::Welcome), 1);
    QVERIFY(added.isEmpty());
}

void tst_FrameAuth::authenticatedTrafficStillFlows()
{
    // Through the proxy untouched, a worker and a client do real work.
    auto worker = registeredWorker(QStringLiteral("w"));
    QVERIFY(worker);
    Peer client(Protocol::Role::Client, m_proxy->port());
    QVERIFY(client.ready.wait(5000));
    client.link.send(Messages::encodeFrame(submitOne(7)));
    QTRY_COMPARE(framesOfType(client.frames, Protocol::MessageType::Submitted), 1);
    // Frames above and below the size that is sent in one piece, in one batch.
    Messages::Submit big = submitOne(8);
    big.tasks.first().args = QByteArrayLiteral("{\"n\":2,\"pad\":\"") + QByteArray(3000, 'x') + QByteArrayLiteral("\"}");
    client.link.send(QList<QByteArray>{Messages::encodeFrame(big), Messages::encodeFrame(submitOne(9))});
    QTRY_COMPARE(framesOfType(client.frames, Protocol::MessageType::Submitted), 3);
    QTRY_VERIFY(framesOfType(worker->frames, Protocol::MessageType::AssignTasks) >= 1);
    // Heartbeats keep flowing both ways under their MACs for many intervals (of 100 ms).
    QTRY_VERIFY(m_proxy->passed(0, Direction::ToMaster, Protocol::MessageType::Heartbeat) >= 10);
    QTRY_VERIFY(m_proxy->passed(0, Direction::ToPeer, Protocol::MessageType::Heartbeat) >= 10);
    QTRY_VERIFY(m_proxy->passed(1, Direction::ToMaster, Protocol::MessageType::Heartbeat) >= 10);
    QVERIFY(worker->lost.isEmpty());
    QVERIFY(client.lost.isEmpty());
}

void tst_FrameAuth::macMatchesTheDocumentedVectors()
{
    // The inputs of the handshake vector in docs/PROTOCOL.md, at version 2; values computed
    // independently with Python's hmac module.
    QByteArray nm, np;
    for (int i = 0; i < 32; ++i) {
        nm.append(char(i));
        np.append(char(0x20 + i));
    }
    const QByteArray secret = QByteArrayLiteral("secret");
    QCOMPARE(HandshakeCrypto::peerProof(secret, Protocol::Role::Worker, 2, nm, np).toHex(),
             QByteArray("b64164a507d9755bb2b5179f222bd5f965c36297659b9e614c1c5abb53196120"));
    QCOMPARE(HandshakeCrypto::masterProof(secret, Protocol::Role::Worker, 2, nm, np).toHex(),
             QByteArray("f8c141c7cd3cb255d3abe1d3cc5661b0f066d5b8c572b012130f2247e11f2111"));
    const auto keys = HandshakeCrypto::sessionKeys(secret, Protocol::Role::Worker, 2, nm, np);
    QCOMPARE(keys.masterToPeer.toHex(), QByteArray("0a64785986da642f7540c583c553e717c40cc9cab913a82cd1f69f08777246a1"));
    QCOMPARE(keys.peerToMaster.toHex(), QByteArray("6f18b9c70f9539e401aa2cf333739b7dab80784950b080f27fad1b1cee2b0fa5"));
    char tag[Protocol::FrameMacSize];
    const char heartbeat = char(Protocol::MessageType::Heartbeat);
    FrameAuthenticator fromMaster(keys.masterToPeer);
    fromMaster.sign(&heartbeat, 1, tag);
    QCOMPARE(QByteArray(tag, Protocol::FrameMacSize).toHex(), QByteArray("ddca447bb5907ad31da4ee7336f6effe"));
    FrameAuthenticator auth(keys.peerToMaster);
    auth.sign(&heartbeat, 1, tag);
    QCOMPARE(QByteArray(tag, Protocol::FrameMacSize).toHex(), QByteArray("7f9752cd05ae6e26255c27dcdcbae808"));
    auth.sign(&heartbeat, 1, tag);
    QCOMPARE(QByteArray(tag, Protocol::FrameMacSize).toHex(), QByteArray("339411783ce63a2c0be697b89a6f4f0f"));
}

void tst_FrameAuth::tamperedOrShortFramesFailVerification()
{
    const QByteArray key = HandshakeCrypto::newNonce();
    FrameAuthenticator sender(key);
    QByteArray body = Messages::encodeFrame(submitOne(3)).mid(4);
    char tag[Protocol::FrameMacSize];
    sender.sign(body.constData(), body.size(), tag);
    const QByteArray good = body + QByteArray(tag, Protocol::FrameMacSize);

    QVERIFY(FrameAuthenticator(key).verify(good));
    for (qsizetype i = 0; i < good.size(); i += 7) {
        QByteArray flipped = good;
        flipped[i] = char(flipped[i] ^ 0x01);
        QVERIFY2(!FrameAuthenticator(key).verify(flipped), qPrintable(QString::number(i)));
    }
    QVERIFY(!FrameAuthenticator(key).verify(good.left(good.size() - 1)));
    QVERIFY(!FrameAuthenticator(key).verify(QByteArray(tag, Protocol::FrameMacSize)));
    QVERIFY(!FrameAuthenticator(key).verify(QByteArray()));
    QVERIFY(!FrameAuthenticator(HandshakeCrypto::newNonce()).verify(good));
    // Right bytes at the wrong place in the sequence.
    FrameAuthenticator receiver(key);
    QVERIFY(receiver.verify(good));
    QVERIFY(!receiver.verify(good));
}

void tst_FrameAuth::hmacMatchesQtForEveryKeyAndMessageLength_data()
{
    QTest::addColumn<bool>("shaInstructions");
    QTest::newRow("the portable SHA-256") << false;
    HmacSha256::setUseShaInstructions(true);
    if (HmacSha256::usesShaInstructions())
        QTest::newRow("the CPU's SHA instructions") << true;
}

void tst_FrameAuth::hmacMatchesQtForEveryKeyAndMessageLength()
{
    QFETCH(bool, shaInstructions);
    HmacSha256::setUseShaInstructions(shaInstructions);
    QCOMPARE(HmacSha256::usesShaInstructions(), shaInstructions);
    const auto restore = qScopeGuard([] { HmacSha256::setUseShaInstructions(true); });
    // Every padding case of SHA-256 (messages across one, two and three blocks after the
    // 64-byte pad) and keys shorter than, equal to and longer than a block.
    auto random = [](qsizetype size) {
        QByteArray bytes(size, Qt::Uninitialized);
        for (char &c : bytes)
            c = char(QRandomGenerator::global()->generate());
        return bytes;
    };
    for (const int keySize : {0, 1, 32, 63, 64, 65, 300}) {
        const QByteArray key = random(keySize);
        const HmacSha256 hmac(key.constData(), key.size());
        for (int size = 0; size <= 200; ++size) {
            const QByteArray first = random(size % 9);
            const QByteArray second = random(size);
            unsigned char out[HmacSha256::Size];
            hmac.compute(first.constData(), first.size(), second.constData(), second.size(), out);
            const QByteArray expected = QMessageAuthenticationCode::hash(first + second, key, QCryptographicHash::Sha256);
            QVERIFY2(QByteArray(reinterpret_cast<const char *>(out), HmacSha256::Size) == expected,
                     qPrintable(QStringLiteral("key %1 bytes, message %2 + %3 bytes").arg(keySize).arg(first.size()).arg(size)));
        }
    }
    const QByteArray big = random(100'000);
    const HmacSha256 hmac("k", 1);
    unsigned char out[HmacSha256::Size];
    hmac.compute(big.constData(), 777, big.constData() + 777, big.size() - 777, out);
    QCOMPARE(QByteArray(reinterpret_cast<const char *>(out), HmacSha256::Size),
             QMessageAuthenticationCode::hash(big, QByteArrayLiteral("k"), QCryptographicHash::Sha256));
}

QTEST_GUILESS_MAIN(tst_FrameAuth)
#include "tst_frameauth.moc"
