// TLS over real loopback sockets with certificates made for the test by the openssl CLI:
// trust by CA file or pinned fingerprint, refusal of untrusted certificates, plain and TLS
// peers on the wrong kind of master, bad certificate files, and the real binaries over TLS.

#include "client/masterlink.h"
#include "master/master.h"
#include "task/taskstore.h"
#include "processes.h"
#include "tls/tls.h"

#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QByteArray Key = QByteArrayLiteral("tls test key");

} // namespace

class tst_Tls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void trustedMasterAuthenticates_data();
    void trustedMasterAuthenticates();
    void untrustedMasterIsRefusedWithItsFingerprint_data();
    void untrustedMasterIsRefusedWithItsFingerprint();
    void plainPeerOnATlsMasterIsToldQuickly();
    void tlsPeerOnAPlainMasterIsToldQuickly();
    void stalledTlsHandshakeCountsAsAFailure();
    void badCertificateFilesGiveClearErrors_data();
    void badCertificateFilesGiveClearErrors();
    void fingerprintsAreParsedOrRefused_data();
    void fingerprintsAreParsedOrRefused();
    void workerAndSubmitRunTasksOverTls();

private:
    // A self-signed certificate for localhost and 127.0.0.1 under name.pem / name.key.
    bool makeCertificate(const QString &name);
    QString path(const QString &file) const { return m_dir.filePath(file); }
    Tls::ClientSettings client(bool tls, const QString &ca, const QString &fingerprint);

    QTemporaryDir m_dir;
    QSslConfiguration m_serverTls;
    QByteArray m_fingerprint;
    std::unique_ptr<Master> m_master;
};

bool tst_Tls::makeCertificate(const QString &name)
{
    return makeSelfSignedCertificate(m_dir.path(), name);
}

Tls::ClientSettings tst_Tls::client(bool tls, const QString &ca, const QString &fingerprint)
{
    Tls::ClientSettings settings;
    QString error;
    if (!Tls::clientSettingsFromOptions(tls, ca, fingerprint, &settings, &error))
        qWarning() << error;
    return settings;
}

void tst_Tls::initTestCase()
{
    if (!Tls::isAvailable())
        QSKIP("Qt has no TLS backend here");
    if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
        QSKIP("the openssl command is needed to make test certificates (.ci/install-deps installs it)");
    QVERIFY(m_dir.isValid());
    QVERIFY(makeCertificate(QStringLiteral("master")));
    QVERIFY(makeCertificate(QStringLiteral("other")));
    QString error;
    QVERIFY2(Tls::loadServerConfiguration(path(QStringLiteral("master.pem")), path(QStringLiteral("master.key")),
                                          &m_serverTls, &error),
             qPrintable(error));
    m_fingerprint = Tls::fingerprint(m_serverTls.localCertificate());
    QCOMPARE(m_fingerprint.size(), 64);
}

void tst_Tls::init()
{
    Master::Settings settings;
    settings.key = Key;
    settings.tls = m_serverTls;
    m_master = std::make_unique<Master>(settings);
    QVERIFY(m_master->listen(QHostAddress::LocalHost, 0));
    QVERIFY(m_master->usesTls());
}

void tst_Tls::cleanup()
{
    m_master.reset();
}

void tst_Tls::trustedMasterAuthenticates_data()
{
    QTest::addColumn<QString>("ca");
    QTest::addColumn<QString>("pin");
    QTest::addColumn<Protocol::Role>("role");
    QTest::newRow("a worker trusting the master's certificate as its CA")
            << QStringLiteral("master.pem") << QString() << Protocol::Role::Worker;
    QTest::newRow("a client pinning the master's fingerprint") << QString() << QStringLiteral("pin") << Protocol::Role::Client;
    QTest::newRow("a worker pinning the fingerprint written in capitals with colons")
            << QString() << QStringLiteral("pin with colons") << Protocol::Role::Worker;
}

