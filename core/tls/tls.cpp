#include "tls.h"

#include "util/logging.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QEventLoop>
#include <QFile>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTimer>

#include <algorithm>

namespace {

bool readFile(const QString &path, const QString &what, QByteArray *out, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the %1 %2: %3").arg(what, path, file.errorString());
        return false;
    }
    *out = file.readAll();
    return true;
}

} // namespace

namespace Tls {

bool isAvailable()
{
    return QSslSocket::supportsSsl();
}

bool loadServerConfiguration(const QString &certFile, const QString &keyFile, QSslConfiguration *out, QString *error)
{
    if (!isAvailable()) {
        *error = QStringLiteral("this build of Qt has no TLS backend (install OpenSSL 3 or 1.1)");
        return false;
    }
    QByteArray certPem, keyPem;
    if (!readFile(certFile, QStringLiteral("TLS certificate"), &certPem, error)
        || !readFile(keyFile, QStringLiteral("TLS key"), &keyPem, error))
        return false;
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certPem, QSsl::Pem);
    if (chain.isEmpty() || chain.first().isNull()) {
        *error = QStringLiteral("the TLS certificate %1 holds no PEM certificate").arg(certFile);
        return false;
    }
    QSslKey key(keyPem, QSsl::Rsa, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(keyPem, QSsl::Ec, QSsl::Pem);
    if (key.isNull()) {
        *error = QStringLiteral("the TLS key %1 is not an unencrypted PEM RSA or EC private key").arg(keyFile);
        return false;
    }
    // Still served: peers that pin the fingerprint do not look at the dates, but peers that
    // check against a CA will refuse it.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (chain.first().expiryDate() < now) {
        qCWarning(lcNet).noquote() << QStringLiteral("the TLS certificate %1 expired on %2; peers that check it "
                                                     "against a CA will refuse it (a pinned fingerprint still works)")
                                              .arg(certFile, chain.first().expiryDate().toString(Qt::ISODate));
    } else if (chain.first().effectiveDate() > now) {
        qCWarning(lcNet).noquote() << QStringLiteral("the TLS certificate %1 is not valid before %2; peers that "
                                                     "check it against a CA will refuse it until then")
                                              .arg(certFile, chain.first().effectiveDate().toString(Qt::ISODate));
    }
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(key);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone); // peers prove themselves by the authkey
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    *out = configuration;
    return true;
}

bool checkKeyMatchesCertificate(const QSslConfiguration &configuration, QString *error)
{
    constexpr int TimeoutMs = 5000;
    QSslServer server;
    server.setSslConfiguration(configuration);
    server.setHandshakeTimeout(TimeoutMs);
    if (!server.listen(QHostAddress::LocalHost, 0))
        return true;
    QSslSocket client;
    QSslConfiguration anyCertificate = QSslConfiguration::defaultConfiguration();
    anyCertificate.setPeerVerifyMode(QSslSocket::VerifyNone); // only the server's own key is in question
    client.setSslConfiguration(anyCertificate);
    QEventLoop loop;
    bool matches = true;
    QObject::connect(&client, &QSslSocket::encrypted, &loop, &QEventLoop::quit);
    QObject::connect(&server, &QSslServer::errorOccurred, &loop, [&](QSslSocket *socket, QAbstractSocket::SocketError) {
        matches = false;
        *error = socket->errorString();
        loop.quit();
    });
    QTimer::singleShot(TimeoutMs, &loop, &QEventLoop::quit);
    client.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server.serverPort());
    loop.exec();
    client.abort();
    return matches;
}

bool loadCaCertificates(const QString &file, QList<QSslCertificate> *out, QString *error)
{
    if (!isAvailable()) {
        *error = QStringLiteral("this build of Qt has no TLS backend (install OpenSSL 3 or 1.1)");
        return false;
    }
    QByteArray pem;
    if (!readFile(file, QStringLiteral("CA file"), &pem, error))
        return false;
    const QList<QSslCertificate> certificates = QSslCertificate::fromData(pem, QSsl::Pem);
    if (certificates.isEmpty()) {
        *error = QStringLiteral("the CA file %1 holds no PEM certificate").arg(file);
        return false;
    }
    *out = certificates;
    return true;
}

bool parseFingerprint(const QString &text, QByteArray *out, QString *error)
{
    QByteArray hex = text.trimmed().toLatin1().toLower();
    hex.replace(':', QByteArray());
    const bool allHex = std::all_of(hex.cbegin(), hex.cend(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    });
    if (hex.size() != 64 || !allHex) {
        *error = QStringLiteral("--tls-fingerprint needs the 64 hex digits of a SHA-256 fingerprint "
                                "(as taskmaster serve prints it), not \"%1\"")
                         .arg(text);
        return false;
    }
    *out = hex;
    return true;
}

bool clientSettingsFromOptions(bool tls, const QString &caFile, const QString &fingerprint, ClientSettings *out,
                               QString *error)
{
    ClientSettings settings;
    settings.enabled = tls || !caFile.isEmpty() || !fingerprint.isEmpty();
    if (settings.enabled && !isAvailable()) {
        *error = QStringLiteral("--tls needs a TLS backend, and this build of Qt has none (install OpenSSL 3 or 1.1)");
        return false;
    }
    if (!caFile.isEmpty() && !loadCaCertificates(caFile, &settings.caCertificates, error))
        return false;
    if (!fingerprint.isEmpty() && !parseFingerprint(fingerprint, &settings.pinnedFingerprint, error))
        return false;
    *out = settings;
    return true;
}

QByteArray fingerprint(const QSslCertificate &certificate)
{
    return certificate.digest(QCryptographicHash::Sha256).toHex();
}

} // namespace Tls
