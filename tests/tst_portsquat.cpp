// Hostile neighbours of the real binaries: a port squatter that answers a worker with
// AuthRejected while its master restarts, and one address holding hundreds of silent sockets
// while `taskmaster status` from another address must keep getting in.

#include "auth/handshakecrypto.h"
#include "processes.h"
#include "protocol/framedconnection.h"
#include "protocol/messages.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <functional>

#include <memory>
#include <vector>

namespace {

const QByteArray Key = QByteArrayLiteral("port squat test key");

// Listens where a master was and refuses every peer after its Response, as a master with
// another key would; it cannot authenticate anything, and needs no key to send this.
class RejectingListener final : public QObject
{
public:
    bool listen(quint16 port)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                auto *connection = new FramedConnection(socket, Protocol::PreAuthMaxFrame, this);
                Messages::Challenge challenge;
                challenge.nonce = HandshakeCrypto::newNonce();
                connection->send(Messages::encodeFrame(challenge));
                connect(connection, &FramedConnection::frameReceived, this, [this, connection] {
                    connection->send(Messages::encodeFrame(Messages::AuthRejected{QStringLiteral("the authkey does not match")}));
                    connection->close(QStringLiteral("rejected"));
                    ++m_rejected;
                });
            }
        });
        return m_server.listen(QHostAddress::LocalHost, port);
    }
    quint16 port() const { return m_server.serverPort(); }
    int rejected() const { return m_rejected; }

private:
    QTcpServer m_server;
    int m_rejected = 0;
};

} // namespace

class tst_PortSquat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void workerComesBackAfterAForgedRejectionDuringARestart();
    void workerThatNeverGotInStopsOnARejection();
    void silentSocketsFromOneAddressLockNobodyElseOut();
    void thePerAddressCapIsAServeOption();
};

void tst_PortSquat::workerComesBackAfterAForgedRejectionDuringARestart()
{
    const quint16 port = freePort();
    auto master = std::make_unique<TestMaster>(Key, QStringList{}, port);
    QVERIFY(master->isReady());
    auto worker = startWorker(port, Key, QStringLiteral("steady"));
    QVERIFY2(worker->waitForStderr("connected to master"), worker->stderrText().constData());

    // The master goes away; a squatter takes its port and refuses the worker.
    master->process().kill();
    master.reset();
    auto squatter = std::make_unique<RejectingListener>();
    QVERIFY(squatter->listen(port));
    QVERIFY2(worker->waitForStderr("authenticated by this master before, so it keeps retrying"),
             worker->stderrText().constData());
    QVERIFY(squatter->rejected() >= 1);
    QCOMPARE(worker->process().state(), QProcess::Running);

    // The real master is back on its port: so is the worker.
    squatter.reset();
    master = std::make_unique<TestMaster>(Key, QStringList{}, port);
    QVERIFY(master->isReady());
    QVERIFY2(QTest::qWaitFor([&] { return worker->stderrText().count("connected to master") >= 2; }, 30'000),
             worker->stderrText().constData());
    const QJsonObject status = masterStatus(port, Key);
    QVERIFY(!status.isEmpty());
}

void tst_PortSquat::workerThatNeverGotInStopsOnARejection()
{
    RejectingListener squatter;
    QVERIFY(squatter.listen(0));
    auto worker = startWorker(squatter.port(), Key, QStringLiteral("new"));
    QVERIFY(worker->waitForExit());
    QCOMPARE(worker->exitCode(), 3);
    QVERIFY2(worker->stderrText().contains("authkey does not match"), worker->stderrText().constData());
}

void tst_PortSquat::thePerAddressCapIsAServeOption()
{
    TestProcess bad(QStringLiteral(TASKMASTER_BIN),
                    {QStringLiteral("serve"), QStringLiteral("--ephemeral"), QStringLiteral("--port"), QStringLiteral("0"),
                     QStringLiteral("--max-handshakes-per-address"), QStringLiteral("0")},
                    Key);
    QVERIFY(bad.waitForExit());
    QCOMPARE(bad.exitCode(), 2);
    QVERIFY2(bad.stderrText().contains("--max-handshakes-per-address"), bad.stderrText().constData());

    // With a cap of 2, a third silent socket from one address is refused (the default is 8).
    TestMaster master(Key, {QStringLiteral("--max-handshakes-per-address"), QStringLiteral("2")});
    QVERIFY(master.isReady());
    std::vector<std::unique_ptr<QTcpSocket>> silent;
    for (int i = 0; i < 3; ++i) {
        silent.push_back(std::make_unique<QTcpSocket>());
        if (!silent.back()->bind(QHostAddress(QStringLiteral("127.0.0.2")), 0))
            QSKIP("this system cannot send from 127.0.0.2");
        silent.back()->connectToHost(QHostAddress::LocalHost, master.port());
    }
    QVERIFY2(master.process().waitForStderr("refusing 127.0.0.2"), master.process().stderrText().constData());
    QVERIFY(!masterStatus(master.port(), Key).isEmpty()); // others still get in
}

void tst_PortSquat::silentSocketsFromOneAddressLockNobodyElseOut()
{
    TestMaster master(Key);
    QVERIFY(master.isReady());
    // 200 silent sockets from 127.0.0.2, each opened again once this process sees the master
    // drop it (here about 1000 more connections over the five status runs).
    std::vector<std::unique_ptr<QTcpSocket>> crowd;
    int opened = 0;
    std::function<void(QTcpSocket *)> open = [&](QTcpSocket *socket) {
        socket->abort();
        if (!socket->bind(QHostAddress(QStringLiteral("127.0.0.2")), 0))
            return;
        ++opened;
        socket->connectToHost(QHostAddress::LocalHost, master.port());
    };
    for (int i = 0; i < 200; ++i) {
        crowd.push_back(std::make_unique<QTcpSocket>());
        QTcpSocket *socket = crowd.back().get();
        QObject::connect(
                socket, &QTcpSocket::stateChanged, socket,
                [&open, socket](QAbstractSocket::SocketState state) {
                    if (state == QAbstractSocket::UnconnectedState)
                        open(socket);
                },
                Qt::QueuedConnection);
        open(socket);
    }
    if (opened == 0)
        QSKIP("this system cannot send from 127.0.0.2");
    QVERIFY2(master.process().waitForStderr("refusing 127.0.0.2"), master.process().stderrText().constData());

    // Meanwhile a client from 127.0.0.1 gets in every time.
    for (int i = 0; i < 5; ++i) {
        const QJsonObject status = masterStatus(master.port(), Key);
        QVERIFY2(!status.isEmpty(), qPrintable(QStringLiteral("status %1 failed after %2 attacking connections: %3")
                                                       .arg(i)
                                                       .arg(opened)
                                                       .arg(QString::fromUtf8(master.process().stderrText()))));
    }
    QVERIFY(opened >= 200);
    // Hundreds of refusals, a handful of log lines.
    const qsizetype lines = master.process().stderrText().count('\n');
    qInfo("%d attacking connections from 127.0.0.2, %lld lines in the master's log", opened, qlonglong(lines));
    QVERIFY2(lines <= 10, master.process().stderrText().constData());
}

QTEST_GUILESS_MAIN(tst_PortSquat)
#include "tst_portsquat.moc"