void tst_Tls::trustedMasterAuthenticates()
{
    QFETCH(QString, ca);
    QFETCH(QString, pin);
    QFETCH(Protocol::Role, role);
    QString fingerprint;
    if (pin == QLatin1String("pin")) {
        fingerprint = QString::fromLatin1(m_fingerprint);
    } else if (!pin.isEmpty()) {
        for (qsizetype i = 0; i < m_fingerprint.size(); i += 2)
            fingerprint += (i ? QStringLiteral(":") : QString()) + QString::fromLatin1(m_fingerprint.mid(i, 2)).toUpper();
    }
    MasterLink link(role, Key);
    link.setTls(client(true, ca.isEmpty() ? QString() : path(ca), fingerprint));
    QSignalSpy ready(&link, &MasterLink::ready);
    QSignalSpy failed(&link, &MasterLink::failed);
    link.open(QStringLiteral("127.0.0.1"), m_master->serverPort());
    QVERIFY2(ready.wait(10'000), failed.isEmpty() ? "no answer" : qPrintable(failed.first().at(1).toString()));
    QVERIFY(link.isReady());

    // Frames flow inside TLS: a client asks for status and gets the reply.
    if (role == Protocol::Role::Client) {
        QSignalSpy frames(&link, &MasterLink::frameReceived);
        link.send(Messages::encodeFrame(Messages::StatusRequest{7}));
        QVERIFY(frames.wait(5000));
        QCOMPARE(frames.first().at(0).value<Protocol::MessageType>(), Protocol::MessageType::StatusReply);
    }
}

void tst_Tls::untrustedMasterIsRefusedWithItsFingerprint_data()
{
    QTest::addColumn<QString>("ca");
    QTest::addColumn<QString>("pin");
    QTest::addColumn<QString>("expected");
    QTest::newRow("a self-signed certificate and no CA given")
            << QString() << QString() << QStringLiteral("is not trusted");
    QTest::newRow("a CA file that did not sign the master's certificate")
            << QStringLiteral("other.pem") << QString() << QStringLiteral("is not trusted");
    QTest::newRow("a pinned fingerprint of another certificate")
            << QString() << QStringLiteral("other") << QStringLiteral("not the pinned");
    QTest::newRow("the right CA but another pinned fingerprint")
            << QStringLiteral("master.pem") << QStringLiteral("other") << QStringLiteral("not the pinned");
}

void tst_Tls::untrustedMasterIsRefusedWithItsFingerprint()
{
    QFETCH(QString, ca);
    QFETCH(QString, pin);
    QFETCH(QString, expected);
    QString fingerprint;
    if (!pin.isEmpty()) {
        const QList<QSslCertificate> other = QSslCertificate::fromPath(path(QStringLiteral("other.pem")));
        QCOMPARE(other.size(), 1);
        fingerprint = QString::fromLatin1(Tls::fingerprint(other.first()));
    }
    MasterLink link(Protocol::Role::Worker, Key);
    link.setTls(client(true, ca.isEmpty() ? QString() : path(ca), fingerprint));
    QSignalSpy ready(&link, &MasterLink::ready);
    QSignalSpy failed(&link, &MasterLink::failed);
    link.open(QStringLiteral("127.0.0.1"), m_master->serverPort());
    QVERIFY(failed.wait(10'000));
    QVERIFY(ready.isEmpty());
    // Not worth retrying, and the message names the certificate so it can be pinned.
    QCOMPARE(failed.first().at(0).value<ClientHandshake::Failure>(), ClientHandshake::Failure::Incompatible);
    const QString reason = failed.first().at(1).toString();
    QVERIFY2(reason.contains(expected), qPrintable(reason));
    QVERIFY2(reason.contains(QString::fromLatin1(m_fingerprint)), qPrintable(reason));
}

void tst_Tls::plainPeerOnATlsMasterIsToldQuickly()
{
    // The handshake deadline is long; the plain peer must hear why well before it.
    Master::Settings settings = m_master->settings();
    settings.handshakeTimeoutMs = 60'000;
    m_master->setSettings(settings);
    QSignalSpy rejected(m_master.get(), &Master::peerRejected);
    MasterLink link(Protocol::Role::Worker, Key);
    QSignalSpy failed(&link, &MasterLink::failed);
    link.open(QStringLiteral("127.0.0.1"), m_master->serverPort(), 60'000);
    QVERIFY(failed.wait(10'000));
    QCOMPARE(failed.first().at(0).value<ClientHandshake::Failure>(), ClientHandshake::Failure::Incompatible);
    QVERIFY2(failed.first().at(1).toString().contains(QLatin1String("requires TLS")),
             qPrintable(failed.first().at(1).toString()));
    QTRY_COMPARE(rejected.size(), 1);
    QVERIFY(rejected.first().at(1).toString().contains(QLatin1String("requires TLS")));
}

void tst_Tls::stalledTlsHandshakeCountsAsAFailure()
{
    // A peer that starts a TLS record and stalls holds a place until the deadline, which the
    // master counts against its address as it counts a wrong key.
    Master::Settings settings = m_master->settings();
    settings.handshakeTimeoutMs = 500;
    m_master->setSettings(settings);
    QSignalSpy rejected(m_master.get(), &Master::peerRejected);
    QSignalSpy delayed(m_master.get(), &Master::handshakeDelayed);
    QTcpSocket stalled;
    stalled.connectToHost(QHostAddress::LocalHost, m_master->serverPort());
    QVERIFY(stalled.waitForConnected(5000));
    stalled.write("\x16\x03\x01", 3);
    QVERIFY(rejected.wait(5000));
    QVERIFY2(rejected.first().at(1).toString().contains(QLatin1String("TLS handshake not completed within 500 ms")),
             qPrintable(rejected.first().at(1).toString()));

    MasterLink link(Protocol::Role::Client, Key);
    link.setTls(client(true, QString(), QString::fromLatin1(m_fingerprint)));
    QSignalSpy ready(&link, &MasterLink::ready);
    link.open(QStringLiteral("127.0.0.1"), m_master->serverPort());
    QVERIFY(ready.wait(10'000));
    QCOMPARE(delayed.size(), 1);
    QCOMPARE(delayed.first().at(1).toInt(), settings.authThrottle.baseDelayMs);
}

void tst_Tls::tlsPeerOnAPlainMasterIsToldQuickly()
{
    Master::Settings settings;
    settings.key = Key;
    settings.handshakeTimeoutMs = 60'000;
    Master plain(settings);
    QVERIFY(plain.listen(QHostAddress::LocalHost, 0));
    QVERIFY(!plain.usesTls());
    QSignalSpy rejected(&plain, &Master::peerRejected);
    MasterLink link(Protocol::Role::Client, Key);
    link.setTls(client(false, path(QStringLiteral("master.pem")), QString()));
    QSignalSpy failed(&link, &MasterLink::failed);
    link.open(QStringLiteral("127.0.0.1"), plain.serverPort(), 60'000);
    QVERIFY(failed.wait(10'000));
    QCOMPARE(failed.first().at(0).value<ClientHandshake::Failure>(), ClientHandshake::Failure::Incompatible);
    QVERIFY2(failed.first().at(1).toString().contains(QLatin1String("is the master serving TLS?")),
             qPrintable(failed.first().at(1).toString()));
    QTRY_COMPARE(rejected.size(), 1);
    QVERIFY2(rejected.first().at(1).toString().contains(QLatin1String("TLS handshake on a plain connection")),
             qPrintable(rejected.first().at(1).toString()));
}

void tst_Tls::badCertificateFilesGiveClearErrors_data()
{
    QTest::addColumn<QString>("cert");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("expected");
    QTest::newRow("a certificate file that does not exist")
            << QStringLiteral("missing.pem") << QStringLiteral("master.key") << QStringLiteral("cannot read the TLS certificate");
    QTest::newRow("a key file that does not exist")
            << QStringLiteral("master.pem") << QStringLiteral("missing.key") << QStringLiteral("cannot read the TLS key");
    QTest::newRow("a key given as the certificate")
            << QStringLiteral("master.key") << QStringLiteral("master.key") << QStringLiteral("holds no PEM certificate");
    QTest::newRow("a certificate given as the key")
            << QStringLiteral("master.pem") << QStringLiteral("master.pem") << QStringLiteral("is not an unencrypted PEM");
}

void tst_Tls::badCertificateFilesGiveClearErrors()
{
    QFETCH(QString, cert);
    QFETCH(QString, key);
    QFETCH(QString, expected);
    QSslConfiguration configuration;
    QString error;
    QVERIFY(!Tls::loadServerConfiguration(path(cert), path(key), &configuration, &error));
    QVERIFY2(error.contains(expected), qPrintable(error));

    // serve says the same and exits with the usage code, before listening.
    TestProcess serve(QStringLiteral(TASKMASTER_BIN),
                      {QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--tls-cert"),
                       path(cert), QStringLiteral("--tls-key"), path(key)},
                      Key);
    QVERIFY(serve.waitForExit());
    QCOMPARE(serve.exitCode(), 2);
    QVERIFY2(serve.stderrText().contains(expected.toUtf8()), serve.stderrText().constData());
    QVERIFY(serve.stdoutText().isEmpty());
}

void tst_Tls::fingerprintsAreParsedOrRefused_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::newRow("64 lower-case hex digits are a fingerprint") << QString(64, QLatin1Char('a')) << true;
    QTest::newRow("upper case with colons is the same fingerprint")
            << QStringList(32, QStringLiteral("AB")).join(QLatin1Char(':')) << true;
    QTest::newRow("63 digits are too few") << QString(63, QLatin1Char('a')) << false;
    QTest::newRow("a SHA-1 fingerprint is refused") << QString(40, QLatin1Char('a')) << false;
    QTest::newRow("a non-hex digit is refused") << QString(63, QLatin1Char('a')) + QLatin1Char('g') << false;
}

void tst_Tls::fingerprintsAreParsedOrRefused()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QByteArray parsed;
    QString error;
    QCOMPARE(Tls::parseFingerprint(text, &parsed, &error), valid);
    if (valid) {
        QCOMPARE(parsed.size(), 64);
        QCOMPARE(parsed, parsed.toLower());
    } else {
        QVERIFY(error.contains(QLatin1String("64 hex digits")));
    }
}

void tst_Tls::workerAndSubmitRunTasksOverTls()
{
    TestMaster master(Key, {QStringLiteral("--tls-cert"), path(QStringLiteral("master.pem")), QStringLiteral("--tls-key"),
                            path(QStringLiteral("master.key"))});
    QVERIFY(master.isReady());
    QVERIFY(master.process().waitForStdoutLines(2));
    const QByteArray printed = master.process().stdoutLines().at(1);
    QCOMPARE(printed, QByteArray("tls certificate sha256 fingerprint " + m_fingerprint));

    auto worker = startWorker(master.port(), Key, QStringLiteral("tls-worker"),
                              {QStringLiteral("--ca"), path(QStringLiteral("master.pem")), QStringLiteral("--slots"),
                               QStringLiteral("2")});
    TestProcess submit(QStringLiteral(TASKMASTER_BIN),
                       QStringList{QStringLiteral("submit")} + connectionArgs(master.port())
                               + QStringList{QStringLiteral("--tls-fingerprint"), QString::fromLatin1(m_fingerprint),
                                             QStringLiteral("--wait"), QStringLiteral("square"), QStringLiteral("7")},
                       Key);
    QVERIFY(submit.waitForExit());
    QVERIFY2(submit.exitCode() == 0, submit.stderrText().constData());
    QVERIFY2(submit.stdoutText().contains("49"), submit.stdoutText().constData());

    // A worker with a CA that did not sign the master's certificate exits with the reason.
    auto wrong = startWorker(master.port(), Key, QStringLiteral("wrong-ca"),
                             {QStringLiteral("--ca"), path(QStringLiteral("other.pem"))});
    QVERIFY(wrong->waitForExit());
    QCOMPARE(wrong->exitCode(), 4);
    QVERIFY2(wrong->stderrText().contains("is not trusted"), wrong->stderrText().constData());
    QVERIFY2(wrong->stderrText().contains(m_fingerprint), wrong->stderrText().constData());
}

QTEST_GUILESS_MAIN(tst_Tls)
#include "tst_tls.moc"
